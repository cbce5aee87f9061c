//! Community analytics: who wrote in each calendar month, per community — the distinct count of
//! active members over a long range reads whole months here and only the range's ragged ends
//! from the per-member days (a year: a dozen thousand rows instead of hundreds of thousands).
//! Filled from the existing days; the roll-up job keeps it (`chat::analytics`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MemberMonths {
    Table,
    CommunityId,
    /// The month's first day.
    Month,
    UserId,
}

#[derive(DeriveIden)]
enum Communities {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MemberMonths::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(MemberMonths::CommunityId).uuid().not_null())
                    .col(ColumnDef::new(MemberMonths::Month).date().not_null())
                    .col(ColumnDef::new(MemberMonths::UserId).uuid().not_null())
                    .primary_key(
                        Index::create()
                            .col(MemberMonths::CommunityId)
                            .col(MemberMonths::Month)
                            .col(MemberMonths::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(MemberMonths::Table, MemberMonths::CommunityId)
                            .to(Communities::Table, Communities::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        let month_of_day = match manager.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => "CAST(date_trunc('month', day) AS DATE)",
            _ => "date(day, 'start of month')",
        };
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO member_months (community_id, month, user_id) \
                 SELECT DISTINCT community_id, {month_of_day}, user_id FROM member_days"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(MemberMonths::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
