//! Events: earnings calls, AMAs, watch parties. An event is announced by a message in a channel
//! (it goes with that message), starts and may end at instants kept in UTC beside the time zone
//! its organiser planned it in, and may name a $cashtag. A person answers once per event (the
//! primary key says so); a reminder is sent once (`reminded_at` is claimed by one update).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    MessageId,
    CommunityId,
    ChannelId,
    CreatedBy,
    Title,
    Description,
    StartsAt,
    EndsAt,
    /// The organiser's IANA time zone ("America/New_York").
    TimeZone,
    Symbol,
    /// Minutes before the start that reminders go out; 0: none.
    RemindMinutes,
    /// When they go out (the start less those minutes); none: never.
    RemindAt,
    RemindedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum EventAnswers {
    Table,
    EventId,
    UserId,
    /// going | maybe | declined
    Answer,
    AnsweredAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Communities {
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
                    .table(Events::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Events::MessageId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Events::CommunityId).uuid().not_null())
                    .col(ColumnDef::new(Events::ChannelId).uuid().not_null())
                    .col(ColumnDef::new(Events::CreatedBy).uuid().not_null())
                    .col(ColumnDef::new(Events::Title).string_len(200).not_null())
                    .col(ColumnDef::new(Events::Description).text().not_null())
                    .col(
                        ColumnDef::new(Events::StartsAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Events::EndsAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(Events::TimeZone).string_len(64).not_null())
                    .col(ColumnDef::new(Events::Symbol).string_len(20))
                    .col(ColumnDef::new(Events::RemindMinutes).integer().not_null())
                    .col(ColumnDef::new(Events::RemindAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(Events::RemindedAt).timestamp_with_time_zone())
                    .col(
                        ColumnDef::new(Events::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Events::Table, Events::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Events::Table, Events::CommunityId)
                            .to(Communities::Table, Communities::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // A community's calendar, by start.
        manager
            .create_index(
                Index::create()
                    .name("events_by_community_start")
                    .table(Events::Table)
                    .col(Events::CommunityId)
                    .col(Events::StartsAt)
                    .to_owned(),
            )
            .await?;
        // The reminder job's look-ahead.
        manager
            .create_index(
                Index::create()
                    .name("events_by_reminder")
                    .table(Events::Table)
                    .col(Events::RemindAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EventAnswers::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(EventAnswers::EventId).uuid().not_null())
                    .col(ColumnDef::new(EventAnswers::UserId).uuid().not_null())
                    .col(
                        ColumnDef::new(EventAnswers::Answer)
                            .string_len(10)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(EventAnswers::AnsweredAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // One answer per person per event.
                    .primary_key(
                        Index::create()
                            .col(EventAnswers::EventId)
                            .col(EventAnswers::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(EventAnswers::Table, EventAnswers::EventId)
                            .to(Events::Table, Events::MessageId)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(EventAnswers::Table, EventAnswers::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [EventAnswers::Table.into_iden(), Events::Table.into_iden()] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
