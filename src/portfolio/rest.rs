//! The portfolio part of the public REST API (`/api/v1`).

use axum::{extract::State, Json};
use serde::{Deserialize, Serialize};

use super::{valuation::Holding, valuation::Totals, PortfolioId, PortfolioInfo};
use crate::auth::UserId;
use crate::{
    auth::{caller::ApiCaller, Scope},
    platform::{
        error::{AppError, WireError},
        rest::QueryArgs,
        state::AppState,
    },
};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PortfolioArgs {
    /// Which of the person's portfolios (its id); the first without.
    #[serde(default)]
    pub portfolio: String,
}

/// A portfolio valued at the latest prices.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PortfolioSummary {
    /// None when the person has no portfolio yet.
    pub portfolio: Option<PortfolioInfo>,
    /// All of the person's portfolios.
    pub portfolios: Vec<PortfolioInfo>,
    /// Largest value first.
    pub holdings: Vec<Holding>,
    pub totals: Totals,
}

/// The person's portfolio: holdings, their value and day change, and the totals.
#[utoipa::path(
    get,
    path = "/api/v1/portfolio",
    tag = "portfolio",
    params(PortfolioArgs),
    security(("bearer" = ["portfolio:read"])),
    responses(
        (status = 200, body = PortfolioSummary),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, description = "No such portfolio of the person's", body = WireError),
    )
)]
pub async fn portfolio(
    State(state): State<AppState>,
    caller: ApiCaller,
    QueryArgs(args): QueryArgs<PortfolioArgs>,
) -> Result<Json<PortfolioSummary>, AppError> {
    let user = caller.may(Scope::PortfolioRead)?;
    let view = super::service::view(
        &state,
        UserId(user.id),
        PortfolioId::chosen(&args.portfolio)?,
    )
    .await?;
    Ok(Json(PortfolioSummary {
        portfolio: view.portfolio,
        portfolios: view.portfolios,
        holdings: view.holdings,
        totals: view.totals,
    }))
}
