//! Sharing portfolios into channels, and reading a card's figures.

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

use super::{PortfolioCard, ShareRequest, Shareable};
use crate::{chat::ChatMessage, platform::error::AppError};

/// The signed-in person's portfolios, with what each holds.
#[server(prefix = "/api/cards", endpoint = "choices", input = GetUrl)]
pub async fn shareable_portfolios() -> Result<Vec<Shareable>, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            super::service::choices(&state, crate::auth::UserId(me.user.id)).await
        }
        .await,
    )
}

/// Shares a portfolio, or one holding, into a channel; the message arrives on the socket like
/// any other.
#[server(prefix = "/api/cards", endpoint = "share", input = Json)]
pub async fn share_portfolio(
    #[server(rename = "channelId")] channel_id: String,
    share: ShareRequest,
) -> Result<ChatMessage, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            let channel = crate::community::ChannelId::parse(&channel_id)?;
            super::service::share(&state, &me.user, channel, share).await
        }
        .await,
    )
}

/// A shared card's figures now (anyone who may read its channel; signed out in a public one).
#[server(prefix = "/api/cards", endpoint = "figures", input = GetUrl)]
pub async fn card_figures(
    #[server(rename = "messageId")] message_id: String,
) -> Result<PortfolioCard, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let viewer = crate::auth::caller::optional_user()
                .await?
                .map(|me| me.user.id);
            let message = crate::chat::MessageId::parse(&message_id)?;
            super::service::figures(&state, viewer.map(crate::auth::UserId), message).await
        }
        .await,
    )
}
