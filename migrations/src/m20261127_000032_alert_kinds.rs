//! Alerts on more than a price: a day's move in per cent, a cross of a moving average, an RSI
//! level. Each fires once per crossing: `holding` says the condition held at the last check, so
//! the next firing waits until it has stopped holding (an alert that already fired starts so).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PriceAlerts {
    Table,
    Kind,
    Period,
    Holding,
    TriggeredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        manager
            .alter_table(
                Table::alter()
                    .table(PriceAlerts::Table)
                    .add_column(
                        ColumnDef::new(PriceAlerts::Kind)
                            .string()
                            .not_null()
                            .default("price"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(PriceAlerts::Table)
                    .add_column(ColumnDef::new(PriceAlerts::Period).integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(PriceAlerts::Table)
                    .add_column(
                        ColumnDef::new(PriceAlerts::Holding)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(PriceAlerts::Table)
                    .value(PriceAlerts::Holding, true)
                    .and_where(Expr::col(PriceAlerts::TriggeredAt).is_not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [PriceAlerts::Kind, PriceAlerts::Period, PriceAlerts::Holding] {
            manager
                .alter_table(
                    Table::alter()
                        .table(PriceAlerts::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
