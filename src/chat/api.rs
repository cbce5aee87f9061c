//! The chat API: the realtime websocket (`/api/chat/socket`), the reads that don't need it
//! (history pages, pins), and deleting a whole community (here, above the community floor,
//! because what chat keeps of a community goes with it).

use leptos::prelude::*;
use leptos::server_fn::{
    codec::{GetUrl, JsonEncoding},
    BoxedStream, Bytes, ContentType, Decodes, Encodes, Format, FormatType, ServerFn, Websocket,
};

use super::{ChatMessage, ClientEvent, HistoryPage, HomeChat, OpenedChannel, ServerEvent};
use crate::platform::error::AppError;

/// What travels down the socket: one server event's JSON, serialised once by the publisher and
/// shared by every subscriber (cloning `Bytes` copies no data) — or, when several events wait
/// for the same tab, several JSON documents, one per line. (JSON text never holds a raw newline:
/// serde_json escapes it inside strings.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame(pub Bytes);

impl Frame {
    pub fn events(&self) -> impl Iterator<Item = Result<ServerEvent, serde_json::Error>> + '_ {
        self.0
            .split(|byte| *byte == b'\n')
            .filter(|line| !line.is_empty())
            .map(serde_json::from_slice)
    }
}

/// The socket's downward encoding: frames are already JSON, so encoding is a no-op.
pub struct FrameEncoding;

impl ContentType for FrameEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for FrameEncoding {
    const FORMAT_TYPE: Format = Format::Binary;
}

impl Encodes<Frame> for FrameEncoding {
    type Error = std::convert::Infallible;

    fn encode(frame: &Frame) -> Result<Bytes, Self::Error> {
        Ok(frame.0.clone())
    }
}

impl Decodes<Frame> for FrameEncoding {
    type Error = std::convert::Infallible;

    fn decode(bytes: Bytes) -> Result<Frame, Self::Error> {
        Ok(Frame(bytes))
    }
}

/// The arguments of the realtime server function: the tab's stream of `ClientEvent`s.
///
/// `chat_socket` is written out by hand rather than with `#[server]` for one reason: on the
/// server, the macro always picks server_fn's stock axum backend, whose websocket upgrade keeps
/// tungstenite's 128 KiB read buffer per connection and flushes after every frame. This
/// `ServerFn` names its own backend (`chat::transport`), which upgrades with small buffers and
/// writes frames in batches. The browser side, the URL and the wire format are server_fn's own.
pub struct ChatSocketArgs {
    input: BoxedStream<ClientEvent, AppError>,
}

impl std::ops::Deref for ChatSocketArgs {
    type Target = BoxedStream<ClientEvent, AppError>;

    fn deref(&self) -> &Self::Target {
        &self.input
    }
}

impl From<BoxedStream<ClientEvent, AppError>> for ChatSocketArgs {
    fn from(input: BoxedStream<ClientEvent, AppError>) -> Self {
        ChatSocketArgs { input }
    }
}

impl From<ChatSocketArgs> for BoxedStream<ClientEvent, AppError> {
    fn from(args: ChatSocketArgs) -> Self {
        args.input
    }
}

impl ServerFn for ChatSocketArgs {
    const PATH: &'static str = "/api/chat/socket";

    type Client = leptos::server_fn::client::browser::BrowserClient;
    #[cfg(feature = "ssr")]
    type Server = super::transport::ChatBackend;
    #[cfg(not(feature = "ssr"))]
    type Server = leptos::server_fn::mock::BrowserMockServer;
    type Protocol = Websocket<JsonEncoding, FrameEncoding>;
    type Output = BoxedStream<Frame, AppError>;
    type Error = AppError;
    type InputStreamError = AppError;
    type OutputStreamError = AppError;

    #[allow(clippy::manual_async_fn)]
    fn run_body(self) -> impl std::future::Future<Output = Result<Self::Output, AppError>> + Send {
        async move {
            #[cfg(feature = "ssr")]
            {
                serve_socket(self.input).await
            }
            #[cfg(not(feature = "ssr"))]
            {
                let _ = self.input;
                unreachable!("the realtime channel runs on the server")
            }
        }
    }
}

/// The realtime channel: `ClientEvent`s up, `ServerEvent` frames down. Needs a signed-in person
/// (cookie or `Authorization: Bearer`). See docs/PROTOCOL.md.
pub async fn chat_socket(
    input: BoxedStream<ClientEvent, AppError>,
) -> Result<BoxedStream<Frame, AppError>, AppError> {
    #[cfg(feature = "ssr")]
    {
        serve_socket(input).await
    }
    #[cfg(not(feature = "ssr"))]
    {
        ChatSocketArgs { input }.run_on_client().await
    }
}

/// The server side of `chat_socket`, once the socket is open.
#[cfg(feature = "ssr")]
async fn serve_socket(
    input: BoxedStream<ClientEvent, AppError>,
) -> Result<BoxedStream<Frame, AppError>, AppError> {
    use futures::StreamExt;

    use super::{
        gateway::GatewayCaller,
        socket::{OpenSockets, SocketHolder},
    };

    let state = crate::platform::state::AppState::current()?;
    let input: std::pin::Pin<
        Box<dyn futures::Stream<Item = Result<ClientEvent, AppError>> + Send>,
    > = input.into();
    // A bot on the gateway was checked there (its token, scopes and intents).
    let gateway = leptos::prelude::use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<GatewayCaller>().cloned());
    let (me, grants) = match gateway {
        Some(bot) => (
            Some(crate::auth::caller::CurrentUser {
                user: bot.user,
                session_id: bot.credential,
            }),
            Some(bot.grants),
        ),
        // A tab with no credentials at all is a guest's: it may watch prices. Credentials that
        // are no longer good are refused, so that a signed-in tab never silently becomes a
        // guest's.
        None if !crate::auth::caller::presents_credentials() => (None, None),
        None => (
            Some(crate::platform::state::respond(
                crate::auth::caller::current_user().await,
            )?),
            None,
        ),
    };
    let (holder, limit) = match &me {
        Some(me) => (
            SocketHolder::Person(me.user.id),
            state.config.sockets_per_person,
        ),
        None => (
            SocketHolder::Guest(crate::auth::caller::client_address()?),
            state.config.guest_sockets_per_address,
        ),
    };
    let Some(held) = state.service::<OpenSockets>().hold(holder, limit) else {
        return crate::platform::state::respond(Err(AppError::RateLimited {
            retry_after_secs: SOCKET_RETRY_SECS,
        }));
    };
    // The connection itself handles a stopping server: it asks the tab to close and keeps
    // reading what the tab had already sent (see chat::socket).
    let frames = match me {
        Some(me) => super::socket::connect(state, me.user, me.session_id, grants, input),
        None => super::socket::connect_guest(state, input),
    };
    // The socket's place is held for as long as its frames are: the stream is dropped when the
    // tab goes.
    Ok(frames
        .map(move |bytes| {
            let _ = &held;
            Ok(Frame(bytes))
        })
        .into())
}

/// When a tab that already has too many sockets open may try again.
#[cfg(feature = "ssr")]
const SOCKET_RETRY_SECS: u64 = 30;

/// A page of a channel's history, oldest first: the newest 50, or the 50 before `beforeSeq`;
/// with `reachSeq`, every message back to a few before that one (at most 500 a page).
#[server(prefix = "/api/chat", endpoint = "history", input = GetUrl)]
pub async fn channel_history(
    #[server(rename = "channelId")] channel_id: String,
    #[server(rename = "beforeSeq")]
    #[server(default)]
    before_seq: Option<i64>,
    #[server(rename = "reachSeq")]
    #[server(default)]
    reach_seq: Option<i64>,
) -> Result<HistoryPage, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let viewer = crate::auth::caller::optional_user()
                .await?
                .map(|me| me.user.id);
            let channel = crate::community::ChannelId::parse(&channel_id)?;
            super::service::history(
                &state,
                viewer.map(crate::auth::UserId),
                channel,
                before_seq,
                reach_seq,
            )
            .await
        }
        .await,
    )
}

/// The pinned messages of a channel, most recently pinned first.
#[server(prefix = "/api/chat", endpoint = "pins", input = GetUrl)]
pub async fn channel_pins(
    #[server(rename = "channelId")] channel_id: String,
) -> Result<Vec<ChatMessage>, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let viewer = crate::auth::caller::optional_user()
                .await?
                .map(|me| me.user.id);
            let channel = crate::community::ChannelId::parse(&channel_id)?;
            super::service::pins(&state, viewer.map(crate::auth::UserId), channel).await
        }
        .await,
    )
}

/// The signed-in home's part of chat: the person's communities and channels with unread and
/// mention counts, and the cashtags trending in them.
#[server(prefix = "/api/chat", endpoint = "home", input = GetUrl)]
pub async fn chat_home() -> Result<HomeChat, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            super::service::home(&state, &me.user).await
        }
        .await,
    )
}

/// A channel page: the community, the channel and its newest messages.
#[server(prefix = "/api/chat", endpoint = "open", input = GetUrl)]
pub async fn open_channel(slug: String, channel: String) -> Result<OpenedChannel, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let viewer = crate::auth::caller::optional_user()
                .await?
                .map(|me| me.user.id);
            super::service::open(&state, viewer.map(crate::auth::UserId), &slug, &channel).await
        }
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_carries_one_event_or_several_one_per_line() {
        let one = Frame(Bytes::from_static(br#"{"type":"ready","userId":"u1"}"#));
        assert_eq!(one.events().count(), 1);
        let several = Frame(Bytes::from_static(
            b"{\"type\":\"ready\",\"userId\":\"a\\nb\"}\n{\"type\":\"resync\",\"channelId\":\"c\"}",
        ));
        let events: Vec<ServerEvent> = several.events().map(Result::unwrap).collect();
        assert_eq!(
            events,
            [
                ServerEvent::Ready {
                    user_id: "a\nb".into(),
                    connection_id: String::new(),
                },
                ServerEvent::Resync {
                    channel_id: "c".into()
                },
            ]
        );
    }
}
