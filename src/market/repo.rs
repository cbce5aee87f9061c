//! sea-orm queries for watchlists and the market-data cache.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::entities::{market_cache, watchlist_items};

/// A person's watched symbols, in the order they added them.
pub async fn watched_symbols(db: &impl ConnectionTrait, user: Uuid) -> Result<Vec<String>, DbErr> {
    watchlist_items::Entity::find()
        .filter(watchlist_items::Column::UserId.eq(user))
        .order_by_asc(watchlist_items::Column::AddedAt)
        .select_only()
        .column(watchlist_items::Column::Symbol)
        .into_tuple()
        .all(db)
        .await
}

pub async fn is_watched(
    db: &impl ConnectionTrait,
    user: Uuid,
    symbol: &str,
) -> Result<bool, DbErr> {
    Ok(
        watchlist_items::Entity::find_by_id((user, symbol.to_string()))
            .one(db)
            .await?
            .is_some(),
    )
}

pub async fn watched_count(db: &impl ConnectionTrait, user: Uuid) -> Result<u64, DbErr> {
    watchlist_items::Entity::find()
        .filter(watchlist_items::Column::UserId.eq(user))
        .count(db)
        .await
}

/// Adds a symbol; a second add of the same one fails on the primary key (two tabs at once).
pub async fn insert_watched(
    db: &impl ConnectionTrait,
    user: Uuid,
    symbol: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    watchlist_items::Entity::insert(watchlist_items::ActiveModel {
        user_id: Set(user),
        symbol: Set(symbol.to_string()),
        added_at: Set(now),
    })
    .exec(db)
    .await?;
    Ok(())
}

pub async fn delete_watched(
    db: &impl ConnectionTrait,
    user: Uuid,
    symbol: &str,
) -> Result<(), DbErr> {
    watchlist_items::Entity::delete_by_id((user, symbol.to_string()))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn cached(
    db: &impl ConnectionTrait,
    key: &str,
) -> Result<Option<market_cache::Model>, DbErr> {
    market_cache::Entity::find_by_id(key.to_string())
        .one(db)
        .await
}

/// Stores (or replaces) a cached answer under its key.
pub async fn store_cached(
    db: &impl ConnectionTrait,
    entry: market_cache::Model,
) -> Result<(), DbErr> {
    market_cache::Entity::insert(market_cache::ActiveModel::from(entry))
        .on_conflict(
            OnConflict::column(market_cache::Column::Key)
                .update_columns([
                    market_cache::Column::Body,
                    market_cache::Column::Source,
                    market_cache::Column::FetchedAt,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}
