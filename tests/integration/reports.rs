//! Reports and the moderation record as people use and misuse them: a member reports a
//! message, or another member, with a reason and a note and hears it was received; the reported
//! person never learns who; moderators see one queue entry per message (reports and the AI's
//! flag together) and per reported person, dismiss or act on it, and every such action lands in
//! an audit log and a record of closed reports only moderators may read. On SQLite
//! and (when TEST_DATABASE_URL is set) PostgreSQL.

use crate::common::{harness::Harness, people::Person};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A community run by ana, with bo and cy as members: its slug, #general, and the id of a
/// message bo wrote there.
async fn desk(h: &Harness) -> (Person, Person, Person, String, String, String) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let (slug, general) = h.community(&ana, "Report Desk", "public").await;
    for who in [&bo, &cy] {
        h.ok(who, "/api/communities/join", json!({"slug": slug}))
            .await;
    }
    let mut socket = h.socket(&bo).await;
    socket.subscribe(&general, None).await;
    socket
        .say(
            &general,
            "p",
            "Buy $ZZZ now, it will 10x by Friday, trust me",
        )
        .await;
    let created = socket.expect("messageCreated").await;
    let message = created["message"]["id"].as_str().unwrap().to_string();
    (ana, bo, cy, slug, general, message)
}

fn queue_entry<'a>(queue: &'a Value, message: &str) -> Option<&'a Value> {
    queue
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["message"]["id"] == message)
}

on_both!(a_report_reaches_the_moderators_queue_and_never_names_the_reporter_to_the_author);
async fn a_report_reaches_the_moderators_queue_and_never_names_the_reporter_to_the_author(
    h: Harness,
) {
    let (ana, bo, cy, slug, _, message) = desk(&h).await;
    let report =
        |reason: &str, note: &str| json!({"messageId": message, "reason": reason, "note": note});
    let answer = h
        .ok(&cy, "/api/reports/create", report("scam", "pump and dump"))
        .await;
    assert_eq!(answer, json!({"received": true}));
    // Reporting again changes the report; it is not counted twice, even when sent at once
    // (the only report in this database).
    let (first, second) = tokio::join!(
        h.call(&cy, "/api/reports/create", report("spam", "")),
        h.call(&cy, "/api/reports/create", report("spam", "same again")),
    );
    assert_eq!((first.0, second.0), (StatusCode::OK, StatusCode::OK));
    assert_eq!(h.count("SELECT COUNT(*) FROM reports").await, 1);

    // The queue: one entry for the message, with the report and who filed it.
    let (status, queue) = h
        .read(&ana, &format!("/api/moderation/queue?slug={slug}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    let entry = queue_entry(&queue, &message).expect("the reported message is queued");
    assert_eq!(entry["reports"].as_array().unwrap().len(), 1, "{entry}");
    assert_eq!(entry["reports"][0]["reason"], "spam");
    assert_eq!(entry["reports"][0]["reporter"]["username"], "cy_c");
    assert_eq!(entry["channelName"], "general");

    // The author has no queue, and nothing they can read names the reporter.
    let (status, _) = h
        .read(&bo, &format!("/api/moderation/queue?slug={slug}"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, history) = h
        .read(
            &bo,
            &format!(
                "/api/chat/history?channelId={}",
                entry["message"]["channelId"].as_str().unwrap()
            ),
        )
        .await;
    assert!(!history.to_string().contains("cy_c"), "{history}");

    // Dismissing empties the queue and is written down.
    h.ok(
        &ana,
        "/api/moderation/dismiss",
        json!({"messageId": message}),
    )
    .await;
    let (_, queue) = h
        .read(&ana, &format!("/api/moderation/queue?slug={slug}"))
        .await;
    assert!(queue_entry(&queue, &message).is_none(), "{queue}");
    let (_, log) = h
        .read(&ana, &format!("/api/moderation/audit?slug={slug}"))
        .await;
    assert_eq!(log[0]["act"], "dismiss_reports", "{log}");
    assert_eq!(log[0]["actor"]["username"], "ana");
    assert_eq!(log[0]["target"]["username"], "bo_b");
    assert_eq!(log[0]["messageId"], message.as_str());
    assert_eq!(
        h.count("SELECT COUNT(*) FROM reports WHERE status = 'dismissed'")
            .await,
        1
    );
}

on_both!(acting_from_the_queue_closes_the_reports_and_the_audit_log_keeps_every_action);
async fn acting_from_the_queue_closes_the_reports_and_the_audit_log_keeps_every_action(h: Harness) {
    let (ana, bo, cy, slug, _, message) = desk(&h).await;
    h.ok(
        &cy,
        "/api/reports/create",
        json!({"messageId": message, "reason": "scam", "note": ""}),
    )
    .await;
    h.ok(
        &ana,
        "/api/moderation/delete",
        json!({"messageId": message}),
    )
    .await;
    assert_eq!(
        h.count("SELECT COUNT(*) FROM reports WHERE status = 'actioned'")
            .await,
        1
    );
    h.ok(
        &ana,
        "/api/communities/ban",
        json!({"slug": slug, "username": "bo_b", "reason": "pump and dump"}),
    )
    .await;
    h.ok(
        &ana,
        "/api/communities/unban",
        json!({"slug": slug, "username": "bo_b"}),
    )
    .await;
    h.ok(
        &ana,
        "/api/communities/kick",
        json!({"slug": slug, "username": "cy_c"}),
    )
    .await;

    // Settings too: an invitation link and a role.
    h.ok(
        &ana,
        "/api/communities/invites/create",
        json!({"slug": slug, "hours": 24}),
    )
    .await;
    h.ok(
        &ana,
        "/api/communities/roles/create",
        json!({"slug": slug, "name": "Pinners", "permissions": 2}),
    )
    .await;

    let (status, log) = h
        .read(&ana, &format!("/api/moderation/audit?slug={slug}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let acts: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["act"].as_str().unwrap())
        .collect();
    assert_eq!(
        acts,
        [
            "create_role",
            "create_invite",
            "kick",
            "unban",
            "ban",
            "delete_message"
        ],
        "{log}"
    );
    assert_eq!(log[0]["detail"], "Pinners");
    assert_eq!(log[2]["target"]["username"], "cy_c");
    assert_eq!(log[4]["reason"], "pump and dump");
    assert_eq!(log[5]["detail"], "#general");

    // The log is for those who moderate: a member (or someone who left) is refused, and there
    // is no way to change it.
    let dee = h.person("dee_d").await;
    h.ok(&dee, "/api/communities/join", json!({"slug": slug}))
        .await;
    for who in [&dee, &cy, &bo] {
        let (status, body) = h
            .read(who, &format!("/api/moderation/audit?slug={slug}"))
            .await;
        assert!(status.is_client_error(), "{status} {body}");
        assert!(body["error"].as_str().is_some(), "{body}");
    }
    let (status, _) = h
        .call(&ana, "/api/moderation/audit", json!({"slug": slug}))
        .await;
    assert!(status.is_client_error(), "the log is read only: {status}");
}

on_both!(bad_reports_get_a_sentence_and_change_nothing);
async fn bad_reports_get_a_sentence_and_change_nothing(h: Harness) {
    let (_, bo, cy, slug, general, message) = desk(&h).await;
    let cases = [
        (
            &cy,
            json!({"messageId": message, "reason": "because"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            &cy,
            json!({"messageId": message, "reason": "spam", "note": "x".repeat(501)}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            &bo,
            json!({"messageId": message, "reason": "spam"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            &cy,
            json!({"messageId": "not-an-id", "reason": "spam"}),
            StatusCode::NOT_FOUND,
        ),
        (
            &cy,
            json!({"messageId": "01a21376-2101-70c6-88e1-a3a893425026", "reason": "spam"}),
            StatusCode::NOT_FOUND,
        ),
        (&cy, json!({"reason": "spam"}), StatusCode::BAD_REQUEST),
    ];
    for (who, body, expected) in cases {
        let (status, answer) = h.call(who, "/api/reports/create", body.clone()).await;
        assert_eq!(status, expected, "{body}: {answer}");
        assert!(
            answer["error"].as_str().is_some_and(|e| e.ends_with('.')),
            "{answer}"
        );
    }
    // Someone outside the community, or signed out, cannot report into it.
    let eve = h.person("eve_e").await;
    let (status, _) = h
        .call(
            &eve,
            "/api/reports/create",
            json!({"messageId": message, "reason": "spam"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = h
        .post(
            "/api/reports/create",
            json!({"messageId": message, "reason": "spam"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A deleted message has nothing left to report.
    let mut socket = h.socket(&bo).await;
    socket.subscribe(&general, None).await;
    socket
        .send(json!({"type": "delete", "messageId": message}))
        .await;
    socket.expect("messageDeleted").await;
    let (status, _) = h
        .call(
            &cy,
            "/api/reports/create",
            json!({"messageId": message, "reason": "spam"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(h.count("SELECT COUNT(*) FROM reports").await, 0);
    let _ = slug;
}

on_both!(a_person_reported_as_such_is_queued_once_and_acted_on_from_the_queue);
async fn a_person_reported_as_such_is_queued_once_and_acted_on_from_the_queue(h: Harness) {
    let (ana, bo, cy, slug, general, message) = desk(&h).await;
    let report = |username: &str, reason: &str, note: &str| json!({"slug": slug, "username": username, "reason": reason, "note": note});
    let answer = h
        .ok(
            &cy,
            "/api/reports/person",
            report("bo_b", "harassment", "DMs me insults"),
        )
        .await;
    assert_eq!(answer, json!({"received": true}));
    // Again, twice at once: still one open report of bo by cy, now with the new words.
    let (first, second) = tokio::join!(
        h.call(&cy, "/api/reports/person", report("@bo_b", "scam", "pumps")),
        h.call(&cy, "/api/reports/person", report("bo_b", "scam", "pumps")),
    );
    assert_eq!((first.0, second.0), (StatusCode::OK, StatusCode::OK));
    assert_eq!(h.count("SELECT COUNT(*) FROM reports").await, 1);
    // The message bo wrote is reported separately: two queue entries, each with its own report.
    h.ok(
        &cy,
        "/api/reports/create",
        json!({"messageId": message, "reason": "spam"}),
    )
    .await;

    // Refused, filing nothing: oneself; someone not in the community; an unknown reason; a
    // person who does not exist; someone outside reporting into it; signed out.
    let eve = h.person("eve_e").await;
    for (who, body, expected) in [
        (
            &cy,
            report("cy_c", "spam", ""),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            &cy,
            report("eve_e", "spam", ""),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            &cy,
            report("bo_b", "because", ""),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            &cy,
            report("nobody_here", "spam", ""),
            StatusCode::NOT_FOUND,
        ),
        (&eve, report("bo_b", "spam", ""), StatusCode::FORBIDDEN),
    ] {
        let (status, answer) = h.call(who, "/api/reports/person", body.clone()).await;
        assert_eq!(status, expected, "{body}: {answer}");
        assert!(
            answer["error"].as_str().is_some_and(|e| e.ends_with('.')),
            "{answer}"
        );
    }
    let (status, _) = h
        .post("/api/reports/person", report("bo_b", "spam", ""))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(h.count("SELECT COUNT(*) FROM reports").await, 2);

    // The queue: the person's entry has no message, names them, and lists the report.
    let (_, queue) = h
        .read(&ana, &format!("/api/moderation/queue?slug={slug}"))
        .await;
    let entries = queue.as_array().unwrap();
    assert_eq!(entries.len(), 2, "{queue}");
    let person = entries
        .iter()
        .find(|e| e["message"].is_null())
        .expect("the person's entry");
    assert_eq!(person["subject"]["username"], "bo_b");
    assert!(person["channelName"].is_null(), "{person}");
    assert_eq!(person["reports"].as_array().unwrap().len(), 1);
    assert_eq!(person["reports"][0]["reason"], "scam");
    assert_eq!(person["reports"][0]["note"], "pumps");
    assert_eq!(person["reports"][0]["reporter"]["username"], "cy_c");
    let by_message = queue_entry(&queue, &message).expect("the message's entry");
    assert_eq!(by_message["subject"]["username"], "bo_b");

    // Dismissed: the person's reports close, the message's stay, and the log says so.
    let (status, _) = h
        .call(
            &bo,
            "/api/moderation/dismiss-person",
            json!({"slug": slug, "username": "bo_b"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not for the reported person");
    h.ok(
        &ana,
        "/api/moderation/dismiss-person",
        json!({"slug": slug, "username": "bo_b"}),
    )
    .await;
    let (_, queue) = h
        .read(&ana, &format!("/api/moderation/queue?slug={slug}"))
        .await;
    assert_eq!(queue.as_array().unwrap().len(), 1, "{queue}");
    assert!(queue_entry(&queue, &message).is_some());
    let (_, log) = h
        .read(&ana, &format!("/api/moderation/audit?slug={slug}"))
        .await;
    assert_eq!(log[0]["act"], "dismiss_person_reports", "{log}");
    assert_eq!(log[0]["target"]["username"], "bo_b");
    assert!(log[0]["messageId"].is_null());

    // Reported again and acted on: a timeout from the queue closes the report as acted on,
    // and bo can no longer post.
    h.ok(
        &cy,
        "/api/reports/person",
        report("bo_b", "harassment", "again"),
    )
    .await;
    h.ok(
        &ana,
        "/api/moderation/act-person",
        json!({"slug": slug, "username": "bo_b", "measure": {"kind": "timeout", "minutes": 60}, "reason": "harassment"}),
    )
    .await;
    assert_eq!(
        h.count("SELECT COUNT(*) FROM reports WHERE status = 'actioned' AND message_id IS NULL")
            .await,
        1
    );
    let mut socket = h.socket(&bo).await;
    socket.subscribe(&general, None).await;
    socket.say(&general, "q", "still here").await;
    let refused = socket.expect("error").await;
    assert_eq!(refused["error"]["code"], "denied", "{refused}");
    assert!(
        refused["error"]["error"]
            .as_str()
            .unwrap()
            .contains("timed out"),
        "{refused}"
    );

    // The record of closed reports: newest first, with how and by whom; for moderators only.
    let (status, closed) = h
        .read(&ana, &format!("/api/moderation/closed?slug={slug}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    let closed = closed.as_array().unwrap();
    assert_eq!(closed.len(), 2, "{closed:?}");
    assert_eq!(closed[0]["status"], "actioned");
    assert_eq!(closed[0]["report"]["note"], "again");
    assert_eq!(closed[0]["closedBy"]["username"], "ana");
    assert_eq!(closed[0]["subject"]["username"], "bo_b");
    assert!(closed[0]["messageId"].is_null());
    assert_eq!(closed[1]["status"], "dismissed");
    for who in [&bo, &cy] {
        let (status, _) = h
            .read(who, &format!("/api/moderation/closed?slug={slug}"))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}

on_both!(the_record_of_closed_reports_shows_the_words_while_the_message_has_them);
async fn the_record_of_closed_reports_shows_the_words_while_the_message_has_them(h: Harness) {
    let (ana, _, cy, slug, _, message) = desk(&h).await;
    h.ok(
        &cy,
        "/api/reports/create",
        json!({"messageId": message, "reason": "scam"}),
    )
    .await;
    h.ok(
        &ana,
        "/api/moderation/dismiss",
        json!({"messageId": message}),
    )
    .await;
    let (_, closed) = h
        .read(&ana, &format!("/api/moderation/closed?slug={slug}"))
        .await;
    assert_eq!(closed[0]["messageId"], message.as_str(), "{closed}");
    assert_eq!(closed[0]["status"], "dismissed");
    assert!(
        closed[0]["excerpt"]
            .as_str()
            .is_some_and(|e| e.starts_with("Buy $ZZZ now")),
        "{closed}"
    );
    // Reported again and deleted: the record keeps the report, not the words.
    h.ok(
        &cy,
        "/api/reports/create",
        json!({"messageId": message, "reason": "scam"}),
    )
    .await;
    h.ok(
        &ana,
        "/api/moderation/delete",
        json!({"messageId": message}),
    )
    .await;
    let (_, closed) = h
        .read(&ana, &format!("/api/moderation/closed?slug={slug}"))
        .await;
    assert_eq!(closed.as_array().unwrap().len(), 2, "{closed}");
    assert_eq!(closed[0]["status"], "actioned");
    for entry in closed.as_array().unwrap() {
        assert!(entry["excerpt"].is_null(), "{entry}");
    }
}

on_both!(a_reported_moderator_never_learns_who_reported_them);
async fn a_reported_moderator_never_learns_who_reported_them(h: Harness) {
    let (ana, bo, cy, slug, general, _) = desk(&h).await;
    let dee = h.person("dee_d").await;
    h.ok(&dee, "/api/communities/join", json!({"slug": slug}))
        .await;
    for who in ["bo_b", "dee_d"] {
        h.ok(
            &ana,
            "/api/communities/rank",
            json!({"slug": slug, "username": who, "rank": "moderator"}),
        )
        .await;
    }
    // cy reports a message of bo's, a moderator now, and bo as a person; and a message of
    // dee's, another moderator.
    let bo_said = h.say(&bo, &general, "Mods here never read the rules").await;
    let dee_said = h.say(&dee, &general, "Closing this thread").await;
    for message in [&bo_said, &dee_said] {
        h.ok(
            &cy,
            "/api/reports/create",
            json!({"messageId": message, "reason": "harassment", "note": "abuses the role"}),
        )
        .await;
    }
    h.ok(
        &cy,
        "/api/reports/person",
        json!({"slug": slug, "username": "bo_b", "reason": "harassment", "note": "as a moderator"}),
    )
    .await;

    let queue_of = |who| {
        let path = format!("/api/moderation/queue?slug={slug}");
        let h = &h;
        async move {
            let (status, queue) = h.read(who, &path).await;
            assert_eq!(status, StatusCode::OK, "{queue}");
            queue
        }
    };
    // Neither reported moderator sees the reports about moderators, their own least of all.
    for moderator in [&bo, &dee] {
        let queue = queue_of(moderator).await;
        assert!(!queue.to_string().contains("cy_c"), "{queue}");
        assert!(queue_entry(&queue, &bo_said).is_none_or(|e| e["reports"] == json!([])));
        assert!(queue_entry(&queue, &dee_said).is_none_or(|e| e["reports"] == json!([])));
    }
    // The owner sees all three, and who filed them.
    let queue = queue_of(&ana).await;
    for message in [&bo_said, &dee_said] {
        let entry = queue_entry(&queue, message).expect("queued for the owner");
        assert_eq!(
            entry["reports"][0]["reporter"]["username"], "cy_c",
            "{entry}"
        );
    }
    let person = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["message"].is_null() && e["subject"]["username"] == "bo_b")
        .expect("the report of bo as a person");
    assert_eq!(person["reports"][0]["reporter"]["username"], "cy_c");

    // A reported moderator cannot close the reports about them either.
    let (status, answer) = h
        .call(
            &bo,
            "/api/moderation/dismiss",
            json!({"messageId": bo_said}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    let (status, _) = h
        .call(
            &bo,
            "/api/moderation/dismiss-person",
            json!({"slug": slug, "username": "bo_b"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        h.count("SELECT COUNT(*) FROM reports WHERE status = 'open'")
            .await,
        3
    );
    // Once the owner dismisses them, the record of closed reports hides them from bo too.
    h.ok(
        &ana,
        "/api/moderation/dismiss",
        json!({"messageId": bo_said}),
    )
    .await;
    let (status, closed) = h
        .read(&bo, &format!("/api/moderation/closed?slug={slug}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert!(!closed.to_string().contains("cy_c"), "{closed}");
    let (_, closed) = h
        .read(&ana, &format!("/api/moderation/closed?slug={slug}"))
        .await;
    assert!(closed.to_string().contains("cy_c"), "{closed}");
}

// Bo's spam is not slowed by the chat's own limit here: the reports' limit is under test.
on_both!(
    a_burst_of_reports_is_limited_per_person,
    [("RATE_LIMIT_MESSAGES", "0")]
);
async fn a_burst_of_reports_is_limited_per_person(h: Harness) {
    let (_, bo, cy, slug, general, _) = desk(&h).await;
    let mut messages = Vec::new();
    for n in 0..12 {
        messages.push(h.say(&bo, &general, &format!("Spam number {n}")).await);
    }
    // Fifty at once: twelve messages, most of them more than once, and bo as a person.
    let calls = (0..50).map(|n| {
        let body = if n == 49 {
            json!({"slug": slug, "username": "bo_b", "reason": "spam"})
        } else {
            json!({"messageId": messages[n % 12], "reason": "spam"})
        };
        let path = if n == 49 {
            "/api/reports/person"
        } else {
            "/api/reports/create"
        };
        let (h, cy) = (&h, &cy);
        async move { h.call(cy, path, body).await }
    });
    let answers = futures::future::join_all(calls).await;
    let limited: Vec<&Value> = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::TOO_MANY_REQUESTS)
        .map(|(_, answer)| answer)
        .collect();
    assert!(
        answers
            .iter()
            .all(|(s, _)| *s == StatusCode::OK || *s == StatusCode::TOO_MANY_REQUESTS),
        "{answers:?}"
    );
    assert!(!limited.is_empty());
    assert_eq!(limited[0]["code"], "rate_limited", "{}", limited[0]);
    assert!(limited[0]["retryAfterSecs"].as_u64().unwrap() >= 1);
    assert_eq!(
        h.count("SELECT COUNT(*) FROM reports").await,
        i64::from(bullpen::moderation::reports::REPORTS_PER_WINDOW)
    );
}
