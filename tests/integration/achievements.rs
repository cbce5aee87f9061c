//! Achievements as people earn them: a first message, help received, a week's streak, a year
//! in a community and a price-target poll called within 5 %; recorded once, announced once,
//! shown on the profile; never for a flagged message (until a moderator dismisses the flag).
//! On SQLite and (with TEST_DATABASE_URL) PostgreSQL; the job runs every second here.

use std::time::Duration;

use crate::common::harness::Harness;
use chrono::Utc;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

async fn badges(h: &Harness, username: &str) -> Vec<String> {
    let (status, held) = h
        .get(&format!("/api/achievements/of?username={username}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{held}");
    held.as_array()
        .unwrap()
        .iter()
        .map(|b| b["key"].as_str().unwrap().to_string())
        .collect()
}

/// Waits until `username` holds `key`.
async fn earns(h: &Harness, username: &str, key: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !badges(h, username).await.iter().any(|k| k == key) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{username} never earned {key}: {:?}",
            badges(h, username).await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits for two more runs of the job to finish: what they could award, they did.
async fn two_runs(h: &Harness) {
    let runs = || {
        h.scalar(
            "SELECT COALESCE(CAST(ran_at AS TEXT), '') FROM rollups WHERE name = 'achievements'",
        )
    };
    let mut seen = vec![runs().await];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while seen.len() < 3 {
        assert!(tokio::time::Instant::now() < deadline, "the job stopped");
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = runs().await;
        if seen.last() != Some(&now) {
            seen.push(now);
        }
    }
}

/// Waits until the AI has judged every message.
async fn judged(h: &Harness) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while h
        .count("SELECT COUNT(*) FROM messages WHERE ai_status IS NULL")
        .await
        > 0
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the AI never judged"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

on_both!(
    badges_are_earned_once_and_never_for_flagged_messages,
    [("ACHIEVEMENT_SECS", "1")]
);
async fn badges_are_earned_once_and_never_for_flagged_messages(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let (slug, general) = h.community(&ana, "Badge Desk", "public").await;
    for who in [&bo, &cy] {
        h.ok(who, "/api/communities/join", json!({"slug": slug}))
            .await;
    }
    let mut told = h.socket(&ana).await;

    // Ana's first message; Bo's first is an insult, flagged by the AI.
    let first = h
        .send(
            &ana,
            &general,
            json!({"body": "morning all, $AAPL on watch"}),
        )
        .await;
    let insult = h
        .send(&bo, &general, json!({"body": "shut up you stupid moron"}))
        .await;
    earns(&h, "ana", "first_message").await;
    let earned = loop {
        let event = told.next_event().await;
        if event["type"] == "achievementEarned" {
            break event;
        }
    };
    assert_eq!(earned["achievement"]["key"], "first_message");
    assert_eq!(earned["achievement"]["icon"], "👋");
    judged(&h).await;
    let flags =
        h.db.query_one(Statement::from_sql_and_values(
            h.db.get_database_backend(),
            "SELECT COUNT(*) FROM message_flags WHERE message_id = $1",
            [uuid::Uuid::parse_str(&insult).unwrap().into()],
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    assert_eq!(flags, 1, "the insult is flagged");
    two_runs(&h).await;
    assert!(badges(&h, "bo_b").await.is_empty(), "flagged: no badge");
    // A moderator dismisses the flag: the message counts.
    h.ok(
        &ana,
        "/api/moderation/dismiss",
        json!({"messageId": insult}),
    )
    .await;
    earns(&h, "bo_b", "first_message").await;

    // Help: ten reactions and five replies from others.
    for (who, emoji) in [
        (&bo, "👍"),
        (&bo, "🚀"),
        (&bo, "🎯"),
        (&bo, "👀"),
        (&bo, "🔥"),
    ]
    .into_iter()
    .chain([
        (&cy, "👍"),
        (&cy, "🚀"),
        (&cy, "🎯"),
        (&cy, "👀"),
        (&cy, "🔥"),
    ]) {
        h.react(who, &first, emoji).await;
    }
    // (Each writes at most ten a minute: the replies are shared out.)
    for (n, who) in [&bo, &bo, &cy, &cy].into_iter().enumerate() {
        h.send(
            who,
            &general,
            json!({"body": format!("agreed, {n}"), "replyTo": first}),
        )
        .await;
    }
    two_runs(&h).await;
    assert!(
        !badges(&h, "ana").await.contains(&"helpful".to_string()),
        "four replies are not five"
    );
    h.send(
        &bo,
        &general,
        json!({"body": "thanks, useful", "replyTo": first}),
    )
    .await;
    earns(&h, "ana", "helpful").await;

    // A week in a row, in Cy's days.
    for days_ago in 0..7 {
        let id = h
            .send(&cy, &general, json!({"body": format!("day {days_ago}")}))
            .await;
        h.sql(
            "UPDATE messages SET created_at = $1 WHERE id = $2",
            vec![
                (Utc::now() - chrono::Duration::days(days_ago)).into(),
                uuid::Uuid::parse_str(&id).unwrap().into(),
            ],
        )
        .await;
    }
    earns(&h, "cy_c", "streak_7").await;
    assert!(!badges(&h, "cy_c").await.contains(&"streak_30".to_string()));

    // A year in the community (Bo joined a year and an hour ago).
    h.sql(
        "UPDATE community_members SET joined_at = $1 WHERE user_id = $2",
        vec![
            (Utc::now() - chrono::Duration::days(365) - chrono::Duration::hours(1)).into(),
            uuid::Uuid::parse_str(&bo.id).unwrap().into(),
        ],
    )
    .await;
    earns(&h, "bo_b", "one_year").await;
    assert!(!badges(&h, "cy_c").await.contains(&"one_year".to_string()));

    // A price-target poll: Ana names a price 3 % off the close, Bo 20 % off.
    let poll = h
        .ok(
            &ana,
            "/api/polls/ask",
            json!({"channelId": general, "poll": {"question": "Where does $AAPL close?", "options": [], "kind": "target", "anonymous": false, "closesInMinutes": 60, "symbol": "AAPL"}}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, priced) = h
        .read(&ana, &format!("/api/polls/price?messageId={poll}"))
        .await;
    let price = priced["price"].as_f64().expect("a price");
    for (who, target) in [(&ana, price * 1.03), (&bo, price * 1.2)] {
        h.ok(
            who,
            "/api/polls/vote",
            json!({"messageId": poll, "choices": [], "target": target}),
        )
        .await;
    }
    h.sql(
        "UPDATE polls SET closes_at = $1 WHERE message_id = $2",
        vec![
            (Utc::now() - chrono::Duration::minutes(1)).into(),
            uuid::Uuid::parse_str(&poll).unwrap().into(),
        ],
    )
    .await;
    earns(&h, "ana", "called_it").await;
    two_runs(&h).await;
    assert!(!badges(&h, "bo_b").await.contains(&"called_it".to_string()));
    assert_eq!(
        h.count("SELECT COUNT(*) FROM polls WHERE close_price IS NOT NULL")
            .await,
        1
    );

    // Each badge is held once, however many runs; the profile shows them earliest first.
    assert_eq!(
        h.count("SELECT COUNT(*) FROM achievements WHERE key = 'first_message'")
            .await,
        3
    );
    assert_eq!(
        badges(&h, "ana").await,
        ["first_message", "helpful", "called_it"]
    );
    // Told once: the first ask has every badge Ana was not told of, the second none.
    let (status, unseen) = h.call(&ana, "/api/achievements/unseen", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{unseen}");
    assert_eq!(unseen.as_array().unwrap().len(), 3, "{unseen}");
    let (_, again) = h.call(&ana, "/api/achievements/unseen", json!({})).await;
    assert_eq!(again, json!([]));
    // Nobody signed in has nothing to be told; an unknown person has no badges to show.
    let (status, _) = h.post("/api/achievements/unseen", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, missing) = h.get("/api/achievements/of?username=nobody_here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        missing["error"].as_str().unwrap().contains("Nobody"),
        "{missing}"
    );
    // The account export lists them.
    let (_, export) = h.read(&ana, "/api/account/export").await;
    assert_eq!(
        export["achievements"].as_array().unwrap().len(),
        3,
        "{export}"
    );
}
