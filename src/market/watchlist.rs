//! Watchlists: the symbols a person follows, each shown with its price, the day's change and a
//! three-month sparkline. Guests see a suggested list until they sign in and make their own.

use serde::{Deserialize, Serialize};

/// What a guest (or someone who has not added anything yet) is shown.
pub const SUGGESTED: [&str; 5] = ["AAPL", "MSFT", "GOOG", "IBM", "^SPX"];
/// Symbols one watchlist holds at most.
pub const MAX_ITEMS: usize = 50;
/// Trading days a sparkline spans (three months: the stock page's "3M").
pub const SPARK_DAYS: usize = 63;

/// One followed symbol with its latest figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WatchItem {
    pub symbol: String,
    pub name: Option<String>,
    /// `None` when no source could price it just now.
    pub price: Option<f64>,
    pub change_percent: Option<f64>,
    pub simulated: bool,
    /// The closes of the last [`SPARK_DAYS`] trading days, oldest first (`analysis::period_bars`).
    pub spark: Vec<f64>,
}

/// A watchlist as the markets page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Watchlist {
    pub items: Vec<WatchItem>,
    /// The person's own list (false: the suggested one).
    pub own: bool,
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use crate::auth::UserId;
    use chrono::Utc;

    use super::*;
    use crate::{
        market::{directory, provider::MarketError, repo},
        platform::{error::AppError, state::AppState},
    };

    /// The person's symbols, in the order they added them.
    pub async fn symbols(state: &AppState, user: UserId) -> Result<Vec<String>, AppError> {
        Ok(repo::watched_symbols(&state.db, user.0).await?)
    }

    /// The list to show: the person's own, or the suggested one.
    pub async fn watchlist(state: &AppState, user: Option<UserId>) -> Result<Watchlist, AppError> {
        let own = match user {
            Some(user) => symbols(state, user).await?,
            None => Vec::new(),
        };
        let is_own = !own.is_empty();
        let symbols = if is_own {
            own
        } else {
            SUGGESTED.map(str::to_string).to_vec()
        };
        let items = futures::future::join_all(symbols.iter().map(|s| item(state, s))).await;
        Ok(Watchlist { items, own: is_own })
    }

    async fn item(state: &AppState, symbol: &str) -> WatchItem {
        let name = directory::lookup(symbol).map(|info| info.name.clone());
        let quote = state
            .service::<crate::market::service::Market>()
            .quote(&state.db, symbol)
            .await
            .ok();
        let spark = match state
            .service::<crate::market::service::Market>()
            .history(&state.db, symbol)
            .await
        {
            Ok(history) => crate::market::analysis::period_bars(&history.bars, SPARK_DAYS)
                .iter()
                .map(|b| b.close)
                .collect(),
            Err(_) => Vec::new(),
        };
        WatchItem {
            symbol: symbol.to_string(),
            name,
            price: quote.as_ref().map(|q| q.price),
            change_percent: quote
                .as_ref()
                .and_then(|q| q.change())
                .map(|(_, percent)| percent),
            simulated: quote.is_some_and(|q| q.simulated),
            spark,
        }
    }

    /// Follows a symbol (again: nothing changes). Only symbols a source knows are taken.
    pub async fn add(state: &AppState, user: UserId, symbol: &str) -> Result<(), AppError> {
        if repo::is_watched(&state.db, user.0, symbol).await? {
            return Ok(());
        }
        let held = repo::watched_count(&state.db, user.0).await?;
        if held as usize >= MAX_ITEMS {
            return Err(AppError::Validation(crate::kit::sentences::says!(
                "server.market.watchlist_full",
                max = MAX_ITEMS,
                symbol = symbol
            )));
        }
        match state
            .service::<crate::market::service::Market>()
            .quote(&state.db, symbol)
            .await
        {
            Ok(_) => {}
            Err(err @ MarketError::UnknownSymbol(..)) => return Err(err.into()),
            // A source being down says nothing about the symbol: follow it anyway.
            Err(err) => {
                tracing::debug!(error = %err, symbol, "added to a watchlist without a quote")
            }
        }
        match repo::insert_watched(&state.db, user.0, symbol, Utc::now()).await {
            Ok(_) => Ok(()),
            // Two tabs adding the same symbol at once: the other one won, which is the same.
            Err(err)
                if matches!(
                    err.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) =>
            {
                Ok(())
            }
            Err(err) => Err(err.into()),
        }
    }

    pub async fn remove(state: &AppState, user: UserId, symbol: &str) -> Result<(), AppError> {
        Ok(repo::delete_watched(&state.db, user.0, symbol).await?)
    }
}
