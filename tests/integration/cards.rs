//! A portfolio, or one holding, shared into a channel as a live card: those who may read the
//! channel read its figures now; percentages only means no amount ever leaves the server; a
//! holding sold since and a portfolio deleted since say so; only the portfolio's own person
//! may share it, where they may post. On SQLite and (with TEST_DATABASE_URL) PostgreSQL.

use crate::common::{harness::Harness, people::Person};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn share(h: &Harness, who: &Person, channel: &str, share: Value) -> (StatusCode, Value) {
    h.call(
        who,
        "/api/cards/share",
        json!({"channelId": channel, "share": share}),
    )
    .await
}

async fn figures(h: &Harness, token: Option<&str>, message: &str) -> (StatusCode, Value, String) {
    let mut request = h.http.get(
        h.server
            .url(&format!("/api/cards/figures?messageId={message}")),
    );
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    )
}

on_both!(portfolio_cards_show_what_their_person_chose);
async fn portfolio_cards_show_what_their_person_chose(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let gus = h.person("gus_g").await;
    let (slug, general) = h.community(&ana, "Book Club", "public").await;
    h.ok(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;
    let (_, private_general) = h.community(&ana, "Inner Circle", "private").await;
    for (symbol, shares, price) in [("aapl.us", 10, 100), ("msft.us", 4, 250)] {
        h.ok(
            &ana,
            "/api/portfolio/add",
            json!({"symbol": symbol, "shares": shares, "averagePrice": price, "purchaseDate": "2024-01-02", "sector": "Tech"}),
        )
        .await;
    }
    let portfolio = h.get_json("/api/portfolio", &ana.token).await["portfolio"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, choices) = h.read(&ana, "/api/cards/choices").await;
    assert_eq!(status, StatusCode::OK, "{choices}");
    assert_eq!(choices[0]["id"], portfolio.as_str());
    assert_eq!(choices[0]["symbols"], json!(["AAPL", "MSFT"]));

    // The whole portfolio, percentages only.
    let (status, whole) = share(
        &h,
        &ana,
        &general,
        json!({"portfolio": portfolio, "percentagesOnly": true, "comment": "How I'm positioned"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{whole}");
    assert_eq!(whole["body"], "How I'm positioned");
    assert_eq!(
        whole["card"],
        json!({"symbol": null, "percentagesOnly": true})
    );
    let whole_id = whole["id"].as_str().unwrap().to_string();
    let (status, card, raw) = figures(&h, Some(&bo.token), &whole_id).await;
    assert_eq!(status, StatusCode::OK, "{raw}");
    assert_eq!(card["status"], "live");
    assert_eq!(card["title"], "My portfolio");
    assert!(
        card["value"].is_null() && card["dayChange"].is_null(),
        "{card}"
    );
    let rows = card["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r["value"].is_null()), "{card}");
    let weights: f64 = rows.iter().map(|r| r["weight"].as_f64().unwrap()).sum();
    assert!((weights - 100.0).abs() < 0.2, "{card}");
    assert!(card["dayChangePercent"].is_number(), "{card}");
    // The owner's own page knows the amount; the card's text never carries it.
    let own = h.get_json("/api/portfolio", &ana.token).await;
    let value = own["totals"]["value"].as_str().unwrap().to_string();
    let whole_number = value.split('.').next().unwrap();
    assert!(
        whole_number.len() >= 3 && !raw.contains(whole_number),
        "{value} in {raw}"
    );
    // History carries the card, for anyone reading the channel.
    let history = h
        .get_json(&format!("/api/v1/channels/{general}/messages"), &bo.token)
        .await;
    let listed = history["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == whole_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(listed["card"]["percentagesOnly"], true);

    // One holding, with amounts: its value is shown; the words default to its cashtag.
    let (status, holding) = share(
        &h,
        &ana,
        &general,
        json!({"portfolio": portfolio, "symbol": "aapl", "percentagesOnly": false}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{holding}");
    assert_eq!(holding["body"], "$AAPL");
    let holding_id = holding["id"].as_str().unwrap().to_string();
    let (_, card, _) = figures(&h, Some(&bo.token), &holding_id).await;
    assert_eq!(card["title"], "AAPL");
    assert_eq!(card["currency"], "USD");
    assert!(card["value"].as_f64().unwrap() > 0.0, "{card}");
    assert!(card["weight"].as_f64().unwrap() > 0.0, "{card}");
    // Someone signed out reads a public community's card.
    let (status, _, _) = figures(&h, None, &holding_id).await;
    assert_eq!(status, StatusCode::OK);

    // Refusals, in words: another's portfolio, a symbol not held, a channel one cannot post in,
    // a bad id, words too long.
    for (who, channel, body, expected) in [
        (
            &bo,
            &general,
            json!({"portfolio": portfolio}),
            StatusCode::NOT_FOUND,
        ),
        (
            &ana,
            &general,
            json!({"portfolio": portfolio, "symbol": "TSLA"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            &gus,
            &private_general,
            json!({"portfolio": portfolio}),
            StatusCode::FORBIDDEN,
        ),
        (
            &ana,
            &general,
            json!({"portfolio": "not-an-id"}),
            StatusCode::NOT_FOUND,
        ),
        (
            &ana,
            &general,
            json!({"portfolio": portfolio, "comment": "x".repeat(501)}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let (status, answer) = share(&h, who, channel, body.clone()).await;
        assert_eq!(status, expected, "{}: {body}: {answer}", who.name);
        assert!(
            answer["error"].as_str().is_some_and(|m| !m.is_empty()),
            "{answer}"
        );
    }
    let (status, _) = h
        .post(
            "/api/cards/share",
            json!({"channelId": general, "share": {"portfolio": portfolio}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A private community's card is for its members.
    let (status, private) =
        share(&h, &ana, &private_general, json!({"portfolio": portfolio})).await;
    assert_eq!(status, StatusCode::OK, "{private}");
    let private_id = private["id"].as_str().unwrap();
    let (status, _, _) = figures(&h, Some(&gus.token), private_id).await;
    assert!(
        status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
        "{status}"
    );
    let (status, _, _) = figures(&h, None, private_id).await;
    assert!(status.is_client_error(), "{status}");

    // Sold since: the holding's card says so.
    h.ok(
        &ana,
        "/api/portfolio/transactions/add",
        json!({"portfolio": portfolio, "transaction": {"kind": "SELL", "date": "2024-03-01", "symbol": "AAPL", "shares": "10", "price": "130"}}),
    )
    .await;
    let (_, card, _) = figures(&h, Some(&bo.token), &holding_id).await;
    assert_eq!(card["status"], "notHeld", "{card}");
    assert!(card["value"].is_null());

    // Deleted since: the whole card says so and shows nothing of it.
    h.ok(&ana, "/api/portfolio/delete", json!({"id": portfolio}))
        .await;
    let (status, card, _) = figures(&h, Some(&bo.token), &whole_id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(card["status"], "deleted", "{card}");
    assert!(card["rows"].as_array().unwrap().is_empty() && card["value"].is_null());

    // A deleted message takes its card with it.
    let deleted = h
        .http
        .delete(h.server.url(&format!("/api/v1/messages/{whole_id}")))
        .bearer_auth(&ana.token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let (status, answer, _) = figures(&h, Some(&bo.token), &whole_id).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
}
