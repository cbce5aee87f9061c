//! A price alert: tell the person when a symbol's price, day's move, moving average or RSI
//! crosses a line.

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
    /// When it last fired, and at what price.
    pub triggered_at: Option<DateTimeUtc>,
    pub triggered_price: Option<String>,
    /// "price" (target: a price), "move" (target: a day's move in per cent), "average" (the
    /// price crosses the `period`-day moving average) or "rsi" (target: a level of the
    /// `period`-day RSI).
    pub kind: String,
    pub period: Option<i32>,
    /// The condition held at the last check: the alert fires again only after it stops.
    pub holding: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
