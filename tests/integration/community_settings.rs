//! A community changed after its creation by those who run it: details by its managers (one
//! audit line naming what changed; a community made private shuts out its guests at once),
//! its default channel, and ownership handed to another member by the owner alone — atomically,
//! even when two hand-overs race. On SQLite and (when TEST_DATABASE_URL is set) PostgreSQL.

use crate::common::harness::Harness;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn changes(name: &str, visibility: &str, default_channel: Option<&str>) -> Value {
    json!({
        "name": name,
        "description": "Dividends and patience",
        "iconColor": "#0891b2",
        "visibility": visibility,
        "defaultChannel": default_channel,
    })
}

on_both!(managers_change_the_details_and_a_private_community_shuts_guests_out_at_once);
async fn managers_change_the_details_and_a_private_community_shuts_guests_out_at_once(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let guest = h.person("gus_g").await;
    let (slug, general) = h.community(&ana, "Value Desk", "public").await;
    h.ok(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;
    let created = h
        .ok(
            &ana,
            "/api/communities/channels/create",
            json!({"slug": slug, "name": "ideas", "topic": "", "kind": "text"}),
        )
        .await;
    let ideas = created["id"].as_str().unwrap().to_string();
    // A guest (not a member) reads #general of the public community live.
    let mut watching = h.socket(&guest).await;
    watching.subscribe(&general, None).await;

    // Refused, changing nothing: a member; a name too short; a channel of no community; a colour not offered.
    for (who, body, expected) in [
        (
            &bo,
            changes("Value Desk", "public", None),
            StatusCode::FORBIDDEN,
        ),
        (
            &ana,
            changes("V", "public", None),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            &ana,
            changes(
                "Value Desk",
                "public",
                Some("01a21376-2101-70c6-88e1-a3a893425026"),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            &ana,
            json!({"name": "Value Desk", "description": "", "iconColor": "red", "visibility": "public"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let (status, answer) = h
            .call(
                who,
                "/api/communities/update",
                json!({"slug": slug, "changes": body}),
            )
            .await;
        assert_eq!(status, expected, "{answer}");
        assert!(
            answer["error"].as_str().is_some_and(|e| e.ends_with('.')),
            "{answer}"
        );
    }
    assert_eq!(
        h.count("SELECT COUNT(*) FROM audit_log WHERE action = 'update_community'")
            .await,
        0
    );

    let summary = h
        .ok(
            &ana,
            "/api/communities/update",
            json!({"slug": slug, "changes": changes("Value Investors", "private", Some(&ideas))}),
        )
        .await;
    assert_eq!(summary["name"], "Value Investors");
    assert_eq!(summary["slug"], slug.as_str(), "the address stays");
    assert_eq!(summary["visibility"], "private");
    // The guest's feed ends now, with the reason; the member's view shows the new details.
    let lost = watching.expect("accessLost").await;
    assert_eq!(lost["channelId"], general.as_str());
    let (_, view) = h
        .read(&bo, &format!("/api/communities/view?slug={slug}"))
        .await;
    assert_eq!(view["community"]["description"], "Dividends and patience");
    assert_eq!(view["defaultChannel"], ideas.as_str());
    let (status, _) = h
        .read(&guest, &format!("/api/communities/view?slug={slug}"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, log) = h
        .read(&ana, &format!("/api/moderation/audit?slug={slug}"))
        .await;
    assert_eq!(log[0]["act"], "update_community");
    assert_eq!(
        log[0]["detail"],
        "name,description,icon,visibility,default_channel"
    );
    // Saving the same again writes no line.
    h.ok(
        &ana,
        "/api/communities/update",
        json!({"slug": slug, "changes": changes("Value Investors", "private", Some(&ideas))}),
    )
    .await;
    assert_eq!(
        h.count("SELECT COUNT(*) FROM audit_log WHERE action = 'update_community'")
            .await,
        1
    );
}

on_both!(the_owner_alone_hands_the_community_over_and_two_hand_overs_make_one_owner);
async fn the_owner_alone_hands_the_community_over_and_two_hand_overs_make_one_owner(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let (slug, _) = h.community(&ana, "Hand Over", "public").await;
    for who in [&bo, &cy] {
        h.ok(who, "/api/communities/join", json!({"slug": slug}))
            .await;
    }
    h.ok(
        &ana,
        "/api/communities/rank",
        json!({"slug": slug, "username": "bo_b", "rank": "admin"}),
    )
    .await;
    let transfer = |to: &str| json!({"slug": slug, "username": to});
    for (who, body, expected) in [
        (&bo, transfer("cy_c"), StatusCode::FORBIDDEN),
        (&ana, transfer("ana"), StatusCode::UNPROCESSABLE_ENTITY),
        (&ana, transfer("nobody_here"), StatusCode::NOT_FOUND),
    ] {
        let (status, answer) = h.call(who, "/api/communities/transfer", body).await;
        assert_eq!(status, expected, "{answer}");
        assert!(answer["error"].as_str().is_some(), "{answer}");
    }
    // dee has an account but never joined.
    h.person("dee_d").await;
    let (status, _) = h
        .call(&ana, "/api/communities/transfer", transfer("dee_d"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // The stock bot is a member, but no person to own it.
    let (status, answer) = h
        .call(&ana, "/api/communities/transfer", transfer("stockbot"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        answer["error"],
        "A bot cannot own a community: hand it to a person."
    );

    // Two hand-overs at once, to different members: one wins, and there is one owner.
    let (first, second) = tokio::join!(
        h.call(&ana, "/api/communities/transfer", transfer("bo_b")),
        h.call(&ana, "/api/communities/transfer", transfer("cy_c")),
    );
    let oks = [&first, &second]
        .iter()
        .filter(|(s, _)| *s == StatusCode::OK)
        .count();
    assert_eq!(oks, 1, "{first:?} {second:?}");
    let (_, members) = h
        .read(&ana, &format!("/api/communities/members?slug={slug}"))
        .await;
    let rank = |user: &str| {
        members
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["username"] == user)
            .unwrap()["rank"]
            .clone()
    };
    let owners: Vec<&str> = ["ana", "bo_b", "cy_c"]
        .into_iter()
        .filter(|u| rank(u) == "owner")
        .collect();
    assert_eq!(owners.len(), 1, "{members}");
    assert_eq!(rank("ana"), "admin");
    let heir = owners[0];
    let (_, log) = h
        .read(&ana, &format!("/api/moderation/audit?slug={slug}"))
        .await;
    assert_eq!(log[0]["act"], "transfer_ownership");
    assert_eq!(log[0]["target"]["username"], heir);
    // The former owner may now leave; the new owner may not, until they hand it on.
    h.ok(&ana, "/api/communities/leave", json!({"slug": slug}))
        .await;
    let new_owner = if heir == "bo_b" { &bo } else { &cy };
    let (status, _) = h
        .call(new_owner, "/api/communities/leave", json!({"slug": slug}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

on_both!(the_owner_deletes_a_community_with_everything_in_it_once_the_name_is_typed);
async fn the_owner_deletes_a_community_with_everything_in_it_once_the_name_is_typed(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let (slug, general) = h.community(&ana, "Short Sellers", "public").await;
    for who in [&bo, &cy] {
        h.ok(who, "/api/communities/join", json!({"slug": slug}))
            .await;
    }
    h.ok(
        &ana,
        "/api/communities/rank",
        json!({"slug": slug, "username": "bo_b", "rank": "admin"}),
    )
    .await;
    // Life in it: messages (one reacted to and reported), a warning, an invitation.
    let mut socket = h.socket(&cy).await;
    socket.subscribe(&general, None).await;
    socket
        .say(&general, "a", "zanzibarquartz is my only idea")
        .await;
    let posted = socket.expect("messageCreated").await;
    let message = posted["message"]["id"].as_str().unwrap().to_string();
    socket
        .send(json!({"type": "react", "messageId": message, "emoji": "🚀", "on": true}))
        .await;
    h.ok(
        &bo,
        "/api/reports/create",
        json!({"messageId": message, "reason": "spam"}),
    )
    .await;
    h.ok(
        &ana,
        "/api/communities/warn",
        json!({"slug": slug, "username": "cy_c", "reason": "stay on topic"}),
    )
    .await;
    h.ok(
        &ana,
        "/api/communities/invites/create",
        json!({"slug": slug, "hours": 24}),
    )
    .await;
    // A hook with its own bot account.
    h.ok(
        &ana,
        "/api/integrations/install",
        json!({"slug": slug, "integration": {"kind": "incoming-webhook", "name": "Deploys", "channel": general}}),
    )
    .await;
    assert_eq!(
        h.count("SELECT COUNT(*) FROM users WHERE username LIKE 'hook-%'")
            .await,
        1
    );
    // Another community's life, which must stay.
    let (other, other_general) = h.community(&bo, "Longs Only", "public").await;
    let mut bo_socket = h.socket(&bo).await;
    bo_socket.subscribe(&other_general, None).await;
    bo_socket
        .say(&other_general, "b", "zanzibarquartz elsewhere")
        .await;
    bo_socket.expect("messageCreated").await;
    let (_, log) = h
        .read(&ana, &format!("/api/moderation/audit?slug={slug}"))
        .await;
    let logged = log.as_array().unwrap().len() as i64;
    assert!(logged >= 3, "rank, warning, invitation: {log}");
    let before: Vec<i64> = {
        let mut counts = Vec::new();
        for table in ["messages", "reports", "audit_log", "warnings", "channels"] {
            counts.push(h.count(&format!("SELECT COUNT(*) FROM {table}")).await);
        }
        counts
    };

    // Refused, deleting nothing: an admin; the owner with the wrong name; the server's default
    // community; signed out.
    let delete = |slug: &str, confirm: &str| json!({"slug": slug, "confirm": confirm});
    for (who, body, expected) in [
        (&bo, delete(&slug, "Short Sellers"), StatusCode::FORBIDDEN),
        (
            &ana,
            delete(&slug, "short sellers"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (&ana, delete("bullpen", "Bullpen"), StatusCode::FORBIDDEN),
    ] {
        let (status, answer) = h.call(who, "/api/communities/delete", body.clone()).await;
        assert_eq!(status, expected, "{body}: {answer}");
        assert!(
            answer["error"].as_str().is_some_and(|e| e.ends_with('.')),
            "{answer}"
        );
    }
    let (_, answer) = h
        .call(&ana, "/api/communities/delete", delete(&slug, "Sellers"))
        .await;
    assert!(
        answer["error"].as_str().unwrap().contains("Short Sellers"),
        "the refusal names what to type: {answer}"
    );
    let (status, _) = h
        .post("/api/communities/delete", delete(&slug, "Short Sellers"))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Even its owner cannot delete the server's default community, which everyone joins.
    {
        use bullpen::{community::permissions::Rank, entities::community_members as members};
        use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
        let bullpen = h.read(&ana, "/api/communities/view?slug=bullpen").await.1;
        members::Entity::update_many()
            .col_expr(members::Column::Rank, Expr::value(Rank::Owner.level()))
            .filter(members::Column::UserId.eq(ana.id.parse::<uuid::Uuid>().unwrap()))
            .filter(
                members::Column::CommunityId.eq(bullpen["community"]["id"]
                    .as_str()
                    .unwrap()
                    .parse::<uuid::Uuid>()
                    .unwrap()),
            )
            .exec(&h.db)
            .await
            .unwrap();
        let (status, answer) = h
            .call(
                &ana,
                "/api/communities/delete",
                delete("bullpen", bullpen["community"]["name"].as_str().unwrap()),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert!(
            answer["error"].as_str().unwrap().contains("default"),
            "{answer}"
        );
    }
    let (status, _) = h
        .read(&ana, &format!("/api/communities/view?slug={slug}"))
        .await;
    assert_eq!(status, StatusCode::OK, "still there after the refusals");

    // Deleted twice at once: once, and the other is told there is nothing left.
    let (first, second) = tokio::join!(
        h.call(
            &ana,
            "/api/communities/delete",
            delete(&slug, " Short Sellers ")
        ),
        h.call(
            &ana,
            "/api/communities/delete",
            delete(&slug, "Short Sellers")
        ),
    );
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::NOT_FOUND],
        "{first:?} {second:?}"
    );

    // A member watching its channel is told at once; nothing of it can be read.
    let lost = socket.expect("accessLost").await;
    assert_eq!(lost["channelId"], general.as_str());
    for path in [
        format!("/api/communities/view?slug={slug}"),
        format!("/api/chat/history?channelId={general}"),
        format!("/api/moderation/audit?slug={slug}"),
    ] {
        let (status, body) = h.read(&cy, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    let (_, found) = h.read(&bo, "/api/search?q=zanzibarquartz").await;
    assert_eq!(
        found["messages"].as_array().map(Vec::len),
        Some(1),
        "only the other community's message is found: {found}"
    );

    // What was in it is gone from every table; the other community's is all there.
    let after: Vec<i64> = {
        let mut counts = Vec::new();
        for table in ["messages", "reports", "audit_log", "warnings", "channels"] {
            counts.push(h.count(&format!("SELECT COUNT(*) FROM {table}")).await);
        }
        counts
    };
    assert_eq!(after[1], 0, "its report");
    // Its hook's bot account went with it; the server's stock bot stays.
    assert_eq!(
        h.count("SELECT COUNT(*) FROM users WHERE username LIKE 'hook-%'")
            .await,
        0
    );
    assert_eq!(
        h.count("SELECT COUNT(*) FROM users WHERE username = 'stockbot'")
            .await,
        1
    );
    assert_eq!(after[2], before[2] - logged, "its audit log");
    assert_eq!(after[3], 0, "its warning");
    assert_eq!(before[0] - after[0], 1, "its one message");
    assert!(after[4] < before[4]);
    for (table, column) in [
        ("community_members", "community_id"),
        ("invites", "community_id"),
        ("channels", "community_id"),
    ] {
        let left = h
            .count(&format!(
                "SELECT COUNT(*) FROM {table} WHERE {column} NOT IN (SELECT id FROM communities)"
            ))
            .await;
        assert_eq!(left, 0, "{table}");
    }
    assert_eq!(
        h.count("SELECT COUNT(*) FROM reactions").await,
        0,
        "the reaction went with its message"
    );
    if sea_orm::ConnectionTrait::get_database_backend(&h.db) == sea_orm::DbBackend::Sqlite {
        assert_eq!(
            h.count("SELECT COUNT(*) FROM message_search_keys").await,
            h.count("SELECT COUNT(*) FROM messages").await,
            "the search index keeps nothing of it"
        );
    }
    let (status, _) = h
        .read(&bo, &format!("/api/communities/view?slug={other}"))
        .await;
    assert_eq!(status, StatusCode::OK);
}
