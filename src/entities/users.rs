use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub email: String,
    pub username: String,
    pub username_key: String,
    pub display_name: String,
    pub password_hash: String,
    pub bio: String,
    pub preferred_language: String,
    pub time_zone: String,
    /// Whether messages in other languages arrive translated into `preferred_language`.
    pub auto_translate: bool,
    /// The avatar's picture (`platform::files`), if one was chosen.
    pub avatar: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// Whether this row is the tombstone of a deleted account. Only a tombstone has no password
    /// hash: every account made by registering has one, and so does the Stock Bot's.
    pub fn is_tombstone(&self) -> bool {
        self.password_hash.is_empty()
    }
}
