//! sea-orm queries for direct conversations: what their lists and pages show.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::{
    community::permissions::Visibility,
    entities::{channels, communities, community_members, messages, user_blocks, users},
};

/// The one-to-one conversation of a pair, by its key.
pub async fn by_pair(
    db: &impl ConnectionTrait,
    key: &str,
) -> Result<Option<communities::Model>, DbErr> {
    communities::Entity::find()
        .filter(communities::Column::DirectKey.eq(key))
        .one(db)
        .await
}

/// The conversations a person is in, each with its channel.
pub async fn conversations_of(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<(communities::Model, channels::Model)>, DbErr> {
    let ids: Vec<Uuid> = community_members::Entity::find()
        .filter(community_members::Column::UserId.eq(user))
        .select_only()
        .column(community_members::Column::CommunityId)
        .into_tuple()
        .all(db)
        .await?;
    let found = communities::Entity::find()
        .filter(communities::Column::Id.is_in(ids))
        .filter(communities::Column::Visibility.eq(Visibility::Direct.as_str()))
        .all(db)
        .await?;
    let mut channel_of: HashMap<Uuid, channels::Model> = channels::Entity::find()
        .filter(channels::Column::CommunityId.is_in(found.iter().map(|c| c.id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.community_id, c))
        .collect();
    Ok(found
        .into_iter()
        .filter_map(|c| channel_of.remove(&c.id).map(|channel| (c, channel)))
        .collect())
}

/// The people of these conversations, by conversation, in the order they came in.
pub async fn people_of(
    db: &impl ConnectionTrait,
    conversations: Vec<Uuid>,
) -> Result<HashMap<Uuid, Vec<users::Model>>, DbErr> {
    let rows = community_members::Entity::find()
        .filter(community_members::Column::CommunityId.is_in(conversations))
        .order_by_asc(community_members::Column::JoinedAt)
        .all(db)
        .await?;
    let accounts: HashMap<Uuid, users::Model> = users::Entity::find()
        .filter(users::Column::Id.is_in(rows.iter().map(|m| m.user_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut people: HashMap<Uuid, Vec<users::Model>> = HashMap::new();
    for member in rows {
        if let Some(user) = accounts.get(&member.user_id) {
            people
                .entry(member.community_id)
                .or_default()
                .push(user.clone());
        }
    }
    Ok(people)
}

/// How many groups `person` started since `since` (the starter joins as the group is made, the
/// others a moment later), and when the oldest of them was started.
pub async fn groups_started_since(
    db: &impl ConnectionTrait,
    person: Uuid,
    since: DateTime<Utc>,
) -> Result<(u64, Option<DateTime<Utc>>), DbErr> {
    let joined: Vec<(Uuid, DateTime<Utc>)> = community_members::Entity::find()
        .filter(community_members::Column::UserId.eq(person))
        .filter(community_members::Column::JoinedAt.gte(since))
        .select_only()
        .column(community_members::Column::CommunityId)
        .column(community_members::Column::JoinedAt)
        .into_tuple()
        .all(db)
        .await?;
    let started: Vec<DateTime<Utc>> = communities::Entity::find()
        .filter(communities::Column::Id.is_in(joined.iter().map(|(id, _)| *id)))
        .filter(communities::Column::Visibility.eq(Visibility::Direct.as_str()))
        .filter(communities::Column::DirectKey.is_null())
        .all(db)
        .await?
        .into_iter()
        .filter(|c| joined.contains(&(c.id, c.created_at)))
        .map(|c| c.created_at)
        .collect();
    Ok((started.len() as u64, started.iter().min().copied()))
}

/// How many people a conversation has.
pub async fn head_count(db: &impl ConnectionTrait, conversation: Uuid) -> Result<u64, DbErr> {
    community_members::Entity::find()
        .filter(community_members::Column::CommunityId.eq(conversation))
        .count(db)
        .await
}

/// The newest message of each channel (by its number), where it has one.
pub async fn newest_messages(
    db: &impl ConnectionTrait,
    newest: Vec<(Uuid, i64)>,
) -> Result<HashMap<Uuid, messages::Model>, DbErr> {
    let newest: Vec<(Uuid, i64)> = newest.into_iter().filter(|(_, seq)| *seq > 0).collect();
    if newest.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(messages::Entity::find()
        .filter(messages::Column::ChannelId.is_in(newest.iter().map(|(c, _)| *c)))
        .filter(messages::Column::Seq.is_in(newest.iter().map(|(_, s)| *s)))
        .all(db)
        .await?
        .into_iter()
        .filter(|m| newest.contains(&(m.channel_id, m.seq)))
        .map(|m| (m.channel_id, m))
        .collect())
}

/// The blocks between `person` and any of `others`, either way, as (blocker, blocked).
pub async fn blocks_between(
    db: &impl ConnectionTrait,
    person: Uuid,
    others: Vec<Uuid>,
) -> Result<Vec<(Uuid, Uuid)>, DbErr> {
    use sea_orm::Condition;
    Ok(user_blocks::Entity::find()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(user_blocks::Column::BlockerId.eq(person))
                        .add(user_blocks::Column::BlockedId.is_in(others.clone())),
                )
                .add(
                    Condition::all()
                        .add(user_blocks::Column::BlockedId.eq(person))
                        .add(user_blocks::Column::BlockerId.is_in(others)),
                ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.blocker_id, b.blocked_id))
        .collect())
}
