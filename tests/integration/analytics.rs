//! A community's analytics as its managers read them: messages and active members per day and
//! week, who joined, left and was removed, the busiest channels, the $cashtags and their mood,
//! flag and report rates and how fast moderators resolved reports; a range and a CSV file.
//! Only those who manage the community see them (the moment a rank is taken away, too); bad
//! ranges are refused in words. The roll-up job heals by itself after missed days and runs
//! once at a time. On SQLite and (with TEST_DATABASE_URL) PostgreSQL.

use std::time::Duration;

use crate::common::{harness::Harness, people::Person};
use chrono::{Datelike, NaiveDate, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn analytics_path(slug: &str, range: &str) -> String {
    format!("/api/analytics/community?slug={slug}{range}")
}

/// The figures once the roll-up counted what `done` waits for (the job runs every second in
/// these tests).
async fn figures_when(
    h: &Harness,
    who: &Person,
    slug: &str,
    range: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (status, figures) = h.read(who, &analytics_path(slug, range)).await;
        assert_eq!(status, StatusCode::OK, "{figures}");
        if done(&figures["totals"]) {
            return figures;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never counted it all: {}",
            figures["totals"]
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn day(figures: &Value, date: NaiveDate) -> &Value {
    figures["days"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["day"] == date.to_string())
        .unwrap_or_else(|| panic!("{date} in {}", figures["days"]))
}

on_both!(
    managers_see_what_their_community_did,
    [("ANALYTICS_ROLLUP_SECS", "1")]
);
async fn managers_see_what_their_community_did(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let dee = h.person("dee_d").await;
    let eve = h.person("eve_e").await;
    let (slug, general) = h.community(&ana, "Figures Desk", "public").await;
    for who in [&bo, &cy, &dee, &eve] {
        h.ok(who, "/api/communities/join", json!({"slug": slug}))
            .await;
    }
    h.ok(&dee, "/api/communities/leave", json!({"slug": slug}))
        .await;
    h.ok(
        &ana,
        "/api/communities/kick",
        json!({"slug": slug, "username": "eve_e"}),
    )
    .await;
    let ideas = h
        .ok(
            &ana,
            "/api/communities/channels/create",
            json!({"slug": slug, "name": "ideas", "topic": "", "kind": "text"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();

    h.say(&ana, &general, "$AAPL to the moon, so bullish").await;
    h.say(&ana, &general, "$TSLA is a disaster, dumping everything")
        .await;
    let flagged = h.say(&bo, &general, "see you all at the open").await;
    let reported = h.say(&bo, &ideas, "$AAPL looks great, strong buy").await;
    let gone = h.say(&bo, &general, "a message deleted later").await;
    let old = h.say(&cy, &general, "written yesterday").await;
    let today = Utc::now().date_naive();
    let yesterday = today - chrono::Duration::days(1);
    h.sql(
        "UPDATE messages SET created_at = $1 WHERE id = $2",
        vec![
            (Utc::now() - chrono::Duration::days(1)).into(),
            uuid::Uuid::parse_str(&old).unwrap().into(),
        ],
    )
    .await;
    // A flag as the AI writes it, and a deleted message: both were written, both count.
    h.sql("INSERT INTO message_flags (message_id, score, reason, severe, engine, flagged_at) VALUES ($1, 0.9, 'insult', false, 'test', $2)",
        vec![uuid::Uuid::parse_str(&flagged).unwrap().into(), Utc::now().into()],
    )
    .await;
    let deleted = h
        .http
        .delete(h.server.url(&format!("/api/v1/messages/{gone}")))
        .bearer_auth(&bo.token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    // Cy reports Bo's message in #ideas; Ana resolves it by dismissing the report.
    h.ok(
        &cy,
        "/api/reports/create",
        json!({"messageId": reported, "reason": "spam", "note": ""}),
    )
    .await;
    h.ok(
        &ana,
        "/api/moderation/dismiss",
        json!({"messageId": reported}),
    )
    .await;

    // Everything done above, counted: six messages, the flag and the report.
    let all_counted = |t: &Value| t["messages"] == 6 && t["flagged"] == 1 && t["reports"] == 1;
    let figures = figures_when(&h, &ana, &slug, "", all_counted).await;
    assert_eq!(
        figures["from"],
        (today - chrono::Duration::days(29)).to_string()
    );
    assert_eq!(figures["to"], today.to_string());
    assert_eq!(figures["days"].as_array().unwrap().len(), 30);
    let totals = &figures["totals"];
    assert_eq!(totals["activeMembers"], 3, "{totals}");
    // The owner and the four who joined; one left, one was removed.
    assert_eq!(totals["joined"], 5, "{totals}");
    assert_eq!(totals["left"], 1);
    assert_eq!(totals["removed"], 1);
    assert_eq!(totals["flagged"], 1);
    assert_eq!(totals["flagRate"], 16.7);
    assert_eq!(totals["reports"], 1);
    assert_eq!(totals["reportRate"], 166.7);
    assert_eq!(totals["reportsResolved"], 1);
    assert!(totals["medianResponseMinutes"].as_f64().unwrap() < 5.0);

    let now = day(&figures, today);
    assert_eq!(now["messages"], 5, "{now}");
    assert_eq!(now["activeMembers"], 2);
    assert_eq!(now["joined"], 5);
    let before = day(&figures, yesterday);
    assert_eq!(before["messages"], 1, "{before}");
    assert_eq!(before["activeMembers"], 1);
    // This week's writers: Ana and Bo today, and Cy yesterday unless today is a Monday.
    let weeks = figures["weeks"].as_array().unwrap();
    let monday = today - chrono::Duration::days(today.weekday().num_days_from_monday().into());
    let this_week = weeks
        .iter()
        .find(|w| w["week"] == monday.to_string())
        .unwrap_or_else(|| panic!("{monday} in {weeks:?}"));
    let expected = if today.weekday() == chrono::Weekday::Mon {
        2
    } else {
        3
    };
    assert_eq!(this_week["activeMembers"], expected, "{weeks:?}");

    let channels = figures["channels"].as_array().unwrap();
    assert_eq!(channels[0]["name"], "general");
    assert_eq!(channels[0]["messages"], 5);
    assert_eq!(channels[0]["flagged"], 1);
    assert_eq!(channels[1]["name"], "ideas");
    let cashtags = figures["cashtags"].as_array().unwrap();
    assert_eq!(cashtags[0]["symbol"], "AAPL", "{cashtags:?}");
    assert_eq!(cashtags[0]["mentions"], 2);
    assert_eq!(cashtags[0]["mood"], 100);
    assert_eq!(cashtags[1]["symbol"], "TSLA");
    assert_eq!(cashtags[1]["bearish"], 1);
    assert_eq!(cashtags[1]["mood"], -100);
    let moderators = figures["moderators"].as_array().unwrap();
    assert_eq!(moderators.len(), 1);
    assert_eq!(moderators[0]["username"], "ana");
    assert_eq!(moderators[0]["resolved"], 1);
    // The charts hold a point per day and a line per cashtag.
    let activity: Value =
        serde_json::from_str(figures["charts"]["activity"].as_str().unwrap()).unwrap();
    assert_eq!(activity["xAxis"]["data"].as_array().unwrap().len(), 30);
    let mood: Value = serde_json::from_str(figures["charts"]["mood"].as_str().unwrap()).unwrap();
    assert_eq!(mood["series"].as_array().unwrap().len(), 2);
    assert!(figures["asOf"].is_string());

    // A range of yesterday alone.
    let range = format!("&from={yesterday}&to={yesterday}");
    let (_, one_day) = h.read(&ana, &analytics_path(&slug, &range)).await;
    assert_eq!(one_day["days"].as_array().unwrap().len(), 1);
    assert_eq!(one_day["totals"]["messages"], 1);
    assert_eq!(one_day["totals"]["activeMembers"], 1);
    assert_eq!(one_day["cashtags"], json!([]));

    // The CSV: a header and a row per day, today's last.
    let response = h
        .http
        .get(
            h.server
                .url(&format!("/api/communities/{slug}/analytics.csv")),
        )
        .bearer_auth(&ana.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(".csv"));
    let text = response.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 31, "{text}");
    assert!(lines[0].starts_with("day,messages,active_members,joined,left,removed,flagged,reports"));
    assert_eq!(lines[30], format!("{today},5,2,5,1,1,1,1,20,200"), "{text}");

    // A missed run heals by itself: the job is told to start three days back with those days'
    // roll-ups gone, and the next run brings them back.
    h.sql("DELETE FROM channel_days", vec![]).await;
    h.sql("DELETE FROM member_days", vec![]).await;
    h.sql(
        "UPDATE rollups SET from_day = $1",
        vec![(today - chrono::Duration::days(3)).into()],
    )
    .await;
    let healed = figures_when(&h, &ana, &slug, "", |t| {
        all_counted(t) && t["activeMembers"] == 3
    })
    .await;
    assert_eq!(healed["totals"]["activeMembers"], 3);
    assert_eq!(day(&healed, yesterday)["messages"], 1);
}

on_both!(
    active_members_over_long_ranges_count_each_writer_once,
    [("ANALYTICS_ROLLUP_SECS", "1")]
);
async fn active_members_over_long_ranges_count_each_writer_once(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let (slug, general) = h.community(&ana, "Long Range", "public").await;
    for who in [&bo, &cy] {
        h.ok(who, "/api/communities/join", json!({"slug": slug}))
            .await;
    }
    // Bo wrote 70 and 69 days ago, Cy 40 days ago and today, Ana today: whole months of
    // writers, and ragged ends, over a range of 80 days.
    let today = Utc::now().date_naive();
    for (who, days_ago) in [(&bo, 70), (&bo, 69), (&cy, 40), (&cy, 0), (&ana, 0)] {
        let id = h.say(who, &general, &format!("{days_ago} days ago")).await;
        h.sql(
            "UPDATE messages SET created_at = $1 WHERE id = $2",
            vec![
                (Utc::now() - chrono::Duration::days(days_ago)).into(),
                uuid::Uuid::parse_str(&id).unwrap().into(),
            ],
        )
        .await;
    }
    let ago = |days: i64| today - chrono::Duration::days(days);
    let range = |from: i64, to: i64| format!("&from={}&to={}", ago(from), ago(to));
    // Roll again from 80 days ago. A run under way ends by setting where the next one starts,
    // over this: set it again until a run has started from there.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let all = loop {
        h.sql(
            "UPDATE rollups SET from_day = $1 WHERE name = 'activity'",
            vec![ago(80).into()],
        )
        .await;
        let (_, figures) = h.read(&ana, &analytics_path(&slug, &range(80, 0))).await;
        if figures["totals"]["messages"] == 5 {
            break figures;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never counted it all: {}",
            figures["totals"]
        );
        tokio::time::sleep(Duration::from_millis(1_500)).await;
    };
    assert_eq!(all["totals"]["activeMembers"], 3, "{}", all["totals"]);
    // Each range as the days say, whichever months it holds whole.
    for (from, to, expected) in [
        (75, 35, 2),
        (45, 0, 2),
        (69, 69, 1),
        (39, 1, 0),
        (80, 41, 1),
    ] {
        let (_, figures) = h.read(&ana, &analytics_path(&slug, &range(from, to))).await;
        assert_eq!(
            figures["totals"]["activeMembers"], expected,
            "{from}..{to} days ago: {}",
            figures["totals"]
        );
    }
    // The counts above came through the months: the job listed them.
    assert!(h.count("SELECT COUNT(*) FROM member_months").await >= 3);
}

on_both!(
    only_managers_see_analytics_and_bad_ranges_are_refused,
    [("ANALYTICS_ROLLUP_SECS", "1")]
);
async fn only_managers_see_analytics_and_bad_ranges_are_refused(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let gus = h.person("gus_g").await;
    let (slug, general) = h.community(&ana, "Closed Books", "public").await;
    for who in [&bo, &cy] {
        h.ok(who, "/api/communities/join", json!({"slug": slug}))
            .await;
    }
    h.say(&cy, &general, "hello").await;
    let rank = |who: &str, rank: &str| json!({"slug": slug, "username": who, "rank": rank});
    h.ok(&ana, "/api/communities/rank", rank("bo_b", "admin"))
        .await;
    let (status, _) = h.read(&bo, &analytics_path(&slug, "")).await;
    assert_eq!(status, StatusCode::OK);

    // A moderator, a member, an outsider, nobody signed in, a community that is not there.
    h.ok(&ana, "/api/communities/rank", rank("bo_b", "moderator"))
        .await;
    for (who, expected) in [
        (&bo, StatusCode::FORBIDDEN),
        (&cy, StatusCode::FORBIDDEN),
        (&gus, StatusCode::FORBIDDEN),
    ] {
        let (status, answer) = h.read(who, &analytics_path(&slug, "")).await;
        assert_eq!(status, expected, "{}: {answer}", who.name);
        assert!(
            answer["error"].as_str().is_some_and(|m| !m.is_empty()),
            "{answer}"
        );
        let csv = h
            .http
            .get(
                h.server
                    .url(&format!("/api/communities/{slug}/analytics.csv")),
            )
            .bearer_auth(&who.token)
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status(), expected);
        assert!(!csv.text().await.unwrap().contains("day,messages"));
    }
    let (status, _) = h.get(&analytics_path(&slug, "")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let csv = h
        .http
        .get(
            h.server
                .url(&format!("/api/communities/{slug}/analytics.csv")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = h.read(&ana, &analytics_path("no-such-desk", "")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Ranges refused in words, nothing else read.
    for (range, says) in [
        ("&from=2026-13-01", "is not a date"),
        ("&from=yesterday", "is not a date"),
        ("&from=2026-02-01&to=2026-01-01", "ends before it starts"),
        ("&from=2020-01-01&to=2026-01-01", "at most 731 days"),
        ("&from=%3Cscript%3E", "is not a date"),
    ] {
        let (status, answer) = h.read(&ana, &analytics_path(&slug, range)).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{range}: {answer}"
        );
        assert!(
            answer["error"].as_str().unwrap().contains(says),
            "{range}: {answer}"
        );
    }
    // Sixty requests at once from the owner all answer alike — once the roll-up (every second
    // here) has counted Cy's message: after that it finds nothing new, while before it one of
    // its runs could land in the middle of the sixty.
    let path = analytics_path(&slug, "");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (_, answer) = h.read(&ana, &path).await;
        let today = answer["days"]
            .as_array()
            .and_then(|days| days.last())
            .cloned();
        if today.is_some_and(|t| t["messages"] == 1) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never rolled up: {answer}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let calls: Vec<_> = (0..60).map(|_| h.read(&ana, &path)).collect();
    let answers = futures::future::join_all(calls).await;
    let first = &answers[0].1["days"];
    for (status, answer) in &answers {
        assert_eq!(*status, StatusCode::OK);
        assert_eq!(&answer["days"], first);
    }
}

on_both!(
    the_rollup_runs_once_at_a_time,
    [("ANALYTICS_ROLLUP_SECS", "3600")]
);
async fn the_rollup_runs_once_at_a_time(h: Harness) {
    use bullpen::insights::analytics::repo;
    // The server's first run, at start (this job's: the badges' job keeps a row there too).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while h
        .count("SELECT COUNT(*) FROM rollups WHERE name = 'activity' AND ran_at IS NOT NULL")
        .await
        == 0
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the first run never finished"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let now = Utc::now();
    let stale = now - chrono::Duration::seconds(120);
    let (first, second) = tokio::join!(
        repo::claim_job(&h.db, repo::ACTIVITY, now, stale),
        repo::claim_job(&h.db, repo::ACTIVITY, now, stale)
    );
    let claims = [first.unwrap(), second.unwrap()];
    assert_eq!(claims.iter().filter(|c| c.is_some()).count(), 1);
    // Held: nobody else gets it until it is finished or goes stale.
    assert!(repo::claim_job(&h.db, repo::ACTIVITY, now, stale)
        .await
        .unwrap()
        .is_none());
    let later = now + chrono::Duration::seconds(121);
    assert!(repo::claim_job(
        &h.db,
        repo::ACTIVITY,
        later,
        later - chrono::Duration::seconds(120)
    )
    .await
    .unwrap()
    .is_some());
    repo::finish_job(&h.db, repo::ACTIVITY, now.date_naive(), later)
        .await
        .unwrap();
    assert!(repo::claim_job(&h.db, repo::ACTIVITY, later, stale)
        .await
        .unwrap()
        .is_some());
}
