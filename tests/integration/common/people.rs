//! People, communities and channels, set up the one way every chat suite sets them up.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{harness::Harness, ws::ChatClient};

/// A person who signed up: their id, username and tokens.
pub struct Person {
    pub id: String,
    pub name: String,
    pub token: String,
    pub refresh: String,
}

impl Harness {
    /// Signs `username` up (`username@example.com`, the harness's password).
    pub async fn person(&self, username: &str) -> Person {
        let body = self
            .register(&format!("{username}@example.com"), username)
            .await;
        Person {
            id: body["user"]["id"].as_str().unwrap().to_string(),
            name: username.into(),
            token: body["token"].as_str().unwrap().to_string(),
            refresh: body["refreshToken"].as_str().unwrap().to_string(),
        }
    }

    pub async fn call(&self, who: &Person, path: &str, body: Value) -> (StatusCode, Value) {
        self.post_as(&who.token, path, body).await
    }

    pub async fn read(&self, who: &Person, path: &str) -> (StatusCode, Value) {
        self.get_as(&who.token, path).await
    }

    /// A call that must succeed: its answer.
    pub async fn ok(&self, who: &Person, path: &str, body: Value) -> Value {
        let (status, answer) = self.call(who, path, body).await;
        assert_eq!(status, StatusCode::OK, "{path}: {answer}");
        answer
    }

    /// A community owned by `owner` ("public" or "private"): its slug and #general's id.
    pub async fn community(
        &self,
        owner: &Person,
        name: &str,
        visibility: &str,
    ) -> (String, String) {
        let created = self
            .ok(
                owner,
                "/api/communities/create",
                json!({"community": {"name": name, "description": "", "iconColor": "#16a34a", "visibility": visibility}}),
            )
            .await;
        let slug = created["slug"].as_str().unwrap().to_string();
        let general = self.channel(owner, &slug, "general").await;
        (slug, general)
    }

    /// The id of channel `#name` of community `slug`, as `who` sees it.
    pub async fn channel(&self, who: &Person, slug: &str, name: &str) -> String {
        let (status, view) = self
            .read(who, &format!("/api/communities/view?slug={slug}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{view}");
        view["channels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("#{name} in {view}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Uploads `bytes` as `who` into `channel` under `name` (a file to attach): the status and
    /// the answer.
    pub async fn upload(
        &self,
        who: &Person,
        channel: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.server.url("/api/files/upload"))
            .query(&[("channelId", channel), ("name", name)])
            .bearer_auth(&who.token)
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// A websocket signed in as `who`.
    pub async fn socket(&self, who: &Person) -> ChatClient {
        ChatClient::connect(&self.server.base, &who.token).await
    }

    /// Sends `message` (`{"body": …, "replyTo": …}`) into `channel` over the public API with
    /// `who`'s session: the stored message's id.
    pub async fn send(&self, who: &Person, channel: &str, message: Value) -> String {
        let response = self
            .http
            .post(
                self.server
                    .url(&format!("/api/v1/channels/{channel}/messages")),
            )
            .bearer_auth(&who.token)
            .json(&message)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let message: Value = response.json().await.unwrap();
        message["id"].as_str().unwrap().to_string()
    }

    /// Sends `body` into `channel`: the message's id.
    pub async fn say(&self, who: &Person, channel: &str, body: &str) -> String {
        self.send(who, channel, json!({ "body": body })).await
    }

    /// `who` reacts to `message` with `emoji` over the public API.
    pub async fn react(&self, who: &Person, message: &str, emoji: &str) {
        let encoded: String = emoji.bytes().map(|b| format!("%{b:02X}")).collect();
        let response = self
            .http
            .put(
                self.server
                    .url(&format!("/api/v1/messages/{message}/reactions/{encoded}")),
            )
            .bearer_auth(&who.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }

    /// Runs a statement with bound values (`$1`…, on SQLite too): what a test clock or a
    /// fault does to the rows.
    pub async fn sql(&self, query: &str, values: Vec<sea_orm::Value>) {
        use sea_orm::ConnectionTrait;
        let backend = self.db.get_database_backend();
        self.db
            .execute(sea_orm::Statement::from_sql_and_values(
                backend, query, values,
            ))
            .await
            .unwrap();
    }

    /// A number the database answers (`SELECT COUNT(*) …`), the same on SQLite and PostgreSQL.
    pub async fn count(&self, query: &str) -> i64 {
        self.scalar(&format!("SELECT CAST(({query}) AS TEXT)"))
            .await
            .parse()
            .unwrap()
    }
}
