//! The `bullpen` server binary: `bullpen [serve]` runs the app, `bullpen migrate` only brings
//! the database schema up to date, `bullpen bot` runs only the stock bot, and `bullpen bundle`
//! writes a copy of the binary that carries the built site. The work itself is built by the
//! composition root, `bullpen::server`.

use std::process::ExitCode;

use bullpen::{
    platform::{config::Config, telemetry},
    server,
};
use clap::{Parser, Subcommand};

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
    /// Run only the AI's work: judge and translate the messages serving instances hand over
    /// with `AI_WORKER=apart` (needs REDIS_URL; run as many as the AI needs).
    Worker,
    /// Write a copy of this binary that carries the built site, to deploy as one file.
    Bundle {
        /// The built site (`scripts/build-site` makes `target/site`).
        #[arg(long, default_value = "target/site")]
        site: std::path::PathBuf,
        /// Where to write the one-file binary.
        #[arg(long, default_value = "bullpen-bundled")]
        out: std::path::PathBuf,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Bundle { site, out }) = &cli.command {
        return bundle(site, out);
    }
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
        Command::Worker => worker(config).await,
        Command::Bundle { .. } => unreachable!("handled before the configuration is read"),
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

async fn migrate(config: &Config) -> Result<(), String> {
    server::connect_and_migrate(config).await?;
    tracing::info!(database = ?config.database, "database is up to date");
    Ok(())
}

async fn serve(config: Config) -> Result<(), String> {
    let state = server::build_state(config).await?;
    let addr = state.config.addr.unwrap_or(state.leptos_options.site_addr);
    server::serve(state, addr)
        .await
        .map_err(|e| format!("cannot serve on {addr}: {e}"))
}

async fn bot(config: Config) -> Result<(), String> {
    let state = server::build_state(config).await?;
    server::run_bot(state).await;
    Ok(())
}

async fn worker(config: Config) -> Result<(), String> {
    if config.redis_url.is_none() {
        return Err(
            "`bullpen worker` takes its messages from Redis: set REDIS_URL (and AI_WORKER=apart on the servers)"
                .into(),
        );
    }
    let state = server::build_state(config).await?;
    server::run_worker(state).await;
    Ok(())
}

fn bundle(site: &std::path::Path, out: &std::path::Path) -> ExitCode {
    if !site.join("pkg").is_dir() {
        eprintln!(
            "error: {} is not a built site (no pkg/ in it): run `scripts/build-site` first",
            site.display()
        );
        return ExitCode::from(2);
    }
    match bullpen::platform::site::bundle(site, out) {
        Ok(files) => {
            println!(
                "{} carries {files} files of {}",
                out.display(),
                site.display()
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: cannot write {}: {err}", out.display());
            ExitCode::FAILURE
        }
    }
}
