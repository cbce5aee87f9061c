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

/// Gives a server function's error its HTTP status (and `Retry-After` for rate limits); the
/// JSON body is the `AppError` either way. Every server function returns through this.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    use axum::http::{header, HeaderValue};
    if let Err(err) = &result {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(code) = StatusCode::from_u16(err.status_code()) {
                response.set_status(code);
            }
            if let AppError::RateLimited { retry_after_secs } = err {
                response.insert_header(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
        }
    }
    result
}

/// A flag raised once when the server begins to stop; websockets close on it, so that a
/// graceful shutdown does not wait for tabs that would stay open forever.
#[derive(Clone)]
pub struct Shutdown(Arc<tokio::sync::watch::Sender<bool>>);

impl Default for Shutdown {
    fn default() -> Self {
        Shutdown(Arc::new(tokio::sync::watch::channel(false).0))
    }
}

impl Shutdown {
    pub fn begin(&self) {
        self.0.send_replace(true);
    }

    /// Resolves once the server is stopping.
    pub async fn wait(&self) {
        let mut flag = self.0.subscribe();
        let _ = flag.wait_for(|stopping| *stopping).await;
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
        .route(crate::chat::api::ChatSocketArgs::PATH, get(crate::chat::transport::handle))
        // A file download, not a server function: the browser saves the response as it is.
        .route("/api/portfolio/export.csv", get(crate::portfolio::service::export_download))
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
        .layer(TraceLayer::new_for_http())
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
    let mut probe = Request::builder().method(request.method()).uri(request.uri());
    for (name, value) in request.headers() {
        probe = probe.header(name, value);
    }
    let probe = probe.body(Body::empty()).expect("a copy of a valid request is valid");
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

/// `GET /health`: 200 when the database answers, 503 when it does not.
async fn health(State(state): State<AppState>) -> impl IntoResponse {
    match db::ping(&state.db).await {
        Ok(()) => (StatusCode::OK, Json(health_body("healthy", "ok"))),
        Err(err) => {
            tracing::warn!(error = %err, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(health_body("unhealthy", "unreachable")),
            )
        }
    }
}

fn health_body(status: &str, db: &str) -> serde_json::Value {
    serde_json::json!({ "status": status, "service": "bullpen", "db": db })
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
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("Bullpen is listening on http://{}", listener.local_addr()?);
    tokio::spawn(crate::chat::socket::heartbeat(state.clone()));
    state.ai.start(state.clone());
    if state.config.stock_bot {
        tokio::spawn(crate::market::bot::run(state.clone()));
    }
    tokio::spawn(crate::portfolio::alerts::run(state.clone()));
    let shutdown = state.shutdown.clone();
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        shutdown.begin();
    })
    .await
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
