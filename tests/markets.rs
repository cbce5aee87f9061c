//! The market pages' API through the real server, on SQLite and PostgreSQL: the chart option,
//! the state of the stock with the community's mentions read from chat, the watchlist and the
//! recommendations, and bad input refused in words.

#![cfg(feature = "ssr")]

#[macro_use]
mod common;

use std::time::Duration;

use common::{harness::Harness, ws::ChatClient};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn general(h: &Harness, token: &str) -> String {
    let view = h
        .get_json("/api/communities/view?slug=bullpen", token)
        .await;
    view["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "general")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Posts `body` and returns the stored message's id.
async fn say(socket: &mut ChatClient, channel: &str, nonce: &str, body: &str) -> String {
    socket.say(channel, nonce, body).await;
    loop {
        let event = socket.expect("messageCreated").await;
        if event["message"]["body"] == body {
            return event["message"]["id"].as_str().unwrap().to_string();
        }
    }
}

on_both!(charts_reports_watchlists_and_recommendations);
async fn charts_reports_watchlists_and_recommendations(h: Harness) {
    let ana = h.register("ana@example.com", "ana").await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let channel = general(&h, &ana).await;
    let mut socket = ChatClient::connect(&h.server.base, &ana).await;
    socket.subscribe(&channel, None).await;

    // Three bullish lines about $IBM, one abusive one (flagged, so left out), one about
    // another ticker that merely starts the same.
    for (i, line) in [
        "Bullish on $IBM, loading up 🚀",
        "$ibm to the moon",
        "$IBM breakout, love this setup",
    ]
    .iter()
    .enumerate()
    {
        say(&mut socket, &channel, &format!("b{i}"), line).await;
    }
    let abusive = say(
        &mut socket,
        &channel,
        "x",
        "shut up you stupid moron, $IBM bulls are idiots",
    )
    .await;
    say(&mut socket, &channel, "y", "$IBMX is a different company").await;
    loop {
        let event = socket
            .try_next_event(Duration::from_secs(20))
            .await
            .expect("the abusive line is flagged");
        if event["type"] == "messageFlagged" && event["messageId"] == abusive.as_str() {
            break;
        }
    }

    let (status, report) = h
        .get_as(&ana, "/api/market/report?symbol=ibm&language=en")
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["symbol"], "IBM");
    assert_eq!(report["company"]["exchange"], "NYSE");
    assert_eq!(
        report["simulated"], true,
        "offline prices after 2013 are simulated"
    );
    assert_eq!(report["voices"]["messages"], 3, "{}", report["voices"]);
    assert_eq!(report["voices"]["bullish"], 3, "{}", report["voices"]);
    assert_eq!(report["voices"]["mentions"].as_array().unwrap().len(), 3);
    assert_eq!(report["voices"]["mentions"][0]["author"], "Ana Lima");
    assert_eq!(report["community"]["score"], 100);
    assert!(report["news"].is_null(), "the offline source has no news");
    assert!(
        report["narrative"].is_null(),
        "no hosted AI: the page words the facts itself"
    );
    let trend = report["trend"]["signals"].as_array().unwrap();
    assert!(
        trend
            .iter()
            .any(|s| s["kind"] == "versusAverage" && s["days"] == 200),
        "{trend:?}"
    );
    let score = report["score"].as_i64().unwrap();
    assert!((-100..=100).contains(&score));
    // A guest sees public communities' messages too.
    let (status, guest) = h.get("/api/market/report?symbol=IBM").await;
    assert_eq!(status, StatusCode::OK, "{guest}");
    assert_eq!(guest["voices"]["messages"], 3);

    let (status, chart) = h
        .get("/api/market/chart?symbol=IBM&range=1y&overlays=sma50,bollinger&panes=rsi,macd")
        .await;
    assert_eq!(status, StatusCode::OK, "{chart}");
    assert_eq!(chart["bars"], 252);
    let option: Value = serde_json::from_str(chart["option"].as_str().unwrap()).unwrap();
    assert_eq!(option["grid"].as_array().unwrap().len(), 4);
    let names: Vec<&str> = option["series"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    for name in [
        "OHLC",
        "Volume",
        "SMA 50",
        "Bollinger",
        "RSI 14",
        "MACD",
        "Signal",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    for (query, says) in [
        ("symbol=IBM&range=2w", "“2w” is not a chart range"),
        (
            "symbol=IBM&range=1y&overlays=sma7",
            "“sma7” is not an overlay",
        ),
        (
            "symbol=IBM&range=1y&panes=adx",
            "“adx” is not an indicator pane",
        ),
        ("symbol=<b>&range=1y", "is not a stock symbol"),
    ] {
        let (status, body) = h.get(&format!("/api/market/chart?{query}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert!(body.to_string().contains(says), "{query}: {body}");
    }
    let (status, _) = h.get("/api/market/report?symbol=ZZZZ").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The offline source has no intraday prices: that is "not here", not "down".
    let (status, body) = h.get("/api/market/intraday?symbol=IBM").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(
        body.to_string().contains("configured market sources"),
        "{body}"
    );

    // Watchlists: guests see the suggested list; a person's own list replaces it.
    let (_, suggested) = h.get("/api/market/watchlist").await;
    assert_eq!(suggested["own"], false);
    let items = suggested["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    assert!(
        items
            .iter()
            .all(|i| i["spark"].as_array().unwrap().len() == 64 && i["price"].is_number()),
        "{items:?}"
    );
    let (status, _) = h
        .post(
            "/api/market/watch",
            json!({"symbol": "IBM", "watching": true}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for symbol in ["ibm", "$MSFT", "IBM"] {
        let (status, body) = h
            .post_as(
                &ana,
                "/api/market/watch",
                json!({"symbol": symbol, "watching": true}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{symbol}: {body}");
    }
    let (status, body) = h
        .post_as(
            &ana,
            "/api/market/watch",
            json!({"symbol": "ZZZZ", "watching": true}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let mine = h.get_json("/api/market/watchlist", &ana).await;
    assert_eq!(mine["own"], true);
    let symbols: Vec<&str> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["symbol"].as_str().unwrap())
        .collect();
    assert_eq!(symbols, ["IBM", "MSFT"], "in the order added, once each");
    assert_eq!(
        h.get_json("/api/market/watching?symbol=ibm", &ana).await,
        json!(true)
    );

    // Recommendations rank the watchlist, each with reasons and a backtest.
    let ranked = h.get_json("/api/market/recommendations", &ana).await;
    let ranked = ranked.as_array().unwrap();
    assert_eq!(ranked.len(), 2);
    assert!(ranked[0]["factorScore"].as_i64() >= ranked[1]["factorScore"].as_i64());
    for pick in ranked {
        assert!(pick["backtest"]["calls"].as_u64().unwrap() > 10, "{pick}");
        assert!(pick["backtest"]["hits"].as_u64() <= pick["backtest"]["calls"].as_u64());
        assert!(!pick["reasons"].as_array().unwrap().is_empty(), "{pick}");
    }

    let (status, _) = h
        .post_as(
            &ana,
            "/api/market/watch",
            json!({"symbol": "IBM", "watching": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        h.get_json("/api/market/watching?symbol=IBM", &ana).await,
        json!(false)
    );
}

on_both!(the_original_designs_stock_addresses_answer);
async fn the_original_designs_stock_addresses_answer(h: Harness) {
    let (status, quote) = h.get("/api/stocks/aapl.us").await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    assert!(quote["price"].as_f64().unwrap() > 0.0, "{quote}");
    // The same answer as the app's own address.
    let (_, same) = h.get("/api/market/quote?symbol=aapl.us").await;
    assert_eq!(same["symbol"], quote["symbol"]);
    assert_eq!(same["price"], quote["price"]);

    let (status, all) = h.get("/api/stocks/IBM/history").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let (status, month) = h.get("/api/stocks/IBM/history?period=1mo").await;
    assert_eq!(status, StatusCode::OK, "{month}");
    let (_, year) = h.get("/api/stocks/IBM/history?period=1y").await;
    let count = |v: &Value| v["bars"].as_array().unwrap().len();
    assert!((18..=23).contains(&count(&month)), "{}", count(&month));
    assert!(count(&month) < count(&year) && count(&year) < count(&all));
    // Oldest first, ending on the same day whatever the period.
    let last = |v: &Value| v["bars"].as_array().unwrap().last().unwrap()["date"].clone();
    assert_eq!(last(&month), last(&all));

    let (status, refused) = h.get("/api/stocks/IBM/history?period=2w").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["error"].as_str().unwrap().contains("2w"),
        "{refused}"
    );
    let (status, refused) = h.get("/api/stocks/%3Cscript%3E").await;
    assert!(status.is_client_error(), "{status} {refused}");
    assert!(refused["error"].is_string(), "{refused}");
}
