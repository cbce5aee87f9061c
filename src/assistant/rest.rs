//! The assistant part of the public REST API (`/api/v1`).

use axum::{extract::State, Json};

use super::{api::Question, QueryReply};
use crate::auth::UserId;
use crate::{
    auth::{caller::ApiCaller, Scope},
    platform::{
        error::{AppError, WireError},
        rest::JsonBody,
        state::AppState,
    },
};

/// Asks the finance assistant; it answers from live market data and the person's portfolio.
///
/// Without `conversationId` a new conversation starts; with it, the question goes on with that
/// one (the answer names it either way).
#[utoipa::path(
    post,
    path = "/api/v1/assistant/query",
    tag = "assistant",
    request_body(content = Question, example = json!({"message": "How is AAPL doing today?"})),
    security(("bearer" = ["assistant"])),
    responses(
        (status = 200, body = QueryReply),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, description = "No such conversation of the person's", body = WireError),
        (status = 422, description = "Empty or too long", body = WireError),
    )
)]
pub async fn query(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(question): JsonBody<Question>,
) -> Result<Json<QueryReply>, AppError> {
    let user = caller.may(Scope::Assistant)?;
    let exchange = super::service::ask(
        &state,
        UserId(user.id),
        question.conversation()?,
        &question.message,
        None,
    )
    .await?;
    Ok(Json(QueryReply {
        reply: exchange.answer.text,
        conversation_id: exchange.conversation.id,
        timestamp: exchange.answer.at,
        cards: exchange.answer.cards,
    }))
}
