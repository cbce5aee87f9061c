//! Structured logging with `tracing`. Levels from `RUST_LOG` (default: info for Bullpen,
//! warnings for dependencies); format from `BULLPEN_LOG_FORMAT`.

use tracing_subscriber::{fmt, EnvFilter};

use super::config::LogFormat;

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
