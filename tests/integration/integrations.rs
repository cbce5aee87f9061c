//! The integrations marketplace as a community's admins and other programs meet it: the stock
//! bot comes installed and can be removed; an incoming webhook's secret address posts into its
//! channel from its own bot (a member marked Bot, with its own limit) and stops answering the
//! moment it is removed; an outgoing webhook sends each new message, signed with HMAC-SHA256,
//! retries on a failure with a growing wait, gives up, withdraws what was deleted, and keeps a
//! log. Only those who manage the community install, remove or read logs. On SQLite and (with
//! TEST_DATABASE_URL) PostgreSQL.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use crate::common::{harness::Harness, people::Person};
use axum::{extract::State, http::HeaderMap, routing::post, Router};
use chrono::Utc;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;

async fn marketplace(h: &Harness, who: &Person, slug: &str) -> (StatusCode, Value) {
    h.read(who, &format!("/api/integrations/list?slug={slug}"))
        .await
}

async fn install(h: &Harness, who: &Person, slug: &str, integration: Value) -> (StatusCode, Value) {
    h.call(
        who,
        "/api/integrations/install",
        json!({"slug": slug, "integration": integration}),
    )
    .await
}

/// Posts `body` to a hook's address (as another program does: no session, no Origin).
async fn hook(h: &Harness, path: &str, body: Value) -> reqwest::Response {
    h.http
        .post(h.server.url(path))
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn installed_kinds(market: &Value) -> Vec<String> {
    market["installed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap().to_string())
        .collect()
}

on_both!(
    incoming_webhooks_post_as_their_bot_until_removed,
    [("BOT_RATE_LIMIT", "5")]
);
async fn incoming_webhooks_post_as_their_bot_until_removed(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let gus = h.person("gus_g").await;
    let (slug, general) = h.community(&ana, "Build Desk", "public").await;
    for who in [&bo, &cy] {
        h.ok(who, "/api/communities/join", json!({"slug": slug}))
            .await;
    }
    let rank = |who: &str, rank: &str| json!({"slug": slug, "username": who, "rank": rank});
    h.ok(&ana, "/api/communities/rank", rank("cy_c", "moderator"))
        .await;

    // A new community comes with the stock bot.
    let (status, market) = marketplace(&h, &ana, &slug).await;
    assert_eq!(status, StatusCode::OK, "{market}");
    assert_eq!(installed_kinds(&market), ["stock-bot"]);

    // Only those who manage the community see or change the marketplace.
    let hook_at_general =
        json!({"kind": "incoming-webhook", "name": "Deploys", "channel": general});
    for who in [&bo, &cy, &gus] {
        let (status, answer) = marketplace(&h, who, &slug).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{}: {answer}", who.name);
        assert!(answer["error"].as_str().is_some_and(|m| !m.is_empty()));
        let (status, _) = install(&h, who, &slug, hook_at_general.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{}", who.name);
    }
    let (status, _) = h
        .post(
            "/api/integrations/install",
            json!({"slug": slug, "integration": hook_at_general}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Bad installs are refused in words, and leave nothing behind.
    for (bad, expected) in [
        (
            json!({"kind": "incoming-webhook", "name": " ", "channel": general}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"kind": "incoming-webhook", "name": "x".repeat(41), "channel": general}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"kind": "incoming-webhook", "name": "No channel"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"kind": "outgoing-webhook", "name": "Out", "channel": general, "url": "ftp://example.com/in"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"kind": "outgoing-webhook", "name": "Out", "channel": general, "url": "https://me:pw@example.com/in"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"kind": "incoming-webhook", "name": "Elsewhere", "channel": uuid::Uuid::now_v7().to_string()}),
            StatusCode::NOT_FOUND,
        ),
        (
            json!({"kind": "incoming-webhook", "name": "Bad channel", "channel": "<script>"}),
            StatusCode::NOT_FOUND,
        ),
        (json!({"kind": "stock-bot"}), StatusCode::CONFLICT),
    ] {
        let (status, answer) = install(&h, &ana, &slug, bad.clone()).await;
        assert_eq!(status, expected, "{bad}: {answer}");
        assert!(
            answer["error"].as_str().is_some_and(|m| !m.is_empty()),
            "{answer}"
        );
    }
    let (status, _) = install(&h, &ana, &slug, json!({"kind": "a-crypto-miner"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        h.count("SELECT COUNT(*) FROM integrations").await,
        2,
        "the default community's stock bot and this one's"
    );
    let users_before = h.count("SELECT COUNT(*) FROM users").await;

    // Installed: the address is shown once; the bot is a member.
    let made = h
        .ok(
            &ana,
            "/api/integrations/install",
            json!({"slug": slug, "integration": hook_at_general}),
        )
        .await;
    let address = made["secret"].as_str().unwrap().to_string();
    assert!(address.starts_with("/api/v1/hooks/"), "{made}");
    assert_eq!(made["installed"]["channel"], "general");
    assert_eq!(made["installed"]["installedBy"], "Ana Lima");
    assert_eq!(
        h.count("SELECT COUNT(*) FROM users").await,
        users_before + 1
    );
    let (_, market) = marketplace(&h, &ana, &slug).await;
    assert_eq!(installed_kinds(&market), ["stock-bot", "incoming-webhook"]);
    assert!(market["installed"][1].get("secret").is_none(), "{market}");
    let stored = h
        .scalar(
            "SELECT COALESCE(secret_hash, '') FROM integrations WHERE kind = 'incoming-webhook'",
        )
        .await;
    assert!(
        !address.contains(&stored) && stored.len() == 64,
        "only a hash is kept"
    );

    let mut watcher = h.socket(&bo).await;
    watcher.subscribe(&general, None).await;
    let posted = hook(&h, &address, json!({"text": "Build **42** is live"})).await;
    assert_eq!(posted.status(), StatusCode::CREATED);
    let message: Value = posted.json().await.unwrap();
    let bot_name = message["author"]["username"].as_str().unwrap().to_string();
    assert!(bot_name.ends_with("[bot]"), "{message}");
    assert_eq!(message["author"]["displayName"], "Deploys");
    let live = watcher.expect("messageCreated").await;
    assert_eq!(live["message"]["body"], "Build **42** is live", "{live}");
    let members = h
        .get_json(&format!("/api/v1/communities/{slug}/members"), &bo.token)
        .await;
    assert!(
        members
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["username"] == bot_name),
        "{members}"
    );
    // Discord's shape works too.
    let posted = hook(&h, &address, json!({"content": "and Discord's shape"})).await;
    assert_eq!(posted.status(), StatusCode::CREATED);

    // What another program can get wrong, answered in words.
    let (id, secret) = address
        .trim_start_matches("/api/v1/hooks/")
        .split_once('/')
        .unwrap();
    let wrong = hook(
        &h,
        &format!("/api/v1/hooks/{id}/{}", "0".repeat(64)),
        json!({"text": "hi"}),
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::NOT_FOUND);
    let said: Value = wrong.json().await.unwrap();
    assert!(
        said["error"].as_str().is_some_and(|m| !m.is_empty()),
        "{said}"
    );
    let unknown = hook(
        &h,
        &format!("/api/v1/hooks/not-an-id/{secret}"),
        json!({"text": "hi"}),
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    for (body, expected) in [
        (json!({"text": "   "}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({}), StatusCode::UNPROCESSABLE_ENTITY),
        (
            json!({"text": "x".repeat(4001)}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!({"text": 42}), StatusCode::BAD_REQUEST),
    ] {
        let answer = hook(&h, &address, body.clone()).await;
        assert_eq!(answer.status(), expected, "{body}");
    }
    let malformed = h
        .http
        .post(h.server.url(&address))
        .header("content-type", "application/json")
        .body("{\"text\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let plain = h
        .http
        .post(h.server.url(&address))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // A page of another site cannot make a visitor's browser post through it.
    let foreign = h
        .http
        .post(h.server.url(&address))
        .header("origin", "https://evil.example")
        .json(&json!({"text": "from a foreign page"}))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);

    // Its own limit: 5 a minute (two used above). A burst of ten at once: three more land,
    // the rest are told when to come back, and nothing else is stored.
    let burst = futures::future::join_all(
        (0..10).map(|n| hook(&h, &address, json!({"text": format!("burst {n}")}))),
    )
    .await;
    let created = burst
        .iter()
        .filter(|r| r.status() == StatusCode::CREATED)
        .count();
    let limited: Vec<&reqwest::Response> = burst
        .iter()
        .filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!((created, limited.len()), (3, 7));
    assert!(limited
        .iter()
        .all(|r| r.headers().contains_key("retry-after")));
    let bot_messages = format!(
        "SELECT COUNT(*) FROM messages m JOIN users u ON u.id = m.author_id WHERE u.username = '{bot_name}'"
    );
    assert_eq!(h.count(&bot_messages).await, 5);
    // People keep their own limit beside it.
    h.say(&bo, &general, "people still talk").await;

    // An admin who is demoted loses the marketplace at once.
    h.ok(&ana, "/api/communities/rank", rank("bo_b", "admin"))
        .await;
    let (status, _) = marketplace(&h, &bo, &slug).await;
    assert_eq!(status, StatusCode::OK);
    h.ok(&ana, "/api/communities/rank", rank("bo_b", "member"))
        .await;
    let (status, _) = marketplace(&h, &bo, &slug).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Removed: the address stops answering at once, the bot leaves, what it said stays.
    let hook_id = made["installed"]["id"].as_str().unwrap();
    let (status, answer) = h
        .call(
            &bo,
            "/api/integrations/remove",
            json!({"slug": slug, "id": hook_id}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    h.ok(
        &ana,
        "/api/integrations/remove",
        json!({"slug": slug, "id": hook_id}),
    )
    .await;
    let gone = hook(&h, &address, json!({"text": "still here?"})).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    let (status, _) = h
        .call(
            &ana,
            "/api/integrations/remove",
            json!({"slug": slug, "id": hook_id}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let members = h
        .get_json(&format!("/api/v1/communities/{slug}/members"), &bo.token)
        .await;
    assert!(
        !members
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["username"] == bot_name),
        "{members}"
    );
    assert_eq!(h.count(&bot_messages).await, 5);
    let history = h
        .get_json(&format!("/api/v1/channels/{general}/messages"), &bo.token)
        .await;
    assert!(
        history["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["author"]["displayName"] == "Deploys"),
        "{history}"
    );
}

/// The lines a command answered with, in the sender's language.
async fn command(h: &Harness, who: &Person, channel: &str, body: &str) -> Vec<String> {
    let response = h
        .http
        .post(
            h.server
                .url(&format!("/api/v1/channels/{channel}/messages")),
        )
        .bearer_auth(&who.token)
        .json(&json!({"body": body}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let reply: Value = response.json().await.unwrap();
    reply["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect()
}

/// A community's members' usernames, sorted.
async fn member_names(h: &Harness, who: &Person, slug: &str) -> Vec<String> {
    let members = h
        .get_json(&format!("/api/communities/members?slug={slug}"), &who.token)
        .await;
    let mut names: Vec<String> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["username"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

on_both!(the_stock_bot_answers_where_it_is_installed);
async fn the_stock_bot_answers_where_it_is_installed(h: Harness) {
    let ana = h.person("ana").await;
    let (slug, general) = h.community(&ana, "Quote Desk", "public").await;
    // Installed with the community, the stock bot is one of its members (the list shows it with
    // a Bot badge), and not a person who joined.
    assert_eq!(member_names(&h, &ana, &slug).await, ["ana", "stockbot"]);
    let (_, market) = marketplace(&h, &ana, &slug).await;
    let stock_bot = market["installed"][0]["id"].as_str().unwrap().to_string();
    h.ok(
        &ana,
        "/api/integrations/remove",
        json!({"slug": slug, "id": stock_bot}),
    )
    .await;
    assert_eq!(member_names(&h, &ana, &slug).await, ["ana"]);
    assert_eq!(
        h.count("SELECT COUNT(*) FROM membership_changes WHERE change <> 'joined'")
            .await,
        0,
        "a bot leaving is not a person leaving"
    );
    let refused = command(&h, &ana, &general, "/stock=aapl.us").await;
    assert!(refused[0].contains("not installed"), "{refused:?}");
    let history = h
        .get_json(&format!("/api/v1/channels/{general}/messages"), &ana.token)
        .await;
    assert!(
        history["messages"].as_array().unwrap().is_empty(),
        "nothing posted for the refused command: {history}"
    );

    // Two admins install it at once: one install, one clear refusal.
    let both = futures::future::join(
        install(&h, &ana, &slug, json!({"kind": "stock-bot"})),
        install(&h, &ana, &slug, json!({"kind": "stock-bot"})),
    )
    .await;
    let mut statuses = [both.0 .0, both.1 .0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{both:?}");
    let asked = command(&h, &ana, &general, "/stock=aapl.us").await;
    assert!(!asked[0].contains("not installed"), "{asked:?}");
    assert_eq!(member_names(&h, &ana, &slug).await, ["ana", "stockbot"]);
    // Installed again, it answers in the channel.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let history = h
            .get_json(&format!("/api/v1/channels/{general}/messages"), &ana.token)
            .await;
        let answered = history["messages"].as_array().unwrap().iter().any(|m| {
            m["author"]["username"] == "stockbot"
                && m["body"].as_str().unwrap_or("").contains("AAPL")
        });
        if answered {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the stock bot never answered: {history}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// What the receiver was sent: each request's headers and body.
type Seen = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A program that receives webhooks on 127.0.0.1: `/in` fails its first two requests with 500,
/// then answers 200; `/slow` answers after 3 s; `/down` always 503.
async fn receiver() -> (String, Seen) {
    let seen: Seen = Arc::default();
    async fn record(State(seen): State<Seen>, headers: HeaderMap, body: String) -> StatusCode {
        let mut seen = seen.lock().unwrap();
        seen.push((headers, body));
        if seen.len() <= 2 {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::OK
        }
    }
    let app = Router::new()
        .route("/in", post(record))
        .route(
            "/slow",
            post(|| async {
                tokio::time::sleep(Duration::from_secs(3)).await;
                StatusCode::OK
            }),
        )
        .route("/down", post(|| async { StatusCode::SERVICE_UNAVAILABLE }))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, seen)
}

async fn log(h: &Harness, who: &Person, slug: &str, id: &str) -> (StatusCode, Value) {
    h.read(
        who,
        &format!("/api/integrations/deliveries?slug={slug}&id={id}"),
    )
    .await
}

/// The delivery log once `done` holds (rounds run every 100 ms here).
async fn log_when(
    h: &Harness,
    who: &Person,
    slug: &str,
    id: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let (status, entries) = log(h, who, slug, id).await;
        assert_eq!(status, StatusCode::OK, "{entries}");
        if done(&entries) {
            return entries;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never came to pass: {entries}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The test clock: the next attempt of every pending delivery is due now.
async fn due_now(h: &Harness) {
    h.sql(
        "UPDATE webhook_deliveries SET next_at = $1 WHERE status = 'pending'",
        vec![(Utc::now() - chrono::Duration::seconds(1)).into()],
    )
    .await;
}

fn outgoing(name: &str, channel: &str, url: &str) -> Value {
    json!({"kind": "outgoing-webhook", "name": name, "channel": channel, "url": url})
}

on_both!(
    outgoing_webhooks_sign_retry_give_up_and_keep_a_log,
    [
        ("WEBHOOK_POLL_MS", "100"),
        ("WEBHOOK_TIMEOUT_MS", "500"),
        ("OUTBOUND_TO_PRIVATE_ADDRESSES", "on")
    ]
);
async fn outgoing_webhooks_sign_retry_give_up_and_keep_a_log(h: Harness) {
    let (base, seen) = receiver().await;
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Signal Desk", "public").await;
    h.ok(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;
    h.say(&bo, &general, "before any webhook").await;
    let made = h
        .ok(
            &ana,
            "/api/integrations/install",
            json!({"slug": slug, "integration": outgoing("Mirror", &general, &format!("{base}/in"))}),
        )
        .await;
    let key = made["secret"].as_str().unwrap().to_string();
    assert!(key.starts_with("whsec_"), "{made}");
    let id = made["installed"]["id"].as_str().unwrap().to_string();

    // The first attempt fails (500): pending, with the next try about 10 s away.
    let sent = h.say(&bo, &general, "hello, **hooks** $AAPL").await;
    let entries = log_when(&h, &ana, &slug, &id, |e| e[0]["attempts"] == 1).await;
    assert_eq!(
        entries.as_array().unwrap().len(),
        1,
        "only what came after the install: {entries}"
    );
    let first = &entries[0];
    assert_eq!(first["messageId"], sent);
    assert_eq!(first["status"], "pending");
    assert_eq!(first["failure"], "status");
    assert_eq!(first["lastCode"], 500);
    let wait = chrono::DateTime::parse_from_rfc3339(first["nextAt"].as_str().unwrap()).unwrap()
        - chrono::DateTime::parse_from_rfc3339(first["createdAt"].as_str().unwrap()).unwrap();
    assert!((9..=12).contains(&wait.num_seconds()), "{first}");

    // Retried when due: 500 again (the wait grows to a minute), then delivered.
    due_now(&h).await;
    let entries = log_when(&h, &ana, &slug, &id, |e| e[0]["attempts"] == 2).await;
    let next =
        chrono::DateTime::parse_from_rfc3339(entries[0]["nextAt"].as_str().unwrap()).unwrap();
    assert!(
        next - Utc::now().fixed_offset() > chrono::Duration::seconds(45),
        "{entries}"
    );
    due_now(&h).await;
    let entries = log_when(&h, &ana, &slug, &id, |e| e[0]["status"] == "delivered").await;
    assert_eq!(entries[0]["attempts"], 3);
    assert_eq!(entries[0]["lastCode"], 200);
    assert!(entries[0]["failure"].is_null());

    // The same delivery three times, each signed with the key over the exact body.
    let requests = seen.lock().unwrap().clone();
    assert_eq!(requests.len(), 3);
    let delivery = entries[0]["id"].as_str().unwrap();
    for (headers, body) in &requests {
        assert_eq!(headers["x-bullpen-delivery"], delivery);
        assert_eq!(headers["x-bullpen-event"], "message.created");
        assert_eq!(headers["content-type"], "application/json");
        let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
        mac.update(body.as_bytes());
        let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert_eq!(headers["x-bullpen-signature-256"], expected.as_str());
    }
    let payload: Value = serde_json::from_str(&requests[0].1).unwrap();
    assert_eq!(payload["event"], "message.created");
    assert_eq!(payload["message"]["body"], "hello, **hooks** $AAPL");
    assert_eq!(payload["message"]["author"]["username"], "bo_b");
    assert_eq!(payload["channel"]["name"], "general");
    assert_eq!(payload["community"]["slug"], slug.as_str());

    // A bot's words are not sent on (two hooks cannot echo each other forever).
    let incoming = h
        .ok(
            &ana,
            "/api/integrations/install",
            json!({"slug": slug, "integration": {"kind": "incoming-webhook", "name": "Echo", "channel": general}}),
        )
        .await;
    let posted = hook(
        &h,
        incoming["secret"].as_str().unwrap(),
        json!({"text": "from a bot"}),
    )
    .await;
    assert_eq!(posted.status(), StatusCode::CREATED);
    let from_bot: Value = posted.json().await.unwrap();
    let after_bot = h.say(&bo, &general, "after the bot").await;
    let entries = log_when(&h, &ana, &slug, &id, |e| e[0]["messageId"] == after_bot).await;
    assert!(
        !entries
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["messageId"] == from_bot["id"]),
        "{entries}"
    );

    // An address that hangs is given up on after WEBHOOK_TIMEOUT_MS and tried again later.
    let slow = h
        .ok(
            &ana,
            "/api/integrations/install",
            json!({"slug": slug, "integration": outgoing("Slow", &general, &format!("{base}/slow"))}),
        )
        .await;
    let slow_id = slow["installed"]["id"].as_str().unwrap().to_string();
    h.say(&bo, &general, "for the slow one").await;
    let entries = log_when(&h, &ana, &slug, &slow_id, |e| e[0]["attempts"] == 1).await;
    assert_eq!(entries[0]["failure"], "timeout", "{entries}");
    assert_eq!(entries[0]["status"], "pending");

    // One that is down: after the last attempt it is given up.
    let down = h
        .ok(
            &ana,
            "/api/integrations/install",
            json!({"slug": slug, "integration": outgoing("Down", &general, &format!("{base}/down"))}),
        )
        .await;
    let down_id = down["installed"]["id"].as_str().unwrap().to_string();
    let doomed = h.say(&bo, &general, "nobody will hear this").await;
    let withdrawn = h.say(&bo, &general, "deleted before the retry").await;
    let entries = log_when(&h, &ana, &slug, &down_id, |e| {
        e.as_array().unwrap().len() == 2 && e.as_array().unwrap().iter().all(|d| d["attempts"] == 1)
    })
    .await;
    assert!(
        entries
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["lastCode"] == 503),
        "{entries}"
    );
    h.sql(
        "UPDATE webhook_deliveries SET attempts = 5 WHERE message_id = $1 AND integration_id = $2",
        vec![
            uuid::Uuid::parse_str(&doomed).unwrap().into(),
            uuid::Uuid::parse_str(&down_id).unwrap().into(),
        ],
    )
    .await;
    let deleted = h
        .http
        .delete(h.server.url(&format!("/api/v1/messages/{withdrawn}")))
        .bearer_auth(&bo.token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    due_now(&h).await;
    let entries = log_when(&h, &ana, &slug, &down_id, |e| {
        e.as_array()
            .unwrap()
            .iter()
            .all(|d| d["status"] != "pending")
    })
    .await;
    let status_of = |message: &str| {
        entries
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["messageId"] == message)
            .map(|d| {
                (
                    d["status"].as_str().unwrap().to_string(),
                    d["attempts"].as_i64().unwrap(),
                )
            })
            .unwrap()
    };
    assert_eq!(status_of(&doomed), ("failed".to_string(), 6));
    assert_eq!(status_of(&withdrawn), ("withdrawn".to_string(), 1));

    // The log is for those who manage the community.
    let (status, _) = log(&h, &bo, &slug, &id).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = log(&h, &ana, &slug, &uuid::Uuid::now_v7().to_string()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Removed: nothing more is queued for it, and its log goes with it.
    let (_, mirrored) = log(&h, &ana, &slug, &id).await;
    let rows_before = h.count("SELECT COUNT(*) FROM webhook_deliveries").await;
    h.ok(
        &ana,
        "/api/integrations/remove",
        json!({"slug": slug, "id": id}),
    )
    .await;
    let (status, _) = log(&h, &ana, &slug, &id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let before = seen.lock().unwrap().len();
    let after_removal = h.say(&bo, &general, "after the removal").await;
    // The two webhooks still installed queue it; the removed one does not.
    log_when(&h, &ana, &slug, &down_id, |e| {
        e[0]["messageId"] == after_removal
    })
    .await;
    log_when(&h, &ana, &slug, &slow_id, |e| {
        e[0]["messageId"] == after_removal
    })
    .await;
    assert_eq!(
        h.count("SELECT COUNT(*) FROM webhook_deliveries").await,
        rows_before - mirrored.as_array().unwrap().len() as i64 + 2
    );
    assert_eq!(seen.lock().unwrap().len(), before);
}

// By default an outgoing webhook does not call this machine or its network: checked again
// when it connects, so an address whose name resolves to this machine only after it was
// installed (here, a name changed behind the server's back) is refused too.
on_both!(
    private_addresses_are_not_called_by_default,
    [("WEBHOOK_POLL_MS", "100")]
);
async fn private_addresses_are_not_called_by_default(h: Harness) {
    let (base, seen) = receiver().await;
    let ana = h.person("ana").await;
    let (slug, general) = h.community(&ana, "Closed Network", "public").await;
    let made = h
        .ok(
            &ana,
            "/api/integrations/install",
            json!({"slug": slug, "integration": outgoing("Inside", &general, "https://hooks.example/in")}),
        )
        .await;
    let id = made["installed"]["id"].as_str().unwrap().to_string();
    let port = base.rsplit(':').next().unwrap();
    h.sql(
        "UPDATE integrations SET url = $1",
        vec![format!("http://localhost:{port}/in").into()],
    )
    .await;
    h.say(&ana, &general, "to the metadata service?").await;
    let entries = log_when(&h, &ana, &slug, &id, |e| e[0]["status"] == "failed").await;
    assert_eq!(entries[0]["failure"], "private-address", "{entries}");
    assert_eq!(entries[0]["attempts"], 1, "not retried");
    assert!(seen.lock().unwrap().is_empty());
}

/// The messages of a channel the bot called `display` posted, oldest first.
async fn posts_by(h: &Harness, who: &Person, channel: &str, display: &str) -> Vec<String> {
    let history = h
        .get_json(&format!("/api/v1/channels/{channel}/messages"), &who.token)
        .await;
    history["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["author"]["displayName"] == display)
        .map(|m| m["body"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Waits until `display` has posted `count` messages in `channel`, then a little longer to
/// see that no more come.
async fn settles_at(
    h: &Harness,
    who: &Person,
    channel: &str,
    display: &str,
    count: usize,
) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let posts = posts_by(h, who, channel, display).await;
        if posts.len() >= count {
            // Three more rounds (one a second here): nothing more is said.
            tokio::time::sleep(Duration::from_millis(3200)).await;
            let again = posts_by(h, who, channel, display).await;
            assert_eq!(again.len(), count, "{again:?}");
            return again;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{display} said {posts:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

on_both!(
    the_price_alert_bot_speaks_once_per_crossing,
    [("ALERT_CHECK_SECS", "1")]
);
async fn the_price_alert_bot_speaks_once_per_crossing(h: Harness) {
    let ana = h.person("ana").await;
    let (slug, general) = h.community(&ana, "Alert Desk", "public").await;
    let quote = h.get_json("/api/v1/market/quotes/AAPL", &ana.token).await;
    let price = quote["price"].as_f64().unwrap();

    // Refused in words: no symbols, too many, no rule, a rule that makes no sense.
    let alert = |symbols: &str, rule: Value| json!({"kind": "price-alert", "name": "Alerts", "channel": general, "symbols": symbols, "rule": rule});
    for bad in [
        alert("", json!({"when": "above", "price": 1.0})),
        alert(
            "A,B,C,D,E,F,G,H,I,J,K",
            json!({"when": "above", "price": 1.0}),
        ),
        alert("AAPL", Value::Null),
        alert("AAPL", json!({"when": "above", "price": -5.0})),
        alert("AAPL", json!({"when": "moves", "percent": 0.0})),
    ] {
        let (status, answer) = install(&h, &ana, &slug, bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {answer}");
        assert!(answer["error"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // No news source on the offline market: a news feed cannot be installed.
    let (status, answer) = install(
        &h,
        &ana,
        &slug,
        json!({"kind": "news-feed", "name": "News", "channel": general, "symbols": "AAPL"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("news source"));

    // Both are already well above half AAPL's price: each told once, however many rounds pass.
    let made = h
        .ok(
            &ana,
            "/api/integrations/install",
            json!({"slug": slug, "integration": alert("$aapl msft", json!({"when": "above", "price": price / 2.0}))}),
        )
        .await;
    assert_eq!(made["installed"]["symbols"], json!(["AAPL", "MSFT"]));
    let mut posts = settles_at(&h, &ana, &general, "Alerts", 2).await;
    posts.sort();
    assert!(
        posts[0].starts_with("🔔 **$AAPL** is at or above"),
        "{posts:?}"
    );
    assert!(
        posts[1].starts_with("🔔 **$MSFT** is at or above"),
        "{posts:?}"
    );
    assert!(posts.iter().all(|p| p.contains("(simulated)")), "{posts:?}");

    // The test clock: the line moves far above the price (the alert re-arms, saying nothing),
    // then back below it (told again, once).
    let config = |line: f64| {
        json!({"symbols": ["AAPL"], "rule": {"when": "above", "price": line}}).to_string()
    };
    h.sql(
        "UPDATE integrations SET config = $1 WHERE kind = 'price-alert'",
        vec![config(price * 100.0).into()],
    )
    .await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(posts_by(&h, &ana, &general, "Alerts").await.len(), 2);
    h.sql(
        "UPDATE integrations SET config = $1 WHERE kind = 'price-alert'",
        vec![config(price / 2.0).into()],
    )
    .await;
    let posts = settles_at(&h, &ana, &general, "Alerts", 3).await;
    assert!(posts[2].starts_with("🔔 **$AAPL**"), "{posts:?}");
}

/// The headlines a local news source holds: title and address, newest first.
type Stories = Arc<Mutex<Vec<(String, String)>>>;

/// A local Alpha Vantage that answers NEWS_SENTIMENT with `feed`, newest first (its real
/// shape, ../shared/fixtures/providers), and refuses everything else as the real one does when
/// rate limited (so quotes fall through to the offline source).
async fn news_source(feed: Stories) -> String {
    async fn answer(
        State(feed): State<Stories>,
        axum::extract::Query(query): axum::extract::Query<
            std::collections::HashMap<String, String>,
        >,
    ) -> String {
        if query.get("function").map(String::as_str) != Some("NEWS_SENTIMENT") {
            return r#"{"Information":"Thank you for using Alpha Vantage! Our standard API rate limit is 25 requests per day."}"#.into();
        }
        let items: Vec<Value> = feed
            .lock()
            .unwrap()
            .iter()
            .map(|(title, url)| {
                json!({"title": title, "url": url, "time_published": "20261126T151534", "authors": [], "summary": "…",
                       "source": "Decrypt.co", "overall_sentiment_score": 0.01,
                       "ticker_sentiment": [{"ticker": "AAPL", "relevance_score": "0.17", "ticker_sentiment_score": "-0.016101"}]})
            })
            .collect();
        json!({"items": items.len().to_string(), "feed": items}).to_string()
    }
    let app = Router::new()
        .fallback(axum::routing::get(answer))
        .with_state(feed);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

#[tokio::test]
async fn the_news_feed_posts_new_headlines_once() {
    let feed: Stories = Arc::new(Mutex::new(
        (1..=3)
            .rev()
            .map(|n| {
                (
                    format!("Old story {n}"),
                    format!("https://news.example/old-{n}"),
                )
            })
            .collect(),
    ));
    let base = news_source(feed.clone()).await;
    let h = Harness::sqlite_with(&[
        ("ALERT_CHECK_SECS", "1"),
        ("MARKET_PROVIDERS", "alphavantage,offline"),
        ("ALPHA_VANTAGE_API_KEY", "test-key"),
        ("ALPHA_VANTAGE_URL", &base),
    ])
    .await;
    let ana = h.person("ana").await;
    let (slug, general) = h.community(&ana, "News Desk", "public").await;
    h.ok(
        &ana,
        "/api/integrations/install",
        json!({"slug": slug, "integration": {"kind": "news-feed", "name": "Wire", "channel": general, "symbols": "AAPL"}}),
    )
    .await;
    // The first read posts the newest headline, not the backlog.
    let posts = settles_at(&h, &ana, &general, "Wire", 1).await;
    assert_eq!(
        posts[0],
        "📰 **$AAPL** · [Old story 3](https://news.example/old-3) — Decrypt.co"
    );

    // Two new stories (the market's cache of the news lapses, as after 30 minutes): both
    // posted, oldest first, and never again.
    {
        let mut stories = feed.lock().unwrap();
        stories.insert(0, ("New story A".into(), "https://news.example/a".into()));
        stories.insert(0, ("New story B".into(), "https://news.example/b".into()));
    }
    h.sql("DELETE FROM market_cache WHERE key = 'news:AAPL'", vec![])
        .await;
    let posts = settles_at(&h, &ana, &general, "Wire", 3).await;
    assert!(
        posts[1].contains("New story A") && posts[2].contains("New story B"),
        "{posts:?}"
    );
}

on_both!(
    a_webhook_removed_while_its_delivery_is_on_the_way_leaves_no_error,
    [
        ("WEBHOOK_POLL_MS", "100"),
        ("WEBHOOK_TIMEOUT_MS", "5000"),
        ("OUTBOUND_TO_PRIVATE_ADDRESSES", "on")
    ]
);
async fn a_webhook_removed_while_its_delivery_is_on_the_way_leaves_no_error(h: Harness) {
    // A receiver that holds its first request until told to answer.
    let (arrived_tx, arrived) = tokio::sync::oneshot::channel::<()>();
    let release = Arc::new(tokio::sync::Notify::new());
    let arrived_tx = Arc::new(Mutex::new(Some(arrived_tx)));
    let held = {
        let release = Arc::clone(&release);
        move || {
            let (release, arrived_tx) = (Arc::clone(&release), Arc::clone(&arrived_tx));
            async move {
                if let Some(tx) = arrived_tx.lock().unwrap().take() {
                    let _ = tx.send(());
                }
                release.notified().await;
                StatusCode::OK
            }
        }
    };
    let app = Router::new()
        .route("/held", post(held))
        .route("/in", post(|| async { StatusCode::OK }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let ana = h.person("ana").await;
    let (slug, general) = h.community(&ana, "Quick Hands", "public").await;
    let made = h
        .ok(
            &ana,
            "/api/integrations/install",
            json!({"slug": slug, "integration": outgoing("Held", &general, &format!("{base}/held"))}),
        )
        .await;
    let held_id = made["installed"]["id"].as_str().unwrap().to_string();
    h.say(&ana, &general, "on its way").await;
    tokio::time::timeout(Duration::from_secs(15), arrived)
        .await
        .expect("the delivery reaches the receiver")
        .unwrap();
    // Removed while the receiver holds the delivery, which then answers.
    h.ok(
        &ana,
        "/api/integrations/remove",
        json!({"slug": slug, "id": held_id}),
    )
    .await;
    release.notify_waiters();
    // Rounds run one after another: once a new hook's delivery is written down, the round that
    // carried the removed hook's has ended.
    let made = h
        .ok(
            &ana,
            "/api/integrations/install",
            json!({"slug": slug, "integration": outgoing("Next", &general, &format!("{base}/in"))}),
        )
        .await;
    let next = made["installed"]["id"].as_str().unwrap().to_string();
    h.say(&ana, &general, "and the next").await;
    log_when(&h, &ana, &slug, &next, |e| e[0]["status"] == "delivered").await;
    let errors = h.server.errors_logged();
    assert!(errors.is_empty(), "logged at ERROR:\n{}", errors.join("\n"));
}

on_both!(a_webhook_to_a_private_address_is_refused_when_installed);
async fn a_webhook_to_a_private_address_is_refused_when_installed(h: Harness) {
    let ana = h.person("ana").await;
    let (slug, general) = h.community(&ana, "Neighbours", "public").await;
    for url in [
        "http://127.0.0.1:6379/",
        "http://localhost:5432/",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "https://10.1.2.3/hook",
    ] {
        let (status, answer) = h
            .call(
                &ana,
                "/api/integrations/install",
                json!({"slug": slug, "integration": outgoing("Probe", &general, url)}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {answer}");
        assert!(
            answer["error"].as_str().unwrap().contains("private"),
            "{answer}"
        );
    }
    assert_eq!(
        h.count("SELECT COUNT(*) FROM integrations WHERE kind = 'outgoing-webhook'")
            .await,
        0
    );
}
