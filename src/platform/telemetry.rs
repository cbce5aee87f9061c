//! Structured logging with `tracing`. Levels from `RUST_LOG` (default: info for Bullpen,
//! warnings for dependencies); format from `BULLPEN_LOG_FORMAT`; every request's lines carry
//! its id.

use axum::{extract::Request, http::HeaderValue, middleware::Next, response::Response};
use tracing::Instrument;
use tracing_subscriber::{fmt, EnvFilter};

use super::{config::LogFormat, metrics::METRICS};

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("warn,bullpen=info,tower_http=warn"));
    let builder = fmt().with_env_filter(filter).with_target(true);
    // try_init: a second call (tests) keeps the first subscriber instead of panicking.
    let _ = match format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// The header that names a request in logs, on both sides: a proxy's id is kept, else one is
/// made.
pub const REQUEST_ID: &str = "x-request-id";

/// Gives every request an id — the one a proxy sent in `x-request-id` when it is a sensible
/// token (1–64 letters, digits, `-`, `_`, `.`), else a new UUIDv7 — and runs it inside a
/// `request` span that carries the id, so every log line it causes names it; answers with the
/// id, and counts the answer's status for `/metrics`.
pub async fn request_id(mut request: Request, next: Next) -> Response {
    let kept = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|id| sensible_id(id))
        .map(str::to_string);
    let id = kept.unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let value = HeaderValue::from_str(&id).expect("a checked id is a header value");
    request.headers_mut().insert(REQUEST_ID, value.clone());
    let span = tracing::info_span!(
        "request",
        id = %id,
        method = %request.method(),
        path = %request.uri().path()
    );
    let mut response = next.run(request).instrument(span).await;
    METRICS.answered(response.status().as_u16());
    response.headers_mut().insert(REQUEST_ID, value);
    response
}

fn sensible_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sensible_ids_are_kept() {
        assert!(sensible_id("01a2-b3_c.4"));
        assert!(!sensible_id(""));
        assert!(!sensible_id(&"a".repeat(65)));
        assert!(!sensible_id("a b"));
        assert!(!sensible_id("a\nb"));
        assert!(!sensible_id("<script>"));
    }
}
