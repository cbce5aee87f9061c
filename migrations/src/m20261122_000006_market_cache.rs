//! Market data fetched from providers, kept in the database so that restarts and every instance
//! share it: a quote for 60 s, a symbol's daily history for a day.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MarketCache {
    Table,
    /// "quote:AAPL", "daily:AAPL".
    Key,
    /// The answer as JSON (a Quote, or the bars).
    Body,
    /// The source that answered ("stooq", "offline").
    Source,
    FetchedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MarketCache::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(MarketCache::Key).string_len(64).not_null().primary_key())
                    .col(ColumnDef::new(MarketCache::Body).text().not_null())
                    .col(ColumnDef::new(MarketCache::Source).string_len(32).not_null())
                    .col(ColumnDef::new(MarketCache::FetchedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(MarketCache::Table).to_owned()).await
    }
}
