//! Every query of the marketplace: installed items, and outgoing webhooks' deliveries.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{DeliveryStatus, Kind};
use crate::entities::{integrations, messages, webhook_deliveries};

/// A community's installed items, oldest first.
pub async fn installed_in(
    db: &impl ConnectionTrait,
    community: Uuid,
) -> Result<Vec<integrations::Model>, DbErr> {
    integrations::Entity::find()
        .filter(integrations::Column::CommunityId.eq(community))
        .order_by_asc(integrations::Column::CreatedAt)
        .order_by_asc(integrations::Column::Id)
        .all(db)
        .await
}

pub async fn by_id(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<integrations::Model>, DbErr> {
    integrations::Entity::find_by_id(id).one(db).await
}

/// Whether the community has `kind` installed.
pub async fn has(db: &impl ConnectionTrait, community: Uuid, kind: Kind) -> Result<bool, DbErr> {
    Ok(integrations::Entity::find()
        .filter(integrations::Column::CommunityId.eq(community))
        .filter(integrations::Column::Kind.eq(kind.as_str()))
        .one(db)
        .await?
        .is_some())
}

/// Stores an installed item; a second one in a single-install slot breaks the unique index.
pub async fn insert(
    db: &impl ConnectionTrait,
    row: integrations::Model,
) -> Result<integrations::Model, DbErr> {
    integrations::Entity::insert(integrations::ActiveModel::from(row))
        .exec_with_returning(db)
        .await
}

/// Removes an item (its deliveries go with it); whether it was there.
pub async fn delete(db: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    Ok(integrations::Entity::delete_by_id(id)
        .exec(db)
        .await?
        .rows_affected
        == 1)
}

/// Every outgoing webhook, of every community.
pub async fn outgoing(db: &impl ConnectionTrait) -> Result<Vec<integrations::Model>, DbErr> {
    integrations::Entity::find()
        .filter(integrations::Column::Kind.eq(Kind::OutgoingWebhook.as_str()))
        .all(db)
        .await
}

/// Every price-alert bot and news feed, of every community.
pub async fn watching(db: &impl ConnectionTrait) -> Result<Vec<integrations::Model>, DbErr> {
    integrations::Entity::find()
        .filter(
            integrations::Column::Kind.is_in([Kind::PriceAlert.as_str(), Kind::NewsFeed.as_str()]),
        )
        .all(db)
        .await
}

/// Moves a bot's memory from `from` to `to`; false if another server moved it first.
pub async fn move_state(
    db: &impl ConnectionTrait,
    id: Uuid,
    from: &str,
    to: &str,
) -> Result<bool, DbErr> {
    Ok(integrations::Entity::update_many()
        .col_expr(integrations::Column::State, Expr::value(to))
        .filter(integrations::Column::Id.eq(id))
        .filter(integrations::Column::State.eq(from))
        .exec(db)
        .await?
        .rows_affected
        == 1)
}

/// Moves a webhook's cursor from `from` to `to`; false if another server moved it first.
pub async fn advance_cursor(
    db: &impl ConnectionTrait,
    id: Uuid,
    from: i64,
    to: i64,
) -> Result<bool, DbErr> {
    Ok(integrations::Entity::update_many()
        .col_expr(integrations::Column::Cursor, Expr::value(to))
        .filter(integrations::Column::Id.eq(id))
        .filter(integrations::Column::Cursor.eq(from))
        .exec(db)
        .await?
        .rows_affected
        == 1)
}

pub async fn insert_deliveries(
    db: &impl ConnectionTrait,
    rows: Vec<webhook_deliveries::Model>,
) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    webhook_deliveries::Entity::insert_many(
        rows.into_iter()
            .map(webhook_deliveries::ActiveModel::from)
            .collect::<Vec<_>>(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Pending deliveries due by `now` that no server is sending, oldest first.
pub async fn due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<webhook_deliveries::Model>, DbErr> {
    webhook_deliveries::Entity::find()
        .filter(webhook_deliveries::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .filter(webhook_deliveries::Column::NextAt.lte(now))
        .filter(
            webhook_deliveries::Column::ClaimedUntil
                .is_null()
                .or(webhook_deliveries::Column::ClaimedUntil.lt(now)),
        )
        .order_by_asc(webhook_deliveries::Column::NextAt)
        .limit(limit)
        .all(db)
        .await
}

/// Takes a delivery to send until `until`; false if another server holds it.
pub async fn claim(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool, DbErr> {
    Ok(webhook_deliveries::Entity::update_many()
        .col_expr(webhook_deliveries::Column::ClaimedUntil, Expr::value(until))
        .filter(webhook_deliveries::Column::Id.eq(id))
        .filter(webhook_deliveries::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .filter(
            webhook_deliveries::Column::ClaimedUntil
                .is_null()
                .or(webhook_deliveries::Column::ClaimedUntil.lt(now)),
        )
        .exec(db)
        .await?
        .rows_affected
        == 1)
}

/// How an attempt went.
pub struct Attempted {
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_at: DateTime<Utc>,
    pub code: Option<i32>,
    pub error: Option<String>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// Writes an attempt's outcome and lets the delivery go.
pub async fn record_attempt(
    db: &impl ConnectionTrait,
    id: Uuid,
    attempted: Attempted,
) -> Result<bool, DbErr> {
    // Many, not one: a webhook removed while its delivery was on the way took the delivery's
    // row with it, and there is nothing left to write (not an error).
    let written = webhook_deliveries::Entity::update_many()
        .set(webhook_deliveries::ActiveModel {
            status: Set(attempted.status.as_str().into()),
            attempts: Set(attempted.attempts),
            next_at: Set(attempted.next_at),
            claimed_until: Set(None),
            last_code: Set(attempted.code),
            last_error: Set(attempted.error),
            finished_at: Set(attempted.finished_at),
            ..Default::default()
        })
        .filter(webhook_deliveries::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(written.rows_affected == 1)
}

/// A webhook's latest deliveries, newest first.
pub async fn log(
    db: &impl ConnectionTrait,
    integration: Uuid,
    limit: u64,
) -> Result<Vec<webhook_deliveries::Model>, DbErr> {
    webhook_deliveries::Entity::find()
        .filter(webhook_deliveries::Column::IntegrationId.eq(integration))
        .order_by_desc(webhook_deliveries::Column::CreatedAt)
        .order_by_desc(webhook_deliveries::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Whether a message is still there to send (not deleted).
pub async fn message_alive(db: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    Ok(messages::Entity::find_by_id(id)
        .one(db)
        .await?
        .is_some_and(|m| m.body.is_some()))
}
