//! The messages part of the public REST API (`/api/v1`): a bot or script reads a channel's
//! history and sends, edits, deletes and reacts over plain HTTP, through the same service as
//! the socket — so the same rules hold (rights, the 10-a-minute limit, moderation, unread
//! counts, notifications), and everyone watching the channel sees the result live.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde::{Deserialize, Serialize};

use super::{
    service::{self, Draft, Sending},
    ChatMessage, HistoryPage, MessageId, Reaction,
};
use crate::auth::UserId;
use crate::{
    auth::{caller::ApiCaller, Scope},
    community::ChannelId,
    kit::{i18n::Locale, languages::locale_of},
    platform::{
        error::{AppError, WireError},
        rest::{JsonBody, PathArgs, QueryArgs},
        state::AppState,
    },
};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct HistoryArgs {
    /// Messages before this sequence number (the first of the previous page); the newest
    /// without.
    #[serde(default)]
    pub before: Option<i64>,
}

/// A page of a channel's history: up to 50 messages, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/channels/{channel_id}/messages",
    tag = "messages",
    params(("channel_id" = String, Path, description = "The channel's id"), HistoryArgs),
    security(("bearer" = ["chat:read"])),
    responses(
        (status = 200, body = HistoryPage),
        (status = 400, description = "An argument that cannot be read", body = WireError),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn history(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(channel_id): PathArgs<String>,
    QueryArgs(args): QueryArgs<HistoryArgs>,
) -> Result<Json<HistoryPage>, AppError> {
    let user = caller.may(Scope::ChatRead)?;
    let channel = ChannelId::parse(&channel_id)?;
    Ok(Json(
        service::history(&state, Some(UserId(user.id)), channel, args.before, None).await?,
    ))
}

/// A message to send.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewMessage {
    /// Markdown, up to 4,000 characters. A line starting with `/` is a command
    /// (`/stock=aapl.us`); `//` sends a slash as text.
    pub body: String,
    /// The id of a message in the same channel this one answers.
    #[serde(default)]
    pub reply_to: Option<String>,
    /// Ids of files the sender uploaded to this channel (`POST /api/v1/files`) and has not
    /// sent yet; up to 10. With files the words may be empty.
    #[serde(default)]
    pub attachments: Vec<String>,
}

/// A command's private answer (nothing was posted in the channel).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommandReply {
    /// In the person's language, a line each.
    pub lines: Vec<String>,
}

/// Sends a message (or runs a command) in a channel.
///
/// Answers once the message is stored, with it as its readers see it. It counts toward the
/// sender's limit of 10 a minute like any message: over it, 429 with `Retry-After`.
#[utoipa::path(
    post,
    path = "/api/v1/channels/{channel_id}/messages",
    tag = "messages",
    params(("channel_id" = String, Path, description = "The channel's id")),
    request_body(content = NewMessage, example = json!({"body": "$AAPL beat on services, guidance light", "replyTo": null, "attachments": []})),
    security(("bearer" = ["chat:write"])),
    responses(
        (status = 201, description = "Stored and sent to the channel", body = ChatMessage),
        (status = 200, description = "A command answered privately", body = CommandReply),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, description = "Not a member, read-only channel, timed out; or the token lacks the scope", body = WireError),
        (status = 404, body = WireError),
        (status = 415, description = "The body is not JSON", body = WireError),
        (status = 422, description = "Empty or too long", body = WireError),
        (status = 429, description = "Over the limit; `Retry-After` says when to try again", body = WireError),
    )
)]
pub async fn send(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(channel_id): PathArgs<String>,
    JsonBody(message): JsonBody<NewMessage>,
) -> Result<Response, AppError> {
    let user = caller.may(Scope::ChatWrite)?;
    let channel = ChannelId::parse(&channel_id)?;
    let access = service::channel_access(&state, Some(UserId(user.id)), channel).await?;
    let draft = Draft {
        nonce: None,
        body: &message.body,
        reply_to: message.reply_to.as_deref(),
        attachments: &message.attachments,
    };
    match service::send_with(&state, user, &access, draft).await? {
        Sending::Stored(receipt) => {
            let stored = receipt.await?;
            Ok((StatusCode::CREATED, Json(stored.message)).into_response())
        }
        Sending::Reply(lines) => {
            let locale = locale_of(&user.preferred_language).unwrap_or(Locale::en);
            let lines = lines.iter().map(|line| line.render(locale)).collect();
            Ok(Json(CommandReply { lines }).into_response())
        }
    }
}

/// New words for a message.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Edit {
    pub body: String,
}

/// Edits one of the person's messages.
#[utoipa::path(
    patch,
    path = "/api/v1/messages/{message_id}",
    tag = "messages",
    params(("message_id" = String, Path, description = "The message's id")),
    request_body(content = Edit, example = json!({"body": "$AAPL beat on services; guidance was light"})),
    security(("bearer" = ["chat:write"])),
    responses(
        (status = 200, description = "The message as edited", body = ChatMessage),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, description = "Someone else's message", body = WireError),
        (status = 404, body = WireError),
        (status = 422, body = WireError),
        (status = 429, body = WireError),
    )
)]
pub async fn edit(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(message_id): PathArgs<String>,
    JsonBody(edit): JsonBody<Edit>,
) -> Result<Json<ChatMessage>, AppError> {
    let user = caller.may(Scope::ChatWrite)?;
    let id = MessageId::parse(&message_id)?;
    Ok(Json(
        service::edit(&state, UserId(user.id), id, &edit.body).await?,
    ))
}

/// Deletes a message: one's own, or anyone's with the right to manage messages.
#[utoipa::path(
    delete,
    path = "/api/v1/messages/{message_id}",
    tag = "messages",
    params(("message_id" = String, Path, description = "The message's id")),
    security(("bearer" = ["chat:write"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(message_id): PathArgs<String>,
) -> Result<StatusCode, AppError> {
    let user = caller.may(Scope::ChatWrite)?;
    let id = MessageId::parse(&message_id)?;
    service::delete(&state, UserId(user.id), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds the person's reaction (an emoji, percent-encoded in the path).
#[utoipa::path(
    put,
    path = "/api/v1/messages/{message_id}/reactions/{emoji}",
    tag = "messages",
    params(
        ("message_id" = String, Path, description = "The message's id"),
        ("emoji" = String, Path, description = "One emoji, percent-encoded (👍 is %F0%9F%91%8D)"),
    ),
    security(("bearer" = ["chat:write"])),
    responses(
        (status = 200, description = "The message's reactions now", body = Vec<Reaction>),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
        (status = 422, description = "Not an emoji", body = WireError),
    )
)]
pub async fn react(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs((message_id, emoji)): PathArgs<(String, String)>,
) -> Result<Json<Vec<Reaction>>, AppError> {
    reaction(state, caller, message_id, emoji, true).await
}

/// Takes the person's reaction back.
#[utoipa::path(
    delete,
    path = "/api/v1/messages/{message_id}/reactions/{emoji}",
    tag = "messages",
    params(
        ("message_id" = String, Path, description = "The message's id"),
        ("emoji" = String, Path, description = "One emoji, percent-encoded"),
    ),
    security(("bearer" = ["chat:write"])),
    responses(
        (status = 200, description = "The message's reactions now", body = Vec<Reaction>),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
        (status = 422, body = WireError),
    )
)]
pub async fn unreact(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs((message_id, emoji)): PathArgs<(String, String)>,
) -> Result<Json<Vec<Reaction>>, AppError> {
    reaction(state, caller, message_id, emoji, false).await
}

async fn reaction(
    state: AppState,
    caller: ApiCaller,
    message_id: String,
    emoji: String,
    on: bool,
) -> Result<Json<Vec<Reaction>>, AppError> {
    let user = caller.may(Scope::ChatWrite)?;
    let id = MessageId::parse(&message_id)?;
    Ok(Json(
        service::react(&state, UserId(user.id), id, &emoji, on).await?,
    ))
}

/// A channel's pinned messages, the most recently pinned first.
#[utoipa::path(
    get,
    path = "/api/v1/channels/{channel_id}/pins",
    tag = "messages",
    params(("channel_id" = String, Path, description = "The channel's id")),
    security(("bearer" = ["chat:read"])),
    responses(
        (status = 200, body = Vec<ChatMessage>),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn pins(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(channel_id): PathArgs<String>,
) -> Result<Json<Vec<ChatMessage>>, AppError> {
    let user = caller.may(Scope::ChatRead)?;
    let channel = ChannelId::parse(&channel_id)?;
    Ok(Json(
        service::pins(&state, Some(UserId(user.id)), channel).await?,
    ))
}

/// Pins a message in its channel (with the right to pin); everyone watching sees it live.
#[utoipa::path(
    put,
    path = "/api/v1/messages/{message_id}/pin",
    tag = "moderation",
    params(("message_id" = String, Path, description = "The message's id")),
    security(("bearer" = ["community:moderate"])),
    responses(
        (status = 200, description = "The message, pinned", body = ChatMessage),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, description = "Without the right to pin; or the token lacks the scope", body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn pin(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(message_id): PathArgs<String>,
) -> Result<Json<ChatMessage>, AppError> {
    pinned(state, caller, message_id, true).await
}

/// Unpins a message.
#[utoipa::path(
    delete,
    path = "/api/v1/messages/{message_id}/pin",
    tag = "moderation",
    params(("message_id" = String, Path, description = "The message's id")),
    security(("bearer" = ["community:moderate"])),
    responses(
        (status = 200, description = "The message, unpinned", body = ChatMessage),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn unpin(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(message_id): PathArgs<String>,
) -> Result<Json<ChatMessage>, AppError> {
    pinned(state, caller, message_id, false).await
}

async fn pinned(
    state: AppState,
    caller: ApiCaller,
    message_id: String,
    on: bool,
) -> Result<Json<ChatMessage>, AppError> {
    let user = caller.may(Scope::CommunityModerate)?;
    let id = MessageId::parse(&message_id)?;
    Ok(Json(service::pin(&state, UserId(user.id), id, on).await?))
}
