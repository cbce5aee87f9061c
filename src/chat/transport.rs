//! The websocket under `chat_socket`: server_fn's protocol on our own upgrade.
//!
//! server_fn's stock axum backend upgrades with tungstenite's defaults — a 128 KiB read buffer
//! that tungstenite zero-fills on the first read, so every idle tab costs the server ~130 KiB —
//! and writes each frame with its own flush (one syscall per frame). Here the upgrade asks for a
//! small read buffer, and the writer sends whatever frames are waiting with one flush. The bytes
//! on the wire are exactly server_fn's (see docs/PROTOCOL.md), so the browser side is unchanged.

use std::{borrow::Cow, future::Future};

use axum::{
    body::Body,
    extract::{
        ws::{Message, WebSocket, WebSocketUpgrade},
        FromRequest, State,
    },
    http::Request,
    response::Response,
};
use bytes::Bytes;
use futures::{channel::mpsc, Sink, SinkExt, Stream, StreamExt};
use leptos::{
    prelude::{provide_context, Owner},
    reactive::computed::ScopedFuture,
    server_fn::{
        error::{FromServerFnError, ServerFnErrorErr},
        request::Req,
        server::Server,
        ServerFn,
    },
};
use leptos_axum::ResponseOptions;

use super::api::ChatSocketArgs;
use crate::platform::{error::AppError, server::AppState};

/// Bytes read from the socket at a time. Client events are small (a message is at most 4,000
/// characters); a bigger frame still arrives, in several reads.
const READ_BUFFER: usize = 4 * 1024;
/// Frames written before a flush is forced even if more are waiting.
const WRITE_BUFFER: usize = 64 * 1024;
/// Frames queued for the socket writer (it drains them in batches).
const OUTGOING: usize = 256;
/// Client events queued for the connection.
const INCOMING: usize = 64;

/// The server_fn backend for `chat_socket`.
pub struct ChatBackend;

impl Server<AppError> for ChatBackend {
    type Request = SocketRequest;
    type Response = Response<Body>;

    fn spawn(future: impl Future<Output = ()> + Send + 'static) -> Result<(), AppError> {
        tokio::spawn(future);
        Ok(())
    }
}

/// The upgrade request; everything but the upgrade itself is the plain axum request's.
pub struct SocketRequest(Request<Body>);

impl Req<AppError> for SocketRequest {
    type WebsocketResponse = Response<Body>;

    fn as_query(&self) -> Option<&str> {
        Req::<AppError>::as_query(&self.0)
    }

    fn to_content_type(&self) -> Option<Cow<'_, str>> {
        Req::<AppError>::to_content_type(&self.0)
    }

    fn accepts(&self) -> Option<Cow<'_, str>> {
        Req::<AppError>::accepts(&self.0)
    }

    fn referer(&self) -> Option<Cow<'_, str>> {
        Req::<AppError>::referer(&self.0)
    }

    async fn try_into_bytes(self) -> Result<Bytes, AppError> {
        Req::<AppError>::try_into_bytes(self.0).await
    }

    async fn try_into_string(self) -> Result<String, AppError> {
        Req::<AppError>::try_into_string(self.0).await
    }

    fn try_into_stream(
        self,
    ) -> Result<impl Stream<Item = Result<Bytes, Bytes>> + Send + 'static, AppError> {
        Req::<AppError>::try_into_stream(self.0)
    }

    async fn try_into_websocket(
        self,
    ) -> Result<
        (
            impl Stream<Item = Result<Bytes, Bytes>> + Send + 'static,
            impl Sink<Bytes> + Send + 'static,
            Response<Body>,
        ),
        AppError,
    > {
        let upgrade = WebSocketUpgrade::from_request(self.0, &()).await.map_err(|refusal| {
            AppError::Transport(ServerFnErrorErr::Args(format!(
                "This address takes websocket connections only: {}",
                refusal.body_text()
            )))
        });
        let upgrade = crate::platform::server::respond(upgrade)?;
        let (incoming_tx, incoming) = mpsc::channel::<Result<Bytes, Bytes>>(INCOMING);
        let (outgoing, outgoing_rx) = mpsc::channel::<Bytes>(OUTGOING);
        let response = upgrade
            .read_buffer_size(READ_BUFFER)
            .write_buffer_size(WRITE_BUFFER)
            .on_upgrade(move |socket| pump(socket, incoming_tx, outgoing_rx));
        Ok((incoming, outgoing, response))
    }
}

/// Moves frames between the socket and the connection until either side ends: client frames
/// up as they arrive; server frames down in batches, one flush for all that are waiting.
async fn pump(
    mut socket: WebSocket,
    mut incoming: mpsc::Sender<Result<Bytes, Bytes>>,
    mut outgoing: mpsc::Receiver<Bytes>,
) {
    loop {
        tokio::select! {
            frame = outgoing.next() => {
                let Some(frame) = frame else { break };
                if write_batch(&mut socket, frame, &mut outgoing).await.is_err() {
                    break;
                }
            }
            received = socket.recv() => {
                let bytes = match received {
                    Some(Ok(Message::Binary(bytes))) => Ok(bytes),
                    Some(Ok(Message::Text(text))) => Ok(Bytes::from(text)),
                    // tungstenite answers pings by itself.
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_))) | None => break,
                    Some(Err(error)) => Err(AppError::from_server_fn_error(
                        ServerFnErrorErr::Request(error.to_string()),
                    )
                    .ser()),
                };
                if incoming.send(bytes).await.is_err() {
                    break;
                }
            }
        }
    }
    let _ = socket.send(Message::Close(None)).await;
}

async fn write_batch(
    socket: &mut WebSocket,
    first: Bytes,
    waiting: &mut mpsc::Receiver<Bytes>,
) -> Result<(), axum::Error> {
    socket.feed(Message::Binary(first)).await?;
    // Whatever else is already queued goes out with the same flush.
    for _ in 0..OUTGOING {
        match waiting.try_recv() {
            Ok(frame) => socket.feed(Message::Binary(frame)).await?,
            _ => break,
        }
    }
    socket.flush().await
}

/// `GET /api/chat/socket`: runs the `chat_socket` server function the way leptos_axum runs the
/// others — with the request parts, the app state and response options in its context — and
/// gives a refusal its status (401 for a guest) instead of server_fn's blanket 500.
pub async fn handle(State(state): State<AppState>, request: Request<Body>) -> Response {
    let (parts, body) = request.into_parts();
    let request = Request::from_parts(parts.clone(), body);
    let owner = Owner::new();
    owner
        .with(|| {
            ScopedFuture::new(async move {
                provide_context(parts);
                provide_context(state);
                let options = ResponseOptions::default();
                provide_context(options.clone());
                let mut response = ChatSocketArgs::run_on_server(SocketRequest(request)).await;
                let changes = options.0.read().unwrap_or_else(|poisoned| poisoned.into_inner());
                if let Some(status) = changes.status {
                    *response.status_mut() = status;
                }
                response.headers_mut().extend(changes.headers.clone());
                response
            })
        })
        .await
}
