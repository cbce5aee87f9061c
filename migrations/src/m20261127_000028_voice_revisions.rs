//! Voice channels: each call's revision, counted up by every change to its roster. Rosters are
//! read and published by several tasks (and instances) at once, so they may arrive out of
//! order; a tab keeps the one with the highest revision and drops an older one that comes late.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum VoiceCalls {
    Table,
    ChannelId,
    Revision,
}

#[derive(DeriveIden)]
enum Channels {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(VoiceCalls::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(VoiceCalls::ChannelId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(VoiceCalls::Revision)
                            .big_integer()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(VoiceCalls::Table, VoiceCalls::ChannelId)
                            .to(Channels::Table, Channels::Id)
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
                    .table(VoiceCalls::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
