//! The channel page, a channel's screen, one message, and the direct conversations.

pub mod channel;
pub mod direct;
pub mod message;
pub mod page;

use leptos::prelude::AnyView;

use crate::chat::ChatMessage;

/// Draws a message's part of one kind when it carries one; the flag: the reader may take part
/// (vote, answer).
pub type PartView = fn(&ChatMessage, bool) -> Option<AnyView>;

/// How each kind of message part is drawn in a message, one line a kind — the front end's
/// part registry, as `server.rs`'s `message_parts()` is the server's.
pub const PART_VIEWS: &[PartView] = &[
    crate::polls::ui::part_view,
    crate::events::ui::part_view,
    crate::cards::ui::part_view,
];
