//! What a person did in chat that counts toward their rate limit: every message, edit and
//! command, one row each. The limit counts these rows (so edits and commands count, and every
//! instance sees the same count); rows older than any window are swept.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ChatActions {
    Table,
    Id,
    UserId,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ChatActions::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(ChatActions::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(ChatActions::UserId).uuid().not_null())
                    .col(
                        ColumnDef::new(ChatActions::At)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_chat_actions_user_at")
                    .table(ChatActions::Table)
                    .col(ChatActions::UserId)
                    .col(ChatActions::At)
                    .to_owned(),
            )
            .await?;
        // The sweep of old rows looks by time alone.
        manager
            .create_index(
                Index::create()
                    .name("idx_chat_actions_at")
                    .table(ChatActions::Table)
                    .col(ChatActions::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ChatActions::Table).to_owned())
            .await
    }
}
