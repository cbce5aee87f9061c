//! The Redis broker: two instances on one Redis share every topic (TEST_REDIS_URL).

#![cfg(feature = "ssr")]

mod common;

use std::time::Duration;

use bullpen::platform::broker::Broker;
use bytes::Bytes;
use tokio::time::timeout;

fn redis_url() -> Option<String> {
    common::redis_url("the Redis broker tests")
}

#[tokio::test]
async fn a_message_published_on_one_instance_reaches_subscribers_on_both_once() {
    let Some(url) = redis_url() else { return };
    let (a, b) = (
        Broker::redis(&url).await.unwrap(),
        Broker::redis(&url).await.unwrap(),
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
    let (a, b) = (Broker::redis(&url).await.unwrap(), Broker::redis(&url).await.unwrap());
    let queue = format!("test:{}:{}", std::process::id(), rand_suffix());
    // Queued before any consumer exists: still delivered.
    a.enqueue(&queue, Bytes::from_static(b"early")).await.unwrap();
    let mut on_a = a.consumer(&queue, "bots", "a").await.unwrap();
    let mut on_b = b.consumer(&queue, "bots", "b").await.unwrap();
    for i in 0..10 {
        b.enqueue(&queue, Bytes::from(format!("job {i}"))).await.unwrap();
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
    let mut expected: Vec<String> = (0..10).map(|i| format!("job {i}")).chain(["early".to_string()]).collect();
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
    let err = Broker::redis("redis://127.0.0.1:1")
        .await
        .err()
        .expect("refused");
    assert!(
        err.to_string()
            .starts_with("the message broker (Redis) is unreachable"),
        "{err}"
    );
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
}
