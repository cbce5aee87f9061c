//! Live prices over the realtime socket, through the real server on SQLite and PostgreSQL: the
//! offline source's session moves on a clock set to a Tuesday morning in New York, a guest's
//! tab and a person's tab both hear each change of the symbols they watch and nothing once they
//! stop, a guest may do nothing else, bad input is refused in words; and with two instances on
//! one PostgreSQL and Redis, each turn's price reaches the watchers of both. (That one instance
//! asks the source each turn is `market_sources::a_quote_poll_is_claimed_once_a_turn`.)

use std::time::Duration;

use crate::common::{
    harness::Harness, postgres_url, redis_url, ws::ChatClient, ScratchDatabase, SharedStore,
};
use serde_json::{json, Value};

/// 10:00 in New York on a Tuesday: AAPL's session is half an hour old (the suites on both
/// databases spell it out: the macro's module cannot see this).
const MORNING: &str = "2026-11-24T15:00:00Z";

/// The next `quoteChanged` within `wait`, other events passed over.
async fn next_quote(socket: &mut ChatClient, wait: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + wait;
    while let Some(event) = socket
        .try_next_event(deadline.saturating_duration_since(tokio::time::Instant::now()))
        .await
    {
        if event["type"] == "quoteChanged" {
            return Some(event["quote"].clone());
        }
    }
    None
}

/// The next `error` event's code.
async fn refusal(socket: &mut ChatClient) -> (String, String) {
    let error = socket.expect("error").await;
    (
        error["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        error["error"]["error"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

on_both!(
    prices_move_on_the_socket_for_guests_and_people,
    [("MARKET_CLOCK", "2026-11-24T15:00:00Z")]
);
async fn prices_move_on_the_socket_for_guests_and_people(h: Harness) {
    // A guest's tab: no credentials at all.
    let mut guest = ChatClient::connect_guest(&h.server.base).await;
    assert_eq!(guest.user_id, "", "a guest's socket is nobody's");
    guest
        .send(json!({"type": "watchQuotes", "symbols": ["aapl"]}))
        .await;
    let first = next_quote(&mut guest, Duration::from_secs(20))
        .await
        .expect("a guest hears AAPL's price within a few turns");
    assert_eq!(first["symbol"], "AAPL");
    assert_eq!(first["source"], "offline");
    assert_eq!(first["simulated"], true, "{first}");
    // A session in progress: the price has its instant, on the clock's day.
    let as_of = first["asOf"].as_str().unwrap();
    assert!(as_of.starts_with("2026-11-24T15:"), "{as_of}");
    // The simulation moves: a later turn brings another price.
    let second = next_quote(&mut guest, Duration::from_secs(20))
        .await
        .expect("the price changes again");
    assert_ne!(first["price"], second["price"], "{first} then {second}");
    assert!(second["asOf"].as_str().unwrap() > as_of);

    // The page's quote agrees with what the socket brings (the same turn's cache).
    let page: Value = h
        .http
        .get(h.server.url("/api/market/quote?symbol=AAPL"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(page["asOf"].as_str().unwrap() >= second["asOf"].as_str().unwrap());

    // A guest may watch prices and nothing else.
    guest
        .send(json!({"type": "subscribe", "channelId": uuid::Uuid::now_v7().to_string(), "afterSeq": null}))
        .await;
    assert_eq!(refusal(&mut guest).await.0, "unauthorized");
    guest.send(json!({"type": "send", "channelId": uuid::Uuid::now_v7().to_string(), "nonce": "n1", "body": "hi"})).await;
    assert_eq!(refusal(&mut guest).await.0, "unauthorized");

    // Bad input, in words.
    guest
        .send(json!({"type": "watchQuotes", "symbols": ["AAPL", "not a ticker!"]}))
        .await;
    let (code, said) = refusal(&mut guest).await;
    assert_eq!(code, "validation");
    assert!(said.contains("not a ticker!"), "{said}");
    let many: Vec<String> = (0..51).map(|i| format!("S{i}")).collect();
    guest
        .send(json!({"type": "watchQuotes", "symbols": many}))
        .await;
    let (code, said) = refusal(&mut guest).await;
    assert_eq!(code, "validation");
    assert!(said.contains("50"), "{said}");

    // A signed-in person's tab watches the same way, beside their chat.
    let ana = h.person("ana").await;
    let mut tab = ChatClient::connect(&h.server.base, &ana.token).await;
    tab.send(json!({"type": "watchQuotes", "symbols": ["MSFT", "AAPL"]}))
        .await;
    let mut heard = std::collections::BTreeSet::new();
    while heard.len() < 2 {
        let quote = next_quote(&mut tab, Duration::from_secs(20))
            .await
            .unwrap_or_else(|| panic!("both prices within a few turns, heard {heard:?}"));
        heard.insert(quote["symbol"].as_str().unwrap().to_string());
    }

    // Watching nothing: nothing more comes (a turn is 5 s; three pass).
    tab.send(json!({"type": "watchQuotes", "symbols": []}))
        .await;
    guest
        .send(json!({"type": "watchQuotes", "symbols": []}))
        .await;
    tab.drain(Duration::from_secs(1)).await;
    guest.drain(Duration::from_secs(1)).await;
    assert_eq!(next_quote(&mut tab, Duration::from_secs(15)).await, None);
    assert_eq!(next_quote(&mut guest, Duration::from_secs(1)).await, None);
}

#[tokio::test]
async fn one_poll_a_turn_reaches_the_watchers_of_every_instance() {
    let test = "one_poll_a_turn_reaches_the_watchers_of_every_instance";
    let (Some(database), Some(redis)) = (postgres_url(test), redis_url(test)) else {
        return;
    };
    let store = SharedStore::create(&database, &redis).await;
    let a = store.start(&[("MARKET_CLOCK", MORNING)]).await;
    let b = store.start(&[("MARKET_CLOCK", MORNING)]).await;

    let mut on_a = ChatClient::connect_guest(&a.base).await;
    let mut on_b = ChatClient::connect_guest(&b.base).await;
    for tab in [&mut on_a, &mut on_b] {
        tab.send(json!({"type": "watchQuotes", "symbols": ["IBM"]}))
            .await;
    }
    // Both instances poll IBM; each turn one of them asks the source and publishes, and the
    // broker brings the change to both tabs: the two hear the same prices.
    let mut heard_a = Vec::new();
    let mut heard_b = Vec::new();
    while heard_a.len() < 3 {
        let quote = next_quote(&mut on_a, Duration::from_secs(20))
            .await
            .expect("IBM's price within a few turns");
        heard_a.push((quote["price"].to_string(), quote["asOf"].to_string()));
    }
    while heard_b.len() < heard_a.len() {
        let Some(quote) = next_quote(&mut on_b, Duration::from_secs(5)).await else {
            break;
        };
        heard_b.push((quote["price"].to_string(), quote["asOf"].to_string()));
    }
    // B may have started hearing a turn before A did: compare from A's first.
    let start = heard_b
        .iter()
        .position(|q| *q == heard_a[0])
        .unwrap_or_else(|| panic!("B heard A's first price: {heard_a:?} / {heard_b:?}"));
    assert_eq!(heard_b[start..], heard_a[..heard_b.len() - start]);
}

/// Eight instances' pollers claim a turn at the same instant: one wins; half a turn later the
/// turn is still taken; a turn later (a tick a little early counts) one wins again.
async fn claims_once_a_turn(database: &sea_orm::DatabaseConnection) {
    use bullpen::market::repo::claim_quote_poll;

    let period = chrono::Duration::seconds(5);
    let at_once = |now: chrono::DateTime<chrono::Utc>| {
        let claims = (0..8).map(move |_| {
            let database = database.clone();
            tokio::spawn(async move {
                claim_quote_poll(&database, "AAPL", now, period)
                    .await
                    .unwrap()
            })
        });
        async move {
            futures::future::join_all(claims)
                .await
                .into_iter()
                .filter(|won| *won.as_ref().unwrap())
                .count()
        }
    };
    let now = chrono::Utc::now();
    assert_eq!(at_once(now).await, 1, "one claim wins a turn");
    assert_eq!(
        at_once(now + chrono::Duration::milliseconds(2_500)).await,
        0,
        "half a turn later the turn is taken"
    );
    assert_eq!(
        at_once(now + chrono::Duration::milliseconds(4_600)).await,
        1,
        "the next turn, a tick a little early"
    );
    // Another symbol has turns of its own.
    assert!(claim_quote_poll(database, "IBM", now, period)
        .await
        .unwrap());
}

#[tokio::test]
async fn a_quote_poll_is_claimed_once_a_turn() {
    use bullpen::platform::{config::DatabaseUrl, db};

    let dir = tempfile::tempdir().unwrap();
    let sqlite = db::connect(&DatabaseUrl::Sqlite(dir.path().join("claims.db")))
        .await
        .unwrap();
    db::migrate(&sqlite).await.unwrap();
    claims_once_a_turn(&sqlite).await;

    if let Some(admin) = postgres_url("a_quote_poll_is_claimed_once_a_turn") {
        let scratch = ScratchDatabase::create(&admin).await;
        let postgres = db::connect(&DatabaseUrl::Postgres(scratch.url()))
            .await
            .unwrap();
        db::migrate(&postgres).await.unwrap();
        claims_once_a_turn(&postgres).await;
    }
}
