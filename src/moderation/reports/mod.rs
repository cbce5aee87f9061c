//! Reports and the moderators' queue. Anyone who can read a message may report it, and any
//! member may report another member, with a reason and a note; the reporter hears it was
//! received, the reported person never learns who. A community's queue holds every message with
//! open reports or a standing AI flag (one entry per message) and every person with open
//! reports (one entry per person); what moderators do from it (dismiss, delete, warn, time
//! out, kick, ban) closes those reports and is written to the audit log. Closed reports stay
//! readable, with who closed them and how. A report is never shown to the person it is about,
//! whatever their role; one about someone who moderates goes to the community's admins and
//! owner only ([`shown_to`]). Filing is limited per person ([`REPORTS_PER_WINDOW`]).

use serde::{Deserialize, Serialize};

use crate::auth::Author;

pub mod api;

#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod service;

/// The longest note a report may carry, in characters.
pub const NOTE_MAX: usize = 500;

/// Why a message is reported.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
    pub fn parse(stored: &str) -> Option<ReportStatus> {
        [
            ReportStatus::Open,
            ReportStatus::Actioned,
            ReportStatus::Dismissed,
        ]
        .into_iter()
        .find(|s| s.as_str() == stored)
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Open => "open",
            ReportStatus::Actioned => "actioned",
            ReportStatus::Dismissed => "dismissed",
        }
    }
}

/// One report, as moderators see it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportInfo {
    pub reason: ReportReason,
    pub note: String,
    pub reporter: Author,
    pub created_at: String,
}

/// One entry in the moderators' queue: a message (its reports and its AI flag, which is on the
/// message), or a person reported as such (their reports).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueItem {
    /// Whom the entry is about: the message's author, or the person reported.
    pub subject: Author,
    /// The message's channel; None for a person.
    pub channel_name: Option<String>,
    /// None for a person.
    pub message: Option<crate::chat::ChatMessage>,
    pub reports: Vec<ReportInfo>,
}

/// A report that was closed, for the record: what it was about, and who closed it, how, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClosedReport {
    pub report: ReportInfo,
    pub subject: Author,
    /// The reported message, if it was one.
    pub message_id: Option<String>,
    /// The start of the message's words, while it has them (not once deleted).
    pub excerpt: Option<String>,
    pub status: ReportStatus,
    /// None when its moderator's account is gone.
    pub closed_by: Option<Author>,
    pub closed_at: String,
}

/// How much of a reported message the record of closed reports shows, in characters.
pub const EXCERPT_CHARS: usize = 120;

/// Reports one person may file: ten in ten minutes, enough for a raid of spam, too few to bury
/// a queue.
pub const REPORTS_PER_WINDOW: u32 = 10;
pub const REPORT_WINDOW_SECS: i64 = 10 * 60;

/// Whether a report about `subject` is shown to `viewer` (in the queue and the record): never
/// to the person it is about, and one about someone who moderates the community only to those
/// who manage it, so that nobody reads who reported them.
pub fn shown_to<Id: PartialEq>(
    (viewer, viewer_manages): (Id, bool),
    (subject, subject_moderates): (Id, bool),
) -> bool {
    viewer != subject && (!subject_moderates || viewer_manages)
}

/// What the reporter is told.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportReceived {
    pub received: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nobody_sees_a_report_about_themselves_and_reports_about_moderators_go_up() {
        let (me, someone) = (1, 2);
        // A moderator reading the queue.
        assert!(shown_to((me, false), (someone, false)));
        assert!(!shown_to((me, false), (me, true)));
        assert!(!shown_to((me, false), (someone, true)));
        // An admin or the owner.
        assert!(shown_to((me, true), (someone, true)));
        assert!(!shown_to((me, true), (me, true)));
    }

    #[test]
    fn reasons_are_stored_by_their_wire_names() {
        for reason in ReportReason::ALL {
            assert_eq!(serde_json::to_value(reason).unwrap(), reason.as_str());
            assert_eq!(ReportReason::parse(reason.as_str()), Some(reason));
        }
        assert_eq!(ReportReason::parse("because"), None);
    }
}
