//! Names of the app's languages, from the translation files: the UI shows them in the reader's
//! language, and the hosted AI's prompts use the English ones.

use super::i18n::{td_string, Locale};

/// The UI languages' codes, in the order of [`LANGUAGES`].
pub const CODES: [&str; 5] = ["en", "tr", "es", "fr", "de"];

/// The UI languages, each named in its own language.
pub const LANGUAGES: [(Locale, &str); 5] = [
    (Locale::en, "English"),
    (Locale::tr, "Türkçe"),
    (Locale::es, "Español"),
    (Locale::fr, "Français"),
    (Locale::de, "Deutsch"),
];

/// `code` ("es") named in `locale` ("Spanish", "İspanyolca"…); an unknown code is shown as is.
pub fn language_name(locale: Locale, code: &str) -> String {
    match code {
        "en" => td_string!(locale, lang.en).to_string(),
        "tr" => td_string!(locale, lang.tr).to_string(),
        "es" => td_string!(locale, lang.es).to_string(),
        "fr" => td_string!(locale, lang.fr).to_string(),
        "de" => td_string!(locale, lang.de).to_string(),
        other => other.to_string(),
    }
}
