//! A bot in Python's standard library, written from the docs, against the server.

use super::must;
use crate::common::harness::Harness;
use crate::public_api::make_token;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

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
