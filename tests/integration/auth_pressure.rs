//! Sign-in under pressure, over HTTP on SQLite and PostgreSQL: throttles that hold when the
//! attempts arrive all at once, sign-ups counted per address, password hashing that a burst
//! cannot pile up (memory bounded, 503 + Retry-After beyond the queue, /health still answering),
//! and a reused refresh token that ends its session even inside the grace window.

use std::time::{Duration, Instant};

use crate::common::harness::Harness;
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Sign-in with `login`/`password` as if from `client` (the harness trusts X-Forwarded-For).
async fn login_from(h: &Harness, client: &str, login: &str, password: &str) -> reqwest::Response {
    h.http
        .post(h.server.url("/api/auth/login"))
        .header("x-forwarded-for", client)
        .json(&json!({"login": login, "password": password}))
        .send()
        .await
        .unwrap()
}

async fn register_from(h: &Harness, client: &str, name: &str) -> reqwest::Response {
    h.http
        .post(h.server.url("/api/auth/register"))
        .header("x-forwarded-for", client)
        .json(&json!({
            "email": format!("{name}@example.com"),
            "username": name,
            "displayName": name,
            "password": "correct horse battery",
        }))
        .send()
        .await
        .unwrap()
}

fn retry_after(response: &reqwest::Response) -> Option<u64> {
    response
        .headers()
        .get("retry-after")?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

on_both!(parallel_wrong_passwords_check_at_most_the_limit);
async fn parallel_wrong_passwords_check_at_most_the_limit(h: Harness) {
    h.register("ana@example.com", "ana").await;
    // Twenty at once, each from its own address: only the account's limit may be checked.
    let answers = join_all((0..20).map(|i| {
        let client = format!("10.1.0.{i}");
        let h = &h;
        async move { login_from(h, &client, "ana", "not the password").await }
    }))
    .await;
    let statuses: Vec<_> = answers.iter().map(|r| r.status().as_u16()).collect();
    let checked = answers
        .iter()
        .filter(|r| r.status() == StatusCode::UNAUTHORIZED)
        .count();
    let refused: Vec<_> = answers
        .iter()
        .filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(
        checked, 5,
        "exactly the limit of passwords is checked: {statuses:?}"
    );
    assert_eq!(refused.len(), 15, "the rest are refused before any check");
    assert!(refused
        .iter()
        .all(|r| retry_after(r).is_some_and(|s| (1..=60).contains(&s))));

    // The right password now waits too: the account is locked for the window, not guessable.
    let right = login_from(&h, "10.1.1.1", "ana", "correct horse battery").await;
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS);
    // What is stored is the checked failures only.
    let rows = h
        .scalar("SELECT CAST(COUNT(*) AS TEXT) FROM login_failures WHERE key = 'account:ana'")
        .await;
    assert_eq!(rows, "5");
}

on_both!(parallel_attempts_from_one_address_are_counted_together);
async fn parallel_attempts_from_one_address_are_counted_together(h: Harness) {
    // Twenty different accounts, one address: the address's limit holds as well.
    let answers = join_all((0..20).map(|i| {
        let h = &h;
        async move { login_from(h, "192.0.2.9", &format!("nobody{i}"), "whatever123").await }
    }))
    .await;
    let checked = answers
        .iter()
        .filter(|r| r.status() == StatusCode::UNAUTHORIZED)
        .count();
    let refused = answers
        .iter()
        .filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, refused), (5, 15));
}

on_both!(
    a_correct_password_is_not_counted_against_the_address,
    [("SIGNUP_RATE_LIMIT", "20")]
);
async fn a_correct_password_is_not_counted_against_the_address(h: Harness) {
    // An office behind one address: ten people sign in correctly, none is refused.
    for i in 0..10 {
        let name = format!("office{i}");
        assert_eq!(
            register_from(&h, "198.51.100.20", &name).await.status(),
            StatusCode::OK
        );
    }
    for i in 0..10 {
        let response = login_from(
            &h,
            "198.51.100.20",
            &format!("office{i}"),
            "correct horse battery",
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK, "sign-in {i}");
    }
}

on_both!(
    sign_ups_are_throttled_per_address,
    [("SIGNUP_RATE_LIMIT", "3")]
);
async fn sign_ups_are_throttled_per_address(h: Harness) {
    // Ten at once from one address: exactly three accounts are created.
    let answers = join_all((0..10).map(|i| {
        let h = &h;
        async move { register_from(h, "203.0.113.5", &format!("burst{i}")).await }
    }))
    .await;
    let created = answers
        .iter()
        .filter(|r| r.status() == StatusCode::OK)
        .count();
    let refused: Vec<_> = answers
        .iter()
        .filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!((created, refused.len()), (3, 7));
    assert!(refused
        .iter()
        .all(|r| retry_after(r).is_some_and(|s| s > 60 && s <= 3600)));
    let accounts = h
        .scalar("SELECT CAST(COUNT(*) AS TEXT) FROM users WHERE username LIKE 'burst%'")
        .await;
    assert_eq!(accounts, "3", "nothing half-created by the refused ones");

    let refused = register_from(&h, "203.0.113.5", "later").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    assert!(
        body["error"].as_str().unwrap().contains("Try again in"),
        "{body}"
    );

    // Another address is not affected.
    assert_eq!(
        register_from(&h, "203.0.113.6", "neighbour").await.status(),
        StatusCode::OK
    );
}

on_both!(
    a_burst_of_sign_ins_stays_bounded,
    [("HASH_CONCURRENCY", "1"), ("HASH_QUEUE", "8")]
);
async fn a_burst_of_sign_ins_stays_bounded(h: Harness) {
    h.register("bob@example.com", "bob").await;
    let idle = h.server.rss_kib();
    // 200 at once, each its own address (no throttle stands in the way): one
    // hashing thread and eight waiting places take what they can, the rest are told to retry.
    let burst = join_all((0..200).map(|i| {
        let h = &h;
        async move {
            let client = format!("10.2.{}.{}", i / 250, i % 250);
            // Five for the real account (its own limit), the rest for unknown ones (the dummy
            // hash runs all the same).
            let login = if i % 40 == 0 {
                "bob".to_string()
            } else {
                format!("ghost{i}")
            };
            login_from(h, &client, &login, "correct horse battery").await
        }
    }));
    // The server keeps answering while it hashes.
    let health = async {
        let mut statuses = Vec::new();
        let mut peak = 0;
        for _ in 0..10 {
            statuses.push(h.server.get("/health").await.status());
            peak = peak.max(h.server.rss_kib());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        (statuses, peak)
    };
    let (answers, (health, peak)) = tokio::join!(burst, health);
    assert!(health.iter().all(|s| *s == StatusCode::OK), "{health:?}");

    let mut ok = 0;
    let mut busy = 0;
    for response in &answers {
        match response.status() {
            StatusCode::OK | StatusCode::UNAUTHORIZED => ok += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(retry_after(response), Some(1), "503 says when to come back");
                busy += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(ok + busy, 200);
    assert!(busy > 0, "a queue of eight cannot take 200");
    assert!(
        ok >= 9,
        "the hashing thread and the queue are used: {ok} answered"
    );
    // One hashing thread at 19 MiB: the burst costs far less than 300 MB.
    assert!(
        peak.saturating_sub(idle) < 300 * 1024,
        "memory rose by {} MiB during the burst",
        peak.saturating_sub(idle) / 1024
    );
    // And it goes back: what the burst freed is returned to the system (within a few trims).
    let mut settled = h.server.rss_kib();
    for _ in 0..40 {
        if settled.saturating_sub(idle) < 48 * 1024 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        settled = h.server.rss_kib();
    }
    assert!(
        settled.saturating_sub(idle) < 48 * 1024,
        "memory stayed {} MiB above idle after the burst",
        settled.saturating_sub(idle) / 1024
    );
    // Those who were told to retry get in when they do.
    let retried = login_from(&h, "10.3.0.1", "bob", "correct horse battery").await;
    assert_eq!(retried.status(), StatusCode::OK);
    assert!(
        h.server.errors_logged().is_empty(),
        "{:?}",
        h.server.errors_logged()
    );
}

on_both!(a_reused_token_ends_the_session_once_its_successor_was_used);
async fn a_reused_token_ends_the_session_once_its_successor_was_used(h: Harness) {
    let first = h.register("cyd@example.com", "cyd").await;
    let r1 = first["refreshToken"].as_str().unwrap().to_owned();
    let refresh = |token: String| {
        let h = &h;
        async move {
            h.post("/api/auth/refresh", json!({"refreshToken": token}))
                .await
        }
    };
    let (status, second) = refresh(r1.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let r2 = second["refreshToken"].as_str().unwrap().to_owned();
    let (status, third) = refresh(r2).await;
    assert_eq!(status, StatusCode::OK, "the successor is used");
    let r3 = third["refreshToken"].as_str().unwrap().to_owned();
    let access = third["token"].as_str().unwrap().to_owned();

    // Seconds later — inside any grace window — the first token comes back: a copy.
    let started = Instant::now();
    assert_eq!(refresh(r1).await.0, StatusCode::UNAUTHORIZED);
    assert!(started.elapsed() < Duration::from_secs(30));
    // The whole family is gone, the newest tokens too.
    assert_eq!(refresh(r3).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(h.me(&access).await.0, StatusCode::UNAUTHORIZED);
}

on_both!(a_race_of_two_tabs_inside_the_grace_window_keeps_the_session);
async fn a_race_of_two_tabs_inside_the_grace_window_keeps_the_session(h: Harness) {
    // The browser's two tabs present the same refresh cookie at once: not theft.
    let (status, _) = h
        .post(
            "/api/auth/register",
            json!({"email": "dia@example.com", "username": "dia", "displayName": "Dia", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let signed_in = h
        .http
        .post(h.server.url("/api/session/sign_in"))
        .form(&[("login", "dia"), ("password", "correct horse battery")])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::OK);
    let refresh_cookie = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("bullpen_refresh="))
        .and_then(|v| v.split(';').next())
        .expect("a refresh cookie")
        .to_owned();
    // No access cookie: each tab must refresh. Both get through, and neither is signed out.
    let tabs = join_all((0..2).map(|_| {
        h.http
            .get(h.server.url("/api/session/current"))
            .header("cookie", &refresh_cookie)
            .send()
    }))
    .await;
    for tab in tabs {
        let tab = tab.unwrap();
        assert_eq!(tab.status(), StatusCode::OK);
        let body: Value = tab.json().await.unwrap();
        assert_eq!(body["username"], "dia", "{body}");
    }
}
