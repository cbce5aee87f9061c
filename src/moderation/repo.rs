//! sea-orm queries of chat's AI work: a message's judgement (language, status, flag), the
//! languages a community reads, and the translations cache.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{CaseStatement, Expr, OnConflict},
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, QueryTrait,
};
use uuid::Uuid;

use crate::{
    ai::{Flag, Translation},
    entities::{
        communities, community_members, message_flags, message_meanings, message_translations,
        messages, users,
    },
};

/// A message as it was judged: its id, the words judged and the language found in them.
pub struct Judged<'a> {
    pub message: Uuid,
    pub body: &'a str,
    pub language: Option<&'a str>,
}

/// Records each message's language and AI status in one statement, only where it still says
/// what was judged (an edit or a deletion while it waited makes the judgement stale); answers
/// which were recorded.
pub async fn record_judgements(
    db: &impl ConnectionTrait,
    judged: &[Judged<'_>],
    status: &str,
) -> Result<HashSet<Uuid>, DbErr> {
    let Some((first, rest)) = judged.split_first() else {
        return Ok(HashSet::new());
    };
    let id = || Expr::col((messages::Entity, messages::Column::Id));
    let language_of = |j: &Judged| Expr::val(j.language.map(str::to_string));
    let body_of = |j: &Judged| Expr::val(j.body.to_string());
    let (mut language, mut body) = (
        CaseStatement::new().case(id().eq(first.message), language_of(first)),
        CaseStatement::new().case(id().eq(first.message), body_of(first)),
    );
    for j in rest {
        language = language.case(id().eq(j.message), language_of(j));
        body = body.case(id().eq(j.message), body_of(j));
    }
    let stored = messages::Entity::update_many()
        .col_expr(messages::Column::Language, language.into())
        .col_expr(messages::Column::AiStatus, Expr::val(status).into())
        .filter(messages::Column::Id.is_in(judged.iter().map(|j| j.message)))
        .filter(Expr::col((messages::Entity, messages::Column::Body)).eq(body))
        .exec_with_returning(db)
        .await?;
    Ok(stored.into_iter().map(|m| m.id).collect())
}

/// Stores messages' meanings (for search by meaning), replacing an edited message's earlier one.
pub async fn store_meanings(
    db: &impl ConnectionTrait,
    meanings: Vec<(Uuid, Uuid, Vec<u8>)>,
) -> Result<(), DbErr> {
    if meanings.is_empty() {
        return Ok(());
    }
    message_meanings::Entity::insert_many(meanings.into_iter().map(
        |(message, channel, meaning)| message_meanings::ActiveModel {
            message_id: Set(message),
            channel_id: Set(channel),
            meaning: Set(meaning),
        },
    ))
    .on_conflict(
        OnConflict::column(message_meanings::Column::MessageId)
            .update_column(message_meanings::Column::Meaning)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Sets the AI status of messages, whatever they say now.
pub async fn set_ai_status(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
    status: &str,
) -> Result<(), DbErr> {
    messages::Entity::update_many()
        .col_expr(messages::Column::AiStatus, Some(status.to_string()).into())
        .filter(messages::Column::Id.is_in(ids))
        .exec(db)
        .await?;
    Ok(())
}

/// A community's own toxicity threshold, if it set one.
pub async fn community_threshold(
    db: &impl ConnectionTrait,
    community: Uuid,
) -> Result<Option<f32>, DbErr> {
    Ok(communities::Entity::find_by_id(community)
        .select_only()
        .column(communities::Column::ToxicityThreshold)
        .into_tuple::<Option<f32>>()
        .one(db)
        .await?
        .flatten())
}

/// Flags a message (a second judgement replaces the first, a dismissal stays).
pub async fn store_flag(
    db: &impl ConnectionTrait,
    message: Uuid,
    flag: &Flag,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    message_flags::Entity::insert(message_flags::ActiveModel {
        message_id: Set(message),
        score: Set(flag.score),
        reason: Set(flag.reason.clone()),
        severe: Set(flag.severe),
        engine: Set(flag.engine.clone()),
        flagged_at: Set(now),
        dismissed_at: Set(None),
        dismissed_by: Set(None),
    })
    .on_conflict(
        OnConflict::column(message_flags::Column::MessageId)
            .update_columns([
                message_flags::Column::Score,
                message_flags::Column::Reason,
                message_flags::Column::Severe,
                message_flags::Column::Engine,
                message_flags::Column::FlaggedAt,
            ])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// The languages a community's members read, each once.
pub async fn member_languages(
    db: &impl ConnectionTrait,
    community: Uuid,
) -> Result<Vec<String>, DbErr> {
    let members = community_members::Entity::find()
        .select_only()
        .column(community_members::Column::UserId)
        .filter(community_members::Column::CommunityId.eq(community))
        .into_query();
    users::Entity::find()
        .select_only()
        .column(users::Column::PreferredLanguage)
        .distinct()
        .filter(users::Column::Id.in_subquery(members))
        .into_tuple::<String>()
        .all(db)
        .await
}

pub async fn cached_translation(
    db: &impl ConnectionTrait,
    message: Uuid,
    language: &str,
) -> Result<Option<message_translations::Model>, DbErr> {
    message_translations::Entity::find_by_id((message, language.to_string()))
        .one(db)
        .await
}

/// Caches a translation; the first one stored for a language stays (two instances translating
/// at once store one).
pub async fn store_translation(
    db: &impl ConnectionTrait,
    message: Uuid,
    translation: &Translation,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    message_translations::Entity::insert(message_translations::ActiveModel {
        message_id: Set(message),
        language: Set(translation.language.clone()),
        body: Set(translation.body.clone()),
        engine: Set(translation.engine.clone()),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            message_translations::Column::MessageId,
            message_translations::Column::Language,
        ])
        .do_nothing()
        .to_owned(),
    )
    .do_nothing()
    .exec(db)
    .await?;
    Ok(())
}
