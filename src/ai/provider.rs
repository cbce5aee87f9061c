//! Where moderation comes from. The built-in engine runs in-process and offline; a hosted
//! model (an OpenAI-compatible endpoint) is another `Provider`, chosen by configuration, and
//! every result records which engine produced it.

use super::moderation::{self, Assessment};

#[derive(Debug, thiserror::Error)]
pub enum AiError {
    #[error("the AI engine is unavailable: {0}")]
    Unavailable(String),
}

#[async_trait::async_trait]
pub trait Provider: Send + Sync {
    /// The engine's name, stored with what it produced.
    fn engine(&self) -> &str;

    async fn moderate(&self, text: &str) -> Result<Assessment, AiError>;
}

/// The offline engines of `moderation.rs`.
pub struct BuiltIn;

#[async_trait::async_trait]
impl Provider for BuiltIn {
    fn engine(&self) -> &str {
        "built-in"
    }

    async fn moderate(&self, text: &str) -> Result<Assessment, AiError> {
        Ok(moderation::assess(text))
    }
}
