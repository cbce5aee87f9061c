//! Market-data sources behind one trait, and the chain configuration builds from them
//! (`MARKET_PROVIDERS=stooq,offline`): each request goes to the first source that answers; a
//! source that keeps failing is skipped for a while (circuit breaker), so an unreachable network
//! costs no page any waiting.

use std::time::Duration;

use chrono::NaiveDate;

use super::{Bar, Earnings, NewsItem, Quote, SymbolInfo};
use crate::platform::{breaker::CircuitBreaker, metrics::METRICS};

/// Why a source gave no usable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarketError {
    #[error("{0} does not know the symbol {1}")]
    UnknownSymbol(&'static str, String),
    #[error("{0} is rate limited: {1}")]
    RateLimited(&'static str, String),
    /// It answered, but not with data: an HTML page, a demand for a key, "not entitled".
    #[error("{0} refused: {1}")]
    Refused(&'static str, String),
    #[error("{0} sent something unreadable: {1}")]
    Malformed(&'static str, String),
    #[error("{0} is unreachable: {1}")]
    Unavailable(&'static str, String),
    #[error("{0} does not offer this")]
    Unsupported(&'static str),
}

impl MarketError {
    /// A failure of the source itself, as opposed to an answer about the request.
    fn counts_against_source(&self) -> bool {
        !matches!(
            self,
            MarketError::UnknownSymbol(..) | MarketError::Unsupported(_)
        )
    }
}

/// What a source answered with.
pub type MarketResult<T> = Result<T, MarketError>;

#[async_trait::async_trait]
pub trait Provider: Send + Sync {
    /// "stooq", "alpha vantage", "polygon", "offline": shown beside the figures.
    fn name(&self) -> &'static str;
    async fn quote(&self, symbol: &str) -> MarketResult<Quote>;
    /// How often a price on screen may be asked for again: the source's allowed rate, shared by
    /// everyone watching the symbol on every instance.
    fn quote_every(&self) -> Duration {
        Duration::from_secs(60)
    }
    /// Daily bars from `from` to `to` (both included), oldest first.
    async fn daily(&self, symbol: &str, from: NaiveDate, to: NaiveDate) -> MarketResult<Vec<Bar>>;
    /// The last sessions' 5-minute bars (up to five sessions), oldest first, if the source has
    /// intraday prices (`date` is "2022-04-21 15:55", in the exchange's time).
    async fn intraday(&self, _symbol: &str) -> MarketResult<Vec<Bar>> {
        Err(MarketError::Unsupported(self.name()))
    }
    async fn search(&self, _query: &str) -> MarketResult<Vec<SymbolInfo>> {
        Err(MarketError::Unsupported(self.name()))
    }
    async fn news(&self, _symbol: &str) -> MarketResult<Vec<NewsItem>> {
        Err(MarketError::Unsupported(self.name()))
    }
    /// The company's coming earnings reports, earliest first, if the source has a calendar.
    async fn earnings(&self, _symbol: &str) -> MarketResult<Vec<Earnings>> {
        Err(MarketError::Unsupported(self.name()))
    }
}

/// Consecutive failures that take a source out of the chain…
const FAILURES_TO_SKIP: u32 = 3;
/// …for this long.
const SKIP_FOR: Duration = Duration::from_secs(120);
/// How long a source that said "rate limited" is left alone.
const RATE_LIMIT_PAUSE: Duration = Duration::from_secs(60);

struct Link {
    provider: Box<dyn Provider>,
    breaker: CircuitBreaker,
}

/// The configured sources, in order.
pub struct Chain {
    links: Vec<Link>,
}

impl Chain {
    pub fn new(providers: Vec<Box<dyn Provider>>) -> Chain {
        Chain {
            links: providers
                .into_iter()
                .map(|provider| Link {
                    provider,
                    breaker: CircuitBreaker::new(FAILURES_TO_SKIP, SKIP_FOR),
                })
                .collect(),
        }
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.links.iter().map(|l| l.provider.name()).collect()
    }

    /// How often a watched price is asked for: as the first source allows.
    pub fn quote_every(&self) -> Duration {
        self.links
            .first()
            .map_or(Duration::from_secs(60), |l| l.provider.quote_every())
    }

    /// Asks each source in turn until one answers. When none does, the error says the symbol is
    /// unknown if every source that was asked said so, else the last failure.
    async fn first<'s, T, F>(&'s self, ask: F) -> MarketResult<(T, &'static str)>
    where
        F: Fn(&'s dyn Provider) -> futures::future::BoxFuture<'s, MarketResult<T>>,
    {
        let mut unknown: Option<MarketError> = None;
        let mut failure: Option<MarketError> = None;
        let mut unsupported: Option<MarketError> = None;
        for link in &self.links {
            if !link.breaker.allows() {
                continue;
            }
            match ask(link.provider.as_ref()).await {
                Ok(answer) => {
                    link.breaker.succeeded();
                    return Ok((answer, link.provider.name()));
                }
                Err(err) => {
                    if err.counts_against_source() {
                        tracing::warn!(source = link.provider.name(), error = %err, "market source failed; trying the next");
                        METRICS.provider_failed(link.provider.name());
                        if let MarketError::RateLimited(..) = err {
                            link.breaker.pause(RATE_LIMIT_PAUSE);
                        } else if link.breaker.failed() {
                            tracing::warn!(
                                source = link.provider.name(),
                                "market source skipped for {:?}",
                                SKIP_FOR
                            );
                        }
                        failure = Some(err);
                    } else {
                        link.breaker.succeeded();
                        match err {
                            MarketError::UnknownSymbol(..) => {
                                unknown.get_or_insert(err);
                            }
                            _ => {
                                unsupported.get_or_insert(err);
                            }
                        }
                    }
                }
            }
        }
        // Nobody could answer: the symbol is unknown, a source failed, or no source offers this
        // at all (intraday prices from the offline source, say) — in that order.
        Err(unknown
            .or(failure)
            .or(unsupported)
            .unwrap_or(MarketError::Unavailable(
                "market data",
                "no source is configured or available".into(),
            )))
    }

    pub async fn quote<'s>(&'s self, symbol: &'s str) -> MarketResult<Quote> {
        self.first(|p| Box::pin(p.quote(symbol)))
            .await
            .map(|(quote, _)| quote)
    }

    /// The bars and the name of the source that gave them.
    pub async fn daily<'s>(
        &'s self,
        symbol: &'s str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> MarketResult<(Vec<Bar>, &'static str)> {
        self.first(|p| Box::pin(p.daily(symbol, from, to))).await
    }

    /// The latest session's 5-minute bars and the source that gave them.
    pub async fn intraday<'s>(&'s self, symbol: &'s str) -> MarketResult<(Vec<Bar>, &'static str)> {
        self.first(|p| Box::pin(p.intraday(symbol))).await
    }

    pub async fn search<'s>(&'s self, query: &'s str) -> MarketResult<Vec<SymbolInfo>> {
        self.first(|p| Box::pin(p.search(query)))
            .await
            .map(|(found, _)| found)
    }

    pub async fn news<'s>(&'s self, symbol: &'s str) -> MarketResult<Vec<NewsItem>> {
        self.first(|p| Box::pin(p.news(symbol)))
            .await
            .map(|(news, _)| news)
    }

    pub async fn earnings<'s>(&'s self, symbol: &'s str) -> MarketResult<Vec<Earnings>> {
        self.first(|p| Box::pin(p.earnings(symbol)))
            .await
            .map(|(reports, _)| reports)
    }
}

/// Sessions an intraday answer keeps at most (the five-day chart's).
pub const SESSIONS: usize = 5;

/// Sorts intraday bars and keeps the last [`SESSIONS`] days'.
pub fn recent_sessions(
    symbol: &str,
    mut bars: Vec<Bar>,
    source: &'static str,
) -> MarketResult<Vec<Bar>> {
    fn day(bar: &Bar) -> &str {
        bar.date.get(..10).unwrap_or(&bar.date)
    }
    bars.sort_by(|a, b| a.date.cmp(&b.date));
    let mut days: Vec<&str> = bars.iter().map(day).collect();
    days.dedup();
    let Some(first) = days
        .len()
        .checked_sub(SESSIONS.min(days.len()))
        .and_then(|i| days.get(i))
    else {
        return Err(MarketError::UnknownSymbol(source, symbol.to_string()));
    };
    let first = first.to_string();
    bars.retain(|b| day(b) >= first.as_str());
    Ok(bars)
}

/// The HTTP client every hosted source uses: short timeouts, because a slow source is skipped
/// for the next one rather than waited for.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(8))
        .connect_timeout(Duration::from_secs(3))
        .user_agent(concat!("Bullpen/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("an HTTP client with timeouts builds")
}

/// GETs `url` and returns the status and body, or why there was none.
pub async fn get_text(
    client: &reqwest::Client,
    source: &'static str,
    url: &str,
) -> MarketResult<(u16, String)> {
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|err| MarketError::Unavailable(source, without_url(err)))?;
    let status = response.status().as_u16();
    let body = response
        .text()
        .await
        .map_err(|err| MarketError::Unavailable(source, without_url(err)))?;
    Ok((status, body))
}

/// reqwest's error text without the URL, which may carry an API key.
fn without_url(err: reqwest::Error) -> String {
    if err.is_timeout() {
        "timed out".into()
    } else if err.is_connect() {
        "could not connect".into()
    } else {
        err.without_url().to_string()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    };

    use super::*;

    /// A source that answers from a script and counts calls.
    struct Scripted {
        name: &'static str,
        answer: MarketResult<f64>,
        calls: Arc<AtomicUsize>,
    }

    #[async_trait::async_trait]
    impl Provider for Scripted {
        fn name(&self) -> &'static str {
            self.name
        }
        async fn quote(&self, symbol: &str) -> MarketResult<Quote> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            self.answer.clone().map(|price| Quote {
                symbol: symbol.into(),
                price,
                open: None,
                high: None,
                low: None,
                previous_close: None,
                volume: None,
                as_of: "2026-01-02".into(),
                source: self.name.into(),
                simulated: false,
                delayed: false,
            })
        }
        async fn daily(&self, _: &str, _: NaiveDate, _: NaiveDate) -> MarketResult<Vec<Bar>> {
            Err(MarketError::Unsupported(self.name))
        }
    }

    fn scripted(
        name: &'static str,
        answer: MarketResult<f64>,
    ) -> (Box<dyn Provider>, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        (
            Box::new(Scripted {
                name,
                answer,
                calls: calls.clone(),
            }),
            calls,
        )
    }

    #[tokio::test]
    async fn a_failing_source_falls_through_and_is_skipped_after_a_run_of_failures() {
        let (down, down_calls) = scripted(
            "stooq",
            Err(MarketError::Refused("stooq", "an HTML page".into())),
        );
        let (offline, _) = scripted("offline", Ok(93.42));
        let chain = Chain::new(vec![down, offline]);
        for _ in 0..5 {
            let quote = chain.quote("AAPL").await.unwrap();
            assert_eq!((quote.price, quote.source.as_str()), (93.42, "offline"));
        }
        assert_eq!(
            down_calls.load(Ordering::SeqCst),
            FAILURES_TO_SKIP as usize,
            "skipped once the circuit opened"
        );
    }

    #[tokio::test]
    async fn unknown_everywhere_is_unknown_and_a_rate_limit_pauses_the_source() {
        let (limited, limited_calls) = scripted(
            "alpha vantage",
            Err(MarketError::RateLimited("alpha vantage", "25 a day".into())),
        );
        let (unknown, _) = scripted(
            "offline",
            Err(MarketError::UnknownSymbol("offline", "ZZZZ".into())),
        );
        let chain = Chain::new(vec![limited, unknown]);
        assert!(
            matches!(chain.quote("ZZZZ").await, Err(MarketError::UnknownSymbol(_, s)) if s == "ZZZZ")
        );
        chain.quote("ZZZZ").await.unwrap_err();
        assert_eq!(
            limited_calls.load(Ordering::SeqCst),
            1,
            "paused after its rate limit"
        );

        let (down, _) = scripted(
            "polygon",
            Err(MarketError::Unavailable(
                "polygon",
                "could not connect".into(),
            )),
        );
        let chain = Chain::new(vec![down]);
        assert!(matches!(
            chain.quote("AAPL").await,
            Err(MarketError::Unavailable(..))
        ));
        assert!(Chain::new(vec![]).quote("AAPL").await.is_err());
    }
}
