//! The indicators a person draws on every stock chart, kept with their account so that every
//! device shows the same (codes as the chart API takes them: `sma:50,bollinger:20:2`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ChartChoices {
    Table,
    UserId,
    Overlays,
    Panes,
    UpdatedAt,
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
                    .table(ChartChoices::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(ChartChoices::UserId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(ChartChoices::Overlays).string().not_null())
                    .col(ColumnDef::new(ChartChoices::Panes).string().not_null())
                    .col(
                        ColumnDef::new(ChartChoices::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ChartChoices::Table, ChartChoices::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(ChartChoices::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
