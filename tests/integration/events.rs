//! Events as people use and misuse them: planned in a channel as a message, in the organiser's
//! zone and shown as instants; answered, changed and taken back, the counts reaching everyone in
//! the channel live; one answer per person however many arrive at once; the community's
//! calendar and `.ics` files; the reminder, sent once to those going or maybe who may still
//! read the channel; outsiders, the banned and bad input refused in words; an event started on
//! a company's next earnings day from the market source's calendar. On SQLite and (when
//! TEST_DATABASE_URL is set) PostgreSQL.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use crate::common::{harness::Harness, people::Person};
use axum::{
    extract::{Query, State},
    routing::get,
    Router,
};
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

async fn plan(h: &Harness, who: &Person, channel: &str, event: Value) -> (StatusCode, Value) {
    h.call(
        who,
        "/api/events/plan",
        json!({"channelId": channel, "event": event}),
    )
    .await
}

async fn answer(h: &Harness, who: &Person, message: &str, said: Value) -> (StatusCode, Value) {
    h.call(
        who,
        "/api/events/answer",
        json!({"messageId": message, "answer": said}),
    )
    .await
}

/// A wall-clock time `days` from now in New York, as a date-and-time field gives it.
fn new_york_in(days: i64) -> (String, DateTime<Utc>) {
    let zone: chrono_tz::Tz = "America/New_York".parse().unwrap();
    let at = (Utc::now() + chrono::Duration::days(days)).with_timezone(&zone);
    let local = at.format("%Y-%m-%dT%H:%M").to_string();
    let instant = chrono::NaiveDateTime::parse_from_str(&local, "%Y-%m-%dT%H:%M")
        .unwrap()
        .and_local_timezone(zone)
        .earliest()
        .unwrap()
        .with_timezone(&Utc);
    (local, instant)
}

/// A calendar file as `who` downloads it: status, content type, text.
async fn ics(h: &Harness, who: Option<&Person>, path: &str) -> (StatusCode, String, String) {
    let mut request = h.http.get(h.server.url(path));
    if let Some(who) = who {
        request = request.bearer_auth(&who.token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, kind, response.text().await.unwrap())
}

on_both!(events_are_planned_answered_and_seen_live);
async fn events_are_planned_answered_and_seen_live(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let dan = h.person("dan_d").await;
    let (slug, general) = h.community(&ana, "Earnings desk", "public").await;
    for who in [&bo, &cy] {
        h.ok(who, "/api/communities/join", json!({"slug": slug}))
            .await;
    }
    let mut cy_socket = h.socket(&cy).await;
    cy_socket.subscribe(&general, None).await;

    let (starts, starts_at) = new_york_in(3);
    let (status, message) = plan(
        &h,
        &ana,
        &general,
        json!({"title": " $AAPL earnings call ", "description": "Questions in the thread.",
               "starts": starts, "timeZone": "America/New_York", "symbol": "$aapl"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{message}");
    assert_eq!(
        message["body"],
        "**$AAPL earnings call**\n\nQuestions in the thread."
    );
    let event = &message["event"];
    assert_eq!(event["title"], "$AAPL earnings call");
    assert_eq!(event["timeZone"], "America/New_York");
    assert_eq!(event["symbol"], "AAPL");
    assert_eq!(event["remindMinutes"], 15);
    // Planned on New York's clock, kept as the instant it names.
    let shown: DateTime<Utc> = event["startsAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(shown, starts_at);
    let id = message["id"].as_str().unwrap().to_string();
    assert_eq!(event["id"], id.as_str());
    let created = cy_socket.expect("messageCreated").await;
    assert_eq!(created["message"]["event"]["title"], "$AAPL earnings call");

    // Bo is going; Cy sees the count move and his name.
    let (status, said) = answer(&h, &bo, &id, json!("going")).await;
    assert_eq!(status, StatusCode::OK, "{said}");
    assert_eq!(
        (said["going"].as_u64(), said["maybe"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(said["attendees"][0]["person"]["username"], "bo_b");
    assert_eq!(said["attendees"][0]["answer"], "going");
    let live = cy_socket.expect("partChanged").await;
    assert_eq!(live["messageId"], id.as_str());
    assert_eq!(live["kind"], "event");
    assert_eq!(live["part"]["going"], 1);

    // He changes to maybe: still one answer of his.
    let (_, said) = answer(&h, &bo, &id, json!("maybe")).await;
    assert_eq!(
        (said["going"].as_u64(), said["maybe"].as_u64()),
        (Some(0), Some(1))
    );
    // Twenty answers of Cy's at once: one row, one of them.
    let answers = futures::future::join_all((0..20).map(|n| {
        let said = ["going", "maybe", "declined"][n % 3];
        answer(&h, &cy, &id, json!(said))
    }))
    .await;
    assert!(
        answers.iter().all(|(s, _)| *s == StatusCode::OK),
        "{answers:?}"
    );
    assert_eq!(
        h.count("SELECT COUNT(*) FROM event_answers WHERE user_id IN (SELECT id FROM users WHERE username = 'cy_c')")
            .await,
        1
    );
    // Taken back.
    let (_, said) = answer(&h, &cy, &id, Value::Null).await;
    assert_eq!(
        said["going"].as_u64().unwrap() + said["declined"].as_u64().unwrap(),
        0
    );
    assert_eq!(said["maybe"], 1);

    // The history shows it as it stands.
    let (_, page) = h
        .read(&ana, &format!("/api/chat/history?channelId={general}"))
        .await;
    let shown = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id.as_str())
        .unwrap()["event"]
        .clone();
    assert_eq!(shown["maybe"], 1, "{shown}");

    // The calendar lists it as coming up, with where it was announced.
    let (status, calendar) = h
        .read(&dan, &format!("/api/events/calendar?slug={slug}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{calendar}");
    assert_eq!(calendar["communityName"], "Earnings desk");
    assert_eq!(calendar["upcoming"][0]["event"]["id"], id.as_str());
    assert_eq!(calendar["upcoming"][0]["channelName"], "general");
    assert_eq!(calendar["upcoming"][0]["organiser"]["username"], "ana");
    assert_eq!(calendar["past"], json!([]));

    // The event and the community as calendar files.
    let (status, kind, file) = ics(&h, Some(&bo), &format!("/api/events/{id}/event.ics")).await;
    assert_eq!(status, StatusCode::OK, "{file}");
    assert!(kind.starts_with("text/calendar"), "{kind}");
    assert!(file.contains("BEGIN:VEVENT\r\n"), "{file}");
    assert!(
        file.contains(&format!(
            "DTSTART:{}\r\n",
            starts_at.format("%Y%m%dT%H%M%SZ")
        )),
        "{file}"
    );
    assert!(file.contains("SUMMARY:$AAPL earnings call\r\n"), "{file}");
    assert!(file.contains(&format!("/c/{slug}/general?at=")), "{file}");
    let (status, _, file) = ics(&h, None, &format!("/api/communities/{slug}/events.ics")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(file.matches("BEGIN:VEVENT").count(), 1, "{file}");

    // Dan reads the public channel but is no member: he cannot answer; nor can anyone unsigned.
    let (status, refused) = answer(&h, &dan, &id, json!("going")).await;
    assert!(status.is_client_error(), "{status} {refused}");
    assert!(refused["error"].is_string(), "{refused}");
    let (status, _) = h
        .post(
            "/api/events/answer",
            json!({"messageId": id, "answer": "going"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Not an answer; not an event.
    let (status, _) = answer(&h, &bo, &id, json!("yes")).await;
    assert!(status.is_client_error());
    cy_socket.say(&general, "p", "no event here").await;
    let said = cy_socket.expect("messageCreated").await;
    let plain = said["message"]["id"].as_str().unwrap();
    let (status, refused) = answer(&h, &bo, plain, json!("going")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{refused}");

    // Once it is over, answers are closed and it moves to the past.
    h.scalar("UPDATE events SET starts_at = created_at, ends_at = created_at RETURNING 'over'")
        .await;
    // Another, without an end, that began over an hour ago: over too, and in the past.
    let (_, open_ended) = plan(
        &h,
        &ana,
        &general,
        json!({"title": "Pre-market chat", "starts": new_york_in(1).0, "timeZone": "America/New_York"}),
    )
    .await;
    let open_ended = open_ended["id"].as_str().unwrap().to_string();
    h.db.execute(sea_orm::Statement::from_sql_and_values(
        h.db.get_database_backend(),
        "UPDATE events SET starts_at = $1 WHERE title = 'Pre-market chat'",
        [(Utc::now() - chrono::Duration::hours(2)).into()],
    ))
    .await
    .unwrap();
    let (status, _) = answer(&h, &bo, &open_ended, json!("going")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, refused) = answer(&h, &bo, &id, json!("going")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["error"].as_str().unwrap().contains("over"),
        "{refused}"
    );
    let (_, calendar) = h
        .read(&ana, &format!("/api/events/calendar?slug={slug}"))
        .await;
    assert_eq!(calendar["upcoming"], json!([]));
    // Latest first: the one that ended as it began, then the one that began two hours ago.
    assert_eq!(calendar["past"][0]["event"]["id"], id.as_str());
    assert_eq!(calendar["past"][1]["event"]["id"], open_ended.as_str());

    // A deleted announcement takes its event with it: gone from the calendar and its file.
    let mut ana_socket = h.socket(&ana).await;
    ana_socket.subscribe(&general, None).await;
    ana_socket
        .send(json!({"type": "delete", "messageId": id}))
        .await;
    ana_socket.expect("messageDeleted").await;
    let (_, calendar) = h
        .read(&ana, &format!("/api/events/calendar?slug={slug}"))
        .await;
    assert_eq!(calendar["past"].as_array().unwrap().len(), 1, "{calendar}");
    assert_eq!(calendar["past"][0]["event"]["id"], open_ended.as_str());
    let (status, _, _) = ics(&h, Some(&ana), &format!("/api/events/{id}/event.ics")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

on_both!(bad_events_are_refused_in_words_and_private_calendars_stay_private);
async fn bad_events_are_refused_in_words_and_private_calendars_stay_private(h: Harness) {
    let ana = h.person("ana").await;
    let eve = h.person("eve_e").await;
    let (slug, general) = h.community(&ana, "Inner circle", "private").await;
    let (later, _) = new_york_in(2);
    let (past, _) = new_york_in(-2);
    let (far, _) = new_york_in(400);
    let fine = |f: &dyn Fn(&mut Value)| {
        let mut e = json!({"title": "AMA", "starts": later, "timeZone": "America/New_York"});
        f(&mut e);
        e
    };
    for (event, says) in [
        (fine(&|e| e["title"] = json!("  ")), "title"),
        (fine(&|e| e["title"] = json!("x".repeat(121))), "120"),
        (
            fine(&|e| e["timeZone"] = json!("Mars/Olympus")),
            "Mars/Olympus",
        ),
        (fine(&|e| e["starts"] = json!("next friday")), "next friday"),
        (fine(&|e| e["starts"] = json!(past)), "future"),
        (fine(&|e| e["starts"] = json!(far)), "366"),
        (fine(&|e| e["ends"] = json!(later)), "after it starts"),
        (
            fine(&|e| e["symbol"] = json!("not a ticker")),
            "not a ticker",
        ),
        (fine(&|e| e["remindMinutes"] = json!(7)), "reminder"),
    ] {
        let (status, refused) = plan(&h, &ana, &general, event).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert!(
            refused["error"].as_str().unwrap().contains(says),
            "{says}: {refused}"
        );
    }
    // A malformed body is a 4xx, not a crash.
    let (status, _) = h
        .call(
            &ana,
            "/api/events/plan",
            json!({"channelId": general, "event": "soon"}),
        )
        .await;
    assert!(status.is_client_error());
    assert_eq!(h.count("SELECT COUNT(*) FROM events").await, 0);
    assert_eq!(h.count("SELECT COUNT(*) FROM messages").await, 0);

    // Only where one may post; a private community's calendar only for its members.
    let (status, _) = plan(&h, &eve, &general, fine(&|_| {})).await;
    assert!(status.is_client_error());
    let (status, _) = plan(&h, &ana, &general, fine(&|_| {})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, refused) = h
        .read(&eve, &format!("/api/events/calendar?slug={slug}"))
        .await;
    assert!(status.is_client_error(), "{status} {refused}");
    let (status, _, file) = ics(
        &h,
        Some(&eve),
        &format!("/api/communities/{slug}/events.ics"),
    )
    .await;
    assert!(status.is_client_error(), "{status}");
    assert!(!file.contains("AMA"));
    let (status, _, file) = ics(
        &h,
        Some(&ana),
        &format!("/api/communities/{slug}/events.ics"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(file.contains("SUMMARY:AMA\r\n"), "{file}");

    // Over the public API with a token: the same calendar, for members only.
    let token = |who: &Person, scopes: Value| {
        let who = who.token.clone();
        let h = &h;
        async move {
            let (status, made) = h
                .post_as(
                    &who,
                    "/api/tokens/create",
                    json!({"name": "calendar", "scopes": scopes, "days": 30}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{made}");
            made["token"].as_str().unwrap().to_string()
        }
    };
    let path = format!("/api/v1/communities/{slug}/events");
    let reader = token(&ana, json!(["chat:read"])).await;
    let calendar = h.get_json(&path, &reader).await;
    assert_eq!(
        calendar["upcoming"][0]["event"]["title"], "AMA",
        "{calendar}"
    );
    assert_eq!(calendar["upcoming"][0]["channelName"], "general");
    let (status, refused) = h
        .get_as(&token(&eve, json!(["chat:read"])).await, &path)
        .await;
    assert!(
        status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
        "{status} {refused}"
    );
    let (status, refused) = h
        .get_as(&token(&ana, json!(["portfolio:read"])).await, &path)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert!(
        refused["error"].as_str().unwrap().contains("chat:read"),
        "{refused}"
    );
    let (status, _) = h.get(&path).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

on_both!(
    reminders_go_once_to_those_going_who_may_still_read,
    [("EVENT_REMINDER_SECS", "1")]
);
async fn reminders_go_once_to_those_going_who_may_still_read(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let dee = h.person("dee_d").await;
    let fay = h.person("fay_f").await;
    let (slug, general) = h.community(&ana, "Watch party", "public").await;
    for who in [&bo, &cy, &dee, &fay] {
        h.ok(who, "/api/communities/join", json!({"slug": slug}))
            .await;
    }
    let (starts, _) = new_york_in(1);
    let (_, message) = plan(
        &h,
        &ana,
        &general,
        json!({"title": "FOMC watch party", "starts": starts, "timeZone": "America/New_York", "remindMinutes": 60}),
    )
    .await;
    let id = message["id"].as_str().unwrap().to_string();
    answer(&h, &bo, &id, json!("going")).await;
    answer(&h, &cy, &id, json!("maybe")).await;
    answer(&h, &dee, &id, json!("declined")).await;
    answer(&h, &fay, &id, json!("going")).await;
    // Fay is banned before the reminder: she is not told.
    h.ok(
        &ana,
        "/api/moderation/act-person",
        json!({"slug": slug, "username": "fay_f", "measure": {"kind": "ban"}, "reason": "spam"}),
    )
    .await;
    let mut sockets = Vec::new();
    for who in [&bo, &cy, &dee, &fay] {
        sockets.push(h.socket(who).await);
    }
    // Its reminder falls due.
    h.scalar("UPDATE events SET remind_at = created_at RETURNING 'due'")
        .await;
    for n in [0, 1] {
        let item = sockets[n]
            .notified_within(Duration::from_secs(15))
            .await
            .expect("a reminder");
        assert_eq!(item["kind"], "reminder", "{item}");
        assert_eq!(item["messageId"], id.as_str());
        assert_eq!(item["excerpt"], "FOMC watch party");
        assert_eq!(item["author"]["username"], "ana");
    }
    for n in [2, 3] {
        assert!(
            sockets[n]
                .notified_within(Duration::from_millis(2500))
                .await
                .is_none(),
            "told someone who said no, or who was banned"
        );
    }
    // Once: the next rounds find nothing due.
    assert!(sockets[0]
        .notified_within(Duration::from_millis(2500))
        .await
        .is_none());
    assert_eq!(
        h.count("SELECT COUNT(*) FROM inbox_items WHERE kind = 'reminder'")
            .await,
        2
    );
    let (_, inbox) = h.read(&bo, "/api/notifications/inbox").await;
    assert_eq!(inbox["items"][0]["kind"], "reminder", "{inbox}");
    assert_eq!(inbox["unread"], 1);
}

on_both!(the_organiser_changes_an_event_and_everyone_sees_it);
async fn the_organiser_changes_an_event_and_everyone_sees_it(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Earnings desk", "public").await;
    h.ok(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;
    h.ok(
        &ana,
        "/api/communities/rank",
        json!({"slug": slug, "username": "bo_b", "rank": "admin"}),
    )
    .await;
    let (starts, _) = new_york_in(2);
    let (status, message) = plan(
        &h,
        &ana,
        &general,
        json!({"title": "AAPL call", "starts": starts, "timeZone": "America/New_York", "remindMinutes": 60}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{message}");
    let id = message["id"].as_str().unwrap().to_string();
    let event = &message["event"];
    assert_eq!(event["organiserId"], ana.id.as_str());
    assert_eq!(event["startsLocal"], starts.as_str());
    answer(&h, &bo, &id, json!("going")).await;
    // The reminder went out already; a new time sends it again.
    h.scalar("UPDATE events SET reminded_at = created_at RETURNING 'sent'")
        .await;
    let mut bo_socket = h.socket(&bo).await;
    bo_socket.subscribe(&general, None).await;

    let edit = |event: Value| json!({"messageId": id, "event": event});
    let (later, later_instant) = new_york_in(3);
    let changed = h
        .ok(
            &ana,
            "/api/events/edit",
            edit(json!({"title": "AAPL earnings call", "description": "Q1, with the CFO", "starts": later,
                "timeZone": "America/New_York", "symbol": "$aapl", "remindMinutes": 15})),
        )
        .await;
    assert_eq!(changed["title"], "AAPL earnings call");
    assert_eq!(changed["symbol"], "AAPL");
    assert_eq!(changed["startsLocal"], later.as_str());
    assert_eq!(
        changed["startsAt"]
            .as_str()
            .unwrap()
            .parse::<DateTime<Utc>>()
            .unwrap(),
        later_instant
    );
    // Answers stay; the channel sees the words and the event change.
    assert_eq!(changed["going"], 1);
    let edited = bo_socket.expect("messageEdited").await;
    assert_eq!(
        edited["message"]["body"],
        "**AAPL earnings call**\n\nQ1, with the CFO"
    );
    let live = bo_socket.expect("partChanged").await;
    assert_eq!(live["kind"], "event");
    assert_eq!(live["part"]["title"], "AAPL earnings call");
    assert_eq!(
        h.count("SELECT COUNT(*) FROM events WHERE reminded_at IS NULL AND remind_minutes = 15")
            .await,
        1
    );

    // Nobody else changes it — not even an admin — and bad plans change nothing.
    let (status, refused) = h
        .call(
            &bo,
            "/api/events/edit",
            edit(json!({"title": "Mine now", "starts": later})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert_eq!(
        refused["error"],
        "Only the person who planned an event can change it."
    );
    let (status, refused) = h
        .call(
            &ana,
            "/api/events/edit",
            edit(json!({"title": "  ", "starts": later})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (status, _) = h
        .call(
            &ana,
            "/api/events/edit",
            json!({"messageId": "not-an-id", "event": {"title": "x", "starts": later}}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, view) = h
        .read(&ana, &format!("/api/events/calendar?slug={slug}"))
        .await;
    assert_eq!(view["upcoming"][0]["event"]["title"], "AAPL earnings call");
    // Once it is over, it stays as it was.
    h.sql(
        "UPDATE events SET starts_at = $1, ends_at = NULL",
        vec![(Utc::now() - chrono::Duration::hours(3)).into()],
    )
    .await;
    let (status, refused) = h
        .call(
            &ana,
            "/api/events/edit",
            edit(json!({"title": "Encore", "starts": later})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
}

/// Alpha Vantage's EARNINGS_CALENDAR as it answers (CSV, CRLF, ../shared/fixtures/providers
/// E2's refusals as JSON) for IBM — a report already past, the next one after the close, one
/// later — and the header alone for any other company; counting the calls.
async fn earnings_source(calls: Arc<AtomicUsize>) -> String {
    async fn answer(
        State(calls): State<Arc<AtomicUsize>>,
        Query(query): Query<HashMap<String, String>>,
    ) -> String {
        calls.fetch_add(1, Ordering::SeqCst);
        if query.get("function").map(String::as_str) != Some("EARNINGS_CALENDAR") {
            return r#"{"Information":"Thank you for using Alpha Vantage! Our standard API rate limit is 25 requests per day."}"#.into();
        }
        let day = |days: i64| (Utc::now() + chrono::Duration::days(days)).format("%Y-%m-%d");
        let mut body = "symbol,name,reportDate,fiscalDateEnding,estimate,currency,timeOfTheDay\r\n"
            .to_string();
        if query.get("symbol").map(String::as_str) == Some("IBM") {
            body += &format!(
                "IBM,International Business Machines Corp,{},2026-09-30,,USD,post-market\r\n\
                 IBM,International Business Machines Corp,{},2026-12-31,1.59,USD,post-market\r\n\
                 IBM,International Business Machines Corp,{},2026-06-30,2.10,USD,pre-market\r\n",
                day(100),
                day(20),
                day(-60),
            );
        }
        body
    }
    let app = Router::new().fallback(get(answer)).with_state(calls);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

#[tokio::test]
async fn an_event_starts_on_a_company_s_next_earnings_day() {
    // Offline, no source has an earnings calendar: the form is told so in words.
    let h = Harness::sqlite().await;
    let ana = h.person("ana").await;
    let (status, body) = h.read(&ana, "/api/events/earnings?symbol=IBM").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(
        body["error"],
        "The configured market sources don't offer this data."
    );

    let calls = Arc::new(AtomicUsize::new(0));
    let base = earnings_source(calls.clone()).await;
    let h = Harness::sqlite_with(&[
        ("MARKET_PROVIDERS", "alphavantage,offline"),
        ("ALPHA_VANTAGE_API_KEY", "test-key"),
        ("ALPHA_VANTAGE_URL", &base),
    ])
    .await;
    let ana = h.person("ana").await;
    let (_, general) = h.community(&ana, "Earnings Desk", "public").await;
    // The next report from today on, however the cashtag is written; asked once, then cached.
    for asked in ["IBM", "%24ibm", "ibm"] {
        let day = h
            .get_as(&ana.token, &format!("/api/events/earnings?symbol={asked}"))
            .await
            .1;
        let expected = (Utc::now() + chrono::Duration::days(20))
            .format("%Y-%m-%d")
            .to_string();
        assert_eq!(day["symbol"], "IBM", "{day}");
        assert_eq!(day["date"], expected.as_str(), "{day}");
        assert_eq!(day["timeOfDay"], "post-market");
        assert_eq!(day["source"], "alpha vantage");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // A company without a coming report, a word that is no ticker, a stranger.
    let (status, body) = h.read(&ana, "/api/events/earnings?symbol=MSFT").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(
        body["error"],
        "The market source doesn't know when $MSFT reports next."
    );
    let (status, body) = h
        .read(&ana, "/api/events/earnings?symbol=not%20a%20ticker")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = h.get("/api/events/earnings?symbol=IBM").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The form plans the event on that day after the close, New York time, about $IBM.
    let day = (Utc::now() + chrono::Duration::days(20)).format("%Y-%m-%d");
    let (status, message) = plan(
        &h,
        &ana,
        &general,
        json!({"title": "$IBM earnings", "starts": format!("{day}T16:30"), "timeZone": "America/New_York", "symbol": "IBM"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{message}");
    let event = &message["event"];
    assert_eq!(event["symbol"], "IBM");
    let zone: chrono_tz::Tz = "America/New_York".parse().unwrap();
    let starts = chrono::NaiveDateTime::parse_from_str(&format!("{day}T16:30"), "%Y-%m-%dT%H:%M")
        .unwrap()
        .and_local_timezone(zone)
        .earliest()
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(
        DateTime::parse_from_rfc3339(event["startsAt"].as_str().unwrap()).unwrap(),
        starts
    );
}
