//! The assistant's server functions, for the page and for scripts (cookie or
//! `Authorization: Bearer`):
//!
//! - `POST /api/chatbot/query` `{message, conversationId?}` → `{reply, conversationId,
//!   timestamp, cards}` — the original app's script API;
//! - `POST /api/assistant/ask` `{message, conversationId?, request?}` → the question and the
//!   answer as stored (the page; a hosted model's answer also streams over the socket as
//!   `assistantDelta` events carrying `request`);
//! - `GET /api/assistant/conversations`, `GET /api/assistant/conversation?id=…`,
//!   `POST /api/assistant/rename {id, title}`, `POST /api/assistant/delete {id}`.

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};
use serde::{Deserialize, Serialize};

use super::{Conversation, ConversationView, Exchange, QueryReply};
use crate::platform::error::AppError;

#[cfg(feature = "ssr")]
use crate::{
    auth::caller::current_user,
    platform::state::{respond, AppState},
};

#[cfg(feature = "ssr")]
impl Question {
    /// The conversation to go on with: none (or blank) starts a new one; text that is no
    /// conversation's id is "not found".
    pub(super) fn conversation(&self) -> Result<Option<super::ConversationId>, AppError> {
        self.conversation_id
            .as_deref()
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(super::ConversationId::parse)
            .transpose()
    }
}

/// A question, as scripts and the page send it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Question {
    pub message: String,
    #[serde(default)]
    pub conversation_id: Option<String>,
}

#[server(prefix = "/api/chatbot", endpoint = "query", input = Json)]
pub async fn chatbot_query(#[server(flatten)] question: Question) -> Result<QueryReply, AppError> {
    respond(
        async move {
            let exchange = super::service::ask(
                &AppState::current()?,
                crate::auth::UserId(current_user().await?.user.id),
                question.conversation()?,
                &question.message,
                None,
            )
            .await?;
            Ok(QueryReply {
                reply: exchange.answer.text,
                conversation_id: exchange.conversation.id,
                timestamp: exchange.answer.at,
                cards: exchange.answer.cards,
            })
        }
        .await,
    )
}

#[server(prefix = "/api/assistant", endpoint = "ask", input = Json)]
pub async fn ask_assistant(
    #[server(flatten)] question: Question,
    #[server(default)] request: Option<String>,
) -> Result<Exchange, AppError> {
    respond(
        async move {
            super::service::ask(
                &AppState::current()?,
                crate::auth::UserId(current_user().await?.user.id),
                question.conversation()?,
                &question.message,
                request,
            )
            .await
        }
        .await,
    )
}

/// The person's conversations, newest first.
#[server(prefix = "/api/assistant", endpoint = "conversations", input = GetUrl)]
pub async fn list_conversations() -> Result<Vec<Conversation>, AppError> {
    respond(
        async move {
            super::service::list(
                &AppState::current()?.db,
                crate::auth::UserId(current_user().await?.user.id),
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api/assistant", endpoint = "conversation", input = GetUrl)]
pub async fn open_conversation(id: String) -> Result<ConversationView, AppError> {
    respond(
        async move {
            let id = super::ConversationId::parse(&id)?;
            super::service::open(
                &AppState::current()?.db,
                crate::auth::UserId(current_user().await?.user.id),
                id,
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api/assistant", endpoint = "rename", input = Json)]
pub async fn rename_conversation(id: String, title: String) -> Result<Conversation, AppError> {
    respond(
        async move {
            super::service::rename(
                &AppState::current()?.db,
                crate::auth::UserId(current_user().await?.user.id),
                super::ConversationId::parse(&id)?,
                &title,
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api/assistant", endpoint = "delete", input = Json)]
pub async fn delete_conversation(id: String) -> Result<(), AppError> {
    respond(
        async move {
            let id = super::ConversationId::parse(&id)?;
            super::service::delete(
                &AppState::current()?.db,
                crate::auth::UserId(current_user().await?.user.id),
                id,
            )
            .await
        }
        .await,
    )
}
