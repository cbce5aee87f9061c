//! Queries of chat statistics.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, PaginatorTrait, QueryFilter,
    QuerySelect,
};
use uuid::Uuid;

use crate::entities::{messages, reactions};

/// When each of the person's standing messages was written (the author index answers it).
pub async fn message_times_of(
    db: &impl ConnectionTrait,
    author: Uuid,
) -> Result<Vec<DateTime<Utc>>, DbErr> {
    messages::Entity::find()
        .filter(messages::Column::AuthorId.eq(author))
        .filter(messages::Column::DeletedAt.is_null())
        .select_only()
        .column(messages::Column::CreatedAt)
        .into_tuple()
        .all(db)
        .await
}

/// Reactions other people gave the person's standing messages.
pub async fn reactions_received(db: &impl ConnectionTrait, author: Uuid) -> Result<u64, DbErr> {
    reactions::Entity::find()
        .join(
            JoinType::InnerJoin,
            reactions::Entity::belongs_to(messages::Entity)
                .from(reactions::Column::MessageId)
                .to(messages::Column::Id)
                .into(),
        )
        .filter(messages::Column::AuthorId.eq(author))
        .filter(messages::Column::DeletedAt.is_null())
        .filter(reactions::Column::UserId.ne(author))
        .count(db)
        .await
}
