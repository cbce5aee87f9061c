//! What an operator runs the app by: Prometheus metrics that move with what happens (sockets,
//! deliveries, stored messages and their latency, answers, queues), a token in front of them
//! when one is set, a readiness check, and a request id on every answer and in the logs. Each
//! test server is its own process, so its metrics are its own. On SQLite and (when
//! TEST_DATABASE_URL is set) PostgreSQL.

use crate::common::harness::Harness;
use serde_json::{json, Value};

/// The sample `name` (with its labels, as printed) of a scrape.
fn sample(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("{name} missing from\n{text}"))
        .parse()
        .unwrap()
}

async fn scrape(h: &Harness) -> String {
    let answer = h.server.get("/metrics").await;
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    answer.text().await.unwrap()
}

on_both!(metrics_move_with_what_happens);
async fn metrics_move_with_what_happens(h: Harness) {
    let before = scrape(&h).await;
    assert_eq!(sample(&before, "bullpen_realtime_connections"), 0.0);
    assert_eq!(sample(&before, "bullpen_message_store_seconds_count"), 0.0);
    assert_eq!(sample(&before, "bullpen_writer_queue_depth"), 0.0);
    // Nothing has been said yet: nothing waits for the AI.
    for queue in ["judge", "translate"] {
        let line = format!("bullpen_ai_backlog{{queue=\"{queue}\"}}");
        assert_eq!(sample(&before, &line), 0.0);
    }

    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Desk", "public").await;
    h.ok(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;
    let mut ana_socket = h.socket(&ana).await;
    ana_socket.subscribe(&general, None).await;
    let mut bo_socket = h.socket(&bo).await;
    bo_socket.subscribe(&general, None).await;
    let during = scrape(&h).await;
    assert_eq!(sample(&during, "bullpen_realtime_connections"), 2.0);

    for n in 0..3 {
        ana_socket
            .say(&general, &format!("n{n}"), "Watching $AAPL into the close")
            .await;
    }
    // Bo has all three when they are stored and delivered.
    let mut seen = 0;
    while seen < 3 {
        let event: Value = bo_socket.next_event().await;
        if event["type"] == "messageCreated" {
            seen += 1;
        }
    }
    let after = scrape(&h).await;
    assert_eq!(sample(&after, "bullpen_message_store_seconds_count"), 3.0);
    assert_eq!(
        sample(&after, "bullpen_message_store_seconds_bucket{le=\"+Inf\"}"),
        3.0
    );
    assert!(sample(&after, "bullpen_message_store_seconds_sum") > 0.0);
    // They went to both sockets (consecutive messages may travel as one bundle).
    assert!(
        sample(&after, "bullpen_realtime_deliveries_total")
            >= sample(&during, "bullpen_realtime_deliveries_total") + 2.0,
        "{after}"
    );
    assert!(sample(&after, "bullpen_http_answers_total{class=\"2xx\"}") > 0.0);
    let missing = h.server.get("/api/no/such/thing").await;
    assert_eq!(missing.status(), 404);
    let later = scrape(&h).await;
    assert!(
        sample(&later, "bullpen_http_answers_total{class=\"4xx\"}")
            > sample(&after, "bullpen_http_answers_total{class=\"4xx\"}")
    );

    drop(ana_socket);
    drop(bo_socket);
    let mut closed = false;
    for _ in 0..50 {
        if sample(&scrape(&h).await, "bullpen_realtime_connections") == 0.0 {
            closed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(closed, "closed sockets are no longer counted");
}

on_both!(
    metrics_behind_a_token_answer_only_the_token,
    [("METRICS_TOKEN", "scrape-0123456789abcdef")]
);
async fn metrics_behind_a_token_answer_only_the_token(h: Harness) {
    let url = h.server.url("/metrics");
    let plain = h.http.get(&url).send().await.unwrap();
    assert_eq!(plain.status(), 401);
    assert_eq!(plain.headers()["www-authenticate"], "Bearer");
    for wrong in [
        "Bearer scrape-0123456789abcdeX",
        "Bearer ",
        "scrape-0123456789abcdef",
    ] {
        let answer = h
            .http
            .get(&url)
            .header("authorization", wrong)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 401, "{wrong}");
    }
    let right = h
        .http
        .get(&url)
        .header("authorization", "Bearer scrape-0123456789abcdef")
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
    assert!(right
        .text()
        .await
        .unwrap()
        .contains("# TYPE bullpen_realtime_connections gauge"));
}

on_both!(readiness_and_request_ids);
async fn readiness_and_request_ids(h: Harness) {
    let ready = h.server.get("/ready").await;
    assert_eq!(ready.status(), 200);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["ready"], true, "{body}");
    assert_eq!(body["db"], "ok", "{body}");
    assert_eq!(body["broker"], "ok", "{body}");
    // The original design's health address answers like /health.
    let health = h.server.get("/api/health").await;
    assert_eq!(health.status(), 200);
    let body: Value = health.json().await.unwrap();
    assert_eq!(body["status"], "healthy", "{body}");

    // Every answer names its request: a new id, or the proxy's when it is a sensible token.
    let made = h.server.get("/health").await;
    let id = made.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    let again = h.server.get("/health").await;
    assert_ne!(again.headers()["x-request-id"].to_str().unwrap(), id);
    let url = h.server.url("/health");
    let kept = h
        .http
        .get(&url)
        .header("x-request-id", "lb-7f3a.42_x")
        .send()
        .await
        .unwrap();
    assert_eq!(kept.headers()["x-request-id"], "lb-7f3a.42_x");
    let refused = h
        .http
        .get(&url)
        .header("x-request-id", "<script>alert(1)</script>")
        .send()
        .await
        .unwrap();
    let replaced = refused.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(replaced).is_ok(), "{replaced}");
    // Refusals name theirs too (the boundary answers before any route).
    let foreign = h
        .http
        .post(h.server.url("/api/session/logout"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    assert!(foreign.headers().contains_key("x-request-id"));
}
