//! The assistant's conversations: each person's, with every turn (their question, its answer
//! and the cards shown with it). The rate limit counts a person's questions in this table, so
//! every instance sees the same count.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AssistantConversations {
    Table,
    Id,
    UserId,
    Title,
    CreatedAt,
    /// The last turn's time: the list is newest first.
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AssistantMessages {
    Table,
    Id,
    ConversationId,
    /// Denormalised from the conversation so the rate limit is one indexed count.
    UserId,
    /// "user" or "assistant".
    Role,
    Body,
    /// The cards shown with an answer, as JSON (`[]` for a question).
    Cards,
    /// The language the answer is in ("en"…), and what wrote it ("built-in", a model's name).
    Language,
    Engine,
    CreatedAt,
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
                    .table(AssistantConversations::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(AssistantConversations::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(AssistantConversations::UserId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AssistantConversations::Title)
                            .string_len(80)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AssistantConversations::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AssistantConversations::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_assistant_conversations_user")
                            .from(
                                AssistantConversations::Table,
                                AssistantConversations::UserId,
                            )
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_assistant_conversations_user")
                    .table(AssistantConversations::Table)
                    .col(AssistantConversations::UserId)
                    .col(AssistantConversations::UpdatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AssistantMessages::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(AssistantMessages::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(AssistantMessages::ConversationId)
                            .uuid()
                            .not_null(),
                    )
                    .col(ColumnDef::new(AssistantMessages::UserId).uuid().not_null())
                    .col(
                        ColumnDef::new(AssistantMessages::Role)
                            .string_len(10)
                            .not_null(),
                    )
                    .col(ColumnDef::new(AssistantMessages::Body).text().not_null())
                    .col(ColumnDef::new(AssistantMessages::Cards).text().not_null())
                    .col(
                        ColumnDef::new(AssistantMessages::Language)
                            .string_len(5)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AssistantMessages::Engine)
                            .string_len(80)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AssistantMessages::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_assistant_messages_conversation")
                            .from(AssistantMessages::Table, AssistantMessages::ConversationId)
                            .to(AssistantConversations::Table, AssistantConversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_assistant_messages_conversation")
                    .table(AssistantMessages::Table)
                    .col(AssistantMessages::ConversationId)
                    .col(AssistantMessages::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_assistant_messages_rate")
                    .table(AssistantMessages::Table)
                    .col(AssistantMessages::UserId)
                    .col(AssistantMessages::Role)
                    .col(AssistantMessages::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AssistantMessages::Table).to_owned())
            .await?;
        manager
            .drop_table(
                Table::drop()
                    .table(AssistantConversations::Table)
                    .to_owned(),
            )
            .await
    }
}
