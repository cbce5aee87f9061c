//! Moderators' measures against a member: warn, time out (and lift it), kick, ban and unban.
//! Each is checked by the one policy, written with its audit line in one transaction — with
//! whatever the caller adds to it (the queue closes the reports it acted on) — and then told to
//! the person's open tabs, whose sockets recheck their access at once.

use chrono::{DateTime, Duration, Utc};
use futures::future::BoxFuture;
use sea_orm::{DatabaseTransaction, DbErr, TransactionTrait};
use uuid::Uuid;

use super::{
    audit::{self, Act},
    permissions::{Action, Rank, Standing},
    repo,
    service::{allow, announce_left, field, find, log_act, rank_of, target},
    validate, CommunityEvent, Measure, WarningInfo,
};
use crate::auth::UserId;
use crate::community::CommunityId;
use crate::{
    auth::repo as accounts,
    entities::{communities, users, warnings},
    kit::sentences::says,
    platform::{error::AppError, realtime, state::AppState},
};

/// More work for a measure's transaction: it commits with the measure or not at all.
pub type AlsoInTransaction =
    Box<dyn for<'t> FnOnce(&'t DatabaseTransaction) -> BoxFuture<'t, Result<(), DbErr>> + Send>;

/// Takes a measure against a person by username (the Manage page, the member list, a queued
/// report of the person); `also` runs in the measure's transaction.
pub async fn by_username(
    state: &AppState,
    actor: &users::Model,
    (slug, username): (&str, &str),
    measure: Measure,
    reason: &str,
    also: Option<AlsoInTransaction>,
) -> Result<(), AppError> {
    let (community, standing) = find(state, Some(UserId(actor.id)), slug).await?;
    let (user, their) = target(state, &community, username).await?;
    take(
        state,
        actor,
        (&community, standing),
        (&user, their),
        measure,
        reason,
        None,
        also,
    )
    .await
}

/// Takes a measure against the author of a message (the moderation queue); `also` runs in the
/// measure's transaction.
pub async fn against_author(
    state: &AppState,
    actor: &users::Model,
    community: &communities::Model,
    (message, author): (Uuid, Uuid),
    measure: Measure,
    reason: &str,
    also: AlsoInTransaction,
) -> Result<(), AppError> {
    let standing = repo::standing(&state.db, community.id, actor.id).await?;
    let user = accounts::user_by_id(&state.db, author)
        .await?
        .ok_or_else(|| AppError::NotFound(says!("server.community.member_gone")))?;
    let their = repo::standing(&state.db, community.id, user.id).await?;
    take(
        state,
        actor,
        (community, standing),
        (&user, their),
        measure,
        reason,
        Some(message),
        Some(also),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn take(
    state: &AppState,
    actor: &users::Model,
    (community, standing): (&communities::Model, Standing),
    (user, their): (&users::Model, Standing),
    measure: Measure,
    reason: &str,
    message: Option<Uuid>,
    also: Option<AlsoInTransaction>,
) -> Result<(), AppError> {
    let reason = validate::reason(reason).map_err(field)?;
    if user.id == actor.id {
        return Err(AppError::Validation(says!("server.community.not_yourself")));
    }
    let target = rank_of(their);
    let action = match measure {
        Measure::Warn => Action::Warn { target },
        Measure::Timeout { .. } | Measure::LiftTimeout => Action::Timeout { target },
        Measure::Kick => Action::Kick { target },
        Measure::Ban => Action::Ban { target },
    };
    allow(community, standing, action)?;
    let not_member =
        || AppError::Validation(says!("server.community.not_member", user = &user.username));
    // All but a ban are for members (a ban also keeps out someone who has not joined yet).
    if !matches!(measure, Measure::Ban) && !matches!(their, Standing::Member { .. }) {
        return Err(not_member());
    }
    if matches!(measure, Measure::Warn) && reason.is_empty() {
        return Err(AppError::Validation(says!(
            "server.community.warn_needs_reason"
        )));
    }
    let now = Utc::now();
    let until = match measure {
        Measure::Timeout { minutes } => Some(timeout_end(now, minutes)?),
        _ => None,
    };
    let warning = matches!(measure, Measure::Warn).then(|| warnings::Model {
        id: Uuid::now_v7(),
        community_id: community.id,
        user_id: user.id,
        moderator_id: actor.id,
        message_id: message,
        reason: reason.clone(),
        created_at: now,
        seen_at: None,
    });
    let (act, detail) = match measure {
        Measure::Warn => (Act::Warn, String::new()),
        Measure::Timeout { minutes } => (Act::Timeout, minutes.to_string()),
        Measure::LiftTimeout => (Act::LiftTimeout, String::new()),
        Measure::Kick => (Act::Kick, String::new()),
        Measure::Ban => (Act::Ban, String::new()),
    };

    let txn = state.db.begin().await?;
    match measure {
        Measure::Warn => {
            if let Some(warning) = warning.clone() {
                repo::insert_warning(&txn, warning).await?;
            }
        }
        // Checked again inside: of two moderators acting at once on someone who just left,
        // one is told so and nothing is written twice (the transaction rolls back).
        Measure::Timeout { .. } | Measure::LiftTimeout => {
            if !repo::set_timeout(&txn, community.id, user.id, until).await? {
                return Err(not_member());
            }
        }
        Measure::Kick => {
            if !repo::remove_member(&txn, community.id, user.id, repo::Departure::Removed).await? {
                return Err(not_member());
            }
        }
        Measure::Ban => {
            repo::insert_ban(&txn, community.id, user.id, reason.clone(), actor.id, now).await?;
            repo::remove_member(&txn, community.id, user.id, repo::Departure::Removed).await?;
        }
    }
    audit::record(
        &txn,
        audit::Entry {
            community: community.id,
            actor: actor.id,
            act,
            target: Some(user.id),
            message,
            detail: &detail,
            reason: &reason,
        },
    )
    .await?;
    if let Some(also) = also {
        also(&txn).await?;
    }
    txn.commit().await?;
    tracing::info!(community = %community.id, by = %actor.id, user = %user.id, act = act.as_str(), "moderation measure");

    let personal = realtime::topic::user(user.id);
    match measure {
        Measure::Warn => {
            if let Some(warning) = warning {
                realtime::publish(
                    state,
                    &personal,
                    Some(actor.id),
                    &CommunityEvent::Warned {
                        community_id: community.id.to_string(),
                        warning: warning_info(&warning),
                    },
                )
                .await;
            }
        }
        Measure::Timeout { .. } | Measure::LiftTimeout => {
            realtime::standing_changed(state, user.id, community.id).await;
            realtime::publish(
                state,
                &personal,
                Some(actor.id),
                &CommunityEvent::TimedOut {
                    community_id: community.id.to_string(),
                    until: until.map(|t| t.to_rfc3339()),
                },
            )
            .await;
        }
        Measure::Kick | Measure::Ban => {
            announce_left(state, CommunityId(community.id), UserId(user.id)).await
        }
    }
    Ok(())
}

/// When a timeout of `minutes` from `now` ends: one minute to a week, else a clear refusal.
fn timeout_end(now: DateTime<Utc>, minutes: u32) -> Result<DateTime<Utc>, AppError> {
    if !(1..=Measure::TIMEOUT_MAX_MINUTES).contains(&minutes) {
        return Err(AppError::Validation(says!(
            "server.community.timeout_range",
            max = Measure::TIMEOUT_MAX_MINUTES
        )));
    }
    Ok(now + Duration::minutes(minutes as i64))
}

pub async fn unban(
    state: &AppState,
    actor: &users::Model,
    slug: &str,
    username: &str,
) -> Result<(), AppError> {
    let (community, standing) = find(state, Some(UserId(actor.id)), slug).await?;
    let (user, _) = target(state, &community, username).await?;
    allow(
        &community,
        standing,
        Action::Ban {
            target: Rank::Member,
        },
    )?;
    if repo::delete_ban(&state.db, community.id, user.id).await? == 0 {
        return Err(AppError::Validation(says!(
            "server.community.not_banned",
            user = &user.username
        )));
    }
    tracing::info!(community = %community.id, by = %actor.id, user = %user.id, "ban lifted");
    log_act(
        state,
        CommunityId(community.id),
        UserId(actor.id),
        Act::Unban,
        Some(user.id),
        "",
    )
    .await?;
    realtime::standing_changed(state, user.id, community.id).await;
    Ok(())
}

pub fn warning_info(warning: &warnings::Model) -> WarningInfo {
    WarningInfo {
        id: warning.id.to_string(),
        reason: warning.reason.clone(),
        created_at: warning.created_at.to_rfc3339(),
    }
}

/// The person saw a warning: it stops showing. Only their own, once.
pub async fn mark_warning_seen(
    state: &AppState,
    user: UserId,
    warning: &str,
) -> Result<(), AppError> {
    let not_found = || AppError::NotFound(says!("server.community.warning_not_found"));
    let id = Uuid::parse_str(warning.trim()).map_err(|_| not_found())?;
    if !repo::mark_warning_seen(&state.db, user.0, id, Utc::now()).await? {
        return Err(not_found());
    }
    Ok(())
}
