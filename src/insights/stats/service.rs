//! Chat statistics (ssr).

use chrono::{Datelike, Duration, NaiveDate, Utc};

use super::{repo, streaks, MyActivity, RECENT_DAYS};
use crate::{
    entities::users,
    platform::{error::AppError, state::AppState},
};

/// The person's own activity, their days counted in their time zone (UTC when it is unknown).
pub async fn mine(state: &AppState, user: &users::Model) -> Result<MyActivity, AppError> {
    let zone: chrono_tz::Tz = user.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let times = repo::message_times_of(&state.db, user.id).await?;
    let reactions_received = repo::reactions_received(&state.db, user.id).await?;
    let day_of = |date: NaiveDate| i64::from(date.num_days_from_ce());
    let today_date = Utc::now().with_timezone(&zone).date_naive();
    let today = day_of(today_date);
    let first_recent = today - RECENT_DAYS as i64 + 1;
    let mut days: Vec<i64> = Vec::with_capacity(times.len());
    let mut recent_days = vec![0u32; RECENT_DAYS];
    for at in &times {
        let day = day_of(at.with_timezone(&zone).date_naive());
        days.push(day);
        if (first_recent..=today).contains(&day) {
            recent_days[(day - first_recent) as usize] += 1;
        }
    }
    days.sort_unstable();
    days.dedup();
    let (current_streak, longest_streak) = streaks(&days, today);
    Ok(MyActivity {
        messages: times.len() as u64,
        recent_messages: recent_days.iter().map(|n| u64::from(*n)).sum(),
        reactions_received,
        active_days: days.len() as u64,
        current_streak,
        longest_streak,
        recent_days,
        recent_from: (today_date - Duration::days(RECENT_DAYS as i64 - 1)).to_string(),
        time_zone: zone.name().to_string(),
    })
}
