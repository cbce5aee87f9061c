//! Polls' API: ask one in a channel, vote (or change or take back a vote), read one's own.

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};
use serde::{Deserialize, Serialize};

use super::{Ballot, NewPoll, Poll};
use crate::{chat::ChatMessage, platform::error::AppError};

/// Asks a poll in a channel (`{"channelId", "poll": {"question", "options", "kind",
/// "anonymous", "closesInMinutes"}}`): the message that carries it, once stored.
#[server(prefix = "/api/polls", endpoint = "ask", input = Json)]
pub async fn ask_poll(
    #[server(rename = "channelId")] channel_id: String,
    poll: NewPoll,
) -> Result<ChatMessage, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            let channel = crate::community::ChannelId::parse(&channel_id)?;
            super::service::ask(&state, &me.user, channel, &poll).await
        }
        .await,
    )
}

/// The result after a vote, and what the voter chose.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Voted {
    pub poll: Poll,
    pub ballot: Ballot,
}

/// Votes in a poll: `choices` are answers' positions from 0 (one for a single-choice poll);
/// a price-target poll takes `target`, a number, instead. Neither takes the vote back. Until
/// the poll closes.
#[server(prefix = "/api/polls", endpoint = "vote", input = Json)]
pub async fn vote(
    #[server(rename = "messageId")] message_id: String,
    #[server(default)] choices: Vec<u32>,
    #[server(default)] target: Option<f64>,
) -> Result<Voted, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            let message = crate::chat::MessageId::parse(&message_id)?;
            let (poll, ballot) = super::service::vote(
                &state,
                crate::auth::UserId(me.user.id),
                message,
                (&choices, target),
            )
            .await?;
            Ok(Voted { poll, ballot })
        }
        .await,
    )
}

/// The price a price-target poll is against, now (none when the market source does not know
/// its stock).
#[server(prefix = "/api/polls", endpoint = "price", input = GetUrl)]
pub async fn poll_price(
    #[server(rename = "messageId")] message_id: String,
) -> Result<Option<super::PricePoint>, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::optional_user().await?;
            let message = crate::chat::MessageId::parse(&message_id)?;
            super::service::price(
                &state,
                me.map(|m| m.user.id).map(crate::auth::UserId),
                message,
            )
            .await
        }
        .await,
    )
}

/// What the caller chose in a poll.
#[server(prefix = "/api/polls", endpoint = "ballot", input = GetUrl)]
pub async fn my_ballot(
    #[server(rename = "messageId")] message_id: String,
) -> Result<Ballot, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            let message = crate::chat::MessageId::parse(&message_id)?;
            super::service::ballot(&state, crate::auth::UserId(me.user.id), message).await
        }
        .await,
    )
}
