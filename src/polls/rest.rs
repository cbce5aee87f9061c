//! Polls in the public REST API (`/api/v1`): a bot asks one in a channel, votes, and closes it,
//! through the same service as the app (the same rights, limits and live results).

use super::{api::Voted, service, Ballot, NewPoll, Poll};
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
use axum::{extract::State, http::StatusCode, Json};

/// Asks a poll in a channel: the message that carries it, once stored and sent to the channel.
#[utoipa::path(
    post,
    path = "/api/v1/channels/{channel_id}/polls",
    tag = "polls",
    params(("channel_id" = String, Path, description = "The channel's id")),
    request_body(content = NewPoll, example = json!({"question": "Where does $AAPL close Friday?", "options": ["Higher", "Lower"], "kind": "single", "anonymous": false, "closesInMinutes": 60})),
    security(("bearer" = ["chat:write"])),
    responses(
        (status = 201, description = "Asked", body = ChatMessage),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, description = "Not a member, timed out; or the token lacks the scope", body = WireError),
        (status = 404, body = WireError),
        (status = 422, description = "Too few or too many answers, a question too long", body = WireError),
        (status = 429, body = WireError),
    )
)]
pub async fn ask(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(channel_id): PathArgs<String>,
    JsonBody(poll): JsonBody<NewPoll>,
) -> Result<(StatusCode, Json<ChatMessage>), AppError> {
    let user = caller.may(Scope::ChatWrite)?;
    let channel = ChannelId::parse(&channel_id)?;
    let asked = service::ask(&state, user, channel, &poll).await?;
    Ok((StatusCode::CREATED, Json(asked)))
}

/// Votes in a poll: `choices` are answers' positions from 0 (one for a single-choice poll); a
/// price-target poll takes `target` instead; neither takes the vote back.
#[utoipa::path(
    put,
    path = "/api/v1/polls/{message_id}/vote",
    tag = "polls",
    params(("message_id" = String, Path, description = "The poll's message id")),
    request_body(content = Ballot, example = json!({"choices": [0]})),
    security(("bearer" = ["chat:write"])),
    responses(
        (status = 200, description = "The result now, and the ballot", body = Voted),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
        (status = 422, description = "Closed, or an answer it does not have", body = WireError),
    )
)]
pub async fn vote(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(message_id): PathArgs<String>,
    JsonBody(ballot): JsonBody<Ballot>,
) -> Result<Json<Voted>, AppError> {
    let user = caller.may(Scope::ChatWrite)?;
    let message = MessageId::parse(&message_id)?;
    let (poll, ballot) = service::vote(
        &state,
        UserId(user.id),
        message,
        (&ballot.choices, ballot.target),
    )
    .await?;
    Ok(Json(Voted { poll, ballot }))
}

/// Closes a poll now (its author, or a moderator): votes stop, the result is final.
#[utoipa::path(
    post,
    path = "/api/v1/polls/{message_id}/close",
    tag = "polls",
    params(("message_id" = String, Path, description = "The poll's message id")),
    security(("bearer" = ["chat:write"])),
    responses(
        (status = 200, description = "The final result", body = Poll),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, description = "Someone else's poll, without the right to moderate", body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn close(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(message_id): PathArgs<String>,
) -> Result<Json<Poll>, AppError> {
    let user = caller.may(Scope::ChatWrite)?;
    let message = MessageId::parse(&message_id)?;
    Ok(Json(
        service::close(&state, UserId(user.id), message).await?,
    ))
}
