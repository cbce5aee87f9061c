//! Moderation's screens: the queue and the community's moderation settings, the report dialog,
//! and "catch me up".

pub mod catch_up;
pub mod queue;
pub mod report;

use crate::kit::i18n::{t_string, use_i18n};

/// Whether the page is laid out for a phone (the layout's breakpoint), where a long press on a
/// message opens its actions instead of the browser's menu.
/// A flag's reason in the reader's language ("insult" → "Beleidigung"); a flag stored before
/// the reasons were codes shows the engine's own words.
pub fn flag_reason_text(reason: &str) -> String {
    let i18n = use_i18n();
    match reason {
        "insult" => t_string!(i18n, chat.flag_reasons.insult),
        "threat" => t_string!(i18n, chat.flag_reasons.threat),
        "harassment" => t_string!(i18n, chat.flag_reasons.harassment),
        "self_harm" => t_string!(i18n, chat.flag_reasons.self_harm),
        "slur" => t_string!(i18n, chat.flag_reasons.slur),
        "hate" => t_string!(i18n, chat.flag_reasons.hate),
        "sexual" => t_string!(i18n, chat.flag_reasons.sexual),
        "spam" => t_string!(i18n, chat.flag_reasons.spam),
        "profanity" => t_string!(i18n, chat.flag_reasons.profanity),
        "toxic" => t_string!(i18n, chat.flag_reasons.toxic),
        other => return other.to_string(),
    }
    .to_string()
}
