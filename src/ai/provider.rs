//! Where the AI comes from. The built-in engines run in-process and offline (moderation,
//! language detection) or on this machine (Apertium for translation); a hosted model (any
//! OpenAI-compatible endpoint, `hosted.rs`) is the other family, chosen by configuration, and
//! falls back to the built-in one when it fails. Every result names the engine that produced it.

use std::sync::Arc;

use super::{
    hosted::Hosted,
    moderation::{self, Assessment},
    translate::Apertium,
};
use crate::platform::config::Config;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AiError {
    #[error("the AI engine is unavailable: {0}")]
    Unavailable(String),
    /// No engine here translates between these two languages.
    #[error("no translator for this pair of languages")]
    NoTranslator,
}

/// A result and the engine that produced it ("built-in", "apertium", "gpt-4o-mini").
#[derive(Debug, Clone, PartialEq)]
pub struct Produced<T> {
    pub value: T,
    pub engine: String,
}

#[async_trait::async_trait]
pub trait Provider: Send + Sync {
    /// Judges a message written in `language` (detected by the caller, who knows the writer's
    /// own language; `None` when too short to tell).
    async fn moderate(
        &self,
        text: &str,
        language: Option<&str>,
    ) -> Result<Produced<Assessment>, AiError>;

    /// Judges a message at once in this process where this engine can (the built-in one: CPU
    /// work, which the caller runs where it suits, off the async workers); `None` where it must
    /// be asked over the network (`moderate`).
    fn moderate_now(&self, _text: &str, _language: Option<&str>) -> Option<Produced<Assessment>> {
        None
    }

    /// Translates between two of the app's languages ("es" → "en").
    async fn translate(
        &self,
        text: &str,
        from: &str,
        to: &str,
    ) -> Result<Produced<String>, AiError>;

    /// Whether `from` → `to` can be translated at all (so readers learn why a message stays
    /// in its original language).
    async fn can_translate(&self, from: &str, to: &str) -> bool;

    /// A few sentences on a stock in `language`, written from the facts (a JSON report) alone.
    /// The built-in engines write none: the page words the same facts from its template.
    async fn narrate(&self, _facts: &str, _language: &str) -> Result<Produced<String>, AiError> {
        Err(AiError::Unavailable(
            "the built-in engines write no narratives".into(),
        ))
    }

    /// A short account in `language` of a channel's unread lines (`lines` numbered "[n] Name:
    /// text"), citing the lines it draws on as "[n]". The built-in engines write none: their
    /// catch-up is the chosen lines themselves.
    async fn recap(&self, _lines: &str, _language: &str) -> Result<Produced<String>, AiError> {
        Err(AiError::Unavailable(
            "the built-in engines write no recaps".into(),
        ))
    }
}

/// The engine chosen by configuration: a hosted model when `AI_BASE_URL` is set (backed by the
/// built-in engines), else the built-in engines alone.
/// The engines this server uses, as the service every domain asks for
/// (`state.service::<Engines>()`).
pub struct Engines(pub Arc<dyn Provider>);

impl std::ops::Deref for Engines {
    type Target = dyn Provider;

    fn deref(&self) -> &(dyn Provider + 'static) {
        &*self.0
    }
}

pub fn from_config(config: &Config) -> Arc<dyn Provider> {
    let built_in = BuiltIn {
        apertium: config.apertium_url.as_deref().map(Apertium::new),
    };
    match &config.hosted_ai {
        Some(hosted) => Arc::new(Hosted::new(hosted.clone(), built_in)),
        None => Arc::new(built_in),
    }
}

/// The offline engines: `moderation.rs`, and Apertium when `APERTIUM_URL` names one.
pub struct BuiltIn {
    pub apertium: Option<Apertium>,
}

#[async_trait::async_trait]
impl Provider for BuiltIn {
    async fn moderate(
        &self,
        text: &str,
        language: Option<&str>,
    ) -> Result<Produced<Assessment>, AiError> {
        Ok(self
            .moderate_now(text, language)
            .expect("the built-in engine judges in this process"))
    }

    fn moderate_now(&self, text: &str, language: Option<&str>) -> Option<Produced<Assessment>> {
        Some(Produced {
            value: moderation::assess_in(text, language),
            engine: "built-in".into(),
        })
    }

    async fn translate(
        &self,
        text: &str,
        from: &str,
        to: &str,
    ) -> Result<Produced<String>, AiError> {
        let Some(apertium) = &self.apertium else {
            return Err(AiError::NoTranslator);
        };
        let (value, engine) = apertium.translate(text, from, to).await?;
        Ok(Produced { value, engine })
    }

    async fn can_translate(&self, from: &str, to: &str) -> bool {
        match &self.apertium {
            Some(apertium) => matches!(apertium.route(from, to).await, Ok(Some(_))),
            None => false,
        }
    }
}
