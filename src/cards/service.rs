//! Sharing a portfolio into a channel, and reading a card's figures for someone who may read
//! its channel.

use std::collections::HashMap;

use chrono::Utc;
use futures::future::BoxFuture;
use uuid::Uuid;

use super::{
    repo, CardStatus, PortfolioCard, ShareRequest, Shareable, SharedCard, COMMENT_MAX_CHARS,
};
use crate::auth::UserId;
use crate::community::CommunityId;
use crate::{
    chat::{
        parts::{self, Carried},
        service as chat, ChatMessage, MessageId,
    },
    community::ChannelId,
    entities::{messages, portfolio_cards, users},
    kit::sentences::says,
    platform::{error::AppError, state::AppState},
};

/// A portfolio's (or one holding's) figures for its owner: `None` when the owner has no such
/// portfolio.
pub type FiguresOf = for<'a> fn(
    &'a AppState,
    Uuid,
    Uuid,
    Option<&'a str>,
) -> BoxFuture<'a, Result<Option<PortfolioCard>, AppError>>;

/// The portfolios a person may share.
pub type ChoicesOf =
    for<'a> fn(&'a AppState, Uuid) -> BoxFuture<'a, Result<Vec<Shareable>, AppError>>;

/// What chat needs from the portfolio domain, given by the composition root.
pub struct Portfolios {
    pub figures: FiguresOf,
    pub choices: ChoicesOf,
}

/// The person's portfolios, to choose what to share.
pub async fn choices(state: &AppState, user: UserId) -> Result<Vec<Shareable>, AppError> {
    (state.service::<Portfolios>().choices)(state, user.0).await
}

/// Shares one of the person's portfolios, or one holding of it, into a channel they may post
/// in: a message with the card (its words count toward the person's limit like any message).
pub async fn share(
    state: &AppState,
    user: &users::Model,
    channel: ChannelId,
    request: ShareRequest,
) -> Result<ChatMessage, AppError> {
    let access = chat::channel_access(state, Some(UserId(user.id)), channel).await?;
    chat::may_post(&access)?;
    let missing = || AppError::NotFound(says!("server.cards.no_portfolio"));
    let portfolio = Uuid::parse_str(request.portfolio.trim()).map_err(|_| missing())?;
    let symbol = request
        .symbol
        .as_deref()
        .map(|s| s.trim().to_ascii_uppercase())
        .filter(|s| !s.is_empty());
    let comment = request.comment.trim();
    if comment.chars().count() > COMMENT_MAX_CHARS {
        return Err(AppError::Validation(says!(
            "server.cards.comment_too_long",
            max = COMMENT_MAX_CHARS
        )));
    }
    let figures =
        (state.service::<Portfolios>().figures)(state, user.id, portfolio, symbol.as_deref())
            .await?
            .ok_or_else(missing)?;
    if figures.status == CardStatus::NotHeld {
        return Err(AppError::Validation(says!(
            "server.cards.not_held",
            symbol = symbol.clone().unwrap_or_default()
        )));
    }
    let words = if !comment.is_empty() {
        comment.to_owned()
    } else if let Some(symbol) = &symbol {
        format!("${symbol}")
    } else {
        format!("📊 {}", figures.title)
    };
    let body = crate::chat::validate_body(&words)?;
    let stored = chat::submit_carrying(
        state,
        user,
        &access,
        &body,
        Box::new(Sharing(portfolio_cards::Model {
            message_id: Uuid::nil(),
            owner_id: user.id,
            portfolio_id: portfolio,
            symbol,
            percentages_only: request.percentages_only,
        })),
    )
    .await?;
    Ok(stored.await?.message)
}

/// A card on its way to the writer (its message id is the stored message's).
struct Sharing(portfolio_cards::Model);

#[async_trait::async_trait]
impl Carried for Sharing {
    async fn store(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        stored: &messages::Model,
        _community: CommunityId,
    ) -> Result<(), AppError> {
        let card = portfolio_cards::Model {
            message_id: stored.id,
            ..self.0.clone()
        };
        Ok(repo::insert(txn, card).await?)
    }

    fn show(&self, _stored: &messages::Model, message: &mut ChatMessage) {
        message.parts.put(super::KIND, &shared(&self.0));
    }
}

/// Shared cards as a kind of message part.
pub fn part_kind() -> parts::PartsOf<SharedCard> {
    parts::PartsOf::new(super::KIND, |state, messages| {
        Box::pin(of_messages(state, messages))
    })
}

/// How a stored card shows on a message.
pub fn shared(row: &portfolio_cards::Model) -> SharedCard {
    SharedCard {
        symbol: row.symbol.clone(),
        percentages_only: row.percentages_only,
    }
}

/// The cards some messages carry.
pub async fn of_messages(
    state: &AppState,
    messages: Vec<Uuid>,
) -> Result<HashMap<Uuid, SharedCard>, AppError> {
    Ok(repo::cards_of(&state.db, messages)
        .await?
        .into_iter()
        .map(|(id, row)| (id, shared(&row)))
        .collect())
}

/// A card's figures now, for someone who may read its channel: amounts only if its person
/// chose to show them; a portfolio deleted since, or a holding sold, says so.
pub async fn figures(
    state: &AppState,
    viewer: Option<UserId>,
    message: MessageId,
) -> Result<PortfolioCard, AppError> {
    let missing = || AppError::NotFound(says!("server.cards.not_found"));
    let found = crate::chat::repo::messages_by_ids(&state.db, vec![message.0])
        .await?
        .into_iter()
        .next()
        .filter(|m| m.body.is_some())
        .ok_or_else(missing)?;
    // Whoever may read the channel now (a member, or anyone in a public community).
    chat::channel_access(state, viewer, ChannelId(found.channel_id)).await?;
    let row = repo::card(&state.db, found.id).await?.ok_or_else(missing)?;
    let now = Utc::now().to_rfc3339();
    let title = row.symbol.clone().unwrap_or_default();
    let read = (state.service::<Portfolios>().figures)(
        state,
        row.owner_id,
        row.portfolio_id,
        row.symbol.as_deref(),
    )
    .await?;
    Ok(match read {
        Some(card) => card.as_shared(row.percentages_only),
        None => PortfolioCard::gone(CardStatus::Deleted, title, row.percentages_only, now),
    })
}
