//! A websocket client for the realtime channel, speaking the wire format of docs/PROTOCOL.md:
//! binary frames of one tag byte (0 = ok, 1 = error) followed by JSON — one event, or several
//! one per line.

use std::{
    collections::{HashMap, VecDeque},
    time::Duration,
};

use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::{
    connect_async,
    tungstenite::{client::IntoClientRequest, http::HeaderValue, Message},
    MaybeTlsStream, WebSocketStream,
};

pub struct ChatClient {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Events of a frame that carried several, not yet taken.
    pending: VecDeque<Value>,
    /// This connection's id, from `ready`: its address on a call.
    #[allow(dead_code)] // Only the voice suite calls.
    pub connection_id: String,
    /// Whom `ready` said the socket is for: empty for a guest's.
    #[allow(dead_code)] // Only the suites about guests read it.
    pub user_id: String,
    /// The newest roster revision heard, by call.
    revisions: HashMap<String, i64>,
}

impl ChatClient {
    /// Connects as the owner of `token` and waits for `ready`.
    pub async fn connect(base: &str, token: &str) -> ChatClient {
        ChatClient::open(base, Some(token)).await
    }

    /// Connects with no credentials, as a guest's tab, and waits for `ready`.
    #[allow(dead_code)] // Only the live price suite is a guest.
    pub async fn connect_guest(base: &str) -> ChatClient {
        ChatClient::open(base, None).await
    }

    /// Connects to the bots' gateway (`/api/v1/gateway` and its `query`, `?intents=…`) with
    /// a personal access token, and waits for `ready`.
    #[allow(dead_code)] // Only the bot platform's suite is a bot.
    pub async fn gateway(base: &str, query: &str, token: &str) -> ChatClient {
        ChatClient::open_at(base, &format!("/api/v1/gateway{query}"), Some(token)).await
    }

    async fn open(base: &str, token: Option<&str>) -> ChatClient {
        ChatClient::open_at(base, "/api/chat/socket", token).await
    }

    async fn open_at(base: &str, path: &str, token: Option<&str>) -> ChatClient {
        let url = format!("{}{path}", base.replacen("http://", "ws://", 1));
        let mut request = url.into_client_request().unwrap();
        if let Some(token) = token {
            request.headers_mut().insert(
                "Authorization",
                HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
            );
        }
        let (socket, _) = connect_async(request).await.expect("websocket upgrade");
        ChatClient::opened(socket).await
    }

    /// A client on a socket whose upgrade succeeded, once `ready` has come.
    pub async fn opened(socket: WebSocketStream<MaybeTlsStream<TcpStream>>) -> ChatClient {
        let mut client = ChatClient {
            socket,
            pending: VecDeque::new(),
            connection_id: String::new(),
            user_id: String::new(),
            revisions: HashMap::new(),
        };
        let ready = client.next_event().await;
        assert_eq!(ready["type"], "ready", "{ready}");
        client.connection_id = ready["connectionId"].as_str().unwrap().to_string();
        client.user_id = ready["userId"].as_str().unwrap().to_string();
        client
    }

    pub async fn send(&mut self, event: Value) {
        let mut frame = vec![0u8];
        frame.extend_from_slice(event.to_string().as_bytes());
        self.socket
            .send(Message::Binary(frame.into()))
            .await
            .expect("send");
    }

    /// Subscribes to a channel; returns what came before the confirmation (the replay when
    /// `after_seq` is given).
    pub async fn subscribe(&mut self, channel: &str, after_seq: Option<i64>) -> Vec<Value> {
        self.send(
            serde_json::json!({"type": "subscribe", "channelId": channel, "afterSeq": after_seq}),
        )
        .await;
        let mut before = Vec::new();
        loop {
            let event = self.next_event().await;
            if event["type"] == "subscribed" {
                return before;
            }
            before.push(event);
        }
    }

    pub async fn say(&mut self, channel: &str, nonce: &str, body: &str) {
        self.send(
            serde_json::json!({"type": "send", "channelId": channel, "nonce": nonce, "body": body}),
        )
        .await;
    }

    /// The next event, or a panic after 10 s.
    pub async fn next_event(&mut self) -> Value {
        self.try_next_event(Duration::from_secs(10))
            .await
            .expect("an event within 10 s")
    }

    /// The next `notified` event's item within `wait`, other events passed over.
    #[allow(dead_code)] // Not every suite listens for notifications.
    pub async fn notified_within(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        while let Some(event) = self
            .try_next_event(deadline.saturating_duration_since(tokio::time::Instant::now()))
            .await
        {
            if event["type"] == "notified" {
                return Some(event["item"].clone());
            }
        }
        None
    }

    /// The next event within `wait`, if one comes.
    pub async fn try_next_event(&mut self, wait: Duration) -> Option<Value> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            let message = tokio::time::timeout(wait, self.socket.next())
                .await
                .ok()??;
            // A connection that ends without a close handshake has ended all the same.
            let Ok(message) = message else { return None };
            match message {
                Message::Binary(bytes) => {
                    assert_eq!(
                        bytes[0],
                        0,
                        "an ok frame: {:?}",
                        String::from_utf8_lossy(&bytes)
                    );
                    for line in bytes[1..].split(|b| *b == b'\n') {
                        self.pending
                            .push_back(serde_json::from_slice(line).expect("JSON event"));
                    }
                }
                Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// Skips events until one of this type arrives.
    pub async fn expect(&mut self, kind: &str) -> Value {
        let mut passed = Vec::new();
        loop {
            let Some(event) = self.try_next_event(Duration::from_secs(10)).await else {
                panic!("no {kind} within 10 s; passed over: {passed:?}");
            };
            if event["type"] == kind {
                return event;
            }
            passed.push(event["type"].clone());
        }
    }

    /// The next roster of a call newer than any this tab has heard of that call, as the app
    /// keeps them: rosters may arrive out of order, and an older one is passed over.
    #[allow(dead_code)] // Only the voice suites call.
    pub async fn roster(&mut self) -> Value {
        loop {
            let roster = self.expect("voiceRoster").await["roster"].clone();
            let channel = roster["channelId"].as_str().unwrap().to_string();
            let revision = roster["revision"].as_i64().expect("a roster's revision");
            let known = self.revisions.entry(channel).or_insert(0);
            if revision > *known {
                *known = revision;
                return roster;
            }
        }
    }

    /// Everything that arrives until `quiet` passes without an event.
    pub async fn drain(&mut self, quiet: Duration) -> Vec<Value> {
        let mut events = Vec::new();
        while let Some(event) = self.try_next_event(quiet).await {
            events.push(event);
        }
        events
    }

    /// Closes the sending side (a websocket Close); events already on their way still arrive.
    pub async fn close(&mut self) {
        self.socket.close(None).await.expect("close");
    }

    /// Drops the connection without a goodbye, as a network failure would.
    pub fn kill(self) {
        drop(self.socket);
    }
}
