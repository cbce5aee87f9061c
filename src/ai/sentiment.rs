//! Market sentiment of a chat line, for the markets' "what the community thinks".
//!
//! VADER (the `vader_sentiment` crate) is tuned for social media — slang, emphasis, negation,
//! "but" — yet knows nothing of trading talk: "bullish" and "to the moon" score 0 and "NVDA is
//! killing it" scores negative. Its lexicon is extended here with words and idioms of finance
//! chat, and multi-word idioms are rewritten to single tokens first because VADER only scores
//! single words. VADER reads English only; other languages are scored on their English
//! translation where one exists (the caller's choice).

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use vader_sentiment::SentimentIntensityAnalyzer;

use super::{Sentiment, Stance};

/// VADER's own cut-off between neutral and a stance.
const STANCE_CUTOFF: f32 = 0.05;

/// Single words of finance chat and their valence on VADER's −4 … 4 scale. Where VADER already
/// has the word with its everyday meaning ("killed", "crushed"), the idioms below cover the
/// market sense instead of changing the word.
const FINANCE_WORDS: &[(&str, f64)] = &[
    ("bullish", 2.6),
    ("bearish", -2.6),
    ("bull", 1.5),
    ("bulls", 1.2),
    ("bear", -1.5),
    ("bears", -1.2),
    ("moon", 2.5),
    ("mooning", 2.8),
    ("moonshot", 2.2),
    ("rocket", 2.0),
    ("rekt", -3.0),
    ("bagholder", -2.0),
    ("bagholders", -2.0),
    ("bagholding", -2.2),
    ("squeeze", 1.2),
    ("squeezing", 1.4),
    ("rally", 2.0),
    ("rallying", 2.2),
    ("rallied", 2.0),
    ("breakout", 2.0),
    ("soar", 2.2),
    ("soaring", 2.5),
    ("soared", 2.4),
    ("surge", 2.0),
    ("surging", 2.3),
    ("surged", 2.2),
    ("ripping", 2.2),
    ("skyrocketing", 2.8),
    ("tank", -2.2),
    ("tanking", -2.8),
    ("tanked", -2.8),
    ("plunge", -2.5),
    ("plunging", -2.7),
    ("plunged", -2.6),
    ("crater", -2.6),
    ("cratering", -2.9),
    ("cratered", -2.9),
    ("dumping", -2.0),
    ("bleeding", -2.2),
    ("bloodbath", -3.0),
    ("capitulation", -2.0),
    ("selloff", -2.0),
    ("overvalued", -1.8),
    ("undervalued", 1.8),
    ("overbought", -1.2),
    ("oversold", 0.8),
    ("upgrade", 1.8),
    ("upgraded", 1.8),
    ("downgrade", -1.8),
    ("downgraded", -1.8),
    ("outperform", 1.8),
    ("outperforming", 1.8),
    ("underperform", -1.8),
    ("underperforming", -1.8),
    ("hodl", 1.5),
    ("stonks", 1.5),
    ("tendies", 2.0),
    ("lambo", 1.8),
    ("fud", -1.5),
    ("calls", 0.8),
    ("puts", -0.8),
    ("green", 1.2),
    ("red", -1.2),
    ("ath", 2.0),
    ("beat", 1.2),
    ("beats", 1.4),
    ("bankruptcy", -2.8),
    ("dilution", -1.8),
    ("delisted", -2.8),
    ("halted", -1.2),
    ("guidance", 0.0),
];

/// Idioms (matched case-insensitively, any spacing or hyphen between words) and emoji, each
/// rewritten to one token that carries its valence.
const FINANCE_IDIOMS: &[(&str, &str, f64)] = &[
    ("killing it", "bpkillingit", 2.6),
    ("killed it", "bpkilledit", 2.6),
    ("crushing it", "bpcrushingit", 2.6),
    ("crushed it", "bpcrushedit", 2.6),
    ("crushed earnings", "bpcrushedearnings", 2.6),
    ("crushed estimates", "bpcrushedestimates", 2.6),
    ("to the moon", "bptothemoon", 3.0),
    ("short squeeze", "bpshortsqueeze", 1.8),
    ("buy the dip", "bpbuythedip", 1.5),
    ("buying the dip", "bpbuyingthedip", 1.5),
    ("bought the dip", "bpboughtthedip", 1.5),
    ("diamond hands", "bpdiamondhands", 1.8),
    ("paper hands", "bppaperhands", -1.2),
    ("all time high", "bpalltimehigh", 2.2),
    ("all time highs", "bpalltimehighs", 2.2),
    ("new highs", "bpnewhighs", 2.0),
    ("new lows", "bpnewlows", -2.0),
    ("breaking out", "bpbreakingout", 2.0),
    ("dead cat bounce", "bpdeadcatbounce", -2.0),
    ("pump and dump", "bppumpanddump", -2.5),
    ("rug pull", "bprugpull", -2.8),
    ("dead money", "bpdeadmoney", -2.0),
    ("value trap", "bpvaluetrap", -2.0),
    ("bag holder", "bpbagholder", -2.0),
    ("bag holding", "bpbagholding", -2.2),
    ("going to zero", "bpgoingtozero", -3.0),
    ("sell off", "bpselloff", -2.0),
    ("sold off", "bpsoldoff", -2.0),
    ("missed estimates", "bpmissedestimates", -2.0),
    ("missed earnings", "bpmissedearnings", -2.0),
    ("raised guidance", "bpraisedguidance", 2.0),
    ("cut guidance", "bpcutguidance", -2.0),
    ("lowered guidance", "bploweredguidance", -2.0),
    ("price target raised", "bppricetargetraised", 1.8),
    ("price target cut", "bppricetargetcut", -1.8),
    ("green day", "bpgreenday", 1.6),
    ("red day", "bpredday", -1.6),
    ("calls printing", "bpcallsprinting", 2.4),
    ("getting slaughtered", "bpgettingslaughtered", -2.5),
    ("🚀", "bprocket", 2.0),
    ("📈", "bpchartup", 1.6),
    ("📉", "bpchartdown", -1.6),
    ("💎🙌", "bpdiamondhands", 1.8),
];

static LEXICON: LazyLock<HashMap<unicase::UniCase<&'static str>, f64>> = LazyLock::new(|| {
    let mut lexicon = vader_sentiment::LEXICON.clone();
    for &(word, valence) in FINANCE_WORDS {
        lexicon.insert(unicase::UniCase::new(word), valence);
    }
    for &(_, token, valence) in FINANCE_IDIOMS {
        lexicon.insert(unicase::UniCase::new(token), valence);
    }
    lexicon
});

static ANALYZER: LazyLock<SentimentIntensityAnalyzer<'static>> =
    LazyLock::new(|| SentimentIntensityAnalyzer::from_lexicon(&LEXICON));

/// One pattern for all the idioms, longest first so "all time highs" wins over "all time high".
static IDIOMS: LazyLock<(Regex, HashMap<String, &'static str>)> = LazyLock::new(|| {
    let mut phrases: Vec<&(&str, &str, f64)> = FINANCE_IDIOMS.iter().collect();
    phrases.sort_by_key(|(phrase, _, _)| std::cmp::Reverse(phrase.len()));
    let alternatives: Vec<String> = phrases
        .iter()
        .map(|(phrase, _, _)| {
            let words: Vec<String> = phrase.split(' ').map(regex::escape).collect();
            let joined = words.join(r"[\s-]+");
            if phrase.chars().all(|c| c.is_alphabetic() || c == ' ') {
                format!(r"\b{joined}\b")
            } else {
                joined
            }
        })
        .collect();
    let pattern = Regex::new(&format!("(?i){}", alternatives.join("|"))).expect("idiom pattern");
    let tokens = FINANCE_IDIOMS
        .iter()
        .map(|(phrase, token, _)| (phrase.to_string(), *token))
        .collect();
    (pattern, tokens)
});

/// The words and spaces of a matched idiom in the form the table uses.
fn normalise_idiom(matched: &str) -> String {
    matched
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Rewrites each finance idiom to its single token, with spaces so it stands as its own word.
fn with_idioms_as_tokens(text: &str) -> String {
    let (pattern, tokens) = &*IDIOMS;
    pattern
        .replace_all(text, |found: &regex::Captures| {
            let matched = &found[0];
            let key = if matched.chars().any(char::is_alphabetic) {
                normalise_idiom(matched)
            } else {
                matched.to_owned()
            };
            tokens
                .get(&key)
                .map_or_else(|| matched.to_owned(), |token| format!(" {token} "))
        })
        .into_owned()
}

/// The sentiment of one chat line, finance idioms included.
pub fn sentiment(text: &str) -> Sentiment {
    let rewritten = with_idioms_as_tokens(text);
    let compound = ANALYZER
        .polarity_scores(&rewritten)
        .get("compound")
        .copied()
        .unwrap_or(0.0) as f32;
    let stance = if compound >= STANCE_CUTOFF {
        Stance::Bullish
    } else if compound <= -STANCE_CUTOFF {
        Stance::Bearish
    } else {
        Stance::Neutral
    };
    Sentiment { compound, stance }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Stance::{Bearish as Down, Bullish as Up, Neutral as Flat};

    /// Lines in the style of investing chat rooms (StockTwits, r/wallstreetbets, Discord
    /// trading servers), labelled by hand with the stance a trader reading them would take.
    const LABELLED: &[(&str, Stance)] = &[
        ("$NVDA is killing it this quarter", Up),
        ("TSLA to the moon 🚀🚀🚀", Up),
        ("I'm bullish on $AMD into earnings", Up),
        ("very bullish setup on the daily chart", Up),
        ("$AAPL breaking out of the wedge, finally", Up),
        ("short squeeze incoming on $GME", Up),
        ("bought the dip on $MSFT at 310", Up),
        ("diamond hands 💎🙌 not selling", Up),
        ("new all-time high for $SPY!", Up),
        ("calls printing today boys", Up),
        ("NVDA crushed earnings again", Up),
        ("$META rallying hard after the report", Up),
        ("loading up on $AMZN, undervalued at these levels", Up),
        ("analyst upgraded $INTC to outperform", Up),
        ("green day across the board 📈", Up),
        ("$PLTR mooning, up 14% premarket", Up),
        ("hodl and you'll be rewarded", Up),
        ("raised guidance, this thing is going higher", Up),
        ("beats on revenue and EPS, great quarter", Up),
        ("$COST keeps making new highs", Up),
        ("the bulls are back in control", Up),
        ("so glad I held through the dip, up 40% now", Up),
        ("strong buy signal on the weekly", Up),
        ("this rally has legs", Up),
        ("tendies incoming 🍗", Up),
        ("$SHOP soaring after the guidance", Up),
        ("love this company, adding more", Up),
        ("easy double from here imo", Up),
        ("what a beautiful breakout", Up),
        ("stonks only go up", Up),
        ("$TSLA is overvalued, P/E is absurd", Down),
        ("I'm bearish on regional banks", Down),
        ("got rekt on my $NVDA calls", Down),
        ("bagholder of $PTON since 2021, pain", Down),
        ("$BYND going to zero", Down),
        ("this is a dead cat bounce, don't get fooled", Down),
        ("$INTC tanked after missed estimates", Down),
        ("total bloodbath in small caps today", Down),
        ("my portfolio is bleeding", Down),
        ("the IPO was a pump and dump", Down),
        ("downgraded to underperform by Goldman", Down),
        ("$NKLA rug pull, management sold everything", Down),
        ("lowered guidance, stock plunging after hours", Down),
        ("red day, everything down 📉", Down),
        ("bears in control, lower lows everywhere", Down),
        ("$ZM is dead money, sold my position", Down),
        ("this is a value trap, stay away", Down),
        ("massive sell off into the close", Down),
        ("the chart looks terrible, broke support", Down),
        ("bought puts on $SPY, recession is coming", Down),
        ("$WBA cratered again, horrible management", Down),
        ("overbought on every timeframe, expecting a pullback", Down),
        ("dilution again? shareholders get screwed every time", Down),
        ("paper hands sold at the bottom, classic", Down),
        ("Chapter 11 filing, bankruptcy confirmed", Down),
        ("fading this pump, it won't last", Down),
        ("weak earnings, weak guidance, weak stock", Down),
        ("cut guidance for the full year, ouch", Down),
        ("I lost so much money on this trade", Down),
        ("not bullish at all on $DIS here", Down),
        ("$AAPL earnings are on Thursday after the close", Flat),
        ("what's everyone's price target for $MSFT?", Flat),
        ("CPI comes out at 8:30 tomorrow", Flat),
        ("anyone have a good book on options?", Flat),
        ("the Fed meeting is next week", Flat),
        ("$SPY volume is about average today", Flat),
        ("what time does the market open on Monday?", Flat),
        ("I track my trades in a spreadsheet", Flat),
        ("moving my IRA to another broker", Flat),
        ("how do you calculate the P/E ratio?", Flat),
        ("$KO ex-dividend date is Friday", Flat),
        ("does anyone use limit orders for ETFs?", Flat),
        ("the 10-year yield is at 4.3%", Flat),
        ("reading the 10-K tonight", Flat),
        ("which sector ETF do you use for energy?", Flat),
        ("they report before the open", Flat),
        ("the split takes effect on June 10", Flat),
        ("posting my watchlist for the week", Flat),
        ("anyone here trade futures?", Flat),
        ("index rebalancing happens at the close", Flat),
    ];

    fn accuracy(judge: impl Fn(&str) -> Stance) -> (f64, Vec<String>) {
        let mut mistakes = Vec::new();
        for &(line, expected) in LABELLED {
            let got = judge(line);
            if got != expected {
                mistakes.push(format!("{line:?}: expected {expected:?}, got {got:?}"));
            }
        }
        let right = LABELLED.len() - mistakes.len();
        (right as f64 / LABELLED.len() as f64, mistakes)
    }

    fn plain_vader(line: &str) -> Stance {
        let compound = SentimentIntensityAnalyzer::new().polarity_scores(line)["compound"] as f32;
        if compound >= STANCE_CUTOFF {
            Up
        } else if compound <= -STANCE_CUTOFF {
            Down
        } else {
            Flat
        }
    }

    #[test]
    fn the_finance_lexicon_reads_chat_lines_better_than_plain_vader() {
        assert!(LABELLED.len() >= 80);
        let (plain, _) = accuracy(plain_vader);
        let (ours, mistakes) = accuracy(|line| sentiment(line).stance);
        println!(
            "sentiment on {} labelled chat lines: plain VADER {plain:.3}, with the finance lexicon {ours:.3}",
            LABELLED.len()
        );
        for m in &mistakes {
            println!("  {m}");
        }
        assert!(ours >= 0.85, "accuracy {ours:.3}: {mistakes:#?}");
        assert!(ours >= plain + 0.2, "plain {plain:.3} vs {ours:.3}");
    }

    #[test]
    fn idioms_outweigh_their_words() {
        // VADER alone reads "killing" as violence.
        assert!(plain_vader("NVDA is killing it") == Down);
        assert_eq!(sentiment("NVDA is killing it").stance, Up);
        assert_eq!(sentiment("NVDA is KILLING-it").stance, Up);
        assert_ne!(sentiment("the layoffs are killing morale").stance, Up);
        assert_eq!(with_idioms_as_tokens("All  Time High"), " bpalltimehigh ");
        assert_eq!(with_idioms_as_tokens("to the moonwalk"), "to the moonwalk");
    }

    #[test]
    fn a_question_without_a_view_is_neutral() {
        for line in [
            "Anyone watching $AAPL into earnings?",
            "Anyone watching $AAPL into earnings",
            "Is anyone holding $MSFT over the weekend?",
        ] {
            assert_eq!(sentiment(line).stance, Flat, "{line}");
        }
        // A question can still carry a view.
        assert_eq!(sentiment("is $TSLA going to crash?").stance, Down);
    }

    #[test]
    fn negation_and_emphasis_still_apply() {
        assert_eq!(sentiment("not bullish").stance, Down);
        assert!(sentiment("BULLISH!!!").compound > sentiment("bullish").compound);
        assert_eq!(sentiment("").stance, Flat);
        assert_eq!(sentiment("$AAPL").stance, Flat);
    }
}
