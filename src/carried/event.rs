//! An event as the people who may read its channel see it.
//!
//! Defined below the messages core so that the core can carry it; what it does lives with its
//! room (`impl` blocks included).

use serde::{Deserialize, Serialize};

use crate::auth::Author;

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
    /// Who answered what, earliest first (at most [`NAMED_MAX`](crate::events::NAMED_MAX) per answer).
    pub attendees: Vec<Attendee>,
}
