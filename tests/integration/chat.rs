//! Communities and chat through the real server — HTTP for communities and history, the
//! websocket for realtime — on SQLite and (when TEST_DATABASE_URL is set) PostgreSQL.

use crate::common;

use std::{collections::BTreeSet, time::Duration};

use crate::common::{harness::Harness, people::Person};
use reqwest::StatusCode;
use serde_json::{json, Value};

impl Harness {
    async fn history(
        &self,
        who: &Person,
        channel: &str,
        before: Option<i64>,
    ) -> (StatusCode, Value) {
        let mut path = format!("/api/chat/history?channelId={channel}");
        if let Some(before) = before {
            path.push_str(&format!("&beforeSeq={before}"));
        }
        self.read(who, &path).await
    }
}

fn seqs(messages: &Value) -> Vec<i64> {
    messages
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["seq"].as_i64().unwrap())
        .collect()
}

on_both!(the_default_community_exists_and_new_people_join_it);
async fn the_default_community_exists_and_new_people_join_it(h: Harness) {
    let ana = h.person("ana").await;
    let (status, lists) = h.read(&ana, "/api/communities/list").await;
    assert_eq!(status, StatusCode::OK);
    let bullpen = &lists["mine"][0];
    assert_eq!(bullpen["slug"], "bullpen");
    assert_eq!(bullpen["name"], "Bullpen");
    assert_eq!(bullpen["memberCount"], 2, "Ana and the stock bot");
    let (_, view) = h.read(&ana, "/api/communities/view?slug=bullpen").await;
    let names: Vec<&str> = view["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["general", "markets", "random"]);
    assert_eq!(view["myRank"], "member");
}

on_both!(the_socket_refuses_bad_credentials_and_plain_requests_with_a_clear_status);
async fn the_socket_refuses_bad_credentials_and_plain_requests_with_a_clear_status(h: Harness) {
    use tokio_tungstenite::tungstenite::{client::IntoClientRequest, http::HeaderValue, Error};

    // A token that is not good: 401 and the usual error body, never a guest's socket (a
    // signed-in tab must not silently become one).
    let url = format!(
        "{}/api/chat/socket",
        h.server.base.replacen("http://", "ws://", 1)
    );
    let mut request = url.clone().into_client_request().unwrap();
    request.headers_mut().insert(
        "Authorization",
        HeaderValue::from_static("Bearer not.a.token"),
    );
    match tokio_tungstenite::connect_async(request).await {
        Err(Error::Http(response)) => {
            assert_eq!(response.status(), 401);
            let body: Value = serde_json::from_slice(response.body().as_deref().unwrap()).unwrap();
            assert_eq!(body["code"], "unauthorized", "{body}");
        }
        other => panic!("a bad token's upgrade must be refused, got {other:?}"),
    }
    // No credentials at all: a guest's socket, which says it is nobody's (what a guest may
    // do on it: tests/integration/live_quotes.rs).
    let guest = common::ws::ChatClient::connect_guest(&h.server.base).await;
    assert_eq!(guest.user_id, "");
    // A plain GET is not a websocket: 400, saying so.
    let ana = h.person("ana").await;
    let response = h
        .http
        .get(h.server.url("/api/chat/socket"))
        .bearer_auth(&ana.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("websocket"),
        "{body}"
    );
}

/// Tries to open the realtime socket, as `token`'s owner or (with `None`) as a guest: the open
/// socket, or the refused upgrade's status and body.
async fn try_socket(
    h: &Harness,
    token: Option<&str>,
) -> Result<common::ws::ChatClient, (u16, Option<String>, Value)> {
    use tokio_tungstenite::tungstenite::{client::IntoClientRequest, http::HeaderValue, Error};
    let url = format!(
        "{}/api/chat/socket",
        h.server.base.replacen("http://", "ws://", 1)
    );
    let mut request = url.into_client_request().unwrap();
    if let Some(token) = token {
        request.headers_mut().insert(
            "Authorization",
            HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
        );
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(common::ws::ChatClient::opened(socket).await),
        Err(Error::Http(response)) => Err((
            response.status().as_u16(),
            response
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string()),
            serde_json::from_slice(response.body().as_deref().unwrap()).unwrap(),
        )),
        Err(other) => panic!("websocket handshake: {other}"),
    }
}

on_both!(
    one_person_or_one_guest_address_holds_only_so_many_sockets,
    [
        ("SOCKETS_PER_PERSON", "3"),
        ("GUEST_SOCKETS_PER_ADDRESS", "2")
    ]
);
async fn one_person_or_one_guest_address_holds_only_so_many_sockets(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    // Ten of Ana's tabs at once: three get a socket, seven a 429 that says when to try again.
    let attempts =
        futures::future::join_all((0..10).map(|_| try_socket(&h, Some(&ana.token)))).await;
    let (mut open, refused): (Vec<_>, Vec<_>) = attempts.into_iter().partition(Result::is_ok);
    assert_eq!(open.len(), 3, "three of ten at once");
    for refusal in refused {
        let (status, retry_after, body) = refusal.err().unwrap();
        assert_eq!(status, 429);
        assert_eq!(body["code"], "rate_limited", "{body}");
        assert!(
            body["error"].as_str().unwrap().contains("Try again"),
            "{body}"
        );
        assert_eq!(retry_after.as_deref(), Some("30"));
    }
    // The limit is Ana's own: Bo and the guests are not counted with her.
    let mut bo_socket = try_socket(&h, Some(&bo.token)).await.ok().unwrap();
    let _first_guest = try_socket(&h, None).await.ok().unwrap();
    let _second_guest = try_socket(&h, None).await.ok().unwrap();
    // Guests count by their address: a third from the same one waits.
    let (status, _, _) = try_socket(&h, None).await.err().unwrap();
    assert_eq!(status, 429);
    // What is open still works.
    let (_, general) = h.community(&ana, "Socket Counters", "public").await;
    bo_socket.subscribe(&general, None).await;

    // A tab that closes frees its place, without a restart.
    let mut closing = open.pop().unwrap().ok().unwrap();
    closing.close().await;
    let mut again = None;
    for _ in 0..50 {
        if let Ok(socket) = try_socket(&h, Some(&ana.token)).await {
            again = Some(socket);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let again = again.expect("a closed tab's place is free again");
    assert_eq!(again.user_id, ana.id);
    // And she is back at her limit.
    let (status, _, _) = try_socket(&h, Some(&ana.token)).await.err().unwrap();
    assert_eq!(status, 429);
}

on_both!(create_join_send_and_read_history);
async fn create_join_send_and_read_history(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Value Investors", "public").await;
    assert_eq!(slug, "value-investors");

    // An outsider reads a public community but cannot post.
    let mut bo_socket = h.socket(&bo).await;
    bo_socket.subscribe(&general, None).await;
    bo_socket.say(&general, "n0", "hello?").await;
    let refused = bo_socket.expect("error").await;
    assert_eq!(refused["nonce"], "n0");
    assert_eq!(refused["error"]["error"], "Join this community first.");

    let (status, joined) = h
        .call(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;
    assert_eq!(status, StatusCode::OK, "{joined}");
    assert_eq!(joined["memberCount"], 3, "the owner, the stock bot and Bo");

    let mut ana_socket = h.socket(&ana).await;
    ana_socket.subscribe(&general, None).await;
    bo_socket
        .say(&general, "n1", "Hi **all**, long $AAPL")
        .await;
    for socket in [&mut ana_socket, &mut bo_socket] {
        let created = socket.expect("messageCreated").await;
        assert_eq!(created["nonce"], "n1");
        assert_eq!(created["message"]["seq"], 1);
        assert_eq!(created["message"]["body"], "Hi **all**, long $AAPL");
        assert_eq!(created["message"]["author"]["username"], "bo_b");
    }
    ana_socket.say(&general, "n2", "Welcome @bo_b").await;
    let reply = ana_socket.expect("messageCreated").await;
    assert_eq!(reply["message"]["seq"], 2);
    let mentioned = bo_socket.expect("notified").await;
    assert_eq!(mentioned["item"]["kind"], "mention");
    assert_eq!(mentioned["item"]["channelName"], "general");

    let (status, page) = h.history(&ana, &general, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seqs(&page["messages"]), [1, 2]);
    assert_eq!(page["hasMore"], false);

    // Sending marks the channel read for the sender; the other has one unread.
    let (_, view) = h
        .read(&bo, &format!("/api/communities/view?slug={slug}"))
        .await;
    let channel = &view["channels"][0];
    assert_eq!(
        (channel["lastSeq"].as_i64(), channel["lastReadSeq"].as_i64()),
        (Some(2), Some(1))
    );
}

on_both!(
    history_pages_back_fifty_at_a_time,
    [("RATE_LIMIT_MESSAGES", "0")]
);
async fn history_pages_back_fifty_at_a_time(h: Harness) {
    let ana = h.person("ana").await;
    let (_, general) = h.community(&ana, "Page Turners", "public").await;
    let mut socket = h.socket(&ana).await;
    socket.subscribe(&general, None).await;
    for i in 1..=120 {
        socket
            .say(&general, &format!("n{i}"), &format!("message {i}"))
            .await;
    }
    loop {
        let event = socket.expect("messageCreated").await;
        if event["message"]["seq"] == 120 {
            break;
        }
    }
    let (_, newest) = h.history(&ana, &general, None).await;
    assert_eq!(seqs(&newest["messages"]), (71..=120).collect::<Vec<_>>());
    assert_eq!(newest["hasMore"], true);
    let (_, older) = h.history(&ana, &general, Some(71)).await;
    assert_eq!(seqs(&older["messages"]), (21..=70).collect::<Vec<_>>());
    let (_, oldest) = h.history(&ana, &general, Some(21)).await;
    assert_eq!(seqs(&oldest["messages"]), (1..=20).collect::<Vec<_>>());
    assert_eq!(oldest["hasMore"], false);

    // A jump to message 30 (from search) reaches back to ten before it in one page.
    let reach = |query: String| {
        let path = format!("/api/chat/history?channelId={general}&{query}");
        let h = &h;
        let ana = &ana;
        async move { h.read(ana, &path).await }
    };
    let (_, jump) = reach("reachSeq=30".into()).await;
    assert_eq!(seqs(&jump["messages"]), (20..=120).collect::<Vec<_>>());
    assert_eq!(jump["hasMore"], true);
    // From a page already loaded down to 71, the rest of the way, to the first message.
    let (_, rest) = reach("reachSeq=5&beforeSeq=71".into()).await;
    assert_eq!(seqs(&rest["messages"]), (1..=70).collect::<Vec<_>>());
    assert_eq!(rest["hasMore"], false);
    // A message newer than the channel's newest, or nonsense, is at most an ordinary page.
    let (_, ahead) = reach("reachSeq=9999".into()).await;
    assert_eq!(seqs(&ahead["messages"]), (71..=120).collect::<Vec<_>>());
    let (status, _) = reach("reachSeq=soon".into()).await;
    assert!(status.is_client_error(), "{status}");
}

on_both!(
    resume_after_a_dropped_connection_replays_exactly_what_was_missed,
    [("RATE_LIMIT_MESSAGES", "0")]
);
async fn resume_after_a_dropped_connection_replays_exactly_what_was_missed(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Resumers", "public").await;
    h.call(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;
    let mut reader = h.socket(&ana).await;
    reader.subscribe(&general, None).await;

    // Bo sends 40 messages; Ana's connection dies mid-stream after the 10th she sees.
    let mut sender = h.socket(&bo).await;
    sender.subscribe(&general, None).await;
    let channel = general.clone();
    let writer = tokio::spawn(async move {
        for i in 1..=40 {
            sender
                .say(&channel, &format!("n{i}"), &format!("tick {i}"))
                .await;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        sender
    });
    let mut seen = Vec::new();
    while seen.len() < 10 {
        let event = reader.expect("messageCreated").await;
        seen.push(event["message"]["seq"].as_i64().unwrap());
    }
    assert_eq!(
        seen,
        (1..=10).collect::<Vec<_>>(),
        "live delivery is in order, without gaps"
    );
    reader.kill();
    let mut sender = writer.await.unwrap();
    while sender.expect("messageCreated").await["message"]["seq"] != 40 {}

    // Ana comes back with the last number she saw: exactly 11..=40 are replayed.
    let mut reader = h.socket(&ana).await;
    let before = reader.subscribe(&general, Some(10)).await;
    let replay = before
        .iter()
        .find(|e| e["type"] == "replay")
        .expect("a replay");
    assert_eq!(seqs(&replay["messages"]), (11..=40).collect::<Vec<_>>());
    // …and the live stream goes on from there, each message once.
    sender.say(&general, "n41", "tick 41").await;
    let live = reader.expect("messageCreated").await;
    assert_eq!(live["message"]["seq"], 41);
    let rest = reader.drain(Duration::from_millis(300)).await;
    assert!(
        !rest.iter().any(|e| e["type"] == "messageCreated"),
        "{rest:?}"
    );

    // A tab that sends the same message twice (its retry around a reconnect) stores it once.
    sender.say(&general, "n42", "tick 42").await;
    sender.say(&general, "n42", "tick 42").await;
    let once = reader.expect("messageCreated").await;
    assert_eq!(once["message"]["seq"], 42);
    let rest = reader.drain(Duration::from_millis(500)).await;
    assert!(
        !rest.iter().any(|e| e["type"] == "messageCreated"),
        "the repeat was not stored again: {rest:?}"
    );
    assert_eq!(
        h.count("SELECT COUNT(*) FROM messages WHERE body = 'tick 42'")
            .await,
        1
    );

    // So does a tab whose socket dropped before the confirmation came and that sends it again
    // on its next socket (subscribed before the first copy was stored, so no replay carries
    // it): that copy's broadcast, with the nonce, settles what the tab shows pending. And so
    // do two tabs of Bo's sending one nonce at the same moment.
    let mut again = h.socket(&bo).await;
    again.subscribe(&general, Some(42)).await;
    sender.say(&general, "n43", "tick 43").await;
    while sender.expect("messageCreated").await["nonce"] != "n43" {}
    sender.kill();
    assert_eq!(again.expect("messageCreated").await["nonce"], "n43");
    again.say(&general, "n43", "tick 43").await;
    let mut other_tab = h.socket(&bo).await;
    tokio::join!(
        again.say(&general, "n44", "tick 44"),
        other_tab.say(&general, "n44", "tick 44")
    );
    let mut heard = Vec::new();
    while heard.len() < 2 {
        let event = reader.expect("messageCreated").await;
        heard.push(event["message"]["body"].as_str().unwrap().to_string());
    }
    assert_eq!(heard, ["tick 43", "tick 44"]);
    let rest = reader.drain(Duration::from_millis(500)).await;
    assert!(
        !rest.iter().any(|e| e["type"] == "messageCreated"),
        "no second copy: {rest:?}"
    );
    for body in ["tick 43", "tick 44"] {
        let sql = format!("SELECT COUNT(*) FROM messages WHERE body = '{body}'");
        assert_eq!(h.count(&sql).await, 1, "{body}");
    }
}

on_both!(the_rate_limit_refuses_the_eleventh_message_in_a_minute);
async fn the_rate_limit_refuses_the_eleventh_message_in_a_minute(h: Harness) {
    let ana = h.person("ana").await;
    let (_, general) = h.community(&ana, "Fast Talkers", "public").await;
    let mut socket = h.socket(&ana).await;
    socket.subscribe(&general, None).await;
    for i in 1..=10 {
        socket
            .say(&general, &format!("n{i}"), &format!("quick {i}"))
            .await;
        assert_eq!(socket.expect("messageCreated").await["message"]["seq"], i);
    }
    socket.say(&general, "n11", "one too many").await;
    let refused = socket.expect("error").await;
    assert_eq!(refused["nonce"], "n11");
    assert_eq!(refused["error"]["code"], "rate_limited");
    let wait = refused["error"]["retryAfterSecs"].as_u64().unwrap();
    assert!((1..=60).contains(&wait), "{refused}");
    assert_eq!(
        h.count("SELECT COUNT(*) FROM messages").await,
        10,
        "not stored"
    );
}

on_both!(bad_messages_and_commands_are_refused_privately_and_not_stored);
async fn bad_messages_and_commands_are_refused_privately_and_not_stored(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Careful Writers", "public").await;
    h.call(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;
    let mut ana_socket = h.socket(&ana).await;
    ana_socket.subscribe(&general, None).await;
    let mut bo_socket = h.socket(&bo).await;
    bo_socket.subscribe(&general, None).await;

    ana_socket.say(&general, "long", &"x".repeat(4001)).await;
    let refused = ana_socket.expect("error").await;
    assert_eq!(
        refused["error"]["error"],
        "Messages are at most 4000 characters; this one has 4001."
    );

    ana_socket.say(&general, "cmd", "/frobnicate now").await;
    let refused = ana_socket.expect("error").await;
    assert_eq!(refused["nonce"], "cmd");
    assert_eq!(
        refused["error"]["error"],
        "Unknown command /frobnicate. Type /help to see the commands."
    );

    ana_socket.say(&general, "help", "/help").await;
    let reply = ana_socket.expect("commandReply").await;
    assert_eq!(reply["nonce"], "help");
    let lines: Vec<String> = reply["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| common::read_sentence(l, "en"))
        .collect();
    assert_eq!(lines[0], "Commands:", "{reply}");
    assert!(lines.iter().any(|l| l.starts_with("/shrug")), "{lines:?}");
    assert!(lines.iter().any(|l| l.starts_with("/stock")), "{lines:?}");
    // The same lines, as a person reading Turkish sees them.
    assert_eq!(common::read_sentence(&reply["lines"][0], "tr"), "Komutlar:");

    ana_socket.say(&general, "shrug", "/shrug dunno").await;
    let posted = ana_socket.expect("messageCreated").await;
    assert_eq!(posted["message"]["body"], r"dunno ¯\\\_(ツ)\_/¯");
    assert_eq!(h.count("SELECT COUNT(*) FROM messages").await, 1);
    // Bo heard only the posted shrug (and the AI's note on it): nothing of the refusals or the
    // private help.
    let heard: Vec<Value> = bo_socket.drain(Duration::from_millis(300)).await;
    let kinds: Vec<&str> = heard
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .filter(|kind| !matches!(*kind, "channelActivity" | "messageAnalyzed"))
        .collect();
    assert_eq!(kinds, ["messageCreated"], "{heard:?}");
}

on_both!(edit_delete_react_and_pin_reach_everyone);
async fn edit_delete_react_and_pin_reach_everyone(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Editors", "public").await;
    h.call(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;
    let mut ana_socket = h.socket(&ana).await;
    ana_socket.subscribe(&general, None).await;
    let mut bo_socket = h.socket(&bo).await;
    bo_socket.subscribe(&general, None).await;

    bo_socket.say(&general, "n1", "buy high").await;
    let id = bo_socket.expect("messageCreated").await["message"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    ana_socket.send(json!({"type": "send", "channelId": general, "nonce": "r", "body": "really?", "replyTo": id})).await;
    let reply = bo_socket.expect("messageCreated").await;
    assert_eq!(reply["message"]["replyTo"]["excerpt"], "buy high");

    bo_socket
        .send(json!({"type": "edit", "messageId": id, "body": "buy low"}))
        .await;
    let edited = ana_socket.expect("messageEdited").await;
    assert_eq!(
        (
            edited["message"]["body"].as_str(),
            edited["message"]["edited"].as_bool()
        ),
        (Some("buy low"), Some(true))
    );

    // Only the author edits; a member cannot delete someone else's message.
    ana_socket
        .send(json!({"type": "edit", "messageId": id, "body": "hacked"}))
        .await;
    assert_eq!(
        ana_socket.expect("error").await["error"]["error"],
        "You can only edit your own messages."
    );

    ana_socket
        .send(json!({"type": "react", "messageId": id, "emoji": "🚀", "on": true}))
        .await;
    bo_socket
        .send(json!({"type": "react", "messageId": id, "emoji": "🚀", "on": true}))
        .await;
    let mut reactions = bo_socket.expect("reactionsChanged").await;
    while reactions["reactions"][0]["users"].as_array().unwrap().len() < 2 {
        reactions = bo_socket.expect("reactionsChanged").await;
    }
    assert_eq!(reactions["reactions"][0]["emoji"], "🚀");

    // Ana owns the community, so she may pin.
    ana_socket
        .send(json!({"type": "pin", "messageId": id, "pinned": true}))
        .await;
    assert_eq!(
        bo_socket.expect("pinChanged").await["message"]["pinned"],
        true
    );
    let (_, pins) = h
        .read(&bo, &format!("/api/chat/pins?channelId={general}"))
        .await;
    assert_eq!(pins[0]["id"], id.as_str());
    bo_socket
        .send(json!({"type": "pin", "messageId": id, "pinned": false}))
        .await;
    assert_eq!(bo_socket.expect("error").await["error"]["code"], "denied");

    bo_socket
        .send(json!({"type": "delete", "messageId": id}))
        .await;
    let deleted = ana_socket.expect("messageDeleted").await;
    assert_eq!(deleted["messageId"], id.as_str());
    // The words are gone from the database; the place in the history stays.
    assert_eq!(
        h.count("SELECT COUNT(*) FROM messages WHERE body IS NULL AND deleted_at IS NOT NULL")
            .await,
        1
    );
    let (_, page) = h.history(&ana, &general, None).await;
    assert_eq!(page["messages"][0]["body"], Value::Null);
    assert_eq!(page["messages"][0]["reactions"], json!([]));
}

on_both!(a_ban_stops_reading_posting_and_rejoining);
async fn a_ban_stops_reading_posting_and_rejoining(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Strict Club", "public").await;
    h.call(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;
    let mut bo_socket = h.socket(&bo).await;
    bo_socket.subscribe(&general, None).await;

    // A member cannot ban the owner.
    let (status, refused) = h
        .call(
            &bo,
            "/api/communities/ban",
            json!({"slug": slug, "username": "ana"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");

    let (status, _) = h
        .call(
            &ana,
            "/api/communities/ban",
            json!({"slug": slug, "username": "bo_b", "reason": "pump and dump"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = h.history(&bo, &general, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "You are banned from this community.");
    bo_socket.say(&general, "n1", "let me in").await;
    assert_eq!(
        bo_socket.expect("error").await["error"]["error"],
        "You are banned from this community."
    );
    let (status, _) = h
        .call(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (_, bans) = h
        .read(&ana, &format!("/api/communities/bans?slug={slug}"))
        .await;
    assert_eq!(bans[0]["username"], "bo_b");
    assert_eq!(bans[0]["reason"], "pump and dump");
    assert_eq!(bans[0]["bannedBy"], "ana");

    let (status, _) = h
        .call(
            &ana,
            "/api/communities/unban",
            json!({"slug": slug, "username": "bo_b"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = h
        .call(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;
    assert_eq!(status, StatusCode::OK);
}

on_both!(private_communities_need_a_live_invitation);
async fn private_communities_need_a_live_invitation(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Inner Circle", "private").await;
    let (_, lists) = h.read(&bo, "/api/communities/list").await;
    assert!(
        !lists["discover"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["slug"] == slug.as_str()),
        "private ones are not listed"
    );
    assert_eq!(
        h.history(&bo, &general, None).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        h.call(&bo, "/api/communities/join", json!({"slug": slug}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );

    let (_, invite) = h
        .call(
            &ana,
            "/api/communities/invites/create",
            json!({"slug": slug, "hours": 24}),
        )
        .await;
    let code = invite["code"].as_str().unwrap().to_string();
    let (status, preview) = h
        .read(&bo, &format!("/api/invites/preview?code={code}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(preview["community"]["name"], "Inner Circle");
    let (status, _) = h
        .call(&bo, "/api/invites/accept", json!({"code": code}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h.history(&bo, &general, None).await.0, StatusCode::OK);

    let carl = h.person("carl").await;
    h.call(
        &ana,
        "/api/communities/invites/revoke",
        json!({"slug": slug, "code": code}),
    )
    .await;
    let (status, body) = h
        .call(&carl, "/api/invites/accept", json!({"code": code}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"], "This invitation was revoked.");
}

on_both!(blocked_people_are_hidden_from_the_blocker);
async fn blocked_people_are_hidden_from_the_blocker(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let carl = h.person("carl").await;
    let (slug, general) = h.community(&ana, "Quiet Room", "public").await;
    for p in [&bo, &carl] {
        h.call(p, "/api/communities/join", json!({"slug": slug}))
            .await;
    }
    h.call(
        &ana,
        "/api/users/block",
        json!({"username": "bo_b", "blocked": true}),
    )
    .await;
    let mut ana_socket = h.socket(&ana).await;
    ana_socket.subscribe(&general, None).await;
    let mut carl_socket = h.socket(&carl).await;
    carl_socket.subscribe(&general, None).await;
    let mut bo_socket = h.socket(&bo).await;
    bo_socket.subscribe(&general, None).await;
    bo_socket.say(&general, "n1", "spam spam").await;
    assert_eq!(
        carl_socket.expect("messageCreated").await["message"]["body"],
        "spam spam"
    );
    carl_socket.say(&general, "n2", "hi ana").await;
    // Ana's next message is Carl's: Bo's never reached her.
    assert_eq!(
        ana_socket.expect("messageCreated").await["message"]["body"],
        "hi ana"
    );
    let (_, page) = h.history(&ana, &general, None).await;
    assert_eq!(seqs(&page["messages"]), [2]);
    let (_, page) = h.history(&carl, &general, None).await;
    assert_eq!(seqs(&page["messages"]), [1, 2]);
}

on_both!(typing_and_presence_travel_to_the_others);
async fn typing_and_presence_travel_to_the_others(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Chatty", "public").await;
    h.call(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;
    let mut ana_socket = h.socket(&ana).await;
    ana_socket.subscribe(&general, None).await;

    let mut bo_socket = h.socket(&bo).await;
    bo_socket.subscribe(&general, None).await;
    bo_socket
        .send(json!({"type": "typing", "channelId": general, "typing": true}))
        .await;
    let typing = ana_socket.expect("typing").await;
    assert_eq!(
        (
            typing["user"]["username"].as_str(),
            typing["typing"].as_bool()
        ),
        (Some("bo_b"), Some(true))
    );
    let (_, members) = h
        .read(&ana, &format!("/api/communities/members?slug={slug}"))
        .await;
    let online: BTreeSet<&str> = members
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["online"] == true)
        .map(|m| m["username"].as_str().unwrap())
        .collect();
    assert_eq!(online, BTreeSet::from(["ana", "bo_b"]));

    bo_socket.kill();
    let offline = ana_socket.expect("presence").await;
    assert_eq!(offline["online"], false);
}

on_both!(
    a_burst_from_many_people_is_stored_once_each_numbered_without_gaps,
    [("RATE_LIMIT_MESSAGES", "0"), ("SIGNUP_RATE_LIMIT", "0")]
);
/// The writer stores what waits in one transaction: ten people sending ten messages each at
/// once must still give one row per message, the numbers 1..=100 without gap or repeat, each
/// listener every message in number order, each sender a confirmation per nonce, and each
/// author's read position at their own last message.
async fn a_burst_from_many_people_is_stored_once_each_numbered_without_gaps(h: Harness) {
    let owner = h.person("owner").await;
    let (slug, general) = h.community(&owner, "Burst Hall", "public").await;
    let mut listener = h.socket(&owner).await;
    listener.subscribe(&general, None).await;
    let mut senders = Vec::new();
    for i in 0..10 {
        let person = h.person(&format!("sender{i}")).await;
        h.ok(&person, "/api/communities/join", json!({"slug": slug}))
            .await;
        let mut socket = h.socket(&person).await;
        socket.subscribe(&general, None).await;
        senders.push((person, socket));
    }
    let general = &general;
    // Every socket sends its ten without waiting for a confirmation.
    let confirmed = futures::future::join_all(senders.iter_mut().enumerate().map(
        |(i, (_, socket))| async move {
            for k in 0..10 {
                socket
                    .say(general, &format!("s{i}-{k}"), &format!("burst {i} {k}"))
                    .await;
            }
            let mut mine = BTreeSet::new();
            let mut last_own_seq = 0;
            while mine.len() < 10 {
                let event = socket.next_event().await;
                assert_ne!(event["type"], "error", "{event}");
                let nonce = event["nonce"].as_str().unwrap_or_default();
                if event["type"] == "messageCreated" && nonce.starts_with(&format!("s{i}-")) {
                    mine.insert(nonce.to_string());
                    last_own_seq = event["message"]["seq"].as_i64().unwrap();
                }
            }
            last_own_seq
        },
    ))
    .await;

    let mut heard = Vec::new();
    while heard.len() < 100 {
        let event = listener.next_event().await;
        if event["type"] == "messageCreated" {
            heard.push(event["message"]["seq"].as_i64().unwrap());
        }
    }
    assert_eq!(heard, (1..=100).collect::<Vec<_>>());
    assert_eq!(
        h.count("SELECT COUNT(*) FROM messages WHERE body LIKE 'burst %'")
            .await,
        100
    );
    assert_eq!(
        h.count("SELECT COUNT(DISTINCT seq) FROM messages WHERE body LIKE 'burst %'")
            .await,
        100
    );
    for ((person, _), last_own_seq) in senders.iter().zip(confirmed) {
        let read = h
            .count(&format!(
                "SELECT last_read_seq FROM read_states r JOIN users u ON u.id = r.user_id \
                 WHERE u.username = '{}'",
                person.name
            ))
            .await;
        assert_eq!(read, last_own_seq, "{}", person.name);
    }
}

on_both!(
    channel_activity_is_one_event_per_community_a_few_times_a_second,
    [("RATE_LIMIT_MESSAGES", "0")]
);
/// The sidebar's unread counts come from channel activity: one event per community a few times
/// a second at most, carrying each busy channel's newest number — never an event per message.
async fn channel_activity_is_one_event_per_community_a_few_times_a_second(h: Harness) {
    let ana = h.person("ana").await;
    let (slug, general) = h.community(&ana, "Busy Hall", "public").await;
    let news = h
        .ok(
            &ana,
            "/api/communities/channels/create",
            json!({"slug": slug, "name": "news", "kind": "text"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut reader = h.socket(&ana).await;
    reader.subscribe(&general, None).await;
    let mut writer = h.socket(&ana).await;
    writer.subscribe(&news, None).await;
    for k in 0..20 {
        writer
            .say(&news, &format!("n{k}"), &format!("news {k}"))
            .await;
    }
    for k in 0..5 {
        writer
            .say(&general, &format!("g{k}"), &format!("general {k}"))
            .await;
    }
    let mut created = 0;
    // The number each activity event gave #news, and how many events there were.
    let mut news_seqs = Vec::new();
    let mut events = 0;
    let mut communities: Option<String> = None;
    // #general's newest number as activity told it: the loop waits for both channels' last
    // word, so a late event cannot fall into the quiet period checked below.
    let mut general_last = None;
    while created < 5 || news_seqs.last() != Some(&20) || general_last != Some(5) {
        let event = reader.next_event().await;
        match event["type"].as_str().unwrap() {
            "messageCreated" => created += 1,
            "channelActivity" => {
                events += 1;
                let community = event["communityId"].as_str().unwrap().to_string();
                assert_eq!(
                    *communities.get_or_insert(community.clone()),
                    community,
                    "{event}"
                );
                for busy in event["channels"].as_array().unwrap() {
                    let seq = busy["lastSeq"].as_i64().unwrap();
                    if busy["channelId"] == news.as_str() {
                        news_seqs.push(seq);
                    } else {
                        assert_eq!(busy["channelId"], general.as_str(), "{event}");
                        assert!((1..=5).contains(&seq), "{event}");
                        general_last = Some(seq);
                    }
                }
            }
            _ => {}
        }
    }
    assert!(
        news_seqs.windows(2).all(|w| w[0] < w[1]),
        "newest numbers only, rising: {news_seqs:?}"
    );
    assert!(
        events <= 10,
        "twenty-five messages in a moment make a few events, not one each: {events}"
    );
    // Nothing more comes once everything was told.
    let rest = reader.drain(Duration::from_millis(600)).await;
    assert!(
        rest.iter().all(|e| e["type"] != "channelActivity"),
        "{rest:?}"
    );
}

on_both!(the_home_counts_unread_and_mentions_and_what_trends);
async fn the_home_counts_unread_and_mentions_and_what_trends(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let carl = h.person("carl").await;
    let (slug, general) = h.community(&ana, "Home Room", "public").await;
    for p in [&bo, &carl] {
        h.call(p, "/api/communities/join", json!({"slug": slug}))
            .await;
    }
    h.call(
        &ana,
        "/api/users/block",
        json!({"username": "carl", "blocked": true}),
    )
    .await;
    let (status, _) = h.get("/api/chat/home").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the home is a person's own"
    );

    let mut bo_socket = h.socket(&bo).await;
    bo_socket.subscribe(&general, None).await;
    let mut carl_socket = h.socket(&carl).await;
    carl_socket.subscribe(&general, None).await;
    for (from_bo, nonce, text) in [
        (true, "b1", "@ana look at $NVDA"),
        (true, "b2", "$NVDA again, and $AAPL.US"),
        (false, "c1", "@ana $GME now"),
        (true, "b3", "@anastasia is someone else, @ANA is not"),
    ] {
        let socket = if from_bo {
            &mut bo_socket
        } else {
            &mut carl_socket
        };
        socket.say(&general, nonce, text).await;
        let mut stored = socket.expect("messageCreated").await;
        while stored["nonce"] != nonce {
            stored = socket.expect("messageCreated").await;
        }
    }

    let (status, home) = h.read(&ana, "/api/chat/home").await;
    assert_eq!(status, StatusCode::OK, "{home}");
    let room = home["communities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["community"]["slug"] == slug.as_str())
        .expect("her community is listed");
    assert_eq!(room["channels"][0]["name"], "general");
    assert_eq!(room["channels"][0]["unread"], 4);
    // Bo's two (any case), not Carl's (blocked), not @anastasia.
    assert_eq!(room["channels"][0]["mentions"], 2, "{room}");
    // What trends for her leaves Carl out too.
    let (_, trending) = h.read(&ana, "/api/market/trending").await;
    let trending: Vec<(&str, i64, i64)> = trending
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["ticker"].as_str().unwrap(),
                t["mentions"].as_i64().unwrap(),
                t["people"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(trending, [("NVDA", 2, 1), ("AAPL", 1, 1)]);

    // Bo sees Carl's cashtag; nobody mentioned him.
    let (_, home) = h.read(&bo, "/api/chat/home").await;
    let room = home["communities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["community"]["slug"] == slug.as_str())
        .unwrap();
    assert_eq!(room["channels"][0]["mentions"], 0);
    let (_, trending) = h.read(&bo, "/api/market/trending").await;
    assert!(trending
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["ticker"] == "GME"));

    // Writing in the channel marks it read: nothing waits for Ana any more.
    let mut ana_socket = h.socket(&ana).await;
    ana_socket.subscribe(&general, None).await;
    ana_socket.say(&general, "a1", "thanks both").await;
    let mut stored = ana_socket.expect("messageCreated").await;
    while stored["nonce"] != "a1" {
        stored = ana_socket.expect("messageCreated").await;
    }
    let (_, home) = h.read(&ana, "/api/chat/home").await;
    let room = home["communities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["community"]["slug"] == slug.as_str())
        .unwrap();
    assert_eq!(
        (
            &room["channels"][0]["unread"],
            &room["channels"][0]["mentions"]
        ),
        (&json!(0), &json!(0))
    );
}
