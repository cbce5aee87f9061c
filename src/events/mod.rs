//! Events: earnings calls, AMAs, watch parties. An event is announced by a message in a channel
//! (its title and description are the message's words, so the AI judges, translates and finds
//! them like any message) and goes with that message. It starts — and may end — at instants
//! planned in its organiser's time zone and shown in each reader's; people answer going, maybe
//! or not going; those who said going or maybe are reminded before the start (in the app and
//! by push); every event and every community's calendar can be taken away as an `.ics` file.

use serde::{Deserialize, Serialize};

use crate::auth::Author;

/// The kind of message part this room adds (`ChatMessage::parts`, and the key on the wire).
pub const KIND: &str = "event";

impl Event {
    /// The event a message announces, if it carries one.
    pub fn of(message: &crate::chat::ChatMessage) -> Option<Event> {
        message.parts.get(KIND)
    }
}

pub mod api;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod ics;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod service;

/// Characters of a title, and of a description.
pub const TITLE_MAX_CHARS: usize = 120;
pub const DESCRIPTION_MAX_CHARS: usize = 2000;
/// The longest an event may last, in hours (a week).
pub const LONGEST_HOURS: i64 = 7 * 24;
/// How far ahead an event may be planned, in days.
pub const AHEAD_MAX_DAYS: i64 = 366;
/// When the reminder may go out: minutes before the start (0: no reminder).
pub const REMIND_CHOICES: [u32; 6] = [0, 5, 15, 30, 60, 1440];
/// The reminder an event gets unless its organiser picks another.
pub const REMIND_DEFAULT: u32 = 15;
/// People named per answer on a card (the counts are always whole).
pub const NAMED_MAX: usize = 50;

/// What a person says to an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    Going,
    Maybe,
    /// Not going.
    Declined,
}

/// Someone who answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Attendee {
    pub person: Author,
    pub answer: Answer,
}

/// An event as everyone who may read its channel sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// The announcing message's id (also the event's).
    pub id: String,
    /// Who planned it (and alone may change it).
    #[serde(default)]
    pub organiser_id: String,
    /// Its start and end on the organiser's wall clock (`2026-12-03T16:30`), as their form
    /// shows them when they change it.
    #[serde(default)]
    pub starts_local: String,
    #[serde(default)]
    pub ends_local: Option<String>,
    pub title: String,
    pub description: String,
    /// RFC 3339, UTC.
    pub starts_at: String,
    pub ends_at: Option<String>,
    /// The organiser's zone, where its times were planned.
    pub time_zone: String,
    pub symbol: Option<String>,
    pub remind_minutes: u32,
    pub going: u32,
    pub maybe: u32,
    pub declined: u32,
    /// Who answered what, earliest first (at most [`NAMED_MAX`] per answer).
    pub attendees: Vec<Attendee>,
}

impl Answer {
    pub const ALL: [Answer; 3] = [Answer::Going, Answer::Maybe, Answer::Declined];

    pub const fn as_str(self) -> &'static str {
        match self {
            Answer::Going => "going",
            Answer::Maybe => "maybe",
            Answer::Declined => "declined",
        }
    }

    pub fn parse(stored: &str) -> Option<Answer> {
        Answer::ALL.into_iter().find(|a| a.as_str() == stored)
    }

    /// Whether the person wants the reminder.
    pub const fn reminded(self) -> bool {
        matches!(self, Answer::Going | Answer::Maybe)
    }
}

/// An event as its organiser plans it: times are the wall clock of `time_zone`
/// (`2026-12-03T16:30`), as a date-and-time field gives them.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct NewEvent {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub starts: String,
    #[serde(default)]
    pub ends: Option<String>,
    /// An IANA zone ("America/New_York"); the organiser's profile zone without.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// A $cashtag the event is about ("AAPL"), with or without the `$`.
    #[serde(default)]
    pub symbol: Option<String>,
    /// Minutes before the start, one of [`REMIND_CHOICES`].
    #[serde(default = "remind_default")]
    pub remind_minutes: u32,
}

fn remind_default() -> u32 {
    REMIND_DEFAULT
}

/// A company's next earnings report, to tie an event to (the market's calendar, when its
/// source has one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EarningsDay {
    pub symbol: String,
    /// "2026-01-29", in New York, where US companies report.
    pub date: String,
    /// "pre-market" or "post-market", when the source says.
    pub time_of_day: Option<String>,
    /// The market source that knew it.
    pub source: String,
}

impl EarningsDay {
    /// The wall-clock start in New York the event form takes for it: before the open, after
    /// the close, or the close when the source does not say.
    pub fn starts_local(&self) -> String {
        let time = match self.time_of_day.as_deref() {
            Some("pre-market") => "08:00",
            Some("post-market") => "16:30",
            _ => "16:00",
        };
        format!("{}T{time}", self.date)
    }
}

/// The zone earnings days are in.
pub const EARNINGS_TIME_ZONE: &str = "America/New_York";

impl Event {
    /// How many gave this answer.
    pub fn count(&self, answer: Answer) -> u32 {
        match answer {
            Answer::Going => self.going,
            Answer::Maybe => self.maybe,
            Answer::Declined => self.declined,
        }
    }

    /// The answer of the person `user_id`, if they answered (and are named).
    pub fn answer_of(&self, user_id: &str) -> Option<Answer> {
        self.attendees
            .iter()
            .find(|a| a.person.id == user_id)
            .map(|a| a.answer)
    }
}

/// An event in a community's calendar, with where it was announced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CalendarEntry {
    pub event: Event,
    pub channel_name: String,
    /// The announcing message's number in its channel.
    pub seq: i64,
    pub organiser: Author,
}

/// A community's calendar: what is coming (soonest first) and what has been (latest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Calendar {
    pub community_name: String,
    pub upcoming: Vec<CalendarEntry>,
    pub past: Vec<CalendarEntry>,
}

/// The address of an event's `.ics` file.
pub fn event_ics_href(event_id: &str) -> String {
    format!("/api/events/{event_id}/event.ics")
}

/// The address of a community's calendar as an `.ics` file.
pub fn community_ics_href(slug: &str) -> String {
    format!("/api/communities/{slug}/events.ics")
}

/// The words of the announcing message: the title in bold (its $cashtags and mentions still
/// work), then the description.
pub fn announcement(title: &str, description: &str) -> String {
    let title = title.trim();
    match description.trim() {
        "" => format!("**{title}**"),
        description => format!("**{title}**\n\n{description}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_round_trip_and_only_the_willing_are_reminded() {
        for answer in Answer::ALL {
            assert_eq!(Answer::parse(answer.as_str()), Some(answer));
        }
        assert_eq!(Answer::parse("yes"), None);
        assert!(Answer::Going.reminded() && Answer::Maybe.reminded());
        assert!(!Answer::Declined.reminded());
    }

    #[test]
    fn the_announcement_is_a_bold_title_then_the_description() {
        assert_eq!(announcement(" AMA ", " "), "**AMA**");
        assert_eq!(
            announcement("$AAPL earnings", "Bring questions "),
            "**$AAPL earnings**\n\nBring questions"
        );
    }
}
