//! sea-orm queries for watchlists and the market-data cache.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::entities::{chart_choices, market_cache, watchlist_items};

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

/// Claims a symbol's turn to ask its source for the price: `true` for the first claim in each
/// `period`, on whichever instance makes it (a conditional upsert, atomic on both databases).
/// The claim is a row of the cache (`poll:AAPL`) holding only its time.
pub async fn claim_quote_poll(
    db: &impl ConnectionTrait,
    symbol: &str,
    now: DateTime<Utc>,
    period: chrono::Duration,
) -> Result<bool, DbErr> {
    use sea_orm::sea_query::Expr;
    // A tick a little early still takes its turn; another instance's tick a little later does not.
    let taken_before = now - period * 9 / 10;
    let claimed = market_cache::Entity::insert(market_cache::ActiveModel {
        key: Set(format!("poll:{symbol}")),
        body: Set(String::new()),
        source: Set(String::new()),
        fetched_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(market_cache::Column::Key)
            .update_column(market_cache::Column::FetchedAt)
            .action_and_where(
                Expr::col((market_cache::Entity, market_cache::Column::FetchedAt))
                    .lte(taken_before),
            )
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(claimed == 1)
}

/// The indicators a person chose to draw on every chart, if they chose.
pub async fn chart_choice(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Option<chart_choices::Model>, DbErr> {
    chart_choices::Entity::find_by_id(user).one(db).await
}

/// Keeps a person's choice of indicators, replacing the one before.
pub async fn save_chart_choice(
    db: &impl ConnectionTrait,
    user: Uuid,
    overlays: &str,
    panes: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    chart_choices::Entity::insert(chart_choices::ActiveModel {
        user_id: Set(user),
        overlays: Set(overlays.to_string()),
        panes: Set(panes.to_string()),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(chart_choices::Column::UserId)
            .update_columns([
                chart_choices::Column::Overlays,
                chart_choices::Column::Panes,
                chart_choices::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}
