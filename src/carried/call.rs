//! A voice channel's call: its roster and the signals between its tabs.
//!
//! Defined below the messages core so that the core can carry it; what it does lives with its
//! room (`impl` blocks included).

use serde::{Deserialize, Serialize};

use crate::auth::Author;

/// One tab on a call, as the roster shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    /// The tab's connection: the address signalling uses.
    pub connection_id: String,
    pub user: Author,
    /// Muted by themselves.
    pub muted: bool,
    /// Hears nothing (and, as everywhere, is muted too).
    pub deafened: bool,
    /// Muted for everyone by a moderator: nobody's browser plays them.
    pub silenced: bool,
    /// Joined without the Speak permission: listens only.
    pub may_speak: bool,
}

/// A voice channel's call now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Roster {
    pub channel_id: String,
    /// Counts up with every change to the call: rosters may arrive out of order, and one older
    /// than a roster already seen is stale.
    pub revision: i64,
    /// Earliest joined first.
    pub participants: Vec<Participant>,
}

/// One step of setting up the sound between two tabs (WebRTC's offer/answer and trickled ICE).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Signal {
    Offer {
        sdp: String,
    },
    Answer {
        sdp: String,
    },
    Ice {
        candidate: String,
        sdp_mid: Option<String>,
        sdp_m_line_index: Option<u16>,
    },
}
