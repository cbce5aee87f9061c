//! Offline translation through Apertium's APY server: rule-based, runs on this machine, and
//! covers English ↔ Spanish and French ↔ Spanish (so English ↔ French through Spanish). German
//! and Turkish have no installed pair: those come back as `NoTranslator`, never as a fake.
//!
//! A general-purpose engine does not know the market: left alone, Apertium made "market" a fish
//! market ("lonja"), "the Fed" "Alimentado" and "shut up" "Cerrado arriba". A glossary of market
//! terms, names and chat phrases (`models/translation/glossary.json`) is translated by rule
//! before the engine sees the sentence, the way cashtags and mentions are kept.

use std::{
    collections::{HashMap, HashSet},
    sync::LazyLock,
    time::Duration,
};

use regex::Regex;
use serde::Deserialize;
use tokio::sync::RwLock;

use super::{language, provider::AiError};

/// The app's language codes as Apertium names them.
fn apertium_code(code: &str) -> Option<&'static str> {
    match code {
        "en" => Some("eng"),
        "es" => Some("spa"),
        "fr" => Some("fra"),
        "de" => Some("deu"),
        "tr" => Some("tur"),
        _ => None,
    }
}

/// One glossary entry: its forms per language, the first being how it is written there.
type Entry = HashMap<String, Vec<String>>;

/// The glossary: entries, and per source language one pattern of all their forms (longest
/// first) with the entry each lowercased form belongs to.
struct Glossary {
    entries: Vec<Entry>,
    by_language: HashMap<String, (Regex, HashMap<String, usize>)>,
}

static GLOSSARY: LazyLock<Glossary> = LazyLock::new(|| {
    let entries: Vec<Entry> =
        serde_json::from_str(include_str!("../../models/translation/glossary.json"))
            .expect("models/translation/glossary.json is readable");
    let mut by_language = HashMap::new();
    for code in crate::kit::languages::CODES {
        let mut forms: Vec<(String, usize)> = entries
            .iter()
            .enumerate()
            .flat_map(|(n, entry)| {
                entry
                    .get(code)
                    .into_iter()
                    .flatten()
                    .map(move |form| (form.to_lowercase(), n))
            })
            .collect();
        forms.sort_by_key(|(form, _)| std::cmp::Reverse(form.chars().count()));
        let alternatives: Vec<String> = forms.iter().map(|(f, _)| regex::escape(f)).collect();
        let pattern = Regex::new(&format!(r"(?i)\b(?:{})\b", alternatives.join("|")))
            .expect("the glossary's pattern is valid");
        // The first entry to claim a form keeps it.
        let mut index = HashMap::new();
        for (form, n) in forms {
            index.entry(form).or_insert(n);
        }
        by_language.insert(code.to_string(), (pattern, index));
    }
    Glossary {
        entries,
        by_language,
    }
});

/// Hides the glossary's terms of `from` in `shielded`, each to come back as its `to` form.
pub fn shield_terms(shielded: &mut language::Shielded, from: &str, to: &str) {
    let glossary = &*GLOSSARY;
    let Some((pattern, index)) = glossary.by_language.get(from) else {
        return;
    };
    shielded.swap(pattern, |found| {
        let entry = &glossary.entries[*index.get(&found.to_lowercase())?];
        let term = entry.get(to)?.first()?;
        // "Fed raises rates" → "La Fed": a capital where the sentence had one.
        let capital = found.starts_with(char::is_uppercase);
        Some(match term.chars().next() {
            Some(first) if capital && first.is_lowercase() => {
                first.to_uppercase().chain(term.chars().skip(1)).collect()
            }
            _ => term.clone(),
        })
    });
}

/// A pivot language for pairs with no direct route.
const PIVOT: &str = "spa";

pub struct Apertium {
    base: String,
    client: reqwest::Client,
    /// The pairs APY serves, asked once it first answers.
    pairs: RwLock<Option<HashSet<(String, String)>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PairsReply {
    response_data: Vec<Pair>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Pair {
    source_language: String,
    target_language: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TranslateReply {
    response_data: Option<Translated>,
    response_details: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Translated {
    translated_text: String,
}

/// How a pair of languages is translated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Direct,
    /// Through Spanish, the one language every installed pair touches.
    Pivot,
}

impl Apertium {
    /// A client for the APY server at `base` ("http://127.0.0.1:2737").
    pub fn new(base: &str) -> Apertium {
        Apertium {
            base: base.trim_end_matches('/').to_string(),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .expect("a client with a timeout builds"),
            pairs: RwLock::new(None),
        }
    }

    async fn pairs(&self) -> Result<HashSet<(String, String)>, AiError> {
        if let Some(pairs) = self.pairs.read().await.as_ref() {
            return Ok(pairs.clone());
        }
        let reply: PairsReply = self
            .client
            .get(format!("{}/listPairs", self.base))
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|err| AiError::Unavailable(format!("Apertium at {}: {err}", self.base)))?
            .json()
            .await
            .map_err(|err| AiError::Unavailable(format!("Apertium's pair list: {err}")))?;
        let pairs: HashSet<(String, String)> = reply
            .response_data
            .into_iter()
            .map(|p| (p.source_language, p.target_language))
            .collect();
        *self.pairs.write().await = Some(pairs.clone());
        Ok(pairs)
    }

    /// How `from` → `to` (app codes) can be translated, if at all.
    pub async fn route(&self, from: &str, to: &str) -> Result<Option<Route>, AiError> {
        let (Some(from), Some(to)) = (apertium_code(from), apertium_code(to)) else {
            return Ok(None);
        };
        let pairs = self.pairs().await?;
        let has = |a: &str, b: &str| pairs.contains(&(a.to_string(), b.to_string()));
        Ok(if has(from, to) {
            Some(Route::Direct)
        } else if has(from, PIVOT) && has(PIVOT, to) {
            Some(Route::Pivot)
        } else {
            None
        })
    }

    /// Translates `text` from `from` to `to` (app codes), keeping cashtags, mentions, links,
    /// numbers and code as they were and market terms as the glossary says. Returns the
    /// translation and the engine's name.
    pub async fn translate(
        &self,
        text: &str,
        from: &str,
        to: &str,
    ) -> Result<(String, String), AiError> {
        self.translate_with(text, from, to, true).await
    }

    /// As `translate`; without the glossary when `with_glossary` is false (to measure what it
    /// adds).
    pub async fn translate_with(
        &self,
        text: &str,
        from: &str,
        to: &str,
        with_glossary: bool,
    ) -> Result<(String, String), AiError> {
        let Some(route) = self.route(from, to).await? else {
            return Err(AiError::NoTranslator);
        };
        let (Some(a), Some(b)) = (apertium_code(from), apertium_code(to)) else {
            return Err(AiError::NoTranslator);
        };
        let mut shielded = language::shield(text);
        if with_glossary {
            shield_terms(&mut shielded, from, to);
        }
        let translated = match route {
            Route::Direct => self.call(&shielded.text, a, b).await?,
            Route::Pivot => {
                let spanish = self.call(&shielded.text, a, PIVOT).await?;
                self.call(&spanish, PIVOT, b).await?
            }
        };
        let engine = match route {
            Route::Direct => "apertium",
            Route::Pivot => "apertium (via Spanish)",
        };
        Ok((shielded.restore(&translated), engine.to_string()))
    }

    async fn call(&self, text: &str, from: &str, to: &str) -> Result<String, AiError> {
        let response = self
            .client
            .post(format!("{}/translate", self.base))
            .form(&[
                ("langpair", format!("{from}|{to}").as_str()),
                ("q", text),
                ("markUnknown", "no"),
            ])
            .send()
            .await
            .map_err(|err| AiError::Unavailable(format!("Apertium at {}: {err}", self.base)))?;
        let status = response.status();
        let reply: TranslateReply = response.json().await.map_err(|err| {
            AiError::Unavailable(format!("Apertium answered {status} with no JSON: {err}"))
        })?;
        match reply.response_data {
            Some(data) if status.is_success() => Ok(data.translated_text),
            _ => Err(AiError::Unavailable(format!(
                "Apertium answered {status}: {}",
                reply.response_details.unwrap_or_default()
            ))),
        }
    }
}
