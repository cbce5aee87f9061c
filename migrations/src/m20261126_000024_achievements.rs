//! Achievements: a badge per person and kind, earned once (the key says so) and announced once
//! (`seen_at` is set when the person has been told); and the price a price-target poll closed
//! at, which decides who called it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Achievements {
    Table,
    UserId,
    /// `chat::achievements::ACHIEVEMENTS`' key ("first_message").
    Key,
    EarnedAt,
    /// When the person was told; none while they have not been.
    SeenAt,
}

#[derive(DeriveIden)]
enum Polls {
    Table,
    /// The stock's price when the poll closed (a price-target poll's), once the job read it.
    ClosePrice,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Achievements::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Achievements::UserId).uuid().not_null())
                    .col(ColumnDef::new(Achievements::Key).string_len(40).not_null())
                    .col(
                        ColumnDef::new(Achievements::EarnedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Achievements::SeenAt).timestamp_with_time_zone())
                    .primary_key(
                        Index::create()
                            .col(Achievements::UserId)
                            .col(Achievements::Key),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Achievements::Table, Achievements::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Polls::Table)
                    .add_column(ColumnDef::new(Polls::ClosePrice).double())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Polls::Table)
                    .drop_column(Polls::ClosePrice)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(
                Table::drop()
                    .table(Achievements::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
