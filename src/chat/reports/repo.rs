//! The queries of reports: one open report per reporter and message, a community's open ones,
//! and closing a message's reports.

use chrono::Utc;
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::{ReportReason, ReportStatus};
use crate::entities::reports;

/// Files a report of a message (and of its author), or updates the reporter's open report of
/// this message (a second report by the same person changes the reason and note; it is not
/// counted twice — a unique index keeps it so when both arrive at once).
pub async fn file(
    db: &impl ConnectionTrait,
    community: Uuid,
    (message, author): (Uuid, Uuid),
    reporter: Uuid,
    reason: ReportReason,
    note: &str,
) -> Result<(), DbErr> {
    let inserted = reports::Entity::insert(reports::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community),
        subject_id: Set(author),
        message_id: Set(Some(message)),
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
            .filter(reports::Column::MessageId.eq(message))
            .filter(reports::Column::ReporterId.eq(reporter))
            .filter(reports::Column::Status.eq(ReportStatus::Open.as_str()))
            .exec(db)
            .await?;
    }
    Ok(())
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

/// Closes the open reports of a message; how many there were.
pub async fn close(
    db: &impl ConnectionTrait,
    message: Uuid,
    status: ReportStatus,
    by: Uuid,
) -> Result<u64, DbErr> {
    Ok(reports::Entity::update_many()
        .col_expr(reports::Column::Status, Expr::value(status.as_str()))
        .col_expr(reports::Column::ResolvedBy, Expr::value(by))
        .col_expr(reports::Column::ResolvedAt, Expr::value(Utc::now()))
        .filter(reports::Column::MessageId.eq(message))
        .filter(reports::Column::Status.eq(ReportStatus::Open.as_str()))
        .exec(db)
        .await?
        .rows_affected)
}
