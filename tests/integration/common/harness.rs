//! A running server plus a connection to its database (SQLite or PostgreSQL), for tests that
//! drive the API and look behind it; `on_both!` runs a scenario on each engine.

use std::collections::HashMap;

use reqwest::{Client, StatusCode};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{json, Value};

use super::{postgres_url, ScratchDatabase, TestServer};

pub const SECRET: &str = "integration-test-secret-0123456789abcdef";

/// A running server plus a connection to its database, for looking behind the API.
pub struct Harness {
    pub server: TestServer,
    pub db: DatabaseConnection,
    pub http: Client,
    _tmp: tempfile::TempDir,
    _scratch: Option<ScratchDatabase>,
}

impl Harness {
    pub async fn sqlite() -> Harness {
        Harness::sqlite_with(&[]).await
    }

    /// On SQLite, with extra environment variables for the server.
    pub async fn sqlite_with(extra: &[(&'static str, &str)]) -> Harness {
        let tmp = tempfile::tempdir().unwrap();
        let server = TestServer::start(
            tmp.path(),
            HashMap::from([
                ("JWT_SECRET", SECRET.to_string()),
                ("BULLPEN_TRUST_PROXY", "true".to_string()),
            ])
            .into_iter()
            .chain(extra.iter().map(|(k, v)| (*k, v.to_string())))
            .collect(),
        )
        .await;
        let db = Database::connect(format!(
            "sqlite://{}",
            tmp.path().join("bullpen.db").display()
        ))
        .await
        .unwrap();
        Harness {
            server,
            db,
            http: Client::new(),
            _tmp: tmp,
            _scratch: None,
        }
    }

    pub async fn postgres(test: &str) -> Option<Harness> {
        Harness::postgres_with(test, &[]).await
    }

    /// On PostgreSQL (when one is configured), with extra environment variables.
    pub async fn postgres_with(test: &str, extra: &[(&'static str, &str)]) -> Option<Harness> {
        let admin = postgres_url(test)?;
        let scratch = ScratchDatabase::create(&admin).await;
        let tmp = tempfile::tempdir().unwrap();
        let server = TestServer::start(
            tmp.path(),
            HashMap::from([
                ("JWT_SECRET", SECRET.to_string()),
                ("DATABASE_URL", scratch.url()),
                ("BULLPEN_TRUST_PROXY", "true".to_string()),
            ])
            .into_iter()
            .chain(extra.iter().map(|(k, v)| (*k, v.to_string())))
            .collect(),
        )
        .await;
        let db = Database::connect(scratch.url()).await.unwrap();
        Some(Harness {
            server,
            db,
            http: Client::new(),
            _tmp: tmp,
            _scratch: Some(scratch),
        })
    }

    /// The server's data directory (its files live in `files/` unless configured elsewhere).
    pub fn data_dir(&self) -> &std::path::Path {
        self._tmp.path()
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.server.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn get_json(&self, path: &str, token: &str) -> Value {
        let response = self
            .http
            .get(self.server.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.unwrap()
    }

    /// POSTs JSON as the owner of `token`: the status and the body (`Null` if not JSON).
    pub async fn post_as(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.server.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// GETs as a guest: the status and the body (`Null` if not JSON).
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let response = self.http.get(self.server.url(path)).send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// GETs as the owner of `token`: the status and the body (`Null` if not JSON).
    pub async fn get_as(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let response = self
            .http
            .get(self.server.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn login(&self, login: &str, password: &str) -> (StatusCode, Value) {
        self.post(
            "/api/auth/login",
            json!({"login": login, "password": password}),
        )
        .await
    }

    pub async fn me(&self, token: &str) -> (StatusCode, Value) {
        let response = self
            .http
            .get(self.server.url("/api/auth/me"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn register(&self, email: &str, username: &str) -> Value {
        let (status, body) = self
            .post(
                "/api/auth/register",
                json!({"email": email, "username": username, "displayName": "Ana Lima", "password": "correct horse battery"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    pub async fn scalar(&self, query: &str) -> String {
        let row = self
            .db
            .query_one(Statement::from_string(
                self.db.get_database_backend(),
                query,
            ))
            .await
            .unwrap()
            .expect("a row");
        row.try_get_by_index::<String>(0).unwrap()
    }
}

/// Runs one scenario on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both {
    ($name:ident) => {
        on_both!($name, []);
    };
    ($name:ident, [$(($var:expr, $value:expr)),*]) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let h = $crate::common::harness::Harness::sqlite_with(&[$(($var, $value)),*]).await;
                super::$name(h).await;
            }
            #[tokio::test]
            async fn postgres() {
                let test = concat!(stringify!($name), "::postgres");
                if let Some(h) =
                    $crate::common::harness::Harness::postgres_with(test, &[$(($var, $value)),*]).await
                {
                    super::$name(h).await;
                }
            }
        }
    };
}
