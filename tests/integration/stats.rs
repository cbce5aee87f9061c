//! A person's own activity: messages (deleted ones not counted), reactions others gave them
//! (their own not counted), active days counted in their time zone, streaks, the last 30 days;
//! only for the person themselves. On SQLite and (with TEST_DATABASE_URL) PostgreSQL.

use crate::common::{harness::Harness, people::Person};
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

/// Moves a message to another time, as if written then.
async fn written_at(h: &Harness, id: &str, at: DateTime<Utc>) {
    let backend = h.db.get_database_backend();
    let id = uuid::Uuid::parse_str(id).unwrap();
    h.db.execute(Statement::from_sql_and_values(
        backend,
        "UPDATE messages SET created_at = $1 WHERE id = $2",
        [at.into(), id.into()],
    ))
    .await
    .unwrap();
}

async fn set_zone(h: &Harness, who: &Person, zone: &str) {
    h.ok(
        who,
        "/api/profile/update",
        json!({"update": {"displayName": "Ana Lima", "bio": "", "preferredLanguage": "en", "timeZone": zone}}),
    )
    .await;
}

on_both!(own_activity_counts_what_people_did_in_their_own_days);
async fn own_activity_counts_what_people_did_in_their_own_days(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Desk", "public").await;
    h.ok(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;

    // Nothing yet.
    let (status, fresh) = h.read(&ana, "/api/stats/mine").await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    assert_eq!(fresh["messages"], 0);
    assert_eq!(fresh["activeDays"], 0);
    assert_eq!(fresh["currentStreak"], 0);
    assert_eq!(fresh["recentDays"].as_array().unwrap().len(), 30);

    let today = h.say(&ana, &general, "today").await;
    let yesterday = h.say(&ana, &general, "yesterday").await;
    let late = h.say(&ana, &general, "new year's eve, late").await;
    let early = h.say(&ana, &general, "new year's day, early").await;
    let gone = h.say(&ana, &general, "deleted").await;
    let bos = h.say(&bo, &general, "bo's own").await;
    let now = Utc::now();
    written_at(&h, &yesterday, now - Duration::days(1)).await;
    written_at(&h, &late, "2020-01-01T23:30:00Z".parse().unwrap()).await;
    written_at(&h, &early, "2020-01-02T00:30:00Z".parse().unwrap()).await;
    let deleted = h
        .http
        .delete(h.server.url(&format!("/api/v1/messages/{gone}")))
        .bearer_auth(&ana.token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);

    // Bo reacts twice to one message and once to another; Ana's own reaction is not "received".
    for (message, emoji) in [(&today, "👍"), (&today, "🚀"), (&yesterday, "👍")] {
        h.react(&bo, message, emoji).await;
    }
    h.react(&ana, &today, "👀").await;
    h.react(&ana, &bos, "🎯").await;

    set_zone(&h, &ana, "UTC").await;
    let (_, utc) = h.read(&ana, "/api/stats/mine").await;
    assert_eq!(utc["timeZone"], "UTC");
    assert_eq!(utc["messages"], 4, "{utc}");
    assert_eq!(utc["recentMessages"], 2);
    assert_eq!(utc["reactionsReceived"], 3);
    // Today, yesterday, and 1 and 2 January 2020 in UTC.
    assert_eq!(utc["activeDays"], 4);
    assert_eq!(utc["currentStreak"], 2);
    assert_eq!(utc["longestStreak"], 2);
    let bars: Vec<u64> = utc["recentDays"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect();
    assert_eq!(bars[29], 1, "today: {bars:?}");
    assert_eq!(bars[28], 1, "yesterday: {bars:?}");
    assert_eq!(bars.iter().sum::<u64>(), 2);

    // In New York both January messages fall on the 1st: one active day fewer.
    set_zone(&h, &ana, "America/New_York").await;
    let (_, new_york) = h.read(&ana, "/api/stats/mine").await;
    assert_eq!(new_york["timeZone"], "America/New_York");
    assert_eq!(new_york["activeDays"], 3, "{new_york}");
    assert_eq!(new_york["messages"], 4);

    // Only for oneself: a guest is refused.
    let (status, _) = h.get("/api/stats/mine").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Bo's own figures hold only Bo's message.
    let (_, his) = h.read(&bo, "/api/stats/mine").await;
    assert_eq!(his["messages"], 1);
    assert_eq!(his["reactionsReceived"], 1, "{his}");
}
