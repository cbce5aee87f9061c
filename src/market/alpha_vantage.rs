//! Alpha Vantage (`ALPHA_VANTAGE_API_KEY`): GLOBAL_QUOTE, TIME_SERIES_DAILY, SYMBOL_SEARCH,
//! NEWS_SENTIMENT and EARNINGS_CALENDAR (CSV). Every refusal — rate limit, bad key, unknown
//! symbol — comes with HTTP 200 and a JSON note instead of data, so each body is read for those
//! first.

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::Value;

use super::{
    provider::{get_text, MarketError, MarketResult, Provider},
    symbol, Bar, Earnings, NewsItem, Quote, SymbolInfo,
};

pub const NAME: &str = "alpha vantage";

pub struct AlphaVantage {
    client: reqwest::Client,
    base_url: String,
    api_key: String,
}

impl AlphaVantage {
    pub fn new(client: reqwest::Client, base_url: &str, api_key: String) -> AlphaVantage {
        AlphaVantage {
            client,
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key,
        }
    }

    async fn call(&self, query: &str) -> MarketResult<Value> {
        let body = self.call_text(query).await?;
        let json: Value = serde_json::from_str(&body)
            .map_err(|_| MarketError::Malformed(NAME, "not JSON".into()))?;
        refusal(&json).map_or(Ok(json), Err)
    }

    /// The body of a successful answer, whatever its format.
    async fn call_text(&self, query: &str) -> MarketResult<String> {
        let url = format!("{}/query?{query}&apikey={}", self.base_url, self.api_key);
        let (status, body) = get_text(&self.client, NAME, &url).await?;
        match status {
            200..=299 => Ok(body),
            429 => Err(MarketError::RateLimited(NAME, "HTTP 429".into())),
            _ => Err(MarketError::Unavailable(NAME, format!("HTTP {status}"))),
        }
    }
}

/// The notes Alpha Vantage sends instead of data.
fn refusal(json: &Value) -> Option<MarketError> {
    if let Some(text) = json
        .get("Information")
        .or_else(|| json.get("Note"))
        .and_then(Value::as_str)
    {
        let lower = text.to_ascii_lowercase();
        return Some(
            if lower.contains("rate limit")
                || lower.contains("call frequency")
                || lower.contains("requests per day")
            {
                MarketError::RateLimited(NAME, "its request limit is reached".into())
            } else {
                MarketError::Refused(NAME, first_sentence(text))
            },
        );
    }
    json.get("Error Message")
        .and_then(Value::as_str)
        .map(|text| MarketError::Refused(NAME, first_sentence(text)))
}

fn first_sentence(text: &str) -> String {
    text.split_inclusive(". ")
        .next()
        .unwrap_or(text)
        .trim()
        .to_string()
}

/// A number Alpha Vantage sends as a string ("134.5700").
fn number(value: &Value, what: &str) -> MarketResult<f64> {
    value
        .as_str()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .or_else(|| value.as_f64())
        .filter(|v| v.is_finite())
        .ok_or_else(|| MarketError::Malformed(NAME, format!("{what} is not a number")))
}

pub fn parse_quote(symbol: &str, json: &Value) -> MarketResult<Quote> {
    let quote = json
        .get("Global Quote")
        .and_then(Value::as_object)
        .ok_or_else(|| MarketError::Malformed(NAME, "no Global Quote".into()))?;
    if quote.is_empty() {
        return Err(MarketError::UnknownSymbol(NAME, symbol.to_string()));
    }
    let field = |key: &str| {
        quote
            .get(key)
            .ok_or_else(|| MarketError::Malformed(NAME, format!("no `{key}`")))
    };
    let day = field("07. latest trading day")?
        .as_str()
        .unwrap_or_default();
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map_err(|_| MarketError::Malformed(NAME, format!("date `{day}`")))?;
    Ok(Quote {
        symbol: symbol.to_string(),
        price: number(field("05. price")?, "price")?,
        open: Some(number(field("02. open")?, "open")?),
        high: Some(number(field("03. high")?, "high")?),
        low: Some(number(field("04. low")?, "low")?),
        previous_close: Some(number(field("08. previous close")?, "previous close")?),
        volume: Some(number(field("06. volume")?, "volume")?),
        as_of: day.to_string(),
        source: NAME.into(),
        simulated: false,
        delayed: true,
    })
}

/// TIME_SERIES_DAILY (keys are dates in no promised order), limited to `from..=to`.
pub fn parse_daily(
    symbol: &str,
    json: &Value,
    from: NaiveDate,
    to: NaiveDate,
) -> MarketResult<Vec<Bar>> {
    let series = json
        .get("Time Series (Daily)")
        .and_then(Value::as_object)
        .ok_or_else(|| MarketError::Malformed(NAME, "no Time Series (Daily)".into()))?;
    let mut bars = Vec::with_capacity(series.len());
    for (day, values) in series {
        let date = NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .map_err(|_| MarketError::Malformed(NAME, format!("date `{day}`")))?;
        if date < from || date > to {
            continue;
        }
        let get = |key: &str| {
            values
                .get(key)
                .ok_or_else(|| MarketError::Malformed(NAME, format!("no `{key}` on {day}")))
        };
        // The adjusted series moves volume to "6. volume".
        let volume = values
            .get("5. volume")
            .or_else(|| values.get("6. volume"))
            .ok_or_else(|| MarketError::Malformed(NAME, "no volume".into()))?;
        bars.push(Bar {
            date: day.clone(),
            open: number(get("1. open")?, "open")?,
            high: number(get("2. high")?, "high")?,
            low: number(get("3. low")?, "low")?,
            close: number(get("4. close")?, "close")?,
            volume: number(volume, "volume")?,
            simulated: false,
        });
    }
    if series.is_empty() {
        return Err(MarketError::UnknownSymbol(NAME, symbol.to_string()));
    }
    bars.sort_by(|a, b| a.date.cmp(&b.date));
    Ok(bars)
}

/// TIME_SERIES_INTRADAY at 5 minutes: the bars of the latest day in the answer (times are
/// US/Eastern, as the answer's meta data says).
pub fn parse_intraday(symbol: &str, json: &Value) -> MarketResult<Vec<Bar>> {
    let series = json
        .get("Time Series (5min)")
        .and_then(Value::as_object)
        .ok_or_else(|| MarketError::Malformed(NAME, "no Time Series (5min)".into()))?;
    let mut bars = Vec::with_capacity(series.len());
    for (stamp, values) in series {
        let time = NaiveDateTime::parse_from_str(stamp, "%Y-%m-%d %H:%M:%S")
            .map_err(|_| MarketError::Malformed(NAME, format!("time `{stamp}`")))?;
        let get = |key: &str| {
            values
                .get(key)
                .ok_or_else(|| MarketError::Malformed(NAME, format!("no `{key}` at {stamp}")))
        };
        bars.push(Bar {
            date: time.format("%Y-%m-%d %H:%M").to_string(),
            open: number(get("1. open")?, "open")?,
            high: number(get("2. high")?, "high")?,
            low: number(get("3. low")?, "low")?,
            close: number(get("4. close")?, "close")?,
            volume: number(get("5. volume")?, "volume")?,
            simulated: false,
        });
    }
    super::provider::recent_sessions(symbol, bars, NAME)
}

pub fn parse_search(json: &Value) -> MarketResult<Vec<SymbolInfo>> {
    let matches = json
        .get("bestMatches")
        .and_then(Value::as_array)
        .ok_or_else(|| MarketError::Malformed(NAME, "no bestMatches".into()))?;
    Ok(matches
        .iter()
        .filter_map(|m| {
            let text = |key: &str| {
                m.get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            Some(SymbolInfo {
                symbol: symbol::normalize(m.get("1. symbol")?.as_str()?)?,
                name: text("2. name"),
                exchange: text("4. region"),
                sector: String::new(),
            })
        })
        .collect())
}

pub fn parse_news(symbol: &str, json: &Value) -> MarketResult<Vec<NewsItem>> {
    let feed = json
        .get("feed")
        .and_then(Value::as_array)
        .ok_or_else(|| MarketError::Malformed(NAME, "no feed".into()))?;
    Ok(feed
        .iter()
        .filter_map(|item| {
            let text = |key: &str| {
                item.get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let published = chrono::NaiveDateTime::parse_from_str(
                item.get("time_published")?.as_str()?,
                "%Y%m%dT%H%M%S",
            )
            .ok()?;
            // The score about this ticker where given, else the article's overall one.
            let about_symbol = item
                .get("ticker_sentiment")
                .and_then(Value::as_array)
                .and_then(|all| {
                    all.iter()
                        .find(|t| {
                            t.get("ticker")
                                .and_then(Value::as_str)
                                .is_some_and(|t| t.eq_ignore_ascii_case(symbol))
                        })
                        .and_then(|t| number(t.get("ticker_sentiment_score")?, "score").ok())
                });
            Some(NewsItem {
                title: text("title"),
                url: text("url"),
                source: text("source"),
                published_at: published.format("%Y-%m-%dT%H:%M:%S").to_string(),
                summary: text("summary"),
                sentiment: about_symbol
                    .or_else(|| item.get("overall_sentiment_score").and_then(Value::as_f64)),
            })
        })
        .collect())
}

/// EARNINGS_CALENDAR for one symbol: CSV with a header row (`symbol,name,reportDate,
/// fiscalDateEnding,estimate,currency`, lately also `timeOfTheDay`), the coming reports
/// earliest first. A refusal comes as the usual JSON note instead; a symbol without reports as
/// the header alone.
pub fn parse_earnings(symbol: &str, body: &str) -> MarketResult<Vec<Earnings>> {
    if body.trim_start().starts_with('{') {
        let json: Value = serde_json::from_str(body)
            .map_err(|_| MarketError::Malformed(NAME, "not CSV or JSON".into()))?;
        return Err(refusal(&json)
            .unwrap_or_else(|| MarketError::Malformed(NAME, "JSON without a calendar".into())));
    }
    let mut lines = body.lines().map(str::trim).filter(|line| !line.is_empty());
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let column = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(symbol_at), Some(date_at), Some(period_at)) = (
        column("symbol"),
        column("reportDate"),
        column("fiscalDateEnding"),
    ) else {
        return Err(MarketError::Malformed(
            NAME,
            "not an earnings calendar".into(),
        ));
    };
    let (estimate_at, time_at) = (column("estimate"), column("timeOfTheDay"));
    let mut reports = Vec::new();
    // Company names may hold commas ("Apple, Inc."), so fields after the name are counted from
    // the end of the line when the row is longer than the header.
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        let extra = fields.len().saturating_sub(header.len());
        let field = |at: usize| {
            let at = if at > symbol_at + 1 { at + extra } else { at };
            fields.get(at).map(|f| f.trim()).filter(|f| !f.is_empty())
        };
        if !field(symbol_at).is_some_and(|s| s.eq_ignore_ascii_case(symbol)) {
            continue;
        }
        let date = field(date_at).unwrap_or_default();
        NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map_err(|_| MarketError::Malformed(NAME, format!("report date `{date}`")))?;
        reports.push(Earnings {
            symbol: symbol.to_string(),
            report_date: date.to_string(),
            fiscal_date_ending: field(period_at).unwrap_or_default().to_string(),
            estimate: estimate_at
                .and_then(field)
                .and_then(|e| e.parse::<f64>().ok())
                .filter(|e| e.is_finite()),
            time_of_day: time_at.and_then(field).map(str::to_string),
            source: NAME.into(),
        });
    }
    reports.sort_by(|a, b| a.report_date.cmp(&b.report_date));
    Ok(reports)
}

#[async_trait::async_trait]
impl Provider for AlphaVantage {
    fn name(&self) -> &'static str {
        NAME
    }

    /// The free key allows 25 calls a day: a watched price is asked for every five minutes.
    fn quote_every(&self) -> std::time::Duration {
        std::time::Duration::from_secs(300)
    }

    async fn quote(&self, symbol: &str) -> MarketResult<Quote> {
        if !symbol::is_us(symbol) {
            return Err(MarketError::UnknownSymbol(NAME, symbol.to_string()));
        }
        parse_quote(
            symbol,
            &self
                .call(&format!("function=GLOBAL_QUOTE&symbol={symbol}"))
                .await?,
        )
    }

    async fn daily(&self, symbol: &str, from: NaiveDate, to: NaiveDate) -> MarketResult<Vec<Bar>> {
        if !symbol::is_us(symbol) {
            return Err(MarketError::UnknownSymbol(NAME, symbol.to_string()));
        }
        // "compact" is the last 100 days; anything older needs the full series.
        let days_back = (chrono::Utc::now().date_naive() - from).num_days();
        let size = if days_back > 140 { "full" } else { "compact" };
        let json = self
            .call(&format!(
                "function=TIME_SERIES_DAILY&symbol={symbol}&outputsize={size}"
            ))
            .await?;
        parse_daily(symbol, &json, from, to)
    }

    async fn intraday(&self, symbol: &str) -> MarketResult<Vec<Bar>> {
        if !symbol::is_us(symbol) {
            return Err(MarketError::UnknownSymbol(NAME, symbol.to_string()));
        }
        parse_intraday(
            symbol,
            &self
                .call(&format!(
                    "function=TIME_SERIES_INTRADAY&symbol={symbol}&interval=5min"
                ))
                .await?,
        )
    }

    async fn search(&self, query: &str) -> MarketResult<Vec<SymbolInfo>> {
        let query: String = query
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '.')
            .collect();
        parse_search(
            &self
                .call(&format!(
                    "function=SYMBOL_SEARCH&keywords={}",
                    query.trim().replace(' ', "+")
                ))
                .await?,
        )
    }

    async fn news(&self, symbol: &str) -> MarketResult<Vec<NewsItem>> {
        parse_news(
            symbol,
            &self
                .call(&format!(
                    "function=NEWS_SENTIMENT&tickers={symbol}&limit=20"
                ))
                .await?,
        )
    }

    async fn earnings(&self, symbol: &str) -> MarketResult<Vec<Earnings>> {
        if !symbol::is_us(symbol) {
            return Err(MarketError::UnknownSymbol(NAME, symbol.to_string()));
        }
        parse_earnings(
            symbol,
            &self
                .call_text(&format!(
                    "function=EARNINGS_CALENDAR&symbol={symbol}&horizon=12month"
                ))
                .await?,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Bodies as Alpha Vantage sends them (../shared/fixtures/providers/README.md, E2).
    const QUOTE: &str = r#"{"Global Quote":{"01. symbol":"MSFT","02. open":"134.5700","03. high":"134.6000","04. low":"133.1600","05. price":"133.9600","06. volume":"30042969","07. latest trading day":"2019-06-28","08. previous close":"134.1500","09. change":"-0.1900","10. change percent":"-0.1416%"}}"#;
    const DAILY: &str = r#"{"Meta Data":{"1. Information":"Daily Prices (open, high, low, close) and Volumes","2. Symbol":"X","3. Last Refreshed":"2022-04-21","4. Output Size":"Full size","5. Time Zone":"US/Eastern"},
 "Time Series (Daily)":{"2022-04-21":{"1. open":"37.0000","2. high":"37.7900","3. low":"33.7250","4. close":"34.6700","5. volume":"18502433"},"2022-04-20":{"1. open":"36.0000","2. high":"37.1000","3. low":"35.5000","4. close":"36.9000","5. volume":"12000000"}}}"#;
    const NEWS: &str = r#"{"items":"200","sentiment_score_definition":"x <= -0.35: Bearish; -0.35 < x <= -0.15: Somewhat-Bearish; -0.15 < x < 0.15: Neutral; 0.15 <= x < 0.35: Somewhat_Bullish; x >= 0.35: Bullish","relevance_score_definition":"0 < x <= 1, with a higher score indicating higher relevance.",
 "feed":[{"title":"The Sheriff of Cryptoville Draws His Pistol","url":"https://decrypt.co/108303/...","time_published":"20220827T151534","authors":["Decrypt / Daniel Roberts"],"summary":"...","banner_image":"...","source":"Decrypt.co","category_within_source":"n/a","source_domain":"decrypt.co","topics":[{"topic":"Finance","relevance_score":"1.0"}],"overall_sentiment_score":0.016888,"overall_sentiment_label":"Neutral","ticker_sentiment":[{"ticker":"COIN","relevance_score":"0.170878","ticker_sentiment_score":"-0.016101","ticker_sentiment_label":"Neutral"}]}]}"#;
    const RATE_LIMITED: &str = r#"{"Information":"Thank you for using Alpha Vantage! Our standard API rate limit is 25 requests per day. Please subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly remove all daily rate limits."}"#;
    const OLD_RATE_LIMITED: &str = r#"{"Note":"Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per minute and 500 calls per day..."}"#;
    const DEMO_KEY: &str = r#"{"Information":"The demo API key is for demo purposes only..."}"#;
    const INVALID_CALL: &str = r#"{"Error Message":"Invalid API call. Please retry or visit the documentation (https://www.alphavantage.co/documentation/) for GLOBAL_QUOTE."}"#;

    fn json(body: &str) -> Value {
        serde_json::from_str(body).unwrap()
    }

    #[test]
    fn a_global_quote_has_the_previous_close() {
        let quote = parse_quote("MSFT", &json(QUOTE)).unwrap();
        assert_eq!((quote.price, quote.previous_close), (133.96, Some(134.15)));
        let (change, percent) = quote.change().unwrap();
        assert!(
            (change + 0.19).abs() < 1e-9 && (percent + 0.1416).abs() < 1e-3,
            "{change} {percent}"
        );
        assert_eq!(quote.as_of, "2019-06-28");
        assert_eq!(
            parse_quote("ZZZZ", &json(r#"{"Global Quote": {}}"#)),
            Err(MarketError::UnknownSymbol(NAME, "ZZZZ".into()))
        );
        assert!(matches!(
            parse_quote("MSFT", &json(r#"{"Global Quote":{"05. price":"abc"}}"#)),
            Err(MarketError::Malformed(..))
        ));
    }

    #[test]
    fn daily_series_are_sorted_and_cut_to_the_range() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let bars = parse_daily("X", &json(DAILY), day("2022-01-01"), day("2022-12-31")).unwrap();
        assert_eq!(
            bars.iter().map(|b| b.date.as_str()).collect::<Vec<_>>(),
            ["2022-04-20", "2022-04-21"]
        );
        assert_eq!((bars[1].low, bars[1].volume), (33.725, 18_502_433.0));
        let one = parse_daily("X", &json(DAILY), day("2022-04-21"), day("2022-04-21")).unwrap();
        assert_eq!(one.len(), 1);
    }

    #[test]
    fn intraday_bars_are_the_last_sessions_in_order() {
        // No intraday answer was recorded: this is the recorded daily body under the intraday
        // key, with the timestamps TIME_SERIES_INTRADAY uses (Alpha Vantage's documentation).
        let body = DAILY
            .replace("Time Series (Daily)", "Time Series (5min)")
            .replace("\"2022-04-21\":{", "\"2022-04-21 15:55:00\":{")
            .replace("\"2022-04-20\":{", "\"2022-04-21 15:50:00\":{")
            .replace(
                "\"3. Last Refreshed\":\"2022-04-21\"",
                "\"3. Last Refreshed\":\"2022-04-21 15:55:00\"",
            );
        let mut parsed = json(&body);
        parsed["Time Series (5min)"]["2022-04-20 19:55:00"] =
            parsed["Time Series (5min)"]["2022-04-21 15:50:00"].clone();
        let bars = parse_intraday("X", &parsed).unwrap();
        assert_eq!(
            bars.iter().map(|b| b.date.as_str()).collect::<Vec<_>>(),
            ["2022-04-20 19:55", "2022-04-21 15:50", "2022-04-21 15:55"]
        );
        assert_eq!(bars[2].close, 34.67);
        // Sessions before the last five are left out.
        for day in 10..=16 {
            parsed["Time Series (5min)"][format!("2022-04-{day} 10:00:00")] =
                parsed["Time Series (5min)"]["2022-04-21 15:50:00"].clone();
        }
        let days: std::collections::BTreeSet<String> = parse_intraday("X", &parsed)
            .unwrap()
            .iter()
            .map(|b| b.date[..10].to_string())
            .collect();
        assert_eq!(
            days.into_iter().collect::<Vec<_>>(),
            [
                "2022-04-14",
                "2022-04-15",
                "2022-04-16",
                "2022-04-20",
                "2022-04-21"
            ]
        );
        assert!(matches!(
            parse_intraday("X", &json(DAILY)),
            Err(MarketError::Malformed(..))
        ));
        assert_eq!(
            parse_intraday("ZZZZ", &json(r#"{"Time Series (5min)":{}}"#)),
            Err(MarketError::UnknownSymbol(NAME, "ZZZZ".into()))
        );
    }

    #[test]
    fn news_carries_the_score_about_the_symbol() {
        let news = parse_news("COIN", &json(NEWS)).unwrap();
        assert_eq!(news[0].published_at, "2022-08-27T15:15:34");
        assert_eq!(news[0].sentiment, Some(-0.016101));
        assert_eq!(
            parse_news("MSFT", &json(NEWS)).unwrap()[0].sentiment,
            Some(0.016888)
        );
    }

    #[test]
    fn refusals_sent_with_http_200_are_recognised() {
        assert!(matches!(
            refusal(&json(RATE_LIMITED)),
            Some(MarketError::RateLimited(..))
        ));
        assert!(matches!(
            refusal(&json(OLD_RATE_LIMITED)),
            Some(MarketError::RateLimited(..))
        ));
        assert!(
            matches!(refusal(&json(DEMO_KEY)), Some(MarketError::Refused(_, why)) if why.contains("demo"))
        );
        assert!(
            matches!(refusal(&json(INVALID_CALL)), Some(MarketError::Refused(_, why)) if why.starts_with("Invalid API call."))
        );
        assert_eq!(refusal(&json(QUOTE)), None);
    }

    // EARNINGS_CALENDAR for IBM as the documentation's demo key answers it (CSV, CRLF), and the
    // newer form with the time of day and a name holding a comma.
    const EARNINGS: &str = "symbol,name,reportDate,fiscalDateEnding,estimate,currency\r\nIBM,International Business Machines Corp,2024-07-24,2024-06-30,,USD\r\nIBM,International Business Machines Corp,2024-04-24,2024-03-31,1.59,USD\r\nIBM,International Business Machines Corp,2024-10-23,2024-09-30,,USD\r\n";
    const EARNINGS_TIMED: &str = "symbol,name,reportDate,fiscalDateEnding,estimate,currency,timeOfTheDay\nAAPL,Apple, Inc.,2026-01-29,2025-12-31,2.35,USD,post-market\n";

    #[test]
    fn earnings_come_earliest_first_with_their_estimate_and_time() {
        let reports = parse_earnings("IBM", EARNINGS).unwrap();
        let dates: Vec<&str> = reports.iter().map(|r| r.report_date.as_str()).collect();
        assert_eq!(dates, ["2024-04-24", "2024-07-24", "2024-10-23"]);
        assert_eq!(reports[0].estimate, Some(1.59));
        assert_eq!(reports[0].fiscal_date_ending, "2024-03-31");
        assert_eq!(reports[1].estimate, None);
        assert_eq!(reports[0].time_of_day, None);
        let apple = parse_earnings("AAPL", EARNINGS_TIMED).unwrap();
        assert_eq!(apple[0].report_date, "2026-01-29");
        assert_eq!(apple[0].estimate, Some(2.35));
        assert_eq!(apple[0].time_of_day.as_deref(), Some("post-market"));
        // Another company's rows, a header alone, a refusal and a page are not this calendar.
        assert!(parse_earnings("MSFT", EARNINGS).unwrap().is_empty());
        assert!(parse_earnings(
            "IBM",
            "symbol,name,reportDate,fiscalDateEnding,estimate,currency\r\n"
        )
        .unwrap()
        .is_empty());
        assert!(matches!(
            parse_earnings("IBM", RATE_LIMITED),
            Err(MarketError::RateLimited(..))
        ));
        assert!(matches!(
            parse_earnings("IBM", "<html>one moment</html>"),
            Err(MarketError::Malformed(..))
        ));
        assert!(matches!(
            parse_earnings(
                "IBM",
                "symbol,name,reportDate,fiscalDateEnding\nIBM,IBM,soon,2024-03-31\n"
            ),
            Err(MarketError::Malformed(..))
        ));
    }
}
