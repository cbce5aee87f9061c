//! The websocket under `chat_socket`: server_fn's protocol on our own upgrade.
//!
//! server_fn's stock axum backend upgrades with tungstenite's defaults — a 128 KiB read buffer
//! that tungstenite zero-fills on the first read, so every idle tab costs the server ~130 KiB —
//! and puts a task and two channels between the socket and the server function. Here the
//! upgrade asks for a small read buffer and hands the socket's two halves straight to the server
//! function: its input stream reads the socket, and server_fn's own output task writes to it, so
//! one task per tab does everything (see `chat::socket`). The bytes on the wire are exactly
//! server_fn's (docs/PROTOCOL.md), so the browser side is unchanged.

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
use futures::{
    channel::oneshot,
    future, sink,
    stream::{self, SplitSink, SplitStream},
    Sink, SinkExt, Stream, StreamExt,
};
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
use crate::platform::{error::AppError, state::AppState};

/// Bytes read from the socket at a time, kept by every connection. Client events are small (a
/// typing note or a short message fits); a bigger frame still arrives, the buffer growing to it
/// for that read. 4 KiB was the largest single part of an idle connection's memory (heaptrack).
const READ_BUFFER: usize = 1024;

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
        let upgrade = WebSocketUpgrade::from_request(self.0, &())
            .await
            .map_err(|refusal| {
                AppError::Transport(ServerFnErrorErr::Args(format!(
                    "This address takes websocket connections only: {}",
                    refusal.body_text()
                )))
            });
        let upgrade = crate::platform::state::respond(upgrade)?;
        // The socket exists only once the 101 response is out; its halves arrive then.
        let (reader_tx, reader) = oneshot::channel::<SplitStream<WebSocket>>();
        let (writer_tx, writer) = oneshot::channel::<SplitSink<WebSocket, Message>>();
        let response = upgrade
            .read_buffer_size(READ_BUFFER)
            .on_upgrade(move |socket| async move {
                let (writer, reader) = socket.split();
                let _ = reader_tx.send(reader);
                let _ = writer_tx.send(writer);
            });
        let incoming = stream::once(reader)
            .filter_map(|reader| future::ready(reader.ok()))
            .flatten()
            .take_while(|received| future::ready(!matches!(received, Ok(Message::Close(_)))))
            .filter_map(|received| {
                future::ready(match received {
                    Ok(Message::Binary(bytes)) => Some(Ok(bytes)),
                    Ok(Message::Text(text)) => Some(Ok(Bytes::from(text))),
                    // tungstenite answers pings by itself.
                    Ok(_) => None,
                    Err(error) => Some(Err(AppError::from_server_fn_error(
                        ServerFnErrorErr::Request(error.to_string()),
                    )
                    .ser())),
                })
            });
        let outgoing = sink::unfold(Writer::Waiting(writer), |writer, frame: Bytes| async move {
            let mut socket = match writer {
                Writer::Waiting(upgraded) => upgraded.await.map_err(|_| Closed)?,
                Writer::Open(socket) => socket,
            };
            // server_fn puts a tag byte before each frame: a lone tag is the connection's
            // goodbye (chat::socket::GOODBYE), answered with a proper Close.
            if frame.len() == 1 {
                let _ = socket.send(Message::Close(None)).await;
                return Err(Closed);
            }
            socket
                .send(Message::Binary(frame))
                .await
                .map_err(|_| Closed)?;
            Ok::<_, Closed>(Writer::Open(socket))
        });
        Ok((incoming, outgoing, response))
    }
}

/// The write half of the socket, once the upgrade is done.
enum Writer {
    Waiting(oneshot::Receiver<SplitSink<WebSocket, Message>>),
    Open(SplitSink<WebSocket, Message>),
}

/// The tab is gone (or never finished the upgrade).
#[derive(Debug)]
struct Closed;

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
                let changes = options
                    .0
                    .read()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                if let Some(status) = changes.status {
                    *response.status_mut() = status;
                }
                response.headers_mut().extend(changes.headers.clone());
                response
            })
        })
        .await
}
