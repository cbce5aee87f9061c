//! Moderation flags: what the AI found in a message (score, reason, engine), and whether a
//! moderator dismissed it. One row per flagged message; it goes when the message is edited
//! (the new text is judged again) or removed.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MessageFlags {
    Table,
    MessageId,
    Score,
    Reason,
    Severe,
    Engine,
    FlaggedAt,
    DismissedAt,
    DismissedBy,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MessageFlags::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(MessageFlags::MessageId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(MessageFlags::Score).float().not_null())
                    .col(
                        ColumnDef::new(MessageFlags::Reason)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(ColumnDef::new(MessageFlags::Severe).boolean().not_null())
                    .col(
                        ColumnDef::new(MessageFlags::Engine)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MessageFlags::FlaggedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MessageFlags::DismissedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(MessageFlags::DismissedBy).uuid().null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_message_flags_message")
                            .from(MessageFlags::Table, MessageFlags::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MessageFlags::Table).to_owned())
            .await
    }
}
