//! Community analytics: daily roll-ups that a background job recomputes from the messages, so a
//! manager's charts read a few rows a day however many messages a community holds; and the
//! record of members joining and leaving, which a deleted membership row would otherwise lose.
//! The record keeps no person: only when, where and which way.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Messages written (deleted ones too) and of those flagged, per channel and UTC day.
#[derive(DeriveIden)]
enum ChannelDays {
    Table,
    ChannelId,
    Day,
    CommunityId,
    Messages,
    Flagged,
}

/// Who wrote in a community on a day (how many messages), with the Monday of its week.
#[derive(DeriveIden)]
enum MemberDays {
    Table,
    CommunityId,
    Day,
    UserId,
    Week,
    Messages,
}

/// $cashtag mentions per community and day, with their stance.
#[derive(DeriveIden)]
enum SymbolDays {
    Table,
    CommunityId,
    Day,
    Symbol,
    Mentions,
    Bullish,
    Bearish,
}

/// Members who wrote, joined, left or were removed, and reports made, per community and day.
#[derive(DeriveIden)]
enum CommunityDays {
    Table,
    CommunityId,
    Day,
    /// Distinct members who wrote.
    Active,
    Joined,
    Left,
    Removed,
    Reports,
}

/// Distinct members who wrote, per community and ISO week (its Monday).
#[derive(DeriveIden)]
enum CommunityWeeks {
    Table,
    CommunityId,
    Week,
    Active,
}

#[derive(DeriveIden)]
enum MembershipChanges {
    Table,
    Id,
    CommunityId,
    /// joined | left | removed (kicked or banned)
    Change,
    At,
}

/// Where the roll-up job has got to.
#[derive(DeriveIden)]
enum Rollups {
    Table,
    Name,
    /// The first day the next run recomputes (days before it are final).
    FromDay,
    /// Held while a run is under way (a lease, so that one instance runs it at a time).
    ClaimedAt,
    /// When the last run finished: what the figures are as of.
    RanAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Communities {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CommunityMembers {
    Table,
    CommunityId,
    JoinedAt,
}

fn counter<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .integer()
        .not_null()
        .default(0)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let to_community = |table: DynIden, column: DynIden| {
            ForeignKey::create()
                .from(table, column)
                .to(Communities::Table, Communities::Id)
                .on_delete(ForeignKeyAction::Cascade)
                .to_owned()
        };
        manager
            .create_table(
                Table::create()
                    .table(ChannelDays::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(ChannelDays::ChannelId).uuid().not_null())
                    .col(ColumnDef::new(ChannelDays::Day).date().not_null())
                    .col(ColumnDef::new(ChannelDays::CommunityId).uuid().not_null())
                    .col(counter(ChannelDays::Messages))
                    .col(counter(ChannelDays::Flagged))
                    .primary_key(
                        Index::create()
                            .col(ChannelDays::ChannelId)
                            .col(ChannelDays::Day),
                    )
                    .foreign_key(&mut to_community(
                        ChannelDays::Table.into_iden(),
                        ChannelDays::CommunityId.into_iden(),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("channel_days_by_community")
                    .table(ChannelDays::Table)
                    .col(ChannelDays::CommunityId)
                    .col(ChannelDays::Day)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MemberDays::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(MemberDays::CommunityId).uuid().not_null())
                    .col(ColumnDef::new(MemberDays::Day).date().not_null())
                    .col(ColumnDef::new(MemberDays::UserId).uuid().not_null())
                    .col(ColumnDef::new(MemberDays::Week).date().not_null())
                    .col(counter(MemberDays::Messages))
                    .primary_key(
                        Index::create()
                            .col(MemberDays::CommunityId)
                            .col(MemberDays::Day)
                            .col(MemberDays::UserId),
                    )
                    .foreign_key(&mut to_community(
                        MemberDays::Table.into_iden(),
                        MemberDays::CommunityId.into_iden(),
                    ))
                    .to_owned(),
            )
            .await?;
        // A week's writers, counted again each time one of its days is rolled up.
        manager
            .create_index(
                Index::create()
                    .name("member_days_by_week")
                    .table(MemberDays::Table)
                    .col(MemberDays::Week)
                    .col(MemberDays::CommunityId)
                    .col(MemberDays::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SymbolDays::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(SymbolDays::CommunityId).uuid().not_null())
                    .col(ColumnDef::new(SymbolDays::Day).date().not_null())
                    .col(ColumnDef::new(SymbolDays::Symbol).string_len(20).not_null())
                    .col(counter(SymbolDays::Mentions))
                    .col(counter(SymbolDays::Bullish))
                    .col(counter(SymbolDays::Bearish))
                    .primary_key(
                        Index::create()
                            .col(SymbolDays::CommunityId)
                            .col(SymbolDays::Day)
                            .col(SymbolDays::Symbol),
                    )
                    .foreign_key(&mut to_community(
                        SymbolDays::Table.into_iden(),
                        SymbolDays::CommunityId.into_iden(),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CommunityDays::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(CommunityDays::CommunityId).uuid().not_null())
                    .col(ColumnDef::new(CommunityDays::Day).date().not_null())
                    .col(counter(CommunityDays::Active))
                    .col(counter(CommunityDays::Joined))
                    .col(counter(CommunityDays::Left))
                    .col(counter(CommunityDays::Removed))
                    .col(counter(CommunityDays::Reports))
                    .primary_key(
                        Index::create()
                            .col(CommunityDays::CommunityId)
                            .col(CommunityDays::Day),
                    )
                    .foreign_key(&mut to_community(
                        CommunityDays::Table.into_iden(),
                        CommunityDays::CommunityId.into_iden(),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CommunityWeeks::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(CommunityWeeks::CommunityId)
                            .uuid()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CommunityWeeks::Week).date().not_null())
                    .col(counter(CommunityWeeks::Active))
                    .primary_key(
                        Index::create()
                            .col(CommunityWeeks::CommunityId)
                            .col(CommunityWeeks::Week),
                    )
                    .foreign_key(&mut to_community(
                        CommunityWeeks::Table.into_iden(),
                        CommunityWeeks::CommunityId.into_iden(),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MembershipChanges::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(MembershipChanges::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(MembershipChanges::CommunityId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MembershipChanges::Change)
                            .string_len(10)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MembershipChanges::At)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut to_community(
                        MembershipChanges::Table.into_iden(),
                        MembershipChanges::CommunityId.into_iden(),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("membership_changes_by_time")
                    .table(MembershipChanges::Table)
                    .col(MembershipChanges::At)
                    .to_owned(),
            )
            .await?;
        // The roll-up reads a day's messages across every channel.
        manager
            .create_index(
                Index::create()
                    .name("messages_by_time")
                    .table(Messages::Table)
                    .col(Messages::CreatedAt)
                    .to_owned(),
            )
            .await?;
        // Those already members joined when their row says.
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(MembershipChanges::Table)
                    .columns([
                        MembershipChanges::CommunityId,
                        MembershipChanges::Change,
                        MembershipChanges::At,
                    ])
                    .select_from(
                        Query::select()
                            .column(CommunityMembers::CommunityId)
                            .expr(Expr::val("joined"))
                            .column(CommunityMembers::JoinedAt)
                            .from(CommunityMembers::Table)
                            .to_owned(),
                    )
                    .map_err(|e| DbErr::Migration(e.to_string()))?
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Rollups::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Rollups::Name)
                            .string_len(40)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Rollups::FromDay).date())
                    .col(ColumnDef::new(Rollups::ClaimedAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(Rollups::RanAt).timestamp_with_time_zone())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("messages_by_time")
                    .table(Messages::Table)
                    .to_owned(),
            )
            .await?;
        for table in [
            Rollups::Table.into_iden(),
            MembershipChanges::Table.into_iden(),
            CommunityWeeks::Table.into_iden(),
            CommunityDays::Table.into_iden(),
            SymbolDays::Table.into_iden(),
            MemberDays::Table.into_iden(),
            ChannelDays::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
