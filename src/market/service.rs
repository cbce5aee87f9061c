//! Quotes and history for the rest of the app: from the database cache while fresh (a quote for
//! 60 s or the source's pace, a symbol's history for a day — shared by restarts and instances), else from the
//! provider chain. Concurrent requests for the same symbol wait for one upstream call.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use chrono::{Duration, Months, Utc};
use sea_orm::DatabaseConnection;
use serde::{de::DeserializeOwned, Serialize};

use super::{
    alpha_vantage::AlphaVantage,
    directory,
    offline::{Clock, Offline},
    polygon::Polygon,
    provider::{http_client, Chain, MarketError, MarketResult, Provider},
    stooq::Stooq,
    Earnings, History, NewsItem, Quote, SymbolInfo,
};
use crate::{
    entities::market_cache,
    platform::config::{MarketConfig, MarketSource},
};

const QUOTE_TTL: Duration = Duration::seconds(60);
const HISTORY_TTL: Duration = Duration::hours(24);
const NEWS_TTL: Duration = Duration::minutes(30);
/// Earnings calendars move rarely.
const EARNINGS_TTL: Duration = Duration::hours(12);
const INTRADAY_TTL: Duration = Duration::minutes(5);

/// The symbols a person holds (the portfolio's: given by the composition root, as market knows
/// no portfolio). Recommendations rank them beside the watchlist.
pub struct Holdings(pub HoldingsQuery);

/// (db, person) → the symbols they hold.
pub type HoldingsQuery = for<'a> fn(
    &'a DatabaseConnection,
    uuid::Uuid,
) -> futures::future::BoxFuture<
    'a,
    Result<Vec<String>, crate::platform::error::AppError>,
>;

/// History kept per symbol: the longest chart range (5 years) plus the 200 trading days the
/// slowest moving average needs before its first point.
const HISTORY_MONTHS: u32 = 5 * 12 + 10;
/// Parsed histories kept in memory (a portfolio's value chart reads one per holding).
const HISTORIES_IN_MEMORY: usize = 256;

/// A turn at one cache key: the key's lock, shared by everyone asking for it. When the last one
/// lets go (done, or gone because its request was dropped), the key leaves the map, which so
/// holds only keys being fetched, not every symbol anyone ever asked for.
struct Turn<'m> {
    market: &'m Market,
    key: &'m str,
    lock: Arc<tokio::sync::Mutex<()>>,
}

impl<'m> Turn<'m> {
    fn take(market: &'m Market, key: &'m str) -> Turn<'m> {
        let mut in_flight = market.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        let lock = in_flight.entry(key.to_string()).or_default().clone();
        Turn { market, key, lock }
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut in_flight = self
            .market
            .in_flight
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        // Held by the map and by this turn only: nobody else is waiting.
        if in_flight
            .get(self.key)
            .is_some_and(|held| Arc::ptr_eq(held, &self.lock) && Arc::strong_count(held) == 2)
        {
            in_flight.remove(self.key);
        }
    }
}

/// A parsed history and when the database's copy of it expires.
type CachedHistory = (chrono::DateTime<Utc>, Arc<History>);

pub struct Market {
    chain: Chain,
    /// One lock per cache key: the first request fetches, the others wait and read the cache.
    in_flight: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// The database cache's histories, parsed, until they expire there too: reading and parsing
    /// a few years of bars per symbol is most of a portfolio chart's time. Per instance; it never
    /// serves anything older than the database would.
    histories: Mutex<HashMap<String, CachedHistory>>,
}

impl Market {
    pub fn new(chain: Chain) -> Market {
        Market {
            chain,
            in_flight: Mutex::new(HashMap::new()),
            histories: Mutex::new(HashMap::new()),
        }
    }

    pub fn from_config(config: &MarketConfig) -> Market {
        let client = http_client();
        let providers = config
            .providers
            .iter()
            .map(|source| -> Box<dyn Provider> {
                match source {
                    MarketSource::Stooq => Box::new(Stooq::new(
                        client.clone(),
                        &config.stooq_url,
                        config.stooq_key.clone(),
                    )),
                    MarketSource::AlphaVantage => Box::new(AlphaVantage::new(
                        client.clone(),
                        &config.alpha_vantage_url,
                        config.alpha_vantage_key.clone().unwrap_or_default(),
                    )),
                    MarketSource::Polygon => Box::new(Polygon::new(
                        client.clone(),
                        &config.polygon_url,
                        config.polygon_key.clone().unwrap_or_default(),
                    )),
                    MarketSource::Offline => Box::new(Offline::with_clock(
                        config.clock.map(Clock::starting_at).unwrap_or_default(),
                    )),
                }
            })
            .collect();
        Market::new(Chain::new(providers))
    }

    /// Cache keys being fetched right now.
    pub fn fetches_in_flight(&self) -> usize {
        self.in_flight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    /// The configured sources, in order ("stooq, offline").
    pub fn sources(&self) -> Vec<&'static str> {
        self.chain.names()
    }

    /// The latest quote: cached for a minute, or less where the source moves faster (the
    /// offline simulation), so that a page agrees with the live price beside it.
    pub async fn quote(&self, db: &DatabaseConnection, symbol: &str) -> MarketResult<Quote> {
        let ttl = Duration::from_std(self.quote_every())
            .unwrap_or(QUOTE_TTL)
            .min(QUOTE_TTL);
        self.cached(
            db,
            &format!("quote:{symbol}"),
            ttl,
            || self.chain.quote(symbol),
            |q: &Quote| q.source.clone(),
        )
        .await
        .map(|(quote, _)| quote)
    }

    /// How often a watched price is asked for (`live`): as the first source allows.
    pub fn quote_every(&self) -> std::time::Duration {
        self.chain.quote_every()
    }

    /// The quote, no older than `max_age` (a watched price's turn).
    pub async fn fresh_quote(
        &self,
        db: &DatabaseConnection,
        symbol: &str,
        max_age: Duration,
    ) -> MarketResult<Quote> {
        self.cached(
            db,
            &format!("quote:{symbol}"),
            max_age,
            || self.chain.quote(symbol),
            |q: &Quote| q.source.clone(),
        )
        .await
        .map(|(quote, _)| quote)
    }

    /// About the last five years and ten months of daily bars, oldest first.
    pub async fn history(&self, db: &DatabaseConnection, symbol: &str) -> MarketResult<History> {
        self.shared_history(db, symbol)
            .await
            .map(|history| (*history).clone())
    }

    /// `history`, shared rather than copied.
    pub async fn shared_history(
        &self,
        db: &DatabaseConnection,
        symbol: &str,
    ) -> MarketResult<Arc<History>> {
        let now = Utc::now();
        if let Some((fetched, history)) = self
            .histories
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(symbol)
        {
            if now - *fetched < HISTORY_TTL {
                return Ok(history.clone());
            }
        }
        let today = now.date_naive();
        let from = today
            .checked_sub_months(Months::new(HISTORY_MONTHS))
            .unwrap_or(today);
        let fetch = || async {
            let (bars, source) = self.chain.daily(symbol, from, today).await?;
            Ok(History {
                symbol: symbol.to_string(),
                bars,
                source: source.to_string(),
                fetched_at: String::new(),
            })
        };
        let (mut history, (_, fetched_at)) = self
            .cached(
                db,
                &format!("daily:{symbol}"),
                HISTORY_TTL,
                fetch,
                |h: &History| h.source.clone(),
            )
            .await?;
        history.fetched_at = fetched_at;
        let history = Arc::new(history);
        if let Ok(fetched) = chrono::DateTime::parse_from_rfc3339(&history.fetched_at) {
            let mut kept = self.histories.lock().unwrap_or_else(|p| p.into_inner());
            if kept.len() >= HISTORIES_IN_MEMORY {
                // Make room: drop what has expired, else the oldest.
                kept.retain(|_, (at, _)| now - *at < HISTORY_TTL);
                if kept.len() >= HISTORIES_IN_MEMORY {
                    if let Some(oldest) = kept
                        .iter()
                        .min_by_key(|(_, (at, _))| *at)
                        .map(|(k, _)| k.clone())
                    {
                        kept.remove(&oldest);
                    }
                }
            }
            kept.insert(
                symbol.to_string(),
                (fetched.with_timezone(&Utc), history.clone()),
            );
        }
        Ok(history)
    }

    /// The last sessions' 5-minute bars, from the first source that has intraday prices. Kept
    /// as long as a watched quote (the last candle moves with it), at most five minutes.
    pub async fn intraday(&self, db: &DatabaseConnection, symbol: &str) -> MarketResult<History> {
        let fetch = || async {
            let (bars, source) = self.chain.intraday(symbol).await?;
            Ok(History {
                symbol: symbol.to_string(),
                bars,
                source: source.to_string(),
                fetched_at: String::new(),
            })
        };
        let (mut history, (_, fetched_at)) = self
            .cached(
                db,
                &format!("intraday:{symbol}"),
                Duration::from_std(self.quote_every())
                    .unwrap_or(INTRADAY_TTL)
                    .min(INTRADAY_TTL),
                fetch,
                |h: &History| h.source.clone(),
            )
            .await?;
        history.fetched_at = fetched_at;
        Ok(history)
    }

    /// Recent articles about a symbol, from the first source that has news.
    pub async fn news(&self, db: &DatabaseConnection, symbol: &str) -> MarketResult<Vec<NewsItem>> {
        self.cached(
            db,
            &format!("news:{symbol}"),
            NEWS_TTL,
            || self.chain.news(symbol),
            |_: &Vec<NewsItem>| "news".to_string(),
        )
        .await
        .map(|(news, _)| news)
    }

    /// A company's next earnings report from today on, when a source's calendar knows it.
    pub async fn next_earnings(
        &self,
        db: &DatabaseConnection,
        symbol: &str,
    ) -> MarketResult<Option<Earnings>> {
        let (reports, _) = self
            .cached(
                db,
                &format!("earnings:{symbol}"),
                EARNINGS_TTL,
                || self.chain.earnings(symbol),
                |_: &Vec<Earnings>| "earnings".to_string(),
            )
            .await?;
        let today = Utc::now().date_naive().format("%Y-%m-%d").to_string();
        // ISO dates compare as text.
        Ok(reports.into_iter().find(|r| r.report_date >= today))
    }

    /// Companies for a search box: the shipped directory, which knows names offline.
    pub fn search(&self, query: &str) -> Vec<SymbolInfo> {
        directory::search(query, 10)
    }

    /// `fetch` unless the cache has a fresh answer under `key`; the answer comes back with its
    /// source and when it was fetched.
    async fn cached<T, F, Fut>(
        &self,
        db: &DatabaseConnection,
        key: &str,
        ttl: Duration,
        fetch: F,
        source_of: impl Fn(&T) -> String,
    ) -> MarketResult<(T, (String, String))>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = MarketResult<T>>,
    {
        let turn = Turn::take(self, key);
        let _held = turn.lock.lock().await;
        match super::repo::cached(db, key).await {
            Ok(Some(row)) if Utc::now() - row.fetched_at < ttl => {
                if let Ok(value) = serde_json::from_str::<T>(&row.body) {
                    return Ok((value, (row.source, row.fetched_at.to_rfc3339())));
                }
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "market cache unreadable; asking the source"),
        }
        let value = fetch().await?;
        let source = source_of(&value);
        let now = Utc::now();
        let entry = market_cache::Model {
            key: key.to_string(),
            body: serde_json::to_string(&value)
                .map_err(|e| MarketError::Malformed("cache", e.to_string()))?,
            source: source.clone(),
            fetched_at: now,
        };
        let stored = super::repo::store_cached(db, entry).await;
        if let Err(err) = stored {
            tracing::warn!(error = %err, key, "could not cache market data");
        }
        Ok((value, (source, now.to_rfc3339())))
    }
}
