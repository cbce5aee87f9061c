//! Polls: a message can carry one — single or multiple choice, anonymous or named, closing at a
//! time or never, or a "price target" poll whose answers are numbers. A person has one ballot per
//! poll (the primary key says so, however many requests arrive at once); a ballot of a choice
//! poll holds its chosen options, one of a price-target poll its number. Everything goes with
//! its message, and a ballot with its person.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Polls {
    Table,
    MessageId,
    ChannelId,
    /// single | multiple | target
    Kind,
    Anonymous,
    ClosesAt,
    /// A price-target poll's stock ("AAPL").
    Symbol,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PollOptions {
    Table,
    PollId,
    Position,
    Label,
}

#[derive(DeriveIden)]
enum PollBallots {
    Table,
    PollId,
    UserId,
    /// A price-target poll's answer.
    Target,
    CastAt,
}

#[derive(DeriveIden)]
enum PollChoices {
    Table,
    PollId,
    UserId,
    Position,
}

#[derive(DeriveIden)]
enum Messages {
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
                    .table(Polls::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Polls::MessageId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Polls::ChannelId).uuid().not_null())
                    .col(ColumnDef::new(Polls::Kind).string_len(10).not_null())
                    .col(ColumnDef::new(Polls::Anonymous).boolean().not_null())
                    .col(ColumnDef::new(Polls::ClosesAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(Polls::Symbol).string_len(20))
                    .col(
                        ColumnDef::new(Polls::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Polls::Table, Polls::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PollOptions::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(PollOptions::PollId).uuid().not_null())
                    .col(ColumnDef::new(PollOptions::Position).integer().not_null())
                    .col(
                        ColumnDef::new(PollOptions::Label)
                            .string_len(200)
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(PollOptions::PollId)
                            .col(PollOptions::Position),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PollOptions::Table, PollOptions::PollId)
                            .to(Polls::Table, Polls::MessageId)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PollBallots::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(PollBallots::PollId).uuid().not_null())
                    .col(ColumnDef::new(PollBallots::UserId).uuid().not_null())
                    .col(ColumnDef::new(PollBallots::Target).double())
                    .col(
                        ColumnDef::new(PollBallots::CastAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // One ballot per person per poll.
                    .primary_key(
                        Index::create()
                            .col(PollBallots::PollId)
                            .col(PollBallots::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PollBallots::Table, PollBallots::PollId)
                            .to(Polls::Table, Polls::MessageId)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PollBallots::Table, PollBallots::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PollChoices::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(PollChoices::PollId).uuid().not_null())
                    .col(ColumnDef::new(PollChoices::UserId).uuid().not_null())
                    .col(ColumnDef::new(PollChoices::Position).integer().not_null())
                    .primary_key(
                        Index::create()
                            .col(PollChoices::PollId)
                            .col(PollChoices::UserId)
                            .col(PollChoices::Position),
                    )
                    // A choice belongs to its ballot, and is one of the poll's options.
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl(PollChoices::Table)
                            .from_col(PollChoices::PollId)
                            .from_col(PollChoices::UserId)
                            .to_tbl(PollBallots::Table)
                            .to_col(PollBallots::PollId)
                            .to_col(PollBallots::UserId)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from_tbl(PollChoices::Table)
                            .from_col(PollChoices::PollId)
                            .from_col(PollChoices::Position)
                            .to_tbl(PollOptions::Table)
                            .to_col(PollOptions::PollId)
                            .to_col(PollOptions::Position)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PollChoices::Table.into_iden(),
            PollBallots::Table.into_iden(),
            PollOptions::Table.into_iden(),
            Polls::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
