//! Which UTC days a request covers (ssr: chrono is the server's).

use chrono::{Datelike, Duration, NaiveDate};

use super::{Preset, DEFAULT_DAYS, MAX_DAYS, PRESETS};
use crate::kit::sentences::{says, Sentence};

/// The days a request asks for: `from` and `to` ("YYYY-MM-DD", inclusive), either left out for
/// the last [`DEFAULT_DAYS`] days up to `today`. Refused in words: a date that is not one, a
/// range that ends before it starts or is longer than [`MAX_DAYS`].
pub fn range(
    from: Option<&str>,
    to: Option<&str>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), Sentence> {
    let date = |text: &str| {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| says!("server.analytics.bad_date").with("value", text.trim()))
    };
    let blank = |v: &Option<&str>| v.map(str::trim).filter(|t| !t.is_empty()).is_none();
    let to = if blank(&to) {
        today
    } else {
        date(to.unwrap_or_default())?
    };
    let from = if blank(&from) {
        to - Duration::days(DEFAULT_DAYS - 1)
    } else {
        date(from.unwrap_or_default())?
    };
    if to < from {
        return Err(says!("server.analytics.backwards"));
    }
    if (to - from).num_days() + 1 > MAX_DAYS {
        return Err(says!("server.analytics.too_long").with("days", MAX_DAYS));
    }
    Ok((from, to))
}

/// The Monday of a day's ISO week.
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The ranges offered a click away, up to `today`.
pub fn presets(today: NaiveDate) -> Vec<Preset> {
    PRESETS
        .iter()
        .map(|&days| Preset {
            days,
            from: (today - Duration::days(days - 1)).to_string(),
            to: today.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_range_is_read_or_refused_in_words() {
        let today = day("2026-11-26");
        assert_eq!(
            range(None, None, today).unwrap(),
            (day("2026-10-28"), today)
        );
        assert_eq!(
            range(Some("2026-01-01"), Some(" 2026-01-31 "), today).unwrap(),
            (day("2026-01-01"), day("2026-01-31"))
        );
        // A given end with no start: the 30 days up to it.
        assert_eq!(
            range(Some(""), Some("2026-02-28"), today).unwrap().0,
            day("2026-01-30")
        );
        assert_eq!(
            range(Some("2026-13-01"), None, today).unwrap_err().key(),
            "server.analytics.bad_date"
        );
        assert_eq!(
            range(Some("2026-02-01"), Some("2026-01-01"), today)
                .unwrap_err()
                .key(),
            "server.analytics.backwards"
        );
        assert_eq!(
            range(Some("2020-01-01"), Some("2026-01-01"), today)
                .unwrap_err()
                .key(),
            "server.analytics.too_long"
        );
        // Exactly the longest range is allowed.
        assert!(range(Some("2024-11-26"), Some("2026-11-26"), today).is_ok());
    }

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(monday_of(day("2026-11-26")), day("2026-11-23"));
        assert_eq!(monday_of(day("2026-11-23")), day("2026-11-23"));
        assert_eq!(monday_of(day("2026-11-22")), day("2026-11-16"));
    }

    #[test]
    fn presets_end_today() {
        let today = day("2026-11-26");
        let offered = presets(today);
        assert_eq!(offered[0].from, "2026-11-20");
        assert_eq!(offered[3].from, "2025-11-27");
        assert!(offered.iter().all(|p| p.to == "2026-11-26"));
    }
}
