//! Chat logic. Persist, then broadcast: a message is stored (with its sequence number, in one
//! transaction) before anyone hears of it; every change is then published once on the broker.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, Utc};
use sea_orm::TransactionTrait;
use uuid::Uuid;

use super::{
    activity::{About, MessageActivity, MessageListeners},
    command_handlers::{CommandContext, CommandOutcome},
    commands,
    parts::{Carried, MessageParts, Revised},
    repo, validate_body, validate_emoji,
    writer::{MessageWriter, Outgoing, Receipt},
    ChatMessage, HistoryPage, HomeChannel, HomeChat, HomeCommunity, MessageId, Quote, Reaction,
    ServerEvent, PAGE_SIZE,
};
use crate::auth::UserId;
use crate::community::CommunityId;
use crate::{
    community::{
        audit::{self, Act},
        permissions::{Action, ChannelKind, Standing, Visibility},
        repo as communities, service as community, ChannelId, CommunitySummary,
    },
    entities::{channels, communities as community_rows, messages, users},
    kit::markdown,
    kit::sentences::{says, Sentence},
    platform::{error::AppError, rate_limit::RateLimit, realtime, state::AppState},
};

/// The most messages one resume replays; a tab further behind reloads the channel.
pub const REPLAY_MAX: u64 = 1000;

/// A channel with its community and the person's standing there.
pub struct ChannelAccess {
    pub community: community_rows::Model,
    pub channel: channels::Model,
    pub standing: Standing,
    /// A one-to-one conversation a block closed: read, but no writing (`direct::service::closed`).
    pub closed: bool,
}

impl ChannelAccess {
    /// Refuses writing (a message, an edit, a reaction) where a block closed the conversation.
    pub fn open_for_writing(&self) -> Result<(), AppError> {
        if self.closed {
            return Err(AppError::Denied(says!("server.direct.closed")));
        }
        Ok(())
    }
}

/// Finds a channel and checks that the person may read it.
pub async fn channel_access(
    state: &AppState,
    viewer: Option<UserId>,
    channel_id: ChannelId,
) -> Result<ChannelAccess, AppError> {
    let channel = communities::channel_by_id(&state.db, channel_id.0)
        .await?
        .ok_or_else(|| AppError::NotFound(says!("server.community.channel_not_found")))?;
    let community = communities::community_by_id(&state.db, channel.community_id)
        .await?
        .ok_or_else(|| AppError::NotFound(says!("server.community.channel_not_found")))?;
    let standing = match viewer {
        Some(user) => communities::standing(&state.db, community.id, user.0).await?,
        None => Standing::Outsider,
    };
    community::allow(&community, standing, Action::Read)?;
    let closed = match viewer {
        Some(user) => {
            crate::community::direct::service::closed(state, &community, UserId(user.0)).await?
        }
        None => false,
    };
    Ok(ChannelAccess {
        community,
        channel,
        standing,
        closed,
    })
}

/// Turns stored rows into messages as readers see them: authors, quoted replies and reactions
/// are loaded in three queries for the whole batch.
pub async fn present(
    state: &AppState,
    rows: Vec<messages::Model>,
) -> Result<Vec<ChatMessage>, AppError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let quoted_ids: Vec<Uuid> = rows.iter().filter_map(|m| m.reply_to).collect();
    let quoted: HashMap<Uuid, messages::Model> = if quoted_ids.is_empty() {
        HashMap::new()
    } else {
        repo::messages_by_ids(&state.db, quoted_ids)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect()
    };
    let reactions = repo::group_reactions(
        repo::reactions_of(&state.db, rows.iter().map(|m| m.id).collect()).await?,
    );
    let flags = repo::flags_of(&state.db, rows.iter().map(|m| m.id).collect()).await?;
    let mut translations =
        repo::translations_of(&state.db, rows.iter().map(|m| m.id).collect()).await?;
    let standing: Vec<Uuid> = rows
        .iter()
        .filter(|m| m.deleted_at.is_none())
        .map(|m| m.id)
        .collect();
    let mut people: HashSet<Uuid> = rows.iter().map(|m| m.author_id).collect();
    people.extend(quoted.values().map(|m| m.author_id));
    people.extend(reactions.values().flatten().map(|r| r.user_id));
    let people = crate::auth::repo::users_by_ids(&state.db, people.into_iter().collect()).await?;
    let author = |id: &Uuid| match people.get(id) {
        Some(user) => crate::auth::Author::of(user),
        None => crate::auth::Author::deleted(*id),
    };
    let mut messages: Vec<ChatMessage> = rows
        .into_iter()
        .map(|m| {
            let mut grouped: Vec<Reaction> = Vec::new();
            for r in reactions.get(&m.id).into_iter().flatten() {
                match grouped.iter_mut().find(|g| g.emoji == r.emoji) {
                    Some(group) => group.users.push(author(&r.user_id)),
                    None => grouped.push(Reaction {
                        emoji: r.emoji.clone(),
                        users: vec![author(&r.user_id)],
                    }),
                }
            }
            ChatMessage {
                id: m.id.to_string(),
                channel_id: m.channel_id.to_string(),
                seq: m.seq,
                author: author(&m.author_id),
                reply_to: m.reply_to.and_then(|id| quoted.get(&id)).map(|q| Quote {
                    id: q.id.to_string(),
                    seq: q.seq,
                    author: author(&q.author_id),
                    excerpt: q.body.as_deref().map(|b| markdown::excerpt(b, 120)),
                }),
                body: m.body,
                created_at: m.created_at.to_rfc3339(),
                edited: m.edited_at.is_some(),
                pinned: m.pinned_at.is_some(),
                reactions: grouped,
                flag: flags.get(&m.id).map(crate::ai::Flag::from),
                translations: translations.remove(&m.id).unwrap_or_default(),
                unchecked: m.ai_status.as_deref() == Some(super::AI_UNCHECKED),
                attachments: Vec::new(),
                parts: Default::default(),
                language: m.language,
            }
        })
        .collect();
    // What features add (files, polls, events, cards): one query per kind for the page.
    state
        .service::<MessageParts>()
        .present(state, &standing, &mut messages)
        .await?;
    Ok(messages)
}

async fn hide_blocked(
    state: &AppState,
    viewer: Option<UserId>,
    rows: Vec<messages::Model>,
) -> Result<Vec<messages::Model>, AppError> {
    let Some(viewer) = viewer else {
        return Ok(rows);
    };
    let blocked = repo::blocked_by(&state.db, viewer.0).await?;
    Ok(rows
        .into_iter()
        .filter(|m| !blocked.contains(&m.author_id))
        .collect())
}

/// A page of history: the newest `PAGE_SIZE` messages, or those before `before_seq`; oldest
/// first. With `reach_seq` (a jump to a message) the page goes back to a few messages before
/// that one, up to `REACH_PAGE_MAX`, so the reader lands on it with what led up to it.
pub async fn history(
    state: &AppState,
    viewer: Option<UserId>,
    channel_id: ChannelId,
    before_seq: Option<i64>,
    reach_seq: Option<i64>,
) -> Result<HistoryPage, AppError> {
    let access = channel_access(state, viewer, channel_id).await?;
    // A jump reaches from the page's top (the newest, or `before_seq`) down to the message.
    let limit = reach_seq.map_or(PAGE_SIZE, |reach| {
        let top = before_seq.unwrap_or(access.channel.last_seq + 1);
        (top - reach + super::REACH_CONTEXT).clamp(PAGE_SIZE as i64, super::REACH_PAGE_MAX as i64)
            as u64
    });
    let mut rows = repo::page_before(&state.db, access.channel.id, before_seq, limit + 1).await?;
    let has_more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    rows.reverse();
    let rows = hide_blocked(state, viewer, rows).await?;
    Ok(HistoryPage {
        messages: present(state, rows).await?,
        has_more,
    })
}

/// Opens a channel of a community by name: the community (with the viewer's rights and unread
/// counts), the channel, and its newest messages. The channel row is read before the history,
/// so the history is never older than the sequence number the page starts from.
pub async fn open(
    state: &AppState,
    viewer: Option<UserId>,
    slug: &str,
    channel_name: &str,
) -> Result<super::OpenedChannel, AppError> {
    let community = community::view(state, viewer, slug).await?;
    let channel = community
        .channels
        .iter()
        .find(|c| c.name == channel_name.trim().to_lowercase())
        .cloned()
        .ok_or_else(|| {
            AppError::NotFound(says!(
                "server.community.channel_named_not_found",
                name = channel_name.trim()
            ))
        })?;
    let history = history(state, viewer, ChannelId::parse(&channel.id)?, None, None).await?;
    Ok(super::OpenedChannel {
        community,
        channel,
        history,
        max_upload_bytes: state.config.files.max_upload_bytes,
    })
}

/// What a reconnecting reader missed: every message after `after_seq`, oldest first.
pub async fn replay(
    state: &AppState,
    viewer: UserId,
    channel_id: ChannelId,
    after_seq: i64,
) -> Result<(ChannelAccess, Vec<ChatMessage>), AppError> {
    let access = channel_access(state, Some(UserId(viewer.0)), channel_id).await?;
    let rows = repo::after(&state.db, access.channel.id, after_seq, REPLAY_MAX).await?;
    let rows = hide_blocked(state, Some(UserId(viewer.0)), rows).await?;
    let messages = present(state, rows).await?;
    Ok((access, messages))
}

pub async fn pins(
    state: &AppState,
    viewer: Option<UserId>,
    channel_id: ChannelId,
) -> Result<Vec<ChatMessage>, AppError> {
    let access = channel_access(state, viewer, channel_id).await?;
    let rows = repo::pinned(&state.db, access.channel.id).await?;
    let rows = hide_blocked(state, viewer, rows).await?;
    present(state, rows).await
}

/// Whether messages and edits are counted at all (`RATE_LIMIT_MESSAGES` above 0).
pub(super) fn rate_limit_on(state: &AppState) -> bool {
    !rate_limit(state).is_off()
}

fn rate_limit(state: &AppState) -> RateLimit {
    RateLimit {
        max: state.config.rate_limit_messages,
        window: Duration::seconds(state.config.rate_limit_window_secs as i64),
    }
}

/// Whether the person may post in the channel now: the community's policy for the channel's
/// kind, and the channel still open. Messages and commands alike go through it.
pub fn may_post(access: &ChannelAccess) -> Result<(), AppError> {
    let kind = ChannelKind::parse(&access.channel.kind);
    community::allow(&access.community, access.standing, Action::Post(kind))?;
    access.open_for_writing()?;
    if access.channel.archived_at.is_some() {
        return Err(AppError::Validation(says!("server.chat.archived")));
    }
    Ok(())
}

/// Counts one action (a message, an edit, a command) toward the person's rate limit, as the
/// first step of the transaction that performs it, or refuses it with the wait (the
/// transaction then rolls back). Exact under concurrency: the row is written before the count,
/// so the transaction holds the database's write lock on SQLite, and on PostgreSQL the person's
/// advisory lock, from the count to the commit — ten sockets at once get exactly the limit.
pub(super) async fn count_action(
    state: &AppState,
    txn: &sea_orm::DatabaseTransaction,
    user: UserId,
) -> Result<(), AppError> {
    count_within(txn, user, rate_limit(state)).await
}

/// An installed bot's own limit (`BOT_RATE_LIMIT` a minute), counted like a person's, in its
/// own transaction: a bot posts one message at a time.
pub async fn count_bot_post(state: &AppState, bot: UserId) -> Result<(), AppError> {
    let limit = RateLimit {
        max: state.config.bot_rate_limit,
        window: Duration::seconds(60),
    };
    let txn = state.db.begin().await?;
    count_within(&txn, bot, limit).await?;
    txn.commit().await?;
    Ok(())
}

async fn count_within(
    txn: &sea_orm::DatabaseTransaction,
    user: UserId,
    limit: RateLimit,
) -> Result<(), AppError> {
    if limit.is_off() {
        return Ok(());
    }
    repo::lock_actions_of(txn, user.0).await?;
    let now = Utc::now();
    let recorded = repo::record_action(txn, user.0, now).await?;
    let (counted, oldest) = repo::actions_since(txn, user.0, limit.window_start(now)).await?;
    // `counted` includes this action's own row.
    if let Err(retry_after_secs) = limit.check(counted.saturating_sub(1), oldest, now) {
        // Taken back at once: the message writer refuses one message of a batch and commits
        // the others.
        repo::forget_action(txn, recorded).await?;
        return Err(AppError::RateLimited { retry_after_secs });
    }
    Ok(())
}

/// What sending started: a message on its way to the writer (the receipt says when it is
/// stored, or why not), or a command's private answer.
pub enum Sending {
    Stored(Receipt),
    /// A command's private answer, a sentence a line.
    Reply(Vec<Sentence>),
}

/// What a person sends: words (a command, or a caption when files come with them), a reply,
/// files, and the tab's nonce for it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Draft<'a> {
    pub nonce: Option<&'a str>,
    pub body: &'a str,
    pub reply_to: Option<&'a str>,
    /// Ids of the sender's unsent uploads in this channel.
    pub attachments: &'a [String],
}

/// Sends with the person's access already known — a socket keeps it for the channels it
/// watches, current through the access changes it receives — without waiting for the store.
pub async fn send_with(
    state: &AppState,
    author: &users::Model,
    access: &ChannelAccess,
    draft: Draft<'_>,
) -> Result<Sending, AppError> {
    // Files may come without words; words never come empty.
    let body = if !draft.attachments.is_empty() && draft.body.trim().is_empty() {
        String::new()
    } else {
        validate_body(draft.body)?
    };
    // A command obeys the channel's rules like a message: it may make a bot post there.
    may_post(access)?;
    let nonce = draft.nonce.map(str::to_string);
    if draft.attachments.is_empty() {
        if let Some(invocation) = commands::parse(&body) {
            let txn = state.db.begin().await?;
            count_action(state, &txn, UserId(author.id)).await?;
            txn.commit().await?;
            let context = CommandContext {
                state,
                user: author,
                access,
            };
            return match state
                .service::<crate::chat::command_handlers::CommandRegistry>()
                .run(&context, &invocation)
                .await?
            {
                CommandOutcome::Reply(text) => Ok(Sending::Reply(text)),
                CommandOutcome::Post(text) => {
                    store(state, author, access, nonce, (&text, None, &[]), false).await
                }
            };
        }
    }
    let body = commands::unescape(&body).to_string();
    store(
        state,
        author,
        access,
        nonce,
        (&body, draft.reply_to, draft.attachments),
        true,
    )
    .await
}

/// Hands a checked message to the writer: its words, what it replies to, its files. A
/// command's post is counted already.
async fn store(
    state: &AppState,
    author: &users::Model,
    access: &ChannelAccess,
    nonce: Option<String>,
    (body, reply_to, attachments): (&str, Option<&str>, &[String]),
    rate_limited: bool,
) -> Result<Sending, AppError> {
    let reply_to = match reply_to {
        Some(id) => {
            let id = MessageId::read(id)
                .ok_or_else(|| AppError::NotFound(says!("server.chat.replied_not_found")))?;
            let quoted = repo::message(&state.db, id.0)
                .await?
                .filter(|m| m.channel_id == access.channel.id)
                .ok_or_else(|| AppError::NotFound(says!("server.chat.replied_not_found")))?;
            Some(quoted.id)
        }
        None => None,
    };
    let files = match attachments {
        [] => Vec::new(),
        ids => {
            let files = state.service::<MessageParts>().files()?;
            files
                .for_sending(state, (author.id, access.channel.id), ids)
                .await?
        }
    };
    submit(
        state,
        author,
        access,
        nonce,
        Content {
            body,
            reply_to,
            attachments: files,
            carries: None,
        },
        rate_limited,
    )
    .await
    .map(Sending::Stored)
}

/// Hands a message with the part a feature checked (`parts::Carried`: a poll, an event, a card)
/// to the writer, with the words that announce it (counted toward the author's rate limit like
/// any message).
pub async fn submit_carrying(
    state: &AppState,
    author: &users::Model,
    access: &ChannelAccess,
    words: &str,
    carried: Box<dyn Carried>,
) -> Result<Receipt, AppError> {
    submit(
        state,
        author,
        access,
        None,
        Content {
            body: words,
            reply_to: None,
            attachments: Vec::new(),
            carries: Some(carried),
        },
        true,
    )
    .await
}

/// A message from one of the app's bots (the stock bot's answers, an incoming webhook's posts):
/// no person's rate limit applies (a hook's bot has its own, `count_bot_post`), but its message
/// goes the way every message goes — stored with the channel's next
/// sequence number, broadcast, judged and translated.
pub async fn post_as_bot(
    state: &AppState,
    bot: &users::Model,
    channel_id: ChannelId,
    body: &str,
) -> Result<ChatMessage, AppError> {
    let channel = communities::channel_by_id(&state.db, channel_id.0)
        .await?
        .ok_or_else(|| AppError::NotFound(says!("server.community.channel_not_found")))?;
    let community = communities::community_by_id(&state.db, channel.community_id)
        .await?
        .ok_or_else(|| AppError::NotFound(says!("server.community.channel_not_found")))?;
    let access = ChannelAccess {
        community,
        channel,
        standing: Standing::Outsider,
        closed: false,
    };
    submit(
        state,
        bot,
        &access,
        None,
        Content {
            body,
            reply_to: None,
            attachments: Vec::new(),
            carries: None,
        },
        false,
    )
    .await?
    .await
    .map(|stored| stored.message)
}

/// What a message says and carries, on its way to the writer.
struct Content<'a> {
    body: &'a str,
    reply_to: Option<Uuid>,
    /// The author's uploads, checked (`parts::Attaching::for_sending`).
    attachments: Vec<crate::carried::attachment::Attachment>,
    /// The part a feature adds (`parts::Carried`).
    carries: Option<Box<dyn Carried>>,
}

/// Queues a message that passed every check for the writer (`chat::writer`), which stores it
/// and tells everyone: the channel's readers, the community's sidebars, the AI, the people it
/// mentions.
async fn submit(
    state: &AppState,
    author: &users::Model,
    access: &ChannelAccess,
    nonce: Option<String>,
    Content {
        body,
        reply_to,
        attachments,
        carries,
    }: Content<'_>,
    rate_limited: bool,
) -> Result<Receipt, AppError> {
    // Refused before it is stored: a message stored while this instance cannot publish would
    // reach nobody until they resync, and its sender would hear nothing.
    state.broker.ready().map_err(|err| {
        tracing::warn!(error = %err, "refused a message: the broker is down");
        AppError::Unavailable
    })?;
    let outgoing = Outgoing {
        author_id: author.id,
        author: crate::auth::Author::of(author),
        channel: access.channel.id,
        community: access.community.id,
        community_slug: access.community.slug.clone(),
        channel_name: access.channel.name.clone(),
        nonce,
        body: body.to_string(),
        reply_to,
        attachments,
        carries,
        rate_limited,
        direct: access.community.visibility == Visibility::Direct.as_str(),
    };
    Ok(state
        .service::<MessageWriter>()
        .submit(state, outgoing)
        .await)
}

/// Tells the other people of a direct conversation of its new message, on their own topics:
/// their list of conversations and their unread count move wherever they are in the app.
pub(super) async fn notify_direct(
    state: &AppState,
    conversation: CommunityId,
    slug: String,
    message: ChatMessage,
) -> Result<(), AppError> {
    let author = Uuid::parse_str(&message.author.id).ok();
    let event = ServerEvent::DirectMessage { slug, message };
    for (member, _) in communities::members(&state.db, conversation.0).await? {
        if Some(member.user_id) != author {
            realtime::publish(
                state,
                &realtime::topic::user(member.user_id),
                author,
                &event,
            )
            .await;
        }
    }
    Ok(())
}

/// A message and the access of the person acting on it.
pub(crate) async fn message_access(
    state: &AppState,
    user: UserId,
    message_id: MessageId,
) -> Result<(messages::Model, ChannelAccess), AppError> {
    let message = repo::message(&state.db, message_id.0)
        .await?
        .ok_or_else(|| AppError::NotFound(says!("server.chat.message_not_found")))?;
    let access = channel_access(state, Some(UserId(user.0)), ChannelId(message.channel_id)).await?;
    Ok((message, access))
}

/// A message someone answers as a writer of its channel (a poll's vote, an event's answer):
/// refused unless the policy lets them post there and the place is open for writing; `None`
/// once the message is deleted (what it carried is gone with it).
pub(crate) async fn message_to_answer(
    state: &AppState,
    user: UserId,
    message_id: MessageId,
) -> Result<Option<(messages::Model, ChannelAccess)>, AppError> {
    let (message, access) = message_access(state, user, message_id).await?;
    community::allow(
        &access.community,
        access.standing,
        Action::Post(ChannelKind::Text),
    )?;
    access.open_for_writing()?;
    Ok(message.deleted_at.is_none().then_some((message, access)))
}

pub async fn edit(
    state: &AppState,
    user: UserId,
    message_id: MessageId,
    body: &str,
) -> Result<ChatMessage, AppError> {
    edit_carrying(state, user, message_id, body, None).await
}

/// Edits a message and, with `part`, stores anew the part it carries (an event planned again)
/// — in the edit's transaction, so the words and the part never disagree.
pub(crate) async fn edit_carrying(
    state: &AppState,
    user: UserId,
    message_id: MessageId,
    body: &str,
    part: Option<&dyn Revised>,
) -> Result<ChatMessage, AppError> {
    let (message, access) = message_access(state, user, message_id).await?;
    community::allow(
        &access.community,
        access.standing,
        Action::EditMessage {
            own: message.author_id == user.0,
        },
    )?;
    access.open_for_writing()?;
    if message.deleted_at.is_some() {
        return Err(AppError::Validation(says!("server.chat.deleted_no_edit")));
    }
    let body = validate_body(body)?;
    let txn = state.db.begin().await?;
    // An edit is read by everyone again (and judged again): it counts like a message.
    count_action(state, &txn, user).await?;
    let updated = repo::edit_message(&txn, message.id, body.clone(), Utc::now()).await?;
    if let Some(part) = part {
        part.store(&txn, &updated).await?;
    }
    // The old text's flag and translations do not describe the new one; it is read afresh.
    repo::clear_flag(&txn, message.id).await?;
    repo::clear_translations(&txn, message.id).await?;
    txn.commit().await?;
    let presented = present(state, vec![updated]).await?.remove(0);
    realtime::publish(
        state,
        &realtime::topic::channel(access.channel.id),
        Some(message.author_id),
        &ServerEvent::MessageEdited {
            message: presented.clone(),
        },
    )
    .await;
    // Read afresh after the edit is out, so that a new flag always follows the edit.
    state
        .service::<MessageListeners>()
        .announce(
            state,
            MessageActivity::Edited {
                about: About {
                    message: message.id,
                    channel: access.channel.id,
                    community: access.community.id,
                    author: message.author_id,
                },
                body: &body,
            },
        )
        .await;
    Ok(presented)
}

/// Deletes a message: the words leave the database, the place in the history stays.
pub async fn delete(state: &AppState, user: UserId, message_id: MessageId) -> Result<(), AppError> {
    let (message, access) = message_access(state, user, message_id).await?;
    community::allow(
        &access.community,
        access.standing,
        Action::DeleteMessage {
            own: message.author_id == user.0,
        },
    )?;
    if message.deleted_at.is_some() {
        return Ok(());
    }
    let listeners = state.service::<MessageListeners>();
    let deleted = MessageActivity::Deleted {
        message: &message,
        community: access.community.id,
        by: user.0,
    };
    let txn = state.db.begin().await?;
    repo::erase_message(&txn, message.id, Utc::now()).await?;
    // What hangs on it acts in the same transaction (a moderator's deletion closes its reports).
    listeners.within(&txn, &deleted).await?;
    // A moderator's deletion is written down.
    if message.author_id != user.0 {
        audit::record(
            &txn,
            audit::Entry {
                community: access.community.id,
                actor: user.0,
                act: Act::DeleteMessage,
                target: Some(message.author_id),
                message: Some(message.id),
                detail: &format!("#{}", access.channel.name),
                reason: "",
            },
        )
        .await?;
    }
    txn.commit().await?;
    listeners.announce(state, deleted).await;
    realtime::publish(
        state,
        &realtime::topic::channel(access.channel.id),
        Some(message.author_id),
        &ServerEvent::MessageDeleted {
            channel_id: access.channel.id.to_string(),
            message_id: message.id.to_string(),
            seq: message.seq,
        },
    )
    .await;
    Ok(())
}

pub async fn react(
    state: &AppState,
    user: UserId,
    message_id: MessageId,
    emoji: &str,
    on: bool,
) -> Result<Vec<Reaction>, AppError> {
    let emoji = validate_emoji(emoji)?;
    let (message, access) = message_access(state, user, message_id).await?;
    community::allow(
        &access.community,
        access.standing,
        Action::Post(ChannelKind::Text),
    )?;
    access.open_for_writing()?;
    if message.deleted_at.is_some() {
        return Err(AppError::Validation(says!("server.chat.deleted")));
    }
    if on {
        repo::add_reaction(&state.db, message.id, user.0, emoji, Utc::now()).await?;
    } else {
        repo::remove_reaction(&state.db, message.id, user.0, emoji).await?;
    }
    let reactions = present(state, vec![message.clone()])
        .await?
        .remove(0)
        .reactions;
    realtime::publish(
        state,
        &realtime::topic::channel(access.channel.id),
        Some(user.0),
        &ServerEvent::ReactionsChanged {
            channel_id: access.channel.id.to_string(),
            message_id: message.id.to_string(),
            reactions: reactions.clone(),
        },
    )
    .await;
    Ok(reactions)
}

pub async fn pin(
    state: &AppState,
    user: UserId,
    message_id: MessageId,
    pinned: bool,
) -> Result<ChatMessage, AppError> {
    let (message, access) = message_access(state, user, message_id).await?;
    community::allow(&access.community, access.standing, Action::Pin)?;
    if message.deleted_at.is_some() {
        return Err(AppError::Validation(says!("server.chat.deleted")));
    }
    let pin = pinned.then(|| (Utc::now(), user.0));
    let updated = repo::set_pin(&state.db, message.id, pin).await?;
    let presented = present(state, vec![updated]).await?.remove(0);
    realtime::publish(
        state,
        &realtime::topic::channel(access.channel.id),
        Some(message.author_id),
        &ServerEvent::PinChanged {
            channel_id: access.channel.id.to_string(),
            message: presented.clone(),
        },
    )
    .await;
    Ok(presented)
}

pub async fn mark_read(
    state: &AppState,
    user: UserId,
    channel_id: ChannelId,
    seq: i64,
) -> Result<(), AppError> {
    let access = channel_access(state, Some(UserId(user.0)), channel_id).await?;
    if matches!(access.standing, Standing::Member { .. }) {
        let seq = seq.clamp(0, access.channel.last_seq);
        repo::mark_read(&state.db, user.0, access.channel.id, seq).await?;
    }
    let read = MessageActivity::Read {
        reader: user.0,
        channel: access.channel.id,
        seq,
    };
    state
        .service::<MessageListeners>()
        .announce(state, read)
        .await;
    Ok(())
}

/// At most this many unread messages that may mention the person are read to count mentions,
/// and this many recent messages to find what trends.
const HOME_SCAN: u64 = 2000;

/// `author`'s latest messages in these communities (the ones the viewer may see), newest first,
/// each cut to [`super::RECENT_POST_CHARS`].
pub async fn recent_posts(
    state: &AppState,
    author: UserId,
    communities: &[CommunitySummary],
    limit: u64,
) -> Result<Vec<super::RecentPost>, AppError> {
    let ids: Vec<Uuid> = communities
        .iter()
        .filter_map(|c| Uuid::parse_str(&c.id).ok())
        .collect();
    let channels = repo::channels_in(&state.db, ids).await?;
    let found = repo::recent_by_author(
        &state.db,
        author.0,
        channels.iter().map(|c| c.id).collect(),
        limit,
    )
    .await?;
    Ok(found
        .into_iter()
        .filter_map(|m| {
            let channel = channels.iter().find(|c| c.id == m.channel_id)?;
            let community = communities
                .iter()
                .find(|c| c.id == channel.community_id.to_string())?;
            let excerpt = markdown::excerpt(m.body.as_deref()?, super::RECENT_POST_CHARS);
            Some(super::RecentPost {
                community_slug: community.slug.clone(),
                community_name: community.name.clone(),
                channel_name: channel.name.clone(),
                excerpt,
                created_at: m.created_at.to_rfc3339(),
            })
        })
        .collect())
}

/// The signed-in home: the person's communities and open channels with unread and mention
/// counts. Authors the person blocked count for none.
pub async fn home(state: &AppState, user: &users::Model) -> Result<HomeChat, AppError> {
    let db = &state.db;
    let mine = communities::communities_of(db, user.id).await?;
    let ids: Vec<Uuid> = mine.iter().map(|c| c.id).collect();
    let mut channels: Vec<channels::Model> = repo::channels_in(db, ids.clone())
        .await?
        .into_iter()
        .filter(|c| c.archived_at.is_none())
        .collect();
    channels.sort_by_key(|c| (c.position, c.created_at));
    let reads =
        communities::read_positions(db, user.id, channels.iter().map(|c| c.id).collect()).await?;
    let read = |c: &channels::Model| reads.get(&c.id).copied().unwrap_or(0);
    let blocked: HashSet<Uuid> = repo::blocked_by(db, user.id).await?.into_iter().collect();

    let behind: Vec<(Uuid, i64)> = channels
        .iter()
        .filter(|c| c.last_seq > read(c))
        .map(|c| (c.id, read(c)))
        .collect();
    let naming = repo::unread_naming(
        db,
        &behind,
        &format!("@{}", user.username.to_lowercase()),
        user.id,
        HOME_SCAN,
    )
    .await?;
    let mut mentions: HashMap<Uuid, u32> = HashMap::new();
    for (channel, author, body) in &naming {
        if blocked.contains(author) {
            continue;
        }
        let body = body.as_deref().unwrap_or_default();
        *mentions.entry(*channel).or_default() += super::count_mentions([body], &user.username);
    }

    let counts = communities::member_counts(db, ids).await?;
    let communities = mine
        .iter()
        .map(|c| HomeCommunity {
            community: community::summary(c, counts.get(&c.id).copied().unwrap_or(0), true),
            channels: channels
                .iter()
                .filter(|ch| ch.community_id == c.id)
                .map(|ch| HomeChannel {
                    name: ch.name.clone(),
                    unread: (ch.last_seq - read(ch)).max(0),
                    mentions: mentions.get(&ch.id).copied().unwrap_or(0),
                })
                .collect(),
        })
        .collect();
    Ok(HomeChat { communities })
}
