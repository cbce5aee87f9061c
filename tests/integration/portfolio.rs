//! Portfolios through the real server, on SQLite and PostgreSQL: transactions and the gains
//! worked out from them, refusals in words, edits and deletions that recompute everything,
//! the value chart, price alerts fired by the background job, and CSV import (10,000 rows in
//! parts, a file with bad rows, nothing written until confirmed) and export round trips.

use std::time::{Duration, Instant};

use crate::common::{harness::Harness, ws::ChatClient};
use bullpen::portfolio::import::{guess_mapping, records, CHUNK_ROWS};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

/// Whether `socket` hears of no fired alert for `wait` (every event in that time is read).
async fn no_alert_within(socket: &mut ChatClient, wait: Duration) -> bool {
    let until = tokio::time::Instant::now() + wait;
    while let Some(event) = socket
        .try_next_event(until.saturating_duration_since(tokio::time::Instant::now()))
        .await
    {
        if event["type"] == "alertTriggered" {
            return false;
        }
    }
    true
}

fn number(value: &Value) -> f64 {
    value
        .as_str()
        .unwrap_or_else(|| panic!("a decimal string, not {value}"))
        .parse()
        .unwrap()
}

async fn view(h: &Harness, token: &str, portfolio: &str) -> Value {
    h.get_json(&format!("/api/portfolio?portfolio={portfolio}"), token)
        .await
}

async fn add(h: &Harness, token: &str, portfolio: &str, transaction: Value) -> (StatusCode, Value) {
    h.post_as(
        token,
        "/api/portfolio/transactions/add",
        json!({"portfolio": portfolio, "transaction": transaction}),
    )
    .await
}

on_both!(transactions_gains_and_refusals, [("ALERT_CHECK_SECS", "1")]);
async fn transactions_gains_and_refusals(h: Harness) {
    let (status, _) = h.get("/api/portfolio").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let ana = h.register("ana@example.com", "ana").await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let empty = h.get_json("/api/portfolio", &ana).await;
    assert_eq!(
        empty["portfolio"],
        Value::Null,
        "nothing until the first transaction"
    );

    // The original app's "add holding", as a script sends it (numbers as JSON numbers).
    let (status, first) = h
        .post_as(&ana, "/api/portfolio/add", json!({"symbol": "aapl.us", "shares": 10, "averagePrice": 100, "purchaseDate": "2024-01-02", "sector": "Tech giants"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(
        (first["kind"].as_str(), first["symbol"].as_str()),
        (Some("BUY"), Some("AAPL"))
    );
    let portfolio = h.get_json("/api/portfolio", &ana).await["portfolio"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let (status, _) = add(&h, &ana, &portfolio, json!({"kind": "BUY", "date": "2024-02-01", "symbol": "AAPL", "shares": "10", "price": "120", "fees": "5"})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, sale) = add(&h, &ana, &portfolio, json!({"kind": "SELL", "date": "2024-03-01", "symbol": "AAPL", "shares": "15", "price": "130", "fees": "5"})).await;
    assert_eq!(status, StatusCode::OK, "{sale}");
    let (status, _) = add(
        &h,
        &ana,
        &portfolio,
        json!({"kind": "DIVIDEND", "date": "2024-03-14", "symbol": "AAPL", "amount": "2.40"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // FIFO: all of lot 1 (1,000) and 5 of lot 2 (1,205 / 10 × 5 = 602.50) against 1,945.
    let v = view(&h, &ana, &portfolio).await;
    assert_eq!(v["sales"].as_array().unwrap().len(), 1);
    assert_eq!(number(&v["sales"][0]["cost"]), 1602.5);
    assert_eq!(number(&v["sales"][0]["gain"]), 342.5);
    let aapl = &v["holdings"][0];
    assert_eq!(
        (
            aapl["symbol"].as_str(),
            number(&aapl["shares"]),
            number(&aapl["cost"])
        ),
        (Some("AAPL"), 5.0, 602.5)
    );
    assert_eq!(aapl["sector"], "Tech giants");
    assert!(
        aapl["price"].is_string(),
        "the offline source prices AAPL: {aapl}"
    );
    assert_eq!(number(&v["totals"]["dividends"]), 2.4);
    assert_eq!(number(&v["totals"]["realized"]), 342.5);
    let value = number(&aapl["value"]);
    assert!((number(&v["totals"]["unrealized"]) - (value - 602.5)).abs() < 0.011);
    assert!(v["byHolding"].as_str().unwrap().contains("\"pie\""));
    // What is held is ranked on the markets page with the watchlist (empty here).
    let ranked = h.get_json("/api/market/recommendations", &ana).await;
    assert_eq!(
        ranked
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["symbol"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["AAPL"]
    );

    // Refusals say what to change, and change nothing.
    let (status, body) = add(&h, &ana, &portfolio, json!({"kind": "SELL", "date": "2024-04-01", "symbol": "AAPL", "shares": "6", "price": "130"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.to_string()
            .contains("On 2024-04-01 you held 5 AAPL shares, so you cannot sell 6."),
        "{body}"
    );
    let (status, body) = add(&h, &ana, &portfolio, json!({"kind": "BUY", "date": "2024-04-01", "symbol": "AAPL", "shares": "abc", "price": "1"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.to_string()
            .contains("Shares must be a number above 0."),
        "{body}"
    );
    let (status, body) = add(&h, &ana, &portfolio, json!({"kind": "BUY", "date": "2024-04-01", "symbol": "SAP.DE", "shares": "1", "price": "1", "currency": "EUR"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.to_string().contains("This portfolio is in USD"),
        "{body}"
    );
    let buy_two = v["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["date"] == "2024-02-01")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = h
        .post_as(
            &ana,
            "/api/portfolio/transactions/delete",
            json!({"portfolio": portfolio, "id": buy_two}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "deleting a purchase a sale needs"
    );
    assert!(
        body.to_string()
            .contains("Deleting it would break a later sale"),
        "{body}"
    );
    assert_eq!(
        view(&h, &ana, &portfolio).await["transactions"]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    // An edit recomputes: selling 10 instead of 15 uses only lot 1 (1,300 − 5 − 1,000).
    let sale_id = sale["id"].as_str().unwrap();
    let (status, body) = h
        .post_as(&ana, "/api/portfolio/transactions/edit", json!({"portfolio": portfolio, "id": sale_id,
            "transaction": {"kind": "SELL", "date": "2024-03-01", "symbol": "AAPL", "shares": "10", "price": "130", "fees": "5"}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        number(&view(&h, &ana, &portfolio).await["sales"][0]["gain"]),
        295.0
    );

    // Average cost: 20 shares cost 2,205 → 110.25 each; 10 sold cost 1,102.50.
    let (status, body) = h
        .post_as(
            &ana,
            "/api/portfolio/update",
            json!({"id": portfolio, "name": "Long term", "method": "average"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v = view(&h, &ana, &portfolio).await;
    assert_eq!(v["portfolio"]["name"], "Long term");
    assert_eq!(number(&v["sales"][0]["gain"]), 192.5);

    // The value chart against the S&P 500.
    let (status, chart) = h
        .get_as(
            &ana,
            &format!("/api/portfolio/performance?portfolio={portfolio}&range=all"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{chart}");
    assert!(chart["days"].as_u64().unwrap() > 200, "{}", chart["days"]);
    assert!(chart["option"].as_str().unwrap().contains("S&P 500"));
    let (status, _) = h
        .get_as(
            &ana,
            &format!("/api/portfolio/performance?portfolio={portfolio}&range=2w"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Someone else's portfolio does not exist for Bob.
    let bob = h.register("bob@example.com", "bob").await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = h
        .get_as(&bob, &format!("/api/portfolio?portfolio={portfolio}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = add(
        &h,
        &bob,
        &portfolio,
        json!({"kind": "BUY", "date": "2024-01-02", "symbol": "IBM", "shares": "1", "price": "1"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Text that is no id is "not found" too, read once where the request arrives.
    let (status, body) = h.get_as(&ana, "/api/portfolio?portfolio=not-an-id").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = h
        .post_as(
            &ana,
            "/api/portfolio/transactions/delete",
            json!({"portfolio": portfolio, "id": "not-an-id"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A price alert, fired by the background job and pushed to the person's socket.
    let quote = h.get_json("/api/market/quote?symbol=IBM", &ana).await;
    let price = quote["price"].as_f64().unwrap();
    let (status, body) = h
        .post_as(
            &ana,
            "/api/alerts/create",
            json!({"symbol": "ibm", "direction": "below", "price": format!("{:.2}", price * 1.5)}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "already below: {body}"
    );
    let (status, alert) = h
        .post_as(
            &ana,
            "/api/alerts/create",
            json!({"symbol": "ibm", "direction": "above", "price": format!("{:.2}", price * 1.5)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{alert}");
    let mut socket = ChatClient::connect(&h.server.base, &ana).await;
    // The market moves (here: the alert's level is lowered under the price, as if it had).
    let lowered = format!("{:.2}", price * 0.5);
    h.db.execute(Statement::from_string(
        h.db.get_database_backend(),
        format!("UPDATE price_alerts SET target = '{lowered}'"),
    ))
    .await
    .unwrap();
    let fired = socket.expect("alertTriggered").await;
    assert_eq!(fired["alert"]["symbol"], "IBM");
    assert!((number(&fired["alert"]["triggeredPrice"]) - price).abs() < 0.01);
    let alerts = h.get_json("/api/alerts", &ana).await;
    assert!(alerts[0]["triggeredAt"].is_string(), "{alerts}");
    assert!(
        no_alert_within(&mut socket, Duration::from_millis(2000)).await,
        "fired once"
    );

    // Stop tracking a symbol: all its transactions go.
    let response = h
        .http
        .delete(h.server.url(&format!(
            "/api/portfolio/remove?symbol=aapl&portfolio={portfolio}"
        )))
        .bearer_auth(&ana)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap(), json!(4));
    assert!(view(&h, &ana, &portfolio).await["holdings"]
        .as_array()
        .unwrap()
        .is_empty());
}

/// Sends `file` through the import steps as the page does; returns (import id, errors from the
/// parts, the review).
async fn stage(
    h: &Harness,
    token: &str,
    portfolio: &str,
    file: &str,
) -> (String, Vec<Value>, Value) {
    let rows = records(file);
    let mapping = guess_mapping(&rows[0]);
    let (status, started) = h
        .post_as(
            token,
            "/api/portfolio/import/start",
            json!({"portfolio": portfolio}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{started}");
    let import = started[0].as_str().unwrap().to_string();
    let mut errors = Vec::new();
    let mut sent = 0;
    for (i, part) in rows[1..].chunks(CHUNK_ROWS).enumerate() {
        let (status, refused) = h
            .post_as(token, "/api/portfolio/import/rows", json!({"portfolio": portfolio, "import": import, "mapping": mapping, "first_row": 2 + i * CHUNK_ROWS, "rows": part}))
            .await;
        assert_eq!(status, StatusCode::OK, "{refused}");
        errors.extend(refused.as_array().unwrap().iter().cloned());
        sent += part.len();
    }
    assert_eq!(sent, rows.len() - 1, "every row was sent in parts");
    let (status, review) = h
        .post_as(
            token,
            "/api/portfolio/import/review",
            json!({"portfolio": portfolio, "import": import}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{review}");
    (import, errors, review)
}

async fn export(h: &Harness, token: &str, portfolio: &str) -> String {
    let response = h
        .http
        .get(
            h.server
                .url(&format!("/api/portfolio/export.csv?portfolio={portfolio}")),
        )
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename="));
    response.text().await.unwrap()
}

/// 10,000 rows over ten years across 50 symbols: two purchases of 4 and a sale of 5, in turn.
fn big_file() -> String {
    let mut file = String::from("Date,Type,Ticker,Quantity,Price,Commission,Notes\n");
    let start = chrono::NaiveDate::from_ymd_opt(2015, 1, 2).unwrap();
    for i in 0..10_000 {
        let day = start + chrono::Duration::days(i as i64 * 3650 / 10_000);
        let symbol = format!("SYM{:02}", i % 50);
        let (kind, shares) = if (i / 50) % 3 == 2 {
            ("SELL", "5")
        } else {
            ("BUY", "4")
        };
        let price = format!("{}.{:02}", 20 + i % 180, i % 100);
        file.push_str(&format!(
            "{day},{kind},{symbol},{shares},{price},0.99,\"row {i}, imported\"\n"
        ));
    }
    file
}

on_both!(
    alerts_on_moves_averages_and_rsi_fire_once_per_crossing,
    [("ALERT_CHECK_SECS", "1")]
);
async fn alerts_on_moves_averages_and_rsi_fire_once_per_crossing(h: Harness) {
    let ana = h.register("ana@example.com", "ana").await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let create = |body: Value| {
        let (h, ana) = (&h, ana.clone());
        async move { h.post_as(&ana, "/api/alerts/create", body).await }
    };
    // Lines an alert cannot watch are refused in words.
    for bad in [
        json!({"symbol": "IBM", "direction": "above", "price": "5", "kind": "macd"}),
        json!({"symbol": "IBM", "direction": "above", "price": "150", "kind": "rsi"}),
        json!({"symbol": "IBM", "direction": "above", "price": "0", "kind": "move"}),
        json!({"symbol": "IBM", "direction": "above", "kind": "average", "period": 500}),
        json!({"symbol": "IBM", "direction": "above", "price": "70", "kind": "rsi", "period": 1}),
    ] {
        let (status, said) = create(bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {said}");
        assert!(
            said["error"].as_str().is_some_and(|m| m.len() > 10),
            "{said}"
        );
    }
    let mut socket = ChatClient::connect(&h.server.base, &ana).await;
    // An RSI above 99 waits; the usual period is 14.
    let (status, rsi) =
        create(json!({"symbol": "ibm", "direction": "above", "price": "99", "kind": "rsi"})).await;
    assert_eq!(status, StatusCode::OK, "{rsi}");
    assert_eq!(
        (rsi["kind"].as_str(), rsi["period"].as_i64()),
        (Some("rsi"), Some(14))
    );
    // A 20-day average: the price is on one side of it, so one of the two holds already and
    // waits for the next crossing; neither fires now.
    for direction in ["above", "below"] {
        let (status, average) = create(
            json!({"symbol": "IBM", "direction": direction, "kind": "average", "period": 20}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{average}");
    }
    assert_eq!(
        h.count("SELECT COUNT(*) FROM price_alerts WHERE kind = 'average' AND holding")
            .await,
        1
    );
    assert!(
        no_alert_within(&mut socket, Duration::from_millis(2500)).await,
        "nothing crossed yet"
    );
    let set = |sql: String| {
        let h = &h;
        async move {
            h.db.execute(Statement::from_string(h.db.get_database_backend(), sql))
                .await
                .unwrap();
        }
    };
    // The RSI crosses (here: the line is lowered under it): it fires once…
    set("UPDATE price_alerts SET target = '1' WHERE kind = 'rsi'".into()).await;
    let fired = socket.expect("alertTriggered").await;
    assert_eq!(fired["alert"]["kind"], "rsi");
    assert_eq!(fired["alert"]["period"], 14);
    assert!(
        no_alert_within(&mut socket, Duration::from_millis(2500)).await,
        "once while it holds"
    );
    // …goes back (re-armed) and crosses again: it fires again.
    set("UPDATE price_alerts SET target = '99' WHERE kind = 'rsi'".into()).await;
    for _ in 0..50 {
        if h.count("SELECT COUNT(*) FROM price_alerts WHERE kind = 'rsi' AND holding")
            .await
            == 0
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    set("UPDATE price_alerts SET target = '1' WHERE kind = 'rsi'".into()).await;
    assert_eq!(
        socket.expect("alertTriggered").await["alert"]["kind"],
        "rsi"
    );
    // The average that held is let go of (as if the price had been on the other side): its
    // next check is a crossing.
    set("UPDATE price_alerts SET holding = false WHERE kind = 'average'".into()).await;
    let crossed = socket.expect("alertTriggered").await;
    assert_eq!(crossed["alert"]["kind"], "average", "{crossed}");
    assert_eq!(crossed["alert"]["period"], 20);
    // The day's move: a line under today's move, on its side, fires.
    let quote = h.get_json("/api/market/quote?symbol=IBM", &ana).await;
    let change =
        (quote["price"].as_f64().unwrap() / quote["previousClose"].as_f64().unwrap() - 1.0) * 100.0;
    let direction = if change >= 0.0 { "above" } else { "below" };
    let (status, moved) =
        create(json!({"symbol": "IBM", "direction": direction, "price": "50", "kind": "move"}))
            .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    set("UPDATE price_alerts SET target = '0.0001' WHERE kind = 'move'".into()).await;
    let fired = socket.expect("alertTriggered").await;
    assert_eq!(fired["alert"]["kind"], "move", "{fired}");
    let alerts = h.get_json("/api/alerts", &ana).await;
    assert_eq!(alerts.as_array().unwrap().len(), 4);
    assert!(alerts[0]["triggeredAt"].is_string(), "{alerts}");
}

on_both!(csv_import_and_export);
async fn csv_import_and_export(h: Harness) {
    let ana = h.register("ana@example.com", "ana").await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, made) = h
        .post_as(
            &ana,
            "/api/portfolio/create",
            json!({"name": "Imported", "method": "fifo"}),
        )
        .await;
    let portfolio = made["id"].as_str().unwrap().to_string();

    // A file with bad rows: each is reported by its line; nothing is written before confirming.
    let bad = "date,type,symbol,shares,price\n\
        2024-01-02,BUY,MSFT,10,370\n\
        2024-02-30,BUY,MSFT,1,370\n\
        2024-01-03,BUY,MSFT,-2,370\n\
        2024-01-04,SELL,MSFT,11,380\n\
        2024-01-05,TRANSFER,MSFT,1,1\n\
        2024-01-06,SELL,MSFT,4,390\n";
    let (import, errors, review) = stage(&h, &ana, &portfolio, bad).await;
    let refused: Vec<(u64, String)> = errors
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["error"]["error"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        refused,
        vec![
            (3, "dateInvalid".into()),
            (4, "sharesInvalid".into()),
            (6, "kindInvalid".into())
        ]
    );
    assert_eq!(review["valid"], 2, "{review}");
    assert_eq!(
        review["errors"][0]["row"], 5,
        "the sale of 11 when 10 were held: {review}"
    );
    assert_eq!(review["errors"][0]["error"]["error"], "ledger");
    assert!(
        view(&h, &ana, &portfolio).await["transactions"]
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing counts before confirming"
    );
    let (status, done) = h
        .post_as(
            &ana,
            "/api/portfolio/import/confirm",
            json!({"portfolio": portfolio, "import": import}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let v = view(&h, &ana, &portfolio).await;
    assert_eq!(
        v["transactions"].as_array().unwrap().len(),
        2,
        "the two valid rows, and only them"
    );
    assert_eq!(number(&v["holdings"][0]["shares"]), 6.0);

    // A cancelled import leaves nothing behind.
    let (import, _, _) = stage(
        &h,
        &ana,
        &portfolio,
        "date,symbol,shares,price\n2024-03-01,IBM,1,150\n",
    )
    .await;
    let (status, _) = h
        .post_as(
            &ana,
            "/api/portfolio/import/cancel",
            json!({"portfolio": portfolio, "import": import}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        h.scalar("SELECT CAST(COUNT(*) AS TEXT) FROM portfolio_transactions")
            .await,
        "2"
    );

    // 10,000 rows.
    let (_, made) = h
        .post_as(
            &ana,
            "/api/portfolio/create",
            json!({"name": "Ten years", "method": "fifo"}),
        )
        .await;
    let big = made["id"].as_str().unwrap().to_string();
    let started = Instant::now();
    let (import, errors, review) = stage(&h, &ana, &big, &big_file()).await;
    assert!(errors.is_empty(), "{:?}", &errors[..errors.len().min(3)]);
    assert_eq!(review["valid"], 10_000, "{}", review["errors"]);
    let (status, done) = h
        .post_as(
            &ana,
            "/api/portfolio/import/confirm",
            json!({"portfolio": big, "import": import}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    eprintln!(
        "imported 10,000 rows in {} parts in {:.2} s",
        10_000 / CHUNK_ROWS,
        started.elapsed().as_secs_f64()
    );
    let v = view(&h, &ana, &big).await;
    assert_eq!(v["transactions"].as_array().unwrap().len(), 10_000);
    assert_eq!(v["holdings"].as_array().unwrap().len(), 50);

    // Export → import into a new portfolio → export: the same file.
    let first = export(&h, &ana, &big).await;
    assert_eq!(first.lines().count(), 10_001);
    let (_, made) = h
        .post_as(
            &ana,
            "/api/portfolio/create",
            json!({"name": "Copy", "method": "fifo"}),
        )
        .await;
    let copy = made["id"].as_str().unwrap().to_string();
    let (import, errors, review) = stage(&h, &ana, &copy, &first).await;
    assert!(errors.is_empty() && review["valid"] == 10_000, "{review}");
    h.post_as(
        &ana,
        "/api/portfolio/import/confirm",
        json!({"portfolio": copy, "import": import}),
    )
    .await;
    assert_eq!(export(&h, &ana, &copy).await, first);
    assert_eq!(
        view(&h, &ana, &copy).await["totals"],
        v["totals"],
        "the same figures"
    );
}
