//! Portfolio server functions, for the page and for scripts (cookie or `Authorization: Bearer`):
//!
//! - `GET /api/portfolio?portfolio=<id>` — holdings, totals, sales, transactions (first
//!   portfolio when no id);
//! - `POST /api/portfolio/add` `{symbol, shares, averagePrice, name?, sector?, purchaseDate?,
//!   portfolio?}` — the quick "add holding": records a purchase;
//! - `DELETE /api/portfolio/remove?symbol=AAPL&portfolio=<id>` — stops tracking a symbol
//!   (deletes its transactions; server functions take no path parameters, so the symbol is a
//!   query parameter);
//! - transactions, portfolios, the value chart, CSV import, and price alerts below;
//! - the CSV download is a plain route: `GET /api/portfolio/export.csv?portfolio=<id>`.

use leptos::prelude::*;
use leptos::server_fn::codec::{DeleteUrl, GetUrl, Json};

use super::{
    alerts::PriceAlert,
    import::{Mapping, RowError},
    ledger::CostMethod,
    transaction::{Transaction, TransactionInput},
    HoldingInput, ImportReport, PerformanceChart, PortfolioInfo, PortfolioView,
};
use crate::platform::error::AppError;

#[cfg(feature = "ssr")]
use crate::{
    auth::caller::current_user,
    platform::state::{respond, AppState},
};

#[cfg(feature = "ssr")]
use super::PortfolioId;

/// The portfolio page's figures (the first portfolio when `portfolio` is empty).
#[server(prefix = "/api", endpoint = "portfolio", input = GetUrl)]
pub async fn get_portfolio(
    #[server(default)] portfolio: String,
) -> Result<PortfolioView, AppError> {
    respond(
        async move {
            super::service::view(
                &AppState::current()?,
                crate::auth::UserId(current_user().await?.user.id),
                PortfolioId::chosen(&portfolio)?,
            )
            .await
        }
        .await,
    )
}

/// Records a purchase the way the original app's "add holding" did.
#[server(prefix = "/api/portfolio", endpoint = "add", input = Json)]
pub async fn add_holding(
    #[server(default)] portfolio: Option<String>,
    #[server(flatten)] holding: HoldingInput,
) -> Result<Transaction, AppError> {
    respond(
        async move {
            super::service::add_holding(
                &AppState::current()?,
                crate::auth::UserId(current_user().await?.user.id),
                PortfolioId::chosen(portfolio.as_deref().unwrap_or_default())?,
                &holding,
            )
            .await
        }
        .await,
    )
}

/// Stops tracking a symbol: deletes all its transactions; answers how many.
#[server(prefix = "/api/portfolio", endpoint = "remove", input = DeleteUrl)]
pub async fn remove_holding(
    symbol: String,
    #[server(default)] portfolio: String,
) -> Result<u64, AppError> {
    respond(
        async move {
            let symbol = crate::market::symbol::normalize(&symbol).ok_or_else(|| {
                AppError::Validation(crate::kit::sentences::says!(
                    "server.market.not_a_symbol",
                    symbol = symbol.trim()
                ))
            })?;
            super::service::remove_symbol(
                &AppState::current()?,
                crate::auth::UserId(current_user().await?.user.id),
                PortfolioId::chosen(&portfolio)?,
                &symbol,
            )
            .await
        }
        .await,
    )
}

/// Records a transaction of any kind.
#[server(prefix = "/api/portfolio", endpoint = "transactions/add", input = Json)]
pub async fn add_transaction(
    #[server(default)] portfolio: Option<String>,
    transaction: TransactionInput,
) -> Result<Transaction, AppError> {
    respond(
        async move {
            super::service::add(
                &AppState::current()?,
                crate::auth::UserId(current_user().await?.user.id),
                PortfolioId::chosen(portfolio.as_deref().unwrap_or_default())?,
                &transaction,
            )
            .await
        }
        .await,
    )
}

/// Changes a transaction (everything is recomputed).
#[server(prefix = "/api/portfolio", endpoint = "transactions/edit", input = Json)]
pub async fn edit_transaction(
    portfolio: String,
    id: String,
    transaction: TransactionInput,
) -> Result<Transaction, AppError> {
    respond(
        async move {
            super::service::edit(
                &AppState::current()?,
                crate::auth::UserId(current_user().await?.user.id),
                PortfolioId::chosen(&portfolio)?,
                super::TransactionId::parse(&id)?,
                &transaction,
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api/portfolio", endpoint = "transactions/delete", input = Json)]
pub async fn delete_transaction(portfolio: String, id: String) -> Result<(), AppError> {
    respond(
        async move {
            super::service::remove(
                &AppState::current()?,
                crate::auth::UserId(current_user().await?.user.id),
                PortfolioId::chosen(&portfolio)?,
                super::TransactionId::parse(&id)?,
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api/portfolio", endpoint = "create", input = Json)]
pub async fn create_portfolio(
    name: String,
    method: CostMethod,
    #[server(default)] currency: String,
) -> Result<PortfolioInfo, AppError> {
    respond(
        async move {
            super::service::create(
                &AppState::current()?.db,
                crate::auth::UserId(current_user().await?.user.id),
                &name,
                method,
                &currency,
            )
            .await
        }
        .await,
    )
}

/// Renames a portfolio or changes its cost method.
#[server(prefix = "/api/portfolio", endpoint = "update", input = Json)]
pub async fn update_portfolio(
    id: String,
    name: String,
    method: CostMethod,
) -> Result<PortfolioInfo, AppError> {
    respond(
        async move {
            super::service::update(
                &AppState::current()?.db,
                crate::auth::UserId(current_user().await?.user.id),
                PortfolioId::chosen(&id)?,
                &name,
                method,
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api/portfolio", endpoint = "delete", input = Json)]
pub async fn delete_portfolio(id: String) -> Result<(), AppError> {
    respond(
        async move {
            let portfolio = PortfolioId::chosen(&id)?;
            super::service::delete(
                &AppState::current()?.db,
                crate::auth::UserId(current_user().await?.user.id),
                portfolio,
            )
            .await
        }
        .await,
    )
}

/// The value over time against the S&P 500: `range` is 1m, 3m, 1y or all.
#[server(prefix = "/api/portfolio", endpoint = "performance", input = GetUrl)]
pub async fn portfolio_performance(
    #[server(default)] portfolio: String,
    range: String,
) -> Result<PerformanceChart, AppError> {
    respond(
        async move {
            let range = super::PerformanceRange::parse(&range).ok_or_else(|| {
                AppError::Validation(crate::kit::sentences::says!(
                    "server.portfolio.range",
                    range = &range
                ))
            })?;
            super::service::performance(
                &AppState::current()?,
                crate::auth::UserId(current_user().await?.user.id),
                PortfolioId::chosen(&portfolio)?,
                range,
            )
            .await
        }
        .await,
    )
}

// ——— CSV import: start → rows (in parts) → review → confirm (or cancel) ———

/// Starts an import: its id, and the portfolio it goes into (made if the person has none).
#[server(prefix = "/api/portfolio", endpoint = "import/start", input = Json)]
pub async fn import_start(
    #[server(default)] portfolio: Option<String>,
) -> Result<(String, PortfolioInfo), AppError> {
    respond(
        async move {
            super::service::import_start(
                &AppState::current()?,
                crate::auth::UserId(current_user().await?.user.id),
                PortfolioId::chosen(portfolio.as_deref().unwrap_or_default())?,
            )
            .await
        }
        .await,
    )
}

/// Checks and stages up to 1,000 rows; answers the rows refused, with why. `first_row` is the
/// file line of the first row (the header is line 1).
#[server(prefix = "/api/portfolio", endpoint = "import/rows", input = Json)]
pub async fn import_rows(
    portfolio: String,
    import: String,
    mapping: Mapping,
    first_row: usize,
    rows: Vec<Vec<String>>,
) -> Result<Vec<RowError>, AppError> {
    respond(
        async move {
            super::service::import_rows(
                &AppState::current()?,
                crate::auth::UserId(current_user().await?.user.id),
                PortfolioId::chosen(&portfolio)?,
                super::ImportId::parse(&import)?,
                &mapping,
                first_row,
                &rows,
            )
            .await
        }
        .await,
    )
}

/// What confirming would import, and the rows the history refuses (sales of shares not held).
#[server(prefix = "/api/portfolio", endpoint = "import/review", input = Json)]
pub async fn import_review(portfolio: String, import: String) -> Result<ImportReport, AppError> {
    respond(
        async move {
            super::service::import_review(
                &AppState::current()?,
                crate::auth::UserId(current_user().await?.user.id),
                PortfolioId::chosen(&portfolio)?,
                super::ImportId::parse(&import)?,
            )
            .await
        }
        .await,
    )
}

/// Imports every valid staged row at once.
#[server(prefix = "/api/portfolio", endpoint = "import/confirm", input = Json)]
pub async fn import_confirm(portfolio: String, import: String) -> Result<ImportReport, AppError> {
    respond(
        async move {
            super::service::import_confirm(
                &AppState::current()?,
                crate::auth::UserId(current_user().await?.user.id),
                PortfolioId::chosen(&portfolio)?,
                super::ImportId::parse(&import)?,
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api/portfolio", endpoint = "import/cancel", input = Json)]
pub async fn import_cancel(portfolio: String, import: String) -> Result<(), AppError> {
    respond(
        async move {
            super::service::import_cancel(
                &AppState::current()?,
                crate::auth::UserId(current_user().await?.user.id),
                PortfolioId::chosen(&portfolio)?,
                super::ImportId::parse(&import)?,
            )
            .await
        }
        .await,
    )
}

// ——— price alerts ———

#[server(prefix = "/api", endpoint = "alerts", input = GetUrl)]
pub async fn price_alerts() -> Result<Vec<PriceAlert>, AppError> {
    respond(
        async move {
            super::alerts::list(
                &AppState::current()?,
                crate::auth::UserId(current_user().await?.user.id),
            )
            .await
        }
        .await,
    )
}

/// A new alert: `kind` is "price" (the default), "move", "average" or "rsi"; `direction`
/// "above" or "below"; `price` the line (a price, a day's move in per cent, an RSI level; not
/// read for an average); `period` the days an average or RSI reads (50 and 14 unless given).
#[server(prefix = "/api/alerts", endpoint = "create", input = Json)]
pub async fn create_alert(
    symbol: String,
    direction: String,
    #[server(default)] price: String,
    #[server(default)] kind: String,
    #[server(default)] period: Option<u32>,
) -> Result<PriceAlert, AppError> {
    respond(
        async move {
            let symbol = crate::market::symbol::normalize(&symbol).ok_or_else(|| {
                AppError::Validation(crate::kit::sentences::says!(
                    "server.market.not_a_symbol",
                    symbol = symbol.trim()
                ))
            })?;
            let direction = super::alerts::Direction::parse(&direction).ok_or_else(|| {
                AppError::Validation(crate::kit::sentences::says!(
                    "server.portfolio.alert_direction"
                ))
            })?;
            let kind = super::alerts::AlertKind::parse(&kind).ok_or_else(|| {
                AppError::Validation(crate::kit::sentences::says!(
                    "server.portfolio.alert_kind",
                    kind = kind.trim()
                ))
            })?;
            // An average's cross has no line of its own.
            let target = match kind {
                super::alerts::AlertKind::Average => rust_decimal::Decimal::ZERO,
                _ => super::transaction::parse_figure(&price).ok_or_else(|| {
                    AppError::Validation(crate::kit::sentences::says!(
                        "server.portfolio.alert_price_number"
                    ))
                })?,
            };
            super::alerts::create(
                &AppState::current()?,
                crate::auth::UserId(current_user().await?.user.id),
                &symbol,
                super::alerts::NewAlert {
                    kind,
                    direction,
                    target,
                    period,
                },
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api/alerts", endpoint = "delete", input = Json)]
pub async fn delete_alert(id: String) -> Result<(), AppError> {
    respond(
        async move {
            let user = current_user().await?.user.id;
            super::alerts::delete(
                &AppState::current()?,
                crate::auth::UserId(user),
                super::AlertId::parse(&id)?,
            )
            .await
        }
        .await,
    )
}
