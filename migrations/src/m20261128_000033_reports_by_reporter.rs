//! A reporter's recent reports are counted on every report (the per-person limit): by reporter
//! and time.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Reports {
    Table,
    ReporterId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_reports_reporter_time")
                    .table(Reports::Table)
                    .col(Reports::ReporterId)
                    .col(Reports::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_reports_reporter_time")
                    .table(Reports::Table)
                    .to_owned(),
            )
            .await
    }
}
