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
pub(super) fn symbol_from(input: &str) -> Result<String, AppError> {
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
