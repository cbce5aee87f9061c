//! Market data for pages and scripts: `GET /api/market/quote?symbol=aapl`,
//! `GET /api/market/quotes?symbols=aapl,msft`,
//! `GET /api/market/history?symbol=aapl`, `GET /api/market/intraday?symbol=aapl`,
//! `GET /api/market/search?query=apple`,
//! `GET /api/market/chart?symbol=aapl&range=1y&overlays=sma:50,bollinger:20:2&panes=rsi:14`,
//! `GET /api/market/report?symbol=aapl`, `GET /api/market/recommendations`, the crowd
//! (`GET /api/market/crowd?symbol=aapl`, `GET /api/market/trending`,
//! `GET /api/market/moods?symbol=aapl`); the watchlist
//! (`GET /api/market/watchlist`, `POST /api/market/watch`) and the chosen indicators
//! (`GET /api/market/indicators`, `POST /api/market/choose_indicators`). Market data is open to
//! guests; a watchlist and a choice of indicators are personal (guests are shown the usual).

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

/// Reads the chart API's indicator codes, refusing an unknown one or too many in words.
#[cfg(feature = "ssr")]
fn indicators_from(overlays: &str, panes: &str) -> Result<super::chart::ChartChoice, AppError> {
    use super::chart::{parse_codes, ChartChoice, Overlay, Pane, Study};
    use crate::kit::sentences::says;
    let overlays = parse_codes(overlays, Overlay::parse)
        .map_err(|bad| AppError::Validation(says!("server.market.overlay", code = bad)))?;
    let panes = parse_codes(panes, Pane::parse)
        .map_err(|bad| AppError::Validation(says!("server.market.pane", code = bad)))?;
    if overlays.len() > Overlay::MAX || panes.len() > Pane::MAX {
        return Err(AppError::Validation(says!(
            "server.market.too_many_indicators",
            overlays = Overlay::MAX,
            panes = Pane::MAX
        )));
    }
    Ok(ChartChoice { overlays, panes })
}

/// The indicators the signed-in person draws on every chart: their own choice, or the usual
/// ones (for guests too).
#[server(prefix = "/api/market", endpoint = "indicators", input = GetUrl)]
pub async fn chart_indicators() -> Result<super::chart::ChartChoice, AppError> {
    use super::chart::{parse_codes, ChartChoice, Overlay, Pane, Study};
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let Some(me) = crate::auth::caller::optional_user().await? else {
                return Ok(ChartChoice::default());
            };
            Ok(
                match super::repo::chart_choice(&state.db, me.user.id).await? {
                    // What was stored passed these rules; a code a later version no longer knows
                    // is left out rather than failing the page.
                    Some(row) => ChartChoice {
                        overlays: parse_codes(&row.overlays, Overlay::parse).unwrap_or_default(),
                        panes: parse_codes(&row.panes, Pane::parse).unwrap_or_default(),
                    },
                    None => ChartChoice::default(),
                },
            )
        }
        .await,
    )
}

/// Keeps the indicators the signed-in person draws on every chart, on every device
/// (`overlays` and `panes` as the chart takes them).
#[server(prefix = "/api/market", endpoint = "choose_indicators", input = Json)]
pub async fn choose_indicators(
    overlays: String,
    panes: String,
) -> Result<super::chart::ChartChoice, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            let choice = indicators_from(&overlays, &panes)?;
            let (overlays, panes) = choice.codes();
            super::repo::save_chart_choice(
                &state.db,
                me.user.id,
                &overlays,
                &panes,
                chrono::Utc::now(),
            )
            .await?;
            Ok(choice)
        }
        .await,
    )
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

/// The latest quotes of several symbols at once ("AAPL,MSFT": the $cashtags of a channel's
/// messages), each under its normalised symbol; a symbol no source knows is left out, and at
/// most as many as a tab may watch are asked at a time.
#[server(prefix = "/api/market", endpoint = "quotes", input = GetUrl)]
pub async fn market_quotes(symbols: String) -> Result<Vec<Quote>, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let mut wanted = Vec::new();
            for symbol in symbols.split(',').filter(|s| !s.trim().is_empty()) {
                let symbol = symbol_from(symbol)?;
                if !wanted.contains(&symbol) {
                    wanted.push(symbol);
                }
            }
            let max = crate::kit::live::PRICES_WATCHED;
            if wanted.len() > max {
                return Err(AppError::Validation(crate::kit::sentences::says!(
                    "server.market.too_many_prices",
                    max = max
                )));
            }
            let market = state.service::<crate::market::service::Market>();
            let quotes = futures::future::join_all(
                wanted.iter().map(|symbol| market.quote(&state.db, symbol)),
            )
            .await;
            Ok(quotes.into_iter().filter_map(Result::ok).collect())
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

/// The candlestick chart of a symbol as an ECharts option: `range` is 1d, 5d (intraday, where
/// a source has it: 404 otherwise), 1m, 3m, 6m, 1y, 5y or `real` (the real prices the app
/// ships, for the symbols it has them: `sample` names their years);
/// `overlays` a comma list of at most 5 of sma, ema, wma, bollinger and vwap, `panes` of at
/// most 3 of rsi, macd, atr, stochastic and obv, each with its parameters after colons
/// (`sma:50`, `bollinger:20:2`, `macd:12:26:9`) or alone for the usual ones.
#[server(prefix = "/api/market", endpoint = "chart", input = GetUrl)]
pub async fn stock_chart(
    symbol: String,
    range: String,
    #[server(default)] overlays: String,
    #[server(default)] panes: String,
) -> Result<super::chart::StockChart, AppError> {
    use super::chart::{self, ChartRange};
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
            let chart::ChartChoice { overlays, panes } = indicators_from(&overlays, &panes)?;
            let market = state.service::<crate::market::service::Market>();
            let real = super::offline::real_history(&symbol);
            let history = if range == ChartRange::Real {
                let bars = real.ok_or_else(|| {
                    AppError::NotFound(crate::kit::sentences::says!(
                        "server.market.no_sample",
                        symbol = &symbol
                    ))
                })?;
                crate::market::History {
                    symbol: symbol.clone(),
                    bars: bars.to_vec(),
                    source: "offline sample".into(),
                    fetched_at: String::new(),
                }
            } else if range.intraday() {
                let mut intraday = market.intraday(&state.db, &symbol).await?;
                intraday.bars = chart::candles_of(&intraday.bars, range.candle_minutes());
                intraday
            } else {
                let mut daily = market.history(&state.db, &symbol).await?;
                // The day under way as the latest quote has it: the last candle moves live.
                match market.quote(&state.db, &symbol).await {
                    Ok(quote) => daily.with_quote(&quote),
                    Err(err) => {
                        tracing::debug!(error = %err, symbol, "chart without today's quote")
                    }
                }
                daily
            };
            if history.bars.is_empty() {
                return Err(AppError::NotFound(crate::kit::sentences::says!(
                    "server.market.no_history",
                    symbol = symbol
                )));
            }
            let mut drawn = chart::option(&history, range, &overlays, &panes);
            drawn.sample = real.and_then(|bars| {
                let year = |bar: &crate::market::Bar| bar.date.get(..4).map(str::to_string);
                Some(format!("{}–{}", year(bars.first()?)?, year(bars.last()?)?))
            });
            Ok(drawn)
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
            super::insights::report(
                &state,
                viewer.map(|u| u.id).map(crate::auth::UserId),
                &symbol,
                &language,
            )
            .await
        }
        .await,
    )
}

/// The stream of messages naming `symbol` that the caller may read (every public community's,
/// and their own communities'), newest first, with their mood over 30 days.
#[server(prefix = "/api/market", endpoint = "crowd", input = GetUrl)]
pub async fn stock_crowd(symbol: String) -> Result<super::analysis::Voices, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let symbol = symbol_from(&symbol)?;
            let viewer = crate::auth::caller::optional_user().await?;
            super::insights::voices(
                &state,
                viewer.map(|me| me.user.id).map(crate::auth::UserId),
                &symbol,
            )
            .await
        }
        .await,
    )
}

/// The tickers named most above their usual rate this hour, in what the caller may read.
#[server(prefix = "/api/market", endpoint = "trending", input = GetUrl)]
pub async fn trending_tickers() -> Result<Vec<super::analysis::Trend>, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let viewer = crate::auth::caller::optional_user().await?;
            super::insights::trending(&state, viewer.map(|me| me.user.id).map(crate::auth::UserId))
                .await
        }
        .await,
    )
}

/// How each of the signed-in person's communities has felt about `symbol` over 30 days
/// (none for guests).
#[server(prefix = "/api/market", endpoint = "moods", input = GetUrl)]
pub async fn community_moods(
    symbol: String,
) -> Result<Vec<super::analysis::CommunityMood>, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let symbol = symbol_from(&symbol)?;
            match crate::auth::caller::optional_user().await? {
                Some(me) => {
                    super::insights::moods(&state, crate::auth::UserId(me.user.id), &symbol).await
                }
                None => Ok(Vec::new()),
            }
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
            super::watchlist::watchlist(&state, viewer.map(crate::auth::UserId)).await
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
                super::watchlist::add(&state, crate::auth::UserId(me.user.id), &symbol).await
            } else {
                super::watchlist::remove(&state, crate::auth::UserId(me.user.id), &symbol).await
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
            Ok(
                super::watchlist::symbols(&state, crate::auth::UserId(me.user.id))
                    .await?
                    .contains(&symbol),
            )
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
                    let mut symbols =
                        super::watchlist::symbols(&state, crate::auth::UserId(user)).await?;
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
