//! The audit log: every moderation and settings action in a community. Only ever added to.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub actor_id: Uuid,
    /// What was done (`community::audit::Act`, stored by name).
    pub action: String,
    pub target_user_id: Option<Uuid>,
    pub message_id: Option<Uuid>,
    /// What it was done to, in words (a channel's name, a role's), for the reader of the log.
    pub detail: String,
    pub reason: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
