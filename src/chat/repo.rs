//! sea-orm queries for messages, reactions and read positions.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, OnConflict, Query},
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::entities::{
    channels, chat_actions, communities, connections, message_flags, message_translations,
    messages, reactions, read_states, user_blocks,
};

/// Takes the channel's next `count` sequence numbers and returns the last of them. The row
/// stays locked until the transaction ends, so concurrent writers in one channel are
/// serialised and numbers are never reused or skipped.
pub async fn take_seqs(db: &impl ConnectionTrait, channel: Uuid, count: i64) -> Result<i64, DbErr> {
    let updated = channels::Entity::update_many()
        .col_expr(
            channels::Column::LastSeq,
            Expr::col(channels::Column::LastSeq).add(count),
        )
        .filter(channels::Column::Id.eq(channel))
        .exec_with_returning(db)
        .await?;
    updated
        .first()
        .map(|c| c.last_seq)
        .ok_or_else(|| DbErr::RecordNotFound("channel".into()))
}

/// Stores new messages, many rows per statement.
pub async fn insert_messages(
    db: &impl ConnectionTrait,
    rows: Vec<messages::Model>,
) -> Result<(), DbErr> {
    // 13 columns a row: well under SQLite's 32,766 bound variables per statement.
    for chunk in rows.chunks(500) {
        messages::Entity::insert_many(chunk.iter().cloned().map(messages::ActiveModel::from))
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Moves many read positions forward at once (never back): one `(user, channel, seq)` each.
pub async fn mark_read_many(
    db: &impl ConnectionTrait,
    positions: Vec<(Uuid, Uuid, i64)>,
) -> Result<(), DbErr> {
    for chunk in positions.chunks(500) {
        read_states::Entity::insert_many(chunk.iter().map(|(user, channel, seq)| {
            read_states::ActiveModel {
                user_id: Set(*user),
                channel_id: Set(*channel),
                last_read_seq: Set(*seq),
            }
        }))
        .on_conflict(
            OnConflict::columns([read_states::Column::UserId, read_states::Column::ChannelId])
                .value(
                    read_states::Column::LastReadSeq,
                    Expr::cust(
                        "CASE WHEN excluded.last_read_seq > read_states.last_read_seq \
                         THEN excluded.last_read_seq ELSE read_states.last_read_seq END",
                    ),
                )
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// New words for a message: edited now, its language and judgement to be found again.
pub async fn edit_message(
    db: &impl ConnectionTrait,
    id: Uuid,
    body: String,
    now: DateTime<Utc>,
) -> Result<messages::Model, DbErr> {
    messages::Entity::update(messages::ActiveModel {
        id: Set(id),
        body: Set(Some(body)),
        edited_at: Set(Some(now)),
        language: Set(None),
        ai_status: Set(None),
        ..Default::default()
    })
    .exec(db)
    .await
}

/// Pins a message (when and by whom) or, with `None`, unpins it.
pub async fn set_pin(
    db: &impl ConnectionTrait,
    id: Uuid,
    pin: Option<(DateTime<Utc>, Uuid)>,
) -> Result<messages::Model, DbErr> {
    messages::Entity::update(messages::ActiveModel {
        id: Set(id),
        pinned_at: Set(pin.map(|(at, _)| at)),
        pinned_by: Set(pin.map(|(_, by)| by)),
        ..Default::default()
    })
    .exec(db)
    .await
}

/// Erases one message (see `erase_messages`).
pub async fn erase_message(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    erase_messages(db, Condition::all().add(messages::Column::Id.eq(id)), now).await
}

/// The newest `limit` messages after `read` that others wrote and nobody deleted, newest
/// first ("catch me up").
pub async fn unread_by(
    db: &impl ConnectionTrait,
    channel: Uuid,
    reader: Uuid,
    read: i64,
    limit: u64,
) -> Result<Vec<messages::Model>, DbErr> {
    messages::Entity::find()
        .filter(messages::Column::ChannelId.eq(channel))
        .filter(messages::Column::Seq.gt(read))
        .filter(messages::Column::DeletedAt.is_null())
        .filter(messages::Column::AuthorId.ne(reader))
        .order_by_desc(messages::Column::Seq)
        .limit(limit)
        .all(db)
        .await
}

/// A community's own toxicity threshold; `None` uses the server's.
pub async fn set_toxicity_threshold(
    db: &impl ConnectionTrait,
    community: Uuid,
    threshold: Option<f32>,
) -> Result<(), DbErr> {
    communities::Entity::update(communities::ActiveModel {
        id: Set(community),
        toxicity_threshold: Set(threshold),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}

pub async fn message(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<messages::Model>, DbErr> {
    messages::Entity::find_by_id(id).one(db).await
}

pub async fn messages_by_ids(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<Vec<messages::Model>, DbErr> {
    messages::Entity::find()
        .filter(messages::Column::Id.is_in(ids))
        .all(db)
        .await
}

/// Up to `limit` messages before `before` (exclusive; `None` = the newest), newest first.
/// A range scan on the (channel, seq) index whatever the channel's size.
pub async fn page_before(
    db: &impl ConnectionTrait,
    channel: Uuid,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<messages::Model>, DbErr> {
    let mut query = messages::Entity::find().filter(messages::Column::ChannelId.eq(channel));
    if let Some(before) = before {
        query = query.filter(messages::Column::Seq.lt(before));
    }
    query
        .order_by_desc(messages::Column::Seq)
        .limit(limit)
        .all(db)
        .await
}

/// Messages after `after` (exclusive), oldest first, at most `limit`.
pub async fn after(
    db: &impl ConnectionTrait,
    channel: Uuid,
    after: i64,
    limit: u64,
) -> Result<Vec<messages::Model>, DbErr> {
    messages::Entity::find()
        .filter(messages::Column::ChannelId.eq(channel))
        .filter(messages::Column::Seq.gt(after))
        .order_by_asc(messages::Column::Seq)
        .limit(limit)
        .all(db)
        .await
}

pub async fn pinned(
    db: &impl ConnectionTrait,
    channel: Uuid,
) -> Result<Vec<messages::Model>, DbErr> {
    messages::Entity::find()
        .filter(messages::Column::ChannelId.eq(channel))
        .filter(messages::Column::PinnedAt.is_not_null())
        .order_by_desc(messages::Column::PinnedAt)
        .all(db)
        .await
}

/// Makes the person's rate-limited actions wait for each other until this transaction ends
/// (on every instance): the count and the new row are one decision.
pub async fn lock_actions_of(db: &impl ConnectionTrait, user: Uuid) -> Result<(), DbErr> {
    crate::platform::db::lock_until_commit(db, ACTIONS_LOCK_SPACE, user).await
}

/// The first key of PostgreSQL's two-key advisory locks that names "a person's chat actions".
const ACTIONS_LOCK_SPACE: i32 = 0x6368_6174; // "chat"

/// How many rate-limited actions the person took since `since`, and when the oldest was.
pub async fn actions_since(
    db: &impl ConnectionTrait,
    user: Uuid,
    since: DateTime<Utc>,
) -> Result<(u64, Option<DateTime<Utc>>), DbErr> {
    let recent = chat_actions::Entity::find()
        .filter(chat_actions::Column::UserId.eq(user))
        .filter(chat_actions::Column::At.gt(since));
    let count = recent.clone().count(db).await?;
    let oldest = recent
        .order_by_asc(chat_actions::Column::At)
        .select_only()
        .column(chat_actions::Column::At)
        .into_tuple::<DateTime<Utc>>()
        .one(db)
        .await?;
    Ok((count, oldest))
}

/// Records a rate-limited action; returns its id.
pub async fn record_action(
    db: &impl ConnectionTrait,
    user: Uuid,
    at: DateTime<Utc>,
) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    chat_actions::Entity::insert(chat_actions::ActiveModel {
        id: Set(id),
        user_id: Set(user),
        at: Set(at),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

/// Takes back an action that was refused.
pub async fn forget_action(db: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    chat_actions::Entity::delete_by_id(id)
        .exec(db)
        .await
        .map(drop)
}

/// Forgets actions older than any window could reach.
pub async fn forget_actions_before(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(chat_actions::Entity::delete_many()
        .filter(chat_actions::Column::At.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}

pub async fn reactions_of(
    db: &impl ConnectionTrait,
    message_ids: Vec<Uuid>,
) -> Result<Vec<reactions::Model>, DbErr> {
    reactions::Entity::find()
        .filter(reactions::Column::MessageId.is_in(message_ids))
        .order_by_asc(reactions::Column::CreatedAt)
        .all(db)
        .await
}

pub async fn add_reaction(
    db: &impl ConnectionTrait,
    message: Uuid,
    user: Uuid,
    emoji: String,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    reactions::Entity::insert(reactions::ActiveModel {
        message_id: Set(message),
        user_id: Set(user),
        emoji: Set(emoji),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            reactions::Column::MessageId,
            reactions::Column::UserId,
            reactions::Column::Emoji,
        ])
        .do_nothing()
        .to_owned(),
    )
    .do_nothing()
    .exec(db)
    .await?;
    Ok(())
}

pub async fn remove_reaction(
    db: &impl ConnectionTrait,
    message: Uuid,
    user: Uuid,
    emoji: String,
) -> Result<(), DbErr> {
    reactions::Entity::delete_by_id((message, user, emoji))
        .exec(db)
        .await?;
    Ok(())
}

/// Takes the words of the chosen messages out of the database and keeps their places in the
/// history: body, pin, reactions, moderation flag and translations go. Deleting one message and
/// deleting an account's messages both come here, so both leave the same trace. `which` is a
/// condition on `messages`; messages already deleted are left as they are. How many it erased.
pub async fn erase_messages(
    db: &impl ConnectionTrait,
    which: Condition,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let which = which.add(messages::Column::DeletedAt.is_null());
    let chosen = Query::select()
        .column(messages::Column::Id)
        .from(messages::Entity)
        .cond_where(which.clone())
        .to_owned();
    reactions::Entity::delete_many()
        .filter(reactions::Column::MessageId.in_subquery(chosen.clone()))
        .exec(db)
        .await?;
    message_flags::Entity::delete_many()
        .filter(message_flags::Column::MessageId.in_subquery(chosen.clone()))
        .exec(db)
        .await?;
    message_translations::Entity::delete_many()
        .filter(message_translations::Column::MessageId.in_subquery(chosen))
        .exec(db)
        .await?;
    let erased = messages::Entity::update_many()
        .col_expr(messages::Column::Body, Expr::value(Option::<String>::None))
        .col_expr(messages::Column::DeletedAt, Expr::value(now))
        .col_expr(
            messages::Column::PinnedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            messages::Column::PinnedBy,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(which)
        .exec(db)
        .await?;
    Ok(erased.rows_affected)
}

/// Moves a read position forward (never back).
pub async fn mark_read(
    db: &impl ConnectionTrait,
    user: Uuid,
    channel: Uuid,
    seq: i64,
) -> Result<(), DbErr> {
    let current = read_states::Entity::find_by_id((user, channel))
        .one(db)
        .await?;
    match current {
        Some(state) if state.last_read_seq >= seq => Ok(()),
        Some(_) => {
            read_states::Entity::update_many()
                .col_expr(read_states::Column::LastReadSeq, Expr::value(seq))
                .filter(read_states::Column::UserId.eq(user))
                .filter(read_states::Column::ChannelId.eq(channel))
                .filter(read_states::Column::LastReadSeq.lt(seq))
                .exec(db)
                .await?;
            Ok(())
        }
        None => {
            read_states::Entity::insert(read_states::ActiveModel {
                user_id: Set(user),
                channel_id: Set(channel),
                last_read_seq: Set(seq),
            })
            .on_conflict(
                OnConflict::columns([read_states::Column::UserId, read_states::Column::ChannelId])
                    .update_column(read_states::Column::LastReadSeq)
                    .to_owned(),
            )
            .exec(db)
            .await?;
            Ok(())
        }
    }
}

pub async fn read_position(
    db: &impl ConnectionTrait,
    user: Uuid,
    channel: Uuid,
) -> Result<i64, DbErr> {
    Ok(read_states::Entity::find_by_id((user, channel))
        .one(db)
        .await?
        .map(|r| r.last_read_seq)
        .unwrap_or(0))
}

/// Everyone this person has blocked.
pub async fn blocked_by(db: &impl ConnectionTrait, user: Uuid) -> Result<Vec<Uuid>, DbErr> {
    user_blocks::Entity::find()
        .filter(user_blocks::Column::BlockerId.eq(user))
        .select_only()
        .column(user_blocks::Column::BlockedId)
        .into_tuple()
        .all(db)
        .await
}

/// Those of `people` who blocked `author`.
pub async fn blockers_of(
    db: &impl ConnectionTrait,
    author: Uuid,
    people: Vec<Uuid>,
) -> Result<Vec<Uuid>, DbErr> {
    user_blocks::Entity::find()
        .filter(user_blocks::Column::BlockedId.eq(author))
        .filter(user_blocks::Column::BlockerId.is_in(people))
        .select_only()
        .column(user_blocks::Column::BlockerId)
        .into_tuple()
        .all(db)
        .await
}

/// Groups reactions by message.
pub fn group_reactions(rows: Vec<reactions::Model>) -> HashMap<Uuid, Vec<reactions::Model>> {
    let mut by_message: HashMap<Uuid, Vec<reactions::Model>> = HashMap::new();
    for row in rows {
        by_message.entry(row.message_id).or_default().push(row);
    }
    by_message
}

/// The standing (undismissed) moderation flags of these messages.
pub async fn flags_of(
    db: &impl ConnectionTrait,
    message_ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, message_flags::Model>, DbErr> {
    Ok(message_flags::Entity::find()
        .filter(message_flags::Column::MessageId.is_in(message_ids))
        .filter(message_flags::Column::DismissedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.message_id, f))
        .collect())
}

/// The cached translations of these messages.
pub async fn translations_of(
    db: &impl ConnectionTrait,
    message_ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, Vec<crate::ai::Translation>>, DbErr> {
    let mut grouped: HashMap<Uuid, Vec<crate::ai::Translation>> = HashMap::new();
    for row in message_translations::Entity::find()
        .filter(message_translations::Column::MessageId.is_in(message_ids))
        .all(db)
        .await?
    {
        grouped
            .entry(row.message_id)
            .or_default()
            .push(crate::ai::Translation::from(&row));
    }
    Ok(grouped)
}

/// Forgets a message's translations (its text changed or went).
pub async fn clear_translations(db: &impl ConnectionTrait, message: Uuid) -> Result<(), DbErr> {
    message_translations::Entity::delete_many()
        .filter(message_translations::Column::MessageId.eq(message))
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets a message's flag (it was edited or deleted: the old text is no longer there).
pub async fn clear_flag(db: &impl ConnectionTrait, message: Uuid) -> Result<(), DbErr> {
    message_flags::Entity::delete_by_id(message)
        .exec(db)
        .await?;
    Ok(())
}

/// The standing flags in these channels, newest first (at most 500). Filtered by channel in
/// the query itself, so other communities' flags never crowd these out.
pub async fn flagged_in(
    db: &impl ConnectionTrait,
    channels: Vec<Uuid>,
) -> Result<Vec<messages::Model>, DbErr> {
    let in_channels = sea_orm::sea_query::Query::select()
        .column(messages::Column::Id)
        .from(messages::Entity)
        .and_where(messages::Column::ChannelId.is_in(channels))
        .and_where(messages::Column::DeletedAt.is_null())
        .to_owned();
    let flagged: Vec<Uuid> = message_flags::Entity::find()
        .filter(message_flags::Column::DismissedAt.is_null())
        .filter(message_flags::Column::MessageId.in_subquery(in_channels))
        .order_by_desc(message_flags::Column::FlaggedAt)
        .limit(500)
        .all(db)
        .await?
        .into_iter()
        .map(|f| f.message_id)
        .collect();
    let mut rows = messages::Entity::find()
        .filter(messages::Column::Id.is_in(flagged.clone()))
        .all(db)
        .await?;
    rows.sort_by_key(|m| flagged.iter().position(|id| *id == m.id));
    Ok(rows)
}

/// A moderator judged the flag wrong.
pub async fn dismiss_flag(db: &impl ConnectionTrait, message: Uuid, by: Uuid) -> Result<(), DbErr> {
    message_flags::Entity::update_many()
        .col_expr(message_flags::Column::DismissedAt, Expr::value(Utc::now()))
        .col_expr(message_flags::Column::DismissedBy, Expr::value(by))
        .filter(message_flags::Column::MessageId.eq(message))
        .exec(db)
        .await?;
    Ok(())
}

/// The channels of these communities.
pub async fn channels_in(
    db: &impl ConnectionTrait,
    communities: Vec<Uuid>,
) -> Result<Vec<channels::Model>, DbErr> {
    channels::Entity::find()
        .filter(channels::Column::CommunityId.is_in(communities))
        .all(db)
        .await
}

/// Up to `limit` messages of these channels since `since`, newest first, whose text contains
/// `needle` (lower-case) in any case; deleted messages and those with a standing flag are left
/// out.
pub async fn unflagged_messages_naming(
    db: &impl ConnectionTrait,
    channels: Vec<Uuid>,
    needle: &str,
    since: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<messages::Model>, DbErr> {
    use sea_orm::sea_query::Func;
    let found = messages::Entity::find()
        .filter(messages::Column::ChannelId.is_in(channels))
        .filter(messages::Column::DeletedAt.is_null())
        .filter(messages::Column::CreatedAt.gt(since))
        .filter(
            Expr::expr(Func::lower(Expr::col(messages::Column::Body))).like(format!("%{needle}%")),
        )
        .order_by_desc(messages::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?;
    without_standing_flags(db, found).await
}

/// Up to `limit` of `author`'s messages in these channels, newest first; deleted messages and
/// those with a standing flag are left out. Served by the (author, time) index.
pub async fn recent_by_author(
    db: &impl ConnectionTrait,
    author: Uuid,
    channels: Vec<Uuid>,
    limit: u64,
) -> Result<Vec<messages::Model>, DbErr> {
    let found = messages::Entity::find()
        .filter(messages::Column::AuthorId.eq(author))
        .filter(messages::Column::ChannelId.is_in(channels))
        .filter(messages::Column::DeletedAt.is_null())
        .order_by_desc(messages::Column::CreatedAt)
        // A few spare rows for those a flag leaves out.
        .limit(limit * 2)
        .all(db)
        .await?;
    let mut kept = without_standing_flags(db, found).await?;
    kept.truncate(limit as usize);
    Ok(kept)
}

/// `found` without the messages that carry a flag no moderator has dismissed.
async fn without_standing_flags(
    db: &impl ConnectionTrait,
    found: Vec<messages::Model>,
) -> Result<Vec<messages::Model>, DbErr> {
    let flagged: std::collections::HashSet<Uuid> = message_flags::Entity::find()
        .filter(message_flags::Column::MessageId.is_in(found.iter().map(|m| m.id)))
        .filter(message_flags::Column::DismissedAt.is_null())
        .select_only()
        .column(message_flags::Column::MessageId)
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(found
        .into_iter()
        .filter(|m| !flagged.contains(&m.id))
        .collect())
}

/// The texts and channels of messages after the read positions given (channel → last read
/// number) whose text contains `needle` (lower-case) in any case, not written by `reader`, not
/// deleted; at most `limit`, newest first. The caller checks the exact mention.
pub async fn unread_naming(
    db: &impl ConnectionTrait,
    after: &[(Uuid, i64)],
    needle: &str,
    reader: Uuid,
    limit: u64,
) -> Result<Vec<(Uuid, Uuid, Option<String>)>, DbErr> {
    use sea_orm::sea_query::Func;
    if after.is_empty() {
        return Ok(Vec::new());
    }
    let unread = after.iter().fold(Condition::any(), |any, (channel, read)| {
        any.add(
            Condition::all()
                .add(messages::Column::ChannelId.eq(*channel))
                .add(messages::Column::Seq.gt(*read)),
        )
    });
    messages::Entity::find()
        .filter(unread)
        .filter(messages::Column::DeletedAt.is_null())
        .filter(messages::Column::AuthorId.ne(reader))
        .filter(
            Expr::expr(Func::lower(Expr::col(messages::Column::Body))).like(format!("%{needle}%")),
        )
        .order_by_desc(messages::Column::CreatedAt)
        .limit(limit)
        .select_only()
        .column(messages::Column::ChannelId)
        .column(messages::Column::AuthorId)
        .column(messages::Column::Body)
        .into_tuple()
        .all(db)
        .await
}

// ——— Presence: the open sockets of every instance ————————————————————————————————————————

pub async fn insert_connection(
    db: &impl ConnectionTrait,
    connection: connections::Model,
) -> Result<(), DbErr> {
    connections::Entity::insert(connections::ActiveModel::from(connection))
        .exec(db)
        .await?;
    Ok(())
}

/// Whether the person has another connection seen since `fresh`.
pub async fn has_other_connection(
    db: &impl ConnectionTrait,
    user: Uuid,
    this: Uuid,
    fresh: DateTime<Utc>,
) -> Result<bool, DbErr> {
    Ok(connections::Entity::find()
        .filter(connections::Column::UserId.eq(user))
        .filter(connections::Column::Id.ne(this))
        .filter(connections::Column::SeenAt.gt(fresh))
        .count(db)
        .await?
        > 0)
}

pub async fn delete_connection(db: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    connections::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// This instance's connections are alive at `now` (the heartbeat).
pub async fn refresh_connections(
    db: &impl ConnectionTrait,
    instance: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    connections::Entity::update_many()
        .col_expr(connections::Column::SeenAt, Expr::value(now))
        .filter(connections::Column::InstanceId.eq(instance))
        .exec(db)
        .await?;
    Ok(())
}

/// Removes the connections nobody refreshed since `stale` (a crashed instance's) and answers
/// them: only the instance whose delete removed a row announces its person offline.
pub async fn sweep_connections(
    db: &impl ConnectionTrait,
    stale: DateTime<Utc>,
) -> Result<Vec<connections::Model>, DbErr> {
    connections::Entity::delete_many()
        .filter(connections::Column::SeenAt.lt(stale))
        .exec_with_returning(db)
        .await
}

/// Removes all of an instance's connections (it is stopping) and answers them.
pub async fn delete_instance_connections(
    db: &impl ConnectionTrait,
    instance: Uuid,
) -> Result<Vec<connections::Model>, DbErr> {
    connections::Entity::delete_many()
        .filter(connections::Column::InstanceId.eq(instance))
        .exec_with_returning(db)
        .await
}
