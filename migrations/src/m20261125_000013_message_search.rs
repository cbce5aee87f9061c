//! Full-text search over messages, kept in step by the database itself as messages are
//! written, edited, translated-into-a-language and erased.
//!
//! - SQLite: an FTS5 table (`unicode61`, diacritics folded) holding each message's words, keyed
//!   by a stable integer from `message_search_keys` (a table's own rowid may change on VACUUM
//!   when, as here, the primary key is a UUID). Triggers keep it in step. Stemming happens at
//!   query time: each word is looked up by its stems' prefixes in the app's five languages.
//! - PostgreSQL: a stored `tsvector` column computed from the body in the message's own language
//!   (english, spanish, french, german, turkish; `simple` until the language is known), with a
//!   GIN index; it is recomputed whenever the body or the language changes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &[&str] = &[
    "CREATE TABLE message_search_keys (key INTEGER PRIMARY KEY, message_id BLOB NOT NULL UNIQUE)",
    "CREATE VIRTUAL TABLE message_search USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')",
    "INSERT INTO message_search_keys (message_id) SELECT id FROM messages ORDER BY created_at, id",
    "INSERT INTO message_search (rowid, body) \
     SELECT k.key, m.body FROM messages m JOIN message_search_keys k ON k.message_id = m.id \
     WHERE m.body IS NOT NULL",
    "CREATE TRIGGER message_search_insert AFTER INSERT ON messages BEGIN \
       INSERT INTO message_search_keys (message_id) VALUES (new.id); \
       INSERT INTO message_search (rowid, body) \
         SELECT key, new.body FROM message_search_keys \
         WHERE message_id = new.id AND new.body IS NOT NULL; \
     END",
    "CREATE TRIGGER message_search_update AFTER UPDATE OF body ON messages BEGIN \
       DELETE FROM message_search WHERE rowid = \
         (SELECT key FROM message_search_keys WHERE message_id = old.id); \
       INSERT INTO message_search (rowid, body) \
         SELECT key, new.body FROM message_search_keys \
         WHERE message_id = new.id AND new.body IS NOT NULL; \
     END",
    "CREATE TRIGGER message_search_delete AFTER DELETE ON messages BEGIN \
       DELETE FROM message_search WHERE rowid = \
         (SELECT key FROM message_search_keys WHERE message_id = old.id); \
       DELETE FROM message_search_keys WHERE message_id = old.id; \
     END",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS message_search_delete",
    "DROP TRIGGER IF EXISTS message_search_update",
    "DROP TRIGGER IF EXISTS message_search_insert",
    "DROP TABLE IF EXISTS message_search",
    "DROP TABLE IF EXISTS message_search_keys",
];

const POSTGRES_UP: &[&str] = &[
    "ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector( \
       CASE language \
         WHEN 'en' THEN 'english'::regconfig WHEN 'es' THEN 'spanish'::regconfig \
         WHEN 'fr' THEN 'french'::regconfig WHEN 'de' THEN 'german'::regconfig \
         WHEN 'tr' THEN 'turkish'::regconfig ELSE 'simple'::regconfig END, \
       coalesce(body, ''))) STORED",
    "CREATE INDEX idx_messages_search ON messages USING GIN (search)",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS idx_messages_search",
    "ALTER TABLE messages DROP COLUMN IF EXISTS search",
];

async fn run(manager: &SchemaManager<'_>, sqlite: &[&str], postgres: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let statements = match manager.get_database_backend() {
        DbBackend::Sqlite => sqlite,
        DbBackend::Postgres => postgres,
        other => return Err(DbErr::Migration(format!("no message search for {other:?}"))),
    };
    for statement in statements {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, SQLITE_UP, POSTGRES_UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, SQLITE_DOWN, POSTGRES_DOWN).await
    }
}
