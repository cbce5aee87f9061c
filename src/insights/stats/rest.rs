//! A person's own statistics in the public REST API (`/api/v1/me/activity`).

use axum::{extract::State, Json};

use super::{service, MyActivity};
use crate::{
    auth::{caller::ApiCaller, Scope},
    platform::{
        error::{AppError, WireError},
        state::AppState,
    },
};

/// The person's chat activity: messages, reactions received, active days and streaks, the
/// last 30 days.
#[utoipa::path(
    get,
    path = "/api/v1/me/activity",
    tag = "statistics",
    security(("bearer" = ["chat:read"])),
    responses(
        (status = 200, body = MyActivity),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
    )
)]
pub async fn activity(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<MyActivity>, AppError> {
    let user = caller.may(Scope::ChatRead)?;
    Ok(Json(service::mine(&state, user).await?))
}
