//! Statistics of chat activity. For now a person's own: messages, reactions received, the days
//! they were active and their streaks — counted in their own time zone, shown only to them.

use serde::{Deserialize, Serialize};

pub mod api;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod service;

/// Days the recent-activity bars cover, today included.
pub const RECENT_DAYS: usize = 30;

/// A person's own chat activity.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MyActivity {
    /// Messages they wrote and have not deleted.
    pub messages: u64,
    /// Of those, in the last [`RECENT_DAYS`] days.
    pub recent_messages: u64,
    /// Reactions others gave their messages.
    pub reactions_received: u64,
    /// Days (in their time zone) with at least one message.
    pub active_days: u64,
    /// Active days in a row up to today (or yesterday: today may still come).
    pub current_streak: u32,
    pub longest_streak: u32,
    /// Messages per day for the last [`RECENT_DAYS`] days, oldest first; `recent_days[i]`'s
    /// date is `recent_from` + i days.
    pub recent_days: Vec<u32>,
    /// "2026-10-28": the first of the recent days.
    pub recent_from: String,
    /// The IANA zone the days are counted in.
    pub time_zone: String,
}

/// Streaks over `days` (day numbers, e.g. days since the epoch, sorted ascending, no repeats)
/// as of `today`: the run that reaches today or yesterday, and the longest run.
pub fn streaks(days: &[i64], today: i64) -> (u32, u32) {
    let mut longest = 0u32;
    let mut run = 0u32;
    let mut previous: Option<i64> = None;
    for &day in days {
        run = match previous {
            Some(p) if day == p + 1 => run + 1,
            _ => 1,
        };
        longest = longest.max(run);
        previous = Some(day);
    }
    let current = match previous {
        Some(last) if last == today || last == today - 1 => run,
        _ => 0,
    };
    (current, longest)
}

#[cfg(test)]
mod tests {
    use super::streaks;

    #[test]
    fn streaks_count_days_in_a_row() {
        assert_eq!(streaks(&[], 100), (0, 0));
        assert_eq!(streaks(&[100], 100), (1, 1));
        // Yesterday still counts: today is not over.
        assert_eq!(streaks(&[98, 99], 100), (2, 2));
        // A gap before today ends the current run but not the longest.
        assert_eq!(streaks(&[90, 91, 92, 93, 97, 98], 100), (0, 4));
        assert_eq!(streaks(&[90, 91, 92, 99, 100], 100), (2, 3));
        assert_eq!(streaks(&[1, 3, 5, 7], 7), (1, 1));
    }
}
