//! The server's typed configuration, read once at start from the environment (and `.env`).
//!
//! Every value has a default that needs nothing installed: a SQLite file in the data directory,
//! no Redis. A bad value is refused with an error that names the variable.

use std::{
    collections::HashMap,
    fmt,
    net::SocketAddr,
    path::{Path, PathBuf},
};

/// Where the database lives.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file (the embedded default).
    Sqlite(PathBuf),
    /// A PostgreSQL server, for running many instances.
    Postgres(String),
}

impl DatabaseUrl {
    /// The connection string sea-orm understands. SQLite files are created when missing.
    pub fn connection_string(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(path) => format!("sqlite://{}?mode=rwc", path.display()),
            DatabaseUrl::Postgres(url) => url.clone(),
        }
    }

    /// A human name of the engine, for logs and the About panel.
    pub fn engine(&self) -> &'static str {
        match self {
            DatabaseUrl::Sqlite(_) => "SQLite",
            DatabaseUrl::Postgres(_) => "PostgreSQL",
        }
    }
}

// Never print a PostgreSQL password into a log.
impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            DatabaseUrl::Postgres(url) => write!(f, "{}", redact_password(url)),
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Where the AI judges and translates messages (`AI_WORKER`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AiWorker {
    /// In each serving instance, after delivery.
    Here,
    /// In `bullpen worker` processes, fed through Redis.
    Apart,
}

/// Everything the server reads from its environment.
#[derive(Clone)]
pub struct Config {
    /// `BULLPEN_ADDR`: where to listen. Unset: Leptos' `site-addr` (Leptos.toml / `LEPTOS_SITE_ADDR`).
    pub addr: Option<SocketAddr>,
    /// `BULLPEN_DATA_DIR`: the SQLite file and the generated secrets live here.
    pub data_dir: PathBuf,
    /// `DATABASE_URL`: `sqlite://…` or `postgres://…`; default: `bullpen.db` in the data directory.
    pub database: DatabaseUrl,
    /// `REDIS_URL`: cross-instance fan-out; unset means the in-process broker.
    pub redis_url: Option<String>,
    /// `REDIS_PREFIX`: the start of every Redis channel, stream and key of this deployment
    /// (default `bullpen`), so that deployments sharing one Redis stay apart.
    pub redis_prefix: String,
    /// `JWT_SECRET`: unset means "generate one and keep it in the data directory".
    pub jwt_secret: Option<String>,
    /// `BULLPEN_LOG_FORMAT`: `pretty` (default) or `json`. Levels come from `RUST_LOG`.
    pub log_format: LogFormat,
    /// `ACCESS_TOKEN_TTL`: seconds an access token lives (default 900, 15 minutes).
    pub access_token_ttl_secs: u64,
    /// `REFRESH_TOKEN_TTL`: seconds a refresh token lives unused (default 30 days).
    pub refresh_token_ttl_secs: u64,
    /// `BULLPEN_TRUST_PROXY`: `true` behind a reverse proxy, so that the client address (for
    /// sign-in throttling) is read from `X-Forwarded-For`. Default `false`.
    pub trust_proxy: bool,
    /// `BULLPEN_PUBLIC_URL`: the address people use ("https://bullpen.example"), kept as its
    /// origin. State-changing requests and the websocket must come from it. Unset: the
    /// request's own `Host` (scheme from `X-Forwarded-Proto` when the proxy is trusted).
    pub public_origin: Option<String>,
    /// `RATE_LIMIT_MESSAGES`: chat messages a person may send per window (default 10; 0 = off,
    /// for benchmarks).
    pub rate_limit_messages: u32,
    /// `RATE_LIMIT_WINDOW`: the window in seconds (default 60).
    pub rate_limit_window_secs: u64,
    /// `ASSISTANT_RATE_LIMIT`: questions a person may ask the assistant per minute (default 20;
    /// 0 = off).
    pub assistant_rate_limit: u32,
    /// `SIGNUP_RATE_LIMIT`: accounts that may be created from one client address per hour
    /// (default 10; 0 = off, for load tests that sign up thousands from one machine).
    pub signup_rate_limit: u32,
    /// `SOCKETS_PER_PERSON`: realtime sockets one person may hold open on an instance at once
    /// (default 20: tabs and devices).
    pub sockets_per_person: usize,
    /// `GUEST_SOCKETS_PER_ADDRESS`: sockets tabs without an account may hold open from one
    /// client address on an instance (default 50: an office behind one address).
    pub guest_sockets_per_address: usize,
    /// `HASH_CONCURRENCY`: password hashes (19 MiB each) computed at once (default half the
    /// cores, at least 1).
    pub hash_threads: usize,
    /// `HASH_QUEUE`: sign-ins that may wait for a hashing thread before the next gets 503
    /// (default 32 per hashing thread).
    pub hash_queue: usize,
    /// `TOXICITY_THRESHOLD`: messages the moderation engine scores at least this (0–1) are
    /// flagged (default 0.7). Nothing is ever blocked.
    pub toxicity_threshold: f32,
    /// `APERTIUM_URL`: the Apertium APY server for offline translation ("http://127.0.0.1:2737");
    /// unset, messages are not translated offline.
    pub apertium_url: Option<String>,
    /// `AI_BASE_URL`, `AI_API_KEY`, `AI_MODEL`: an OpenAI-compatible endpoint to use instead of
    /// the built-in engines (which stay as the fall-back).
    pub hosted_ai: Option<HostedAi>,
    /// `MARKET_PROVIDERS` and the providers' keys: where quotes and history come from.
    pub market: MarketConfig,
    /// `STOCK_BOT` (`on`/`off`, default on): whether this server answers `/stock` itself. Off
    /// when separate `bullpen bot` processes do it.
    pub stock_bot: bool,
    /// `AI_WORKER` (`here`/`apart`, default here): where messages are judged and translated.
    /// `apart` hands them to separate `bullpen worker` processes through Redis, so that the AI's
    /// CPU never competes with delivery; it needs `REDIS_URL`.
    pub ai_worker: AiWorker,
    /// `ALERT_CHECK_SECS`: how often price alerts are checked (default 60, the quote cache's age).
    pub alert_check_secs: u64,
    /// `EVENT_REMINDER_SECS`: how often due event reminders are looked for (default 30).
    pub event_reminder_secs: u64,
    /// `ANALYTICS_ROLLUP_SECS`: how often community analytics are rolled up (default 60).
    pub analytics_rollup_secs: u64,
    /// `ACHIEVEMENT_SECS`: how often badges are awarded (default 60).
    pub achievement_secs: u64,
    /// `WEBHOOK_POLL_MS`: how often outgoing webhooks look for new messages and due retries
    /// (default 1000).
    pub webhook_poll_ms: u64,
    /// `WEBHOOK_TIMEOUT_MS`: how long an outgoing webhook's address has to answer (default
    /// 10000); a slower one is retried later.
    pub webhook_timeout_ms: u64,
    /// `BOT_RATE_LIMIT`: messages an installed bot (an incoming webhook) may post per minute
    /// (default 30; 0 = off).
    pub bot_rate_limit: u32,
    /// `OUTBOUND_TO_PRIVATE_ADDRESSES` (formerly `WEBHOOKS_TO_PRIVATE_ADDRESSES`): whether the
    /// addresses people give the server to call — outgoing webhooks, push services — may be
    /// loopback or private-network ones (default off, so that nobody can use the server to reach
    /// its neighbours; on for a single-network install or tests). See `platform::outbound`.
    pub outbound_to_private: bool,
    /// `SMTP_URL` and `SMTP_FROM`: where e-mail (password resets) is sent; unset, the link is
    /// written to the server log for the operator instead.
    pub smtp: Option<SmtpConfig>,
    /// Where files (attachments) are kept, and how large one may be.
    pub files: FilesConfig,
    /// Web Push (`platform::push`).
    pub push: PushConfig,
    /// `METRICS_TOKEN`: when set, `GET /metrics` answers only `Authorization: Bearer <token>`;
    /// unset, it is open (keep it on an internal network then).
    pub metrics_token: Option<String>,
    /// `VOICE_ICE_SERVERS`: the STUN and TURN servers browsers use to reach each other on a
    /// call, as JSON — `[{"urls": ["stun:stun.example.org:3478"]}, {"urls": ["turn:turn.example.org"],
    /// "secret": "…"}]`. A TURN server takes the `secret` it shares with this server (coturn's
    /// `static-auth-secret`), from which each person gets credentials of their own that expire
    /// (the TURN REST scheme), or a fixed `username` and `credential`. Unset: none, which is
    /// enough on one network.
    pub voice_ice_servers: Vec<IceServerConfig>,
}

/// One STUN or TURN server for calls (`VOICE_ICE_SERVERS`).
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IceServerConfig {
    pub urls: Vec<String>,
    pub username: Option<String>,
    pub credential: Option<String>,
    /// The secret shared with the TURN server, from which per-person credentials are made.
    pub secret: Option<String>,
}

/// Without the credentials and the secret: the configuration is printed at start.
impl std::fmt::Debug for IceServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IceServerConfig")
            .field("urls", &self.urls)
            .field("username", &self.username)
            .field("credential", &self.credential.as_ref().map(|_| "…"))
            .field("secret", &self.secret.as_ref().map(|_| "…"))
            .finish()
    }
}

/// Reads `VOICE_ICE_SERVERS`: a JSON list of servers, each with `stun:`, `turn:` or `turns:`
/// addresses.
fn ice_servers(value: Option<&str>) -> Result<Vec<IceServerConfig>, ConfigError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let bad = |why: String| ConfigError::new("VOICE_ICE_SERVERS", why);
    let servers: Vec<IceServerConfig> = serde_json::from_str(value).map_err(|err| {
        bad(format!(
            "not a JSON list like [{{\"urls\": [\"stun:stun.example.org:3478\"]}}]: {err}"
        ))
    })?;
    for server in &servers {
        if server.urls.is_empty() {
            return Err(bad("a server has no `urls`".into()));
        }
        for url in &server.urls {
            let scheme = url.split(':').next().unwrap_or_default();
            if !matches!(scheme, "stun" | "stuns" | "turn" | "turns") {
                return Err(bad(format!(
                    "`{url}` is not a stun:, turn: or turns: address"
                )));
            }
            let fixed = server.username.is_some() && server.credential.is_some();
            let shared = server.secret.as_deref().is_some_and(|s| !s.is_empty());
            if scheme.starts_with("turn") && fixed == shared {
                return Err(bad(format!(
                    "the TURN server `{url}` needs either a `secret` or a username and a credential"
                )));
            }
        }
    }
    Ok(servers)
}

/// Web Push: who the push services' operators may contact, and whether a push service may be
/// plain HTTP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushConfig {
    /// `PUSH_CONTACT`: a `mailto:` or `https:` address named in every push (RFC 8292), default
    /// `mailto:push@localhost`.
    pub contact: String,
    /// `PUSH_ALLOW_HTTP`: `true` to accept push services on plain HTTP — only for a local test
    /// service; browsers' services are HTTPS. Default `false`.
    pub allow_http: bool,
}

/// Where files live and how large they may be.
#[derive(Clone, PartialEq, Eq)]
pub struct FilesConfig {
    pub store: FileStoreConfig,
    /// `MAX_UPLOAD_MB`: the largest file a person may attach, in megabytes (default 16).
    pub max_upload_bytes: u64,
    /// `FILE_SWEEP_SECS`: how often files nobody will read are looked for (default 300).
    pub sweep_secs: u64,
}

/// `OBJECT_STORE_URL`: unset, a directory (`files` in the data directory, or
/// `OBJECT_STORE_DIR`); `s3://bucket` (or `s3://bucket/prefix`) for any S3-compatible store,
/// with its settings in the usual `AWS_*` variables (`AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT` for a store that is not Amazon's,
/// `AWS_ALLOW_HTTP=true` for one without TLS).
#[derive(Clone, PartialEq, Eq)]
pub enum FileStoreConfig {
    Directory(PathBuf),
    S3 {
        url: String,
        /// The `AWS_*` settings, lower-cased as object_store reads them.
        options: Vec<(String, String)>,
    },
}

impl std::fmt::Debug for FileStoreConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileStoreConfig::Directory(dir) => write!(f, "directory {}", dir.display()),
            // Credentials are never printed.
            FileStoreConfig::S3 { url, .. } => write!(f, "{url}"),
        }
    }
}

/// An SMTP server to send e-mail through.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS), `smtps://…:465` (TLS from the first
    /// byte) or `smtp://host:25` (plain, for a local relay).
    pub url: String,
    /// `SMTP_FROM`: the sender, "Bullpen <no-reply@bullpen.example>".
    pub from: String,
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("url", &redact_password(&self.url))
            .field("from", &self.from)
            .finish()
    }
}

/// The market-data sources, in the order they are asked.
#[derive(Clone, PartialEq, Eq)]
pub struct MarketConfig {
    /// `MARKET_PROVIDERS`: "stooq,offline" (default "offline": works with no network).
    pub providers: Vec<MarketSource>,
    /// `STOOQ_API_KEY`: Stooq's history downloads have asked for one since March 2026.
    pub stooq_key: Option<String>,
    /// `ALPHA_VANTAGE_API_KEY`, needed when `alphavantage` is in the chain.
    pub alpha_vantage_key: Option<String>,
    /// `POLYGON_API_KEY`, needed when `polygon` is in the chain.
    pub polygon_key: Option<String>,
    /// `STOOQ_URL`, `ALPHA_VANTAGE_URL`, `POLYGON_URL`: the services' addresses (tests point
    /// them at a local server).
    pub stooq_url: String,
    pub alpha_vantage_url: String,
    pub polygon_url: String,
    /// `MARKET_CLOCK` (an RFC 3339 instant): the offline source's time when the server starts,
    /// from where it runs on at the real pace — a session in progress at any hour, for tests
    /// and demonstrations. Unset, the real time.
    pub clock: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarketSource {
    Stooq,
    AlphaVantage,
    Polygon,
    Offline,
}

impl fmt::Debug for MarketConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |key: &Option<String>| key.as_ref().map(|_| "<set>");
        f.debug_struct("MarketConfig")
            .field("providers", &self.providers)
            .field("stooq_key", &set(&self.stooq_key))
            .field("alpha_vantage_key", &set(&self.alpha_vantage_key))
            .field("polygon_key", &set(&self.polygon_key))
            .field("stooq_url", &self.stooq_url)
            .field("alpha_vantage_url", &self.alpha_vantage_url)
            .field("polygon_url", &self.polygon_url)
            .finish()
    }
}

/// An OpenAI-compatible AI endpoint (OpenAI, Groq, Ollama, vLLM, llama.cpp's server).
#[derive(Clone, PartialEq, Eq)]
pub struct HostedAi {
    /// "https://api.openai.com/v1", "http://127.0.0.1:11434/v1".
    pub base_url: String,
    /// `None` for servers that need no key (a local Ollama).
    pub api_key: Option<String>,
    pub model: String,
}

impl fmt::Debug for HostedAi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostedAi")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<set>"))
            .field("model", &self.model)
            .finish()
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("data_dir", &self.data_dir)
            .field("database", &self.database)
            .field("redis_url", &self.redis_url.as_deref().map(redact_password))
            .field("redis_prefix", &self.redis_prefix)
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "<set>"))
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "<set>"),
            )
            .field("log_format", &self.log_format)
            .field("access_token_ttl_secs", &self.access_token_ttl_secs)
            .field("refresh_token_ttl_secs", &self.refresh_token_ttl_secs)
            .field("trust_proxy", &self.trust_proxy)
            .field("public_origin", &self.public_origin)
            .field("rate_limit_messages", &self.rate_limit_messages)
            .field("rate_limit_window_secs", &self.rate_limit_window_secs)
            .field("assistant_rate_limit", &self.assistant_rate_limit)
            .field("signup_rate_limit", &self.signup_rate_limit)
            .field("hash_threads", &self.hash_threads)
            .field("hash_queue", &self.hash_queue)
            .field("sockets_per_person", &self.sockets_per_person)
            .field("guest_sockets_per_address", &self.guest_sockets_per_address)
            .field("toxicity_threshold", &self.toxicity_threshold)
            .field("apertium_url", &self.apertium_url)
            .field(
                "hosted_ai",
                &self
                    .hosted_ai
                    .as_ref()
                    .map(|ai| format!("{} ({})", ai.base_url, ai.model)),
            )
            .field("market", &self.market)
            .field("stock_bot", &self.stock_bot)
            .field("ai_worker", &self.ai_worker)
            .field("alert_check_secs", &self.alert_check_secs)
            .field("event_reminder_secs", &self.event_reminder_secs)
            .field("analytics_rollup_secs", &self.analytics_rollup_secs)
            .field("achievement_secs", &self.achievement_secs)
            .field("webhook_poll_ms", &self.webhook_poll_ms)
            .field("webhook_timeout_ms", &self.webhook_timeout_ms)
            .field("bot_rate_limit", &self.bot_rate_limit)
            .field("outbound_to_private", &self.outbound_to_private)
            .field("file_store", &self.files.store)
            .field("max_upload_bytes", &self.files.max_upload_bytes)
            .field("smtp", &self.smtp)
            .field("push", &self.push)
            .field("voice_ice_servers", &self.voice_ice_servers.len())
            .finish()
    }
}

/// A configuration value that cannot be used, named by its variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{var}: {reason}")]
pub struct ConfigError {
    pub var: &'static str,
    pub reason: String,
}

impl ConfigError {
    fn new(var: &'static str, reason: impl Into<String>) -> Self {
        Self {
            var,
            reason: reason.into(),
        }
    }
}

/// The shortest `JWT_SECRET` accepted: 256 bits of hex or base64 is about this long.
/// The default `TOXICITY_THRESHOLD`: messages scoring at least this are flagged.
pub const DEFAULT_TOXICITY_THRESHOLD: f32 = 0.7;
/// The default `ALERT_CHECK_SECS`: how often price alerts are checked (quotes are cached for
/// 60 s, so more often would not see more).
pub const DEFAULT_ALERT_CHECK_SECS: u64 = 60;
/// The largest file a person may attach unless `MAX_UPLOAD_MB` says otherwise.
pub const DEFAULT_MAX_UPLOAD_MB: u64 = 16;

pub const MIN_JWT_SECRET_LEN: usize = 32;

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&std::env::vars().collect())
    }

    /// Reads the given variables (the environment, or a map in tests).
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        // An empty value counts as unset, as most tools treat `VAR=` in a .env file.
        let get = |name: &str| vars.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());

        let addr = get("BULLPEN_ADDR")
            .map(|v| {
                v.parse::<SocketAddr>().map_err(|_| {
                    ConfigError::new(
                        "BULLPEN_ADDR",
                        format!("`{v}` is not an address and port, like 127.0.0.1:3000"),
                    )
                })
            })
            .transpose()?;

        let data_dir = PathBuf::from(get("BULLPEN_DATA_DIR").unwrap_or("data"));

        let database = match get("DATABASE_URL") {
            None => DatabaseUrl::Sqlite(data_dir.join("bullpen.db")),
            Some(url) => parse_database_url(url)?,
        };

        let redis_url = get("REDIS_URL")
            .map(|url| {
                if url.starts_with("redis://") || url.starts_with("rediss://") {
                    Ok(url.to_owned())
                } else {
                    Err(ConfigError::new(
                        "REDIS_URL",
                        "must start with redis:// or rediss://, like redis://127.0.0.1:6379",
                    ))
                }
            })
            .transpose()?;

        let redis_prefix = match get("REDIS_PREFIX") {
            None => crate::platform::broker::DEFAULT_PREFIX.to_string(),
            // Glob characters would widen the pattern subscription to other deployments.
            Some(p) if p.len() <= 64 && p.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c)) => p.to_string(),
            Some(p) => {
                return Err(ConfigError::new(
                    "REDIS_PREFIX",
                    format!("`{p}` is not a prefix of up to 64 letters, digits, `_`, `-` or `.`, like bullpen-staging"),
                ))
            }
        };

        let jwt_secret = get("JWT_SECRET")
            .map(|secret| {
                if secret.len() < MIN_JWT_SECRET_LEN {
                    Err(ConfigError::new(
                        "JWT_SECRET",
                        format!(
                            "is {} characters long; use at least {MIN_JWT_SECRET_LEN} random characters, \
                             or leave it unset to have one generated",
                            secret.len()
                        ),
                    ))
                } else {
                    Ok(secret.to_owned())
                }
            })
            .transpose()?;

        let log_format = match get("BULLPEN_LOG_FORMAT")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError::new(
                    "BULLPEN_LOG_FORMAT",
                    format!("`{other}` is not a log format; use `pretty` or `json`"),
                ))
            }
        };

        // A whole number within bounds, or a sentence naming the variable and the bounds.
        let within = |var: &'static str,
                      default: u64,
                      (min, max): (u64, u64),
                      unit: &str|
         -> Result<u64, ConfigError> {
            match get(var) {
                None => Ok(default),
                Some(v) => match v.parse::<u64>() {
                    Ok(n) if (min..=max).contains(&n) => Ok(n),
                    _ => Err(ConfigError::new(
                        var,
                        format!("`{v}` is not a number of {unit} between {min} and {max}"),
                    )),
                },
            }
        };
        let seconds = |var: &'static str, default: u64, min: u64, max: u64| {
            within(var, default, (min, max), "seconds")
        };
        let access_token_ttl_secs = seconds("ACCESS_TOKEN_TTL", 15 * 60, 30, 24 * 60 * 60)?;
        let refresh_token_ttl_secs = seconds(
            "REFRESH_TOKEN_TTL",
            30 * 24 * 60 * 60,
            60,
            365 * 24 * 60 * 60,
        )?;

        let rate_limit_messages = match get("RATE_LIMIT_MESSAGES") {
            None => 10,
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| *n <= 100_000)
                .ok_or_else(|| {
                    ConfigError::new(
                        "RATE_LIMIT_MESSAGES",
                        format!(
                            "`{v}` is not a number of messages between 0 (no limit) and 100000"
                        ),
                    )
                })?,
        };
        let rate_limit_window_secs = seconds("RATE_LIMIT_WINDOW", 60, 1, 24 * 60 * 60)?;
        let assistant_rate_limit = match get("ASSISTANT_RATE_LIMIT") {
            None => 20,
            Some(v) => v.parse::<u32>().ok().filter(|n| *n <= 100_000).ok_or_else(|| {
                ConfigError::new("ASSISTANT_RATE_LIMIT", format!("`{v}` is not a number of questions per minute between 0 (no limit) and 100000"))
            })?,
        };
        let signup_rate_limit = match get("SIGNUP_RATE_LIMIT") {
            None => 10,
            Some(v) => v.parse::<u32>().ok().filter(|n| *n <= 1_000_000).ok_or_else(|| {
                ConfigError::new("SIGNUP_RATE_LIMIT", format!("`{v}` is not a number of sign-ups per address and hour between 0 (no limit) and 1000000"))
            })?,
        };
        let count = |var: &'static str, default: usize, max: usize| -> Result<usize, ConfigError> {
            match get(var) {
                None => Ok(default),
                Some(v) => v
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=max).contains(n))
                    .ok_or_else(|| {
                        ConfigError::new(var, format!("`{v}` is not a number between 1 and {max}"))
                    }),
            }
        };
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let hash_threads = count("HASH_CONCURRENCY", (cores / 2).max(1), 256)?;
        let hash_queue = count("HASH_QUEUE", hash_threads * 32, 100_000)?;
        let sockets_per_person = count("SOCKETS_PER_PERSON", 20, 10_000)?;
        let guest_sockets_per_address = count("GUEST_SOCKETS_PER_ADDRESS", 50, 100_000)?;
        let alert_check_secs = seconds(
            "ALERT_CHECK_SECS",
            DEFAULT_ALERT_CHECK_SECS,
            1,
            24 * 60 * 60,
        )?;
        let event_reminder_secs = seconds("EVENT_REMINDER_SECS", 30, 1, 60 * 60)?;
        let analytics_rollup_secs = seconds("ANALYTICS_ROLLUP_SECS", 60, 1, 24 * 60 * 60)?;
        let achievement_secs = seconds("ACHIEVEMENT_SECS", 60, 1, 24 * 60 * 60)?;
        let webhook_poll_ms = within("WEBHOOK_POLL_MS", 1000, (50, 60_000), "milliseconds")?;
        let webhook_timeout_ms =
            within("WEBHOOK_TIMEOUT_MS", 10_000, (100, 60_000), "milliseconds")?;
        let bot_rate_limit = within(
            "BOT_RATE_LIMIT",
            30,
            (0, 100_000),
            "messages a minute (0: no limit)",
        )? as u32;
        let voice_ice_servers = ice_servers(get("VOICE_ICE_SERVERS"))?;
        // The old name still works, for installs that set it when only webhooks called out.
        let (outbound_var, outbound_value) = match get("OUTBOUND_TO_PRIVATE_ADDRESSES") {
            Some(value) => ("OUTBOUND_TO_PRIVATE_ADDRESSES", Some(value)),
            None => (
                "WEBHOOKS_TO_PRIVATE_ADDRESSES",
                get("WEBHOOKS_TO_PRIVATE_ADDRESSES"),
            ),
        };
        let outbound_to_private = match outbound_value.map(str::to_ascii_lowercase).as_deref() {
            None | Some("off") | Some("false") | Some("0") => false,
            Some("on") | Some("true") | Some("1") => true,
            Some(other) => {
                return Err(ConfigError::new(
                    outbound_var,
                    format!("`{other}` is not `on` or `off`"),
                ))
            }
        };
        let toxicity_threshold = match get("TOXICITY_THRESHOLD") {
            None => DEFAULT_TOXICITY_THRESHOLD,
            Some(v) => v
                .parse::<f32>()
                .ok()
                .filter(|t| (0.0..=1.0).contains(t))
                .ok_or_else(|| {
                    ConfigError::new(
                        "TOXICITY_THRESHOLD",
                        format!("`{v}` is not a score between 0 and 1 (e.g. 0.7)"),
                    )
                })?,
        };
        let http_url = |var: &'static str| -> Result<Option<String>, ConfigError> {
            match get(var) {
                None => Ok(None),
                Some(v) if v.starts_with("http://") || v.starts_with("https://") => {
                    Ok(Some(v.trim_end_matches('/').to_string()))
                }
                Some(v) => Err(ConfigError::new(
                    var,
                    format!("`{v}` is not an http:// or https:// address"),
                )),
            }
        };
        let apertium_url = http_url("APERTIUM_URL")?;
        let hosted_ai = match (http_url("AI_BASE_URL")?, get("AI_MODEL")) {
            (None, _) => None,
            (Some(_), None) => return Err(ConfigError::new(
                "AI_MODEL",
                "is needed with AI_BASE_URL: name the model to use (e.g. gpt-4o-mini, llama3.1)",
            )),
            (Some(base_url), Some(model)) => Some(HostedAi {
                base_url,
                api_key: get("AI_API_KEY").map(str::to_string),
                model: model.to_string(),
            }),
        };

        let key = |var: &str| get(var).map(str::to_string);
        let market = MarketConfig {
            providers: market_sources(get("MARKET_PROVIDERS").unwrap_or("offline"))?,
            stooq_key: key("STOOQ_API_KEY"),
            alpha_vantage_key: key("ALPHA_VANTAGE_API_KEY"),
            polygon_key: key("POLYGON_API_KEY"),
            stooq_url: http_url("STOOQ_URL")?.unwrap_or_else(|| "https://stooq.com".into()),
            alpha_vantage_url: http_url("ALPHA_VANTAGE_URL")?
                .unwrap_or_else(|| "https://www.alphavantage.co".into()),
            polygon_url: http_url("POLYGON_URL")?
                .unwrap_or_else(|| "https://api.polygon.io".into()),
            clock: get("MARKET_CLOCK")
                .map(|v| {
                    chrono::DateTime::parse_from_rfc3339(v)
                        .map(|t| t.with_timezone(&chrono::Utc))
                        .map_err(|_| {
                            ConfigError::new(
                                "MARKET_CLOCK",
                                format!("`{v}` is not an instant, like 2026-11-24T15:00:00Z"),
                            )
                        })
                })
                .transpose()?,
        };
        for (source, needed, var) in [
            (
                MarketSource::AlphaVantage,
                &market.alpha_vantage_key,
                "ALPHA_VANTAGE_API_KEY",
            ),
            (
                MarketSource::Polygon,
                &market.polygon_key,
                "POLYGON_API_KEY",
            ),
        ] {
            if market.providers.contains(&source) && needed.is_none() {
                return Err(ConfigError::new(
                    var,
                    "is needed when MARKET_PROVIDERS names this provider",
                ));
            }
        }

        let stock_bot = match get("STOCK_BOT").map(str::to_ascii_lowercase).as_deref() {
            None | Some("on") | Some("true") | Some("1") => true,
            Some("off") | Some("false") | Some("0") => false,
            Some(other) => {
                return Err(ConfigError::new(
                    "STOCK_BOT",
                    format!("`{other}` is not `on` or `off`"),
                ))
            }
        };

        let ai_worker = match get("AI_WORKER").map(str::to_ascii_lowercase).as_deref() {
            None | Some("here") => AiWorker::Here,
            Some("apart") if redis_url.is_some() => AiWorker::Apart,
            Some("apart") => {
                return Err(ConfigError::new(
                    "AI_WORKER",
                    "`apart` needs REDIS_URL: the workers take the messages from Redis".to_string(),
                ))
            }
            Some(other) => {
                return Err(ConfigError::new(
                    "AI_WORKER",
                    format!("`{other}` is not `here` or `apart`"),
                ))
            }
        };

        let trust_proxy = match get("BULLPEN_TRUST_PROXY")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("false") | Some("0") | Some("no") => false,
            Some("true") | Some("1") | Some("yes") => true,
            Some(other) => {
                return Err(ConfigError::new(
                    "BULLPEN_TRUST_PROXY",
                    format!("`{other}` is not `true` or `false`"),
                ))
            }
        };

        let public_origin = get("BULLPEN_PUBLIC_URL")
            .map(|url| {
                crate::platform::security::normalize_origin(url).ok_or_else(|| {
                    ConfigError::new(
                        "BULLPEN_PUBLIC_URL",
                        format!(
                            "`{url}` is not an http:// or https:// address without a path, \
                             like https://bullpen.example"
                        ),
                    )
                })
            })
            .transpose()?;
        let smtp = match get("SMTP_URL") {
            None => None,
            Some(url) if url.starts_with("smtp://") || url.starts_with("smtps://") => {
                // A link built from the request's Host header could be pointed at another site
                // by whoever asks for a reset; mail goes out only with a configured address.
                // (`public_origin` is also where links in e-mail point.)
                if public_origin.is_none() {
                    return Err(ConfigError::new(
                        "BULLPEN_PUBLIC_URL",
                        "is needed with SMTP_URL: the address of this site for links in e-mail, like https://bullpen.example",
                    ));
                }
                let from = get("SMTP_FROM").unwrap_or("Bullpen <no-reply@localhost>");
                if !from.contains('@') {
                    return Err(ConfigError::new("SMTP_FROM", format!("`{from}` is not an e-mail address")));
                }
                Some(SmtpConfig { url: url.to_owned(), from: from.to_owned() })
            }
            Some(url) => {
                return Err(ConfigError::new(
                    "SMTP_URL",
                    format!("`{}` must start with smtp:// or smtps://, like smtp://user:pass@mail.example:587?tls=required", redact_password(url)),
                ))
            }
        };

        let store = match get("OBJECT_STORE_URL") {
            None => FileStoreConfig::Directory(
                get("OBJECT_STORE_DIR")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| data_dir.join("files")),
            ),
            Some(url) if url.starts_with("s3://") && url.len() > "s3://".len() => {
                FileStoreConfig::S3 {
                    url: url.to_string(),
                    options: vars
                        .iter()
                        .filter(|(name, value)| name.starts_with("AWS_") && !value.trim().is_empty())
                        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_string()))
                        .collect(),
                }
            }
            Some(_) => {
                return Err(ConfigError::new(
                    "OBJECT_STORE_URL",
                    "must be an S3 bucket, like s3://bullpen-files (leave it unset to keep files in the data directory)",
                ))
            }
        };
        let max_upload_mb = match get("MAX_UPLOAD_MB") {
            None => DEFAULT_MAX_UPLOAD_MB,
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|mb| (1..=1024).contains(mb))
                .ok_or_else(|| {
                    ConfigError::new(
                        "MAX_UPLOAD_MB",
                        format!("`{v}` is not a number of megabytes from 1 to 1024"),
                    )
                })?,
        };
        let files = FilesConfig {
            store,
            max_upload_bytes: max_upload_mb * 1024 * 1024,
            sweep_secs: seconds("FILE_SWEEP_SECS", 300, 1, 24 * 60 * 60)?,
        };

        let contact = get("PUSH_CONTACT")
            .map(str::trim)
            .unwrap_or("mailto:push@localhost")
            .to_string();
        if !(contact.starts_with("mailto:") || contact.starts_with("https://")) {
            return Err(ConfigError::new(
                "PUSH_CONTACT",
                format!("`{contact}` is not a mailto: or https: address"),
            ));
        }
        let allow_http = match get("PUSH_ALLOW_HTTP")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("false") | Some("0") | Some("no") => false,
            Some("true") | Some("1") | Some("yes") => true,
            Some(other) => {
                return Err(ConfigError::new(
                    "PUSH_ALLOW_HTTP",
                    format!("`{other}` is not `true` or `false`"),
                ))
            }
        };
        let push = PushConfig {
            contact,
            allow_http,
        };

        let metrics_token = match get("METRICS_TOKEN").map(str::trim) {
            None | Some("") => None,
            Some(token) if token.len() < 16 => {
                return Err(ConfigError::new(
                    "METRICS_TOKEN",
                    format!(
                        "is {} characters long; use at least 16 (e.g. `openssl rand -hex 16`)",
                        token.len()
                    ),
                ))
            }
            Some(token) => Some(token.to_string()),
        };

        Ok(Config {
            addr,
            data_dir,
            database,
            redis_url,
            redis_prefix,
            jwt_secret,
            log_format,
            access_token_ttl_secs,
            refresh_token_ttl_secs,
            trust_proxy,
            public_origin,
            rate_limit_messages,
            rate_limit_window_secs,
            assistant_rate_limit,
            signup_rate_limit,
            hash_threads,
            hash_queue,
            sockets_per_person,
            guest_sockets_per_address,
            toxicity_threshold,
            apertium_url,
            hosted_ai,
            market,
            stock_bot,
            ai_worker,
            alert_check_secs,
            event_reminder_secs,
            analytics_rollup_secs,
            achievement_secs,
            webhook_poll_ms,
            webhook_timeout_ms,
            bot_rate_limit,
            outbound_to_private,
            smtp,
            files,
            push,
            metrics_token,
            voice_ice_servers,
        })
    }
}

/// `MARKET_PROVIDERS`: a comma-separated chain, e.g. "stooq,offline".
fn market_sources(value: &str) -> Result<Vec<MarketSource>, ConfigError> {
    let mut sources = Vec::new();
    for name in value
        .split(',')
        .map(|n| n.trim().to_ascii_lowercase())
        .filter(|n| !n.is_empty())
    {
        let source = match name.replace(['-', '_', ' '], "").as_str() {
            "stooq" => MarketSource::Stooq,
            "alphavantage" => MarketSource::AlphaVantage,
            "polygon" => MarketSource::Polygon,
            "offline" => MarketSource::Offline,
            _ => {
                return Err(ConfigError::new(
                    "MARKET_PROVIDERS",
                    format!(
                        "`{name}` is not a market provider (stooq, alphavantage, polygon, offline)"
                    ),
                ))
            }
        };
        if !sources.contains(&source) {
            sources.push(source);
        }
    }
    if sources.is_empty() {
        return Err(ConfigError::new(
            "MARKET_PROVIDERS",
            "names no provider (e.g. stooq,offline)",
        ));
    }
    Ok(sources)
}

fn parse_database_url(url: &str) -> Result<DatabaseUrl, ConfigError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(DatabaseUrl::Postgres(url.to_owned()));
    }
    if let Some(rest) = url.strip_prefix("sqlite:") {
        // sqlite://path, sqlite:path; connection options after `?` are ours to set.
        let path = rest.trim_start_matches("//");
        let path = path.split('?').next().unwrap_or_default();
        if path.is_empty() || path == ":memory:" {
            return Err(ConfigError::new(
                "DATABASE_URL",
                "needs a SQLite file path, like sqlite://data/bullpen.db (an in-memory database would lose everything)",
            ));
        }
        return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
    }
    Err(ConfigError::new(
        "DATABASE_URL",
        "must start with sqlite:// or postgres://, like postgres://user@127.0.0.1:5432/bullpen",
    ))
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// The directory part of a SQLite path, to create before connecting.
pub fn sqlite_parent(path: &Path) -> Option<&Path> {
    path.parent().filter(|p| !p.as_os_str().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_vars(
            &pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn defaults_need_nothing_installed() {
        let c = config(&[]).unwrap();
        assert_eq!(c.addr, None);
        assert_eq!(c.data_dir, PathBuf::from("data"));
        assert_eq!(
            c.database,
            DatabaseUrl::Sqlite(PathBuf::from("data/bullpen.db"))
        );
        assert_eq!(c.redis_url, None);
        assert_eq!(c.jwt_secret, None);
        assert_eq!(c.log_format, LogFormat::Pretty);
        assert_eq!((c.rate_limit_messages, c.rate_limit_window_secs), (10, 60));
        assert_eq!(c.assistant_rate_limit, 20);
        assert_eq!(c.toxicity_threshold, 0.7);
        assert_eq!((c.apertium_url, c.hosted_ai), (None, None));
        assert_eq!(c.public_origin, None);
    }

    #[test]
    fn the_public_url_is_kept_as_an_origin() {
        let c = config(&[("BULLPEN_PUBLIC_URL", "https://Bullpen.example:443/")]).unwrap();
        assert_eq!(c.public_origin.as_deref(), Some("https://bullpen.example"));
        for bad in [
            "bullpen.example",
            "https://bullpen.example/app",
            "ftp://bullpen.example",
        ] {
            let err = config(&[("BULLPEN_PUBLIC_URL", bad)]).unwrap_err();
            assert_eq!(err.var, "BULLPEN_PUBLIC_URL", "{bad}");
        }
    }

    #[test]
    fn a_hosted_ai_needs_an_address_and_a_model() {
        let c = config(&[
            ("AI_BASE_URL", "http://127.0.0.1:11434/v1/"),
            ("AI_MODEL", "llama3.1"),
            ("APERTIUM_URL", "http://127.0.0.1:2737"),
        ])
        .unwrap();
        let ai = c.hosted_ai.unwrap();
        assert_eq!(
            (ai.base_url.as_str(), ai.model.as_str(), ai.api_key),
            ("http://127.0.0.1:11434/v1", "llama3.1", None)
        );
        assert_eq!(c.apertium_url.as_deref(), Some("http://127.0.0.1:2737"));
        let err = config(&[("AI_BASE_URL", "https://api.openai.com/v1")]).unwrap_err();
        assert_eq!(err.var, "AI_MODEL");
        let err = config(&[("AI_BASE_URL", "api.openai.com"), ("AI_MODEL", "x")]).unwrap_err();
        assert!(err.to_string().contains("not an http"), "{err}");
        // The key never shows in logs.
        let c = config(&[
            ("AI_BASE_URL", "https://x.test/v1"),
            ("AI_MODEL", "m"),
            ("AI_API_KEY", "sk-secret"),
        ])
        .unwrap();
        assert!(!format!("{c:?}").contains("sk-secret"));
    }

    #[test]
    fn market_providers_form_a_chain_and_hosted_ones_need_their_keys() {
        assert_eq!(
            config(&[]).unwrap().market.providers,
            [MarketSource::Offline]
        );
        let c = config(&[
            ("MARKET_PROVIDERS", "Stooq, alpha-vantage ,offline"),
            ("ALPHA_VANTAGE_API_KEY", "av-secret"),
        ])
        .unwrap();
        assert_eq!(
            c.market.providers,
            [
                MarketSource::Stooq,
                MarketSource::AlphaVantage,
                MarketSource::Offline
            ]
        );
        assert!(!format!("{c:?}").contains("av-secret"));
        assert_eq!(
            config(&[("MARKET_PROVIDERS", "polygon")]).unwrap_err().var,
            "POLYGON_API_KEY"
        );
        let err = config(&[("MARKET_PROVIDERS", "stooq,yahoo")]).unwrap_err();
        assert!(
            err.to_string().contains("`yahoo` is not a market provider"),
            "{err}"
        );
        assert_eq!(
            config(&[("MARKET_PROVIDERS", " , ")]).unwrap_err().var,
            "MARKET_PROVIDERS"
        );
        assert_eq!(
            config(&[("STOOQ_URL", "stooq.com")]).unwrap_err().var,
            "STOOQ_URL"
        );
        assert!(config(&[]).unwrap().stock_bot);
        assert_eq!(config(&[]).unwrap().ai_worker, AiWorker::Here);
        assert_eq!(
            config(&[
                ("AI_WORKER", "apart"),
                ("REDIS_URL", "redis://127.0.0.1:6379")
            ])
            .unwrap()
            .ai_worker,
            AiWorker::Apart
        );
        // Apart without Redis would leave every message unjudged: refused at the start.
        assert_eq!(
            config(&[("AI_WORKER", "apart")]).unwrap_err().var,
            "AI_WORKER"
        );
        assert_eq!(
            config(&[("AI_WORKER", "elsewhere")]).unwrap_err().var,
            "AI_WORKER"
        );
        assert!(!config(&[("STOCK_BOT", "off")]).unwrap().stock_bot);
        assert!(!config(&[]).unwrap().outbound_to_private);
        assert!(config(&[]).unwrap().voice_ice_servers.is_empty());
        let servers = config(&[(
            "VOICE_ICE_SERVERS",
            r#"[{"urls":["stun:stun.example.org:3478"]},{"urls":["turn:turn.example.org"],"username":"u","credential":"p"}]"#,
        )])
        .unwrap()
        .voice_ice_servers;
        assert_eq!(servers.len(), 2);
        assert_eq!(servers[1].username.as_deref(), Some("u"));
        let shared = config(&[(
            "VOICE_ICE_SERVERS",
            r#"[{"urls":["turns:turn.example.org:5349"],"secret":"s3"}]"#,
        )])
        .unwrap();
        assert_eq!(shared.voice_ice_servers[0].secret.as_deref(), Some("s3"));
        let printed = format!("{:?}", shared.voice_ice_servers);
        assert!(
            !printed.contains("s3"),
            "the secret is not printed: {printed}"
        );
        for wrong in [
            "stun:stun.example.org",
            r#"[{"urls":["https://example.org"]}]"#,
            r#"[{"urls":["turn:turn.example.org"]}]"#,
            r#"[{"urls":["turn:turn.example.org"],"secret":""}]"#,
            r#"[{"urls":["turn:t.example.org"],"secret":"s","username":"u","credential":"p"}]"#,
            r#"[{"urls":[]}]"#,
        ] {
            assert_eq!(
                config(&[("VOICE_ICE_SERVERS", wrong)]).unwrap_err().var,
                "VOICE_ICE_SERVERS",
                "{wrong}"
            );
        }
        for var in [
            "OUTBOUND_TO_PRIVATE_ADDRESSES",
            "WEBHOOKS_TO_PRIVATE_ADDRESSES",
        ] {
            assert!(config(&[(var, "on")]).unwrap().outbound_to_private, "{var}");
            assert_eq!(config(&[(var, "maybe")]).unwrap_err().var, var);
        }
        assert!(
            !config(&[
                ("OUTBOUND_TO_PRIVATE_ADDRESSES", "off"),
                ("WEBHOOKS_TO_PRIVATE_ADDRESSES", "on")
            ])
            .unwrap()
            .outbound_to_private
        );
        assert_eq!(
            config(&[("WEBHOOK_POLL_MS", "10")]).unwrap_err().var,
            "WEBHOOK_POLL_MS"
        );
        assert_eq!(
            config(&[("BOT_RATE_LIMIT", "many")]).unwrap_err().var,
            "BOT_RATE_LIMIT"
        );
        assert_eq!(
            config(&[("STOCK_BOT", "maybe")]).unwrap_err().var,
            "STOCK_BOT"
        );
    }

    #[test]
    fn the_toxicity_threshold_is_a_score_between_zero_and_one() {
        assert_eq!(
            config(&[("TOXICITY_THRESHOLD", "0.5")])
                .unwrap()
                .toxicity_threshold,
            0.5
        );
        let err = config(&[("TOXICITY_THRESHOLD", "70")]).unwrap_err();
        assert!(err.to_string().contains("between 0 and 1"), "{err}");
    }

    #[test]
    fn the_chat_rate_limit_is_configurable_and_can_be_switched_off() {
        let c = config(&[("RATE_LIMIT_MESSAGES", "0"), ("RATE_LIMIT_WINDOW", "30")]).unwrap();
        assert_eq!((c.rate_limit_messages, c.rate_limit_window_secs), (0, 30));
        assert_eq!(
            config(&[("ASSISTANT_RATE_LIMIT", "3")])
                .unwrap()
                .assistant_rate_limit,
            3
        );
        assert_eq!(
            config(&[("ASSISTANT_RATE_LIMIT", "many")])
                .err()
                .unwrap()
                .var,
            "ASSISTANT_RATE_LIMIT"
        );
        let err = config(&[("RATE_LIMIT_MESSAGES", "lots")]).err().unwrap();
        assert_eq!(err.var, "RATE_LIMIT_MESSAGES");
        let err = config(&[("RATE_LIMIT_WINDOW", "0")]).err().unwrap();
        assert_eq!(err.var, "RATE_LIMIT_WINDOW");
    }

    #[test]
    fn sqlite_file_follows_the_data_dir() {
        let c = config(&[("BULLPEN_DATA_DIR", "/var/lib/bullpen")]).unwrap();
        assert_eq!(
            c.database,
            DatabaseUrl::Sqlite(PathBuf::from("/var/lib/bullpen/bullpen.db"))
        );
        assert_eq!(
            c.database.connection_string(),
            "sqlite:///var/lib/bullpen/bullpen.db?mode=rwc"
        );
    }

    #[test]
    fn database_url_accepts_postgres_and_sqlite() {
        let c = config(&[("DATABASE_URL", "postgres://bp@127.0.0.1:5432/bullpen")]).unwrap();
        assert_eq!(
            c.database,
            DatabaseUrl::Postgres("postgres://bp@127.0.0.1:5432/bullpen".into())
        );
        assert_eq!(c.database.engine(), "PostgreSQL");
        let c = config(&[("DATABASE_URL", "sqlite://other/chat.db?mode=ro")]).unwrap();
        assert_eq!(
            c.database,
            DatabaseUrl::Sqlite(PathBuf::from("other/chat.db"))
        );
    }

    #[test]
    fn bad_database_url_names_the_variable() {
        let err = config(&[("DATABASE_URL", "mysql://root@localhost/db")]).unwrap_err();
        assert_eq!(err.var, "DATABASE_URL");
        assert!(err
            .to_string()
            .starts_with("DATABASE_URL: must start with sqlite:// or postgres://"));
        let err = config(&[("DATABASE_URL", "sqlite::memory:")]).unwrap_err();
        assert_eq!(err.var, "DATABASE_URL");
        assert!(err.reason.contains("needs a SQLite file path"));
    }

    #[test]
    fn bad_address_names_the_variable() {
        let err = config(&[("BULLPEN_ADDR", "localhost")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "BULLPEN_ADDR: `localhost` is not an address and port, like 127.0.0.1:3000"
        );
        assert_eq!(
            config(&[("BULLPEN_ADDR", "0.0.0.0:8080")]).unwrap().addr,
            Some("0.0.0.0:8080".parse().unwrap())
        );
    }

    #[test]
    fn the_redis_prefix_keeps_deployments_apart_and_refuses_patterns() {
        assert_eq!(config(&[]).unwrap().redis_prefix, "bullpen");
        assert_eq!(
            config(&[("REDIS_PREFIX", "bullpen-staging")])
                .unwrap()
                .redis_prefix,
            "bullpen-staging"
        );
        for bad in ["bull*", "a b", "x?", "[ab]"] {
            let err = config(&[("REDIS_PREFIX", bad)]).unwrap_err();
            assert_eq!(err.var, "REDIS_PREFIX", "{bad}");
        }
    }

    #[test]
    fn bad_redis_url_names_the_variable() {
        let err = config(&[("REDIS_URL", "127.0.0.1:6379")]).unwrap_err();
        assert_eq!(err.var, "REDIS_URL");
        let ok = config(&[("REDIS_URL", "redis://127.0.0.1:6379")]).unwrap();
        assert_eq!(ok.redis_url.as_deref(), Some("redis://127.0.0.1:6379"));
    }

    #[test]
    fn short_jwt_secret_is_refused() {
        let err = config(&[("JWT_SECRET", "hunter2")]).unwrap_err();
        assert_eq!(err.var, "JWT_SECRET");
        assert!(err.reason.contains("is 7 characters long"));
        let long = "x".repeat(MIN_JWT_SECRET_LEN);
        assert_eq!(
            config(&[("JWT_SECRET", &long)]).unwrap().jwt_secret,
            Some(long)
        );
    }

    #[test]
    fn log_format_is_checked() {
        assert_eq!(
            config(&[("BULLPEN_LOG_FORMAT", "JSON")])
                .unwrap()
                .log_format,
            LogFormat::Json
        );
        let err = config(&[("BULLPEN_LOG_FORMAT", "xml")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "BULLPEN_LOG_FORMAT: `xml` is not a log format; use `pretty` or `json`"
        );
    }

    #[test]
    fn token_lifetimes_are_checked() {
        let c = config(&[]).unwrap();
        assert_eq!(
            (c.access_token_ttl_secs, c.refresh_token_ttl_secs),
            (900, 2_592_000)
        );
        assert_eq!(
            config(&[("ACCESS_TOKEN_TTL", "300")])
                .unwrap()
                .access_token_ttl_secs,
            300
        );
        let err = config(&[("ACCESS_TOKEN_TTL", "15m")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ACCESS_TOKEN_TTL: `15m` is not a number of seconds between 30 and 86400"
        );
        assert_eq!(
            config(&[("REFRESH_TOKEN_TTL", "5")]).unwrap_err().var,
            "REFRESH_TOKEN_TTL"
        );
    }

    #[test]
    fn smtp_needs_a_public_address_and_a_known_scheme() {
        assert_eq!(config(&[]).unwrap().smtp, None);
        let err = config(&[("SMTP_URL", "smtp://127.0.0.1:2525")]).unwrap_err();
        assert_eq!(err.var, "BULLPEN_PUBLIC_URL");
        let err = config(&[
            ("SMTP_URL", "mail.example:25"),
            ("BULLPEN_PUBLIC_URL", "https://b.example"),
        ])
        .unwrap_err();
        assert_eq!(err.var, "SMTP_URL");
        let c = config(&[
            (
                "SMTP_URL",
                "smtp://ana:hunter2@mail.example:587?tls=required",
            ),
            ("BULLPEN_PUBLIC_URL", "https://b.example/"),
        ])
        .unwrap();
        assert_eq!(c.public_origin.as_deref(), Some("https://b.example"));
        let smtp = c.smtp.unwrap();
        assert_eq!(smtp.from, "Bullpen <no-reply@localhost>");
        assert!(!format!("{smtp:?}").contains("hunter2"));
    }

    #[test]
    fn trust_proxy_is_a_boolean() {
        assert!(!config(&[]).unwrap().trust_proxy);
        assert!(
            config(&[("BULLPEN_TRUST_PROXY", "TRUE")])
                .unwrap()
                .trust_proxy
        );
        assert_eq!(
            config(&[("BULLPEN_TRUST_PROXY", "maybe")]).unwrap_err().var,
            "BULLPEN_TRUST_PROXY"
        );
    }

    #[test]
    fn empty_values_count_as_unset() {
        let c = config(&[("DATABASE_URL", ""), ("JWT_SECRET", "  ")]).unwrap();
        assert!(matches!(c.database, DatabaseUrl::Sqlite(_)));
        assert_eq!(c.jwt_secret, None);
    }

    #[test]
    fn debug_output_hides_secrets() {
        let c = config(&[
            ("DATABASE_URL", "postgres://bp:topsecret@db/bullpen"),
            ("JWT_SECRET", &"s".repeat(40)),
        ])
        .unwrap();
        let printed = format!("{c:?}");
        assert!(!printed.contains("topsecret"), "{printed}");
        assert!(!printed.contains(&"s".repeat(40)), "{printed}");
        assert!(
            printed.contains("postgres://bp:***@db/bullpen"),
            "{printed}"
        );
    }
}
