//! The direct conversations API (`/api/messages/*`): thin server functions over `service`.
//! Leaving a group is `leave_community`, as for any community.

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

use super::Conversation;
use crate::platform::error::AppError;

#[cfg(feature = "ssr")]
use super::service;
#[cfg(feature = "ssr")]
use crate::{auth::caller::current_user, platform::state::AppState};

/// The signed-in person's conversations, the most recently active first.
#[server(prefix = "/api/messages", endpoint = "list", input = GetUrl)]
pub async fn list_conversations() -> Result<Vec<Conversation>, AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            service::list(&state, crate::auth::UserId(me.id)).await
        }
        .await,
    )
}

/// Starts a conversation with `with` (usernames separated by commas or spaces), or opens the
/// one the two people already have.
#[server(prefix = "/api/messages", endpoint = "start", input = Json)]
pub async fn start_conversation(with: String) -> Result<Conversation, AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            service::start(&state, &me, &super::usernames(&with)).await
        }
        .await,
    )
}

/// Adds a person to a group conversation the caller is in.
#[server(prefix = "/api/messages", endpoint = "add", input = Json)]
pub async fn add_to_conversation(slug: String, username: String) -> Result<Conversation, AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            service::add(&state, &me, &slug, &username).await
        }
        .await,
    )
}
