//! Notifications over HTTP (`/api/notifications/*`): the inbox, marking it read, what a person
//! hears of a place, and the browsers they are pushed to.

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

use super::{Inbox, Level, Mute, NotificationSettings, PushKeys};
use crate::platform::error::AppError;

#[cfg(feature = "ssr")]
use super::service;
#[cfg(feature = "ssr")]
use crate::{auth::caller::current_user, community::ChannelId, platform::state::AppState};

/// A page of the inbox, newest first (`before`: the last entry's id, for older ones).
#[server(prefix = "/api/notifications", endpoint = "inbox", input = GetUrl)]
pub async fn load_inbox(before: Option<String>) -> Result<Inbox, AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            let before = before.and_then(|id| uuid::Uuid::parse_str(&id).ok());
            service::inbox(&state, crate::auth::UserId(me.id), before).await
        }
        .await,
    )
}

/// Marks inbox entries read (`ids`; every entry when empty). Answers what is left unread.
#[server(prefix = "/api/notifications", endpoint = "read", input = Json)]
pub async fn mark_inbox_read(ids: Vec<String>) -> Result<u64, AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            service::mark_read(&state, crate::auth::UserId(me.id), &ids).await
        }
        .await,
    )
}

/// What the caller hears of a channel and its community.
#[server(prefix = "/api/notifications", endpoint = "settings", input = GetUrl)]
pub async fn load_notification_settings(
    #[server(rename = "channelId")] channel_id: String,
) -> Result<NotificationSettings, AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            service::settings(
                &state,
                crate::auth::UserId(me.id),
                ChannelId::parse(&channel_id)?,
            )
            .await
        }
        .await,
    )
}

/// Changes what the caller hears of a channel (`wholeCommunity` false) or of its community:
/// a level (none: follow the community, or the default), or a mute.
#[server(prefix = "/api/notifications", endpoint = "set", input = Json)]
pub async fn set_notifications(
    #[server(rename = "channelId")] channel_id: String,
    #[server(rename = "wholeCommunity")] whole_community: bool,
    level: Option<Level>,
    mute: Option<Mute>,
) -> Result<NotificationSettings, AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            let channel = ChannelId::parse(&channel_id)?;
            service::set(
                &state,
                crate::auth::UserId(me.id),
                channel,
                whole_community,
                level,
                mute,
            )
            .await
        }
        .await,
    )
}

/// The server's Web Push key (`applicationServerKey`), base64url.
#[server(prefix = "/api/notifications", endpoint = "push_key", input = GetUrl)]
pub async fn push_key() -> Result<String, AppError> {
    crate::platform::state::respond(
        async move { Ok(service::public_key(&AppState::current()?)) }.await,
    )
}

/// Pushes to this browser from now on.
#[server(prefix = "/api/notifications", endpoint = "subscribe", input = Json)]
pub async fn push_subscribe(subscription: PushKeys) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            service::subscribe(&state, &me, subscription).await
        }
        .await,
    )
}

/// Stops pushing to this browser.
#[server(prefix = "/api/notifications", endpoint = "unsubscribe", input = Json)]
pub async fn push_unsubscribe(endpoint: String) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            service::unsubscribe(&state, crate::auth::UserId(me.id), &endpoint).await
        }
        .await,
    )
}
