//! Discipline short of a ban — a member's timeout (until when they may only read) and the
//! warnings moderators give, kept on the person's record and shown to them until they have
//! seen them — and the community's own default channel, chosen by those who manage it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CommunityMembers {
    Table,
    TimedOutUntil,
}

#[derive(DeriveIden)]
enum Communities {
    Table,
    DefaultChannelId,
}

#[derive(DeriveIden)]
enum Warnings {
    Table,
    Id,
    CommunityId,
    UserId,
    ModeratorId,
    MessageId,
    Reason,
    CreatedAt,
    SeenAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(CommunityMembers::Table)
                    .add_column(
                        ColumnDef::new(CommunityMembers::TimedOutUntil).timestamp_with_time_zone(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Communities::Table)
                    .add_column(ColumnDef::new(Communities::DefaultChannelId).uuid())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Warnings::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Warnings::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Warnings::CommunityId).uuid().not_null())
                    .col(ColumnDef::new(Warnings::UserId).uuid().not_null())
                    .col(ColumnDef::new(Warnings::ModeratorId).uuid().not_null())
                    .col(ColumnDef::new(Warnings::MessageId).uuid())
                    .col(ColumnDef::new(Warnings::Reason).text().not_null())
                    .col(
                        ColumnDef::new(Warnings::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Warnings::SeenAt).timestamp_with_time_zone())
                    .to_owned(),
            )
            .await?;
        // A person's warnings in a community: the page shows those not yet seen.
        manager
            .create_index(
                Index::create()
                    .name("idx_warnings_person")
                    .table(Warnings::Table)
                    .col(Warnings::CommunityId)
                    .col(Warnings::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Warnings::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Communities::Table)
                    .drop_column(Communities::DefaultChannelId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(CommunityMembers::Table)
                    .drop_column(CommunityMembers::TimedOutUntil)
                    .to_owned(),
            )
            .await
    }
}
