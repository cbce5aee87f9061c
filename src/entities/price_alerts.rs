//! A price alert: tell the person when a symbol's price goes above or below a target.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "price_alerts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub symbol: String,
    /// "above" or "below".
    pub direction: String,
    pub target: String,
    pub created_at: DateTimeUtc,
    pub triggered_at: Option<DateTimeUtc>,
    pub triggered_price: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
