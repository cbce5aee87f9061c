//! Two-factor sign-in with an authenticator app: TOTP (RFC 6238: HMAC-SHA-1, 30-second steps,
//! six digits, one step of clock drift either way), ten single-use recovery codes, and the second
//! step of a sign-in (a short-lived challenge exchanged, with a code, for a session).
//!
//! A code is accepted once: the newest step used is kept, and only a later step is accepted
//! after it. Wrong codes are counted per account in `login_failures` (every instance shares the
//! count), so guessing six digits is throttled no matter how many challenges are asked for.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sea_orm::TransactionTrait;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use super::{
    attempts, password, repo, service, tokens, TwoFactorChallenge, TwoFactorSetup, TwoFactorStatus,
};
use crate::auth::UserId;
use crate::{
    entities::{two_factor, users},
    kit::sentences::says,
    platform::{error::AppError, rate_limit::RateLimit, state::AppState},
};

/// Seconds per TOTP step, digits per code, and how many steps of clock drift are forgiven.
pub const STEP_SECS: i64 = 30;
pub const DIGITS: u32 = 6;
pub const DRIFT_STEPS: i64 = 1;
/// How many recovery codes a person gets when turning two-factor sign-in on.
pub const RECOVERY_CODES: usize = 10;
/// How long the second step of a sign-in may wait for its code.
pub const CHALLENGE_TTL_SECS: i64 = 5 * 60;
/// Wrong codes allowed per account and window. Three codes are valid at a time, so a guesser who
/// has the password gets about one chance in 700 a day, where the unthrottled endpoint would fall
/// in minutes.
pub const CODE_ATTEMPTS: RateLimit = RateLimit {
    max: 5,
    window: Duration::minutes(15),
};
const ISSUER: &str = "Bullpen";

// ---------- RFC 4226 / 6238 ----------

/// HOTP (RFC 4226): the `digits`-digit code for `counter`.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    // Dynamic truncation: four bytes at the offset the last nibble names, top bit cleared.
    let offset = usize::from(digest[19] & 0x0f);
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    binary % 10u32.pow(digits)
}

/// The TOTP step (RFC 6238's T) at a Unix time.
pub fn step_at(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// The six-digit code for a step, zero-padded as the app shows it.
pub fn code_for_step(secret: &[u8], step: i64) -> String {
    format!(
        "{:0width$}",
        hotp(secret, step as u64, DIGITS),
        width = DIGITS as usize
    )
}

/// The step a typed code belongs to, within the drift window around `now`; `None` if it matches
/// none. Every candidate is compared in full, so the time taken says nothing about the code.
pub fn matching_step(secret: &[u8], code: &str, now_unix: i64) -> Option<i64> {
    let now = step_at(now_unix);
    let mut found = None;
    for step in (now - DRIFT_STEPS)..=(now + DRIFT_STEPS) {
        if constant_time_eq(code_for_step(secret, step).as_bytes(), code.as_bytes()) {
            found = Some(step);
        }
    }
    found
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A new secret: 160 random bits (RFC 4226's recommended length), in base32 without padding.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    data_encoding::BASE32_NOPAD.encode(&bytes)
}

fn secret_bytes(secret: &str) -> Result<Vec<u8>, AppError> {
    data_encoding::BASE32_NOPAD
        .decode(secret.as_bytes())
        .map_err(|_| {
            tracing::error!("a stored two-factor secret is not base32");
            AppError::Internal
        })
}

/// The `otpauth://` URI authenticator apps read (Google's Key URI format).
pub fn otpauth_uri(secret: &str, account: &str) -> String {
    // Usernames are letters, digits and _ . - only: nothing in them needs escaping.
    format!(
        "otpauth://totp/{ISSUER}:{account}?secret={secret}&issuer={ISSUER}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}"
    )
}

/// A code as typed: spaces and dashes dropped, lower-cased.
pub fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Ten recovery codes like `7f3a9-c21e0`: 40 random bits each, enough with the attempt limit.
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 5];
            rand::rng().fill_bytes(&mut bytes);
            let hex = hex::encode(bytes);
            format!("{}-{}", &hex[..5], &hex[5..])
        })
        .collect()
}

/// What is stored of a recovery code: SHA-256 of its normalised form (they are random, so a slow
/// hash adds nothing).
pub fn hash_recovery_code(code: &str) -> String {
    hex::encode(Sha256::digest(normalize_code(code).as_bytes()))
}

// ---------- throttling ----------

fn attempts_key(user_id: UserId) -> String {
    format!("two_factor:{user_id}")
}

// ---------- the sign-in's second step ----------

/// What a correct password leads to.
pub enum LoginOutcome {
    SignedIn(Box<service::Session>),
    /// Two-factor sign-in is on: a code is still owed, against this challenge.
    CodeNeeded(TwoFactorChallenge),
}

/// Called once the password has been verified: a session, or a challenge when two-factor
/// sign-in is on.
pub(super) async fn after_password(
    state: &AppState,
    user: users::Model,
    now: DateTime<Utc>,
) -> Result<LoginOutcome, AppError> {
    let enabled = repo::two_factor_of(&state.db, user.id)
        .await?
        .is_some_and(|tf| tf.enabled_at.is_some());
    if !enabled {
        return Ok(LoginOutcome::SignedIn(Box::new(
            service::start_session(state, user, now).await?,
        )));
    }
    let challenge = tokens::new_refresh_token();
    repo::insert_login_challenge(
        &state.db,
        user.id,
        tokens::hash_refresh_token(&challenge),
        now,
        now + Duration::seconds(CHALLENGE_TTL_SECS),
    )
    .await?;
    tracing::info!(user = %user.id, "password accepted; waiting for the two-factor code");
    Ok(LoginOutcome::CodeNeeded(TwoFactorChallenge {
        two_factor_required: true,
        challenge,
        expires_in_secs: CHALLENGE_TTL_SECS as u64,
    }))
}

/// Completes a sign-in with the code from the authenticator app or a recovery code. An unknown,
/// spent or expired challenge is a 401: the person signs in again.
pub async fn complete_sign_in(
    state: &AppState,
    challenge: &str,
    code: &str,
) -> Result<service::Session, AppError> {
    let now = Utc::now();
    let hash = tokens::hash_refresh_token(challenge);
    let row = repo::login_challenge_by_hash(&state.db, &hash)
        .await?
        .filter(|c| c.used_at.is_none() && c.expires_at > now)
        .ok_or(AppError::Unauthorized)?;
    let key = attempts_key(UserId(row.user_id));
    let reserved = attempts::reserve(state, &[(&key, CODE_ATTEMPTS)], now).await?;
    let Some(tf) = repo::two_factor_of(&state.db, row.user_id)
        .await?
        .filter(|tf| tf.enabled_at.is_some())
    else {
        reserved.release(state).await?;
        return Err(AppError::Unauthorized);
    };
    if !accept_code(state, &tf, code, now).await? {
        reserved.keep();
        return Err(AppError::WrongCode);
    }
    reserved.release(state).await?;
    // Spent once: a second request with the same challenge (and another code) gets nothing.
    if !repo::spend_login_challenge(&state.db, row.id, now).await? {
        return Err(AppError::Unauthorized);
    }
    attempts::clear(state, &key).await?;
    let user = repo::user_by_id(&state.db, row.user_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    tracing::info!(user = %user.id, "signed in with a second factor");
    service::start_session(state, user, now).await
}

/// Whether `code` is a current authenticator code not used before, or an unused recovery code;
/// either is spent by being accepted.
async fn accept_code(
    state: &AppState,
    tf: &two_factor::Model,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let code = normalize_code(code);
    if code.len() == DIGITS as usize && code.bytes().all(|b| b.is_ascii_digit()) {
        let Some(step) = matching_step(&secret_bytes(&tf.secret)?, &code, now.timestamp()) else {
            return Ok(false);
        };
        // Conditional on the newest used step, so two instances cannot both accept it.
        return Ok(repo::claim_totp_step(&state.db, tf.user_id, step).await?);
    }
    if code.is_empty() || code.len() > 32 {
        return Ok(false);
    }
    Ok(repo::use_recovery_code(&state.db, tf.user_id, &hash_recovery_code(&code), now).await?)
}

// ---------- settings ----------

pub async fn status(state: &AppState, user_id: UserId) -> Result<TwoFactorStatus, AppError> {
    let enabled = is_on(state, user_id).await?;
    let recovery_codes_left = if enabled {
        repo::recovery_codes_left(&state.db, user_id.0).await? as u32
    } else {
        0
    };
    Ok(TwoFactorStatus {
        enabled,
        recovery_codes_left,
    })
}

/// Starts (or restarts) set-up: a new secret, not yet required at sign-in.
pub async fn begin_setup(
    state: &AppState,
    user: &users::Model,
) -> Result<TwoFactorSetup, AppError> {
    if let Some(tf) = repo::two_factor_of(&state.db, user.id).await? {
        if tf.enabled_at.is_some() {
            return Err(AppError::Conflict(says!("server.auth.two_factor_on")));
        }
    }
    let secret = new_secret();
    repo::save_pending_two_factor(&state.db, user.id, &secret, Utc::now()).await?;
    Ok(TwoFactorSetup {
        uri: otpauth_uri(&secret, &user.username),
        secret,
    })
}

/// Turns two-factor sign-in on once the app shows the right code; returns the recovery codes,
/// which are shown this once and stored only as hashes.
pub async fn enable(
    state: &AppState,
    user_id: UserId,
    code: &str,
) -> Result<Vec<String>, AppError> {
    let now = Utc::now();
    let tf = repo::two_factor_of(&state.db, user_id.0)
        .await?
        .ok_or_else(|| AppError::Validation(says!("server.auth.two_factor_start_first")))?;
    if tf.enabled_at.is_some() {
        return Err(AppError::Conflict(says!("server.auth.two_factor_on")));
    }
    let key = attempts_key(user_id);
    let reserved = attempts::reserve(state, &[(&key, CODE_ATTEMPTS)], now).await?;
    let Some(step) = matching_step(
        &secret_bytes(&tf.secret)?,
        &normalize_code(code),
        now.timestamp(),
    ) else {
        reserved.keep();
        return Err(AppError::WrongCode);
    };
    reserved.release(state).await?;
    let codes = new_recovery_codes();
    let txn = state.db.begin().await?;
    if !repo::confirm_two_factor(&txn, user_id.0, now, step).await? {
        txn.rollback().await?;
        return Err(AppError::Conflict(says!("server.auth.two_factor_on")));
    }
    repo::replace_recovery_codes(
        &txn,
        user_id.0,
        codes.iter().map(|c| hash_recovery_code(c)).collect(),
    )
    .await?;
    txn.commit().await?;
    attempts::clear(state, &key).await?;
    tracing::info!(user = %user_id, "two-factor sign-in turned on");
    Ok(codes)
}

/// Turns two-factor sign-in off: needs the password and a code (or a recovery code), so a
/// session left open somewhere is not enough.
pub async fn disable(
    state: &AppState,
    user: &users::Model,
    password_input: &str,
    code: &str,
) -> Result<(), AppError> {
    if !is_on(state, UserId(user.id)).await? {
        return Err(AppError::Conflict(says!("server.auth.two_factor_off")));
    }
    confirm_identity(state, user, password_input, code).await?;
    let txn = state.db.begin().await?;
    repo::delete_two_factor(&txn, user.id).await?;
    txn.commit().await?;
    tracing::info!(user = %user.id, "two-factor sign-in turned off");
    Ok(())
}

async fn is_on(state: &AppState, user_id: UserId) -> Result<bool, AppError> {
    Ok(repo::two_factor_of(&state.db, user_id.0)
        .await?
        .is_some_and(|tf| tf.enabled_at.is_some()))
}

/// Asks again who is there before something that cannot be undone (turning two-factor sign-in
/// off, deleting the account): the password, and a code or recovery code when two-factor
/// sign-in is on — so a session left open somewhere is not enough. Wrong answers count toward
/// the same limit as wrong codes, reserved before the check like every counted attempt.
pub async fn confirm_identity(
    state: &AppState,
    user: &users::Model,
    password_input: &str,
    code: &str,
) -> Result<(), AppError> {
    let now = Utc::now();
    let key = attempts_key(UserId(user.id));
    let reserved = attempts::reserve(state, &[(&key, CODE_ATTEMPTS)], now).await?;
    let password_ok =
        match password::verify(password_input.to_owned(), Some(user.password_hash.clone())).await {
            Ok(ok) => ok,
            Err(err) => {
                // Not checked (the server was too busy): nothing to count.
                reserved.release(state).await?;
                return Err(err);
            }
        };
    if !password_ok {
        reserved.keep();
        return Err(AppError::Validation(says!(
            "server.auth.wrong_current_password"
        )));
    }
    let tf = repo::two_factor_of(&state.db, user.id)
        .await?
        .filter(|tf| tf.enabled_at.is_some());
    if let Some(tf) = tf {
        if !accept_code(state, &tf, code, now).await? {
            reserved.keep();
            return Err(AppError::WrongCode);
        }
    }
    reserved.release(state).await?;
    attempts::clear(state, &key).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, the SHA-1 rows: the 20-byte ASCII key "12345678901234567890",
    /// eight digits.
    #[test]
    fn rfc_6238_sha1_test_vectors() {
        let key = b"12345678901234567890";
        for (time, expected) in [
            (59, 94287082),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            assert_eq!(hotp(key, step_at(time) as u64, 8), expected, "T = {time}");
        }
    }

    #[test]
    fn six_digit_codes_are_zero_padded_and_match_within_one_step() {
        let key = b"12345678901234567890";
        // 1111111109 → 07081804 in eight digits; six digits keep the last six.
        assert_eq!(code_for_step(key, step_at(1111111109)), "081804");
        let now = 1111111109;
        let code = code_for_step(key, step_at(now));
        assert_eq!(matching_step(key, &code, now), Some(step_at(now)));
        assert_eq!(
            matching_step(key, &code, now + STEP_SECS),
            Some(step_at(now))
        );
        assert_eq!(
            matching_step(key, &code, now - STEP_SECS),
            Some(step_at(now))
        );
        assert_eq!(matching_step(key, &code, now + 2 * STEP_SECS), None);
        assert_eq!(matching_step(key, "12345", now), None);
    }

    #[test]
    fn secrets_are_base32_and_the_uri_names_the_account() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32);
        assert_eq!(
            data_encoding::BASE32_NOPAD
                .decode(secret.as_bytes())
                .unwrap()
                .len(),
            20
        );
        assert_eq!(
            otpauth_uri("JBSWY3DPEHPK3PXP", "ana"),
            "otpauth://totp/Bullpen:ana?secret=JBSWY3DPEHPK3PXP&issuer=Bullpen&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn recovery_codes_are_distinct_and_hashed_as_typed_loosely() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), RECOVERY_CODES);
        assert_eq!(
            hash_recovery_code("7F3A9-C21E0"),
            hash_recovery_code(" 7f3a9c21e0 ")
        );
        assert_ne!(
            hash_recovery_code("7f3a9-c21e0"),
            hash_recovery_code("7f3a9-c21e1")
        );
    }
}
