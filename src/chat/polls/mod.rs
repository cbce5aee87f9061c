//! Polls: a message that asks a question with answers to choose — one, or several — named or
//! anonymous, open until a time or for good. Everyone in the channel sees the results move as
//! people vote; a person has one ballot per poll (the database's key), which they may change
//! or take back until the poll closes; a closed poll shows its final result.

use serde::{Deserialize, Serialize};

use crate::auth::Author;

pub mod api;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;

/// Answers a poll offers, at least and at most.
pub const OPTIONS_MIN: usize = 2;
pub const OPTIONS_MAX: usize = 10;
/// Characters of one answer.
pub const OPTION_MAX_CHARS: usize = 100;
/// How long a poll may stay open, at most (30 days), in minutes; and at least.
pub const CLOSES_IN_MAX_MINUTES: u32 = 30 * 24 * 60;
pub const CLOSES_IN_MIN_MINUTES: u32 = 1;

/// One answer or several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum PollKind {
    #[default]
    Single,
    Multiple,
}

impl PollKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            PollKind::Single => "single",
            PollKind::Multiple => "multiple",
        }
    }

    pub fn parse(stored: &str) -> PollKind {
        match stored {
            "multiple" => PollKind::Multiple,
            _ => PollKind::Single,
        }
    }
}

/// A poll as its author asks it (the question is the message's words).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct NewPoll {
    pub question: String,
    pub options: Vec<String>,
    #[serde(default)]
    pub kind: PollKind,
    #[serde(default)]
    pub anonymous: bool,
    /// Minutes until it closes; open for good without.
    #[serde(default)]
    pub closes_in_minutes: Option<u32>,
}

/// A poll as everyone in its channel sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Poll {
    pub kind: PollKind,
    pub anonymous: bool,
    /// RFC 3339; none: open until its message goes.
    pub closes_at: Option<String>,
    /// Closed when it was shown (the page then closes it on time by itself).
    pub closed: bool,
    pub options: Vec<PollOption>,
    /// People who voted.
    pub voters: u32,
}

impl Poll {
    /// Whether it is closed at `now_ms` (milliseconds since the epoch).
    pub fn closed_at(&self, now_ms: f64) -> bool {
        self.closed
            || self
                .closes_at
                .as_deref()
                .and_then(chrono_ms)
                .is_some_and(|closes| closes <= now_ms)
    }

    /// Each answer's share of the voters, in whole percent (a multiple-choice poll's add up to
    /// more than 100).
    pub fn percents(&self) -> Vec<u32> {
        self.options
            .iter()
            .map(|o| match self.voters {
                0 => 0,
                n => ((o.votes as f64 * 100.0) / n as f64).round() as u32,
            })
            .collect()
    }
}

/// Milliseconds since the epoch of an RFC 3339 time, in both builds.
fn chrono_ms(at: &str) -> Option<f64> {
    #[cfg(feature = "ssr")]
    {
        chrono::DateTime::parse_from_rfc3339(at)
            .ok()
            .map(|t| t.timestamp_millis() as f64)
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        let ms = js_sys::Date::parse(at);
        (!ms.is_nan()).then_some(ms)
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        let _ = at;
        None
    }
}

/// One answer with its votes; who chose it unless the poll is anonymous.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PollOption {
    pub label: String,
    pub votes: u32,
    #[serde(default)]
    pub voters: Vec<Author>,
}

/// What one person chose (positions of the answers, from 0); empty: no vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Ballot {
    pub choices: Vec<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn option(votes: u32) -> PollOption {
        PollOption {
            label: "x".into(),
            votes,
            voters: Vec::new(),
        }
    }

    #[test]
    fn shares_are_of_the_voters_and_a_poll_closes_at_its_time() {
        let poll = Poll {
            kind: PollKind::Multiple,
            anonymous: true,
            closes_at: Some("2026-11-26T10:00:00+00:00".into()),
            closed: false,
            options: vec![option(2), option(3), option(0)],
            voters: 3,
        };
        assert_eq!(poll.percents(), [67, 100, 0]);
        let closes = chrono_ms("2026-11-26T10:00:00Z").unwrap();
        assert!(!poll.closed_at(closes - 1.0));
        assert!(poll.closed_at(closes));
        let open = Poll {
            closes_at: None,
            voters: 0,
            ..poll
        };
        assert!(!open.closed_at(f64::MAX));
        assert_eq!(open.percents(), [0, 0, 0]);
    }
}
