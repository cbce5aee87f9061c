//! A tab in a voice channel's call (migration 000027).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "voice_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub connection_id: Uuid,
    pub channel_id: Uuid,
    pub community_id: Uuid,
    pub user_id: Uuid,
    pub muted: bool,
    pub deafened: bool,
    pub silenced: bool,
    pub may_speak: bool,
    pub joined_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
