//! sea-orm queries for accounts.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, Func, OnConflict},
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement,
};
use uuid::Uuid;

use crate::entities::{
    access_tokens, login_challenges, login_failures, password_resets, recovery_codes,
    refresh_tokens, two_factor, user_blocks, users,
};

pub async fn user_by_id(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<users::Model>, DbErr> {
    users::Entity::find_by_id(id).one(db).await
}

/// Many people at once, by id, looked up 500 ids at a time (engines cap a statement's
/// parameters).
pub async fn users_by_ids(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, users::Model>, DbErr> {
    let mut found = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        for user in users::Entity::find()
            .filter(users::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            found.insert(user.id, user);
        }
    }
    Ok(found)
}

/// By email (when it has an @) or by username, case-insensitively.
pub async fn user_by_login(
    db: &impl ConnectionTrait,
    login: &str,
) -> Result<Option<users::Model>, DbErr> {
    let login = login.trim().to_lowercase();
    // No email or username is longer: a longer login is not looked up.
    if login.chars().count() > super::validate::EMAIL_MAX {
        return Ok(None);
    }
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
    // No username is longer: a longer one is not looked up.
    if username.trim().chars().count() > super::validate::USERNAME_MAX {
        return Ok(None);
    }
    users::Entity::find()
        .filter(users::Column::UsernameKey.eq(username.trim().to_ascii_lowercase()))
        .one(db)
        .await
}

pub async fn insert_user(
    db: &impl ConnectionTrait,
    user: users::Model,
) -> Result<users::Model, DbErr> {
    users::Entity::insert(users::ActiveModel::from(user))
        .exec_with_returning(db)
        .await
}

/// Writes the profile's own fields (name, bio, language, time zone, translation); the
/// address, the name's key and the password are left alone.
pub async fn update_profile(
    db: &impl ConnectionTrait,
    user: users::Model,
) -> Result<users::Model, DbErr> {
    users::Entity::update(users::ActiveModel {
        id: Set(user.id),
        display_name: Set(user.display_name),
        bio: Set(user.bio),
        preferred_language: Set(user.preferred_language),
        auto_translate: Set(user.auto_translate),
        time_zone: Set(user.time_zone),
        updated_at: Set(user.updated_at),
        ..Default::default()
    })
    .exec(db)
    .await
}

/// Sets (or clears) a person's avatar; the one it replaces.
pub async fn set_avatar(
    db: &impl ConnectionTrait,
    user: Uuid,
    avatar: Option<Uuid>,
) -> Result<Option<Uuid>, DbErr> {
    let before = users::Entity::find_by_id(user)
        .one(db)
        .await?
        .and_then(|u| u.avatar);
    users::Entity::update_many()
        .col_expr(users::Column::Avatar, Expr::value(avatar))
        .col_expr(users::Column::UpdatedAt, Expr::value(chrono::Utc::now()))
        .filter(users::Column::Id.eq(user))
        .exec(db)
        .await?;
    Ok(before)
}

pub async fn set_password_hash(
    db: &impl ConnectionTrait,
    user: Uuid,
    hash: String,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    users::Entity::update_many()
        .col_expr(users::Column::PasswordHash, Expr::value(hash))
        .col_expr(users::Column::UpdatedAt, Expr::value(now))
        .filter(users::Column::Id.eq(user))
        .exec(db)
        .await?;
    Ok(())
}

/// PostgreSQL's two-key advisory lock, held until the transaction ends.
pub async fn advisory_xact_lock(
    db: &impl ConnectionTrait,
    space: i32,
    key: i32,
) -> Result<(), DbErr> {
    db.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock($1, $2)",
        [sea_orm::Value::from(space), sea_orm::Value::from(key)],
    ))
    .await?;
    Ok(())
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

/// Whether a token of the family issued after `after` has itself been exchanged (the reused
/// token's successor was used).
pub async fn family_rotated_since(
    db: &impl ConnectionTrait,
    family_id: Uuid,
    after: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let used = refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::FamilyId.eq(family_id))
        .filter(refresh_tokens::Column::CreatedAt.gt(after))
        .filter(refresh_tokens::Column::RotatedAt.is_not_null())
        .count(db)
        .await?;
    Ok(used > 0)
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

/// Revokes every session of a user (after a password reset).
pub async fn revoke_all_families(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let result = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
        .filter(refresh_tokens::Column::UserId.eq(user_id))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

// ---------- two-factor sign-in ----------

pub async fn two_factor_of(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Option<two_factor::Model>, DbErr> {
    two_factor::Entity::find_by_id(user_id).one(db).await
}

/// Stores a new secret awaiting its first code (replacing an unconfirmed one).
pub async fn save_pending_two_factor(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    two_factor::Entity::delete_many()
        .filter(two_factor::Column::UserId.eq(user_id))
        .filter(two_factor::Column::EnabledAt.is_null())
        .exec(db)
        .await?;
    two_factor::Entity::insert(two_factor::ActiveModel {
        user_id: Set(user_id),
        secret: Set(secret.to_owned()),
        enabled_at: Set(None),
        last_used_step: Set(None),
        created_at: Set(now),
    })
    .exec(db)
    .await?;
    Ok(())
}

/// Turns a pending secret on, recording the step of the code that confirmed it; false if it
/// was on already.
pub async fn confirm_two_factor(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    now: DateTime<Utc>,
    step: i64,
) -> Result<bool, DbErr> {
    let result = two_factor::Entity::update_many()
        .col_expr(two_factor::Column::EnabledAt, Expr::value(now))
        .col_expr(two_factor::Column::LastUsedStep, Expr::value(step))
        .filter(two_factor::Column::UserId.eq(user_id))
        .filter(two_factor::Column::EnabledAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Records `step` as used if it is newer than every step used before; false for a replay.
pub async fn claim_totp_step(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    step: i64,
) -> Result<bool, DbErr> {
    let result = two_factor::Entity::update_many()
        .col_expr(two_factor::Column::LastUsedStep, Expr::value(step))
        .filter(two_factor::Column::UserId.eq(user_id))
        .filter(
            Condition::any()
                .add(two_factor::Column::LastUsedStep.is_null())
                .add(two_factor::Column::LastUsedStep.lt(step)),
        )
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn delete_two_factor(db: &impl ConnectionTrait, user_id: Uuid) -> Result<(), DbErr> {
    recovery_codes::Entity::delete_many()
        .filter(recovery_codes::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    two_factor::Entity::delete_by_id(user_id).exec(db).await?;
    Ok(())
}

pub async fn replace_recovery_codes(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    hashes: Vec<String>,
) -> Result<(), DbErr> {
    recovery_codes::Entity::delete_many()
        .filter(recovery_codes::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    recovery_codes::Entity::insert_many(hashes.into_iter().map(|hash| {
        recovery_codes::ActiveModel {
            id: Set(Uuid::new_v4()),
            user_id: Set(user_id),
            code_hash: Set(hash),
            used_at: Set(None),
        }
    }))
    .exec(db)
    .await?;
    Ok(())
}

/// Spends an unused recovery code; false if there is none with that hash.
pub async fn use_recovery_code(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    code_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = recovery_codes::Entity::update_many()
        .col_expr(recovery_codes::Column::UsedAt, Expr::value(now))
        .filter(recovery_codes::Column::UserId.eq(user_id))
        .filter(recovery_codes::Column::CodeHash.eq(code_hash))
        .filter(recovery_codes::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn recovery_codes_left(db: &impl ConnectionTrait, user_id: Uuid) -> Result<u64, DbErr> {
    recovery_codes::Entity::find()
        .filter(recovery_codes::Column::UserId.eq(user_id))
        .filter(recovery_codes::Column::UsedAt.is_null())
        .count(db)
        .await
}

/// Stores the second step of a sign-in; the user's expired ones go at the same time.
pub async fn insert_login_challenge(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    token_hash: String,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    login_challenges::Entity::delete_many()
        .filter(login_challenges::Column::UserId.eq(user_id))
        .filter(login_challenges::Column::ExpiresAt.lt(now))
        .exec(db)
        .await?;
    login_challenges::Entity::insert(login_challenges::ActiveModel {
        id: Set(Uuid::new_v4()),
        user_id: Set(user_id),
        token_hash: Set(token_hash),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
    })
    .exec(db)
    .await?;
    Ok(())
}

pub async fn login_challenge_by_hash(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<login_challenges::Model>, DbErr> {
    login_challenges::Entity::find()
        .filter(login_challenges::Column::TokenHash.eq(token_hash))
        .one(db)
        .await
}

/// Marks a challenge used, only if it still is unused.
pub async fn spend_login_challenge(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = login_challenges::Entity::update_many()
        .col_expr(login_challenges::Column::UsedAt, Expr::value(now))
        .filter(login_challenges::Column::Id.eq(id))
        .filter(login_challenges::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Drops every pending second step of a user (their password just changed).
pub async fn delete_login_challenges(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<(), DbErr> {
    login_challenges::Entity::delete_many()
        .filter(login_challenges::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

// ---------- password resets ----------

pub async fn insert_password_reset(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    token_hash: String,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    password_resets::Entity::insert(password_resets::ActiveModel {
        id: Set(Uuid::new_v4()),
        user_id: Set(user_id),
        token_hash: Set(token_hash),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
    })
    .exec(db)
    .await?;
    Ok(())
}

pub async fn password_reset_by_hash(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<password_resets::Model>, DbErr> {
    password_resets::Entity::find()
        .filter(password_resets::Column::TokenHash.eq(token_hash))
        .one(db)
        .await
}

/// Spends a reset link, only if it is still unused.
pub async fn spend_password_reset(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = password_resets::Entity::update_many()
        .col_expr(password_resets::Column::UsedAt, Expr::value(now))
        .filter(password_resets::Column::Id.eq(id))
        .filter(password_resets::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Ends every other reset link of a user (one reset spends them all).
pub async fn spend_password_resets_of(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    password_resets::Entity::update_many()
        .col_expr(password_resets::Column::UsedAt, Expr::value(now))
        .filter(password_resets::Column::UserId.eq(user_id))
        .filter(password_resets::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
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

/// Writes one counted attempt of `key`; its row id. Rows older than a day go at the same time.
pub async fn record_attempt(
    db: &impl ConnectionTrait,
    key: &str,
    now: DateTime<Utc>,
) -> Result<i64, DbErr> {
    let id = login_failures::Entity::insert(login_failures::ActiveModel {
        key: Set(key.to_owned()),
        failed_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await?
    .last_insert_id;
    // Old rows say nothing any more.
    login_failures::Entity::delete_many()
        .filter(login_failures::Column::Key.eq(key))
        .filter(login_failures::Column::FailedAt.lt(now - chrono::Duration::days(1)))
        .exec(db)
        .await?;
    Ok(id)
}

/// Removes counted attempts by id (attempts that turned out not to count).
pub async fn delete_attempts(db: &impl ConnectionTrait, ids: &[i64]) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    login_failures::Entity::delete_many()
        .filter(login_failures::Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

/// The failures of `key` since `since`, oldest first.
pub async fn attempts_since(
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

pub async fn clear_attempts(db: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
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

/// People whose username or display name holds `needle` (lower-case), deleted accounts left
/// out; at most `limit`, by username.
pub async fn people_named(
    db: &impl ConnectionTrait,
    needle: &str,
    hidden: Vec<Uuid>,
    limit: u64,
) -> Result<Vec<users::Model>, DbErr> {
    let pattern = format!("%{}%", needle.replace(['%', '_'], ""));
    users::Entity::find()
        .filter(
            Condition::any()
                .add(users::Column::UsernameKey.like(pattern.clone()))
                .add(Expr::expr(Func::lower(Expr::col(users::Column::DisplayName))).like(pattern)),
        )
        .filter(users::Column::PasswordHash.ne(""))
        .filter(users::Column::Id.is_not_in(hidden))
        .order_by_asc(users::Column::UsernameKey)
        .limit(limit)
        .all(db)
        .await
}

// ---- personal access tokens ----

pub async fn insert_access_token(
    db: &impl ConnectionTrait,
    token: access_tokens::Model,
) -> Result<(), DbErr> {
    access_tokens::Entity::insert(access_tokens::ActiveModel::from(token))
        .exec(db)
        .await?;
    Ok(())
}

/// The person's tokens, newest first (expired ones included: the list says they expired).
pub async fn access_tokens_of(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<access_tokens::Model>, DbErr> {
    access_tokens::Entity::find()
        .filter(access_tokens::Column::UserId.eq(user))
        .order_by_desc(access_tokens::Column::CreatedAt)
        .all(db)
        .await
}

/// The person's tokens still good at `now` (an expired one no longer takes a place).
pub async fn live_access_token_count(
    db: &impl ConnectionTrait,
    user: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    access_tokens::Entity::find()
        .filter(access_tokens::Column::UserId.eq(user))
        .filter(
            Condition::any()
                .add(access_tokens::Column::ExpiresAt.is_null())
                .add(access_tokens::Column::ExpiresAt.gt(now)),
        )
        .count(db)
        .await
}

pub async fn access_token_by_hash(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<access_tokens::Model>, DbErr> {
    access_tokens::Entity::find()
        .filter(access_tokens::Column::TokenHash.eq(token_hash))
        .one(db)
        .await
}

/// Removes one of the person's tokens; false when they have no such token.
pub async fn delete_access_token(
    db: &impl ConnectionTrait,
    user: Uuid,
    id: Uuid,
) -> Result<bool, DbErr> {
    let done = access_tokens::Entity::delete_many()
        .filter(access_tokens::Column::Id.eq(id))
        .filter(access_tokens::Column::UserId.eq(user))
        .exec(db)
        .await?;
    Ok(done.rows_affected > 0)
}

pub async fn delete_access_tokens_of(db: &impl ConnectionTrait, user: Uuid) -> Result<(), DbErr> {
    access_tokens::Entity::delete_many()
        .filter(access_tokens::Column::UserId.eq(user))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn touch_access_token(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    access_tokens::Entity::update_many()
        .col_expr(access_tokens::Column::LastUsedAt, Expr::value(now))
        .filter(access_tokens::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
