//! sea-orm queries for accounts.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::entities::{login_failures, refresh_tokens, user_blocks, users};

pub async fn user_by_id(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<users::Model>, DbErr> {
    users::Entity::find_by_id(id).one(db).await
}

/// By email (when it has an @) or by username, case-insensitively.
pub async fn user_by_login(
    db: &impl ConnectionTrait,
    login: &str,
) -> Result<Option<users::Model>, DbErr> {
    let login = login.trim().to_lowercase();
    let column = if login.contains('@') {
        users::Column::Email
    } else {
        users::Column::UsernameKey
    };
    users::Entity::find().filter(column.eq(login)).one(db).await
}

pub async fn user_by_username(
    db: &impl ConnectionTrait,
    username: &str,
) -> Result<Option<users::Model>, DbErr> {
    users::Entity::find()
        .filter(users::Column::UsernameKey.eq(username.trim().to_ascii_lowercase()))
        .one(db)
        .await
}

pub async fn insert_user(
    db: &impl ConnectionTrait,
    user: users::ActiveModel,
) -> Result<users::Model, DbErr> {
    users::Entity::insert(user).exec_with_returning(db).await
}

pub async fn insert_refresh_token(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    family_id: Uuid,
    token_hash: String,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    refresh_tokens::Entity::insert(refresh_tokens::ActiveModel {
        id: Set(Uuid::new_v4()),
        user_id: Set(user_id),
        family_id: Set(family_id),
        token_hash: Set(token_hash),
        created_at: Set(now),
        expires_at: Set(expires_at),
        rotated_at: Set(None),
        revoked_at: Set(None),
    })
    .exec(db)
    .await?;
    Ok(())
}

pub async fn refresh_token_by_hash(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<refresh_tokens::Model>, DbErr> {
    refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::TokenHash.eq(token_hash))
        .one(db)
        .await
}

/// Marks a token as used, only if it still is unused; false when another request got there first.
pub async fn mark_rotated(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RotatedAt, Expr::value(now))
        .filter(refresh_tokens::Column::Id.eq(id))
        .filter(refresh_tokens::Column::RotatedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn revoke_family(
    db: &impl ConnectionTrait,
    family_id: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let result = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
        .filter(refresh_tokens::Column::FamilyId.eq(family_id))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Revokes a session; whose it was (`None` when no such session exists).
pub async fn revoke_family_of(
    db: &impl ConnectionTrait,
    family_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, DbErr> {
    let owner = refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::FamilyId.eq(family_id))
        .one(db)
        .await?
        .map(|row| row.user_id);
    revoke_family(db, family_id, now).await?;
    Ok(owner)
}

/// Revokes every session of a user but `keep` (after a password change).
pub async fn revoke_other_families(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    keep: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let result = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
        .filter(refresh_tokens::Column::UserId.eq(user_id))
        .filter(refresh_tokens::Column::FamilyId.ne(keep))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Whether a session (refresh-token family) is still alive.
pub async fn session_alive(db: &impl ConnectionTrait, family_id: Uuid) -> Result<bool, DbErr> {
    let live = refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::FamilyId.eq(family_id))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .count(db)
        .await?;
    Ok(live > 0)
}

pub async fn record_login_failure(
    db: &impl ConnectionTrait,
    key: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    login_failures::Entity::insert(login_failures::ActiveModel {
        key: Set(key.to_owned()),
        failed_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await?;
    // Old rows say nothing any more.
    login_failures::Entity::delete_many()
        .filter(login_failures::Column::Key.eq(key))
        .filter(login_failures::Column::FailedAt.lt(now - chrono::Duration::days(1)))
        .exec(db)
        .await?;
    Ok(())
}

/// The failures of `key` since `since`, oldest first.
pub async fn login_failures_since(
    db: &impl ConnectionTrait,
    key: &str,
    since: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, DbErr> {
    let rows = login_failures::Entity::find()
        .filter(login_failures::Column::Key.eq(key))
        .filter(login_failures::Column::FailedAt.gt(since))
        .order_by_asc(login_failures::Column::FailedAt)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|r| r.failed_at).collect())
}

pub async fn clear_login_failures(db: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
    login_failures::Entity::delete_many()
        .filter(login_failures::Column::Key.eq(key))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn block(
    db: &impl ConnectionTrait,
    blocker: Uuid,
    blocked: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    user_blocks::Entity::insert(user_blocks::ActiveModel {
        blocker_id: Set(blocker),
        blocked_id: Set(blocked),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            user_blocks::Column::BlockerId,
            user_blocks::Column::BlockedId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .do_nothing()
    .exec(db)
    .await?;
    Ok(())
}

pub async fn unblock(db: &impl ConnectionTrait, blocker: Uuid, blocked: Uuid) -> Result<(), DbErr> {
    user_blocks::Entity::delete_by_id((blocker, blocked))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn is_blocked(
    db: &impl ConnectionTrait,
    blocker: Uuid,
    blocked: Uuid,
) -> Result<bool, DbErr> {
    Ok(user_blocks::Entity::find_by_id((blocker, blocked))
        .one(db)
        .await?
        .is_some())
}

/// The people `blocker` has blocked, most recent first.
pub async fn blocked_users(
    db: &impl ConnectionTrait,
    blocker: Uuid,
) -> Result<Vec<users::Model>, DbErr> {
    let ids: Vec<Uuid> = user_blocks::Entity::find()
        .filter(user_blocks::Column::BlockerId.eq(blocker))
        .order_by_desc(user_blocks::Column::CreatedAt)
        .select_only()
        .column(user_blocks::Column::BlockedId)
        .into_tuple()
        .all(db)
        .await?;
    let mut people = users::Entity::find()
        .filter(users::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?;
    people.sort_by_key(|u| ids.iter().position(|id| *id == u.id));
    Ok(people)
}
