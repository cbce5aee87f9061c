//! Market data for pages and scripts: `GET /api/market/quote?symbol=aapl`,
//! `GET /api/market/history?symbol=aapl`, `GET /api/market/intraday?symbol=aapl`,
//! `GET /api/market/search?query=apple`,
//! `GET /api/market/chart?symbol=aapl&range=1y&overlays=sma50,bollinger&panes=rsi`,
//! `GET /api/market/report?symbol=aapl`, `GET /api/market/recommendations`; and the
//! watchlist (`GET /api/market/watchlist`, `POST /api/market/watch`). Market data is open to
//! guests; a watchlist is personal (guests are shown a suggested one).

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

use super::{History, Quote, SymbolInfo};
use crate::platform::error::AppError;

#[cfg(feature = "ssr")]
fn symbol_from(input: &str) -> Result<String, AppError> {
    super::symbol::normalize(input).ok_or_else(|| {
        AppError::Validation(crate::kit::sentences::says!(
            "server.market.not_a_symbol",
            symbol = input.trim()
        ))
    })
}

#[cfg(feature = "ssr")]
impl From<super::provider::MarketError> for AppError {
    fn from(err: super::provider::MarketError) -> AppError {
        use super::provider::MarketError;
        match err {
            MarketError::UnknownSymbol(_, symbol) => AppError::NotFound(
                crate::kit::sentences::says!("server.market.symbol_not_found", symbol = symbol),
            ),
            MarketError::Unsupported(_) => {
                AppError::NotFound(crate::kit::sentences::says!("server.market.unsupported"))
            }
            other => {
                tracing::warn!(error = %other, "no market source answered");
                AppError::Unavailable
            }
        }
    }
}

/// The latest quote, with its source and whether it is simulated.
#[server(prefix = "/api/market", endpoint = "quote", input = GetUrl)]
pub async fn market_quote(symbol: String) -> Result<Quote, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let symbol = symbol_from(&symbol)?;
            Ok(state
                .service::<crate::market::service::Market>()
                .quote(&state.db, &symbol)
                .await?)
        }
        .await,
    )
}

/// About six years of daily bars, oldest first, with their source and age.
#[server(prefix = "/api/market", endpoint = "history", input = GetUrl)]
pub async fn market_history(symbol: String) -> Result<History, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let symbol = symbol_from(&symbol)?;
            Ok(state
                .service::<crate::market::service::Market>()
                .history(&state.db, &symbol)
                .await?)
        }
        .await,
    )
}

/// The latest session's 5-minute bars, where a configured source has intraday prices (Alpha
/// Vantage, Polygon; not the offline source: 404).
#[server(prefix = "/api/market", endpoint = "intraday", input = GetUrl)]
pub async fn market_intraday(symbol: String) -> Result<History, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let symbol = symbol_from(&symbol)?;
            Ok(state
                .service::<crate::market::service::Market>()
                .intraday(&state.db, &symbol)
                .await?)
        }
        .await,
    )
}

/// Companies whose ticker or name matches, best first (at most 10).
#[server(prefix = "/api/market", endpoint = "search", input = GetUrl)]
pub async fn symbol_search(query: String) -> Result<Vec<SymbolInfo>, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            Ok(state
                .service::<crate::market::service::Market>()
                .search(&query))
        }
        .await,
    )
}

/// The candlestick chart of a symbol as an ECharts option: `range` is 1m, 3m, 6m, 1y or 5y;
/// `overlays` a comma list of sma20, sma50, sma200, ema20, bollinger; `panes` of rsi, macd.
#[server(prefix = "/api/market", endpoint = "chart", input = GetUrl)]
pub async fn stock_chart(
    symbol: String,
    range: String,
    #[server(default)] overlays: String,
    #[server(default)] panes: String,
) -> Result<super::chart::StockChart, AppError> {
    use super::chart::{self, ChartRange, Overlay, Pane};
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let symbol = symbol_from(&symbol)?;
            let range = ChartRange::parse(&range).ok_or_else(|| {
                AppError::Validation(crate::kit::sentences::says!(
                    "server.market.chart_range",
                    range = &range
                ))
            })?;
            let overlays =
                chart::parse_codes(&overlays, &Overlay::ALL, Overlay::code).map_err(|bad| {
                    AppError::Validation(crate::kit::sentences::says!(
                        "server.market.overlay",
                        code = bad
                    ))
                })?;
            let panes = chart::parse_codes(&panes, &Pane::ALL, Pane::code).map_err(|bad| {
                AppError::Validation(crate::kit::sentences::says!(
                    "server.market.pane",
                    code = bad
                ))
            })?;
            let history = state
                .service::<crate::market::service::Market>()
                .history(&state.db, &symbol)
                .await?;
            if history.bars.is_empty() {
                return Err(AppError::NotFound(crate::kit::sentences::says!(
                    "server.market.no_history",
                    symbol = symbol
                )));
            }
            Ok(chart::option(&history, range, &overlays, &panes))
        }
        .await,
    )
}

/// The state of a stock: trend, momentum, news and community readings with their reasons, an
/// overall score and, with a hosted AI, a narrative in `language`.
#[server(prefix = "/api/market", endpoint = "report", input = GetUrl)]
pub async fn stock_report(
    symbol: String,
    #[server(default)] language: String,
) -> Result<super::analysis::Report, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let symbol = symbol_from(&symbol)?;
            let viewer = crate::auth::caller::optional_user()
                .await?
                .map(|me| me.user);
            let language = match language.as_str() {
                "" => viewer
                    .as_ref()
                    .map_or("en".to_string(), |u| u.preferred_language.clone()),
                code if crate::kit::languages::CODES.contains(&code) => code.to_string(),
                code => {
                    return Err(AppError::Validation(crate::kit::sentences::says!(
                        "server.market.language",
                        code = code
                    )))
                }
            };
            super::insights::report(&state, viewer.map(|u| u.id), &symbol, &language).await
        }
        .await,
    )
}

/// The signed-in person's watchlist with prices and sparklines (a suggested one for guests).
#[server(prefix = "/api/market", endpoint = "watchlist", input = GetUrl)]
pub async fn watchlist() -> Result<super::watchlist::Watchlist, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let viewer = crate::auth::caller::optional_user()
                .await?
                .map(|me| me.user.id);
            super::watchlist::watchlist(&state, viewer).await
        }
        .await,
    )
}

/// Follows (`watching: true`) or stops following a symbol.
#[server(prefix = "/api/market", endpoint = "watch", input = Json)]
pub async fn set_watching(symbol: String, watching: bool) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            let symbol = symbol_from(&symbol)?;
            if watching {
                super::watchlist::add(&state, me.user.id, &symbol).await
            } else {
                super::watchlist::remove(&state, me.user.id, &symbol).await
            }
        }
        .await,
    )
}

/// Whether the signed-in person follows `symbol` (false for guests).
#[server(prefix = "/api/market", endpoint = "watching", input = GetUrl)]
pub async fn is_watching(symbol: String) -> Result<bool, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let Some(me) = crate::auth::caller::optional_user().await? else {
                return Ok(false);
            };
            let symbol = symbol_from(&symbol)?;
            Ok(super::watchlist::symbols(&state, me.user.id)
                .await?
                .contains(&symbol))
        }
        .await,
    )
}

/// The watchlist's and the portfolios' symbols (or the suggested ones) ranked by the factor
/// score, each with its reasons and backtest.
#[server(prefix = "/api/market", endpoint = "recommendations", input = GetUrl)]
pub async fn recommendations() -> Result<Vec<super::analysis::Recommendation>, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let viewer = crate::auth::caller::optional_user()
                .await?
                .map(|me| me.user.id);
            let mut symbols = match viewer {
                Some(user) => {
                    let mut symbols = super::watchlist::symbols(&state, user).await?;
                    if let Some(holdings) = state.services.get::<super::service::Holdings>() {
                        for held in (holdings.0)(&state.db, user).await? {
                            if !symbols.contains(&held) {
                                symbols.push(held);
                            }
                        }
                    }
                    symbols
                }
                None => Vec::new(),
            };
            if symbols.is_empty() {
                symbols = super::watchlist::SUGGESTED.map(str::to_string).to_vec();
            }
            Ok(super::insights::recommendations(&state, &symbols).await)
        }
        .await,
    )
}

/// The addresses the original design named for market data, kept for scripts written against
/// it: `GET /api/stocks/{symbol}` (the quote) and `GET /api/stocks/{symbol}/history?period=`
/// (daily bars, oldest first). They answer like `/api/market/quote` and `/api/market/history`.
#[cfg(feature = "ssr")]
pub mod stocks {
    use axum::{
        extract::{Path, Query, State},
        Json,
    };
    use serde::Deserialize;

    use super::symbol_from;
    use crate::{
        market::{service::Market, History, Quote},
        platform::{error::AppError, state::AppState},
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

    pub async fn quote(
        State(state): State<AppState>,
        Path(symbol): Path<String>,
    ) -> Result<Json<Quote>, AppError> {
        let symbol = symbol_from(&symbol)?;
        Ok(Json(
            state.service::<Market>().quote(&state.db, &symbol).await?,
        ))
    }

    #[derive(Deserialize)]
    pub struct HistoryQuery {
        #[serde(default)]
        period: Option<String>,
    }

    pub async fn history(
        State(state): State<AppState>,
        Path(symbol): Path<String>,
        Query(query): Query<HistoryQuery>,
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
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::stocks::Period;

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
