//! An item a community installed from the marketplace (see `integrations`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "integrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    /// `integrations::Kind::as_str`.
    pub kind: String,
    /// Unique per community: the kind for a single-install item, the kind and the id otherwise.
    pub slot: String,
    pub name: String,
    pub channel_id: Option<Uuid>,
    /// The account an incoming webhook posts as.
    pub bot_user_id: Option<Uuid>,
    /// SHA-256 (hex) of an incoming webhook's secret.
    pub secret_hash: Option<String>,
    /// The key an outgoing webhook signs with.
    pub signing_secret: Option<String>,
    /// Where an outgoing webhook sends.
    pub url: Option<String>,
    /// The channel's last sequence number an outgoing webhook has queued.
    pub cursor: i64,
    /// A bot's settings (JSON).
    pub config: Option<String>,
    /// A bot's memory (JSON).
    pub state: String,
    pub installed_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
