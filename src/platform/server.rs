//! The HTTP server: shared state, the router (Leptos pages, server functions, `/health`,
//! static files) and the listener.

use std::{net::SocketAddr, sync::Arc};

use axum::{
    extract::{FromRef, State},
    http::StatusCode,
    middleware,
    response::IntoResponse,
    routing::get,
    Json, Router,
};
use leptos::config::LeptosOptions;
use leptos_axum::{file_and_error_handler, generate_route_list, LeptosRoutes};
use sea_orm::DatabaseConnection;
use tower_http::{compression::CompressionLayer, trace::TraceLayer};

use super::{auth, broker::Broker, config::Config, db};
use crate::app::{shell, App};

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
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The whole application as one axum router.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let leptos_options = state.leptos_options.clone();
    Router::new()
        .route("/health", get(health))
        .leptos_routes_with_context(&state, routes, || (), move || shell(leptos_options.clone()))
        .fallback(file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::keep_session_alive,
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
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

/// Binds and serves until Ctrl-C or SIGTERM, finishing requests in flight.
pub async fn serve(state: AppState, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("Bullpen is listening on http://{}", listener.local_addr()?);
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown_signal())
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
