//! The moderators' side of flagging: the queue of flagged messages and dismissing a flag.
//! (Deleting the message and banning its author use the chat and community APIs.)

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

use super::FlaggedMessage;
use crate::platform::error::AppError;

/// Flagged messages of a community, newest first; for people who may moderate messages there.
#[server(prefix = "/api/moderation", endpoint = "queue", input = GetUrl)]
pub async fn moderation_queue(slug: String) -> Result<Vec<FlaggedMessage>, AppError> {
    crate::platform::server::respond(
        async move {
            let state = crate::platform::server::AppState::current()?;
            let me = crate::platform::auth::current_user().await?;
            crate::chat::service::flagged(&state, me.user.id, &slug).await
        }
        .await,
    )
}

/// Marks a flag as wrong; the badge disappears for everyone.
#[server(prefix = "/api/moderation", endpoint = "dismiss", input = Json)]
pub async fn dismiss_flag(#[server(rename = "messageId")] message_id: String) -> Result<(), AppError> {
    crate::platform::server::respond(
        async move {
            let state = crate::platform::server::AppState::current()?;
            let me = crate::platform::auth::current_user().await?;
            crate::chat::service::dismiss_flag(&state, me.user.id, &message_id).await
        }
        .await,
    )
}

/// Deletes a flagged message (the same soft delete as in the chat).
#[server(prefix = "/api/moderation", endpoint = "delete", input = Json)]
pub async fn delete_flagged(#[server(rename = "messageId")] message_id: String) -> Result<(), AppError> {
    crate::platform::server::respond(
        async move {
            let state = crate::platform::server::AppState::current()?;
            let me = crate::platform::auth::current_user().await?;
            crate::chat::service::delete(&state, me.user.id, &message_id).await
        }
        .await,
    )
}
