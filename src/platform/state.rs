//! What every request handler and server function reaches: the shared state, the shutdown
//! flag, and how an error becomes an HTTP status.

use std::{
    any::{type_name, Any, TypeId},
    collections::HashMap,
    sync::Arc,
};

use axum::{extract::FromRef, http::StatusCode};
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use super::{broker::Broker, config::Config, error::AppError};

/// What every request handler and server function can reach (`expect_context::<AppState>()`).
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub config: Arc<Config>,
    pub db: DatabaseConnection,
    /// Realtime fan-out: in-process, or Redis shared by every instance.
    pub broker: Broker,
    /// Where files' bytes are kept: a directory, or an S3-compatible store.
    pub files: super::files::FileStore,
    /// Signs access and refresh tokens; from `JWT_SECRET` or generated into the data directory.
    pub jwt_secret: Arc<str>,
    /// This process among the instances sharing the database (presence rows carry it).
    pub instance_id: uuid::Uuid,
    /// Tells long-lived connections that the server is stopping.
    pub shutdown: Shutdown,
    /// The domains' own services (chat's commands and AI work, market data, the hosted
    /// assistant…), built and registered by the composition root.
    pub services: Services,
}

impl AppState {
    /// The state, from inside a server function.
    pub fn current() -> Result<AppState, AppError> {
        leptos::prelude::use_context::<AppState>().ok_or(AppError::Internal)
    }

    /// The domain service of type `T`. Every one is registered before the first request (see
    /// `server::build_state`), so a missing one is a wiring mistake caught at start-up by the
    /// tests, never a state a request can reach.
    pub fn service<T: Send + Sync + 'static>(&self) -> &T {
        self.services
            .get::<T>()
            .unwrap_or_else(|| panic!("no {} service is registered", type_name::<T>()))
    }
}

/// The domain services, found by type: the ground floor holds them without naming a domain,
/// and each domain asks for its own (`state.service::<Market>()`).
#[derive(Clone, Default)]
pub struct Services(Arc<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>);

impl Services {
    /// `services` with `service` added (replacing one of the same type).
    pub fn with<T: Send + Sync + 'static>(self, service: T) -> Services {
        let mut map = Arc::unwrap_or_clone(self.0);
        map.insert(TypeId::of::<T>(), Arc::new(service));
        Services(Arc::new(map))
    }

    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.0.get(&TypeId::of::<T>())?.downcast_ref::<T>()
    }
}

/// Where every server function's URL starts (each `#[server(prefix = "/api/…")]`).
pub const SERVER_FN_PREFIX: &str = "/api/";

/// Gives a server function's error its HTTP status (and `Retry-After` when it says when to
/// come back); the JSON body is the `AppError` either way. Every server function returns
/// through this.
///
/// Only a call that is its own request (under `/api/`) sets a status: a page rendered on the
/// server calls the same functions for its data, and their "not found" or "sign in" is the
/// page's content (an empty state, a prompt), never the page's status — a new person's empty
/// portfolio must answer 200, or the service worker never keeps it.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    use axum::http::{header, request::Parts, HeaderValue};
    let own_request = || {
        leptos::prelude::use_context::<Parts>()
            .is_some_and(|parts| parts.uri.path().starts_with(SERVER_FN_PREFIX))
    };
    if let Err(err) = &result {
        if !own_request() {
            return result;
        }
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

#[cfg(test)]
mod tests {
    use super::Services;

    #[test]
    fn a_service_is_found_by_its_type() {
        struct Market(u32);
        struct Commands(&'static str);
        let services = Services::default().with(Market(7)).with(Commands("help"));
        assert_eq!(services.get::<Market>().map(|m| m.0), Some(7));
        assert_eq!(services.get::<Commands>().map(|c| c.0), Some("help"));
        assert!(services.get::<String>().is_none());
        let replaced = services.with(Market(8));
        assert_eq!(replaced.get::<Market>().map(|m| m.0), Some(8));
    }
}
