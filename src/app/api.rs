//! Server functions of the shell.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::platform::error::AppError;

/// What the About panel shows about the server a person is connected to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerFacts {
    pub version: String,
    /// "SQLite" or "PostgreSQL".
    pub database: String,
    /// "in-process" or "Redis".
    pub broker: String,
    /// RFC 3339 time of the first start of this installation.
    pub installed_at: Option<String>,
}

/// `GET /api/server_info`.
#[server(endpoint = "server_info", input = leptos::server_fn::codec::GetUrl)]
pub async fn server_info() -> Result<ServerFacts, AppError> {
    use crate::platform::{meta, state::AppState};

    let state = use_context::<AppState>().ok_or(AppError::Internal)?;
    Ok(ServerFacts {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        database: state.config.database.engine().to_owned(),
        broker: state.broker.kind().to_owned(),
        installed_at: meta::installed_at(&state.db).await?,
    })
}
