//! The bot platform: everything a person does in Bullpen, a program does over `/api/v1` with a
//! personal access token. Driven by the OpenAPI document itself — every operation it names is
//! refused, in words, to a token without its scope, refused to a revoked token, and refused to
//! a member who was banned (with nothing changed) — then a bot that manages, moderates, polls,
//! plans, files and listens does it all and the app shows the result. On SQLite and (with
//! TEST_DATABASE_URL) PostgreSQL.

//!
//! `scopes` (the document-driven refusals), `bots` (bots managing, moderating, polling, reading),
//! `gateway` (listening live), `python` (a bot in another language, written from the docs).

mod bots;
mod gateway;
mod python;
mod scopes;

use crate::common::{harness::Harness, people::Person};
use crate::public_api::{api, make_token};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Every scope a token can have.
const EVERY_SCOPE: [&str; 6] = [
    "chat:read",
    "chat:write",
    "portfolio:read",
    "assistant",
    "community:moderate",
    "community:manage",
];
/// `POST`/`PUT`/… over the API, answering the body of a call that must give `expected`.
async fn must(
    h: &Harness,
    (method, credential, path): (Method, &str, &str),
    body: Option<Value>,
    expected: StatusCode,
) -> Value {
    let (status, answer, _) = api(h, method.clone(), credential, path, body).await;
    assert_eq!(status, expected, "{method} {path}: {answer}");
    answer
}

async fn upload(h: &Harness, credential: &str, channel: &str, bytes: &[u8]) -> (StatusCode, Value) {
    let response = h
        .http
        .post(h.server.url("/api/v1/files"))
        .query(&[("channelId", channel), ("name", "notes.txt")])
        .bearer_auth(credential)
        .header("content-type", "application/octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}
/// Makes `who` a bot token with `scopes`, as the settings page does.
async fn bot(h: &Harness, who: &Person, scopes: &[&str]) -> String {
    let (status, made) = make_token(h, who, "desk bot", scopes, None).await;
    assert_eq!(status, StatusCode::OK, "{made}");
    made["token"].as_str().unwrap().to_string()
}
