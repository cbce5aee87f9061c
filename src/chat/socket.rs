//! The server side of the realtime channel: one task per open websocket.
//!
//! A tab subscribes to channels; each subscription is a topic of the realtime bus
//! (`platform::realtime`: `channel:<id>`), plus the channel's community (`community:<id>`:
//! presence, members, unread counts) and the person's own topic (`user:<id>`: mentions, alerts,
//! the assistant's answers). The connection drops events from people its reader blocked and
//! events for readers of other languages, and forwards the JSON of the rest as is.

use std::{
    collections::{HashMap, HashSet, VecDeque},
    future::Future,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
};

use bytes::{BufMut, Bytes, BytesMut};
use chrono::Utc;
use futures::{future::OptionFuture, stream::FuturesUnordered, Stream, StreamExt};
use tokio_stream::{wrappers::BroadcastStream, StreamMap};
use uuid::Uuid;

use super::{
    gateway::{Grants, Intents},
    repo,
    riders::{SocketRiders, Tab},
    service, writer, ClientEvent, MessageId, ServerEvent,
};
use crate::auth::UserId;
use crate::community::CommunityId;
use crate::{
    community::{permissions::Standing, repo as communities, ChannelId},
    entities::{connections, users},
    kit::{live::PRICES_WATCHED, sentences::says},
    platform::{
        broker,
        error::AppError,
        metrics::METRICS,
        realtime::{open, publish, topic, Control, Opened, Readers},
        state::{AppState, DrainGuard},
        woken::Woken,
    },
};

/// Frames queued for a tab before the connection stops reading the broker (and, if it stays
/// behind, is told to resync).
const OUTBOX: usize = 256;
/// A batch of frames stops growing past this size.
const BATCH_BYTES: usize = 32 * 1024;
/// How often an instance refreshes its connections' `seen_at` and sweeps crashed instances'.
const HEARTBEAT_SECS: u64 = 5;
/// Messages a tab may have on their way to the writer before the connection stops reading
/// it: enough to keep the writer's batches full, few enough that a flood waits at the tab.
const IN_FLIGHT: usize = 64;
/// How many of a person's recent sends the instance remembers to refuse a repeat.
const SENDS_KEPT: usize = 32;
/// How long a send is remembered: a tab sends again what was pending within its
/// reconnect backoff (30 s at most).
const RESEND_WINDOW: std::time::Duration = std::time::Duration::from_secs(120);

fn frame(event: &ServerEvent) -> Bytes {
    Bytes::from(serde_json::to_vec(event).expect("events serialise"))
}

/// Opens a connection for a signed-in person's session: the stream of frames for the tab. The
/// connection runs inside that stream — whoever polls it for frames also reads the tab's input
/// and the broker — so one task per tab does all the work. It ends when the tab's input ends,
/// when the session ends, or when the server stops (after draining, see [`Connection::run`]).
pub fn connect<S>(
    state: AppState,
    user: users::Model,
    session: Uuid,
    grants: Option<Grants>,
    input: S,
) -> Frames
where
    S: Stream<Item = Result<ClientEvent, AppError>> + Send + Unpin + 'static,
{
    let outbox = Arc::new(Outbox::default());
    let out = outbox.clone();
    let driver = async move {
        let mut connection = Connection::new(state, user, session, out);
        connection.grants = grants.map(Box::new);
        if let Err(err) = connection.run(input).await {
            tracing::debug!(error = %err, "realtime connection ended with an error");
        }
    };
    Frames {
        driver: Some(Box::pin(driver)),
        outbox,
        said_goodbye: false,
    }
}

/// The frames a connection has made for its tab and [`Frames`] has not sent yet.
///
/// The connection runs inside `Frames::poll_next`, which takes what the connection pushed
/// right after polling it; so, unlike a channel, pushing wakes nobody (a channel's wake-up of
/// its own task cost every delivery a second pass through the connection). A full outbox
/// leaves the connection pending with no waker: `Frames` then has a batch to return, and it
/// polls the connection again before it next waits.
#[derive(Default)]
struct Outbox(Mutex<VecDeque<Bytes>>);

impl Outbox {
    fn queue(&self) -> std::sync::MutexGuard<'_, VecDeque<Bytes>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues a frame, once there is room.
    async fn push(&self, frame: Bytes) {
        let mut frame = Some(frame);
        std::future::poll_fn(|_| {
            let mut queue = self.queue();
            if queue.len() >= OUTBOX {
                return Poll::Pending;
            }
            queue.extend(frame.take());
            Poll::Ready(())
        })
        .await;
        METRICS.delivered();
    }

    /// Everything waiting, as one frame (one JSON per line) up to [`BATCH_BYTES`].
    fn take_batch(&self) -> Option<Bytes> {
        let mut queue = self.queue();
        let first = queue.pop_front()?;
        let Some(second) = queue.pop_front() else {
            return Some(first);
        };
        let mut batch = BytesMut::with_capacity(2 * (first.len() + second.len() + 1));
        batch.extend_from_slice(&first);
        batch.put_u8(b'\n');
        batch.extend_from_slice(&second);
        while batch.len() < BATCH_BYTES {
            let Some(next) = queue.pop_front() else {
                break;
            };
            batch.put_u8(b'\n');
            batch.extend_from_slice(&next);
        }
        Some(batch.freeze())
    }
}

/// The frames of one connection, each carrying one event or, when several are waiting, several
/// (one JSON per line: a busy room costs one websocket message and one write per batch rather
/// than per event).
pub struct Frames {
    driver: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
    outbox: Arc<Outbox>,
    /// Whether the empty frame that ends the stream has gone out.
    said_goodbye: bool,
}

/// The last item of a connection's frames: empty, which no event is. The transport answers it
/// with a websocket Close, so a tab whose connection the server ended (a session signed out, a
/// drained shutdown) sees a clean close rather than a dropped line.
pub const GOODBYE: Bytes = Bytes::new();

impl Stream for Frames {
    type Item = Bytes;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        let this = &mut *self;
        // The connection works first, every time: it reads the tab's input and the broker until
        // it waits (its outbox full, or nothing to do), so a tab that receives a lot still gets
        // its own messages read, and what it receives goes out in fuller batches.
        if let Some(driver) = this.driver.as_mut() {
            if driver.as_mut().poll(cx).is_ready() {
                this.driver = None;
            }
        }
        if let Some(batch) = this.outbox.take_batch() {
            return Poll::Ready(Some(batch));
        }
        if this.driver.is_some() {
            // Waiting on its input, the broker or a timer, each of which wakes this task.
            return Poll::Pending;
        }
        // The connection is over and everything it queued is out.
        if this.said_goodbye {
            return Poll::Ready(None);
        }
        this.said_goodbye = true;
        Poll::Ready(Some(GOODBYE))
    }
}

/// The sockets open on this instance, by whose they are. One person, or one address without
/// an account, may hold only so many at once (`SOCKETS_PER_PERSON`, `GUEST_SOCKETS_PER_ADDRESS`):
/// each is a task and its subscriptions, and a script opening thousands would pin them all.
#[derive(Default)]
pub struct OpenSockets(Arc<Mutex<HashMap<SocketHolder, usize>>>);

/// Whose a socket is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SocketHolder {
    Person(Uuid),
    /// A guest's tab, by its client address.
    Guest(String),
}

/// One open socket's place among its holder's; dropping it (the socket closed) frees it.
pub struct HeldSocket {
    open: Arc<Mutex<HashMap<SocketHolder, usize>>>,
    holder: SocketHolder,
}

impl OpenSockets {
    /// A place for one more of `holder`'s sockets, or `None` when they already hold `limit`.
    pub fn hold(&self, holder: SocketHolder, limit: usize) -> Option<HeldSocket> {
        let mut open = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let held = open.entry(holder.clone()).or_default();
        if *held >= limit {
            return None;
        }
        *held += 1;
        Some(HeldSocket {
            open: self.0.clone(),
            holder,
        })
    }
}

impl Drop for HeldSocket {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(held) = open.get_mut(&self.holder) {
            *held -= 1;
            if *held == 0 {
                open.remove(&self.holder);
            }
        }
    }
}

/// Each person's latest sends over sockets on this instance, shared by all their connections.
/// A tab whose socket dropped before the confirmation came sends what was pending again on its
/// next socket; when the first copy was stored meanwhile (too late for the new socket's replay
/// to carry it), the repeat is the same message, not a second one. A send is known by all it
/// says ([`SendKey`]): a program that numbers its nonces afresh on each socket ("n1", "n2"…)
/// loses nothing it did not send twice.
#[derive(Default)]
pub struct RecentSends(Mutex<SentKeys>);

/// A send's fingerprint: its channel, nonce, body, reply and files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendKey(u64);

impl SendKey {
    pub fn of(
        channel_id: &str,
        nonce: &str,
        body: &str,
        reply_to: Option<&str>,
        attachments: &[String],
    ) -> SendKey {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (channel_id, nonce, body, reply_to, attachments).hash(&mut hasher);
        SendKey(hasher.finish())
    }
}

#[derive(Default)]
struct SentKeys {
    people: HashMap<Uuid, VecDeque<(SendKey, std::time::Instant)>>,
    swept: Option<std::time::Instant>,
}

impl RecentSends {
    /// Claims `send` for `person`; `false` when it is claimed already (the same message again,
    /// from this tab or after its reconnect).
    pub fn claim(&self, person: UserId, send: SendKey) -> bool {
        self.claim_at(person, send, std::time::Instant::now())
    }

    fn claim_at(&self, person: UserId, send: SendKey, now: std::time::Instant) -> bool {
        let mut sent = self.0.lock().unwrap_or_else(|p| p.into_inner());
        // Those who sent nothing for a while are forgotten, at most once a window.
        if sent.swept.is_none_or(|at| now - at >= RESEND_WINDOW) {
            sent.swept = Some(now);
            sent.people.retain(|_, sends| {
                sends.retain(|(_, at)| now - *at < RESEND_WINDOW);
                !sends.is_empty()
            });
        }
        let sends = sent.people.entry(person.0).or_default();
        sends.retain(|(_, at)| now - *at < RESEND_WINDOW);
        if sends.iter().any(|(kept, _)| *kept == send) {
            return false;
        }
        if sends.len() == SENDS_KEPT {
            sends.pop_front();
        }
        sends.push_back((send, now));
        true
    }

    /// Gives a claim back: that message was refused, and the tab may send it again.
    pub fn release(&self, person: UserId, send: SendKey) {
        let mut sent = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(sends) = sent.people.get_mut(&person.0) {
            sends.retain(|(kept, _)| *kept != send);
            if sends.is_empty() {
                sent.people.remove(&person.0);
            }
        }
    }
}

/// Keeps a price coming to a tab: market's live feed, given by the composition root (chat
/// knows no market). (state, a symbol as the tab wrote it) → the topic its changes are
/// published on, and what keeps them coming while held; `None` for what is not a symbol.
pub struct PriceWatch(pub PriceWatchFn);

pub type PriceWatchFn = fn(&AppState, &str) -> Option<(String, Box<dyn Send + Sync>)>;

/// The topics a connection listens to, each behind its own waker.
type Topics = StreamMap<String, Woken<BroadcastStream<Bytes>>>;

/// The prices a tab watches: topic → what keeps its changes coming.
type Prices = HashMap<String, Box<dyn Send + Sync>>;

/// Makes `symbols` the prices the tab watches: new ones start, the others stop.
fn watch_prices(
    state: &AppState,
    topics: &mut Topics,
    prices: &mut Prices,
    symbols: &[String],
) -> Result<(), AppError> {
    if symbols.len() > PRICES_WATCHED {
        return Err(AppError::Validation(says!(
            "server.market.too_many_prices",
            max = PRICES_WATCHED
        )));
    }
    let Some(PriceWatch(watch)) = state.services.get::<PriceWatch>() else {
        return Err(AppError::Unavailable);
    };
    // All or nothing: a refused list leaves the tab watching what it watched.
    let mut wanted = Prices::new();
    for symbol in symbols {
        let Some((topic, keep)) = watch(state, symbol) else {
            return Err(AppError::Validation(says!(
                "server.market.not_a_symbol",
                symbol = symbol.trim()
            )));
        };
        wanted.insert(topic, keep);
    }
    for gone in prices.keys().filter(|topic| !wanted.contains_key(*topic)) {
        topics.remove(gone);
    }
    for topic in wanted.keys() {
        if !topics.contains_key(topic) {
            let subscription = state.broker.subscribe(topic);
            topics.insert(
                topic.clone(),
                Woken::new(BroadcastStream::new(subscription)),
            );
        }
    }
    *prices = wanted;
    Ok(())
}

/// Crowds a tab may watch at once.
const CROWDS_WATCHED: usize = 5;

/// Makes `tickers` the crowds the tab watches (their topics in `crowds`).
fn watch_crowds(
    state: &AppState,
    topics: &mut Topics,
    crowds: &mut HashSet<String>,
    tickers: &[String],
) -> Result<(), AppError> {
    if tickers.len() > CROWDS_WATCHED {
        return Err(AppError::Validation(says!(
            "server.market.too_many_crowds",
            max = CROWDS_WATCHED
        )));
    }
    let mut wanted = HashSet::new();
    for ticker in tickers {
        let Some(symbol) = crate::kit::markdown::symbol_of(ticker) else {
            return Err(AppError::Validation(says!(
                "server.market.not_a_symbol",
                symbol = ticker.trim()
            )));
        };
        wanted.insert(topic::crowd(&super::crowd_ticker(&symbol)));
    }
    for gone in crowds.difference(&wanted) {
        topics.remove(gone);
    }
    for topic in wanted.difference(crowds) {
        let subscription = state.broker.subscribe(topic);
        topics.insert(
            topic.clone(),
            Woken::new(BroadcastStream::new(subscription)),
        );
    }
    *crowds = wanted;
    Ok(())
}

/// Opens a connection for a guest (a tab with no credentials): it may watch prices and crowds
/// and nothing else; anything else is answered with `unauthorized`.
pub fn connect_guest<S>(state: AppState, input: S) -> Frames
where
    S: Stream<Item = Result<ClientEvent, AppError>> + Send + Unpin + 'static,
{
    let outbox = Arc::new(Outbox::default());
    let out = outbox.clone();
    Frames {
        driver: Some(Box::pin(guest(state, input, out))),
        outbox,
        said_goodbye: false,
    }
}

async fn guest<S>(state: AppState, mut input: S, out: Arc<Outbox>)
where
    S: Stream<Item = Result<ClientEvent, AppError>> + Send + Unpin,
{
    let _draining = state.shutdown.hold();
    let mut topics = Topics::new();
    let mut prices = Prices::new();
    let mut crowds = HashSet::new();
    out.push(frame(&ServerEvent::Ready {
        user_id: String::new(),
        connection_id: Uuid::now_v7().to_string(),
    }))
    .await;
    let shutdown = state.shutdown.clone();
    let stopping = shutdown.wait();
    tokio::pin!(stopping);
    loop {
        tokio::select! {
            // A guest sends nothing that must be stored: stop at once.
            _ = &mut stopping => {
                out.push(frame(&ServerEvent::Closing)).await;
                return;
            }
            event = input.next() => {
                let refused = match event {
                    None => return,
                    Some(Ok(ClientEvent::WatchQuotes { symbols })) => {
                        watch_prices(&state, &mut topics, &mut prices, &symbols).err()
                    }
                    Some(Ok(ClientEvent::WatchCrowds { tickers })) => {
                        watch_crowds(&state, &mut topics, &mut crowds, &tickers).err()
                    }
                    Some(Ok(_)) => Some(AppError::Unauthorized),
                    Some(Err(error)) => Some(unreadable(error)),
                };
                if let Some(error) = refused {
                    out.push(frame(&ServerEvent::Error { nonce: None, error })).await;
                }
            }
            Some((_, Ok(envelope))) = topics.next() => {
                if let Some(Opened::One { json, .. }) = open(&envelope) {
                    out.push(json).await;
                }
            }
        }
    }
}

/// One subscribed channel.
struct Watched {
    /// The person's access as of the last access change: what sending checks, with no query.
    access: service::ChannelAccess,
    community: Uuid,
    /// Subscribed as a member: losing the membership ends the subscription, even where a guest
    /// could read (the tab may subscribe again, as a guest).
    member: bool,
}

struct Connection {
    state: AppState,
    user: users::Model,
    /// The sign-in session the socket was opened with; it closes when that session ends.
    session: Uuid,
    /// A bot's gateway connection: what its token may do and which events it wants. None for
    /// a person's tab, which may do everything its person may and hears everything.
    grants: Option<Box<Grants>>,
    id: Uuid,
    out: Arc<Outbox>,
    /// The reader's language, as the `Readers` of events name it.
    reader: Readers,
    blocked: HashSet<Uuid>,
    /// The person's own topic, read before the others: an access change published there is
    /// applied before any channel event published after it is forwarded.
    personal: Woken<BroadcastStream<Bytes>>,
    /// Each behind its own waker: a wake-up for one topic polls that topic alone.
    topics: Topics,
    /// The prices the tab shows.
    prices: Prices,
    /// The topics of the crowds the tab shows.
    crowds: HashSet<String>,
    channels: HashMap<Uuid, Watched>,
    /// Messages sent from this tab that the writer has not stored yet: (nonce, receipt).
    sending: FuturesUnordered<Confirmation>,
    /// Held while the connection lives, so that a stopping server waits for it to drain.
    _draining: DrainGuard,
}

/// The writer's answer for a message sent from this tab, with the tab's nonce for it.
struct Confirmation {
    nonce: String,
    key: SendKey,
    receipt: writer::Receipt,
}

impl Future for Confirmation {
    type Output = (String, SendKey, Result<writer::Stored, AppError>);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        Pin::new(&mut this.receipt)
            .poll(cx)
            .map(|stored| (std::mem::take(&mut this.nonce), this.key, stored))
    }
}

/// The tab went away, or the connection must end; stop.
#[derive(Debug, thiserror::Error)]
#[error("the connection ended")]
struct Closed;

/// How long a stopping server keeps reading a socket after asking the tab to close it: what
/// the tab sent before it heard `closing` is stored and confirmed in that time.
pub const DRAIN_SECS: u64 = 5;

impl Connection {
    fn new(state: AppState, user: users::Model, session: Uuid, out: Arc<Outbox>) -> Connection {
        let personal = Woken::new(BroadcastStream::new(
            state.broker.subscribe_personal(&topic::user(user.id)),
        ));
        let draining = state.shutdown.hold();
        let reader = Readers::of(&user.preferred_language);
        METRICS.connection(true);
        Connection {
            state,
            user,
            session,
            grants: None,
            id: Uuid::now_v7(),
            out,
            reader,
            blocked: HashSet::new(),
            personal,
            topics: StreamMap::new(),
            prices: Prices::new(),
            crowds: HashSet::new(),
            channels: HashMap::new(),
            sending: FuturesUnordered::new(),
            _draining: draining,
        }
    }

    async fn send(&self, event: &ServerEvent) -> Result<(), Closed> {
        // Never refused: the outbox lives as long as the connection. The result keeps the
        // connection's `?` chains, where `Closed` comes from the session ending.
        self.out.push(frame(event)).await;
        Ok(())
    }

    async fn run<S>(&mut self, input: S) -> Result<(), Box<dyn std::error::Error + Send + Sync>>
    where
        S: Stream<Item = Result<ClientEvent, AppError>> + Send + Unpin,
    {
        // Database work is boxed: its futures are large, and an idle connection should not
        // carry their space while it waits (the connection is one long-lived future per tab).
        self.blocked = Box::pin(repo::blocked_by(&self.state.db, self.user.id))
            .await?
            .into_iter()
            .collect();
        Box::pin(self.come_online()).await?;
        self.send(&ServerEvent::Ready {
            user_id: self.user.id.to_string(),
            connection_id: self.id.to_string(),
        })
        .await?;
        // What the task waits on, each polled only when it woke the task (`platform::woken`):
        // the socket's reader zero-fills its buffer on every poll, and the stop signal's lock is
        // shared by every connection of the instance.
        let mut input = Woken::new(input);
        let shutdown = self.state.shutdown.clone();
        let mut stopping = Woken::new(futures::stream::once(Box::pin(async move {
            shutdown.wait().await
        })));
        // Set once the server is stopping: the tab was told to close; read it until then.
        let mut drain_until: Option<tokio::time::Instant> = None;
        loop {
            tokio::select! {
                biased;
                item = self.personal.next() => match item {
                    Some(Ok(envelope)) if !broker::is_gap(&envelope) => Box::pin(self.forward(envelope)).await?,
                    // Fell behind on its own topic, or Redis was lost: an access change may be
                    // among the missed; check everything again.
                    Some(_) => Box::pin(self.recheck(None, None)).await?,
                    None => return Ok(()),
                },
                _ = stopping.next(), if drain_until.is_none() => {
                    self.send(&ServerEvent::Closing).await?;
                    drain_until = Some(tokio::time::Instant::now() + std::time::Duration::from_secs(DRAIN_SECS));
                }
                _ = OptionFuture::from(drain_until.map(tokio::time::sleep_until)), if drain_until.is_some() => {
                    return Box::pin(self.linger()).await.map_err(Into::into)
                }
                Some((nonce, key, sent)) = self.sending.next(), if !self.sending.is_empty() => match sent {
                    // The broadcast confirms it.
                    Ok(stored) if stored.published => {}
                    // Stored, but the broker failed before it went out: the sender hears of it
                    // here (the other readers when they resync).
                    Ok(stored) => {
                        self.send(&ServerEvent::MessageCreated { message: stored.message, nonce: Some(nonce) }).await?
                    }
                    Err(error) => {
                        self.state.service::<RecentSends>().release(UserId(self.user.id), key);
                        self.refuse(Some(nonce), error).await?
                    }
                },
                event = input.next(), if self.sending.len() < IN_FLIGHT => match event {
                    // The tab closed its side. While draining, what it sent is stored but the
                    // confirmations may still be on their way back through the broker.
                    None if drain_until.is_some() => return Box::pin(self.linger()).await.map_err(Into::into),
                    None => return Ok(()),
                    Some(Ok(event)) => Box::pin(self.handle(event)).await?,
                    Some(Err(error)) => {
                        self.send(&ServerEvent::Error { nonce: None, error: unreadable(error) }).await?
                    }
                },
                Some((topic, item)) = self.topics.next() => match item {
                    Ok(envelope) if !broker::is_gap(&envelope) => Box::pin(self.forward(envelope)).await?,
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

    /// Forwards what the broker still brings (the confirmations of the last messages) until it
    /// has been quiet for a moment, at most `DRAIN_SECS`.
    async fn linger(&mut self) -> Result<(), Closed> {
        const QUIET: std::time::Duration = std::time::Duration::from_millis(300);
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(DRAIN_SECS);
        while tokio::time::Instant::now() < deadline {
            match tokio::time::timeout(QUIET, self.topics.next()).await {
                Ok(Some((_, Ok(envelope)))) if !broker::is_gap(&envelope) => {
                    self.forward(envelope).await?
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => return Ok(()),
            }
        }
        Ok(())
    }

    async fn forward(&mut self, envelope: Bytes) -> Result<(), Closed> {
        let (actor, readers, json) = match open(&envelope) {
            Some(Opened::One {
                actor,
                readers,
                json,
            }) => (actor, readers, json),
            Some(Opened::Many(bundle)) => {
                let reader = self.reader;
                let blocks = !self.blocked.is_empty();
                let intents = self.intents();
                let lines = bundle.lines_for(|actor, readers, line| {
                    !(blocks && self.blocked.contains(&actor))
                        && readers.includes(reader)
                        && intents.wants(line)
                });
                return match lines {
                    Some(lines) => {
                        self.out.push(lines).await;
                        Ok(())
                    }
                    None => Ok(()),
                };
            }
            None => return Ok(()),
        };
        if readers == Readers::CONNECTIONS {
            return match serde_json::from_slice::<Control>(&json) {
                Ok(control) => self.apply(control).await,
                Err(err) => {
                    tracing::warn!(error = %err, "unreadable access change");
                    Ok(())
                }
            };
        }
        if self.blocked.contains(&actor)
            || !readers.includes(self.reader)
            || !self.intents().wants(&json)
        {
            return Ok(());
        }
        self.out.push(json).await;
        Ok(())
    }

    async fn apply(&mut self, control: Control) -> Result<(), Closed> {
        match control {
            Control::Standing { community } => {
                self.recheck(Some(CommunityId(community)), None).await
            }
            Control::Channel { channel } => self.recheck(None, Some(ChannelId(channel))).await,
            Control::Blocks => {
                self.refresh_blocks().await;
                self.recheck(None, None).await
            }
            ended @ Control::SessionsEnded { .. } => {
                if ended.ends(self.session) {
                    self.send(&ServerEvent::SessionEnded).await?;
                    return Err(Closed);
                }
                Ok(())
            }
        }
    }

    /// Checks again whether this person may read (and post in) the watched channels — those of
    /// one community, or one channel, or all — and ends the subscriptions they lost.
    async fn recheck(
        &mut self,
        community: Option<CommunityId>,
        channel: Option<ChannelId>,
    ) -> Result<(), Closed> {
        let concerned: Vec<Uuid> = self
            .channels
            .iter()
            .filter(|(id, watched)| {
                community.is_none_or(|c| c == CommunityId(watched.community))
                    && channel.is_none_or(|c| c == ChannelId(**id))
            })
            .map(|(id, _)| *id)
            .collect();
        for id in concerned {
            let was_member = self.channels.get(&id).is_some_and(|w| w.member);
            let lost = match service::channel_access(
                &self.state,
                Some(UserId(self.user.id)),
                ChannelId(id),
            )
            .await
            {
                Ok(access) if access.channel.archived_at.is_some() => {
                    Some(says!("server.chat.archived"))
                }
                Ok(access) if was_member && !matches!(access.standing, Standing::Member { .. }) => {
                    Some(says!("server.community.no_longer_member"))
                }
                Ok(access) => {
                    if let Some(watched) = self.channels.get_mut(&id) {
                        watched.access = access;
                    }
                    None
                }
                Err(AppError::Denied(why) | AppError::NotFound(why)) => Some(why),
                // The database did not answer: the safe side is to stop the feed too; the tab
                // can subscribe again, which checks afresh.
                Err(error) => {
                    tracing::warn!(error = %error, "could not recheck access; ending the subscription");
                    self.unsubscribe(&id.to_string());
                    self.send(&ServerEvent::Resync {
                        channel_id: id.to_string(),
                    })
                    .await?;
                    None
                }
            };
            if let Some(reason) = lost {
                self.unsubscribe(&id.to_string());
                self.send(&ServerEvent::AccessLost {
                    channel_id: id.to_string(),
                    reason,
                })
                .await?;
            }
        }
        // What rides on the socket (a call) ends where the person may no longer be.
        let tab = Tab {
            connection: self.id,
            user: &self.user,
        };
        let ended = self
            .state
            .service::<SocketRiders>()
            .recheck(&self.state, &tab)
            .await;
        for event in ended {
            self.send(&event).await?;
        }
        Ok(())
    }

    /// Reads again whom this person blocked (whose events this connection drops).
    async fn refresh_blocks(&mut self) {
        match repo::blocked_by(&self.state.db, self.user.id).await {
            Ok(blocked) => self.blocked = blocked.into_iter().collect(),
            Err(err) => tracing::warn!(error = %err, "could not refresh blocks"),
        }
    }

    fn watch(&mut self, topic: String) {
        if !self.topics.contains_key(&topic) {
            let subscription = self.state.broker.subscribe(&topic);
            self.topics
                .insert(topic, Woken::new(BroadcastStream::new(subscription)));
        }
    }

    /// Reports a failed request to this tab alone.
    async fn refuse(&self, nonce: Option<String>, error: AppError) -> Result<(), Closed> {
        self.send(&ServerEvent::Error { nonce, error }).await
    }

    /// The kinds of events this connection forwards: every kind for a tab.
    fn intents(&self) -> Intents {
        self.grants.as_ref().map_or(Intents::EVERY, |g| g.intents)
    }

    async fn handle(&mut self, event: ClientEvent) -> Result<(), Closed> {
        if let Some(grants) = &self.grants {
            if let Err(refused) = grants.allows(&event) {
                let nonce = match &event {
                    ClientEvent::Send { nonce, .. } => Some(nonce.clone()),
                    _ => None,
                };
                return self.refuse(nonce, refused).await;
            }
        }
        let state = self.state.clone();
        let me = self.user.id;
        let outcome = match event {
            ClientEvent::Subscribe {
                channel_id,
                after_seq,
            } => return self.subscribe(&channel_id, after_seq).await,
            ClientEvent::Unsubscribe { channel_id } => {
                self.unsubscribe(&channel_id);
                Ok(())
            }
            ClientEvent::Send {
                channel_id,
                nonce,
                body,
                reply_to,
                attachments,
            } => {
                let sends = state.service::<RecentSends>();
                let key = SendKey::of(
                    &channel_id,
                    &nonce,
                    &body,
                    reply_to.as_deref(),
                    &attachments,
                );
                if !sends.claim(UserId(me), key) {
                    // Sent once already: that copy's confirmation, or its broadcast to the
                    // channel, settles the tab's pending entry.
                    return Ok(());
                }
                let sending = async {
                    let channel = ChannelId::parse(&channel_id)?;
                    let draft = service::Draft {
                        nonce: Some(&nonce),
                        body: &body,
                        reply_to: reply_to.as_deref(),
                        attachments: &attachments,
                    };
                    match self.channels.get(&channel.0) {
                        // Watched: the access this connection keeps current.
                        Some(watched) => {
                            service::send_with(&state, &self.user, &watched.access, draft).await
                        }
                        None => {
                            let access =
                                service::channel_access(&state, Some(UserId(me)), channel).await?;
                            service::send_with(&state, &self.user, &access, draft).await
                        }
                    }
                }
                .await;
                match sending {
                    // The broadcast confirms it; only a refusal comes back this way.
                    Ok(service::Sending::Stored(receipt)) => {
                        self.sending.push(Confirmation {
                            nonce,
                            key,
                            receipt,
                        });
                        Ok(())
                    }
                    // A command's answer is no message: the same command may be run again.
                    Ok(service::Sending::Reply(lines)) => {
                        sends.release(UserId(me), key);
                        let reply = ServerEvent::CommandReply {
                            channel_id,
                            lines,
                            nonce: Some(nonce),
                        };
                        return self.send(&reply).await;
                    }
                    Err(error) => {
                        sends.release(UserId(me), key);
                        return self.refuse(Some(nonce), error).await;
                    }
                }
            }
            ClientEvent::Edit { message_id, body } => async {
                service::edit(&state, UserId(me), MessageId::parse(&message_id)?, &body).await
            }
            .await
            .map(drop),
            ClientEvent::Delete { message_id } => {
                async { service::delete(&state, UserId(me), MessageId::parse(&message_id)?).await }
                    .await
            }
            ClientEvent::React {
                message_id,
                emoji,
                on,
            } => async {
                service::react(
                    &state,
                    UserId(me),
                    MessageId::parse(&message_id)?,
                    &emoji,
                    on,
                )
                .await
            }
            .await
            .map(drop),
            ClientEvent::Pin { message_id, pinned } => async {
                service::pin(&state, UserId(me), MessageId::parse(&message_id)?, pinned).await
            }
            .await
            .map(drop),
            ClientEvent::Typing { channel_id, typing } => {
                self.typing(&channel_id, typing).await;
                Ok(())
            }
            ClientEvent::Read { channel_id, seq } => {
                async {
                    service::mark_read(&state, UserId(me), ChannelId::parse(&channel_id)?, seq)
                        .await
                }
                .await
            }
            ClientEvent::WatchQuotes { symbols } => {
                watch_prices(&state, &mut self.topics, &mut self.prices, &symbols)
            }
            ClientEvent::WatchCrowds { tickers } => {
                watch_crowds(&state, &mut self.topics, &mut self.crowds, &tickers)
            }
            // The rest is the riders' (a call's requests).
            other => {
                let tab = Tab {
                    connection: self.id,
                    user: &self.user,
                };
                let riders = state.service::<SocketRiders>();
                riders.request(&state, &tab, &other).await
            }
        };
        match outcome {
            Ok(()) => Ok(()),
            Err(error) => self.refuse(None, error).await,
        }
    }

    async fn subscribe(&mut self, channel_id: &str, after_seq: Option<i64>) -> Result<(), Closed> {
        let access = async {
            let id = ChannelId::parse(channel_id)?;
            service::channel_access(&self.state, Some(UserId(self.user.id)), id).await
        }
        .await;
        let access = match access {
            Ok(access) => access,
            Err(error) => return self.refuse(None, error).await,
        };
        // Listen first, then read the database: a message stored in between arrives twice
        // (replayed and live) rather than not at all; tabs drop the duplicate by its number.
        self.watch(topic::channel(access.channel.id));
        self.watch(topic::community(access.community.id));
        let channel_row_seq = access.channel.last_seq;
        let channel = access.channel.id;
        self.channels.insert(
            channel,
            Watched {
                community: access.community.id,
                member: matches!(access.standing, Standing::Member { .. }),
                access,
            },
        );
        self.refresh_blocks().await;
        if let Some(after) = after_seq {
            let channel = ChannelId(channel);
            match service::replay(&self.state, UserId(self.user.id), channel, after).await {
                Ok((_, messages)) => {
                    self.send(&ServerEvent::Replay {
                        channel_id: channel_id.into(),
                        messages,
                    })
                    .await?
                }
                Err(error) => return self.refuse(None, error).await,
            }
        }
        let last_seq = communities::channel_by_id(&self.state.db, channel)
            .await
            .ok()
            .flatten()
            .map_or(channel_row_seq, |c| c.last_seq);
        self.send(&ServerEvent::Subscribed {
            channel_id: channel_id.into(),
            last_seq,
        })
        .await
    }

    fn unsubscribe(&mut self, channel_id: &str) {
        let Some(ChannelId(id)) = ChannelId::read(channel_id) else {
            return;
        };
        let Some(watched) = self.channels.remove(&id) else {
            return;
        };
        self.topics.remove(&topic::channel(id));
        if !self
            .channels
            .values()
            .any(|w| w.community == watched.community)
        {
            self.topics.remove(&topic::community(watched.community));
        }
    }

    async fn typing(&self, channel_id: &str, typing: bool) {
        let Some(ChannelId(id)) = ChannelId::read(channel_id) else {
            return;
        };
        // Only in a channel this tab watches and may post in now, with no database work per
        // keystroke: the held access is kept current by access changes and judged at this
        // moment, so a timeout ends by itself.
        if self
            .channels
            .get(&id)
            .is_none_or(|w| service::may_post(&w.access).is_err())
        {
            return;
        }
        let event = ServerEvent::Typing {
            channel_id: channel_id.into(),
            user: crate::auth::Author::of(&self.user),
            typing,
        };
        publish(&self.state, &topic::channel(id), Some(self.user.id), &event).await;
    }

    /// Records the connection; the first one of a person announces them online.
    async fn come_online(&self) -> Result<(), AppError> {
        let now = Utc::now();
        repo::insert_connection(
            &self.state.db,
            connections::Model {
                id: self.id,
                user_id: self.user.id,
                instance_id: self.state.instance_id,
                connected_at: now,
                seen_at: now,
            },
        )
        .await?;
        let fresh = now - chrono::Duration::seconds(communities::PRESENCE_STALE_SECS);
        // This connection's own row counts as online already; only the first one announces.
        if !repo::has_other_connection(&self.state.db, self.user.id, self.id, fresh).await? {
            self.announce(true).await?;
        }
        Ok(())
    }

    async fn announce(&self, online: bool) -> Result<(), AppError> {
        announce(&self.state, UserId(self.user.id), online).await
    }
}

/// However the connection ends — the tab closed, the socket broke, the server stops — its row
/// goes and, if it was the person's last, they are announced offline.
impl Drop for Connection {
    fn drop(&mut self) {
        METRICS.connection(false);
        // A stopping server forgets all its connections at once, after the drain
        // (`leave_instance`); a task spawned now might not finish before the process exits.
        if self.state.shutdown.is_stopping() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(forget(self.state.clone(), self.id, UserId(self.user.id)));
    }
}

async fn announce(state: &AppState, user: UserId, online: bool) -> Result<(), AppError> {
    for community in communities::spaces_of(&state.db, user.0).await? {
        let event = ServerEvent::Presence {
            community_id: community.id.to_string(),
            user_id: user.to_string(),
            online,
        };
        publish(state, &topic::community(community.id), Some(user.0), &event).await;
    }
    Ok(())
}

/// Forgets a closed connection; the last one of a person announces them offline.
async fn forget(state: AppState, connection: Uuid, user: UserId) {
    let result: Result<(), AppError> = async {
        // Off what rides on it first (a call; a failure there is logged and must not keep
        // the connection counted online).
        state
            .service::<SocketRiders>()
            .closed(&state, &[connection])
            .await;
        repo::delete_connection(&state.db, connection).await?;
        let still = communities::online_among(&state.db, vec![user.0], Utc::now()).await?;
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
            AppError::Validation(says!("server.chat.unreadable", detail = detail))
        }
        other => other,
    }
}

/// Keeps this instance's connections fresh, so other instances count them as online, and
/// sweeps the connections of instances that stopped refreshing theirs (crashed): their people
/// are announced offline within `PRESENCE_STALE_SECS` plus one beat. Runs for the life of the
/// server.
pub async fn heartbeat(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(HEARTBEAT_SECS));
    loop {
        tick.tick().await;
        let now = Utc::now();
        let refreshed = repo::refresh_connections(&state.db, state.instance_id, now).await;
        if let Err(err) = refreshed {
            tracing::warn!(error = %err, "presence heartbeat failed");
            continue;
        }
        let stale = now - chrono::Duration::seconds(communities::PRESENCE_STALE_SECS);
        let swept = repo::sweep_connections(&state.db, stale).await;
        match swept {
            Ok(rows) => announce_gone(&state, rows).await,
            Err(err) => tracing::warn!(error = %err, "could not sweep stale connections"),
        }
        // Rate-limit rows outlive their window by an hour at least, then go.
        let window = (state.config.rate_limit_window_secs as i64).max(3600);
        if let Err(err) =
            repo::forget_actions_before(&state.db, now - chrono::Duration::seconds(window)).await
        {
            tracing::warn!(error = %err, "could not forget old chat actions");
        }
    }
}

/// A stopping server's last word on presence: its connections go, and the people who have no
/// other connection anywhere are announced offline.
pub async fn leave_instance(state: &AppState) {
    let rows = repo::delete_instance_connections(&state.db, state.instance_id).await;
    match rows {
        Ok(rows) => announce_gone(state, rows).await,
        Err(err) => {
            tracing::warn!(error = %err, "could not record this instance's connections as closed")
        }
    }
}

/// Announces offline the people of removed connection rows who have no live connection left.
/// Only the instance whose delete removed a row announces it, so nobody is announced twice.
async fn announce_gone(state: &AppState, rows: Vec<connections::Model>) {
    let connections: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
    state
        .service::<SocketRiders>()
        .closed(state, &connections)
        .await;
    let people: HashSet<Uuid> = rows.into_iter().map(|row| row.user_id).collect();
    if people.is_empty() {
        return;
    }
    let still =
        match communities::online_among(&state.db, people.iter().copied().collect(), Utc::now())
            .await
        {
            Ok(still) => still.into_iter().collect::<HashSet<_>>(),
            Err(err) => {
                tracing::warn!(error = %err, "could not tell who is still online");
                return;
            }
        };
    for user in people.difference(&still) {
        if let Err(err) = announce(state, UserId(*user), false).await {
            tracing::warn!(error = %err, "could not announce someone offline");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frames fed by a connection that queues `events`, then ends.
    fn frames_of(events: &'static [&'static str]) -> Frames {
        let outbox = Arc::new(Outbox::default());
        let out = outbox.clone();
        let driver = async move {
            for event in events {
                out.push(Bytes::from_static(event.as_bytes())).await;
            }
        };
        Frames {
            driver: Some(Box::pin(driver)),
            outbox,
            said_goodbye: false,
        }
    }

    #[test]
    fn a_holder_keeps_at_most_its_limit_of_sockets_and_a_closed_one_frees_its_place() {
        let open = OpenSockets::default();
        let ana = SocketHolder::Person(Uuid::now_v7());
        let guest = SocketHolder::Guest("203.0.113.7".into());
        let first = open.hold(ana.clone(), 2).unwrap();
        let _second = open.hold(ana.clone(), 2).unwrap();
        assert!(
            open.hold(ana.clone(), 2).is_none(),
            "a third over a limit of two"
        );
        // Someone else's count is their own.
        let _guest = open.hold(guest.clone(), 1).unwrap();
        assert!(open.hold(guest, 1).is_none());
        drop(first);
        assert!(
            open.hold(ana.clone(), 2).is_some(),
            "a closed socket's place is free again"
        );
        // The place taken just now was dropped at once: nobody is left holding two.
        assert_eq!(open.0.lock().unwrap().get(&ana), Some(&1));
    }

    #[test]
    fn a_send_is_claimed_once_per_person_until_released_or_forgotten() {
        let sends = RecentSends::default();
        let (ana, bo) = (Uuid::now_v7(), Uuid::now_v7());
        let send = |nonce: &str, body: &str| SendKey::of("c1", nonce, body, None, &[]);
        assert!(sends.claim(crate::auth::UserId(ana), send("n1", "hello")));
        assert!(
            !sends.claim(crate::auth::UserId(ana), send("n1", "hello")),
            "the same message again"
        );
        assert!(
            sends.claim(crate::auth::UserId(bo), send("n1", "hello")),
            "someone else's is theirs"
        );
        // A program that numbers its nonces afresh on a new socket: another body, another send.
        assert!(sends.claim(crate::auth::UserId(ana), send("n1", "hello again")));
        assert!(sends.claim(
            crate::auth::UserId(ana),
            SendKey::of("c2", "n1", "hello", None, &[])
        ));
        // A refused message may be sent again.
        sends.release(crate::auth::UserId(ana), send("n1", "hello"));
        assert!(sends.claim(crate::auth::UserId(ana), send("n1", "hello")));
        // Only the newest are kept.
        for n in 0..SENDS_KEPT {
            assert!(sends.claim(crate::auth::UserId(ana), send(&format!("m{n}"), "tick")));
        }
        assert!(
            sends.claim(crate::auth::UserId(ana), send("n1", "hello")),
            "pushed out by newer ones"
        );
        // And not for long: past the window even Bo's is forgotten, his entry with it.
        let later = std::time::Instant::now() + RESEND_WINDOW;
        assert!(sends.claim_at(crate::auth::UserId(ana), send("m31", "tick"), later));
        assert!(!sends.0.lock().unwrap().people.contains_key(&bo));
    }

    #[tokio::test]
    async fn waiting_events_go_out_together_one_per_line_and_the_stream_ends_with_a_goodbye() {
        let mut frames = frames_of(&[r#"{"n":1}"#, r#"{"n":2}"#, r#"{"n":3}"#]);
        let batch = frames.next().await.unwrap();
        assert_eq!(&batch[..], b"{\"n\":1}\n{\"n\":2}\n{\"n\":3}");
        assert_eq!(frames.next().await, Some(GOODBYE));
        assert_eq!(frames.next().await, None);
    }

    #[tokio::test]
    async fn a_lone_event_goes_out_as_it_is() {
        let mut frames = frames_of(&[r#"{"n":1}"#]);
        let frame = frames.next().await.unwrap();
        assert_eq!(&frame[..], b"{\"n\":1}");
        assert_eq!(frames.next().await, Some(GOODBYE));
        assert_eq!(frames.next().await, None);
    }
}
