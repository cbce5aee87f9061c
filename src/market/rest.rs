//! The market part of the public REST API (`/api/v1/market/…`), open to everyone like the
//! market pages. The original design's addresses, `GET /api/stocks/{symbol}` and
//! `GET /api/stocks/{symbol}/history?period=`, are routed to the same handlers for scripts
//! written against them.

use axum::{extract::State, Json};
use serde::Deserialize;

use super::api::symbol_from;
use crate::{
    market::{service::Market, History, Quote},
    platform::{
        error::{AppError, WireError},
        rest::{PathArgs, QueryArgs},
        state::AppState,
    },
};

/// How far back a history reaches (`?period=` of the original design's
/// `/api/stocks/{symbol}/history`): months, or everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Months(u32),
    Max,
}

impl Period {
    /// "1m" (or "1mo"), "3m", "6m", "1y", "5y", "max"; anything else is no period.
    pub fn parse(text: &str) -> Option<Period> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "1m" | "1mo" => Period::Months(1),
            "3m" | "3mo" => Period::Months(3),
            "6m" | "6mo" => Period::Months(6),
            "1y" => Period::Months(12),
            "5y" => Period::Months(60),
            "max" => Period::Max,
            _ => return None,
        })
    }

    /// The bars within the period, counted back from the newest one.
    pub fn keep(self, bars: Vec<crate::market::Bar>) -> Vec<crate::market::Bar> {
        let Period::Months(months) = self else {
            return bars;
        };
        let newest = bars
            .last()
            .and_then(|b| chrono::NaiveDate::parse_from_str(&b.date, "%Y-%m-%d").ok());
        let Some(from) = newest.and_then(|d| d.checked_sub_months(chrono::Months::new(months)))
        else {
            return bars;
        };
        let from = from.format("%Y-%m-%d").to_string();
        // ISO dates compare as text.
        bars.into_iter().filter(|b| b.date > from).collect()
    }
}

/// The latest price of a symbol, where it came from, and whether it is simulated.
#[utoipa::path(
    get,
    path = "/api/v1/market/quotes/{symbol}",
    tag = "market",
    params(("symbol" = String, Path, description = "AAPL, aapl.us, SAP.DE, ^SPX…")),
    responses(
        (status = 200, body = Quote),
        (status = 422, description = "Not a symbol", body = WireError),
        (status = 404, description = "No source knows it", body = WireError),
        (status = 503, description = "No source answers now", body = WireError),
    )
)]
pub async fn quote(
    State(state): State<AppState>,
    PathArgs(symbol): PathArgs<String>,
) -> Result<Json<Quote>, AppError> {
    let symbol = symbol_from(&symbol)?;
    Ok(Json(
        state.service::<Market>().quote(&state.db, &symbol).await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// `1m`, `3m`, `6m`, `1y`, `5y` or `max` (the default).
    #[serde(default)]
    period: Option<String>,
}

/// A symbol's daily bars, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/market/history/{symbol}",
    tag = "market",
    params(("symbol" = String, Path, description = "AAPL, aapl.us, SAP.DE, ^SPX…"), HistoryQuery),
    responses(
        (status = 200, body = History),
        (status = 422, description = "Not a symbol, or not a period", body = WireError),
        (status = 404, body = WireError),
        (status = 503, body = WireError),
    )
)]
pub async fn history(
    State(state): State<AppState>,
    PathArgs(symbol): PathArgs<String>,
    QueryArgs(query): QueryArgs<HistoryQuery>,
) -> Result<Json<History>, AppError> {
    let symbol = symbol_from(&symbol)?;
    let period = match query.period.as_deref() {
        None => Period::Max,
        Some(text) => Period::parse(text).ok_or_else(|| {
            AppError::Validation(crate::kit::sentences::says!(
                "server.market.bad_period",
                period = text.trim()
            ))
        })?,
    };
    let mut history = state
        .service::<Market>()
        .history(&state.db, &symbol)
        .await?;
    history.bars = period.keep(history.bars);
    Ok(Json(history))
}

#[cfg(test)]
mod tests {
    use super::Period;

    fn bar(date: &str) -> crate::market::Bar {
        crate::market::Bar {
            date: date.into(),
            open: 1.0,
            high: 1.0,
            low: 1.0,
            close: 1.0,
            volume: 0.0,
            simulated: false,
        }
    }

    #[test]
    fn a_period_keeps_the_bars_back_from_the_newest() {
        let bars = vec![
            bar("2025-01-31"),
            bar("2025-10-31"),
            bar("2025-11-01"),
            bar("2025-12-15"),
            bar("2026-01-31"),
        ];
        let dates = |p: Period| -> Vec<String> {
            p.keep(bars.clone()).into_iter().map(|b| b.date).collect()
        };
        // A month back from 31 January is 31 December: the 15th of December is out.
        assert_eq!(dates(Period::Months(1)), ["2026-01-31"]);
        assert_eq!(
            dates(Period::Months(3)),
            ["2025-11-01", "2025-12-15", "2026-01-31"]
        );
        assert_eq!(dates(Period::Months(12)).len(), 4);
        assert_eq!(dates(Period::Max).len(), 5);
        assert!(Period::Months(1).keep(Vec::new()).is_empty());
    }

    #[test]
    fn periods_are_read_as_people_write_them() {
        assert_eq!(Period::parse(" 1MO "), Some(Period::Months(1)));
        assert_eq!(Period::parse("1y"), Some(Period::Months(12)));
        assert_eq!(Period::parse("max"), Some(Period::Max));
        assert_eq!(Period::parse("2w"), None);
        assert_eq!(Period::parse(""), None);
    }
}
