//! Markets: quotes and daily history from real providers or the offline source, indicators,
//! the "state of the stock" analysis and the `/stock` bot.
//!
//! The types here travel between server and browser. Providers live in `provider.rs` (the trait,
//! the chain with its circuit breaker) and one file per source (`stooq.rs`, `alpha_vantage.rs`,
//! `polygon.rs`, `offline.rs`); all of them answer in these types and say where the figures
//! came from.

use serde::{Deserialize, Serialize};

pub mod analysis;
pub mod api;
pub mod chart;
pub mod indicators;
pub mod symbol;
pub mod ui;
pub mod watchlist;

#[cfg(feature = "ssr")]
pub mod alpha_vantage;
#[cfg(feature = "ssr")]
pub mod bot;
#[cfg(feature = "ssr")]
pub mod directory;
#[cfg(feature = "ssr")]
pub mod insights;
#[cfg(feature = "ssr")]
pub mod live;
#[cfg(feature = "ssr")]
pub mod offline;
#[cfg(feature = "ssr")]
pub mod polygon;
#[cfg(feature = "ssr")]
pub mod provider;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod stooq;

/// The Stock Bot's account (made by a migration).
pub use crate::auth::STOCK_BOT as BOT_USERNAME;

/// The latest price of a symbol and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Quote {
    /// The app's form of the symbol ("AAPL", "SAP.DE").
    pub symbol: String,
    pub price: f64,
    pub open: Option<f64>,
    pub high: Option<f64>,
    pub low: Option<f64>,
    pub previous_close: Option<f64>,
    pub volume: Option<f64>,
    /// The trading day (and time, where the source gives one) the price is from: "2026-04-26"
    /// or "2026-04-26T22:00:01".
    pub as_of: String,
    /// "stooq", "alpha vantage", "polygon" or "offline".
    pub source: String,
    /// Made up by the offline simulation, not a real price.
    pub simulated: bool,
    /// Not the latest trade: the source's prices are delayed (the free tiers' 15 minutes or
    /// more, or the last close).
    #[serde(default)]
    pub delayed: bool,
}

impl Quote {
    /// The move since the previous close, in money and percent.
    pub fn change(&self) -> Option<(f64, f64)> {
        let previous = self.previous_close.filter(|p| *p > 0.0)?;
        let change = self.price - previous;
        Some((change, change / previous * 100.0))
    }
}

/// What the realtime bus tells the tabs showing a price (on the symbol's topic, `quote:AAPL`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum QuoteEvent {
    /// The price (or the day's figures) moved.
    QuoteChanged { quote: Quote },
}

/// One trading day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Bar {
    /// "2013-03-01".
    pub date: String,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub volume: f64,
    /// Made up by the offline simulation (beyond the real data the app ships).
    #[serde(default)]
    pub simulated: bool,
}

/// A symbol's daily bars and where they came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct History {
    pub symbol: String,
    /// Oldest first.
    pub bars: Vec<Bar>,
    /// The source that answered ("stooq", "offline").
    pub source: String,
    /// When the source answered (RFC 3339): how old the data is.
    pub fetched_at: String,
}

impl History {
    /// The daily bars brought up to a newer quote: the quote's day replaces the last bar when
    /// it is that day (a session still trading), or follows it when it is a later one. A quote
    /// older than the bars changes nothing.
    pub fn with_quote(&mut self, quote: &Quote) {
        let Some(day) = quote.as_of.get(..10) else {
            return;
        };
        let price = quote.price;
        let live = Bar {
            date: day.to_string(),
            open: quote.open.unwrap_or(price),
            high: quote.high.unwrap_or(price).max(price),
            low: quote.low.unwrap_or(price).min(price),
            close: price,
            volume: quote.volume.unwrap_or(0.0),
            simulated: quote.simulated,
        };
        match self.bars.last_mut() {
            Some(last) if last.date.as_str() == day => *last = live,
            Some(last) if last.date.as_str() > day => {}
            _ => self.bars.push(live),
        }
    }
}

/// A company or index in the symbol directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SymbolInfo {
    pub symbol: String,
    pub name: String,
    pub exchange: String,
    pub sector: String,
}

/// A company's coming earnings report, as a source's calendar has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Earnings {
    pub symbol: String,
    /// The day of the report ("2024-04-24").
    pub report_date: String,
    /// The end of the quarter it reports on.
    pub fiscal_date_ending: String,
    /// Analysts' estimate of earnings per share, when there is one.
    pub estimate: Option<f64>,
    /// "pre-market" or "post-market", when the source says.
    pub time_of_day: Option<String>,
    pub source: String,
}

/// A news article about a symbol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewsItem {
    pub title: String,
    pub url: String,
    pub source: String,
    /// "2022-08-27T15:15:34".
    pub published_at: String,
    pub summary: String,
    /// −1 (bearish) … 1 (bullish), when the source scores it.
    pub sentiment: Option<f64>,
}
