//! Notifications in the public REST API (`/api/v1`): the inbox a bot's person has (mentions,
//! replies, direct messages, reminders), marking it read, and what they hear of a channel —
//! through the same service as the app.

use axum::{extract::State, Json};
use serde::{Deserialize, Serialize};

use super::{service, Inbox, Level, Mute, NotificationSettings};
use crate::auth::UserId;
use crate::{
    auth::{caller::ApiCaller, Scope},
    community::ChannelId,
    platform::{
        error::{AppError, WireError},
        rest::{JsonBody, PathArgs, QueryArgs},
        state::AppState,
    },
};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxArgs {
    /// Entries older than this one (the last entry's id of the previous page).
    #[serde(default)]
    pub before: Option<String>,
}

/// A page of the inbox, newest first, and how many entries are unread in all.
#[utoipa::path(
    get,
    path = "/api/v1/notifications",
    tag = "notifications",
    params(InboxArgs),
    security(("bearer" = ["chat:read"])),
    responses(
        (status = 200, body = Inbox),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
    )
)]
pub async fn inbox(
    State(state): State<AppState>,
    caller: ApiCaller,
    QueryArgs(args): QueryArgs<InboxArgs>,
) -> Result<Json<Inbox>, AppError> {
    let user = caller.may(Scope::ChatRead)?;
    let before = match args.before {
        Some(id) => Some(
            uuid::Uuid::parse_str(&id)
                .map_err(|_| AppError::BadRequest("`before` is not an entry's id".into()))?,
        ),
        None => None,
    };
    Ok(Json(service::inbox(&state, UserId(user.id), before).await?))
}

/// Which entries to mark read.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadEntries {
    /// Entries' ids; every entry when empty.
    #[serde(default)]
    pub ids: Vec<String>,
}

/// How many entries are left unread.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Unread {
    pub unread: u64,
}

/// Marks inbox entries read.
#[utoipa::path(
    post,
    path = "/api/v1/notifications/read",
    tag = "notifications",
    request_body(content = ReadEntries, example = json!({"ids": []})),
    security(("bearer" = ["chat:write"])),
    responses(
        (status = 200, description = "What is left unread", body = Unread),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
    )
)]
pub async fn read(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(entries): JsonBody<ReadEntries>,
) -> Result<Json<Unread>, AppError> {
    let user = caller.may(Scope::ChatWrite)?;
    let unread = service::mark_read(&state, UserId(user.id), &entries.ids).await?;
    Ok(Json(Unread { unread }))
}

/// What the person hears of a channel and its community.
#[utoipa::path(
    get,
    path = "/api/v1/channels/{channel_id}/notifications",
    tag = "notifications",
    params(("channel_id" = String, Path, description = "The channel's id")),
    security(("bearer" = ["chat:read"])),
    responses(
        (status = 200, body = NotificationSettings),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, description = "Not a member; or the token lacks the scope", body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn settings(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(channel_id): PathArgs<String>,
) -> Result<Json<NotificationSettings>, AppError> {
    let user = caller.may(Scope::ChatRead)?;
    let channel = ChannelId::parse(&channel_id)?;
    Ok(Json(
        service::settings(&state, UserId(user.id), channel).await?,
    ))
}

/// A change to what the person hears.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsChange {
    /// The whole community (or conversation) rather than the channel alone.
    #[serde(default)]
    pub whole_community: bool,
    /// `all`, `mentions` or `nothing`; null follows the community (or the default).
    #[serde(default)]
    pub level: Option<Level>,
    /// `hour`, `eightHours`, `day`, `untilOn`; `off` lifts every mute on the channel.
    #[serde(default)]
    pub mute: Option<Mute>,
}

/// Changes what the person hears of a channel or its community: a level, or a mute.
#[utoipa::path(
    put,
    path = "/api/v1/channels/{channel_id}/notifications",
    tag = "notifications",
    params(("channel_id" = String, Path, description = "The channel's id")),
    request_body(content = SettingsChange, example = json!({"wholeCommunity": false, "level": "all", "mute": null})),
    security(("bearer" = ["chat:write"])),
    responses(
        (status = 200, description = "The settings now", body = NotificationSettings),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn set(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(channel_id): PathArgs<String>,
    JsonBody(change): JsonBody<SettingsChange>,
) -> Result<Json<NotificationSettings>, AppError> {
    let user = caller.may(Scope::ChatWrite)?;
    let channel = ChannelId::parse(&channel_id)?;
    Ok(Json(
        service::set(
            &state,
            UserId(user.id),
            channel,
            change.whole_community,
            change.level,
            change.mute,
        )
        .await?,
    ))
}
