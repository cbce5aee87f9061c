//! Direct conversations: a one-to-one or small-group conversation is a community of visibility
//! `direct` with one channel, so every message machinery works in it unchanged. A one-to-one
//! conversation carries its pair's key (the two ids, smaller first), unique, so two people have
//! one conversation however many times — or however quickly — either starts it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Communities {
    Table,
    DirectKey,
}

const INDEX: &str = "communities_direct_key";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Communities::Table)
                    .add_column(ColumnDef::new(Communities::DirectKey).string())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Communities::Table)
                    .col(Communities::DirectKey)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(Communities::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Communities::Table)
                    .drop_column(Communities::DirectKey)
                    .to_owned(),
            )
            .await
    }
}
