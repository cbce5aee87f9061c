//! A community's calendar in the public REST API (`/api/v1/communities/{slug}/events`).

use axum::{extract::State, Json};

use crate::auth::UserId;
use crate::{
    auth::{caller::ApiCaller, Scope},
    platform::{
        error::{AppError, WireError},
        rest::PathArgs,
        state::AppState,
    },
};

/// A community's calendar: the events coming up (soonest first) and those past (latest first),
/// with their answers — what `/events/<community>` shows.
#[utoipa::path(
    get,
    path = "/api/v1/communities/{slug}/events",
    tag = "communities",
    params(("slug" = String, Path, description = "The community's slug")),
    security(("bearer" = ["chat:read"])),
    responses(
        (status = 200, body = super::Calendar),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn events(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(slug): PathArgs<String>,
) -> Result<Json<super::Calendar>, AppError> {
    let user = caller.may(Scope::ChatRead)?;
    Ok(Json(
        super::service::calendar(&state, Some(UserId(user.id)), &slug).await?,
    ))
}
