//! The symbol directory shipped with the app (`assets/market/symbols.csv`, from pytickersymbols;
//! see its CREDITS.md): ~1,800 companies of the S&P 500, NASDAQ-100, Dow, DAX, CAC 40, FTSE 100
//! and Nikkei 225, so that search and autocomplete work offline ("Apple" → AAPL).

use std::{collections::HashMap, sync::LazyLock};

use super::SymbolInfo;

const SYMBOLS_CSV: &str = include_str!("../../assets/market/symbols.csv");

/// Indices the directory of companies leaves out, but the offline history has.
const INDICES: &[(&str, &str)] = &[("^SPX", "S&P 500 index")];

struct Directory {
    entries: Vec<SymbolInfo>,
    by_symbol: HashMap<String, usize>,
    /// Symbols by company name as people say it ("apple", "coca-cola", "alphabet" → two).
    by_name: HashMap<String, Vec<usize>>,
    /// Symbols by the first word of that name ("meta" → Meta Platforms).
    by_first_word: HashMap<String, Vec<usize>>,
}

/// "The Coca-Cola Company" → "coca-cola"; "Apple Inc." → "apple"; "Meta Platforms, Inc." →
/// "meta platforms".
fn spoken_name(name: &str) -> String {
    const SUFFIXES: &[&str] = &[
        "inc",
        "inc.",
        "corp",
        "corp.",
        "corporation",
        "co",
        "co.",
        "company",
        "ltd",
        "ltd.",
        "limited",
        "plc",
        "ag",
        "se",
        "sa",
        "s.a.",
        "n.v.",
        "nv",
        "group",
        "holdings",
        "holding",
        "class",
        "a",
        "b",
        "c",
        "&",
        "the",
        "kgaa",
        "co.,",
        "incorporated",
    ];
    let lower = name.to_lowercase().replace([',', '(', ')'], " ");
    let mut words: Vec<&str> = lower.split_whitespace().collect();
    while words.first().is_some_and(|w| *w == "the") {
        words.remove(0);
    }
    while words.len() > 1 && words.last().is_some_and(|w| SUFFIXES.contains(w)) {
        words.pop();
    }
    words.join(" ")
}

static DIRECTORY: LazyLock<Directory> = LazyLock::new(|| {
    let mut entries: Vec<SymbolInfo> = INDICES
        .iter()
        .map(|(symbol, name)| SymbolInfo {
            symbol: symbol.to_string(),
            name: name.to_string(),
            exchange: "INDEX".into(),
            sector: String::new(),
        })
        .collect();
    let mut reader = csv::Reader::from_reader(SYMBOLS_CSV.as_bytes());
    for record in reader.records().flatten() {
        let field = |i: usize| record.get(i).unwrap_or_default().trim().to_string();
        entries.push(SymbolInfo {
            symbol: field(0),
            name: field(1),
            exchange: field(2),
            sector: field(4),
        });
    }
    let by_symbol = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.symbol.clone(), i))
        .collect();
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    let mut by_first_word: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, entry) in entries.iter().enumerate() {
        let spoken = spoken_name(&entry.name);
        if let Some(first) = spoken.split_whitespace().next() {
            by_first_word.entry(first.to_string()).or_default().push(i);
        }
        by_name.entry(spoken).or_default().push(i);
    }
    Directory {
        entries,
        by_symbol,
        by_name,
        by_first_word,
    }
});

/// The directory's entry for a symbol in the app's form ("AAPL").
pub fn lookup(symbol: &str) -> Option<&'static SymbolInfo> {
    let directory = &*DIRECTORY;
    directory
        .by_symbol
        .get(symbol)
        .map(|&i| &directory.entries[i])
}

/// The symbols of the companies called `name` as people say it ("apple", "alphabet" → GOOG,
/// GOOGL; "meta" → META by the first word of Meta Platforms), for the assistant.
pub fn companies_named(name: &str) -> Vec<String> {
    let name = name.trim().to_lowercase();
    let directory = &*DIRECTORY;
    let found = directory
        .by_name
        .get(&name)
        .or_else(|| directory.by_first_word.get(&name));
    found
        .map(|indices| {
            indices
                .iter()
                .map(|&i| directory.entries[i].symbol.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Companies matching what a person typed, best first: the exact ticker or name, tickers
/// starting with it, names with a word starting with it, then names containing it.
pub fn search(query: &str, limit: usize) -> Vec<SymbolInfo> {
    let query = query.trim().trim_start_matches('$').to_lowercase();
    if query.is_empty() {
        return Vec::new();
    }
    let mut ranked: Vec<(u8, usize, &SymbolInfo)> = DIRECTORY
        .entries
        .iter()
        .filter_map(|entry| {
            let ticker = entry.symbol.to_lowercase();
            let name = entry.name.to_lowercase();
            let rank = if ticker == query || ticker.strip_suffix(".us") == Some(query.as_str()) {
                0
            } else if name == query {
                1
            } else if ticker.starts_with(&query) {
                2
            } else if name
                .split(|c: char| !c.is_alphanumeric())
                .any(|word| word.starts_with(&query))
            {
                3
            } else if name.contains(&query) {
                4
            } else {
                return None;
            };
            // Among equals the shortest name is the likeliest: "Siemens" before "Siemens Energy".
            Some((rank, entry.name.len(), entry))
        })
        .collect();
    ranked.sort_by(|a, b| (a.0, a.1, &a.2.symbol).cmp(&(b.0, b.1, &b.2.symbol)));
    ranked
        .into_iter()
        .take(limit)
        .map(|(_, _, entry)| entry.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn companies_are_found_by_the_name_people_say() {
        assert_eq!(companies_named("apple"), ["AAPL"]);
        assert_eq!(companies_named("Microsoft"), ["MSFT"]);
        assert_eq!(companies_named("meta"), ["META"]);
        let mut alphabet = companies_named("alphabet");
        alphabet.sort();
        assert_eq!(alphabet, ["GOOG", "GOOGL"]);
        assert!(companies_named("weather").is_empty());
    }

    #[test]
    fn companies_are_found_by_name_or_ticker() {
        assert_eq!(search("Apple", 5)[0].symbol, "AAPL");
        assert_eq!(search("aapl", 5)[0].symbol, "AAPL");
        assert_eq!(search("$msft", 5)[0].symbol, "MSFT");
        assert_eq!(search("siemens", 5)[0].symbol, "SIE.DE");
        assert!(search("micro", 10).iter().any(|s| s.symbol == "MSFT"));
        assert!(search("", 5).is_empty());
        assert!(search("zzzzqqq", 5).is_empty());
        assert!(search("a", 3).len() == 3, "the limit holds");
    }

    #[test]
    fn the_directory_knows_names_exchanges_and_sectors() {
        let apple = lookup("AAPL").unwrap();
        assert_eq!(
            (apple.name.as_str(), apple.exchange.as_str()),
            ("Apple Inc.", "NASDAQ")
        );
        assert_eq!(apple.sector, "Information Technology");
        assert!(lookup("^SPX").is_some());
        assert!(lookup("ZZZZ").is_none());
        assert!(DIRECTORY.entries.len() > 1_700);
    }
}
