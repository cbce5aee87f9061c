//! Reports and the moderators' queue in the public REST API (`/api/v1`): a bot reports a
//! message (with `chat:write`, like anyone who reads it); a moderation bot reads the queue,
//! clears a message or acts on its author (with `community:moderate`, where its person may) —
//! through the same service as the app, so the queue, the audit log and the closed reports
//! are the ones moderators see.

use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;

use super::{service, QueueItem, ReportReceived};
use crate::auth::UserId;
use crate::{
    auth::{caller::ApiCaller, Scope},
    chat::MessageId,
    community::Measure,
    platform::{
        error::{AppError, WireError},
        rest::{JsonBody, PathArgs},
        state::AppState,
    },
};

/// A report: why, and a note for the moderators.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReport {
    /// `spam`, `scam`, `harassment`, `hate`, `self_harm` or `other`.
    pub reason: String,
    /// Up to 500 characters.
    #[serde(default)]
    pub note: String,
}

/// Reports a message to its community's moderators (once per person and message; ten in ten
/// minutes).
#[utoipa::path(
    post,
    path = "/api/v1/messages/{message_id}/reports",
    tag = "moderation",
    params(("message_id" = String, Path, description = "The message's id")),
    request_body(content = NewReport, example = json!({"reason": "spam", "note": "Referral link posted in five channels"})),
    security(("bearer" = ["chat:write"])),
    responses(
        (status = 201, description = "Received", body = ReportReceived),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
        (status = 422, description = "A reason that is none of the six, or one's own message", body = WireError),
        (status = 429, body = WireError),
    )
)]
pub async fn report(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(message_id): PathArgs<String>,
    JsonBody(report): JsonBody<NewReport>,
) -> Result<(StatusCode, Json<ReportReceived>), AppError> {
    let user = caller.may(Scope::ChatWrite)?;
    let message = MessageId::parse(&message_id)?;
    let received = service::report(&state, user, message, &report.reason, &report.note).await?;
    Ok((StatusCode::CREATED, Json(received)))
}

/// A community's queue: reported and flagged messages and reported people, one entry each,
/// the most recently reported first.
#[utoipa::path(
    get,
    path = "/api/v1/communities/{slug}/reports",
    tag = "moderation",
    params(("slug" = String, Path, description = "The community's address name")),
    security(("bearer" = ["community:moderate"])),
    responses(
        (status = 200, body = Vec<QueueItem>),
        (status = 401, body = WireError),
        (status = 403, description = "Not a moderator there; or the token lacks the scope", body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn queue(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(slug): PathArgs<String>,
) -> Result<Json<Vec<QueueItem>>, AppError> {
    let user = caller.may(Scope::CommunityModerate)?;
    Ok(Json(service::queue(&state, UserId(user.id), &slug).await?))
}

/// Judges a queued message fine: its AI flag goes and its reports are dismissed.
#[utoipa::path(
    post,
    path = "/api/v1/messages/{message_id}/dismissal",
    tag = "moderation",
    params(("message_id" = String, Path, description = "The message's id")),
    security(("bearer" = ["community:moderate"])),
    responses(
        (status = 204, description = "Dismissed"),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn dismiss(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(message_id): PathArgs<String>,
) -> Result<StatusCode, AppError> {
    let user = caller.may(Scope::CommunityModerate)?;
    let message = MessageId::parse(&message_id)?;
    service::dismiss(&state, UserId(user.id), message).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What to do to a queued message's author, and why.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// `{"kind": "warn"}`, `{"kind": "timeout", "minutes": 60}`, `{"kind": "kick"}` or
    /// `{"kind": "ban"}`.
    pub measure: Measure,
    #[serde(default)]
    pub reason: String,
}

/// Acts on a queued message's author (warn, time out, kick, ban); its open reports close as
/// acted on.
#[utoipa::path(
    post,
    path = "/api/v1/messages/{message_id}/action",
    tag = "moderation",
    params(("message_id" = String, Path, description = "The message's id")),
    request_body(content = Action, example = json!({"measure": {"kind": "timeout", "minutes": 60}, "reason": "Spam"})),
    security(("bearer" = ["community:moderate"])),
    responses(
        (status = 204, description = "Done"),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
        (status = 422, body = WireError),
    )
)]
pub async fn act(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(message_id): PathArgs<String>,
    JsonBody(action): JsonBody<Action>,
) -> Result<StatusCode, AppError> {
    let user = caller.may(Scope::CommunityModerate)?;
    let message = MessageId::parse(&message_id)?;
    service::act_on_author(&state, user, message, action.measure, &action.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}
