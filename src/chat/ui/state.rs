//! The open channel as the components inside it share it (a context), whichever room draws them.

use leptos::prelude::*;

use super::timeline::Timeline;
use crate::chat::ChatMessage;

/// The open channel, for the components inside it.
#[derive(Clone, Copy)]
pub struct ChannelState {
    pub channel_id: StoredValue<String>,
    /// The messages and what surrounds them, changed by `Timeline::apply` for each event.
    pub timeline: RwSignal<Timeline>,
    pub reply_to: RwSignal<Option<ChatMessage>>,
    /// The languages that can be translated into the reader's (`None` until known).
    pub translatable_from: RwSignal<Option<Vec<String>>>,
    /// Shows a message in the list, loading older history until it is there (search results
    /// and catch-up lines jump to their message).
    pub jump: Callback<i64>,
}
