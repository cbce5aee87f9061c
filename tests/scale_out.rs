//! Scale-out: two Bullpen instances on one PostgreSQL and one Redis, as behind a load balancer.
//! A message, typing and presence on instance A reach a client connected to instance B.

#![cfg(feature = "ssr")]

mod common;

use std::collections::HashMap;

use common::{harness::SECRET, postgres_url, redis_url, ws::ChatClient, ScratchDatabase, TestServer};
use reqwest::Client;
use serde_json::{json, Value};

async fn post(http: &Client, url: String, token: Option<&str>, body: Value) -> Value {
    let mut request = http.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap_or(Value::Null)
}

#[tokio::test]
async fn two_instances_share_messages_typing_and_presence() {
    let (Some(database), Some(redis)) = (
        postgres_url("two_instances_share_messages_typing_and_presence"),
        redis_url("two_instances_share_messages_typing_and_presence"),
    ) else {
        return;
    };
    let scratch = ScratchDatabase::create(&database).await;
    let env = || {
        HashMap::from([
            ("DATABASE_URL", scratch.url()),
            ("REDIS_URL", redis.clone()),
            ("JWT_SECRET", SECRET.to_string()),
        ])
    };
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = TestServer::start(dir_a.path(), env()).await;
    let b = TestServer::start(dir_b.path(), env()).await;
    let http = Client::new();

    // Ana signs up on A, Bo on B: one database, so each instance knows both.
    let register = |server: &TestServer, name: &str| {
        post(
            &http,
            server.url("/api/auth/register"),
            None,
            json!({"email": format!("{name}@example.com"), "username": name, "displayName": name, "password": "correct horse battery"}),
        )
    };
    let ana = register(&a, "ana").await["token"].as_str().unwrap().to_string();
    let bo = register(&b, "bo_b").await["token"].as_str().unwrap().to_string();
    let view = http
        .get(b.url("/api/communities/view?slug=bullpen"))
        .bearer_auth(&bo)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let general = view["channels"][0]["id"].as_str().unwrap().to_string();

    let mut on_a = ChatClient::connect(&a.base, &ana).await;
    on_a.subscribe(&general, None).await;
    let mut on_b = ChatClient::connect(&b.base, &bo).await;
    on_b.subscribe(&general, None).await;

    // Presence: Bo came online on B; Ana hears it on A.
    let presence = on_a.expect("presence").await;
    assert_eq!((presence["online"].as_bool(), presence["userId"].is_string()), (Some(true), true));

    on_b.send(json!({"type": "typing", "channelId": general, "typing": true})).await;
    assert_eq!(on_a.expect("typing").await["user"]["username"], "bo_b");

    on_b.say(&general, "n1", "hello from instance B").await;
    let created = on_a.expect("messageCreated").await;
    assert_eq!(created["message"]["body"], "hello from instance B");
    assert_eq!(created["message"]["seq"], 1);
    // …and on B itself, once.
    assert_eq!(on_b.expect("messageCreated").await["message"]["seq"], 1);

    on_a.say(&general, "n2", "and back from A").await;
    assert_eq!(on_b.expect("messageCreated").await["message"]["seq"], 2);

    // Both instances see both people online (presence lives in the shared database).
    let members = http
        .get(a.url("/api/communities/members?slug=bullpen"))
        .bearer_auth(&ana)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert!(members.as_array().unwrap().iter().all(|m| m["online"] == true), "{members}");

    on_b.kill();
    let gone = on_a.expect("presence").await;
    assert_eq!(gone["online"], false);
    a.stop().await;
    b.stop().await;
    scratch.drop_now().await;
}
