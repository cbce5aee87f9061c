//! Voice channels: who is in a call. A row per realtime connection (a tab) in a voice channel
//! — one call per tab, so the connection is the key — with its own mute and deafen, whether a
//! moderator silenced it, and whether the person may speak at all. The rows go with their
//! connection (`chat::socket` removes both; a crashed instance's are swept with its
//! connections).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum VoiceMembers {
    Table,
    ConnectionId,
    ChannelId,
    CommunityId,
    UserId,
    Muted,
    Deafened,
    /// Muted by a moderator: everyone's browser plays nothing of them until it is lifted.
    Silenced,
    /// Whether the person held the Speak permission when they joined (listeners send no sound).
    MaySpeak,
    JoinedAt,
}

#[derive(DeriveIden)]
enum Channels {
    Table,
    Id,
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
                    .table(VoiceMembers::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(VoiceMembers::ConnectionId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(VoiceMembers::ChannelId).uuid().not_null())
                    .col(ColumnDef::new(VoiceMembers::CommunityId).uuid().not_null())
                    .col(ColumnDef::new(VoiceMembers::UserId).uuid().not_null())
                    .col(ColumnDef::new(VoiceMembers::Muted).boolean().not_null())
                    .col(ColumnDef::new(VoiceMembers::Deafened).boolean().not_null())
                    .col(ColumnDef::new(VoiceMembers::Silenced).boolean().not_null())
                    .col(ColumnDef::new(VoiceMembers::MaySpeak).boolean().not_null())
                    .col(
                        ColumnDef::new(VoiceMembers::JoinedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(VoiceMembers::Table, VoiceMembers::ChannelId)
                            .to(Channels::Table, Channels::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(VoiceMembers::Table, VoiceMembers::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("voice_members_by_channel")
                    .table(VoiceMembers::Table)
                    .col(VoiceMembers::ChannelId)
                    .col(VoiceMembers::JoinedAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("voice_members_by_community")
                    .table(VoiceMembers::Table)
                    .col(VoiceMembers::CommunityId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(VoiceMembers::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
