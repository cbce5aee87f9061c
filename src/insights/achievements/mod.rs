//! Achievements: badges people earn by taking part and show on their profile. Each is a row of
//! [`ACHIEVEMENTS`] — a key, an icon and a rule with its numbers — so a new badge is a new row,
//! not new code. A background job (`service::award`) checks the rules for those who were active
//! since its last run, records a badge once (the key of `achievements` is the person and the
//! badge) and announces it once. Nothing flagged counts: only messages the AI has judged and
//! not flagged (or whose flag a moderator dismissed) make a first message, a streak or help.

pub use crate::carried::badge::Earned;

pub mod api;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;

/// What earns a badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// A first message that stands (not deleted, not flagged).
    FirstMessage,
    /// At least this many reactions and replies from others on one's standing messages.
    Helpful { reactions: u32, replies: u32 },
    /// Active (a standing message) this many days in a row, in one's own time zone.
    Streak { days: u32 },
    /// A number named in a price-target poll within this many per cent of the price at close.
    CalledIt { within_percent: u32 },
    /// A member of a community (not a direct conversation) for this many days.
    Anniversary { days: u32 },
}

/// One badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Achievement {
    /// Stored and sent on the wire; never renamed.
    pub key: &'static str,
    pub icon: &'static str,
    pub rule: Rule,
}

/// Every badge, in the order a profile shows them.
pub const ACHIEVEMENTS: &[Achievement] = &[
    Achievement {
        key: "first_message",
        icon: "👋",
        rule: Rule::FirstMessage,
    },
    Achievement {
        key: "helpful",
        icon: "🤝",
        rule: Rule::Helpful {
            reactions: 10,
            replies: 5,
        },
    },
    Achievement {
        key: "streak_7",
        icon: "🔥",
        rule: Rule::Streak { days: 7 },
    },
    Achievement {
        key: "streak_30",
        icon: "🏅",
        rule: Rule::Streak { days: 30 },
    },
    Achievement {
        key: "called_it",
        icon: "🎯",
        rule: Rule::CalledIt { within_percent: 5 },
    },
    Achievement {
        key: "one_year",
        icon: "🎂",
        rule: Rule::Anniversary { days: 365 },
    },
];

/// The badge of a key.
pub fn achievement(key: &str) -> Option<&'static Achievement> {
    ACHIEVEMENTS.iter().find(|a| a.key == key)
}

/// Whether a named number called the price: within `percent` per cent of it.
pub fn called(target: f64, price: f64, percent: u32) -> bool {
    price > 0.0 && ((target - price).abs() / price) * 100.0 <= f64::from(percent) + 1e-9
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_known() {
        let mut keys: Vec<&str> = ACHIEVEMENTS.iter().map(|a| a.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), ACHIEVEMENTS.len());
        assert_eq!(achievement("called_it").unwrap().icon, "🎯");
        assert!(achievement("nope").is_none());
    }

    #[test]
    fn a_call_is_within_five_percent_either_way() {
        assert!(called(105.0, 100.0, 5));
        assert!(called(95.0, 100.0, 5));
        assert!(called(100.0, 100.0, 5));
        assert!(!called(105.01, 100.0, 5));
        assert!(!called(94.9, 100.0, 5));
        assert!(!called(1.0, 0.0, 5));
    }
}
