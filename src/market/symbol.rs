//! Symbols as people type them and as each source wants them. The app's own form is the
//! exchange ticker in capitals, with a suffix only outside the US: `aapl.us`, `$aapl` and `AAPL`
//! are all `AAPL`; `sap.de` is `SAP.DE`.

/// Longest symbol accepted (the longest real ones, like `BRK-B.US`, are far shorter).
const MAX_LEN: usize = 15;

/// The app's form of what a person typed, or `None` when it cannot be a symbol.
pub fn normalize(input: &str) -> Option<String> {
    let trimmed = input.trim().trim_start_matches('$');
    if trimmed.is_empty() || trimmed.len() > MAX_LEN {
        return None;
    }
    let valid = trimmed
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '^'))
        && trimmed.chars().any(|c| c.is_ascii_alphabetic())
        && !trimmed.starts_with('.')
        && !trimmed.ends_with('.');
    if !valid {
        return None;
    }
    let upper = trimmed.to_ascii_uppercase();
    Some(
        upper
            .strip_suffix(".US")
            .map(str::to_string)
            .unwrap_or(upper),
    )
}

/// The ticker a cashtag is counted under: the app's form where it is one ("$aapl.us" →
/// "AAPL"), else its capitals.
pub fn ticker(tag: &str) -> String {
    normalize(tag).unwrap_or_else(|| tag.trim_start_matches('$').to_ascii_uppercase())
}

/// The form Stooq wants: lower case, with `.us` for US tickers (`aapl.us`, `sap.de`, `^spx`).
pub fn stooq(symbol: &str) -> String {
    let lower = symbol.to_ascii_lowercase();
    if lower.contains('.') || lower.starts_with('^') {
        lower
    } else {
        format!("{lower}.us")
    }
}

/// Whether the symbol is a US listing (the only ones Alpha Vantage's and Polygon's plain
/// tickers name).
pub fn is_us(symbol: &str) -> bool {
    !symbol.contains('.') && !symbol.starts_with('^')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_type_symbols_many_ways() {
        assert_eq!(normalize("aapl.us").as_deref(), Some("AAPL"));
        assert_eq!(normalize(" $aapl ").as_deref(), Some("AAPL"));
        assert_eq!(normalize("AAPL.US").as_deref(), Some("AAPL"));
        assert_eq!(normalize("sap.de").as_deref(), Some("SAP.DE"));
        assert_eq!(normalize("brk-b").as_deref(), Some("BRK-B"));
        assert_eq!(normalize("^spx").as_deref(), Some("^SPX"));
        for bad in [
            "",
            "$",
            "123",
            "aapl us",
            "a/b",
            ".us",
            "aapl.",
            "averyveryverylongsymbol",
            "<script>",
        ] {
            assert_eq!(normalize(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn each_source_gets_its_own_form() {
        assert_eq!(stooq("AAPL"), "aapl.us");
        assert_eq!(stooq("SAP.DE"), "sap.de");
        assert_eq!(stooq("^SPX"), "^spx");
        assert!(is_us("AAPL") && !is_us("SAP.DE") && !is_us("^SPX"));
    }
}
