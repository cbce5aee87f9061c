//! A community changed after its creation by those who run it: details by its managers (one
//! audit line naming what changed; a community made private shuts out its guests at once),
//! its default channel, and ownership handed to another member by the owner alone — atomically,
//! even when two hand-overs race. On SQLite and (when TEST_DATABASE_URL is set) PostgreSQL.

#![cfg(feature = "ssr")]

#[macro_use]
mod common;

use common::harness::Harness;
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
