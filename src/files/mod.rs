//! Files attached to messages: uploaded one by one as soon as they are picked (each with its
//! progress), then sent with the message that carries them — several per message, with or
//! without a caption. The type is read from the bytes, never from the name; images get a
//! thumbnail and show inline, everything else downloads with its name, size and type. A file
//! is read through the app, which checks that the reader may read its channel; files of
//! deleted messages, of deleted communities, and uploads never sent are removed.

pub use crate::carried::attachment::{Attachment, AttachmentKind};

pub mod api;
pub mod ui;
pub mod voice;

#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod service;

/// The most files one message carries.
pub const MAX_PER_MESSAGE: usize = 10;
/// Where uploads go (`POST`, the file as the body; `channelId` and `name` in the query).
pub const UPLOAD_PATH: &str = "/api/files/upload";

impl AttachmentKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            AttachmentKind::Image => "image",
            AttachmentKind::File => "file",
            AttachmentKind::Voice => "voice",
        }
    }

    pub fn parse(stored: &str) -> AttachmentKind {
        match stored {
            "image" => AttachmentKind::Image,
            "voice" => AttachmentKind::Voice,
            _ => AttachmentKind::File,
        }
    }
}

impl Attachment {
    pub fn is_image(&self) -> bool {
        self.kind == AttachmentKind::Image
    }

    /// What to show in a list of images: the thumbnail, else the image.
    pub fn preview_url(&self) -> &str {
        self.thumbnail_url.as_deref().unwrap_or(&self.url)
    }
}

/// The longest voice message, in milliseconds (ten minutes).
pub const VOICE_MAX_MS: u32 = 10 * 60 * 1000;
/// How many bars a voice message's waveform has.
pub const WAVEFORM_BARS: usize = 48;

/// A waveform as sent: at most [`WAVEFORM_BARS`] hex digits, one per bar.
pub fn valid_waveform(waveform: &str) -> bool {
    !waveform.is_empty()
        && waveform.len() <= WAVEFORM_BARS
        && waveform
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
}

/// A length for people: "0:07", "2:35".
pub fn duration_text(ms: u32) -> String {
    let seconds = ms.div_ceil(1000);
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// The address of a file: `/api/files/<id>/<name, percent-encoded>`.
pub fn file_url(id: &str, name: &str) -> String {
    format!("/api/files/{id}/{}", encode_segment(name))
}

/// The address of a file's thumbnail.
pub fn thumbnail_url(id: &str) -> String {
    format!("/api/files/{id}/thumbnail")
}

/// Text with everything but unreserved characters percent-encoded: a path segment, or an
/// RFC 5987 `filename*` value.
pub fn encode_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A size for people: "512 B", "14 KB", "2.3 MB" — units of 1,024, as `MAX_UPLOAD_MB` counts
/// them (so a 16 MB limit reads "16 MB"), one decimal under ten.
pub fn size_text(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value < 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

/// The name a file is shown and saved under: the last part of whatever path came with it, no
/// control characters, at most 200 characters; "file" when nothing is left.
pub fn clean_name(given: &str) -> String {
    let last = given.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .chars()
        .take(200)
        .collect();
    if cleaned.trim().is_empty() {
        "file".to_string()
    } else {
        cleaned.trim().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_never_paths() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\ana\\report.pdf"), "report.pdf");
        assert_eq!(clean_name(".htaccess"), "htaccess");
        assert_eq!(clean_name("a\u{0}b\nc.txt"), "abc.txt");
        assert_eq!(clean_name("  /  "), "file");
        assert_eq!(clean_name(""), "file");
        assert_eq!(clean_name(&"x".repeat(300)).chars().count(), 200);
        assert_eq!(clean_name("Q3 résumé.pdf"), "Q3 résumé.pdf");
    }

    #[test]
    fn addresses_carry_the_name_encoded() {
        assert_eq!(
            file_url("abc", "Q3 résumé.pdf"),
            "/api/files/abc/Q3%20r%C3%A9sum%C3%A9.pdf"
        );
        assert_eq!(file_url("abc", "a/b?c#d"), "/api/files/abc/a%2Fb%3Fc%23d");
    }

    #[test]
    fn waveforms_and_lengths() {
        assert!(valid_waveform("0369cf"));
        assert!(!valid_waveform(""));
        assert!(!valid_waveform("0369CF"), "one spelling");
        assert!(!valid_waveform("xyz"));
        assert!(!valid_waveform(&"8".repeat(WAVEFORM_BARS + 1)));
        assert_eq!(duration_text(6_200), "0:07");
        assert_eq!(duration_text(155_000), "2:35");
        assert_eq!(duration_text(0), "0:00");
    }

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(size_text(0), "0 B");
        assert_eq!(size_text(1023), "1023 B");
        assert_eq!(size_text(1024), "1.0 KB");
        assert_eq!(size_text(14_200), "14 KB");
        assert_eq!(size_text(2_400_000), "2.3 MB");
        assert_eq!(size_text(16 * 1024 * 1024), "16 MB");
        assert_eq!(size_text(17 * 1024 * 1024), "17 MB");
    }
}
