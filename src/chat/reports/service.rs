//! Reporting a message, the moderators' queue, and dismissing from it.

use std::collections::{HashMap, HashSet};

use sea_orm::TransactionTrait;
use uuid::Uuid;

use super::{repo, QueueItem, ReportInfo, ReportReason, ReportReceived, ReportStatus, NOTE_MAX};
use crate::{
    auth::{repo as accounts, Author},
    chat::{repo as chat, service as messages, MessageId, ServerEvent},
    community::{
        audit::{self, Act},
        discipline,
        permissions::Action,
        repo as communities, service as community, Measure,
    },
    entities::users,
    kit::sentences::says,
    platform::{error::AppError, realtime, state::AppState},
};

/// Files `reporter`'s report of a message. The author is not told, and never who.
pub async fn report(
    state: &AppState,
    reporter: &users::Model,
    message_id: MessageId,
    reason: &str,
    note: &str,
) -> Result<ReportReceived, AppError> {
    let reason = ReportReason::parse(reason.trim())
        .ok_or_else(|| AppError::Validation(says!("server.report.reason")))?;
    let note = note.trim();
    let length = note.chars().count();
    if length > NOTE_MAX {
        return Err(AppError::Validation(says!(
            "server.report.note_too_long",
            max = NOTE_MAX,
            length = length
        )));
    }
    let (message, access) = messages::message_access(state, reporter.id, message_id).await?;
    community::allow(&access.community, access.standing, Action::Report)?;
    if message.author_id == reporter.id {
        return Err(AppError::Validation(says!("server.report.own")));
    }
    if message.deleted_at.is_some() {
        return Err(AppError::Validation(says!("server.report.deleted")));
    }
    repo::file(
        &state.db,
        access.community.id,
        (message.id, message.author_id),
        reporter.id,
        reason,
        note,
    )
    .await?;
    tracing::info!(community = %access.community.id, message = %message.id, reason = reason.as_str(), "message reported");
    Ok(ReportReceived { received: true })
}

/// A community's queue: each message with open reports or a standing AI flag, once —
/// reported ones first (the most recently reported first), then those only flagged.
pub async fn queue(state: &AppState, viewer: Uuid, slug: &str) -> Result<Vec<QueueItem>, AppError> {
    let (found, standing) = community::find(state, Some(viewer), slug).await?;
    community::allow(&found, standing, Action::DeleteMessage { own: false })?;
    let channels = communities::channels(&state.db, found.id).await?;
    let flagged = chat::flagged_in(&state.db, channels.iter().map(|c| c.id).collect()).await?;
    let reports = repo::open_in(&state.db, found.id).await?;
    let mut by_message: HashMap<Uuid, Vec<_>> = HashMap::new();
    for report in reports {
        if let Some(message) = report.message_id {
            by_message.entry(message).or_default().push(report);
        }
    }
    let mut reported: Vec<(Uuid, chrono::DateTime<chrono::Utc>)> = by_message
        .iter()
        .map(|(id, list)| {
            (
                *id,
                list.iter().map(|r| r.created_at).max().unwrap_or_default(),
            )
        })
        .collect();
    reported.sort_by_key(|(_, at)| std::cmp::Reverse(*at));
    let order: Vec<Uuid> = reported.into_iter().map(|(id, _)| id).collect();
    let seen: HashSet<Uuid> = order.iter().copied().collect();
    let mut rows = chat::messages_by_ids(&state.db, order.clone()).await?;
    rows.extend(flagged.into_iter().filter(|m| !seen.contains(&m.id)));
    let rank: HashMap<Uuid, usize> = order.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|m| rank.get(&m.id).copied().unwrap_or(usize::MAX));
    let reporters = accounts::users_by_ids(
        &state.db,
        by_message
            .values()
            .flatten()
            .map(|r| r.reporter_id)
            .collect(),
    )
    .await?;
    let presented = messages::present(state, rows).await?;
    Ok(presented
        .into_iter()
        .map(|message| {
            let id = Uuid::parse_str(&message.id).unwrap_or_default();
            let reports = by_message
                .get(&id)
                .map(|list| {
                    list.iter()
                        .map(|r| ReportInfo {
                            reason: ReportReason::parse(&r.reason).unwrap_or(ReportReason::Other),
                            note: r.note.clone(),
                            reporter: match reporters.get(&r.reporter_id) {
                                Some(user) => Author::of(user),
                                None => Author::deleted(r.reporter_id),
                            },
                            created_at: r.created_at.to_rfc3339(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            QueueItem {
                channel_name: channels
                    .iter()
                    .find(|c| c.id.to_string() == message.channel_id)
                    .map(|c| c.name.clone())
                    .unwrap_or_default(),
                message,
                reports,
            }
        })
        .collect())
}

/// A moderator judged a message fine: its flag goes (for everyone) and its reports are
/// dismissed, in one transaction with the audit log's line.
pub async fn dismiss(state: &AppState, user: Uuid, message_id: MessageId) -> Result<(), AppError> {
    let (message, access) = messages::message_access(state, user, message_id).await?;
    community::allow(
        &access.community,
        access.standing,
        Action::DeleteMessage { own: false },
    )?;
    let flagged = !chat::flags_of(&state.db, vec![message.id])
        .await?
        .is_empty();
    let txn = state.db.begin().await?;
    chat::dismiss_flag(&txn, message.id, user).await?;
    let closed = repo::close(&txn, message.id, ReportStatus::Dismissed, user).await?;
    let act = if closed > 0 {
        Act::DismissReports
    } else {
        Act::DismissFlag
    };
    audit::record(
        &txn,
        audit::Entry {
            community: access.community.id,
            actor: user,
            act,
            target: Some(message.author_id),
            message: Some(message.id),
            detail: &format!("#{}", access.channel.name),
            reason: "",
        },
    )
    .await?;
    txn.commit().await?;
    if flagged {
        realtime::publish(
            state,
            &realtime::topic::channel(access.channel.id),
            Some(message.author_id),
            &ServerEvent::FlagCleared {
                channel_id: access.channel.id.to_string(),
                message_id: message.id.to_string(),
            },
        )
        .await;
    }
    Ok(())
}

/// A moderator acts against the author of a queued message (warn, time out, kick, ban): the
/// message's open reports close as acted on in the same transaction as the measure.
pub async fn act_on_author(
    state: &AppState,
    moderator: &users::Model,
    message_id: MessageId,
    measure: Measure,
    reason: &str,
) -> Result<(), AppError> {
    let (message, access) = messages::message_access(state, moderator.id, message_id).await?;
    let (id, by) = (message.id, moderator.id);
    discipline::against_author(
        state,
        moderator,
        &access.community,
        (message.id, message.author_id),
        measure,
        reason,
        Box::new(move |txn| {
            Box::pin(async move {
                repo::close(txn, id, ReportStatus::Actioned, by).await?;
                Ok(())
            })
        }),
    )
    .await
}
