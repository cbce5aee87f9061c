//! What the AI learns about a message besides toxicity: the language it is written in, its
//! translations (cached per message and language, for every reader and instance), and whether
//! the AI could look at it at all. Readers choose whether messages are translated for them;
//! communities may set their own toxicity threshold.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MessageTranslations {
    Table,
    MessageId,
    Language,
    Body,
    Engine,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    /// The detected language ("es"); NULL while unknown.
    Language,
    /// NULL while queued, "checked" once the AI looked at it, "unchecked" if it could not.
    AiStatus,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    AutoTranslate,
}

#[derive(DeriveIden)]
enum Communities {
    Table,
    ToxicityThreshold,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MessageTranslations::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(MessageTranslations::MessageId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MessageTranslations::Language)
                            .string_len(8)
                            .not_null(),
                    )
                    .col(ColumnDef::new(MessageTranslations::Body).text().not_null())
                    .col(
                        ColumnDef::new(MessageTranslations::Engine)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MessageTranslations::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(MessageTranslations::MessageId)
                            .col(MessageTranslations::Language),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_message_translations_message")
                            .from(MessageTranslations::Table, MessageTranslations::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // SQLite adds one column per ALTER TABLE.
        for column in [
            ColumnDef::new(Messages::Language)
                .string_len(8)
                .null()
                .to_owned(),
            ColumnDef::new(Messages::AiStatus)
                .string_len(16)
                .null()
                .to_owned(),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Messages::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(
                        ColumnDef::new(Users::AutoTranslate)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Communities::Table)
                    .add_column(
                        ColumnDef::new(Communities::ToxicityThreshold)
                            .float()
                            .null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Communities::Table)
                    .drop_column(Communities::ToxicityThreshold)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::AutoTranslate)
                    .to_owned(),
            )
            .await?;
        for column in [Messages::Language, Messages::AiStatus] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Messages::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(MessageTranslations::Table).to_owned())
            .await
    }
}
