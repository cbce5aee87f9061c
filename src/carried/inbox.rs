//! An inbox entry as it is announced.
//!
//! Defined below the messages core so that the core can carry it; what it does lives with its
//! room (`impl` blocks included).

use serde::{Deserialize, Serialize};

use crate::auth::Author;

/// Why a message is in someone's inbox (or announced to them).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InboxKind {
    /// Sent to them in a direct conversation.
    Direct,
    /// It names them.
    Mention,
    /// It answers one of theirs.
    Reply,
    /// `@everyone` or `@here` from someone allowed to.
    Everyone,
    /// Any message, for someone who hears everything of that place (announced, not kept).
    Message,
    /// An event they said they would go to (or might) starts soon.
    Reminder,
}

/// An inbox entry (or an announced message) as its reader sees it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboxItem {
    /// The entry's id (the message's, for one announced and not kept).
    pub id: String,
    pub kind: InboxKind,
    pub message_id: String,
    pub seq: i64,
    pub author: Author,
    /// The words without markup, shortened; none when it carries only files or was deleted.
    pub excerpt: Option<String>,
    pub community_slug: String,
    pub community_name: String,
    pub channel_name: String,
    /// In a direct conversation (then `communitySlug` is the conversation's).
    pub direct: bool,
    /// RFC 3339.
    pub created_at: String,
    pub read: bool,
}
