//! The accounts part of the public REST API (`/api/v1`).

use axum::{extract::State, Json};

use super::{caller::ApiCaller, service, User};
use crate::platform::{
    error::{AppError, WireError},
    state::AppState,
};

/// Who the token or session belongs to.
///
/// Any good token may ask, whatever its scopes: a script checks its credential with it.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The person", body = User),
        (status = 401, description = "No credential, or one that is no longer good", body = WireError),
    )
)]
pub async fn me(State(_): State<AppState>, caller: ApiCaller) -> Result<Json<User>, AppError> {
    Ok(Json(service::to_user(&caller.user)))
}
