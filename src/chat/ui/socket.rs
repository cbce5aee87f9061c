//! The browser side of the realtime channel: one websocket per tab, shared by every component
//! through context. It reconnects by itself with backoff (1 s, 2 s, 4 s … 30 s); components
//! listen for events with `on_event` and resubscribe from their last sequence number when the
//! socket becomes ready again, so nothing is missed and nothing is shown twice.

use std::sync::Arc;

use futures::channel::mpsc::UnboundedSender;
use leptos::prelude::*;

use crate::{
    chat::{ClientEvent, ServerEvent},
    kit::live::{use_live_events, LiveEvents},
    platform::error::AppError,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocketStatus {
    /// Not opened yet (the page has not asked for it, or this is the server render).
    Idle,
    Connecting,
    Open,
    /// Dropped; the next attempt is under way or waiting.
    Reconnecting,
}

type Listener = Arc<dyn Fn(&ServerEvent) + Send + Sync>;

// Thread-safe storage: the server renders pages on any worker thread (the socket itself only
// ever runs in the browser).
#[derive(Clone, Copy)]
pub struct ChatSocket {
    outbox: StoredValue<Option<UnboundedSender<Result<ClientEvent, AppError>>>>,
    listeners: StoredValue<Vec<(u64, Listener)>>,
    next_listener: StoredValue<u64>,
    started: StoredValue<bool>,
    pub status: RwSignal<SocketStatus>,
    /// This tab's connection id while the socket is open: its address on a call.
    pub connection: RwSignal<Option<String>>,
    /// Whom the open socket is for: a person's id, or `None` for a guest's socket.
    pub user: RwSignal<Option<String>>,
    /// Ends the open connection so that the next one starts at once (`reconnect`).
    restart: StoredValue<Option<futures::channel::oneshot::Sender<()>>>,
    /// Where the events of other domains go (`kit::live`; the browser only).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    others: LiveEvents,
}

thread_local! {
    /// Set while this tab is itself ending its session on purpose (deleting the account): the
    /// `sessionEnded` that follows must not reload the page it is leaving.
    static LEAVING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this tab is about to end its own session and will navigate by itself: the socket's
/// `sessionEnded` then closes quietly instead of reloading the current page.
pub fn expect_session_end(expected: bool) {
    LEAVING.with(|leaving| leaving.set(expected));
}

/// Makes the socket available to the page (it opens on first use). The shell provides the
/// `kit::live` hub first.
pub fn provide_chat_socket() {
    let socket = ChatSocket {
        others: use_live_events(),
        outbox: StoredValue::new(None),
        listeners: StoredValue::new(Vec::new()),
        next_listener: StoredValue::new(0),
        started: StoredValue::new(false),
        status: RwSignal::new(SocketStatus::Idle),
        connection: RwSignal::new(None),
        user: RwSignal::new(None),
        restart: StoredValue::new(None),
    };
    provide_context(socket);
    // The prices on screen come over the socket, for guests too: open it when there are some,
    // and tell it the whole set whenever it changes or the socket (re)opens.
    let live = use_live_events();
    Effect::new(move |_| {
        let symbols = live.prices();
        if !symbols.is_empty() {
            socket.start();
        }
        if socket.status.get() == SocketStatus::Open {
            socket.send(ClientEvent::WatchQuotes { symbols });
        }
    });
    // Likewise the crowds on screen (a stock page's stream of messages naming it).
    Effect::new(move |_| {
        let tickers = live.crowds();
        if !tickers.is_empty() {
            socket.start();
        }
        if socket.status.get() == SocketStatus::Open {
            socket.send(ClientEvent::WatchCrowds { tickers });
        }
    });
    // A guest's socket that outlives signing in starts again as the person's. (Signing out
    // ends a person's socket from the server: `sessionEnded`.)
    let session = crate::auth::ui::session::use_session();
    Effect::new(move |_| {
        let signed_in = session.user().is_some();
        if signed_in && socket.status.get() == SocketStatus::Open && socket.user.get().is_none() {
            socket.reconnect();
        }
    });
}

pub fn use_chat_socket() -> ChatSocket {
    expect_context::<ChatSocket>()
}

impl ChatSocket {
    /// Opens the socket if it is not open yet (browser only).
    pub fn start(self) {
        if self.started.get_value() {
            return;
        }
        self.started.set_value(true);
        // What the socket brings changes the page: not before the page has hydrated.
        #[cfg(feature = "hydrate")]
        crate::kit::hydration::after_hydration(move || leptos::task::spawn_local(connect(self)));
    }

    /// Sends an event; `false` when the socket is down (the caller keeps the message pending and
    /// it goes out after the reconnect).
    pub fn send(&self, event: ClientEvent) -> bool {
        self.outbox
            .with_value(|outbox| {
                outbox
                    .as_ref()
                    .map(|tx| tx.unbounded_send(Ok(event)).is_ok())
            })
            .unwrap_or(false)
    }

    /// Closes the open socket so that it connects again, with the tab's credentials as they
    /// are now.
    fn reconnect(&self) {
        if let Some(restart) = self.restart.try_update_value(Option::take).flatten() {
            let _ = restart.send(());
        }
    }

    /// Calls `listener` for every event until the calling component is dropped (in the
    /// browser; the server render has no socket).
    pub fn on_event(&self, listener: impl Fn(&ServerEvent) + Send + Sync + 'static) {
        if cfg!(not(feature = "hydrate")) {
            return;
        }
        let id = self.next_listener.get_value();
        self.next_listener.set_value(id + 1);
        self.listeners
            .update_value(|listeners| listeners.push((id, Arc::new(listener))));
        let listeners = self.listeners;
        on_cleanup(move || {
            listeners.try_update_value(|listeners| listeners.retain(|(other, _)| *other != id));
        });
    }

    #[cfg(feature = "hydrate")]
    fn dispatch(&self, event: &ServerEvent) {
        if let ServerEvent::Other(event) = event {
            return self.others.dispatch(event);
        }
        // Listeners may add or remove listeners: call a snapshot.
        let snapshot: Vec<Listener> = self
            .listeners
            .with_value(|listeners| listeners.iter().map(|(_, l)| l.clone()).collect());
        for listener in snapshot {
            listener(event);
        }
    }

    #[cfg(feature = "hydrate")]
    async fn run(self) {
        use futures::StreamExt;

        let mut backoff_ms = 1_000;
        loop {
            self.status.set(SocketStatus::Connecting);
            let (tx, rx) = futures::channel::mpsc::unbounded();
            // Handed out only once the server says it is ready: a message sent into a
            // connection that fails before that would count as sent and never go out.
            let mut until_ready = Some(tx);
            // Dropping both the frames and what the tab sends closes the websocket.
            let (restart, mut restarted) = futures::channel::oneshot::channel::<()>();
            self.restart.set_value(Some(restart));
            match crate::chat::api::chat_socket(rx.into()).await {
                Ok(mut frames) => {
                    loop {
                        let frame =
                            match futures::future::select(frames.next(), &mut restarted).await {
                                futures::future::Either::Left((Some(frame), _)) => frame,
                                // The connection ended, or is to start again.
                                _ => break,
                            };
                        let Ok(frame) = frame else { break };
                        for event in frame.events() {
                            match event {
                                Ok(event) => {
                                    match event {
                                        ServerEvent::Ready {
                                            ref connection_id,
                                            ref user_id,
                                        } => {
                                            if let Some(tx) = until_ready.take() {
                                                self.outbox.set_value(Some(tx));
                                            }
                                            self.user.set(
                                                Some(user_id.clone()).filter(|id| !id.is_empty()),
                                            );
                                            self.connection.set(Some(connection_id.clone()));
                                            self.status.set(SocketStatus::Open);
                                            backoff_ms = 1_000;
                                        }
                                        // The server is stopping: send nothing more here and
                                        // close our side; what was sent is still confirmed,
                                        // and what waits goes out after the reconnect.
                                        ServerEvent::Closing => {
                                            self.outbox.set_value(None);
                                            self.status.set(SocketStatus::Reconnecting);
                                            backoff_ms = 500;
                                        }
                                        // Signed out (here or elsewhere): show the page as it
                                        // now is rather than reconnecting with a dead session.
                                        ServerEvent::SessionEnded => {
                                            if !LEAVING.with(|leaving| leaving.get()) {
                                                if let Some(window) = web_sys::window() {
                                                    let _ = window.location().reload();
                                                }
                                            }
                                            return;
                                        }
                                        _ => {}
                                    }
                                    self.dispatch(&event);
                                }
                                Err(err) => leptos::logging::warn!("unreadable event: {err}"),
                            }
                        }
                    }
                }
                Err(err) => leptos::logging::warn!("chat socket: {err}"),
            }
            self.outbox.set_value(None);
            self.connection.set(None);
            self.status.set(SocketStatus::Reconnecting);
            sleep_ms(backoff_ms).await;
            backoff_ms = (backoff_ms * 2).min(30_000);
        }
    }
}

/// Runs the socket, with the code of its own: the socket's code (the connection, reading every
/// event) is fetched once the page has hydrated and someone signed in needs it.
#[cfg(feature = "hydrate")]
#[lazy]
async fn connect(socket: ChatSocket) {
    socket.run().await
}

#[cfg(feature = "hydrate")]
async fn sleep_ms(ms: u64) {
    let (done, wait) = futures::channel::oneshot::channel::<()>();
    set_timeout(
        move || {
            let _ = done.send(());
        },
        std::time::Duration::from_millis(ms),
    );
    let _ = wait.await;
}
