//! Direct conversations: starting one (a pair has exactly one, however it is started), the
//! list with what is unread, adding people to a group and leaving it. Blocks are honoured at
//! every step: nobody starts or joins a conversation across a block, and a block between the
//! two people of a one-to-one conversation closes it for writing.

use std::collections::HashMap;

use chrono::Utc;
use rand::Rng;
use sea_orm::{DbErr, SqlErr, TransactionTrait};
use uuid::Uuid;

use super::{repo, Conversation, CHANNEL, MAX_PEOPLE};
use crate::auth::UserId;
use crate::community::CommunityId;
use crate::{
    auth::{is_bot, repo as accounts, Author},
    community::{
        permissions::{ChannelKind, Rank, Visibility},
        repo as communities,
        service::{announce_left, find},
        CommunityEvent,
    },
    entities::{channels, communities as community_rows, users},
    kit::{markdown, sentences::says},
    platform::{db, error::AppError, rate_limit::RateLimit, realtime, state::AppState},
};

/// Characters of the newest message a list shows.
const PREVIEW: usize = 80;

/// The key of a pair's one-to-one conversation: both ids, the smaller first.
pub fn pair_key(a: UserId, b: UserId) -> String {
    let (first, second) = if a < b { (a, b) } else { (b, a) };
    format!("{first}:{second}")
}

/// Starts a conversation with these people (usernames), or — with one person — opens the one
/// the pair already has.
pub async fn start(
    state: &AppState,
    me: &users::Model,
    usernames: &[String],
) -> Result<Conversation, AppError> {
    let mut others: Vec<users::Model> = Vec::new();
    for name in usernames {
        let name = name.trim().trim_start_matches('@');
        if name.is_empty() || name.eq_ignore_ascii_case(&me.username) {
            continue;
        }
        let person = reachable(state, name).await?;
        if !others.iter().any(|o| o.id == person.id) {
            others.push(person);
        }
    }
    if others.is_empty() {
        return Err(AppError::Validation(says!("server.direct.nobody")));
    }
    if others.len() + 1 > MAX_PEOPLE {
        return Err(AppError::Validation(says!(
            "server.direct.too_many",
            max = MAX_PEOPLE
        )));
    }
    refuse_blocks(state, me, &others).await?;
    let conversation = match others.as_slice() {
        [other] => {
            let key = pair_key(UserId(me.id), UserId(other.id));
            match repo::by_pair(&state.db, &key).await? {
                Some(existing) => existing,
                None => match create(state, me, &others, Some(key.clone())).await {
                    Ok(created) => created,
                    // Both started it at once: the other request made it.
                    Err(NotMade::Db(err))
                        if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) =>
                    {
                        repo::by_pair(&state.db, &key)
                            .await?
                            .ok_or(AppError::from(err))?
                    }
                    Err(err) => return Err(err.into()),
                },
            }
        }
        _ => create(state, me, &others, None).await?,
    };
    for person in &others {
        changed(state, UserId(person.id), &conversation.slug).await;
    }
    one(state, &conversation, UserId(me.id)).await
}

/// Someone a conversation may be started with (or who may be added to one): an account that
/// exists, is not deleted and is not a bot.
async fn reachable(state: &AppState, username: &str) -> Result<users::Model, AppError> {
    let user = accounts::user_by_username(&state.db, username)
        .await?
        .filter(|u| !u.is_tombstone())
        .ok_or_else(|| AppError::NotFound(says!("server.auth.user_not_found", user = username)))?;
    if is_bot(&user.username) {
        return Err(AppError::Validation(says!(
            "server.direct.unavailable",
            user = user.username.clone()
        )));
    }
    Ok(user)
}

/// Refuses a conversation across a block: the person's own block is named (they can lift it);
/// one against them reads like any other refusal.
async fn refuse_blocks(
    state: &AppState,
    me: &users::Model,
    others: &[users::Model],
) -> Result<(), AppError> {
    let blocks =
        repo::blocks_between(&state.db, me.id, others.iter().map(|o| o.id).collect()).await?;
    for other in others {
        if blocks.contains(&(me.id, other.id)) {
            return Err(AppError::Validation(says!(
                "server.direct.you_blocked",
                user = other.username.clone()
            )));
        }
        if blocks.contains(&(other.id, me.id)) {
            return Err(AppError::Denied(says!(
                "server.direct.unavailable",
                user = other.username.clone()
            )));
        }
    }
    Ok(())
}

/// Groups one person may start in an hour. A pair has one conversation, but groups are new each
/// time: without a limit, one account could pull someone into group after group.
fn groups_per_hour() -> RateLimit {
    RateLimit {
        max: 10,
        window: chrono::Duration::hours(1),
    }
}

/// The first key of PostgreSQL's advisory locks that names "a person's new groups".
const GROUPS_LOCK_SPACE: i32 = 0x646d_6772; // "dmgr"

/// Why a conversation was not made.
enum NotMade {
    Db(DbErr),
    /// The starter's groups for the hour are used up: whole seconds until the next may start.
    TooManyGroups(u64),
}

impl From<DbErr> for NotMade {
    fn from(err: DbErr) -> Self {
        NotMade::Db(err)
    }
}

impl From<NotMade> for AppError {
    fn from(not_made: NotMade) -> Self {
        match not_made {
            NotMade::Db(err) => err.into(),
            NotMade::TooManyGroups(retry_after_secs) => AppError::RateLimited { retry_after_secs },
        }
    }
}

/// A new conversation with its people and its channel, all or nothing; a group only within the
/// starter's hourly allowance (exact when they start many at once: the count runs under their
/// lock, after this one's rows are written).
async fn create(
    state: &AppState,
    me: &users::Model,
    others: &[users::Model],
    pair: Option<String>,
) -> Result<community_rows::Model, NotMade> {
    let group = pair.is_none();
    let mut slug = new_slug();
    while communities::slug_taken(&state.db, &slug).await? {
        slug = new_slug();
    }
    let now = Utc::now();
    let id = Uuid::now_v7();
    let txn = state.db.begin().await?;
    let conversation = communities::insert_community(
        &txn,
        community_rows::Model {
            id,
            slug,
            name: String::new(),
            description: String::new(),
            icon_color: crate::community::validate::ICON_COLORS[0].to_string(),
            visibility: Visibility::Direct.as_str().into(),
            owner_id: None,
            created_at: now,
            toxicity_threshold: None,
            default_channel_id: None,
            icon: None,
            direct_key: pair,
        },
    )
    .await?;
    // The starter first: "in the order they came in".
    communities::add_member(&txn, id, me.id, Rank::Member, now).await?;
    for (n, other) in others.iter().enumerate() {
        let joined = now + chrono::Duration::microseconds(n as i64 + 1);
        communities::add_member(&txn, id, other.id, Rank::Member, joined).await?;
    }
    communities::insert_channel(&txn, id, CHANNEL, "", ChannelKind::Text, 0, now).await?;
    if group {
        let limit = groups_per_hour();
        db::lock_until_commit(&txn, GROUPS_LOCK_SPACE, me.id).await?;
        let (started, oldest) =
            repo::groups_started_since(&txn, me.id, limit.window_start(now)).await?;
        // `started` counts this one.
        if let Err(wait) = limit.check(started.saturating_sub(1), oldest, now) {
            txn.rollback().await?;
            return Err(NotMade::TooManyGroups(wait));
        }
    }
    txn.commit().await?;
    tracing::info!(conversation = %id, people = others.len() + 1, "conversation started");
    Ok(conversation)
}

/// `dm-` and 16 letters and digits: not guessable, and never a community's (theirs come from
/// names, and are checked against taken ones too).
fn new_slug() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    let tail: String = (0..16)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("dm-{tail}")
}

/// Tells a person's tabs that one of their conversations began or changed.
async fn changed(state: &AppState, person: UserId, slug: &str) {
    realtime::publish(
        state,
        &realtime::topic::user(person.0),
        None,
        &CommunityEvent::ConversationChanged { slug: slug.into() },
    )
    .await;
}

/// A person's conversations, the most recently active first.
pub async fn list(state: &AppState, viewer: UserId) -> Result<Vec<Conversation>, AppError> {
    let rows = repo::conversations_of(&state.db, viewer.0).await?;
    let mut list = present(state, viewer, rows).await?;
    list.sort_by(|a, b| b.active_at.cmp(&a.active_at));
    Ok(list)
}

/// One conversation, as its list shows it to `viewer`.
pub async fn one(
    state: &AppState,
    conversation: &community_rows::Model,
    viewer: UserId,
) -> Result<Conversation, AppError> {
    let channel = communities::channels(&state.db, conversation.id)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::NotFound(says!("server.community.channel_not_found")))?;
    present(state, viewer, vec![(conversation.clone(), channel)])
        .await?
        .pop()
        .ok_or_else(|| AppError::NotFound(says!("server.direct.not_found")))
}

/// Conversations as `viewer` sees them: the others in each, what is unread, the newest words
/// and whether a block closed it. A handful of queries for the whole list.
async fn present(
    state: &AppState,
    viewer: UserId,
    rows: Vec<(community_rows::Model, channels::Model)>,
) -> Result<Vec<Conversation>, AppError> {
    let db = &state.db;
    let mut people = repo::people_of(db, rows.iter().map(|(c, _)| c.id).collect()).await?;
    let reads =
        communities::read_positions(db, viewer.0, rows.iter().map(|(_, ch)| ch.id).collect())
            .await?;
    let newest = repo::newest_messages(
        db,
        rows.iter().map(|(_, ch)| (ch.id, ch.last_seq)).collect(),
    )
    .await?;
    let everyone: Vec<Uuid> = people.values().flatten().map(|u| u.id).collect();
    let blocks = repo::blocks_between(db, viewer.0, everyone).await?;
    let i_blocked = |id: Uuid| blocks.contains(&(viewer.0, id));
    let authors: HashMap<Uuid, Author> = people
        .values()
        .flatten()
        .map(|u| (u.id, Author::of(u)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|(conversation, channel)| {
            let others: Vec<users::Model> = people
                .remove(&conversation.id)
                .unwrap_or_default()
                .into_iter()
                .filter(|u| u.id != viewer.0)
                .collect();
            let group = conversation.direct_key.is_none();
            let closed = !group
                && others.iter().any(|o| {
                    blocks.contains(&(viewer.0, o.id)) || blocks.contains(&(o.id, viewer.0))
                });
            let last = newest.get(&channel.id);
            let shown = last.filter(|m| !i_blocked(m.author_id));
            Conversation {
                slug: conversation.slug.clone(),
                channel_id: channel.id.to_string(),
                people: match (others.is_empty(), &conversation.direct_key) {
                    // The other person deleted their account (and so left): still whom it was with.
                    (true, Some(pair)) => other_in_pair(pair, viewer)
                        .map(Author::deleted)
                        .into_iter()
                        .collect(),
                    _ => others.iter().map(Author::of).collect(),
                },
                group,
                last_seq: channel.last_seq,
                last_read_seq: reads.get(&channel.id).copied().unwrap_or(0),
                preview: shown
                    .and_then(|m| m.body.as_deref())
                    .map(|body| markdown::excerpt(body, PREVIEW))
                    .filter(|text| !text.is_empty()),
                preview_author: shown.map(|m| {
                    authors
                        .get(&m.author_id)
                        .cloned()
                        .unwrap_or_else(|| Author::deleted(m.author_id))
                }),
                active_at: last
                    .map_or(conversation.created_at, |m| m.created_at)
                    .to_rfc3339(),
                closed,
            }
        })
        .collect())
}

/// Whether a block closed this conversation for `viewer`'s writing: one between the two people
/// of a one-to-one conversation, whoever made it. Groups stay open (a blocked person's words
/// are hidden from the one who blocked them, as everywhere).
pub async fn closed(
    state: &AppState,
    conversation: &community_rows::Model,
    viewer: UserId,
) -> Result<bool, AppError> {
    let Some(pair) = &conversation.direct_key else {
        return Ok(false);
    };
    let other: Vec<Uuid> = other_in_pair(pair, viewer).into_iter().collect();
    Ok(!repo::blocks_between(&state.db, viewer.0, other)
        .await?
        .is_empty())
}

/// The one of a pair's key who is not `viewer`.
fn other_in_pair(pair: &str, viewer: UserId) -> Option<Uuid> {
    pair.split(':')
        .filter_map(|id| Uuid::parse_str(id).ok())
        .find(|id| *id != viewer.0)
}

/// A conversation of `me`'s, by its address.
async fn mine(
    state: &AppState,
    me: &users::Model,
    slug: &str,
) -> Result<community_rows::Model, AppError> {
    let (conversation, standing) = find(state, Some(UserId(me.id)), slug).await?;
    let visible = conversation.visibility == Visibility::Direct.as_str()
        && matches!(
            standing,
            crate::community::permissions::Standing::Member { .. }
        );
    if !visible {
        return Err(AppError::NotFound(says!("server.direct.not_found")));
    }
    Ok(conversation)
}

/// Adds someone to a group conversation (anyone in it may, up to [`MAX_PEOPLE`]).
pub async fn add(
    state: &AppState,
    me: &users::Model,
    slug: &str,
    username: &str,
) -> Result<Conversation, AppError> {
    let conversation = mine(state, me, slug).await?;
    if conversation.direct_key.is_some() {
        return Err(AppError::Validation(says!("server.direct.pair_fixed")));
    }
    let person = reachable(state, username.trim().trim_start_matches('@')).await?;
    if communities::membership(&state.db, conversation.id, person.id)
        .await?
        .is_some()
    {
        return Err(AppError::Validation(says!(
            "server.direct.already_in",
            user = person.username.clone()
        )));
    }
    refuse_blocks(state, me, std::slice::from_ref(&person)).await?;
    if repo::head_count(&state.db, conversation.id).await? as usize >= MAX_PEOPLE {
        return Err(AppError::Validation(says!(
            "server.direct.too_many",
            max = MAX_PEOPLE
        )));
    }
    communities::add_member(
        &state.db,
        conversation.id,
        person.id,
        Rank::Member,
        Utc::now(),
    )
    .await?;
    realtime::standing_changed(state, person.id, conversation.id).await;
    realtime::publish(
        state,
        &realtime::topic::community(conversation.id),
        Some(person.id),
        &CommunityEvent::MemberJoined {
            community_id: conversation.id.to_string(),
            user: Author::of(&person),
        },
    )
    .await;
    for someone in repo::people_of(&state.db, vec![conversation.id])
        .await?
        .remove(&conversation.id)
        .unwrap_or_default()
    {
        changed(state, UserId(someone.id), &conversation.slug).await;
    }
    one(state, &conversation, UserId(me.id)).await
}

/// Leaves a group conversation. A one-to-one conversation cannot be left (blocking the other
/// person closes it).
pub async fn leave(state: &AppState, me: &users::Model, slug: &str) -> Result<(), AppError> {
    let conversation = mine(state, me, slug).await?;
    if conversation.direct_key.is_some() {
        return Err(AppError::Validation(says!("server.direct.pair_stays")));
    }
    communities::remove_member(
        &state.db,
        conversation.id,
        me.id,
        communities::Departure::Left,
    )
    .await?;
    announce_left(state, CommunityId(conversation.id), UserId(me.id)).await;
    changed(state, UserId(me.id), &conversation.slug).await;
    Ok(())
}
