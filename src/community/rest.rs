//! The communities part of the public REST API (`/api/v1`): what a script may read of the
//! communities its person can see.

use axum::{extract::State, Json};
use serde::Serialize;

use super::{service, ChannelInfo, CommunitySummary, MemberInfo};
use crate::auth::UserId;
use crate::{
    auth::{caller::ApiCaller, Scope},
    platform::{
        error::{AppError, WireError},
        rest::PathArgs,
        state::AppState,
    },
};

/// The person's communities, and the public ones they have not joined.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Communities {
    pub joined: Vec<CommunitySummary>,
    pub public: Vec<CommunitySummary>,
}

/// One community and its channels (with the person's read positions).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommunityDetail {
    pub community: CommunitySummary,
    pub channels: Vec<ChannelInfo>,
}

/// The communities the person is in, and the public ones they could join.
#[utoipa::path(
    get,
    path = "/api/v1/communities",
    tag = "communities",
    security(("bearer" = ["chat:read"])),
    responses(
        (status = 200, body = Communities),
        (status = 401, body = WireError),
        (status = 403, description = "The token lacks the scope", body = WireError),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Communities>, AppError> {
    let user = caller.may(Scope::ChatRead)?;
    let (joined, public) = service::list(&state, Some(UserId(user.id))).await?;
    Ok(Json(Communities { joined, public }))
}

/// A community by its slug, with its channels.
#[utoipa::path(
    get,
    path = "/api/v1/communities/{slug}",
    tag = "communities",
    params(("slug" = String, Path, description = "The community's address name")),
    security(("bearer" = ["chat:read"])),
    responses(
        (status = 200, body = CommunityDetail),
        (status = 401, body = WireError),
        (status = 403, description = "Private, or the person is banned; or the token lacks the scope", body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn one(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(slug): PathArgs<String>,
) -> Result<Json<CommunityDetail>, AppError> {
    let user = caller.may(Scope::ChatRead)?;
    let view = service::view(&state, Some(UserId(user.id)), &slug).await?;
    Ok(Json(CommunityDetail {
        community: view.community,
        channels: view.channels,
    }))
}

/// A community's members.
#[utoipa::path(
    get,
    path = "/api/v1/communities/{slug}/members",
    tag = "communities",
    params(("slug" = String, Path, description = "The community's address name")),
    security(("bearer" = ["chat:read"])),
    responses(
        (status = 200, body = Vec<MemberInfo>),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn members(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(slug): PathArgs<String>,
) -> Result<Json<Vec<MemberInfo>>, AppError> {
    let user = caller.may(Scope::ChatRead)?;
    Ok(Json(
        service::members(&state, Some(UserId(user.id)), &slug).await?,
    ))
}
