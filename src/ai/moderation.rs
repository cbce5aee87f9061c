//! The built-in moderation engine: `rustrict` (a word filter that sees through obfuscation such
//! as `f4gg0t` or `s h i t`, with categories and severities) together with the linear toxicity
//! model of alt-profanity-check (`toxicity.rs`, which judges whole sentences: "nobody cares
//! about your dumb opinion"). The higher of the two is the score; the reason says which spoke.
//!
//! Before either looks, an allow-list blanks out what is innocent in an investing community
//! even though it trips naive filters: cashtags, company names (Dick's Sporting Goods,
//! Hancock Whitney) and market idioms ("killing it", "short squeeze", "bloodbath").

use rustrict::{Censor, Type};

use super::toxicity::ToxicityModel;

/// What an engine concluded about one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub score: f32,
    pub reason: String,
    pub severe: bool,
}

/// Phrases that are never toxic here (lowercase). Longest first, so that a phrase inside
/// another is blanked with it.
const ALLOWED: &[&str] = &[
    "dick's sporting goods",
    "dicks sporting goods",
    "cock-a-doodle-doo",
    "hancock whitney",
    "this stock is killing it",
    "getting slaughtered",
    "short squeeze",
    "getting killed",
    "getting crushed",
    "blood bath",
    "bloodbath",
    "killing it",
    "killed it",
    "dick's",
    "hancock",
    "bagholder",
    "bag holder",
    "rekt",
];

/// The message with allowed phrases and cashtags blanked out, lowercased.
pub fn without_allowed(text: &str) -> String {
    let mut lower = text.to_lowercase();
    for phrase in ALLOWED {
        while let Some(at) = lower.find(phrase) {
            lower.replace_range(at..at + phrase.len(), " ");
        }
    }
    // $AAPL, $BRK.B: tickers are names, not words. A run of five or more digits is a quantity,
    // a price or an order number, never a word, though a word filter reads some as leetspeak
    // (an order number 5318008 came out as severe abuse).
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
        } else if c.is_ascii_digit() {
            let mut digits = String::from(c);
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                digits.push(d);
            }
            out.push_str(if digits.len() >= 5 { " " } else { &digits });
        } else {
            out.push(c);
        }
    }
    out
}

/// Scores a message with the built-in engines. The word filter is sure of slurs and severe
/// abuse; for the rest it only knows that a bad word is there, so the sentence model decides
/// how much it matters (swearing at the market is not abuse of a person). The sentence model
/// alone, with no bad word found, needs to be quite sure (0.82) to reach the default threshold.
pub fn assess(text: &str) -> Assessment {
    let cleaned = without_allowed(text);
    let found = Censor::from_str(&cleaned).analyze();
    let sentence = ToxicityModel::shipped().probability(&cleaned) as f32;
    let kind = kind_of(found);
    let (score, severity) = match (kind, level_of(found)) {
        (Some(kind), Some("severe")) if kind != "profanity" => (0.95_f32.max(sentence), "severe"),
        (Some(_), Some(level @ ("severe" | "moderate"))) => (0.6 + 0.4 * sentence, level),
        _ => (0.85 * sentence, ""),
    };
    // The kind the word filter found; how bad it is lives in the score and `severe`.
    let reason = match (kind, severity) {
        (Some(kind), "severe" | "moderate") | (Some(kind @ "insult"), _) => kind,
        _ => "toxic",
    }
    .to_string();
    Assessment {
        score,
        reason,
        severe: severity == "severe" && kind != Some("profanity"),
    }
}

/// The worst category the word filter found (spam and evasion do not count here).
fn kind_of(found: Type) -> Option<&'static str> {
    [
        (Type::OFFENSIVE, "slur"),
        (Type::SEXUAL, "sexual"),
        (Type::MEAN, "insult"),
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
