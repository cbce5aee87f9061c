//! Polygon.io (`POLYGON_API_KEY`): previous close, daily aggregates, ticker search and news.
//! An empty answer has no `results` at all; errors carry `error` or `message`.

use chrono::{DateTime, NaiveDate};
use serde::Deserialize;
use serde_json::Value;

use super::{
    provider::{get_text, MarketError, MarketResult, Provider},
    symbol, Bar, NewsItem, Quote, SymbolInfo,
};

pub const NAME: &str = "polygon";

pub struct Polygon {
    client: reqwest::Client,
    base_url: String,
    api_key: String,
}

impl Polygon {
    pub fn new(client: reqwest::Client, base_url: &str, api_key: String) -> Polygon {
        Polygon {
            client,
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key,
        }
    }

    async fn call(&self, path_and_query: &str) -> MarketResult<Value> {
        let separator = if path_and_query.contains('?') {
            '&'
        } else {
            '?'
        };
        let url = format!(
            "{}{path_and_query}{separator}apiKey={}",
            self.base_url, self.api_key
        );
        let (status, body) = get_text(&self.client, NAME, &url).await?;
        let json: Option<Value> = serde_json::from_str(&body).ok();
        let why = json
            .as_ref()
            .and_then(|j| j.get("error").or_else(|| j.get("message")))
            .and_then(Value::as_str)
            .map(str::to_string);
        match status {
            200..=299 => {}
            429 => {
                return Err(MarketError::RateLimited(
                    NAME,
                    why.unwrap_or_else(|| "HTTP 429".into()),
                ))
            }
            401 | 403 => {
                return Err(MarketError::Refused(
                    NAME,
                    why.unwrap_or_else(|| format!("HTTP {status}")),
                ))
            }
            _ => {
                return Err(MarketError::Unavailable(
                    NAME,
                    why.unwrap_or_else(|| format!("HTTP {status}")),
                ))
            }
        }
        let json = json.ok_or_else(|| MarketError::Malformed(NAME, "not JSON".into()))?;
        if json.get("status").and_then(Value::as_str) == Some("ERROR") {
            return Err(MarketError::Refused(
                NAME,
                why.unwrap_or_else(|| "status ERROR".into()),
            ));
        }
        Ok(json)
    }
}

/// One aggregate bar; `v` may come as a float in exponent form.
#[derive(Deserialize)]
struct Aggregate {
    o: f64,
    h: f64,
    l: f64,
    c: f64,
    #[serde(default)]
    v: f64,
    /// Unix milliseconds of the window's start.
    t: i64,
}

#[derive(Deserialize)]
struct Aggregates {
    #[serde(default)]
    results: Vec<Aggregate>,
}

fn aggregates(json: &Value) -> MarketResult<Vec<Aggregate>> {
    Aggregates::deserialize(json)
        .map(|a| a.results)
        .map_err(|err| MarketError::Malformed(NAME, err.to_string()))
}

fn day_of(millis: i64) -> MarketResult<NaiveDate> {
    DateTime::from_timestamp_millis(millis)
        .map(|t| t.date_naive())
        .ok_or_else(|| MarketError::Malformed(NAME, format!("time {millis}")))
}

/// `/v2/aggs/ticker/{T}/prev`: the last session, which is what a free key can see.
pub fn parse_previous_close(symbol: &str, json: &Value) -> MarketResult<Quote> {
    let bar = aggregates(json)?
        .into_iter()
        .next()
        .ok_or_else(|| MarketError::UnknownSymbol(NAME, symbol.to_string()))?;
    Ok(Quote {
        symbol: symbol.to_string(),
        price: bar.c,
        open: Some(bar.o),
        high: Some(bar.h),
        low: Some(bar.l),
        previous_close: None,
        volume: Some(bar.v),
        as_of: day_of(bar.t)?.format("%Y-%m-%d").to_string(),
        source: NAME.into(),
        simulated: false,
        delayed: true,
    })
}

/// Aggregates as bars, each dated by `date_of` its start (milliseconds since the epoch).
fn bars(json: &Value, date_of: impl Fn(i64) -> MarketResult<String>) -> MarketResult<Vec<Bar>> {
    aggregates(json)?
        .into_iter()
        .map(|a| {
            Ok(Bar {
                date: date_of(a.t)?,
                open: a.o,
                high: a.h,
                low: a.l,
                close: a.c,
                volume: a.v,
                simulated: false,
            })
        })
        .collect()
}

pub fn parse_daily(symbol: &str, json: &Value) -> MarketResult<Vec<Bar>> {
    // Daily windows start at midnight New York time, i.e. 04:00 or 05:00 UTC.
    let mut bars = bars(json, |t| Ok(day_of(t)?.format("%Y-%m-%d").to_string()))?;
    if bars.is_empty() {
        return Err(MarketError::UnknownSymbol(NAME, symbol.to_string()));
    }
    bars.sort_by(|a, b| a.date.cmp(&b.date));
    Ok(bars)
}

/// Minute aggregates (`/range/5/minute/…`): the last sessions' bars, in New York time (the
/// exchanges' own, as the other sources give it).
pub fn parse_intraday(symbol: &str, json: &Value) -> MarketResult<Vec<Bar>> {
    let bars = bars(json, |t| {
        DateTime::from_timestamp_millis(t)
            .map(|time| {
                time.with_timezone(&chrono_tz::America::New_York)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .ok_or_else(|| MarketError::Malformed(NAME, format!("time {t}")))
    })?;
    super::provider::recent_sessions(symbol, bars, NAME)
}

pub fn parse_search(json: &Value) -> MarketResult<Vec<SymbolInfo>> {
    let results = json
        .get("results")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    Ok(results
        .iter()
        .filter_map(|r| {
            let text = |key: &str| {
                r.get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            Some(SymbolInfo {
                symbol: symbol::normalize(r.get("ticker")?.as_str()?)?,
                name: text("name"),
                exchange: text("primary_exchange"),
                sector: String::new(),
            })
        })
        .collect())
}

pub fn parse_news(json: &Value) -> MarketResult<Vec<NewsItem>> {
    let results = json
        .get("results")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    Ok(results
        .iter()
        .filter_map(|r| {
            let text = |key: &str| {
                r.get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let published = DateTime::parse_from_rfc3339(r.get("published_utc")?.as_str()?).ok()?;
            Some(NewsItem {
                title: text("title"),
                url: text("article_url"),
                source: r
                    .get("publisher")
                    .and_then(|p| p.get("name"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                published_at: published
                    .naive_utc()
                    .format("%Y-%m-%dT%H:%M:%S")
                    .to_string(),
                summary: text("description"),
                sentiment: None,
            })
        })
        .collect())
}

#[async_trait::async_trait]
impl Provider for Polygon {
    fn name(&self) -> &'static str {
        NAME
    }

    /// A free key sees the previous close and allows 5 calls a minute: every five minutes is plenty.
    fn quote_every(&self) -> std::time::Duration {
        std::time::Duration::from_secs(300)
    }

    async fn quote(&self, symbol: &str) -> MarketResult<Quote> {
        if !symbol::is_us(symbol) {
            return Err(MarketError::UnknownSymbol(NAME, symbol.to_string()));
        }
        parse_previous_close(
            symbol,
            &self.call(&format!("/v2/aggs/ticker/{symbol}/prev")).await?,
        )
    }

    async fn daily(&self, symbol: &str, from: NaiveDate, to: NaiveDate) -> MarketResult<Vec<Bar>> {
        if !symbol::is_us(symbol) {
            return Err(MarketError::UnknownSymbol(NAME, symbol.to_string()));
        }
        let path = format!(
            "/v2/aggs/ticker/{symbol}/range/1/day/{from}/{to}?adjusted=true&sort=asc&limit=50000"
        );
        parse_daily(symbol, &self.call(&path).await?)
    }

    async fn intraday(&self, symbol: &str) -> MarketResult<Vec<Bar>> {
        if !symbol::is_us(symbol) {
            return Err(MarketError::UnknownSymbol(NAME, symbol.to_string()));
        }
        // Eight days cover five sessions across a weekend and a holiday.
        let to = chrono::Utc::now().date_naive();
        let from = to - chrono::Duration::days(8);
        let path = format!("/v2/aggs/ticker/{symbol}/range/5/minute/{from}/{to}?adjusted=true&sort=asc&limit=50000");
        parse_intraday(symbol, &self.call(&path).await?)
    }

    async fn search(&self, query: &str) -> MarketResult<Vec<SymbolInfo>> {
        let query: String = query
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ')
            .collect();
        parse_search(
            &self
                .call(&format!(
                    "/v3/reference/tickers?search={}&active=true&limit=20",
                    query.trim().replace(' ', "+")
                ))
                .await?,
        )
    }

    async fn news(&self, symbol: &str) -> MarketResult<Vec<NewsItem>> {
        parse_news(
            &self
                .call(&format!("/v2/reference/news?ticker={symbol}&limit=20"))
                .await?,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Bodies from Polygon's client-python test fixtures (../shared/fixtures/providers/README.md, E3).
    const AGGS: &str = r#"{"ticker":"AAPL","queryCount":2,"resultsCount":2,"adjusted":true,"results":[{"v":6.42646396e+08,"vw":1.469,"o":1.5032,"c":1.4604,"h":1.5064,"l":1.4489,"t":1112331600000,"n":82132},{"v":5.78172308e+08,"vw":1.4589,"o":1.4639,"c":1.4675,"h":1.4754,"l":1.4343,"t":1112587200000,"n":65543}],"status":"OK","request_id":"12afda77aab3b1936c5fb6ef4241ae42","count":2}"#;
    const PREV: &str = r#"{"ticker":"AAPL","queryCount":1,"resultsCount":1,"adjusted":true,"results":[{"T":"AAPL","v":9.5595226e+07,"vw":158.6074,"o":162.25,"c":156.8,"h":162.34,"l":156.72,"t":1651003200000,"n":899965}],"status":"OK","request_id":"5e5378d5ecaf3df794bb52e45d015d2e","count":1}"#;
    const EMPTY: &str = r#"{"ticker":"AAPL","queryCount":0,"resultsCount":0,"adjusted":true,"status":"OK","request_id":"abc","count":0}"#;

    fn json(body: &str) -> Value {
        serde_json::from_str(body).unwrap()
    }

    #[test]
    fn aggregates_become_dated_bars() {
        let bars = parse_daily("AAPL", &json(AGGS)).unwrap();
        assert_eq!(
            bars.iter().map(|b| b.date.as_str()).collect::<Vec<_>>(),
            ["2005-04-01", "2005-04-04"]
        );
        assert_eq!(
            (bars[0].open, bars[0].close, bars[0].volume),
            (1.5032, 1.4604, 642_646_396.0)
        );
        assert_eq!(
            parse_daily("AAPL", &json(EMPTY)),
            Err(MarketError::UnknownSymbol(NAME, "AAPL".into()))
        );
        assert!(matches!(
            parse_daily("AAPL", &json(r#"{"results":[{"o":"x"}]}"#)),
            Err(MarketError::Malformed(..))
        ));
    }

    #[test]
    fn minute_aggregates_are_the_last_sessions_in_new_york_time() {
        // The recorded aggregates body: minute aggregates come in the same shape. 05:00 and
        // 04:00 UTC are midnight in New York, before and after the change to summer time.
        let bars = parse_intraday("AAPL", &json(AGGS)).unwrap();
        let dates: Vec<&str> = bars.iter().map(|b| b.date.as_str()).collect();
        assert_eq!(dates, ["2005-04-01 00:00", "2005-04-04 00:00"]);
        assert_eq!(
            parse_intraday("AAPL", &json(EMPTY)),
            Err(MarketError::UnknownSymbol(NAME, "AAPL".into()))
        );
    }

    #[test]
    fn the_previous_close_is_the_quote() {
        let quote = parse_previous_close("AAPL", &json(PREV)).unwrap();
        assert_eq!(
            (quote.price, quote.as_of.as_str(), quote.source.as_str()),
            (156.8, "2022-04-26", "polygon")
        );
        assert_eq!(
            parse_previous_close("ZZZZ", &json(EMPTY)),
            Err(MarketError::UnknownSymbol(NAME, "ZZZZ".into()))
        );
    }
}
