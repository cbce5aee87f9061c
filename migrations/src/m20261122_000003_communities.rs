//! Communities and chat: communities, members, custom roles, bans, invites, channels, messages
//! (with a per-channel sequence), reactions, read positions and live connections (presence).
//! Seeds the default public community "Bullpen" with #general, #markets and #random.

use sea_orm_migration::prelude::*;
use uuid::Uuid;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Communities {
    Table,
    Id,
    Slug,
    Name,
    Description,
    IconColor,
    Visibility,
    OwnerId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CommunityMembers {
    Table,
    CommunityId,
    UserId,
    Rank,
    JoinedAt,
}

#[derive(DeriveIden)]
enum CommunityRoles {
    Table,
    Id,
    CommunityId,
    Name,
    Permissions,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MemberRoles {
    Table,
    CommunityId,
    UserId,
    RoleId,
}

#[derive(DeriveIden)]
enum CommunityBans {
    Table,
    CommunityId,
    UserId,
    Reason,
    BannedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Invites {
    Table,
    Code,
    CommunityId,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    Uses,
}

#[derive(DeriveIden)]
enum Channels {
    Table,
    Id,
    CommunityId,
    Name,
    Topic,
    Kind,
    Position,
    LastSeq,
    ArchivedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    ChannelId,
    Seq,
    AuthorId,
    Body,
    ReplyTo,
    CreatedAt,
    EditedAt,
    DeletedAt,
    PinnedAt,
    PinnedBy,
}

#[derive(DeriveIden)]
enum Reactions {
    Table,
    MessageId,
    UserId,
    Emoji,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ReadStates {
    Table,
    UserId,
    ChannelId,
    LastReadSeq,
}

#[derive(DeriveIden)]
enum Connections {
    Table,
    Id,
    UserId,
    InstanceId,
    ConnectedAt,
    SeenAt,
}

fn timestamp(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn optional_timestamp(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

fn uuid(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).uuid().not_null().to_owned()
}

/// A foreign key that disappears with its parent row.
fn cascade(
    name: &str,
    from: (impl IntoIden + 'static, impl IntoIden + 'static),
    to: (impl IntoIden + 'static, impl IntoIden + 'static),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Communities::Table)
                    .if_not_exists()
                    .col(uuid(Communities::Id).primary_key())
                    .col(
                        ColumnDef::new(Communities::Slug)
                            .string_len(40)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Communities::Name).string_len(60).not_null())
                    .col(
                        ColumnDef::new(Communities::Description)
                            .string_len(280)
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(Communities::IconColor)
                            .string_len(7)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Communities::Visibility)
                            .string_len(8)
                            .not_null(),
                    )
                    // Null for the communities Bullpen itself seeds.
                    .col(ColumnDef::new(Communities::OwnerId).uuid().null())
                    .col(timestamp(Communities::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CommunityMembers::Table)
                    .if_not_exists()
                    .col(uuid(CommunityMembers::CommunityId))
                    .col(uuid(CommunityMembers::UserId))
                    .col(
                        ColumnDef::new(CommunityMembers::Rank)
                            .small_integer()
                            .not_null(),
                    )
                    .col(timestamp(CommunityMembers::JoinedAt))
                    .primary_key(
                        Index::create()
                            .col(CommunityMembers::CommunityId)
                            .col(CommunityMembers::UserId),
                    )
                    .foreign_key(&mut cascade(
                        "fk_members_community",
                        (CommunityMembers::Table, CommunityMembers::CommunityId),
                        (Communities::Table, Communities::Id),
                    ))
                    .foreign_key(&mut cascade(
                        "fk_members_user",
                        (CommunityMembers::Table, CommunityMembers::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_members_user")
                    .table(CommunityMembers::Table)
                    .col(CommunityMembers::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CommunityRoles::Table)
                    .if_not_exists()
                    .col(uuid(CommunityRoles::Id).primary_key())
                    .col(uuid(CommunityRoles::CommunityId))
                    .col(
                        ColumnDef::new(CommunityRoles::Name)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CommunityRoles::Permissions)
                            .integer()
                            .not_null(),
                    )
                    .col(timestamp(CommunityRoles::CreatedAt))
                    .foreign_key(&mut cascade(
                        "fk_roles_community",
                        (CommunityRoles::Table, CommunityRoles::CommunityId),
                        (Communities::Table, Communities::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_roles_name")
                    .table(CommunityRoles::Table)
                    .col(CommunityRoles::CommunityId)
                    .col(CommunityRoles::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MemberRoles::Table)
                    .if_not_exists()
                    .col(uuid(MemberRoles::CommunityId))
                    .col(uuid(MemberRoles::UserId))
                    .col(uuid(MemberRoles::RoleId))
                    .primary_key(
                        Index::create()
                            .col(MemberRoles::CommunityId)
                            .col(MemberRoles::UserId)
                            .col(MemberRoles::RoleId),
                    )
                    .foreign_key(&mut cascade(
                        "fk_member_roles_role",
                        (MemberRoles::Table, MemberRoles::RoleId),
                        (CommunityRoles::Table, CommunityRoles::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CommunityBans::Table)
                    .if_not_exists()
                    .col(uuid(CommunityBans::CommunityId))
                    .col(uuid(CommunityBans::UserId))
                    .col(
                        ColumnDef::new(CommunityBans::Reason)
                            .string_len(280)
                            .not_null()
                            .default(""),
                    )
                    .col(uuid(CommunityBans::BannedBy))
                    .col(timestamp(CommunityBans::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(CommunityBans::CommunityId)
                            .col(CommunityBans::UserId),
                    )
                    .foreign_key(&mut cascade(
                        "fk_bans_community",
                        (CommunityBans::Table, CommunityBans::CommunityId),
                        (Communities::Table, Communities::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Invites::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Invites::Code)
                            .string_len(24)
                            .not_null()
                            .primary_key(),
                    )
                    .col(uuid(Invites::CommunityId))
                    .col(uuid(Invites::CreatedBy))
                    .col(timestamp(Invites::CreatedAt))
                    .col(optional_timestamp(Invites::ExpiresAt))
                    .col(optional_timestamp(Invites::RevokedAt))
                    .col(
                        ColumnDef::new(Invites::Uses)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .foreign_key(&mut cascade(
                        "fk_invites_community",
                        (Invites::Table, Invites::CommunityId),
                        (Communities::Table, Communities::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Channels::Table)
                    .if_not_exists()
                    .col(uuid(Channels::Id).primary_key())
                    .col(uuid(Channels::CommunityId))
                    .col(ColumnDef::new(Channels::Name).string_len(32).not_null())
                    .col(
                        ColumnDef::new(Channels::Topic)
                            .string_len(200)
                            .not_null()
                            .default(""),
                    )
                    .col(ColumnDef::new(Channels::Kind).string_len(12).not_null())
                    .col(ColumnDef::new(Channels::Position).integer().not_null())
                    // The sequence number of the channel's newest message; bumped in the
                    // transaction that stores a message, which serialises senders per channel.
                    .col(
                        ColumnDef::new(Channels::LastSeq)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(optional_timestamp(Channels::ArchivedAt))
                    .col(timestamp(Channels::CreatedAt))
                    .foreign_key(&mut cascade(
                        "fk_channels_community",
                        (Channels::Table, Channels::CommunityId),
                        (Communities::Table, Communities::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_channels_name")
                    .table(Channels::Table)
                    .col(Channels::CommunityId)
                    .col(Channels::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Messages::Table)
                    .if_not_exists()
                    .col(uuid(Messages::Id).primary_key())
                    .col(uuid(Messages::ChannelId))
                    .col(ColumnDef::new(Messages::Seq).big_integer().not_null())
                    .col(uuid(Messages::AuthorId))
                    // Null once deleted: the words are gone, the place in the history stays.
                    .col(ColumnDef::new(Messages::Body).text().null())
                    .col(ColumnDef::new(Messages::ReplyTo).uuid().null())
                    .col(timestamp(Messages::CreatedAt))
                    .col(optional_timestamp(Messages::EditedAt))
                    .col(optional_timestamp(Messages::DeletedAt))
                    .col(optional_timestamp(Messages::PinnedAt))
                    .col(ColumnDef::new(Messages::PinnedBy).uuid().null())
                    .foreign_key(&mut cascade(
                        "fk_messages_channel",
                        (Messages::Table, Messages::ChannelId),
                        (Channels::Table, Channels::Id),
                    ))
                    .foreign_key(&mut cascade(
                        "fk_messages_author",
                        (Messages::Table, Messages::AuthorId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        // History pages and resume are range scans on this index.
        manager
            .create_index(
                Index::create()
                    .name("idx_messages_channel_seq")
                    .table(Messages::Table)
                    .col(Messages::ChannelId)
                    .col(Messages::Seq)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The rate limit counts a sender's recent messages.
        manager
            .create_index(
                Index::create()
                    .name("idx_messages_author_time")
                    .table(Messages::Table)
                    .col(Messages::AuthorId)
                    .col(Messages::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Reactions::Table)
                    .if_not_exists()
                    .col(uuid(Reactions::MessageId))
                    .col(uuid(Reactions::UserId))
                    .col(ColumnDef::new(Reactions::Emoji).string_len(16).not_null())
                    .col(timestamp(Reactions::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(Reactions::MessageId)
                            .col(Reactions::UserId)
                            .col(Reactions::Emoji),
                    )
                    .foreign_key(&mut cascade(
                        "fk_reactions_message",
                        (Reactions::Table, Reactions::MessageId),
                        (Messages::Table, Messages::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReadStates::Table)
                    .if_not_exists()
                    .col(uuid(ReadStates::UserId))
                    .col(uuid(ReadStates::ChannelId))
                    .col(
                        ColumnDef::new(ReadStates::LastReadSeq)
                            .big_integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(ReadStates::UserId)
                            .col(ReadStates::ChannelId),
                    )
                    .foreign_key(&mut cascade(
                        "fk_read_states_channel",
                        (ReadStates::Table, ReadStates::ChannelId),
                        (Channels::Table, Channels::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Connections::Table)
                    .if_not_exists()
                    .col(uuid(Connections::Id).primary_key())
                    .col(uuid(Connections::UserId))
                    .col(uuid(Connections::InstanceId))
                    .col(timestamp(Connections::ConnectedAt))
                    // Refreshed by the owning instance; stale rows are from a crashed instance.
                    .col(timestamp(Connections::SeenAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_connections_user")
                    .table(Connections::Table)
                    .col(Connections::UserId)
                    .to_owned(),
            )
            .await?;

        seed_default_community(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Connections::Table.into_iden(),
            ReadStates::Table.into_iden(),
            Reactions::Table.into_iden(),
            Messages::Table.into_iden(),
            Channels::Table.into_iden(),
            Invites::Table.into_iden(),
            CommunityBans::Table.into_iden(),
            MemberRoles::Table.into_iden(),
            CommunityRoles::Table.into_iden(),
            CommunityMembers::Table.into_iden(),
            Communities::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

/// The public community every fresh install starts with.
async fn seed_default_community(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let now: SimpleExpr = chrono::Utc::now().into();
    let community = Uuid::now_v7();
    manager
        .exec_stmt(
            Query::insert()
                .into_table(Communities::Table)
                .columns([
                    Communities::Id,
                    Communities::Slug,
                    Communities::Name,
                    Communities::Description,
                    Communities::IconColor,
                    Communities::Visibility,
                    Communities::CreatedAt,
                ])
                .values_panic([
                    community.into(),
                    "bullpen".into(),
                    "Bullpen".into(),
                    "Everyone's trading floor: talk markets, share ideas, ask questions.".into(),
                    "#2563eb".into(),
                    "public".into(),
                    now.clone(),
                ])
                .to_owned(),
        )
        .await?;
    let channels = [
        ("general", "Say hello and talk about anything money."),
        ("markets", "What the markets are doing today."),
        ("random", "Off-topic, memes and everything else."),
    ];
    for (position, (name, topic)) in channels.into_iter().enumerate() {
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(Channels::Table)
                    .columns([
                        Channels::Id,
                        Channels::CommunityId,
                        Channels::Name,
                        Channels::Topic,
                        Channels::Kind,
                        Channels::Position,
                        Channels::CreatedAt,
                    ])
                    .values_panic([
                        Uuid::now_v7().into(),
                        community.into(),
                        name.into(),
                        topic.into(),
                        "text".into(),
                        (position as i32).into(),
                        now.clone(),
                    ])
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
}
