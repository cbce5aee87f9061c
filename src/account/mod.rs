//! What the app holds about a person, in their hands: the download of all of it (one JSON
//! file), and deleting the account — their messages kept under "Deleted user" or removed, as
//! they choose; everything else of theirs removed; every session ended.

use serde::{Deserialize, Serialize};

pub mod api;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;

/// What becomes of a deleted account's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessagesChoice {
    /// They stay where they are, written by "Deleted user".
    Keep,
    /// Their words leave the database, as when each is deleted; their places in the history stay.
    Remove,
}

/// What deleting an account did beyond the account itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletionReport {
    pub messages: MessagesChoice,
    /// How many messages now show "Deleted user" (kept) or lost their words (removed).
    pub messages_affected: u64,
    /// Communities the person owned alone, deleted with the account (their names).
    pub communities_deleted: Vec<String>,
    /// Communities the person owned that passed to their longest-serving admin (their names).
    pub communities_handed_over: Vec<String>,
}

pub use crate::auth::{DELETED_NAME, DELETED_USERNAME};

/// A person's page: who they are, the communities of theirs the viewer may see, and what they
/// said there lately.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    pub profile: crate::auth::PublicProfile,
    pub communities: Vec<crate::community::CommunitySummary>,
    /// Newest first; empty when the viewer blocked the person.
    pub activity: Vec<crate::chat::RecentPost>,
}

/// How many recent messages a profile lists.
pub const RECENT_ACTIVITY: u64 = 10;
