//! The assistant's glossary: 84 finance terms, each with the names people use for it and a
//! plain definition in the five UI languages (`assets/assistant/glossary.json`, built into the
//! binary).

use std::{collections::HashMap, sync::LazyLock};

use serde::Deserialize;

const GLOSSARY_JSON: &str = include_str!("../../assets/assistant/glossary.json");

/// One term.
#[derive(Debug, Clone, Deserialize)]
pub struct Term {
    pub id: String,
    /// By language; the first name is the one to show.
    pub names: HashMap<String, Vec<String>>,
    pub definitions: HashMap<String, String>,
    /// Ids of related terms.
    pub related: Vec<String>,
}

struct Glossary {
    terms: Vec<Term>,
    /// Every name in every language, lower case → index.
    by_name: HashMap<String, usize>,
}

static GLOSSARY: LazyLock<Glossary> = LazyLock::new(|| {
    let terms: Vec<Term> =
        serde_json::from_str(GLOSSARY_JSON).expect("the shipped glossary is valid JSON");
    let mut by_name = HashMap::new();
    for (i, term) in terms.iter().enumerate() {
        for name in term.names.values().flatten() {
            by_name.entry(name.to_lowercase()).or_insert(i);
        }
    }
    Glossary { terms, by_name }
});

/// The id of the term called `name` in any language ("short squeeze", "kgv", "f/k").
pub fn find(name: &str) -> Option<String> {
    let glossary = &*GLOSSARY;
    glossary
        .by_name
        .get(&name.trim().to_lowercase())
        .map(|&i| glossary.terms[i].id.clone())
}

pub fn term(id: &str) -> Option<&'static Term> {
    GLOSSARY.terms.iter().find(|t| t.id == id)
}

/// One-word names of up to five letters, lower case ("rsi", "etf", "kgv"): written in
/// capitals they look like tickers, and the recogniser must read them as terms.
pub fn short_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = GLOSSARY
        .by_name
        .keys()
        .map(String::as_str)
        .filter(|n| n.len() <= 5 && n.chars().all(|c| c.is_alphanumeric()))
        .collect();
    names.sort_unstable();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    const LANGUAGES: [&str; 5] = ["en", "tr", "es", "fr", "de"];

    #[test]
    fn every_term_is_named_and_defined_in_every_language() {
        assert!(GLOSSARY.terms.len() >= 60, "{} terms", GLOSSARY.terms.len());
        for term in &GLOSSARY.terms {
            for language in LANGUAGES {
                assert!(
                    term.names.get(language).is_some_and(|n| !n.is_empty()),
                    "{} has no {language} name",
                    term.id
                );
                assert!(
                    term.definitions
                        .get(language)
                        .is_some_and(|d| !d.trim().is_empty()),
                    "{} has no {language} definition",
                    term.id
                );
            }
            for related in &term.related {
                assert!(
                    term_exists(related),
                    "{} points to a missing {related}",
                    term.id
                );
            }
        }
    }

    fn term_exists(id: &str) -> bool {
        term(id).is_some()
    }

    #[test]
    fn terms_are_found_by_the_names_people_use() {
        for (name, id) in [
            ("RSI", "rsi"),
            ("short squeeze", "short_squeeze"),
            ("P/E", "pe_ratio"),
            ("kgv", "pe_ratio"),
            ("F/K", "pe_ratio"),
            ("Leerverkauf", "short_selling"),
            ("vente à découvert", "short_selling"),
            ("temettü verimi", "dividend_yield"),
            ("stop-loss", "stop_loss"),
            ("ETF", "etf"),
        ] {
            assert_eq!(find(name).as_deref(), Some(id), "{name}");
        }
        assert_eq!(find("football"), None);
        let short = short_names();
        assert!(
            ["rsi", "etf", "eps", "macd"]
                .iter()
                .all(|n| short.contains(n)),
            "{short:?}"
        );
    }
}
