//! A person's inbox: a message that mentions them, replies to them or was sent to them directly.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inbox_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    /// mention | everyone | reply | direct
    pub kind: String,
    pub message_id: Uuid,
    pub channel_id: Uuid,
    /// The message's number in its channel.
    pub seq: i64,
    pub community_id: Uuid,
    /// Who wrote the message.
    pub actor_id: Uuid,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
