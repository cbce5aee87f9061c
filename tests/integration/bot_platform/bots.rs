//! Bots at work under the app's rules: managing a community, polling, planning, filing and
//! moderating, reading the inbox and people.

use super::{bot, must, upload};
use crate::common::harness::Harness;
use crate::public_api::api;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both!(a_bot_manages_a_community_as_its_person_may);
async fn a_bot_manages_a_community_as_its_person_may(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Desk", "public").await;
    let manager = bot(&h, &ana, &["chat:read", "community:manage"]).await;
    let community = format!("/api/v1/communities/{slug}");

    // Details, a channel, a role given and taken, an invitation made and revoked.
    let changed = must(
        &h,
        (Method::PATCH, &manager, &community),
        Some(json!({"name": "Value Desk", "description": "Long views", "iconColor": "#2563eb", "visibility": "public"})),
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["name"], "Value Desk");
    let channel = must(
        &h,
        (Method::POST, &manager, &format!("{community}/channels")),
        Some(json!({"name": "earnings", "topic": "Reports as they land"})),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(channel["kind"], "text");
    let channel_id = channel["id"].as_str().unwrap();
    let (status, twice, _) = api(
        &h,
        Method::POST,
        &manager,
        &format!("{community}/channels"),
        Some(json!({"name": "earnings"})),
    )
    .await;
    assert!(status.is_client_error(), "{status} {twice}");
    let archived = must(
        &h,
        (
            Method::PATCH,
            &manager,
            &format!("{community}/channels/{channel_id}"),
        ),
        Some(json!({"name": "earnings", "topic": "Q4", "archived": true})),
        StatusCode::OK,
    )
    .await;
    assert_eq!(archived["archived"], true, "{archived}");
    assert_eq!(archived["topic"], "Q4");

    let member = bot(&h, &bo, &["chat:read", "chat:write"]).await;
    must(
        &h,
        (Method::POST, &member, &format!("{community}/membership")),
        None,
        StatusCode::OK,
    )
    .await;
    let role = must(
        &h,
        (Method::POST, &manager, &format!("{community}/roles")),
        Some(json!({"name": "Analysts", "permissions": 3})),
        StatusCode::CREATED,
    )
    .await;
    let role_id = role["id"].as_str().unwrap();
    must(
        &h,
        (
            Method::PUT,
            &manager,
            &format!("{community}/members/bo_b/roles/{role_id}"),
        ),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    let roles = must(
        &h,
        (Method::GET, &manager, &format!("{community}/roles")),
        None,
        StatusCode::OK,
    )
    .await;
    let analysts = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Analysts")
        .unwrap();
    assert_eq!(analysts["members"], 1);
    assert_eq!(analysts["permissions"], 3);
    let members = must(
        &h,
        (Method::GET, &member, &format!("{community}/members")),
        None,
        StatusCode::OK,
    )
    .await;
    let bo_row = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["username"] == "bo_b")
        .unwrap();
    assert!(bo_row.to_string().contains("Analysts"), "{bo_row}");
    // Bo's own bot may not manage: the right is the person's, whatever the scope.
    let bo_manager = bot(&h, &bo, &["community:manage"]).await;
    let (status, refused, _) = api(
        &h,
        Method::POST,
        &bo_manager,
        &format!("{community}/roles"),
        Some(json!({"name": "Mine", "permissions": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    must(
        &h,
        (
            Method::DELETE,
            &manager,
            &format!("{community}/members/bo_b/roles/{role_id}"),
        ),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    must(
        &h,
        (
            Method::DELETE,
            &manager,
            &format!("{community}/roles/{role_id}"),
        ),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    let roles = must(
        &h,
        (Method::GET, &manager, &format!("{community}/roles")),
        None,
        StatusCode::OK,
    )
    .await;
    assert!(!roles.to_string().contains("Analysts"), "{roles}");

    let invite = must(
        &h,
        (Method::POST, &manager, &format!("{community}/invites")),
        Some(json!({"hours": 24})),
        StatusCode::CREATED,
    )
    .await;
    let code = invite["code"].as_str().unwrap();
    assert!(invite["expiresAt"].is_string());
    let (status, _, _) = api(
        &h,
        Method::POST,
        &manager,
        &format!("{community}/invites"),
        Some(json!({"hours": 100000})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let listed = must(
        &h,
        (Method::GET, &manager, &format!("{community}/invites")),
        None,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    must(
        &h,
        (
            Method::DELETE,
            &manager,
            &format!("{community}/invites/{code}"),
        ),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    let cy = h.person("cy_c").await;
    let cy_bot = bot(&h, &cy, &["chat:write"]).await;
    let (status, gone, _) = api(
        &h,
        Method::POST,
        &cy_bot,
        &format!("/api/v1/invites/{code}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{gone}");
    assert_eq!(gone["detail"]["key"], "server.community.invite_revoked");

    // The marketplace: a price-alert bot installed (the document's example, with a real
    // channel), listed, removed; a member's manage token refused.
    let doc = h.get("/api/v1/openapi.json").await.1;
    let mut example = doc["paths"]["/api/v1/communities/{slug}/integrations"]["post"]
        ["requestBody"]["content"]["application/json"]["example"]
        .clone();
    example["channel"] = json!(general);
    let installed = must(
        &h,
        (Method::POST, &manager, &format!("{community}/integrations")),
        Some(example),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(installed["installed"]["kind"], "price-alert");
    let id = installed["installed"]["id"].as_str().unwrap();
    let listed = must(
        &h,
        (Method::GET, &manager, &format!("{community}/integrations")),
        None,
        StatusCode::OK,
    )
    .await;
    assert!(listed["installed"].to_string().contains(id), "{listed}");
    let (status, _, _) = api(
        &h,
        Method::GET,
        &bo_manager,
        &format!("{community}/integrations"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    must(
        &h,
        (
            Method::DELETE,
            &manager,
            &format!("{community}/integrations/{id}"),
        ),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    let listed = must(
        &h,
        (Method::GET, &manager, &format!("{community}/integrations")),
        None,
        StatusCode::OK,
    )
    .await;
    assert!(!listed["installed"].to_string().contains(id), "{listed}");

    // The community's figures, for those who may read them.
    let figures = must(
        &h,
        (Method::GET, &manager, &format!("{community}/analytics")),
        None,
        StatusCode::OK,
    )
    .await;
    assert_eq!(figures["slug"], slug.as_str());
    assert!(figures["totals"]["messages"].is_u64(), "{figures}");
    let (status, _, _) = api(
        &h,
        Method::GET,
        &bo_manager,
        &format!("{community}/analytics"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = api(
        &h,
        Method::GET,
        &manager,
        &format!("{community}/analytics?from=yesterday"),
        None,
    )
    .await;
    assert!(status.is_client_error(), "{status}");

    // Bo leaves; he is no longer among the members.
    must(
        &h,
        (Method::DELETE, &member, &format!("{community}/membership")),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    let members = must(
        &h,
        (Method::GET, &manager, &format!("{community}/members")),
        None,
        StatusCode::OK,
    )
    .await;
    assert!(!members.to_string().contains("\"bo_b\""), "{members}");
    // The app sees the same community.
    let (_, view) = h
        .read(&ana, &format!("/api/communities/view?slug={slug}"))
        .await;
    assert_eq!(view["community"]["name"], "Value Desk");
}

on_both!(a_bot_polls_plans_files_and_moderates_under_the_apps_rules);
async fn a_bot_polls_plans_files_and_moderates_under_the_apps_rules(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Desk", "public").await;
    h.ok(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;
    let desk = bot(&h, &ana, &["chat:read", "chat:write", "community:moderate"]).await;
    let member = bot(&h, &bo, &["chat:read", "chat:write"]).await;
    let mut bo_socket = h.socket(&bo).await;
    bo_socket.subscribe(&general, None).await;

    // A poll: asked, voted on by a person, closed by the bot; votes after it are refused.
    let asked = must(
        &h,
        (
            Method::POST,
            &desk,
            &format!("/api/v1/channels/{general}/polls"),
        ),
        Some(json!({"question": "Where does $AAPL close Friday?", "options": ["Higher", "Lower"]})),
        StatusCode::CREATED,
    )
    .await;
    let poll_id = asked["id"].as_str().unwrap().to_string();
    assert_eq!(
        bo_socket.expect("messageCreated").await["message"]["id"],
        poll_id.as_str()
    );
    let voted = must(
        &h,
        (
            Method::PUT,
            &member,
            &format!("/api/v1/polls/{poll_id}/vote"),
        ),
        Some(json!({"choices": [1]})),
        StatusCode::OK,
    )
    .await;
    assert_eq!(voted["ballot"]["choices"], json!([1]));
    let (status, _, _) = api(
        &h,
        Method::POST,
        &member,
        &format!("/api/v1/polls/{poll_id}/close"),
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only its author or a moderator closes it"
    );
    let closed = must(
        &h,
        (
            Method::POST,
            &desk,
            &format!("/api/v1/polls/{poll_id}/close"),
        ),
        None,
        StatusCode::OK,
    )
    .await;
    assert_eq!(closed["closed"], true, "{closed}");
    let (status, late, _) = api(
        &h,
        Method::PUT,
        &member,
        &format!("/api/v1/polls/{poll_id}/vote"),
        Some(json!({"choices": [0]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{late}");

    // The result pinned; the pins list it; unpinned.
    let pinned = must(
        &h,
        (
            Method::PUT,
            &desk,
            &format!("/api/v1/messages/{poll_id}/pin"),
        ),
        None,
        StatusCode::OK,
    )
    .await;
    assert!(
        pinned["pinnedAt"].is_string() || pinned["pinned"] == true,
        "{pinned}"
    );
    let pins = must(
        &h,
        (
            Method::GET,
            &member,
            &format!("/api/v1/channels/{general}/pins"),
        ),
        None,
        StatusCode::OK,
    )
    .await;
    assert_eq!(pins[0]["id"], poll_id.as_str());
    let (status, _, _) = api(
        &h,
        Method::PUT,
        &member,
        &format!("/api/v1/messages/{poll_id}/pin"),
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a token without community:moderate"
    );

    // An event planned and answered.
    let starts = (chrono::Utc::now() + chrono::Duration::days(30))
        .format("%Y-%m-%dT16:30")
        .to_string();
    let planned = must(
        &h,
        (
            Method::POST,
            &desk,
            &format!("/api/v1/channels/{general}/events"),
        ),
        Some(json!({"title": "NVDA call", "starts": starts, "timeZone": "America/New_York"})),
        StatusCode::CREATED,
    )
    .await;
    let event_id = planned["id"].as_str().unwrap();
    let answered = must(
        &h,
        (
            Method::PUT,
            &member,
            &format!("/api/v1/events/{event_id}/answer"),
        ),
        Some(json!({"answer": "going"})),
        StatusCode::OK,
    )
    .await;
    assert!(answered.to_string().contains("\"going\""), "{answered}");

    // A file: uploaded, sent with a message, read back by a member — not by an outsider.
    let (status, file) = upload(&h, &desk, &general, b"ticker,weight\nAAPL,0.4\n").await;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    let file_id = file["id"].as_str().unwrap();
    let (status, _) = upload(&h, &desk, &general, b"").await;
    assert!(status.is_client_error());
    must(
        &h,
        (
            Method::POST,
            &desk,
            &format!("/api/v1/channels/{general}/messages"),
        ),
        Some(json!({"body": "weights", "attachments": [file_id]})),
        StatusCode::CREATED,
    )
    .await;
    let download = h
        .http
        .get(h.server.url(&format!("/api/v1/files/{file_id}")))
        .bearer_auth(&member)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(
        download.bytes().await.unwrap().as_ref(),
        b"ticker,weight\nAAPL,0.4\n"
    );
    // (A public channel's files are anyone's who may read it; a private community's are
    // refused to those outside it — see the first test.) An unknown file is a 404 in words.
    let (status, unknown, _) = api(
        &h,
        Method::GET,
        &member,
        "/api/v1/files/01a225d1-71f0-7029-af99-6c2ce69b6755",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(unknown["error"].is_string(), "{unknown}");

    // Spam reported by the bot lands in the queue; a moderation bot acts on its author.
    let spam = must(
        &h,
        (
            Method::POST,
            &member,
            &format!("/api/v1/channels/{general}/messages"),
        ),
        Some(json!({"body": "free signals, join my group"})),
        StatusCode::CREATED,
    )
    .await;
    let spam_id = spam["id"].as_str().unwrap();
    must(
        &h,
        (
            Method::POST,
            &desk,
            &format!("/api/v1/messages/{spam_id}/reports"),
        ),
        Some(json!({"reason": "spam", "note": "referral"})),
        StatusCode::CREATED,
    )
    .await;
    let queue = must(
        &h,
        (
            Method::GET,
            &desk,
            &format!("/api/v1/communities/{slug}/reports"),
        ),
        None,
        StatusCode::OK,
    )
    .await;
    assert!(
        queue
            .as_array()
            .unwrap()
            .iter()
            .any(|item| item["message"]["id"] == spam_id),
        "{queue}"
    );
    let (status, _, _) = api(
        &h,
        Method::GET,
        &member,
        &format!("/api/v1/communities/{slug}/reports"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    must(
        &h,
        (
            Method::POST,
            &desk,
            &format!("/api/v1/messages/{spam_id}/action"),
        ),
        Some(json!({"measure": {"kind": "timeout", "minutes": 60}, "reason": "spam"})),
        StatusCode::NO_CONTENT,
    )
    .await;
    let (status, refused, _) = api(
        &h,
        Method::POST,
        &member,
        &format!("/api/v1/channels/{general}/messages"),
        Some(json!({"body": "more signals"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "timed out: {refused}");
    let queue = must(
        &h,
        (
            Method::GET,
            &desk,
            &format!("/api/v1/communities/{slug}/reports"),
        ),
        None,
        StatusCode::OK,
    )
    .await;
    assert!(!queue.to_string().contains(spam_id), "acted on: {queue}");
    must(
        &h,
        (
            Method::PUT,
            &desk,
            &format!("/api/v1/communities/{slug}/members/bo_b/timeout"),
        ),
        Some(json!({"minutes": 0})),
        StatusCode::NO_CONTENT,
    )
    .await;
    must(
        &h,
        (
            Method::POST,
            &desk,
            &format!("/api/v1/communities/{slug}/members/bo_b/warnings"),
        ),
        Some(json!({"reason": "No referral links"})),
        StatusCode::NO_CONTENT,
    )
    .await;
    let (status, _, _) = api(
        &h,
        Method::POST,
        &desk,
        &format!("/api/v1/communities/{slug}/members/bo_b/warnings"),
        Some(json!({})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a warning needs its reason"
    );
    let fine = must(
        &h,
        (
            Method::POST,
            &member,
            &format!("/api/v1/channels/{general}/messages"),
        ),
        Some(json!({"body": "sorry, fair"})),
        StatusCode::CREATED,
    )
    .await;
    let fine_id = fine["id"].as_str().unwrap();
    must(
        &h,
        (
            Method::POST,
            &desk,
            &format!("/api/v1/messages/{fine_id}/dismissal"),
        ),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    must(
        &h,
        (
            Method::DELETE,
            &desk,
            &format!("/api/v1/communities/{slug}/members/bo_b"),
        ),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    must(
        &h,
        (
            Method::POST,
            &member,
            &format!("/api/v1/communities/{slug}/membership"),
        ),
        None,
        StatusCode::OK,
    )
    .await;
    must(
        &h,
        (
            Method::PUT,
            &desk,
            &format!("/api/v1/communities/{slug}/bans/bo_b"),
        ),
        Some(json!({"reason": "again"})),
        StatusCode::NO_CONTENT,
    )
    .await;
    let bans = must(
        &h,
        (
            Method::GET,
            &desk,
            &format!("/api/v1/communities/{slug}/bans"),
        ),
        None,
        StatusCode::OK,
    )
    .await;
    assert_eq!(bans[0]["username"], "bo_b");
    assert_eq!(bans[0]["reason"], "again");
    let (status, _, _) = api(
        &h,
        Method::POST,
        &member,
        &format!("/api/v1/communities/{slug}/membership"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "banned");
    must(
        &h,
        (
            Method::DELETE,
            &desk,
            &format!("/api/v1/communities/{slug}/bans/bo_b"),
        ),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    must(
        &h,
        (
            Method::POST,
            &member,
            &format!("/api/v1/communities/{slug}/membership"),
        ),
        None,
        StatusCode::OK,
    )
    .await;
    // Every measure is in the audit log, under Ana's name.
    let (_, log) = h
        .read(&ana, &format!("/api/moderation/audit?slug={slug}"))
        .await;
    let acts: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["act"].as_str())
        .collect();
    for act in ["timeout", "warn", "kick", "ban", "unban"] {
        assert!(acts.iter().any(|a| a.contains(act)), "{act} in {acts:?}");
    }
}

on_both!(a_bot_reads_its_inbox_people_and_activity);
async fn a_bot_reads_its_inbox_people_and_activity(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Desk", "public").await;
    h.ok(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;
    let reader = bot(&h, &bo, &["chat:read", "chat:write"]).await;
    h.say(&ana, &general, "@bo_b the CPI print is out").await;

    // The inbox is written just after the message is stored: wait for it.
    let mut inbox = Value::Null;
    for _ in 0..100 {
        inbox = must(
            &h,
            (Method::GET, &reader, "/api/v1/notifications"),
            None,
            StatusCode::OK,
        )
        .await;
        if inbox["unread"] == 1 && inbox["items"].as_array().is_some_and(|i| !i.is_empty()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(inbox["unread"], 1, "{inbox}");
    assert_eq!(inbox["items"][0]["kind"], "mention", "{inbox}");
    let (status, _, _) = api(
        &h,
        Method::GET,
        &reader,
        "/api/v1/notifications?before=nope",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let left = must(
        &h,
        (Method::POST, &reader, "/api/v1/notifications/read"),
        Some(json!({"ids": []})),
        StatusCode::OK,
    )
    .await;
    assert_eq!(left["unread"], 0);

    // Muted with the channel set to everything: one "off" and it is heard again.
    let settings = format!("/api/v1/channels/{general}/notifications");
    let set = must(
        &h,
        (Method::PUT, &reader, &settings),
        Some(json!({"level": "all"})),
        StatusCode::OK,
    )
    .await;
    assert_eq!(set["effective"], "all");
    let set = must(
        &h,
        (Method::PUT, &reader, &settings),
        Some(json!({"wholeCommunity": true, "mute": "day"})),
        StatusCode::OK,
    )
    .await;
    assert_eq!(set["muted"], true);
    let set = must(
        &h,
        (Method::PUT, &reader, &settings),
        Some(json!({"mute": "off"})),
        StatusCode::OK,
    )
    .await;
    assert_eq!(set["muted"], false, "{set}");
    let read = must(&h, (Method::GET, &reader, &settings), None, StatusCode::OK).await;
    assert_eq!(read["channel"]["level"], "all");
    let (status, _, _) = api(
        &h,
        Method::PUT,
        &reader,
        &settings,
        Some(json!({"level": "loud"})),
    )
    .await;
    assert!(status.is_client_error());

    // People: a profile, blocked and unblocked.
    let profile = must(
        &h,
        (Method::GET, &reader, "/api/v1/users/ana"),
        None,
        StatusCode::OK,
    )
    .await;
    assert_eq!(profile["username"], "ana");
    assert_eq!(profile["blocked"], false);
    let blocked = must(
        &h,
        (Method::PUT, &reader, "/api/v1/users/ana/block"),
        None,
        StatusCode::OK,
    )
    .await;
    assert_eq!(blocked["blocked"], true);
    let (_, list) = h.read(&bo, "/api/users/blocked").await;
    assert_eq!(list[0]["username"], "ana");
    let unblocked = must(
        &h,
        (Method::DELETE, &reader, "/api/v1/users/ana/block"),
        None,
        StatusCode::OK,
    )
    .await;
    assert_eq!(unblocked["blocked"], false);
    let (status, _, _) = api(&h, Method::GET, &reader, "/api/v1/users/nobody_here", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Activity: the message Bo's bot sends counts.
    must(
        &h,
        (
            Method::POST,
            &reader,
            &format!("/api/v1/channels/{general}/messages"),
        ),
        Some(json!({"body": "thanks"})),
        StatusCode::CREATED,
    )
    .await;
    let activity = must(
        &h,
        (Method::GET, &reader, "/api/v1/me/activity"),
        None,
        StatusCode::OK,
    )
    .await;
    assert_eq!(activity["messages"], 1, "{activity}");
}
