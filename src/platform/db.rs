//! The database connection: SQLite by default, PostgreSQL by `DATABASE_URL`. Same migrations,
//! same queries.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, Statement};

use super::config::{sqlite_parent, DatabaseUrl};

/// Opens a pool. For SQLite the file (and its directory) is created when missing.
pub async fn connect(url: &DatabaseUrl) -> Result<DatabaseConnection, DbErr> {
    if let DatabaseUrl::Sqlite(path) = url {
        if let Some(dir) = sqlite_parent(path) {
            std::fs::create_dir_all(dir).map_err(|e| {
                DbErr::Custom(format!(
                    "cannot create the data directory {}: {e}",
                    dir.display()
                ))
            })?;
        }
    }
    let mut options = ConnectOptions::new(url.connection_string());
    options
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    if matches!(url, DatabaseUrl::Sqlite(_)) {
        // SQLite allows one writer; a small pool avoids "database is locked" storms. WAL lets
        // readers go on while a message is written; every connection enforces foreign keys.
        // `synchronous = NORMAL` is SQLite's recommendation with WAL: a commit survives the
        // process crashing, and only a power cut can lose the last few; with FULL every chat
        // message waited for an fsync (p50 fan-out 23 ms instead of a few).
        options.max_connections(4).map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
        });
    }
    Database::connect(options).await
}

/// Brings the schema up to date. Safe to run any number of times, from any number of instances.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Proves the database answers by reading a real table (a bare `SELECT 1` would succeed on a
/// SQLite file that has become unreadable).
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    db.query_one(Statement::from_string(
        backend,
        "SELECT count(*) FROM seaql_migrations",
    ))
    .await?;
    Ok(())
}
