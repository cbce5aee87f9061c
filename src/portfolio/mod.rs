//! Portfolios: transactions are the source of truth; holdings, lots, gains and the charts are
//! derived from them every time, so an edit or a deleted row recomputes everything.
//!
//! The arithmetic is pure and exact (`ledger.rs`, `valuation.rs`, `rust_decimal`); the types
//! here travel between server and browser.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::kit::sentences::Sentence;

pub mod alerts;
pub mod api;
pub mod import;
pub mod ledger;
pub mod transaction;
pub mod ui;
pub mod valuation;

#[cfg(feature = "ssr")]
pub mod chart;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod service;

#[cfg(feature = "ssr")]
crate::platform::ids::typed_id!(
    /// One of a person's portfolios.
    PortfolioId,
    "server.portfolio.not_found"
);
#[cfg(feature = "ssr")]
impl PortfolioId {
    /// The portfolio a request names: none (blank) means the person's first; text that is no
    /// portfolio's id is "not found".
    pub fn chosen(text: &str) -> Result<Option<PortfolioId>, crate::platform::error::AppError> {
        Some(text.trim())
            .filter(|t| !t.is_empty())
            .map(PortfolioId::parse)
            .transpose()
    }
}
#[cfg(feature = "ssr")]
crate::platform::ids::typed_id!(
    /// A transaction of a portfolio.
    TransactionId,
    "server.portfolio.transaction_not_found"
);
#[cfg(feature = "ssr")]
crate::platform::ids::typed_id!(
    /// A file import waiting for its confirmation.
    ImportId,
    "server.portfolio.import_not_found"
);
#[cfg(feature = "ssr")]
crate::platform::ids::typed_id!(
    /// A price alert.
    AlertId,
    "server.portfolio.alert_not_found"
);

use ledger::{CostMethod, Sale};
use transaction::Transaction;
use valuation::{Holding, Totals};

/// Portfolios one person keeps at most.
pub const MAX_PORTFOLIOS: usize = 20;
pub const NAME_MAX: usize = 60;
/// The name of the portfolio made for someone's first transaction.
pub const DEFAULT_NAME: &str = "My portfolio";
/// What the value chart compares with: the S&P 500 (real history ships with the offline data).
pub const BENCHMARK: &str = "^SPX";

/// A portfolio in the picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PortfolioInfo {
    pub id: String,
    pub name: String,
    pub method: CostMethod,
    pub currency: String,
}

/// Everything the portfolio page shows but the value chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortfolioView {
    /// `None` when the person has no portfolio yet.
    pub portfolio: Option<PortfolioInfo>,
    pub portfolios: Vec<PortfolioInfo>,
    /// Largest value first.
    pub holdings: Vec<Holding>,
    pub totals: Totals,
    /// Every sale with its realized gain, newest first.
    pub sales: Vec<Sale>,
    /// Newest first.
    pub transactions: Vec<Transaction>,
    /// ECharts options (see `market::chart`): allocation by holding and by sector.
    pub by_holding: Option<String>,
    pub by_sector: Option<String>,
}

/// How far back the value chart goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum PerformanceRange {
    #[serde(rename = "1m")]
    M1,
    #[serde(rename = "3m")]
    M3,
    #[default]
    #[serde(rename = "1y")]
    Y1,
    #[serde(rename = "all")]
    All,
}

impl PerformanceRange {
    pub const ALL: [PerformanceRange; 4] = [
        PerformanceRange::M1,
        PerformanceRange::M3,
        PerformanceRange::Y1,
        PerformanceRange::All,
    ];

    /// Trading days shown (`None`: since the first transaction).
    pub fn days(self) -> Option<usize> {
        match self {
            PerformanceRange::M1 => Some(21),
            PerformanceRange::M3 => Some(63),
            PerformanceRange::Y1 => Some(252),
            PerformanceRange::All => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PerformanceRange::M1 => "1M",
            PerformanceRange::M3 => "3M",
            PerformanceRange::Y1 => "1Y",
            PerformanceRange::All => "All",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            PerformanceRange::M1 => "1m",
            PerformanceRange::M3 => "3m",
            PerformanceRange::Y1 => "1y",
            PerformanceRange::All => "all",
        }
    }

    pub fn parse(code: &str) -> Option<PerformanceRange> {
        PerformanceRange::ALL
            .into_iter()
            .find(|r| r.code().eq_ignore_ascii_case(code.trim()))
    }
}

/// The value-over-time chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PerformanceChart {
    /// The ECharts option; empty when there is nothing to draw.
    pub option: String,
    pub days: usize,
    /// The portfolio's value change over the range, against the money put in or taken out:
    /// (value at the end − value at the start − net investment) over (value at the start + what
    /// went in), in percent. Likewise for the benchmark bought with the same money.
    pub portfolio_return: Option<Decimal>,
    pub benchmark_return: Option<Decimal>,
    pub benchmark: String,
    /// Some of the prices used are simulated by the offline source.
    pub simulated: bool,
}

/// The quick "add holding" of the original app and the script API: a purchase.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HoldingInput {
    #[serde(deserialize_with = "transaction::lenient")]
    pub symbol: String,
    #[serde(deserialize_with = "transaction::lenient")]
    pub name: String,
    #[serde(deserialize_with = "transaction::lenient")]
    pub shares: String,
    /// The average price paid per share.
    #[serde(deserialize_with = "transaction::lenient")]
    pub average_price: String,
    #[serde(deserialize_with = "transaction::lenient")]
    pub sector: String,
    /// Blank: today.
    #[serde(deserialize_with = "transaction::lenient")]
    pub purchase_date: String,
}

impl HoldingInput {
    /// The purchase it records.
    pub fn transaction(&self, today: &str) -> transaction::TransactionInput {
        transaction::TransactionInput {
            kind: "BUY".into(),
            date: if self.purchase_date.trim().is_empty() {
                today.to_string()
            } else {
                self.purchase_date.clone()
            },
            symbol: self.symbol.clone(),
            shares: self.shares.clone(),
            price: self.average_price.clone(),
            name: self.name.clone(),
            sector: self.sector.clone(),
            ..Default::default()
        }
    }
}

/// Where a staged import stands.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// Rows that will be (or were) imported.
    pub valid: usize,
    /// Rows that will not be, with the reason, by row number.
    pub errors: Vec<import::RowError>,
    /// A problem with the import as a whole (it would break an existing sale): nothing can be
    /// confirmed until it is fixed.
    pub blocking: Option<Sentence>,
    pub imported: bool,
}
