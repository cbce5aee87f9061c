//! Portfolios: each person's portfolios, their transactions (the source of truth: holdings,
//! lots and gains are derived from them) and price alerts.
//!
//! Money and share counts are exact decimals written as text ("1234.5", "0.125"): SQLite has no
//! decimal type and PostgreSQL's NUMERIC would come back through sqlx as something else on each
//! engine. The app reads them into `rust_decimal` and never does arithmetic in SQL.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Portfolios {
    Table,
    Id,
    UserId,
    Name,
    /// "fifo" or "average".
    CostMethod,
    /// ISO 4217 ("USD"): every transaction of the portfolio is in it.
    Currency,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PortfolioTransactions {
    Table,
    Id,
    PortfolioId,
    /// "BUY", "SELL", "DIVIDEND", "SPLIT", "FEE", "DEPOSIT", "WITHDRAW".
    Kind,
    /// "2024-03-01": sorts as text on both engines.
    TradeDate,
    /// Order within a day: the order they were entered (or their row in an imported file).
    Seq,
    Symbol,
    Shares,
    Price,
    Fees,
    Amount,
    /// A split's new shares per old share.
    Ratio,
    Currency,
    Note,
    /// The company name and sector given with a purchase (the holding shows them).
    Name,
    Sector,
    /// Set while the row belongs to a CSV import the person has not confirmed: such rows count
    /// for nothing until the import is confirmed, when this is cleared in one statement.
    ImportId,
    /// The row's line in the imported file, for the error report.
    ImportRow,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PriceAlerts {
    Table,
    Id,
    UserId,
    Symbol,
    /// "above" or "below".
    Direction,
    Target,
    CreatedAt,
    /// When the background job saw the price cross, and the price it saw.
    TriggeredAt,
    TriggeredPrice,
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
                    .table(Portfolios::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Portfolios::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Portfolios::UserId).uuid().not_null())
                    .col(ColumnDef::new(Portfolios::Name).string_len(60).not_null())
                    .col(
                        ColumnDef::new(Portfolios::CostMethod)
                            .string_len(8)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Portfolios::Currency)
                            .string_len(3)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Portfolios::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_portfolios_user")
                            .from(Portfolios::Table, Portfolios::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_portfolios_user_name")
                    .table(Portfolios::Table)
                    .col(Portfolios::UserId)
                    .col(Portfolios::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        let decimal =
            |column: PortfolioTransactions| ColumnDef::new(column).string_len(40).null().to_owned();
        manager
            .create_table(
                Table::create()
                    .table(PortfolioTransactions::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(PortfolioTransactions::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(PortfolioTransactions::PortfolioId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PortfolioTransactions::Kind)
                            .string_len(10)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PortfolioTransactions::TradeDate)
                            .string_len(10)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PortfolioTransactions::Seq)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PortfolioTransactions::Symbol)
                            .string_len(16)
                            .null(),
                    )
                    .col(decimal(PortfolioTransactions::Shares))
                    .col(decimal(PortfolioTransactions::Price))
                    .col(
                        ColumnDef::new(PortfolioTransactions::Fees)
                            .string_len(40)
                            .not_null(),
                    )
                    .col(decimal(PortfolioTransactions::Amount))
                    .col(decimal(PortfolioTransactions::Ratio))
                    .col(
                        ColumnDef::new(PortfolioTransactions::Currency)
                            .string_len(3)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PortfolioTransactions::Note)
                            .string_len(500)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PortfolioTransactions::Name)
                            .string_len(100)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(PortfolioTransactions::Sector)
                            .string_len(60)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(PortfolioTransactions::ImportId)
                            .uuid()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(PortfolioTransactions::ImportRow)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(PortfolioTransactions::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_portfolio_transactions_portfolio")
                            .from(
                                PortfolioTransactions::Table,
                                PortfolioTransactions::PortfolioId,
                            )
                            .to(Portfolios::Table, Portfolios::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_portfolio_transactions_order")
                    .table(PortfolioTransactions::Table)
                    .col(PortfolioTransactions::PortfolioId)
                    .col(PortfolioTransactions::TradeDate)
                    .col(PortfolioTransactions::Seq)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_portfolio_transactions_import")
                    .table(PortfolioTransactions::Table)
                    .col(PortfolioTransactions::ImportId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PriceAlerts::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(PriceAlerts::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(PriceAlerts::UserId).uuid().not_null())
                    .col(
                        ColumnDef::new(PriceAlerts::Symbol)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PriceAlerts::Direction)
                            .string_len(5)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PriceAlerts::Target)
                            .string_len(40)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PriceAlerts::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PriceAlerts::TriggeredAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(PriceAlerts::TriggeredPrice)
                            .string_len(40)
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_price_alerts_user")
                            .from(PriceAlerts::Table, PriceAlerts::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_price_alerts_pending")
                    .table(PriceAlerts::Table)
                    .col(PriceAlerts::TriggeredAt)
                    .col(PriceAlerts::Symbol)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PriceAlerts::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(PortfolioTransactions::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Portfolios::Table).to_owned())
            .await
    }
}
