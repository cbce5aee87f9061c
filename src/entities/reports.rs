//! People's reports of messages and of people: why (a reason and a note), and what became
//! of them.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    /// The reported person (a message's author, or the person reported).
    pub subject_id: Uuid,
    /// None when a person, not one message, is reported.
    pub message_id: Option<Uuid>,
    pub reporter_id: Uuid,
    pub reason: String,
    pub note: String,
    /// open | actioned | dismissed
    pub status: String,
    pub resolved_by: Option<Uuid>,
    pub resolved_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
