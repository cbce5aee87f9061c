//! Files attached to messages (or uploaded and not yet sent); their bytes are in the object store.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attachments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub uploader_id: Uuid,
    pub community_id: Uuid,
    pub channel_id: Uuid,
    pub message_id: Option<Uuid>,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub kind: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub thumbnail: bool,
    pub duration_ms: Option<i32>,
    pub waveform: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
