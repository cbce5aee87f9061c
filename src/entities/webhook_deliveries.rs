//! One message an outgoing webhook sends, and how its attempts went.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub integration_id: Uuid,
    pub message_id: Uuid,
    /// The JSON body, as signed.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    /// `integrations::DeliveryStatus::as_str`.
    pub status: String,
    pub attempts: i32,
    pub next_at: DateTimeUtc,
    pub claimed_until: Option<DateTimeUtc>,
    pub last_code: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
