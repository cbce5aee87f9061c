//! Watchlists: the symbols each person follows on the markets page, in the order they added
//! them. Ten years of one person's watchlist is a few rows; no limit beyond the app's own.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WatchlistItems {
    Table,
    UserId,
    /// The app's form of the symbol ("AAPL", "SAP.DE").
    Symbol,
    AddedAt,
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
                    .table(WatchlistItems::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(WatchlistItems::UserId).uuid().not_null())
                    .col(
                        ColumnDef::new(WatchlistItems::Symbol)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WatchlistItems::AddedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(WatchlistItems::UserId)
                            .col(WatchlistItems::Symbol),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_watchlist_items_user")
                            .from(WatchlistItems::Table, WatchlistItems::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WatchlistItems::Table).to_owned())
            .await
    }
}
