//! What a question to the assistant asks for, in any of the app's five languages: a quote, an
//! indicator, the state of a stock, a comparison, the person's portfolio or a holding, the
//! watchlist, a term explained — or something that is not about markets, trading or the
//! person's portfolio, which the assistant declines.
//!
//! Rule-based on purpose: every decision can be traced to a word list below, and the tests
//! hold 150+ questions with the answer each must get. Symbols come from a `Symbols` lookup (the
//! app's directory), terms from the glossary.

use serde::{Deserialize, Serialize};

pub use super::Indicator;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "intent")]
pub enum Intent {
    Greeting,
    /// What the assistant can do.
    Help,
    Quote {
        symbol: String,
    },
    Indicator {
        symbol: String,
        indicator: Indicator,
    },
    /// The state of the stock (and, asked "should I buy", an opinion with its caveat).
    Analysis {
        symbol: String,
    },
    Compare {
        first: String,
        second: String,
    },
    Portfolio,
    Holding {
        symbol: String,
    },
    Watchlist,
    /// A glossary entry, by id.
    Explain {
        term: String,
    },
    /// A name that fits several symbols: which one?
    Clarify {
        name: String,
        candidates: Vec<String>,
    },
    /// A market question without a symbol ("what's the RSI?").
    NeedSymbol,
    OffTopic,
}

/// Where names and tickers are looked up.
pub trait Symbols {
    /// The symbol for an exact ticker as typed ("AAPL", "sap.de", "$msft"), if it is one.
    fn ticker(&self, text: &str) -> Option<String>;
    /// The symbols whose company is called this (one word or a few, lower case): "apple" →
    /// AAPL; "alphabet" → GOOG, GOOGL.
    fn company(&self, name: &str) -> Vec<String>;
}

/// Words (lower case, any of the five languages) that mean the question is about one thing.
mod words {
    pub const GREETING: &[&str] = &[
        "hi",
        "hello",
        "hey",
        "merhaba",
        "selam",
        "hola",
        "buenas",
        "bonjour",
        "salut",
        "hallo",
        "servus",
        "moin",
        "good morning",
        "günaydın",
        "buenos días",
        "guten tag",
    ];
    pub const HELP: &[&str] = &[
        "help",
        "what can you do",
        "yardım",
        "neler yapabilirsin",
        "ayuda",
        "qué puedes hacer",
        "aide",
        "que peux-tu faire",
        "que sais-tu faire",
        "hilfe",
        "was kannst du",
    ];
    pub const PORTFOLIO: &[&str] = &[
        "my portfolio",
        "my holdings",
        "my positions",
        "my investments",
        "my stocks",
        "portföyüm",
        "portföyümün",
        "portföyüm nasıl",
        "yatırımlarım",
        "hisselerim",
        "mi cartera",
        "mi portafolio",
        "mis inversiones",
        "mis acciones",
        "mon portefeuille",
        "mes placements",
        "mes actions",
        "mein portfolio",
        "mein depot",
        "meine aktien",
        "meine positionen",
        "meinem depot",
        "meinem portfolio",
        // A compound's first part: "meine Depot-Performance", "Depotentwicklung".
        "meine depot",
        "depot-performance",
        "depotperformance",
        "depotentwicklung",
        "my performance",
        "performansım",
        "mi rentabilidad",
        "ma performance",
        "meine performance",
    ];
    pub const MINE: &[&str] = &[
        "my",
        "i own",
        "i hold",
        "i bought",
        "i made",
        "i lost",
        "did i",
        "have i",
        "benim",
        "kazandım",
        "kaybettim",
        "aldığım",
        "mis",
        "mi ",
        "gané",
        "perdí",
        "tengo",
        "compré",
        "mes",
        "mon",
        "ai-je",
        "j'ai",
        "meine",
        "mein",
        "habe ich",
        "ich habe",
    ];
    pub const GAIN: &[&str] = &[
        "made",
        "make",
        "gain",
        "gains",
        "profit",
        "lost",
        "lose",
        "loss",
        "money",
        "return",
        "kazanç",
        "kâr",
        "kar",
        "zarar",
        "kazandım",
        "ganancia",
        "ganado",
        "gané",
        "pérdida",
        "rentabilidad",
        "gain",
        "plus-value",
        "perte",
        "gagné",
        "rendement",
        "gewinn",
        "verlust",
        "verdient",
        "rendite",
        "position",
    ];
    pub const WATCHLIST: &[&str] = &[
        "watchlist",
        "watch list",
        "izleme listem",
        "izleme listesi",
        "takip listem",
        "lista de seguimiento",
        "mi lista",
        "liste de suivi",
        "ma liste",
        "beobachtungsliste",
        "merkliste",
    ];
    pub const COMPARE: &[&str] = &[
        "compare",
        "comparison",
        " vs ",
        " vs. ",
        "versus",
        " or ",
        "better",
        "karşılaştır",
        "kıyasla",
        " mı yoksa ",
        "hangisi",
        "comparar",
        "compara",
        "compárame",
        "mejor",
        "comparer",
        "compare",
        "comparaison",
        "lequel",
        "ou",
        "vergleich",
        "vergleiche",
        "besser",
        "oder",
    ];
    pub const QUOTE: &[&str] = &[
        "price",
        "quote",
        "trading at",
        "how much is",
        "how much does",
        "worth",
        "cost",
        "fiyat",
        "fiyatı",
        "kaç",
        "ne kadar",
        "precio",
        "cotización",
        "cotiza",
        "cuánto",
        "vale",
        "cours",
        "prix",
        "combien",
        "cote",
        "kurs",
        "preis",
        "wie viel",
        "wieviel",
        "notiert",
        "steht",
    ];
    pub const ANALYSIS: &[&str] = &[
        "how is",
        "how's",
        "doing",
        "outlook",
        "analysis",
        "analyse",
        "should i buy",
        "should i sell",
        "buy or sell",
        "bullish",
        "bearish",
        "trend",
        "state of",
        "good buy",
        "volatile",
        "risky",
        "nasıl",
        "analiz",
        "almalı",
        "satmalı",
        "durumu",
        "görünüm",
        "qué tal",
        "cómo va",
        "análisis",
        "debería comprar",
        "debería vender",
        "perspectivas",
        "comment va",
        "analyse",
        "dois-je acheter",
        "faut-il acheter",
        "perspectives",
        "tendance",
        "wie läuft",
        "wie geht",
        "aussichten",
        "kaufen",
        "verkaufen",
        "lage",
    ];
    pub const EXPLAIN: &[&str] = &[
        "what is",
        "what's a",
        "what are",
        "what does",
        "explain",
        "define",
        "meaning of",
        "mean",
        "nedir",
        "ne demek",
        "açıkla",
        "anlamı",
        "qué es",
        "que es",
        "qué son",
        "explica",
        "explícame",
        "significa",
        "qu'est-ce",
        "c'est quoi",
        "explique",
        "définition",
        "signifie",
        "was ist",
        "was sind",
        "was bedeutet",
        "erkläre",
        "erklär",
        "bedeutet",
    ];
    /// Market words that keep a question on topic even without a symbol.
    pub const MARKET: &[&str] = &[
        "stock",
        "stocks",
        "share",
        "shares",
        "market",
        "markets",
        "invest",
        "trading",
        "trade",
        "ticker",
        "index",
        "crypto",
        "bond",
        "dividend",
        "hisse",
        "borsa",
        "piyasa",
        "yatırım",
        "acción",
        "acciones",
        "bolsa",
        "mercado",
        "invertir",
        "action",
        "actions",
        "bourse",
        "marché",
        "investir",
        "aktie",
        "aktien",
        "börse",
        "markt",
        "investieren",
    ];
}

/// The question with punctuation turned to spaces (what a ticker, a name or a term can hold
/// is kept: `$`, `.`, `-`, `'`, `^`, `&`, `/`).
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '$' | '.' | '-' | '\'' | '’' | '^' | '&' | '/')
            {
                c
            } else {
                ' '
            }
        })
        .collect()
}

/// Lower case and padded with spaces, so " or " matches at either end.
fn normalise(text: &str) -> String {
    format!(
        " {} ",
        clean(&text.to_lowercase())
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    )
}

fn has(text: &str, list: &[&str]) -> bool {
    list.iter().any(|w| {
        let w = w.trim();
        // Whole words: "mean" is not in "meaning"… but "what is" is in "what is the".
        text.contains(&format!(" {w} ")) || (w.contains(' ') && text.contains(w))
    })
}

/// Words that are never a company name, whatever the directory says ("general" is in General
/// Motors, "first" in First Solar).
const NOT_NAMES: &[&str] = &[
    "a",
    "i",
    "is",
    "it",
    "the",
    "and",
    "or",
    "of",
    "on",
    "in",
    "to",
    "my",
    "me",
    "what",
    "how",
    "should",
    "buy",
    "sell",
    "price",
    "general",
    "first",
    "american",
    "united",
    "national",
    "global",
    "international",
    "best",
    "good",
    "bank",
    "energy",
    "market",
    "stock",
    "new",
    "one",
    "target",
    "block",
    "match",
    "booking",
    "ball",
    "best",
    "post",
    "next",
    "visa",
    "dollar",
    "gold",
    "value",
    "ve",
    "y",
    "et",
    "und",
    "mi",
    "mon",
    "le",
    "la",
    "el",
    "der",
    "die",
    "das",
    "bir",
    "ne",
    "de",
    "du",
    "des",
    "en",
    "un",
    "une",
    "ein",
    "eine",
    "for",
    "with",
    "today",
    "now",
    "trend",
    "index",
    "fund",
    "compare",
    "explain",
    "watchlist",
    "portfolio",
    "dividend",
    "volume",
    "beta",
    "alpha",
    "delta",
    "option",
    "capital",
    "live",
    "day",
    "home",
    "royal",
    "central",
    "southern",
    "western",
    "eastern",
    "north",
    "south",
    "big",
    "smart",
    "digital",
    "public",
    "real",
    "london",
    "paris",
    "japan",
    "help",
    "money",
    "show",
    "tell",
    "world",
    "city",
    "weather",
    "food",
    "health",
    "life",
    "water",
    "power",
    "news",
    "film",
    "movie",
    "music",
    "game",
    "games",
    "sport",
    "sports",
    "football",
    "travel",
    "car",
    "cars",
    "air",
    "great",
    "hot",
    "golden",
    "silver",
    "standard",
    "union",
    "mobile",
    "link",
    "open",
    "simply",
    "check",
    "pizza",
    "bread",
    "poem",
];

/// A word without the article or suffix an apostrophe joins to it: "d'Apple" → "Apple",
/// "apple'ın" → "apple", "AAPL'de" → "AAPL", "Apple's" → "Apple".
fn without_apostrophe(word: &str) -> &str {
    match word.split_once(['\'', '’']) {
        Some((before, after)) if before.chars().count() <= 2 && !after.is_empty() => after,
        Some((before, _)) => before,
        None => word,
    }
}

/// Tickers and company names in the question, in the order they appear; a name that fits
/// several symbols comes back as `Err((name, candidates))`.
fn symbols_in(
    original: &str,
    lookup: &impl Symbols,
    terms: &[&str],
) -> Vec<Result<String, (String, Vec<String>)>> {
    let mut found: Vec<Result<String, (String, Vec<String>)>> = Vec::new();
    let push = |item: Result<String, (String, Vec<String>)>, found: &mut Vec<_>| {
        if !found.contains(&item) {
            found.push(item);
        }
    };
    // The same words, as typed (a ticker is told by its capitals) and in lower case.
    let cleaned = clean(original);
    let words: Vec<&str> = cleaned.split_whitespace().map(without_apostrophe).collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let mut i = 0;
    while i < words.len() {
        let word = words[i].trim_end_matches(['.', '\'']);
        let plain = word.trim_start_matches('$');
        let is_term = terms.contains(&plain.to_lowercase().as_str());
        // $AAPL, AAPL, aapl.us, SAP.DE: a ticker as typed (capitals, a $ or a market suffix).
        let looks_like_ticker = word.starts_with('$')
            || word.contains('.')
            || (!plain.is_empty()
                && plain
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
                && plain.chars().any(|c| c.is_ascii_uppercase()));
        if looks_like_ticker && !is_term && (word.starts_with('$') || plain.len() > 1) {
            if let Some(symbol) = lookup.ticker(plain) {
                push(Ok(symbol), &mut found);
                i += 1;
                continue;
            }
        }
        // Company names: the longest run of up to three words the directory knows.
        let mut matched = false;
        for span in (1..=3).rev() {
            if i + span > lower.len() {
                continue;
            }
            let phrase = lower[i..i + span].join(" ");
            let phrase = phrase
                .trim_matches(|c: char| !c.is_alphanumeric() && c != '&')
                .trim_end_matches("'s")
                .to_string();
            if span == 1
                && (NOT_NAMES.contains(&phrase.as_str())
                    || phrase.len() < 3
                    || terms.contains(&phrase.as_str()))
            {
                continue;
            }
            let candidates = lookup.company(&phrase);
            match candidates.len() {
                0 => continue,
                1 => push(Ok(candidates[0].clone()), &mut found),
                _ => push(Err((phrase.clone(), candidates)), &mut found),
            }
            i += span;
            matched = true;
            break;
        }
        if !matched {
            i += 1;
        }
    }
    found
}

/// The indicator a question names, if any.
fn indicator_in(text: &str) -> Option<Indicator> {
    if has(
        text,
        &[
            "rsi",
            "relative strength",
            "göreceli güç",
            "fuerza relativa",
            "force relative",
            "relative stärke",
            // Overbought and oversold are what the RSI measures.
            "overbought",
            "oversold",
            "aşırı alım",
            "aşırı alımda",
            "aşırı satım",
            "aşırı satımda",
            "sobrecompra",
            "sobrecomprada",
            "sobrecomprado",
            "sobreventa",
            "surachat",
            "suracheté",
            "survente",
            "survendu",
            "überkauft",
            "überverkauft",
        ],
    ) {
        Some(Indicator::Rsi)
    } else if has(text, &["macd"]) {
        Some(Indicator::Macd)
    } else if has(text, &["bollinger"]) {
        Some(Indicator::Bollinger)
    } else if has(
        text,
        &[
            "ema",
            "exponential moving average",
            "üssel hareketli ortalama",
            "media móvil exponencial",
            "moyenne mobile exponentielle",
            "exponentieller gleitender durchschnitt",
        ],
    ) {
        Some(Indicator::Ema)
    } else if has(
        text,
        &[
            "sma",
            "moving average",
            "hareketli ortalama",
            "media móvil",
            "moyenne mobile",
            "gleitender durchschnitt",
            "gleitende durchschnitt",
            "50-day",
            "200-day",
        ],
    ) {
        Some(Indicator::Sma)
    } else {
        None
    }
}

/// The app's symbol directory as the assistant's lookup.
#[cfg(feature = "ssr")]
pub struct AppDirectory;

#[cfg(feature = "ssr")]
impl Symbols for AppDirectory {
    fn ticker(&self, text: &str) -> Option<String> {
        let symbol = crate::market::symbol::normalize(text)?;
        crate::market::directory::lookup(&symbol).map(|_| symbol)
    }

    fn company(&self, name: &str) -> Vec<String> {
        crate::market::directory::companies_named(name)
    }
}

/// What a question names: its symbols, a name that fits several symbols, an indicator, a
/// glossary term.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Slots {
    pub symbols: Vec<String>,
    pub unsettled: Option<(String, Vec<String>)>,
    pub indicator: Option<Indicator>,
    pub term: Option<String>,
}

/// The symbols, indicator and term in `question`. `glossary` finds a term's id from any of its
/// names (lower case).
pub fn slots(
    question: &str,
    lookup: &impl Symbols,
    glossary: &impl Fn(&str) -> Option<String>,
    term_words: &[&str],
) -> Slots {
    let text = normalise(question);
    let symbols = symbols_in(question, lookup, term_words);
    // "alphabet (GOOG)": the ticker beside the name settles which one.
    let named: Vec<&String> = symbols.iter().filter_map(|s| s.as_ref().ok()).collect();
    let unsettled = symbols
        .iter()
        .find_map(|s| {
            s.as_ref()
                .err()
                .filter(|(_, candidates)| !candidates.iter().any(|c| named.contains(&c)))
        })
        .cloned();
    Slots {
        symbols: symbols.into_iter().filter_map(Result::ok).collect(),
        unsettled,
        indicator: indicator_in(&text),
        term: glossary_term(&text, glossary),
    }
}

/// The kinds of question, as the labelled sets name them (`eval/assistant/`).
pub const KINDS: [&str; 12] = [
    "greeting",
    "help",
    "quote",
    "indicator",
    "analysis",
    "compare",
    "portfolio",
    "holding",
    "watchlist",
    "explain",
    "need_symbol",
    "off_topic",
];

impl Intent {
    /// Its kind, one of [`KINDS`] ("clarify" for a question that needs a symbol chosen).
    pub fn kind(&self) -> &'static str {
        match self {
            Intent::Greeting => "greeting",
            Intent::Help => "help",
            Intent::Quote { .. } => "quote",
            Intent::Indicator { .. } => "indicator",
            Intent::Analysis { .. } => "analysis",
            Intent::Compare { .. } => "compare",
            Intent::Portfolio => "portfolio",
            Intent::Holding { .. } => "holding",
            Intent::Watchlist => "watchlist",
            Intent::Explain { .. } => "explain",
            Intent::Clarify { .. } => "clarify",
            Intent::NeedSymbol => "need_symbol",
            Intent::OffTopic => "off_topic",
        }
    }

    /// The intent of `kind` with what the question names, when it names what that kind needs
    /// (an indicator question without an indicator is not one); a question about a stock that
    /// names none needs one.
    pub fn of_kind(kind: &str, slots: &Slots) -> Option<Intent> {
        let symbol = slots.symbols.first().cloned();
        Some(match kind {
            "greeting" => Intent::Greeting,
            "help" => Intent::Help,
            "portfolio" => Intent::Portfolio,
            "watchlist" => Intent::Watchlist,
            "off_topic" => Intent::OffTopic,
            "quote" | "analysis" | "holding" | "indicator" | "need_symbol" if symbol.is_none() => {
                Intent::NeedSymbol
            }
            "quote" => Intent::Quote { symbol: symbol? },
            "analysis" => Intent::Analysis { symbol: symbol? },
            "holding" => Intent::Holding { symbol: symbol? },
            "indicator" => Intent::Indicator {
                symbol: symbol?,
                indicator: slots.indicator?,
            },
            "compare" => match &slots.symbols[..] {
                [first, second, ..] => Intent::Compare {
                    first: first.clone(),
                    second: second.clone(),
                },
                _ => return None,
            },
            "explain" => Intent::Explain {
                term: slots.term.clone()?,
            },
            _ => return None,
        })
    }
}

/// What `question` asks, by the rules alone. `glossary` finds a term's id from any of its
/// names (lower case).
pub fn recognise(
    question: &str,
    lookup: &impl Symbols,
    glossary: &impl Fn(&str) -> Option<String>,
    term_words: &[&str],
) -> Intent {
    recognise_from(question, slots(question, lookup, glossary, term_words))
}

/// What `question` asks, by the rules, given what it names.
pub fn recognise_from(question: &str, slots: Slots) -> Intent {
    let text = normalise(question);
    if let Some((name, candidates)) = slots.unsettled {
        return Intent::Clarify { name, candidates };
    }
    let Slots {
        symbols,
        indicator,
        term,
        ..
    } = slots;
    let explaining = has(&text, words::EXPLAIN);

    if has(&text, words::PORTFOLIO) && symbols.is_empty() {
        return Intent::Portfolio;
    }
    if has(&text, words::WATCHLIST) {
        return Intent::Watchlist;
    }
    if symbols.len() >= 2 && (has(&text, words::COMPARE) || symbols.len() == 2) {
        return Intent::Compare {
            first: symbols[0].clone(),
            second: symbols[1].clone(),
        };
    }
    if let Some(symbol) = symbols.first() {
        if has(&text, words::MINE) && has(&text, words::GAIN) || has(&text, words::PORTFOLIO) {
            return Intent::Holding {
                symbol: symbol.clone(),
            };
        }
        if let Some(indicator) = indicator {
            return Intent::Indicator {
                symbol: symbol.clone(),
                indicator,
            };
        }
        if has(&text, words::ANALYSIS) && !has(&text, words::QUOTE) {
            return Intent::Analysis {
                symbol: symbol.clone(),
            };
        }
        return Intent::Quote {
            symbol: symbol.clone(),
        };
    }
    if let Some(term) = term {
        // "What's the RSI?" wants a value; "what is RSI?" a definition.
        let wants_value = indicator.is_some()
            && !explaining
            && has(
                &text,
                &[
                    "the",
                    "current",
                    "today",
                    "now",
                    "şu an",
                    "bugün",
                    "actual",
                    "hoy",
                    "aujourd'hui",
                    "actuel",
                    "aktuell",
                    "heute",
                ],
            );
        return if wants_value {
            Intent::NeedSymbol
        } else {
            Intent::Explain { term }
        };
    }
    if indicator.is_some() {
        return Intent::NeedSymbol;
    }
    if has(&text, words::HELP) {
        return Intent::Help;
    }
    let first_word = text.split_whitespace().next().unwrap_or_default();
    if words::GREETING.contains(&first_word) && text.split_whitespace().count() <= 4 {
        return Intent::Greeting;
    }
    if has(&text, words::QUOTE) && has(&text, words::MARKET)
        || has(&text, words::ANALYSIS) && has(&text, words::MARKET)
    {
        return Intent::NeedSymbol;
    }
    Intent::OffTopic
}

/// The glossary entry named in the text: the longest name found wins ("short squeeze" over
/// "short").
fn glossary_term(text: &str, glossary: &impl Fn(&str) -> Option<String>) -> Option<String> {
    // "macd'yi", "l'RSI": the term without what an apostrophe joins to it.
    let words: Vec<&str> = text.split_whitespace().map(without_apostrophe).collect();
    for span in (1..=4).rev() {
        for start in 0..words.len().saturating_sub(span - 1) {
            let phrase = words[start..start + span].join(" ");
            let phrase = phrase.trim_end_matches(['.', '\'']).trim_end_matches("'s");
            if let Some(id) = glossary(phrase) {
                return Some(id);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Directory;

    impl Symbols for Directory {
        fn ticker(&self, text: &str) -> Option<String> {
            let upper = text.trim_start_matches('$').to_ascii_uppercase();
            let upper = upper.strip_suffix(".US").unwrap_or(&upper).to_string();
            [
                "AAPL", "MSFT", "GOOG", "GOOGL", "TSLA", "IBM", "AMZN", "NVDA", "SAP.DE", "META",
                "KO", "SPY", "F",
            ]
            .contains(&upper.as_str())
            .then_some(upper)
        }

        fn company(&self, name: &str) -> Vec<String> {
            let found: &[&str] = match name {
                "apple" | "apple inc" => &["AAPL"],
                "microsoft" => &["MSFT"],
                "alphabet" => &["GOOG", "GOOGL"],
                "google" => &["GOOGL"],
                "tesla" => &["TSLA"],
                "ibm" => &["IBM"],
                "amazon" => &["AMZN"],
                "nvidia" => &["NVDA"],
                "sap" => &["SAP.DE"],
                "meta" | "facebook" => &["META"],
                "coca-cola" | "coca cola" => &["KO"],
                "ford" => &["F"],
                _ => &[],
            };
            found.iter().map(|s| s.to_string()).collect()
        }
    }

    const TERMS: &[(&str, &str)] = &[
        ("rsi", "rsi"),
        ("relative strength index", "rsi"),
        ("göreceli güç endeksi", "rsi"),
        ("índice de fuerza relativa", "rsi"),
        ("macd", "macd"),
        ("moving average", "sma"),
        ("hareketli ortalama", "sma"),
        ("media móvil", "sma"),
        ("moyenne mobile", "sma"),
        ("gleitender durchschnitt", "sma"),
        ("ema", "ema"),
        ("bollinger bands", "bollinger"),
        ("bollinger", "bollinger"),
        ("p/e", "pe_ratio"),
        ("pe ratio", "pe_ratio"),
        ("p/e ratio", "pe_ratio"),
        ("f/k", "pe_ratio"),
        ("kgv", "pe_ratio"),
        ("eps", "eps"),
        ("short squeeze", "short_squeeze"),
        ("dividend yield", "dividend_yield"),
        ("temettü verimi", "dividend_yield"),
        ("rentabilidad por dividendo", "dividend_yield"),
        ("rendement du dividende", "dividend_yield"),
        ("dividendenrendite", "dividend_yield"),
        ("beta", "beta"),
        ("etf", "etf"),
        ("stop-loss", "stop_loss"),
        ("stop loss", "stop_loss"),
        ("dividend", "dividend"),
        ("temettü", "dividend"),
        ("dividendo", "dividend"),
        ("dividende", "dividend"),
        ("market cap", "market_cap"),
        ("volatility", "volatility"),
        ("volatilité", "volatility"),
        ("volatilität", "volatility"),
        ("volatilidad", "volatility"),
        ("oynaklık", "volatility"),
        ("short selling", "short_selling"),
        ("açığa satış", "short_selling"),
        ("venta en corto", "short_selling"),
        ("vente à découvert", "short_selling"),
        ("leerverkauf", "short_selling"),
        ("bull market", "bull_market"),
        ("boğa piyasası", "bull_market"),
        ("mercado alcista", "bull_market"),
        ("marché haussier", "bull_market"),
        ("bullenmarkt", "bull_market"),
        ("diversification", "diversification"),
        ("diversificación", "diversification"),
        ("çeşitlendirme", "diversification"),
        ("diversifikation", "diversification"),
        ("short", "short_selling"),
    ];
    const TERM_WORDS: &[&str] = &["rsi", "macd", "ema", "sma", "etf", "eps", "kgv", "beta"];

    fn ask(question: &str) -> Intent {
        let glossary = |name: &str| {
            TERMS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, id)| id.to_string())
        };
        recognise(question, &Directory, &glossary, TERM_WORDS)
    }

    fn quote(s: &str) -> Intent {
        Intent::Quote { symbol: s.into() }
    }
    fn ind(s: &str, i: Indicator) -> Intent {
        Intent::Indicator {
            symbol: s.into(),
            indicator: i,
        }
    }
    fn analysis(s: &str) -> Intent {
        Intent::Analysis { symbol: s.into() }
    }
    fn compare(a: &str, b: &str) -> Intent {
        Intent::Compare {
            first: a.into(),
            second: b.into(),
        }
    }
    fn holding(s: &str) -> Intent {
        Intent::Holding { symbol: s.into() }
    }
    fn explain(t: &str) -> Intent {
        Intent::Explain { term: t.into() }
    }

    /// The real directory: names it knows, a name with two listings, and everyday words that
    /// begin company names ("capital", "weather") left alone.
    #[test]
    fn the_app_directory_finds_companies_and_leaves_words_alone() {
        let glossary = |name: &str| {
            TERMS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, id)| id.to_string())
        };
        let real = |q: &str| recognise(q, &AppDirectory, &glossary, TERM_WORDS);
        assert_eq!(real("what's the RSI of apple"), ind("AAPL", Indicator::Rsi));
        assert_eq!(real("compare MSFT and GOOG"), compare("MSFT", "GOOG"));
        assert_eq!(real("how is nvidia doing"), analysis("NVDA"));
        assert_eq!(real("SAP.DE price"), quote("SAP.DE"));
        assert!(matches!(real("price of alphabet"), Intent::Clarify { .. }));
        // A clarifying question's choice, asked again.
        assert_eq!(real("price of alphabet (GOOGL)"), quote("GOOGL"));
        for off_topic in [
            "what is the capital of Spain",
            "what's the weather in Paris",
            "who won the football match",
            "tell me a joke",
            "how do I bake bread",
        ] {
            assert_eq!(real(off_topic), Intent::OffTopic, "{off_topic}");
        }
    }

    #[test]
    fn questions_in_five_languages() {
        use Indicator::*;
        let cases: Vec<(&str, Intent)> = vec![
            // English
            ("what's the RSI of apple", ind("AAPL", Rsi)),
            ("What is the RSI of AAPL?", ind("AAPL", Rsi)),
            ("rsi for $TSLA", ind("TSLA", Rsi)),
            ("MACD on MSFT?", ind("MSFT", Macd)),
            (
                "show me the 50-day moving average of nvidia",
                ind("NVDA", Sma),
            ),
            ("EMA of amazon", ind("AMZN", Ema)),
            ("bollinger bands for IBM", ind("IBM", Bollinger)),
            ("what is the price of AAPL", quote("AAPL")),
            ("how much is microsoft trading at", quote("MSFT")),
            ("AAPL quote", quote("AAPL")),
            ("$NVDA", quote("NVDA")),
            ("price of aapl.us", quote("AAPL")),
            ("how much does a Tesla share cost", quote("TSLA")),
            ("how is apple doing", analysis("AAPL")),
            ("should I buy TSLA?", analysis("TSLA")),
            ("what's the outlook for nvidia", analysis("NVDA")),
            ("is MSFT bullish or bearish", analysis("MSFT")),
            ("give me an analysis of IBM", analysis("IBM")),
            ("compare MSFT and GOOG", compare("MSFT", "GOOG")),
            ("MSFT vs AAPL", compare("MSFT", "AAPL")),
            ("which is better, tesla or ford", compare("TSLA", "F")),
            ("compare apple with microsoft", compare("AAPL", "MSFT")),
            ("how is my portfolio doing", Intent::Portfolio),
            ("is AAPL overbought?", ind("AAPL", Indicator::Rsi)),
            ("is microsoft oversold", ind("MSFT", Indicator::Rsi)),
            ("show my holdings", Intent::Portfolio),
            ("what are my positions worth", Intent::Portfolio),
            ("how much have I made on AAPL", holding("AAPL")),
            ("what's my gain on tesla", holding("TSLA")),
            ("did I lose money on IBM", holding("IBM")),
            ("show my watchlist", Intent::Watchlist),
            ("what's on my watch list", Intent::Watchlist),
            ("explain MACD", explain("macd")),
            ("what is a short squeeze", explain("short_squeeze")),
            ("what does P/E mean", explain("pe_ratio")),
            ("define dividend yield", explain("dividend_yield")),
            ("what is beta", explain("beta")),
            ("what's an ETF?", explain("etf")),
            ("explain stop-loss orders", explain("stop_loss")),
            ("what is RSI", explain("rsi")),
            ("what is the market cap", explain("market_cap")),
            ("what's the RSI right now", Intent::NeedSymbol),
            ("what's the current MACD", Intent::NeedSymbol),
            ("how much is the stock", Intent::NeedSymbol),
            ("hello", Intent::Greeting),
            ("hi there", Intent::Greeting),
            ("what can you do?", Intent::Help),
            ("help", Intent::Help),
            (
                "tell me about alphabet",
                Intent::Clarify {
                    name: "alphabet".into(),
                    candidates: vec!["GOOG".into(), "GOOGL".into()],
                },
            ),
            (
                "price of alphabet",
                Intent::Clarify {
                    name: "alphabet".into(),
                    candidates: vec!["GOOG".into(), "GOOGL".into()],
                },
            ),
            ("who won the football match yesterday", Intent::OffTopic),
            ("write me a poem about the sea", Intent::OffTopic),
            ("what's the weather in Paris", Intent::OffTopic),
            ("how do I bake bread", Intent::OffTopic),
            ("who is the president of France", Intent::OffTopic),
            ("recommend a good movie", Intent::OffTopic),
            ("translate hello into German", Intent::OffTopic),
            ("what is the capital of Spain", Intent::OffTopic),
            ("tell me a joke", Intent::OffTopic),
            ("how tall is Mount Everest", Intent::OffTopic),
            ("SAP.DE price", quote("SAP.DE")),
            ("coca-cola dividend yield", quote("KO")),
            ("how volatile is tesla", analysis("TSLA")),
            ("is META a good buy", analysis("META")),
            ("apple's RSI", ind("AAPL", Rsi)),
            ("google vs microsoft", compare("GOOGL", "MSFT")),
            // Turkish
            ("apple'ın RSI değeri nedir", ind("AAPL", Rsi)),
            ("AAPL RSI kaç", ind("AAPL", Rsi)),
            ("MSFT MACD", ind("MSFT", Macd)),
            ("tesla hareketli ortalama", ind("TSLA", Sma)),
            ("AAPL fiyatı ne kadar", quote("AAPL")),
            ("microsoft hissesi kaç lira", quote("MSFT")),
            ("TSLA fiyatı", quote("TSLA")),
            ("apple nasıl gidiyor", analysis("AAPL")),
            ("NVDA almalı mıyım", analysis("NVDA")),
            ("IBM analiz", analysis("IBM")),
            ("MSFT ve GOOG karşılaştır", compare("MSFT", "GOOG")),
            ("apple mı yoksa microsoft mu", compare("AAPL", "MSFT")),
            ("portföyüm nasıl", Intent::Portfolio),
            ("AAPL aşırı alımda mı", ind("AAPL", Indicator::Rsi)),
            ("portföyümün durumu ne", Intent::Portfolio),
            ("AAPL'de ne kadar kazandım", holding("AAPL")),
            ("izleme listemi göster", Intent::Watchlist),
            ("MACD nedir", explain("macd")),
            ("MACD'yi açıkla", explain("macd")),
            ("açığa satış ne demek", explain("short_selling")),
            ("F/K oranı nedir", explain("pe_ratio")),
            ("temettü verimi nedir", explain("dividend_yield")),
            ("boğa piyasası nedir", explain("bull_market")),
            ("merhaba", Intent::Greeting),
            ("neler yapabilirsin", Intent::Help),
            ("dün maçı kim kazandı", Intent::OffTopic),
            ("bana bir şiir yaz", Intent::OffTopic),
            ("yarın hava nasıl olacak", Intent::OffTopic),
            ("en iyi pizza tarifi", Intent::OffTopic),
            (
                "alphabet fiyatı",
                Intent::Clarify {
                    name: "alphabet".into(),
                    candidates: vec!["GOOG".into(), "GOOGL".into()],
                },
            ),
            ("oynaklık nedir", explain("volatility")),
            ("çeşitlendirme ne demek", explain("diversification")),
            // Spanish
            ("¿cuál es el RSI de Apple?", ind("AAPL", Rsi)),
            ("MACD de MSFT", ind("MSFT", Macd)),
            ("media móvil de tesla", ind("TSLA", Sma)),
            ("precio de AAPL", quote("AAPL")),
            ("¿cuánto vale microsoft?", quote("MSFT")),
            ("cotización de TSLA", quote("TSLA")),
            ("¿qué tal va nvidia?", analysis("NVDA")),
            ("¿debería comprar IBM?", analysis("IBM")),
            ("análisis de apple", analysis("AAPL")),
            ("compara MSFT y GOOG", compare("MSFT", "GOOG")),
            ("¿apple o microsoft?", compare("AAPL", "MSFT")),
            ("¿cómo va mi cartera?", Intent::Portfolio),
            ("¿está AAPL sobrecomprada?", ind("AAPL", Indicator::Rsi)),
            ("mis inversiones", Intent::Portfolio),
            ("¿cuánto gané con tesla?", holding("TSLA")),
            ("mi lista de seguimiento", Intent::Watchlist),
            ("¿qué es el MACD?", explain("macd")),
            ("explica la venta en corto", explain("short_selling")),
            (
                "¿qué es la rentabilidad por dividendo?",
                explain("dividend_yield"),
            ),
            ("¿qué significa mercado alcista?", explain("bull_market")),
            ("¿qué es la volatilidad?", explain("volatility")),
            ("hola", Intent::Greeting),
            ("¿qué puedes hacer?", Intent::Help),
            ("¿quién ganó el partido de fútbol?", Intent::OffTopic),
            ("escríbeme un poema", Intent::OffTopic),
            ("¿qué tiempo hace en Madrid?", Intent::OffTopic),
            ("receta de paella", Intent::OffTopic),
            ("¿cuál es la capital de Francia?", Intent::OffTopic),
            ("diversificación", explain("diversification")),
            // French
            ("quel est le RSI d'Apple ?", ind("AAPL", Rsi)),
            ("MACD de MSFT", ind("MSFT", Macd)),
            ("moyenne mobile de tesla", ind("TSLA", Sma)),
            ("cours de AAPL", quote("AAPL")),
            ("combien vaut microsoft ?", quote("MSFT")),
            ("prix de TSLA", quote("TSLA")),
            ("comment va nvidia ?", analysis("NVDA")),
            ("dois-je acheter IBM ?", analysis("IBM")),
            ("analyse de apple", analysis("AAPL")),
            ("compare MSFT et GOOG", compare("MSFT", "GOOG")),
            ("apple ou microsoft ?", compare("AAPL", "MSFT")),
            ("comment va mon portefeuille ?", Intent::Portfolio),
            ("AAPL est-elle en surachat ?", ind("AAPL", Indicator::Rsi)),
            ("mes placements", Intent::Portfolio),
            ("combien j'ai gagné sur tesla ?", holding("TSLA")),
            ("ma liste de suivi", Intent::Watchlist),
            ("qu'est-ce que le MACD ?", explain("macd")),
            ("explique la vente à découvert", explain("short_selling")),
            (
                "c'est quoi le rendement du dividende ?",
                explain("dividend_yield"),
            ),
            ("que signifie marché haussier ?", explain("bull_market")),
            ("c'est quoi la volatilité", explain("volatility")),
            ("bonjour", Intent::Greeting),
            ("que peux-tu faire ?", Intent::Help),
            ("qui a gagné le match de foot ?", Intent::OffTopic),
            ("écris-moi un poème", Intent::OffTopic),
            ("quel temps fait-il à Lyon ?", Intent::OffTopic),
            ("recette de crêpes", Intent::OffTopic),
            ("quelle est la capitale de l'Italie ?", Intent::OffTopic),
            // German
            ("wie hoch ist der RSI von Apple?", ind("AAPL", Rsi)),
            ("MACD von MSFT", ind("MSFT", Macd)),
            ("gleitender Durchschnitt von Tesla", ind("TSLA", Sma)),
            ("Kurs von AAPL", quote("AAPL")),
            ("wie viel kostet Microsoft?", quote("MSFT")),
            ("Preis von TSLA", quote("TSLA")),
            ("wie läuft es bei Nvidia?", analysis("NVDA")),
            ("soll ich IBM kaufen?", analysis("IBM")),
            ("Analyse von Apple", analysis("AAPL")),
            ("vergleiche MSFT und GOOG", compare("MSFT", "GOOG")),
            ("Apple oder Microsoft?", compare("AAPL", "MSFT")),
            ("wie steht mein Depot?", Intent::Portfolio),
            ("wie steht meine Depot-Performance?", Intent::Portfolio),
            ("ist AAPL überkauft?", ind("AAPL", Indicator::Rsi)),
            ("meine Aktien", Intent::Portfolio),
            ("wie viel habe ich mit Tesla verdient?", holding("TSLA")),
            ("meine Beobachtungsliste", Intent::Watchlist),
            ("was ist der MACD?", explain("macd")),
            ("erkläre Leerverkauf", explain("short_selling")),
            ("was bedeutet Dividendenrendite?", explain("dividend_yield")),
            ("was ist ein Bullenmarkt?", explain("bull_market")),
            ("was ist das KGV?", explain("pe_ratio")),
            ("hallo", Intent::Greeting),
            ("was kannst du?", Intent::Help),
            ("wer hat das Fußballspiel gewonnen?", Intent::OffTopic),
            ("schreib mir ein Gedicht", Intent::OffTopic),
            ("wie wird das Wetter morgen?", Intent::OffTopic),
            ("Rezept für Apfelstrudel", Intent::OffTopic),
            ("was ist die Hauptstadt von Spanien?", Intent::OffTopic),
            ("Volatilität", explain("volatility")),
        ];
        let misses: Vec<String> = cases
            .iter()
            .filter_map(|(q, want)| {
                let got = ask(q);
                (got != *want).then(|| format!("{q:?}: got {got:?}, want {want:?}"))
            })
            .collect();
        let accuracy = 1.0 - misses.len() as f64 / cases.len() as f64;
        println!(
            "intent recognition: {} of {} questions right ({:.1} %)",
            cases.len() - misses.len(),
            cases.len(),
            accuracy * 100.0
        );
        for miss in &misses {
            println!("  miss: {miss}");
        }
        assert!(cases.len() >= 150);
        assert!(misses.is_empty(), "{} misses", misses.len());
    }
}
