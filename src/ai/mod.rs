//! AI in the conversation. Every message is read by a moderation engine that flags — never
//! blocks — what looks toxic, with a score and a reason people can read; its language is
//! detected and it is translated for readers who speak another one (cached per message and
//! language); unread messages can be summarised ("catch me up").
//!
//! The built-in engines work offline (`moderation.rs`, `language.rs`, Apertium in
//! `translate.rs`, `summary.rs`); `provider.rs` chooses between them and a hosted model
//! (`hosted.rs`). The work runs after a message is stored and broadcast (`worker.rs`), so it
//! never delays delivery.

use serde::{Deserialize, Serialize};

pub mod api;
#[cfg(feature = "ssr")]
pub mod hosted;
#[cfg(feature = "ssr")]
pub mod language;
#[cfg(feature = "ssr")]
pub mod moderation;
#[cfg(feature = "ssr")]
pub mod provider;
#[cfg(feature = "ssr")]
pub mod sentiment;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod summary;
#[cfg(feature = "ssr")]
pub mod toxicity;
#[cfg(feature = "ssr")]
pub mod translate;
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

/// A message in another of the app's languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Translation {
    /// The language it is in ("en").
    pub language: String,
    pub body: String,
    /// "apertium", "apertium (via Spanish)", or the hosted model's name.
    pub engine: String,
}

/// What a reader gets when they ask for a message in their language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "outcome",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum TranslateOutcome {
    Translated {
        translation: Translation,
    },
    /// Already in the reader's language, or no language could be told.
    NothingToTranslate,
    /// No engine here covers the pair (German → English offline).
    NoTranslator {
        from: String,
        to: String,
    },
}

/// "Catch me up": the few messages that say most of what was missed, in the words (and the
/// language) they were written in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatchUp {
    /// Unread messages read for the summary.
    pub unread: usize,
    /// Everyone who wrote them, most active first.
    pub people: Vec<crate::chat::Author>,
    /// The chosen sentences, in the order they were written.
    pub highlights: Vec<Highlight>,
}

/// One sentence of a summary and the message it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Highlight {
    pub message_id: String,
    pub seq: i64,
    pub author: crate::chat::Author,
    pub text: String,
    /// The language it is written in, when known.
    pub language: Option<String>,
    /// The same sentence in the reader's language, when asked for and a translator exists.
    pub translated: Option<String>,
}

/// A community's moderation threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModerationSettings {
    /// The community's own threshold, if it set one.
    pub threshold: Option<f32>,
    /// The server's `TOXICITY_THRESHOLD`, used otherwise.
    pub default_threshold: f32,
}

/// Which way a message leans on the market.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Stance {
    Bullish,
    Bearish,
    Neutral,
}

/// The sentiment of one message: VADER's compound score (−1 … 1) and what it amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sentiment {
    pub compound: f32,
    pub stance: Stance,
}
