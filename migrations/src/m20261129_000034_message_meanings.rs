//! Each message's meaning, as the sentence encoder reads it (512 numbers, quantised to bytes):
//! written by the AI worker when it judges the message, read by search to find messages by
//! meaning in any language. Gone with its message.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MessageMeanings {
    Table,
    MessageId,
    ChannelId,
    Meaning,
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
                    .table(MessageMeanings::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(MessageMeanings::MessageId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(MessageMeanings::ChannelId).uuid().not_null())
                    .col(ColumnDef::new(MessageMeanings::Meaning).binary().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_message_meanings_message")
                            .from(MessageMeanings::Table, MessageMeanings::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_message_meanings_channel")
                    .table(MessageMeanings::Table)
                    .col(MessageMeanings::ChannelId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MessageMeanings::Table).to_owned())
            .await
    }
}
