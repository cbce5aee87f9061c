//! Counted attempts: sign-ins, two-factor codes, password-reset requests and sign-ups, each
//! limited per key ("account:ana", "address:203.0.113.7") in a sliding window.
//!
//! An attempt is *reserved* before the expensive or secret check runs: its row is written and
//! the window counted in one transaction that holds the key's lock (the database's only write
//! lock on SQLite, a PostgreSQL advisory lock per key), so twenty requests at once for one
//! account get exactly the limit checked and the rest a 429 — never twenty password checks.
//! A failed attempt keeps its row (that is the count); a successful one clears or releases it.
//! The rows live in `login_failures`, shared by every instance.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, TransactionTrait};
use sha2::{Digest, Sha256};

use super::repo;
use crate::platform::{error::AppError, rate_limit::RateLimit, state::AppState};

/// The rows an attempt wrote, one per key: released when the attempt turns out not to count.
#[must_use = "an attempt is either kept (it failed) or released"]
#[derive(Debug)]
pub struct Reserved {
    ids: Vec<i64>,
}

impl Reserved {
    /// The attempt did not count after all (it succeeded, or was never checked): its rows go.
    pub async fn release(self, state: &AppState) -> Result<(), AppError> {
        repo::delete_attempts(&state.db, &self.ids).await?;
        Ok(())
    }

    /// The attempt failed: its rows stay and count against each key for the window.
    pub fn keep(self) {}
}

/// Reserves one attempt against every `(key, limit)`, or refuses with 429 and the wait until
/// the first key frees up. Limits that are off (`max` 0) are not counted.
pub async fn reserve(
    state: &AppState,
    limits: &[(&str, RateLimit)],
    now: DateTime<Utc>,
) -> Result<Reserved, AppError> {
    let mut limits: Vec<_> = limits.iter().filter(|(_, l)| !l.is_off()).collect();
    if limits.is_empty() {
        return Ok(Reserved { ids: Vec::new() });
    }
    // Locks are always taken in one order, so two attempts over the same keys cannot deadlock.
    limits.sort_by_key(|(key, _)| lock_key(key));
    let txn = state.db.begin().await?;
    let mut ids = Vec::with_capacity(limits.len());
    for (key, _) in &limits {
        lock(&txn, key).await?;
        ids.push(repo::record_attempt(&txn, key, now).await?);
    }
    for (key, limit) in &limits {
        let attempts = repo::attempts_since(&txn, key, limit.window_start(now)).await?;
        // `attempts` includes the row just written.
        if let Err(retry_after_secs) = limit.check(
            attempts.len().saturating_sub(1) as u64,
            attempts.first().copied(),
            now,
        ) {
            txn.rollback().await?;
            return Err(AppError::RateLimited { retry_after_secs });
        }
    }
    txn.commit().await?;
    Ok(Reserved { ids })
}

/// Forgets every attempt of `key` (a correct password ends the account's run of failures).
pub async fn clear(state: &AppState, key: &str) -> Result<(), AppError> {
    repo::clear_attempts(&state.db, key).await?;
    Ok(())
}

/// On PostgreSQL, makes attempts on `key` wait for each other until this transaction ends, on
/// every instance. (On SQLite the transaction's first write already holds the only write lock.)
async fn lock(db: &impl ConnectionTrait, key: &str) -> Result<(), AppError> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    repo::advisory_xact_lock(db, LOCK_SPACE, lock_key(key)).await?;
    Ok(())
}

/// The first key of PostgreSQL's two-key advisory locks that names "counted attempts".
const LOCK_SPACE: i32 = 0x6175_7468; // "auth"

fn lock_key(key: &str) -> i32 {
    let digest = Sha256::digest(key.as_bytes());
    i32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_keys_are_stable_and_spread() {
        assert_eq!(lock_key("account:ana"), lock_key("account:ana"));
        assert_ne!(lock_key("account:ana"), lock_key("account:bea"));
        assert_ne!(lock_key("account:ana"), lock_key("address:ana"));
    }
}
