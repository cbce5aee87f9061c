//! Events in the public REST API: a community's calendar (`/api/v1/communities/{slug}/events`),
//! planning one in a channel, and answering one — through the same service as the app.

use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;

use super::{Answer, Event, NewEvent};
use crate::auth::UserId;
use crate::{
    auth::{caller::ApiCaller, Scope},
    chat::{ChatMessage, MessageId},
    community::ChannelId,
    platform::{
        error::{AppError, WireError},
        rest::{JsonBody, PathArgs},
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

/// Plans an event in a channel: the message that carries it, once stored and sent.
#[utoipa::path(
    post,
    path = "/api/v1/channels/{channel_id}/events",
    tag = "events",
    params(("channel_id" = String, Path, description = "The channel's id")),
    request_body(content = NewEvent, example = json!({"title": "NVDA earnings call", "description": "Listen together", "starts": "2026-12-03T16:30", "timeZone": "America/New_York", "symbol": "NVDA", "remindMinutes": 15})),
    security(("bearer" = ["chat:write"])),
    responses(
        (status = 201, description = "Planned", body = ChatMessage),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
        (status = 422, description = "A time that cannot be read, or in the past", body = WireError),
        (status = 429, body = WireError),
    )
)]
pub async fn plan(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(channel_id): PathArgs<String>,
    JsonBody(event): JsonBody<NewEvent>,
) -> Result<(StatusCode, Json<ChatMessage>), AppError> {
    let user = caller.may(Scope::ChatWrite)?;
    let channel = ChannelId::parse(&channel_id)?;
    let planned = super::service::plan(&state, user, channel, &event).await?;
    Ok((StatusCode::CREATED, Json(planned)))
}

/// Whether one is coming.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventAnswer {
    /// `going`, `maybe` or `declined`; null takes the answer back.
    pub answer: Option<Answer>,
}

/// Answers an event (or takes the answer back).
#[utoipa::path(
    put,
    path = "/api/v1/events/{message_id}/answer",
    tag = "events",
    params(("message_id" = String, Path, description = "The event's message id")),
    request_body(content = EventAnswer, example = json!({"answer": "going"})),
    security(("bearer" = ["chat:write"])),
    responses(
        (status = 200, description = "The event with its answers now", body = Event),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn answer(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(message_id): PathArgs<String>,
    JsonBody(said): JsonBody<EventAnswer>,
) -> Result<Json<Event>, AppError> {
    let user = caller.may(Scope::ChatWrite)?;
    let message = MessageId::parse(&message_id)?;
    Ok(Json(
        super::service::answer(&state, UserId(user.id), message, said.answer).await?,
    ))
}
