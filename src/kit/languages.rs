//! Names of the app's languages, from the translation files: the UI shows them in the reader's
//! language, and the hosted AI's prompts use the English ones.

use super::i18n::{td_string, Locale};

/// The name of the cookie that keeps the chosen UI language (leptos_i18n's).
pub const LANGUAGE_COOKIE: &str = "i18n_pref_locale";

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

/// The UI language of a code ("de", "de-AT", "DE"), if the app speaks it.
pub fn locale_of(code: &str) -> Option<Locale> {
    let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    CODES
        .iter()
        .position(|c| *c == primary)
        .map(|i| LANGUAGES[i].0)
}

/// The language to answer a request in: the chosen UI language (its cookie), else the first
/// language of `Accept-Language` the app speaks, else English.
pub fn request_language(cookie: Option<&str>, accept_language: Option<&str>) -> Locale {
    cookie
        .and_then(locale_of)
        .or_else(|| {
            let mut ranked: Vec<(f32, &str)> = accept_language?
                .split(',')
                .filter_map(|part| {
                    let mut pieces = part.split(';');
                    let tag = pieces.next()?.trim();
                    let q = pieces
                        .find_map(|p| p.trim().strip_prefix("q="))
                        .and_then(|q| q.parse().ok())
                        .unwrap_or(1.0);
                    Some((q, tag))
                })
                .collect();
            // Stable: equal weights keep the order the browser gave.
            ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
            ranked.into_iter().find_map(|(_, tag)| locale_of(tag))
        })
        .unwrap_or(Locale::en)
}

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

/// A calendar date ("2024-01-02") written as people of `locale` write it, the way the browser's
/// date field shows it to them: 01/02/2024 in English (US), 02.01.2024 in German and Turkish,
/// 02/01/2024 in Spanish and French. Anything that is not an ISO date is returned as is.
pub fn local_date(locale: Locale, iso: &str) -> String {
    // A whole timestamp ("2026-11-28T04:36:16.73+00:00") is read for its day.
    let day = match iso.split_once('T') {
        Some((day, _)) => day,
        None => iso,
    };
    let mut parts = day.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return iso.to_string();
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return iso.to_string();
    }
    match locale {
        Locale::en => format!("{m}/{d}/{y}"),
        Locale::de | Locale::tr => format!("{d}.{m}.{y}"),
        Locale::es | Locale::fr => format!("{d}/{m}/{y}"),
    }
}

/// A decimal number with `places` decimals as people of `locale` write it: 0.93 in English,
/// 0,93 in the other four.
pub fn local_decimal(locale: Locale, value: f64, places: usize) -> String {
    let written = format!("{value:.places$}");
    match locale {
        Locale::en => written,
        _ => written.replace('.', ","),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_use_each_languages_separator() {
        assert_eq!(local_decimal(Locale::en, 0.934, 2), "0.93");
        assert_eq!(local_decimal(Locale::de, 0.934, 2), "0,93");
        assert_eq!(local_decimal(Locale::fr, 1.0, 2), "1,00");
    }

    #[test]
    fn a_request_is_answered_in_the_chosen_language_else_the_browsers() {
        assert_eq!(
            request_language(Some("tr"), Some("de-DE,de;q=0.9")),
            Locale::tr
        );
        assert_eq!(
            request_language(None, Some("de-AT,de;q=0.9,en;q=0.8")),
            Locale::de
        );
        // Weights decide, not the order; a language the app lacks is skipped.
        assert_eq!(
            request_language(None, Some("ja;q=1, fr;q=0.4, es;q=0.7")),
            Locale::es
        );
        assert_eq!(request_language(Some("xx"), Some("*")), Locale::en);
        assert_eq!(request_language(None, None), Locale::en);
    }

    #[test]
    fn dates_are_written_as_each_language_writes_them() {
        assert_eq!(local_date(Locale::en, "2024-01-02"), "01/02/2024");
        assert_eq!(local_date(Locale::de, "2024-01-02"), "02.01.2024");
        assert_eq!(local_date(Locale::tr, "2024-01-02"), "02.01.2024");
        assert_eq!(local_date(Locale::fr, "2024-01-02"), "02/01/2024");
        assert_eq!(local_date(Locale::es, "2024-12-31"), "31/12/2024");
        assert_eq!(local_date(Locale::en, "soon"), "soon");
        assert_eq!(
            local_date(Locale::de, "2026-11-28T04:36:16.732092276+00:00"),
            "28.11.2026"
        );
        assert_eq!(local_date(Locale::en, "2024-1-2"), "2024-1-2");
    }
}
