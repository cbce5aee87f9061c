//! The rules for account fields, shared by the browser (inline messages as the person types) and
//! the server (which never trusts the browser). Each rule refuses with its own `FieldError`;
//! `Display` gives the English sentence the JSON API returns, the UI shows the same error in the
//! reader's language.

use serde::{Deserialize, Serialize};

use crate::kit::sentences::{says, Sentence};

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 32;
pub const DISPLAY_NAME_MAX: usize = 50;
pub const PASSWORD_MIN: usize = 10;
/// Long enough for any passphrase, short enough that hashing cannot be used to tie up the server.
pub const PASSWORD_MAX: usize = 128;
pub const EMAIL_MAX: usize = 254;
pub const BIO_MAX: usize = 280;

/// The 1,000 most common passwords (scripts/make-common-passwords.py), most common first.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// Why a field was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldError {
    EmailMissing,
    EmailInvalid,
    EmailTooLong,
    UsernameTooShort,
    UsernameTooLong,
    UsernameCharacters,
    /// `everyone` and `here` call a whole community (`@everyone`, `@here`).
    UsernameReserved,
    DisplayNameMissing,
    DisplayNameTooLong,
    PasswordTooShort,
    PasswordTooLong,
    PasswordCommon,
    BioTooLong,
    LanguageUnknown,
    TimeZoneInvalid,
}

impl FieldError {
    /// What to change, in any of the app's languages.
    pub fn sentence(&self) -> Sentence {
        match self {
            FieldError::EmailMissing => says!("field.email_missing"),
            FieldError::EmailInvalid => says!("field.email_invalid"),
            FieldError::EmailTooLong => says!("field.email_too_long"),
            FieldError::UsernameTooShort => says!("field.username_too_short"),
            FieldError::UsernameTooLong => says!("field.username_too_long"),
            FieldError::UsernameCharacters => says!("field.username_characters"),
            FieldError::UsernameReserved => says!("field.username_reserved"),
            FieldError::DisplayNameMissing => says!("field.display_name_missing"),
            FieldError::DisplayNameTooLong => says!("field.display_name_too_long"),
            FieldError::PasswordTooShort => says!("field.password_too_short"),
            FieldError::PasswordTooLong => says!("field.password_too_long"),
            FieldError::PasswordCommon => says!("field.password_common"),
            FieldError::BioTooLong => says!("field.bio_too_long"),
            FieldError::LanguageUnknown => says!("field.language_unknown"),
            FieldError::TimeZoneInvalid => says!("field.time_zone_invalid"),
        }
    }
}

crate::kit::sentences::english_display!(FieldError);

/// A field rule as a form uses it: fine, or why not.
pub type FieldRule = fn(&str) -> Result<(), FieldError>;

/// Trims and lower-cases an email address, refusing what cannot be one.
pub fn email(input: &str) -> Result<String, FieldError> {
    let email = input.trim();
    if email.is_empty() {
        return Err(FieldError::EmailMissing);
    }
    if email.chars().count() > EMAIL_MAX {
        return Err(FieldError::EmailTooLong);
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return Err(FieldError::EmailInvalid);
    };
    let well_formed = !local.is_empty()
        && !local.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if !well_formed {
        return Err(FieldError::EmailInvalid);
    }
    Ok(email.to_lowercase())
}

/// A username as typed (its case is kept for display; uniqueness ignores case).
/// Names that mean a group in a message, never one person.
pub const RESERVED_USERNAMES: [&str; 2] = ["everyone", "here"];

pub fn username(input: &str) -> Result<String, FieldError> {
    let name = input.trim();
    let len = name.chars().count();
    if len < USERNAME_MIN {
        return Err(FieldError::UsernameTooShort);
    }
    if len > USERNAME_MAX {
        return Err(FieldError::UsernameTooLong);
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        return Err(FieldError::UsernameCharacters);
    }
    if RESERVED_USERNAMES.contains(&username_key(name).as_str()) {
        return Err(FieldError::UsernameReserved);
    }
    Ok(name.to_owned())
}

/// The key two usernames are compared by: "Ana" and "ana" are the same account.
pub fn username_key(username: &str) -> String {
    username.trim().to_ascii_lowercase()
}

pub fn display_name(input: &str) -> Result<String, FieldError> {
    // Control characters (newlines, bidi overrides' cousins) have no place in a name.
    let name: String = input.trim().chars().filter(|c| !c.is_control()).collect();
    if name.is_empty() {
        return Err(FieldError::DisplayNameMissing);
    }
    if name.chars().count() > DISPLAY_NAME_MAX {
        return Err(FieldError::DisplayNameTooLong);
    }
    Ok(name)
}

/// A new password. Never trimmed: spaces are part of a passphrase.
pub fn new_password(input: &str) -> Result<(), FieldError> {
    let len = input.chars().count();
    if len < PASSWORD_MIN {
        return Err(FieldError::PasswordTooShort);
    }
    if len > PASSWORD_MAX {
        return Err(FieldError::PasswordTooLong);
    }
    let lower = input.to_lowercase();
    if COMMON_PASSWORDS.lines().any(|common| common == lower) {
        return Err(FieldError::PasswordCommon);
    }
    Ok(())
}

pub fn bio(input: &str) -> Result<String, FieldError> {
    let bio = input.trim();
    if bio.chars().count() > BIO_MAX {
        return Err(FieldError::BioTooLong);
    }
    Ok(bio.to_owned())
}

/// A preferred language: one of the UI's (it drives the translation of messages).
pub fn language(input: &str) -> Result<String, FieldError> {
    let code = input.trim().to_ascii_lowercase();
    if crate::kit::languages::CODES.contains(&code.as_str()) {
        Ok(code)
    } else {
        Err(FieldError::LanguageUnknown)
    }
}

/// An IANA time zone name ("UTC", "Europe/Istanbul", "America/Argentina/Buenos_Aires").
pub fn time_zone(input: &str) -> Result<String, FieldError> {
    let tz = input.trim();
    let part_ok = |p: &str| {
        !p.is_empty()
            && p.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
    };
    let parts: Vec<&str> = tz.split('/').collect();
    if tz.len() <= 64 && parts.len() <= 3 && parts.iter().all(|p| part_ok(p)) {
        Ok(tz.to_owned())
    } else {
        Err(FieldError::TimeZoneInvalid)
    }
}

/// The initials shown in an avatar: first letters of the first two words, upper-cased.
pub fn initials(display_name: &str) -> String {
    let letters: String = display_name
        .split_whitespace()
        .filter_map(|w| w.chars().find(|c| c.is_alphanumeric()))
        .take(2)
        .flat_map(char::to_uppercase)
        .collect();
    if letters.is_empty() {
        "?".into()
    } else {
        letters
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_rules() {
        assert_eq!(
            email("  Ana.Lima@Example.COM "),
            Ok("ana.lima@example.com".into())
        );
        assert_eq!(email("   "), Err(FieldError::EmailMissing));
        assert_eq!(email("ana.example.com"), Err(FieldError::EmailInvalid));
        assert_eq!(email("ana@localhost"), Err(FieldError::EmailInvalid));
        assert_eq!(email("@example.com"), Err(FieldError::EmailInvalid));
        assert_eq!(email("ana lima@example.com"), Err(FieldError::EmailInvalid));
        assert_eq!(email("ana@example."), Err(FieldError::EmailInvalid));
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(email(&long), Err(FieldError::EmailTooLong));
    }

    #[test]
    fn username_rules() {
        assert_eq!(username(" Ana_Lima.99-x "), Ok("Ana_Lima.99-x".into()));
        assert_eq!(username("ab"), Err(FieldError::UsernameTooShort));
        assert_eq!(username(&"a".repeat(33)), Err(FieldError::UsernameTooLong));
        assert_eq!(username(&"a".repeat(32)), Ok("a".repeat(32)));
        assert_eq!(username("ana lima"), Err(FieldError::UsernameCharacters));
        assert_eq!(username("anaçlima"), Err(FieldError::UsernameCharacters));
        assert_eq!(username("ana@lima"), Err(FieldError::UsernameCharacters));
        assert_eq!(username("Everyone"), Err(FieldError::UsernameReserved));
        assert_eq!(username("here"), Err(FieldError::UsernameReserved));
        // A bot's name (`auth::BOT_SUFFIX`) can never be a person's.
        assert_eq!(
            username("hook-1a2b[bot]"),
            Err(FieldError::UsernameCharacters)
        );
        assert!(crate::auth::is_bot("hook-1a2b[bot]") && !crate::auth::is_bot("robot"));
        assert_eq!(username_key("Ana_Lima"), username_key("ana_lima"));
    }

    #[test]
    fn display_name_rules() {
        assert_eq!(display_name("  Ana Lima "), Ok("Ana Lima".into()));
        assert_eq!(display_name(" \n "), Err(FieldError::DisplayNameMissing));
        assert_eq!(display_name("Ana\u{0007}"), Ok("Ana".into()));
        assert_eq!(
            display_name(&"ş".repeat(51)),
            Err(FieldError::DisplayNameTooLong)
        );
    }

    #[test]
    fn password_rules() {
        assert_eq!(new_password("correct horse battery"), Ok(()));
        assert_eq!(new_password("short1!"), Err(FieldError::PasswordTooShort));
        assert_eq!(
            new_password(&"x".repeat(129)),
            Err(FieldError::PasswordTooLong)
        );
        // On the common list, in any case.
        assert_eq!(new_password("password123"), Err(FieldError::PasswordCommon));
        assert_eq!(new_password("QWERTYUIOP"), Err(FieldError::PasswordCommon));
        assert_eq!(new_password("1234567890"), Err(FieldError::PasswordCommon));
    }

    #[test]
    fn the_common_list_is_the_top_thousand() {
        assert_eq!(COMMON_PASSWORDS.lines().count(), 1000);
        assert_eq!(COMMON_PASSWORDS.lines().next(), Some("123456"));
    }

    #[test]
    fn profile_rules() {
        assert_eq!(bio(&"b".repeat(281)), Err(FieldError::BioTooLong));
        assert_eq!(bio("  Long $AAPL  "), Ok("Long $AAPL".into()));
        assert_eq!(language("TR"), Ok("tr".into()));
        assert_eq!(language("it"), Err(FieldError::LanguageUnknown));
        assert_eq!(time_zone("Europe/Istanbul"), Ok("Europe/Istanbul".into()));
        assert_eq!(
            time_zone("America/Argentina/Buenos_Aires"),
            Ok("America/Argentina/Buenos_Aires".into())
        );
        assert_eq!(time_zone("UTC"), Ok("UTC".into()));
        assert_eq!(time_zone("Etc/GMT+3"), Ok("Etc/GMT+3".into()));
        assert_eq!(time_zone("Europe/../etc"), Err(FieldError::TimeZoneInvalid));
        assert_eq!(time_zone(""), Err(FieldError::TimeZoneInvalid));
        assert_eq!(time_zone("<script>"), Err(FieldError::TimeZoneInvalid));
    }

    #[test]
    fn every_error_has_its_own_message() {
        let all = [
            FieldError::EmailMissing,
            FieldError::EmailInvalid,
            FieldError::EmailTooLong,
            FieldError::UsernameTooShort,
            FieldError::UsernameTooLong,
            FieldError::UsernameCharacters,
            FieldError::UsernameReserved,
            FieldError::DisplayNameMissing,
            FieldError::DisplayNameTooLong,
            FieldError::PasswordTooShort,
            FieldError::PasswordTooLong,
            FieldError::PasswordCommon,
            FieldError::BioTooLong,
            FieldError::LanguageUnknown,
            FieldError::TimeZoneInvalid,
        ];
        let messages: std::collections::HashSet<String> =
            all.iter().map(|e| e.to_string()).collect();
        assert_eq!(messages.len(), all.len());
    }

    #[test]
    fn initials_for_avatars() {
        assert_eq!(initials("Ana Lima"), "AL");
        assert_eq!(initials("çağla yılmaz öztürk"), "ÇY");
        assert_eq!(initials("  "), "?");
        assert_eq!(initials("$AAPL fan"), "AF");
    }
}
