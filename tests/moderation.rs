//! Flag, never block: a toxic message is delivered like any other, then flagged for everyone
//! with a reason; moderators see it in their queue and can dismiss the flag; an edit clears it
//! and the new text is judged again. On SQLite and (when TEST_DATABASE_URL is set) PostgreSQL.

#![cfg(feature = "ssr")]

#[macro_use]
mod common;

use common::{harness::Harness, ws::ChatClient};
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
    assert!(
        flagged["flag"]["reason"]
            .as_str()
            .unwrap()
            .contains("insult"),
        "{flagged}"
    );
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
    assert!(
        stored["flag"]["reason"]
            .as_str()
            .unwrap()
            .contains("insult"),
        "{stored}"
    );

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
}
