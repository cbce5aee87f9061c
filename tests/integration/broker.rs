//! The Redis broker: two instances on one Redis share every topic (TEST_REDIS_URL); a
//! deployment's prefix keeps it apart from others on the same Redis; jobs of a consumer that
//! died are taken over; losing Redis and getting it back heals without a restart (on a Redis
//! of the test's own).

use crate::common;

use std::time::Duration;

use crate::common::scratch_redis::ScratchRedis;
use bullpen::platform::broker::{is_gap, Broker};
use bytes::Bytes;
use tokio::time::timeout;

fn redis_url() -> Option<String> {
    common::redis_url("the Redis broker tests")
}

#[tokio::test]
async fn a_message_published_on_one_instance_reaches_subscribers_on_both_once() {
    let Some(url) = redis_url() else { return };
    let prefix = prefix();
    let (a, b) = (
        Broker::redis(&url, &prefix).await.unwrap(),
        Broker::redis(&url, &prefix).await.unwrap(),
    );
    assert_eq!(a.kind(), "Redis");
    // A topic no other test run uses.
    let topic = format!("test:{}:{}", std::process::id(), rand_suffix());
    let (mut on_a, mut on_b) = (a.subscribe(&topic), b.subscribe(&topic));

    for i in 0..20 {
        a.publish(&topic, Bytes::from(format!("message {i}")))
            .await
            .unwrap();
    }
    for i in 0..20 {
        let expected = Bytes::from(format!("message {i}"));
        assert_eq!(
            timeout(Duration::from_secs(5), on_b.recv())
                .await
                .unwrap()
                .unwrap(),
            expected,
            "instance B, in order"
        );
        assert_eq!(
            timeout(Duration::from_secs(5), on_a.recv())
                .await
                .unwrap()
                .unwrap(),
            expected,
            "instance A, in order"
        );
    }
    // Exactly once: nothing further arrives on either instance.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(on_a.try_recv().is_err());
    assert!(on_b.try_recv().is_err());
}

#[tokio::test]
async fn a_queued_job_goes_to_exactly_one_consumer_across_instances() {
    let Some(url) = redis_url() else { return };
    let prefix = prefix();
    let (a, b) = (
        Broker::redis(&url, &prefix).await.unwrap(),
        Broker::redis(&url, &prefix).await.unwrap(),
    );
    let queue = format!("test:{}:{}", std::process::id(), rand_suffix());
    // Queued before any consumer exists: still delivered.
    a.enqueue(&queue, Bytes::from_static(b"early"))
        .await
        .unwrap();
    let mut on_a = a.consumer(&queue, "bots", "a", CLAIM_AFTER).await.unwrap();
    let mut on_b = b.consumer(&queue, "bots", "b", CLAIM_AFTER).await.unwrap();
    for i in 0..10 {
        b.enqueue(&queue, Bytes::from(format!("job {i}")))
            .await
            .unwrap();
    }
    // Both consumers take jobs until all eleven are in; none arrives twice.
    let mut seen = Vec::new();
    while seen.len() < 11 {
        let job = tokio::select! {
            job = on_a.next() => { let job = job.unwrap(); on_a.ack(&job).await.unwrap(); job }
            job = on_b.next() => { let job = job.unwrap(); on_b.ack(&job).await.unwrap(); job }
            _ = tokio::time::sleep(Duration::from_secs(10)) => panic!("only {} of 11 jobs arrived", seen.len()),
        };
        seen.push(String::from_utf8(job.payload.to_vec()).unwrap());
    }
    seen.sort();
    let mut expected: Vec<String> = (0..10)
        .map(|i| format!("job {i}"))
        .chain(["early".to_string()])
        .collect();
    expected.sort();
    assert_eq!(seen, expected);
    let extra = tokio::select! {
        _ = on_a.next() => true,
        _ = on_b.next() => true,
        _ = tokio::time::sleep(Duration::from_millis(300)) => false,
    };
    assert!(!extra, "no job is delivered twice");
}

#[tokio::test]
async fn an_unreachable_redis_is_a_clear_error_at_start() {
    // Nothing listens on port 1.
    let err = Broker::redis("redis://127.0.0.1:1", "bullpen")
        .await
        .err()
        .expect("refused");
    assert!(
        err.to_string()
            .starts_with("the message broker (Redis) is unreachable"),
        "{err}"
    );
}

/// Long enough that no job in these tests is taken over while it is being handled.
const CLAIM_AFTER: Duration = Duration::from_secs(60);

/// A prefix no other test run uses: tests share the machine's Redis.
fn prefix() -> String {
    format!("test-{}-{}", std::process::id(), rand_suffix())
}

#[tokio::test]
async fn deployments_with_different_prefixes_share_no_topic_and_no_job() {
    let Some(url) = redis_url() else { return };
    let (one, two) = (
        Broker::redis(&url, &prefix()).await.unwrap(),
        Broker::redis(&url, &prefix()).await.unwrap(),
    );
    let (mut heard_by_one, mut heard_by_two) =
        (one.subscribe("channel:1"), two.subscribe("channel:1"));
    one.publish("channel:1", Bytes::from_static(b"for one"))
        .await
        .unwrap();
    assert_eq!(
        timeout(Duration::from_secs(5), heard_by_one.recv())
            .await
            .unwrap()
            .unwrap(),
        "for one"
    );
    let mut on_two = two
        .consumer("stock-bot", "stock-bot", "two", CLAIM_AFTER)
        .await
        .unwrap();
    let mut on_one = one
        .consumer("stock-bot", "stock-bot", "one", CLAIM_AFTER)
        .await
        .unwrap();
    for i in 0..10 {
        one.enqueue("stock-bot", Bytes::from(format!("job {i}")))
            .await
            .unwrap();
    }
    for i in 0..10 {
        let job = timeout(Duration::from_secs(10), on_one.next())
            .await
            .unwrap()
            .unwrap();
        on_one.ack(&job).await.unwrap();
        assert_eq!(job.payload, Bytes::from(format!("job {i}")));
    }
    assert!(
        timeout(Duration::from_millis(300), on_two.next())
            .await
            .is_err(),
        "the other deployment takes none"
    );
    assert!(heard_by_two.try_recv().is_err(), "…and hears nothing");
}

#[tokio::test]
async fn a_job_held_by_a_consumer_that_died_is_taken_over() {
    let Some(url) = redis_url() else { return };
    let broker = Broker::redis(&url, &prefix()).await.unwrap();
    let claim_after = Duration::from_millis(200);
    let mut dying = broker
        .consumer("q", "bots", "dying", claim_after)
        .await
        .unwrap();
    broker
        .enqueue("q", Bytes::from_static(b"held"))
        .await
        .unwrap();
    let taken = dying.next().await.unwrap();
    assert_eq!(taken.payload, "held");
    drop(dying); // never acknowledged: the process died while answering
    let mut next = broker
        .consumer("q", "bots", "next", claim_after)
        .await
        .unwrap();
    let job = timeout(Duration::from_secs(20), next.next())
        .await
        .expect("the held job is taken over")
        .unwrap();
    assert_eq!(job.payload, "held");
    next.ack(&job).await.unwrap();
}

#[tokio::test]
async fn consumers_of_stopped_processes_do_not_pile_up() {
    let Some(url) = redis_url() else { return };
    let prefix = prefix();
    let broker = Broker::redis(&url, &prefix).await.unwrap();
    let claim_after = Duration::from_millis(200);
    // Three processes came and went, each its own consumer.
    for name in ["gone-1", "gone-2", "gone-3"] {
        let mut consumer = broker
            .consumer("q", "bots", name, claim_after)
            .await
            .unwrap();
        broker.enqueue("q", Bytes::from(name)).await.unwrap();
        let job = consumer.next().await.unwrap();
        consumer.ack(&job).await.unwrap();
    }
    tokio::time::sleep(claim_after * 2).await;
    let mut live = broker
        .consumer("q", "bots", "live", claim_after)
        .await
        .unwrap();
    broker
        .enqueue("q", Bytes::from_static(b"for the live one"))
        .await
        .unwrap();
    let job = timeout(Duration::from_secs(10), live.next())
        .await
        .unwrap()
        .unwrap();
    live.ack(&job).await.unwrap();
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let consumers: redis::streams::StreamInfoConsumersReply =
        redis::AsyncCommands::xinfo_consumers(&mut connection, format!("{prefix}:queue:q"), "bots")
            .await
            .unwrap();
    let names: Vec<String> = consumers.consumers.into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["live"]);
}

#[tokio::test]
async fn a_redis_that_accepts_and_never_answers_is_a_clear_error_not_a_hang() {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let at = silent.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket); // accepted, never read, never answered
        }
    });
    let outcome = timeout(
        Duration::from_secs(30),
        Broker::redis(&format!("redis://{at}"), "bullpen"),
    )
    .await;
    let err = outcome
        .expect("gave up within a bounded time")
        .err()
        .expect("an error");
    let text = err.to_string();
    assert!(
        text.contains("Redis") && text.contains(&at.to_string()) && text.contains("did not answer"),
        "{text}"
    );
}

#[tokio::test]
async fn publishing_and_subscribing_heal_when_redis_comes_back() {
    let test = "publishing_and_subscribing_heal_when_redis_comes_back";
    let Some(mut redis) = ScratchRedis::start(test).await else {
        return;
    };
    let broker = Broker::redis(&redis.url(), "bullpen").await.unwrap();
    let mut heard = broker.subscribe("channel:1");
    broker
        .publish("channel:1", Bytes::from_static(b"before"))
        .await
        .unwrap();
    assert_eq!(
        timeout(Duration::from_secs(5), heard.recv())
            .await
            .unwrap()
            .unwrap(),
        "before"
    );

    redis.stop().await;
    let down = until(|| async { broker.ready().is_err() }).await;
    assert!(down, "the broker noticed Redis went away");
    assert!(
        broker
            .publish("channel:1", Bytes::from_static(b"lost"))
            .await
            .is_err(),
        "a publish says it failed"
    );
    assert!(broker.check().await.is_err());

    redis.restart().await;
    assert!(
        until(|| async { broker.check().await.is_ok() }).await,
        "the broker is back"
    );
    let gap = timeout(Duration::from_secs(5), heard.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(
        is_gap(&gap),
        "the subscriber is told to resync, got {gap:?}"
    );
    broker
        .publish("channel:1", Bytes::from_static(b"after"))
        .await
        .unwrap();
    assert_eq!(
        timeout(Duration::from_secs(5), heard.recv())
            .await
            .unwrap()
            .unwrap(),
        "after"
    );
}

/// Whether `condition` holds within 20 s, asked every 50 ms.
async fn until<F, Fut>(condition: F) -> bool
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..400 {
        if condition().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
}
