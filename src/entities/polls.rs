//! A message's poll: its kind, whether it is anonymous, when it closes.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "polls")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub message_id: Uuid,
    pub channel_id: Uuid,
    pub kind: String,
    pub anonymous: bool,
    pub closes_at: Option<DateTimeUtc>,
    pub symbol: Option<String>,
    pub created_at: DateTimeUtc,
    /// A price-target poll's stock price at its close, once read.
    pub close_price: Option<f64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
