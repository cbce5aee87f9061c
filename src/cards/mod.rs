//! A portfolio, or one holding of it, shared into a channel as a live card: its value and the
//! day's change, read afresh whenever the card is shown and every minute while it is on
//! screen — or, when its person chose, percentages only (the server never sends an amount).
//! Chat knows no portfolio: the figures come through `service::Portfolios`, which the
//! composition root fills from the portfolio domain. A portfolio deleted since shows as such.

use serde::{Deserialize, Serialize};

/// The kind of message part this room adds (`ChatMessage::parts`, and the key on the wire).
pub const KIND: &str = "card";

/// What a message carries when it shares a portfolio.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SharedCard {
    /// One holding's symbol; none for the whole portfolio.
    pub symbol: Option<String>,
    pub percentages_only: bool,
}

impl SharedCard {
    /// The portfolio a message shares, if it carries one.
    pub fn of(message: &crate::chat::ChatMessage) -> Option<SharedCard> {
        message.parts.get(KIND)
    }
}

pub mod api;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;

/// Holdings a whole-portfolio card lists, largest first.
pub const ROWS_MAX: usize = 8;
/// Characters of the words that come with a card.
pub const COMMENT_MAX_CHARS: usize = 500;
/// How often an open card reads its figures again, in seconds (quotes are cached a minute).
pub const REFRESH_SECS: u32 = 60;

/// What the person asks to share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShareRequest {
    pub portfolio: String,
    /// One holding; none for the whole portfolio.
    #[serde(default)]
    pub symbol: Option<String>,
    #[serde(default)]
    pub percentages_only: bool,
    /// Words to go with it (the card's title when none).
    #[serde(default)]
    pub comment: String,
}

/// A portfolio the person may share, with what it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shareable {
    pub id: String,
    pub name: String,
    pub symbols: Vec<String>,
}

/// Where a card's portfolio stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CardStatus {
    Live,
    /// Its person deleted the portfolio.
    Deleted,
    /// The portfolio no longer holds the shared symbol.
    NotHeld,
}

/// One holding on a whole-portfolio card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardRow {
    pub symbol: String,
    /// Share of the portfolio's value, in percent.
    pub weight: Option<f64>,
    pub day_change_percent: Option<f64>,
    /// None on a percentages-only card.
    pub value: Option<f64>,
}

/// A card's figures now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortfolioCard {
    pub status: CardStatus,
    /// The portfolio's name, or the holding's symbol.
    pub title: String,
    /// The holding's company name, when known.
    #[serde(default)]
    pub subtitle: Option<String>,
    pub currency: String,
    pub percentages_only: bool,
    /// None on a percentages-only card (and when nothing could be priced).
    pub value: Option<f64>,
    pub day_change: Option<f64>,
    pub day_change_percent: Option<f64>,
    /// Unrealized gain of the holding, or total return of the portfolio, in percent.
    pub return_percent: Option<f64>,
    /// A holding's share of its portfolio, in percent.
    pub weight: Option<f64>,
    pub rows: Vec<CardRow>,
    /// A price in it is simulated (the offline source).
    pub simulated: bool,
    /// RFC 3339: when these figures were read.
    pub as_of: String,
}

impl PortfolioCard {
    /// A card whose portfolio or holding is gone: nothing but its title.
    pub fn gone(status: CardStatus, title: String, percentages_only: bool, as_of: String) -> Self {
        PortfolioCard {
            status,
            title,
            subtitle: None,
            currency: String::new(),
            percentages_only,
            value: None,
            day_change: None,
            day_change_percent: None,
            return_percent: None,
            weight: None,
            rows: Vec::new(),
            simulated: false,
            as_of,
        }
    }

    /// The card as its person chose to show it: with percentages only, every amount goes.
    pub fn as_shared(mut self, percentages_only: bool) -> Self {
        self.percentages_only = percentages_only;
        if percentages_only {
            self.value = None;
            self.day_change = None;
            for row in &mut self.rows {
                row.value = None;
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card() -> PortfolioCard {
        PortfolioCard {
            status: CardStatus::Live,
            title: "Long term".into(),
            subtitle: None,
            currency: "USD".into(),
            percentages_only: false,
            value: Some(12_345.67),
            day_change: Some(-123.4),
            day_change_percent: Some(-0.99),
            return_percent: Some(12.5),
            weight: None,
            rows: vec![CardRow {
                symbol: "AAPL".into(),
                weight: Some(60.0),
                day_change_percent: Some(1.2),
                value: Some(7_400.0),
            }],
            simulated: true,
            as_of: String::new(),
        }
    }

    #[test]
    fn percentages_only_carries_no_amount() {
        let shared = card().as_shared(true);
        assert!(shared.percentages_only);
        assert_eq!((shared.value, shared.day_change), (None, None));
        assert!(shared.rows.iter().all(|r| r.value.is_none()));
        assert_eq!(shared.day_change_percent, Some(-0.99));
        assert_eq!(shared.rows[0].weight, Some(60.0));
        let text = serde_json::to_string(&shared).unwrap();
        assert!(
            !text.contains("12345") && !text.contains("7400") && !text.contains("123.4"),
            "{text}"
        );
    }

    #[test]
    fn amounts_stay_when_chosen() {
        let shared = card().as_shared(false);
        assert_eq!(shared.value, Some(12_345.67));
        assert_eq!(shared.rows[0].value, Some(7_400.0));
    }
}
