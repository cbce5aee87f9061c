//! A person's page through the real server, on SQLite and (when TEST_DATABASE_URL is set)
//! PostgreSQL: what a guest, a fellow member and someone who blocked them each see.

use crate::common::{harness::Harness, people::Person};
use reqwest::StatusCode;
use serde_json::{json, Value};

impl Harness {
    /// Sends `body` to `channel` as `who` and waits until it is stored: its id.
    async fn post_message(&self, who: &Person, channel: &str, body: &str) -> String {
        let mut socket = self.socket(who).await;
        socket.subscribe(channel, None).await;
        socket.say(channel, "n", body).await;
        let stored = socket.expect("messageCreated").await;
        stored["message"]["id"].as_str().unwrap().to_string()
    }
}

fn names(list: &Value, field: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v[field].as_str().unwrap().to_string())
        .collect()
}

on_both!(a_profile_shows_what_the_reader_may_see);
async fn a_profile_shows_what_the_reader_may_see(h: Harness) {
    let ana = h.person("ana").await;
    let bob = h.person("bob").await;
    let carl = h.person("carl").await;
    let (open_slug, open_general) = h.community(&ana, "Open Floor", "public").await;
    let (club_slug, club_general) = h.community(&ana, "Inner Club", "private").await;
    let invite = h
        .ok(
            &ana,
            "/api/communities/invites/create",
            json!({"slug": club_slug}),
        )
        .await;
    h.ok(
        &carl,
        "/api/invites/accept",
        json!({"code": invite["code"]}),
    )
    .await;
    h.ok(
        &ana,
        "/api/profile/update",
        json!({"update": {"displayName": "Ana Lytic", "bio": "Dividends and patience.", "preferredLanguage": "en", "timeZone": "UTC"}}),
    )
    .await;

    h.post_message(&ana, &open_general, "Watching **$AAPL** into earnings")
        .await;
    h.post_message(&ana, &club_general, "Members only: the plan")
        .await;
    let gone = h
        .post_message(&ana, &open_general, "a typo I took back")
        .await;
    let mut socket = h.socket(&ana).await;
    socket.subscribe(&open_general, None).await;
    socket
        .send(json!({"type": "delete", "messageId": gone}))
        .await;
    socket.expect("messageDeleted").await;

    // A guest: the public community and the public message, newest first, without markup.
    let (status, page) = h.get("/api/users/page?username=ANA").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["profile"]["displayName"], "Ana Lytic");
    assert_eq!(page["profile"]["bio"], "Dividends and patience.");
    assert_eq!(
        page["profile"]["joined"],
        chrono::Utc::now().date_naive().to_string()
    );
    // Everyone starts in the seeded community.
    assert_eq!(
        names(&page["communities"], "slug"),
        ["bullpen".to_string(), open_slug.clone()]
    );
    assert_eq!(
        page["communities"][1]["memberCount"], 2,
        "its owner and the stock bot"
    );
    assert_eq!(
        names(&page["activity"], "excerpt"),
        ["Watching $AAPL into earnings"],
        "no private, no deleted message: {page}"
    );
    assert_eq!(page["activity"][0]["communitySlug"], open_slug.as_str());
    assert_eq!(page["activity"][0]["channelName"], "general");

    // A fellow member of the private community sees it and what was said there.
    let (_, page) = h.read(&carl, "/api/users/page?username=ana").await;
    assert_eq!(
        names(&page["communities"], "slug"),
        ["bullpen".to_string(), open_slug.clone(), club_slug.clone()]
    );
    assert_eq!(
        names(&page["activity"], "excerpt"),
        ["Members only: the plan", "Watching $AAPL into earnings"]
    );

    // Someone banned from her public community no longer sees it, nor what she said there.
    h.ok(&bob, "/api/communities/join", json!({"slug": open_slug}))
        .await;
    h.ok(
        &ana,
        "/api/communities/ban",
        json!({"slug": open_slug, "username": "bob", "reason": "spam"}),
    )
    .await;
    let (_, page) = h.read(&bob, "/api/users/page?username=ana").await;
    assert_eq!(names(&page["communities"], "slug"), ["bullpen".to_string()]);
    assert_eq!(page["activity"], json!([]));

    // Someone who blocked her sees the profile, marked, and none of her words.
    h.ok(
        &bob,
        "/api/users/block",
        json!({"username": "ana", "blocked": true}),
    )
    .await;
    let (_, page) = h.read(&bob, "/api/users/page?username=ana").await;
    assert_eq!(page["profile"]["blocked"], true);
    assert_eq!(page["activity"], json!([]));

    // Nobody by that name: 404 with the sentence, in the reader's language.
    let response = h
        .http
        .get(h.server.url("/api/users/page?username=nobody"))
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "L'utilisateur @nobody est introuvable.");
}
