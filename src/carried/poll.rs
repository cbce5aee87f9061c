//! A poll as its channel sees it.
//!
//! Defined below the messages core so that the core can carry it; what it does lives with its
//! room (`impl` blocks included).

use serde::{Deserialize, Serialize};

use crate::auth::Author;

/// One answer or several, or a number (a price target).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum PollKind {
    #[default]
    Single,
    Multiple,
    /// Where a stock's price will be: each answer is a number.
    Target,
}

/// A poll as everyone in its channel sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Poll {
    pub kind: PollKind,
    pub anonymous: bool,
    /// RFC 3339; none: open until its message goes.
    pub closes_at: Option<String>,
    /// Closed when it was shown (the page then closes it on time by itself).
    pub closed: bool,
    pub options: Vec<PollOption>,
    /// People who voted.
    pub voters: u32,
    /// A price-target poll's stock.
    #[serde(default)]
    pub symbol: Option<String>,
    /// A price-target poll's answers, as a distribution.
    #[serde(default)]
    pub targets: Option<Targets>,
}

/// The numbers a price-target poll was answered with, and the price they are against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Targets {
    pub low: Option<f64>,
    pub median: Option<f64>,
    pub high: Option<f64>,
    /// How many answered within each range, lowest first.
    pub bins: Vec<TargetBin>,
    /// Who said what, unless the poll is anonymous (earliest first).
    pub guesses: Vec<Guess>,
    /// The stock's price when the poll was shown, if the market source knows it.
    pub price: Option<PricePoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TargetBin {
    pub from: f64,
    pub to: f64,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Guess {
    pub person: Author,
    pub target: f64,
}

/// A stock's price at a moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PricePoint {
    pub price: f64,
    /// The trading day (and time) it is from.
    pub as_of: String,
    /// Made up by the offline simulation, not a real price.
    pub simulated: bool,
}

/// One answer with its votes; who chose it unless the poll is anonymous.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PollOption {
    pub label: String,
    pub votes: u32,
    #[serde(default)]
    pub voters: Vec<Author>,
}
