//! Direct conversations: one-to-one and small groups. Each is a community of visibility
//! `direct` (`permissions::Visibility::Direct`) with one channel, [`CHANNEL`], so replies,
//! reactions, edits, files, translation, moderation flags and unread counts work in it as in
//! any channel. Nobody joins one by themselves: its people start it or are added by someone in
//! it; a block between the two people of a one-to-one conversation closes it for writing.

use serde::{Deserialize, Serialize};

use crate::auth::Author;

pub mod api;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;

/// The most people in one conversation, its starter included.
pub const MAX_PEOPLE: usize = 10;

/// The name of a conversation's one channel.
pub const CHANNEL: &str = "chat";

/// A conversation as its list and its page show it, to one of its people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    pub slug: String,
    pub channel_id: String,
    /// Everyone in it but the viewer, in the order they came in.
    pub people: Vec<Author>,
    /// Started as a group (more may be added; anyone may leave) rather than one-to-one.
    pub group: bool,
    pub last_seq: i64,
    pub last_read_seq: i64,
    /// The newest message's words without markup, shortened (none when it was deleted, is from
    /// someone the viewer blocked, or carries only files).
    #[serde(default)]
    pub preview: Option<String>,
    /// Who wrote the newest message.
    #[serde(default)]
    pub preview_author: Option<Author>,
    /// RFC 3339: the newest message, or the start. The list is newest first.
    pub active_at: String,
    /// A block stands between the two people of this one-to-one conversation: neither may
    /// write in it (both still read what was said).
    pub closed: bool,
}

impl Conversation {
    /// Messages the viewer has not read.
    pub fn unread(&self) -> i64 {
        (self.last_seq - self.last_read_seq).max(0)
    }

    /// Its address.
    pub fn href(&self) -> String {
        format!("/messages/{}", self.slug)
    }

    /// Whom it is with: "Ana Kaya" or "Ana Kaya, Bob, Cem".
    pub fn title(&self) -> String {
        self.people
            .iter()
            .map(|p| p.display_name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Those to start a conversation with, as typed: usernames, with or without `@`, separated by
/// commas or spaces; each once.
pub fn usernames(typed: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in typed.split(|c: char| c == ',' || c.is_whitespace()) {
        let name = name.trim().trim_start_matches('@').to_lowercase();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_read_as_people_type_them() {
        assert_eq!(
            usernames(" @Ana, bob  cem,@ana ,,"),
            ["ana", "bob", "cem"].map(String::from)
        );
        assert!(usernames(" , @ ").is_empty());
    }
}
