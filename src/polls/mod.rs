//! Polls: a message that asks a question with answers to choose — one, or several — named or
//! anonymous, open until a time or for good — or a "price target" poll about a $cashtag, whose
//! answers are numbers, shown as a distribution against the live price. Everyone in the channel
//! sees the results move as people vote; a person has one ballot per poll (the database's key),
//! which they may change or take back until the poll closes; a closed poll shows its final
//! result.

use serde::{Deserialize, Serialize};

use crate::auth::Author;

/// The kind of message part this room adds (`ChatMessage::parts`, and the key on the wire).
pub const KIND: &str = "poll";

impl Poll {
    /// The poll a message asks, if it carries one.
    pub fn of(message: &crate::chat::ChatMessage) -> Option<Poll> {
        message.parts.get(KIND)
    }
}

pub mod api;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod rest;
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

/// The highest price target a ballot may name.
pub const TARGET_MAX: f64 = 1e9;
/// Bars of a price-target poll's distribution.
pub const TARGET_BINS: usize = 8;

/// One answer or several, or a number (a price target).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum PollKind {
    #[default]
    Single,
    Multiple,
    /// Where a stock's price will be: each answer is a number.
    Target,
}

/// A poll as everyone in its channel sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// A price-target poll's stock.
    #[serde(default)]
    pub symbol: Option<String>,
    /// A price-target poll's answers, as a distribution.
    #[serde(default)]
    pub targets: Option<Targets>,
}

/// The numbers a price-target poll was answered with, and the price they are against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Targets {
    pub low: Option<f64>,
    pub median: Option<f64>,
    pub high: Option<f64>,
    /// How many answered within each range, lowest first.
    pub bins: Vec<TargetBin>,
    /// Who said what, unless the poll is anonymous (earliest first).
    pub guesses: Vec<Guess>,
    /// The stock's price when the poll was shown, if the market source knows it.
    pub price: Option<PricePoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TargetBin {
    pub from: f64,
    pub to: f64,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Guess {
    pub person: Author,
    pub target: f64,
}

/// A stock's price at a moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PricePoint {
    pub price: f64,
    /// The trading day (and time) it is from.
    pub as_of: String,
    /// Made up by the offline simulation, not a real price.
    pub simulated: bool,
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

impl PollKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            PollKind::Single => "single",
            PollKind::Multiple => "multiple",
            PollKind::Target => "target",
        }
    }

    pub fn parse(stored: &str) -> PollKind {
        match stored {
            "multiple" => PollKind::Multiple,
            "target" => PollKind::Target,
            _ => PollKind::Single,
        }
    }
}

/// A poll as its author asks it (the question is the message's words).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
    /// A price-target poll's stock ("AAPL" or "$AAPL"); its options are left empty.
    #[serde(default)]
    pub symbol: Option<String>,
}

/// The targets' spread: the lowest, the median, the highest, and `bins` equal ranges from the
/// lowest to the highest of the targets and the price (so the price always falls on the chart).
pub fn distribution(targets: &[f64], price: Option<f64>, bins: usize) -> Targets {
    let mut sorted: Vec<f64> = targets.iter().copied().filter(|t| t.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let median = match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[n / 2]),
        n => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    };
    let ends = sorted.first().zip(sorted.last()).map(|(lo, hi)| (*lo, *hi));
    let span = match (ends, price.filter(|p| p.is_finite())) {
        (Some((lo, hi)), Some(p)) => Some((lo.min(p), hi.max(p))),
        (Some(ends), None) => Some(ends),
        (None, _) => None,
    };
    let bins = match span {
        None => Vec::new(),
        Some((lo, hi)) => {
            let n = bins.max(1);
            // One value (or all alike): a range of ±1% around it.
            let (lo, hi) = if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
                (lo * 0.99, hi * 1.01 + f64::EPSILON)
            } else {
                (lo, hi)
            };
            let width = (hi - lo) / n as f64;
            let mut out: Vec<TargetBin> = (0..n)
                .map(|i| TargetBin {
                    from: lo + width * i as f64,
                    to: if i + 1 == n {
                        hi
                    } else {
                        lo + width * (i + 1) as f64
                    },
                    count: 0,
                })
                .collect();
            for t in &sorted {
                let i = (((t - lo) / width) as usize).min(n - 1);
                out[i].count += 1;
            }
            out
        }
    };
    Targets {
        low: ends.map(|(lo, _)| lo),
        median,
        high: ends.map(|(_, hi)| hi),
        bins,
        guesses: Vec::new(),
        price: None,
    }
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

/// What one person chose (positions of the answers, from 0), or the number they named in a
/// price-target poll; neither: no vote.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Ballot {
    pub choices: Vec<u32>,
    #[serde(default)]
    pub target: Option<f64>,
}

impl Ballot {
    pub fn is_empty(&self) -> bool {
        self.choices.is_empty() && self.target.is_none()
    }
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
            symbol: None,
            targets: None,
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

    #[test]
    fn targets_spread_over_bins_that_include_the_price() {
        let spread = distribution(&[210.0, 190.0, 200.0, 230.0], Some(150.0), 4);
        assert_eq!(spread.low, Some(190.0));
        assert_eq!(spread.high, Some(230.0));
        assert_eq!(spread.median, Some(205.0));
        // 150 to 230 in four: 150–170, 170–190, 190–210, 210–230.
        assert_eq!(spread.bins.len(), 4);
        assert_eq!((spread.bins[0].from, spread.bins[3].to), (150.0, 230.0));
        let counts: Vec<u32> = spread.bins.iter().map(|b| b.count).collect();
        assert_eq!(counts, [0, 0, 2, 2]);
        // The highest lands in the last bin, not past it.
        assert_eq!(counts.iter().sum::<u32>(), 4);
        let odd = distribution(&[3.0, 1.0, 2.0], None, 2);
        assert_eq!(odd.median, Some(2.0));
        // All alike: a small range around them, every target counted.
        let same = distribution(&[100.0, 100.0], Some(100.0), 3);
        assert_eq!(same.bins.iter().map(|b| b.count).sum::<u32>(), 2);
        assert!(same.bins[0].from < 100.0 && same.bins[2].to > 100.0);
        let none = distribution(&[], Some(5.0), 3);
        assert_eq!((none.median, none.bins.len()), (None, 0));
    }
}
