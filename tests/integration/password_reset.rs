//! Password reset by e-mail through the real server, on SQLite and PostgreSQL, with a real SMTP
//! server (aiosmtpd, installed by scripts/setup.sh; tests/fixtures/smtp_sink.py writes what it
//! receives to files): the same answer for any address, a hashed single-use token that expires,
//! every session ended, throttling per address and per client, and the log when no SMTP server
//! is configured.

use crate::common;

use std::{path::PathBuf, process::Stdio, time::Duration};

use crate::common::harness::Harness;
use bullpen::{auth::tokens::hash_refresh_token, entities::password_resets};
use reqwest::StatusCode;
use sea_orm::{sea_query::Expr, EntityTrait};
use serde_json::{json, Value};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

const PASSWORD: &str = "correct horse battery";
const NEW_PASSWORD: &str = "a brand new passphrase";
const PUBLIC_URL: &str = "https://bullpen.test";

/// aiosmtpd on a free port, writing each message it accepts into a directory.
struct SmtpSink {
    port: u16,
    dir: tempfile::TempDir,
    _child: Child,
}

impl SmtpSink {
    /// Starts the sink, or `None` (loudly) when aiosmtpd is not installed; under CI that fails.
    async fn start(test: &str) -> Option<SmtpSink> {
        let python = std::env::var("SMTP_TEST_PYTHON")
            .ok()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| {
                let venv = PathBuf::from(std::env::var("HOME").unwrap_or_default())
                    .join(".cache/bullpen/smtp-venv/bin/python");
                if venv.exists() {
                    venv.display().to_string()
                } else {
                    "python3".into()
                }
            });
        let installed = Command::new(&python)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await
            .is_ok_and(|s| s.success());
        if !installed {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{test}: aiosmtpd is not installed for {python}, and under CI nothing may be skipped (scripts/test installs it)"
            );
            eprintln!(
                "\n********\nSKIPPED {test}: aiosmtpd is not installed for {python}.\n\
                 Run scripts/test, or: source scripts/setup.sh && ensure_smtp_test_server\n********\n"
            );
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let script = format!("{}/tests/fixtures/smtp_sink.py", common::PROJECT_DIR);
        let mut child = Command::new(&python)
            .arg(script)
            .arg(port.to_string())
            .arg(dir.path())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the SMTP sink");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let ready = tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await;
        assert!(
            matches!(ready, Ok(Ok(Some(ref line))) if line == "ready"),
            "the SMTP sink did not start: {ready:?}"
        );
        Some(SmtpSink {
            port,
            dir,
            _child: child,
        })
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The messages received so far, in order.
    fn messages(&self) -> Vec<Value> {
        let mut files: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort_by_key(|p| {
            p.file_stem()
                .and_then(|s| s.to_str())
                .and_then(|s| s.parse::<u32>().ok())
        });
        files
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect()
    }

    /// Waits (up to 30 s) until `n` messages have arrived.
    async fn wait_for(&self, n: usize) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{} e-mail(s) arrived, {n} expected",
                messages.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The token in a reset link found in `text` (an e-mail or a log line).
fn token_in(text: &str, base: &str) -> String {
    let marker = format!("{base}/reset-password?token=");
    let at = text
        .find(&marker)
        .unwrap_or_else(|| panic!("no link to {marker} in {text:?}"))
        + marker.len();
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect()
}

async fn forgot(h: &Harness, email: &str) -> (StatusCode, Value) {
    h.post("/api/auth/forgot_password", json!({"email": email}))
        .await
}

async fn reset(h: &Harness, token: &str, password: &str) -> (StatusCode, Value) {
    h.post(
        "/api/auth/reset_password",
        json!({"token": token, "newPassword": password}),
    )
    .await
}

mod reset_by_email {
    use super::*;

    #[tokio::test]
    async fn sqlite() {
        let Some(sink) = SmtpSink::start("reset_by_email::sqlite").await else {
            return;
        };
        let h = Harness::sqlite_with(&[
            ("SMTP_URL", &sink.url()),
            ("BULLPEN_PUBLIC_URL", PUBLIC_URL),
            ("SMTP_FROM", "Bullpen <no-reply@bullpen.test>"),
        ])
        .await;
        super::reset_by_email(h, sink).await;
    }

    #[tokio::test]
    async fn postgres() {
        let Some(sink) = SmtpSink::start("reset_by_email::postgres").await else {
            return;
        };
        let env = [
            ("SMTP_URL", sink.url()),
            ("BULLPEN_PUBLIC_URL", PUBLIC_URL.into()),
            ("SMTP_FROM", "Bullpen <no-reply@bullpen.test>".into()),
        ];
        let env: Vec<(&'static str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        if let Some(h) = Harness::postgres_with("reset_by_email::postgres", &env).await {
            super::reset_by_email(h, sink).await;
        }
    }
}

async fn reset_by_email(h: Harness, sink: SmtpSink) {
    let registered = h
        .post(
            "/api/auth/register",
            json!({"email": "ana@example.com", "username": "ana_lima", "displayName": "Ana Lima", "password": PASSWORD, "preferredLanguage": "es"}),
        )
        .await
        .1;
    let (_, second) = h.login("ana_lima", PASSWORD).await;
    let sessions = [registered, second];

    // The same answer for an address with no account as for one with an account.
    let unknown = forgot(&h, "nobody@example.com").await;
    let known = forgot(&h, "ANA@example.com").await;
    assert_eq!(unknown, known);
    assert_eq!(known.0, StatusCode::OK);
    // A malformed address is refused whoever asks.
    let (status, body) = forgot(&h, "not an address").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("validation"))
    );

    let messages = sink.wait_for(1).await;
    assert_eq!(
        messages.len(),
        1,
        "only the known address gets mail: {messages:?}"
    );
    let mail = &messages[0];
    assert_eq!(mail["rcptTos"], json!(["ana@example.com"]));
    assert_eq!(mail["mailFrom"], "no-reply@bullpen.test");
    // In the person's language.
    assert_eq!(mail["subject"], "Restablece tu contraseña de Bullpen");
    let text = mail["text"].as_str().unwrap();
    assert!(
        text.contains("Ana Lima") && text.contains("30 minutos"),
        "{text}"
    );
    let token = token_in(text, PUBLIC_URL);
    assert_eq!(token.len(), 64);

    // Stored as its SHA-256 only.
    let stored = h.scalar("SELECT token_hash FROM password_resets").await;
    assert_ne!(stored, token);
    assert_eq!(stored, hash_refresh_token(&token));

    // A password the rules refuse does not spend the link.
    let (status, body) = reset(&h, &token, "short").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("validation"))
    );

    let (status, body) = reset(&h, &token, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Every session has ended: access tokens and refresh tokens alike.
    for session in &sessions {
        assert_eq!(
            h.me(session["token"].as_str().unwrap()).await.0,
            StatusCode::UNAUTHORIZED
        );
        let (status, _) = h
            .post(
                "/api/auth/refresh",
                json!({"refreshToken": session["refreshToken"]}),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Single use.
    let (status, body) = reset(&h, &token, "yet another passphrase").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::GONE, Some("link_expired"))
    );
    assert_eq!(
        h.login("ana_lima", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(h.login("ana_lima", NEW_PASSWORD).await.0, StatusCode::OK);

    // A link past its 30 minutes is refused; so is one never issued.
    assert_eq!(forgot(&h, "ana@example.com").await.0, StatusCode::OK);
    let later = token_in(
        sink.wait_for(2).await[1]["text"].as_str().unwrap(),
        PUBLIC_URL,
    );
    password_resets::Entity::update_many()
        .col_expr(
            password_resets::Column::ExpiresAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::minutes(1)),
        )
        .exec(&h.db)
        .await
        .unwrap();
    let (status, body) = reset(&h, &later, "yet another passphrase").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::GONE, Some("link_expired"))
    );
    let (status, _) = reset(&h, &"ab".repeat(32), "yet another passphrase").await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(h.login("ana_lima", NEW_PASSWORD).await.0, StatusCode::OK);
}

on_both!(without_smtp_the_link_goes_to_the_log);
async fn without_smtp_the_link_goes_to_the_log(h: Harness) {
    h.register("ana@example.com", "ana_lima").await;
    assert_eq!(forgot(&h, "ana@example.com").await.0, StatusCode::OK);
    // No public address configured: the link uses the address the request came to.
    let line = h.server.wait_for_log("reset-password?token=").await;
    let token = token_in(&line, &h.server.base);
    let (status, body) = reset(&h, &token, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(h.login("ana_lima", NEW_PASSWORD).await.0, StatusCode::OK);
}

on_both!(requests_are_throttled_per_address_and_per_client);
async fn requests_are_throttled_per_address_and_per_client(h: Harness) {
    h.register("ana@example.com", "ana_lima").await;
    let ask = |email: &'static str, client: &'static str| {
        let request = h
            .http
            .post(h.server.url("/api/auth/forgot_password"))
            .header("x-forwarded-for", client)
            .json(&json!({"email": email}));
        async move { request.send().await.unwrap().status() }
    };
    // Per address, from different clients: a known and an unknown address are treated alike.
    for email in ["ana@example.com", "ghost@example.com"] {
        for n in 0..3 {
            let client: &'static str = ["198.51.100.1", "198.51.100.2", "198.51.100.3"][n];
            assert_eq!(ask(email, client).await, StatusCode::OK, "{email} #{n}");
        }
        assert_eq!(
            ask(email, "198.51.100.4").await,
            StatusCode::TOO_MANY_REQUESTS,
            "{email}"
        );
    }
    // Per client, across addresses.
    const ADDRESSES: [&str; 11] = [
        "a0@example.com",
        "a1@example.com",
        "a2@example.com",
        "a3@example.com",
        "a4@example.com",
        "a5@example.com",
        "a6@example.com",
        "a7@example.com",
        "a8@example.com",
        "a9@example.com",
        "a10@example.com",
    ];
    for email in &ADDRESSES[..10] {
        assert_eq!(ask(email, "203.0.113.9").await, StatusCode::OK, "{email}");
    }
    assert_eq!(
        ask(ADDRESSES[10], "203.0.113.9").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}
