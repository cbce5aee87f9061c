//! Gathers what the analysis reads — the cached history, news where a source has it, and the
//! community's recent messages about the symbol — and asks the hosted model for a narrative
//! when one is configured.

use std::collections::HashSet;

use chrono::{Duration, Utc};
use sea_orm::{
    sea_query::{Expr, Func},
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{
    analysis::{self, Mention, Narrative, Recommendation, Report, Voices},
    directory, symbol, NewsItem,
};
use crate::{
    ai::sentiment::sentiment,
    chat::markdown,
    community::repo as communities,
    entities::{channels, message_flags, messages},
    platform::{error::AppError, state::AppState},
};

/// How far back the community's messages count.
const VOICES_DAYS: i64 = 30;
/// Messages read at most (the newest).
const VOICES_READ: u64 = 300;
/// Mentions shown on the page.
const MENTIONS_SHOWN: usize = 6;

/// The state of `symbol` for `viewer` (whose communities' messages count, with public ones).
pub async fn report(
    state: &AppState,
    viewer: Option<Uuid>,
    symbol: &str,
    language: &str,
) -> Result<Report, AppError> {
    let history = state.market.history(&state.db, symbol).await?;
    let news = news(state, symbol).await;
    let voices = voices(&state.db, viewer, symbol).await?;
    let mut report = analysis::report(symbol, &history.bars, &news, voices)
        .ok_or_else(|| AppError::NotFound(format!("Price history for {symbol}")))?;
    report.company = directory::lookup(symbol).cloned();
    report.narrative = narrative(state, &report, language).await;
    Ok(report)
}

/// Recent articles, when a configured source has news (the offline one has none).
pub async fn news(state: &AppState, symbol: &str) -> Vec<NewsItem> {
    match state.market.news(&state.db, symbol).await {
        Ok(items) => items,
        Err(err) => {
            tracing::debug!(error = %err, symbol, "no news");
            Vec::new()
        }
    }
}

/// What the last 30 days of chat say about `symbol`, in the communities `viewer` may read:
/// every public one and their own. Flagged and deleted messages are left out.
pub async fn voices(
    db: &DatabaseConnection,
    viewer: Option<Uuid>,
    symbol: &str,
) -> Result<Voices, AppError> {
    let mut visible = communities::public_communities(db).await?;
    if let Some(viewer) = viewer {
        let known: HashSet<Uuid> = visible.iter().map(|c| c.id).collect();
        visible.extend(
            communities::communities_of(db, viewer)
                .await?
                .into_iter()
                .filter(|c| !known.contains(&c.id)),
        );
    }
    let channels = channels::Entity::find()
        .filter(channels::Column::CommunityId.is_in(visible.iter().map(|c| c.id)))
        .all(db)
        .await?;
    // A first cut in the database ("$aapl" anywhere, any case), then the exact cashtags here.
    let pattern = format!(
        "%${}%",
        symbol
            .to_ascii_lowercase()
            .split('.')
            .next()
            .unwrap_or_default()
    );
    let found = messages::Entity::find()
        .filter(messages::Column::ChannelId.is_in(channels.iter().map(|c| c.id)))
        .filter(messages::Column::DeletedAt.is_null())
        .filter(messages::Column::CreatedAt.gt(Utc::now() - Duration::days(VOICES_DAYS)))
        .filter(Expr::expr(Func::lower(Expr::col(messages::Column::Body))).like(pattern))
        .order_by_desc(messages::Column::CreatedAt)
        .limit(VOICES_READ)
        .all(db)
        .await?;
    let flagged: HashSet<Uuid> = message_flags::Entity::find()
        .filter(message_flags::Column::MessageId.is_in(found.iter().map(|m| m.id)))
        .filter(message_flags::Column::DismissedAt.is_null())
        .select_only()
        .column(message_flags::Column::MessageId)
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let about: Vec<_> = found
        .into_iter()
        .filter(|m| !flagged.contains(&m.id))
        .filter_map(|m| {
            let body = m.body.clone()?;
            let names = markdown::cashtags(&body);
            names
                .iter()
                .any(|tag| symbol::normalize(tag).as_deref() == Some(symbol))
                .then_some((m, body))
        })
        .collect();
    let authors =
        crate::auth::repo::users_by_ids(db, about.iter().map(|(m, _)| m.author_id).collect())
            .await?;
    let mut voices = Voices::default();
    for (message, body) in about {
        let stance = sentiment(&markdown::plain_text(&body)).stance;
        voices.messages += 1;
        match stance {
            crate::ai::Stance::Bullish => voices.bullish += 1,
            crate::ai::Stance::Bearish => voices.bearish += 1,
            crate::ai::Stance::Neutral => {}
        }
        if voices.mentions.len() < MENTIONS_SHOWN {
            let channel = channels.iter().find(|c| c.id == message.channel_id);
            let community = channel.and_then(|ch| visible.iter().find(|c| c.id == ch.community_id));
            let (Some(channel), Some(community)) = (channel, community) else {
                continue;
            };
            voices.mentions.push(Mention {
                message_id: message.id.to_string(),
                author: authors
                    .get(&message.author_id)
                    .map(|u| u.display_name.clone())
                    .unwrap_or_default(),
                community: community.name.clone(),
                community_slug: community.slug.clone(),
                channel: channel.name.clone(),
                excerpt: markdown::excerpt(&body, 160),
                stance,
                at: message.created_at.to_rfc3339(),
            });
        }
    }
    Ok(voices)
}

/// The hosted model's few sentences on the report, written only from its facts; `None` without
/// a hosted model or when it fails (the page then words the facts from its template).
async fn narrative(state: &AppState, report: &Report, language: &str) -> Option<Narrative> {
    let mut facts = serde_json::to_value(report).ok()?;
    // The mentions' wording is not a fact about the stock.
    facts["voices"]["mentions"] = serde_json::Value::Array(Vec::new());
    match state
        .ai
        .provider
        .narrate(&facts.to_string(), language)
        .await
    {
        Ok(written) => Some(Narrative {
            text: written.value,
            engine: written.engine,
        }),
        Err(err) => {
            tracing::debug!(error = %err, "no narrative from the AI; the page uses its template");
            None
        }
    }
}

/// Symbols ranked by the factor score, best first. A symbol without data is left out.
pub async fn recommendations(state: &AppState, symbols: &[String]) -> Vec<Recommendation> {
    let mut ranked = Vec::new();
    for symbol in symbols {
        let history = match state.market.history(&state.db, symbol).await {
            Ok(history) => history,
            Err(err) => {
                tracing::debug!(error = %err, symbol, "left out of the recommendations");
                continue;
            }
        };
        let name = directory::lookup(symbol).map(|info| info.name.clone());
        ranked.extend(analysis::recommendation(symbol, name, &history.bars));
    }
    ranked.sort_by_key(|r| -r.factor_score);
    ranked
}
