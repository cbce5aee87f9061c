//! The bot platform: everything a person does in Bullpen, a program does over `/api/v1` with a
//! personal access token. Driven by the OpenAPI document itself — every operation it names is
//! refused, in words, to a token without its scope, refused to a revoked token, and refused to
//! a member who was banned (with nothing changed) — then a bot that manages, moderates, polls,
//! plans, files and listens does it all and the app shows the result. On SQLite and (with
//! TEST_DATABASE_URL) PostgreSQL.

use crate::common::{harness::Harness, people::Person, ws::ChatClient};
use crate::public_api::{api, make_token, token};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Every scope a token can have.
const EVERY_SCOPE: [&str; 6] = [
    "chat:read",
    "chat:write",
    "portfolio:read",
    "assistant",
    "community:moderate",
    "community:manage",
];

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

/// Makes `who` a bot token with `scopes`, as the settings page does.
async fn bot(h: &Harness, who: &Person, scopes: &[&str]) -> String {
    let (status, made) = make_token(h, who, "desk bot", scopes, None).await;
    assert_eq!(status, StatusCode::OK, "{made}");
    made["token"].as_str().unwrap().to_string()
}

on_both!(a_bot_manages_a_community_as_its_person_may);
async fn a_bot_manages_a_community_as_its_person_may(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Desk", "public").await;
    let manager = bot(&h, &ana, &["chat:read", "community:manage"]).await;
    let community = format!("/api/v1/communities/{slug}");

    // Details, a channel, a role given and taken, an invitation made and revoked.
    let changed = must(
        &h,
        (Method::PATCH, &manager, &community),
        Some(json!({"name": "Value Desk", "description": "Long views", "iconColor": "#2563eb", "visibility": "public"})),
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["name"], "Value Desk");
    let channel = must(
        &h,
        (Method::POST, &manager, &format!("{community}/channels")),
        Some(json!({"name": "earnings", "topic": "Reports as they land"})),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(channel["kind"], "text");
    let channel_id = channel["id"].as_str().unwrap();
    let (status, twice, _) = api(
        &h,
        Method::POST,
        &manager,
        &format!("{community}/channels"),
        Some(json!({"name": "earnings"})),
    )
    .await;
    assert!(status.is_client_error(), "{status} {twice}");
    let archived = must(
        &h,
        (
            Method::PATCH,
            &manager,
            &format!("{community}/channels/{channel_id}"),
        ),
        Some(json!({"name": "earnings", "topic": "Q4", "archived": true})),
        StatusCode::OK,
    )
    .await;
    assert_eq!(archived["archived"], true, "{archived}");
    assert_eq!(archived["topic"], "Q4");

    let member = bot(&h, &bo, &["chat:read", "chat:write"]).await;
    must(
        &h,
        (Method::POST, &member, &format!("{community}/membership")),
        None,
        StatusCode::OK,
    )
    .await;
    let role = must(
        &h,
        (Method::POST, &manager, &format!("{community}/roles")),
        Some(json!({"name": "Analysts", "permissions": 3})),
        StatusCode::CREATED,
    )
    .await;
    let role_id = role["id"].as_str().unwrap();
    must(
        &h,
        (
            Method::PUT,
            &manager,
            &format!("{community}/members/bo_b/roles/{role_id}"),
        ),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    let roles = must(
        &h,
        (Method::GET, &manager, &format!("{community}/roles")),
        None,
        StatusCode::OK,
    )
    .await;
    let analysts = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Analysts")
        .unwrap();
    assert_eq!(analysts["members"], 1);
    assert_eq!(analysts["permissions"], 3);
    let members = must(
        &h,
        (Method::GET, &member, &format!("{community}/members")),
        None,
        StatusCode::OK,
    )
    .await;
    let bo_row = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["username"] == "bo_b")
        .unwrap();
    assert!(bo_row.to_string().contains("Analysts"), "{bo_row}");
    // Bo's own bot may not manage: the right is the person's, whatever the scope.
    let bo_manager = bot(&h, &bo, &["community:manage"]).await;
    let (status, refused, _) = api(
        &h,
        Method::POST,
        &bo_manager,
        &format!("{community}/roles"),
        Some(json!({"name": "Mine", "permissions": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    must(
        &h,
        (
            Method::DELETE,
            &manager,
            &format!("{community}/members/bo_b/roles/{role_id}"),
        ),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    must(
        &h,
        (
            Method::DELETE,
            &manager,
            &format!("{community}/roles/{role_id}"),
        ),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    let roles = must(
        &h,
        (Method::GET, &manager, &format!("{community}/roles")),
        None,
        StatusCode::OK,
    )
    .await;
    assert!(!roles.to_string().contains("Analysts"), "{roles}");

    let invite = must(
        &h,
        (Method::POST, &manager, &format!("{community}/invites")),
        Some(json!({"hours": 24})),
        StatusCode::CREATED,
    )
    .await;
    let code = invite["code"].as_str().unwrap();
    assert!(invite["expiresAt"].is_string());
    let (status, _, _) = api(
        &h,
        Method::POST,
        &manager,
        &format!("{community}/invites"),
        Some(json!({"hours": 100000})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let listed = must(
        &h,
        (Method::GET, &manager, &format!("{community}/invites")),
        None,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    must(
        &h,
        (
            Method::DELETE,
            &manager,
            &format!("{community}/invites/{code}"),
        ),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    let cy = h.person("cy_c").await;
    let cy_bot = bot(&h, &cy, &["chat:write"]).await;
    let (status, gone, _) = api(
        &h,
        Method::POST,
        &cy_bot,
        &format!("/api/v1/invites/{code}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{gone}");
    assert_eq!(gone["detail"]["key"], "server.community.invite_revoked");

    // The marketplace: a price-alert bot installed (the document's example, with a real
    // channel), listed, removed; a member's manage token refused.
    let doc = h.get("/api/v1/openapi.json").await.1;
    let mut example = doc["paths"]["/api/v1/communities/{slug}/integrations"]["post"]
        ["requestBody"]["content"]["application/json"]["example"]
        .clone();
    example["channel"] = json!(general);
    let installed = must(
        &h,
        (Method::POST, &manager, &format!("{community}/integrations")),
        Some(example),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(installed["installed"]["kind"], "price-alert");
    let id = installed["installed"]["id"].as_str().unwrap();
    let listed = must(
        &h,
        (Method::GET, &manager, &format!("{community}/integrations")),
        None,
        StatusCode::OK,
    )
    .await;
    assert!(listed["installed"].to_string().contains(id), "{listed}");
    let (status, _, _) = api(
        &h,
        Method::GET,
        &bo_manager,
        &format!("{community}/integrations"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    must(
        &h,
        (
            Method::DELETE,
            &manager,
            &format!("{community}/integrations/{id}"),
        ),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    let listed = must(
        &h,
        (Method::GET, &manager, &format!("{community}/integrations")),
        None,
        StatusCode::OK,
    )
    .await;
    assert!(!listed["installed"].to_string().contains(id), "{listed}");

    // The community's figures, for those who may read them.
    let figures = must(
        &h,
        (Method::GET, &manager, &format!("{community}/analytics")),
        None,
        StatusCode::OK,
    )
    .await;
    assert_eq!(figures["slug"], slug.as_str());
    assert!(figures["totals"]["messages"].is_u64(), "{figures}");
    let (status, _, _) = api(
        &h,
        Method::GET,
        &bo_manager,
        &format!("{community}/analytics"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = api(
        &h,
        Method::GET,
        &manager,
        &format!("{community}/analytics?from=yesterday"),
        None,
    )
    .await;
    assert!(status.is_client_error(), "{status}");

    // Bo leaves; he is no longer among the members.
    must(
        &h,
        (Method::DELETE, &member, &format!("{community}/membership")),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    let members = must(
        &h,
        (Method::GET, &manager, &format!("{community}/members")),
        None,
        StatusCode::OK,
    )
    .await;
    assert!(!members.to_string().contains("\"bo_b\""), "{members}");
    // The app sees the same community.
    let (_, view) = h
        .read(&ana, &format!("/api/communities/view?slug={slug}"))
        .await;
    assert_eq!(view["community"]["name"], "Value Desk");
}

on_both!(a_bot_polls_plans_files_and_moderates_under_the_apps_rules);
async fn a_bot_polls_plans_files_and_moderates_under_the_apps_rules(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Desk", "public").await;
    h.ok(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;
    let desk = bot(&h, &ana, &["chat:read", "chat:write", "community:moderate"]).await;
    let member = bot(&h, &bo, &["chat:read", "chat:write"]).await;
    let mut bo_socket = h.socket(&bo).await;
    bo_socket.subscribe(&general, None).await;

    // A poll: asked, voted on by a person, closed by the bot; votes after it are refused.
    let asked = must(
        &h,
        (
            Method::POST,
            &desk,
            &format!("/api/v1/channels/{general}/polls"),
        ),
        Some(json!({"question": "Where does $AAPL close Friday?", "options": ["Higher", "Lower"]})),
        StatusCode::CREATED,
    )
    .await;
    let poll_id = asked["id"].as_str().unwrap().to_string();
    assert_eq!(
        bo_socket.expect("messageCreated").await["message"]["id"],
        poll_id.as_str()
    );
    let voted = must(
        &h,
        (
            Method::PUT,
            &member,
            &format!("/api/v1/polls/{poll_id}/vote"),
        ),
        Some(json!({"choices": [1]})),
        StatusCode::OK,
    )
    .await;
    assert_eq!(voted["ballot"]["choices"], json!([1]));
    let (status, _, _) = api(
        &h,
        Method::POST,
        &member,
        &format!("/api/v1/polls/{poll_id}/close"),
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only its author or a moderator closes it"
    );
    let closed = must(
        &h,
        (
            Method::POST,
            &desk,
            &format!("/api/v1/polls/{poll_id}/close"),
        ),
        None,
        StatusCode::OK,
    )
    .await;
    assert_eq!(closed["closed"], true, "{closed}");
    let (status, late, _) = api(
        &h,
        Method::PUT,
        &member,
        &format!("/api/v1/polls/{poll_id}/vote"),
        Some(json!({"choices": [0]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{late}");

    // The result pinned; the pins list it; unpinned.
    let pinned = must(
        &h,
        (
            Method::PUT,
            &desk,
            &format!("/api/v1/messages/{poll_id}/pin"),
        ),
        None,
        StatusCode::OK,
    )
    .await;
    assert!(
        pinned["pinnedAt"].is_string() || pinned["pinned"] == true,
        "{pinned}"
    );
    let pins = must(
        &h,
        (
            Method::GET,
            &member,
            &format!("/api/v1/channels/{general}/pins"),
        ),
        None,
        StatusCode::OK,
    )
    .await;
    assert_eq!(pins[0]["id"], poll_id.as_str());
    let (status, _, _) = api(
        &h,
        Method::PUT,
        &member,
        &format!("/api/v1/messages/{poll_id}/pin"),
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a token without community:moderate"
    );

    // An event planned and answered.
    let starts = (chrono::Utc::now() + chrono::Duration::days(30))
        .format("%Y-%m-%dT16:30")
        .to_string();
    let planned = must(
        &h,
        (
            Method::POST,
            &desk,
            &format!("/api/v1/channels/{general}/events"),
        ),
        Some(json!({"title": "NVDA call", "starts": starts, "timeZone": "America/New_York"})),
        StatusCode::CREATED,
    )
    .await;
    let event_id = planned["id"].as_str().unwrap();
    let answered = must(
        &h,
        (
            Method::PUT,
            &member,
            &format!("/api/v1/events/{event_id}/answer"),
        ),
        Some(json!({"answer": "going"})),
        StatusCode::OK,
    )
    .await;
    assert!(answered.to_string().contains("\"going\""), "{answered}");

    // A file: uploaded, sent with a message, read back by a member — not by an outsider.
    let (status, file) = upload(&h, &desk, &general, b"ticker,weight\nAAPL,0.4\n").await;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    let file_id = file["id"].as_str().unwrap();
    let (status, _) = upload(&h, &desk, &general, b"").await;
    assert!(status.is_client_error());
    must(
        &h,
        (
            Method::POST,
            &desk,
            &format!("/api/v1/channels/{general}/messages"),
        ),
        Some(json!({"body": "weights", "attachments": [file_id]})),
        StatusCode::CREATED,
    )
    .await;
    let download = h
        .http
        .get(h.server.url(&format!("/api/v1/files/{file_id}")))
        .bearer_auth(&member)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(
        download.bytes().await.unwrap().as_ref(),
        b"ticker,weight\nAAPL,0.4\n"
    );
    // (A public channel's files are anyone's who may read it; a private community's are
    // refused to those outside it — see the first test.) An unknown file is a 404 in words.
    let (status, unknown, _) = api(
        &h,
        Method::GET,
        &member,
        "/api/v1/files/01a225d1-71f0-7029-af99-6c2ce69b6755",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(unknown["error"].is_string(), "{unknown}");

    // Spam reported by the bot lands in the queue; a moderation bot acts on its author.
    let spam = must(
        &h,
        (
            Method::POST,
            &member,
            &format!("/api/v1/channels/{general}/messages"),
        ),
        Some(json!({"body": "free signals, join my group"})),
        StatusCode::CREATED,
    )
    .await;
    let spam_id = spam["id"].as_str().unwrap();
    must(
        &h,
        (
            Method::POST,
            &desk,
            &format!("/api/v1/messages/{spam_id}/reports"),
        ),
        Some(json!({"reason": "spam", "note": "referral"})),
        StatusCode::CREATED,
    )
    .await;
    let queue = must(
        &h,
        (
            Method::GET,
            &desk,
            &format!("/api/v1/communities/{slug}/reports"),
        ),
        None,
        StatusCode::OK,
    )
    .await;
    assert!(
        queue
            .as_array()
            .unwrap()
            .iter()
            .any(|item| item["message"]["id"] == spam_id),
        "{queue}"
    );
    let (status, _, _) = api(
        &h,
        Method::GET,
        &member,
        &format!("/api/v1/communities/{slug}/reports"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    must(
        &h,
        (
            Method::POST,
            &desk,
            &format!("/api/v1/messages/{spam_id}/action"),
        ),
        Some(json!({"measure": {"kind": "timeout", "minutes": 60}, "reason": "spam"})),
        StatusCode::NO_CONTENT,
    )
    .await;
    let (status, refused, _) = api(
        &h,
        Method::POST,
        &member,
        &format!("/api/v1/channels/{general}/messages"),
        Some(json!({"body": "more signals"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "timed out: {refused}");
    let queue = must(
        &h,
        (
            Method::GET,
            &desk,
            &format!("/api/v1/communities/{slug}/reports"),
        ),
        None,
        StatusCode::OK,
    )
    .await;
    assert!(!queue.to_string().contains(spam_id), "acted on: {queue}");
    must(
        &h,
        (
            Method::PUT,
            &desk,
            &format!("/api/v1/communities/{slug}/members/bo_b/timeout"),
        ),
        Some(json!({"minutes": 0})),
        StatusCode::NO_CONTENT,
    )
    .await;
    must(
        &h,
        (
            Method::POST,
            &desk,
            &format!("/api/v1/communities/{slug}/members/bo_b/warnings"),
        ),
        Some(json!({"reason": "No referral links"})),
        StatusCode::NO_CONTENT,
    )
    .await;
    let (status, _, _) = api(
        &h,
        Method::POST,
        &desk,
        &format!("/api/v1/communities/{slug}/members/bo_b/warnings"),
        Some(json!({})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a warning needs its reason"
    );
    let fine = must(
        &h,
        (
            Method::POST,
            &member,
            &format!("/api/v1/channels/{general}/messages"),
        ),
        Some(json!({"body": "sorry, fair"})),
        StatusCode::CREATED,
    )
    .await;
    let fine_id = fine["id"].as_str().unwrap();
    must(
        &h,
        (
            Method::POST,
            &desk,
            &format!("/api/v1/messages/{fine_id}/dismissal"),
        ),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    must(
        &h,
        (
            Method::DELETE,
            &desk,
            &format!("/api/v1/communities/{slug}/members/bo_b"),
        ),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    must(
        &h,
        (
            Method::POST,
            &member,
            &format!("/api/v1/communities/{slug}/membership"),
        ),
        None,
        StatusCode::OK,
    )
    .await;
    must(
        &h,
        (
            Method::PUT,
            &desk,
            &format!("/api/v1/communities/{slug}/bans/bo_b"),
        ),
        Some(json!({"reason": "again"})),
        StatusCode::NO_CONTENT,
    )
    .await;
    let bans = must(
        &h,
        (
            Method::GET,
            &desk,
            &format!("/api/v1/communities/{slug}/bans"),
        ),
        None,
        StatusCode::OK,
    )
    .await;
    assert_eq!(bans[0]["username"], "bo_b");
    assert_eq!(bans[0]["reason"], "again");
    let (status, _, _) = api(
        &h,
        Method::POST,
        &member,
        &format!("/api/v1/communities/{slug}/membership"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "banned");
    must(
        &h,
        (
            Method::DELETE,
            &desk,
            &format!("/api/v1/communities/{slug}/bans/bo_b"),
        ),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    must(
        &h,
        (
            Method::POST,
            &member,
            &format!("/api/v1/communities/{slug}/membership"),
        ),
        None,
        StatusCode::OK,
    )
    .await;
    // Every measure is in the audit log, under Ana's name.
    let (_, log) = h
        .read(&ana, &format!("/api/moderation/audit?slug={slug}"))
        .await;
    let acts: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["act"].as_str())
        .collect();
    for act in ["timeout", "warn", "kick", "ban", "unban"] {
        assert!(acts.iter().any(|a| a.contains(act)), "{act} in {acts:?}");
    }
}

on_both!(a_bot_reads_its_inbox_people_and_activity);
async fn a_bot_reads_its_inbox_people_and_activity(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Desk", "public").await;
    h.ok(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;
    let reader = bot(&h, &bo, &["chat:read", "chat:write"]).await;
    h.say(&ana, &general, "@bo_b the CPI print is out").await;

    // The inbox is written just after the message is stored: wait for it.
    let mut inbox = Value::Null;
    for _ in 0..100 {
        inbox = must(
            &h,
            (Method::GET, &reader, "/api/v1/notifications"),
            None,
            StatusCode::OK,
        )
        .await;
        if inbox["unread"] == 1 && inbox["items"].as_array().is_some_and(|i| !i.is_empty()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(inbox["unread"], 1, "{inbox}");
    assert_eq!(inbox["items"][0]["kind"], "mention", "{inbox}");
    let (status, _, _) = api(
        &h,
        Method::GET,
        &reader,
        "/api/v1/notifications?before=nope",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let left = must(
        &h,
        (Method::POST, &reader, "/api/v1/notifications/read"),
        Some(json!({"ids": []})),
        StatusCode::OK,
    )
    .await;
    assert_eq!(left["unread"], 0);

    // Muted with the channel set to everything: one "off" and it is heard again.
    let settings = format!("/api/v1/channels/{general}/notifications");
    let set = must(
        &h,
        (Method::PUT, &reader, &settings),
        Some(json!({"level": "all"})),
        StatusCode::OK,
    )
    .await;
    assert_eq!(set["effective"], "all");
    let set = must(
        &h,
        (Method::PUT, &reader, &settings),
        Some(json!({"wholeCommunity": true, "mute": "day"})),
        StatusCode::OK,
    )
    .await;
    assert_eq!(set["muted"], true);
    let set = must(
        &h,
        (Method::PUT, &reader, &settings),
        Some(json!({"mute": "off"})),
        StatusCode::OK,
    )
    .await;
    assert_eq!(set["muted"], false, "{set}");
    let read = must(&h, (Method::GET, &reader, &settings), None, StatusCode::OK).await;
    assert_eq!(read["channel"]["level"], "all");
    let (status, _, _) = api(
        &h,
        Method::PUT,
        &reader,
        &settings,
        Some(json!({"level": "loud"})),
    )
    .await;
    assert!(status.is_client_error());

    // People: a profile, blocked and unblocked.
    let profile = must(
        &h,
        (Method::GET, &reader, "/api/v1/users/ana"),
        None,
        StatusCode::OK,
    )
    .await;
    assert_eq!(profile["username"], "ana");
    assert_eq!(profile["blocked"], false);
    let blocked = must(
        &h,
        (Method::PUT, &reader, "/api/v1/users/ana/block"),
        None,
        StatusCode::OK,
    )
    .await;
    assert_eq!(blocked["blocked"], true);
    let (_, list) = h.read(&bo, "/api/users/blocked").await;
    assert_eq!(list[0]["username"], "ana");
    let unblocked = must(
        &h,
        (Method::DELETE, &reader, "/api/v1/users/ana/block"),
        None,
        StatusCode::OK,
    )
    .await;
    assert_eq!(unblocked["blocked"], false);
    let (status, _, _) = api(&h, Method::GET, &reader, "/api/v1/users/nobody_here", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Activity: the message Bo's bot sends counts.
    must(
        &h,
        (
            Method::POST,
            &reader,
            &format!("/api/v1/channels/{general}/messages"),
        ),
        Some(json!({"body": "thanks"})),
        StatusCode::CREATED,
    )
    .await;
    let activity = must(
        &h,
        (Method::GET, &reader, "/api/v1/me/activity"),
        None,
        StatusCode::OK,
    )
    .await;
    assert_eq!(activity["messages"], 1, "{activity}");
}

on_both!(a_bot_listens_on_the_gateway_as_its_intents_and_scopes_say);
async fn a_bot_listens_on_the_gateway_as_its_intents_and_scopes_say(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Desk", "public").await;
    h.ok(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;
    let listener = bot(&h, &bo, &["chat:read"]).await;

    // Refused before the upgrade, in words: no chat:read, an intent that does not exist, the
    // app's own socket (a token is not a session).
    let writer_only = bot(&h, &bo, &["chat:write"]).await;
    let (status, refused, _) = api(&h, Method::GET, &writer_only, "/api/v1/gateway", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert!(refused["error"].as_str().unwrap().contains("chat:read"));
    let (status, refused, _) = api(
        &h,
        Method::GET,
        &listener,
        "/api/v1/gateway?intents=messages,gossip",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused["error"].as_str().unwrap().contains("gossip"));
    let upgrade = h
        .http
        .get(h.server.url("/api/chat/socket"))
        .bearer_auth(&listener)
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .unwrap();
    assert_eq!(upgrade.status(), StatusCode::UNAUTHORIZED);
    // A page elsewhere cannot open it with a visitor's cookie: a foreign Origin is refused.
    let foreign = h
        .http
        .get(h.server.url("/api/v1/gateway"))
        .header("cookie", format!("bullpen_access={}", bo.token))
        .header("origin", "https://evil.example")
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);

    // Messages only: Ana types and writes; the bot hears the message and not the typing.
    let mut gateway = ChatClient::gateway(&h.server.base, "?intents=messages", &listener).await;
    gateway.subscribe(&general, None).await;
    let mut ana_socket = h.socket(&ana).await;
    ana_socket.subscribe(&general, None).await;
    ana_socket
        .send(json!({"type": "typing", "channelId": general, "typing": true}))
        .await;
    let first = h.say(&ana, &general, "CPI at 8:30").await;
    let created = gateway.expect("messageCreated").await;
    assert_eq!(created["message"]["id"], first.as_str());
    h.react(&ana, &first, "👍").await;
    h.say(&ana, &general, "and PPI tomorrow").await;
    let heard = gateway.drain(std::time::Duration::from_millis(500)).await;
    let kinds: Vec<&str> = heard.iter().filter_map(|e| e["type"].as_str()).collect();
    assert!(kinds.contains(&"messageCreated"), "{kinds:?}");
    for unwanted in ["typing", "presence", "reactionsChanged"] {
        assert!(!kinds.contains(&unwanted), "{unwanted} in {kinds:?}");
    }

    // Every kind without intents: the reaction comes too.
    let mut everything = ChatClient::gateway(&h.server.base, "", &listener).await;
    let replayed = everything.subscribe(&general, Some(0)).await;
    // Resumed from sequence 0: what was said before comes first.
    assert!(
        replayed
            .iter()
            .any(|e| e.to_string().contains("CPI at 8:30")),
        "{replayed:?}"
    );
    h.react(&ana, &first, "🚀").await;
    everything.expect("reactionsChanged").await;

    // A read-only token may not write over the gateway: refused with the send's nonce.
    gateway.say(&general, "n-1", "hello from the bot").await;
    let error = gateway.expect("error").await;
    assert_eq!(error["nonce"], "n-1", "{error}");
    assert!(error.to_string().contains("chat:write"), "{error}");
    assert_eq!(
        h.count("SELECT COUNT(*) FROM messages WHERE body = 'hello from the bot'")
            .await,
        0
    );
    // A token that may write does, and hears its own message back.
    let talker = bot(&h, &bo, &["chat:read", "chat:write"]).await;
    let mut talking = ChatClient::gateway(&h.server.base, "?intents=messages", &talker).await;
    talking.subscribe(&general, None).await;
    talking.say(&general, "n-2", "hello from the bot").await;
    let mine = talking.expect("messageCreated").await;
    assert_eq!(mine["nonce"], "n-2", "{mine}");
    assert_eq!(mine["message"]["author"]["username"], "bo_b");

    // Revoked: its sockets are told and closed at once.
    let (_, list) = h.read(&bo, "/api/tokens/list").await;
    let id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["scopes"] == json!(["chat:read"]))
        .unwrap()["id"]
        .clone();
    h.ok(&bo, "/api/tokens/revoke", json!({"id": id})).await;
    gateway.expect("sessionEnded").await;
    assert!(gateway
        .try_next_event(std::time::Duration::from_secs(5))
        .await
        .is_none());
    // The other token's socket stays.
    h.say(&ana, &general, "still here").await;
    talking.expect("messageCreated").await;
}

/// The newest messages of a channel, as `who` reads them over the API.
async fn newest(h: &Harness, credential: &str, channel: &str) -> Vec<Value> {
    let page = must(
        h,
        (
            Method::GET,
            credential,
            &format!("/api/v1/channels/{channel}/messages"),
        ),
        None,
        StatusCode::OK,
    )
    .await;
    page["messages"].as_array().unwrap().clone()
}

/// Waits (up to 20 s) for a message in `channel` that `found` accepts.
async fn awaited(
    h: &Harness,
    credential: &str,
    channel: &str,
    found: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..400 {
        if let Some(message) = newest(h, credential, channel)
            .await
            .into_iter()
            .find(|m| found(m))
        {
            return message;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "never came; the channel has {:?}",
        newest(h, credential, channel).await
    );
}

/// `examples/bots/deskbot.py`, written from docs/API.md and docs/PROTOCOL.md with nothing but
/// Python's standard library, runs against the server: it listens on the gateway, answers
/// commands, asks a poll, closes it and pins the result, reports spam, and stops when its
/// token is revoked.
#[tokio::test]
async fn a_python_bot_written_from_the_docs_does_its_job() {
    let h = Harness::sqlite().await;
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let (slug, general) = h.community(&ana, "Desk", "public").await;
    for who in [&bo, &cy] {
        h.ok(who, "/api/communities/join", json!({"slug": slug}))
            .await;
    }
    let (status, made) = make_token(
        &h,
        &ana,
        "desk bot",
        &["chat:read", "chat:write", "community:moderate"],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{made}");
    let token = made["token"].as_str().unwrap().to_string();
    let mut bot = tokio::process::Command::new("python3")
        .arg(format!(
            "{}/examples/bots/deskbot.py",
            crate::common::PROJECT_DIR
        ))
        .env("BULLPEN_URL", &h.server.base)
        .env("BULLPEN_TOKEN", &token)
        .env("BULLPEN_CHANNEL", &general)
        .env("BOT_SECONDS", "120")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("python3 runs");
    let mut out = tokio::io::BufReader::new(bot.stdout.take().unwrap());
    let mut line = String::new();
    use tokio::io::AsyncBufReadExt;
    tokio::time::timeout(std::time::Duration::from_secs(20), out.read_line(&mut line))
        .await
        .expect("the bot starts")
        .unwrap();
    assert!(line.contains("listening as ana"), "{line}");
    let by_bot = |text: &'static str| {
        move |m: &Value| {
            m["author"]["username"] == "ana" && m["body"].as_str().is_some_and(|b| b.contains(text))
        }
    };

    // Commands answered in the channel.
    h.say(&bo, &general, "!help").await;
    awaited(&h, &bo.token, &general, by_bot("I answer")).await;
    h.say(&bo, &general, "!quote aapl").await;
    awaited(&h, &bo.token, &general, by_bot("$AAPL last")).await;

    // A poll asked, voted on, closed and pinned.
    h.say(
        &bo,
        &general,
        "!poll Where does $AAPL close Friday? | Higher | Lower",
    )
    .await;
    let poll = awaited(&h, &bo.token, &general, |m| {
        m["author"]["username"] == "ana" && m["poll"].is_object()
    })
    .await;
    let poll_id = poll["id"].as_str().unwrap();
    must(
        &h,
        (
            Method::PUT,
            &bo.token,
            &format!("/api/v1/polls/{poll_id}/vote"),
        ),
        Some(json!({"choices": [0]})),
        StatusCode::OK,
    )
    .await;
    h.say(&bo, &general, "!close").await;
    awaited(&h, &bo.token, &general, by_bot("“Higher” leads with 1")).await;
    let pins = must(
        &h,
        (
            Method::GET,
            &bo.token,
            &format!("/api/v1/channels/{general}/pins"),
        ),
        None,
        StatusCode::OK,
    )
    .await;
    assert_eq!(pins[0]["id"], poll_id);
    assert_eq!(pins[0]["poll"]["closed"], true, "{pins}");

    // Spam reported to the moderators' queue.
    let spam = h
        .say(&cy, &general, "FREE SIGNALS!!! join my group for 100x")
        .await;
    let mut queued = false;
    for _ in 0..400 {
        let (_, queue) = h
            .read(&ana, &format!("/api/moderation/queue?slug={slug}"))
            .await;
        if queue.to_string().contains(&spam) {
            queued = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(queued, "the spam reached the queue");

    // Revoked: the bot hears it and stops.
    h.ok(
        &ana,
        "/api/tokens/revoke",
        json!({"id": made["info"]["id"]}),
    )
    .await;
    let status = tokio::time::timeout(std::time::Duration::from_secs(20), bot.wait())
        .await
        .expect("the bot stops")
        .unwrap();
    assert!(status.success(), "{status}");
}
