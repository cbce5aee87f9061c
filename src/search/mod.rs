//! Search across what a person may read: messages (of the communities they belong to, blocked
//! authors left out), people and channels. A query is words plus filters — `from:ana`,
//! `in:general`, `has:link`, `has:file`, `before:2026-11-01`, `after:2026-10-01`, `$NVDA` —
//! parsed here, on both sides, so the page can show what it understood.
//!
//! Full text lives in the database (migration `message_search`): SQLite's FTS5, looked up by
//! each word's stems in the app's five languages; PostgreSQL's `tsvector` in the message's own
//! language. Both are kept in step with edits and deletions by the database itself.
//!
//! Beside the words, search finds by meaning: the AI worker stores each message's meaning
//! (`message_meanings`, the sentence encoder's), and the query's meaning is compared with
//! those of the newest messages the person may read, so "central bank raised rates" finds
//! "TCMB faizi yine artırdı". The page shows those apart, as "similar".

use serde::{Deserialize, Serialize};

pub mod api;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod service;

/// The longest query accepted, in characters.
pub const QUERY_MAX: usize = 200;
/// Message hits per page.
pub const PAGE: u64 = 25;

/// A query as understood: the words to find and the filters around them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Query {
    /// Lower-case words, each to be found (in any of its forms).
    pub words: Vec<String>,
    /// `from:` a username (without the @).
    pub from: Option<String>,
    /// `in:` a channel name (without the #).
    pub channel: Option<String>,
    /// `$NVDA`: upper-case symbols the message must name.
    pub tickers: Vec<String>,
    pub has_link: bool,
    /// `has:file`: messages that carry files.
    pub has_file: bool,
    /// `before:`/`after:` a day, `YYYY-MM-DD` (before: earlier than that day; after: later).
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Query {
    /// Reads a query as typed. Unknown `word:value` pairs and malformed dates are kept as
    /// words, so nothing typed is silently dropped.
    pub fn parse(text: &str) -> Query {
        let mut query = Query::default();
        for token in text.split_whitespace() {
            let lower = token.to_lowercase();
            if let Some((key, value)) = lower.split_once(':').filter(|(_, v)| !v.is_empty()) {
                let value = value.trim_start_matches(['@', '#']);
                let understood = match key {
                    "from" => {
                        query.from = Some(value.to_string());
                        true
                    }
                    "in" => {
                        query.channel = Some(value.to_string());
                        true
                    }
                    "has" if value == "link" => {
                        query.has_link = true;
                        true
                    }
                    "has" if value == "file" => {
                        query.has_file = true;
                        true
                    }
                    "before" if is_day(value) => {
                        query.before = Some(value.to_string());
                        true
                    }
                    "after" if is_day(value) => {
                        query.after = Some(value.to_string());
                        true
                    }
                    _ => false,
                };
                if understood {
                    continue;
                }
            }
            if let Some(symbol) = token.strip_prefix('$').filter(|s| is_symbol(s)) {
                let symbol = symbol.to_uppercase();
                if !query.tickers.contains(&symbol) {
                    query.tickers.push(symbol);
                }
                continue;
            }
            for word in words_of(&lower) {
                if !query.words.contains(&word) {
                    query.words.push(word);
                }
            }
        }
        query
    }

    /// Whether a filter (`from:`, `in:`, `has:`, a day, a `$TICKER`) narrows the search to
    /// messages: then people and channels named by the words are not what is asked for.
    pub fn is_about_messages(&self) -> bool {
        self.from.is_some()
            || self.channel.is_some()
            || !self.tickers.is_empty()
            || self.has_link
            || self.has_file
            || self.before.is_some()
            || self.after.is_some()
    }

    /// Whether there is anything to look for at all.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
            && self.from.is_none()
            && self.channel.is_none()
            && self.tickers.is_empty()
            && !self.has_link
            && !self.has_file
            && self.before.is_none()
            && self.after.is_none()
    }
}

/// The words of a text as search sees them: runs of letters and digits, lower-case.
pub fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn is_day(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(year), Ok(month), Ok(day)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>())
    else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

fn is_symbol(text: &str) -> bool {
    (1..=10).contains(&text.len())
        && text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
}

/// What a search found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Results {
    pub query: Query,
    pub messages: Vec<MessageHit>,
    /// More messages match than were sent: ask again with `before` = the last hit's id.
    pub more: bool,
    pub people: Vec<crate::auth::Author>,
    pub channels: Vec<ChannelHit>,
    /// Messages that mean what the words ask, in any of the five languages, that the words
    /// alone did not find ("similar"): the first page only, best first.
    #[serde(default)]
    pub similar: Vec<MessageHit>,
}

/// A message that matched, with where it is and the words around what matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MessageHit {
    pub message_id: String,
    pub seq: i64,
    pub channel_id: String,
    pub channel_name: String,
    pub community_slug: String,
    pub community_name: String,
    pub author: crate::auth::Author,
    pub created_at: String,
    pub snippet: Vec<Snip>,
    /// In one of the searcher's direct conversations (`community_slug` is the conversation's).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub direct: bool,
}

/// A piece of a snippet; `hit` pieces are what matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Snip {
    pub text: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hit: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ChannelHit {
    pub channel_id: String,
    pub name: String,
    pub community_slug: String,
    pub community_name: String,
}

/// The words of `text` around the first that `matches`, up to `width` characters, cut at word
/// boundaries, with every matching word marked.
pub fn snippet(text: &str, width: usize, matches: impl Fn(&str) -> bool) -> Vec<Snip> {
    // Words and what lies between them, in order.
    let mut pieces: Vec<(String, bool)> = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    for c in text.chars() {
        let word_char = c.is_alphanumeric() || c == '$';
        if word_char != in_word && !current.is_empty() {
            pieces.push((std::mem::take(&mut current), in_word));
        }
        in_word = word_char;
        current.push(c);
    }
    if !current.is_empty() {
        pieces.push((current, in_word));
    }
    let hit = |(piece, is_word): &(String, bool)| *is_word && matches(piece);
    let first = pieces.iter().position(hit).unwrap_or(0);
    // Start a few words before the first match when the text is long.
    let total: usize = pieces.iter().map(|(p, _)| p.chars().count()).sum();
    let mut start = 0;
    if total > width {
        let mut before = 0;
        start = first;
        while start > 0 && before < width / 3 {
            start -= 1;
            before += pieces[start].0.chars().count();
        }
    }
    let mut out: Vec<Snip> = Vec::new();
    if start > 0 {
        out.push(Snip {
            text: "…".into(),
            hit: false,
        });
    }
    let mut used = 0;
    let mut end = start;
    for piece in &pieces[start..] {
        let length = piece.0.chars().count();
        if used + length > width && used > 0 {
            break;
        }
        used += length;
        end += 1;
        let is_hit = hit(piece);
        match out.last_mut() {
            Some(last) if last.hit == is_hit && !is_hit => last.text.push_str(&piece.0),
            _ => out.push(Snip {
                text: piece.0.clone(),
                hit: is_hit,
            }),
        }
    }
    if end < pieces.len() {
        out.push(Snip {
            text: "…".into(),
            hit: false,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_read_and_everything_else_is_a_word() {
        let q = Query::parse(
            "Fed decision from:@Ana in:#General has:link $nvda before:2026-11-01 after:2026-13-01 x:y",
        );
        assert_eq!(
            q.words,
            ["fed", "decision", "after", "2026", "13", "01", "x", "y"]
        );
        assert_eq!(q.from.as_deref(), Some("ana"));
        assert_eq!(q.channel.as_deref(), Some("general"));
        assert_eq!(q.tickers, ["NVDA"]);
        assert!(q.has_link && !q.has_file);
        assert!(q.is_about_messages());
        assert!(!Query::parse("Fed decision").is_about_messages());
        assert_eq!(q.before.as_deref(), Some("2026-11-01"));
        assert_eq!(q.after, None, "13 is no month");
        assert!(Query::parse("   ").is_empty());
        // Days that are no day stay words rather than a filter silently matching nothing.
        assert_eq!(Query::parse("before:2026-02-31").before, None);
        assert_eq!(
            Query::parse("before:2026-02-31").words,
            ["before", "2026", "02", "31"]
        );
        assert_eq!(Query::parse("before:2025-02-29").before, None);
        assert_eq!(
            Query::parse("before:2024-02-29").before.as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(Query::parse("after:2026-04-31").after, None);
        assert!(!Query::parse("has:file").is_empty());
        assert_eq!(Query::parse("$ 100%").words, ["100"]);
        assert_eq!(Query::parse("Vendí acciones").words, ["vendí", "acciones"]);
    }

    #[test]
    fn a_snippet_shows_the_words_around_the_match_and_marks_it() {
        let plain = snippet("The Fed held rates today", 80, |w| {
            w.eq_ignore_ascii_case("fed")
        });
        assert_eq!(
            plain,
            vec![
                Snip {
                    text: "The ".into(),
                    hit: false
                },
                Snip {
                    text: "Fed".into(),
                    hit: true
                },
                Snip {
                    text: " held rates today".into(),
                    hit: false
                },
            ]
        );
        let long = format!(
            "{} CPI came in hot {}",
            "word ".repeat(40),
            "tail ".repeat(40)
        );
        let cut = snippet(&long, 60, |w| w == "CPI");
        assert!(cut.first().unwrap().text.starts_with("…word"), "{cut:?}");
        assert!(cut.last().unwrap().text.ends_with('…'), "{cut:?}");
        assert!(cut.iter().any(|s| s.hit && s.text == "CPI"));
        let shown: usize = cut.iter().map(|s| s.text.chars().count()).sum();
        assert!(shown <= 64, "{shown}");
        // Nothing matched (a filter-only search): the start of the message.
        assert_eq!(snippet("just words", 80, |_| false)[0].text, "just words");
    }
}
