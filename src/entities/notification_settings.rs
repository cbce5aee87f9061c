//! What a person wants to hear of a community (or conversation), or of one of its channels.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    /// The community's id, or one of its channels' (which then overrides the community's).
    #[sea_orm(primary_key, auto_increment = false)]
    pub scope_id: Uuid,
    pub community_id: Uuid,
    /// all | mentions | nothing | inherit (the row is kept only for its mute)
    pub level: String,
    /// Nothing is heard until then (the far future: until turned back on).
    pub muted_until: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
