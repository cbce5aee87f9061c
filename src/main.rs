//! The `bullpen` server binary: `bullpen [serve]` runs the app, `bullpen migrate` only brings
//! the database schema up to date.

use std::{process::ExitCode, sync::Arc};

use bullpen::platform::{
    broker::Broker,
    config::Config,
    db, meta, secrets,
    server::{self, AppState},
    telemetry,
};
use clap::{Parser, Subcommand};
use leptos::config::get_configuration;

#[derive(Parser)]
#[command(
    name = "bullpen",
    version,
    about = "Bullpen: a real-time investing community"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the app (the default): migrates the database first.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Run only the stock bot: answer `/stock` requests from the broker (use with REDIS_URL to
    /// run it apart from the servers).
    Bot,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // A .env file is optional; a broken one is an error, not something to half-read.
    if let Err(err) = dotenvy::dotenv() {
        if !err.not_found() {
            eprintln!("error: cannot read .env: {err}");
            return ExitCode::from(2);
        }
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);

    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => migrate(&config).await,
        Command::Bot => bot(config).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn connect_and_migrate(config: &Config) -> Result<sea_orm::DatabaseConnection, String> {
    let db = db::connect(&config.database)
        .await
        .map_err(|e| format!("cannot open {}: {e}", db::name()))?;
    db::migrate(&db)
        .await
        .map_err(|e| format!("database migration failed: {e}"))?;
    Ok(db)
}

async fn migrate(config: &Config) -> Result<(), String> {
    connect_and_migrate(config).await?;
    tracing::info!(database = ?config.database, "database is up to date");
    Ok(())
}

async fn serve(config: Config) -> Result<(), String> {
    let state = build_state(config).await?;
    let addr = state.config.addr.unwrap_or(state.leptos_options.site_addr);
    server::serve(state, addr)
        .await
        .map_err(|e| format!("cannot serve on {addr}: {e}"))
}

async fn bot(config: Config) -> Result<(), String> {
    let state = build_state(config).await?;
    server::run_bot(state).await;
    Ok(())
}

/// Everything a server or a bot process shares: database, broker, AI, market data.
async fn build_state(config: Config) -> Result<AppState, String> {
    let leptos = get_configuration(Some("Leptos.toml"))
        .map_err(|e| format!("cannot read Leptos.toml: {e}"))?
        .leptos_options;
    let jwt_secret =
        secrets::jwt_secret(config.jwt_secret.as_deref(), &config.data_dir).map_err(|e| {
            format!(
                "cannot prepare the JWT secret in {}: {e}",
                config.data_dir.display()
            )
        })?;
    let db = connect_and_migrate(&config).await?;
    let broker = Broker::connect(config.redis_url.as_deref(), &config.redis_prefix)
        .await
        .map_err(|e| format!("cannot start the message broker from REDIS_URL: {e}"))?;
    tracing::info!(broker = broker.kind(), "message broker ready");
    meta::record_installation(&db)
        .await
        .map_err(|e| format!("cannot write to the database: {e}"))?;
    tracing::info!(database = ?config.database, "database ready");

    tracing::info!(
        hosted = config
            .hosted_ai
            .as_ref()
            .map(|ai| ai.model.as_str())
            .unwrap_or("none"),
        apertium = config.apertium_url.as_deref().unwrap_or("none"),
        "AI engines: built-in moderation and language detection"
    );
    let ai = Arc::new(bullpen::ai::worker::AiWork::new(
        bullpen::ai::provider::from_config(&config),
    ));
    let market = Arc::new(bullpen::market::service::Market::from_config(
        &config.market,
    ));
    tracing::info!(sources = ?market.sources(), "market data");
    let hashing = bullpen::auth::password::configure(
        bullpen::auth::password::HashingLimits::from_config(&config),
    );
    tracing::info!(
        threads = hashing.threads,
        queue = hashing.queue,
        "password hashing"
    );
    let assistant = config
        .hosted_ai
        .clone()
        .map(|ai| Arc::new(bullpen::assistant::hosted::HostedAssistant::new(ai)));
    Ok(AppState {
        leptos_options: leptos,
        config: Arc::new(config),
        db,
        broker,
        jwt_secret: jwt_secret.into(),
        instance_id: uuid::Uuid::now_v7(),
        commands: Arc::new(bullpen::chat::command_handlers::CommandRegistry::with_builtins()),
        shutdown: Default::default(),
        ai,
        market,
        assistant,
    })
}
