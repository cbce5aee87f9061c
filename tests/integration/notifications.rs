//! Notifications as people use and misuse them: mentions, replies, direct messages and
//! `@everyone`/`@here` reach the person's socket and inbox (never from someone they blocked,
//! never `@everyone` from a member who may not), reading the channel or the inbox reads them;
//! levels and mutes of a community and a channel decide who hears what; and Web Push reaches a
//! local push service encrypted for the browser (RFC 8291) and signed with the server's VAPID
//! key (RFC 8292) — a browser that is gone is forgotten, one that hangs delays no message. On
//! SQLite and (when TEST_DATABASE_URL is set) PostgreSQL.

use std::{sync::Arc, time::Duration};

use crate::common::{harness::Harness, people::Person, ws::ChatClient};
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode as AxumStatus},
    routing::post,
    Router,
};
use data_encoding::BASE64URL_NOPAD;
use reqwest::StatusCode;
use ring::{agreement, rand::SystemRandom, signature};
use serde_json::{json, Value};
use tokio::sync::{mpsc, Mutex};

/// A community of ana's with bo and cy in it, and its #general.
async fn room(h: &Harness) -> (Person, Person, Person, String, String) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let (slug, general) = h.community(&ana, "Desk", "public").await;
    for who in [&bo, &cy] {
        h.ok(who, "/api/communities/join", json!({"slug": slug}))
            .await;
    }
    (ana, bo, cy, slug, general)
}

async fn said(
    socket: &mut ChatClient,
    channel: &str,
    nonce: &str,
    body: &str,
    reply: Option<&str>,
) -> Value {
    socket
        .send(json!({"type": "send", "channelId": channel, "nonce": nonce, "body": body, "replyTo": reply}))
        .await;
    loop {
        let event = socket.next_event().await;
        if event["type"] == "messageCreated" && event["nonce"] == nonce {
            return event["message"].clone();
        }
        assert_ne!(event["type"], "error", "{event}");
    }
}

/// The next `notified` event, if one comes within ten seconds.
async fn notified(socket: &mut ChatClient) -> Option<Value> {
    socket.notified_within(Duration::from_secs(10)).await
}

/// Whether nothing is told within a second and a half (what is told arrives in milliseconds).
async fn silent(socket: &mut ChatClient) -> bool {
    socket
        .notified_within(Duration::from_millis(1500))
        .await
        .is_none()
}

async fn inbox(h: &Harness, who: &Person) -> Value {
    let (status, inbox) = h.read(who, "/api/notifications/inbox").await;
    assert_eq!(status, StatusCode::OK, "{inbox}");
    inbox
}

fn kinds(inbox: &Value) -> Vec<&str> {
    inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect()
}

on_both!(mentions_replies_and_direct_messages_land_in_the_inbox_and_read_as_seen);
async fn mentions_replies_and_direct_messages_land_in_the_inbox_and_read_as_seen(h: Harness) {
    let (ana, bo, cy, _, general) = room(&h).await;
    let mut bo_socket = h.socket(&bo).await;
    bo_socket.subscribe(&general, None).await;
    let mut ana_socket = h.socket(&ana).await;
    ana_socket.subscribe(&general, None).await;
    let mut cy_socket = h.socket(&cy).await;
    cy_socket.subscribe(&general, None).await;

    said(
        &mut ana_socket,
        &general,
        "m",
        "Welcome @bo_b, read the pins",
        None,
    )
    .await;
    let item = notified(&mut bo_socket)
        .await
        .expect("bo hears of the mention");
    assert_eq!(item["kind"], "mention");
    assert_eq!(item["channelName"], "general");
    assert_eq!(item["author"]["username"], "ana");
    assert_eq!(item["excerpt"], "Welcome @bo_b, read the pins");

    let hers = said(&mut bo_socket, &general, "b", "thanks!", None).await;
    said(
        &mut cy_socket,
        &general,
        "r",
        "same here",
        hers["id"].as_str(),
    )
    .await;
    assert_eq!(
        notified(&mut bo_socket).await.expect("the reply")["kind"],
        "reply"
    );

    let (_, conversation) = h
        .call(&cy, "/api/messages/start", json!({"with": "bo_b"}))
        .await;
    let dm = conversation["channelId"].as_str().unwrap().to_string();
    cy_socket.subscribe(&dm, None).await;
    said(&mut cy_socket, &dm, "d", "psst", None).await;
    let item = notified(&mut bo_socket).await.expect("the direct message");
    assert_eq!(item["kind"], "direct");
    assert_eq!(item["direct"], true);

    let mine = inbox(&h, &bo).await;
    assert_eq!(kinds(&mine), ["direct", "reply", "mention"]);
    assert_eq!(mine["unread"], 3);
    // The author hears nothing of their own words; a mention of a non-member reaches nobody.
    assert_eq!(inbox(&h, &ana).await["unread"], 0);
    said(&mut ana_socket, &general, "x", "hello @nobody_here", None).await;

    // Reading #general that far reads its two entries; the open tabs hear the new count.
    let seq = hers["seq"].as_i64().unwrap() + 1;
    bo_socket
        .send(json!({"type": "read", "channelId": general, "seq": seq}))
        .await;
    let count = loop {
        let event = bo_socket.next_event().await;
        if event["type"] == "inboxUnread" {
            break event["unread"].clone();
        }
    };
    assert_eq!(count, 1);
    // Marking the rest read.
    let (status, left) = h
        .call(&bo, "/api/notifications/read", json!({"ids": []}))
        .await;
    assert_eq!((status, left), (StatusCode::OK, json!(0)));
    let (status, _) = h
        .call(
            &bo,
            "/api/notifications/read",
            json!({"ids": ["not-an-id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Someone else's entries are not theirs to mark.
    let cy_before = inbox(&h, &cy).await["unread"].clone();
    let first = mine["items"][0]["id"].as_str().unwrap();
    h.ok(&cy, "/api/notifications/read", json!({"ids": [first]}))
        .await;
    assert_eq!(inbox(&h, &cy).await["unread"], cy_before);

    // Nothing from someone one blocked.
    h.ok(
        &bo,
        "/api/users/block",
        json!({"username": "cy_c", "blocked": true}),
    )
    .await;
    said(&mut cy_socket, &general, "z", "@bo_b are you there?", None).await;
    assert!(silent(&mut bo_socket).await);
    // …and what they said before leaves the inbox too.
    assert_eq!(kinds(&inbox(&h, &bo).await), ["mention"]);
    // Signed out: no inbox.
    let (status, _) = h.get("/api/notifications/inbox").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

on_both!(a_burst_over_two_communities_is_told_as_each_persons_places_say);
/// Messages are told in batches (their places and who hears everything there read once for
/// all): a burst over two communities reaches each person as their own settings and
/// memberships say — every message where they hear everything, their mentions elsewhere, and
/// nothing from a community they left.
async fn a_burst_over_two_communities_is_told_as_each_persons_places_say(h: Harness) {
    let (ana, bo, cy, _, general) = room(&h).await;
    let (floor_slug, floor) = h.community(&ana, "Floor", "public").await;
    for who in [&bo, &cy] {
        h.ok(who, "/api/communities/join", json!({"slug": floor_slug}))
            .await;
    }
    let everything = |channel: &str, whole: bool| json!({"channelId": channel, "wholeCommunity": whole, "level": "all", "mute": null});
    h.ok(&bo, "/api/notifications/set", everything(&general, false))
        .await;
    // cy heard everything in Floor, then left it.
    h.ok(&cy, "/api/notifications/set", everything(&floor, true))
        .await;
    h.ok(&cy, "/api/communities/leave", json!({"slug": floor_slug}))
        .await;
    let mut bo_socket = h.socket(&bo).await;
    let mut cy_socket = h.socket(&cy).await;
    let mut ana_socket = h.socket(&ana).await;
    ana_socket.subscribe(&general, None).await;
    ana_socket.subscribe(&floor, None).await;
    // Sent without waiting (as many as the rate limit lets one person send): stored and told in
    // batches.
    for i in 0..10 {
        let (channel, body) = if i % 2 == 0 {
            (&general, format!("desk {i}"))
        } else {
            (&floor, format!("floor {i} @bo_b"))
        };
        ana_socket
            .send(
                json!({"type": "send", "channelId": channel, "nonce": i.to_string(), "body": body}),
            )
            .await;
    }
    let mut told = Vec::new();
    while told.len() < 10 {
        let item = notified(&mut bo_socket)
            .await
            .unwrap_or_else(|| panic!("bo was told {} of 10: {told:?}", told.len()));
        told.push(item["kind"].as_str().unwrap().to_string());
    }
    let count = |kind: &str| told.iter().filter(|k| *k == kind).count();
    assert_eq!((count("message"), count("mention")), (5, 5), "{told:?}");
    assert!(silent(&mut bo_socket).await, "each message is told once");
    assert!(
        silent(&mut cy_socket).await,
        "cy left Floor and is named nowhere"
    );
    assert_eq!(kinds(&inbox(&h, &bo).await), vec!["mention"; 5]);
}

on_both!(levels_and_mutes_decide_who_hears_what);
async fn levels_and_mutes_decide_who_hears_what(h: Harness) {
    let (ana, bo, _, _, general) = room(&h).await;
    let eve = h.person("eve_x").await;
    let mut bo_socket = h.socket(&bo).await;
    let mut ana_socket = h.socket(&ana).await;
    ana_socket.subscribe(&general, None).await;
    let set = |whole: bool, level: Value, mute: Value| json!({"channelId": general, "wholeCommunity": whole, "level": level, "mute": mute});

    // By default: mentions, not every message.
    let (status, settings) = h
        .read(
            &bo,
            &format!("/api/notifications/settings?channelId={general}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{settings}");
    assert_eq!(settings["defaultLevel"], "mentions");
    assert_eq!(settings["effective"], "mentions");
    said(&mut ana_socket, &general, "1", "market opens soon", None).await;
    assert!(silent(&mut bo_socket).await);

    // Nothing from the community: not even a mention.
    h.ok(
        &bo,
        "/api/notifications/set",
        set(true, json!("nothing"), Value::Null),
    )
    .await;
    said(&mut ana_socket, &general, "2", "@bo_b look", None).await;
    assert!(silent(&mut bo_socket).await);
    // The channel says all: its choice wins there, every message is told (and not kept).
    let settings = h
        .ok(
            &bo,
            "/api/notifications/set",
            set(false, json!("all"), Value::Null),
        )
        .await;
    assert_eq!(settings["effective"], "all");
    said(&mut ana_socket, &general, "3", "closing bell", None).await;
    let item = notified(&mut bo_socket)
        .await
        .expect("every message of #general");
    assert_eq!(item["kind"], "message");
    assert_eq!(inbox(&h, &bo).await["items"], json!([]));

    // Muted for an hour: nothing at all, whatever the levels.
    let settings = h
        .ok(
            &bo,
            "/api/notifications/set",
            set(true, Value::Null, json!("hour")),
        )
        .await;
    assert_eq!(settings["muted"], true, "{settings}");
    assert_eq!(
        settings["community"]["level"], "nothing",
        "muting keeps the level"
    );
    let until =
        chrono::DateTime::parse_from_rfc3339(settings["community"]["mutedUntil"].as_str().unwrap())
            .unwrap();
    let left = until
        .signed_duration_since(chrono::Utc::now())
        .num_minutes();
    assert!((58..=60).contains(&left), "{left}");
    said(&mut ana_socket, &general, "4", "@bo_b still there?", None).await;
    assert!(silent(&mut bo_socket).await);
    // Until turned back on, then on again.
    let settings = h
        .ok(
            &bo,
            "/api/notifications/set",
            set(true, Value::Null, json!("untilOn")),
        )
        .await;
    assert_eq!(settings["community"]["mutedUntilOn"], true);
    // The channel muted too: one "off" lifts both mutes and keeps the channel's level.
    let settings = h
        .ok(
            &bo,
            "/api/notifications/set",
            set(false, Value::Null, json!("day")),
        )
        .await;
    assert!(settings["channel"]["mutedUntil"].is_string(), "{settings}");
    let settings = h
        .ok(
            &bo,
            "/api/notifications/set",
            set(true, json!(null), json!("off")),
        )
        .await;
    assert_eq!(settings["muted"], false, "{settings}");
    assert_eq!(settings["community"]["mutedUntil"], Value::Null);
    assert_eq!(settings["channel"]["mutedUntil"], Value::Null);
    assert_eq!(settings["channel"]["level"], "all");
    let settings = h
        .ok(
            &bo,
            "/api/notifications/set",
            set(true, json!(null), Value::Null),
        )
        .await;
    assert_eq!(settings["muted"], false);
    assert_eq!(settings["community"]["level"], Value::Null);
    said(&mut ana_socket, &general, "5", "@bo_b welcome back", None).await;
    assert_eq!(
        notified(&mut bo_socket).await.expect("heard again")["kind"],
        "mention"
    );

    // An outsider has no settings there; nonsense is refused.
    let (status, _) = h
        .read(
            &eve,
            &format!("/api/notifications/settings?channelId={general}"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = h
        .call(
            &bo,
            "/api/notifications/set",
            set(true, json!("loud"), Value::Null),
        )
        .await;
    assert!(status.is_client_error(), "{status}");
    let (status, _) = h
        .call(
            &bo,
            "/api/notifications/set",
            json!({"channelId": "nope", "wholeCommunity": true}),
        )
        .await;
    assert!(status.is_client_error(), "{status}");
}

on_both!(everyone_and_here_are_for_moderators);
async fn everyone_and_here_are_for_moderators(h: Harness) {
    let (ana, bo, cy, _, general) = room(&h).await;
    let mut bo_socket = h.socket(&bo).await;
    bo_socket.subscribe(&general, None).await;
    let mut ana_socket = h.socket(&ana).await;
    ana_socket.subscribe(&general, None).await;
    // A member may not call everyone.
    said(&mut bo_socket, &general, "b", "@everyone buy now", None).await;
    assert!(silent(&mut ana_socket).await);
    // The owner may: everyone hears, online or not; @here only those online (cy is not).
    said(
        &mut ana_socket,
        &general,
        "e",
        "@everyone meeting at 5",
        None,
    )
    .await;
    assert_eq!(
        notified(&mut bo_socket).await.expect("bo")["kind"],
        "everyone"
    );
    assert_eq!(kinds(&inbox(&h, &cy).await), ["everyone"]);
    said(&mut ana_socket, &general, "h", "@here quick one", None).await;
    assert_eq!(
        notified(&mut bo_socket).await.expect("bo is here")["kind"],
        "everyone"
    );
    assert_eq!(kinds(&inbox(&h, &cy).await), ["everyone"]);
    // Nobody can be called "everyone" or "here".
    for name in ["everyone", "Here"] {
        let (status, answer) = h
            .post(
                "/api/auth/register",
                json!({"email": format!("{name}@example.com"), "username": name, "displayName": name, "password": "correct horse battery"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    }
}

/// How many subscriptions point at the test push service's `path`.
async fn subscriptions_at(h: &Harness, path: &str) -> i64 {
    h.count(&format!(
        "SELECT COUNT(*) FROM push_subscriptions WHERE endpoint LIKE '%/push/{path}'"
    ))
    .await
}

/// What a push service received.
#[derive(Debug)]
struct Received {
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Clone)]
struct PushService(Arc<Mutex<mpsc::UnboundedSender<Received>>>);

async fn receive(
    State(service): State<PushService>,
    Path(path): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> AxumStatus {
    let status = match path.as_str() {
        "gone" => AxumStatus::GONE,
        "slow" => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            AxumStatus::CREATED
        }
        _ => AxumStatus::CREATED,
    };
    let _ = service.0.lock().await.send(Received {
        path,
        headers,
        body,
    });
    status
}

/// A push service on a free port: its origin, and what it receives.
async fn push_service() -> (String, mpsc::UnboundedReceiver<Received>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = Router::new()
        .route("/push/{path}", post(receive))
        .with_state(PushService(Arc::new(Mutex::new(tx))));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (origin, rx)
}

/// A browser's push keys: its private key (for one message), public key and secret.
fn browser() -> (agreement::EphemeralPrivateKey, Vec<u8>, [u8; 16]) {
    let rng = SystemRandom::new();
    let key = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).unwrap();
    let public = key.compute_public_key().unwrap().as_ref().to_vec();
    let mut auth = [0u8; 16];
    ring::rand::SecureRandom::fill(&rng, &mut auth).unwrap();
    (key, public, auth)
}

on_both!(
    a_push_reaches_the_browser_encrypted_and_signed,
    [
        ("PUSH_ALLOW_HTTP", "true"),
        ("OUTBOUND_TO_PRIVATE_ADDRESSES", "on")
    ]
);
async fn a_push_reaches_the_browser_encrypted_and_signed(h: Harness) {
    let (origin, mut rx) = push_service().await;

    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let dee = h.person("dee_d").await;
    let (status, key) = h.get("/api/notifications/push_key").await;
    assert_eq!(status, StatusCode::OK);
    let server_key = key.as_str().unwrap().to_string();
    assert_eq!(
        BASE64URL_NOPAD.decode(server_key.as_bytes()).unwrap().len(),
        65
    );

    let (bo_private, bo_public, bo_auth) = browser();
    let subscribe = |endpoint: String, public: &[u8], auth: &[u8]| json!({"subscription": {"endpoint": endpoint, "p256dh": BASE64URL_NOPAD.encode(public), "auth": BASE64URL_NOPAD.encode(auth)}});
    h.ok(
        &bo,
        "/api/notifications/subscribe",
        subscribe(format!("{origin}/push/bo"), &bo_public, &bo_auth),
    )
    .await;
    let (_, cy_public, cy_auth) = browser();
    h.ok(
        &cy,
        "/api/notifications/subscribe",
        subscribe(format!("{origin}/push/gone"), &cy_public, &cy_auth),
    )
    .await;
    let (_, dee_public, dee_auth) = browser();
    h.ok(
        &dee,
        "/api/notifications/subscribe",
        subscribe(format!("{origin}/push/slow"), &dee_public, &dee_auth),
    )
    .await;
    // Subscriptions that cannot be pushed to are refused, and strangers cannot subscribe.
    for bad in [
        subscribe("file:///etc/passwd".into(), &bo_public, &bo_auth),
        subscribe(format!("{origin}/push/x"), &bo_public[..30], &bo_auth),
        subscribe(format!("{origin}/push/x"), &bo_public, &bo_auth[..8]),
    ] {
        let (status, answer) = h.call(&bo, "/api/notifications/subscribe", bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    }
    let (status, _) = h
        .post(
            "/api/notifications/subscribe",
            subscribe(format!("{origin}/push/x"), &bo_public, &bo_auth),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Ana writes to bo directly.
    let (_, conversation) = h
        .call(&ana, "/api/messages/start", json!({"with": "bo_b"}))
        .await;
    let channel = conversation["channelId"].as_str().unwrap().to_string();
    let slug = conversation["slug"].as_str().unwrap().to_string();
    let mut socket = h.socket(&ana).await;
    socket.subscribe(&channel, None).await;
    said(&mut socket, &channel, "p", "Lunch at **noon**?", None).await;
    let got = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("a push within 10 s")
        .unwrap();
    assert_eq!(got.path, "bo");
    assert_eq!(got.headers["content-encoding"], "aes128gcm");
    assert!(got.headers["ttl"].to_str().unwrap().parse::<u32>().unwrap() > 0);
    // Signed with the server's key, for the push service's origin.
    let authorization = got.headers["authorization"].to_str().unwrap();
    let (token, k) = authorization
        .strip_prefix("vapid t=")
        .unwrap()
        .split_once(", k=")
        .unwrap();
    assert_eq!(k, server_key);
    let (signed, signature_part) = token.rsplit_once('.').unwrap();
    signature::UnparsedPublicKey::new(
        &signature::ECDSA_P256_SHA256_FIXED,
        BASE64URL_NOPAD.decode(k.as_bytes()).unwrap(),
    )
    .verify(
        signed.as_bytes(),
        &BASE64URL_NOPAD.decode(signature_part.as_bytes()).unwrap(),
    )
    .expect("the VAPID signature verifies");
    let claims: Value = serde_json::from_slice(
        &BASE64URL_NOPAD
            .decode(signed.split_once('.').unwrap().1.as_bytes())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["aud"], origin);
    assert!(claims["exp"].as_i64().unwrap() > chrono::Utc::now().timestamp());
    // Encrypted for bo's browser: it alone reads it.
    let sender = bullpen::platform::push::sender_key(&got.body)
        .unwrap()
        .to_vec();
    let secret = agreement::agree_ephemeral(
        bo_private,
        &agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, &sender),
        |s| s.to_vec(),
    )
    .unwrap();
    assert_eq!(
        bullpen::platform::push::open(&secret, &cy_auth, &bo_public, &got.body),
        None
    );
    let payload = bullpen::platform::push::open(&secret, &bo_auth, &bo_public, &got.body)
        .expect("bo's browser decrypts it");
    let payload: Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(payload["title"], "Ana Lima");
    assert_eq!(payload["body"], "Lunch at noon?");
    assert_eq!(payload["url"], format!("/messages/{slug}?at=1"));

    // A browser that is gone (410) is forgotten.
    let (_, to_cy) = h
        .call(&ana, "/api/messages/start", json!({"with": "cy_c"}))
        .await;
    let cy_channel = to_cy["channelId"].as_str().unwrap().to_string();
    socket.subscribe(&cy_channel, None).await;
    said(&mut socket, &cy_channel, "g", "hi cy", None).await;
    let got = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.path, "gone");
    let mut forgotten = false;
    for _ in 0..50 {
        if subscriptions_at(&h, "gone").await == 0 {
            forgotten = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(forgotten, "the gone browser's subscription was deleted");
    // One that hangs holds up nothing: the next messages are confirmed as ever, its subscription stays.
    let (_, to_dee) = h
        .call(&ana, "/api/messages/start", json!({"with": "dee_d"}))
        .await;
    let dee_channel = to_dee["channelId"].as_str().unwrap().to_string();
    socket.subscribe(&dee_channel, None).await;
    said(&mut socket, &dee_channel, "s1", "hi dee", None).await;
    said(&mut socket, &dee_channel, "s2", "are you there", None).await;
    assert_eq!(subscriptions_at(&h, "slow").await, 1);
    // Unsubscribing is one's own: bo cannot remove dee's.
    h.ok(
        &bo,
        "/api/notifications/unsubscribe",
        json!({"endpoint": format!("{origin}/push/slow")}),
    )
    .await;
    assert_eq!(subscriptions_at(&h, "slow").await, 1);
    h.ok(
        &bo,
        "/api/notifications/unsubscribe",
        json!({"endpoint": format!("{origin}/push/bo")}),
    )
    .await;
    assert_eq!(subscriptions_at(&h, "bo").await, 0);
}

on_both!(
    a_fired_price_alert_is_pushed_to_the_person_s_browsers,
    [
        ("PUSH_ALLOW_HTTP", "true"),
        ("OUTBOUND_TO_PRIVATE_ADDRESSES", "on"),
        ("ALERT_CHECK_SECS", "1")
    ]
);
async fn a_fired_price_alert_is_pushed_to_the_person_s_browsers(h: Harness) {
    let (origin, mut rx) = push_service().await;
    let ana = h.person("ana").await;
    let (_, public, auth) = browser();
    h.ok(
        &ana,
        "/api/notifications/subscribe",
        json!({"subscription": {"endpoint": format!("{origin}/push/ana"), "p256dh": BASE64URL_NOPAD.encode(&public), "auth": BASE64URL_NOPAD.encode(&auth)}}),
    )
    .await;
    let (_, quote) = h.read(&ana, "/api/market/quote?symbol=IBM").await;
    let price = quote["price"].as_f64().unwrap();
    h.ok(
        &ana,
        "/api/alerts/create",
        json!({"symbol": "IBM", "direction": "above", "price": format!("{:.2}", price * 2.0)}),
    )
    .await;
    // The market moves (the line is lowered under the price, as if it had).
    use sea_orm::ConnectionTrait;
    h.db.execute(sea_orm::Statement::from_string(
        h.db.get_database_backend(),
        "UPDATE price_alerts SET target = '1'".to_string(),
    ))
    .await
    .unwrap();
    let pushed = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("a push within 10 s")
        .unwrap();
    assert_eq!(pushed.path, "ana");
    assert_eq!(pushed.headers["content-encoding"], "aes128gcm");
    assert!(!pushed.body.is_empty());
    // Once per crossing: no second push while it holds.
    assert!(
        tokio::time::timeout(Duration::from_millis(2500), rx.recv())
            .await
            .is_err(),
        "pushed once"
    );
}

on_both!(push_endpoints_on_this_machine_are_refused_and_one_person_keeps_ten);
async fn push_endpoints_on_this_machine_are_refused_and_one_person_keeps_ten(h: Harness) {
    let bo = h.person("bo_b").await;
    // A port on this machine, as a neighbour service's would be.
    let port = 6379;
    let (_, public, auth) = browser();
    let subscribe = |endpoint: String| json!({"subscription": {"endpoint": endpoint, "p256dh": BASE64URL_NOPAD.encode(&public), "auth": BASE64URL_NOPAD.encode(&auth)}});
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
        format!("[::ffff:127.0.0.1]:{port}"),
        "169.254.169.254".into(),
        "10.0.0.7".into(),
    ] {
        let (status, answer) = h
            .call(
                &bo,
                "/api/notifications/subscribe",
                subscribe(format!("https://{host}/push/bo")),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{host}: {answer}");
        assert!(
            answer["error"].as_str().unwrap().contains("private"),
            "{answer}"
        );
    }
    assert_eq!(h.count("SELECT COUNT(*) FROM push_subscriptions").await, 0);
    // Twelve browsers (names that resolve to nothing here are kept: the sender checks again
    // when it connects): the ten newest stay.
    for n in 0..12 {
        h.ok(
            &bo,
            "/api/notifications/subscribe",
            subscribe(format!("https://push-{n}.example/bo")),
        )
        .await;
    }
    assert_eq!(
        h.count("SELECT COUNT(*) FROM push_subscriptions").await,
        bullpen::notify::service::SUBSCRIPTIONS_MAX as i64
    );
    assert_eq!(
        h.count("SELECT COUNT(*) FROM push_subscriptions WHERE endpoint IN ('https://push-0.example/bo', 'https://push-1.example/bo')")
            .await,
        0
    );
}
