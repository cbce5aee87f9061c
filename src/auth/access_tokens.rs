//! Personal access tokens: how a person's scripts and bots sign in on the public API
//! (`/api/v1`). A token is `bp_` and 40 random base-32 characters (200 bits). It is shown once,
//! when made; the database keeps its SHA-256, the scopes it was given, when it expires and when
//! it was last used. Revoking deletes it, and the next request with it is a 401.

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::TransactionTrait;
use uuid::Uuid;

use super::{repo, AccessToken, NewAccessToken, Scope, TOKEN_LIFETIMES};
use crate::auth::UserId;
use crate::{
    entities::{access_tokens, users},
    kit::sentences::says,
    platform::{error::AppError, state::AppState},
};

/// What every token starts with: scripts and secret scanners can tell it from a session's JWT.
pub const PREFIX: &str = "bp_";
/// Tokens one person may hold at once (expired ones, still listed until revoked, not counted).
pub const MAX_PER_PERSON: u64 = 25;
pub const NAME_MAX: usize = 60;
/// A token's "last used" moves at most this often (not a write per request).
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// Whether a bearer credential is a personal access token (not a session's JWT).
pub fn is_access_token(credential: &str) -> bool {
    credential.starts_with(PREFIX)
}

fn new_token() -> String {
    let mut bytes = [0u8; 25];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "{PREFIX}{}",
        data_encoding::BASE32_NOPAD
            .encode(&bytes)
            .to_ascii_lowercase()
    )
}

fn hash(token: &str) -> String {
    super::tokens::hash_refresh_token(token)
}

fn scopes_of(row: &access_tokens::Model) -> Vec<Scope> {
    row.scopes.split(' ').filter_map(Scope::parse).collect()
}

fn info(row: &access_tokens::Model, now: DateTime<Utc>) -> AccessToken {
    AccessToken {
        expired: row.expires_at.is_some_and(|at| at <= now),
        id: row.id.to_string(),
        name: row.name.clone(),
        hint: row.hint.clone(),
        scopes: scopes_of(row),
        created_at: row.created_at.to_rfc3339(),
        expires_at: row.expires_at.map(|t| t.to_rfc3339()),
        last_used_at: row.last_used_at.map(|t| t.to_rfc3339()),
    }
}

/// Makes a token for `user`: named, with at least one scope, living `days` (one of
/// [`TOKEN_LIFETIMES`]) or until revoked.
pub async fn create(
    state: &AppState,
    user: UserId,
    name: &str,
    scopes: &[Scope],
    days: Option<u32>,
) -> Result<NewAccessToken, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::Validation(says!("server.tokens.name_missing")));
    }
    if name.chars().count() > NAME_MAX {
        return Err(AppError::Validation(says!(
            "server.tokens.name_too_long",
            max = NAME_MAX
        )));
    }
    let mut scopes = scopes.to_vec();
    scopes.sort();
    scopes.dedup();
    if scopes.is_empty() {
        return Err(AppError::Validation(says!("server.tokens.no_scopes")));
    }
    if !TOKEN_LIFETIMES.contains(&days) {
        return Err(AppError::Validation(says!("server.tokens.bad_lifetime")));
    }
    let token = new_token();
    let now = Utc::now();
    let row = access_tokens::Model {
        id: Uuid::now_v7(),
        user_id: user.0,
        name: name.to_string(),
        token_hash: hash(&token),
        hint: token[token.len() - 4..].to_string(),
        scopes: scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        created_at: now,
        expires_at: days.map(|d| now + Duration::days(d.into())),
        last_used_at: None,
    };
    // Counted after its own row, under the person's lock (SQLite: the write lock the insert
    // took), so a burst of requests never ends above the limit.
    let txn = state.db.begin().await?;
    crate::platform::db::lock_until_commit(&txn, TOKENS_LOCK_SPACE, user.0).await?;
    repo::insert_access_token(&txn, row.clone()).await?;
    if repo::live_access_token_count(&txn, user.0, now).await? > MAX_PER_PERSON {
        txn.rollback().await?;
        return Err(AppError::Conflict(says!(
            "server.tokens.too_many",
            max = MAX_PER_PERSON
        )));
    }
    txn.commit().await?;
    tracing::info!(user = %user, token = %row.id, scopes = %row.scopes, "access token made");
    Ok(NewAccessToken {
        token,
        info: info(&row, now),
    })
}

/// The advisory-lock space of a person's token list (`platform::db::lock_until_commit`).
const TOKENS_LOCK_SPACE: i32 = 0x746f_6b00;

pub async fn list(state: &AppState, user: UserId) -> Result<Vec<AccessToken>, AppError> {
    let now = Utc::now();
    Ok(repo::access_tokens_of(&state.db, user.0)
        .await?
        .iter()
        .map(|row| info(row, now))
        .collect())
}

pub async fn revoke(state: &AppState, user: UserId, id: &str) -> Result<(), AppError> {
    let not_found = || AppError::NotFound(says!("server.tokens.not_found"));
    let id = Uuid::parse_str(id.trim()).map_err(|_| not_found())?;
    if !repo::delete_access_token(&state.db, user.0, id).await? {
        return Err(not_found());
    }
    tracing::info!(user = %user, token = %id, "access token revoked");
    // Its gateway sockets close now, as a signed-out session's tabs do.
    crate::platform::realtime::sessions_ended(state, user.0, Some(id), None).await;
    Ok(())
}

/// The person a token names, what it may do and the token's id; a 401 for an unknown, revoked
/// or expired one, or one whose person is gone.
pub async fn authenticate(
    state: &AppState,
    token: &str,
) -> Result<(users::Model, Vec<Scope>, Uuid), AppError> {
    let row = repo::access_token_by_hash(&state.db, &hash(token.trim()))
        .await?
        .ok_or(AppError::Unauthorized)?;
    let now = Utc::now();
    if row.expires_at.is_some_and(|at| at <= now) {
        return Err(AppError::Unauthorized);
    }
    let user = repo::user_by_id(&state.db, row.user_id)
        .await?
        .filter(|u| !u.is_tombstone())
        .ok_or(AppError::Unauthorized)?;
    if stale(row.last_used_at, now) {
        repo::touch_access_token(&state.db, row.id, now).await?;
    }
    Ok((user, scopes_of(&row), row.id))
}

fn stale(last_used: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last_used.is_none_or(|at| now - at >= TOUCH_EVERY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_prefixed_long_and_unguessable() {
        let a = new_token();
        let b = new_token();
        assert!(is_access_token(&a));
        assert_eq!(a.len(), PREFIX.len() + 40);
        assert_ne!(a, b);
        assert!(a[PREFIX.len()..]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
        // The hash is what the database keeps, and it is not the token.
        assert_eq!(hash(&a).len(), 64);
        assert!(!hash(&a).contains(&a[PREFIX.len()..]));
    }

    #[test]
    fn a_session_jwt_is_not_taken_for_a_token() {
        assert!(!is_access_token("eyJhbGciOiJIUzI1NiJ9.e30.x"));
    }

    #[test]
    fn last_used_moves_once_a_minute() {
        let now = Utc::now();
        assert!(stale(None, now));
        assert!(!stale(Some(now - Duration::seconds(30)), now));
        assert!(stale(Some(now - Duration::seconds(61)), now));
    }
}
