//! sea-orm queries for events: writing one with its message, answers, the calendar, and the
//! reminders due.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::entities::{event_answers, events, messages};

/// An event, written in its message's transaction.
pub async fn insert(db: &impl ConnectionTrait, event: events::Model) -> Result<(), DbErr> {
    events::Entity::insert(events::ActiveModel::from(event))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The events of these messages.
pub async fn events_of(
    db: &impl ConnectionTrait,
    messages: Vec<Uuid>,
) -> Result<Vec<events::Model>, DbErr> {
    if messages.is_empty() {
        return Ok(Vec::new());
    }
    events::Entity::find()
        .filter(events::Column::MessageId.is_in(messages))
        .all(db)
        .await
}

/// One message's event.
pub async fn event(
    db: &impl ConnectionTrait,
    message: Uuid,
) -> Result<Option<events::Model>, DbErr> {
    events::Entity::find_by_id(message).one(db).await
}

/// Every answer to these events, earliest first.
pub async fn answers_of(
    db: &impl ConnectionTrait,
    events: Vec<Uuid>,
) -> Result<Vec<event_answers::Model>, DbErr> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    event_answers::Entity::find()
        .filter(event_answers::Column::EventId.is_in(events))
        .order_by_asc(event_answers::Column::AnsweredAt)
        .all(db)
        .await
}

/// Sets a person's answer (the later of two at once stays); `None` takes it back.
pub async fn answer(
    db: &impl ConnectionTrait,
    event: Uuid,
    person: Uuid,
    answer: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let Some(answer) = answer else {
        event_answers::Entity::delete_many()
            .filter(event_answers::Column::EventId.eq(event))
            .filter(event_answers::Column::UserId.eq(person))
            .exec(db)
            .await?;
        return Ok(());
    };
    event_answers::Entity::insert(event_answers::ActiveModel {
        event_id: Set(event),
        user_id: Set(person),
        answer: Set(answer.to_string()),
        answered_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            event_answers::Column::EventId,
            event_answers::Column::UserId,
        ])
        .update_columns([
            event_answers::Column::Answer,
            event_answers::Column::AnsweredAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// A community's events whose announcing message stands, with it: those not over at `from`
/// (an event without an end lasts an hour), soonest first; or those over, latest first.
pub async fn community_calendar(
    db: &impl ConnectionTrait,
    community: Uuid,
    from: DateTime<Utc>,
    upcoming: bool,
    limit: u64,
) -> Result<Vec<(events::Model, messages::Model)>, DbErr> {
    let hour_ago = from - chrono::Duration::hours(1);
    // Each side spelled out: NOT over a nullable column would drop the rows without an end.
    let side = if upcoming {
        Condition::any().add(events::Column::EndsAt.gt(from)).add(
            Condition::all()
                .add(events::Column::EndsAt.is_null())
                .add(events::Column::StartsAt.gt(hour_ago)),
        )
    } else {
        Condition::any().add(events::Column::EndsAt.lte(from)).add(
            Condition::all()
                .add(events::Column::EndsAt.is_null())
                .add(events::Column::StartsAt.lte(hour_ago)),
        )
    };
    let query = events::Entity::find()
        .filter(events::Column::CommunityId.eq(community))
        .filter(side);
    let rows = if upcoming {
        query.order_by_asc(events::Column::StartsAt)
    } else {
        query.order_by_desc(events::Column::StartsAt)
    }
    .limit(limit)
    .all(db)
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|e| e.message_id).collect();
    let mut announced: std::collections::HashMap<Uuid, messages::Model> = messages::Entity::find()
        .filter(messages::Column::Id.is_in(ids))
        .filter(messages::Column::DeletedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|e| announced.remove(&e.message_id).map(|m| (e, m)))
        .collect())
}

/// Claims the events whose reminder is due at `now` and that have not started: each is
/// returned to one caller only, however many instances ask at once.
pub async fn claim_due_reminders(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Vec<events::Model>, DbErr> {
    events::Entity::update_many()
        .col_expr(events::Column::RemindedAt, Expr::value(now))
        .filter(events::Column::RemindedAt.is_null())
        .filter(events::Column::RemindAt.lte(now))
        .filter(events::Column::StartsAt.gt(now))
        .exec_with_returning(db)
        .await
}

/// The people to remind of an event: those who said going or maybe.
pub async fn willing(db: &impl ConnectionTrait, event: Uuid) -> Result<Vec<Uuid>, DbErr> {
    Ok(event_answers::Entity::find()
        .filter(event_answers::Column::EventId.eq(event))
        .filter(event_answers::Column::Answer.is_in(["going", "maybe"]))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.user_id)
        .collect())
}

/// An event planned anew by its organiser (in the edit of its message's transaction). A new
/// start or a new reminder time sends the reminder again; otherwise one already sent stays
/// sent.
pub async fn replan(
    db: &impl ConnectionTrait,
    event: Uuid,
    planned: &crate::events::service::Planned,
) -> Result<bool, DbErr> {
    let Some(before) = events::Entity::find_by_id(event).one(db).await? else {
        return Ok(false);
    };
    let remind_at = (planned.remind_minutes > 0)
        .then(|| planned.starts_at - chrono::Duration::minutes(planned.remind_minutes.into()));
    let reminded_at = if remind_at == before.remind_at {
        before.reminded_at
    } else {
        None
    };
    events::Entity::update(events::ActiveModel {
        message_id: Set(event),
        title: Set(planned.title.clone()),
        description: Set(planned.description.clone()),
        starts_at: Set(planned.starts_at),
        ends_at: Set(planned.ends_at),
        time_zone: Set(planned.time_zone.clone()),
        symbol: Set(planned.symbol.clone()),
        remind_minutes: Set(planned.remind_minutes as i32),
        remind_at: Set(remind_at),
        reminded_at: Set(reminded_at),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(true)
}
