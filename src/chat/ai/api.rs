//! The AI's API: the moderators' queue of flagged messages and its actions (deleting the
//! message and banning its author use the chat and community APIs), a community's threshold,
//! translation on request, and "catch me up" summaries.

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

use super::FlaggedMessage;
use crate::platform::error::AppError;

/// Flagged messages of a community, newest first; for people who may moderate messages there.
#[server(prefix = "/api/moderation", endpoint = "queue", input = GetUrl)]
pub async fn moderation_queue(slug: String) -> Result<Vec<FlaggedMessage>, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            crate::chat::service::flagged(&state, me.user.id, &slug).await
        }
        .await,
    )
}

/// Marks a flag as wrong; the badge disappears for everyone.
#[server(prefix = "/api/moderation", endpoint = "dismiss", input = Json)]
pub async fn dismiss_flag(
    #[server(rename = "messageId")] message_id: String,
) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            let message = crate::chat::MessageId::parse(&message_id)?;
            crate::chat::service::dismiss_flag(&state, me.user.id, message).await
        }
        .await,
    )
}

/// Deletes a flagged message (the same soft delete as in the chat).
#[server(prefix = "/api/moderation", endpoint = "delete", input = Json)]
pub async fn delete_flagged(
    #[server(rename = "messageId")] message_id: String,
) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            let message = crate::chat::MessageId::parse(&message_id)?;
            crate::chat::service::delete(&state, me.user.id, message).await
        }
        .await,
    )
}

/// A message in the reader's preferred language (cached for everyone after the first ask).
#[server(prefix = "/api/ai", endpoint = "translate", input = Json)]
pub async fn translate_message(
    #[server(rename = "messageId")] message_id: String,
) -> Result<super::TranslateOutcome, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            let message = crate::chat::MessageId::parse(&message_id)?;
            super::service::translate_for(&state, &me.user, message).await
        }
        .await,
    )
}

/// The languages this server can translate into the reader's language.
#[server(prefix = "/api/ai", endpoint = "translation_sources", input = GetUrl)]
pub async fn translation_sources() -> Result<Vec<String>, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            Ok(super::service::sources_for(&state, &me.user.preferred_language).await)
        }
        .await,
    )
}

/// "Catch me up": a summary of the channel's unread messages (nothing is marked read). A page
/// that has marked them read since it opened passes `sinceSeq`, the read position it opened at.
#[server(prefix = "/api/ai", endpoint = "catch_up", input = GetUrl)]
pub async fn catch_up(
    #[server(rename = "channelId")] channel_id: String,
    #[server(default)] translate: bool,
    #[server(rename = "sinceSeq")]
    #[server(default)]
    since_seq: Option<i64>,
) -> Result<super::CatchUp, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            let channel = crate::community::ChannelId::parse(&channel_id)?;
            super::service::catch_up(&state, &me.user, channel, translate, since_seq).await
        }
        .await,
    )
}

/// A community's moderation threshold (for those who manage the community).
#[server(prefix = "/api/moderation", endpoint = "settings", input = GetUrl)]
pub async fn moderation_settings(slug: String) -> Result<super::ModerationSettings, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            super::service::moderation_settings(&state, me.user.id, &slug).await
        }
        .await,
    )
}

/// Sets the community's toxicity threshold; `null` goes back to the server's default.
#[server(prefix = "/api/moderation", endpoint = "threshold", input = Json)]
pub async fn set_moderation_threshold(
    slug: String,
    #[server(default)] threshold: Option<f32>,
) -> Result<super::ModerationSettings, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            super::service::set_threshold(&state, me.user.id, &slug, threshold).await
        }
        .await,
    )
}
