//! Files attached to messages: what was uploaded (by whom, for which channel), what its bytes
//! are (the type read from its content, its size, an image's dimensions and whether it has a
//! thumbnail), and the message it was sent with — none until it is sent, which is how uploads
//! abandoned before sending are found and removed. The bytes live in the object store, under
//! the row's id; rows and objects go together (chat's files service), so there is no foreign
//! key that could remove a row and leave its object behind.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Attachments {
    Table,
    Id,
    UploaderId,
    CommunityId,
    ChannelId,
    MessageId,
    Name,
    ContentType,
    Size,
    Kind,
    Width,
    Height,
    Thumbnail,
    DurationMs,
    Waveform,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Attachments::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Attachments::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Attachments::UploaderId).uuid().not_null())
                    .col(ColumnDef::new(Attachments::CommunityId).uuid().not_null())
                    .col(ColumnDef::new(Attachments::ChannelId).uuid().not_null())
                    .col(ColumnDef::new(Attachments::MessageId).uuid())
                    // The name the person gave it, shown and offered on download; never a path.
                    .col(ColumnDef::new(Attachments::Name).string_len(255).not_null())
                    .col(
                        ColumnDef::new(Attachments::ContentType)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Attachments::Size).big_integer().not_null())
                    // image | file | voice
                    .col(ColumnDef::new(Attachments::Kind).string_len(8).not_null())
                    .col(ColumnDef::new(Attachments::Width).integer())
                    .col(ColumnDef::new(Attachments::Height).integer())
                    .col(
                        ColumnDef::new(Attachments::Thumbnail)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(ColumnDef::new(Attachments::DurationMs).integer())
                    .col(ColumnDef::new(Attachments::Waveform).text())
                    .col(
                        ColumnDef::new(Attachments::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        // A message's files, when its history is shown.
        manager
            .create_index(
                Index::create()
                    .name("idx_attachments_message")
                    .table(Attachments::Table)
                    .col(Attachments::MessageId)
                    .to_owned(),
            )
            .await?;
        // The sweep of uploads never sent, oldest first.
        manager
            .create_index(
                Index::create()
                    .name("idx_attachments_created")
                    .table(Attachments::Table)
                    .col(Attachments::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Attachments::Table).to_owned())
            .await
    }
}
