//! Which of the app's languages a message is written in (lingua, restricted to those five, which
//! is what makes it reliable on two- to five-word chat lines), and the parts of a message no
//! translator may touch: code, links, @mentions, $cashtags and numbers.

use std::sync::LazyLock;

use lingua::{Language, LanguageDetector, LanguageDetectorBuilder};
use regex::Regex;

/// The app's languages as lingua knows them, with their codes.
const LANGUAGES: [(Language, &str); 5] = [
    (Language::English, "en"),
    (Language::Turkish, "tr"),
    (Language::Spanish, "es"),
    (Language::French, "fr"),
    (Language::German, "de"),
];

/// Below this share of letters that are words to translate (not tickers, links, names…), a
/// message has no language to speak of ("$AAPL 🚀", "@ana +1").
const MIN_LETTERS: usize = 4;

static DETECTOR: LazyLock<LanguageDetector> = LazyLock::new(|| {
    LanguageDetectorBuilder::from_languages(&LANGUAGES.map(|(language, _)| language))
        // "ok", "lol", "nice": too close to call between languages — say nothing.
        .with_minimum_relative_distance(0.1)
        .build()
});

/// `$AAPL`, `$aapl.us`, `@ana_k`, links (bare or the target of a markdown link), inline and
/// fenced code, numbers with their units ("5.5%", "1,200", "10:30").
static PROTECTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?s)```.*?```",
        r"|`[^`\n]+`",
        r"|\]\([^)\s]+\)",
        r"|https?://[^\s<>()]+",
        r"|\$[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z]{1,4})?",
        r"|@[A-Za-z0-9_]+",
        r"|[-+]?\d+(?:[.,:]\d+)*%?",
    ))
    .expect("the protected-span pattern is valid")
});

/// The language of a message, as one of the app's codes ("es"), or `None` when there are too
/// few words to tell.
pub fn detect(text: &str) -> Option<&'static str> {
    detect_with(text, &[])
}

/// How much less likely than the best guess a language the writer is known to use may be and
/// still be chosen: a short line is often as much English as German to a statistical model
/// ("Same here, eyes on tech"), and the person's and the channel's languages break the tie.
const PRIOR_REACH: f64 = 0.5;

/// The language of a message, preferring `priors` (the writer's language, the channel's) when
/// the text alone does not clearly say otherwise.
pub fn detect_with(text: &str, priors: &[&str]) -> Option<&'static str> {
    let words = PROTECTED.replace_all(text, " ");
    if words.chars().filter(|c| c.is_alphabetic()).count() < MIN_LETTERS {
        return None;
    }
    let confidences = DETECTOR.compute_language_confidence_values(words.as_ref());
    let code_of = |language: Language| {
        LANGUAGES
            .iter()
            .find(|(l, _)| *l == language)
            .map(|(_, code)| *code)
    };
    let (_, best_confidence) = *confidences.first()?;
    let favoured = confidences.iter().find(|(language, confidence)| {
        code_of(*language).is_some_and(|code| priors.contains(&code))
            && *confidence >= best_confidence * PRIOR_REACH
    });
    if let Some((language, _)) = favoured {
        return code_of(*language);
    }
    // Without a prior, a guess too close to the next one is no answer ("ok", "lol").
    DETECTOR
        .detect_language_of(words.as_ref())
        .and_then(code_of)
}

/// A message with its protected parts swapped for placeholders a translator passes through
/// unchanged (an unknown word such as `ZXQ3Z`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shielded {
    pub text: String,
    kept: Vec<String>,
}

fn placeholder(n: usize) -> String {
    format!("ZXQ{n}Z")
}

/// Hides what must survive translation verbatim.
pub fn shield(text: &str) -> Shielded {
    let mut kept = Vec::new();
    let shielded = PROTECTED.replace_all(text, |captured: &regex::Captures<'_>| {
        kept.push(captured[0].to_string());
        placeholder(kept.len() - 1)
    });
    Shielded {
        text: shielded.into_owned(),
        kept,
    }
}

impl Shielded {
    /// Hides each match of `pattern` behind a placeholder too, to be restored as what
    /// `replacement` makes of it (a glossary's translation), or left as it is where that says
    /// `None`.
    pub fn swap(&mut self, pattern: &Regex, replacement: impl Fn(&str) -> Option<String>) {
        let mut kept = std::mem::take(&mut self.kept);
        let swapped =
            pattern.replace_all(
                &self.text,
                |captured: &regex::Captures<'_>| match replacement(&captured[0]) {
                    Some(value) => {
                        kept.push(value);
                        placeholder(kept.len() - 1)
                    }
                    None => captured[0].to_string(),
                },
            );
        self.text = swapped.into_owned();
        self.kept = kept;
    }

    /// Puts the protected parts back into a translation of `self.text`. A part the translator
    /// dropped is appended rather than lost.
    pub fn restore(&self, translated: &str) -> String {
        let mut out = translated.trim().to_string();
        for (n, original) in self.kept.iter().enumerate() {
            let mark = placeholder(n);
            if out.contains(&mark) {
                out = out.replacen(&mark, original, 1);
            } else {
                out.push(' ');
                out.push_str(original);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_messages_in_each_language() {
        let lines = [
            ("hola a todos, buenos días", "es"),
            ("creo que va a subir mañana", "es"),
            ("¿alguien compró hoy?", "es"),
            ("je pense que ça va monter", "fr"),
            ("bonne journée à tous", "fr"),
            ("qui a acheté ce matin ?", "fr"),
            ("ich glaube das steigt morgen", "de"),
            ("guten Morgen zusammen", "de"),
            ("wer hat heute gekauft?", "de"),
            ("bugün piyasa çok iyi", "tr"),
            ("hisseler yarın yükselir", "tr"),
            ("kim bugün aldı?", "tr"),
            ("good morning everyone", "en"),
            ("I think it goes up tomorrow", "en"),
            ("who bought the dip today?", "en"),
        ];
        let mut wrong = Vec::new();
        for (line, expected) in lines {
            let found = detect(line);
            if found != Some(expected) {
                wrong.push(format!("{line:?}: {found:?}, expected {expected}"));
            }
        }
        println!(
            "language detection: {}/{} short lines right",
            lines.len() - wrong.len(),
            lines.len()
        );
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn the_writers_language_settles_a_line_that_could_be_either() {
        // Statistically as much German as English; an English writer wrote it.
        assert_eq!(detect_with("Same here, eyes on tech", &["en"]), Some("en"));
        // A prior never overrules a line that is clearly another language.
        assert_eq!(
            detect_with("ich glaube das steigt morgen", &["en"]),
            Some("de")
        );
        assert_eq!(
            detect_with("creo que va a subir mañana", &["fr"]),
            Some("es")
        );
    }

    #[test]
    fn tickers_links_and_names_alone_have_no_language() {
        for line in [
            "$AAPL 🚀🚀",
            "@ana_k +1",
            "https://example.com/x",
            "$TSLA 5.5%",
            "ok",
        ] {
            assert_eq!(detect(line), None, "{line}");
        }
        // …and they do not sway the words around them.
        assert_eq!(
            detect("$AAPL $MSFT $GOOG compré más acciones hoy"),
            Some("es")
        );
    }

    #[test]
    fn shield_and_restore_keep_protected_parts_verbatim() {
        let text = "Hola @ana_k, $TSLA subió 5,5% hoy: https://example.com/a?b=1 y `x = 2` [mira](https://x.io/n)";
        let shielded = shield(text);
        for gone in [
            "@ana_k",
            "$TSLA",
            "5,5%",
            "https://example.com/a?b=1",
            "`x = 2`",
            "(https://x.io/n)",
        ] {
            assert!(
                !shielded.text.contains(gone),
                "{gone} is hidden: {}",
                shielded.text
            );
        }
        assert!(shielded.text.contains("Hola"));
        assert!(
            shielded.text.contains("[mira"),
            "link text is still translated"
        );
        // A translator that keeps the placeholders (in another order) gets everything back.
        let translated = shielded
            .text
            .replace("Hola", "Hello")
            .replace("subió", "rose")
            .replace("hoy", "today");
        let restored = shielded.restore(&translated);
        assert_eq!(
            restored,
            "Hello @ana_k, $TSLA rose 5,5% today: https://example.com/a?b=1 y `x = 2` [mira](https://x.io/n)"
        );
        // One that drops a placeholder loses nothing.
        let dropped = shield("compra $AAPL").restore("buy");
        assert_eq!(dropped, "buy $AAPL");
    }

    #[test]
    fn fenced_code_is_protected_whole() {
        let shielded = shield("mira esto:\n```\nlet x = 1;\n```\nfin");
        assert_eq!(shielded.text, "mira esto:\nZXQ0Z\nfin");
    }
}
