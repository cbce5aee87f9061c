//! Queries of community analytics: what the roll-up job reads and writes, and what the
//! managers' page reads from the roll-ups.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    sea_query::{Alias, Expr, OnConflict, Query, UnionType},
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, JoinType,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::days::{monday_of, month_end, whole_months};
use crate::entities::{
    channel_days, channels, community_days, community_weeks, member_days, member_months,
    membership_changes, message_flags, messages, reports, rollups, symbol_days,
};

/// The analytics roll-up's name in `rollups` (the row other periodic jobs use too: a day to
/// start from and a lease).
pub const ACTIVITY: &str = "activity";

/// Claims job `job` unless a run holds it (claimed after `stale`): where it is to start.
/// `None`: another run holds it.
pub async fn claim_job(
    db: &impl ConnectionTrait,
    job: &str,
    now: DateTime<Utc>,
    stale: DateTime<Utc>,
) -> Result<Option<rollups::Model>, DbErr> {
    rollups::Entity::insert(rollups::ActiveModel {
        name: Set(job.into()),
        from_day: Set(None),
        claimed_at: Set(None),
        ran_at: Set(None),
    })
    .on_conflict(
        OnConflict::column(rollups::Column::Name)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(rollups::Entity::update_many()
        .col_expr(rollups::Column::ClaimedAt, Expr::value(now))
        .filter(rollups::Column::Name.eq(job))
        .filter(
            Condition::any()
                .add(rollups::Column::ClaimedAt.is_null())
                .add(rollups::Column::ClaimedAt.lt(stale)),
        )
        .exec_with_returning(db)
        .await?
        .into_iter()
        .next())
}

/// Keeps the claim while a long run goes on.
pub async fn hold_job(
    db: &impl ConnectionTrait,
    job: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    rollups::Entity::update_many()
        .col_expr(rollups::Column::ClaimedAt, Expr::value(now))
        .filter(rollups::Column::Name.eq(job))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends a run: the next starts at `from_day`; what it made is as of `now`.
pub async fn finish_job(
    db: &impl ConnectionTrait,
    job: &str,
    from_day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    rollups::Entity::update_many()
        .col_expr(rollups::Column::FromDay, Expr::value(from_day))
        .col_expr(rollups::Column::RanAt, Expr::value(now))
        .col_expr(
            rollups::Column::ClaimedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(rollups::Column::Name.eq(job))
        .exec(db)
        .await?;
    Ok(())
}

/// A job's state (for the roll-up: how fresh the figures are).
pub async fn job_state(
    db: &impl ConnectionTrait,
    job: &str,
) -> Result<Option<rollups::Model>, DbErr> {
    rollups::Entity::find_by_id(job.to_owned()).one(db).await
}

/// When the first message and the first membership change were (the index answers both).
pub async fn first_activity(db: &impl ConnectionTrait) -> Result<Option<DateTime<Utc>>, DbErr> {
    let message: Option<Option<DateTime<Utc>>> = messages::Entity::find()
        .select_only()
        .column_as(messages::Column::CreatedAt.min(), "first")
        .into_tuple()
        .one(db)
        .await?;
    let change: Option<Option<DateTime<Utc>>> = membership_changes::Entity::find()
        .select_only()
        .column_as(membership_changes::Column::At.min(), "first")
        .into_tuple()
        .one(db)
        .await?;
    Ok([message.flatten(), change.flatten()]
        .into_iter()
        .flatten()
        .min())
}

/// A message as the roll-up counts it.
#[derive(Debug, FromQueryResult)]
pub struct Written {
    pub id: Uuid,
    pub channel_id: Uuid,
    pub author_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub body: Option<String>,
    pub language: Option<String>,
    pub flagged: bool,
}

/// Up to `limit` messages written in `[from, to)`, deleted ones too, in time order after the
/// one given (keyset paging).
pub async fn written_between(
    db: &impl ConnectionTrait,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: u64,
) -> Result<Vec<Written>, DbErr> {
    let mut query = messages::Entity::find()
        .select_only()
        .columns([
            messages::Column::Id,
            messages::Column::ChannelId,
            messages::Column::AuthorId,
            messages::Column::CreatedAt,
            messages::Column::Body,
            messages::Column::Language,
        ])
        .column_as(message_flags::Column::MessageId.is_not_null(), "flagged")
        .join(
            JoinType::LeftJoin,
            messages::Entity::belongs_to(message_flags::Entity)
                .from(messages::Column::Id)
                .to(message_flags::Column::MessageId)
                .into(),
        )
        .filter(messages::Column::CreatedAt.gte(from))
        .filter(messages::Column::CreatedAt.lt(to));
    if let Some((at, id)) = after {
        query = query.filter(
            Condition::any()
                .add(messages::Column::CreatedAt.gt(at))
                .add(
                    Condition::all()
                        .add(messages::Column::CreatedAt.eq(at))
                        .add(messages::Column::Id.gt(id)),
                ),
        );
    }
    query
        .order_by_asc(messages::Column::CreatedAt)
        .order_by_asc(messages::Column::Id)
        .limit(limit)
        .into_model::<Written>()
        .all(db)
        .await
}

/// Every channel's community.
pub async fn channel_communities(db: &impl ConnectionTrait) -> Result<Vec<(Uuid, Uuid)>, DbErr> {
    channels::Entity::find()
        .select_only()
        .columns([channels::Column::Id, channels::Column::CommunityId])
        .into_tuple()
        .all(db)
        .await
}

/// Membership changes in `[from, to)`: (community, change).
pub async fn changes_between(
    db: &impl ConnectionTrait,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<(Uuid, String)>, DbErr> {
    membership_changes::Entity::find()
        .select_only()
        .columns([
            membership_changes::Column::CommunityId,
            membership_changes::Column::Change,
        ])
        .filter(membership_changes::Column::At.gte(from))
        .filter(membership_changes::Column::At.lt(to))
        .into_tuple()
        .all(db)
        .await
}

/// The communities of reports made in `[from, to)`, one per report.
pub async fn reports_between(
    db: &impl ConnectionTrait,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<Uuid>, DbErr> {
    reports::Entity::find()
        .select_only()
        .column(reports::Column::CommunityId)
        .filter(reports::Column::CreatedAt.gte(from))
        .filter(reports::Column::CreatedAt.lt(to))
        .into_tuple()
        .all(db)
        .await
}

/// One day's roll-up rows, all communities.
#[derive(Default)]
pub struct DayRollup {
    pub channels: Vec<channel_days::Model>,
    pub members: Vec<member_days::Model>,
    pub symbols: Vec<symbol_days::Model>,
    pub communities: Vec<community_days::Model>,
}

/// Rows inserted per statement: under SQLite's limit on bound values.
const CHUNK: usize = 500;

/// Replaces a day's roll-up with `rollup` (call inside a transaction).
pub async fn replace_day(
    db: &impl ConnectionTrait,
    day: NaiveDate,
    rollup: DayRollup,
) -> Result<(), DbErr> {
    channel_days::Entity::delete_many()
        .filter(channel_days::Column::Day.eq(day))
        .exec(db)
        .await?;
    member_days::Entity::delete_many()
        .filter(member_days::Column::Day.eq(day))
        .exec(db)
        .await?;
    symbol_days::Entity::delete_many()
        .filter(symbol_days::Column::Day.eq(day))
        .exec(db)
        .await?;
    community_days::Entity::delete_many()
        .filter(community_days::Column::Day.eq(day))
        .exec(db)
        .await?;
    for chunk in rollup.channels.chunks(CHUNK) {
        channel_days::Entity::insert_many(
            chunk.iter().cloned().map(channel_days::ActiveModel::from),
        )
        .exec_without_returning(db)
        .await?;
    }
    for chunk in rollup.members.chunks(CHUNK) {
        member_days::Entity::insert_many(chunk.iter().cloned().map(member_days::ActiveModel::from))
            .exec_without_returning(db)
            .await?;
    }
    for chunk in rollup.symbols.chunks(CHUNK) {
        symbol_days::Entity::insert_many(chunk.iter().cloned().map(symbol_days::ActiveModel::from))
            .exec_without_returning(db)
            .await?;
    }
    for chunk in rollup.communities.chunks(CHUNK) {
        community_days::Entity::insert_many(
            chunk.iter().cloned().map(community_days::ActiveModel::from),
        )
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// A community's channel days in `[from, to]`.
pub async fn channel_days_of(
    db: &impl ConnectionTrait,
    community: Uuid,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<channel_days::Model>, DbErr> {
    channel_days::Entity::find()
        .filter(channel_days::Column::CommunityId.eq(community))
        .filter(channel_days::Column::Day.between(from, to))
        .all(db)
        .await
}

/// A community's membership and report days in `[from, to]`.
pub async fn community_days_of(
    db: &impl ConnectionTrait,
    community: Uuid,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<community_days::Model>, DbErr> {
    community_days::Entity::find()
        .filter(community_days::Column::CommunityId.eq(community))
        .filter(community_days::Column::Day.between(from, to))
        .all(db)
        .await
}

/// Distinct members who wrote, per week whose Monday is in `[first_monday, to]`.
pub async fn active_per_week(
    db: &impl ConnectionTrait,
    community: Uuid,
    (first_monday, to): (NaiveDate, NaiveDate),
) -> Result<Vec<(NaiveDate, i64)>, DbErr> {
    let rows: Vec<(NaiveDate, i32)> = community_weeks::Entity::find()
        .select_only()
        .columns([
            community_weeks::Column::Week,
            community_weeks::Column::Active,
        ])
        .filter(community_weeks::Column::CommunityId.eq(community))
        .filter(community_weeks::Column::Week.between(first_monday, to))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(w, n)| (w, i64::from(n))).collect())
}

/// Counts every community's writers of the week that starts on `week` again, from its days.
pub async fn recount_week(db: &impl ConnectionTrait, week: NaiveDate) -> Result<(), DbErr> {
    community_weeks::Entity::delete_many()
        .filter(community_weeks::Column::Week.eq(week))
        .exec(db)
        .await?;
    let counted = Query::insert()
        .into_table(community_weeks::Entity)
        .columns([
            community_weeks::Column::CommunityId,
            community_weeks::Column::Week,
            community_weeks::Column::Active,
        ])
        .select_from(
            Query::select()
                .column(member_days::Column::CommunityId)
                .column(member_days::Column::Week)
                .expr(Expr::cust("COUNT(DISTINCT user_id)"))
                .from(member_days::Entity)
                .and_where(member_days::Column::Week.eq(week))
                .group_by_columns([member_days::Column::CommunityId, member_days::Column::Week])
                .to_owned(),
        )
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_owned();
    db.execute(db.get_database_backend().build(&counted))
        .await?;
    Ok(())
}

/// Lists every community's writers of the month that starts on `month` again, from its days
/// (read through the weeks index: the month's weeks, then its days).
pub async fn recount_month(db: &impl ConnectionTrait, month: NaiveDate) -> Result<(), DbErr> {
    let end = month_end(month);
    member_months::Entity::delete_many()
        .filter(member_months::Column::Month.eq(month))
        .exec(db)
        .await?;
    let listed = Query::insert()
        .into_table(member_months::Entity)
        .columns([
            member_months::Column::CommunityId,
            member_months::Column::Month,
            member_months::Column::UserId,
        ])
        .select_from(
            Query::select()
                .distinct()
                .column(member_days::Column::CommunityId)
                .expr(Expr::val(month))
                .column(member_days::Column::UserId)
                .from(member_days::Entity)
                .and_where(member_days::Column::Week.between(monday_of(month), monday_of(end)))
                .and_where(member_days::Column::Day.between(month, end))
                .to_owned(),
        )
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_owned();
    db.execute(db.get_database_backend().build(&listed)).await?;
    Ok(())
}

/// Distinct members who wrote in `[from, to]`: whole months from their lists, the ragged ends
/// from the days.
pub async fn active_between(
    db: &impl ConnectionTrait,
    community: Uuid,
    span: (NaiveDate, NaiveDate),
) -> Result<i64, DbErr> {
    let days = |(from, to): (NaiveDate, NaiveDate)| {
        Query::select()
            .column(member_days::Column::UserId)
            .from(member_days::Entity)
            .and_where(member_days::Column::CommunityId.eq(community))
            .and_where(member_days::Column::Day.between(from, to))
            .to_owned()
    };
    let writers = match whole_months(span) {
        None => days(span),
        Some(((first, last), ends)) => {
            let mut months = Query::select()
                .column(member_months::Column::UserId)
                .from(member_months::Entity)
                .and_where(member_months::Column::CommunityId.eq(community))
                .and_where(member_months::Column::Month.between(first, last))
                .to_owned();
            for end in ends {
                months.union(UnionType::All, days(end));
            }
            months
        }
    };
    // One writer, however many days or months they wrote in.
    let counted = Query::select()
        .expr(Expr::cust("COUNT(DISTINCT user_id)"))
        .from_subquery(writers, Alias::new("writers"))
        .to_owned();
    let row = db
        .query_one(db.get_database_backend().build(&counted))
        .await?;
    Ok(row
        .map(|row| row.try_get_by_index::<i64>(0))
        .transpose()?
        .unwrap_or(0))
}

/// The most mentioned $cashtags in `[from, to]`: (symbol, mentions, bullish, bearish).
pub async fn top_symbols(
    db: &impl ConnectionTrait,
    community: Uuid,
    (from, to): (NaiveDate, NaiveDate),
    limit: u64,
) -> Result<Vec<(String, i64, i64, i64)>, DbErr> {
    symbol_days::Entity::find()
        .select_only()
        .column(symbol_days::Column::Symbol)
        .column_as(symbol_days::Column::Mentions.sum(), "mentions")
        .column_as(symbol_days::Column::Bullish.sum(), "bullish")
        .column_as(symbol_days::Column::Bearish.sum(), "bearish")
        .filter(symbol_days::Column::CommunityId.eq(community))
        .filter(symbol_days::Column::Day.between(from, to))
        .group_by(symbol_days::Column::Symbol)
        .order_by_desc(Expr::cust("SUM(mentions)"))
        .order_by_asc(symbol_days::Column::Symbol)
        .limit(limit)
        .into_tuple::<(String, Option<i64>, Option<i64>, Option<i64>)>()
        .all(db)
        .await
        .map(|rows| {
            rows.into_iter()
                .map(|(s, m, u, d)| (s, m.unwrap_or(0), u.unwrap_or(0), d.unwrap_or(0)))
                .collect()
        })
}

/// Mentions per $cashtag in these communities over `[from, to]`, most first.
pub async fn mentions_by_symbol(
    db: &impl ConnectionTrait,
    communities: Vec<Uuid>,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<(String, i64)>, DbErr> {
    symbol_days::Entity::find()
        .select_only()
        .column(symbol_days::Column::Symbol)
        .column_as(symbol_days::Column::Mentions.sum(), "mentions")
        .filter(symbol_days::Column::CommunityId.is_in(communities))
        .filter(symbol_days::Column::Day.between(from, to))
        .group_by(symbol_days::Column::Symbol)
        .into_tuple::<(String, Option<i64>)>()
        .all(db)
        .await
        .map(|rows| rows.into_iter().map(|(s, m)| (s, m.unwrap_or(0))).collect())
}

/// The days of the $cashtags `symbols` in these communities over `[from, to]`.
pub async fn symbol_days_in(
    db: &impl ConnectionTrait,
    communities: Vec<Uuid>,
    symbols: Vec<String>,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<symbol_days::Model>, DbErr> {
    symbol_days::Entity::find()
        .filter(symbol_days::Column::CommunityId.is_in(communities))
        .filter(symbol_days::Column::Symbol.is_in(symbols))
        .filter(symbol_days::Column::Day.between(from, to))
        .order_by_asc(symbol_days::Column::Day)
        .all(db)
        .await
}

/// These $cashtags' days in `[from, to]`.
pub async fn symbol_days_of(
    db: &impl ConnectionTrait,
    community: Uuid,
    symbols: Vec<String>,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<symbol_days::Model>, DbErr> {
    if symbols.is_empty() {
        return Ok(Vec::new());
    }
    symbol_days::Entity::find()
        .filter(symbol_days::Column::CommunityId.eq(community))
        .filter(symbol_days::Column::Symbol.is_in(symbols))
        .filter(symbol_days::Column::Day.between(from, to))
        .all(db)
        .await
}

/// Reports made in `[from, to)` that a moderator resolved: (made, resolved, by whom).
pub async fn resolved_reports(
    db: &impl ConnectionTrait,
    community: Uuid,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>, Uuid)>, DbErr> {
    type Resolution = (DateTime<Utc>, Option<DateTime<Utc>>, Option<Uuid>);
    let rows: Vec<Resolution> = reports::Entity::find()
        .select_only()
        .columns([
            reports::Column::CreatedAt,
            reports::Column::ResolvedAt,
            reports::Column::ResolvedBy,
        ])
        .filter(reports::Column::CommunityId.eq(community))
        .filter(reports::Column::CreatedAt.gte(from))
        .filter(reports::Column::CreatedAt.lt(to))
        .filter(reports::Column::ResolvedAt.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(made, resolved, by)| Some((made, resolved?, by?)))
        .collect())
}

/// Names of a community's channels.
pub async fn channel_names(
    db: &impl ConnectionTrait,
    community: Uuid,
) -> Result<Vec<(Uuid, String)>, DbErr> {
    channels::Entity::find()
        .select_only()
        .columns([channels::Column::Id, channels::Column::Name])
        .filter(channels::Column::CommunityId.eq(community))
        .into_tuple()
        .all(db)
        .await
}
