//! iCalendar (RFC 5545) files of events, for any calendar app: times in UTC (the app shows
//! them in its owner's zone), text escaped, lines folded at 75 octets, CRLF endings.

use chrono::{DateTime, Utc};

/// One event as a calendar file holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsEvent {
    pub uid: String,
    pub title: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    /// An event without an end lasts an hour in calendars.
    pub ends_at: Option<DateTime<Utc>>,
    /// Where it happens: the community and channel ("Bullpen · Value investors #general").
    pub location: String,
    pub url: String,
    pub created_at: DateTime<Utc>,
}

/// A calendar named `name` holding `events`.
pub fn calendar(name: &str, events: &[IcsEvent], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    let mut line = |text: String| fold_into(&mut out, &text);
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//Bullpen//Events//EN".into());
    line("CALSCALE:GREGORIAN".into());
    line("METHOD:PUBLISH".into());
    line(format!("X-WR-CALNAME:{}", text(name)));
    for event in events {
        let ends = event
            .ends_at
            .unwrap_or(event.starts_at + chrono::Duration::hours(1));
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}", text(&event.uid)));
        line(format!("DTSTAMP:{}", stamp(now)));
        line(format!("CREATED:{}", stamp(event.created_at)));
        line(format!("DTSTART:{}", stamp(event.starts_at)));
        line(format!("DTEND:{}", stamp(ends)));
        line(format!("SUMMARY:{}", text(&event.title)));
        if !event.description.trim().is_empty() {
            line(format!("DESCRIPTION:{}", text(&event.description)));
        }
        line(format!("LOCATION:{}", text(&event.location)));
        line(format!("URL:{}", event.url));
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}

/// `20261203T213000Z`.
fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value: backslashes, semicolons, commas and line breaks escaped.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line folded at 75 octets (never inside a character), with CRLF.
fn fold_into(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            // The folding space counts on the continued line.
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(iso: &str) -> DateTime<Utc> {
        iso.parse().unwrap()
    }

    #[test]
    fn a_calendar_file_is_what_rfc_5545_asks() {
        let event = IcsEvent {
            uid: "0190-abc@bullpen".into(),
            title: "Q3 call; $AAPL, live".into(),
            description: "Line one\nLine two \\ done".into(),
            starts_at: at("2026-12-03T21:30:00Z"),
            ends_at: None,
            location: "Value investors #general".into(),
            url: "http://localhost:3000/c/value/general?at=4".into(),
            created_at: at("2026-11-26T10:00:00Z"),
        };
        let file = calendar("Value investors", &[event], at("2026-11-26T12:00:00Z"));
        assert!(file.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(file.ends_with("END:VCALENDAR\r\n"));
        assert!(file.contains("\r\nDTSTART:20261203T213000Z\r\n"));
        // Without an end: an hour.
        assert!(file.contains("\r\nDTEND:20261203T223000Z\r\n"));
        assert!(file.contains("\r\nSUMMARY:Q3 call\\; $AAPL\\, live\r\n"));
        assert!(file.contains("\r\nDESCRIPTION:Line one\\nLine two \\\\ done\r\n"));
        assert!(!file.replace("\r\n", "").contains('\n'), "bare line feeds");
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "é".repeat(60));
        fold_into(&mut out, &long);
        for physical in out.trim_end_matches("\r\n").split("\r\n") {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, long);
    }
}
