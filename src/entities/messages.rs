//! Chat messages.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub channel_id: Uuid,
    /// Position in the channel: 1, 2, 3… with no gaps.
    pub seq: i64,
    pub author_id: Uuid,
    /// `None` once deleted.
    #[sea_orm(column_type = "Text", nullable)]
    pub body: Option<String>,
    pub reply_to: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub edited_at: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
    pub pinned_at: Option<DateTimeUtc>,
    pub pinned_by: Option<Uuid>,
    /// The language the AI detected ("es"); `None` while unknown.
    pub language: Option<String>,
    /// `None` while queued for the AI, "checked" once it looked, "unchecked" if it could not.
    pub ai_status: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
