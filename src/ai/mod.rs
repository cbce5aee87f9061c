//! The AI engines: moderation that scores how toxic a text is and says why, language
//! detection, translation, extractive summaries and market sentiment. They know nothing of
//! chat or any other domain: moderation (`moderation`) and the market's insights call them.
//!
//! The built-in engines work offline (`moderation.rs`, `language.rs`, Apertium in
//! `translate.rs`, `summary.rs`, `sentiment.rs`); `provider.rs` chooses between them and a
//! hosted model (`hosted.rs`). `openai.rs` is the one client for OpenAI-compatible services,
//! which the assistant uses too.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod encoder;
#[cfg(feature = "ssr")]
pub mod head;
#[cfg(feature = "ssr")]
pub mod hosted;
#[cfg(feature = "ssr")]
pub mod language;
#[cfg(feature = "ssr")]
pub mod moderation;
#[cfg(feature = "ssr")]
pub mod openai;
#[cfg(feature = "ssr")]
pub mod provider;
#[cfg(feature = "ssr")]
pub mod sentiment;
#[cfg(feature = "ssr")]
pub mod summary;
#[cfg(feature = "ssr")]
pub mod toxicity;
#[cfg(feature = "ssr")]
pub mod translate;

/// Why a message was flagged, as readers and moderators see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Flag {
    /// 0–1: how sure the engine is that the message is toxic.
    pub score: f32,
    /// What the message is, as one of [`FLAG_REASONS`] ("insult", "slur"…), which the UI names in
    /// the reader's language; flags stored before the codes hold the engine's own words.
    pub reason: String,
    /// Shown blurred until the reader chooses to see it.
    pub severe: bool,
    /// The engine that judged it ("built-in", or the hosted model's name).
    pub engine: String,
}

/// The kinds of message moderation names (a flag's `reason`).
pub const FLAG_REASONS: [&str; 10] = [
    "insult",
    "threat",
    "harassment",
    "self_harm",
    "slur",
    "hate",
    "sexual",
    "spam",
    "profanity",
    "toxic",
];

/// The flag reason for an engine's own word for a category ("harassment/threatening",
/// "Insult", "self-harm"): one of [`FLAG_REASONS`], "toxic" when none fits.
pub fn flag_reason_for(label: &str) -> &'static str {
    let label = label.trim().to_lowercase();
    let has = |word: &str| label.contains(word);
    if has("threat") || has("violen") || has("kill") {
        "threat"
    } else if has("self-harm") || has("self_harm") || has("suicid") {
        "self_harm"
    } else if has("slur") {
        "slur"
    } else if has("hate") {
        "hate"
    } else if has("sexual") || has("nsfw") {
        "sexual"
    } else if has("spam") || has("scam") || has("pump") {
        "spam"
    } else if has("harass") || has("stalk") || has("dox") {
        "harassment"
    } else if has("insult") || has("abuse") || has("bully") {
        "insult"
    } else if has("profan") || has("swear") || has("obscen") {
        "profanity"
    } else {
        "toxic"
    }
}

/// A message in another of the app's languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Translation {
    /// The language it is in ("en").
    pub language: String,
    pub body: String,
    /// "apertium", "apertium (via Spanish)", or the hosted model's name.
    pub engine: String,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_engines_word_for_a_category_becomes_a_reason_the_ui_can_name() {
        for (label, reason) in [
            ("harassment/threatening", "threat"),
            ("violence", "threat"),
            ("self-harm/intent", "self_harm"),
            ("hate", "hate"),
            ("sexual/minors", "sexual"),
            ("Insult", "insult"),
            ("harassment", "harassment"),
            ("stalking", "harassment"),
            ("pump and dump", "spam"),
            ("profanity", "profanity"),
            ("rude", "toxic"),
        ] {
            assert_eq!(flag_reason_for(label), reason, "{label}");
            assert!(FLAG_REASONS.contains(&reason));
        }
    }
}
