//! Fan-out of realtime events between the parts of Bullpen: in-process by default, over Redis
//! pub/sub when `REDIS_URL` is set, so that every instance behind a load balancer sees every
//! event.
//!
//! Payloads are `Bytes`: an event is serialised once and the same buffer goes to every
//! subscriber. Each instance keeps one local hub (a broadcast channel per topic); with Redis the
//! instance subscribes once to all of Bullpen's topics and feeds what arrives into its hub.
//!
//! Work queues (the stock bot's requests) are the other half: each job goes to exactly one of the
//! consumers of the queue, wherever they run — an in-process channel, or a Redis stream read by
//! a consumer group.

use std::{
    collections::{HashMap, VecDeque},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use bytes::{BufMut, Bytes, BytesMut};
use futures::StreamExt;
use redis::{
    aio::MultiplexedConnection,
    streams::{
        StreamAutoClaimOptions, StreamAutoClaimReply, StreamInfoConsumersReply, StreamReadOptions,
        StreamReadReply,
    },
    AsyncCommands, AsyncConnectionConfig,
};
use tokio::{
    sync::{broadcast, mpsc},
    time::Instant,
};

/// Messages kept per topic for a subscriber that falls behind, before it is told it lagged.
const TOPIC_CAPACITY: usize = 1024;
/// The same for a topic one reader's tabs alone read (`Broker::subscribe_personal`). A topic's
/// buffer is allocated whole when it opens — some 70 bytes a slot — and a room of 1,000 people
/// has 1,000 personal topics: at 1,024 slots they were most of an idle connection's memory, and
/// at 64 still 3.6 KiB of it (heaptrack). What comes there comes a few at a time (mentions,
/// alerts, access changes, an answer's pieces as the model writes them); a tab that falls 16
/// behind has its access checked again (`chat::socket`), and an answer's pieces are only its
/// progress — the answer itself comes with the request.
const PERSONAL_TOPIC_CAPACITY: usize = 16;
/// The default of `REDIS_PREFIX`: the start of every Redis channel, stream and key Bullpen uses.
pub const DEFAULT_PREFIX: &str = "bullpen";
/// How long connecting to Redis, or a command on a connection, may take. A Redis that accepts
/// and never answers would otherwise hang the start (or a publish) forever.
const REDIS_TIMEOUT: Duration = Duration::from_secs(5);
/// The relay's pause between attempts to resubscribe: short, because while it is down this
/// instance refuses messages; capped, because a long outage should not cost a retry storm.
const RELAY_RETRY_MIN: Duration = Duration::from_millis(100);
const RELAY_RETRY_MAX: Duration = Duration::from_secs(1);
/// How long a topic holds an event whose `seq` is ahead of the next expected one, waiting for
/// the missing ones. Two instances can store seq 5 and 6 and publish 6 first; the gap between
/// their publishes is a commit-to-publish delay (well under a millisecond to a few on a busy
/// machine). A real gap (a publish that never happened) costs the events behind it this much
/// once, and the client's gap check then fetches what is missing.
const REORDER_WAIT: Duration = Duration::from_secs(1);
/// Events held per topic at most; past this everything held is released in order (a bound on
/// memory, not a case that happens with a working publisher).
const REORDER_MAX_HELD: usize = 1024;
/// Topics whose order is remembered (last seq) before idle ones are forgotten.
const REORDER_MAX_TOPICS: usize = 4096;

/// The payload a subscriber receives when events of its topic may have been lost (the
/// instance lost Redis, or an ordered event's gap was never filled): resync from the database.
pub const GAP: Bytes = Bytes::new();

/// Whether a payload is the [`GAP`] marker rather than an event.
pub fn is_gap(payload: &Bytes) -> bool {
    payload.is_empty()
}

#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    #[error("the message broker (Redis) is unreachable at {at}: {source}")]
    Redis {
        at: String,
        source: redis::RedisError,
    },
    #[error("the message broker (Redis) at {at} did not answer within {} s", REDIS_TIMEOUT.as_secs())]
    Timeout { at: String },
    #[error("the message broker (Redis) is down; reconnecting")]
    Down,
    #[error("the work queue is closed")]
    Closed,
}

/// A subscription to one topic. `recv` yields each payload in order; `Lagged(n)` means `n`
/// payloads were dropped because this subscriber was too slow, and the caller should resync from
/// the database (as for a [`GAP`] payload).
pub type Subscription = broadcast::Receiver<Bytes>;

#[derive(Clone)]
pub struct Broker {
    hub: Hub,
    queues: LocalQueues,
    redis: Option<RedisLink>,
}

/// The Redis side: a publishing connection that is replaced when it breaks, the client (a
/// consumer blocking on its stream needs a connection of its own), the deployment's prefix and
/// whether the relay is subscribed.
#[derive(Clone)]
struct RedisLink {
    client: redis::Client,
    /// "host:port", for errors (never the URL: it may carry a password).
    at: Arc<str>,
    /// `REDIS_PREFIX` plus ':'.
    prefix: Arc<str>,
    /// `None` after a failure: the next command connects again. A `MultiplexedConnection` that
    /// lost its socket stays broken forever, which is how an instance that lost Redis for a few
    /// seconds used to store messages and deliver them to nobody.
    publisher: Arc<tokio::sync::Mutex<Option<MultiplexedConnection>>>,
    /// The relay's pattern subscription is live: without it this instance hears nothing.
    relay_up: Arc<AtomicBool>,
}

/// How long a Redis consumer blocks on its stream before asking again.
const QUEUE_BLOCK_MS: usize = 5_000;

impl RedisLink {
    fn timeout_error(&self) -> BrokerError {
        BrokerError::Timeout {
            at: self.at.to_string(),
        }
    }

    fn error(&self, source: redis::RedisError) -> BrokerError {
        if source.is_timeout() {
            return self.timeout_error();
        }
        BrokerError::Redis {
            at: self.at.to_string(),
            source,
        }
    }

    async fn connect(&self) -> Result<MultiplexedConnection, BrokerError> {
        connect(&self.client, &self.at, REDIS_TIMEOUT).await
    }

    /// Runs a command on the publishing connection, connecting first if there is none; a
    /// failure drops the connection so that the next command starts afresh.
    async fn run<T: redis::FromRedisValue>(&self, command: &redis::Cmd) -> Result<T, BrokerError> {
        let mut slot = self.publisher.lock().await;
        let mut connection = match slot.as_ref() {
            Some(connection) => connection.clone(),
            None => {
                let fresh = self.connect().await?;
                *slot = Some(fresh.clone());
                fresh
            }
        };
        drop(slot);
        match tokio::time::timeout(REDIS_TIMEOUT, command.query_async::<T>(&mut connection)).await {
            Ok(Ok(value)) => Ok(value),
            failed => {
                *self.publisher.lock().await = None;
                Err(match failed {
                    Ok(Err(err)) => self.error(err),
                    _ => self.timeout_error(),
                })
            }
        }
    }
}

/// A multiplexed connection with bounded connect and response times.
async fn connect(
    client: &redis::Client,
    at: &str,
    response: Duration,
) -> Result<MultiplexedConnection, BrokerError> {
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(REDIS_TIMEOUT)
        .set_response_timeout(response);
    // The outer bound covers the handshake too, whatever the client library counts.
    match tokio::time::timeout(
        REDIS_TIMEOUT,
        client.get_multiplexed_async_connection_with_config(&config),
    )
    .await
    {
        Ok(Ok(connection)) => Ok(connection),
        Ok(Err(err)) if err.is_timeout() => Err(BrokerError::Timeout { at: at.to_string() }),
        Ok(Err(source)) => Err(BrokerError::Redis {
            at: at.to_string(),
            source,
        }),
        Err(_) => Err(BrokerError::Timeout { at: at.to_string() }),
    }
}

/// Every Redis name of a deployment starts with `REDIS_PREFIX:`, so two deployments sharing one
/// Redis never hear each other's events nor take each other's jobs.
fn prefix_with_colon(prefix: &str) -> Arc<str> {
    format!("{prefix}:").into()
}

impl Broker {
    /// The in-process broker: for one instance.
    pub fn in_process() -> Broker {
        Broker {
            hub: Hub::default(),
            queues: LocalQueues::default(),
            redis: None,
        }
    }

    /// A broker that shares topics and queues with every other instance on the same Redis and
    /// prefix (`REDIS_PREFIX`).
    pub async fn redis(url: &str, prefix: &str) -> Result<Broker, BrokerError> {
        let client = redis::Client::open(url).map_err(|source| BrokerError::Redis {
            at: url_host(url),
            source,
        })?;
        let link = RedisLink {
            at: client.get_connection_info().addr.to_string().into(),
            client,
            prefix: prefix_with_colon(prefix),
            publisher: Default::default(),
            relay_up: Arc::new(AtomicBool::new(false)),
        };
        *link.publisher.lock().await = Some(link.connect().await?);
        let hub = Hub::default();
        // Fail now, at start-up, if Redis refuses subscriptions; later drops are retried.
        let pubsub = subscribe_all(&link).await?;
        link.relay_up.store(true, Ordering::SeqCst);
        tokio::spawn(relay(link.clone(), pubsub, hub.clone()));
        Ok(Broker {
            hub,
            queues: LocalQueues::default(),
            redis: Some(link),
        })
    }

    /// From configuration: Redis when a URL is given, else in-process.
    pub async fn connect(redis_url: Option<&str>, prefix: &str) -> Result<Broker, BrokerError> {
        match redis_url {
            Some(url) => Broker::redis(url, prefix).await,
            None => Ok(Broker::in_process()),
        }
    }

    /// "Redis" or "in-process", for logs and the About panel.
    pub fn kind(&self) -> &'static str {
        if self.redis.is_some() {
            "Redis"
        } else {
            "in-process"
        }
    }

    /// Whether events can go out and come in now, without asking Redis: the send path refuses
    /// a message (before storing it) when they cannot, rather than store what nobody hears.
    pub fn ready(&self) -> Result<(), BrokerError> {
        match &self.redis {
            Some(link) if !link.relay_up.load(Ordering::SeqCst) => Err(BrokerError::Down),
            _ => Ok(()),
        }
    }

    /// Asks Redis (for `/health`): the relay is subscribed and a PING is answered.
    pub async fn check(&self) -> Result<(), BrokerError> {
        self.ready()?;
        if let Some(link) = &self.redis {
            let _: String = link.run(&redis::cmd("PING")).await?;
        }
        Ok(())
    }

    /// Sends a payload to every subscriber of `topic`, on every instance. With Redis, local
    /// subscribers get it back through Redis like everyone else: once, in the same order.
    pub async fn publish(&self, topic: &str, payload: Bytes) -> Result<(), BrokerError> {
        self.send(topic, None, payload).await
    }

    /// Publishes the event numbered `seq` of `topic` (numbers 1, 2, 3… given by the database):
    /// every instance delivers a topic's numbered events in number order, holding one that
    /// arrives early for at most [`REORDER_WAIT`]; unnumbered events keep their place.
    pub async fn publish_in_order(
        &self,
        topic: &str,
        seq: i64,
        payload: Bytes,
    ) -> Result<(), BrokerError> {
        self.send(topic, Some(Run::one(seq)), payload).await
    }

    /// Publishes one payload that carries the events numbered `run` of `topic` (a bundle of
    /// consecutive events), in order with the topic's other numbered events.
    pub async fn publish_run_in_order(
        &self,
        topic: &str,
        run: Run,
        payload: Bytes,
    ) -> Result<(), BrokerError> {
        self.send(topic, Some(run), payload).await
    }

    async fn send(&self, topic: &str, seq: Option<Run>, payload: Bytes) -> Result<(), BrokerError> {
        match &self.redis {
            None => self.hub.deliver(topic, seq, payload),
            Some(link) => {
                let mut publish = redis::cmd("PUBLISH");
                publish
                    .arg(format!("{}{topic}", link.prefix))
                    .arg(frame(seq, &payload).as_ref());
                let _: i64 = link.run(&publish).await?;
            }
        }
        Ok(())
    }

    pub fn subscribe(&self, topic: &str) -> Subscription {
        self.hub.subscribe(topic, TOPIC_CAPACITY)
    }

    /// Subscribes to a topic of one person's (few events, few readers): a smaller buffer.
    pub fn subscribe_personal(&self, topic: &str) -> Subscription {
        self.hub.subscribe(topic, PERSONAL_TOPIC_CAPACITY)
    }

    /// Adds a job to `queue`; one consumer of the queue will take it.
    pub async fn enqueue(&self, queue: &str, payload: Bytes) -> Result<(), BrokerError> {
        match &self.redis {
            None => self
                .queues
                .sender(queue)
                .send(payload)
                .map_err(|_| BrokerError::Closed)?,
            Some(link) => {
                let mut add = redis::cmd("XADD");
                add.arg(stream_key(link, queue))
                    .arg("*")
                    .arg("job")
                    .arg(payload.as_ref());
                let _: String = link.run(&add).await?;
            }
        }
        Ok(())
    }

    /// A consumer of `queue`. Consumers in the same `group` share the jobs (each job goes to
    /// one of them); `name` tells the consumers of a group apart — one per process, so that a
    /// restarted process is a new consumer and the old one's jobs can be taken over.
    ///
    /// With Redis, a job another consumer took and has not acknowledged for `claim_after` is
    /// taken over (that consumer died), and a consumer idle that long with nothing pending is
    /// removed from the group. `claim_after` must be longer than handling a job takes, and
    /// longer than the 5 s a live consumer blocks between reads.
    pub async fn consumer(
        &self,
        queue: &str,
        group: &str,
        name: &str,
        claim_after: Duration,
    ) -> Result<Consumer, BrokerError> {
        match &self.redis {
            None => Ok(Consumer::Local(self.queues.receiver(queue))),
            Some(link) => {
                // Blocking reads need their own connection, and a response time longer than the block.
                let mut connection = connect(
                    &link.client,
                    &link.at,
                    REDIS_TIMEOUT + Duration::from_millis(QUEUE_BLOCK_MS as u64),
                )
                .await?;
                let key = stream_key(link, queue);
                // From the start of the stream, so jobs queued before the first consumer count.
                let created: redis::RedisResult<()> =
                    connection.xgroup_create_mkstream(&key, group, "0").await;
                if let Err(err) = created {
                    if err.code() != Some("BUSYGROUP") {
                        return Err(link.error(err));
                    }
                }
                Ok(Consumer::Redis(RedisConsumer {
                    link: link.clone(),
                    connection,
                    key,
                    group: group.to_string(),
                    name: name.to_string(),
                    pending: Default::default(),
                    claim_after,
                    tidied: None,
                }))
            }
        }
    }
}

/// The host and port of a Redis URL for an error message, without user or password.
fn url_host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    rest.split('/').next().unwrap_or(rest).to_string()
}

fn stream_key(link: &RedisLink, queue: &str) -> String {
    format!("{}queue:{queue}", link.prefix)
}

/// A payload as it travels Redis: the first and last sequence numbers it carries (8 bytes each,
/// big-endian; 0 for none), then the payload.
fn frame(seq: Option<Run>, payload: &Bytes) -> Bytes {
    let mut framed = BytesMut::with_capacity(16 + payload.len());
    framed.put_i64(seq.map_or(0, |run| run.first));
    framed.put_i64(seq.map_or(0, |run| run.last));
    framed.extend_from_slice(payload);
    framed.freeze()
}

/// A frame's sequence numbers and payload (without copying); `None` for a frame too short.
fn unframe(framed: Bytes) -> Option<(Option<Run>, Bytes)> {
    let first = i64::from_be_bytes(framed.get(..8)?.try_into().ok()?);
    let last = i64::from_be_bytes(framed.get(8..16)?.try_into().ok()?);
    let run = (first > 0).then_some(Run {
        first,
        last: last.max(first),
    });
    Some((run, framed.slice(16..)))
}

/// The sequence numbers one payload carries: one event's, or a bundle's consecutive run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    pub first: i64,
    pub last: i64,
}

impl Run {
    pub fn one(seq: i64) -> Run {
        Run {
            first: seq,
            last: seq,
        }
    }
}

/// In-process work queues: one channel per queue, its receiver shared by the consumers.
#[derive(Clone, Default)]
struct LocalQueues {
    queues: Arc<Mutex<HashMap<String, LocalQueue>>>,
}

type LocalQueue = (
    mpsc::UnboundedSender<Bytes>,
    Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Bytes>>>,
);

impl LocalQueues {
    fn queue(&self, name: &str) -> LocalQueue {
        let mut queues = self
            .queues
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        queues
            .entry(name.to_owned())
            .or_insert_with(|| {
                let (sender, receiver) = mpsc::unbounded_channel();
                (sender, Arc::new(tokio::sync::Mutex::new(receiver)))
            })
            .clone()
    }

    fn sender(&self, name: &str) -> mpsc::UnboundedSender<Bytes> {
        self.queue(name).0
    }

    fn receiver(&self, name: &str) -> Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Bytes>>> {
        self.queue(name).1
    }
}

/// One consumer of a work queue.
// One per stock-bot worker, made once: its size does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Consumer {
    Local(Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Bytes>>>),
    Redis(RedisConsumer),
}

pub struct RedisConsumer {
    link: RedisLink,
    connection: MultiplexedConnection,
    key: String,
    group: String,
    name: String,
    /// Jobs read but not handed out yet.
    pending: VecDeque<(String, Bytes)>,
    claim_after: Duration,
    /// When dead consumers were last removed.
    tidied: Option<Instant>,
}

/// A job taken from a queue; acknowledge it once handled.
pub struct Job {
    pub payload: Bytes,
    /// The Redis stream entry, acknowledged by `Consumer::ack`.
    id: Option<String>,
}

fn job_payload(entry: &redis::streams::StreamId) -> Bytes {
    match entry.map.get("job") {
        Some(redis::Value::BulkString(bytes)) => Bytes::copy_from_slice(bytes),
        _ => Bytes::new(),
    }
}

impl RedisConsumer {
    async fn next(&mut self) -> Result<Job, BrokerError> {
        loop {
            if let Some((id, payload)) = self.pending.pop_front() {
                return Ok(Job {
                    payload,
                    id: Some(id),
                });
            }
            // First the jobs of consumers that died holding them, then new ones.
            let claimed: StreamAutoClaimReply = self
                .connection
                .xautoclaim_options(
                    &self.key,
                    &self.group,
                    &self.name,
                    self.claim_after.as_millis() as u64,
                    "0-0",
                    StreamAutoClaimOptions::default().count(16),
                )
                .await
                .map_err(|err| self.link.error(err))?;
            for entry in claimed.claimed {
                tracing::info!(
                    queue = self.key,
                    id = entry.id,
                    "took over a job a stopped consumer held"
                );
                self.pending
                    .push_back((entry.id.clone(), job_payload(&entry)));
            }
            if !self.pending.is_empty() {
                continue;
            }
            self.forget_dead_consumers().await?;
            let options = StreamReadOptions::default()
                .group(self.group.as_str(), self.name.as_str())
                .count(16)
                .block(QUEUE_BLOCK_MS);
            let reply: Option<StreamReadReply> = self
                .connection
                .xread_options(&[self.key.as_str()], &[">"], &options)
                .await
                .map_err(|err| self.link.error(err))?;
            for stream in reply.map(|r| r.keys).unwrap_or_default() {
                for entry in stream.ids {
                    self.pending
                        .push_back((entry.id.clone(), job_payload(&entry)));
                }
            }
        }
    }

    /// Removes the group's consumers that have been idle longer than `claim_after` and hold
    /// nothing: each process is a new consumer, so without this every restart would leave one
    /// behind. (One holding jobs is left until they have been taken over.) At most once per
    /// `claim_after`.
    async fn forget_dead_consumers(&mut self) -> Result<(), BrokerError> {
        if self
            .tidied
            .is_some_and(|at| at.elapsed() < self.claim_after)
        {
            return Ok(());
        }
        self.tidied = Some(Instant::now());
        let consumers: StreamInfoConsumersReply = self
            .connection
            .xinfo_consumers(&self.key, &self.group)
            .await
            .map_err(|err| self.link.error(err))?;
        for dead in consumers.consumers {
            if dead.name != self.name
                && dead.pending == 0
                && dead.idle as u128 > self.claim_after.as_millis()
            {
                let _: i64 = self
                    .connection
                    .xgroup_delconsumer(&self.key, &self.group, &dead.name)
                    .await
                    .map_err(|err| self.link.error(err))?;
                tracing::debug!(
                    queue = self.key,
                    consumer = dead.name,
                    "removed a stopped consumer"
                );
            }
        }
        Ok(())
    }
}

impl Consumer {
    /// The next job, waiting for one. An error means the broker is gone; the caller retries.
    pub async fn next(&mut self) -> Result<Job, BrokerError> {
        match self {
            Consumer::Local(receiver) => {
                let payload = receiver
                    .lock()
                    .await
                    .recv()
                    .await
                    .ok_or(BrokerError::Closed)?;
                Ok(Job { payload, id: None })
            }
            Consumer::Redis(consumer) => consumer.next().await,
        }
    }

    /// Marks a job done, so that Redis does not keep it pending for this consumer.
    pub async fn ack(&mut self, job: &Job) -> Result<(), BrokerError> {
        if let (Consumer::Redis(consumer), Some(id)) = (self, &job.id) {
            let _: i64 = consumer
                .connection
                .xack(
                    consumer.key.as_str(),
                    consumer.group.as_str(),
                    &[id.as_str()],
                )
                .await
                .map_err(|err| consumer.link.error(err))?;
        }
        Ok(())
    }
}

/// The topics of this instance, their local subscribers, and the order of numbered events.
#[derive(Clone, Default)]
struct Hub {
    state: Arc<Mutex<HubState>>,
}

#[derive(Default)]
struct HubState {
    topics: HashMap<String, broadcast::Sender<Bytes>>,
    order: HashMap<String, TopicOrder>,
}

/// Where a topic's numbered events stand on this instance.
#[derive(Default)]
struct TopicOrder {
    /// The highest number delivered.
    last: Option<i64>,
    /// Events waiting behind a missing number, numbered ones in number order.
    held: VecDeque<(Option<Run>, Bytes)>,
    /// When the wait for the missing number ends.
    deadline: Option<Instant>,
}

impl TopicOrder {
    /// Takes an event; returns what can be delivered now, in order, and whether a wait began.
    fn accept(&mut self, seq: Option<Run>, payload: Bytes, now: Instant) -> (Vec<Bytes>, bool) {
        match seq {
            // Unnumbered events keep their place behind anything held.
            None => self.held.push_back((None, payload)),
            Some(run) => {
                // Before the first held numbered event with a higher number.
                let at = self
                    .held
                    .iter()
                    .position(|(s, _)| s.is_some_and(|s| s.first > run.first))
                    .unwrap_or(self.held.len());
                self.held.insert(at, (Some(run), payload));
            }
        }
        let mut ready = Vec::new();
        while let Some((seq, _)) = self.held.front() {
            match (seq, self.last) {
                (Some(run), Some(last)) if run.first > last + 1 => break,
                _ => {}
            }
            let (seq, payload) = self.held.pop_front().expect("a front");
            if let Some(run) = seq {
                self.last = Some(self.last.map_or(run.last, |last| last.max(run.last)));
            }
            ready.push(payload);
        }
        if self.held.len() > REORDER_MAX_HELD {
            ready.extend(self.release());
        }
        let began = !self.held.is_empty() && self.deadline.is_none();
        if self.held.is_empty() {
            self.deadline = None;
        } else if began {
            self.deadline = Some(now + REORDER_WAIT);
        }
        (ready, began)
    }

    /// Gives up waiting: everything held, in order; the missing numbers stay missing (clients
    /// see the gap and fetch them).
    fn release(&mut self) -> Vec<Bytes> {
        self.deadline = None;
        let mut ready = Vec::with_capacity(self.held.len());
        for (seq, payload) in self.held.drain(..) {
            if let Some(run) = seq {
                self.last = Some(self.last.map_or(run.last, |last| last.max(run.last)));
            }
            ready.push(payload);
        }
        ready
    }
}

impl Hub {
    fn lock(&self) -> std::sync::MutexGuard<'_, HubState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn subscribe(&self, topic: &str, capacity: usize) -> Subscription {
        self.lock()
            .topics
            .entry(topic.to_owned())
            .or_insert_with(|| broadcast::channel(capacity).0)
            .subscribe()
    }

    fn deliver(&self, topic: &str, seq: Option<Run>, payload: Bytes) {
        let mut state = self.lock();
        if !state.topics.contains_key(topic) {
            // Nobody here listens: nothing to order either.
            state.order.remove(topic);
            return;
        }
        if state.order.len() >= REORDER_MAX_TOPICS && !state.order.contains_key(topic) {
            // Forgetting a topic that holds nothing only forgets its last number.
            state.order.retain(|_, order| !order.held.is_empty());
        }
        let now = Instant::now();
        let (ready, began) = state
            .order
            .entry(topic.to_owned())
            .or_default()
            .accept(seq, payload, now);
        state.send(topic, ready);
        drop(state);
        if began {
            let (hub, topic) = (self.clone(), topic.to_owned());
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(async move {
                        tokio::time::sleep(REORDER_WAIT).await;
                        hub.expire(&topic);
                    });
                }
                Err(_) => hub.expire_now(&topic),
            }
        }
    }

    /// Releases a topic's held events if its wait is over.
    fn expire(&self, topic: &str) {
        let mut state = self.lock();
        let Some(order) = state.order.get_mut(topic) else {
            return;
        };
        if order
            .deadline
            .is_some_and(|deadline| deadline <= Instant::now())
        {
            tracing::debug!(
                topic,
                held = order.held.len(),
                "a numbered event never came; releasing the ones behind it"
            );
            let ready = order.release();
            state.send(topic, ready);
        }
    }

    fn expire_now(&self, topic: &str) {
        let mut state = self.lock();
        if let Some(order) = state.order.get_mut(topic) {
            let ready = order.release();
            state.send(topic, ready);
        }
    }

    /// After events may have been lost (Redis was away): release what is held, forget every
    /// topic's order, and tell every subscriber with a [`GAP`].
    fn gap_everywhere(&self) {
        let mut state = self.lock();
        let order = std::mem::take(&mut state.order);
        for (topic, mut order) in order {
            let ready = order.release();
            state.send(&topic, ready);
        }
        let topics: Vec<String> = state.topics.keys().cloned().collect();
        for topic in topics {
            state.send(&topic, vec![GAP]);
        }
    }
}

impl HubState {
    fn send(&mut self, topic: &str, payloads: Vec<Bytes>) {
        let Some(sender) = self.topics.get(topic) else {
            return;
        };
        for payload in payloads {
            if sender.send(payload).is_err() {
                // Nobody listens any more: forget the topic.
                self.topics.remove(topic);
                self.order.remove(topic);
                return;
            }
        }
    }
}

async fn subscribe_all(link: &RedisLink) -> Result<redis::aio::PubSub, BrokerError> {
    let subscribe = async {
        let mut pubsub = link.client.get_async_pubsub().await?;
        pubsub.psubscribe(format!("{}*", link.prefix)).await?;
        Ok::<_, redis::RedisError>(pubsub)
    };
    match tokio::time::timeout(REDIS_TIMEOUT, subscribe).await {
        Ok(Ok(pubsub)) => Ok(pubsub),
        Ok(Err(err)) => Err(link.error(err)),
        Err(_) => Err(link.timeout_error()),
    }
}

/// Feeds every message of this deployment from Redis into the local hub. When the subscription
/// drops it marks the broker down (the send path refuses messages), resubscribes with a short
/// backoff, and then tells every local subscriber to resync: what was published meanwhile
/// never reached this instance.
async fn relay(link: RedisLink, first: redis::aio::PubSub, hub: Hub) {
    let mut pubsub = Some(first);
    let mut backoff = RELAY_RETRY_MIN;
    loop {
        let current = match pubsub.take() {
            Some(p) => p,
            None => match subscribe_all(&link).await {
                Ok(p) => {
                    tracing::info!("broker: reconnected to Redis; asking every tab to resync");
                    backoff = RELAY_RETRY_MIN;
                    link.relay_up.store(true, Ordering::SeqCst);
                    hub.gap_everywhere();
                    p
                }
                Err(err) => {
                    tracing::warn!(error = %err, "broker: Redis unreachable, retrying in {backoff:?}");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(RELAY_RETRY_MAX);
                    continue;
                }
            },
        };
        let mut messages = current.into_on_message();
        while let Some(message) = messages.next().await {
            let Some(topic) = message.get_channel_name().strip_prefix(&*link.prefix) else {
                continue;
            };
            match unframe(Bytes::copy_from_slice(message.get_payload_bytes())) {
                Some((seq, payload)) => hub.deliver(topic, seq, payload),
                None => tracing::warn!(
                    topic,
                    "broker: dropped a message not framed by this version"
                ),
            }
        }
        link.relay_up.store(false, Ordering::SeqCst);
        *link.publisher.lock().await = None;
        tracing::warn!("broker: lost the Redis subscription");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn in_process_delivers_the_same_bytes_to_every_subscriber_of_a_topic() {
        let broker = Broker::in_process();
        let (mut a, mut b) = (broker.subscribe("channel:1"), broker.subscribe("channel:1"));
        let mut other = broker.subscribe("channel:2");
        let payload = Bytes::from_static(br#"{"type":"message"}"#);
        broker.publish("channel:1", payload.clone()).await.unwrap();
        let (got_a, got_b) = (a.recv().await.unwrap(), b.recv().await.unwrap());
        assert_eq!(got_a, payload);
        // Serialised once: both subscribers hold the very same buffer.
        assert_eq!(got_a.as_ptr(), got_b.as_ptr());
        assert!(other.try_recv().is_err(), "another topic hears nothing");
    }

    #[tokio::test]
    async fn order_is_kept_and_a_slow_subscriber_learns_it_lagged() {
        let broker = Broker::in_process();
        let mut slow = broker.subscribe("t");
        for i in 0..(TOPIC_CAPACITY + 10) {
            broker
                .publish("t", Bytes::from(i.to_string()))
                .await
                .unwrap();
        }
        match slow.recv().await {
            Err(broadcast::error::RecvError::Lagged(missed)) => assert_eq!(missed, 10),
            other => panic!("expected a lag report, got {other:?}"),
        }
        assert_eq!(slow.recv().await.unwrap(), Bytes::from("10"));
    }

    #[tokio::test]
    async fn each_queued_job_goes_to_one_consumer_in_order() {
        let broker = Broker::in_process();
        let mut first = broker
            .consumer("bot", "bots", "a", Duration::from_secs(60))
            .await
            .unwrap();
        let mut second = broker
            .consumer("bot", "bots", "b", Duration::from_secs(60))
            .await
            .unwrap();
        for i in 0..4 {
            broker
                .enqueue("bot", Bytes::from(i.to_string()))
                .await
                .unwrap();
        }
        let mut got = Vec::new();
        for turn in 0..4 {
            let consumer = if turn % 2 == 0 {
                &mut first
            } else {
                &mut second
            };
            let job = consumer.next().await.unwrap();
            consumer.ack(&job).await.unwrap();
            got.push(job.payload);
        }
        assert_eq!(
            got,
            ["0", "1", "2", "3"].map(|s: &'static str| Bytes::from_static(s.as_bytes()))
        );
        broker
            .enqueue("other", Bytes::from_static(b"x"))
            .await
            .unwrap();
        assert!(
            tokio::time::timeout(Duration::from_millis(50), first.next())
                .await
                .is_err(),
            "another queue's job is not ours"
        );
    }

    #[tokio::test]
    async fn publishing_to_a_topic_nobody_hears_is_fine() {
        let broker = Broker::in_process();
        broker
            .publish("empty", Bytes::from_static(b"x"))
            .await
            .unwrap();
        let sub = broker.subscribe("gone");
        drop(sub);
        broker
            .publish("gone", Bytes::from_static(b"x"))
            .await
            .unwrap();
        assert!(
            !broker.hub.lock().topics.contains_key("gone"),
            "an abandoned topic is forgotten"
        );
    }

    fn numbered(seq: i64) -> (Option<Run>, Bytes) {
        (Some(Run::one(seq)), Bytes::from(seq.to_string()))
    }

    #[test]
    fn an_early_number_waits_for_the_missing_one_and_unnumbered_events_keep_their_place() {
        let mut order = TopicOrder::default();
        let now = Instant::now();
        let (seq, payload) = numbered(5);
        assert_eq!(
            order.accept(seq, payload, now),
            (vec![Bytes::from("5")], false),
            "the first number seen goes out"
        );
        let (seq, payload) = numbered(7);
        assert_eq!(
            order.accept(seq, payload, now),
            (vec![], true),
            "7 waits for 6"
        );
        assert_eq!(
            order.accept(None, Bytes::from("reaction"), now).0,
            Vec::<Bytes>::new(),
            "behind 7"
        );
        let (seq, payload) = numbered(6);
        let (ready, began) = order.accept(seq, payload, now);
        assert_eq!(ready, ["6", "7", "reaction"].map(Bytes::from));
        assert!(!began && order.deadline.is_none());
        let (seq, payload) = numbered(4);
        assert_eq!(
            order.accept(seq, payload, now).0,
            [Bytes::from("4")],
            "a late one is not held back"
        );
    }

    #[test]
    fn a_number_that_never_comes_releases_the_ones_behind_it_in_order() {
        let mut order = TopicOrder::default();
        let now = Instant::now();
        for seq in [1, 4, 3] {
            let (seq, payload) = numbered(seq);
            order.accept(seq, payload, now);
        }
        assert_eq!(order.deadline, Some(now + REORDER_WAIT));
        assert_eq!(order.release(), ["3", "4"].map(Bytes::from));
        let (seq, payload) = numbered(5);
        assert_eq!(order.accept(seq, payload, now).0, [Bytes::from("5")]);
    }

    #[test]
    fn a_bundle_counts_as_its_whole_run() {
        let now = Instant::now();
        let mut order = TopicOrder::default();
        let run = |first, last| Some(Run { first, last });
        assert_eq!(order.accept(run(1, 4), Bytes::from("1-4"), now).0, ["1-4"]);
        // 8–9 waits for 5–7; 5–7 releases both, in order.
        assert!(order
            .accept(run(8, 9), Bytes::from("8-9"), now)
            .0
            .is_empty());
        assert_eq!(
            order.accept(run(5, 7), Bytes::from("5-7"), now).0,
            ["5-7", "8-9"]
        );
        // A single event after the bundle follows it at once.
        assert_eq!(order.accept(run(10, 10), Bytes::from("10"), now).0, ["10"]);
    }

    #[test]
    fn holding_is_bounded() {
        let mut order = TopicOrder::default();
        let now = Instant::now();
        order.accept(Some(Run::one(1)), Bytes::from("1"), now);
        let mut released = 0;
        for seq in 3..(3 + REORDER_MAX_HELD as i64 + 1) {
            released += order.accept(Some(Run::one(seq)), Bytes::new(), now).0.len();
        }
        assert_eq!(released, REORDER_MAX_HELD + 1);
        assert!(order.held.is_empty() && order.deadline.is_none());
    }

    #[tokio::test]
    async fn in_process_delivery_is_in_number_order_even_when_published_out_of_it() {
        let broker = Broker::in_process();
        let mut listener = broker.subscribe("channel:1");
        for seq in [1, 3, 2] {
            broker
                .publish_in_order("channel:1", seq, Bytes::from(seq.to_string()))
                .await
                .unwrap();
        }
        for expected in ["1", "2", "3"] {
            assert_eq!(listener.recv().await.unwrap(), Bytes::from(expected));
        }
    }

    #[test]
    fn a_frame_carries_its_numbers_and_the_payload_untouched() {
        let payload = Bytes::from_static(b"\x00{\"type\":\"message\"}");
        assert_eq!(
            unframe(frame(Some(Run::one(42)), &payload)),
            Some((Some(Run::one(42)), payload.clone()))
        );
        let bundle = Run {
            first: 42,
            last: 50,
        };
        assert_eq!(
            unframe(frame(Some(bundle), &payload)),
            Some((Some(bundle), payload.clone()))
        );
        assert_eq!(unframe(frame(None, &payload)), Some((None, payload)));
        assert_eq!(unframe(Bytes::from_static(b"short")), None);
    }

    #[test]
    fn a_redis_address_in_an_error_has_no_password() {
        assert_eq!(
            url_host("redis://:secret@cache.internal:6380/2"),
            "cache.internal:6380"
        );
        assert_eq!(url_host("rediss://user:pw@10.0.0.5:6379"), "10.0.0.5:6379");
    }
}
