//! Where a roll-up job has got to, and its lease.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rollups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    /// The first day the next run recomputes; none before the first run.
    pub from_day: Option<Date>,
    /// Held while a run is under way.
    pub claimed_at: Option<DateTimeUtc>,
    /// When the last run finished.
    pub ran_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
