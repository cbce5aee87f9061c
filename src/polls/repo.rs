//! sea-orm queries for polls: writing one with its message, ballots, and what the timeline
//! shows of them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::entities::{poll_ballots, poll_choices, poll_options, polls};

/// A poll and its answers, written in its message's transaction.
pub async fn insert(
    db: &impl ConnectionTrait,
    poll: polls::Model,
    options: &[String],
) -> Result<(), DbErr> {
    let id = poll.message_id;
    polls::Entity::insert(polls::ActiveModel::from(poll))
        .exec(db)
        .await?;
    // A price-target poll has no answers to write.
    if options.is_empty() {
        return Ok(());
    }
    poll_options::Entity::insert_many(options.iter().enumerate().map(|(n, label)| {
        poll_options::ActiveModel {
            poll_id: Set(id),
            position: Set(n as i32),
            label: Set(label.clone()),
        }
    }))
    .exec(db)
    .await?;
    Ok(())
}

/// The polls of these messages.
pub async fn polls_of(
    db: &impl ConnectionTrait,
    messages: Vec<Uuid>,
) -> Result<Vec<polls::Model>, DbErr> {
    if messages.is_empty() {
        return Ok(Vec::new());
    }
    polls::Entity::find()
        .filter(polls::Column::MessageId.is_in(messages))
        .all(db)
        .await
}

/// One message's poll.
pub async fn poll(db: &impl ConnectionTrait, message: Uuid) -> Result<Option<polls::Model>, DbErr> {
    polls::Entity::find_by_id(message).one(db).await
}

/// Ends a poll at `now` (its ballots stay).
pub async fn close(
    db: &impl ConnectionTrait,
    message: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    polls::Entity::update_many()
        .col_expr(
            polls::Column::ClosesAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(polls::Column::MessageId.eq(message))
        .exec(db)
        .await?;
    Ok(())
}

/// The answers of these polls, by poll, in order.
pub async fn options_of(
    db: &impl ConnectionTrait,
    polls: Vec<Uuid>,
) -> Result<HashMap<Uuid, Vec<String>>, DbErr> {
    let mut by_poll: HashMap<Uuid, Vec<String>> = HashMap::new();
    for option in poll_options::Entity::find()
        .filter(poll_options::Column::PollId.is_in(polls))
        .order_by_asc(poll_options::Column::Position)
        .all(db)
        .await?
    {
        by_poll
            .entry(option.poll_id)
            .or_default()
            .push(option.label);
    }
    Ok(by_poll)
}

/// Every choice made in these polls, as (poll, person, answer), oldest ballot first.
pub async fn choices_of(
    db: &impl ConnectionTrait,
    polls: Vec<Uuid>,
) -> Result<Vec<(Uuid, Uuid, i32)>, DbErr> {
    Ok(poll_choices::Entity::find()
        .filter(poll_choices::Column::PollId.is_in(polls))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.poll_id, c.user_id, c.position))
        .collect())
}

/// The ballots of these polls, oldest first.
pub async fn ballots_of(
    db: &impl ConnectionTrait,
    polls: Vec<Uuid>,
) -> Result<Vec<poll_ballots::Model>, DbErr> {
    poll_ballots::Entity::find()
        .filter(poll_ballots::Column::PollId.is_in(polls))
        .order_by_asc(poll_ballots::Column::CastAt)
        .all(db)
        .await
}

/// Replaces a person's ballot — its choices, or a price-target poll's number: none when both
/// are empty.
pub async fn cast(
    db: &impl ConnectionTrait,
    poll: Uuid,
    person: Uuid,
    (choices, target): (&[u32], Option<f64>),
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    poll_choices::Entity::delete_many()
        .filter(poll_choices::Column::PollId.eq(poll))
        .filter(poll_choices::Column::UserId.eq(person))
        .exec(db)
        .await?;
    poll_ballots::Entity::delete_many()
        .filter(poll_ballots::Column::PollId.eq(poll))
        .filter(poll_ballots::Column::UserId.eq(person))
        .exec(db)
        .await?;
    if choices.is_empty() && target.is_none() {
        return Ok(());
    }
    poll_ballots::Entity::insert(poll_ballots::ActiveModel {
        poll_id: Set(poll),
        user_id: Set(person),
        target: Set(target),
        cast_at: Set(now),
    })
    .exec(db)
    .await?;
    if choices.is_empty() {
        return Ok(());
    }
    poll_choices::Entity::insert_many(choices.iter().map(|n| poll_choices::ActiveModel {
        poll_id: Set(poll),
        user_id: Set(person),
        position: Set(*n as i32),
    }))
    .exec(db)
    .await?;
    Ok(())
}

/// One person's ballot in one poll.
pub async fn ballot_of(
    db: &impl ConnectionTrait,
    poll: Uuid,
    person: Uuid,
) -> Result<Option<poll_ballots::Model>, DbErr> {
    poll_ballots::Entity::find_by_id((poll, person))
        .one(db)
        .await
}

/// What one person chose in one poll.
pub async fn choices_by(
    db: &impl ConnectionTrait,
    poll: Uuid,
    person: Uuid,
) -> Result<Vec<u32>, DbErr> {
    Ok(poll_choices::Entity::find()
        .filter(poll_choices::Column::PollId.eq(poll))
        .filter(poll_choices::Column::UserId.eq(person))
        .order_by_asc(poll_choices::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.position as u32)
        .collect())
}
