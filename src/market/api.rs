//! Market data for pages and scripts: `GET /api/market/quote?symbol=aapl`,
//! `GET /api/market/history?symbol=aapl`, `GET /api/market/search?query=apple`. Open to guests:
//! nothing here is personal.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use super::{History, Quote, SymbolInfo};
use crate::platform::error::AppError;

#[cfg(feature = "ssr")]
fn symbol_from(input: &str) -> Result<String, AppError> {
    super::symbol::normalize(input)
        .ok_or_else(|| AppError::Validation(format!("“{}” is not a stock symbol (e.g. AAPL, aapl.us, SAP.DE).", input.trim())))
}

#[cfg(feature = "ssr")]
impl From<super::provider::MarketError> for AppError {
    fn from(err: super::provider::MarketError) -> AppError {
        use super::provider::MarketError;
        match err {
            MarketError::UnknownSymbol(_, symbol) => AppError::NotFound(format!("The symbol {symbol}")),
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
    crate::platform::server::respond(
        async move {
            let state = crate::platform::server::AppState::current()?;
            let symbol = symbol_from(&symbol)?;
            Ok(state.market.quote(&state.db, &symbol).await?)
        }
        .await,
    )
}

/// About six years of daily bars, oldest first, with their source and age.
#[server(prefix = "/api/market", endpoint = "history", input = GetUrl)]
pub async fn market_history(symbol: String) -> Result<History, AppError> {
    crate::platform::server::respond(
        async move {
            let state = crate::platform::server::AppState::current()?;
            let symbol = symbol_from(&symbol)?;
            Ok(state.market.history(&state.db, &symbol).await?)
        }
        .await,
    )
}

/// Companies whose ticker or name matches, best first (at most 10).
#[server(prefix = "/api/market", endpoint = "search", input = GetUrl)]
pub async fn symbol_search(query: String) -> Result<Vec<SymbolInfo>, AppError> {
    crate::platform::server::respond(
        async move {
            let state = crate::platform::server::AppState::current()?;
            Ok(state.market.search(&query))
        }
        .await,
    )
}
