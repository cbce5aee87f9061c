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
//!
//! Each simulated day is also a session of five-minute bars in its exchange's hours (a Brownian
//! bridge from the day's open to its close, fixed by the symbol and the day), and the day's high
//! and low are that session's. While an exchange trades, the day is revealed as far as the
//! clock has come: the quote moves, the last candle grows, and the day closes where its bar
//! always said. The clock is the real one, or one set with `MARKET_CLOCK`, so that a test can
//! watch a session at any hour.

use std::{
    collections::HashMap,
    sync::{Arc, LazyLock, Mutex},
};

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use super::{
    directory,
    provider::{MarketError, MarketResult, Provider, SESSIONS},
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

/// The real daily prices the app ships for `symbol` (split-adjusted, oldest first), if any:
/// AAPL, IBM, MSFT, GOOG and the S&P 500.
pub fn real_history(symbol: &str) -> Option<&'static [Bar]> {
    REAL.get(symbol).map(Vec::as_slice)
}

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
    /// Its exchange's hours, and how many five-minute bars a session has.
    hours: Hours,
    steps: usize,
}

impl Series {
    fn new(symbol: &str) -> Option<Series> {
        let seed = seed_of(symbol);
        let hours = Hours::of(symbol);
        let steps = hours.steps();
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
                hours,
                steps,
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
            hours,
            steps,
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
            // Big moves trade more.
            let volume = (self.base_volume
                * (0.3 * normal(draw(9), draw(10))).exp()
                * (1.0 + shock.abs() * 0.5))
                .round();
            let mut bar = Bar {
                date: day.format("%Y-%m-%d").to_string(),
                open,
                high: open.max(close),
                low: open.min(close),
                close,
                volume,
                simulated: true,
            };
            // The day's range is its session's.
            let session = self.session(&bar, day);
            bar.high = session.iter().map(|b| b.high).fold(bar.high, f64::max);
            bar.low = session.iter().map(|b| b.low).fold(bar.low, f64::min);
            last = bar;
            self.bars.push(last.clone());
        }
    }
}

impl Series {
    /// The day's session as five-minute bars from its open to its close, oldest first, dated
    /// "2026-11-24 09:30" in the exchange's time (the time the bar opens).
    fn session(&self, bar: &Bar, day: NaiveDate) -> Vec<Bar> {
        let steps = self.steps.max(1);
        let key = self.seed
            ^ (day.num_days_from_ce() as u64).wrapping_mul(0x9e6c_63d0_676a_9a99)
            ^ 0x5e55_1011;
        let draw = |i: u64| mix(key.wrapping_add(i));
        let step_sigma = self.daily_volatility / (steps as f64).sqrt();
        // A random walk, then bent to end where the day closes (a Brownian bridge in log price).
        let mut walk = Vec::with_capacity(steps + 1);
        walk.push(0.0);
        for i in 0..steps as u64 {
            let last = walk.last().copied().unwrap_or(0.0);
            walk.push(last + step_sigma * normal(draw(4 * i), draw(4 * i + 1)));
        }
        let end = walk[steps];
        let (from, to) = (bar.open.max(1e-9).ln(), bar.close.max(1e-9).ln());
        let point = |i: usize| {
            let f = i as f64 / steps as f64;
            (from + f * (to - from) + walk[i] - f * end).exp()
        };
        // Trading is busiest at the open and the close.
        let weights: Vec<f64> = (0..steps as u64)
            .map(|i| {
                let x = (i as f64 + 0.5) / steps as f64 * 2.0 - 1.0;
                (1.0 + 2.0 * x * x) * (0.3 * normal(draw(4 * i + 2), draw(4 * i + 3))).exp()
            })
            .collect();
        let weight_sum: f64 = weights.iter().sum();
        let hours = self.hours;
        (0..steps)
            .map(|i| {
                let (open, close) = (point(i), point(i + 1));
                let wick =
                    |n: u64| 0.4 * step_sigma * -uniform(draw(1_000_003 + 2 * i as u64 + n)).ln();
                Bar {
                    date: format!("{} {}", day.format("%Y-%m-%d"), hours.bar_time(i)),
                    open,
                    high: open.max(close) * (1.0 + wick(0)),
                    low: open.min(close) * (1.0 - wick(1)).max(0.5),
                    close,
                    volume: (bar.volume * weights[i] / weight_sum).round(),
                    simulated: bar.simulated,
                }
            })
            .collect()
    }
}

/// When an exchange trades, in its own time zone (lunch breaks and holidays are not known).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hours {
    zone: Tz,
    open: (u32, u32),
    close: (u32, u32),
}

/// Minutes per intraday bar.
const BAR_MINUTES: u32 = 5;

impl Hours {
    /// The hours of the symbol's exchange (as the directory names it); New York's otherwise.
    pub fn of(symbol: &str) -> Hours {
        use chrono_tz::{America, Asia, Europe};
        let exchange = directory::lookup(symbol).map_or("", |info| info.exchange.as_str());
        let (zone, open, close) = match exchange {
            "LON" => (Europe::London, (8, 0), (16, 30)),
            "ETR" => (Europe::Berlin, (9, 0), (17, 30)),
            "EPA" => (Europe::Paris, (9, 0), (17, 30)),
            "AMS" => (Europe::Amsterdam, (9, 0), (17, 30)),
            "EBR" => (Europe::Brussels, (9, 0), (17, 30)),
            "BIT" => (Europe::Rome, (9, 0), (17, 30)),
            "BME" => (Europe::Madrid, (9, 0), (17, 30)),
            "HEL" => (Europe::Helsinki, (10, 0), (18, 30)),
            "STO" => (Europe::Stockholm, (9, 0), (17, 30)),
            "SWX" => (Europe::Zurich, (9, 0), (17, 30)),
            "TYO" => (Asia::Tokyo, (9, 0), (15, 30)),
            _ => (America::New_York, (9, 30), (16, 0)),
        };
        Hours { zone, open, close }
    }

    fn minutes(at: (u32, u32)) -> u32 {
        at.0 * 60 + at.1
    }

    /// Five-minute bars in a session.
    fn steps(self) -> usize {
        ((Self::minutes(self.close) - Self::minutes(self.open)) / BAR_MINUTES) as usize
    }

    /// "09:35": when the `i`th bar of a session opens.
    fn bar_time(self, i: usize) -> String {
        let at = Self::minutes(self.open) + i as u32 * BAR_MINUTES;
        format!("{:02}:{:02}", at / 60, at % 60)
    }

    /// The latest trading day that has opened by `now` (in the exchange's calendar), and, while
    /// it still trades, the minutes since its open.
    pub fn moment(self, now: DateTime<Utc>) -> (NaiveDate, Option<f64>) {
        let local = now.with_timezone(&self.zone);
        let mut day = local.date_naive();
        let since_midnight = local.time().signed_duration_since(NaiveTime::MIN);
        let minutes = since_midnight.num_milliseconds() as f64 / 60_000.0;
        let (open, close) = (
            Self::minutes(self.open) as f64,
            Self::minutes(self.close) as f64,
        );
        if is_trading_day(day) && minutes >= open {
            return (day, (minutes < close).then_some(minutes - open));
        }
        while let Some(before) = day.pred_opt() {
            day = before;
            if is_trading_day(day) {
                break;
            }
        }
        (day, None)
    }
}

/// A session revealed up to `minutes` after its open: the bars before, and the one under way
/// grown from its open towards its close in proportion to the time passed (its wicks come
/// when it is done).
fn reveal(session: &[Bar], minutes: f64) -> Vec<Bar> {
    let done = (minutes / BAR_MINUTES as f64).max(0.0);
    let whole = (done.floor() as usize).min(session.len());
    let mut shown = session[..whole].to_vec();
    if let Some(current) = session.get(whole) {
        let part = done - whole as f64;
        let close = current.open + (current.close - current.open) * part;
        shown.push(Bar {
            high: current.open.max(close),
            low: current.open.min(close),
            close,
            volume: (current.volume * part).round(),
            ..current.clone()
        });
    }
    shown
}

/// The day's bar made of the part of its session shown.
fn day_of(bar: &Bar, shown: &[Bar]) -> Bar {
    let Some(first) = shown.first() else {
        return Bar {
            high: bar.open,
            low: bar.open,
            close: bar.open,
            volume: 0.0,
            ..bar.clone()
        };
    };
    Bar {
        open: first.open,
        high: shown.iter().map(|b| b.high).fold(first.high, f64::max),
        low: shown.iter().map(|b| b.low).fold(first.low, f64::min),
        close: shown.last().map_or(first.close, |b| b.close),
        volume: shown.iter().map(|b| b.volume).sum(),
        ..bar.clone()
    }
}

/// The offline source's clock: the real one, or one set to another instant when the server
/// started (`MARKET_CLOCK`) that runs on from there at the real pace.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Clock {
    offset: chrono::TimeDelta,
}

impl Clock {
    pub fn starting_at(instant: DateTime<Utc>) -> Clock {
        Clock {
            offset: instant - Utc::now(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }
}

/// Series kept in memory at once (about half a megabyte each). The simulation is
/// deterministic, so a series dropped to make room comes back identical when asked for again.
const SERIES_KEPT: usize = 32;

/// The offline source. Series are simulated once per symbol and kept (up to `SERIES_KEPT`).
#[derive(Default, Clone)]
pub struct Offline {
    series: Arc<Mutex<HashMap<String, Series>>>,
    clock: Clock,
}

/// A symbol as the clock finds it: its bars up to the latest day that has opened, that day's
/// bar as far as it has traded.
struct Seen {
    bars: Vec<Bar>,
    /// While the last day still trades: now.
    trading: Option<DateTime<Utc>>,
}

impl Offline {
    pub fn new() -> Offline {
        Offline::default()
    }

    /// The offline source on another clock (`MARKET_CLOCK`).
    pub fn with_clock(clock: Clock) -> Offline {
        Offline {
            clock,
            ..Offline::default()
        }
    }

    /// Runs `read` on the symbol's series extended to `until`.
    fn with_series<T>(
        &self,
        symbol: &str,
        until: NaiveDate,
        read: impl FnOnce(&Series) -> T,
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
        Ok(read(series))
    }

    /// The symbol as the clock finds it, with the bars from `from` on and the sessions of the
    /// last `sessions` days.
    fn seen(&self, symbol: &str, from: &str, sessions: usize) -> MarketResult<(Seen, Vec<Bar>)> {
        let now = self.clock.now();
        let (day, minutes) = Hours::of(symbol).moment(now);
        let day_code = day.format("%Y-%m-%d").to_string();
        self.with_series(symbol, day, |series| {
            let upto = series
                .bars
                .partition_point(|b| b.date.as_str() <= day_code.as_str());
            let start = series.bars[..upto].partition_point(|b| b.date.as_str() < from);
            let mut bars = series.bars[start..upto].to_vec();
            let latest = upto.checked_sub(1).map(|i| &series.bars[i]);
            let trading = minutes.filter(|_| latest.is_some_and(|b| b.date == day_code));
            // The day under way, as far as it has traded.
            let today: Option<Vec<Bar>> = trading
                .zip(latest)
                .map(|(minutes, bar)| reveal(&series.session(bar, parse_day(&bar.date)), minutes));
            if let (Some(last), Some(shown)) = (bars.last_mut(), &today) {
                if last.date == day_code {
                    *last = day_of(last, shown);
                }
            }
            let mut intraday = Vec::new();
            for bar in &series.bars[upto.saturating_sub(sessions)..upto] {
                match &today {
                    Some(shown) if bar.date == day_code => intraday.extend(shown.iter().cloned()),
                    _ => intraday.extend(series.session(bar, parse_day(&bar.date))),
                }
            }
            (
                Seen {
                    bars,
                    trading: trading.map(|_| now),
                },
                intraday,
            )
        })
    }
}

fn quote_from(symbol: &str, seen: &Seen) -> MarketResult<Quote> {
    let bars = &seen.bars;
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
        // While the day trades, the instant of the price; after, the day.
        as_of: seen.trading.map_or_else(
            || last.date.clone(),
            |now| now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ),
        source: NAME.into(),
        simulated: last.simulated,
        delayed: false,
    })
}

#[async_trait::async_trait]
impl Provider for Offline {
    fn name(&self) -> &'static str {
        NAME
    }

    /// A simulated price moves while its exchange trades; polled this often it changes each time.
    fn quote_every(&self) -> std::time::Duration {
        std::time::Duration::from_secs(5)
    }

    async fn quote(&self, symbol: &str) -> MarketResult<Quote> {
        // The last two weeks hold the day before, for the previous close.
        let since = (self.clock.now() - chrono::TimeDelta::days(14)).format("%Y-%m-%d");
        let (seen, _) = self.seen(symbol, &since.to_string(), 0)?;
        quote_from(symbol, &seen)
    }

    async fn daily(&self, symbol: &str, from: NaiveDate, to: NaiveDate) -> MarketResult<Vec<Bar>> {
        let (from, to) = (
            from.format("%Y-%m-%d").to_string(),
            to.format("%Y-%m-%d").to_string(),
        );
        let (seen, _) = self.seen(symbol, &from, 0)?;
        Ok(seen.bars.into_iter().filter(|b| b.date <= to).collect())
    }

    async fn intraday(&self, symbol: &str) -> MarketResult<Vec<Bar>> {
        // No daily bars: only the sessions.
        let (_, intraday) = self.seen(symbol, "9999", SESSIONS)?;
        Ok(intraday)
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

    fn at(instant: &str) -> Offline {
        let instant = chrono::DateTime::parse_from_rfc3339(instant)
            .unwrap()
            .with_timezone(&Utc);
        Offline::with_clock(Clock::starting_at(instant))
    }

    #[tokio::test]
    async fn a_session_in_progress_moves_and_shows_as_far_as_the_clock() {
        // 10:00 in New York on a Tuesday: half an hour of AAPL's session has traded.
        let morning = at("2026-11-24T15:00:00Z");
        let quote = morning.quote("AAPL").await.unwrap();
        assert!(
            quote.as_of.starts_with("2026-11-24T15:00:0"),
            "{}",
            quote.as_of
        );
        let bars = morning.intraday("AAPL").await.unwrap();
        let today: Vec<&Bar> = bars
            .iter()
            .filter(|b| b.date.starts_with("2026-11-24"))
            .collect();
        // Six bars done (09:30 … 09:55) and the one just begun.
        assert_eq!(today.len(), 7, "{today:?}");
        assert_eq!(today[0].date, "2026-11-24 09:30");
        assert_eq!(today.last().unwrap().date, "2026-11-24 10:00");
        // The quote is the session so far.
        assert!((quote.price - today.last().unwrap().close).abs() < 0.01 * quote.price);
        assert_eq!(quote.open, Some(today[0].open));
        let high = today.iter().map(|b| b.high).fold(f64::MIN, f64::max);
        assert!(quote.high.unwrap() >= high - 1e-9);
        // And the day's bar in the history says the same.
        let daily = morning
            .daily("AAPL", day("2026-11-20"), day("2026-11-30"))
            .await
            .unwrap();
        let last = daily.last().unwrap();
        assert_eq!(last.date, "2026-11-24");
        assert!((last.close - quote.price).abs() < 0.01 * quote.price);
        assert_eq!(quote.previous_close, Some(daily[daily.len() - 2].close));

        // An hour later the price has moved.
        let later = at("2026-11-24T16:00:00Z").quote("AAPL").await.unwrap();
        assert_ne!(later.price, quote.price);
        assert_eq!(later.previous_close, quote.previous_close);
    }

    #[tokio::test]
    async fn a_closed_session_is_the_day_s_bar_and_the_days_have_no_hours_outside_it() {
        // 16:30 in New York: the day is done, and its session makes its bar.
        let evening = at("2026-11-24T21:30:00Z");
        let quote = evening.quote("AAPL").await.unwrap();
        assert_eq!(quote.as_of, "2026-11-24");
        let sessions = evening.intraday("AAPL").await.unwrap();
        let days: std::collections::BTreeSet<&str> =
            sessions.iter().map(|b| &b.date[..10]).collect();
        assert_eq!(
            days.into_iter().collect::<Vec<_>>(),
            [
                "2026-11-18",
                "2026-11-19",
                "2026-11-20",
                "2026-11-23",
                "2026-11-24"
            ],
            "five weekdays, the weekend skipped"
        );
        let daily = evening
            .daily("AAPL", day("2026-11-18"), day("2026-11-24"))
            .await
            .unwrap();
        for bar in &daily {
            let session: Vec<&Bar> = sessions
                .iter()
                .filter(|b| b.date.starts_with(&bar.date))
                .collect();
            assert_eq!(session.len(), 78, "09:30 to 16:00 in five minutes");
            assert!((session[0].open - bar.open).abs() < 1e-9);
            assert!((session[77].close - bar.close).abs() < 1e-9 * bar.close);
            let high = session.iter().map(|b| b.high).fold(f64::MIN, f64::max);
            let low = session.iter().map(|b| b.low).fold(f64::MAX, f64::min);
            assert!(
                (high - bar.high).abs() < 1e-9 && (low - bar.low).abs() < 1e-9,
                "{bar:?}"
            );
            let volume: f64 = session.iter().map(|b| b.volume).sum();
            assert!(
                (volume / bar.volume - 1.0).abs() < 0.01,
                "{volume} of {}",
                bar.volume
            );
        }
        assert_eq!(quote.price, daily.last().unwrap().close);

        // Before the open the latest day is the one before; on a Sunday, Friday.
        let early = at("2026-11-24T14:00:00Z").quote("AAPL").await.unwrap();
        assert_eq!(early.as_of, "2026-11-23");
        let sunday = at("2026-11-29T15:00:00Z").quote("AAPL").await.unwrap();
        assert_eq!(sunday.as_of, "2026-11-27");
        // Frankfurt trades on its own hours: 10:00 in Berlin is 09:00 UTC.
        let frankfurt = at("2026-11-24T09:00:00Z").quote("SIE.DE").await.unwrap();
        assert!(
            frankfurt.as_of.starts_with("2026-11-24T09:00"),
            "{}",
            frankfurt.as_of
        );
    }
}
