//! What every request handler and server function reaches: the shared state, the shutdown
//! flag, and how an error becomes an HTTP status.

use std::sync::Arc;

use axum::{extract::FromRef, http::StatusCode};
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use super::{broker::Broker, config::Config, error::AppError};
use crate::chat::command_handlers::CommandRegistry;

/// What every request handler and server function can reach (`expect_context::<AppState>()`).
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub config: Arc<Config>,
    pub db: DatabaseConnection,
    /// Realtime fan-out: in-process, or Redis shared by every instance.
    pub broker: Broker,
    /// Signs access and refresh tokens; from `JWT_SECRET` or generated into the data directory.
    pub jwt_secret: Arc<str>,
    /// This process among the instances sharing the database (presence rows carry it).
    pub instance_id: uuid::Uuid,
    /// The slash commands chat understands.
    pub commands: Arc<CommandRegistry>,
    /// Tells long-lived connections that the server is stopping.
    pub shutdown: Shutdown,
    /// Moderation and translation, queued after delivery.
    pub ai: Arc<crate::ai::worker::AiWork>,
    /// Quotes and history: the provider chain behind the database cache.
    pub market: Arc<crate::market::service::Market>,
    /// The assistant's hosted model, when `AI_BASE_URL` names one (else the built-in engine).
    pub assistant: Option<Arc<crate::assistant::hosted::HostedAssistant>>,
}

impl AppState {
    /// The state, from inside a server function.
    pub fn current() -> Result<AppState, AppError> {
        leptos::prelude::use_context::<AppState>().ok_or(AppError::Internal)
    }
}

/// Gives a server function's error its HTTP status (and `Retry-After` when it says when to
/// come back); the
/// JSON body is the `AppError` either way. Every server function returns through this.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    use axum::http::{header, HeaderValue};
    if let Err(err) = &result {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(code) = StatusCode::from_u16(err.status_code()) {
                response.set_status(code);
            }
            if let Some(secs) = err.retry_after() {
                response.insert_header(header::RETRY_AFTER, HeaderValue::from(secs));
            }
        }
    }
    result
}

/// A flag raised once when the server begins to stop; websockets then ask their tabs to close
/// and drain what those already sent. Each open socket holds a [`DrainGuard`], so that the
/// server can wait for them before it exits.
#[derive(Clone)]
pub struct Shutdown {
    stopping: Arc<tokio::sync::watch::Sender<bool>>,
    /// Counts the guards alive: the receiver count of this channel.
    open: Arc<tokio::sync::watch::Sender<()>>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Shutdown {
            stopping: Arc::new(tokio::sync::watch::channel(false).0),
            open: Arc::new(tokio::sync::watch::channel(()).0),
        }
    }
}

/// Held by a long-lived connection while it lives (see [`Shutdown::drained`]).
pub struct DrainGuard(#[allow(dead_code)] tokio::sync::watch::Receiver<()>);

impl Shutdown {
    pub fn begin(&self) {
        self.stopping.send_replace(true);
    }

    /// Resolves once the server is stopping.
    pub async fn wait(&self) {
        let mut flag = self.stopping.subscribe();
        let _ = flag.wait_for(|stopping| *stopping).await;
    }

    /// Whether the server has begun to stop.
    pub fn is_stopping(&self) -> bool {
        *self.stopping.borrow()
    }

    /// A guard that keeps [`Shutdown::drained`] waiting until it is dropped.
    pub fn hold(&self) -> DrainGuard {
        DrainGuard(self.open.subscribe())
    }

    /// Waits until every guard is dropped, or `limit` has passed; whether all were.
    pub async fn drained(&self, limit: std::time::Duration) -> bool {
        tokio::time::timeout(limit, self.open.closed())
            .await
            .is_ok()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
