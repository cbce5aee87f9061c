//! The offline source: works with no network and no key.
//!
//! Real daily prices where the app ships them (`assets/market/history.csv`: AAPL, IBM, MSFT,
//! GOOG 2000–2013 from Quandl WIKI, the S&P 500 index 1999–2018; see CREDITS.md), adjusted for
//! every split since, so charts have no cliffs and line up with today's prices. Beyond that —
//! symbols of the directory without history, and every day after the real data ends — a
//! deterministic simulation: a random walk seeded per symbol (the same symbol and day always
//! give the same bar), with the volatility measured on the real data, pulled to about where
//! each stock really closed on the first trading day of 2025 ([`ANCHORS`]) so that today's
//! simulated prices look like a market. Every simulated bar and quote says so.
//! Weekends are skipped; exchange holidays are not known to the simulation.

use std::{
    collections::HashMap,
    sync::{Arc, LazyLock, Mutex},
};

use chrono::{Datelike, Days, NaiveDate, Utc, Weekday};

use super::{
    directory,
    provider::{MarketError, MarketResult, Provider},
    Bar, Quote, SymbolInfo,
};

const NAME: &str = "offline";
const HISTORY_CSV: &str = include_str!("../../assets/market/history.csv");

/// Every split since the shipped history began (the WIKI prices are not adjusted): date, ratio.
/// Those after the real data ends adjust all of it, as a broker's "adjusted" history does, so
/// the real series lines up with today's share prices (AAPL's 430.47 of 2013 is 15.37 today).
const SPLITS: &[(&str, &str, f64)] = &[
    ("AAPL", "2000-06-21", 2.0),
    ("AAPL", "2005-02-28", 2.0),
    ("AAPL", "2014-06-09", 7.0),
    ("AAPL", "2020-08-31", 4.0),
    ("MSFT", "2003-02-18", 2.0),
    ("GOOG", "2014-04-03", 2.0),
    ("GOOG", "2022-07-18", 20.0),
];

/// Where the simulation passes on [`ANCHOR_DAY`]: about each shipped symbol's real close that
/// day, so the years between the end of the real data and now arrive where the market really
/// was rather than wherever a thirteen-year random walk wanders (MSFT at 22, GOOG at 5,242).
const ANCHORS: &[(&str, f64)] = &[
    ("AAPL", 243.85),
    ("MSFT", 418.58),
    ("GOOG", 190.63),
    ("IBM", 223.75),
    ("^SPX", 5868.55),
];
/// The first trading day of 2025.
const ANCHOR_DAY: &str = "2025-01-02";

/// Where a symbol without real history starts its simulated walk.
const SIMULATION_START: &str = "2000-01-03";
/// Trading days a year, to turn annual figures into daily ones.
const TRADING_DAYS: f64 = 252.0;
/// Yearly drift of the simulation: about the long-run return of US stocks.
const DRIFT: f64 = 0.07;

/// The shipped real history, split-adjusted, per symbol.
static REAL: LazyLock<HashMap<String, Vec<Bar>>> = LazyLock::new(|| {
    let mut history: HashMap<String, Vec<Bar>> = HashMap::new();
    for line in HISTORY_CSV.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (Some(symbol), Some(date)) = (f.first(), f.get(1)) else {
            continue;
        };
        let number = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        history.entry(symbol.to_string()).or_default().push(Bar {
            date: date.to_string(),
            open: number(2),
            high: number(3),
            low: number(4),
            close: number(5),
            volume: number(6),
            simulated: false,
        });
    }
    for (symbol, day, ratio) in SPLITS {
        if let Some(bars) = history.get_mut(*symbol) {
            for bar in bars.iter_mut().filter(|b| b.date.as_str() < *day) {
                bar.open /= ratio;
                bar.high /= ratio;
                bar.low /= ratio;
                bar.close /= ratio;
                bar.volume *= ratio;
            }
        }
    }
    history
});

/// Annualised volatility of daily log returns over a series.
fn annual_volatility(bars: &[Bar]) -> Option<f64> {
    let returns: Vec<f64> = bars
        .windows(2)
        .map(|w| (w[1].close / w[0].close).ln())
        .filter(|r| r.is_finite())
        .collect();
    if returns.len() < 20 {
        return None;
    }
    let mean = returns.iter().sum::<f64>() / returns.len() as f64;
    let variance =
        returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (returns.len() - 1) as f64;
    Some((variance * TRADING_DAYS).sqrt())
}

/// The median volatility of the real stocks (the index excluded): what a simulated company
/// without history of its own gets, varied per symbol.
static TYPICAL_VOLATILITY: LazyLock<f64> = LazyLock::new(|| {
    let mut all: Vec<f64> = REAL
        .iter()
        .filter(|(s, _)| !s.starts_with('^'))
        .filter_map(|(_, bars)| annual_volatility(bars))
        .collect();
    all.sort_by(f64::total_cmp);
    all.get(all.len() / 2).copied().unwrap_or(0.3)
});

/// SplitMix64: a tiny, well-mixed hash, so every (symbol, day) has its own fixed random draw.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn seed_of(symbol: &str) -> u64 {
    symbol.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// A uniform number in (0, 1) from a hash.
fn uniform(hash: u64) -> f64 {
    ((hash >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

/// A standard normal draw (Box–Muller) from two hashes.
fn normal(a: u64, b: u64) -> f64 {
    (-2.0 * uniform(a).ln()).sqrt() * (std::f64::consts::TAU * uniform(b)).cos()
}

fn is_trading_day(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

fn parse_day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("dates in the shipped data are valid")
}

/// One symbol's series: its real bars, then simulated ones up to the last day asked for.
struct Series {
    bars: Vec<Bar>,
    seed: u64,
    daily_volatility: f64,
    base_volume: f64,
    /// The close the walk is pulled to on [`ANCHOR_DAY`] (a Brownian bridge), then walks freely.
    anchor: f64,
}

impl Series {
    fn new(symbol: &str) -> Option<Series> {
        let seed = seed_of(symbol);
        if let Some(real) = REAL.get(symbol) {
            let recent = &real[real.len().saturating_sub(250)..];
            let volatility = annual_volatility(recent).unwrap_or(*TYPICAL_VOLATILITY);
            let base_volume =
                recent.iter().map(|b| b.volume).sum::<f64>() / recent.len().max(1) as f64;
            let last = real.last().map_or(1.0, |b| b.close);
            let anchor = ANCHORS
                .iter()
                .find(|(s, _)| *s == symbol)
                .map_or(last, |(_, price)| *price);
            return Some(Series {
                bars: real.clone(),
                seed,
                daily_volatility: volatility / TRADING_DAYS.sqrt(),
                base_volume,
                anchor,
            });
        }
        directory::lookup(symbol)?;
        // A company without history: a price of 10–400 on the anchor day, reached from the
        // long-run drift's worth lower in 2000, and a volatility within ±30 % of the typical one,
        // all fixed by the symbol.
        let anchor = 10.0 * 40f64.powf(uniform(mix(seed ^ 1)));
        let years =
            (parse_day(ANCHOR_DAY) - parse_day(SIMULATION_START)).num_days() as f64 / 365.25;
        let start_price = anchor * (-DRIFT * years).exp();
        let volatility = *TYPICAL_VOLATILITY * (0.7 + 0.6 * uniform(mix(seed ^ 2)));
        let base_volume = 1e6 * 50f64.powf(uniform(mix(seed ^ 3)));
        let first = Bar {
            date: SIMULATION_START.to_string(),
            open: start_price,
            high: start_price,
            low: start_price,
            close: start_price,
            volume: base_volume,
            simulated: true,
        };
        Some(Series {
            bars: vec![first],
            seed,
            daily_volatility: volatility / TRADING_DAYS.sqrt(),
            base_volume,
            anchor,
        })
    }

    /// Simulates trading days after the last bar up to `until`.
    fn extend_to(&mut self, until: NaiveDate) {
        let mut last = self.bars.last().cloned().expect("a series has a first bar");
        let mut day = parse_day(&last.date);
        let sigma = self.daily_volatility;
        let drift = DRIFT / TRADING_DAYS - sigma * sigma / 2.0;
        let anchor_day = parse_day(ANCHOR_DAY);
        while let Some(next) = day.checked_add_days(Days::new(1)).filter(|d| *d <= until) {
            day = next;
            if !is_trading_day(day) {
                continue;
            }
            let key =
                self.seed ^ (day.num_days_from_ce() as u64).wrapping_mul(0x2545_f491_4f6c_dd1d);
            let draw = |i: u64| mix(key.wrapping_add(i));
            let shock = normal(draw(1), draw(2));
            let open = last.close * (0.2 * sigma * normal(draw(3), draw(4))).exp();
            // Until the anchor day each step closes an equal share of the gap to the anchor that
            // is left (in log terms), so the walk arrives there give or take a day's move.
            let step = if day <= anchor_day {
                let left = ((anchor_day - day).num_days() as f64 * 5.0 / 7.0).max(0.0) + 1.0;
                (self.anchor.ln() - last.close.ln()) / left
            } else {
                drift
            };
            let close = last.close * (step + sigma * shock).exp();
            let high = open.max(close) * (1.0 + 0.5 * sigma * normal(draw(5), draw(6)).abs());
            let low =
                open.min(close) * (1.0 - 0.5 * sigma * normal(draw(7), draw(8)).abs()).max(0.5);
            // Big moves trade more.
            let volume = (self.base_volume
                * (0.3 * normal(draw(9), draw(10))).exp()
                * (1.0 + shock.abs() * 0.5))
                .round();
            last = Bar {
                date: day.format("%Y-%m-%d").to_string(),
                open,
                high,
                low,
                close,
                volume,
                simulated: true,
            };
            self.bars.push(last.clone());
        }
    }
}

/// Series kept in memory at once (about half a megabyte each). The simulation is
/// deterministic, so a series dropped to make room comes back identical when asked for again.
const SERIES_KEPT: usize = 32;

/// The offline source. Series are simulated once per symbol and kept (up to `SERIES_KEPT`).
#[derive(Default, Clone)]
pub struct Offline {
    series: Arc<Mutex<HashMap<String, Series>>>,
}

impl Offline {
    pub fn new() -> Offline {
        Offline::default()
    }

    /// Runs `read` on the symbol's series extended to `until`.
    fn with_series<T>(
        &self,
        symbol: &str,
        until: NaiveDate,
        read: impl FnOnce(&[Bar]) -> T,
    ) -> MarketResult<T> {
        let mut all = self.series.lock().unwrap_or_else(|p| p.into_inner());
        if !all.contains_key(symbol) {
            if all.len() >= SERIES_KEPT {
                let evicted = all.keys().next().cloned();
                evicted.map(|symbol| all.remove(&symbol));
            }
            let series = Series::new(symbol)
                .ok_or_else(|| MarketError::UnknownSymbol(NAME, symbol.to_string()))?;
            all.insert(symbol.to_string(), series);
        }
        let series = all.get_mut(symbol).expect("inserted above");
        series.extend_to(until);
        Ok(read(&series.bars))
    }
}

fn quote_from(symbol: &str, bars: &[Bar]) -> MarketResult<Quote> {
    let last = bars
        .last()
        .ok_or_else(|| MarketError::UnknownSymbol(NAME, symbol.to_string()))?;
    Ok(Quote {
        symbol: symbol.to_string(),
        price: last.close,
        open: Some(last.open),
        high: Some(last.high),
        low: Some(last.low),
        previous_close: bars.len().checked_sub(2).map(|i| bars[i].close),
        volume: Some(last.volume),
        as_of: last.date.clone(),
        source: NAME.into(),
        simulated: last.simulated,
    })
}

#[async_trait::async_trait]
impl Provider for Offline {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn quote(&self, symbol: &str) -> MarketResult<Quote> {
        let today = Utc::now().date_naive();
        self.with_series(symbol, today, |bars| quote_from(symbol, bars))?
    }

    async fn daily(&self, symbol: &str, from: NaiveDate, to: NaiveDate) -> MarketResult<Vec<Bar>> {
        let until = to.min(Utc::now().date_naive());
        let (from, until) = (
            from.format("%Y-%m-%d").to_string(),
            until.format("%Y-%m-%d").to_string(),
        );
        self.with_series(symbol, parse_day(&until), |bars| {
            bars.iter()
                .filter(|b| b.date >= from && b.date <= until)
                .cloned()
                .collect()
        })
    }

    async fn search(&self, query: &str) -> MarketResult<Vec<SymbolInfo>> {
        Ok(directory::search(query, 20))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        parse_day(s)
    }

    #[tokio::test]
    async fn real_bars_keep_their_dates_and_are_split_adjusted() {
        let offline = Offline::new();
        let bars = offline
            .daily("AAPL", day("2000-03-01"), day("2000-03-03"))
            .await
            .unwrap();
        assert_eq!(bars.len(), 3);
        assert!(bars.iter().all(|b| !b.simulated));
        // 130.31 on 2000-03-01, before two 2:1 splits, a 7:1 and a 4:1.
        assert!(
            (bars[0].close - 130.31 / 112.0).abs() < 1e-9,
            "{}",
            bars[0].close
        );
        assert_eq!(bars[0].volume, 9_616_100.0 * 112.0);
        // Across the 2005 split the price moves like a normal day, not by half.
        let around = offline
            .daily("AAPL", day("2005-02-25"), day("2005-03-01"))
            .await
            .unwrap();
        assert!(
            around
                .windows(2)
                .all(|w| (w[1].close / w[0].close - 1.0).abs() < 0.1),
            "{around:?}"
        );
    }

    #[tokio::test]
    async fn after_the_real_data_the_walk_is_simulated_deterministic_and_labelled() {
        let offline = Offline::new();
        let bars = offline
            .daily("AAPL", day("2013-02-25"), day("2013-03-12"))
            .await
            .unwrap();
        let (real, simulated): (Vec<&Bar>, Vec<&Bar>) = bars.iter().partition(|b| !b.simulated);
        assert_eq!(real.last().unwrap().date, "2013-03-01");
        assert_eq!(
            simulated.first().unwrap().date,
            "2013-03-04",
            "the next trading day, a Monday"
        );
        assert!(simulated
            .iter()
            .all(|b| b.low <= b.open.min(b.close) && b.high >= b.open.max(b.close) && b.low > 0.0));
        let again = Offline::new()
            .daily("AAPL", day("2013-03-04"), day("2013-03-12"))
            .await
            .unwrap();
        assert_eq!(
            again,
            simulated.into_iter().cloned().collect::<Vec<_>>(),
            "the same symbol and days give the same bars"
        );

        let quote = offline.quote("AAPL").await.unwrap();
        assert!(quote.simulated && quote.source == "offline" && quote.previous_close.is_some());
    }

    #[tokio::test]
    async fn the_simulation_arrives_where_the_market_was() {
        let offline = Offline::new();
        for (symbol, anchor) in ANCHORS {
            let bars = offline
                .daily(symbol, day("2024-12-20"), day(ANCHOR_DAY))
                .await
                .unwrap();
            let close = bars.last().unwrap().close;
            assert!(
                (close / anchor - 1.0).abs() < 0.1,
                "{symbol}: {close} on {ANCHOR_DAY}, about {anchor} in fact"
            );
        }
        // A company of the directory: somewhere a share price lives, then and now.
        for symbol in ["SIE.DE", "NVDA", "THYAO.IS"] {
            let Ok(bars) = offline
                .daily(symbol, day(ANCHOR_DAY), day(ANCHOR_DAY))
                .await
            else {
                continue;
            };
            let close = bars[0].close;
            assert!((8.0..500.0).contains(&close), "{symbol}: {close}");
        }
        // Real data still ends where it ended, continued without a cliff.
        let across = offline
            .daily("MSFT", day("2013-02-20"), day("2013-03-15"))
            .await
            .unwrap();
        assert!(
            across
                .windows(2)
                .all(|w| (w[1].close / w[0].close - 1.0).abs() < 0.1),
            "{across:?}"
        );
    }

    #[tokio::test]
    async fn directory_companies_are_simulated_and_unknown_symbols_are_refused() {
        let offline = Offline::new();
        let siemens = offline
            .daily("SIE.DE", day("2020-01-01"), day("2020-12-31"))
            .await
            .unwrap();
        assert!(
            (250..=262).contains(&siemens.len()),
            "{} weekdays",
            siemens.len()
        );
        assert!(siemens.iter().all(|b| b.simulated));
        // Calibrated on the real stocks: a yearly volatility near theirs, not a flat or wild line.
        let volatility = annual_volatility(&siemens).unwrap();
        assert!((0.1..0.8).contains(&volatility), "{volatility}");
        assert_eq!(
            offline.quote("ZZZZ").await,
            Err(MarketError::UnknownSymbol(NAME, "ZZZZ".into()))
        );
        assert_eq!(offline.search("apple").await.unwrap()[0].symbol, "AAPL");
    }
}
