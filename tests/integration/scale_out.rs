//! Scale-out: two Bullpen instances on one PostgreSQL and one Redis, as behind a load balancer.
//! A message, typing and presence on instance A reach a client connected to instance B; with
//! senders on both instances, listeners on both receive a channel's messages in `seq` order.

use crate::common::{postgres_url, redis_url, ws::ChatClient, SharedStore, TestServer};
use reqwest::Client;
use serde_json::{json, Value};

async fn post(http: &Client, url: String, token: Option<&str>, body: Value) -> Value {
    let mut request = http.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap_or(Value::Null)
}

#[tokio::test]
async fn two_instances_share_messages_typing_and_presence() {
    let (Some(database), Some(redis)) = (
        postgres_url("two_instances_share_messages_typing_and_presence"),
        redis_url("two_instances_share_messages_typing_and_presence"),
    ) else {
        return;
    };
    let store = SharedStore::create(&database, &redis).await;
    let a = store.start(&[]).await;
    let b = store.start(&[]).await;
    let http = Client::new();

    // Ana signs up on A, Bo on B: one database, so each instance knows both.
    let register = |server: &TestServer, name: &str| {
        post(
            &http,
            server.url("/api/auth/register"),
            None,
            json!({"email": format!("{name}@example.com"), "username": name, "displayName": name, "password": "correct horse battery"}),
        )
    };
    let ana = register(&a, "ana").await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let bo = register(&b, "bo_b").await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let view = http
        .get(b.url("/api/communities/view?slug=bullpen"))
        .bearer_auth(&bo)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let general = view["channels"][0]["id"].as_str().unwrap().to_string();

    let mut on_a = ChatClient::connect(&a.base, &ana).await;
    on_a.subscribe(&general, None).await;
    let mut on_b = ChatClient::connect(&b.base, &bo).await;
    on_b.subscribe(&general, None).await;

    // Presence: Bo came online on B; Ana hears it on A.
    let presence = on_a.expect("presence").await;
    assert_eq!(
        (presence["online"].as_bool(), presence["userId"].is_string()),
        (Some(true), true)
    );

    on_b.send(json!({"type": "typing", "channelId": general, "typing": true}))
        .await;
    assert_eq!(on_a.expect("typing").await["user"]["username"], "bo_b");

    on_b.say(&general, "n1", "hello from instance B").await;
    let created = on_a.expect("messageCreated").await;
    assert_eq!(created["message"]["body"], "hello from instance B");
    assert_eq!(created["message"]["seq"], 1);
    // …and on B itself, once.
    assert_eq!(on_b.expect("messageCreated").await["message"]["seq"], 1);

    on_a.say(&general, "n2", "and back from A").await;
    assert_eq!(on_b.expect("messageCreated").await["message"]["seq"], 2);

    // Both instances see both people online (presence lives in the shared database; the stock
    // bot, a member too, has no tab).
    let members = http
        .get(a.url("/api/communities/members?slug=bullpen"))
        .bearer_auth(&ana)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert!(
        members
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["username"] != "stockbot")
            .all(|m| m["online"] == true),
        "{members}"
    );

    // A call across the two instances: Ana's tab on A and Bo's on B see one roster, and the
    // set-up of their link passes from one instance to the other.
    let floor = post(
        &http,
        a.url("/api/communities/create"),
        Some(&ana),
        json!({"community": {"name": "Floor", "description": "", "iconColor": "#16a34a", "visibility": "public"}}),
    )
    .await;
    let slug = floor["slug"].as_str().unwrap().to_string();
    let talk = post(
        &http,
        a.url("/api/communities/channels/create"),
        Some(&ana),
        json!({"slug": slug, "name": "floor", "kind": "voice"}),
    )
    .await;
    let talk = talk["id"].as_str().unwrap().to_string();
    post(
        &http,
        b.url("/api/communities/join"),
        Some(&bo),
        json!({"slug": slug}),
    )
    .await;
    for socket in [&mut on_a, &mut on_b] {
        socket.subscribe(&talk, None).await;
        socket
            .send(json!({"type": "voiceJoin", "channelId": talk}))
            .await;
    }
    loop {
        let roster = on_a.roster().await;
        if roster["participants"].as_array().unwrap().len() == 2 {
            break;
        }
    }
    let offer = json!({"kind": "offer", "sdp": "v=0\r\n"});
    on_a.send(json!({"type": "voiceSignal", "to": on_b.connection_id, "signal": offer}))
        .await;
    let signal = on_b.expect("voiceSignal").await;
    assert_eq!(signal["from"], on_a.connection_id.as_str());
    assert_eq!(signal["signal"], offer);

    on_b.kill();
    // Bo's connection on B ends: he leaves the call, and A hears both.
    loop {
        let roster = on_a.roster().await;
        if roster["participants"].as_array().unwrap().len() == 1 {
            break;
        }
    }
    let gone = on_a.expect("presence").await;
    assert_eq!(gone["online"], false);
    a.stop().await;
    b.stop().await;
    store.scratch.drop_now().await;
}

/// Two people on two instances send 1,000 messages each into one channel as fast as they can;
/// a listener on each instance receives all 2,000 in `seq` order. (Each instance stores and
/// then publishes, so instance B can publish seq 6 before A publishes seq 5; 11–17 of 2,000
/// arrived swapped before every instance put them back in order.)
#[tokio::test]
async fn listeners_receive_messages_in_seq_order_with_senders_on_both_instances() {
    let test = "listeners_receive_messages_in_seq_order_with_senders_on_both_instances";
    let (Some(database), Some(redis)) = (postgres_url(test), redis_url(test)) else {
        return;
    };
    let store = SharedStore::create(&database, &redis).await;
    let a = store.start(&[("RATE_LIMIT_MESSAGES", "0")]).await;
    let b = store.start(&[("RATE_LIMIT_MESSAGES", "0")]).await;
    let http = Client::new();
    let register = |server: &TestServer, name: &str| {
        post(
            &http,
            server.url("/api/auth/register"),
            None,
            json!({"email": format!("{name}@example.com"), "username": name, "displayName": name, "password": "correct horse battery"}),
        )
    };
    let mut tokens = Vec::new();
    for (server, name) in [(&a, "ana"), (&b, "bo_b"), (&a, "cy_a"), (&b, "di_b")] {
        tokens.push(
            register(server, name).await["token"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let view: Value = http
        .get(a.url("/api/communities/view?slug=bullpen"))
        .bearer_auth(&tokens[0])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let general = view["channels"][0]["id"].as_str().unwrap().to_string();

    let mut listeners = Vec::new();
    for (server, token) in [(&a, &tokens[2]), (&b, &tokens[3])] {
        let mut listener = ChatClient::connect(&server.base, token).await;
        listener.subscribe(&general, None).await;
        listeners.push(listener);
    }
    const EACH: usize = 1000;
    let mut senders = Vec::new();
    for (server, token) in [(&a, &tokens[0]), (&b, &tokens[1])] {
        let mut sender = ChatClient::connect(&server.base, token).await;
        let general = general.clone();
        senders.push(tokio::spawn(async move {
            for i in 0..EACH {
                sender
                    .say(&general, &format!("n{i}"), &format!("message {i}"))
                    .await;
            }
            sender
        }));
    }
    let received =
        futures::future::join_all(listeners.into_iter().map(|mut listener| async move {
            let mut seqs = Vec::with_capacity(2 * EACH);
            while seqs.len() < 2 * EACH {
                let event = listener
                    .try_next_event(std::time::Duration::from_secs(60))
                    .await
                    .expect("every message arrives");
                match event["type"].as_str() {
                    Some("messageCreated") => seqs.push(event["message"]["seq"].as_i64().unwrap()),
                    Some("resync") => panic!(
                        "the listener was told to resync after {} messages",
                        seqs.len()
                    ),
                    _ => {}
                }
            }
            seqs
        }))
        .await;
    for (listener, seqs) in ["on A", "on B"].into_iter().zip(received) {
        let swapped = seqs
            .windows(2)
            .filter(|pair| pair[1] != pair[0] + 1)
            .count();
        assert_eq!(
            swapped,
            0,
            "{listener}: {swapped} of {} out of order",
            seqs.len()
        );
        assert_eq!(
            (seqs[0], seqs[seqs.len() - 1]),
            (1, (2 * EACH) as i64),
            "{listener}"
        );
    }
    for sender in senders {
        drop(sender.await.unwrap());
    }
    a.stop().await;
    b.stop().await;
    store.scratch.drop_now().await;
}
