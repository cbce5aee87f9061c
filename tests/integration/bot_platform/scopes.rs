//! Every operation of the OpenAPI document, refused without its scope, with a revoked token,
//! and to a member just banned.

use super::{must, upload, EVERY_SCOPE};
use crate::common::harness::Harness;
use crate::public_api::token;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// One operation of the document that needs a credential.
struct Operation {
    method: Method,
    path: String,
    /// None: any good token.
    scope: Option<String>,
    /// The document's example body; `Binary` for a file's bytes.
    body: Body,
    /// The query arguments it requires, by name.
    query: Vec<String>,
}

impl Operation {
    /// Whether it acts inside a community (its people may lose access to it): its address
    /// names a place there, or it takes a channel.
    fn in_a_community(&self) -> bool {
        [
            "{slug}",
            "{channel_id}",
            "{message_id}",
            "{role_id}",
            "{code}",
            "{file_id}",
            "{integration_id}",
        ]
        .iter()
        .any(|part| self.path.contains(part))
            || self.query.iter().any(|name| name == "channelId")
    }
}

enum Body {
    None,
    Json(Value),
    Binary,
}

fn secured_operations(doc: &Value) -> Vec<Operation> {
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(security) = op["security"].as_array().filter(|s| !s.is_empty()) else {
                continue;
            };
            let scope = security[0]["bearer"][0].as_str().map(str::to_string);
            let content = &op["requestBody"]["content"];
            let body = if content.get("application/octet-stream").is_some() {
                Body::Binary
            } else if let Some(example) = content["application/json"].get("example") {
                Body::Json(example.clone())
            } else {
                assert!(
                    content.is_null(),
                    "{method} {path} takes a body with no example"
                );
                Body::None
            };
            let query = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query" && p["required"] == true)
                .map(|p| p["name"].as_str().unwrap().to_string())
                .collect();
            operations.push(Operation {
                method: method.to_uppercase().parse().unwrap(),
                path: path.clone(),
                scope,
                body,
                query,
            });
        }
    }
    operations
}

/// What the addresses' parts stand for in one run.
struct Places {
    slug: String,
    channel: String,
    message: String,
    username: String,
    role: String,
    code: String,
    file: String,
    integration: String,
}

impl Places {
    fn fill(&self, path: &str) -> String {
        path.replace("{slug}", &self.slug)
            .replace("{channel_id}", &self.channel)
            .replace("{message_id}", &self.message)
            .replace("{username}", &self.username)
            .replace("{role_id}", &self.role)
            .replace("{code}", &self.code)
            .replace("{file_id}", &self.file)
            .replace("{integration_id}", &self.integration)
            .replace("{emoji}", "%F0%9F%91%8D")
            .replace("{symbol}", "AAPL")
    }
}

/// Calls `op` with `credential` at its address in `places`: the address, the status and the
/// answer (`Null` if not JSON).
async fn call(
    h: &Harness,
    op: &Operation,
    credential: &str,
    places: &Places,
) -> (String, StatusCode, Value) {
    let url = places.fill(&op.path);
    let mut request = h
        .http
        .request(op.method.clone(), h.server.url(&url))
        .bearer_auth(credential);
    for name in &op.query {
        let value = match name.as_str() {
            "q" => "aapl",
            "channelId" => places.channel.as_str(),
            other => panic!("{} {}: what is `{other}`?", op.method, op.path),
        };
        request = request.query(&[(name, value)]);
    }
    match &op.body {
        Body::None => {}
        Body::Json(example) => request = request.json(example),
        Body::Binary => {
            request = request
                .header("content-type", "application/octet-stream")
                .body(b"Q3 notes".to_vec())
        }
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (url, status, response.json().await.unwrap_or(Value::Null))
}
on_both!(every_operation_needs_its_scope_and_refuses_who_lost_access);
async fn every_operation_needs_its_scope_and_refuses_who_lost_access(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Desk", "private").await;
    let owner = token(&h, &ana, &EVERY_SCOPE).await;
    let invite = must(
        &h,
        (
            Method::POST,
            &owner,
            &format!("/api/v1/communities/{slug}/invites"),
        ),
        Some(json!({})),
        StatusCode::CREATED,
    )
    .await;
    let code = invite["code"].as_str().unwrap().to_string();
    let member = token(&h, &bo, &EVERY_SCOPE).await;
    must(
        &h,
        (Method::POST, &member, &format!("/api/v1/invites/{code}")),
        None,
        StatusCode::OK,
    )
    .await;
    let (status, file) = upload(&h, &owner, &general, b"Q3 notes").await;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    let file = file["id"].as_str().unwrap().to_string();
    let sent = must(
        &h,
        (
            Method::POST,
            &member,
            &format!("/api/v1/channels/{general}/messages"),
        ),
        Some(json!({"body": "my notes"})),
        StatusCode::CREATED,
    )
    .await;
    let with_file = must(
        &h,
        (
            Method::POST,
            &owner,
            &format!("/api/v1/channels/{general}/messages"),
        ),
        Some(json!({"body": "", "attachments": [file]})),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(with_file["attachments"][0]["id"], file.as_str());
    let role = must(
        &h,
        (
            Method::POST,
            &owner,
            &format!("/api/v1/communities/{slug}/roles"),
        ),
        Some(json!({"name": "Analysts", "permissions": 3})),
        StatusCode::CREATED,
    )
    .await;
    let installed = must(
        &h,
        (
            Method::POST,
            &owner,
            &format!("/api/v1/communities/{slug}/integrations"),
        ),
        Some(json!({"kind": "incoming-webhook", "name": "CI", "channel": general})),
        StatusCode::CREATED,
    )
    .await;
    let places = Places {
        slug: slug.clone(),
        channel: general.clone(),
        message: sent["id"].as_str().unwrap().to_string(),
        username: "ana".into(),
        role: role["id"].as_str().unwrap().to_string(),
        code: code.clone(),
        file,
        integration: installed["installed"]["id"].as_str().unwrap().to_string(),
    };

    let (status, doc) = h.get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let operations = secured_operations(&doc);
    let every = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum::<usize>();
    assert!(every >= 45, "the document names {every} operations");

    // A token with every scope but the one an operation needs: a 403 that names the scope,
    // before anything is read or written.
    let mut without = std::collections::HashMap::new();
    for scope in EVERY_SCOPE {
        let others: Vec<&str> = EVERY_SCOPE.into_iter().filter(|s| *s != scope).collect();
        without.insert(scope, token(&h, &ana, &others).await);
    }
    let messages_before = h.count("SELECT COUNT(*) FROM messages").await;
    let mut scoped = 0;
    for op in &operations {
        let Some(scope) = &op.scope else { continue };
        scoped += 1;
        let (url, status, answer) = call(&h, op, &without[scope.as_str()], &places).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{} {url}: {answer}",
            op.method
        );
        assert!(
            answer["error"]
                .as_str()
                .is_some_and(|e| e.contains(scope.as_str())),
            "{} {url}: {answer}",
            op.method
        );
    }
    assert!(scoped + 1 >= 45, "{scoped} operations name a scope");
    assert_eq!(
        h.count("SELECT COUNT(*) FROM messages").await,
        messages_before
    );

    // Bo is banned (over the API): with a token that has every scope, nothing inside the
    // community is his any more — each operation refuses, and nothing changes.
    must(
        &h,
        (
            Method::PUT,
            &owner,
            &format!("/api/v1/communities/{slug}/bans/bo_b"),
        ),
        Some(json!({"reason": "raid"})),
        StatusCode::NO_CONTENT,
    )
    .await;
    let counts = || async {
        (
            h.count("SELECT COUNT(*) FROM messages WHERE deleted_at IS NULL")
                .await,
            h.count("SELECT COUNT(*) FROM reports").await,
            h.count("SELECT COUNT(*) FROM channels").await,
            h.count("SELECT COUNT(*) FROM community_members").await,
        )
    };
    let before = counts().await;
    let mut refused = 0;
    for op in operations.iter().filter(|op| op.in_a_community()) {
        let (url, status, answer) = call(&h, op, &member, &places).await;
        // Refused: not allowed, not found, or (leaving) not a member.
        assert!(
            [
                StatusCode::FORBIDDEN,
                StatusCode::NOT_FOUND,
                StatusCode::UNPROCESSABLE_ENTITY
            ]
            .contains(&status),
            "{} {url} as the banned member: {status} {answer}",
            op.method
        );
        assert!(answer["error"].is_string(), "{} {url}: {answer}", op.method);
        refused += 1;
    }
    assert!(refused >= 45, "{refused}");
    assert_eq!(counts().await, before);

    // The owner revokes her token: every operation refuses it at once.
    let (_, list) = h.read(&ana, "/api/tokens/list").await;
    for listed in list.as_array().unwrap() {
        h.ok(&ana, "/api/tokens/revoke", json!({"id": listed["id"]}))
            .await;
    }
    for op in &operations {
        let (url, status, answer) = call(&h, op, &owner, &places).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{} {url}: {answer}",
            op.method
        );
    }
    assert_eq!(counts().await, before);
}
