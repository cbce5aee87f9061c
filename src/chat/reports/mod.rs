//! Reports and the moderators' queue. Anyone who can read a message may report it with a
//! reason and a note; the reporter hears it was received, the author never learns who. A
//! community's queue holds every message with open reports or a standing AI flag, one entry
//! per message, and what moderators do from it (dismiss, delete, ban) closes its reports and
//! is written to the audit log.

use serde::{Deserialize, Serialize};

use crate::auth::Author;

pub mod api;

#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;

/// The longest note a report may carry, in characters.
pub const NOTE_MAX: usize = 500;

/// Why a message is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportReason {
    Spam,
    /// A scam, or a pump-and-dump.
    Scam,
    Harassment,
    Hate,
    SelfHarm,
    Other,
}

impl ReportReason {
    pub const ALL: [ReportReason; 6] = [
        ReportReason::Spam,
        ReportReason::Scam,
        ReportReason::Harassment,
        ReportReason::Hate,
        ReportReason::SelfHarm,
        ReportReason::Other,
    ];

    /// As stored (the same as on the wire).
    pub const fn as_str(self) -> &'static str {
        match self {
            ReportReason::Spam => "spam",
            ReportReason::Scam => "scam",
            ReportReason::Harassment => "harassment",
            ReportReason::Hate => "hate",
            ReportReason::SelfHarm => "self_harm",
            ReportReason::Other => "other",
        }
    }

    pub fn parse(stored: &str) -> Option<ReportReason> {
        ReportReason::ALL.into_iter().find(|r| r.as_str() == stored)
    }
}

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportStatus {
    Open,
    /// A moderator acted on the message (deleted it, banned its author).
    Actioned,
    Dismissed,
}

impl ReportStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Open => "open",
            ReportStatus::Actioned => "actioned",
            ReportStatus::Dismissed => "dismissed",
        }
    }
}

/// One report, as moderators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportInfo {
    pub reason: ReportReason,
    pub note: String,
    pub reporter: Author,
    pub created_at: String,
}

/// One message in the moderators' queue: its reports and its AI flag (on the message).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueItem {
    pub channel_name: String,
    pub message: super::ChatMessage,
    pub reports: Vec<ReportInfo>,
}

/// What the reporter is told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportReceived {
    pub received: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_stored_by_their_wire_names() {
        for reason in ReportReason::ALL {
            assert_eq!(serde_json::to_value(reason).unwrap(), reason.as_str());
            assert_eq!(ReportReason::parse(reason.as_str()), Some(reason));
        }
        assert_eq!(ReportReason::parse("because"), None);
    }
}
