//! The AI's API: a community's moderation threshold, translation on request, and "catch me
//! up" summaries (the moderators' queue is `moderation::reports::api`).

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

use crate::platform::error::AppError;

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

/// Free text into one of the app's languages — the original design's `POST /api/translate`
/// (`{"text": "…", "to": "en"}`, `"from"` optional); for those signed in. Nothing is cached.
#[server(prefix = "/api", endpoint = "translate", input = Json)]
pub async fn translate_text(
    text: String,
    to: String,
    #[server(default)] from: Option<String>,
) -> Result<super::TranslateOutcome, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            crate::auth::caller::current_user().await?;
            super::service::translate_text(&state, &text, from.as_deref(), &to).await
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
            super::service::moderation_settings(&state, crate::auth::UserId(me.user.id), &slug)
                .await
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
            super::service::set_threshold(&state, crate::auth::UserId(me.user.id), &slug, threshold)
                .await
        }
        .await,
    )
}
