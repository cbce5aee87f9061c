//! Facts about this installation kept in the `app_meta` table.

use sea_orm::{sea_query::OnConflict, ActiveValue::Set, DatabaseConnection, DbErr, EntityTrait};

use crate::entities::app_meta;

const INSTALLED_AT: &str = "installed_at";

/// Records the moment of installation the first time any instance starts; later starts keep it.
pub async fn record_installation(db: &DatabaseConnection) -> Result<(), DbErr> {
    let now = chrono::Utc::now();
    let row = app_meta::ActiveModel {
        key: Set(INSTALLED_AT.to_owned()),
        value: Set(now.to_rfc3339()),
        updated_at: Set(now),
    };
    app_meta::Entity::insert(row)
        .on_conflict(
            OnConflict::column(app_meta::Column::Key)
                .do_nothing()
                .to_owned(),
        )
        .do_nothing()
        .exec(db)
        .await?;
    Ok(())
}

/// When this installation first started (RFC 3339), if recorded.
pub async fn installed_at(db: &DatabaseConnection) -> Result<Option<String>, DbErr> {
    Ok(app_meta::Entity::find_by_id(INSTALLED_AT)
        .one(db)
        .await?
        .map(|row| row.value))
}

/// The value kept under `key`, storing `new` first if there is none. Two instances starting
/// at once both end up with the one that was stored first.
pub async fn kept_or_stored(
    db: &DatabaseConnection,
    key: &str,
    new: String,
) -> Result<String, DbErr> {
    let now = chrono::Utc::now();
    app_meta::Entity::insert(app_meta::ActiveModel {
        key: Set(key.to_owned()),
        value: Set(new),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(app_meta::Column::Key)
            .do_nothing()
            .to_owned(),
    )
    .do_nothing()
    .exec(db)
    .await?;
    app_meta::Entity::find_by_id(key)
        .one(db)
        .await?
        .map(|row| row.value)
        .ok_or_else(|| DbErr::RecordNotFound(key.to_owned()))
}
