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

/// Days from the first to the last, both included.
pub type Span = (NaiveDate, NaiveDate);

/// The first day of `day`'s month.
pub fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).expect("every month has a first day")
}

/// The last day of the month that starts on `month`.
pub fn month_end(month: NaiveDate) -> NaiveDate {
    month
        .checked_add_months(chrono::Months::new(1))
        .expect("a month after any date the app reads")
        - Duration::days(1)
}

/// `[from, to]` cut for counting distinct people: the whole months inside it (their first
/// days), and the ragged ends outside them (each a day range). Without a whole month, the
/// whole range is one end.
pub fn whole_months((from, to): Span) -> Option<(Span, Vec<Span>)> {
    let first = if from.day() == 1 {
        from
    } else {
        month_end(month_of(from)) + Duration::days(1)
    };
    let last = if month_end(month_of(to)) == to {
        month_of(to)
    } else {
        month_of(month_of(to) - Duration::days(1))
    };
    if first > last || first > to {
        return None;
    }
    let mut ends = Vec::new();
    if from < first {
        ends.push((from, first - Duration::days(1)));
    }
    if month_end(last) < to {
        ends.push((month_end(last) + Duration::days(1), to));
    }
    Some(((first, last), ends))
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
    fn a_range_is_cut_into_whole_months_and_its_ragged_ends() {
        let cut = |from: &str, to: &str| whole_months((day(from), day(to)));
        // A year from mid-November: December to October whole, two ends.
        assert_eq!(
            cut("2025-11-27", "2026-11-26"),
            Some((
                (day("2025-12-01"), day("2026-10-01")),
                vec![
                    (day("2025-11-27"), day("2025-11-30")),
                    (day("2026-11-01"), day("2026-11-26"))
                ]
            ))
        );
        // Exactly whole months: no ends (February of a leap year ends on the 29th).
        assert_eq!(
            cut("2024-01-01", "2024-02-29"),
            Some(((day("2024-01-01"), day("2024-02-01")), vec![]))
        );
        assert_eq!(
            cut("2024-02-01", "2024-02-28"),
            None,
            "the 28th is not the end of a leap February"
        );
        // Thirty days, or a month and a day: no whole month or one.
        assert_eq!(cut("2026-10-28", "2026-11-26"), None);
        assert_eq!(cut("2026-10-15", "2026-11-14"), None);
        assert_eq!(
            cut("2026-09-30", "2026-11-01"),
            Some((
                (day("2026-10-01"), day("2026-10-01")),
                vec![
                    (day("2026-09-30"), day("2026-09-30")),
                    (day("2026-11-01"), day("2026-11-01"))
                ]
            ))
        );
        assert_eq!(month_end(day("2026-12-01")), day("2026-12-31"));
        assert_eq!(month_of(day("2026-11-26")), day("2026-11-01"));
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
