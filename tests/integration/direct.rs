//! Direct messages as people use and misuse them: a pair has one conversation however (and
//! however quickly) either starts it; its messages reach the other person wherever they are in
//! the app and count as unread until read; groups hold at most ten, grow by their people and can
//! be left; outsiders can neither read, join, subscribe nor search one; a block closes a
//! one-to-one conversation for both at once, open sockets included, and nobody starts one
//! across a block. On SQLite and (when TEST_DATABASE_URL is set) PostgreSQL.

use crate::common;

use std::time::Duration;

use crate::common::{harness::Harness, people::Person};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn start(h: &Harness, who: &Person, with: &str) -> (StatusCode, Value) {
    h.call(who, "/api/messages/start", json!({"with": with}))
        .await
}

async fn list(h: &Harness, who: &Person) -> Vec<Value> {
    let (status, list) = h.read(who, "/api/messages/list").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().unwrap().clone()
}

fn usernames(conversation: &Value) -> Vec<&str> {
    conversation["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["username"].as_str().unwrap())
        .collect()
}

/// Says `body` in a channel as the socket's person and waits for its confirmation.
async fn say(socket: &mut common::ws::ChatClient, channel: &str, nonce: &str, body: &str) -> Value {
    socket.say(channel, nonce, body).await;
    loop {
        let event = socket.next_event().await;
        if event["type"] == "messageCreated" && event["nonce"] == nonce {
            return event["message"].clone();
        }
        assert_ne!(event["type"], "error", "{event}");
    }
}

on_both!(a_pair_has_one_conversation_however_it_is_started);
async fn a_pair_has_one_conversation_however_it_is_started(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let (status, first) = start(&h, &ana, "@BO_B").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let slug = first["slug"].as_str().unwrap();
    assert!(slug.starts_with("dm-"), "{first}");
    assert_eq!(usernames(&first), ["bo_b"]);
    assert_eq!(first["group"], false);
    // The other side starting it finds the same one.
    let (_, again) = start(&h, &bo, "ana").await;
    assert_eq!(again["slug"], slug);
    assert_eq!(usernames(&again), ["ana"]);
    // Both at once, from both sides: still one.
    let (one, two) = tokio::join!(start(&h, &ana, "cy_c"), start(&h, &cy, "ana"));
    assert_eq!(
        (one.0, two.0),
        (StatusCode::OK, StatusCode::OK),
        "{} {}",
        one.1,
        two.1
    );
    assert_eq!(one.1["slug"], two.1["slug"]);
    assert_eq!(
        h.count("SELECT COUNT(*) FROM communities WHERE direct_key IS NOT NULL")
            .await,
        2
    );
    // Conversations are not communities: no list, profile or channel search shows them.
    let (_, lists) = h.read(&ana, "/api/communities/list").await;
    for list in [&lists["mine"], &lists["discover"]] {
        assert!(
            list.as_array()
                .unwrap()
                .iter()
                .all(|c| !c["slug"].as_str().unwrap().starts_with("dm-")),
            "{lists}"
        );
    }
    let (_, page) = h.read(&bo, "/api/users/page?username=ana").await;
    assert!(!page["communities"].to_string().contains("dm-"), "{page}");
    let (_, found) = h.read(&ana, "/api/search?q=chat").await;
    assert_eq!(found["channels"], json!([]), "{found}");
    // Each sees the other in their list.
    assert_eq!(list(&h, &bo).await.len(), 1);
    assert_eq!(list(&h, &ana).await.len(), 2);
}

on_both!(a_conversation_with_a_deleted_account_still_says_with_whom);
async fn a_conversation_with_a_deleted_account_still_says_with_whom(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (status, started) = start(&h, &ana, "bo_b").await;
    assert_eq!(status, StatusCode::OK, "{started}");
    let (status, gone) = h
        .post_as(
            &bo.token,
            "/api/account/delete",
            json!({"password": "correct horse battery", "messages": "keep"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{gone}");
    let mine = list(&h, &ana).await;
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0]["people"][0]["deleted"], true, "{mine:?}");
    assert_ne!(mine[0]["people"][0]["displayName"], "", "{mine:?}");
    assert_eq!(mine[0]["people"][0]["id"], bo.id.as_str(), "{mine:?}");
}

on_both!(bad_requests_to_start_one_get_a_sentence);
async fn bad_requests_to_start_one_get_a_sentence(h: Harness) {
    let ana = h.person("ana").await;
    for (with, want) in [
        ("", StatusCode::UNPROCESSABLE_ENTITY),
        (" , @ ", StatusCode::UNPROCESSABLE_ENTITY),
        ("ana", StatusCode::UNPROCESSABLE_ENTITY),
        ("nobody_here", StatusCode::NOT_FOUND),
        ("stockbot", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let (status, answer) = start(&h, &ana, with).await;
        assert_eq!(status, want, "{with:?}: {answer}");
        assert!(
            !answer["error"].as_str().unwrap_or_default().is_empty(),
            "{with:?}: {answer}"
        );
    }
    let (status, _) = h.post("/api/messages/start", json!({"with": "ana"})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = h
        .call(&ana, "/api/messages/start", json!({"to": ["bo"]}))
        .await;
    assert!(status.is_client_error(), "{status}");
    // A crafted request cannot make a community a conversation.
    let (status, answer) = h
        .call(
            &ana,
            "/api/communities/create",
            json!({"community": {"name": "Sneaky", "description": "", "iconColor": "#16a34a", "visibility": "direct"}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let (slug, _) = h.community(&ana, "Open Desk", "public").await;
    let (status, answer) = h
        .call(
            &ana,
            "/api/communities/update",
            json!({"slug": slug, "changes": {"name": "Open Desk", "description": "", "iconColor": "#16a34a", "visibility": "direct"}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
}

on_both!(messages_reach_the_other_person_anywhere_and_count_as_unread_until_read);
async fn messages_reach_the_other_person_anywhere_and_count_as_unread_until_read(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (_, conversation) = start(&h, &ana, "bo_b").await;
    let slug = conversation["slug"].as_str().unwrap().to_string();
    let channel = conversation["channelId"].as_str().unwrap().to_string();
    // Bo is somewhere else in the app: his socket watches no channel.
    let mut bo_socket = h.socket(&bo).await;
    let mut ana_socket = h.socket(&ana).await;
    ana_socket.subscribe(&channel, None).await;
    let sent = say(&mut ana_socket, &channel, "n1", "Lunch after the **open**?").await;
    let told = bo_socket.expect("directMessage").await;
    assert_eq!(told["slug"], slug.as_str());
    assert_eq!(told["message"]["id"], sent["id"]);
    assert_eq!(told["message"]["author"]["username"], "ana");
    // His list: one unread, the words without markup, from ana.
    let mine = list(&h, &bo).await;
    assert_eq!(mine[0]["slug"], slug.as_str());
    assert_eq!(
        mine[0]["lastSeq"].as_i64().unwrap() - mine[0]["lastReadSeq"].as_i64().unwrap(),
        1
    );
    assert_eq!(mine[0]["preview"], "Lunch after the open?");
    assert_eq!(mine[0]["previewAuthor"]["username"], "ana");
    // The page opens on the same machinery: history, the conversation's people.
    let (status, opened) = h
        .read(&bo, &format!("/api/chat/open?slug={slug}&channel=chat"))
        .await;
    assert_eq!(status, StatusCode::OK, "{opened}");
    assert_eq!(opened["history"]["messages"][0]["id"], sent["id"]);
    assert_eq!(
        opened["community"]["direct"]["people"][0]["username"],
        "ana"
    );
    // He replies and reacts like anywhere; ana hears both.
    bo_socket.subscribe(&channel, None).await;
    bo_socket
        .send(json!({"type": "send", "channelId": channel, "nonce": "r1", "body": "Sure", "replyTo": sent["id"]}))
        .await;
    bo_socket
        .send(json!({"type": "react", "messageId": sent["id"], "emoji": "👍", "on": true}))
        .await;
    // The two are handled side by side, so they may reach her in either order.
    let (mut reply, mut reacted) = (None, None);
    while reply.is_none() || reacted.is_none() {
        let event = ana_socket.next_event().await;
        match event["type"].as_str() {
            Some("messageCreated") => reply = Some(event),
            Some("reactionsChanged") => reacted = Some(event),
            _ => {}
        }
    }
    assert_eq!(reply.unwrap()["message"]["replyTo"]["id"], sent["id"]);
    assert_eq!(reacted.unwrap()["reactions"][0]["emoji"], "👍");
    // Reading marks it read.
    bo_socket
        .send(json!({"type": "read", "channelId": channel, "seq": 2}))
        .await;
    let mut read = false;
    for _ in 0..50 {
        let mine = list(&h, &bo).await;
        if mine[0]["lastReadSeq"] == 2 {
            read = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(read, "bo's read position moved");
    // Files go in like anywhere.
    let (status, uploaded) = h
        .upload(&bo, &channel, "note.txt", b"see you".to_vec())
        .await;
    assert_eq!(status, StatusCode::OK, "{uploaded}");
    // Its people find it in search; it is marked as a conversation.
    let mut found = Value::Null;
    for _ in 0..50 {
        let (_, answer) = h.read(&bo, "/api/search?q=lunch").await;
        if !answer["messages"].as_array().unwrap().is_empty() {
            found = answer;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        found["messages"][0]["communitySlug"],
        slug.as_str(),
        "{found}"
    );
    assert_eq!(found["messages"][0]["direct"], true);
    // Reports have no moderators to go to here.
    let (status, answer) = h
        .call(
            &bo,
            "/api/reports/create",
            json!({"messageId": sent["id"], "reason": "spam", "note": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
}

on_both!(outsiders_can_neither_read_join_subscribe_nor_search_a_conversation);
async fn outsiders_can_neither_read_join_subscribe_nor_search_a_conversation(h: Harness) {
    let ana = h.person("ana").await;
    let _bo = h.person("bo_b").await;
    let eve = h.person("eve_x").await;
    let (_, conversation) = start(&h, &ana, "bo_b").await;
    let slug = conversation["slug"].as_str().unwrap().to_string();
    let channel = conversation["channelId"].as_str().unwrap().to_string();
    let mut socket = h.socket(&ana).await;
    socket.subscribe(&channel, None).await;
    say(&mut socket, &channel, "s", "the secret word is zanzibar").await;

    for path in [
        format!("/api/chat/open?slug={slug}&channel=chat"),
        format!("/api/communities/view?slug={slug}"),
        format!("/api/communities/members?slug={slug}"),
    ] {
        let (status, answer) = h.read(&eve, &path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {answer}");
        let (status, _) = h.get(&path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path} anonymously");
    }
    let (status, answer) = h
        .call(&eve, "/api/communities/join", json!({"slug": slug}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    let (status, answer) = h
        .call(
            &eve,
            "/api/messages/add",
            json!({"slug": slug, "username": "eve_x"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    let mut eve_socket = h.socket(&eve).await;
    eve_socket
        .send(json!({"type": "subscribe", "channelId": channel}))
        .await;
    let refused = eve_socket.expect("error").await;
    assert_eq!(refused["error"]["code"], "denied", "{refused}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, found) = h.read(&eve, "/api/search?q=zanzibar").await;
    assert_eq!(found["messages"], json!([]), "{found}");
    let (_, found) = h
        .read(&eve, &format!("/api/search?q=zanzibar&community={slug}"))
        .await;
    assert!(
        found["messages"].as_array().is_none_or(|m| m.is_empty()),
        "{found}"
    );
    assert!(list(&h, &eve).await.is_empty());
}

on_both!(a_block_closes_a_one_to_one_conversation_for_both_at_once);
async fn a_block_closes_a_one_to_one_conversation_for_both_at_once(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (_, conversation) = start(&h, &ana, "bo_b").await;
    let channel = conversation["channelId"].as_str().unwrap().to_string();
    let mut ana_socket = h.socket(&ana).await;
    ana_socket.subscribe(&channel, None).await;
    let mut bo_socket = h.socket(&bo).await;
    bo_socket.subscribe(&channel, None).await;
    let hello = say(&mut ana_socket, &channel, "a1", "hello").await;

    h.ok(
        &bo,
        "/api/users/block",
        json!({"username": "ana", "blocked": true}),
    )
    .await;
    // Ana's open socket learns it without reconnecting: her next message is refused.
    let mut refused = Value::Null;
    for attempt in 0..20 {
        let nonce = format!("late{attempt}");
        ana_socket.say(&channel, &nonce, "are you there?").await;
        let event = loop {
            let event = ana_socket.next_event().await;
            if event["nonce"] == nonce.as_str() {
                break event;
            }
        };
        if event["type"] == "error" {
            refused = event;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(refused["error"]["code"], "denied", "{refused}");
    assert_eq!(
        refused["error"]["error"],
        "This conversation is closed: one of you blocked the other."
    );
    // Bo cannot write either, nor react; both still read what was said.
    bo_socket.say(&channel, "b1", "bye").await;
    let event = bo_socket.expect("error").await;
    assert_eq!(event["nonce"], "b1");
    bo_socket
        .send(json!({"type": "react", "messageId": hello["id"], "emoji": "👍", "on": true}))
        .await;
    let event = bo_socket.expect("error").await;
    assert_eq!(event["error"]["code"], "denied", "{event}");
    let mine = list(&h, &ana).await;
    assert_eq!(mine[0]["closed"], true);
    let (status, opened) = h
        .read(
            &ana,
            &format!(
                "/api/chat/open?slug={}&channel=chat",
                conversation["slug"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(opened["community"]["direct"]["closed"], true);
    // Nobody starts a conversation across the block: the blocker is told why, the other not.
    let (status, answer) = start(&h, &ana, "bo_b").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    assert_eq!(answer["error"], "You can't write to @bo_b.");
    let (status, answer) = start(&h, &bo, "ana").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(
        answer["error"],
        "You blocked @ana; unblock them on their profile to write to them."
    );
    // Lifted, it opens again, for the open socket too.
    h.ok(
        &bo,
        "/api/users/block",
        json!({"username": "ana", "blocked": false}),
    )
    .await;
    let mut delivered = false;
    for attempt in 0..20 {
        let nonce = format!("again{attempt}");
        ana_socket.say(&channel, &nonce, "hi again").await;
        let event = loop {
            let event = ana_socket.next_event().await;
            if event["nonce"] == nonce.as_str() {
                break event;
            }
        };
        if event["type"] == "messageCreated" {
            delivered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(delivered);
}

on_both!(
    groups_hold_ten_grow_by_their_people_and_can_be_left,
    [("SIGNUP_RATE_LIMIT", "0")]
);
async fn groups_hold_ten_grow_by_their_people_and_can_be_left(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let mut others = Vec::new();
    for n in 0..9 {
        others.push(h.person(&format!("guest{n}")).await);
    }
    let (status, group) = start(&h, &ana, "bo_b, cy_c").await;
    assert_eq!(status, StatusCode::OK, "{group}");
    assert_eq!(group["group"], true);
    assert_eq!(usernames(&group), ["bo_b", "cy_c"]);
    let slug = group["slug"].as_str().unwrap().to_string();
    // A second group of the same people is another conversation.
    let (_, second) = start(&h, &ana, "cy_c bo_b").await;
    assert_ne!(second["slug"], slug.as_str());
    // Ten at most: ana and nine others fit, a tenth other does not.
    let nine: Vec<&str> = others.iter().map(|p| p.name.as_str()).collect();
    let (status, answer) = start(&h, &ana, &nine.join(",")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, answer) = start(&h, &ana, &format!("{},bo_b", nine.join(","))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    // Anyone in it adds people; not twice; not across a block; not past ten.
    let add = |who: &'static str| json!({"slug": slug, "username": who});
    let (status, added) = h.call(&cy, "/api/messages/add", add("guest0")).await;
    assert_eq!(status, StatusCode::OK, "{added}");
    assert_eq!(usernames(&added), ["ana", "bo_b", "guest0"]);
    let (status, _) = h.call(&cy, "/api/messages/add", add("guest0")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    h.ok(
        &others[1],
        "/api/users/block",
        json!({"username": "cy_c", "blocked": true}),
    )
    .await;
    let (status, _) = h.call(&cy, "/api/messages/add", add("guest1")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for name in ["guest2", "guest3", "guest4", "guest5", "guest6", "guest7"] {
        let (status, answer) = h
            .call(
                &ana,
                "/api/messages/add",
                json!({"slug": slug, "username": name}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {answer}");
    }
    let (status, answer) = h.call(&ana, "/api/messages/add", add("guest8")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    // The one added sees it; one who leaves no longer does, nor can read it.
    assert!(list(&h, &others[0])
        .await
        .iter()
        .any(|c| c["slug"] == slug.as_str()));
    h.ok(&bo, "/api/communities/leave", json!({"slug": slug}))
        .await;
    assert!(!list(&h, &bo)
        .await
        .iter()
        .any(|c| c["slug"] == slug.as_str()));
    let (status, _) = h
        .read(&bo, &format!("/api/chat/open?slug={slug}&channel=chat"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A one-to-one conversation stays two people: nobody added, nobody leaves.
    let (_, pair) = start(&h, &ana, "bo_b").await;
    let pair_slug = pair["slug"].as_str().unwrap();
    let (status, _) = h
        .call(
            &ana,
            "/api/messages/add",
            json!({"slug": pair_slug, "username": "cy_c"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = h
        .call(&ana, "/api/communities/leave", json!({"slug": pair_slug}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

on_both!(a_burst_of_new_groups_stops_at_ten_an_hour);
async fn a_burst_of_new_groups_stops_at_ten_an_hour(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let _cy = h.person("cy_c").await;
    // Twelve at once: exactly ten are made, the others are told when to try again.
    let answers = futures::future::join_all((0..12).map(|_| start(&h, &ana, "bo_b, cy_c"))).await;
    let made = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    assert_eq!(made, 10, "{answers:?}");
    for (status, answer) in answers.iter().filter(|(s, _)| *s != StatusCode::OK) {
        assert_eq!(*status, StatusCode::TOO_MANY_REQUESTS, "{answer}");
        assert_eq!(answer["code"], "rate_limited", "{answer}");
        assert!(
            answer["retryAfterSecs"].as_u64().unwrap() > 3000,
            "{answer}"
        );
    }
    // Nothing half-made of the refused ones.
    assert_eq!(
        h.count("SELECT COUNT(*) FROM communities WHERE visibility = 'direct'")
            .await,
        10
    );
    assert_eq!(
        h.count(
            "SELECT COUNT(*) FROM channels WHERE community_id IN \
             (SELECT id FROM communities WHERE visibility = 'direct')"
        )
        .await,
        10
    );
    // A pair's own conversation is not a group: still open to start.
    let (status, pair) = start(&h, &ana, "bo_b").await;
    assert_eq!(status, StatusCode::OK, "{pair}");
    // The limit is the starter's: the others may start their own.
    let (status, theirs) = start(&h, &bo, "ana, cy_c").await;
    assert_eq!(status, StatusCode::OK, "{theirs}");
}
