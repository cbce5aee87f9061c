//! Who hears of a new message, and how: the people it was sent to (a direct conversation),
//! names, answers, or calls with `@everyone`/`@here`, and those who chose to hear everything of
//! its place — each as their settings say (a channel's choice over its community's, a mute over
//! both; nothing from someone they blocked). Each gets an inbox entry (unless they only hear
//! everything), a live event for their open tabs, and a push to their browsers.

use std::{collections::HashMap, sync::Mutex};

use chrono::{DateTime, Duration, Utc};
use futures::future::join_all;
use sea_orm::TransactionTrait;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{
    repo, Inbox, InboxItem, InboxKind, Level, Mute, NotificationSettings, PlaceSetting, PushKeys,
    INBOX_PAGE,
};
use crate::auth::UserId;
use crate::community::CommunityId;
use crate::{
    auth::Author,
    chat::{repo as chat, service::channel_access, ChatMessage, ServerEvent},
    community::{
        permissions::{Permissions, Visibility},
        repo as communities, ChannelId,
    },
    entities::{
        channels, communities as community_rows, inbox_items, notification_settings, users,
    },
    kit::{
        languages::locale_of,
        markdown,
        sentences::{says, Sentence},
    },
    platform::{
        error::AppError,
        push::{Outcome, Pusher, Subscription},
        realtime,
        state::AppState,
    },
};

/// "Until turned back on": a mute's end far enough away.
fn until_on() -> DateTime<Utc> {
    DateTime::from_timestamp(253_402_214_400, 0).expect("year 9999") // 9999-12-31
}

/// What a place follows when its person chose nothing: a direct conversation is heard in full,
/// a community by its mentions.
fn default_level(community: &community_rows::Model) -> Level {
    if community.visibility == Visibility::Direct.as_str() {
        Level::All
    } else {
        Level::Mentions
    }
}

/// A person's settings for a community and one of its channels, taken together.
struct Heard {
    level: Level,
    muted: bool,
}

fn heard(
    rows: &[&notification_settings::Model],
    community: CommunityId,
    channel: ChannelId,
    default: Level,
    now: DateTime<Utc>,
) -> Heard {
    let chosen = |place: Uuid| {
        rows.iter()
            .find(|r| r.scope_id == place)
            .filter(|r| r.level != "inherit")
            .map(|r| Level::parse(&r.level))
    };
    Heard {
        level: chosen(channel.0).or(chosen(community.0)).unwrap_or(default),
        muted: rows
            .iter()
            .any(|r| r.muted_until.is_some_and(|until| until > now)),
    }
}

/// The reason a person at `level` hears of a message, of all they have: the strongest, among
/// those the level lets through (mentions only: a mention, a reply, a call to everyone).
fn strongest(kinds: &[InboxKind], level: Level) -> Option<InboxKind> {
    let rank = |k: &InboxKind| match k {
        InboxKind::Reminder | InboxKind::Direct => 4,
        InboxKind::Mention => 3,
        InboxKind::Reply => 2,
        InboxKind::Everyone => 1,
        InboxKind::Message => 0,
    };
    kinds
        .iter()
        .filter(|k| match level {
            Level::Nothing => false,
            Level::Mentions => !matches!(k, InboxKind::Message | InboxKind::Direct),
            Level::All => true,
        })
        .max_by_key(|k| rank(k))
        .copied()
}

/// Messages waiting to be told; past this each is told on a task of its own (later, never
/// lost).
const TELL_QUEUE: usize = 10_000;
/// Messages told together: their places and who hears everything there are read once for all.
const TELL_BATCH: usize = 256;

/// Who hears of a new message (mentions, replies, direct messages, `@everyone`, those who hear
/// everything): a listener of the messages core, after the store and never in the way of
/// delivery. Messages are told in batches by one task, so that a busy room costs three reads a
/// batch, not three a message.
pub struct Notifier {
    queue: mpsc::Sender<ChatMessage>,
    /// The task's end of the queue until the first message starts it.
    waiting: Mutex<Option<mpsc::Receiver<ChatMessage>>>,
}

impl Default for Notifier {
    fn default() -> Self {
        let (queue, waiting) = mpsc::channel(TELL_QUEUE);
        Notifier {
            queue,
            waiting: Mutex::new(Some(waiting)),
        }
    }
}

#[async_trait::async_trait]
impl crate::chat::activity::Listener for Notifier {
    async fn hear(&self, state: &AppState, activity: &crate::chat::activity::MessageActivity<'_>) {
        use crate::chat::activity::MessageActivity;
        let message = match activity {
            MessageActivity::Created { message, .. } => message,
            // What was read in the channel is read in the inbox too.
            MessageActivity::Read {
                reader,
                channel,
                seq,
            } => {
                if let Err(err) =
                    read_channel(state, UserId(*reader), ChannelId(*channel), *seq).await
                {
                    tracing::warn!(error = %err, "could not mark a read channel's inbox entries");
                }
                return;
            }
            _ => return,
        };
        let taken = self
            .waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(queue) = taken {
            tokio::spawn(tell_batches(state.clone(), queue));
        }
        if let Err(full) = self.queue.try_send((*message).clone()) {
            let (state, message) = (state.clone(), full.into_inner());
            tokio::spawn(async move {
                if let Err(err) = deliver(&state, &message).await {
                    tracing::warn!(error = %err, "could not tell the people concerned");
                }
            });
        }
    }
}

/// Tells each batch of messages waiting in `queue`, until the instance stops.
async fn tell_batches(state: AppState, mut queue: mpsc::Receiver<ChatMessage>) {
    let mut batch = Vec::with_capacity(TELL_BATCH);
    while queue.recv_many(&mut batch, TELL_BATCH).await > 0 {
        if let Err(err) = deliver_all(&state, &batch).await {
            tracing::warn!(error = %err, size = batch.len(), "could not tell the people concerned");
        }
        batch.clear();
    }
}

/// Tells whoever should hear of a stored message (run after it was published; never delays it).
pub async fn deliver(state: &AppState, message: &ChatMessage) -> Result<(), AppError> {
    deliver_all(state, std::slice::from_ref(message)).await
}

/// Tells whoever should hear of each of `messages`: their channels, communities and the people
/// who hear everything there are read once for the batch; one message's trouble is its own.
pub async fn deliver_all(state: &AppState, messages: &[ChatMessage]) -> Result<(), AppError> {
    let db = &state.db;
    let mut channel_ids: Vec<Uuid> = messages
        .iter()
        .filter_map(|m| Uuid::parse_str(&m.channel_id).ok())
        .collect();
    channel_ids.sort_unstable();
    channel_ids.dedup();
    let channels: HashMap<Uuid, channels::Model> =
        communities::channels_by_ids(db, channel_ids.clone())
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
    let mut community_ids: Vec<Uuid> = channels.values().map(|c| c.community_id).collect();
    community_ids.sort_unstable();
    community_ids.dedup();
    let places: HashMap<Uuid, community_rows::Model> =
        communities::communities_by_ids(db, community_ids.clone())
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
    // Those who hear everything in each place, less those who are no longer members.
    let everything = repo::hearing_everything(
        db,
        community_ids.iter().chain(&channel_ids).copied().collect(),
    )
    .await?;
    let mut members_hearing: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for community in &community_ids {
        let mut people: Vec<Uuid> = everything
            .iter()
            .filter(|row| {
                row.scope_id == *community
                    || channels
                        .get(&row.scope_id)
                        .is_some_and(|c| c.community_id == *community)
            })
            .map(|row| row.user_id)
            .collect();
        people.sort_unstable();
        people.dedup();
        if !people.is_empty() {
            let members = communities::members_among(db, *community, people).await?;
            members_hearing.insert(*community, members);
        }
    }
    for message in messages {
        let Some(channel) = Uuid::parse_str(&message.channel_id)
            .ok()
            .and_then(|id| channels.get(&id))
        else {
            continue;
        };
        let Some(community) = places.get(&channel.community_id) else {
            continue;
        };
        let hearing: Vec<Uuid> = everything
            .iter()
            .filter(|row| row.scope_id == community.id || row.scope_id == channel.id)
            .map(|row| row.user_id)
            .filter(|person| {
                members_hearing
                    .get(&community.id)
                    .is_some_and(|members| members.contains(person))
            })
            .collect();
        if let Err(err) = tell(state, message, channel, community, &hearing).await {
            tracing::warn!(error = %err, "could not tell the people concerned with a message");
        }
    }
    Ok(())
}

/// Tells whoever should hear of `message`, written in `channel` of `community`, where
/// `hearing` (members) hear everything.
async fn tell(
    state: &AppState,
    message: &ChatMessage,
    channel: &channels::Model,
    community: &community_rows::Model,
    hearing: &[Uuid],
) -> Result<(), AppError> {
    let db = &state.db;
    let Ok(author) = Uuid::parse_str(&message.author.id) else {
        return Ok(());
    };
    let direct = community.visibility == Visibility::Direct.as_str();
    let body = message.body.as_deref().unwrap_or_default();

    // Every reason each person has to hear of it; their level picks among them.
    let mut reasons: HashMap<Uuid, Vec<InboxKind>> = HashMap::new();
    let mut note = |person: Uuid, kind: InboxKind| {
        if person != author {
            reasons.entry(person).or_default().push(kind);
        }
    };
    if direct {
        for (member, _) in communities::members(db, community.id).await? {
            note(member.user_id, InboxKind::Direct);
        }
    }
    let named = markdown::mentions(body);
    let calls_everyone = named.iter().any(|n| n.eq_ignore_ascii_case("everyone"));
    let calls_here = named.iter().any(|n| n.eq_ignore_ascii_case("here"));
    // At most twenty people named in one message are looked up.
    for name in named
        .iter()
        .filter(|n| {
            !crate::auth::validate::RESERVED_USERNAMES.contains(&n.to_ascii_lowercase().as_str())
        })
        .take(20)
    {
        if let Some(user) = crate::auth::repo::user_by_username(db, name).await? {
            if communities::membership(db, community.id, user.id)
                .await?
                .is_some()
            {
                note(user.id, InboxKind::Mention);
            }
        }
    }
    if let Some(quoted) = message
        .reply_to
        .as_ref()
        .and_then(|q| Uuid::parse_str(&q.author.id).ok())
    {
        if communities::membership(db, community.id, quoted)
            .await?
            .is_some()
        {
            note(quoted, InboxKind::Reply);
        }
    }
    if (calls_everyone || calls_here) && !direct {
        // Those allowed: whoever may moderate messages there.
        let allowed = communities::standing(db, community.id, author)
            .await?
            .permissions()
            .contains(Permissions::MODERATE_MESSAGES);
        if allowed {
            // The bots among the members have no inbox to read.
            let members: Vec<Uuid> = communities::members(db, community.id)
                .await?
                .into_iter()
                .filter(|(_, user)| !crate::auth::is_bot(&user.username))
                .map(|(m, _)| m.user_id)
                .collect();
            let called = if calls_everyone {
                members
            } else {
                communities::online_among(db, members, Utc::now())
                    .await?
                    .into_iter()
                    .collect()
            };
            for person in called {
                note(person, InboxKind::Everyone);
            }
        }
    }
    for person in hearing {
        note(*person, InboxKind::Message);
    }
    if reasons.is_empty() {
        return Ok(());
    }

    // As each person's settings and blocks say.
    let people: Vec<Uuid> = reasons.keys().copied().collect();
    let settings = repo::settings_for(db, people.clone(), vec![community.id, channel.id]).await?;
    let blocked_author = chat::blockers_of(db, author, people.clone()).await?;
    let now = Utc::now();
    let default = default_level(community);
    let mut told: Vec<(Uuid, InboxKind)> = Vec::new();
    for (person, kinds) in reasons {
        if blocked_author.contains(&person) {
            continue;
        }
        let rows: Vec<_> = settings.iter().filter(|r| r.user_id == person).collect();
        let heard = heard(
            &rows,
            CommunityId(community.id),
            ChannelId(channel.id),
            default,
            now,
        );
        if heard.muted {
            continue;
        }
        if let Some(kind) = strongest(&kinds, heard.level) {
            told.push((person, kind));
        }
    }
    let entries: Vec<inbox_items::Model> = told
        .iter()
        .filter(|(_, kind)| *kind != InboxKind::Message)
        .map(|(person, kind)| inbox_items::Model {
            id: Uuid::now_v7(),
            user_id: *person,
            kind: kind.as_str().into(),
            message_id: Uuid::parse_str(&message.id).unwrap_or_default(),
            channel_id: channel.id,
            seq: message.seq,
            community_id: community.id,
            actor_id: author,
            created_at: now,
            read_at: None,
        })
        .collect();
    let entry_ids: HashMap<Uuid, Uuid> = entries.iter().map(|e| (e.user_id, e.id)).collect();
    repo::add_to_inboxes(db, entries, repo::Existing::Keep).await?;
    // The count comes from the server, so a tab never counts an entry twice.
    for person in entry_ids.keys() {
        announce_unread(state, UserId(*person)).await?;
    }

    let item = |person: Uuid, kind: InboxKind| InboxItem {
        id: entry_ids
            .get(&person)
            .map_or(message.id.clone(), Uuid::to_string),
        kind,
        message_id: message.id.clone(),
        seq: message.seq,
        author: message.author.clone(),
        excerpt: message
            .body
            .as_deref()
            .map(|b| markdown::excerpt(b, 140))
            .filter(|t| !t.is_empty()),
        community_slug: community.slug.clone(),
        community_name: community.name.clone(),
        channel_name: channel.name.clone(),
        direct,
        created_at: message.created_at.clone(),
        read: false,
    };
    for (person, kind) in &told {
        realtime::publish(
            state,
            &realtime::topic::user(*person),
            Some(author),
            &ServerEvent::Notified {
                item: item(*person, *kind),
            },
        )
        .await;
    }
    // Browsers' push services answer at their own pace: the next message does not wait for them.
    let (state, pushed) = (
        state.clone(),
        told.iter().map(|(p, k)| (*p, item(*p, *k))).collect(),
    );
    tokio::spawn(async move {
        if let Err(err) = push_to(&state, pushed).await {
            tracing::warn!(error = %err, "could not push a message's notice");
        }
    });
    Ok(())
}

/// Reminds people that an event (announced by `message`) starts soon: an inbox entry each, a
/// live notice for their open tabs, a push to their browsers — unless they muted its place or
/// hear nothing of it.
pub async fn remind(
    state: &AppState,
    event: &crate::entities::events::Model,
    message: &crate::entities::messages::Model,
    people: Vec<Uuid>,
) -> Result<(), AppError> {
    let db = &state.db;
    if people.is_empty() {
        return Ok(());
    }
    let Some(channel) = communities::channel_by_id(db, event.channel_id).await? else {
        return Ok(());
    };
    let Some(community) = communities::community_by_id(db, event.community_id).await? else {
        return Ok(());
    };
    let settings = repo::settings_for(db, people.clone(), vec![community.id, channel.id]).await?;
    let now = Utc::now();
    let default = default_level(&community);
    let told: Vec<Uuid> = people
        .into_iter()
        .filter(|person| {
            let rows: Vec<_> = settings.iter().filter(|r| r.user_id == *person).collect();
            let heard = heard(
                &rows,
                CommunityId(community.id),
                ChannelId(channel.id),
                default,
                now,
            );
            !heard.muted && heard.level != Level::Nothing
        })
        .collect();
    if told.is_empty() {
        return Ok(());
    }
    repo::add_to_inboxes(
        db,
        told.iter()
            .map(|person| inbox_items::Model {
                id: Uuid::now_v7(),
                user_id: *person,
                kind: InboxKind::Reminder.as_str().into(),
                message_id: message.id,
                channel_id: channel.id,
                seq: message.seq,
                community_id: community.id,
                actor_id: event.created_by,
                created_at: now,
                read_at: None,
            })
            .collect(),
        repo::Existing::Renew,
    )
    .await?;
    let entries: HashMap<Uuid, Uuid> = repo::entries_for_message(db, message.id, told.clone())
        .await?
        .into_iter()
        .map(|e| (e.user_id, e.id))
        .collect();
    let organiser = crate::auth::repo::users_by_ids(db, vec![event.created_by])
        .await?
        .remove(&event.created_by)
        .map(|u| Author::of(&u))
        .unwrap_or_else(|| Author::deleted(event.created_by));
    let item = |person: Uuid| InboxItem {
        id: entries
            .get(&person)
            .map_or(message.id.to_string(), Uuid::to_string),
        kind: InboxKind::Reminder,
        message_id: message.id.to_string(),
        seq: message.seq,
        author: organiser.clone(),
        excerpt: Some(event.title.clone()),
        community_slug: community.slug.clone(),
        community_name: community.name.clone(),
        channel_name: channel.name.clone(),
        direct: false,
        created_at: now.to_rfc3339(),
        read: false,
    };
    for person in &told {
        announce_unread(state, UserId(*person)).await?;
        realtime::publish(
            state,
            &realtime::topic::user(*person),
            None,
            &ServerEvent::Notified {
                item: item(*person),
            },
        )
        .await;
    }
    push_to(state, told.iter().map(|p| (*p, item(*p))).collect()).await
}

/// Pushes each item to its person's browsers, all at once; a browser that is gone is forgotten.
async fn push_to(state: &AppState, items: Vec<(Uuid, InboxItem)>) -> Result<(), AppError> {
    let people: Vec<Uuid> = items.iter().map(|(p, _)| *p).collect();
    push_each(state, people, |person, language| {
        let (_, item) = items.iter().find(|(p, _)| *p == person)?;
        Some(payload(item, language))
    })
    .await
}

/// Pushes a notice that is not a message (a fired price alert) to `person`'s browsers, in
/// their language: `url` is where a click leads, `tag` keeps one notification per thing.
pub async fn push_notice(
    state: &AppState,
    person: UserId,
    (title, body): (Sentence, Sentence),
    url: String,
    tag: String,
) -> Result<(), AppError> {
    push_each(state, vec![person.0], |_, language| {
        let locale = locale_of(language).unwrap_or(crate::kit::i18n::Locale::en);
        Some(
            serde_json::json!({
                "title": title.render(locale),
                "body": body.render(locale),
                "url": url,
                "tag": tag,
            })
            .to_string(),
        )
    })
    .await
}

/// Pushes to every browser of `people` what `payload` makes for each (person, language), all
/// at once; a browser that is gone is forgotten.
async fn push_each(
    state: &AppState,
    people: Vec<Uuid>,
    payload: impl Fn(Uuid, &str) -> Option<String>,
) -> Result<(), AppError> {
    let subscriptions = repo::subscriptions_of(&state.db, people.clone()).await?;
    if subscriptions.is_empty() {
        return Ok(());
    }
    let languages: HashMap<Uuid, String> = crate::auth::repo::users_by_ids(&state.db, people)
        .await?
        .into_values()
        .map(|u| (u.id, u.preferred_language))
        .collect();
    let pusher = state.service::<Pusher>();
    let sends = subscriptions.into_iter().filter_map(|s| {
        let language = languages
            .get(&s.user_id)
            .map(String::as_str)
            .unwrap_or("en");
        let payload = payload(s.user_id, language)?;
        let to = Subscription::parse(&s.endpoint, &s.p256dh, &s.auth, pusher.allow_http)?;
        Some(async move {
            (
                to.endpoint.clone(),
                pusher.push(&to, payload.as_bytes()).await,
            )
        })
    });
    for (endpoint, outcome) in join_all(sends).await {
        match outcome {
            Outcome::Delivered => {}
            Outcome::Gone => {
                repo::delete_subscription(&state.db, &endpoint, None).await?;
                tracing::info!("a browser unsubscribed from pushes; forgotten");
            }
            Outcome::Failed(why) => tracing::warn!(reason = %why, "a push was not delivered"),
        }
    }
    Ok(())
}

/// What the service worker shows: a title and a body in the person's language, where a click
/// leads, and a tag (one notification per message).
fn payload(item: &InboxItem, language: &str) -> String {
    let locale = locale_of(language).unwrap_or(crate::kit::i18n::Locale::en);
    let title = if item.kind == InboxKind::Reminder {
        says!(
            "server.notify.reminder_title",
            channel = item.channel_name.clone(),
            community = item.community_name.clone()
        )
        .render(locale)
    } else if item.direct {
        item.author.display_name.clone()
    } else {
        says!(
            "server.notify.title",
            name = item.author.display_name.clone(),
            channel = item.channel_name.clone(),
            community = item.community_name.clone()
        )
        .render(locale)
    };
    let body = item
        .excerpt
        .clone()
        .unwrap_or_else(|| says!("server.notify.files").render(locale));
    serde_json::json!({
        "title": title,
        "body": body,
        "url": item.href(),
        "tag": item.message_id,
    })
    .to_string()
}

/// A page of the person's inbox (older than the entry `before`).
pub async fn inbox(state: &AppState, me: UserId, before: Option<Uuid>) -> Result<Inbox, AppError> {
    let db = &state.db;
    let before = match before {
        Some(id) => repo::inbox_item(db, id)
            .await?
            .filter(|e| e.user_id == me.0)
            .map(|e| e.created_at),
        None => None,
    };
    let mut rows = repo::inbox_page(db, me.0, before, INBOX_PAGE + 1).await?;
    let more = rows.len() as u64 > INBOX_PAGE;
    rows.truncate(INBOX_PAGE as usize);
    // Only what the person may still read, from people they have not blocked since.
    let blocked = chat::blocked_by(db, me.0).await?;
    let messages: HashMap<Uuid, _> =
        chat::messages_by_ids(db, rows.iter().map(|r| r.message_id).collect())
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
    let authors =
        crate::auth::repo::users_by_ids(db, rows.iter().map(|r| r.actor_id).collect()).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(message) = messages.get(&row.message_id) else {
            continue;
        };
        if blocked.contains(&row.actor_id) || message.deleted_at.is_some() {
            continue;
        }
        let Ok(access) = channel_access(state, Some(UserId(me.0)), ChannelId(row.channel_id)).await
        else {
            continue;
        };
        items.push(InboxItem {
            id: row.id.to_string(),
            kind: InboxKind::parse(&row.kind),
            message_id: row.message_id.to_string(),
            seq: row.seq,
            author: authors
                .get(&row.actor_id)
                .map(Author::of)
                .unwrap_or_else(|| Author::deleted(row.actor_id)),
            excerpt: message
                .body
                .as_deref()
                .map(|b| markdown::excerpt(b, 140))
                .filter(|t| !t.is_empty()),
            community_slug: access.community.slug.clone(),
            community_name: access.community.name.clone(),
            channel_name: access.channel.name.clone(),
            direct: access.community.visibility == Visibility::Direct.as_str(),
            created_at: row.created_at.to_rfc3339(),
            read: row.read_at.is_some(),
        });
    }
    Ok(Inbox {
        items,
        unread: repo::unread_count(db, me.0).await?,
        more,
    })
}

/// Marks entries read (all of them when `ids` is empty); the person's tabs update their badge.
pub async fn mark_read(state: &AppState, me: UserId, ids: &[String]) -> Result<u64, AppError> {
    let ids = if ids.is_empty() {
        None
    } else {
        Some(
            ids.iter()
                .map(|id| {
                    Uuid::parse_str(id)
                        .map_err(|_| AppError::Validation(says!("server.notify.unknown_entry")))
                })
                .collect::<Result<Vec<_>, _>>()?,
        )
    };
    repo::mark_read(&state.db, me.0, ids, Utc::now()).await?;
    announce_unread(state, me).await
}

/// Reading a channel that far reads its inbox entries too.
pub async fn read_channel(
    state: &AppState,
    me: UserId,
    channel: ChannelId,
    up_to: i64,
) -> Result<(), AppError> {
    if repo::mark_read_in_channel(&state.db, me.0, channel.0, up_to, Utc::now()).await? > 0 {
        announce_unread(state, me).await?;
    }
    Ok(())
}

async fn announce_unread(state: &AppState, me: UserId) -> Result<u64, AppError> {
    let unread = repo::unread_count(&state.db, me.0).await?;
    realtime::publish(
        state,
        &realtime::topic::user(me.0),
        None,
        &ServerEvent::InboxUnread { unread },
    )
    .await;
    Ok(unread)
}

/// A person's settings for a community (by slug) and one of its channels.
pub async fn settings(
    state: &AppState,
    me: UserId,
    channel: ChannelId,
) -> Result<NotificationSettings, AppError> {
    let access = channel_access(state, Some(UserId(me.0)), channel).await?;
    member_of(&access)?;
    let rows = repo::settings_for(
        &state.db,
        vec![me.0],
        vec![access.community.id, access.channel.id],
    )
    .await?;
    let now = Utc::now();
    let place = |id: Uuid| {
        let row = rows.iter().find(|r| r.scope_id == id);
        let muted = row.and_then(|r| r.muted_until).filter(|until| *until > now);
        PlaceSetting {
            level: row
                .filter(|r| r.level != "inherit")
                .map(|r| Level::parse(&r.level)),
            muted_until: muted.map(|until| until.to_rfc3339()),
            muted_until_on: muted.is_some_and(|until| until >= until_on()),
        }
    };
    let default = default_level(&access.community);
    let all: Vec<_> = rows.iter().collect();
    let together = heard(
        &all,
        CommunityId(access.community.id),
        ChannelId(access.channel.id),
        default,
        now,
    );
    Ok(NotificationSettings {
        community: place(access.community.id),
        channel: place(access.channel.id),
        default_level: default,
        effective: together.level,
        muted: together.muted,
    })
}

/// Changes what a person hears of a place: the community (or conversation) a channel is in, or
/// the channel alone (`whole_community` false). `level` None follows the community (or the
/// default); `mute` mutes, or lifts a mute. Lifting one (`Mute::Off`) lifts every mute that
/// silences the channel, its own and its community's, in one step: "Unmute" means "let me hear
/// this channel again", and two requests for it could cross and leave it muted.
pub async fn set(
    state: &AppState,
    me: UserId,
    channel: ChannelId,
    whole_community: bool,
    level: Option<Level>,
    mute: Option<Mute>,
) -> Result<NotificationSettings, AppError> {
    let access = channel_access(state, Some(UserId(me.0)), channel).await?;
    member_of(&access)?;
    let (community, channel_place) = (access.community.id, access.channel.id);
    let mut places = match (mute, whole_community) {
        (Some(Mute::Off), _) => vec![community, channel_place],
        (_, true) => vec![community],
        (_, false) => vec![channel_place],
    };
    places.dedup();
    let rows = repo::settings_for(&state.db, vec![me.0], places.clone()).await?;
    let now = Utc::now();
    for place in places {
        let row = rows.iter().find(|r| r.scope_id == place);
        let kept_mute = row.and_then(|r| r.muted_until).filter(|until| *until > now);
        let muted_until = match mute {
            None => kept_mute,
            Some(Mute::Off) => None,
            Some(Mute::UntilOn) => Some(until_on()),
            Some(timed) => timed.minutes().map(|m| now + Duration::minutes(m)),
        };
        let level = match mute {
            // Muting, or lifting a mute, keeps the level chosen before.
            Some(_) => row.map_or_else(|| "inherit".into(), |r| r.level.clone()),
            None => level.map_or("inherit".into(), |l| l.as_str().to_string()),
        };
        if level == "inherit" && muted_until.is_none() {
            repo::clear_setting(&state.db, me.0, place).await?;
        } else {
            repo::put_setting(
                &state.db,
                notification_settings::Model {
                    user_id: me.0,
                    scope_id: place,
                    community_id: community,
                    level,
                    muted_until,
                    updated_at: now,
                },
            )
            .await?;
        }
    }
    settings(state, me, channel).await
}

fn member_of(access: &crate::chat::service::ChannelAccess) -> Result<(), AppError> {
    match access.standing {
        crate::community::permissions::Standing::Member { .. } => Ok(()),
        _ => Err(AppError::Denied(says!("server.denied.not_member"))),
    }
}

/// The browsers one person is pushed to at most: subscribing another forgets the one that
/// subscribed longest ago (a browser long gone, most likely), so one person cannot make every
/// notification a fan of requests.
pub const SUBSCRIPTIONS_MAX: u64 = 10;

/// Keeps a browser's push subscription for the person (replacing one of another person's on
/// the same browser), if its push service is at an address the server may call.
pub async fn subscribe(
    state: &AppState,
    me: &users::Model,
    keys: PushKeys,
) -> Result<(), AppError> {
    let pusher = state.service::<Pusher>();
    Subscription::parse(&keys.endpoint, &keys.p256dh, &keys.auth, pusher.allow_http)
        .ok_or_else(|| AppError::Validation(says!("server.notify.bad_subscription")))?;
    let endpoint = url::Url::parse(&keys.endpoint)
        .map_err(|_| AppError::Validation(says!("server.notify.bad_subscription")))?;
    // A name that resolves to nothing now is kept: the client checks again whenever it sends.
    let checked = crate::platform::outbound::check(&endpoint, state.config.outbound_to_private);
    if checked.await == Err(crate::platform::outbound::Refused::Private) {
        return Err(AppError::Validation(says!(
            "server.notify.endpoint_private"
        )));
    }
    let txn = state.db.begin().await?;
    repo::put_subscription(
        &txn,
        crate::entities::push_subscriptions::Model {
            id: Uuid::now_v7(),
            user_id: me.id,
            endpoint: keys.endpoint,
            p256dh: keys.p256dh,
            auth: keys.auth,
            created_at: Utc::now(),
        },
    )
    .await?;
    repo::keep_newest_subscriptions(&txn, me.id, SUBSCRIPTIONS_MAX).await?;
    txn.commit().await?;
    Ok(())
}

/// Forgets a browser's subscription (the person's own only).
pub async fn unsubscribe(state: &AppState, me: UserId, endpoint: &str) -> Result<(), AppError> {
    repo::delete_subscription(&state.db, endpoint, Some(me.0)).await?;
    Ok(())
}

/// The server's public key, which a browser subscribes with.
pub fn public_key(state: &AppState) -> String {
    state.service::<Pusher>().vapid.public_key()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_picks_the_strongest_reason_it_lets_through() {
        use InboxKind::*;
        let dm_that_mentions = [Direct, Mention];
        assert_eq!(strongest(&dm_that_mentions, Level::All), Some(Direct));
        assert_eq!(strongest(&dm_that_mentions, Level::Mentions), Some(Mention));
        assert_eq!(strongest(&[Direct], Level::Mentions), None);
        assert_eq!(strongest(&[Message, Reply], Level::Mentions), Some(Reply));
        assert_eq!(strongest(&[Message], Level::All), Some(Message));
        assert_eq!(strongest(&[Mention, Everyone], Level::Nothing), None);
    }
}
