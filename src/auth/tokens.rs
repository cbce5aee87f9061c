//! Access tokens (JWT, HS256, short-lived) and refresh tokens (random, stored only as SHA-256).

use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::UserId;
use crate::platform::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: Uuid,
    /// The session (refresh-token family): revoking it ends the access token too.
    pub sid: Uuid,
    pub iat: i64,
    pub exp: i64,
}

pub fn issue_access(
    secret: &str,
    user: UserId,
    session: Uuid,
    now: DateTime<Utc>,
    ttl_secs: u64,
) -> String {
    let claims = Claims {
        sub: user.0,
        sid: session,
        iat: now.timestamp(),
        exp: now.timestamp() + ttl_secs as i64,
    };
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("HS256 signing cannot fail")
}

/// The claims of a token this server signed and that has not expired; anything else is a 401.
pub fn verify_access(secret: &str, token: &str) -> Result<Claims, AppError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 5;
    validation.set_required_spec_claims(&["exp", "sub"]);
    decode::<Claims>(
        token,
        &DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .map(|data| data.claims)
    .map_err(|_| AppError::Unauthorized)
}

/// A new refresh token: 256 random bits, hex.
pub fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What the database keeps of a refresh token.
pub fn hash_refresh_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "test-secret-that-is-long-enough-000000";

    #[test]
    fn a_token_verifies_until_it_expires() {
        let (user, session) = (Uuid::new_v4(), Uuid::new_v4());
        let token = issue_access(SECRET, crate::auth::UserId(user), session, Utc::now(), 900);
        let claims = verify_access(SECRET, &token).unwrap();
        assert_eq!((claims.sub, claims.sid), (user, session));

        let old = issue_access(
            SECRET,
            crate::auth::UserId(user),
            session,
            Utc::now() - chrono::Duration::hours(1),
            900,
        );
        assert_eq!(verify_access(SECRET, &old), Err(AppError::Unauthorized));
    }

    #[test]
    fn tampered_or_foreign_tokens_are_refused() {
        let token = issue_access(
            SECRET,
            crate::auth::UserId(Uuid::new_v4()),
            Uuid::new_v4(),
            Utc::now(),
            900,
        );
        assert_eq!(
            verify_access("another-secret-entirely-0000000000000", &token),
            Err(AppError::Unauthorized)
        );
        // Flip one character of the payload: the signature no longer matches.
        let mut parts: Vec<String> = token.split('.').map(String::from).collect();
        let payload = &mut parts[1];
        let flipped = if payload.ends_with('A') { 'B' } else { 'A' };
        payload.pop();
        payload.push(flipped);
        assert_eq!(
            verify_access(SECRET, &parts.join(".")),
            Err(AppError::Unauthorized)
        );
        assert_eq!(
            verify_access(SECRET, "not.a.jwt"),
            Err(AppError::Unauthorized)
        );
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let (a, b) = (new_refresh_token(), new_refresh_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(hash_refresh_token(&a), hash_refresh_token(&a));
        assert_ne!(hash_refresh_token(&a), a);
    }
}
