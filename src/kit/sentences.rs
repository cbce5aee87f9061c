//! Sentences the server writes for a person — validation errors, refusals, bot replies — kept
//! as a key into the locale files (their `server`, `errors` and `field` sections) with named
//! arguments, so that whoever shows one renders it in the reader's language: the browser in its
//! UI language, the server's JSON answers in the request's.
//!
//! `says!("server.chat.too_long", max = 4000, length = n)` checks at compile time that the key
//! exists and that its English text has a `{max}` and a `{length}`; a test checks that every
//! language's text has the same placeholders.

use std::{borrow::Cow, collections::BTreeMap, fmt};

use serde::{Deserialize, Serialize};

use super::i18n::Locale;

mod catalogue {
    use super::Locale;
    include!(concat!(env!("OUT_DIR"), "/sentences.rs"));
}

/// The most of one value a sentence repeats (a name, a symbol, a decoder's reason).
pub const VALUE_MAX_CHARS: usize = 200;

/// A sentence by its catalogue key, with the values of its `{placeholders}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence {
    key: Cow<'static, str>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    args: BTreeMap<Cow<'static, str>, String>,
}

impl Sentence {
    /// Use [`says!`], which checks the key when the code is compiled.
    pub fn new(key: &'static str) -> Sentence {
        Sentence {
            key: Cow::Borrowed(key),
            args: BTreeMap::new(),
        }
    }

    /// Sets the value of `{name}`, cut to [`VALUE_MAX_CHARS`]: a sentence may name what it
    /// refuses, but never repeats the whole of an unbounded input back.
    pub fn with(mut self, name: &'static str, value: impl fmt::Display) -> Sentence {
        let mut value = value.to_string();
        if let Some((cut, _)) = value.char_indices().nth(VALUE_MAX_CHARS) {
            value.truncate(cut);
            value.push('…');
        }
        self.args.insert(Cow::Borrowed(name), value);
        self
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    /// The value given for `{name}`.
    pub fn arg(&self, name: &str) -> Option<&str> {
        self.args.get(name).map(String::as_str)
    }

    /// The sentence in `locale`. A key this build does not know (a tab older than the server)
    /// reads as the key itself rather than nothing.
    pub fn render(&self, locale: Locale) -> String {
        let Some(template) = template(locale, &self.key) else {
            return self.key.to_string();
        };
        self.args
            .iter()
            .fold(template.to_owned(), |text, (name, value)| {
                text.replace(&format!("{{{name}}}"), value)
            })
    }
}

/// English, for logs and for programs that did not say which language they read.
impl fmt::Display for Sentence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Locale::en))
    }
}

fn template(locale: Locale, key: &str) -> Option<&'static str> {
    let index = catalogue::KEYS.binary_search(&key).ok()?;
    Some(catalogue::texts(locale)[index])
}

/// Whether `key` is in the catalogue and its English text has every `{name}` of `names`; used
/// by [`says!`] at compile time.
pub const fn fits(key: &str, names: &[&str]) -> bool {
    let mut i = 0;
    while i < catalogue::KEYS.len() {
        if same(catalogue::KEYS[i].as_bytes(), key.as_bytes()) {
            let text = catalogue::texts(Locale::en)[i].as_bytes();
            let mut n = 0;
            while n < names.len() {
                if !has_placeholder(text, names[n].as_bytes()) {
                    return false;
                }
                n += 1;
            }
            return true;
        }
        i += 1;
    }
    false
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether `text` contains `{name}`.
const fn has_placeholder(text: &[u8], name: &[u8]) -> bool {
    let width = name.len() + 2;
    if text.len() < width {
        return false;
    }
    let mut start = 0;
    while start + width <= text.len() {
        if text[start] == b'{' && text[start + width - 1] == b'}' {
            let mut i = 0;
            while i < name.len() && text[start + 1 + i] == name[i] {
                i += 1;
            }
            if i == name.len() {
                return true;
            }
        }
        start += 1;
    }
    false
}

/// A [`Sentence`] whose key and placeholders are checked when the code is compiled:
/// `says!("server.portfolio.name_too_long", max = NAME_MAX)`.
macro_rules! says {
    ($key:literal $(, $name:ident = $value:expr)* $(,)?) => {{
        const _: () = assert!(
            $crate::kit::sentences::fits($key, &[$(stringify!($name)),*]),
            concat!("`", $key, "` is not in src/kit/locales/en.json, or lacks a placeholder given to it")
        );
        $crate::kit::sentences::Sentence::new($key)$(.with(stringify!($name), &$value))*
    }};
}
pub(crate) use says;

/// `Display` (the English sentence, for logs) and `Error` for a type with a `sentence()`.
macro_rules! english_display {
    ($type:ty) => {
        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.sentence().fmt(f)
            }
        }

        impl std::error::Error for $type {}
    };
}
pub(crate) use english_display;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentence_never_repeats_more_than_a_short_piece_of_a_value() {
        let name = "é".repeat(100_000);
        let said = says!("server.community.not_member", user = name).render(Locale::en);
        assert!(
            said.chars().count() < VALUE_MAX_CHARS + 100,
            "{} chars",
            said.chars().count()
        );
        assert!(said.contains(&format!("{}…", "é".repeat(VALUE_MAX_CHARS))));
        let short = says!("server.community.not_member", user = "ana").render(Locale::en);
        assert!(short.contains("ana") && !short.contains('…'));
    }

    /// `{name}`s in a text, in order of first appearance.
    fn placeholders(text: &str) -> Vec<String> {
        let mut found: Vec<String> = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close)
                    if after[..close]
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_')
                        && close > 0 =>
                {
                    let name = after[..close].to_string();
                    if !found.contains(&name) {
                        found.push(name);
                    }
                    rest = &after[close + 1..];
                }
                _ => rest = after,
            }
        }
        found.sort();
        found
    }

    #[test]
    fn every_language_has_every_sentence_with_the_same_placeholders() {
        for locale in [Locale::tr, Locale::es, Locale::fr, Locale::de] {
            for (i, key) in catalogue::KEYS.iter().enumerate() {
                let english = catalogue::texts(Locale::en)[i];
                let text = catalogue::texts(locale)[i];
                assert_eq!(
                    placeholders(text),
                    placeholders(english),
                    "{key} in {locale:?}: {text}"
                );
            }
        }
    }

    #[test]
    fn a_sentence_renders_in_the_readers_language_with_its_values() {
        let said = says!("server.chat.too_long", max = 4000, length = 4012);
        assert_eq!(
            said.render(Locale::en),
            "Messages are at most 4000 characters; this one has 4012."
        );
        assert!(said.render(Locale::de).contains("4000"));
        assert_ne!(said.render(Locale::de), said.render(Locale::en));
        assert_eq!(said.to_string(), said.render(Locale::en));
    }

    #[test]
    fn it_crosses_the_wire_and_an_unknown_key_reads_as_itself() {
        let said = says!("server.community.not_member", user = "ada");
        let json = serde_json::to_value(&said).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"key": "server.community.not_member", "args": {"user": "ada"}})
        );
        let back: Sentence = serde_json::from_value(json).unwrap();
        assert_eq!(back, said);
        let unknown: Sentence =
            serde_json::from_value(serde_json::json!({"key": "server.from_the_future"})).unwrap();
        assert_eq!(unknown.render(Locale::fr), "server.from_the_future");
    }

    #[test]
    fn the_compile_time_check_knows_keys_and_placeholders() {
        assert!(fits("server.chat.too_long", &["max", "length"]));
        assert!(!fits("server.chat.too_long", &["width"]));
        assert!(!fits("server.no_such_sentence", &[]));
        assert!(has_placeholder(b"at {max}.", b"max"));
        assert!(!has_placeholder(b"at {maximum}.", b"max"));
    }
}
