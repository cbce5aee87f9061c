//! The crowd around a ticker through the real server, on SQLite and PostgreSQL: the stream of
//! messages naming it (public communities' for everyone, a private one's for its members only),
//! live word of new ones over the socket, trending by mention velocity, and each community's
//! mood over the days.

use std::time::Duration;

use crate::common::{harness::Harness, ws::ChatClient};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

/// The excerpts of a stream's messages, newest first.
fn excerpts(voices: &Value) -> Vec<&str> {
    voices["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["excerpt"].as_str().unwrap())
        .collect()
}

/// The tickers trending for a reader, in order, with this hour's mentions.
fn ranked(trending: &Value) -> Vec<(&str, i64)> {
    trending
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["ticker"].as_str().unwrap(),
                t["mentions"].as_i64().unwrap(),
            )
        })
        .collect()
}

on_both!(the_stream_shows_what_each_reader_may_read_and_stays_live);
async fn the_stream_shows_what_each_reader_may_read_and_stays_live(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let (_, open) = h.community(&ana, "Open Desk", "public").await;
    let (inner, closed) = h.community(&bo, "Inner Circle", "private").await;

    // A guest and Cy (in neither) watch the crowd of $AAPL; Cy also asks for too much.
    let mut guest = ChatClient::connect_guest(&h.server.base).await;
    guest
        .send(json!({"type": "watchCrowds", "tickers": ["aapl.us"]}))
        .await;
    let mut cy_socket = h.socket(&cy).await;
    cy_socket
        .send(json!({"type": "watchCrowds", "tickers": ["A", "B", "C", "D", "E", "F"]}))
        .await;
    let refused = cy_socket.expect("error").await;
    assert_eq!(
        refused["error"]["detail"]["key"], "server.market.too_many_crowds",
        "{refused}"
    );
    cy_socket
        .send(json!({"type": "watchCrowds", "tickers": ["not a ticker"]}))
        .await;
    let refused = cy_socket.expect("error").await;
    assert_eq!(
        refused["error"]["detail"]["key"], "server.market.not_a_symbol",
        "{refused}"
    );
    cy_socket
        .send(json!({"type": "watchCrowds", "tickers": ["AAPL"]}))
        .await;
    // Nothing answers a watch that took: give both a moment to be in place.
    tokio::time::sleep(Duration::from_millis(500)).await;

    h.say(&ana, &open, "Bullish on $AAPL, buying more").await;
    // Word reaches both, and it is the ticker alone.
    for socket in [&mut guest, &mut cy_socket] {
        let word = socket.expect("crowdSpoke").await;
        assert_eq!(word, json!({"type": "crowdSpoke", "ticker": "AAPL"}));
    }
    h.say(&bo, &closed, "$aapl.us looks weak, selling").await;
    // The private message is word too (nothing of it but the ticker)…
    let word = guest.expect("crowdSpoke").await;
    assert_eq!(word["ticker"], "AAPL");
    // …but only its members read it.
    let (status, seen) = h.get("/api/market/crowd?symbol=aapl").await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(excerpts(&seen), ["Bullish on $AAPL, buying more"]);
    let (_, seen) = h.read(&cy, "/api/market/crowd?symbol=AAPL").await;
    assert_eq!(excerpts(&seen), ["Bullish on $AAPL, buying more"]);
    let (_, seen) = h.read(&bo, "/api/market/crowd?symbol=AAPL").await;
    assert_eq!(
        excerpts(&seen),
        [
            // Cashtags are shown as symbols are written.
            "$AAPL.US looks weak, selling",
            "Bullish on $AAPL, buying more"
        ]
    );
    // Each line has its mood and where it was said.
    assert_eq!(seen["mentions"][0]["stance"], "bearish", "{seen}");
    assert_eq!(seen["mentions"][0]["communitySlug"], inner.as_str());
    assert_eq!(seen["mentions"][0]["channel"], "general");
    assert_eq!(seen["mentions"][1]["stance"], "bullish", "{seen}");
    assert_eq!(
        (seen["bullish"].as_i64(), seen["bearish"].as_i64()),
        (Some(1), Some(1))
    );

    // Someone Bo blocked is no longer in his stream.
    h.ok(
        &bo,
        "/api/users/block",
        json!({"username": "ana", "blocked": true}),
    )
    .await;
    let (_, seen) = h.read(&bo, "/api/market/crowd?symbol=AAPL").await;
    assert_eq!(excerpts(&seen), ["$AAPL.US looks weak, selling"]);

    // A message that names another ticker is no word for this one; bad input is refused.
    h.say(&ana, &open, "$MSFT is fine").await;
    let mut saw = Vec::new();
    while let Some(event) = guest.try_next_event(Duration::from_millis(500)).await {
        saw.push(event);
    }
    assert!(saw.iter().all(|e| e["type"] != "crowdSpoke"), "{saw:?}");
    let (status, refused) = h.get("/api/market/crowd?symbol=%24%24%24").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["detail"]["key"], "server.market.not_a_symbol");
}

on_both!(trending_ranks_by_this_hour_against_the_usual);
async fn trending_ranks_by_this_hour_against_the_usual(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, open) = h.community(&ana, "Open Desk", "public").await;
    h.ok(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;
    let (_, closed) = h.community(&bo, "Inner Circle", "private").await;
    // This hour: $IBM three times by two people, $MSFT three times, $GME once in private.
    for (who, body) in [
        (&ana, "$IBM breakout, love it"),
        (&bo, "$IBM to the moon"),
        (&ana, "$IBM again"),
        (&ana, "$MSFT steady"),
        (&ana, "$MSFT still steady"),
        (&bo, "$MSFT whatever"),
    ] {
        h.say(who, &open, body).await;
    }
    h.say(&bo, &closed, "$GME squeeze").await;
    // $MSFT is named this much every hour of the week before; $IBM never was.
    let (_, view) = h
        .read(&ana, &format!("/api/communities/view?slug={slug}"))
        .await;
    let community = uuid::Uuid::parse_str(view["community"]["id"].as_str().unwrap()).unwrap();
    let today = chrono::Utc::now().date_naive();
    for back in 1..=7 {
        h.db.execute(Statement::from_sql_and_values(
            h.db.get_database_backend(),
            "INSERT INTO symbol_days (community_id, day, symbol, mentions, bullish, bearish) \
             VALUES ($1, $2, 'MSFT', 72, 0, 0)",
            [
                community.into(),
                (today - chrono::Duration::days(back)).into(),
            ],
        ))
        .await
        .unwrap();
    }

    let (status, trending) = h.get("/api/market/trending").await;
    assert_eq!(status, StatusCode::OK, "{trending}");
    // Three this hour against none usually beats three against three an hour.
    assert_eq!(ranked(&trending), [("IBM", 3), ("MSFT", 3)], "{trending}");
    let ibm = &trending[0];
    assert_eq!(ibm["people"], 2);
    assert_eq!(ibm["usual"], 0.0);
    assert_eq!(ibm["velocity"], 3.0);
    assert_eq!(ibm["bullish"], 2, "{ibm}");
    assert!(
        ibm["changePct"].is_number(),
        "the day's move beside it: {ibm}"
    );
    assert!((trending[1]["usual"].as_f64().unwrap() - 3.0).abs() < 1e-9);
    assert!((trending[1]["velocity"].as_f64().unwrap() - 0.75).abs() < 1e-9);
    // Bo also sees his private community's ticker; a guest does not.
    let (_, mine) = h.read(&bo, "/api/market/trending").await;
    assert!(ranked(&mine).contains(&("GME", 1)), "{mine}");
    assert!(!ranked(&trending).iter().any(|(t, _)| *t == "GME"));
}

// The roll-up runs once at start and then not for an hour: today's mood is counted from the
// messages themselves, at once, as the list of mentions beside it shows them.
on_both!(
    a_community_s_mood_over_the_days_is_for_its_members,
    [("ANALYTICS_ROLLUP_SECS", "3600")]
);
async fn a_community_s_mood_over_the_days_is_for_its_members(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Mood Desk", "private").await;
    h.say(&ana, &general, "Bullish on $NVDA, buying").await;
    h.say(&ana, &general, "$nvda.us strong, love it").await;
    h.say(&ana, &general, "$NVDA weak, selling").await;
    let (status, moods) = h.read(&ana, "/api/market/moods?symbol=nvda").await;
    assert_eq!(status, StatusCode::OK, "{moods}");
    assert_eq!(moods[0]["mentions"], 3, "{moods}");
    assert_eq!(moods[0]["communitySlug"], slug.as_str(), "{moods}");
    assert_eq!(moods[0]["bullish"], 2, "{moods}");
    assert_eq!(moods[0]["bearish"], 1, "{moods}");
    let days = moods[0]["days"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    let today = chrono::Utc::now().date_naive().to_string();
    assert_eq!(days[29]["day"], today.as_str());
    assert_eq!(days[29]["mentions"], 3);
    assert_eq!(days[0]["mentions"], 0);
    // Not a member, not a reader: nothing of it.
    let (status, theirs) = h.read(&bo, "/api/market/moods?symbol=NVDA").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(theirs, json!([]));
    let (_, guest) = h.get("/api/market/moods?symbol=NVDA").await;
    assert_eq!(guest, json!([]));
}
