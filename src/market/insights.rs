//! Gathers what the analysis reads — the cached history, news where a source has it, and the
//! community's recent messages about the symbol — and asks the hosted model for a narrative
//! when one is configured.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use futures::future::BoxFuture;
use uuid::Uuid;

use super::{
    analysis::{
        self, CommunityMood, Mention, MoodDay, Narrative, Recommendation, Report, Trend, Voices,
    },
    directory, symbol, NewsItem,
};
use crate::auth::UserId;
use crate::{
    ai::sentiment::sentiment,
    kit::markdown,
    kit::sentences::says,
    platform::{error::AppError, state::AppState},
};

/// What chat knows of the crowd around a ticker, given by the composition root (market knows no
/// chat).
pub struct Crowd {
    pub messages: CrowdQuery,
    pub mentions: MentionsQuery,
    pub days: DaysQuery,
}

/// Recent chat messages that may name a ticker, in the communities a viewer may read, newest
/// first: (state, viewer, ticker — "" for any, since, at most) → the messages.
pub type CrowdQuery = for<'a> fn(
    &'a AppState,
    Option<Uuid>,
    &'a str,
    DateTime<Utc>,
    u64,
) -> BoxFuture<'a, Result<Vec<CrowdMessage>, AppError>>;

/// Mentions per ticker over some days, in the communities a viewer may read (the daily roll-up).
pub type MentionsQuery = for<'a> fn(
    &'a AppState,
    Option<Uuid>,
    (NaiveDate, NaiveDate),
) -> BoxFuture<'a, Result<HashMap<String, i64>, AppError>>;

/// A person's communities' days naming a ticker: (state, person, ticker, days) → the days by
/// community, oldest first.
pub type DaysQuery = for<'a> fn(
    &'a AppState,
    Uuid,
    &'a str,
    (NaiveDate, NaiveDate),
) -> BoxFuture<'a, Result<Vec<CrowdDay>, AppError>>;

/// A chat message about a stock, where it was written.
#[derive(Debug, Clone)]
pub struct CrowdMessage {
    pub id: String,
    pub author_id: Uuid,
    pub author: String,
    pub community: String,
    pub community_slug: String,
    pub channel: String,
    pub body: String,
    pub at: DateTime<Utc>,
}

/// A community's mentions of a ticker on one day, with their stance.
#[derive(Debug, Clone)]
pub struct CrowdDay {
    pub community: String,
    pub community_slug: String,
    pub day: NaiveDate,
    pub mentions: i64,
    pub bullish: i64,
    pub bearish: i64,
}

const VOICES_DAYS: i64 = 30;
/// Messages read at most (the newest).
const VOICES_READ: u64 = 300;
/// Mentions shown on the page: the newest of the stream.
const MENTIONS_SHOWN: usize = 30;

/// The state of `symbol` for `viewer` (whose communities' messages count, with public ones).
pub async fn report(
    state: &AppState,
    viewer: Option<UserId>,
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
    viewer: Option<UserId>,
    symbol: &str,
) -> Result<Voices, AppError> {
    let Some(crowd) = state.services.get::<Crowd>() else {
        return Ok(Voices::default());
    };
    // A first cut by the ticker ("$aapl" anywhere, any case), then the exact cashtags here.
    let ticker = symbol.split('.').next().unwrap_or_default();
    let since = Utc::now() - Duration::days(VOICES_DAYS);
    let found = (crowd.messages)(state, viewer.map(|id| id.0), ticker, since, VOICES_READ).await?;
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

/// Messages read for this hour's mentions, at most (the newest).
const TRENDING_READ: u64 = 2000;
/// Tickers shown as trending.
const TRENDS_SHOWN: usize = 8;
/// Days before today that make a ticker's usual rate.
const USUAL_DAYS: i64 = 7;

/// The tickers named most above their usual rate in the last hour, in the communities `viewer`
/// may read, with this hour's mood and the day's price move. Flagged and deleted messages, and
/// those of people the viewer blocked, do not count.
pub async fn trending(state: &AppState, viewer: Option<UserId>) -> Result<Vec<Trend>, AppError> {
    let Some(crowd) = state.services.get::<Crowd>() else {
        return Ok(Vec::new());
    };
    let now = Utc::now();
    let found = (crowd.messages)(
        state,
        viewer.map(|id| id.0),
        "",
        now - Duration::hours(1),
        TRENDING_READ,
    )
    .await?;
    // ticker → (mentions, people, bullish, bearish)
    let mut hour: HashMap<String, (u32, HashSet<Uuid>, u32, u32)> = HashMap::new();
    for message in &found {
        let named: HashSet<String> = markdown::cashtags(&message.body)
            .iter()
            .map(|tag| symbol::ticker(tag))
            .collect();
        if named.is_empty() {
            continue;
        }
        let stance = sentiment(&markdown::plain_text(&message.body)).stance;
        for ticker in named {
            let entry = hour.entry(ticker).or_default();
            entry.0 += 1;
            entry.1.insert(message.author_id);
            entry.2 += u32::from(stance == crate::ai::Stance::Bullish);
            entry.3 += u32::from(stance == crate::ai::Stance::Bearish);
        }
    }
    let today = now.date_naive();
    let week = (
        today - Duration::days(USUAL_DAYS),
        today - Duration::days(1),
    );
    let usual = (crowd.mentions)(state, viewer.map(|id| id.0), week).await?;
    let hours = (USUAL_DAYS * 24) as f64;
    let mut trends: Vec<Trend> = hour
        .into_iter()
        .map(|(ticker, (mentions, people, bullish, bearish))| {
            let usual = usual.get(&ticker).copied().unwrap_or(0) as f64 / hours;
            Trend {
                velocity: f64::from(mentions) / (usual + 1.0),
                ticker,
                mentions,
                people: people.len() as u32,
                usual,
                bullish,
                bearish,
                change_pct: None,
            }
        })
        .collect();
    trends.sort_by(|a, b| {
        b.velocity
            .total_cmp(&a.velocity)
            .then(b.people.cmp(&a.people))
            .then(a.ticker.cmp(&b.ticker))
    });
    trends.truncate(TRENDS_SHOWN);
    let market = state.service::<crate::market::service::Market>();
    for trend in &mut trends {
        let Some(symbol) = symbol::normalize(&trend.ticker) else {
            continue;
        };
        // A ticker no source knows ("$MOON") trends without a price.
        if let Ok(quote) = market.quote(&state.db, &symbol).await {
            trend.change_pct = quote.change().map(|(_, pct)| pct);
        }
    }
    Ok(trends)
}

/// Days a community's mood is drawn over, today the last.
const MOOD_DAYS: i64 = 30;

/// How `viewer`'s communities have felt about `symbol` over the last [`MOOD_DAYS`]: each
/// community that named it, most mentions first, with every day (the quiet ones at zero).
pub async fn moods(
    state: &AppState,
    viewer: UserId,
    symbol: &str,
) -> Result<Vec<CommunityMood>, AppError> {
    let Some(crowd) = state.services.get::<Crowd>() else {
        return Ok(Vec::new());
    };
    let today = Utc::now().date_naive();
    let first = today - Duration::days(MOOD_DAYS - 1);
    let found = (crowd.days)(state, viewer.0, &symbol::ticker(symbol), (first, today)).await?;
    let count = |n: i64| u32::try_from(n).unwrap_or(0);
    let mut moods: Vec<CommunityMood> = Vec::new();
    for day in found {
        let at = match moods
            .iter()
            .position(|m| m.community_slug == day.community_slug)
        {
            Some(at) => at,
            None => {
                moods.push(CommunityMood {
                    community: day.community.clone(),
                    community_slug: day.community_slug.clone(),
                    mentions: 0,
                    bullish: 0,
                    bearish: 0,
                    days: (0..MOOD_DAYS)
                        .map(|n| MoodDay {
                            day: (first + Duration::days(n)).to_string(),
                            mentions: 0,
                            bullish: 0,
                            bearish: 0,
                        })
                        .collect(),
                });
                moods.len() - 1
            }
        };
        let mood = &mut moods[at];
        mood.mentions += count(day.mentions);
        mood.bullish += count(day.bullish);
        mood.bearish += count(day.bearish);
        if let Some(slot) = usize::try_from((day.day - first).num_days())
            .ok()
            .and_then(|n| mood.days.get_mut(n))
        {
            slot.mentions += count(day.mentions);
            slot.bullish += count(day.bullish);
            slot.bearish += count(day.bearish);
        }
    }
    moods.sort_by_key(|m| std::cmp::Reverse(m.mentions));
    Ok(moods)
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
