//! sea-orm queries for notifications: settings, the inbox and push subscriptions.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::entities::{inbox_items, notification_settings, push_subscriptions};

/// The settings of these people for these places (a community and one of its channels).
pub async fn settings_for(
    db: &impl ConnectionTrait,
    people: Vec<Uuid>,
    places: Vec<Uuid>,
) -> Result<Vec<notification_settings::Model>, DbErr> {
    notification_settings::Entity::find()
        .filter(notification_settings::Column::UserId.is_in(people))
        .filter(notification_settings::Column::ScopeId.is_in(places))
        .all(db)
        .await
}

/// Who chose to hear every message of these places.
pub async fn hearing_everything(
    db: &impl ConnectionTrait,
    places: Vec<Uuid>,
) -> Result<Vec<notification_settings::Model>, DbErr> {
    notification_settings::Entity::find()
        .filter(notification_settings::Column::ScopeId.is_in(places))
        .filter(notification_settings::Column::Level.eq("all"))
        .all(db)
        .await
}

/// Writes a person's setting for a place: the level (`inherit` keeps the row for its mute) and
/// the end of a mute.
pub async fn put_setting(
    db: &impl ConnectionTrait,
    row: notification_settings::Model,
) -> Result<(), DbErr> {
    notification_settings::Entity::insert(notification_settings::ActiveModel::from(row))
        .on_conflict(
            OnConflict::columns([
                notification_settings::Column::UserId,
                notification_settings::Column::ScopeId,
            ])
            .update_columns([
                notification_settings::Column::Level,
                notification_settings::Column::MutedUntil,
                notification_settings::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets a person's setting for a place (it follows the community, or the default, again).
pub async fn clear_setting(
    db: &impl ConnectionTrait,
    user: Uuid,
    place: Uuid,
) -> Result<(), DbErr> {
    notification_settings::Entity::delete_by_id((user, place))
        .exec(db)
        .await?;
    Ok(())
}

/// What happens to an entry a person already has for the same message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// It stays as it is (a second mention in an edit is not news).
    Keep,
    /// It comes back to the top, unread, as the new kind (a reminder of an event they were
    /// named in).
    Renew,
}

/// Adds entries to people's inboxes.
pub async fn add_to_inboxes(
    db: &impl ConnectionTrait,
    rows: Vec<inbox_items::Model>,
    existing: Existing,
) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut key =
        OnConflict::columns([inbox_items::Column::UserId, inbox_items::Column::MessageId]);
    let conflict = match existing {
        Existing::Keep => key.do_nothing().to_owned(),
        Existing::Renew => key
            .update_columns([
                inbox_items::Column::Kind,
                inbox_items::Column::CreatedAt,
                inbox_items::Column::ReadAt,
            ])
            .to_owned(),
    };
    inbox_items::Entity::insert_many(rows.into_iter().map(inbox_items::ActiveModel::from))
        .on_conflict(conflict)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// These people's entries for one message.
pub async fn entries_for_message(
    db: &impl ConnectionTrait,
    message: Uuid,
    people: Vec<Uuid>,
) -> Result<Vec<inbox_items::Model>, DbErr> {
    inbox_items::Entity::find()
        .filter(inbox_items::Column::MessageId.eq(message))
        .filter(inbox_items::Column::UserId.is_in(people))
        .all(db)
        .await
}

/// A page of a person's inbox, newest first, older than `before` (an entry's time) if given.
pub async fn inbox_page(
    db: &impl ConnectionTrait,
    user: Uuid,
    before: Option<DateTime<Utc>>,
    limit: u64,
) -> Result<Vec<inbox_items::Model>, DbErr> {
    let mut query = inbox_items::Entity::find().filter(inbox_items::Column::UserId.eq(user));
    if let Some(before) = before {
        query = query.filter(inbox_items::Column::CreatedAt.lt(before));
    }
    query
        .order_by_desc(inbox_items::Column::CreatedAt)
        .order_by_desc(inbox_items::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

pub async fn inbox_item(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<inbox_items::Model>, DbErr> {
    inbox_items::Entity::find_by_id(id).one(db).await
}

/// Entries of a person's not yet read.
pub async fn unread_count(db: &impl ConnectionTrait, user: Uuid) -> Result<u64, DbErr> {
    inbox_items::Entity::find()
        .filter(inbox_items::Column::UserId.eq(user))
        .filter(inbox_items::Column::ReadAt.is_null())
        .count(db)
        .await
}

/// Marks entries read: these (`ids`), or all of the person's when none are named.
pub async fn mark_read(
    db: &impl ConnectionTrait,
    user: Uuid,
    ids: Option<Vec<Uuid>>,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let mut update = inbox_items::Entity::update_many()
        .col_expr(inbox_items::Column::ReadAt, Expr::value(now))
        .filter(inbox_items::Column::UserId.eq(user))
        .filter(inbox_items::Column::ReadAt.is_null());
    if let Some(ids) = ids {
        update = update.filter(inbox_items::Column::Id.is_in(ids));
    }
    Ok(update.exec(db).await?.rows_affected)
}

/// Marks read a person's entries of a channel up to a message number (they read that far).
pub async fn mark_read_in_channel(
    db: &impl ConnectionTrait,
    user: Uuid,
    channel: Uuid,
    up_to: i64,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(inbox_items::Entity::update_many()
        .col_expr(inbox_items::Column::ReadAt, Expr::value(now))
        .filter(
            Condition::all()
                .add(inbox_items::Column::UserId.eq(user))
                .add(inbox_items::Column::ChannelId.eq(channel))
                .add(inbox_items::Column::Seq.lte(up_to))
                .add(inbox_items::Column::ReadAt.is_null()),
        )
        .exec(db)
        .await?
        .rows_affected)
}

/// The browsers these people asked to be pushed to.
pub async fn subscriptions_of(
    db: &impl ConnectionTrait,
    people: Vec<Uuid>,
) -> Result<Vec<push_subscriptions::Model>, DbErr> {
    push_subscriptions::Entity::find()
        .filter(push_subscriptions::Column::UserId.is_in(people))
        .all(db)
        .await
}

/// Keeps a browser's subscription for a person; one signed in on it before hands it over.
pub async fn put_subscription(
    db: &impl ConnectionTrait,
    row: push_subscriptions::Model,
) -> Result<(), DbErr> {
    push_subscriptions::Entity::insert(push_subscriptions::ActiveModel::from(row))
        .on_conflict(
            OnConflict::column(push_subscriptions::Column::Endpoint)
                .update_columns([
                    push_subscriptions::Column::UserId,
                    push_subscriptions::Column::P256dh,
                    push_subscriptions::Column::Auth,
                    push_subscriptions::Column::CreatedAt,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets `user`'s subscriptions but the `keep` newest.
pub async fn keep_newest_subscriptions(
    db: &impl ConnectionTrait,
    user: Uuid,
    keep: u64,
) -> Result<u64, DbErr> {
    // A person has a handful: read them all, newest first, and skip the kept ones here.
    let all: Vec<Uuid> = push_subscriptions::Entity::find()
        .select_only()
        .column(push_subscriptions::Column::Id)
        .filter(push_subscriptions::Column::UserId.eq(user))
        .order_by_desc(push_subscriptions::Column::CreatedAt)
        .order_by_desc(push_subscriptions::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let older: Vec<Uuid> = all.into_iter().skip(keep as usize).collect();
    if older.is_empty() {
        return Ok(0);
    }
    Ok(push_subscriptions::Entity::delete_many()
        .filter(push_subscriptions::Column::Id.is_in(older))
        .exec(db)
        .await?
        .rows_affected)
}

/// Forgets a browser's subscription (of `user`, when named).
pub async fn delete_subscription(
    db: &impl ConnectionTrait,
    endpoint: &str,
    user: Option<Uuid>,
) -> Result<u64, DbErr> {
    let mut delete = push_subscriptions::Entity::delete_many()
        .filter(push_subscriptions::Column::Endpoint.eq(endpoint));
    if let Some(user) = user {
        delete = delete.filter(push_subscriptions::Column::UserId.eq(user));
    }
    Ok(delete.exec(db).await?.rows_affected)
}

/// How many browsers a person asked to be pushed to.
pub async fn subscription_count(db: &impl ConnectionTrait, user: Uuid) -> Result<u64, DbErr> {
    push_subscriptions::Entity::find()
        .filter(push_subscriptions::Column::UserId.eq(user))
        .count(db)
        .await
}
