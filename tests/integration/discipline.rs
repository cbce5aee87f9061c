//! Moderators' measures short of a ban, as people meet them: a warning reaches the person live
//! and stays until they mark it seen; a timeout stops posting and reacting on open sockets at
//! once, leaves reading alone, and ends when lifted or by itself; the queue acts on a message's
//! author and closes its reports in the same go. Every refusal is a sentence, and every measure
//! is in the audit log. On SQLite and (when TEST_DATABASE_URL is set) PostgreSQL.

use crate::common::{harness::Harness, people::Person};
use reqwest::StatusCode;
use sea_orm::{sea_query::Expr, EntityTrait, QueryFilter};
use serde_json::{json, Value};

/// ana's community with bo and cy as members and dee as a moderator: its slug and #general.
async fn floor(h: &Harness) -> (Person, Person, Person, Person, String, String) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let dee = h.person("dee_d").await;
    let (slug, general) = h.community(&ana, "Trading Floor", "public").await;
    for who in [&bo, &cy, &dee] {
        h.ok(who, "/api/communities/join", json!({"slug": slug}))
            .await;
    }
    h.ok(
        &ana,
        "/api/communities/rank",
        json!({"slug": slug, "username": "dee_d", "rank": "moderator"}),
    )
    .await;
    (ana, bo, cy, dee, slug, general)
}

async fn view(h: &Harness, who: &Person, slug: &str) -> Value {
    let (status, view) = h
        .read(who, &format!("/api/communities/view?slug={slug}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view
}

async fn latest_act(h: &Harness, who: &Person, slug: &str) -> Value {
    let (status, log) = h
        .read(who, &format!("/api/moderation/audit?slug={slug}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{log}");
    log[0].clone()
}

on_both!(a_timeout_stops_posting_at_once_and_ends_when_lifted_or_by_itself);
async fn a_timeout_stops_posting_at_once_and_ends_when_lifted_or_by_itself(h: Harness) {
    let (ana, bo, cy, _, slug, general) = floor(&h).await;
    let mut socket = h.socket(&bo).await;
    socket.subscribe(&general, None).await;
    socket.say(&general, "before", "morning all").await;
    let posted = socket.expect("messageCreated").await;
    let message = posted["message"]["id"].as_str().unwrap().to_string();

    let timeout = |minutes: u32| json!({"slug": slug, "username": "bo_b", "minutes": minutes, "reason": "cool down"});
    h.ok(&ana, "/api/communities/timeout", timeout(10)).await;
    // The open tab hears it, and its socket refuses posting and reacting from now on.
    let told = socket.expect("timedOut").await;
    assert!(told["until"].as_str().is_some(), "{told}");
    socket.say(&general, "during", "can I still talk?").await;
    let refused = socket.expect("error").await;
    assert_eq!(refused["nonce"], "during");
    assert_eq!(refused["error"]["code"], "denied", "{refused}");
    assert!(
        refused["error"]["error"]
            .as_str()
            .unwrap()
            .contains("timed out"),
        "{refused}"
    );
    socket
        .send(json!({"type": "react", "messageId": message, "emoji": "🚀", "on": true}))
        .await;
    socket.expect("error").await;
    assert_eq!(h.count("SELECT COUNT(*) FROM reactions").await, 0);
    // Reading is untouched; the page knows until when; moderators see it in the member list,
    // other members do not.
    let (status, _) = h
        .read(&bo, &format!("/api/chat/history?channelId={general}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(view(&h, &bo, &slug).await["timedOutUntil"].is_string());
    let timed_out = |list: &Value| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|m| m["username"] == "bo_b")
            .unwrap()["timedOutUntil"]
            .clone()
    };
    let members = format!("/api/communities/members?slug={slug}");
    assert!(timed_out(&h.read(&ana, &members).await.1).is_string());
    assert!(timed_out(&h.read(&cy, &members).await.1).is_null());
    let act = latest_act(&h, &ana, &slug).await;
    assert_eq!(
        (&act["act"], &act["detail"], &act["reason"]),
        (&json!("timeout"), &json!("10"), &json!("cool down"))
    );
    assert_eq!(act["target"]["username"], "bo_b");

    // Lifted: the same socket may post again, without reconnecting.
    h.ok(&ana, "/api/communities/timeout", timeout(0)).await;
    assert!(socket.expect("timedOut").await["until"].is_null());
    socket.say(&general, "after", "thanks").await;
    socket.expect("messageCreated").await;
    assert_eq!(latest_act(&h, &ana, &slug).await["act"], "lift_timeout");

    // A timeout whose time has passed is over by itself: nobody has to lift it.
    h.ok(&ana, "/api/communities/timeout", timeout(1)).await;
    socket.expect("timedOut").await;
    bullpen::entities::community_members::Entity::update_many()
        .col_expr(
            bullpen::entities::community_members::Column::TimedOutUntil,
            Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
        )
        .filter(sea_orm::ColumnTrait::eq(
            &bullpen::entities::community_members::Column::CommunityId,
            view(&h, &ana, &slug).await["community"]["id"]
                .as_str()
                .unwrap()
                .parse::<uuid::Uuid>()
                .unwrap(),
        ))
        .exec(&h.db)
        .await
        .unwrap();
    assert!(view(&h, &bo, &slug).await["timedOutUntil"].is_null());
    let mut fresh = h.socket(&bo).await;
    fresh.subscribe(&general, None).await;
    fresh.say(&general, "later", "back again").await;
    fresh.expect("messageCreated").await;
}

on_both!(timeouts_are_refused_with_a_sentence_to_those_who_may_not_give_them);
async fn timeouts_are_refused_with_a_sentence_to_those_who_may_not_give_them(h: Harness) {
    let (ana, bo, cy, dee, slug, _) = floor(&h).await;
    let outsider = h.person("eve_e").await;
    let timeout = |user: &str, minutes: u32| json!({"slug": slug, "username": user, "minutes": minutes, "reason": ""});
    let cases = [
        // A member may not; a moderator may not touch an equal or the owner; nobody times
        // themselves out; outsiders are no members to time out; a week is the most.
        (&cy, timeout("bo_b", 10), StatusCode::FORBIDDEN),
        (&dee, timeout("ana", 10), StatusCode::FORBIDDEN),
        (&ana, timeout("ana", 10), StatusCode::UNPROCESSABLE_ENTITY),
        (&ana, timeout("eve_e", 10), StatusCode::UNPROCESSABLE_ENTITY),
        (
            &ana,
            timeout("bo_b", 7 * 24 * 60 + 1),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (&ana, timeout("nobody_here", 10), StatusCode::NOT_FOUND),
        (&outsider, timeout("bo_b", 10), StatusCode::FORBIDDEN),
    ];
    for (who, body, expected) in cases {
        let (status, answer) = h.call(who, "/api/communities/timeout", body.clone()).await;
        assert_eq!(status, expected, "{body}: {answer}");
        assert!(
            answer["error"].as_str().is_some_and(|e| e.ends_with('.')),
            "{answer}"
        );
    }
    let (status, _) = h
        .call(
            &ana,
            "/api/communities/timeout",
            json!({"slug": slug, "username": "bo_b", "minutes": -5}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        h.count("SELECT COUNT(*) FROM community_members WHERE timed_out_until IS NOT NULL")
            .await,
        0
    );
    // A moderator may time out a member; the member who just lost it cannot post over HTTP's
    // view of things either (the page says so).
    h.ok(&dee, "/api/communities/timeout", timeout("bo_b", 5))
        .await;
    assert!(view(&h, &bo, &slug).await["timedOutUntil"].is_string());
    // The timed-out moderator case: the owner times out the moderator, who then may not
    // moderate while it lasts.
    h.ok(&ana, "/api/communities/timeout", timeout("dee_d", 5))
        .await;
    let (status, answer) = h
        .call(&dee, "/api/communities/timeout", timeout("cy_c", 5))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
}

on_both!(a_warning_reaches_the_person_live_and_stays_until_they_have_seen_it);
async fn a_warning_reaches_the_person_live_and_stays_until_they_have_seen_it(h: Harness) {
    let (ana, bo, cy, _, slug, general) = floor(&h).await;
    let mut socket = h.socket(&bo).await;
    socket.subscribe(&general, None).await;
    let warn = |user: &str, reason: &str| json!({"slug": slug, "username": user, "reason": reason});

    // Refused: without a reason, by a member, to oneself.
    for (who, body, expected) in [
        (&ana, warn("bo_b", "  "), StatusCode::UNPROCESSABLE_ENTITY),
        (&cy, warn("bo_b", "stop it"), StatusCode::FORBIDDEN),
        (
            &ana,
            warn("ana", "stop it"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let (status, answer) = h.call(who, "/api/communities/warn", body.clone()).await;
        assert_eq!(status, expected, "{body}: {answer}");
        assert!(answer["error"].as_str().is_some(), "{answer}");
    }
    assert_eq!(h.count("SELECT COUNT(*) FROM warnings").await, 0);

    h.ok(
        &ana,
        "/api/communities/warn",
        warn("bo_b", "No pump calls here"),
    )
    .await;
    let told = socket.expect("warned").await;
    assert_eq!(told["warning"]["reason"], "No pump calls here");
    // Nothing in it names the moderator.
    assert!(!told.to_string().contains("ana"), "{told}");
    let warnings = view(&h, &bo, &slug).await["warnings"].clone();
    assert_eq!(warnings.as_array().unwrap().len(), 1, "{warnings}");
    assert_eq!(view(&h, &cy, &slug).await["warnings"], json!([]));
    assert_eq!(latest_act(&h, &ana, &slug).await["act"], "warn");

    // Only they can mark it seen, once; then it no longer shows.
    let id = warnings[0]["id"].as_str().unwrap();
    let seen = json!({"warningId": id});
    let (status, _) = h
        .call(&cy, "/api/communities/warning-seen", seen.clone())
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    h.ok(&bo, "/api/communities/warning-seen", seen.clone())
        .await;
    let (status, answer) = h.call(&bo, "/api/communities/warning-seen", seen).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    let (status, _) = h
        .call(
            &bo,
            "/api/communities/warning-seen",
            json!({"warningId": "../../etc"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(view(&h, &bo, &slug).await["warnings"], json!([]));
}

on_both!(the_queue_acts_on_the_author_and_closes_the_reports_with_the_measure);
async fn the_queue_acts_on_the_author_and_closes_the_reports_with_the_measure(h: Harness) {
    let (ana, bo, cy, dee, slug, general) = floor(&h).await;
    let mut socket = h.socket(&bo).await;
    socket.subscribe(&general, None).await;
    socket
        .say(&general, "p", "Everyone buy $ZZZ before Friday")
        .await;
    let message = socket.expect("messageCreated").await["message"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    h.ok(
        &cy,
        "/api/reports/create",
        json!({"messageId": message, "reason": "scam", "note": "pump"}),
    )
    .await;
    let act = |measure: Value| json!({"messageId": message, "measure": measure, "reason": "Scam"});

    // Refused, and nothing changes: a member acting, an unknown measure, a timeout out of range.
    for (who, body, expected) in [
        (&cy, act(json!({"kind": "kick"})), StatusCode::FORBIDDEN),
        (&ana, act(json!({"kind": "nuke"})), StatusCode::BAD_REQUEST),
        (
            &ana,
            act(json!({"kind": "timeout", "minutes": 0})),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let (status, answer) = h.call(who, "/api/moderation/act", body.clone()).await;
        assert_eq!(status, expected, "{body}: {answer}");
    }
    assert_eq!(
        h.count("SELECT COUNT(*) FROM reports WHERE status = 'open'")
            .await,
        1
    );

    // A moderator times the author out from the queue: the report is closed with it.
    h.ok(
        &dee,
        "/api/moderation/act",
        act(json!({"kind": "timeout", "minutes": 60})),
    )
    .await;
    socket.expect("timedOut").await;
    assert_eq!(
        h.count("SELECT COUNT(*) FROM reports WHERE status = 'actioned'")
            .await,
        1
    );
    let (_, log) = h
        .read(&ana, &format!("/api/moderation/audit?slug={slug}"))
        .await;
    assert_eq!(log[0]["act"], "timeout");
    assert_eq!(log[0]["messageId"], message.as_str());
    assert_eq!(log[0]["actor"]["username"], "dee_d");

    // The owner kicks them from the same entry: they are out, once, with one line each.
    let (first, second) = tokio::join!(
        h.call(&ana, "/api/moderation/act", act(json!({"kind": "kick"}))),
        h.call(&ana, "/api/moderation/act", act(json!({"kind": "kick"}))),
    );
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::UNPROCESSABLE_ENTITY],
        "{first:?} {second:?}"
    );
    let (_, members) = h
        .read(&ana, &format!("/api/communities/members?slug={slug}"))
        .await;
    let left: Vec<&str> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["username"].as_str().unwrap())
        .collect();
    assert_eq!(
        left.len(),
        4,
        "ana, cy, dee and the stock bot are left: {left:?}"
    );
    assert!(!left.contains(&"bo_b"));
    assert_eq!(
        h.count("SELECT COUNT(*) FROM audit_log WHERE action = 'kick'")
            .await,
        1
    );
}
