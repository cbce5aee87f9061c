//! Reporting a message or a person, the moderators' queue, acting and dismissing from it, and
//! the record of closed reports.

use std::collections::{HashMap, HashSet};

use sea_orm::TransactionTrait;
use uuid::Uuid;

use super::{
    repo::{self, Subject},
    ClosedReport, QueueItem, ReportInfo, ReportReason, ReportReceived, ReportStatus, EXCERPT_CHARS,
    NOTE_MAX,
};
use crate::auth::UserId;
use crate::community::CommunityId;
use crate::{
    auth::{repo as accounts, Author},
    chat::{repo as chat, service as messages, MessageId, ServerEvent},
    community::{
        audit::{self, Act},
        discipline,
        permissions::{Action, Standing},
        repo as communities, service as community, Measure,
    },
    entities::{reports, users},
    kit::sentences::says,
    platform::{db, error::AppError, rate_limit::RateLimit, realtime, state::AppState},
};

/// How many closed reports the record shows.
const CLOSED_SHOWN: u64 = 100;
/// Serialises one person's reports on PostgreSQL, so that a burst at once is counted in turn.
const REPORT_LOCK_SPACE: i32 = 0x7265_7074; // "rept"

/// Files a report within the reporter's limit ([`super::REPORTS_PER_WINDOW`]): a 429 that says
/// when to try again past it, and nothing written.
async fn file_within_limit(
    state: &AppState,
    community_id: CommunityId,
    subject: Subject,
    reporter: UserId,
    (reason, note): (ReportReason, &str),
) -> Result<(), AppError> {
    let limit = RateLimit {
        max: super::REPORTS_PER_WINDOW,
        window: chrono::Duration::seconds(super::REPORT_WINDOW_SECS),
    };
    let txn = state.db.begin().await?;
    db::lock_until_commit(&txn, REPORT_LOCK_SPACE, reporter.0).await?;
    // Filed before counting: on SQLite the write takes the database's lock, so a burst counts
    // one after the other (on PostgreSQL the lock above does).
    repo::file(&txn, community_id.0, subject, reporter.0, reason, note).await?;
    let now = chrono::Utc::now();
    let (counted, oldest) = repo::filed_since(&txn, reporter.0, limit.window_start(now)).await?;
    // `counted` includes this report (a second report of the same subject adds no row).
    limit
        .check(counted.saturating_sub(1), oldest, now)
        .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
    txn.commit().await?;
    Ok(())
}

/// A report's reason and note, checked.
fn checked(reason: &str, note: &str) -> Result<(ReportReason, String), AppError> {
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
    Ok((reason, note.to_string()))
}

/// A moderator's deletion of a message acts on its reports, in the deletion's transaction: a
/// listener of the messages core.
pub struct ReportsOfDeleted;

#[async_trait::async_trait]
impl crate::chat::activity::Listener for ReportsOfDeleted {
    async fn within(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        activity: &crate::chat::activity::MessageActivity<'_>,
    ) -> Result<(), AppError> {
        if let crate::chat::activity::MessageActivity::Deleted {
            message,
            community,
            by,
        } = activity
        {
            if message.author_id != *by {
                repo::close(
                    txn,
                    *community,
                    Subject::of(message),
                    ReportStatus::Actioned,
                    *by,
                )
                .await?;
            }
        }
        Ok(())
    }
}

/// A deleted community's reports go with it, in the deletion's transaction.
pub struct ReportsOfCommunity;

#[async_trait::async_trait]
impl crate::community::settings::Ending for ReportsOfCommunity {
    async fn within(
        &self,
        _: &AppState,
        txn: &sea_orm::DatabaseTransaction,
        community: CommunityId,
    ) -> Result<Option<crate::community::settings::Afterwards>, sea_orm::DbErr> {
        repo::delete_in(txn, community.0).await?;
        Ok(None)
    }
}

/// Files `reporter`'s report of a message. The author is not told, and never who.
pub async fn report(
    state: &AppState,
    reporter: &users::Model,
    message_id: MessageId,
    reason: &str,
    note: &str,
) -> Result<ReportReceived, AppError> {
    let (reason, note) = checked(reason, note)?;
    let (message, access) =
        messages::message_access(state, UserId(reporter.id), message_id).await?;
    community::allow(&access.community, access.standing, Action::Report)?;
    if message.author_id == reporter.id {
        return Err(AppError::Validation(says!("server.report.own")));
    }
    if message.deleted_at.is_some() {
        return Err(AppError::Validation(says!("server.report.deleted")));
    }
    file_within_limit(
        state,
        CommunityId(access.community.id),
        Subject::of(&message),
        UserId(reporter.id),
        (reason, &note),
    )
    .await?;
    tracing::info!(community = %access.community.id, message = %message.id, reason = reason.as_str(), "message reported");
    Ok(ReportReceived { received: true })
}

/// Files `reporter`'s report of a fellow member of a community (their conduct rather than one
/// message). The person is not told, and never who.
pub async fn report_person(
    state: &AppState,
    reporter: &users::Model,
    (slug, username): (&str, &str),
    reason: &str,
    note: &str,
) -> Result<ReportReceived, AppError> {
    let (reason, note) = checked(reason, note)?;
    let (found, standing) = community::find(state, Some(UserId(reporter.id)), slug).await?;
    community::allow(&found, standing, Action::Report)?;
    let (person, theirs) =
        community::target(state, &found, username.trim_start_matches('@')).await?;
    if person.id == reporter.id {
        return Err(AppError::Validation(says!("server.report.yourself")));
    }
    if !matches!(theirs, Standing::Member { .. }) {
        return Err(AppError::Validation(says!(
            "server.community.not_member",
            user = &person.username
        )));
    }
    file_within_limit(
        state,
        CommunityId(found.id),
        Subject::Person(person.id),
        UserId(reporter.id),
        (reason, &note),
    )
    .await?;
    tracing::info!(community = %found.id, person = %person.id, reason = reason.as_str(), "person reported");
    Ok(ReportReceived { received: true })
}

/// Who may read and act on a community's queue and its record: its message moderators.
async fn moderated(
    state: &AppState,
    viewer: UserId,
    slug: &str,
) -> Result<crate::entities::communities::Model, AppError> {
    let (found, standing) = community::find(state, Some(UserId(viewer.0)), slug).await?;
    community::allow(&found, standing, Action::DeleteMessage { own: false })?;
    Ok(found)
}

/// Of `list`, the reports `viewer` may read ([`super::shown_to`]).
async fn readable_by(
    state: &AppState,
    community_row: &crate::entities::communities::Model,
    viewer: UserId,
    list: Vec<reports::Model>,
) -> Result<Vec<reports::Model>, AppError> {
    let moderates = |standing: Standing| {
        community::allow(
            community_row,
            standing,
            Action::DeleteMessage { own: false },
        )
        .is_ok()
    };
    let standing_of = |person: Uuid| communities::standing(&state.db, community_row.id, person);
    let manages = community::allow(
        community_row,
        standing_of(viewer.0).await?,
        Action::ManageCommunity,
    )
    .is_ok();
    let subjects: HashSet<Uuid> = list.iter().map(|r| r.subject_id).collect();
    let mut moderating = HashSet::new();
    for subject in subjects {
        if moderates(standing_of(subject).await?) {
            moderating.insert(subject);
        }
    }
    Ok(list
        .into_iter()
        .filter(|r| {
            super::shown_to(
                (viewer, manages),
                (UserId(r.subject_id), moderating.contains(&r.subject_id)),
            )
        })
        .collect())
}

/// Reports about oneself are decided by the others.
fn not_about_oneself(actor: UserId, subject: UserId) -> Result<(), AppError> {
    if actor == subject {
        return Err(AppError::Denied(says!("server.report.own_case")));
    }
    Ok(())
}

fn report_info(report: &reports::Model, people: &HashMap<Uuid, users::Model>) -> ReportInfo {
    ReportInfo {
        reason: ReportReason::parse(&report.reason).unwrap_or(ReportReason::Other),
        note: report.note.clone(),
        reporter: author(people, UserId(report.reporter_id)),
        created_at: report.created_at.to_rfc3339(),
    }
}

fn author(people: &HashMap<Uuid, users::Model>, id: UserId) -> Author {
    match people.get(&id.0) {
        Some(user) => Author::of(user),
        None => Author::deleted(id.0),
    }
}

/// A community's queue: each reported message and each reported person once, the most
/// recently reported first, then the messages only the AI flagged.
pub async fn queue(
    state: &AppState,
    viewer: UserId,
    slug: &str,
) -> Result<Vec<QueueItem>, AppError> {
    let found = moderated(state, viewer, slug).await?;
    let channels = communities::channels(&state.db, found.id).await?;
    let mut flagged = chat::flagged_in(&state.db, channels.iter().map(|c| c.id).collect()).await?;
    // A flagged message whose author a moderator already acted against (a warning, a timeout…)
    // has had its decision: it leaves the queue, its flag stays on the message.
    let decided =
        communities::messages_acted_on(&state.db, found.id, flagged.iter().map(|m| m.id).collect())
            .await?;
    flagged.retain(|m| !decided.contains(&m.id));
    let reports = readable_by(
        state,
        &found,
        viewer,
        repo::open_in(&state.db, found.id).await?,
    )
    .await?;
    let people = accounts::users_by_ids(
        &state.db,
        reports
            .iter()
            .flat_map(|r| [r.reporter_id, r.subject_id])
            .collect(),
    )
    .await?;

    // Open reports by what they are about, each subject ranked by its latest report.
    let mut by_message: HashMap<Uuid, Vec<&reports::Model>> = HashMap::new();
    let mut by_person: HashMap<Uuid, Vec<&reports::Model>> = HashMap::new();
    for report in &reports {
        match report.message_id {
            Some(message) => by_message.entry(message).or_default().push(report),
            None => by_person.entry(report.subject_id).or_default().push(report),
        }
    }
    let latest = |list: &Vec<&reports::Model>| list.iter().map(|r| r.created_at).max();
    let mut ranked: Vec<(Subject, Option<chrono::DateTime<chrono::Utc>>)> = by_message
        .iter()
        .map(|(id, list)| {
            (
                Subject::Message {
                    id: *id,
                    author: list[0].subject_id,
                },
                latest(list),
            )
        })
        .chain(
            by_person
                .iter()
                .map(|(id, list)| (Subject::Person(*id), latest(list))),
        )
        .collect();
    ranked.sort_by_key(|(_, at)| std::cmp::Reverse(*at));

    let reported: Vec<Uuid> = by_message.keys().copied().collect();
    let seen: HashSet<Uuid> = reported.iter().copied().collect();
    let flagged_only: Vec<Uuid> = flagged
        .iter()
        .map(|m| m.id)
        .filter(|id| !seen.contains(id))
        .collect();
    let mut rows = chat::messages_by_ids(&state.db, reported).await?;
    rows.extend(flagged.into_iter().filter(|m| !seen.contains(&m.id)));
    let mut presented: HashMap<String, crate::chat::ChatMessage> = messages::present(state, rows)
        .await?
        .into_iter()
        .map(|m| (m.id.clone(), m))
        .collect();
    let channel_name = |message: &crate::chat::ChatMessage| {
        channels
            .iter()
            .find(|c| c.id.to_string() == message.channel_id)
            .map(|c| c.name.clone())
    };
    let infos = |list: Option<&Vec<&reports::Model>>| -> Vec<ReportInfo> {
        list.map(|l| l.iter().map(|r| report_info(r, &people)).collect())
            .unwrap_or_default()
    };

    let mut queue = Vec::new();
    for (subject, _) in ranked {
        match subject {
            Subject::Message { id, .. } => {
                if let Some(message) = presented.remove(&id.to_string()) {
                    queue.push(QueueItem {
                        subject: message.author.clone(),
                        channel_name: channel_name(&message),
                        reports: infos(by_message.get(&id)),
                        message: Some(message),
                    });
                }
            }
            Subject::Person(person) => queue.push(QueueItem {
                subject: author(&people, UserId(person)),
                channel_name: None,
                message: None,
                reports: infos(by_person.get(&person)),
            }),
        }
    }
    // Then what was only flagged, the most recently flagged first.
    for id in flagged_only {
        if let Some(message) = presented.remove(&id.to_string()) {
            queue.push(QueueItem {
                subject: message.author.clone(),
                channel_name: channel_name(&message),
                message: Some(message),
                reports: Vec::new(),
            });
        }
    }
    Ok(queue)
}

/// The record of a community's closed reports, the most recently closed first.
pub async fn closed(
    state: &AppState,
    viewer: UserId,
    slug: &str,
) -> Result<Vec<ClosedReport>, AppError> {
    let found = moderated(state, viewer, slug).await?;
    let list = readable_by(
        state,
        &found,
        viewer,
        repo::closed_in(&state.db, found.id, CLOSED_SHOWN).await?,
    )
    .await?;
    let people = accounts::users_by_ids(
        &state.db,
        list.iter()
            .flat_map(|r| [Some(r.reporter_id), Some(r.subject_id), r.resolved_by])
            .flatten()
            .collect(),
    )
    .await?;
    let excerpts: HashMap<Uuid, String> = chat::messages_by_ids(
        &state.db,
        list.iter().filter_map(|r| r.message_id).collect(),
    )
    .await?
    .into_iter()
    .filter(|m| m.deleted_at.is_none())
    .filter_map(|m| Some((m.id, m.body?.chars().take(EXCERPT_CHARS).collect())))
    .collect();
    Ok(list
        .iter()
        .map(|r| ClosedReport {
            report: report_info(r, &people),
            subject: author(&people, UserId(r.subject_id)),
            message_id: r.message_id.map(|id| id.to_string()),
            excerpt: r.message_id.and_then(|id| excerpts.get(&id).cloned()),
            status: ReportStatus::parse(&r.status).unwrap_or(ReportStatus::Dismissed),
            closed_by: r.resolved_by.map(|id| author(&people, UserId(id))),
            closed_at: r.resolved_at.unwrap_or(r.created_at).to_rfc3339(),
        })
        .collect())
}

/// A moderator judged a message fine: its flag goes (for everyone) and its reports are
/// dismissed, in one transaction with the audit log's line.
pub async fn dismiss(
    state: &AppState,
    user: UserId,
    message_id: MessageId,
) -> Result<(), AppError> {
    let (message, access) = messages::message_access(state, user, message_id).await?;
    community::allow(
        &access.community,
        access.standing,
        Action::DeleteMessage { own: false },
    )?;
    not_about_oneself(user, UserId(message.author_id))?;
    let flagged = !chat::flags_of(&state.db, vec![message.id])
        .await?
        .is_empty();
    let txn = state.db.begin().await?;
    chat::dismiss_flag(&txn, message.id, user.0).await?;
    let closed = repo::close(
        &txn,
        access.community.id,
        Subject::of(&message),
        ReportStatus::Dismissed,
        user.0,
    )
    .await?;
    let act = if closed > 0 {
        Act::DismissReports
    } else {
        Act::DismissFlag
    };
    audit::record(
        &txn,
        audit::Entry {
            community: access.community.id,
            actor: user.0,
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
    let (message, access) =
        messages::message_access(state, UserId(moderator.id), message_id).await?;
    let (community_id, subject, by) = (access.community.id, Subject::of(&message), moderator.id);
    discipline::against_author(
        state,
        moderator,
        &access.community,
        (message.id, message.author_id),
        measure,
        reason,
        Box::new(move |txn| {
            Box::pin(async move {
                repo::close(txn, community_id, subject, ReportStatus::Actioned, by).await?;
                Ok(())
            })
        }),
    )
    .await
}

/// A moderator judged the reports of a person unfounded: they close as dismissed, with the
/// audit log's line, in one transaction.
pub async fn dismiss_person(
    state: &AppState,
    moderator: UserId,
    (slug, username): (&str, &str),
) -> Result<(), AppError> {
    let found = moderated(state, moderator, slug).await?;
    let (person, _) = community::target(state, &found, username).await?;
    not_about_oneself(moderator, UserId(person.id))?;
    let txn = state.db.begin().await?;
    let closed = repo::close(
        &txn,
        found.id,
        Subject::Person(person.id),
        ReportStatus::Dismissed,
        moderator.0,
    )
    .await?;
    if closed > 0 {
        audit::record(
            &txn,
            audit::Entry {
                community: found.id,
                actor: moderator.0,
                act: Act::DismissPersonReports,
                target: Some(person.id),
                message: None,
                detail: "",
                reason: "",
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A moderator acts on the reports of a person (warn, time out, kick, ban): they close as acted
/// on in the same transaction as the measure.
pub async fn act_on_person(
    state: &AppState,
    moderator: &users::Model,
    (slug, username): (&str, &str),
    measure: Measure,
    reason: &str,
) -> Result<(), AppError> {
    let found = moderated(state, UserId(moderator.id), slug).await?;
    let (person, _) = community::target(state, &found, username).await?;
    let (community_id, subject, by) = (found.id, Subject::Person(person.id), moderator.id);
    discipline::by_username(
        state,
        moderator,
        (slug, username),
        measure,
        reason,
        Some(Box::new(move |txn| {
            Box::pin(async move {
                repo::close(txn, community_id, subject, ReportStatus::Actioned, by).await?;
                Ok(())
            })
        })),
    )
    .await
}
