//! The rules of a person's data as a whole: what the download holds, and what deleting the
//! account does — in one database transaction, announced to the open tabs once it is stored.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::TransactionTrait;
use uuid::Uuid;

use super::{
    export::{self, AccountExport},
    repo, DeletionReport, MessagesChoice, ProfileView, DELETED_NAME, DELETED_USERNAME,
    RECENT_ACTIVITY,
};
use crate::auth::UserId;
use crate::{
    auth::Author,
    chat::ServerEvent,
    community::{permissions::Rank, CommunityEvent},
    entities::users,
    kit::sentences::says,
    platform::{error::AppError, realtime, state::AppState},
};

/// What a deleted account's row keeps. The address and the username are freed for anyone to
/// register again; the tombstone's stand-ins carry an upper-case letter, and sign-in, reset and
/// profile look-ups lower-case what they are given, so no look-up can ever reach a tombstone.
fn tombstone(id: UserId) -> repo::Tombstone {
    let hex = id.0.simple().to_string().to_uppercase();
    repo::Tombstone {
        // Unique like the column; never an address (no "@").
        email: format!("Deleted:{hex}"),
        // 32 characters, the column's width; "X" makes sure it is never all digits.
        username_key: format!("X{}", &hex[1..]),
        username: DELETED_USERNAME.into(),
        display_name: DELETED_NAME.into(),
    }
}

fn time(at: chrono::DateTime<Utc>) -> String {
    at.to_rfc3339()
}

/// Everything the app holds about the person, for the download. `session` is the session
/// asking (marked as the current one).
/// A person's page as `viewer` sees it.
pub async fn profile(
    state: &AppState,
    viewer: Option<UserId>,
    username: &str,
) -> Result<ProfileView, AppError> {
    let profile = crate::auth::service::public_profile(state, viewer, username).await?;
    let person = Uuid::parse_str(&profile.id).map_err(|_| AppError::Internal)?;
    let communities =
        crate::community::service::communities_seen_with(state, UserId(person), viewer).await?;
    let activity = if profile.blocked {
        Vec::new()
    } else {
        crate::chat::service::recent_posts(state, UserId(person), &communities, RECENT_ACTIVITY)
            .await?
    };
    Ok(ProfileView {
        profile,
        communities,
        activity,
    })
}

pub async fn export(
    state: &AppState,
    user: &users::Model,
    session: Uuid,
) -> Result<AccountExport, AppError> {
    let db = &state.db;

    // A session is a family of refresh tokens: when it began, was last renewed, ends, ended.
    let mut families: Vec<(Uuid, export::SessionRecord)> = Vec::new();
    for token in repo::refresh_tokens_of(db, user.id).await? {
        match families
            .iter_mut()
            .find(|(family, _)| *family == token.family_id)
        {
            Some((_, record)) => {
                record.last_renewed_at = time(token.created_at);
                record.expires_at = time(token.expires_at);
                if let Some(revoked) = token.revoked_at {
                    record.ended_at = Some(time(revoked));
                }
            }
            None => families.push((
                token.family_id,
                export::SessionRecord {
                    started_at: time(token.created_at),
                    last_renewed_at: time(token.created_at),
                    expires_at: time(token.expires_at),
                    ended_at: token.revoked_at.map(time),
                    current: token.family_id == session,
                },
            )),
        }
    }

    let two_factor = crate::auth::repo::two_factor_of(db, user.id)
        .await?
        .filter(|tf| tf.enabled_at.is_some());
    let recovery_codes_left = match &two_factor {
        Some(_) => crate::auth::repo::recovery_codes_left(db, user.id).await?,
        None => 0,
    };

    let blocks = repo::blocks_by(db, user.id).await?;
    let blocked_people =
        crate::auth::repo::users_by_ids(db, blocks.iter().map(|b| b.blocked_id).collect()).await?;

    let memberships = repo::memberships_of(db, user.id).await?;
    let mut roles: HashMap<Uuid, Vec<String>> = HashMap::new();
    for (community, name) in repo::role_names_of(db, user.id).await? {
        roles.entry(community).or_default().push(name);
    }

    let written = repo::messages_by(db, user.id).await?;
    let reacted = repo::reactions_by(db, user.id).await?;
    let ballots = repo::ballots_by(db, user.id).await?;
    let mut chosen = repo::chosen_answers_of(db, user.id).await?;
    let answered = repo::event_answers_by(db, user.id).await?;
    let badges = repo::achievements_of(db, user.id).await?;
    // A poll is keyed by its message.
    let reacted_in = repo::channels_of_messages(
        db,
        reacted
            .iter()
            .map(|r| r.message_id)
            .chain(ballots.iter().map(|b| b.poll_id))
            .chain(answered.iter().map(|(a, _)| a.event_id))
            .collect(),
    )
    .await?;
    let mut channel_ids: Vec<Uuid> = written.iter().map(|m| m.channel_id).collect();
    channel_ids.extend(reacted_in.values().copied());
    channel_ids.sort_unstable();
    channel_ids.dedup();
    let channels = repo::channels_by_ids(db, channel_ids).await?;
    let mut community_ids: Vec<Uuid> = channels.values().map(|c| c.community_id).collect();
    community_ids.extend(memberships.iter().map(|m| m.community_id));
    community_ids.sort_unstable();
    community_ids.dedup();
    let communities = repo::communities_by_ids(db, community_ids).await?;
    let place = |channel_id: Option<Uuid>| {
        let Some(channel) = channel_id.and_then(|id| channels.get(&id)) else {
            return export::Place::default();
        };
        let community = communities.get(&channel.community_id);
        export::Place {
            community: community.map(|c| c.slug.clone()).unwrap_or_default(),
            community_name: community.map(|c| c.name.clone()).unwrap_or_default(),
            channel: channel.name.clone(),
            channel_id: channel.id.to_string(),
        }
    };

    let mut portfolios = Vec::new();
    for portfolio in repo::portfolios_of(db, user.id).await? {
        let transactions = repo::transactions_of(db, portfolio.id)
            .await?
            .into_iter()
            .map(|t| export::TransactionRecord {
                id: t.id.to_string(),
                kind: t.kind,
                trade_date: t.trade_date,
                symbol: t.symbol,
                name: t.name,
                sector: t.sector,
                shares: t.shares,
                price: t.price,
                fees: t.fees,
                amount: t.amount,
                ratio: t.ratio,
                currency: t.currency,
                note: t.note,
                created_at: time(t.created_at),
            })
            .collect();
        portfolios.push(export::PortfolioRecord {
            id: portfolio.id.to_string(),
            name: portfolio.name,
            cost_method: portfolio.cost_method,
            currency: portfolio.currency,
            created_at: time(portfolio.created_at),
            transactions,
        });
    }

    let mut turns: HashMap<Uuid, Vec<export::AssistantTurnRecord>> = HashMap::new();
    for turn in repo::assistant_turns_of(db, user.id).await? {
        turns
            .entry(turn.conversation_id)
            .or_default()
            .push(export::AssistantTurnRecord {
                role: turn.role,
                // Cards are stored as the JSON the page received; kept as JSON, not as a string.
                cards: serde_json::from_str(&turn.cards)
                    .unwrap_or(serde_json::Value::String(turn.cards)),
                body: turn.body,
                language: turn.language,
                engine: turn.engine,
                created_at: time(turn.created_at),
            });
    }

    Ok(AccountExport {
        format: export::FORMAT,
        version: export::VERSION,
        exported_at: time(Utc::now()),
        profile: export::Profile {
            id: user.id.to_string(),
            email: user.email.clone(),
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            bio: user.bio.clone(),
            preferred_language: user.preferred_language.clone(),
            auto_translate: user.auto_translate,
            time_zone: user.time_zone.clone(),
            created_at: time(user.created_at),
            updated_at: time(user.updated_at),
        },
        sessions: families.into_iter().map(|(_, record)| record).collect(),
        two_factor: export::TwoFactorRecord {
            enabled: two_factor.is_some(),
            enabled_at: two_factor.and_then(|tf| tf.enabled_at).map(time),
            recovery_codes_left,
        },
        blocked: blocks
            .iter()
            .filter_map(|b| {
                blocked_people
                    .get(&b.blocked_id)
                    .map(|u| export::BlockRecord {
                        username: u.username.clone(),
                        display_name: u.display_name.clone(),
                        blocked_at: time(b.created_at),
                    })
            })
            .collect(),
        communities: memberships
            .iter()
            .filter_map(|m| {
                communities
                    .get(&m.community_id)
                    .map(|c| export::MembershipRecord {
                        community: c.slug.clone(),
                        community_name: c.name.clone(),
                        rank: Rank::from_level(m.rank),
                        roles: roles.remove(&m.community_id).unwrap_or_default(),
                        joined_at: time(m.joined_at),
                    })
            })
            .collect(),
        messages: written
            .into_iter()
            .map(|m| export::MessageRecord {
                id: m.id.to_string(),
                place: place(Some(m.channel_id)),
                seq: m.seq,
                body: m.body,
                reply_to: m.reply_to.map(|id| id.to_string()),
                created_at: time(m.created_at),
                edited_at: m.edited_at.map(time),
                deleted_at: m.deleted_at.map(time),
                pinned: m.pinned_at.is_some(),
                language: m.language,
            })
            .collect(),
        reactions: reacted
            .into_iter()
            .map(|r| export::ReactionRecord {
                message_id: r.message_id.to_string(),
                place: place(reacted_in.get(&r.message_id).copied()),
                emoji: r.emoji,
                created_at: time(r.created_at),
            })
            .collect(),
        poll_votes: ballots
            .into_iter()
            .map(|b| export::PollVoteRecord {
                message_id: b.poll_id.to_string(),
                place: place(reacted_in.get(&b.poll_id).copied()),
                choices: chosen.remove(&b.poll_id).unwrap_or_default(),
                cast_at: time(b.cast_at),
            })
            .collect(),
        event_answers: answered
            .into_iter()
            .filter_map(|(a, event)| {
                let event = event?;
                Some(export::EventAnswerRecord {
                    message_id: a.event_id.to_string(),
                    place: place(reacted_in.get(&a.event_id).copied()),
                    title: event.title,
                    starts_at: time(event.starts_at),
                    answer: a.answer,
                    answered_at: time(a.answered_at),
                })
            })
            .collect(),
        achievements: badges
            .into_iter()
            .map(|a| export::AchievementRecord {
                key: a.key,
                earned_at: time(a.earned_at),
            })
            .collect(),
        watchlist: repo::watchlist_of(db, user.id)
            .await?
            .into_iter()
            .map(|w| export::WatchRecord {
                symbol: w.symbol,
                added_at: time(w.added_at),
            })
            .collect(),
        chart_indicators: repo::chart_choice_of(db, user.id).await?.map(|c| {
            export::ChartIndicatorsRecord {
                overlays: c.overlays,
                panes: c.panes,
                updated_at: time(c.updated_at),
            }
        }),
        portfolios,
        price_alerts: repo::alerts_of(db, user.id)
            .await?
            .into_iter()
            .map(|a| export::AlertRecord {
                symbol: a.symbol,
                direction: a.direction,
                target: a.target,
                created_at: time(a.created_at),
                triggered_at: a.triggered_at.map(time),
                triggered_price: a.triggered_price,
            })
            .collect(),
        access_tokens: repo::access_tokens_of(db, user.id)
            .await?
            .into_iter()
            .map(|t| export::AccessTokenRecord {
                name: t.name,
                scopes: t.scopes.split(' ').map(str::to_string).collect(),
                created_at: time(t.created_at),
                expires_at: t.expires_at.map(time),
                last_used_at: t.last_used_at.map(time),
            })
            .collect(),
        assistant_conversations: repo::conversations_of(db, user.id)
            .await?
            .into_iter()
            .map(|c| export::ConversationRecord {
                messages: turns.remove(&c.id).unwrap_or_default(),
                id: c.id.to_string(),
                title: c.title,
                created_at: time(c.created_at),
                updated_at: time(c.updated_at),
            })
            .collect(),
    })
}

/// Deletes the account of `user`, who has just given their password (and a code, with
/// two-factor sign-in on). Their messages stay under "Deleted user" or lose their words, as
/// they chose; everything else of theirs goes; the row becomes a tombstone, or goes too when no
/// message names it. A community they own passes to its longest-serving admin, or is deleted
/// when they are its only member; with other members and no admin, nothing is deleted (409).
pub async fn delete(
    state: &AppState,
    user: &users::Model,
    password: &str,
    code: &str,
    choice: MessagesChoice,
) -> Result<DeletionReport, AppError> {
    crate::auth::two_factor::confirm_identity(state, user, password, code).await?;
    let now = Utc::now();
    let txn = state.db.begin().await?;
    // Written first: on SQLite the transaction takes the write lock here, on PostgreSQL the row
    // lock, so a second deletion waits, then finds a tombstone and stops.
    if !repo::make_tombstone(&txn, user.id, tombstone(UserId(user.id)), now).await? {
        txn.rollback().await?;
        return Err(AppError::Unauthorized);
    }

    let mut deleted = Vec::new();
    let mut handed_over = Vec::new();
    let mut unattended = Vec::new();
    for community in repo::communities_owned_by(&txn, user.id).await? {
        // The people besides them, highest rank first, then longest-serving: its bots are
        // members but nobody to hand it to, nor a reason to keep it.
        let mut others: Vec<_> = crate::community::repo::members(&txn, community.id)
            .await?
            .into_iter()
            .filter(|(m, who)| m.user_id != user.id && !crate::auth::is_bot(&who.username))
            .map(|(m, _)| m)
            .collect();
        others.sort_by(|a, b| b.rank.cmp(&a.rank).then(a.joined_at.cmp(&b.joined_at)));
        if others.is_empty() {
            deleted.push(community);
        } else if let Some(admin) = others
            .iter()
            .find(|m| Rank::from_level(m.rank) >= Rank::Admin)
        {
            handed_over.push((community, admin.user_id));
        } else {
            unattended.push(community.name);
        }
    }
    if !unattended.is_empty() {
        txn.rollback().await?;
        return Err(AppError::Conflict(says!(
            "server.account.owners_first",
            communities = unattended.join(", ")
        )));
    }
    // Each as its owner would delete it: with its reports, warnings and audit log (its
    // files' bytes are swept, as nothing links to them any more).
    for community in &deleted {
        crate::moderation::reports::repo::delete_in(&txn, community.id).await?;
        crate::community::repo::delete_community(&txn, community.id).await?;
    }
    for (community, admin) in &handed_over {
        crate::community::repo::set_rank(&txn, community.id, *admin, Rank::Owner).await?;
        repo::set_owner(&txn, community.id, *admin).await?;
    }

    // Where open tabs show something of theirs, and whom to tell they left.
    let touched = repo::channels_touched_by(&txn, user.id).await?;
    let memberships = repo::memberships_of(&txn, user.id).await?;
    let messages_affected = match choice {
        MessagesChoice::Keep => repo::message_count_by(&txn, user.id).await?,
        MessagesChoice::Remove => repo::erase_messages_of(&txn, user.id, now).await?,
    };
    repo::remove_belongings(&txn, user.id).await?;
    crate::auth::repo::delete_two_factor(&txn, user.id).await?;
    crate::auth::repo::delete_access_tokens_of(&txn, user.id).await?;
    crate::auth::repo::delete_login_challenges(&txn, user.id).await?;
    if !repo::authored_any(&txn, user.id).await? {
        repo::delete_user(&txn, user.id).await?;
    }
    txn.commit().await?;
    // Their pictures: the avatar, and the icons of the communities that went with them.
    for picture in user
        .avatar
        .into_iter()
        .chain(deleted.iter().filter_map(|c| c.icon))
    {
        crate::platform::pictures::remove(&state.files, picture).await;
    }
    // Failed sign-ins are counted under the address and the name; nobody owns them any more.
    for key in [
        format!("account:{}", user.email),
        format!("account:{}", user.username_key),
        format!("two_factor:{}", user.id),
    ] {
        if let Err(err) = crate::auth::attempts::clear(state, &key).await {
            tracing::warn!(error = %err, "could not forget a deleted account's failed sign-ins");
        }
    }
    tracing::info!(
        user = %user.id,
        messages = ?choice,
        messages_affected,
        communities_deleted = deleted.len(),
        communities_handed_over = handed_over.len(),
        "account deleted"
    );

    // Stored; now every instance hears of it. Their sockets close first.
    realtime::sessions_ended(state, user.id, None, None).await;
    for membership in &memberships {
        realtime::publish(
            state,
            &realtime::topic::community(membership.community_id),
            None,
            &CommunityEvent::MemberLeft {
                community_id: membership.community_id.to_string(),
                user_id: user.id.to_string(),
            },
        )
        .await;
    }
    for (community, admin) in &handed_over {
        realtime::standing_changed(state, *admin, community.id).await;
    }
    // No actor: readers who had blocked the person must hear it too (the blocks are gone).
    let gone = Author::deleted(user.id);
    for channel in touched {
        realtime::publish(
            state,
            &realtime::topic::channel(channel),
            None,
            &ServerEvent::AccountDeleted {
                channel_id: channel.to_string(),
                user_id: user.id.to_string(),
                author: gone.clone(),
                messages_removed: choice == MessagesChoice::Remove,
            },
        )
        .await;
    }

    Ok(DeletionReport {
        messages: choice,
        messages_affected,
        communities_deleted: deleted.into_iter().map(|c| c.name).collect(),
        communities_handed_over: handed_over.into_iter().map(|(c, _)| c.name).collect(),
    })
}
