//! A file or a voice note on a message.
//!
//! Defined below the messages core so that the core can carry it; what it does lives with its
//! room (`impl` blocks included).

use serde::{Deserialize, Serialize};

/// What a file is, for showing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum AttachmentKind {
    /// Shown inline (PNG, JPEG, GIF, WebP that decode), with a thumbnail when large.
    Image,
    /// Offered for download.
    File,
    /// A voice message recorded in the browser: played inline, with its length and waveform.
    Voice,
}

/// A file as readers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub id: String,
    pub name: String,
    /// Read from the bytes ("image/png", "application/pdf", "text/plain").
    pub content_type: String,
    /// Bytes.
    pub size: u64,
    pub kind: AttachmentKind,
    /// An image's size in pixels.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Where the file is read (its name at the end, so that a saved copy keeps it).
    pub url: String,
    /// A smaller copy of a large image; otherwise the image itself serves.
    pub thumbnail_url: Option<String>,
    /// A voice message's length, in milliseconds.
    #[serde(default)]
    pub duration_ms: Option<u32>,
    /// A voice message's loudness over time: one hex digit (0–f) per bar.
    #[serde(default)]
    pub waveform: Option<String>,
}
