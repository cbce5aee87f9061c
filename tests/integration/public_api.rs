//! The public REST API (`/api/v1`) and the personal access tokens scripts use with it, as a bot
//! author uses them and as an attacker tries them: a token is shown once and kept only as a
//! hash; it may do what its scopes say and nothing more; revoked, expired or its person gone,
//! it is refused at once; a bot sends, edits, deletes and reacts over HTTP under the app's own
//! rules (live delivery, the 10-a-minute limit); every documented route exists and every bad
//! request gets the one error shape. On SQLite and (with TEST_DATABASE_URL) PostgreSQL.

use crate::common::{harness::Harness, people::Person};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Makes a token as `who` (signed in with a session): the status and the answer.
pub(crate) async fn make_token(
    h: &Harness,
    who: &Person,
    name: &str,
    scopes: &[&str],
    days: Option<u32>,
) -> (StatusCode, Value) {
    h.call(
        who,
        "/api/tokens/create",
        json!({"name": name, "scopes": scopes, "days": days}),
    )
    .await
}

pub(crate) async fn token(h: &Harness, who: &Person, scopes: &[&str]) -> String {
    let (status, made) = make_token(h, who, "bot", scopes, Some(30)).await;
    assert_eq!(status, StatusCode::OK, "{made}");
    made["token"].as_str().unwrap().to_string()
}

/// Any request with a bearer credential: the status, the body (`Null` if not JSON) and the
/// `Retry-After` header.
pub(crate) async fn api(
    h: &Harness,
    method: Method,
    credential: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value, Option<String>) {
    let mut request = h
        .http
        .request(method, h.server.url(path))
        .bearer_auth(credential);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (status, response.json().await.unwrap_or(Value::Null), retry)
}

on_both!(tokens_are_shown_once_kept_hashed_scoped_and_revoked);
async fn tokens_are_shown_once_kept_hashed_scoped_and_revoked(h: Harness) {
    let ana = h.person("ana").await;
    let (status, made) = make_token(&h, &ana, "  Price bot ", &["chat:read"], Some(30)).await;
    assert_eq!(status, StatusCode::OK, "{made}");
    let token = made["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("bp_") && token.len() == 43, "{token}");
    assert_eq!(made["info"]["name"], "Price bot");
    assert_eq!(made["info"]["scopes"], json!(["chat:read"]));
    assert_eq!(made["info"]["hint"], token[token.len() - 4..]);
    assert!(made["info"]["expiresAt"].is_string());

    // At rest: its SHA-256, never its text.
    let hash = hex::encode(Sha256::digest(token.as_bytes()));
    assert_eq!(
        h.count(&format!(
            "SELECT COUNT(*) FROM access_tokens WHERE token_hash = '{hash}'"
        ))
        .await,
        1
    );
    assert_eq!(
        h.count(&format!(
            "SELECT COUNT(*) FROM access_tokens WHERE token_hash LIKE '%{}%' OR name LIKE '%{}%'",
            &token[3..],
            &token[3..]
        ))
        .await,
        0
    );
    // The list never shows it again.
    let (status, list) = h.read(&ana, "/api/tokens/list").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(!list.to_string().contains(&token[3..]), "{list}");
    assert!(list[0]["lastUsedAt"].is_null());

    // It signs in on the public API, and its use is noted.
    let (status, me, _) = api(&h, Method::GET, &token, "/api/v1/me", None).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["username"], "ana");
    let (_, list) = h.read(&ana, "/api/tokens/list").await;
    assert!(list[0]["lastUsedAt"].is_string(), "{list}");

    // Only within its scopes: reading yes, writing or the portfolio no — in words.
    let (slug, general) = h.community(&ana, "Desk", "public").await;
    let (status, _, _) = api(&h, Method::GET, &token, "/api/v1/communities", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, refused, _) = api(
        &h,
        Method::POST,
        &token,
        &format!("/api/v1/channels/{general}/messages"),
        Some(json!({"body": "hello"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert!(
        refused["error"].as_str().unwrap().contains("chat:write"),
        "{refused}"
    );
    let (status, _, _) = api(&h, Method::GET, &token, "/api/v1/portfolio", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        h.count("SELECT COUNT(*) FROM messages WHERE body = 'hello'")
            .await,
        0
    );

    // A token is not a session: it cannot make tokens or use the app's own functions.
    let (status, _) = h
        .post_as(
            &token,
            "/api/tokens/create",
            json!({"name": "more", "scopes": ["chat:write"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = h
        .post_as(&token, "/api/communities/leave", json!({"slug": slug}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Forged and mangled credentials.
    for bad in [
        format!("{token}x"),
        token[..token.len() - 1].to_string(),
        "bp_".to_string(),
        "bp_0000000000000000000000000000000000000000".to_string(),
        token.to_uppercase(),
    ] {
        let (status, body, _) = api(&h, Method::GET, &bad, "/api/v1/me", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{bad}: {body}");
        assert_eq!(body["code"], "unauthorized");
    }

    // Bad requests for a token, each refused in words and leaving nothing behind.
    for (body, what) in [
        (json!({"name": " ", "scopes": ["chat:read"]}), "no name"),
        (
            json!({"name": "x".repeat(61), "scopes": ["chat:read"]}),
            "long name",
        ),
        (json!({"name": "x", "scopes": []}), "no scope"),
        (
            json!({"name": "x", "scopes": ["chat:read"], "days": 12}),
            "odd lifetime",
        ),
    ] {
        let (status, answer) = h.call(&ana, "/api/tokens/create", body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {answer}");
        assert!(answer["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    let (status, _) = h
        .call(
            &ana,
            "/api/tokens/create",
            json!({"name": "x", "scopes": ["root"]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(h.count("SELECT COUNT(*) FROM access_tokens").await, 1);

    // Someone else cannot revoke it; its owner can, and it stops at once.
    let bo = h.person("bo_b").await;
    let id = made["info"]["id"].as_str().unwrap();
    let (status, _) = h.call(&bo, "/api/tokens/revoke", json!({"id": id})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    h.ok(&ana, "/api/tokens/revoke", json!({"id": id})).await;
    let (status, _, _) = api(&h, Method::GET, &token, "/api/v1/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = h.call(&ana, "/api/tokens/revoke", json!({"id": id})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // An expired token is refused.
    let short = token_for(&h, &ana, Some(7)).await;
    let (status, _, _) = api(&h, Method::GET, &short, "/api/v1/me", None).await;
    assert_eq!(status, StatusCode::OK);
    h.scalar("UPDATE access_tokens SET expires_at = created_at RETURNING 'expired'")
        .await;
    let (status, _, _) = api(&h, Method::GET, &short, "/api/v1/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Still listed, marked expired, until revoked.
    let (_, list) = h.read(&ana, "/api/tokens/list").await;
    assert_eq!(list[0]["expired"], true, "{list}");

    // A burst of 30 makes exactly as many as the limit allows.
    let burst = futures::future::join_all((0..30).map(|i| {
        let name = format!("burst {i}");
        let h = &h;
        let ana = &ana;
        async move { make_token(h, ana, &name, &["chat:read"], None).await.0 }
    }))
    .await;
    let made = burst.iter().filter(|s| **s == StatusCode::OK).count();
    // The expired token is still listed but no longer takes a place.
    assert_eq!(made, 25, "{burst:?}");
    assert!(burst
        .iter()
        .all(|s| *s == StatusCode::OK || *s == StatusCode::CONFLICT));
    assert_eq!(
        h.count(
            "SELECT COUNT(*) FROM access_tokens WHERE user_id = (SELECT id FROM users WHERE username = 'ana')"
        )
        .await,
        26
    );

    // The person goes; so do their tokens.
    let last = h
        .scalar("SELECT name FROM access_tokens ORDER BY created_at DESC LIMIT 1")
        .await;
    assert!(last.starts_with("burst"));
    let keep = token_for(&h, &bo, None).await;
    let (status, _, _) = api(&h, Method::GET, &keep, "/api/v1/me", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) = h
        .call(
            &bo,
            "/api/account/delete",
            json!({"password": "correct horse battery", "messages": "keep"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, _, _) = api(&h, Method::GET, &keep, "/api/v1/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        h.count(&format!(
            "SELECT COUNT(*) FROM access_tokens WHERE name = 'bot' AND hint = '{}'",
            &keep[keep.len() - 4..]
        ))
        .await,
        0
    );
}

async fn token_for(h: &Harness, who: &Person, days: Option<u32>) -> String {
    let (status, made) = make_token(h, who, "bot", &["chat:read"], days).await;
    assert_eq!(status, StatusCode::OK, "{made}");
    made["token"].as_str().unwrap().to_string()
}

on_both!(a_bot_talks_over_http_under_the_apps_rules);
async fn a_bot_talks_over_http_under_the_apps_rules(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let (slug, general) = h.community(&ana, "Desk", "public").await;
    h.ok(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;
    let bot = token(&h, &bo, &["chat:read", "chat:write"]).await;
    let mut ana_socket = h.socket(&ana).await;
    ana_socket.subscribe(&general, None).await;
    let messages = format!("/api/v1/channels/{general}/messages");

    // Sent over HTTP: stored, answered with the message, and live for the channel.
    let (status, sent, _) = api(
        &h,
        Method::POST,
        &bot,
        &messages,
        Some(json!({"body": "**$AAPL** crossed its 50-day average"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    assert_eq!(sent["author"]["username"], "bo_b");
    assert_eq!(sent["seq"], 1);
    let id = sent["id"].as_str().unwrap().to_string();
    let created = ana_socket.expect("messageCreated").await;
    assert_eq!(created["message"]["id"], id.as_str());

    // A reply, then the page of history with both, oldest first.
    let (status, reply, _) = api(
        &h,
        Method::POST,
        &bot,
        &messages,
        Some(json!({"body": "and held it", "replyTo": id})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    assert_eq!(reply["replyTo"]["id"], id.as_str());
    let (status, page, _) = api(&h, Method::GET, &bot, &messages, None).await;
    assert_eq!(status, StatusCode::OK);
    let bodies: Vec<&str> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        ["**$AAPL** crossed its 50-day average", "and held it"]
    );
    let (_, older, _) = api(&h, Method::GET, &bot, &format!("{messages}?before=2"), None).await;
    assert_eq!(older["messages"].as_array().unwrap().len(), 1);

    // A command answers privately and posts nothing.
    let (status, help, _) = api(
        &h,
        Method::POST,
        &bot,
        &messages,
        Some(json!({"body": "/help"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{help}");
    assert!(help["lines"].as_array().is_some_and(|l| !l.is_empty()));

    // Edit, react and take it back, delete.
    let (status, edited, _) = api(
        &h,
        Method::PATCH,
        &bot,
        &format!("/api/v1/messages/{id}"),
        Some(json!({"body": "**$AAPL** crossed its 200-day average"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["edited"], true);
    let thumbs = "/reactions/%F0%9F%91%8D";
    let (status, reactions, _) = api(
        &h,
        Method::PUT,
        &bot,
        &format!("/api/v1/messages/{id}{thumbs}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{reactions}");
    assert_eq!(reactions[0]["emoji"], "👍");
    assert_eq!(reactions[0]["users"][0]["username"], "bo_b");
    let (_, reactions, _) = api(
        &h,
        Method::DELETE,
        &bot,
        &format!("/api/v1/messages/{id}{thumbs}"),
        None,
    )
    .await;
    assert_eq!(reactions, json!([]));
    let (status, refused, _) = api(
        &h,
        Method::PUT,
        &bot,
        &format!("/api/v1/messages/{id}/reactions/notanemoji"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");

    // Someone else's message: no editing it.
    let ana_token = token(&h, &ana, &["chat:write"]).await;
    let (_, anas, _) = api(
        &h,
        Method::POST,
        &ana_token,
        &messages,
        Some(json!({"body": "mine"})),
    )
    .await;
    let anas_id = anas["id"].as_str().unwrap();
    let (status, _, _) = api(
        &h,
        Method::PATCH,
        &bot,
        &format!("/api/v1/messages/{anas_id}"),
        Some(json!({"body": "yours now"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, _, _) = api(
        &h,
        Method::DELETE,
        &bot,
        &format!("/api/v1/messages/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, page, _) = api(&h, Method::GET, &bot, &messages, None).await;
    assert_eq!(page["messages"][0]["body"], Value::Null);

    // Search finds what the bot said.
    let (status, found, _) = api(&h, Method::GET, &bot, "/api/v1/search?q=held", None).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["messages"][0]["messageId"], reply["id"]);

    // Bad bodies, bad ids, a foreign page: each refused in the one shape, nothing stored.
    let before = h.count("SELECT COUNT(*) FROM messages").await;
    let raw = |body: &'static str, content_type: &'static str| {
        h.http
            .post(h.server.url(&messages))
            .bearer_auth(&bot)
            .header("content-type", content_type)
            .body(body)
    };
    for (request, expected) in [
        (
            raw("{\"body\": ", "application/json"),
            StatusCode::BAD_REQUEST,
        ),
        (
            raw("{\"text\": \"hi\"}", "application/json"),
            StatusCode::BAD_REQUEST,
        ),
        (
            raw("{\"body\": 5}", "application/json"),
            StatusCode::BAD_REQUEST,
        ),
        (
            raw("{\"body\": \"   \"}", "application/json"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            raw("body=hi", "text/plain"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            raw("{\"body\": \"hi\"}", "application/json").header("origin", "https://evil.example"),
            StatusCode::FORBIDDEN,
        ),
    ] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), expected);
        let body: Value = response.json().await.unwrap();
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{body}"
        );
        assert!(body["code"].is_string(), "{body}");
    }
    for path in [
        "/api/v1/channels/not-an-id/messages".to_string(),
        format!("/api/v1/channels/{}/messages", uuid_like()),
    ] {
        let (status, body, _) = api(&h, Method::GET, &bot, &path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    let (status, body, _) = api(
        &h,
        Method::GET,
        &bot,
        &format!("{messages}?before=soon"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(h.count("SELECT COUNT(*) FROM messages").await, before);

    // A private community's channel is closed to an outsider's token.
    let (_, private) = h.community(&ana, "Inner", "private").await;
    let outsider = token(&h, &cy, &["chat:read", "chat:write"]).await;
    let (status, _, _) = api(
        &h,
        Method::GET,
        &outsider,
        &format!("/api/v1/channels/{private}/messages"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = api(
        &h,
        Method::POST,
        &outsider,
        &format!("/api/v1/channels/{private}/messages"),
        Some(json!({"body": "let me in"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Banned: the same token loses the channel at once.
    h.ok(
        &ana,
        "/api/communities/ban",
        json!({"slug": slug, "username": "bo_b", "reason": "spam"}),
    )
    .await;
    let (status, _, _) = api(
        &h,
        Method::POST,
        &bot,
        &messages,
        Some(json!({"body": "still here?"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

fn uuid_like() -> &'static str {
    "0193a5c4-1111-7222-8333-444455556666"
}

on_both!(a_burst_over_http_meets_the_same_limit_as_the_app);
async fn a_burst_over_http_meets_the_same_limit_as_the_app(h: Harness) {
    let ana = h.person("ana").await;
    let (_, general) = h.community(&ana, "Desk", "public").await;
    let bot = token(&h, &ana, &["chat:write"]).await;
    let messages = format!("/api/v1/channels/{general}/messages");
    let answers = futures::future::join_all((0..15).map(|i| {
        api(
            &h,
            Method::POST,
            &bot,
            &messages,
            Some(json!({"body": format!("tick {i}")})),
        )
    }))
    .await;
    let stored = answers
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::CREATED)
        .count();
    let limited: Vec<_> = answers
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(stored, 10, "{answers:?}");
    assert_eq!(limited.len(), 5);
    for (_, body, retry) in limited {
        assert_eq!(body["code"], "rate_limited");
        assert!(retry
            .as_deref()
            .and_then(|r| r.parse::<u64>().ok())
            .is_some_and(|s| s >= 1));
    }
    assert_eq!(
        h.count("SELECT COUNT(*) FROM messages WHERE body LIKE 'tick %'")
            .await,
        10
    );
    // Sequence numbers have no gaps: the refused ones took none.
    assert_eq!(h.count("SELECT MAX(seq) FROM messages").await, 10);
}

on_both!(portfolio_assistant_and_market_over_the_api);
async fn portfolio_assistant_and_market_over_the_api(h: Harness) {
    let ana = h.person("ana").await;
    h.ok(
        &ana,
        "/api/portfolio/add",
        json!({"symbol": "AAPL", "shares": 10, "averagePrice": 150, "purchaseDate": "2024-01-02"}),
    )
    .await;
    let reader = token(&h, &ana, &["portfolio:read"]).await;
    let (status, portfolio, _) = api(&h, Method::GET, &reader, "/api/v1/portfolio", None).await;
    assert_eq!(status, StatusCode::OK, "{portfolio}");
    assert_eq!(portfolio["holdings"][0]["symbol"], "AAPL");
    assert_eq!(portfolio["holdings"][0]["shares"], "10");
    assert!(portfolio["totals"]["value"].is_string());
    let (status, _, _) = api(
        &h,
        Method::POST,
        &reader,
        "/api/v1/assistant/query",
        Some(json!({"message": "What is the price of AAPL?"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let asker = token(&h, &ana, &["assistant"]).await;
    let (status, answer, _) = api(
        &h,
        Method::POST,
        &asker,
        "/api/v1/assistant/query",
        Some(json!({"message": "What is the price of AAPL?"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(
        answer["reply"].as_str().unwrap().contains("AAPL"),
        "{answer}"
    );
    let (status, _, _) = api(
        &h,
        Method::POST,
        &asker,
        "/api/v1/assistant/query",
        Some(json!({"message": "and MSFT?", "conversationId": "nope"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Market data needs no sign-in; a bad symbol or period is refused in words.
    let (status, quote) = h.get("/api/v1/market/quotes/aapl.us").await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    assert_eq!(quote["symbol"], "AAPL");
    let (status, history) = h.get("/api/v1/market/history/AAPL?period=1m").await;
    assert_eq!(status, StatusCode::OK);
    let bars = history["bars"].as_array().unwrap();
    assert!(!bars.is_empty() && bars.len() <= 23, "{}", bars.len());
    let (status, refused) = h.get("/api/v1/market/history/AAPL?period=2w").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (status, _) = h.get("/api/v1/market/quotes/%3Cscript%3E").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Market data reads no credential: one that is no longer good changes nothing there.
    let (status, _, _) = api(
        &h,
        Method::GET,
        "bp_forged",
        "/api/v1/market/quotes/AAPL",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

/// The document lists every route the server has, each documented one answers (no 404 of an
/// unknown address, no 405), the protected ones refuse a guest, and `/api/docs` shows them all.
#[tokio::test]
async fn the_document_describes_every_route_and_the_page_shows_it() {
    let h = Harness::sqlite().await;
    let (status, doc) = h.get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let mut operations = 0;
    for (path, item) in paths {
        assert!(path.starts_with("/api/v1/"), "{path}");
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            assert!(op["summary"].is_string(), "{method} {path} has no summary");
            // Every schema it names is in the document.
            for reference in references(op) {
                let name = reference.trim_start_matches("#/components/schemas/");
                assert!(schemas.contains_key(name), "{method} {path}: {reference}");
            }
            let url = path
                .replace("{channel_id}", uuid_like())
                .replace("{message_id}", uuid_like())
                .replace("{slug}", "nowhere")
                .replace("{emoji}", "%F0%9F%91%8D")
                .replace("{symbol}", "AAPL")
                .replace("{hook_id}", uuid_like())
                .replace("{role_id}", uuid_like())
                .replace("{integration_id}", uuid_like())
                .replace("{file_id}", uuid_like())
                .replace("{username}", "nobody_here")
                .replace("{code}", "nocode")
                .replace("{secret}", "0f0f");
            let request = h
                .http
                .request(method.to_uppercase().parse().unwrap(), h.server.url(&url));
            let request = if op["requestBody"]["content"]["application/octet-stream"].is_object() {
                request
                    .header("content-type", "application/octet-stream")
                    .body("bytes")
            } else {
                request.json(&json!({}))
            };
            let response = request.send().await.unwrap();
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {url}");
            assert_ne!(
                body["detail"]["key"], "server.api_docs.no_route",
                "{method} {url} is documented but not routed"
            );
            if op["security"].as_array().is_some_and(|s| !s.is_empty()) {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {url}: {body}");
            }
        }
    }
    assert!(operations >= 45, "{operations}");
    // An address the API does not have is a 404 in the one shape; a method an address does
    // not take, a 405 naming the ones it does.
    // So is one under the app's own `/api/` (not a page of the site rendered for a program).
    for path in [
        "/api/v1/nothing/here",
        "/api/nothing/here",
        "/api/chat/nothing",
    ] {
        let (status, body) = h.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body["code"], "not_found", "{path}: {body}");
    }
    let wrong = h
        .http
        .delete(h.server.url("/api/v1/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(wrong.headers()["allow"].to_str().unwrap().contains("GET"));
    let body: Value = wrong.json().await.unwrap();
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{body}"
    );
    assert!(body["code"].is_string(), "{body}");

    let page = h
        .http
        .get(h.server.url("/api/docs"))
        .header("accept-language", "tr")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("<html lang=\"tr\">"));
    for path in paths.keys() {
        assert!(html.contains(&format!("<code>{path}</code>")), "{path}");
    }
    for name in schemas.keys() {
        assert!(html.contains(&format!("id=\"schema-{name}\"")), "{name}");
    }
    // Every operation has an example (and the introduction one): a curl command with its
    // token and its example body.
    assert_eq!(
        html.matches("<pre><code>curl").count(),
        1 + paths
            .values()
            .map(|item| item.as_object().unwrap().len())
            .sum::<usize>()
    );
    assert!(html.contains("curl -X PUT"), "a PUT's example");
    assert!(
        html.contains("-d &#39;{&quot;choices&quot;:[0]}&#39;"),
        "a vote's example body"
    );
    // No inline style (the CSP would block it): its own stylesheet, served.
    assert!(!html.contains("<style"));
    let css = h
        .http
        .get(h.server.url("/api/docs/style.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert!(css.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    assert!(css
        .text()
        .await
        .unwrap()
        .contains("prefers-color-scheme:dark"));
}

fn references(value: &Value) -> Vec<String> {
    match value {
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| match (k.as_str(), v) {
                ("$ref", Value::String(r)) => vec![r.clone()],
                _ => references(v),
            })
            .collect(),
        Value::Array(items) => items.iter().flat_map(references).collect(),
        _ => Vec::new(),
    }
}
