//! Notifications: what each person hears of each community, conversation and channel (all
//! messages, mentions only, nothing; muted for a while or until turned back on), their inbox of
//! mentions, replies and direct messages, and how they hear it — a live event for the open
//! tabs (a notice; the browser's notification when the tab is hidden) and Web Push for the
//! browsers they asked to be pushed to (`platform::push`).

use serde::{Deserialize, Serialize};

pub use crate::carried::inbox::{InboxItem, InboxKind};

pub mod api;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod service;
pub mod ui;

/// How much of a place a person hears.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Every message.
    All,
    /// Messages that mention them (by name, or `@everyone`/`@here`), reply to them, or — in a
    /// direct conversation — every message (that is what one is for).
    Mentions,
    Nothing,
}

impl Level {
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::All => "all",
            Level::Mentions => "mentions",
            Level::Nothing => "nothing",
        }
    }

    /// From the database; anything unknown is the default of a community.
    pub fn parse(stored: &str) -> Level {
        match stored {
            "all" => Level::All,
            "nothing" => Level::Nothing,
            _ => Level::Mentions,
        }
    }
}

/// How long to mute a place.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Mute {
    Hour,
    EightHours,
    Day,
    /// Until turned back on.
    UntilOn,
    /// Hear it again now.
    Off,
}

impl Mute {
    /// Minutes muted; None for no end (`UntilOn`) and for `Off`.
    pub const fn minutes(self) -> Option<i64> {
        match self {
            Mute::Hour => Some(60),
            Mute::EightHours => Some(8 * 60),
            Mute::Day => Some(24 * 60),
            Mute::UntilOn | Mute::Off => None,
        }
    }
}

/// One place's setting as the settings panel shows it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlaceSetting {
    /// Chosen for this place; None follows the community (for a channel) or the default.
    pub level: Option<Level>,
    /// RFC 3339 while muted; `untilOn` when muted with no end.
    pub muted_until: Option<String>,
    #[serde(default)]
    pub muted_until_on: bool,
}

/// What a person hears of one community (or conversation) and one of its channels.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationSettings {
    pub community: PlaceSetting,
    pub channel: PlaceSetting,
    /// What the community follows when nothing is chosen (mentions; all in a conversation).
    pub default_level: Level,
    /// What they hear of the channel now, all taken together.
    pub effective: Level,
    pub muted: bool,
}

impl InboxKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            InboxKind::Direct => "direct",
            InboxKind::Mention => "mention",
            InboxKind::Reply => "reply",
            InboxKind::Everyone => "everyone",
            InboxKind::Message => "message",
            InboxKind::Reminder => "reminder",
        }
    }

    pub fn parse(stored: &str) -> InboxKind {
        match stored {
            "direct" => InboxKind::Direct,
            "reply" => InboxKind::Reply,
            "everyone" => InboxKind::Everyone,
            "message" => InboxKind::Message,
            "reminder" => InboxKind::Reminder,
            _ => InboxKind::Mention,
        }
    }
}

impl InboxItem {
    /// Where it opens: the message in its place.
    pub fn href(&self) -> String {
        if self.direct {
            format!("/messages/{}?at={}", self.community_slug, self.seq)
        } else {
            format!(
                "/c/{}/{}?at={}",
                self.community_slug, self.channel_name, self.seq
            )
        }
    }
}

/// A page of the inbox, newest first, and how many entries are unread in all.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Inbox {
    pub items: Vec<InboxItem>,
    pub unread: u64,
    pub more: bool,
}

/// A browser's push subscription, as `PushSubscription.toJSON()` gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushKeys {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

/// Entries a page of the inbox holds.
pub const INBOX_PAGE: u64 = 30;
