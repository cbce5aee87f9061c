//! Queries of achievements: who may have earned one, what counts towards each rule, and the
//! badges themselves.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::entities::{
    achievements, communities, community_members, messages, poll_ballots, polls, reactions,
};

/// A message counts only once the AI has looked at it and while it is not flagged (a flag a
/// moderator dismissed no longer holds).
fn counts() -> sea_orm::sea_query::SimpleExpr {
    Expr::cust(
        "messages.deleted_at IS NULL AND messages.ai_status IS NOT NULL AND NOT EXISTS \
         (SELECT 1 FROM message_flags f WHERE f.message_id = messages.id AND f.dismissed_at IS NULL)",
    )
}

/// Who wrote, or was reacted or replied to, since `since`: those whose badges may have changed.
pub async fn active_since(
    db: &impl ConnectionTrait,
    since: DateTime<Utc>,
) -> Result<Vec<Uuid>, DbErr> {
    let mut people: Vec<Uuid> = messages::Entity::find()
        .select_only()
        .column(messages::Column::AuthorId)
        .distinct()
        .filter(messages::Column::CreatedAt.gte(since))
        .into_tuple()
        .all(db)
        .await?;
    let reacted_to: Vec<Uuid> = messages::Entity::find()
        .select_only()
        .column(messages::Column::AuthorId)
        .distinct()
        .join(
            JoinType::InnerJoin,
            messages::Entity::belongs_to(reactions::Entity)
                .from(messages::Column::Id)
                .to(reactions::Column::MessageId)
                .into(),
        )
        .filter(reactions::Column::CreatedAt.gte(since))
        .into_tuple()
        .all(db)
        .await?;
    let replied_to: Vec<Uuid> = messages::Entity::find()
        .select_only()
        .column(messages::Column::AuthorId)
        .distinct()
        .filter(Expr::cust_with_values(
            "messages.id IN (SELECT r.reply_to FROM messages r WHERE r.reply_to IS NOT NULL AND r.created_at >= $1)",
            [since],
        ))
        .into_tuple()
        .all(db)
        .await?;
    people.extend(reacted_to);
    people.extend(replied_to);
    people.sort_unstable();
    people.dedup();
    Ok(people)
}

/// When the person's counting messages were written.
pub async fn counting_times(
    db: &impl ConnectionTrait,
    author: Uuid,
) -> Result<Vec<DateTime<Utc>>, DbErr> {
    messages::Entity::find()
        .select_only()
        .column(messages::Column::CreatedAt)
        .filter(messages::Column::AuthorId.eq(author))
        .filter(counts())
        .into_tuple()
        .all(db)
        .await
}

/// Reactions others gave the person's counting messages, and replies others wrote to them.
pub async fn help_received(db: &impl ConnectionTrait, author: Uuid) -> Result<(u64, u64), DbErr> {
    let reactions = reactions::Entity::find()
        .join(
            JoinType::InnerJoin,
            reactions::Entity::belongs_to(messages::Entity)
                .from(reactions::Column::MessageId)
                .to(messages::Column::Id)
                .into(),
        )
        .filter(messages::Column::AuthorId.eq(author))
        .filter(reactions::Column::UserId.ne(author))
        .filter(counts())
        .count(db)
        .await?;
    let replies = messages::Entity::find()
        .filter(Expr::cust_with_values(
            "messages.reply_to IN (SELECT o.id FROM messages o WHERE o.author_id = $1 AND o.deleted_at IS NULL)",
            [author],
        ))
        .filter(messages::Column::AuthorId.ne(author))
        .filter(messages::Column::DeletedAt.is_null())
        .count(db)
        .await?;
    Ok((reactions, replies))
}

/// When the person joined the first community they are still in (direct conversations aside).
pub async fn member_since(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    community_members::Entity::find()
        .select_only()
        .column(community_members::Column::JoinedAt)
        .join(
            JoinType::InnerJoin,
            community_members::Entity::belongs_to(communities::Entity)
                .from(community_members::Column::CommunityId)
                .to(communities::Column::Id)
                .into(),
        )
        .filter(community_members::Column::UserId.eq(user))
        .filter(communities::Column::Visibility.ne("direct"))
        .order_by_asc(community_members::Column::JoinedAt)
        .into_tuple()
        .one(db)
        .await
}

/// Members whose first year (of `days`) was completed in `[from, to)`: joined in the same
/// window that many days earlier.
pub async fn anniversaries(
    db: &impl ConnectionTrait,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<Uuid>, DbErr> {
    community_members::Entity::find()
        .select_only()
        .column(community_members::Column::UserId)
        .distinct()
        .join(
            JoinType::InnerJoin,
            community_members::Entity::belongs_to(communities::Entity)
                .from(community_members::Column::CommunityId)
                .to(communities::Column::Id)
                .into(),
        )
        .filter(communities::Column::Visibility.ne("direct"))
        .filter(community_members::Column::JoinedAt.gte(from))
        .filter(community_members::Column::JoinedAt.lt(to))
        .into_tuple()
        .all(db)
        .await
}

/// Price-target polls closed in `[oldest, now]` whose closing price is not read yet.
pub async fn unpriced_closed_targets(
    db: &impl ConnectionTrait,
    (oldest, now): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<polls::Model>, DbErr> {
    polls::Entity::find()
        .filter(polls::Column::Kind.eq("target"))
        .filter(polls::Column::ClosePrice.is_null())
        .filter(polls::Column::ClosesAt.gte(oldest))
        .filter(polls::Column::ClosesAt.lte(now))
        .all(db)
        .await
}

/// Writes a poll's closing price unless another run did: whether this one did.
pub async fn price_close(db: &impl ConnectionTrait, poll: Uuid, price: f64) -> Result<bool, DbErr> {
    let updated = polls::Entity::update_many()
        .col_expr(polls::Column::ClosePrice, Expr::value(price))
        .filter(polls::Column::MessageId.eq(poll))
        .filter(polls::Column::ClosePrice.is_null())
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// The numbers people named in a price-target poll.
pub async fn targets_named(
    db: &impl ConnectionTrait,
    poll: Uuid,
) -> Result<Vec<(Uuid, f64)>, DbErr> {
    let rows: Vec<(Uuid, Option<f64>)> = poll_ballots::Entity::find()
        .select_only()
        .columns([poll_ballots::Column::UserId, poll_ballots::Column::Target])
        .filter(poll_ballots::Column::PollId.eq(poll))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(user, target)| Some((user, target?)))
        .collect())
}

/// Records a badge: whether it is new (a badge is held once).
pub async fn award(
    db: &impl ConnectionTrait,
    user: Uuid,
    key: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let added = achievements::Entity::insert(achievements::ActiveModel {
        user_id: Set(user),
        key: Set(key.to_owned()),
        earned_at: Set(now),
        seen_at: Set(None),
    })
    .on_conflict(
        OnConflict::columns([achievements::Column::UserId, achievements::Column::Key])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(added == 1)
}

/// The badges these people hold: (person, badge).
pub async fn held_by(
    db: &impl ConnectionTrait,
    people: Vec<Uuid>,
) -> Result<Vec<(Uuid, String)>, DbErr> {
    if people.is_empty() {
        return Ok(Vec::new());
    }
    achievements::Entity::find()
        .select_only()
        .columns([achievements::Column::UserId, achievements::Column::Key])
        .filter(achievements::Column::UserId.is_in(people))
        .into_tuple()
        .all(db)
        .await
}

/// A person's badges, earliest first.
pub async fn earned_by(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<achievements::Model>, DbErr> {
    achievements::Entity::find()
        .filter(achievements::Column::UserId.eq(user))
        .order_by_asc(achievements::Column::EarnedAt)
        .all(db)
        .await
}

/// Marks a person's badges as told: the keys that had not been.
pub async fn mark_seen(
    db: &impl ConnectionTrait,
    user: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<String>, DbErr> {
    let told = achievements::Entity::update_many()
        .col_expr(achievements::Column::SeenAt, Expr::value(now))
        .filter(achievements::Column::UserId.eq(user))
        .filter(achievements::Column::SeenAt.is_null())
        .exec_with_returning(db)
        .await?;
    Ok(told.into_iter().map(|a| a.key).collect())
}
