//! The HTTP server: shared state, the router (Leptos pages, server functions, `/health`,
//! static files) and the listener.

use std::{net::SocketAddr, sync::Arc};

use axum::{
    body::Body,
    extract::{FromRef, Request, State},
    http::StatusCode,
    middleware,
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use leptos::{config::LeptosOptions, server_fn::ServerFn};
use leptos_axum::{file_and_error_handler, generate_route_list, LeptosRoutes};
use sea_orm::DatabaseConnection;
use tower_http::{compression::CompressionLayer, trace::TraceLayer};

use super::{auth, broker::Broker, config::Config, db, error::AppError, security};
use crate::{
    app::{shell, App},
    chat::command_handlers::CommandRegistry,
};

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

/// A part of a CSV import carries up to 1,000 rows (`portfolio::import::CHUNK_ROWS`) of
/// fields that may each be hundreds of characters: more than the default body limit.
const IMPORT_ROWS_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// The whole application as one axum router.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let leptos_options = state.leptos_options.clone();
    let boundary = Arc::new(security::Boundary::new(
        &state.config,
        &[(
            <crate::portfolio::api::ImportRows as ServerFn>::PATH,
            IMPORT_ROWS_BODY_LIMIT,
        )],
    ));
    Router::new()
        .route("/health", get(health))
        // The realtime server function has its own websocket backend (chat::transport), so
        // leptos_axum does not route it with the others.
        .route(
            crate::chat::api::ChatSocketArgs::PATH,
            get(crate::chat::transport::handle),
        )
        // A file download, not a server function: the browser saves the response as it is.
        .route(
            "/api/portfolio/export.csv",
            get(crate::portfolio::service::export_download),
        )
        .route(
            "/api/account/export",
            get(crate::account::api::export_download),
        )
        .leptos_routes_with_context(&state, routes, || (), move || shell(leptos_options.clone()))
        .fallback(static_file_or_page)
        .layer(middleware::from_fn(super::error::status_from_error_body))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::keep_session_alive,
        ))
        // Origin, content type, body size and the security headers, before anything else runs.
        .layer(middleware::from_fn_with_state(boundary, security::guard))
        // `security::guard` has read the body within its limit already.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(CompressionLayer::new())
        // A 5xx answer is logged as a warning here: the cause, when it is ours, is logged at
        // ERROR where it happened; a 503 that sheds load (busy, degraded) is not an error.
        .layer(
            TraceLayer::new_for_http()
                .on_failure(tower_http::trace::DefaultOnFailure::new().level(tracing::Level::WARN)),
        )
        .with_state(state)
}

/// Anything no route matched: a file of the site (WASM, JS, CSS, icons…) when one exists, else
/// the app's own page (the 404 page for an unknown path).
///
/// Files are served here rather than by leptos_axum's `file_and_error_handler`, which copies the
/// `ResponseOptions` of the thread's current reactive owner onto the file's response — and that
/// owner can be another request's page still streaming on the same worker thread (a guest's
/// `/settings` answers 401, and the WASM fetched beside it came back 401 too: no hydration).
async fn static_file_or_page(State(state): State<AppState>, request: Request<Body>) -> Response {
    use tower::ServiceExt;
    let mut probe = Request::builder()
        .method(request.method())
        .uri(request.uri());
    for (name, value) in request.headers() {
        probe = probe.header(name, value);
    }
    let probe = probe
        .body(Body::empty())
        .expect("a copy of a valid request is valid");
    let site = tower_http::services::ServeDir::new(&*state.leptos_options.site_root)
        .precompressed_br()
        .precompressed_gzip();
    let found = match site.oneshot(probe).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    if found.status().is_success() || found.status().is_redirection() {
        let mut file = found.into_response();
        file.extensions_mut().insert(security::StaticFile);
        return file;
    }
    file_and_error_handler::<AppState, _>(shell)(request.uri().clone(), State(state), request).await
}

/// `GET /health`: 200 when the database and the broker answer; 503 "unhealthy" when the
/// database does not, 503 "degraded" when only the broker (Redis) does not — this instance then
/// refuses messages, so a load balancer should send people elsewhere.
async fn health(State(state): State<AppState>) -> impl IntoResponse {
    let (db, broker) = tokio::join!(db::ping(&state.db), state.broker.check());
    if let Err(err) = &db {
        tracing::warn!(error = %err, database = db::name(), "health check: database unreachable");
    }
    if let Err(err) = &broker {
        tracing::warn!(error = %err, "health check: broker unreachable");
    }
    let said = |ok: bool| if ok { "ok" } else { "unreachable" };
    let (status, word) = match (db.is_ok(), broker.is_ok()) {
        (true, true) => (StatusCode::OK, "healthy"),
        (false, _) => (StatusCode::SERVICE_UNAVAILABLE, "unhealthy"),
        (true, false) => (StatusCode::SERVICE_UNAVAILABLE, "degraded"),
    };
    let body = serde_json::json!({ "status": word, "service": "bullpen", "db": said(db.is_ok()), "broker": said(broker.is_ok()) });
    (status, Json(body))
}

/// Runs only the stock bot (`bullpen bot`): answers `/stock` requests from the broker until
/// Ctrl-C or SIGTERM. With Redis, any number of these share the requests with the servers.
pub async fn run_bot(state: AppState) {
    state.ai.start(state.clone());
    tokio::select! {
        _ = crate::market::bot::run(state) => {}
        _ = shutdown_signal() => {}
    }
}

/// Binds and serves until Ctrl-C or SIGTERM, finishing requests in flight.
pub async fn serve(state: AppState, addr: SocketAddr) -> std::io::Result<()> {
    let listener = listen(addr).await?;
    tracing::info!(
        "Bullpen is listening on http://{}",
        axum::serve::Listener::local_addr(&listener)?
    );
    tokio::spawn(crate::chat::socket::heartbeat(state.clone()));
    tokio::spawn(crate::platform::memory::keep_trimmed());
    state.ai.start(state.clone());
    if state.config.stock_bot {
        tokio::spawn(crate::market::bot::run(state.clone()));
    }
    tokio::spawn(crate::portfolio::alerts::run(state.clone()));
    let shutdown = state.shutdown.clone();
    let served = axum::serve(
        listener,
        router(state.clone()).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        shutdown.begin();
    })
    .await;
    // Upgraded websockets outlive the HTTP server: each was asked to close and is storing and
    // confirming what its tab had sent. Wait for them, then tell the rooms who went offline.
    let limit = std::time::Duration::from_secs(crate::chat::socket::DRAIN_SECS + 2);
    if !state.shutdown.drained(limit).await {
        tracing::warn!("some websockets were still open when the server stopped");
    }
    crate::chat::socket::leave_instance(&state).await;
    served
}

/// The listener, with `TCP_NODELAY` on every accepted socket: a websocket frame (a sender's own
/// confirmation, say) goes out at once instead of waiting for the peer's delayed ACK.
async fn listen(
    addr: SocketAddr,
) -> std::io::Result<axum::serve::TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)>> {
    use axum::serve::ListenerExt;
    fn no_delay(socket: &mut tokio::net::TcpStream) {
        if let Err(err) = socket.set_nodelay(true) {
            tracing::debug!(error = %err, "cannot set TCP_NODELAY on a connection");
        }
    }
    Ok(tokio::net::TcpListener::bind(addr)
        .await?
        .tap_io(no_delay as fn(&mut tokio::net::TcpStream)))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use axum::serve::Listener;

    #[tokio::test]
    async fn accepted_sockets_send_without_delay() {
        let mut listener = super::listen("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let at = listener.local_addr().unwrap();
        let _client = tokio::net::TcpStream::connect(at).await.unwrap();
        let (accepted, _) = listener.accept().await;
        assert!(accepted.nodelay().unwrap());
    }
}
