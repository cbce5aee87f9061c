//! The server side of the realtime channel: one task per open websocket.
//!
//! A tab subscribes to channels; each subscription is a broker topic (`channel:<id>`), plus the
//! channel's community (`community:<id>`: presence, members, unread counts) and the person's own
//! topic (`user:<id>`: mentions). Events travel the broker as an envelope — the acting person's
//! id (16 bytes, zero for none), the readers it is for (one byte, [`Readers`]), then the event's
//! JSON — serialised once by the publisher. Each connection drops events from people its reader
//! blocked and events for readers of other languages, and forwards the JSON slice as is.

use std::{
    collections::{HashMap, HashSet},
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use bytes::{BufMut, Bytes, BytesMut};
use chrono::Utc;
use futures::{Stream, StreamExt};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use tokio::sync::mpsc;
use tokio_stream::{
    wrappers::BroadcastStream,
    StreamMap,
};
use uuid::Uuid;

use super::{repo, service, ClientEvent, ServerEvent};
use crate::{
    community::{permissions::Standing, repo as communities, service as community},
    entities::{connections, users},
    auth::validate::LANGUAGES,
    platform::{broker, error::AppError, server::AppState},
};

/// Frames queued for a tab before the connection stops reading the broker (and, if it stays
/// behind, is told to resync).
const OUTBOX: usize = 256;
/// A batch of frames stops growing past this size.
const BATCH_BYTES: usize = 32 * 1024;
/// How often an instance refreshes its connections' `seen_at`.
const HEARTBEAT_SECS: u64 = 30;

pub mod topic {
    use uuid::Uuid;

    pub fn channel(id: Uuid) -> String {
        format!("channel:{id}")
    }

    pub fn community(id: Uuid) -> String {
        format!("community:{id}")
    }

    pub fn user(id: Uuid) -> String {
        format!("user:{id}")
    }
}

/// Which readers an event is for, by the language they read: one bit per language of
/// [`LANGUAGES`] (the high bit: any other). A translation concerns only the readers of its
/// language; sending every translation to every tab was most of a translated room's traffic.
/// The filter runs where the event meets a tab, in the same topic as the message itself, so
/// a translation never overtakes the message it translates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Readers(u8);

impl Readers {
    pub const ALL: Readers = Readers(u8::MAX);

    fn bit(language: &str) -> u8 {
        LANGUAGES.iter().position(|l| *l == language).map_or(0x80, |i| 1 << i)
    }

    /// The readers of one language.
    pub fn of(language: &str) -> Readers {
        Readers(Self::bit(language))
    }

    /// These readers, except those of `language`.
    pub fn without(self, language: &str) -> Readers {
        Readers(self.0 & !Self::bit(language))
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    fn include(self, language: &str) -> bool {
        self.0 & Self::bit(language) != 0
    }
}

/// The broker payload for an event: actor id, readers, then JSON.
pub fn envelope(actor: Option<Uuid>, readers: Readers, event: &ServerEvent) -> Bytes {
    let mut payload = Vec::with_capacity(256);
    payload.extend_from_slice(actor.unwrap_or(Uuid::nil()).as_bytes());
    payload.push(readers.0);
    serde_json::to_writer(&mut payload, event).expect("events serialise");
    Bytes::from(payload)
}

/// Splits an envelope without copying: (actor, readers, JSON).
fn open(envelope: &Bytes) -> Option<(Uuid, Readers, Bytes)> {
    let actor = Uuid::from_slice(envelope.get(..16)?).ok()?;
    let readers = Readers(*envelope.get(16)?);
    Some((actor, readers, envelope.slice(17..)))
}

/// Publishes an event once for every subscriber on every instance. A broker failure is logged:
/// the change is already stored, and tabs catch up when they resubscribe.
pub async fn publish(state: &AppState, topic: &str, actor: Option<Uuid>, event: &ServerEvent) {
    publish_to(state, topic, actor, Readers::ALL, event).await
}

/// Publishes an event for the readers of some languages only.
pub async fn publish_to(state: &AppState, topic: &str, actor: Option<Uuid>, readers: Readers, event: &ServerEvent) {
    let payload = envelope(actor, readers, event);
    // A new message carries its channel's number: every instance delivers them in that order,
    // whichever instance stored and published each.
    let published = match event {
        ServerEvent::MessageCreated { message, .. } if topic.starts_with("channel:") => {
            state.broker.publish_in_order(topic, message.seq, payload).await
        }
        _ => state.broker.publish(topic, payload).await,
    };
    if let Err(err) = published {
        tracing::warn!(error = %err, topic, "could not publish an event");
    }
}

fn frame(event: &ServerEvent) -> Bytes {
    Bytes::from(serde_json::to_vec(event).expect("events serialise"))
}

/// Opens a connection for a signed-in person: the stream of frames for the tab. The
/// connection runs inside that stream — whoever polls it for frames also reads the tab's input
/// and the broker — so one task per tab does all the work. It ends when the tab's input ends.
pub fn connect<S>(state: AppState, user: users::Model, input: S) -> Frames
where
    S: Stream<Item = Result<ClientEvent, AppError>> + Send + Unpin + 'static,
{
    let (out, queued) = mpsc::channel(OUTBOX);
    let driver = async move {
        let mut connection = Connection::new(state, user, out);
        if let Err(err) = connection.run(input).await {
            tracing::debug!(error = %err, "realtime connection ended with an error");
        }
    };
    Frames { driver: Some(Box::pin(driver)), queued }
}

/// The frames of one connection, each carrying one event or, when several are waiting, several
/// (one JSON per line: a busy room costs one websocket message and one write per batch rather
/// than per event).
pub struct Frames {
    driver: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
    queued: mpsc::Receiver<Bytes>,
}

impl Frames {
    fn batch(&mut self, first: Bytes) -> Bytes {
        let Ok(second) = self.queued.try_recv() else { return first };
        let mut batch = BytesMut::with_capacity(2 * (first.len() + second.len() + 1));
        batch.extend_from_slice(&first);
        batch.put_u8(b'\n');
        batch.extend_from_slice(&second);
        while batch.len() < BATCH_BYTES {
            let Ok(next) = self.queued.try_recv() else { break };
            batch.put_u8(b'\n');
            batch.extend_from_slice(&next);
        }
        batch.freeze()
    }
}

impl Stream for Frames {
    type Item = Bytes;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        let this = &mut *self;
        if let Poll::Ready(frame) = this.queued.poll_recv(cx) {
            return Poll::Ready(frame.map(|first| this.batch(first)));
        }
        // Nothing queued: let the connection work (it may queue frames, or finish).
        if let Some(driver) = this.driver.as_mut() {
            if driver.as_mut().poll(cx).is_ready() {
                this.driver = None;
            }
        }
        this.queued.poll_recv(cx).map(|frame| frame.map(|first| this.batch(first)))
    }
}

/// One subscribed channel.
struct Watched {
    community: Uuid,
    may_post: bool,
}

struct Connection {
    state: AppState,
    user: users::Model,
    id: Uuid,
    out: mpsc::Sender<Bytes>,
    blocked: HashSet<Uuid>,
    topics: StreamMap<String, BroadcastStream<Bytes>>,
    channels: HashMap<Uuid, Watched>,
}

/// The tab went away; stop.
#[derive(Debug, thiserror::Error)]
#[error("the tab closed")]
struct Closed;

impl Connection {
    fn new(state: AppState, user: users::Model, out: mpsc::Sender<Bytes>) -> Connection {
        Connection {
            state,
            user,
            id: Uuid::now_v7(),
            out,
            blocked: HashSet::new(),
            topics: StreamMap::new(),
            channels: HashMap::new(),
        }
    }

    async fn send(&self, event: &ServerEvent) -> Result<(), Closed> {
        self.out.send(frame(event)).await.map_err(|_| Closed)
    }

    async fn run<S>(&mut self, mut input: S) -> Result<(), Box<dyn std::error::Error + Send + Sync>>
    where
        S: Stream<Item = Result<ClientEvent, AppError>> + Send + Unpin,
    {
        // Database work is boxed: its futures are large, and an idle connection should not
        // carry their space while it waits (the connection is one long-lived future per tab).
        self.blocked = Box::pin(repo::blocked_by(&self.state.db, self.user.id)).await?.into_iter().collect();
        self.watch(topic::user(self.user.id));
        Box::pin(self.come_online()).await?;
        self.send(&ServerEvent::Ready { user_id: self.user.id.to_string() }).await?;
        loop {
            tokio::select! {
                event = input.next() => match event {
                    None => return Ok(()),
                    Some(Ok(event)) => Box::pin(self.handle(event)).await?,
                    Some(Err(error)) => {
                        self.send(&ServerEvent::Error { nonce: None, error: unreadable(error) }).await?
                    }
                },
                Some((topic, item)) = self.topics.next() => match item {
                    Ok(envelope) if !broker::is_gap(&envelope) => self.forward(envelope).await?,
                    // Events may be missing: this tab fell behind, or the instance lost Redis.
                    gap => {
                        tracing::debug!(?gap, topic, "events may be missing; asking the tab to resync");
                        if let Some(channel_id) = topic.strip_prefix("channel:") {
                            self.send(&ServerEvent::Resync { channel_id: channel_id.into() }).await?;
                        }
                    }
                },
            }
        }
    }

    async fn forward(&self, envelope: Bytes) -> Result<(), Closed> {
        let Some((actor, readers, json)) = open(&envelope) else { return Ok(()) };
        if self.blocked.contains(&actor) || !readers.include(&self.user.preferred_language) {
            return Ok(());
        }
        self.out.send(json).await.map_err(|_| Closed)
    }

    fn watch(&mut self, topic: String) {
        if !self.topics.contains_key(&topic) {
            let subscription = self.state.broker.subscribe(&topic);
            self.topics.insert(topic, BroadcastStream::new(subscription));
        }
    }

    /// Reports a failed request to this tab alone.
    async fn refuse(&self, nonce: Option<String>, error: AppError) -> Result<(), Closed> {
        self.send(&ServerEvent::Error { nonce, error }).await
    }

    async fn handle(&mut self, event: ClientEvent) -> Result<(), Closed> {
        let state = self.state.clone();
        let me = self.user.id;
        let outcome = match event {
            ClientEvent::Subscribe { channel_id, after_seq } => {
                return self.subscribe(&channel_id, after_seq).await
            }
            ClientEvent::Unsubscribe { channel_id } => {
                self.unsubscribe(&channel_id);
                Ok(())
            }
            ClientEvent::Send { channel_id, nonce, body, reply_to } => {
                match service::send(&state, &self.user, &channel_id, Some(nonce.clone()), &body, reply_to.as_deref())
                    .await
                {
                    Ok(service::Sent::Message(_)) => Ok(()),
                    Ok(service::Sent::Reply(text)) => {
                        let reply = ServerEvent::CommandReply { channel_id, text, nonce: Some(nonce) };
                        return self.send(&reply).await;
                    }
                    Err(error) => return self.refuse(Some(nonce), error).await,
                }
            }
            ClientEvent::Edit { message_id, body } => {
                service::edit(&state, me, &message_id, &body).await.map(drop)
            }
            ClientEvent::Delete { message_id } => service::delete(&state, me, &message_id).await,
            ClientEvent::React { message_id, emoji, on } => {
                service::react(&state, me, &message_id, &emoji, on).await.map(drop)
            }
            ClientEvent::Pin { message_id, pinned } => {
                service::pin(&state, me, &message_id, pinned).await.map(drop)
            }
            ClientEvent::Typing { channel_id, typing } => {
                self.typing(&channel_id, typing).await;
                Ok(())
            }
            ClientEvent::Read { channel_id, seq } => {
                service::mark_read(&state, me, &channel_id, seq).await
            }
        };
        match outcome {
            Ok(()) => Ok(()),
            Err(error) => self.refuse(None, error).await,
        }
    }

    async fn subscribe(&mut self, channel_id: &str, after_seq: Option<i64>) -> Result<(), Closed> {
        let access = match service::channel_access(&self.state, Some(self.user.id), channel_id).await {
            Ok(access) => access,
            Err(error) => return self.refuse(None, error).await,
        };
        // Listen first, then read the database: a message stored in between arrives twice
        // (replayed and live) rather than not at all; tabs drop the duplicate by its number.
        self.watch(topic::channel(access.channel.id));
        self.watch(topic::community(access.community.id));
        self.channels.insert(
            access.channel.id,
            Watched {
                community: access.community.id,
                may_post: matches!(access.standing, Standing::Member { .. }),
            },
        );
        match repo::blocked_by(&self.state.db, self.user.id).await {
            Ok(blocked) => self.blocked = blocked.into_iter().collect(),
            Err(err) => tracing::warn!(error = %err, "could not refresh blocks"),
        }
        if let Some(after) = after_seq {
            match service::replay(&self.state, self.user.id, channel_id, after).await {
                Ok((_, messages)) => {
                    self.send(&ServerEvent::Replay { channel_id: channel_id.into(), messages })
                        .await?
                }
                Err(error) => return self.refuse(None, error).await,
            }
        }
        let last_seq = communities::channel_by_id(&self.state.db, access.channel.id)
            .await
            .ok()
            .flatten()
            .map_or(access.channel.last_seq, |c| c.last_seq);
        self.send(&ServerEvent::Subscribed { channel_id: channel_id.into(), last_seq })
            .await
    }

    fn unsubscribe(&mut self, channel_id: &str) {
        let Ok(id) = Uuid::parse_str(channel_id) else { return };
        let Some(watched) = self.channels.remove(&id) else { return };
        self.topics.remove(&topic::channel(id));
        if !self.channels.values().any(|w| w.community == watched.community) {
            self.topics.remove(&topic::community(watched.community));
        }
    }

    async fn typing(&self, channel_id: &str, typing: bool) {
        let Ok(id) = Uuid::parse_str(channel_id) else { return };
        // Only in a channel this tab watches and may post in: no database work per keystroke.
        if !self.channels.get(&id).is_some_and(|w| w.may_post) {
            return;
        }
        let event = ServerEvent::Typing {
            channel_id: channel_id.into(),
            user: community::author(&self.user),
            typing,
        };
        publish(&self.state, &topic::channel(id), Some(self.user.id), &event).await;
    }

    /// Records the connection; the first one of a person announces them online.
    async fn come_online(&self) -> Result<(), AppError> {
        let now = Utc::now();
        connections::Entity::insert(connections::ActiveModel {
            id: Set(self.id),
            user_id: Set(self.user.id),
            instance_id: Set(self.state.instance_id),
            connected_at: Set(now),
            seen_at: Set(now),
        })
        .exec(&self.state.db)
        .await?;
        let others = connections::Entity::find()
            .filter(connections::Column::UserId.eq(self.user.id))
            .filter(connections::Column::Id.ne(self.id))
            .filter(connections::Column::SeenAt.gt(now - chrono::Duration::seconds(communities::PRESENCE_STALE_SECS)))
            .all(&self.state.db)
            .await?;
        // This connection's own row counts as online already; only the first one announces.
        if others.is_empty() {
            self.announce(true).await?;
        }
        Ok(())
    }

    async fn announce(&self, online: bool) -> Result<(), AppError> {
        announce(&self.state, self.user.id, online).await
    }
}

/// However the connection ends — the tab closed, the socket broke, the server stops — its row
/// goes and, if it was the person's last, they are announced offline.
impl Drop for Connection {
    fn drop(&mut self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        runtime.spawn(forget(self.state.clone(), self.id, self.user.id));
    }
}

async fn announce(state: &AppState, user: Uuid, online: bool) -> Result<(), AppError> {
    for community in communities::communities_of(&state.db, user).await? {
        let event = ServerEvent::Presence {
            community_id: community.id.to_string(),
            user_id: user.to_string(),
            online,
        };
        publish(state, &topic::community(community.id), Some(user), &event).await;
    }
    Ok(())
}

/// Forgets a closed connection; the last one of a person announces them offline.
async fn forget(state: AppState, connection: Uuid, user: Uuid) {
    let result: Result<(), AppError> = async {
        connections::Entity::delete_by_id(connection).exec(&state.db).await?;
        let still = communities::online_among(&state.db, vec![user], Utc::now()).await?;
        if still.is_empty() {
            announce(&state, user, false).await?;
        }
        Ok(())
    }
    .await;
    if let Err(err) = result {
        tracing::warn!(error = %err, "could not record a closed connection");
    }
}

/// An event the server could not read becomes an error the tab can show.
fn unreadable(error: AppError) -> AppError {
    match error {
        AppError::Transport(detail) => {
            AppError::Validation(format!("The server could not read that request: {detail}"))
        }
        other => other,
    }
}

/// Keeps this instance's connections fresh, so other instances count them as online; a crashed
/// instance's rows go stale and stop counting. Runs for the life of the server.
pub async fn heartbeat(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(HEARTBEAT_SECS));
    loop {
        tick.tick().await;
        let now = Utc::now();
        let refreshed = connections::Entity::update_many()
            .col_expr(connections::Column::SeenAt, sea_orm::sea_query::Expr::value(now))
            .filter(connections::Column::InstanceId.eq(state.instance_id))
            .exec(&state.db)
            .await;
        let cleared = connections::Entity::delete_many()
            .filter(connections::Column::SeenAt.lt(now - chrono::Duration::hours(1)))
            .exec(&state.db)
            .await;
        if let Err(err) = refreshed.and(cleared) {
            tracing::warn!(error = %err, "presence heartbeat failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frames fed by a connection that queues `events`, then ends.
    fn frames_of(events: &'static [&'static str]) -> Frames {
        let (out, queued) = mpsc::channel(OUTBOX);
        let driver = async move {
            for event in events {
                out.send(Bytes::from_static(event.as_bytes())).await.unwrap();
            }
        };
        Frames { driver: Some(Box::pin(driver)), queued }
    }

    #[tokio::test]
    async fn waiting_events_go_out_together_one_per_line_and_the_stream_ends_with_the_connection() {
        let mut frames = frames_of(&[r#"{"n":1}"#, r#"{"n":2}"#, r#"{"n":3}"#]);
        let batch = frames.next().await.unwrap();
        assert_eq!(&batch[..], b"{\"n\":1}\n{\"n\":2}\n{\"n\":3}");
        assert_eq!(frames.next().await, None);
    }

    #[tokio::test]
    async fn a_lone_event_goes_out_as_it_is() {
        let mut frames = frames_of(&[r#"{"n":1}"#]);
        let frame = frames.next().await.unwrap();
        assert_eq!(&frame[..], b"{\"n\":1}");
        assert_eq!(frames.next().await, None);
    }

    #[test]
    fn an_envelope_carries_its_actor_and_readers_and_the_json_untouched() {
        let actor = Uuid::now_v7();
        let event = ServerEvent::Resync { channel_id: "c".into() };
        let readers = Readers::ALL.without("es").without("fr");
        let (opened_actor, opened_readers, json) = open(&envelope(Some(actor), readers, &event)).unwrap();
        assert_eq!(opened_actor, actor);
        assert_eq!(&json[..], &serde_json::to_vec(&event).unwrap()[..]);
        for (language, included) in [("en", true), ("tr", true), ("de", true), ("es", false), ("fr", false)] {
            assert_eq!(opened_readers.include(language), included, "{language}");
        }
        // A reader of a language outside the app's five gets what everyone gets, and no more.
        assert!(opened_readers.include("pt"));
        assert!(!Readers::of("en").include("pt"));
        assert!(Readers::of("en").without("en").is_empty());
    }
}
