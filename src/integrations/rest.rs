//! The marketplace in the public REST API (`/api/v1/communities/{slug}/integrations`): with
//! `community:manage`, where its person manages integrations, a program lists what is
//! installed, installs a bot or a webhook, and removes one — through the same service as
//! Manage → Integrations.

use axum::{extract::State, http::StatusCode, Json};

use super::{service, Installation, Marketplace, NewIntegration};
use crate::auth::UserId;
use crate::{
    auth::{caller::ApiCaller, Scope},
    platform::{
        error::{AppError, WireError},
        rest::{JsonBody, PathArgs},
        state::AppState,
    },
};

/// What a community has installed.
#[utoipa::path(
    get,
    path = "/api/v1/communities/{slug}/integrations",
    tag = "integrations",
    params(("slug" = String, Path, description = "The community's address name")),
    security(("bearer" = ["community:manage"])),
    responses(
        (status = 200, body = Marketplace),
        (status = 401, body = WireError),
        (status = 403, description = "Without the right to manage integrations; or the token lacks the scope", body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(slug): PathArgs<String>,
) -> Result<Json<Marketplace>, AppError> {
    let user = caller.may(Scope::CommunityManage)?;
    Ok(Json(
        service::marketplace(&state, UserId(user.id), &slug).await?,
    ))
}

/// Installs a bot or a webhook: the stock bot, a price-alert bot, a news feed, an incoming or
/// an outgoing webhook. A webhook's secret is in the answer, this once.
#[utoipa::path(
    post,
    path = "/api/v1/communities/{slug}/integrations",
    tag = "integrations",
    params(("slug" = String, Path, description = "The community's address name")),
    request_body(content = NewIntegration, example = json!({"kind": "price-alert", "name": "AAPL watch", "channel": "0193a5c2-7f1e-7d3a-9b1c-2f4e6a8b0c1d", "url": null, "symbols": "AAPL", "rule": {"when": "above", "price": 250.0}})),
    security(("bearer" = ["community:manage"])),
    responses(
        (status = 201, description = "Installed", body = Installation),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
        (status = 409, description = "Installed already (the stock bot is one a community)", body = WireError),
        (status = 422, description = "A name, channel, address or rule that does not fit", body = WireError),
    )
)]
pub async fn install(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(slug): PathArgs<String>,
    JsonBody(item): JsonBody<NewIntegration>,
) -> Result<(StatusCode, Json<Installation>), AppError> {
    let user = caller.may(Scope::CommunityManage)?;
    let made = service::install(&state, UserId(user.id), &slug, item).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// Removes an installed item (what its bot posted stays).
#[utoipa::path(
    delete,
    path = "/api/v1/communities/{slug}/integrations/{integration_id}",
    tag = "integrations",
    params(
        ("slug" = String, Path, description = "The community's address name"),
        ("integration_id" = String, Path, description = "The installed item's id"),
    ),
    security(("bearer" = ["community:manage"])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn remove(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs((slug, id)): PathArgs<(String, String)>,
) -> Result<StatusCode, AppError> {
    let user = caller.may(Scope::CommunityManage)?;
    service::remove(&state, UserId(user.id), &slug, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
