//! One transaction of a portfolio; decimals are stored as text (see the migration).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "portfolio_transactions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub portfolio_id: Uuid,
    pub kind: String,
    pub trade_date: String,
    pub seq: i64,
    pub symbol: Option<String>,
    pub shares: Option<String>,
    pub price: Option<String>,
    pub fees: String,
    pub amount: Option<String>,
    pub ratio: Option<String>,
    pub currency: String,
    pub note: String,
    pub name: Option<String>,
    pub sector: Option<String>,
    /// Set while the row waits in an unconfirmed CSV import.
    pub import_id: Option<Uuid>,
    pub import_row: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
