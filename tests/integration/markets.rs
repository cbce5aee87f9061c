//! The market pages' API through the real server, on SQLite and PostgreSQL: the chart option,
//! the state of the stock with the community's mentions read from chat, the watchlist and the
//! recommendations, and bad input refused in words.

use std::time::Duration;

use crate::common::{harness::Harness, ws::ChatClient};
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

/// The names of a chart option's series: what the legend lists.
fn series_names(option: &Value) -> Vec<&str> {
    option["series"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect()
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
    let names = series_names(&option);
    for name in [
        "OHLC",
        "Volume",
        "SMA 50",
        "Bollinger 20, 2",
        "RSI 14",
        "MACD 12, 26, 9",
        "MACD 12, 26, 9 signal",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    for (query, says) in [
        ("symbol=IBM&range=2w", "“2w” is not a chart range"),
        (
            "symbol=IBM&range=1y&overlays=sma:0",
            "“sma:0” is not an overlay",
        ),
        (
            "symbol=IBM&range=1y&overlays=bollinger:20:9",
            "“bollinger:20:9” is not an overlay",
        ),
        (
            "symbol=IBM&range=1y&panes=adx",
            "“adx” is not an indicator pane",
        ),
        (
            "symbol=IBM&range=1y&panes=macd:26:12:9",
            "“macd:26:12:9” is not an indicator pane",
        ),
        (
            "symbol=IBM&range=1y&panes=rsi:7,atr,obv,stochastic",
            "at most 5 lines over the price and 3 panes",
        ),
        ("symbol=<b>&range=1y", "is not a stock symbol"),
    ] {
        let (status, body) = h.get(&format!("/api/market/chart?{query}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert!(body.to_string().contains(says), "{query}: {body}");
    }
    let (status, _) = h.get("/api/market/report?symbol=ZZZZ").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Every indicator the code has, with its own parameters.
    let (status, every) = h
        .get("/api/market/chart?symbol=IBM&range=6m&overlays=wma:10,vwap:30,ema:9,bollinger:14:2.5&panes=atr:10,stochastic:9:3:3,obv")
        .await;
    assert_eq!(status, StatusCode::OK, "{every}");
    let option: Value = serde_json::from_str(every["option"].as_str().unwrap()).unwrap();
    assert_eq!(option["grid"].as_array().unwrap().len(), 5);
    let names = series_names(&option);
    for name in [
        "WMA 10",
        "VWAP 30",
        "EMA 9",
        "Bollinger 14, 2.5",
        "ATR 10",
        "Stochastic 9, 3, 3 %K",
        "OBV",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    // The offline source's intraday prices: its last five sessions.
    let (status, body) = h.get("/api/market/intraday?symbol=IBM").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let days: std::collections::BTreeSet<&str> = body["bars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| &b["date"].as_str().unwrap()[..10])
        .collect();
    assert_eq!(days.len(), 5, "{days:?}");

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

on_both!(the_cashtags_of_a_channel_are_priced_in_one_request);
async fn the_cashtags_of_a_channel_are_priced_in_one_request(h: Harness) {
    // A guest reading a public channel sees the prices beside its $cashtags: each symbol
    // once, under the app's form, the ones no source knows left out.
    let (status, quotes) = h
        .get("/api/market/quotes?symbols=aapl.us,IBM,ZZZZ,AAPL")
        .await;
    assert_eq!(status, StatusCode::OK, "{quotes}");
    let symbols: Vec<&str> = quotes
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["symbol"].as_str().unwrap())
        .collect();
    assert_eq!(symbols, ["AAPL", "IBM"], "{quotes}");
    // The same price as the single quote's address.
    let (_, single) = h.get("/api/market/quote?symbol=IBM").await;
    assert_eq!(quotes[1]["price"], single["price"]);

    let (status, none) = h.get("/api/market/quotes?symbols=").await;
    assert_eq!((status, none), (StatusCode::OK, json!([])));

    // Fifty-one at once, or one that is not a symbol, is refused in words.
    let many: Vec<String> = (0..51).map(|i| format!("T{i}")).collect();
    let (status, refused) = h
        .get(&format!("/api/market/quotes?symbols={}", many.join(",")))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["error"].as_str().unwrap().contains("50"),
        "{refused}"
    );
    let (status, refused) = h.get("/api/market/quotes?symbols=IBM,%3Cb%3E").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused["error"].is_string(), "{refused}");
}

on_both!(
    intraday_ranges_and_the_shipped_real_prices_chart,
    [("MARKET_CLOCK", "2026-11-24T15:00:00Z")]
);
async fn intraday_ranges_and_the_shipped_real_prices_chart(h: Harness) {
    let option_of = |chart: &Value| -> Value {
        serde_json::from_str(chart["option"].as_str().unwrap()).unwrap()
    };
    // 10:00 in New York: 1D is the half hour traded, in 5-minute candles by time.
    let (status, day) = h.get("/api/market/chart?symbol=AAPL&range=1d").await;
    assert_eq!(status, StatusCode::OK, "{day}");
    assert_eq!(day["bars"], 7, "09:30 … 10:00");
    assert_eq!(option_of(&day)["xAxis"][0]["data"][0], "09:30");
    // 5D: four whole sessions and this one, in half-hour candles.
    let (status, week) = h.get("/api/market/chart?symbol=AAPL&range=5d").await;
    assert_eq!(status, StatusCode::OK, "{week}");
    assert_eq!(week["bars"], 4 * 13 + 2);
    assert_eq!(option_of(&week)["xAxis"][0]["data"][0], "11-18 09:30");
    // The daily chart's last candle is the day so far, as the quote has it.
    let (_, quote) = h.get("/api/market/quote?symbol=AAPL").await;
    let (_, month) = h.get("/api/market/chart?symbol=AAPL&range=1m").await;
    let month = option_of(&month);
    assert_eq!(month["xAxis"][0]["data"][20], "2026-11-24");
    let candles = month["series"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["type"] == "candlestick")
        .unwrap()["data"]
        .clone();
    // [open, close, low, high]
    let last = candles.as_array().unwrap().last().unwrap();
    // (Within a turn of the offline source: the two may be a few seconds apart.)
    let (close, price) = (last[1].as_f64().unwrap(), quote["price"].as_f64().unwrap());
    assert!((close / price - 1.0).abs() < 0.01, "{last} / {quote}");

    // The real prices the app ships, said to be real; none for a company it has none of.
    let (status, real) = h.get("/api/market/chart?symbol=IBM&range=real").await;
    assert_eq!(status, StatusCode::OK, "{real}");
    assert_eq!(real["sample"], "2000–2013");
    assert_eq!(real["simulatedFrom"], Value::Null);
    assert_eq!(real["source"], "offline sample");
    assert!(real["bars"].as_u64().unwrap() > 3_000, "{}", real["bars"]);
    assert_eq!(option_of(&real)["xAxis"][0]["data"][0], "2000-03-01");
    // Every chart of a symbol with a sample says so, so the page can offer it.
    assert_eq!(day["sample"], "2000–2013", "AAPL ships too");
    let (status, none) = h.get("/api/market/chart?symbol=SIE.DE&range=real").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{none}");
    assert!(none["error"].as_str().unwrap().contains("SIE.DE"), "{none}");
    let (_, siemens) = h.get("/api/market/chart?symbol=SIE.DE&range=1y").await;
    assert_eq!(siemens["sample"], Value::Null);
}
