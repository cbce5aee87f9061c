//! Stooq: free, keyless CSV quotes (`/q/l/`) and daily history (`/q/d/l/`). Since 2026 it
//! often answers programs with an HTML page (HTTP 200) or asks for a key, and an unknown symbol
//! comes back as a row of `N/D`: anything but the CSV we asked for is refused, so the chain
//! moves on to the next source.

use chrono::NaiveDate;

use super::{
    provider::{get_text, MarketError, MarketResult, Provider},
    symbol, Bar, Quote,
};

const NAME: &str = "stooq";
const QUOTE_HEADER: &str = "Symbol,Date,Time,Open,High,Low,Close,Volume";
/// Indices have no volume column, so only the start of the header is fixed.
const HISTORY_HEADER: &str = "Date,Open,High,Low,Close";

pub struct Stooq {
    client: reqwest::Client,
    base_url: String,
    /// Stooq's history downloads have needed a key since March 2026.
    api_key: Option<String>,
}

impl Stooq {
    pub fn new(client: reqwest::Client, base_url: &str, api_key: Option<String>) -> Stooq {
        Stooq {
            client,
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key,
        }
    }
}

#[async_trait::async_trait]
impl Provider for Stooq {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn quote(&self, symbol: &str) -> MarketResult<Quote> {
        let url = format!(
            "{}/q/l/?s={}&f=sd2t2ohlcv&h&e=csv",
            self.base_url,
            symbol::stooq(symbol)
        );
        let (status, body) = get_text(&self.client, NAME, &url).await?;
        check_status(status)?;
        parse_quote(symbol, &body)
    }

    async fn daily(&self, symbol: &str, from: NaiveDate, to: NaiveDate) -> MarketResult<Vec<Bar>> {
        let mut url = format!(
            "{}/q/d/l/?s={}&d1={}&d2={}&i=d",
            self.base_url,
            symbol::stooq(symbol),
            from.format("%Y%m%d"),
            to.format("%Y%m%d")
        );
        if let Some(key) = &self.api_key {
            url.push_str("&apikey=");
            url.push_str(key);
        }
        let (status, body) = get_text(&self.client, NAME, &url).await?;
        check_status(status)?;
        parse_history(symbol, &body)
    }
}

fn check_status(status: u16) -> MarketResult<()> {
    match status {
        200..=299 => Ok(()),
        429 => Err(MarketError::RateLimited(NAME, "HTTP 429".into())),
        _ => Err(MarketError::Unavailable(NAME, format!("HTTP {status}"))),
    }
}

/// Refuses a body that is not the CSV asked for, saying what it was instead.
fn expect_csv<'a>(body: &'a str, header: &str) -> MarketResult<std::str::Lines<'a>> {
    let body = body.trim_start_matches('\u{feff}').trim_start();
    let mut lines = body.lines();
    match lines.next().map(str::trim) {
        Some(first)
            if first.len() >= header.len()
                && first[..header.len()].eq_ignore_ascii_case(header) =>
        {
            Ok(lines)
        }
        Some(first) if first.starts_with('<') => Err(MarketError::Refused(
            NAME,
            "an HTML page instead of CSV".into(),
        )),
        Some(first)
            if first.to_ascii_lowercase().contains("apikey")
                || first.to_ascii_lowercase().contains("api key") =>
        {
            Err(MarketError::Refused(NAME, "it asks for an API key".into()))
        }
        Some("No data") => Err(MarketError::UnknownSymbol(NAME, String::new())),
        _ => Err(MarketError::Malformed(NAME, "not the expected CSV".into())),
    }
}

fn number(field: &str, what: &str) -> MarketResult<f64> {
    let value: f64 = field
        .trim()
        .parse()
        .map_err(|_| MarketError::Malformed(NAME, format!("{what} `{field}`")))?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(MarketError::Malformed(NAME, format!("{what} `{field}`")))
    }
}

/// The quote CSV: a header and one row; `N/D` in every field means an unknown symbol.
pub fn parse_quote(symbol: &str, body: &str) -> MarketResult<Quote> {
    let mut rows = expect_csv(body, QUOTE_HEADER)?;
    let row = rows
        .next()
        .ok_or_else(|| MarketError::Malformed(NAME, "no row".into()))?;
    let fields: Vec<&str> = row.trim().split(',').collect();
    if fields.len() < 8 {
        return Err(MarketError::Malformed(
            NAME,
            format!("{} fields in `{row}`", fields.len()),
        ));
    }
    if fields[1..].iter().any(|f| f.trim() == "N/D") {
        return Err(MarketError::UnknownSymbol(NAME, symbol.to_string()));
    }
    let date = NaiveDate::parse_from_str(fields[1].trim(), "%Y-%m-%d")
        .map_err(|_| MarketError::Malformed(NAME, format!("date `{}`", fields[1])))?;
    let price = number(fields[6], "close")?;
    if price <= 0.0 {
        return Err(MarketError::Malformed(NAME, format!("price {price}")));
    }
    Ok(Quote {
        symbol: symbol.to_string(),
        price,
        open: Some(number(fields[3], "open")?),
        high: Some(number(fields[4], "high")?),
        low: Some(number(fields[5], "low")?),
        previous_close: None,
        volume: Some(number(fields[7], "volume")?),
        as_of: format!("{}T{}", date.format("%Y-%m-%d"), fields[2].trim()),
        source: NAME.into(),
        simulated: false,
        delayed: true,
    })
}

/// The history CSV, oldest first as Stooq sends it.
pub fn parse_history(symbol: &str, body: &str) -> MarketResult<Vec<Bar>> {
    let rows = expect_csv(body, HISTORY_HEADER).map_err(|err| match err {
        MarketError::UnknownSymbol(source, _) => {
            MarketError::UnknownSymbol(source, symbol.to_string())
        }
        other => other,
    })?;
    let mut bars = Vec::new();
    for row in rows.map(str::trim).filter(|r| !r.is_empty()) {
        let f: Vec<&str> = row.split(',').collect();
        if f.len() < 5 {
            return Err(MarketError::Malformed(NAME, format!("row `{row}`")));
        }
        let date = NaiveDate::parse_from_str(f[0], "%Y-%m-%d")
            .map_err(|_| MarketError::Malformed(NAME, format!("date `{}`", f[0])))?;
        bars.push(Bar {
            date: date.format("%Y-%m-%d").to_string(),
            open: number(f[1], "open")?,
            high: number(f[2], "high")?,
            low: number(f[3], "low")?,
            close: number(f[4], "close")?,
            // Indices have no volume column.
            volume: f
                .get(5)
                .map(|v| number(v, "volume"))
                .transpose()?
                .unwrap_or(0.0),
            simulated: false,
        });
    }
    if bars.is_empty() {
        return Err(MarketError::UnknownSymbol(NAME, symbol.to_string()));
    }
    bars.sort_by(|a, b| a.date.cmp(&b.date));
    Ok(bars)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Bodies as Stooq sends them (../shared/fixtures/providers/README.md, E1).
    const QUOTE: &str = "Symbol,Date,Time,Open,High,Low,Close,Volume\r\nAAPL.US,2026-04-26,22:00:01,175.21,176.48,174.99,175.43,52341234\r\n";
    const UNKNOWN: &str =
        "Symbol,Date,Time,Open,High,Low,Close,Volume\r\nZZZZ.US,N/D,N/D,N/D,N/D,N/D,N/D,N/D\r\n";
    const INTERSTITIAL: &str = "<!DOCTYPE html><html><head><title>Checking your browser</title></head><body><script>/* proof of work */</script></body></html>";
    const WANTS_KEY: &str = "Get your apikey:\r\n\r\n1. Open https://stooq.com/q/d/?s=aapl.us&get_apikey\r\n2. Enter the captcha code\r\n";

    #[test]
    fn a_quote_row_becomes_a_quote() {
        let quote = parse_quote("AAPL", QUOTE).unwrap();
        assert_eq!(quote.price, 175.43);
        assert_eq!(
            (quote.open, quote.high, quote.low),
            (Some(175.21), Some(176.48), Some(174.99))
        );
        assert_eq!(quote.volume, Some(52_341_234.0));
        assert_eq!(quote.as_of, "2026-04-26T22:00:01");
        assert_eq!(quote.source, "stooq");
        assert!(!quote.simulated);
    }

    #[test]
    fn refusals_are_never_read_as_prices() {
        assert_eq!(
            parse_quote("ZZZZ", UNKNOWN),
            Err(MarketError::UnknownSymbol(NAME, "ZZZZ".into()))
        );
        assert!(
            matches!(parse_quote("AAPL", INTERSTITIAL), Err(MarketError::Refused(_, why)) if why.contains("HTML"))
        );
        assert!(
            matches!(parse_history("AAPL", WANTS_KEY), Err(MarketError::Refused(_, why)) if why.contains("key"))
        );
        assert!(matches!(
            parse_quote("AAPL", ""),
            Err(MarketError::Malformed(..))
        ));
        assert!(matches!(
            parse_quote("AAPL", "Symbol,Date,Time,Open,High,Low,Close,Volume\r\nAAPL.US,2026-04-26,22:00:01,175.21,abc,174.99,175.43,1\r\n"),
            Err(MarketError::Malformed(_, why)) if why.contains("abc")
        ));
        assert!(matches!(
            parse_quote(
                "AAPL",
                "Symbol,Date,Time,Open,High,Low,Close,Volume\r\nAAPL.US,2026-04-26\r\n"
            ),
            Err(MarketError::Malformed(..))
        ));
    }

    #[test]
    fn history_is_sorted_and_an_empty_download_is_an_unknown_symbol() {
        let body = "Date,Open,High,Low,Close,Volume\r\n2026-04-24,170,171,169,170.5,1000\r\n2026-04-23,168,170,167,169,900\r\n";
        let bars = parse_history("AAPL", body).unwrap();
        assert_eq!(
            bars.iter().map(|b| b.date.as_str()).collect::<Vec<_>>(),
            ["2026-04-23", "2026-04-24"]
        );
        assert_eq!(bars[1].close, 170.5);
        assert_eq!(
            parse_history("ZZZZ", "No data"),
            Err(MarketError::UnknownSymbol(NAME, "ZZZZ".into()))
        );
        let index = parse_history(
            "^SPX",
            "Date,Open,High,Low,Close\r\n2026-04-24,5000,5010,4990,5005\r\n",
        )
        .unwrap();
        assert_eq!(index[0].volume, 0.0);
    }
}
