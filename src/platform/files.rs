//! The object store that keeps files' bytes: a directory on this machine by default, or any
//! S3-compatible store (`OBJECT_STORE_URL`), through `object_store`. Keys are ids the app makes
//! (`files/<uuid>`, `thumbs/<uuid>`), never names people chose.

use std::{sync::Arc, time::Duration};

use bytes::Bytes;
use object_store::{
    aws::{AmazonS3Builder, AmazonS3ConfigKey},
    local::LocalFileSystem,
    path::Path,
    BackoffConfig, ObjectStore, PutPayload, RetryConfig,
};

use super::config::FileStoreConfig;

/// Why the store could not do something; the app answers 503 and says so.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the file store could not be set up: {0}")]
    Setup(String),
    #[error("the file is not in the store")]
    Missing,
    #[error("the file store failed: {0}")]
    Failed(#[from] object_store::Error),
}

/// The store, shared by every request.
#[derive(Clone)]
pub struct FileStore {
    inner: Arc<dyn ObjectStore>,
    /// Where it is, for the logs (no credentials).
    pub describe: String,
}

impl FileStore {
    pub fn open(config: &FileStoreConfig) -> Result<FileStore, StoreError> {
        let setup = |e: &dyn std::fmt::Display| StoreError::Setup(e.to_string());
        let inner: Arc<dyn ObjectStore> = match config {
            FileStoreConfig::Directory(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| setup(&e))?;
                Arc::new(LocalFileSystem::new_with_prefix(dir).map_err(|e| setup(&e))?)
            }
            FileStoreConfig::S3 { url, options } => {
                let parsed = url::Url::parse(url).map_err(|e| setup(&e))?;
                // A store that hangs or is gone answers within seconds, not the library's
                // default of minutes of retries: the person is told, and tries again.
                let bounded = [("connect_timeout", "5s"), ("timeout", "30s")]
                    .map(|(k, v)| (k.to_string(), v.to_string()));
                let mut builder = AmazonS3Builder::new().with_url(url.as_str());
                for (key, value) in bounded.iter().chain(options) {
                    if let Ok(key) = key.parse::<AmazonS3ConfigKey>() {
                        builder = builder.with_config(key, value);
                    }
                }
                let store = builder
                    .with_retry(RetryConfig {
                        backoff: BackoffConfig::default(),
                        max_retries: 2,
                        retry_timeout: Duration::from_secs(10),
                    })
                    .build()
                    .map_err(|e| setup(&e))?;
                let prefix = Path::from(parsed.path().trim_matches('/'));
                if prefix.as_ref().is_empty() {
                    Arc::new(store)
                } else {
                    Arc::new(object_store::prefix::PrefixStore::new(store, prefix))
                }
            }
        };
        Ok(FileStore {
            inner,
            describe: format!("{config:?}"),
        })
    }

    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), StoreError> {
        self.inner
            .put(&Path::from(key), PutPayload::from_bytes(bytes))
            .await?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> Result<Bytes, StoreError> {
        match self.inner.get(&Path::from(key)).await {
            Ok(found) => Ok(found.bytes().await?),
            Err(object_store::Error::NotFound { .. }) => Err(StoreError::Missing),
            Err(other) => Err(other.into()),
        }
    }

    /// Removes a key; one that is already gone is fine.
    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self.inner.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(other) => Err(other.into()),
        }
    }
}
