//! sea-orm queries for calls: the tabs on them (`voice_members`) and each call's revision
//! (`voice_calls`).

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    sea_query::{Expr, OnConflict, Query},
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::entities::{channels, voice_calls, voice_members};

/// The tab's place on a call, if it has one.
pub async fn of_connection(
    db: &impl ConnectionTrait,
    connection: Uuid,
) -> Result<Option<voice_members::Model>, DbErr> {
    voice_members::Entity::find_by_id(connection).one(db).await
}

/// A call's tabs, earliest joined first.
pub async fn on_call(
    db: &impl ConnectionTrait,
    channel: Uuid,
) -> Result<Vec<voice_members::Model>, DbErr> {
    voice_members::Entity::find()
        .filter(voice_members::Column::ChannelId.eq(channel))
        .order_by_asc(voice_members::Column::JoinedAt)
        .order_by_asc(voice_members::Column::ConnectionId)
        .all(db)
        .await
}

/// Every call of a community, earliest joined first.
pub async fn in_community(
    db: &impl ConnectionTrait,
    community: Uuid,
) -> Result<Vec<voice_members::Model>, DbErr> {
    voice_members::Entity::find()
        .filter(voice_members::Column::CommunityId.eq(community))
        .order_by_asc(voice_members::Column::JoinedAt)
        .order_by_asc(voice_members::Column::ConnectionId)
        .all(db)
        .await
}

/// How many tabs a call has.
pub async fn count_on_call(db: &impl ConnectionTrait, channel: Uuid) -> Result<u64, DbErr> {
    voice_members::Entity::find()
        .filter(voice_members::Column::ChannelId.eq(channel))
        .count(db)
        .await
}

/// Puts a tab on a call.
pub async fn insert(
    db: &impl ConnectionTrait,
    connection: Uuid,
    (community, channel): (Uuid, Uuid),
    user: Uuid,
    may_speak: bool,
) -> Result<(), DbErr> {
    voice_members::Entity::insert(voice_members::ActiveModel {
        connection_id: Set(connection),
        channel_id: Set(channel),
        community_id: Set(community),
        user_id: Set(user),
        muted: Set(false),
        deafened: Set(false),
        silenced: Set(false),
        may_speak: Set(may_speak),
        joined_at: Set(Utc::now()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Takes tabs off their calls; answers the rows removed (whose calls changed).
pub async fn remove(
    db: &impl ConnectionTrait,
    connections: Vec<Uuid>,
) -> Result<Vec<voice_members::Model>, DbErr> {
    if connections.is_empty() {
        return Ok(Vec::new());
    }
    voice_members::Entity::delete_many()
        .filter(voice_members::Column::ConnectionId.is_in(connections))
        .exec_with_returning(db)
        .await
}

/// A tab's own mute and deafen; whether it is on a call.
pub async fn set_own(
    db: &impl ConnectionTrait,
    connection: Uuid,
    muted: bool,
    deafened: bool,
) -> Result<bool, DbErr> {
    let updated = voice_members::Entity::update_many()
        .col_expr(voice_members::Column::Muted, Expr::value(muted))
        .col_expr(voice_members::Column::Deafened, Expr::value(deafened))
        .filter(voice_members::Column::ConnectionId.eq(connection))
        .exec(db)
        .await?;
    Ok(updated.rows_affected > 0)
}

/// Silences (or lets speak) a person on a call, every tab of theirs on it; how many.
pub async fn set_silenced(
    db: &impl ConnectionTrait,
    channel: Uuid,
    user: Uuid,
    silenced: bool,
) -> Result<u64, DbErr> {
    let updated = voice_members::Entity::update_many()
        .col_expr(voice_members::Column::Silenced, Expr::value(silenced))
        .filter(voice_members::Column::ChannelId.eq(channel))
        .filter(voice_members::Column::UserId.eq(user))
        .exec(db)
        .await?;
    Ok(updated.rows_affected)
}

/// Counts a call's revision up; the new one. Also the call's lock until the transaction ends:
/// the row's write lock on PostgreSQL, the database's on SQLite.
pub async fn next_revision(db: &impl ConnectionTrait, channel: Uuid) -> Result<i64, DbErr> {
    let row = voice_calls::Entity::insert(voice_calls::ActiveModel {
        channel_id: Set(channel),
        revision: Set(1),
    })
    .on_conflict(
        OnConflict::column(voice_calls::Column::ChannelId)
            .value(
                voice_calls::Column::Revision,
                Expr::col((voice_calls::Entity, voice_calls::Column::Revision)).add(1),
            )
            .to_owned(),
    )
    .exec_with_returning(db)
    .await?;
    Ok(row.revision)
}

/// The revisions of a community's calls, by channel.
pub async fn revisions_in_community(
    db: &impl ConnectionTrait,
    community: Uuid,
) -> Result<HashMap<Uuid, i64>, DbErr> {
    let rows = voice_calls::Entity::find()
        .filter(
            voice_calls::Column::ChannelId.in_subquery(
                Query::select()
                    .column(channels::Column::Id)
                    .from(channels::Entity)
                    .and_where(channels::Column::CommunityId.eq(community))
                    .to_owned(),
            ),
        )
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.channel_id, row.revision))
        .collect())
}
