//! The audit log: every moderation and settings action in a community — who, what, to whom,
//! when and why. Written in the same transaction as the action where there is one; never
//! edited; read by those who moderate or manage the community.

use serde::{Deserialize, Serialize};

use crate::auth::Author;

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Act {
    Kick,
    Ban,
    Unban,
    SetRank,
    CreateChannel,
    UpdateChannel,
    CreateRole,
    DeleteRole,
    AssignRole,
    CreateInvite,
    RevokeInvite,
    DeleteMessage,
    DismissFlag,
    DismissReports,
    /// Reports of a person (not of one of their messages) dismissed.
    DismissPersonReports,
    SetModerationThreshold,
    Warn,
    Timeout,
    LiftTimeout,
    UpdateCommunity,
    TransferOwnership,
    /// Muted a person on a call for everyone (the detail is the voice channel).
    SilenceInCall,
    /// Let them speak on it again.
    AllowInCall,
}

impl Act {
    /// As stored (the same as on the wire).
    pub const fn as_str(self) -> &'static str {
        match self {
            Act::Kick => "kick",
            Act::Ban => "ban",
            Act::Unban => "unban",
            Act::SetRank => "set_rank",
            Act::CreateChannel => "create_channel",
            Act::UpdateChannel => "update_channel",
            Act::CreateRole => "create_role",
            Act::DeleteRole => "delete_role",
            Act::AssignRole => "assign_role",
            Act::CreateInvite => "create_invite",
            Act::RevokeInvite => "revoke_invite",
            Act::DeleteMessage => "delete_message",
            Act::DismissFlag => "dismiss_flag",
            Act::DismissReports => "dismiss_reports",
            Act::DismissPersonReports => "dismiss_person_reports",
            Act::SetModerationThreshold => "set_moderation_threshold",
            Act::Warn => "warn",
            Act::Timeout => "timeout",
            Act::LiftTimeout => "lift_timeout",
            Act::UpdateCommunity => "update_community",
            Act::TransferOwnership => "transfer_ownership",
            Act::SilenceInCall => "silence_in_call",
            Act::AllowInCall => "allow_in_call",
        }
    }

    pub const ALL: [Act; 23] = [
        Act::Kick,
        Act::Ban,
        Act::Unban,
        Act::SetRank,
        Act::CreateChannel,
        Act::UpdateChannel,
        Act::CreateRole,
        Act::DeleteRole,
        Act::AssignRole,
        Act::CreateInvite,
        Act::RevokeInvite,
        Act::DeleteMessage,
        Act::DismissFlag,
        Act::DismissReports,
        Act::DismissPersonReports,
        Act::SetModerationThreshold,
        Act::Warn,
        Act::Timeout,
        Act::LiftTimeout,
        Act::UpdateCommunity,
        Act::TransferOwnership,
        Act::SilenceInCall,
        Act::AllowInCall,
    ];

    pub fn parse(stored: &str) -> Option<Act> {
        Act::ALL.into_iter().find(|a| a.as_str() == stored)
    }
}

/// One line of the log, as its readers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub act: Act,
    pub actor: Author,
    pub target: Option<Author>,
    pub message_id: Option<String>,
    /// What it was done to, in words: a channel's or role's name, a rank, a threshold.
    pub detail: String,
    pub reason: String,
    pub created_at: String,
}

#[cfg(feature = "ssr")]
pub use server::{entries, record, Entry};

#[cfg(feature = "ssr")]
mod server {
    use sea_orm::{ConnectionTrait, DbErr};
    use uuid::Uuid;

    use super::{Act, AuditEntry};
    use crate::{auth::Author, community::repo};

    /// An action to write down.
    pub struct Entry<'a> {
        pub community: Uuid,
        pub actor: Uuid,
        pub act: Act,
        pub target: Option<Uuid>,
        pub message: Option<Uuid>,
        pub detail: &'a str,
        pub reason: &'a str,
    }

    pub async fn record(db: &impl ConnectionTrait, entry: Entry<'_>) -> Result<(), DbErr> {
        repo::insert_audit_entry(db, entry).await
    }

    /// The newest `limit` entries of a community, newest first, with the people named.
    pub async fn entries(
        db: &impl ConnectionTrait,
        community: crate::community::CommunityId,
        limit: u64,
    ) -> Result<Vec<AuditEntry>, DbErr> {
        let rows = repo::audit_entries(db, community.0, limit).await?;
        let mut ids: Vec<Uuid> = rows.iter().map(|r| r.actor_id).collect();
        ids.extend(rows.iter().filter_map(|r| r.target_user_id));
        let people = crate::auth::repo::users_by_ids(db, ids).await?;
        let person = |id: Uuid| match people.get(&id) {
            Some(user) => Author::of(user),
            None => Author::deleted(id),
        };
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                Some(AuditEntry {
                    act: Act::parse(&row.action)?,
                    actor: person(row.actor_id),
                    target: row.target_user_id.map(person),
                    message_id: row.message_id.map(|m| m.to_string()),
                    detail: row.detail,
                    reason: row.reason,
                    created_at: row.created_at.to_rfc3339(),
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::Act;

    #[test]
    fn each_act_is_stored_by_its_wire_name_and_read_back() {
        for act in Act::ALL {
            let wire = serde_json::to_value(act).unwrap();
            assert_eq!(wire, act.as_str(), "{act:?}");
            assert_eq!(Act::parse(act.as_str()), Some(act));
        }
        assert_eq!(Act::parse("edit_history"), None);
    }
}
