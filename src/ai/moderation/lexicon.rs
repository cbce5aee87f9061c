//! Per-language lexicons (`models/moderation/<code>.json`): the words that make a message an
//! insult, a slur, sexual or merely profane, and the *shapes* of threats, incitement to
//! self-harm, hate and spam as patterns ("ich weiß, wo du wohnst" has no bad word in it). The
//! multilingual List of Dirty, Naughty, Obscene and Otherwise Bad Words (npm `naughty-words`,
//! CC BY 4.0, `models/moderation/naughty-words/`) adds its words as profanity unless a lexicon
//! names them.
//!
//! Text and lexicon are compared *folded*: lower case, without diacritics (Turkish written
//! without its letters still matches), leetspeak read as letters (`p3nd3jo`), letters spaced or
//! dotted apart joined (`o.r.o.s.p.u`), stretched letters shortened (`fuuuck`), and `*` inside a
//! word read as any letter (`f*ck`).

use std::{collections::HashMap, sync::LazyLock};

use regex::{Regex, RegexSet};
use serde::Deserialize;

/// The categories a lexicon can name, with what one match is worth unless the entry says
/// otherwise (`"word=0.6"`).
const WORD_WEIGHTS: [(&str, f32); 5] = [
    ("slur", 0.95),
    ("insult", 0.9),
    ("hate", 0.9),
    ("sexual", 0.85),
    ("profanity", 0.45),
];

const SHAPE_WEIGHTS: [(&str, f32); 5] = [
    ("threat", 0.93),
    ("self_harm", 0.96),
    ("hate", 0.9),
    ("sexual", 0.9),
    ("spam", 0.9),
];

/// A profane word aimed at someone ("fick dich", "que te jodan") is an insult worth this.
const AIMED: f32 = 0.8;
/// How many words apart a profane word and "you" may be and still be one aim.
const AIM_REACH: usize = 3;
/// Words of the naughty-words list count as profanity this much.
const LISTED: f32 = 0.5;
/// Spam cues that are only suggestive ("100x", "tonight") add up: this much each.
const SPAM_CUE: f32 = 0.45;

#[derive(Deserialize)]
struct Source {
    #[serde(default)]
    words: HashMap<String, Vec<String>>,
    #[serde(default)]
    targets: Vec<String>,
    #[serde(default)]
    allowed: Vec<String>,
    #[serde(default)]
    portable: Vec<String>,
    #[serde(default)]
    persons: Vec<String>,
    #[serde(default)]
    selves: Vec<String>,
    #[serde(default)]
    things: Vec<String>,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    shapes: HashMap<String, Vec<String>>,
    #[serde(default)]
    benign: Vec<String>,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    spam_cues: Vec<String>,
}

/// How a lexicon word meets a word of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fit {
    Whole,
    /// `stem*`: the word and its inflections.
    Prefix,
    /// `*stem*`: anywhere inside a word (German compounds).
    Inside,
}

#[derive(Debug, Clone)]
struct Term {
    /// Folded words; more than one for a phrase ("hijo de puta"). Only the last has `fit`.
    words: Vec<String>,
    fit: Fit,
    category: &'static str,
    weight: f32,
}

pub struct Lexicon {
    pub code: &'static str,
    terms: Vec<Term>,
    /// Which terms a word may start (`TermIndex`): a message is checked against those only.
    index: TermIndex,
    targets: Vec<String>,
    allowed: Vec<Vec<String>>,
    /// The allowed phrases as written, lowercased.
    allowed_phrases: Vec<String>,
    /// Short words that mean the same in a line of any language ("fuck", "puta", "amk").
    portable: Vec<String>,
    /// "this guy", "celle-là", "die Alte": someone else, spoken of.
    persons: Vec<String>,
    /// "I", "me", "soy", "ich": a bad word near these is said of oneself.
    pub selves: Vec<String>,
    /// "market", "chart", "Fed", "borsa": a bad word about these is said of a thing.
    pub things: Vec<String>,
    /// The shapes' categories and weights, in the order of `shape_patterns`.
    shapes: Vec<(&'static str, f32)>,
    shape_patterns: Patterns,
    /// Phrases that look like a threat's shape but are not ("I'll find you the link").
    benign: Patterns,
    /// Phrases that warn of spam rather than spread it ("is this a scam?").
    warnings: Patterns,
    spam_cues: Patterns,
}

/// The terms by the words that can start them: a whole first word by itself, a stem by its
/// first three letters; terms found inside words are always tried.
#[derive(Default)]
struct TermIndex {
    by_word: HashMap<String, Vec<usize>>,
    by_start: HashMap<String, Vec<usize>>,
    always: Vec<usize>,
}

/// A stem is indexed by this many letters (or all of a shorter one).
const STEM_KEY: usize = 3;

impl TermIndex {
    fn new(terms: &[Term]) -> TermIndex {
        let mut index = TermIndex::default();
        for (at, term) in terms.iter().enumerate() {
            let first = &term.words[0];
            match (term.words.len(), term.fit) {
                (1, Fit::Prefix) => index
                    .by_start
                    .entry(first.chars().take(STEM_KEY).collect())
                    .or_default()
                    .push(at),
                (1, Fit::Inside) => index.always.push(at),
                _ => index.by_word.entry(first.clone()).or_default().push(at),
            }
        }
        index
    }

    /// The terms that may match `words`, in the lexicon's order. A starred word ("f*ck") may
    /// be any term.
    fn candidates(&self, words: &[String], all: usize) -> Vec<usize> {
        if words.iter().any(|w| w.contains('*')) {
            return (0..all).collect();
        }
        let mut found = self.always.clone();
        for word in words {
            found.extend(self.by_word.get(word).into_iter().flatten());
            // A stem shorter than the key is indexed whole, so each start up to the key counts.
            for (at, c) in word.char_indices().take(STEM_KEY) {
                let start = &word[..at + c.len_utf8()];
                found.extend(self.by_start.get(start).into_iter().flatten());
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// Patterns searched for at once: one pass over a message says which of them it holds,
/// rather than one pass per pattern.
struct Patterns {
    set: RegexSet,
}

impl Patterns {
    fn new(sources: &[String]) -> Result<Patterns, String> {
        Ok(Patterns {
            set: regex::RegexSetBuilder::new(sources)
                .size_limit(64 << 20)
                .build()
                .map_err(|err| err.to_string())?,
        })
    }

    /// The indices of the patterns found in the message's folded sentence or its words.
    fn found(&self, text: &Folded) -> Vec<usize> {
        let mut found: Vec<usize> = self.set.matches(&text.sentence).into_iter().collect();
        for at in self.set.matches(&text.joined).into_iter() {
            if !found.contains(&at) {
                found.push(at);
            }
        }
        found.sort_unstable();
        found
    }

    fn any(&self, text: &Folded) -> bool {
        self.set.is_match(&text.sentence) || self.set.is_match(&text.joined)
    }

    fn source(&self, at: usize) -> &str {
        &self.set.patterns()[at]
    }
}

/// The evidence one lexicon found in a message: the best score per category, from its words
/// and from its shapes apart (a bad word can be said of oneself or of the market; a threat's
/// shape cannot), and what matched.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Found {
    pub words: Vec<(&'static str, f32)>,
    pub shapes: Vec<(&'static str, f32)>,
    pub evidence: Vec<String>,
}

/// Adds `score` for `category` to `scores`, keeping the best per category.
pub fn add(scores: &mut Vec<(&'static str, f32)>, category: &'static str, score: f32) {
    match scores.iter_mut().find(|(c, _)| *c == category) {
        Some((_, s)) => *s = s.max(score),
        None => scores.push((category, score)),
    }
}

/// The lexicons of the app's five languages, parsed once: the ones built in, or those in the
/// directory `MODERATION_LEXICONS` names (`<code>.json` each, the same format), for a community
/// that tunes its own words without a rebuild. A file there that is missing or does not parse
/// is reported and the built-in lexicon used instead.
pub fn lexicons() -> &'static [Lexicon] {
    static ALL: LazyLock<Vec<Lexicon>> = LazyLock::new(|| {
        let dir = std::env::var_os("MODERATION_LEXICONS").map(std::path::PathBuf::from);
        BUILT_IN
            .into_iter()
            .map(|(code, built_in, listed)| {
                let own = dir.as_ref().and_then(|dir| {
                    let path = dir.join(format!("{code}.json"));
                    let parsed = std::fs::read_to_string(&path)
                        .map_err(|err| err.to_string())
                        .and_then(|text| Lexicon::parse(code, &text, listed));
                    parsed
                        .inspect_err(|err| {
                            tracing::warn!(path = %path.display(), %err, "moderation lexicon not used; the built-in one is");
                        })
                        .ok()
                });
                own.unwrap_or_else(|| {
                    Lexicon::parse(code, built_in, listed)
                        .unwrap_or_else(|err| panic!("models/moderation/{code}.json: {err}"))
                })
            })
            .collect()
    });
    &ALL
}

/// Each language's own lexicon and its naughty-words list, as shipped.
const BUILT_IN: [(&str, &str, &str); 5] = [
    (
        "en",
        include_str!("../../../models/moderation/en.json"),
        include_str!("../../../models/moderation/naughty-words/en.json"),
    ),
    (
        "es",
        include_str!("../../../models/moderation/es.json"),
        include_str!("../../../models/moderation/naughty-words/es.json"),
    ),
    (
        "fr",
        include_str!("../../../models/moderation/fr.json"),
        include_str!("../../../models/moderation/naughty-words/fr.json"),
    ),
    (
        "de",
        include_str!("../../../models/moderation/de.json"),
        include_str!("../../../models/moderation/naughty-words/de.json"),
    ),
    (
        "tr",
        include_str!("../../../models/moderation/tr.json"),
        include_str!("../../../models/moderation/naughty-words/tr.json"),
    ),
];

pub fn lexicon(code: &str) -> Option<&'static Lexicon> {
    lexicons().iter().find(|l| l.code == code)
}

impl Lexicon {
    fn parse(code: &'static str, own: &str, listed: &str) -> Result<Lexicon, String> {
        let source: Source = serde_json::from_str(own).map_err(|err| err.to_string())?;
        let listed: Vec<String> =
            serde_json::from_str(listed).map_err(|err| format!("naughty-words: {err}"))?;
        let mut terms = Vec::new();
        for (category, weight) in WORD_WEIGHTS {
            for entry in source.words.get(category).into_iter().flatten() {
                terms.push(term(entry, category, weight));
            }
        }
        let allowed: Vec<Vec<String>> = source.allowed.iter().map(|a| squeezed(a)).collect();
        for entry in listed {
            let folded = squeezed(&entry);
            let named = terms.iter().any(|t| t.words == folded)
                || allowed.contains(&folded)
                || folded.is_empty();
            if !named {
                terms.push(Term {
                    words: folded,
                    fit: Fit::Whole,
                    category: "profanity",
                    weight: LISTED,
                });
            }
        }
        let groups = source.groups.join("|");
        // Each pattern is checked alone first, so that a bad one is named in the error.
        let pattern = |source: &str| {
            let source = source.replace("{groups}", &format!("(?:{groups})"));
            let folded = format!(r"\b(?:{})", fold(&source));
            Regex::new(&folded)
                .map(|_| folded)
                .map_err(|err| format!("pattern {source:?}: {err}"))
        };
        let mut shapes = Vec::new();
        let mut shape_sources = Vec::new();
        for (category, weight) in SHAPE_WEIGHTS {
            for source in source.shapes.get(category).into_iter().flatten() {
                let (source, weight) = weighted(source, weight);
                shapes.push((category, weight));
                shape_sources.push(pattern(source)?);
            }
        }
        let patterns = |sources: &[String]| {
            Patterns::new(
                &sources
                    .iter()
                    .map(|source| pattern(source))
                    .collect::<Result<Vec<_>, _>>()?,
            )
        };
        let shape_patterns = Patterns::new(&shape_sources)?;
        let spam_cues = patterns(&source.spam_cues)?;
        let benign = patterns(&source.benign)?;
        let warnings = patterns(&source.warnings)?;
        let folded_words = |list: &[String]| -> Vec<String> {
            list.iter().map(|word| squeeze(&fold(word))).collect()
        };
        Ok(Lexicon {
            code,
            index: TermIndex::new(&terms),
            terms,
            targets: folded_words(&source.targets),
            allowed,
            allowed_phrases: source.allowed.iter().map(|a| a.to_lowercase()).collect(),
            portable: folded_words(&source.portable),
            persons: folded_words(&source.persons),
            selves: folded_words(&source.selves),
            things: folded_words(&source.things),
            shapes,
            shape_patterns,
            benign,
            warnings,
            spam_cues,
        })
    }

    /// What this language's words and shapes find in `text`, whose words the caller has passed
    /// through the allowed phrases of the line's language (`without_allowed`). `own` false is
    /// for a line written in another language: then only words that cannot be an ordinary word
    /// there count (five letters or more, a phrase, or one of the portable few).
    pub fn find(&self, text: &Folded, words: &[String], own: bool) -> Found {
        let mut found = Found::default();
        let words = self.without_allowed(words);
        for candidate in self.index.candidates(&words, self.terms.len()) {
            let term = &self.terms[candidate];
            let abroad = term.words.len() > 1
                || term.words[0].chars().count() >= 5
                || self.portable.contains(&term.words[0]);
            if !own && !abroad {
                continue;
            }
            for at in term.matches(&words) {
                // Some words are aimed by their place or their form, whatever else the line
                // is about: an insult that opens the line calls someone ("hijo de puta, nos
                // vendiste…"), a sexual phrase is said to someone ("suck my…").
                let aimed_by_form = (term.category == "insult" && at == 0)
                    || (term.category == "sexual" && term.words.len() > 1);
                let scores = if aimed_by_form {
                    &mut found.shapes
                } else {
                    &mut found.words
                };
                add(scores, term.category, term.weight);
                found
                    .evidence
                    .push(format!("{} {}", term.category, term.words.join(" ")));
                // A curated profane word aimed at someone ("fick dich", "que te jodan").
                if term.category == "profanity" && term.weight > LISTED && self.aimed(&words, at) {
                    add(&mut found.words, "insult", AIMED);
                }
            }
        }
        let benign = self.benign.any(text);
        let warning = self.warnings.any(text);
        for at in self.shape_patterns.found(text) {
            let (category, weight) = self.shapes[at];
            if (benign && category == "threat") || (warning && category == "spam") {
                continue;
            }
            add(&mut found.shapes, category, weight);
            found.evidence.push(format!(
                "{category} shape {}",
                self.shape_patterns.source(at)
            ));
        }
        let cues = self.spam_cues.found(text).len();
        if cues > 0 && !warning {
            add(&mut found.shapes, "spam", (cues as f32 * SPAM_CUE).min(0.9));
            found.evidence.push(format!("{cues} spam cues"));
        }
        found
    }

    /// Whether `words` speak to or of a person: "you", "this guy", "die Alte".
    pub fn addresses(&self, words: &[String]) -> bool {
        words
            .iter()
            .any(|word| self.targets.contains(word) || self.persons.contains(word))
    }

    /// The allowed phrases as written (lowercase), longest first.
    pub fn allowed_phrases(&self) -> Vec<String> {
        let mut phrases = self.allowed_phrases.clone();
        phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
        phrases
    }

    /// The words with this language's allowed phrases ("idiotensicher", "Analog Devices",
    /// "viernes negro") blanked.
    pub fn without_allowed(&self, words: &[String]) -> Vec<String> {
        let mut words = words.to_vec();
        for allowed in &self.allowed {
            if allowed.is_empty() || allowed.len() > words.len() {
                continue;
            }
            for start in 0..=words.len() - allowed.len() {
                if words[start..start + allowed.len()] == allowed[..] {
                    for word in &mut words[start..start + allowed.len()] {
                        word.clear();
                    }
                }
            }
        }
        words
    }

    /// Whether a "you" stands within reach of the word at `at`.
    fn aimed(&self, words: &[String], at: usize) -> bool {
        let from = at.saturating_sub(AIM_REACH);
        let to = (at + AIM_REACH + 1).min(words.len());
        words[from..to]
            .iter()
            .any(|word| self.targets.contains(word))
    }
}

impl Term {
    /// Where in `words` this term starts, each time it occurs.
    fn matches<'a>(&'a self, words: &'a [String]) -> impl Iterator<Item = usize> + 'a {
        let n = self.words.len();
        (0..words.len().saturating_sub(n - 1)).filter(move |&start| {
            self.words.iter().enumerate().all(|(i, want)| {
                let word = &words[start + i];
                let fit = if i + 1 == n { self.fit } else { Fit::Whole };
                fits(word, want, fit)
            })
        })
    }
}

fn fits(word: &str, want: &str, fit: Fit) -> bool {
    if word.is_empty() {
        return false;
    }
    if word.contains('*') {
        // "f*ck", "c**nard": stars stand for one to three letters. A bare star, or one
        // letter among stars, is too little to say anything.
        if word.chars().filter(|c| c.is_alphabetic()).count() < 2 {
            return false;
        }
        let want: Vec<char> = want.chars().collect();
        let pieces = tokens(word);
        return match fit {
            Fit::Whole => starred(&pieces, &want),
            // "f*cking": some beginning of the word is the term. Each piece takes at least one
            // letter of the term, so no beginning longer than the term is tried (a 4,000-star
            // word would otherwise be tried at each of its lengths, for every term).
            Fit::Prefix | Fit::Inside => (1..=pieces.len().min(want.len()))
                .map(|n| &pieces[..n])
                .filter(|start| {
                    let letters = start
                        .iter()
                        .filter(|p| matches!(p, Piece::Letter(c) if c.is_alphabetic()));
                    letters.count() >= 2
                })
                .any(|start| starred(start, &want)),
        };
    }
    match fit {
        Fit::Whole => word == want,
        Fit::Prefix => word.starts_with(want),
        Fit::Inside => word.contains(want),
    }
}

/// A starred word's pieces: its letters, and a gap for each run of stars.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Piece {
    Letter(char),
    Gap,
}

fn tokens(word: &str) -> Vec<Piece> {
    let mut pieces = Vec::with_capacity(word.len());
    for c in word.chars() {
        match c {
            '*' if pieces.last() == Some(&Piece::Gap) => {}
            '*' => pieces.push(Piece::Gap),
            c => pieces.push(Piece::Letter(c)),
        }
    }
    pieces
}

/// Whether `want` is the starred word, each gap standing for one to three letters a–z (a
/// matcher of its own: compiling a regex for every starred word and term cost a millisecond
/// a message).
fn starred(pieces: &[Piece], want: &[char]) -> bool {
    match pieces.first() {
        None => want.is_empty(),
        Some(Piece::Letter(c)) => want.first() == Some(c) && starred(&pieces[1..], &want[1..]),
        Some(Piece::Gap) => (1..=3.min(want.len())).any(|n| {
            want[..n].iter().all(char::is_ascii_lowercase) && starred(&pieces[1..], &want[n..])
        }),
    }
}

/// Doubled letters as one, so that "fuuck", "connnard" and "idiooot" meet their words.
fn squeeze(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if !out.ends_with(c) || !c.is_alphabetic() {
            out.push(c);
        }
    }
    out
}

fn term(entry: &str, category: &'static str, weight: f32) -> Term {
    let (entry, weight) = weighted(entry, weight);
    let inside = entry.starts_with('*') && entry.ends_with('*') && entry.len() > 2;
    let prefix = !inside && entry.ends_with('*');
    let bare = entry.trim_matches('*');
    Term {
        words: words_of(bare).iter().map(|w| squeeze(w)).collect(),
        fit: if inside {
            Fit::Inside
        } else if prefix {
            Fit::Prefix
        } else {
            Fit::Whole
        },
        category,
        weight,
    }
}

fn squeezed(text: &str) -> Vec<String> {
    words_of(text).iter().map(|w| squeeze(w)).collect()
}

/// `"word=0.6"` → ("word", 0.6); anything else keeps the category's weight.
fn weighted(entry: &str, default: f32) -> (&str, f32) {
    match entry.rsplit_once('=') {
        Some((entry, weight)) if weight.parse::<f32>().is_ok() => {
            (entry, weight.parse().unwrap_or(default))
        }
        _ => (entry, default),
    }
}

/// A message as the lexicons read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Folded {
    /// Its words, folded and de-obfuscated.
    pub words: Vec<String>,
    /// The words with doubled letters as one, for the lexicons' words.
    pub squeezed: Vec<String>,
    /// The words joined by single spaces, for shapes.
    pub joined: String,
    /// The folded text with its punctuation, for shapes that need it (links, "t.me/").
    pub sentence: String,
}

impl Folded {
    pub fn new(text: &str) -> Folded {
        let sentence = fold(text);
        let words = words_of(&sentence);
        let joined = words.join(" ");
        Folded {
            squeezed: words.iter().map(|w| squeeze(w)).collect(),
            words,
            joined,
            sentence,
        }
    }
}

/// Lower case, diacritics and ligatures taken off, stretched letters shortened to two.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'İ' | 'I' | 'ı' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'ì' | 'í' | 'î' | 'ï' => {
                out.push('i')
            }
            'ß' => out.push_str("ss"),
            'Œ' | 'œ' => out.push_str("oe"),
            'Æ' | 'æ' => out.push_str("ae"),
            '’' | '‘' | '`' | '´' => out.push('\''),
            _ => {
                for lower in c.to_lowercase() {
                    out.push(match lower {
                        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
                        'ç' => 'c',
                        'è' | 'é' | 'ê' | 'ë' => 'e',
                        'ğ' => 'g',
                        'ñ' => 'n',
                        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
                        'ş' => 's',
                        'ù' | 'ú' | 'û' | 'ü' => 'u',
                        'ý' | 'ÿ' => 'y',
                        '\u{300}'..='\u{36f}' => continue,
                        other => other,
                    });
                }
            }
        }
    }
    stretched_to_two(&out)
}

/// "fuuuuck" → "fuuck", "noooo" → "noo": three or more of a letter become two.
fn stretched_to_two(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut last, mut run) = ('\0', 0);
    for c in text.chars() {
        if c == last {
            run += 1;
        } else {
            (last, run) = (c, 1);
        }
        if run <= 2 || !c.is_alphabetic() {
            out.push(c);
        }
    }
    out
}

/// The folded words of a text: letters (and `*` standing for letters), with leetspeak inside a
/// word read as letters and single letters spaced or dotted apart joined ("f u c k").
pub fn words_of(text: &str) -> Vec<String> {
    let folded = fold(text);
    let mut words: Vec<String> = Vec::new();
    for raw in folded.split(|c: char| c.is_whitespace() || ",;:!?\"()[]{}<>/|+…".contains(c)) {
        // Dots, dashes and underscores inside a word: "o.r.o.s.p.u" and "f-u-c-k" are one word,
        // "zuck.." and "re-entry" are two or one as written.
        let parts: Vec<&str> = raw
            .split(['.', '-', '_', '\''])
            .filter(|p| !p.is_empty())
            .collect();
        let spelled = parts.len() >= 3 && parts.iter().all(|p| p.chars().count() == 1);
        let pieces: Vec<String> = if spelled {
            vec![parts.concat()]
        } else {
            parts.iter().map(|p| p.to_string()).collect()
        };
        for piece in pieces {
            // Stars at a word's edges are markdown emphasis ("**Ana**"), not a censored letter.
            let word = unleet(&piece).trim_matches('*').to_string();
            if !word.is_empty() {
                words.push(word);
            }
        }
    }
    join_spelled_out(words)
}

/// Digits and symbols standing for letters inside a word that has letters: `b1tch`, `p3nd3jo`,
/// `@sshole`, `$hit`. A word of digits alone (a price, a year) is left as it is.
fn unleet(word: &str) -> String {
    let has_letter = word.chars().any(char::is_alphabetic);
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        let letter = match c {
            _ if c.is_alphabetic() || c == '*' => Some(c),
            '0' if has_letter => Some('o'),
            '1' | '!' if has_letter => Some('i'),
            '3' if has_letter => Some('e'),
            '4' | '@' if has_letter => Some('a'),
            '5' | '$' if has_letter => Some('s'),
            '7' if has_letter => Some('t'),
            c if c.is_ascii_digit() => Some(c),
            _ => None,
        };
        out.extend(letter);
    }
    out
}

/// Three or more single letters in a row are one word spelled out ("s h i t" → "shit").
fn join_spelled_out(words: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut run: Vec<String> = Vec::new();
    let flush = |run: &mut Vec<String>, out: &mut Vec<String>| {
        if run.len() >= 3 {
            out.push(run.concat());
        } else {
            out.append(run);
        }
        run.clear();
    };
    for word in words {
        if word.chars().count() == 1 && word.chars().all(char::is_alphabetic) {
            run.push(word);
        } else {
            flush(&mut run, &mut out);
            out.push(word);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_reads_through_diacritics_leetspeak_and_spacing() {
        assert_eq!(words_of("Orospu ÇOCUĞU"), ["orospu", "cocugu"]);
        assert_eq!(words_of("o.r.o.s.p.u"), ["orospu"]);
        assert_eq!(words_of("f u c k you"), ["fuck", "you"]);
        assert_eq!(words_of("p3nd3jo, b1tch!"), ["pendejo", "bitch"]);
        assert_eq!(words_of("Scheiße GROSS"), ["scheisse", "gross"]);
        assert_eq!(words_of("fuuuuuck"), ["fuuck"]);
        assert_eq!(
            words_of("bought 120 at 93.5"),
            ["bought", "120", "at", "93", "5"]
        );
        assert_eq!(words_of("f*ck"), ["f*ck"]);
    }

    #[test]
    fn a_huge_starred_word_is_read_without_trying_every_length() {
        // Once a regex per term and per length of the word: minutes for one message.
        let word = "f*".repeat(2_000);
        assert!(!fits(&word, "fuck", Fit::Prefix));
        assert!(fits("f*cking", "fuck", Fit::Prefix));
        let judged = crate::ai::moderation::assess(&format!("{word} you"));
        assert!(judged.score.is_finite());
    }

    #[test]
    fn inflections_compounds_and_stars_fit() {
        assert_eq!(squeeze("fuuck"), "fuck");
        assert!(fits("arschlocher", "arschloch", Fit::Prefix));
        assert!(fits("riesenarschloch", "arschloch", Fit::Inside));
        assert!(!fits("riesenarschloch", "arschloch", Fit::Prefix));
        assert!(fits("f*ck", "fuck", Fit::Whole));
        assert!(fits("c**nard", "conard", Fit::Whole));
        assert!(fits("f*cking", "fuck", Fit::Prefix));
        assert!(!fits("*", "fuck", Fit::Whole));
    }

    #[test]
    fn every_lexicon_parses_and_names_known_categories() {
        for lexicon in lexicons() {
            assert!(lexicon.terms.len() > 50, "{}", lexicon.code);
            assert!(!lexicon.shapes.is_empty(), "{}", lexicon.code);
            for term in &lexicon.terms {
                assert!(crate::ai::FLAG_REASONS.contains(&term.category), "{term:?}");
            }
        }
    }
}
