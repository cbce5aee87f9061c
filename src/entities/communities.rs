//! A community (guild).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "communities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub icon_color: String,
    /// `public` | `private` | `direct` (a direct conversation, `community::direct`)
    pub visibility: String,
    pub owner_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    /// Overrides `TOXICITY_THRESHOLD` for this community's messages.
    pub toxicity_threshold: Option<f32>,
    /// Where `/c/<slug>` opens; the first open channel when unset (or archived).
    pub default_channel_id: Option<Uuid>,
    /// The icon's picture (`platform::files`), if one was chosen.
    pub icon: Option<Uuid>,
    /// A one-to-one conversation's pair (`community::direct::pair_key`); unique.
    pub direct_key: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
