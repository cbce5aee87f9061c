//! Chat's AI features. Every message is read by a moderation engine that flags — never
//! blocks — what looks toxic, with a score and a reason people can read; its language is
//! detected and it is translated for readers who speak another one (cached per message and
//! language); unread messages can be summarised ("catch me up"). The engines are `ai`'s;
//! the work runs after a message is stored and broadcast (`worker.rs`), so it never delays
//! delivery.

use serde::{Deserialize, Serialize};

use crate::ai::Translation;

pub mod api;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod reports;
#[cfg(feature = "ssr")]
pub mod service;
pub mod ui;
#[cfg(feature = "ssr")]
pub mod worker;

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
    /// With a hosted model configured: its account of the same messages, in the language most
    /// of them were written in (the reader's, when a translation was asked for).
    pub recap: Option<Recap>,
}

/// A hosted model's few sentences on what was missed, each statement linked to its lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recap {
    pub language: String,
    /// The model that wrote it.
    pub engine: String,
    pub parts: Vec<RecapPart>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum RecapPart {
    Text {
        text: String,
    },
    /// A line the statement before it draws on.
    #[serde(rename_all = "camelCase")]
    Source {
        message_id: String,
        seq: i64,
        author: crate::chat::Author,
    },
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
