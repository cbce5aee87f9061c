//! The people a page knows by name — a community's members, as its member list reads them — so
//! that a mention shows the person's name ("@Ana Lima", not "@ana_0544862") and the composer
//! can suggest whom to mention. A page that knows them provides [`KnownPeople`]; without one a
//! mention shows its username.

use leptos::prelude::*;

/// One person: the username a mention writes, and the name people see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub username: String,
    pub display_name: String,
}

#[derive(Clone, Copy)]
pub struct KnownPeople(RwSignal<Vec<Named>>);

/// Provides an empty list for the calling page; its member list fills it.
pub fn provide_known_people() -> KnownPeople {
    let known = KnownPeople(RwSignal::new(Vec::new()));
    provide_context(known);
    known
}

pub fn use_known_people() -> Option<KnownPeople> {
    use_context::<KnownPeople>()
}

impl KnownPeople {
    pub fn set(&self, people: Vec<Named>) {
        self.0.set(people);
    }

    /// The name of `username` (any case), once known (tracked).
    pub fn name_of(&self, username: &str) -> Option<String> {
        self.0.with(|people| {
            people
                .iter()
                .find(|p| p.username.eq_ignore_ascii_case(username))
                .map(|p| p.display_name.clone())
        })
    }

    /// Up to `limit` people whose username, or a word of whose name, starts with `typed` (any
    /// case): those by username first, as typed names are usernames more often than not.
    pub fn matching(&self, typed: &str, limit: usize) -> Vec<Named> {
        self.0.with_untracked(|people| ranked(people, typed, limit))
    }
}

fn ranked(people: &[Named], typed: &str, limit: usize) -> Vec<Named> {
    let typed = typed.to_lowercase();
    let by_username = people
        .iter()
        .filter(|p| p.username.to_lowercase().starts_with(&typed));
    let by_name = people.iter().filter(|p| {
        !p.username.to_lowercase().starts_with(&typed)
            && p.display_name
                .to_lowercase()
                .split_whitespace()
                .any(|word| word.starts_with(&typed))
    });
    by_username.chain(by_name).take(limit).cloned().collect()
}

/// Where a mention is being typed: the `@` and what follows it up to the caret, when that is
/// the start of a username (the `@` begins the text or follows a space; letters, digits and
/// `_` after it). Answers the byte offset of the `@` and the letters typed.
pub fn mention_at(text: &str, caret: usize) -> Option<(usize, &str)> {
    let before = text.get(..caret)?;
    let at = before.rfind('@')?;
    let typed = &before[at + 1..];
    let starts_word = before[..at]
        .chars()
        .next_back()
        .is_none_or(char::is_whitespace);
    let username_so_far =
        typed.len() <= 20 && typed.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (starts_word && username_so_far).then_some((at, typed))
}

/// The byte offset of the `utf16`th code unit of `text` (a browser's caret counts in UTF-16).
pub fn byte_offset(text: &str, utf16: usize) -> usize {
    let mut units = 0;
    for (at, c) in text.char_indices() {
        if units >= utf16 {
            return at;
        }
        units += c.len_utf16();
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(username: &str, display_name: &str) -> Named {
        Named {
            username: username.into(),
            display_name: display_name.into(),
        }
    }

    #[test]
    fn a_mention_is_found_only_where_a_username_is_being_typed() {
        assert_eq!(mention_at("hi @an", 6), Some((3, "an")));
        assert_eq!(mention_at("@", 1), Some((0, "")));
        assert_eq!(mention_at("mail ana@example", 16), None, "inside a word");
        assert_eq!(mention_at("hi @ana and", 11), None, "a space ended it");
        assert_eq!(
            mention_at("hi @ana and", 7),
            Some((3, "ana")),
            "the caret decides"
        );
        assert_eq!(mention_at("no at sign", 10), None);
        assert_eq!(mention_at("é @ç", 6), None, "not a username's letters");
    }

    #[test]
    fn a_caret_in_utf16_units_is_found_in_bytes() {
        assert_eq!(byte_offset("héllo", 2), 3);
        assert_eq!(
            byte_offset("📈 @a", 3),
            5,
            "an emoji is two units, four bytes"
        );
        assert_eq!(byte_offset("ab", 9), 2);
    }

    #[test]
    fn people_are_matched_by_username_first_then_by_a_word_of_their_name() {
        let people = [
            named("lima_trades", "Bo Chen"),
            named("ana_0544862", "Ana Lima"),
            named("bo", "Bo Ana"),
        ];
        let found: Vec<String> = ranked(&people, "An", 5)
            .into_iter()
            .map(|p| p.username)
            .collect();
        assert_eq!(found, ["ana_0544862", "bo"]);
        let found: Vec<String> = ranked(&people, "lima", 5)
            .into_iter()
            .map(|p| p.username)
            .collect();
        assert_eq!(found, ["lima_trades", "ana_0544862"]);
        assert_eq!(ranked(&people, "", 2).len(), 2, "at most the limit");
        assert!(ranked(&people, "zed", 5).is_empty());
    }
}
