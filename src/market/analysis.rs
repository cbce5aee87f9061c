//! The state of a stock: a typed reading of its prices, indicators, news and what the community
//! says, each part with a score from −100 (bearish) to 100 (bullish) and the signals behind it;
//! and the factor score that ranks symbols for recommendations, with a walk-forward backtest of
//! how often its calls were right.
//!
//! Every part's score is a sum of documented points (see `trend`, `momentum`), so each reason
//! the page shows is one term of the sum. The overall score weighs trend 40 %, momentum 30 %,
//! news 15 % and community 15 %, over the parts that have data.

use serde::{Deserialize, Serialize};

/// A look-back period for returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Period {
    Week,
    Month,
    Quarter,
    Year,
}

impl Period {
    pub const ALL: [Period; 4] = [Period::Week, Period::Month, Period::Quarter, Period::Year];

    /// Trading days in the period.
    pub fn days(self) -> usize {
        match self {
            Period::Week => 5,
            Period::Month => 21,
            Period::Quarter => 63,
            Period::Year => 252,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Period::Week => "1W",
            Period::Month => "1M",
            Period::Quarter => "3M",
            Period::Year => "1Y",
        }
    }
}

/// The overall score's weights (the module's doc): over the parts that have data.
#[cfg(feature = "ssr")]
const TREND_WEIGHT: f64 = 0.4;
#[cfg(feature = "ssr")]
const MOMENTUM_WEIGHT: f64 = 0.3;
#[cfg(feature = "ssr")]
const NEWS_WEIGHT: f64 = 0.15;
#[cfg(feature = "ssr")]
const COMMUNITY_WEIGHT: f64 = 0.15;

/// The weighted mean of the parts' scores that have data, rounded: the one formula behind every
/// overall score the app shows (the stock page, the ranking, the assistant).
#[cfg(feature = "ssr")]
fn weighted_score(parts: &[(Option<&Part>, f64)]) -> i32 {
    let (sum, weights) = parts
        .iter()
        .filter_map(|(part, w)| part.map(|p| (p.score as f64 * w, *w)))
        .fold((0.0, 0.0), |(s, ws), (v, w)| (s + v, ws + w));
    if weights == 0.0 {
        0
    } else {
        (sum / weights).round() as i32
    }
}

/// The bars a chart of the last `days` trading days draws: `days + 1` of them, so that its first
/// and last close are the ends of the period's change — the figure the stock page prints for
/// that period ([`change_percent`] of the same ends). Every sparkline and mini chart takes its
/// bars from here, so a chart, its colour and the number beside it agree.
pub fn period_bars<B>(bars: &[B], days: usize) -> &[B] {
    &bars[bars.len().saturating_sub(days + 1)..]
}

/// The change from `from` to `to`, in percent; `None` from a price of zero or less.
pub fn change_percent(from: f64, to: f64) -> Option<f64> {
    (from > 0.0).then(|| (to / from - 1.0) * 100.0)
}

/// The price change over a period, in percent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeriodReturn {
    pub period: Period,
    pub percent: Option<f64>,
}

/// One fact behind a score, with the points it added. The page words it in the reader's
/// language; the hosted narrative gets the same facts as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Signal {
    /// The price is `percent` above (negative: below) its `days`-day simple moving average.
    VersusAverage {
        days: u32,
        percent: f64,
        points: i32,
    },
    /// The 50-day average is above the 200-day one (`golden`) or below; `recent` when they
    /// crossed in the last 20 trading days.
    Cross {
        golden: bool,
        recent: bool,
        points: i32,
    },
    /// Where the price sits in its 52-week range (0: at the low, 100: at the high).
    RangePosition { percent: f64, points: i32 },
    /// The return over a period.
    Return {
        period: Period,
        percent: f64,
        points: i32,
    },
    /// RSI 14 (Wilder).
    Rsi { value: f64, points: i32 },
    /// The MACD line against its signal line, and whether the histogram grew today.
    Macd {
        above_signal: bool,
        rising: bool,
        points: i32,
    },
    /// The price against the Bollinger Bands (0: lower band, 1: upper band).
    Bollinger { position: f64, points: i32 },
    /// The average sentiment (−1 … 1) of recent articles.
    News {
        articles: u32,
        average: f64,
        points: i32,
    },
    /// Bullish and bearish messages among recent ones that mention the cashtag.
    Community {
        messages: u32,
        bullish: u32,
        bearish: u32,
        points: i32,
    },
}

impl Signal {
    pub fn points(&self) -> i32 {
        match self {
            Signal::VersusAverage { points, .. }
            | Signal::Cross { points, .. }
            | Signal::RangePosition { points, .. }
            | Signal::Return { points, .. }
            | Signal::Rsi { points, .. }
            | Signal::Macd { points, .. }
            | Signal::Bollinger { points, .. }
            | Signal::News { points, .. }
            | Signal::Community { points, .. } => *points,
        }
    }
}

/// A part of the reading: its score and the signals that sum to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Part {
    pub score: i32,
    pub signals: Vec<Signal>,
}

impl Part {
    #[cfg(feature = "ssr")]
    fn of(signals: Vec<Signal>) -> Part {
        let score = signals
            .iter()
            .map(Signal::points)
            .sum::<i32>()
            .clamp(-100, 100);
        Part { score, signals }
    }
}

/// The overall reading, from the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outlook {
    Bearish,
    LeaningBearish,
    Neutral,
    LeaningBullish,
    Bullish,
}

impl Outlook {
    pub fn of(score: i32) -> Outlook {
        match score {
            ..=-50 => Outlook::Bearish,
            -49..=-15 => Outlook::LeaningBearish,
            -14..=14 => Outlook::Neutral,
            15..=49 => Outlook::LeaningBullish,
            _ => Outlook::Bullish,
        }
    }
}

/// A recent chat message that mentions the symbol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mention {
    pub message_id: String,
    pub author: String,
    pub community: String,
    pub community_slug: String,
    pub channel: String,
    pub excerpt: String,
    pub stance: crate::ai::Stance,
    /// RFC 3339.
    pub at: String,
}

/// What the community says: counts over recent messages, and the latest few.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Voices {
    pub messages: u32,
    pub bullish: u32,
    pub bearish: u32,
    pub mentions: Vec<Mention>,
}

/// A ticker the crowd names more than usual: this hour's mentions against its usual hourly
/// rate over the week before, with their mood and the price move beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Trend {
    /// "AAPL", as the cashtag names it.
    pub ticker: String,
    /// Mentions in the last hour, and by how many people.
    pub mentions: u32,
    pub people: u32,
    /// Mentions in an hour, on average over the seven days before today.
    pub usual: f64,
    /// How many times the usual rate this hour is (mentions ÷ (usual + 1)).
    pub velocity: f64,
    pub bullish: u32,
    pub bearish: u32,
    /// The day's move in per cent, when a market source knows the ticker.
    pub change_pct: Option<f64>,
}

/// A community's mood about a ticker over the last days, from the daily roll-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommunityMood {
    pub community: String,
    pub community_slug: String,
    pub mentions: u32,
    pub bullish: u32,
    pub bearish: u32,
    /// Every day of the period, oldest first.
    pub days: Vec<MoodDay>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MoodDay {
    /// "2026-11-27".
    pub day: String,
    pub mentions: u32,
    pub bullish: u32,
    pub bearish: u32,
}

/// A narrative written by the hosted model from the report's facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Narrative {
    pub text: String,
    pub engine: String,
}

/// The state of a stock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub symbol: String,
    /// The company, when the directory knows it.
    pub company: Option<crate::market::SymbolInfo>,
    /// The last bar's day.
    pub as_of: String,
    pub price: f64,
    /// The last bar is simulated (offline data beyond the real history).
    pub simulated: bool,
    pub returns: Vec<PeriodReturn>,
    pub low_52w: f64,
    pub high_52w: f64,
    /// Average daily volume over the last three months.
    pub average_volume: f64,
    pub trend: Part,
    pub momentum: Part,
    /// `None` when no news source is configured or it had nothing.
    pub news: Option<Part>,
    /// The latest articles (at most six), newest first as the source gave them.
    pub headlines: Vec<crate::market::NewsItem>,
    /// `None` when too few messages mention the symbol to say anything.
    pub community: Option<Part>,
    pub voices: Voices,
    pub score: i32,
    pub outlook: Outlook,
    /// Written by the hosted model; without one the page words the facts from a template.
    pub narrative: Option<Narrative>,
}

/// A walk-forward check of the factor score: on past days where it made a call (|score| ≥
/// `CALL_AT`), was the price higher (bullish call) or lower (bearish) a month later?
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Backtest {
    pub calls: u32,
    pub hits: u32,
    /// The share of all tested months in which the price rose: what "always bullish" scores.
    pub base_rate: f64,
    /// First and last day tested.
    pub from: String,
    pub to: String,
    /// Some of the tested days are simulated.
    pub simulated: bool,
}

impl Backtest {
    pub fn hit_rate(&self) -> Option<f64> {
        (self.calls > 0).then(|| self.hits as f64 / self.calls as f64)
    }
}

/// One ranked symbol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recommendation {
    pub symbol: String,
    pub name: Option<String>,
    pub factor_score: i32,
    pub outlook: Outlook,
    /// The signals that moved the score most, strongest first.
    pub reasons: Vec<Signal>,
    pub backtest: Backtest,
}

/// The score needed for a call in the backtest (the edge of "neutral").
pub const CALL_AT: i32 = 15;
/// Days ahead a call is judged on.
pub const HORIZON: usize = 21;

#[cfg(feature = "ssr")]
pub use compute::*;

#[cfg(feature = "ssr")]
mod compute {
    use super::*;
    use crate::market::{indicators, Bar, NewsItem};

    /// Indicators over a whole series, computed once: every value at bar `t` depends only on
    /// bars up to `t`, so reading them at a past day is what was known that day.
    pub struct Readings {
        close: Vec<f64>,
        high: Vec<f64>,
        low: Vec<f64>,
        sma50: Vec<Option<f64>>,
        sma200: Vec<Option<f64>>,
        rsi: Vec<Option<f64>>,
        macd: indicators::Macd,
        bands: indicators::BollingerBands,
    }

    impl Readings {
        pub fn new(bars: &[Bar]) -> Readings {
            let close: Vec<f64> = bars.iter().map(|b| b.close).collect();
            Readings {
                high: bars.iter().map(|b| b.high).collect(),
                low: bars.iter().map(|b| b.low).collect(),
                sma50: indicators::sma(&close, 50),
                sma200: indicators::sma(&close, 200),
                rsi: indicators::rsi(&close, 14),
                macd: indicators::macd(&close, 12, 26, 9),
                bands: indicators::bollinger(&close, 20, 2.0),
                close,
            }
        }

        pub fn len(&self) -> usize {
            self.close.len()
        }

        pub fn is_empty(&self) -> bool {
            self.close.is_empty()
        }

        /// Percent change over `days` ending at bar `t`.
        pub fn change(&self, t: usize, days: usize) -> Option<f64> {
            change_percent(self.close[t.checked_sub(days)?], self.close[t])
        }

        /// The 52-week low and high up to bar `t` (from what there is, if less).
        pub fn range_52w(&self, t: usize) -> (f64, f64) {
            let from = (t + 1).saturating_sub(252);
            let low = self.low[from..=t]
                .iter()
                .copied()
                .fold(f64::INFINITY, f64::min);
            let high = self.high[from..=t]
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max);
            (low, high)
        }

        /// Trend, from where the price stands against its averages and its range:
        /// vs SMA 50 ±15, vs SMA 200 ±20, SMA 50 vs SMA 200 ±15 (±20 in the 20 days after a
        /// cross), 3-month return (1 point per %, at most ±20), 52-week range position
        /// (−15 at the low … +15 at the high).
        pub fn trend(&self, t: usize) -> Part {
            let price = self.close[t];
            let mut signals = Vec::new();
            for (days, average, weight) in [(50, &self.sma50, 15), (200, &self.sma200, 20)] {
                if let Some(avg) = average[t].filter(|a| *a > 0.0) {
                    let percent = (price / avg - 1.0) * 100.0;
                    signals.push(Signal::VersusAverage {
                        days,
                        percent,
                        points: if percent >= 0.0 { weight } else { -weight },
                    });
                }
            }
            if let (Some(fast), Some(slow)) = (self.sma50[t], self.sma200[t]) {
                let golden = fast >= slow;
                let recent =
                    (t.saturating_sub(20)..t).any(|i| match (self.sma50[i], self.sma200[i]) {
                        (Some(f), Some(s)) => (f >= s) != golden,
                        _ => false,
                    });
                let weight = if recent { 20 } else { 15 };
                signals.push(Signal::Cross {
                    golden,
                    recent,
                    points: if golden { weight } else { -weight },
                });
            }
            if let Some(percent) = self.change(t, Period::Quarter.days()) {
                signals.push(Signal::Return {
                    period: Period::Quarter,
                    percent,
                    points: percent.clamp(-20.0, 20.0).round() as i32,
                });
            }
            let (low, high) = self.range_52w(t);
            if high > low {
                let position = (price - low) / (high - low);
                signals.push(Signal::RangePosition {
                    percent: position * 100.0,
                    points: ((position - 0.5) * 30.0).round() as i32,
                });
            }
            Part::of(signals)
        }

        /// Momentum, from the oscillators: RSI 14 ((RSI − 50) × 1.2 between 30 and 70; −15 when
        /// overbought above 70, +15 when oversold below 30: stretched moves tend to give back),
        /// MACD above its signal ±25 and a growing histogram ±10, the Bollinger position (−10
        /// above the upper band, +10 below the lower), 1-month return (2 points per %, ±20).
        pub fn momentum(&self, t: usize) -> Part {
            let mut signals = Vec::new();
            if let Some(value) = self.rsi[t] {
                let points = match value {
                    v if v > 70.0 => -15,
                    v if v < 30.0 => 15,
                    v => ((v - 50.0) * 1.2).round() as i32,
                };
                signals.push(Signal::Rsi { value, points });
            }
            if let (Some(line), Some(signal), Some(histogram)) = (
                self.macd.line[t],
                self.macd.signal[t],
                self.macd.histogram[t],
            ) {
                let above_signal = line >= signal;
                let rising =
                    t > 0 && self.macd.histogram[t - 1].is_some_and(|before| histogram > before);
                let points =
                    (if above_signal { 25 } else { -25 }) + (if rising { 10 } else { -10 });
                signals.push(Signal::Macd {
                    above_signal,
                    rising,
                    points,
                });
            }
            if let (Some(upper), Some(lower)) = (self.bands.upper[t], self.bands.lower[t]) {
                if upper > lower {
                    let position = (self.close[t] - lower) / (upper - lower);
                    let points = if position > 1.0 {
                        -10
                    } else if position < 0.0 {
                        10
                    } else {
                        0
                    };
                    signals.push(Signal::Bollinger { position, points });
                }
            }
            if let Some(percent) = self.change(t, Period::Month.days()) {
                signals.push(Signal::Return {
                    period: Period::Month,
                    percent,
                    points: (percent * 2.0).clamp(-20.0, 20.0).round() as i32,
                });
            }
            Part::of(signals)
        }

        /// The price-only factor score the recommendations rank by: the overall score from trend and
        /// momentum alone (their 40 % and 30 %, as the stock page weighs them).
        /// News and community have no history to test, so they stay out of it.
        pub fn factor_score(&self, t: usize) -> (i32, Part, Part) {
            let (trend, momentum) = (self.trend(t), self.momentum(t));
            // The stock page's overall score with nothing but prices to go on: a symbol ranks
            // with the number its page shows when it has no news or community voices.
            let score = weighted_score(&[
                (Some(&trend), TREND_WEIGHT),
                (Some(&momentum), MOMENTUM_WEIGHT),
            ]);
            (score, trend, momentum)
        }

        /// Walks forward through the series one week at a time, from the first day with a
        /// 200-day average to the last day with a month after it, and checks each call.
        pub fn backtest(&self, bars: &[Bar]) -> Backtest {
            let first = 199;
            let (mut calls, mut hits, mut tested, mut rose) = (0, 0, 0, 0);
            let mut simulated = false;
            let mut range: Option<(usize, usize)> = None;
            let mut t = first;
            while t + HORIZON < self.len() {
                let (score, _, _) = self.factor_score(t);
                let up = self.close[t + HORIZON] > self.close[t];
                tested += 1;
                rose += up as u32;
                if score.abs() >= CALL_AT {
                    calls += 1;
                    hits += ((score > 0) == up) as u32;
                }
                simulated |= bars[t].simulated || bars[t + HORIZON].simulated;
                range = Some((range.map_or(t, |r| r.0), t));
                t += 5;
            }
            let day = |i: usize| bars.get(i).map(|b| b.date.clone()).unwrap_or_default();
            Backtest {
                calls,
                hits,
                base_rate: if tested > 0 {
                    rose as f64 / tested as f64
                } else {
                    0.0
                },
                from: range.map(|r| day(r.0)).unwrap_or_default(),
                to: range.map(|r| day(r.1)).unwrap_or_default(),
                simulated,
            }
        }
    }

    /// News sentiment: the average of the articles' scores (the source's, else the built-in
    /// sentiment of the headline and summary), 100 points per unit.
    pub fn news_part(items: &[NewsItem]) -> Option<Part> {
        if items.is_empty() {
            return None;
        }
        let scores: Vec<f64> = items
            .iter()
            .map(|n| {
                n.sentiment.unwrap_or_else(|| {
                    crate::ai::sentiment::sentiment(&format!("{}. {}", n.title, n.summary)).compound
                        as f64
                })
            })
            .collect();
        let average = scores.iter().sum::<f64>() / scores.len() as f64;
        let points = (average * 100.0).clamp(-100.0, 100.0).round() as i32;
        Some(Part::of(vec![Signal::News {
            articles: items.len() as u32,
            average,
            points,
        }]))
    }

    /// Messages needed before the community's mood counts.
    pub const COMMUNITY_QUORUM: u32 = 3;

    /// Community sentiment: (bullish − bearish) / messages, 100 points per unit.
    pub fn community_part(voices: &Voices) -> Option<Part> {
        if voices.messages < COMMUNITY_QUORUM {
            return None;
        }
        let net = (voices.bullish as f64 - voices.bearish as f64) / voices.messages as f64;
        let points = (net * 100.0).round() as i32;
        Some(Part::of(vec![Signal::Community {
            messages: voices.messages,
            bullish: voices.bullish,
            bearish: voices.bearish,
            points,
        }]))
    }

    /// The report for a symbol's history (oldest first); `None` without any bars.
    pub fn report(
        symbol: &str,
        bars: &[Bar],
        news_items: &[NewsItem],
        voices: Voices,
    ) -> Option<Report> {
        let readings = Readings::new(bars);
        let t = readings.len().checked_sub(1)?;
        let last = &bars[t];
        let (trend, momentum) = (readings.trend(t), readings.momentum(t));
        let news = news_part(news_items);
        let community = community_part(&voices);
        let score = weighted_score(&[
            (Some(&trend), TREND_WEIGHT),
            (Some(&momentum), MOMENTUM_WEIGHT),
            (news.as_ref(), NEWS_WEIGHT),
            (community.as_ref(), COMMUNITY_WEIGHT),
        ]);
        let (low_52w, high_52w) = readings.range_52w(t);
        let recent = &bars[(t + 1).saturating_sub(63)..];
        Some(Report {
            symbol: symbol.to_string(),
            company: None,
            as_of: last.date.clone(),
            price: last.close,
            simulated: last.simulated,
            returns: Period::ALL
                .iter()
                .map(|p| PeriodReturn {
                    period: *p,
                    percent: readings.change(t, p.days()),
                })
                .collect(),
            low_52w,
            high_52w,
            average_volume: recent.iter().map(|b| b.volume).sum::<f64>() / recent.len() as f64,
            trend,
            momentum,
            headlines: news_items.iter().take(6).cloned().collect(),
            news,
            community,
            voices,
            score,
            outlook: Outlook::of(score),
            narrative: None,
        })
    }

    /// A symbol ranked by the factor score, with its strongest reasons and its backtest.
    pub fn recommendation(
        symbol: &str,
        name: Option<String>,
        bars: &[Bar],
    ) -> Option<Recommendation> {
        let readings = Readings::new(bars);
        let t = readings.len().checked_sub(1)?;
        let (factor_score, trend, momentum) = readings.factor_score(t);
        let mut reasons: Vec<Signal> = trend
            .signals
            .into_iter()
            .chain(momentum.signals)
            .filter(|s| s.points() != 0)
            .collect();
        // The strongest in the direction of the call first.
        reasons.sort_by_key(|s| -(s.points() * factor_score.signum()));
        reasons.truncate(3);
        Some(Recommendation {
            symbol: symbol.to_string(),
            name,
            factor_score,
            outlook: Outlook::of(factor_score),
            reasons,
            backtest: readings.backtest(bars),
        })
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::market::{Bar, NewsItem};

    fn series(closes: impl IntoIterator<Item = f64>) -> Vec<Bar> {
        closes
            .into_iter()
            .enumerate()
            .map(|(i, close)| Bar {
                date: format!("d{i:05}"),
                open: close,
                high: close * 1.01,
                low: close * 0.99,
                close,
                volume: 1000.0,
                simulated: false,
            })
            .collect()
    }

    #[test]
    fn a_steady_climb_reads_bullish_with_each_reason_a_term_of_the_score() {
        let bars = series((0..400).map(|i| 100.0 * 1.002f64.powi(i)));
        let report = report("UP", &bars, &[], Voices::default()).unwrap();
        assert!(report.trend.score >= 70, "{:?}", report.trend);
        for part in [&report.trend, &report.momentum] {
            assert_eq!(
                part.score,
                part.signals
                    .iter()
                    .map(Signal::points)
                    .sum::<i32>()
                    .clamp(-100, 100)
            );
        }
        assert!(report.trend.signals.contains(&Signal::Cross {
            golden: true,
            recent: false,
            points: 15
        }));
        // A smooth climb sits at the top of its range with RSI pinned at 100: overbought.
        assert!(
            report
                .momentum
                .signals
                .iter()
                .any(|s| matches!(s, Signal::Rsi { points: -15, .. })),
            "{:?}",
            report.momentum
        );
        assert!(
            matches!(report.outlook, Outlook::Bullish | Outlook::LeaningBullish),
            "{report:?}"
        );
        assert_eq!(report.news, None);
        assert_eq!(report.community, None, "no messages, no community reading");
        let year = report
            .returns
            .iter()
            .find(|r| r.period == Period::Year)
            .unwrap()
            .percent
            .unwrap();
        assert!((year - (1.002f64.powi(252) - 1.0) * 100.0).abs() < 1e-9);
    }

    #[test]
    fn a_slide_reads_bearish_and_news_and_community_move_the_overall_score() {
        let bars = series((0..400).map(|i| 200.0 * 0.998f64.powi(i)));
        let quiet = report("DOWN", &bars, &[], Voices::default()).unwrap();
        assert!(quiet.score < -15, "{quiet:?}");
        let article = |sentiment| NewsItem {
            title: "t".into(),
            url: "u".into(),
            source: "s".into(),
            published_at: "p".into(),
            summary: String::new(),
            sentiment: Some(sentiment),
        };
        let voices = Voices {
            messages: 4,
            bullish: 4,
            bearish: 0,
            mentions: vec![],
        };
        let cheered = report("DOWN", &bars, &[article(0.9), article(0.7)], voices).unwrap();
        assert_eq!(cheered.news.as_ref().unwrap().score, 80);
        assert_eq!(cheered.community.as_ref().unwrap().score, 100);
        assert!(
            cheered.score > quiet.score,
            "{} vs {}",
            cheered.score,
            quiet.score
        );
    }

    #[test]
    fn the_backtest_counts_calls_against_what_happened_a_month_later() {
        // Up for a year, then down for a year: trend-following calls are mostly right in the
        // middle of each leg and wrong around the turn.
        let closes = (0..300)
            .map(|i| 100.0 * 1.003f64.powi(i))
            .chain((0..300).map(|i| 100.0 * 1.003f64.powi(300) * 0.997f64.powi(i)));
        let bars = series(closes);
        let readings = Readings::new(&bars);
        let test = readings.backtest(&bars);
        assert!(test.calls > 40, "{test:?}");
        let rate = test.hit_rate().unwrap();
        assert!(
            rate > 0.6,
            "trend calls on trending data should mostly hit: {test:?}"
        );
        // Only the months that ended before the turn rose: 19 of the 76 tested.
        assert!((test.base_rate - 19.0 / 76.0).abs() < 1e-9, "{test:?}");
        assert_eq!(test.from, "d00199");
        // Nothing after the last day with a month of future is tested.
        let last_tested: usize = test.to[1..].parse().unwrap();
        assert!(last_tested + HORIZON < bars.len());
        assert!(!test.simulated);
    }

    #[test]
    fn recommendations_give_the_strongest_reasons_in_the_call_s_direction() {
        let bars = series((0..400).map(|i| 100.0 * 1.002f64.powi(i)));
        let pick = recommendation("UP", Some("Up Inc".into()), &bars).unwrap();
        assert!(pick.factor_score > 0);
        assert_eq!(pick.reasons.len(), 3);
        assert!(pick.reasons[0].points() >= pick.reasons[1].points());
        assert!(pick.reasons[0].points() > 0);
    }

    #[test]
    fn too_little_history_still_gives_a_report_from_what_there_is() {
        let bars = series([10.0, 11.0, 12.0]);
        let reading = report("NEW", &bars, &[], Voices::default()).unwrap();
        assert!(reading
            .trend
            .signals
            .iter()
            .all(|s| !matches!(s, Signal::VersusAverage { .. })));
        assert_eq!(reading.returns[0].percent, None);
        assert!(report("NONE", &[], &[], Voices::default()).is_none());
    }
}
