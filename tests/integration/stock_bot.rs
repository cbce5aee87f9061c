//! The `/stock` bot through the real server: the command goes to the broker's queue, the bot
//! answers in the channel as the Stock Bot — as a task of the server (SQLite and PostgreSQL),
//! and as its own `bullpen bot` process over Redis.

use crate::common;

use std::{process::Stdio, time::Duration};

use crate::common::{
    harness::Harness, postgres_url, redis_url, unique_prefix, ws::ChatClient, SharedStore,
};
use serde_json::{json, Value};

/// #general of the community every account joins.
async fn general(base: &str, token: &str) -> String {
    let view: Value = reqwest::Client::new()
        .get(format!("{base}/api/communities/view?slug=bullpen"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    view["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "general")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The next message the bot posts, skipping everything else on the socket.
async fn bot_message(socket: &mut ChatClient, wait: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + wait;
    while let Some(left) = deadline.checked_duration_since(tokio::time::Instant::now()) {
        let event = socket.try_next_event(left).await?;
        if event["type"] == "messageCreated" && event["message"]["author"]["username"] == "stockbot"
        {
            return Some(event["message"].clone());
        }
    }
    None
}

/// The command's private reply and the bot's answer, in whichever order they come: the bot may
/// be quicker than the reply.
async fn reply_and_answer(socket: &mut ChatClient, nonce: &str) -> (Value, Value) {
    let (mut reply, mut answer) = (None, None);
    while reply.is_none() || answer.is_none() {
        let event = socket
            .try_next_event(Duration::from_secs(20))
            .await
            .expect("the reply and the bot's answer");
        if event["type"] == "commandReply" && event["nonce"] == nonce {
            reply = Some(event);
        } else if event["type"] == "messageCreated"
            && event["message"]["author"]["username"] == "stockbot"
        {
            answer = Some(event["message"].clone());
        }
    }
    (reply.unwrap(), answer.unwrap())
}

on_both!(the_stock_bot_answers_every_request_in_the_channel);
async fn the_stock_bot_answers_every_request_in_the_channel(h: Harness) {
    let ana = h.register("ana@example.com", "ana").await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let channel = general(&h.server.base, &ana).await;
    let mut socket = ChatClient::connect(&h.server.base, &ana).await;
    socket.subscribe(&channel, None).await;

    socket.say(&channel, "q1", "/stock=aapl.us").await;
    let (asked, answer) = reply_and_answer(&mut socket, "q1").await;
    assert_eq!(
        common::read_sentence(&asked["lines"][0], "en"),
        "Asked the stock bot about AAPL.US…"
    );
    assert_eq!(
        common::read_sentence(&asked["lines"][0], "es"),
        "Se ha preguntado al bot de bolsa por AAPL.US…"
    );
    let body = answer["body"].as_str().unwrap();
    // Offline data: a price, labelled as simulated.
    let price: f64 = body
        .strip_prefix("AAPL.US quote is $")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("{body}"));
    assert!(
        price > 0.0 && body.ends_with("per share (simulated: offline data, not a real price)"),
        "{body}"
    );
    assert_eq!(answer["author"]["displayName"], "Stock Bot");

    socket.say(&channel, "q2", "/stock ZZZZ").await;
    let unknown = bot_message(&mut socket, Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(
        unknown["body"],
        "I couldn't find a stock called ZZZZ. Check the symbol, e.g. /stock=aapl.us."
    );
    socket.say(&channel, "q3", "/stock=<b>!!</b>").await;
    let unreadable = bot_message(&mut socket, Duration::from_secs(20))
        .await
        .unwrap();
    assert!(
        unreadable["body"]
            .as_str()
            .unwrap()
            .contains("doesn't look like a stock symbol"),
        "{unreadable}"
    );
    // What the caller typed is quoted, never turned into markup: no link in the bot's words.
    socket
        .say(&channel, "q5", "/stock [free money](https://evil.example)")
        .await;
    let quoted = bot_message(&mut socket, Duration::from_secs(20))
        .await
        .unwrap();
    let body = quoted["body"].as_str().unwrap();
    let rendered = format!("{:?}", bullpen::kit::markdown::parse(body));
    assert!(!rendered.contains("Link"), "{rendered}");
    assert!(
        bullpen::kit::markdown::plain_text(body).contains("[free money](https://evil.example)"),
        "{body}"
    );
    socket.say(&channel, "q4", "/stock").await;
    let usage = socket.expect("commandReply").await;
    assert_eq!(
        common::read_sentence(&usage["lines"][0], "en"),
        "Which stock? Try /stock=aapl.us or /stock AAPL."
    );

    // The commands themselves were never stored; the bot's four answers were.
    assert_eq!(
        h.scalar("SELECT CAST(COUNT(*) AS TEXT) FROM messages WHERE body LIKE '/stock%'")
            .await,
        "0"
    );
    let from_bot = "SELECT CAST(COUNT(*) AS TEXT) FROM messages m JOIN users u ON u.id = m.author_id WHERE u.username = 'stockbot'";
    assert_eq!(h.scalar(from_bot).await, "4");
    // Nobody can sign in as the bot.
    let (status, _) = h.login("stockbot", "anything at all").await;
    assert_eq!(status.as_u16(), 401);
}

#[tokio::test]
async fn a_separate_bot_process_answers_through_redis() {
    let test = "a_separate_bot_process_answers_through_redis";
    let (Some(database), Some(redis)) = (postgres_url(test), redis_url(test)) else {
        return;
    };
    let store = SharedStore::create(&database, &redis).await;
    // This server never answers /stock itself.
    let no_bot = [("STOCK_BOT", "off")];
    let server = store.start(&no_bot).await;
    let env = store.env(&no_bot);
    let registered: Value = reqwest::Client::new()
        .post(server.url("/api/auth/register"))
        .json(&json!({"email": "bo@example.com", "username": "bo_b", "displayName": "Bo", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = registered["token"].as_str().unwrap().to_string();
    let channel = general(&server.base, &token).await;
    let mut socket = ChatClient::connect(&server.base, &token).await;
    socket.subscribe(&channel, None).await;

    // No bot running: the request waits in the Redis stream.
    socket.say(&channel, "q1", "/stock=msft").await;
    assert_eq!(socket.expect("commandReply").await["nonce"], "q1");
    assert!(
        bot_message(&mut socket, Duration::from_millis(1500))
            .await
            .is_none(),
        "the server did not answer itself"
    );

    let bot_dir = tempfile::tempdir().unwrap();
    let mut bot = common::bullpen(bot_dir.path(), &env)
        .arg("bot")
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn bullpen bot");
    let answer = bot_message(&mut socket, Duration::from_secs(30))
        .await
        .expect("the bot process answers the waiting request");
    assert!(
        answer["body"]
            .as_str()
            .unwrap()
            .starts_with("MSFT quote is $"),
        "{answer}"
    );

    socket.say(&channel, "q2", "/stock IBM").await;
    let answer = bot_message(&mut socket, Duration::from_secs(20))
        .await
        .unwrap();
    assert!(
        answer["body"]
            .as_str()
            .unwrap()
            .starts_with("IBM quote is $"),
        "{answer}"
    );
    bot.kill().await.unwrap();
    server.stop().await;
}

/// Two deployments (each its own database) on one Redis, each with its bots: every request is
/// answered by its own deployment. Without a prefix the other deployment's bot took about half
/// of them, found no such channel in its database, and dropped them.
#[tokio::test]
async fn deployments_sharing_one_redis_answer_only_their_own_requests() {
    let Some(redis) = redis_url("deployments_sharing_one_redis_answer_only_their_own_requests")
    else {
        return;
    };
    let (one, _two) = (
        Harness::sqlite_with(&[("REDIS_URL", &redis), ("REDIS_PREFIX", &unique_prefix())]).await,
        Harness::sqlite_with(&[("REDIS_URL", &redis), ("REDIS_PREFIX", &unique_prefix())]).await,
    );
    let ana = one.register("ana@example.com", "ana").await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let channel = general(&one.server.base, &ana).await;
    let mut socket = ChatClient::connect(&one.server.base, &ana).await;
    socket.subscribe(&channel, None).await;
    for i in 0..10 {
        socket
            .say(&channel, &format!("q{i}"), "/stock=aapl.us")
            .await;
    }
    for answered in 0..10 {
        bot_message(&mut socket, Duration::from_secs(30))
            .await
            .unwrap_or_else(|| panic!("only {answered} of 10 answered"));
    }
}
