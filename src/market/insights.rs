//! Gathers what the analysis reads — the cached history, news where a source has it, and the
//! community's recent messages about the symbol — and asks the hosted model for a narrative
//! when one is configured.

use chrono::{DateTime, Duration, Utc};
use futures::future::BoxFuture;
use uuid::Uuid;

use super::{
    analysis::{self, Mention, Narrative, Recommendation, Report, Voices},
    directory, symbol, NewsItem,
};
use crate::{
    ai::sentiment::sentiment,
    kit::markdown,
    kit::sentences::says,
    platform::{error::AppError, state::AppState},
};

/// How far back the community's messages count.
/// Recent chat messages that may name a ticker, in the communities a viewer may read, newest
/// first (chat's: given by the composition root, as market knows no chat).
pub struct Crowd(pub CrowdQuery);

/// (state, viewer, ticker, since, at most) → the messages, newest first.
pub type CrowdQuery = for<'a> fn(
    &'a AppState,
    Option<Uuid>,
    &'a str,
    DateTime<Utc>,
    u64,
) -> BoxFuture<'a, Result<Vec<CrowdMessage>, AppError>>;

/// A chat message about a stock, where it was written.
#[derive(Debug, Clone)]
pub struct CrowdMessage {
    pub id: String,
    pub author: String,
    pub community: String,
    pub community_slug: String,
    pub channel: String,
    pub body: String,
    pub at: DateTime<Utc>,
}

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
    let history = state
        .service::<crate::market::service::Market>()
        .history(&state.db, symbol)
        .await?;
    let news = news(state, symbol).await;
    let voices = voices(state, viewer, symbol).await?;
    let mut report = analysis::report(symbol, &history.bars, &news, voices)
        .ok_or_else(|| AppError::NotFound(says!("server.market.no_history", symbol = symbol)))?;
    report.company = directory::lookup(symbol).cloned();
    report.narrative = narrative(state, &report, language).await;
    Ok(report)
}

/// Recent articles, when a configured source has news (the offline one has none).
pub async fn news(state: &AppState, symbol: &str) -> Vec<NewsItem> {
    match state
        .service::<crate::market::service::Market>()
        .news(&state.db, symbol)
        .await
    {
        Ok(items) => items,
        Err(err) => {
            tracing::debug!(error = %err, symbol, "no news");
            Vec::new()
        }
    }
}

/// What the last 30 days of chat say about `symbol`, in the communities `viewer` may read
/// (chat finds the messages, through [`Crowd`]). Flagged and deleted messages are left out.
pub async fn voices(
    state: &AppState,
    viewer: Option<Uuid>,
    symbol: &str,
) -> Result<Voices, AppError> {
    let Some(crowd) = state.services.get::<Crowd>() else {
        return Ok(Voices::default());
    };
    // A first cut by the ticker ("$aapl" anywhere, any case), then the exact cashtags here.
    let ticker = symbol.split('.').next().unwrap_or_default();
    let since = Utc::now() - Duration::days(VOICES_DAYS);
    let found = (crowd.0)(state, viewer, ticker, since, VOICES_READ).await?;
    let mut voices = Voices::default();
    for message in found {
        let names = markdown::cashtags(&message.body);
        if !names
            .iter()
            .any(|tag| symbol::normalize(tag).as_deref() == Some(symbol))
        {
            continue;
        }
        let stance = sentiment(&markdown::plain_text(&message.body)).stance;
        voices.messages += 1;
        match stance {
            crate::ai::Stance::Bullish => voices.bullish += 1,
            crate::ai::Stance::Bearish => voices.bearish += 1,
            crate::ai::Stance::Neutral => {}
        }
        if voices.mentions.len() < MENTIONS_SHOWN {
            voices.mentions.push(Mention {
                message_id: message.id,
                author: message.author,
                community: message.community,
                community_slug: message.community_slug,
                channel: message.channel,
                excerpt: markdown::excerpt(&message.body, 160),
                stance,
                at: message.at.to_rfc3339(),
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
        .service::<crate::ai::provider::Engines>()
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
        let history = match state
            .service::<crate::market::service::Market>()
            .history(&state.db, symbol)
            .await
        {
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
