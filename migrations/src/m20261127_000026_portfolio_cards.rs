//! A portfolio (or one holding of it) shared into a channel as a live card: the message that
//! carries it, whose portfolio, which holding, and whether amounts are hidden. The portfolio is
//! named, not referenced: when its person deletes it, the card says so instead of vanishing
//! with the message.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PortfolioCards {
    Table,
    MessageId,
    OwnerId,
    PortfolioId,
    /// One holding's symbol; none for the whole portfolio.
    Symbol,
    /// Percentages only: the card never carries an amount.
    PercentagesOnly,
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
                    .table(PortfolioCards::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(PortfolioCards::MessageId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(PortfolioCards::OwnerId).uuid().not_null())
                    .col(
                        ColumnDef::new(PortfolioCards::PortfolioId)
                            .uuid()
                            .not_null(),
                    )
                    .col(ColumnDef::new(PortfolioCards::Symbol).string_len(20))
                    .col(
                        ColumnDef::new(PortfolioCards::PercentagesOnly)
                            .boolean()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PortfolioCards::Table, PortfolioCards::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PortfolioCards::Table, PortfolioCards::OwnerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(PortfolioCards::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
