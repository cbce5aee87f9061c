//! The built-in moderation engine, one judge per language: each of the app's five languages has
//! a lexicon of insults, slurs, sexual and profane words with their inflections, and the shapes
//! of threats, incitement to self-harm, hate and spam (`lexicon.rs`). A line is read by its own
//! language's lexicon in full and by the others only where a word cannot be an ordinary word of
//! its language (German "die" is an article, Spanish "con" a preposition).
//!
//! English lines also go through `rustrict` (a word filter that sees through obfuscation such
//! as `f4gg0t`) and the linear toxicity model of alt-profanity-check (`toxicity.rs`, which
//! judges whole English sentences: "nobody cares about your dumb opinion"). That model never
//! reads another language: on German it took the article "die" for the English verb.
//!
//! Then the learned model (`model.rs`) weighs what the lexicons found with the line's meaning
//! (the sentence encoder, `ai::encoder`) and its own words, and gives a probability per
//! category: how sure it is that the line is not clean is the message's score, the likeliest
//! category its reason. The lexicons keep what rules do best: slurs they are sure of (spelled
//! any way), obfuscation, spam's shapes, and ids, numbers and tickers never read as words.

mod lexicon;
pub mod model;

use rustrict::{Censor, Type};

use self::lexicon::{Folded, Lexicon};
use super::{encoder, language, toxicity::ToxicityModel};

/// What an engine concluded about one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// The highest of the category scores, 0–1.
    pub score: f32,
    /// The category that scored highest: one of [`super::FLAG_REASONS`].
    pub reason: String,
    pub severe: bool,
    /// Every category that scored at all, highest first.
    pub categories: Vec<(String, f32)>,
}

/// When two categories score the same, the first of these names the message.
const PRECEDENCE: [&str; 9] = [
    "threat",
    "self_harm",
    "slur",
    "hate",
    "sexual",
    "spam",
    "insult",
    "toxic",
    "profanity",
];

/// A specific category at least this sure names the message even when swearing scores higher.
const NAMES_FROM: f32 = 0.5;

/// Categories shown blurred until the reader chooses to see them, from this score.
const SEVERE: [&str; 4] = ["threat", "self_harm", "slur", "hate"];
const SEVERE_FROM: f32 = 0.9;

/// The message lowercased, with the English lexicon's allowed phrases ("Dick's Sporting Goods",
/// "killing it"), cashtags and long numbers blanked, for the English word filter and model.
pub fn without_allowed(text: &str) -> String {
    let mut lower = text.to_lowercase();
    for phrase in lexicon::lexicon("en")
        .map(|en| en.allowed_phrases())
        .unwrap_or_default()
    {
        while let Some(at) = lower.find(phrase.as_str()) {
            lower.replace_range(at..at + phrase.len(), " ");
        }
    }
    // $AAPL, $BRK.B: tickers are names, not words. A run of five or more digits is a quantity,
    // a price or an order number, never a word, though a word filter reads some as leetspeak
    // (an order number 5318008 came out as severe abuse). So is a token with more digits than
    // letters: an order id ("7n34", "n340" were read as a slur), not a word in disguise
    // (leetspeak keeps most of the letters: "b1tch", "5h1t", "f4gg0t").
    let mut out = String::with_capacity(lower.len());
    let mut chars = lower.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(|n| n.is_ascii_alphabetic()) {
            while chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphanumeric() || *n == '.')
            {
                chars.next();
            }
            out.push(' ');
        } else if c.is_ascii_alphanumeric() {
            let mut token = String::from(c);
            while let Some(d) = chars.next_if(char::is_ascii_alphanumeric) {
                token.push(d);
            }
            out.push_str(&without_ids(&token));
        } else {
            out.push(c);
        }
    }
    out
}

/// One run of ASCII letters and digits, blanked where it is an id or a long number; in a word
/// only its runs of five or more digits go ("abc123456" keeps "abc").
fn without_ids(token: &str) -> String {
    let digits = token.chars().filter(char::is_ascii_digit).count();
    let letters = token.len() - digits;
    if digits > 0 && letters > 0 && digits > letters {
        return " ".into();
    }
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            let mut run = String::from(c);
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                run.push(d);
            }
            out.push_str(if run.len() >= 5 { " " } else { &run });
        } else {
            out.push(c);
        }
    }
    out
}

/// Scores a message with the built-in engines, in the language it is written in.
pub fn assess(text: &str) -> Assessment {
    assess_in(text, language::detect(text))
}

/// Scores a message known to be written in `language` (`None`: too short to tell, so every
/// lexicon reads it in full): the lexicons read it first, then the learned model weighs their
/// findings with the message's own words (`model.rs`). The lexicons alone decide a slur they
/// are sure of (an obfuscated one the model has never seen spelled that way) and spam's shapes.
pub fn assess_in(text: &str, language: Option<&str>) -> Assessment {
    assess_with(model::Model::shipped(), text, language)
}

/// [`assess_in`] with another model (`scripts/evaluate` compares one trained without the
/// line's meaning).
pub fn assess_with(model: &model::Model, text: &str, language: Option<&str>) -> Assessment {
    let reading = read(text, language);
    let lexical = conclude(reading.categories.clone());
    if matches!(lexical.reason.as_str(), "slur" | "spam") && lexical.score >= LEXICON_SURE {
        return lexical;
    }
    let features = features(&reading, language, model.reads_meaning());
    learned(&model.probabilities(&features))
}

/// A slur or a spam shape ("DM me for signals", "t.me/…") the lexicons score this high is
/// flagged whatever the model thinks: those are what rules do best (the model learned that
/// "DM me" is often an offer of a spreadsheet).
const LEXICON_SURE: f32 = 0.9;

/// The lexicons' assessment alone, as before the model (for `scripts/evaluate`'s comparison).
pub fn assess_by_lexicon(text: &str, language: Option<&str>) -> Assessment {
    conclude(read(text, language).categories)
}

/// A message's meaning as moderation reads it: of the line lowercased, with its tickers, ids
/// and long numbers blanked (search stores the same, so it is read once per message).
pub fn meaning_of(text: &str) -> encoder::Embedding {
    encoder::embed(&without_allowed(text))
}

/// The model's features of a message (for training it), with its meaning or without.
pub fn features_of(text: &str, language: Option<&str>, with_meaning: bool) -> model::Features {
    features(&read(text, language), language, with_meaning)
}

/// The meaning is that of the cleaned line: lowercased, with tickers, ids and long numbers
/// blanked, so that an order id or a ticker never moves it.
fn features(reading: &Reading, language: Option<&str>, with_meaning: bool) -> model::Features {
    let meaning = with_meaning.then(|| encoder::embed(&reading.cleaned));
    model::features(
        &reading.cleaned,
        language,
        &model::Signals {
            categories: &reading.categories,
            aimed: reading.aimed,
            unaimed: reading.unaimed,
        },
        meaning.as_deref(),
    )
}

/// The assessment from the model's class probabilities: the message's score is how sure the
/// model is that it is not clean, its reason the likeliest kind of abuse.
fn learned(probabilities: &[f32; model::CLASSES.len()]) -> Assessment {
    let score = 1.0 - probabilities[0];
    let mut categories: Vec<(String, f32)> = model::CLASSES
        .iter()
        .zip(probabilities)
        .skip(1)
        .filter(|(_, p)| **p >= 0.05)
        .map(|(c, p)| (c.to_string(), *p))
        .collect();
    categories.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (reason, sure) = categories
        .first()
        .map_or(("toxic".to_string(), 0.0), |(c, p)| (c.clone(), *p));
    Assessment {
        score,
        severe: SEVERE.contains(&reason.as_str()) && score >= SEVERE_FROM && sure >= 0.6,
        reason,
        categories,
    }
}

/// A bad word not aimed at anyone and said of oneself or of a thing ("I'm such an idiot",
/// "fuck this market", "la puta Fed") is worth at most this: swearing is not abuse.
const UNAIMED: f32 = 0.45;

/// What the lexicons and the English filters found in a message.
struct Reading {
    /// The message lowercased with allowed phrases, tickers and ids blanked.
    cleaned: String,
    categories: Vec<(&'static str, f32)>,
    evidence: Vec<String>,
    aimed: bool,
    unaimed: bool,
}

/// The lexicons' assessment and what led to it (the words and shapes that matched), for people
/// tuning the lexicons.
pub fn explain(text: &str, language: Option<&str>) -> (Assessment, Vec<String>) {
    let reading = read(text, language);
    (conclude(reading.categories), reading.evidence)
}

fn read(text: &str, language: Option<&str>) -> Reading {
    let cleaned = without_allowed(text);
    let folded = Folded::new(&cleaned);
    let mut words = folded.squeezed.clone();
    if let Some(own) = language.and_then(lexicon::lexicon) {
        words = own.without_allowed(&words);
    }
    // Whose words decide what the line is about: its own language's and English (which every
    // chat borrows from); all five when the language is unknown.
    let readers: Vec<&Lexicon> = lexicon::lexicons()
        .iter()
        .filter(|l| language.is_none_or(|own| l.code == own || l.code == "en"))
        .collect();
    let aimed = text.contains('@') || readers.iter().any(|l| l.addresses(&words));
    let said_of = |list: fn(&Lexicon) -> &Vec<String>| {
        readers
            .iter()
            .any(|l| words.iter().any(|w| list(l).contains(w)))
    };
    let unaimed = !aimed && (said_of(|l| &l.selves) || said_of(|l| &l.things));

    let (mut by_words, mut by_shapes, mut evidence) = (Vec::new(), Vec::new(), Vec::new());
    for lexicon in lexicon::lexicons() {
        let own = language.is_none_or(|l| l == lexicon.code);
        let found = lexicon.find(&folded, &words, own);
        for (category, score) in found.words {
            lexicon::add(&mut by_words, category, score);
        }
        for (category, score) in found.shapes {
            lexicon::add(&mut by_shapes, category, score);
        }
        evidence.extend(found.evidence);
    }
    if language.is_none_or(|l| l == "en") {
        english(&cleaned, &mut by_words, &mut evidence);
    }
    if aimed {
        evidence.push("aimed at someone".into());
    }
    if unaimed {
        evidence.push("said of oneself or a thing, at no one".into());
        for (category, score) in &mut by_words {
            if *category != "slur" {
                *score = score.min(UNAIMED);
            }
        }
    }
    for (category, score) in by_shapes {
        lexicon::add(&mut by_words, category, score);
    }
    Reading {
        cleaned,
        categories: by_words,
        evidence,
        aimed,
        unaimed,
    }
}

/// What the English word filter and sentence model add. The word filter is sure of slurs and
/// severe abuse; for the rest it only knows that a bad word is there, so the sentence model
/// decides how much it matters. The sentence model alone, with no bad word found, needs to be
/// very sure (0.93) to reach the default threshold: it learned from comments, not trading chat.
fn english(cleaned: &str, found: &mut Vec<(&'static str, f32)>, evidence: &mut Vec<String>) {
    let filtered = Censor::from_str(cleaned).analyze();
    let sentence = ToxicityModel::shipped().probability(cleaned) as f32;
    let (kind, score) = match (kind_of(filtered), level_of(filtered)) {
        (Some(kind), Some("severe")) if kind != "profanity" => (kind, 0.95_f32.max(sentence)),
        (Some(kind), Some("severe" | "moderate")) => (kind, 0.6 + 0.4 * sentence),
        (Some("insult"), _) => ("insult", 0.85 * sentence),
        _ => ("toxic", 0.75 * sentence),
    };
    evidence.push(format!(
        "english filter {kind} {score:.2} (sentence model {sentence:.2})"
    ));
    lexicon::add(found, kind, score);
}

/// The message's score, reason and severity from its category scores.
fn conclude(found: Vec<(&'static str, f32)>) -> Assessment {
    let mut categories: Vec<(&str, f32)> = found
        .into_iter()
        .filter(|(_, score)| *score >= 0.05)
        .collect();
    let rank = |c: &str| {
        PRECEDENCE
            .iter()
            .position(|p| *p == c)
            .unwrap_or(PRECEDENCE.len())
    };
    categories.sort_by(|a, b| b.1.total_cmp(&a.1).then(rank(a.0).cmp(&rank(b.0))));
    let score = categories.first().map_or(0.0, |(_, s)| *s);
    // Swearing and general toxicity name a message only when nothing says what it is: "you
    // are a fucking idiot" is an insult, however loud the swearing.
    let reason = categories
        .iter()
        .find(|(c, s)| !matches!(*c, "profanity" | "toxic") && *s >= NAMES_FROM)
        .or(categories.first())
        .map_or("toxic", |(c, _)| *c);
    Assessment {
        score,
        reason: reason.to_string(),
        severe: SEVERE.contains(&reason)
            && categories
                .iter()
                .any(|(c, s)| *c == reason && *s >= SEVERE_FROM),
        categories: categories
            .into_iter()
            .map(|(c, s)| (c.to_string(), s))
            .collect(),
    }
}

/// The worst category the word filter found (spam and evasion do not count here). Its sexual
/// words are mostly swearing ("fucking"), so they count as profanity: sexual harassment is
/// what the lexicon's sexual words and shapes find ("you are a fucking idiot" is an insult).
fn kind_of(found: Type) -> Option<&'static str> {
    [
        (Type::OFFENSIVE, "slur"),
        (Type::MEAN, "insult"),
        (Type::SEXUAL, "profanity"),
        (Type::PROFANE, "profanity"),
    ]
    .into_iter()
    .find(|(category, _)| found.is(*category & Type::MODERATE_OR_HIGHER))
    .or_else(|| {
        [(Type::MEAN, "insult"), (Type::PROFANE, "profanity")]
            .into_iter()
            .find(|(category, _)| found.is(*category & Type::MILD))
    })
    .map(|(_, name)| name)
}

fn level_of(found: Type) -> Option<&'static str> {
    let categories = Type::OFFENSIVE | Type::SEXUAL | Type::MEAN | Type::PROFANE;
    if found.is(categories & Type::SEVERE) {
        Some("severe")
    } else if found.is(categories & Type::MODERATE) {
        Some("moderate")
    } else if found.is(categories & Type::MILD) {
        Some("mild")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Chat lines written for Bullpen, labelled by hand: `true` = should be flagged at the
    /// default threshold.
    const LABELLED: &[(&str, bool)] = &[
        // Finance chat that trips naive filters.
        ("this stock is killing it", false),
        ("short squeeze incoming, hold the line", false),
        ("Dick's Sporting Goods beat earnings", false),
        (
            "$DKS up 8% after Dick's Sporting Goods raised guidance",
            false,
        ),
        ("Hancock Whitney reports Q3, NIM expanding", false),
        ("what a bloodbath in small caps today", false),
        ("bears are getting slaughtered on this rally", false),
        ("my puts got rekt, lesson learned", false),
        ("bagholder club checking in on $PTON", false),
        ("NVDA killed it on earnings", false),
        ("tech is getting crushed after the CPI print", false),
        ("I'm bullish on NVDA, calls expiring Friday", false),
        ("bought the dip at $142.50, holding long", false),
        ("the Fed hiked by 25bps and bonds sold off", false),
        ("dividend yield looks attractive at 4.2%", false),
        ("TSLA to the moon 🚀🚀🚀", false),
        ("hard to beat the S&P 500 over ten years", false),
        ("sell in May and go away", false),
        ("who's ready for the open?", false),
        ("thanks everyone for the tips, great community", false),
        ("my portfolio got destroyed today", false),
        ("that earnings call was a train wreck", false),
        ("$AMC apes strong together", false),
        ("diamond hands on $GME", false),
        ("stop loss saved me today", false),
        ("RSI at 78, looks overbought to me", false),
        ("MACD crossed over the signal line", false),
        ("I think the market is overvalued", false),
        ("this is a value trap, stay away", false),
        (
            "bulls make money, bears make money, pigs get slaughtered",
            false,
        ),
        ("cut your losses and move on", false),
        ("ugh, stopped out again", false),
        ("damn, missed the breakout again", false),
        ("what the hell is the SEC doing", false),
        ("crap, forgot to set my limit order", false),
        ("ouch, -12% premarket", false),
        ("wow what a squeeze", false),
        ("the CEO is clueless about capital allocation", false),
        ("management has been terrible for years", false),
        ("I disagree, the valuation makes no sense", false),
        ("you might be right, but the chart says otherwise", false),
        ("the shorts are going to get burned", false),
        ("this ticker is dead money", false),
        ("Cramer was wrong again lol", false),
        ("anyone else holding $ARKK through this?", false),
        ("the IPO was a pump and dump", false),
        ("that's a killer dividend", false),
        ("the bond market is screaming recession", false),
        ("gap up, then fade, classic", false),
        ("I lost my shirt on options", false),
        ("eres un genio, gracias por el análisis", false),
        ("merci pour le partage, très utile", false),
        ("danke, die Aktie ist heute stark gestiegen", false),
        ("Hello **Ana**, what do you think of $AAPL?", false),
        ("bu hisse bugün çok iyi gidiyor", false),
        ("great call on AAPL last week", false),
        ("congrats on the gains!", false),
        ("options expire worthless more often than not", false),
        ("the spread on this one is wide", false),
        ("buy the rumor, sell the news", false),
        ("liquidity dried up after hours", false),
        // Insults, slurs, abuse, obfuscation.
        ("you are an idiot", true),
        ("shut up you stupid moron", true),
        ("you're a worthless piece of garbage", true),
        ("go fuck yourself", true),
        ("fuck you asshole", true),
        ("you piece of shit", true),
        ("shut the fuck up", true),
        ("kill yourself", true),
        ("go kill yourself loser", true),
        ("you're a retard", true),
        ("what a fucking idiot", true),
        ("f u c k you", true),
        ("s h i t head", true),
        ("fuuuuuck you", true),
        ("you absolute b1tch", true),
        ("stfu you dumbass", true),
        ("eat shit and die", true),
        ("this guy is a total cunt", true),
        ("nobody cares about your dumb opinion, moron", true),
        ("you're such a dumbass for buying that", true),
        ("bitch please, you know nothing", true),
        ("suck my dick", true),
        ("you whore", true),
        ("fucking scammer, you stole my money", true),
        ("get lost you pathetic loser idiot", true),
        ("dumb fuck", true),
        ("you motherfucker", true),
        ("screw you, asshole", true),
        ("you're a stupid bitch", true),
        ("die in a fire you idiot", true),
        ("what a dickhead", true),
        ("you are a fag", true),
        ("f4gg0t", true),
        ("n1gger", true),
        ("nigga please", true),
        ("you dumb whore", true),
        ("you are a worthless idiot and everyone hates you", true),
        ("go to hell you moron", true),
        ("piss off wanker", true),
        ("shut up bitch", true),
    ];

    #[test]
    fn precision_and_recall_on_labelled_chat_lines() {
        assert!(LABELLED.len() >= 100, "{} lines", LABELLED.len());
        let threshold = crate::platform::config::DEFAULT_TOXICITY_THRESHOLD;
        let (mut tp, mut fp, mut fn_) = (0, 0, 0);
        let mut mistakes = Vec::new();
        for (line, toxic) in LABELLED {
            let a = assess(line);
            let flagged = a.score >= threshold;
            match (flagged, *toxic) {
                (true, true) => tp += 1,
                (true, false) => {
                    fp += 1;
                    mistakes.push(format!(
                        "false flag: {line:?} → {} {:.2}",
                        a.reason, a.score
                    ));
                }
                (false, true) => {
                    fn_ += 1;
                    mistakes.push(format!("missed: {line:?} → {:.2}", a.score));
                }
                (false, false) => {}
            }
        }
        let precision = tp as f64 / (tp + fp).max(1) as f64;
        let recall = tp as f64 / (tp + fn_).max(1) as f64;
        println!(
            "built-in moderation on {} labelled lines: precision {precision:.3}, recall {recall:.3}",
            LABELLED.len()
        );
        for m in &mistakes {
            println!("  {m}");
        }
        assert!(precision >= 0.95, "precision {precision:.3}: {mistakes:#?}");
        assert!(recall >= 0.85, "recall {recall:.3}: {mistakes:#?}");
    }

    /// The tuning sets (`eval/moderation/tuning/`), which the lexicons were written against:
    /// a floor. The held-out sets beside them are the result (`examples/evaluate.rs`, README).
    const TUNING: [(&str, &str); 5] = [
        ("en", include_str!("../../../eval/moderation/tuning/en.tsv")),
        ("es", include_str!("../../../eval/moderation/tuning/es.tsv")),
        ("fr", include_str!("../../../eval/moderation/tuning/fr.tsv")),
        ("de", include_str!("../../../eval/moderation/tuning/de.tsv")),
        ("tr", include_str!("../../../eval/moderation/tuning/tr.tsv")),
    ];

    #[test]
    fn every_language_meets_the_targets_on_its_tuning_set() {
        let threshold = crate::platform::config::DEFAULT_TOXICITY_THRESHOLD;
        for (language, lines) in TUNING {
            let (mut tp, mut fp, mut fn_, mut n) = (0, 0, 0, 0);
            let mut mistakes = Vec::new();
            for line in lines.lines().filter(|l| !l.trim().is_empty()) {
                let (label, text) = line.split_once('\t').expect("LABEL<TAB>TEXT");
                n += 1;
                let judged = assess(text);
                match (judged.score >= threshold, label != "clean") {
                    (true, true) => tp += 1,
                    (true, false) => {
                        fp += 1;
                        mistakes.push(format!("false flag {judged:?}: {text}"));
                    }
                    (false, true) => {
                        fn_ += 1;
                        mistakes.push(format!("missed {label} {judged:?}: {text}"));
                    }
                    (false, false) => {}
                }
            }
            assert!(n >= 100, "{language}: {n} lines");
            let precision = tp as f64 / (tp + fp).max(1) as f64;
            let recall = tp as f64 / (tp + fn_).max(1) as f64;
            println!("{language}: precision {precision:.3}, recall {recall:.3} on {n} lines");
            assert!(
                precision >= 0.95 && recall >= 0.90,
                "{language}: precision {precision:.3}, recall {recall:.3}: {mistakes:#?}"
            );
        }
    }

    #[test]
    fn each_language_is_read_by_its_own_lexicon() {
        // German "die" is an article; the English sentence model never sees German.
        let german = assess_in(
            "die Aktie ist heute stark gestiegen, die Zahlen waren gut",
            Some("de"),
        );
        assert!(german.score < 0.3, "{german:?}");
        // An abusive line in each language, and what it is.
        for (language, line, reason) in [
            ("es", "eres un pendejo de mierda", "insult"),
            ("fr", "ta gueule connard", "insult"),
            ("tr", "siktir git orospu çocuğu", "insult"),
            ("de", "halt die Fresse, du Vollidiot", "insult"),
            ("en", "I know where you live", "threat"),
            ("en", "go kill yourself", "self_harm"),
            ("es", "te voy a romper las piernas", "threat"),
            ("de", "häng dich auf", "self_harm"),
            ("en", "DM me for signals, 100x guaranteed", "spam"),
        ] {
            let judged = assess_in(line, Some(language));
            assert!(judged.score >= 0.7, "{line}: {judged:?}");
            assert_eq!(judged.reason, reason, "{line}: {judged:?}");
        }
        // "you are a fucking idiot" is an insult, not sexual content.
        assert_eq!(assess("you are a fucking idiot").reason, "insult");
    }

    #[test]
    fn reasons_name_the_kind_and_how_bad() {
        let slur = assess("f4gg0t");
        assert!(slur.score >= 0.9 && slur.severe, "{slur:?}");
        assert_eq!(slur.reason, "slur", "{slur:?}");
        let insult = assess("nobody cares about your dumb opinion, moron");
        assert!(insult.score >= 0.7, "{insult:?}");
        assert_eq!(insult.reason, "insult");
        let calm = assess("great call on AAPL last week");
        assert!(!calm.severe && calm.score < 0.5, "{calm:?}");
        // Every reason is one the UI can name in each language.
        for said in [slur, insult, calm] {
            assert!(
                super::super::FLAG_REASONS.contains(&said.reason.as_str()),
                "{said:?}"
            );
        }
    }

    #[test]
    fn the_allow_list_blanks_names_idioms_and_cashtags() {
        let cleaned = without_allowed("Dick's Sporting Goods ($DKS) is killing it");
        assert!(
            !cleaned.contains("dick") && !cleaned.contains("dks") && !cleaned.contains("killing"),
            "{cleaned:?}"
        );
        assert!(cleaned.contains("is"));
    }

    /// A few hundred trading lines full of order ids, confirmation codes, numbers, option
    /// symbols and tickers, in the five languages: none may be flagged. The ids are drawn at
    /// random (a fixed seed) the way brokers write them, plus the ones found misread in use.
    #[test]
    fn no_order_id_number_or_ticker_is_flagged() {
        const TEMPLATES: [&str; 10] = [
            "Filled order {id} at the open, {n} shares",
            "order {id} filled {n} @ {p}",
            "confirmation {id}: bought {n} {t} at {p}",
            "{t} {p} calls, ref {id}",
            "Orden {id} ejecutada: {n} acciones de ${t} a {p}",
            "ordre {id} exécuté, {n} titres {t} à {p} €",
            "Auftrag {id} ausgeführt: {n} Stück {t} zu {p}",
            "{id} numaralı emir gerçekleşti, {n} adet {t} {p} TL",
            "{id}",
            "${t} {p} ({id}) +{n}%",
        ];
        const TICKERS: [&str; 16] = [
            "AAPL", "DKS", "PENN", "CUK", "FAT", "HOG", "MSFT", "NVDA", "BRK.B", "SPY", "KO",
            "GME", "AMC", "THYAO", "SAP", "BNP",
        ];
        const SYMBOLS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        let mut seed: u64 = 0x5eed_b011;
        let mut next = move |below: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % below as u64) as usize
        };
        let mut lines: Vec<String> = [
            "Filled order 7n34 at the open",
            "n340",
            "7N34",
            "ord-4471-B filled",
            "AAPL 240119C00190000 bought 2 contracts",
            "SPY 450P 12/15 expired worthless",
            "sold 5318008 shares? no, 53 at 180.08",
            "ISIN US0378331005, WKN 865985",
        ]
        .map(String::from)
        .to_vec();
        for _ in 0..320 {
            let length = 3 + next(6);
            let mut id: String = (0..length)
                .map(|_| SYMBOLS[next(SYMBOLS.len())] as char)
                .collect();
            if next(2) == 0 {
                id = id.to_lowercase();
            }
            let line = TEMPLATES[next(TEMPLATES.len())]
                .replace("{id}", &id)
                .replace("{t}", TICKERS[next(TICKERS.len())])
                .replace("{n}", &(1 + next(5000)).to_string())
                .replace("{p}", &format!("{}.{:02}", next(900), next(100)));
            lines.push(line);
        }
        let threshold = crate::platform::config::DEFAULT_TOXICITY_THRESHOLD;
        let flagged: Vec<String> = lines
            .iter()
            .filter_map(|line| {
                let judged = assess(line);
                (judged.score >= threshold).then(|| format!("{line}: {judged:?}"))
            })
            .collect();
        assert!(lines.len() >= 300);
        assert!(flagged.is_empty(), "{flagged:#?}");
    }

    #[test]
    fn long_numbers_are_not_read_as_leetspeak() {
        for line in [
            "order 5318008 filled at 93.42",
            "lg:1763848200123456:7 Vendí la mitad de mi posición",
        ] {
            let assessment = assess(line);
            assert!(assessment.score < 0.3, "{line}: {assessment:?}");
        }
        // Short numbers stay: leetspeak hides letters behind single digits.
        assert_eq!(without_allowed("sh1t 12 f4gg0t"), "sh1t 12 f4gg0t");
        assert!(assess("you f4gg0t").score >= 0.9);
    }
}
