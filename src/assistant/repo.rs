//! sea-orm queries for the assistant's conversations and their turns.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::entities::{assistant_conversations as conversations, assistant_messages as messages};

/// A person's conversation; someone else's is `None`, like one that does not exist.
pub async fn conversation_of(
    db: &impl ConnectionTrait,
    user: Uuid,
    id: Uuid,
) -> Result<Option<conversations::Model>, DbErr> {
    conversations::Entity::find_by_id(id)
        .filter(conversations::Column::UserId.eq(user))
        .one(db)
        .await
}

/// A person's newest conversations, most recently active first.
pub async fn conversations_of(
    db: &impl ConnectionTrait,
    user: Uuid,
    limit: u64,
) -> Result<Vec<conversations::Model>, DbErr> {
    conversations::Entity::find()
        .filter(conversations::Column::UserId.eq(user))
        .order_by_desc(conversations::Column::UpdatedAt)
        .limit(limit)
        .all(db)
        .await
}

/// A conversation's turns in the order they were written.
pub async fn turns_of(
    db: &impl ConnectionTrait,
    conversation: Uuid,
) -> Result<Vec<messages::Model>, DbErr> {
    messages::Entity::find()
        .filter(messages::Column::ConversationId.eq(conversation))
        .order_by_asc(messages::Column::CreatedAt)
        // A question before its answer, should the clock give both the same instant.
        .order_by_desc(messages::Column::Role)
        .all(db)
        .await
}

pub async fn insert_conversation(
    db: &impl ConnectionTrait,
    conversation: conversations::Model,
) -> Result<conversations::Model, DbErr> {
    conversations::Entity::insert(conversations::ActiveModel::from(conversation))
        .exec_with_returning(db)
        .await
}

pub async fn rename_conversation(
    db: &impl ConnectionTrait,
    id: Uuid,
    title: String,
) -> Result<conversations::Model, DbErr> {
    conversations::Entity::update(conversations::ActiveModel {
        id: Set(id),
        title: Set(title),
        ..Default::default()
    })
    .exec(db)
    .await
}

/// Marks a conversation as active now (the list shows the most recent first).
pub async fn touch_conversation(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<conversations::Model, DbErr> {
    conversations::Entity::update(conversations::ActiveModel {
        id: Set(id),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await
}

/// Deletes a conversation and its turns (run it in a transaction: both or neither).
pub async fn delete_conversation(db: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    messages::Entity::delete_many()
        .filter(messages::Column::ConversationId.eq(id))
        .exec(db)
        .await?;
    conversations::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

pub async fn insert_turn(
    db: &impl ConnectionTrait,
    turn: messages::Model,
) -> Result<messages::Model, DbErr> {
    messages::Entity::insert(messages::ActiveModel::from(turn))
        .exec_with_returning(db)
        .await
}

/// How many questions a person asked since `since`, and when the oldest of them was asked
/// (the rate limit's window and its `Retry-After`).
pub async fn questions_since(
    db: &impl ConnectionTrait,
    user: Uuid,
    since: DateTime<Utc>,
) -> Result<(u64, Option<DateTime<Utc>>), DbErr> {
    let recent = messages::Entity::find()
        .filter(messages::Column::UserId.eq(user))
        .filter(messages::Column::Role.eq("user"))
        .filter(messages::Column::CreatedAt.gte(since));
    let count = recent.clone().count(db).await?;
    let oldest = recent
        .order_by_asc(messages::Column::CreatedAt)
        .one(db)
        .await?
        .map(|m| m.created_at);
    Ok((count, oldest))
}
