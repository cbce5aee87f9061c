//! An incoming webhook's address: another program posts words, and they arrive in the hook's
//! channel from its bot. The secret in the address is the credential: no sign-in, no cookie.

use axum::{extract::State, http::StatusCode, Json};

use super::service::{self, HookPost};
use crate::{
    chat::ChatMessage,
    platform::{
        error::{AppError, WireError},
        rest::{JsonBody, PathArgs},
        state::AppState,
    },
};

/// Post into a channel through an incoming webhook (installed by a community's admin under
/// Manage → Integrations, which shows the address once). The body is `{"text": "…"}` (or
/// Discord's `{"content": "…"}`), markdown up to 4,000 characters; the message comes from the
/// hook's bot, within its own limit (`BOT_RATE_LIMIT` a minute).
#[utoipa::path(
    post,
    path = "/api/v1/hooks/{hook_id}/{secret}",
    tag = "integrations",
    params(
        ("hook_id" = String, Path, description = "The webhook's id"),
        ("secret" = String, Path, description = "The webhook's secret, from its address"),
    ),
    request_body(content = HookPost, example = json!({"text": "CPI came in at 2.9%"})),
    responses(
        (status = 201, body = ChatMessage),
        (status = 400, description = "A body that cannot be read", body = WireError),
        (status = 404, description = "No webhook answers at this address (removed, or a wrong secret)", body = WireError),
        (status = 415, body = WireError),
        (status = 422, description = "No words, or too many", body = WireError),
        (status = 429, description = "The bot's limit; `Retry-After` says when", body = WireError),
    )
)]
pub async fn post(
    State(state): State<AppState>,
    PathArgs((id, secret)): PathArgs<(String, String)>,
    JsonBody(post): JsonBody<HookPost>,
) -> Result<(StatusCode, Json<ChatMessage>), AppError> {
    let message = service::post_from_hook(&state, &id, &secret, post).await?;
    Ok((StatusCode::CREATED, Json(message)))
}
