//! Password hashing: argon2id with OWASP's minimum parameters (19 MiB, 2 passes, 1 lane).
//! Hashing is slow on purpose, so it runs on the blocking pool, never on the async workers.

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};

use crate::platform::error::AppError;

const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;

fn argon2() -> Argon2<'static> {
    let params =
        Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) of a new password.
pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|_| AppError::Internal)?
    .map_err(|err| {
        tracing::error!(error = %err, "password hashing failed");
        AppError::Internal
    })
}

/// Whether `password` matches `phc`. With no stored hash (unknown account) a dummy hash is
/// checked anyway, so that the answer takes as long either way.
pub async fn verify(password: String, phc: Option<String>) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let phc = phc.unwrap_or_else(|| DUMMY_HASH.to_owned());
        let parsed = PasswordHash::new(&phc).map_err(|err| {
            tracing::error!(error = %err, "a stored password hash cannot be parsed");
            AppError::Internal
        })?;
        Ok(argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
            && phc != DUMMY_HASH)
    })
    .await
    .map_err(|_| AppError::Internal)?
}

/// The hash of a random password nobody knows, with the same parameters as real ones.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$YnVsbHBlbmR1bW15c2FsdA$3c4ZJ8n3o+3N7c8gEo0Qw0m8b9Yc3bJ0a4cS5m5yJ2A";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let phc = hash("correct horse battery".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("correct horse battery".into(), Some(phc.clone()))
            .await
            .unwrap());
        assert!(!verify("wrong horse battery".into(), Some(phc.clone()))
            .await
            .unwrap());
        // Two hashes of one password differ (random salt).
        assert_ne!(hash("correct horse battery".into()).await.unwrap(), phc);
    }

    #[tokio::test]
    async fn an_unknown_account_never_verifies() {
        assert!(!verify("anything at all".into(), None).await.unwrap());
    }
}
