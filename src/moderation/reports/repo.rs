//! The queries of reports: one open report per reporter and message (or person), a community's
//! open and closed ones, closing them, and removing a community's.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::{ReportReason, ReportStatus};
use crate::entities::{messages, reports};

/// What a report is about: one message (and its author), or a person in a community.
#[derive(Debug, Clone, Copy)]
pub enum Subject {
    Message { id: Uuid, author: Uuid },
    Person(Uuid),
}

impl Subject {
    pub fn of(message: &messages::Model) -> Subject {
        Subject::Message {
            id: message.id,
            author: message.author_id,
        }
    }

    fn person(self) -> Uuid {
        match self {
            Subject::Message { author, .. } => author,
            Subject::Person(person) => person,
        }
    }

    /// The open reports about this subject in a community (a person's, not their messages').
    fn open_in(self, community: Uuid) -> Condition {
        let about = match self {
            Subject::Message { id, .. } => Condition::all().add(reports::Column::MessageId.eq(id)),
            Subject::Person(person) => Condition::all()
                .add(reports::Column::SubjectId.eq(person))
                .add(reports::Column::MessageId.is_null()),
        };
        about
            .add(reports::Column::CommunityId.eq(community))
            .add(reports::Column::Status.eq(ReportStatus::Open.as_str()))
    }
}

/// Files a report, or updates the reporter's open report of the same subject (a second report
/// by the same person changes the reason and note; it is not counted twice — a unique index
/// keeps it so when both arrive at once).
pub async fn file(
    db: &impl ConnectionTrait,
    community: Uuid,
    subject: Subject,
    reporter: Uuid,
    reason: ReportReason,
    note: &str,
) -> Result<(), DbErr> {
    let inserted = reports::Entity::insert(reports::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community),
        subject_id: Set(subject.person()),
        message_id: Set(match subject {
            Subject::Message { id, .. } => Some(id),
            Subject::Person(_) => None,
        }),
        reporter_id: Set(reporter),
        reason: Set(reason.as_str().to_string()),
        note: Set(note.to_string()),
        status: Set(ReportStatus::Open.as_str().to_string()),
        resolved_by: Set(None),
        resolved_at: Set(None),
        created_at: Set(Utc::now()),
    })
    .on_conflict(OnConflict::new().do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    if inserted == 0 {
        reports::Entity::update_many()
            .col_expr(reports::Column::Reason, Expr::value(reason.as_str()))
            .col_expr(reports::Column::Note, Expr::value(note))
            .filter(subject.open_in(community))
            .filter(reports::Column::ReporterId.eq(reporter))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// How many reports `reporter` filed since `since`, anywhere, and when the oldest of them was.
pub async fn filed_since(
    db: &impl ConnectionTrait,
    reporter: Uuid,
    since: DateTime<Utc>,
) -> Result<(u64, Option<DateTime<Utc>>), DbErr> {
    let recent = reports::Entity::find()
        .filter(reports::Column::ReporterId.eq(reporter))
        .filter(reports::Column::CreatedAt.gt(since));
    let count = recent.clone().count(db).await?;
    let oldest = recent
        .order_by_asc(reports::Column::CreatedAt)
        .select_only()
        .column(reports::Column::CreatedAt)
        .into_tuple::<DateTime<Utc>>()
        .one(db)
        .await?;
    Ok((count, oldest))
}

/// A community's open reports, oldest first (at most 1,000).
pub async fn open_in(
    db: &impl ConnectionTrait,
    community: Uuid,
) -> Result<Vec<reports::Model>, DbErr> {
    reports::Entity::find()
        .filter(reports::Column::CommunityId.eq(community))
        .filter(reports::Column::Status.eq(ReportStatus::Open.as_str()))
        .order_by_asc(reports::Column::CreatedAt)
        .limit(1000)
        .all(db)
        .await
}

/// A community's closed reports, the most recently closed first.
pub async fn closed_in(
    db: &impl ConnectionTrait,
    community: Uuid,
    limit: u64,
) -> Result<Vec<reports::Model>, DbErr> {
    reports::Entity::find()
        .filter(reports::Column::CommunityId.eq(community))
        .filter(reports::Column::Status.ne(ReportStatus::Open.as_str()))
        .order_by_desc(reports::Column::ResolvedAt)
        .order_by_desc(reports::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Closes the open reports about a subject in a community; how many there were.
pub async fn close(
    db: &impl ConnectionTrait,
    community: Uuid,
    subject: Subject,
    status: ReportStatus,
    by: Uuid,
) -> Result<u64, DbErr> {
    Ok(reports::Entity::update_many()
        .col_expr(reports::Column::Status, Expr::value(status.as_str()))
        .col_expr(reports::Column::ResolvedBy, Expr::value(by))
        .col_expr(reports::Column::ResolvedAt, Expr::value(Utc::now()))
        .filter(subject.open_in(community))
        .exec(db)
        .await?
        .rows_affected)
}

/// Every report of a community, open or closed (the community is being deleted).
pub async fn delete_in(db: &impl ConnectionTrait, community: Uuid) -> Result<u64, DbErr> {
    Ok(reports::Entity::delete_many()
        .filter(reports::Column::CommunityId.eq(community))
        .exec(db)
        .await?
        .rows_affected)
}
