//! The database connection: SQLite by default, PostgreSQL by `DATABASE_URL`. Same migrations,
//! same queries.

use std::{str::FromStr, sync::OnceLock, time::Duration};

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::{
    postgres::{PgConnectOptions, PgConnection},
    sqlite::{SqliteJournalMode, SqliteSynchronous},
    Connection as _,
};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, Statement};

use super::config::{sqlite_parent, DatabaseUrl};

/// How long reaching the database may take, at start and for a connection from the pool.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Serialises the transactions about one thing until each ends: on PostgreSQL an advisory lock
/// on (`space`, the thing's id); SQLite needs none, as a transaction that wrote first holds the
/// database's one write lock until it ends. `space` names the kind of thing ("a person's chat
/// actions"), so that different kinds never wait for each other.
pub async fn lock_until_commit(
    db: &impl ConnectionTrait,
    space: i32,
    id: uuid::Uuid,
) -> Result<(), DbErr> {
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    let bytes = id.as_bytes();
    // UUIDv7 starts with a timestamp: fold in the random end, where ids differ.
    let key = i32::from_be_bytes([bytes[12], bytes[13], bytes[14], bytes[15]])
        ^ i32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    db.execute(Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock($1, $2)",
        [sea_orm::Value::from(space), sea_orm::Value::from(key)],
    ))
    .await
    .map(drop)
}

/// Every instance takes this PostgreSQL advisory lock around migrating ("bullpen" in ASCII, then
/// 1), so that instances started together on an empty database migrate one after the other.
const MIGRATION_LOCK: i64 = 0x6275_6c6c_7065_6e01;

static NAME: OnceLock<String> = OnceLock::new();

/// The database this process uses, for logs: "PostgreSQL at db.internal:5432/bullpen" or
/// "SQLite at data/bullpen.db" (never a password). Connection errors alone ("pool timed out")
/// do not say which database was away.
pub fn name() -> &'static str {
    NAME.get().map_or("the database", String::as_str)
}

fn describe(url: &DatabaseUrl) -> String {
    match url {
        DatabaseUrl::Sqlite(path) => format!("SQLite at {}", path.display()),
        DatabaseUrl::Postgres(url) => match PgConnectOptions::from_str(url) {
            Ok(options) => format!(
                "PostgreSQL at {}:{}/{}",
                options.get_host(),
                options.get_port(),
                options.get_database().unwrap_or_default()
            ),
            Err(_) => "PostgreSQL".to_string(),
        },
    }
}

/// Opens a pool. For SQLite the file (and its directory) is created when missing. PostgreSQL
/// is reached once first, so that a failure says why ("connection refused", a wrong password)
/// rather than the pool's "timed out".
pub async fn connect(url: &DatabaseUrl) -> Result<DatabaseConnection, DbErr> {
    let name = describe(url);
    let _ = NAME.set(name.clone());
    if let DatabaseUrl::Postgres(address) = url {
        let options = PgConnectOptions::from_str(address)
            .map_err(|e| DbErr::Custom(format!("{name}: {e}")))?;
        let unreachable = |reason: String| DbErr::Conn(sea_orm::RuntimeErr::Internal(reason));
        match tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options)).await {
            Ok(Ok(probe)) => {
                let _ = probe.close().await;
            }
            Ok(Err(e)) => return Err(unreachable(e.to_string())),
            Err(_) => {
                return Err(unreachable(format!(
                    "no answer within {} s",
                    CONNECT_TIMEOUT.as_secs()
                )))
            }
        }
    }
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
        .connect_timeout(CONNECT_TIMEOUT)
        .acquire_timeout(CONNECT_TIMEOUT)
        .sqlx_logging(false);
    if matches!(url, DatabaseUrl::Sqlite(_)) {
        // SQLite allows one writer; a small pool avoids "database is locked" storms. WAL lets
        // readers go on while a message is written; every connection enforces foreign keys.
        // `synchronous = NORMAL` is SQLite's recommendation with WAL: a commit survives the
        // process crashing, and only a power cut can lose the last few; with FULL every chat
        // message waited for an fsync (p50 fan-out 23 ms instead of a few). A 16 MiB page
        // cache per connection (SQLite's default is 2 MiB) keeps a busy channel's index and the
        // tables the send path touches in memory; temporary b-trees stay in memory too. Every
        // statement is prepared once per connection and reused (sqlx's statement cache). A
        // connection to a file in this process cannot have dropped, so it is not pinged each
        // time it is taken from the pool: that was a second hop to SQLite's thread for every
        // statement outside a transaction.
        options
            .max_connections(4)
            .test_before_acquire(false)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5))
                    .pragma("cache_size", "-16384")
                    .pragma("temp_store", "memory")
            });
    }
    Database::connect(options).await
}

/// Brings the schema up to date. Safe to run any number of times, from any number of instances:
/// on PostgreSQL under an advisory lock (instances started together on an empty database would
/// otherwise create the same tables at once, and all but one fail); SQLite's single writer
/// already serialises them.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    let sqlx_err = |e: sea_orm::sqlx::Error| DbErr::Custom(format!("migration lock: {e}"));
    if db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        return Migrator::up(db, None).await;
    }
    // A session lock, so it lives on one connection held for the whole migration; if this
    // process dies, the session ends and the lock with it.
    let mut holder = db
        .get_postgres_connection_pool()
        .acquire()
        .await
        .map_err(sqlx_err)?;
    sea_orm::sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *holder)
        .await
        .map_err(sqlx_err)?;
    let migrated = Migrator::up(db, None).await;
    sea_orm::sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *holder)
        .await
        .map_err(sqlx_err)?;
    migrated
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
