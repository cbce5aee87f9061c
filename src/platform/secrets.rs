//! Secrets the server generates for itself when the operator sets none.

use std::{
    fs,
    io::{self, Write},
    os::unix::fs::{OpenOptionsExt, PermissionsExt},
    path::Path,
};

use rand::RngCore;

use super::config::MIN_JWT_SECRET_LEN;

/// The file in the data directory that keeps the generated JWT signing secret.
pub const JWT_SECRET_FILE: &str = "jwt_secret";

/// Returns the JWT secret: `configured` when set, else the one stored in `data_dir`, generating
/// and storing a new random one (mode 0600) on first use so that tokens survive restarts.
pub fn jwt_secret(configured: Option<&str>, data_dir: &Path) -> io::Result<String> {
    if let Some(secret) = configured {
        return Ok(secret.to_owned());
    }
    let path = data_dir.join(JWT_SECRET_FILE);
    match fs::read_to_string(&path) {
        Ok(stored) => {
            let stored = stored.trim().to_owned();
            if stored.len() < MIN_JWT_SECRET_LEN {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "{} holds a secret shorter than {MIN_JWT_SECRET_LEN} characters; delete it to have a new one generated",
                        path.display()
                    ),
                ));
            }
            // Tighten a file someone loosened; the secret signs every session.
            if fs::metadata(&path)?.permissions().mode() & 0o077 != 0 {
                fs::set_permissions(&path, fs::Permissions::from_mode(0o600))?;
            }
            Ok(stored)
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(data_dir)?;
            let mut bytes = [0u8; 32];
            rand::rng().fill_bytes(&mut bytes);
            let secret = hex::encode(bytes);
            // create_new: two instances starting at once never overwrite each other's secret.
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
            {
                Ok(mut file) => {
                    file.write_all(secret.as_bytes())?;
                    file.sync_all()?;
                    tracing::info!(path = %path.display(), "generated a new JWT secret");
                    Ok(secret)
                }
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                    jwt_secret(None, data_dir)
                }
                Err(err) => Err(err),
            }
        }
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_once_with_owner_only_permissions_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = jwt_secret(None, dir.path()).unwrap();
        assert_eq!(first.len(), 64);
        assert!(first.chars().all(|c| c.is_ascii_hexdigit()));
        let mode = fs::metadata(dir.path().join(JWT_SECRET_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(jwt_secret(None, dir.path()).unwrap(), first);
    }

    #[test]
    fn two_data_dirs_get_different_secrets() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        assert_ne!(
            jwt_secret(None, a.path()).unwrap(),
            jwt_secret(None, b.path()).unwrap()
        );
    }

    #[test]
    fn configured_secret_wins_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let secret = "c".repeat(40);
        assert_eq!(jwt_secret(Some(&secret), dir.path()).unwrap(), secret);
        assert!(!dir.path().join(JWT_SECRET_FILE).exists());
    }

    #[test]
    fn loose_permissions_are_tightened_and_short_files_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(JWT_SECRET_FILE);
        fs::write(&path, "k".repeat(64)).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        jwt_secret(None, dir.path()).unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );

        fs::write(&path, "short").unwrap();
        let err = jwt_secret(None, dir.path()).unwrap_err();
        assert!(
            err.to_string()
                .contains("delete it to have a new one generated"),
            "{err}"
        );
    }
}
