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
