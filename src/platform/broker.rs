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
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use bytes::Bytes;
use futures::StreamExt;
use redis::{
    streams::{StreamReadOptions, StreamReadReply},
    AsyncCommands,
};
use tokio::sync::{broadcast, mpsc};

/// Messages kept per topic for a subscriber that falls behind, before it is told it lagged.
const TOPIC_CAPACITY: usize = 1024;
/// Every Redis channel Bullpen uses starts with this, so one pattern subscription covers all.
const REDIS_PREFIX: &str = "bullpen:";

#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    #[error("the message broker (Redis) is unreachable: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("the work queue is closed")]
    Closed,
}

/// A subscription to one topic. `recv` yields each payload in order; `Lagged(n)` means `n`
/// payloads were dropped because this subscriber was too slow, and the caller should resync from
/// the database.
pub type Subscription = broadcast::Receiver<Bytes>;

#[derive(Clone)]
pub struct Broker {
    hub: Hub,
    queues: LocalQueues,
    redis: Option<RedisLink>,
}

/// The Redis side: a shared connection for publishing and enqueueing, and the client, because a
/// consumer blocking on its stream needs a connection of its own.
#[derive(Clone)]
struct RedisLink {
    client: redis::Client,
    connection: redis::aio::MultiplexedConnection,
}

/// How long a Redis consumer blocks on its stream before asking again.
const QUEUE_BLOCK_MS: usize = 5_000;

impl Broker {
    /// The in-process broker: for one instance.
    pub fn in_process() -> Broker {
        Broker {
            hub: Hub::default(),
            queues: LocalQueues::default(),
            redis: None,
        }
    }

    /// A broker that shares topics with every other instance on the same Redis.
    pub async fn redis(url: &str) -> Result<Broker, BrokerError> {
        let client = redis::Client::open(url)?;
        let publisher = client.get_multiplexed_async_connection().await?;
        let hub = Hub::default();
        // Fail now, at start-up, if Redis refuses subscriptions; later drops are retried.
        let pubsub = subscribe_all(&client).await?;
        tokio::spawn(relay(client.clone(), pubsub, hub.clone()));
        Ok(Broker {
            hub,
            queues: LocalQueues::default(),
            redis: Some(RedisLink { client, connection: publisher }),
        })
    }

    /// From configuration: Redis when a URL is given, else in-process.
    pub async fn connect(redis_url: Option<&str>) -> Result<Broker, BrokerError> {
        match redis_url {
            Some(url) => Broker::redis(url).await,
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

    /// Sends a payload to every subscriber of `topic`, on every instance. With Redis, local
    /// subscribers get it back through Redis like everyone else: once, in the same order.
    pub async fn publish(&self, topic: &str, payload: Bytes) -> Result<(), BrokerError> {
        match &self.redis {
            None => self.hub.deliver(topic, payload),
            Some(link) => {
                let mut connection = link.connection.clone();
                let _: i64 = connection
                    .publish(format!("{REDIS_PREFIX}{topic}"), payload.as_ref())
                    .await?;
            }
        }
        Ok(())
    }

    pub fn subscribe(&self, topic: &str) -> Subscription {
        self.hub.subscribe(topic)
    }

    /// Adds a job to `queue`; one consumer of the queue will take it.
    pub async fn enqueue(&self, queue: &str, payload: Bytes) -> Result<(), BrokerError> {
        match &self.redis {
            None => self.queues.sender(queue).send(payload).map_err(|_| BrokerError::Closed)?,
            Some(link) => {
                let mut connection = link.connection.clone();
                let _: String = connection.xadd(stream_key(queue), "*", &[("job", payload.as_ref())]).await?;
            }
        }
        Ok(())
    }

    /// A consumer of `queue`. Consumers in the same `group` share the jobs (each job goes to
    /// one of them); `name` tells the consumers of a group apart.
    pub async fn consumer(&self, queue: &str, group: &str, name: &str) -> Result<Consumer, BrokerError> {
        match &self.redis {
            None => Ok(Consumer::Local(self.queues.receiver(queue))),
            Some(link) => {
                let mut connection = link.client.get_multiplexed_async_connection().await?;
                let key = stream_key(queue);
                // From the start of the stream, so jobs queued before the first consumer count.
                let created: redis::RedisResult<()> = connection.xgroup_create_mkstream(&key, group, "0").await;
                if let Err(err) = created {
                    if err.code() != Some("BUSYGROUP") {
                        return Err(err.into());
                    }
                }
                Ok(Consumer::Redis { connection, key, group: group.to_string(), name: name.to_string(), pending: Default::default() })
            }
        }
    }
}

fn stream_key(queue: &str) -> String {
    format!("{REDIS_PREFIX}queue:{queue}")
}

/// In-process work queues: one channel per queue, its receiver shared by the consumers.
#[derive(Clone, Default)]
struct LocalQueues {
    queues: Arc<Mutex<HashMap<String, LocalQueue>>>,
}

type LocalQueue = (mpsc::UnboundedSender<Bytes>, Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Bytes>>>);

impl LocalQueues {
    fn queue(&self, name: &str) -> LocalQueue {
        let mut queues = self.queues.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
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
pub enum Consumer {
    Local(Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Bytes>>>),
    Redis {
        connection: redis::aio::MultiplexedConnection,
        key: String,
        group: String,
        name: String,
        /// Jobs read but not handed out yet.
        pending: std::collections::VecDeque<(String, Bytes)>,
    },
}

/// A job taken from a queue; acknowledge it once handled.
pub struct Job {
    pub payload: Bytes,
    /// The Redis stream entry, acknowledged by `Consumer::ack`.
    id: Option<String>,
}

impl Consumer {
    /// The next job, waiting for one. An error means the broker is gone; the caller retries.
    pub async fn next(&mut self) -> Result<Job, BrokerError> {
        match self {
            Consumer::Local(receiver) => {
                let payload = receiver.lock().await.recv().await.ok_or(BrokerError::Closed)?;
                Ok(Job { payload, id: None })
            }
            Consumer::Redis { connection, key, group, name, pending } => loop {
                if let Some((id, payload)) = pending.pop_front() {
                    return Ok(Job { payload, id: Some(id) });
                }
                let options = StreamReadOptions::default().group(group.as_str(), name.as_str()).count(16).block(QUEUE_BLOCK_MS);
                let reply: Option<StreamReadReply> = connection.xread_options(&[key.as_str()], &[">"], &options).await?;
                for stream in reply.map(|r| r.keys).unwrap_or_default() {
                    for entry in stream.ids {
                        let payload = match entry.map.get("job") {
                            Some(redis::Value::BulkString(bytes)) => Bytes::copy_from_slice(bytes),
                            _ => Bytes::new(),
                        };
                        pending.push_back((entry.id, payload));
                    }
                }
            },
        }
    }

    /// Marks a job done, so that Redis does not keep it pending for this consumer.
    pub async fn ack(&mut self, job: &Job) -> Result<(), BrokerError> {
        if let (Consumer::Redis { connection, key, group, .. }, Some(id)) = (self, &job.id) {
            let _: i64 = connection.xack(key.as_str(), group.as_str(), &[id.as_str()]).await?;
        }
        Ok(())
    }
}

/// The topics of this instance and their local subscribers.
#[derive(Clone, Default)]
struct Hub {
    topics: Arc<Mutex<HashMap<String, broadcast::Sender<Bytes>>>>,
}

impl Hub {
    fn subscribe(&self, topic: &str) -> Subscription {
        let mut topics = self
            .topics
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        topics
            .entry(topic.to_owned())
            .or_insert_with(|| broadcast::channel(TOPIC_CAPACITY).0)
            .subscribe()
    }

    fn deliver(&self, topic: &str, payload: Bytes) {
        let mut topics = self
            .topics
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(sender) = topics.get(topic) {
            if sender.send(payload).is_err() {
                // Nobody listens any more: forget the topic.
                topics.remove(topic);
            }
        }
    }
}

async fn subscribe_all(client: &redis::Client) -> Result<redis::aio::PubSub, redis::RedisError> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.psubscribe(format!("{REDIS_PREFIX}*")).await?;
    Ok(pubsub)
}

/// Feeds every Bullpen message from Redis into the local hub; reconnects with backoff.
async fn relay(client: redis::Client, first: redis::aio::PubSub, hub: Hub) {
    let mut pubsub = Some(first);
    let mut backoff = Duration::from_millis(100);
    loop {
        let current = match pubsub.take() {
            Some(p) => p,
            None => match subscribe_all(&client).await {
                Ok(p) => {
                    tracing::info!("broker: reconnected to Redis");
                    backoff = Duration::from_millis(100);
                    p
                }
                Err(err) => {
                    tracing::warn!(error = %err, "broker: Redis unreachable, retrying in {backoff:?}");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                    continue;
                }
            },
        };
        let mut messages = current.into_on_message();
        while let Some(message) = messages.next().await {
            if let Some(topic) = message.get_channel_name().strip_prefix(REDIS_PREFIX) {
                hub.deliver(topic, Bytes::copy_from_slice(message.get_payload_bytes()));
            }
        }
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
        let mut first = broker.consumer("bot", "bots", "a").await.unwrap();
        let mut second = broker.consumer("bot", "bots", "b").await.unwrap();
        for i in 0..4 {
            broker.enqueue("bot", Bytes::from(i.to_string())).await.unwrap();
        }
        let mut got = Vec::new();
        for turn in 0..4 {
            let consumer = if turn % 2 == 0 { &mut first } else { &mut second };
            let job = consumer.next().await.unwrap();
            consumer.ack(&job).await.unwrap();
            got.push(job.payload);
        }
        assert_eq!(got, ["0", "1", "2", "3"].map(|s: &'static str| Bytes::from_static(s.as_bytes())));
        broker.enqueue("other", Bytes::from_static(b"x")).await.unwrap();
        assert!(tokio::time::timeout(Duration::from_millis(50), first.next()).await.is_err(), "another queue's job is not ours");
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
            broker.hub.topics.lock().unwrap().get("gone").is_none(),
            "an abandoned topic is forgotten"
        );
    }
}
