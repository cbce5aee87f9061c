//! The assistant: a finance-only chatbot that answers from Bullpen's own data — quotes,
//! indicators, the state of a stock, the person's portfolio and watchlist, a glossary — offline
//! with the built-in engine or through a hosted model that calls the same tools.
//!
//! Shared by both builds: the cards an answer carries and the conversation types. Server only:
//! `intent` (what a question asks, offline), `glossary`, `tools` (the data, as cards and as
//! facts for a model), `replies` (the offline engine's sentences in five languages), `engine`
//! (offline answers), `hosted` (a hosted model with function calls, streamed), `service`
//! (conversations, rate limit). `api` holds the server functions, `ui` the page and panel.

pub mod api;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod engine;
#[cfg(feature = "ssr")]
pub mod glossary;
#[cfg(feature = "ssr")]
pub mod hosted;
#[cfg(feature = "ssr")]
pub mod intent;
#[cfg(feature = "ssr")]
pub mod kinds;
#[cfg(feature = "ssr")]
pub mod replies;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod tools;

#[cfg(feature = "ssr")]
crate::platform::ids::typed_id!(
    /// A conversation with the assistant.
    ConversationId,
    "server.assistant.conversation_not_found"
);

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::market::{
    analysis::{Outlook, Signal},
    Quote,
};

/// What the built-in engine is called in a turn's `engine`.
pub const BUILT_IN: &str = "built-in";

/// The hosted model that wrote an answer, or `None` for the built-in engine.
pub fn engine_name(engine: &str) -> Option<String> {
    (engine != BUILT_IN && !engine.is_empty()).then(|| engine.to_string())
}

/// The longest question taken, in characters.
pub const QUESTION_MAX: usize = 1000;

/// An indicator the assistant reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Indicator {
    Rsi,
    Macd,
    Sma,
    Ema,
    Bollinger,
}

impl Indicator {
    pub const ALL: [Indicator; 5] = [
        Indicator::Rsi,
        Indicator::Macd,
        Indicator::Sma,
        Indicator::Ema,
        Indicator::Bollinger,
    ];

    /// "RSI 14", "SMA 50": the name with the settings the app uses everywhere.
    pub fn label(self) -> &'static str {
        match self {
            Indicator::Rsi => "RSI 14",
            Indicator::Macd => "MACD 12/26/9",
            Indicator::Sma => "SMA 50",
            Indicator::Ema => "EMA 20",
            Indicator::Bollinger => "Bollinger 20/2",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Indicator::Rsi => "rsi",
            Indicator::Macd => "macd",
            Indicator::Sma => "sma",
            Indicator::Ema => "ema",
            Indicator::Bollinger => "bollinger",
        }
    }

    pub fn parse(code: &str) -> Option<Indicator> {
        Indicator::ALL
            .into_iter()
            .find(|i| i.code().eq_ignore_ascii_case(code.trim()))
    }
}

/// What an indicator's value says today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Reading {
    Overbought,
    Oversold,
    Bullish,
    Bearish,
    Neutral,
}

/// Data shown beside an answer. The same cards come from the built-in engine and from a
/// hosted model's tool calls: the numbers in them are always Bullpen's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "card",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Card {
    Quote {
        quote: Quote,
        name: Option<String>,
    },
    /// Closing prices over the last months, oldest first.
    MiniChart {
        symbol: String,
        dates: Vec<String>,
        closes: Vec<f64>,
        change_percent: Option<f64>,
        simulated: bool,
    },
    /// An indicator's value on its scale: `position` 0…1 along the bar, `marks` the zone edges
    /// (0…1 too).
    Gauge {
        symbol: String,
        indicator: Indicator,
        value: f64,
        text: String,
        position: f64,
        marks: Vec<f64>,
        reading: Reading,
        as_of: String,
        simulated: bool,
    },
    /// The state of a stock: score −100…100 and its strongest signals.
    Analysis {
        symbol: String,
        name: Option<String>,
        score: i32,
        outlook: Outlook,
        signals: Vec<Signal>,
        as_of: String,
        simulated: bool,
    },
    /// Two symbols side by side.
    Compare {
        rows: Vec<CompareRow>,
    },
    Holding {
        holding: crate::portfolio::valuation::Holding,
        currency: String,
    },
    Portfolio {
        name: String,
        currency: String,
        totals: crate::portfolio::valuation::Totals,
        top: Vec<(String, Option<Decimal>)>,
    },
    Watchlist {
        items: Vec<crate::market::watchlist::WatchItem>,
    },
    Term {
        id: String,
        name: String,
        definition: String,
        related: Vec<(String, String)>,
    },
    /// Symbols a name could mean; picking one asks again with it.
    Choices {
        question: String,
        symbols: Vec<(String, String)>,
    },
}

/// One symbol's line in a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompareRow {
    pub symbol: String,
    pub name: Option<String>,
    pub price: f64,
    pub day_percent: Option<f64>,
    pub month_percent: Option<f64>,
    pub year_percent: Option<f64>,
    pub rsi: Option<f64>,
    pub score: i32,
    pub outlook: Outlook,
    pub simulated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

/// One turn of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Turn {
    pub id: String,
    pub role: Role,
    pub text: String,
    pub cards: Vec<Card>,
    /// The language the text is in.
    pub language: String,
    /// "built-in" or the hosted model's name.
    pub engine: String,
    /// RFC 3339.
    pub at: String,
}

/// A conversation in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    pub id: String,
    pub title: String,
    /// RFC 3339: the last turn.
    pub updated_at: String,
}

/// A conversation with its turns, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationView {
    pub conversation: Conversation,
    pub turns: Vec<Turn>,
}

/// What asking gives the page: the question and the answer as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Exchange {
    pub conversation: Conversation,
    pub question: Turn,
    pub answer: Turn,
}

/// The original app's script API answer: `{reply, conversationId, timestamp}` (+ the cards).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct QueryReply {
    pub reply: String,
    pub conversation_id: String,
    /// RFC 3339.
    pub timestamp: String,
    /// Quotes, charts and tables the answer refers to (the app's card shapes).
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<Object>))]
    pub cards: Vec<Card>,
}

/// What the realtime bus tells the asker's open tabs while a hosted model writes an answer (on
/// their own topic).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum AssistantEvent {
    /// A piece of the answer; `request` is the asking tab's id for the pending question.
    AssistantDelta {
        conversation_id: String,
        request: Option<String>,
        text: String,
    },
}
