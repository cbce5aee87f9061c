//! A community's analytics, for those who manage it: messages and active members per day and
//! week, who joined and left, the busiest channels, the $cashtags talked about and their mood,
//! flag and report rates, and how fast moderators answer reports — over a date range, as charts
//! and as a CSV file.
//!
//! The figures come from daily roll-ups (`service::roll_up`, a background job) rather than from
//! the messages themselves, so a year of a community with a million messages is a few thousand
//! rows to read. Days are UTC days; the figures are as fresh as the job's last run.

use serde::{Deserialize, Serialize};

pub mod api;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod chart;
#[cfg(feature = "ssr")]
pub mod days;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod service;

/// The range shown when none is asked for: the last 30 days, today included.
pub const DEFAULT_DAYS: i64 = 30;
/// The ranges offered a click away, in days up to today.
pub const PRESETS: [i64; 4] = [7, 30, 90, 365];
/// The longest range one request may ask for.
pub const MAX_DAYS: i64 = 731;
/// $cashtags shown, most mentioned first.
pub const TOP_CASHTAGS: usize = 5;
/// Channels shown, busiest first.
pub const TOP_CHANNELS: usize = 10;

/// A community's figures over a range of UTC days.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Analytics {
    pub community_name: String,
    pub slug: String,
    /// The first and last day, inclusive ("2026-10-28").
    pub from: String,
    pub to: String,
    pub totals: Totals,
    /// One row per day of the range, oldest first.
    pub days: Vec<DayFigures>,
    /// Distinct members who wrote, per ISO week (Monday) touching the range.
    pub weeks: Vec<WeekFigures>,
    pub channels: Vec<ChannelFigures>,
    pub cashtags: Vec<CashtagFigures>,
    pub moderators: Vec<ModeratorFigures>,
    /// ECharts options (colour tokens), drawn by `public/charts.js`.
    pub charts: Charts,
    /// The [`PRESETS`] as ranges up to today.
    pub presets: Vec<Preset>,
    /// When the roll-up last finished (RFC 3339); none before its first run.
    pub as_of: Option<String>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    pub messages: u64,
    /// Distinct members who wrote at least once in the range.
    pub active_members: u64,
    pub joined: u64,
    pub left: u64,
    /// Kicked or banned.
    pub removed: u64,
    pub flagged: u64,
    pub reports: u64,
    /// Flagged messages per 100 written.
    pub flag_rate: f64,
    /// Reports per 1,000 messages written.
    pub report_rate: f64,
    /// Reports made in the range that a moderator has resolved, and how long it took them.
    pub reports_resolved: u64,
    pub median_response_minutes: Option<f64>,
    pub p90_response_minutes: Option<f64>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DayFigures {
    pub day: String,
    pub messages: u64,
    pub active_members: u64,
    pub joined: u64,
    pub left: u64,
    pub removed: u64,
    pub flagged: u64,
    pub reports: u64,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WeekFigures {
    /// Its Monday.
    pub week: String,
    pub active_members: u64,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelFigures {
    pub name: String,
    pub messages: u64,
    pub flagged: u64,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CashtagFigures {
    pub symbol: String,
    pub mentions: u64,
    pub bullish: u64,
    pub bearish: u64,
    /// Bullish less bearish, per 100 mentions (−100 … 100).
    pub mood: i32,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModeratorFigures {
    pub display_name: String,
    pub username: String,
    pub resolved: u64,
    pub median_minutes: f64,
}

/// A range offered a click away.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Preset {
    pub days: i64,
    pub from: String,
    pub to: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Charts {
    /// Messages (bars) and active members (line) per day.
    pub activity: String,
    /// Active members per week.
    pub weekly: String,
    /// Joined, left and removed per day.
    pub membership: String,
    /// Each top $cashtag's mood per day.
    pub mood: String,
    /// Flag rate and report rate per day.
    pub safety: String,
}

/// The median and the 90th percentile (nearest rank) of some durations; none of none.
pub fn median_and_p90(values: &mut [f64]) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let median = if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    };
    let rank = (n * 90).div_ceil(100).max(1);
    Some((median, values[rank - 1]))
}

/// Bullish less bearish per 100 mentions.
pub fn mood(mentions: u64, bullish: u64, bearish: u64) -> i32 {
    if mentions == 0 {
        return 0;
    }
    ((bullish as f64 - bearish as f64) * 100.0 / mentions as f64).round() as i32
}

/// A rate per `per` (100 for per cent), one decimal; 0 of nothing.
pub fn rate(count: u64, of: u64, per: f64) -> f64 {
    if of == 0 {
        return 0.0;
    }
    (count as f64 * per / of as f64 * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_percentiles_moods_and_rates() {
        assert_eq!(median_and_p90(&mut []), None);
        assert_eq!(median_and_p90(&mut [5.0]), Some((5.0, 5.0)));
        assert_eq!(median_and_p90(&mut [30.0, 10.0]), Some((20.0, 30.0)));
        let mut ten: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        assert_eq!(median_and_p90(&mut ten), Some((5.5, 9.0)));
        assert_eq!(mood(10, 7, 2), 50);
        assert_eq!(mood(3, 0, 3), -100);
        assert_eq!(mood(0, 0, 0), 0);
        assert_eq!(rate(1, 3, 100.0), 33.3);
        assert_eq!(rate(2, 1000, 1000.0), 2.0);
        assert_eq!(rate(5, 0, 100.0), 0.0);
    }
}
