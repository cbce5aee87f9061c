//! The moderation record: people's reports of messages and of people (with a reason and a
//! note, one open report per reporter and message, or per reporter and person in a community),
//! and the audit log of every moderation and settings action in a community (who, what, when,
//! why) — rows are only ever added, and go only with their community.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Reports {
    Table,
    Id,
    CommunityId,
    SubjectId,
    MessageId,
    ReporterId,
    Reason,
    Note,
    Status,
    ResolvedBy,
    ResolvedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    CommunityId,
    ActorId,
    Action,
    TargetUserId,
    MessageId,
    Detail,
    Reason,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Reports::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Reports::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Reports::CommunityId).uuid().not_null())
                    // The reported person: a message's author, or the person reported.
                    .col(ColumnDef::new(Reports::SubjectId).uuid().not_null())
                    // None for a report of a person rather than of one message.
                    .col(ColumnDef::new(Reports::MessageId).uuid())
                    .col(ColumnDef::new(Reports::ReporterId).uuid().not_null())
                    .col(ColumnDef::new(Reports::Reason).string_len(16).not_null())
                    .col(ColumnDef::new(Reports::Note).text().not_null())
                    // open | actioned | dismissed
                    .col(ColumnDef::new(Reports::Status).string_len(12).not_null())
                    .col(ColumnDef::new(Reports::ResolvedBy).uuid())
                    .col(ColumnDef::new(Reports::ResolvedAt).timestamp_with_time_zone())
                    .col(
                        ColumnDef::new(Reports::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        // The queue reads a community's reports by status; a reporter's open report of a
        // message is found (and not made twice) by the pair.
        manager
            .create_index(
                Index::create()
                    .name("idx_reports_community_status")
                    .table(Reports::Table)
                    .col(Reports::CommunityId)
                    .col(Reports::Status)
                    .to_owned(),
            )
            .await?;
        // One open report per reporter and message (or person), even when two arrive at once.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX idx_reports_open_once ON reports (message_id, reporter_id) \
                 WHERE status = 'open'",
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX idx_reports_person_open_once ON reports \
                 (community_id, subject_id, reporter_id) WHERE status = 'open' AND message_id IS NULL",
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(AuditLog::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(AuditLog::CommunityId).uuid().not_null())
                    .col(ColumnDef::new(AuditLog::ActorId).uuid().not_null())
                    .col(ColumnDef::new(AuditLog::Action).string_len(32).not_null())
                    .col(ColumnDef::new(AuditLog::TargetUserId).uuid())
                    .col(ColumnDef::new(AuditLog::MessageId).uuid())
                    .col(ColumnDef::new(AuditLog::Detail).text().not_null())
                    .col(ColumnDef::new(AuditLog::Reason).text().not_null())
                    .col(
                        ColumnDef::new(AuditLog::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_log_community_time")
                    .table(AuditLog::Table)
                    .col(AuditLog::CommunityId)
                    .col(AuditLog::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Reports::Table).to_owned())
            .await
    }
}
