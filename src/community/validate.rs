//! Rules for community and channel fields, shared by the form (as the person types) and the
//! server (which never trusts the form).

use serde::{Deserialize, Serialize};

use crate::kit::sentences::{says, Sentence};

pub const NAME_MIN: usize = 3;
pub const NAME_MAX: usize = 60;
pub const DESCRIPTION_MAX: usize = 280;
pub const CHANNEL_NAME_MAX: usize = 32;
pub const TOPIC_MAX: usize = 200;
pub const REASON_MAX: usize = 280;
pub const ROLE_NAME_MAX: usize = 32;

/// The colours offered for a community's icon.
pub const ICON_COLORS: [&str; 8] = [
    "#2563eb", "#7c3aed", "#db2777", "#dc2626", "#ea580c", "#16a34a", "#0891b2", "#475569",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommunityFieldError {
    NameLength,
    NameNoLetters,
    DescriptionTooLong,
    ColorUnknown,
    ChannelName,
    TopicTooLong,
    ReasonTooLong,
    RoleName,
    /// A community is public or private; `direct` is only for conversations.
    Visibility,
}

impl CommunityFieldError {
    /// What to change, in any of the app's languages.
    pub fn sentence(&self) -> Sentence {
        match self {
            CommunityFieldError::NameLength => says!("server.community.name_length"),
            CommunityFieldError::NameNoLetters => says!("server.community.name_no_letters"),
            CommunityFieldError::DescriptionTooLong => {
                says!("server.community.description_too_long")
            }
            CommunityFieldError::ColorUnknown => says!("server.community.color_unknown"),
            CommunityFieldError::ChannelName => says!("server.community.channel_name"),
            CommunityFieldError::TopicTooLong => says!("server.community.topic_too_long"),
            CommunityFieldError::ReasonTooLong => says!("server.community.reason_too_long"),
            CommunityFieldError::RoleName => says!("server.community.role_name"),
            CommunityFieldError::Visibility => says!("server.community.visibility"),
        }
    }
}

crate::kit::sentences::english_display!(CommunityFieldError);

pub fn community_name(input: &str) -> Result<String, CommunityFieldError> {
    let name = input.trim();
    let length = name.chars().count();
    if !(NAME_MIN..=NAME_MAX).contains(&length) {
        return Err(CommunityFieldError::NameLength);
    }
    if !name.chars().any(char::is_alphanumeric) {
        return Err(CommunityFieldError::NameNoLetters);
    }
    Ok(name.to_string())
}

pub fn description(input: &str) -> Result<String, CommunityFieldError> {
    let text = input.trim();
    if text.chars().count() > DESCRIPTION_MAX {
        return Err(CommunityFieldError::DescriptionTooLong);
    }
    Ok(text.to_string())
}

pub fn icon_color(input: &str) -> Result<String, CommunityFieldError> {
    let color = input.trim().to_ascii_lowercase();
    ICON_COLORS
        .contains(&color.as_str())
        .then_some(color)
        .ok_or(CommunityFieldError::ColorUnknown)
}

/// A community's visibility as a person chooses it: public or private, never that of a direct
/// conversation (the form offers two; a crafted request could say the third).
pub fn visibility(
    chosen: super::permissions::Visibility,
) -> Result<super::permissions::Visibility, CommunityFieldError> {
    match chosen {
        super::permissions::Visibility::Direct => Err(CommunityFieldError::Visibility),
        other => Ok(other),
    }
}

/// The URL name of a community: lower-case ASCII letters and digits joined by dashes
/// ("Options & Futures Club!" → "options-futures-club"). Non-ASCII letters are dropped, so a
/// name of only such letters gets a slug from the caller's fallback.
pub fn slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    slug.chars()
        .take(32)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

/// A channel name as people type it ("Earnings Season" → "earnings-season").
pub fn channel_name(input: &str) -> Result<String, CommunityFieldError> {
    let name: String = input
        .trim()
        .trim_start_matches('#')
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-");
    let valid = !name.is_empty()
        && name.chars().count() <= CHANNEL_NAME_MAX
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
    valid
        .then_some(name)
        .ok_or(CommunityFieldError::ChannelName)
}

pub fn topic(input: &str) -> Result<String, CommunityFieldError> {
    let text = input.trim();
    if text.chars().count() > TOPIC_MAX {
        return Err(CommunityFieldError::TopicTooLong);
    }
    Ok(text.to_string())
}

pub fn reason(input: &str) -> Result<String, CommunityFieldError> {
    let text = input.trim();
    if text.chars().count() > REASON_MAX {
        return Err(CommunityFieldError::ReasonTooLong);
    }
    Ok(text.to_string())
}

pub fn role_name(input: &str) -> Result<String, CommunityFieldError> {
    let name = input.trim();
    let length = name.chars().count();
    if length == 0 || length > ROLE_NAME_MAX {
        return Err(CommunityFieldError::RoleName);
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn community_names_are_trimmed_and_bounded() {
        assert_eq!(
            community_name("  Value Investors "),
            Ok("Value Investors".into())
        );
        assert_eq!(community_name("ab"), Err(CommunityFieldError::NameLength));
        assert_eq!(
            community_name(&"x".repeat(61)),
            Err(CommunityFieldError::NameLength)
        );
        assert_eq!(
            community_name("!!!!"),
            Err(CommunityFieldError::NameNoLetters)
        );
        assert_eq!(
            community_name("Borsa İstanbul"),
            Ok("Borsa İstanbul".into())
        );
    }

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slug("Options & Futures Club!"), "options-futures-club");
        assert_eq!(slug("  $TSLA  bulls "), "tsla-bulls");
        assert_eq!(slug("Yatırım"), "yat-r-m");
        assert_eq!(slug("日本株"), "");
        assert!(slug(&"long name ".repeat(10)).len() <= 32);
        assert!(!slug(&"long name ".repeat(10)).ends_with('-'));
    }

    #[test]
    fn channel_names_are_normalised() {
        assert_eq!(
            channel_name("#Earnings Season"),
            Ok("earnings-season".into())
        );
        assert_eq!(channel_name("crypto_talk"), Ok("crypto_talk".into()));
        assert_eq!(channel_name(""), Err(CommunityFieldError::ChannelName));
        assert_eq!(
            channel_name("no/slashes"),
            Err(CommunityFieldError::ChannelName)
        );
        assert_eq!(
            channel_name(&"a".repeat(33)),
            Err(CommunityFieldError::ChannelName)
        );
    }

    #[test]
    fn colours_come_from_the_palette() {
        assert_eq!(icon_color("#2563EB"), Ok("#2563eb".into()));
        assert_eq!(icon_color("red"), Err(CommunityFieldError::ColorUnknown));
    }

    #[test]
    fn free_text_is_bounded() {
        assert!(description(&"d".repeat(280)).is_ok());
        assert_eq!(
            description(&"d".repeat(281)),
            Err(CommunityFieldError::DescriptionTooLong)
        );
        assert_eq!(
            reason(&"r".repeat(281)),
            Err(CommunityFieldError::ReasonTooLong)
        );
        assert_eq!(
            topic(&"t".repeat(201)),
            Err(CommunityFieldError::TopicTooLong)
        );
        assert_eq!(role_name(" "), Err(CommunityFieldError::RoleName));
    }
}
