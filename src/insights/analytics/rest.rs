//! A community's statistics in the public REST API (`/api/v1/communities/{slug}/analytics`):
//! what Manage → Analytics shows, for a program whose person may read them.

use axum::{extract::State, Json};
use serde::Deserialize;

use super::{service, Analytics};
use crate::auth::UserId;
use crate::{
    auth::{caller::ApiCaller, Scope},
    platform::{
        error::{AppError, WireError},
        rest::{PathArgs, QueryArgs},
        state::AppState,
    },
};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Range {
    /// The first day (`2026-11-01`); 30 days before `to` without.
    #[serde(default)]
    pub from: Option<String>,
    /// The last day; today without.
    #[serde(default)]
    pub to: Option<String>,
}

/// A community's figures over a range of days: messages, active members, joins and leaves,
/// flags and reports and how fast moderators answered them, its channels and cashtags.
#[utoipa::path(
    get,
    path = "/api/v1/communities/{slug}/analytics",
    tag = "statistics",
    params(("slug" = String, Path, description = "The community's address name"), Range),
    security(("bearer" = ["community:manage"])),
    responses(
        (status = 200, body = Analytics),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, description = "Without the right to read them; or the token lacks the scope", body = WireError),
        (status = 404, body = WireError),
        (status = 422, description = "A day that cannot be read, or a range the wrong way round", body = WireError),
    )
)]
pub async fn community(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(slug): PathArgs<String>,
    QueryArgs(range): QueryArgs<Range>,
) -> Result<Json<Analytics>, AppError> {
    let user = caller.may(Scope::CommunityManage)?;
    Ok(Json(
        service::community(
            &state,
            UserId(user.id),
            &slug,
            (range.from.as_deref(), range.to.as_deref()),
        )
        .await?,
    ))
}
