//! The accounts part of the public REST API (`/api/v1`): who is calling, other people's
//! profiles, and blocking.

use axum::{extract::State, Json};

use super::{caller::ApiCaller, service, PublicProfile, Scope, User, UserId};
use crate::platform::{
    error::{AppError, WireError},
    rest::PathArgs,
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

/// Someone's profile, as anyone may see it (and whether the caller blocked them).
#[utoipa::path(
    get,
    path = "/api/v1/users/{username}",
    tag = "accounts",
    params(("username" = String, Path, description = "Their username")),
    security(("bearer" = ["chat:read"])),
    responses(
        (status = 200, body = PublicProfile),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn profile(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(username): PathArgs<String>,
) -> Result<Json<PublicProfile>, AppError> {
    let user = caller.may(Scope::ChatRead)?;
    Ok(Json(
        service::public_profile(&state, Some(UserId(user.id)), &username).await?,
    ))
}

/// Blocks someone: neither sees the other's messages, direct conversations close.
#[utoipa::path(
    put,
    path = "/api/v1/users/{username}/block",
    tag = "accounts",
    params(("username" = String, Path, description = "Whom to block")),
    security(("bearer" = ["chat:write"])),
    responses(
        (status = 200, description = "Their profile, blocked", body = PublicProfile),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
        (status = 422, description = "Oneself", body = WireError),
    )
)]
pub async fn block(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(username): PathArgs<String>,
) -> Result<Json<PublicProfile>, AppError> {
    blocked(state, caller, username, true).await
}

/// Unblocks someone.
#[utoipa::path(
    delete,
    path = "/api/v1/users/{username}/block",
    tag = "accounts",
    params(("username" = String, Path, description = "Whom to unblock")),
    security(("bearer" = ["chat:write"])),
    responses(
        (status = 200, description = "Their profile, unblocked", body = PublicProfile),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn unblock(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(username): PathArgs<String>,
) -> Result<Json<PublicProfile>, AppError> {
    blocked(state, caller, username, false).await
}

async fn blocked(
    state: AppState,
    caller: ApiCaller,
    username: String,
    on: bool,
) -> Result<Json<PublicProfile>, AppError> {
    let user = caller.may(Scope::ChatWrite)?;
    Ok(Json(
        service::set_blocked(&state, UserId(user.id), &username, on).await?,
    ))
}
