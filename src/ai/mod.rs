//! AI in the conversation. Every message is read by a moderation engine that flags — never
//! blocks — what looks toxic, with a score and a reason people can read. The built-in engine
//! works offline (`moderation.rs`); `provider.rs` is the seam where a hosted model plugs in.
//! The work runs after a message is stored and broadcast (`worker.rs`), so it never delays
//! delivery.

use serde::{Deserialize, Serialize};

pub mod api;
#[cfg(feature = "ssr")]
pub mod moderation;
#[cfg(feature = "ssr")]
pub mod provider;
#[cfg(feature = "ssr")]
pub mod toxicity;
#[cfg(feature = "ssr")]
pub mod worker;

/// Why a message was flagged, as readers and moderators see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Flag {
    /// 0–1: how sure the engine is that the message is toxic.
    pub score: f32,
    /// "slur, severe", "insult (0.93)".
    pub reason: String,
    /// Shown blurred until the reader chooses to see it.
    pub severe: bool,
    /// The engine that judged it ("built-in", or the hosted model's name).
    pub engine: String,
}

/// The default `TOXICITY_THRESHOLD`: messages scoring at least this are flagged.
pub const DEFAULT_TOXICITY_THRESHOLD: f32 = 0.7;

/// A flagged message in a moderator's queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlaggedMessage {
    pub channel_name: String,
    pub message: crate::chat::ChatMessage,
}
