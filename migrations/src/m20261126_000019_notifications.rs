//! Notifications: what each person wants to hear of each community, conversation and channel
//! (all messages, mentions only, nothing; muted until a time), their inbox of mentions, replies
//! to them and direct messages, and the browsers they asked to be pushed to (Web Push).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum NotificationSettings {
    Table,
    UserId,
    /// A community's (or conversation's) id, or one of its channels'.
    ScopeId,
    CommunityId,
    /// all | mentions | nothing | inherit (a row kept only for its mute)
    Level,
    MutedUntil,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum InboxItems {
    Table,
    Id,
    UserId,
    /// mention | everyone | reply | direct
    Kind,
    MessageId,
    ChannelId,
    /// The message's number in its channel: reading the channel that far reads the entry.
    Seq,
    CommunityId,
    ActorId,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum PushSubscriptions {
    Table,
    Id,
    UserId,
    Endpoint,
    P256dh,
    Auth,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Communities {
    Table,
    Id,
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
                    .table(NotificationSettings::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(NotificationSettings::UserId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(NotificationSettings::ScopeId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(NotificationSettings::CommunityId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(NotificationSettings::Level)
                            .string_len(10)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(NotificationSettings::MutedUntil).timestamp_with_time_zone(),
                    )
                    .col(
                        ColumnDef::new(NotificationSettings::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(NotificationSettings::UserId)
                            .col(NotificationSettings::ScopeId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(NotificationSettings::Table, NotificationSettings::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                NotificationSettings::Table,
                                NotificationSettings::CommunityId,
                            )
                            .to(Communities::Table, Communities::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Who hears everything of a place, when a message arrives there.
        manager
            .create_index(
                Index::create()
                    .name("idx_notification_settings_place")
                    .table(NotificationSettings::Table)
                    .col(NotificationSettings::ScopeId)
                    .col(NotificationSettings::Level)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(InboxItems::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(InboxItems::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(InboxItems::UserId).uuid().not_null())
                    .col(ColumnDef::new(InboxItems::Kind).string_len(10).not_null())
                    .col(ColumnDef::new(InboxItems::MessageId).uuid().not_null())
                    .col(ColumnDef::new(InboxItems::ChannelId).uuid().not_null())
                    .col(ColumnDef::new(InboxItems::Seq).big_integer().not_null())
                    .col(ColumnDef::new(InboxItems::CommunityId).uuid().not_null())
                    .col(ColumnDef::new(InboxItems::ActorId).uuid().not_null())
                    .col(
                        ColumnDef::new(InboxItems::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(InboxItems::ReadAt).timestamp_with_time_zone())
                    .foreign_key(
                        ForeignKey::create()
                            .from(InboxItems::Table, InboxItems::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(InboxItems::Table, InboxItems::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(InboxItems::Table, InboxItems::CommunityId)
                            .to(Communities::Table, Communities::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One entry per message per person, however many reasons it has to be there.
        manager
            .create_index(
                Index::create()
                    .name("idx_inbox_person_message")
                    .table(InboxItems::Table)
                    .col(InboxItems::UserId)
                    .col(InboxItems::MessageId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // A person's inbox, newest first.
        manager
            .create_index(
                Index::create()
                    .name("idx_inbox_person_created")
                    .table(InboxItems::Table)
                    .col(InboxItems::UserId)
                    .col(InboxItems::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PushSubscriptions::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(PushSubscriptions::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(PushSubscriptions::UserId).uuid().not_null())
                    .col(
                        ColumnDef::new(PushSubscriptions::Endpoint)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PushSubscriptions::P256dh)
                            .string_len(120)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PushSubscriptions::Auth)
                            .string_len(60)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PushSubscriptions::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PushSubscriptions::Table, PushSubscriptions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_push_person")
                    .table(PushSubscriptions::Table)
                    .col(PushSubscriptions::UserId)
                    .to_owned(),
            )
            .await?;
        // A browser's subscription belongs to whoever signed in last on it.
        manager
            .create_index(
                Index::create()
                    .name("idx_push_endpoint")
                    .table(PushSubscriptions::Table)
                    .col(PushSubscriptions::Endpoint)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PushSubscriptions::Table.into_iden(),
            InboxItems::Table.into_iden(),
            NotificationSettings::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
