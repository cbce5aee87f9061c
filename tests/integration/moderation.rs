//! Flag, never block: a toxic message is delivered like any other, then flagged for everyone
//! with a reason; moderators see it in their queue and can dismiss the flag; an edit clears it
//! and the new text is judged again. On SQLite and (when TEST_DATABASE_URL is set) PostgreSQL.

use crate::common;

use crate::common::{harness::Harness, ws::ChatClient};
use reqwest::StatusCode;
use serde_json::json;

impl Harness {
    async fn token(&self, username: &str) -> String {
        self.register(&format!("{username}@example.com"), username)
            .await["token"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

on_both!(toxic_messages_are_delivered_then_flagged_and_moderators_can_dismiss);
async fn toxic_messages_are_delivered_then_flagged_and_moderators_can_dismiss(h: Harness) {
    let owner = h.token("ana").await;
    let member = h.token("bo_b").await;
    let (status, created) = h
        .post_as(
            &owner,
            "/api/communities/create",
            json!({"community": {"name": "Calm Traders", "description": "", "iconColor": "#16a34a", "visibility": "public"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let slug = created["slug"].as_str().unwrap().to_string();
    h.post_as(&member, "/api/communities/join", json!({"slug": slug}))
        .await;
    let (_, view) = h
        .get_as(&owner, &format!("/api/communities/view?slug={slug}"))
        .await;
    let general = view["channels"][0]["id"].as_str().unwrap().to_string();

    let mut ana = ChatClient::connect(&h.server.base, &owner).await;
    ana.subscribe(&general, None).await;
    let mut bo = ChatClient::connect(&h.server.base, &member).await;
    bo.subscribe(&general, None).await;

    // A clean finance line that trips naive filters stays clean.
    bo.say(
        &general,
        "c",
        "this stock is killing it, short squeeze incoming",
    )
    .await;
    let clean = ana.expect("messageCreated").await;
    assert!(clean["message"]["flag"].is_null(), "{clean}");

    // The toxic one is delivered (never blocked), then flagged for everyone with a reason.
    bo.say(&general, "t", "shut up you stupid moron").await;
    let delivered = ana.expect("messageCreated").await;
    assert_eq!(delivered["message"]["body"], "shut up you stupid moron");
    let id = delivered["message"]["id"].as_str().unwrap().to_string();
    let flagged = ana.expect("messageFlagged").await;
    assert_eq!(flagged["messageId"], id.as_str());
    assert!(
        flagged["flag"]["score"].as_f64().unwrap() >= 0.7,
        "{flagged}"
    );
    // The reason is a code the UI names in the reader's language.
    assert_eq!(flagged["flag"]["reason"], "insult", "{flagged}");
    assert_eq!(flagged["flag"]["engine"], "built-in");
    // The author sees it too, and the flag is part of the history.
    assert_eq!(bo.expect("messageFlagged").await["messageId"], id.as_str());
    let (_, history) = h
        .get_as(&member, &format!("/api/chat/history?channelId={general}"))
        .await;
    let stored = history["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(stored["flag"]["reason"], "insult", "{stored}");

    // Members have no queue; the owner's lists the message.
    let (status, _) = h
        .get_as(&member, &format!("/api/moderation/queue?slug={slug}"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, queue) = h
        .get_as(&owner, &format!("/api/moderation/queue?slug={slug}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    assert_eq!(queue.as_array().unwrap().len(), 1, "{queue}");
    assert_eq!(queue[0]["message"]["id"], id.as_str());
    assert_eq!(queue[0]["channelName"], "general");

    // Dismissing clears it for everyone and empties the queue.
    let (status, body) = h
        .post_as(&owner, "/api/moderation/dismiss", json!({"messageId": id}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(bo.expect("flagCleared").await["messageId"], id.as_str());
    let (_, queue) = h
        .get_as(&owner, &format!("/api/moderation/queue?slug={slug}"))
        .await;
    assert_eq!(queue.as_array().unwrap().len(), 0, "{queue}");

    // An edit is judged afresh: a toxic edit of a clean message gets flagged.
    let clean_id = clean["message"]["id"].as_str().unwrap().to_string();
    bo.send(json!({"type": "edit", "messageId": clean_id, "body": "go fuck yourself"}))
        .await;
    let edited = ana.expect("messageEdited").await;
    assert!(edited["message"]["flag"].is_null(), "{edited}");
    assert_eq!(
        ana.expect("messageFlagged").await["messageId"],
        clean_id.as_str()
    );

    // Warning its author (with the moderator's own words) decides it: it leaves the queue, and
    // the message keeps its flag.
    let (_, queue) = h
        .get_as(&owner, &format!("/api/moderation/queue?slug={slug}"))
        .await;
    assert_eq!(queue.as_array().unwrap().len(), 1, "{queue}");
    let warn = |reason: &str| json!({"messageId": clean_id, "measure": {"kind": "warn"}, "reason": reason});
    let (status, body) = h.post_as(&owner, "/api/moderation/act", warn(" ")).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a warning says why: {body}"
    );
    let (status, body) = h
        .post_as(&owner, "/api/moderation/act", warn("Keep it civil, please"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, queue) = h
        .get_as(&owner, &format!("/api/moderation/queue?slug={slug}"))
        .await;
    assert_eq!(queue.as_array().unwrap().len(), 0, "{queue}");
    let (_, history) = h
        .get_as(&member, &format!("/api/chat/history?channelId={general}"))
        .await;
    let warned = history["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == clean_id.as_str())
        .unwrap();
    assert!(!warned["flag"].is_null(), "{warned}");
}

/// The first `messageFlagged` within `wait`, if any.
async fn flag_within(
    socket: &mut ChatClient,
    wait: std::time::Duration,
) -> Option<serde_json::Value> {
    let deadline = tokio::time::Instant::now() + wait;
    while let Some(left) = deadline.checked_duration_since(tokio::time::Instant::now()) {
        let event = socket.try_next_event(left).await?;
        if event["type"] == "messageFlagged" {
            return Some(event);
        }
    }
    None
}

/// With `AI_WORKER=apart` the server judges nothing itself: the message is delivered at once and
/// waits in Redis for a `bullpen worker`. A worker started later judges what waited; one that
/// is killed and started again judges what came meanwhile — the flag reaches the room through
/// the server either way.
#[tokio::test]
async fn a_worker_apart_judges_what_the_servers_hand_over_even_when_it_comes_late() {
    use std::{process::Stdio, time::Duration};

    let test = "a_worker_apart_judges_what_the_servers_hand_over_even_when_it_comes_late";
    let (Some(database), Some(redis)) = (common::postgres_url(test), common::redis_url(test))
    else {
        return;
    };
    let store = common::SharedStore::create(&database, &redis).await;
    let apart = [("AI_WORKER", "apart")];
    let server = store.start(&apart).await;
    let env = store.env(&apart);
    let http = reqwest::Client::new();
    let token = http
        .post(server.url("/api/auth/register"))
        .json(&json!({"email": "bo@example.com", "username": "bo_b", "displayName": "Bo", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let view: serde_json::Value = http
        .get(server.url("/api/communities/view?slug=bullpen"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let general = view["channels"][0]["id"].as_str().unwrap().to_string();
    let mut socket = ChatClient::connect(&server.base, &token).await;
    socket.subscribe(&general, None).await;

    // No worker: delivered at once, judged by nobody yet.
    socket.say(&general, "t1", "shut up you stupid moron").await;
    let created = socket.expect("messageCreated").await;
    assert_eq!(created["nonce"], "t1");
    assert!(
        flag_within(&mut socket, Duration::from_millis(1500))
            .await
            .is_none(),
        "the server judged it itself"
    );

    let start_worker = || {
        common::bullpen(tempfile::tempdir().unwrap().keep().as_path(), &env)
            .arg("worker")
            .stdout(Stdio::null())
            .spawn()
            .expect("spawn bullpen worker")
    };
    let mut worker = start_worker();
    let flag = flag_within(&mut socket, Duration::from_secs(30))
        .await
        .expect("the worker judges the message that waited for it");
    assert_eq!(flag["messageId"], created["message"]["id"]);

    // The worker goes away; what is said meanwhile waits for the next one.
    worker.kill().await.unwrap();
    socket
        .say(&general, "t2", "shut up you stupid moron, again")
        .await;
    let second = socket.expect("messageCreated").await;
    let mut worker = start_worker();
    let flag = flag_within(&mut socket, Duration::from_secs(30))
        .await
        .expect("a new worker judges what came while none ran");
    assert_eq!(flag["messageId"], second["message"]["id"]);
    worker.kill().await.unwrap();
    server.stop().await;
}

on_both!(a_judgement_is_recorded_only_where_the_message_still_says_what_was_judged);
/// The AI records a batch of judgements in one statement, each only where the message still
/// says the words that were judged: one edited while it waited keeps no stale language.
async fn a_judgement_is_recorded_only_where_the_message_still_says_what_was_judged(h: Harness) {
    use bullpen::moderation::repo::{record_judgements, Judged};

    let ana = h.person("ana").await;
    let (_, general) = h.community(&ana, "Desk", "public").await;
    let mut socket = h.socket(&ana).await;
    socket.subscribe(&general, None).await;
    let mut ids = Vec::new();
    for (nonce, body) in [
        ("a", "buying the dip"),
        ("b", "selling the rip"),
        ("c", "holding"),
    ] {
        socket
            .send(json!({"type": "send", "channelId": general, "nonce": nonce, "body": body}))
            .await;
        loop {
            let event = socket.next_event().await;
            assert_ne!(event["type"], "error", "{event}");
            if event["type"] == "messageCreated" && event["nonce"] == nonce {
                let id = event["message"]["id"].as_str().unwrap();
                ids.push(uuid::Uuid::parse_str(id).unwrap());
                break;
            }
        }
    }
    let judged = [
        Judged {
            message: ids[0],
            body: "buying the dip",
            language: Some("en"),
        },
        // Judged as it said before an edit.
        Judged {
            message: ids[1],
            body: "selling the top",
            language: Some("en"),
        },
        Judged {
            message: ids[2],
            body: "holding",
            language: None,
        },
    ];
    let recorded = record_judgements(&h.db, &judged, "checked").await.unwrap();
    assert_eq!(
        recorded,
        [ids[0], ids[2]].into_iter().collect(),
        "only the messages that still say what was judged"
    );
    assert!(record_judgements(&h.db, &[], "checked")
        .await
        .unwrap()
        .is_empty());
}
