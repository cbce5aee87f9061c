//! The gateway: intents, scopes over the socket, revocation, resuming, refusals before the
//! upgrade.

use super::bot;
use crate::common::{harness::Harness, ws::ChatClient};
use crate::public_api::api;
use reqwest::{Method, StatusCode};
use serde_json::json;

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
