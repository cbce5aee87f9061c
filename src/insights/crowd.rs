//! The crowd around a $TICKER, for the market's pages: how often each ticker is named, each
//! community's days about one, and the recent messages that name it — in the communities the
//! viewer may read, without the people they blocked. The market asks through
//! `market::insights::Crowd`, which the composition root (`server.rs`) fills from here.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use uuid::Uuid;

use crate::auth::UserId;
use crate::{
    chat::{crowd_ticker, repo as chat_repo},
    entities::communities as community_rows,
    platform::error::AppError,
};

/// A recent message that names a cashtag, where it was written.
#[derive(Debug, Clone)]
pub struct CashtagMessage {
    pub id: Uuid,
    pub author_id: Uuid,
    pub author: String,
    pub community: String,
    pub community_slug: String,
    pub channel: String,
    pub body: String,
    pub at: chrono::DateTime<Utc>,
}

/// The communities whose messages `viewer` may read wherever they are shown: every public one
/// and their own (direct conversations are not communities).
async fn readable_communities(
    db: &sea_orm::DatabaseConnection,
    viewer: Option<UserId>,
) -> Result<Vec<community_rows::Model>, AppError> {
    let mut visible = crate::community::repo::public_communities(db).await?;
    if let Some(viewer) = viewer {
        let known: HashSet<Uuid> = visible.iter().map(|c| c.id).collect();
        visible.extend(
            crate::community::repo::communities_of(db, viewer.0)
                .await?
                .into_iter()
                .filter(|c| !known.contains(&c.id)),
        );
    }
    Ok(visible)
}

/// How often each ticker was named per day over `[from, to]` in the communities `viewer` may
/// read (the daily roll-up; "$AAPL.US" counts as "AAPL").
pub async fn cashtag_mentions(
    db: &sea_orm::DatabaseConnection,
    viewer: Option<UserId>,
    days: (chrono::NaiveDate, chrono::NaiveDate),
) -> Result<HashMap<String, i64>, AppError> {
    let visible = readable_communities(db, viewer).await?;
    let rows = super::analytics::repo::mentions_by_symbol(
        db,
        visible.iter().map(|c| c.id).collect(),
        days,
    )
    .await?;
    let mut by_ticker: HashMap<String, i64> = HashMap::new();
    for (symbol, mentions) in rows {
        *by_ticker.entry(crowd_ticker(&symbol)).or_default() += mentions;
    }
    Ok(by_ticker)
}

/// A community's mood about a ticker on one day.
#[derive(Debug, Clone)]
pub struct CashtagDay {
    pub community: String,
    pub community_slug: String,
    pub day: chrono::NaiveDate,
    pub mentions: i64,
    pub bullish: i64,
    pub bearish: i64,
}

/// Each of `viewer`'s communities' days naming `$ticker` over `[from, to]`, by community
/// then day (the daily roll-up; "$AAPL" and "$AAPL.US" are one).
pub async fn cashtag_days(
    db: &sea_orm::DatabaseConnection,
    viewer: UserId,
    ticker: &str,
    days: (chrono::NaiveDate, chrono::NaiveDate),
) -> Result<Vec<CashtagDay>, AppError> {
    let mine = crate::community::repo::communities_of(db, viewer.0).await?;
    let ticker = crowd_ticker(ticker);
    // The days before today from the roll-up; today from the messages themselves: the roll-up
    // runs each minute, and a mention just written counts at once, as the stock page's list of
    // mentions beside the moods shows it.
    let today = Utc::now().date_naive();
    let rolled = (days.0, days.1.min(today - chrono::Days::new(1)));
    let mut rows = if rolled.0 <= rolled.1 {
        super::analytics::repo::symbol_days_in(
            db,
            mine.iter().map(|c| c.id).collect(),
            vec![ticker.clone(), format!("{ticker}.US")],
            rolled,
        )
        .await?
    } else {
        Vec::new()
    };
    if (days.0..=days.1).contains(&today) {
        rows.extend(named_today(db, &mine, &ticker, today).await?);
    }
    let mut found: Vec<CashtagDay> = Vec::new();
    for row in rows {
        let Some(community) = mine.iter().find(|c| c.id == row.community_id) else {
            continue;
        };
        match found
            .iter_mut()
            .find(|d| d.community_slug == community.slug && d.day == row.day)
        {
            Some(day) => {
                day.mentions += i64::from(row.mentions);
                day.bullish += i64::from(row.bullish);
                day.bearish += i64::from(row.bearish);
            }
            None => found.push(CashtagDay {
                community: community.name.clone(),
                community_slug: community.slug.clone(),
                day: row.day,
                mentions: i64::from(row.mentions),
                bullish: i64::from(row.bullish),
                bearish: i64::from(row.bearish),
            }),
        }
    }
    found.sort_by(|a, b| (&a.community, a.day).cmp(&(&b.community, b.day)));
    Ok(found)
}

/// Today's mentions of `ticker` in these communities, by community, as the roll-up would count
/// them (a stance read from English messages), from the messages written since midnight UTC —
/// at most [`TODAY_READ`] of them, the newest; flagged and deleted ones left out, as in the list
/// of mentions.
async fn named_today(
    db: &sea_orm::DatabaseConnection,
    communities: &[community_rows::Model],
    ticker: &str,
    today: chrono::NaiveDate,
) -> Result<Vec<crate::entities::symbol_days::Model>, AppError> {
    use crate::ai::Stance;
    let channels = chat_repo::channels_in(db, communities.iter().map(|c| c.id).collect()).await?;
    let community_of: HashMap<Uuid, Uuid> =
        channels.iter().map(|c| (c.id, c.community_id)).collect();
    let messages = chat_repo::unflagged_messages_naming(
        db,
        channels.iter().map(|c| c.id).collect(),
        &format!("${}", ticker.to_ascii_lowercase()),
        today.and_time(chrono::NaiveTime::MIN).and_utc(),
        TODAY_READ,
    )
    .await?;
    let mut by_community: HashMap<Uuid, crate::entities::symbol_days::Model> = HashMap::new();
    for message in messages {
        let (Some(body), Some(community)) = (
            message.body.as_deref(),
            community_of.get(&message.channel_id),
        ) else {
            continue;
        };
        if !crate::kit::markdown::cashtags(body)
            .iter()
            .any(|named| crowd_ticker(named) == ticker)
        {
            continue;
        }
        let stance = super::analytics::service::mention_stance(body, message.language.as_deref());
        let day =
            by_community
                .entry(*community)
                .or_insert_with(|| crate::entities::symbol_days::Model {
                    community_id: *community,
                    day: today,
                    symbol: ticker.to_string(),
                    mentions: 0,
                    bullish: 0,
                    bearish: 0,
                });
        day.mentions += 1;
        day.bullish += i32::from(stance == Some(Stance::Bullish));
        day.bearish += i32::from(stance == Some(Stance::Bearish));
    }
    Ok(by_community.into_values().collect())
}

/// Today's messages read at most for its moods.
const TODAY_READ: u64 = 2_000;

/// Up to `limit` messages since `since`, newest first, that may name `$ticker` (matched without
/// case; a first cut — the caller checks the exact cashtags), in the communities `viewer` may
/// read: every public one and their own. Deleted and flagged messages, and those of people the
/// viewer blocked, are left out.
pub async fn cashtag_messages(
    db: &sea_orm::DatabaseConnection,
    viewer: Option<UserId>,
    ticker: &str,
    since: chrono::DateTime<Utc>,
    limit: u64,
) -> Result<Vec<CashtagMessage>, AppError> {
    let visible = readable_communities(db, viewer).await?;
    let channels = chat_repo::channels_in(db, visible.iter().map(|c| c.id).collect()).await?;
    let found = chat_repo::unflagged_messages_naming(
        db,
        channels.iter().map(|c| c.id).collect(),
        &format!("${}", ticker.to_ascii_lowercase()),
        since,
        limit,
    )
    .await?;
    let blocked: HashSet<Uuid> = match viewer {
        Some(viewer) => chat_repo::blocked_by(db, viewer.0)
            .await?
            .into_iter()
            .collect(),
        None => HashSet::new(),
    };
    let authors =
        crate::auth::repo::users_by_ids(db, found.iter().map(|m| m.author_id).collect()).await?;
    Ok(found
        .into_iter()
        .filter(|m| !blocked.contains(&m.author_id))
        .filter_map(|m| {
            let channel = channels.iter().find(|c| c.id == m.channel_id)?;
            let community = visible.iter().find(|c| c.id == channel.community_id)?;
            Some(CashtagMessage {
                id: m.id,
                author_id: m.author_id,
                author: authors
                    .get(&m.author_id)
                    .map(|u| u.display_name.clone())
                    .unwrap_or_default(),
                community: community.name.clone(),
                community_slug: community.slug.clone(),
                channel: channel.name.clone(),
                body: m.body?,
                at: m.created_at,
            })
        })
        .collect())
}
