//! The queries of search: messages by their words (FTS5 on SQLite, `tsvector` on PostgreSQL)
//! and channels by name (people by name are `auth::repo::people_named`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Alias, Expr, Func, Order, SimpleExpr},
    ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Select, Statement, Value,
};
use uuid::Uuid;

use crate::entities::{attachments, channels, message_meanings, messages};

/// What to look for among messages.
pub struct MessageSearch {
    pub channels: Vec<Uuid>,
    /// Each word to find, with the forms it may take (the word and its stems): a message must
    /// hold every word in one of its forms.
    pub words: Vec<Vec<String>>,
    /// Written by one of these (none: by anyone).
    pub authors: Option<Vec<Uuid>>,
    pub hidden_authors: Vec<Uuid>,
    /// Lower-case `$symbol`s the text must contain.
    pub cashtags: Vec<String>,
    pub has_link: bool,
    /// Only messages that carry files.
    pub has_file: bool,
    pub before: Option<DateTime<Utc>>,
    pub after: Option<DateTime<Utc>>,
    pub limit: u64,
    /// PostgreSQL: how many of each channel's newest messages are looked at first
    /// ([`RECENT_PER_CHANNEL`]; 0 goes straight to the whole index).
    pub recent_per_channel: u64,
}

/// The newest messages matching, newest first, deleted ones never.
pub async fn messages_matching(
    db: &impl ConnectionTrait,
    search: MessageSearch,
) -> Result<Vec<messages::Model>, DbErr> {
    let words = match search.words.is_empty() {
        true => None,
        false => Some(words_match(db, &search.words).await?),
    };
    let postgres = db.get_database_backend() == DbBackend::Postgres;
    if postgres && words.is_some() && search.before.is_none() && search.recent_per_channel > 0 {
        if let Some(found) = newest_matching(db, &search, words.clone()).await? {
            return Ok(found);
        }
    }
    let mut query = matching(&search, words);
    // On SQLite the FTS table leads: it yields the matches newest first (its keys grow with
    // every message) and the scan stops at the page's end instead of sorting every match.
    let fts_leads = !search.words.is_empty() && db.get_database_backend() == DbBackend::Sqlite;
    if fts_leads {
        let statement = QueryTrait::query(&mut query);
        statement
            .inner_join(
                Alias::new("message_search_keys"),
                Expr::col((Alias::new("message_search_keys"), Alias::new("message_id")))
                    .equals((messages::Entity, messages::Column::Id)),
            )
            .inner_join(
                Alias::new("message_search"),
                Expr::col((Alias::new("message_search"), Alias::new("rowid")))
                    .equals((Alias::new("message_search_keys"), Alias::new("key"))),
            )
            .order_by(
                (Alias::new("message_search"), Alias::new("rowid")),
                Order::Desc,
            );
    } else {
        query = newest_first(query);
    }
    query.limit(search.limit).all(db).await
}

/// Messages of each channel looked at first on PostgreSQL, newest first.
pub const RECENT_PER_CHANNEL: u64 = 4000;

/// PostgreSQL's GIN index finds every match of a common pair of words (tens of thousands in a
/// big channel) before they can be sorted by time, so a page is first looked for among each
/// channel's newest messages (read through the `(channel_id, seq)` index): those newer than
/// the latest of the channels' cut-off times are exactly the newest messages of them all, and a
/// full page among them is the answer. `None`: not enough there; the whole index must answer.
async fn newest_matching(
    db: &impl ConnectionTrait,
    search: &MessageSearch,
    words: Option<SimpleExpr>,
) -> Result<Option<Vec<messages::Model>>, DbErr> {
    let places: Vec<String> = (1..=search.channels.len())
        .map(|n| format!("(${n}::uuid)"))
        .collect();
    let mut values: Vec<Value> = search.channels.iter().map(|c| Value::from(*c)).collect();
    values.push(Value::from(search.recent_per_channel as i64));
    let cut_offs = db
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            format!(
                "SELECT c.id AS channel_id, m.seq, m.created_at FROM (VALUES {}) AS c(id) \
                 CROSS JOIN LATERAL (SELECT seq, created_at FROM messages \
                   WHERE channel_id = c.id ORDER BY seq DESC OFFSET ${} LIMIT 1) m",
                places.join(", "),
                values.len()
            ),
            values,
        ))
        .await?;
    let mut since: Option<DateTime<Utc>> = None;
    let mut recent = Condition::any();
    let mut cut: HashMap<Uuid, i64> = HashMap::new();
    for row in cut_offs {
        let channel: Uuid = row.try_get("", "channel_id")?;
        let created_at: DateTime<Utc> = row.try_get("", "created_at")?;
        cut.insert(channel, row.try_get("", "seq")?);
        since = Some(since.map_or(created_at, |s| s.max(created_at)));
    }
    for channel in &search.channels {
        recent = recent.add(match cut.get(channel) {
            Some(seq) => Condition::all()
                .add(messages::Column::ChannelId.eq(*channel))
                .add(messages::Column::Seq.gt(*seq)),
            None => Condition::all().add(messages::Column::ChannelId.eq(*channel)),
        });
    }
    let mut query = matching(search, words).filter(recent);
    if let Some(since) = since {
        query = query.filter(messages::Column::CreatedAt.gt(since));
    }
    let found = newest_first(query).limit(search.limit).all(db).await?;
    // With no channel cut short, this was the whole search.
    let whole = since.is_none();
    Ok((whole || found.len() as u64 >= search.limit).then_some(found))
}

fn newest_first(query: Select<messages::Entity>) -> Select<messages::Entity> {
    query
        .order_by_desc(messages::Column::CreatedAt)
        .order_by_desc(messages::Column::Id)
}

/// Every condition of the search (`words`: its full-text condition), in no order.
fn matching(search: &MessageSearch, words: Option<SimpleExpr>) -> Select<messages::Entity> {
    let mut query = messages::Entity::find()
        .filter(messages::Column::ChannelId.is_in(search.channels.clone()))
        .filter(messages::Column::DeletedAt.is_null())
        .filter(messages::Column::Body.is_not_null());
    if let Some(words) = words {
        query = query.filter(words);
    }
    if let Some(authors) = &search.authors {
        query = query.filter(messages::Column::AuthorId.is_in(authors.clone()));
    }
    if !search.hidden_authors.is_empty() {
        query = query.filter(messages::Column::AuthorId.is_not_in(search.hidden_authors.clone()));
    }
    let body = || {
        Expr::expr(Func::lower(Expr::col((
            messages::Entity,
            messages::Column::Body,
        ))))
    };
    for tag in &search.cashtags {
        query = query.filter(body().like(format!("%${tag}%")));
    }
    if search.has_link {
        query = query.filter(
            Condition::any()
                .add(body().like("%http://%"))
                .add(body().like("%https://%")),
        );
    }
    if search.has_file {
        let with_files = sea_orm::sea_query::Query::select()
            .column(attachments::Column::MessageId)
            .from(attachments::Entity)
            .and_where(attachments::Column::MessageId.is_not_null())
            .to_owned();
        query = query.filter(messages::Column::Id.in_subquery(with_files));
    }
    if let Some(before) = search.before {
        query = query.filter(messages::Column::CreatedAt.lt(before));
    }
    if let Some(after) = search.after {
        query = query.filter(messages::Column::CreatedAt.gte(after));
    }
    query
}

/// The full-text condition: SQLite matches each form as a prefix in the FTS5 table (its
/// tokenizer folds case and diacritics on both sides); PostgreSQL asks each word in every
/// language's configuration of the stored `tsvector`.
async fn words_match(
    db: &impl ConnectionTrait,
    words: &[Vec<String>],
) -> Result<SimpleExpr, DbErr> {
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            let expression = words
                .iter()
                .map(|forms| {
                    let forms: Vec<String> = shortest_prefixes(forms)
                        .map(|form| format!("\"{}\"*", form.replace('"', "\"\"")))
                        .collect();
                    format!("({})", forms.join(" OR "))
                })
                .collect::<Vec<_>>()
                .join(" AND ");
            Ok(Expr::cust_with_values(
                "message_search MATCH ?",
                [Value::from(expression)],
            ))
        }
        DbBackend::Postgres => {
            let query = postgres_query(db, words).await?;
            Ok(match query {
                Some(query) => Expr::cust_with_values(
                    "messages.search @@ CAST($1 AS tsquery)",
                    [Value::from(query)],
                ),
                // Only punctuation: no word to find, so no message.
                None => Expr::cust("FALSE"),
            })
        }
        other => Err(DbErr::Custom(format!("no message search on {other:?}"))),
    }
}

/// The forms no other form is a prefix of: as prefixes, "inflat" already finds all
/// "inflation" would, and every extra alternative makes FTS5 merge another long list.
fn shortest_prefixes(forms: &[String]) -> impl Iterator<Item = &String> {
    forms.iter().filter(move |form| {
        !forms
            .iter()
            .any(|other| other != *form && form.starts_with(other.as_str()))
    })
}

/// Each word as PostgreSQL stems it in every language (and unstemmed, for messages whose
/// language is not known), the distinct forms only: one `tsquery` asked of the GIN index at
/// once: the same lexeme asked six times cost the index six lookups (a two-word search over a
/// million messages took p95 116 ms that way, 35 ms this way). A stop word of one language ("the", "die", "les") is
/// missing from the vectors of that language's messages, so asking for it would hide them:
/// such words are left out, unless the search is only stop words.
async fn postgres_query(
    db: &impl ConnectionTrait,
    words: &[Vec<String>],
) -> Result<Option<String>, DbErr> {
    let places: Vec<String> = (1..=words.len()).map(|n| format!("${n}")).collect();
    let rows = db
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            format!(
                "SELECT string_agg(DISTINCT '(' || q::text || ')', ' | ') \
                   FILTER (WHERE numnode(q) > 0) AS query, \
                 bool_and(numnode(q) > 0) FILTER (WHERE c.config <> 'simple'::regconfig) AS kept \
                 FROM unnest(ARRAY[{}]::text[]) WITH ORDINALITY AS w(word, n) \
                 CROSS JOIN unnest(ARRAY['simple', 'english', 'spanish', 'french', 'german', \
                   'turkish']::regconfig[]) AS c(config) \
                 CROSS JOIN LATERAL plainto_tsquery(c.config, w.word) AS q \
                 GROUP BY w.n ORDER BY w.n",
                places.join(", ")
            ),
            words.iter().map(|forms| Value::from(forms[0].clone())),
        ))
        .await?;
    let mut every = Vec::new();
    let mut kept = Vec::new();
    for row in rows {
        let Some(query) = row.try_get::<Option<String>>("", "query")? else {
            continue;
        };
        let query = format!("({query})");
        if row.try_get::<Option<bool>>("", "kept")? == Some(true) {
            kept.push(query.clone());
        }
        every.push(query);
    }
    let chosen = if kept.is_empty() { every } else { kept };
    Ok((!chosen.is_empty()).then(|| chosen.join(" & ")))
}

/// Channels of these communities whose name holds `needle` (lower-case), archived ones left out.
pub async fn channels_named(
    db: &impl ConnectionTrait,
    communities: Vec<Uuid>,
    needle: &str,
    limit: u64,
) -> Result<Vec<channels::Model>, DbErr> {
    let pattern = format!("%{}%", needle.replace(['%', '_'], ""));
    channels::Entity::find()
        .filter(channels::Column::CommunityId.is_in(communities))
        .filter(Expr::expr(Func::lower(Expr::col(channels::Column::Name))).like(pattern))
        .filter(channels::Column::ArchivedAt.is_null())
        .order_by_asc(channels::Column::Name)
        .limit(limit)
        .all(db)
        .await
}

/// The newest messages (at most `pool`) in `channels` whose meaning is known, with it: what
/// search by meaning compares a query with. Deleted messages, and authors in `hidden`, never;
/// only `authors`' when given.
pub async fn meanings_in(
    db: &impl ConnectionTrait,
    channels: Vec<Uuid>,
    authors: Option<Vec<Uuid>>,
    hidden: Vec<Uuid>,
    pool: u64,
) -> Result<Vec<(messages::Model, Vec<u8>)>, DbErr> {
    let known = sea_orm::sea_query::Query::select()
        .column(message_meanings::Column::MessageId)
        .from(message_meanings::Entity)
        .and_where(message_meanings::Column::ChannelId.is_in(channels.clone()))
        .to_owned();
    let mut query = messages::Entity::find()
        .filter(messages::Column::ChannelId.is_in(channels))
        .filter(messages::Column::DeletedAt.is_null())
        .filter(messages::Column::Body.is_not_null())
        .filter(messages::Column::Id.in_subquery(known));
    if let Some(authors) = authors {
        query = query.filter(messages::Column::AuthorId.is_in(authors));
    }
    if !hidden.is_empty() {
        query = query.filter(messages::Column::AuthorId.is_not_in(hidden));
    }
    let found = query
        .order_by(messages::Column::CreatedAt, Order::Desc)
        .limit(pool)
        .all(db)
        .await?;
    let mut meanings: HashMap<Uuid, Vec<u8>> = message_meanings::Entity::find()
        .filter(message_meanings::Column::MessageId.is_in(found.iter().map(|m| m.id)))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.message_id, m.meaning))
        .collect();
    Ok(found
        .into_iter()
        .filter_map(|m| {
            let meaning = meanings.remove(&m.id)?;
            Some((m, meaning))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_that_extends_another_is_not_asked_for() {
        let forms: Vec<String> = ["inflation", "inflat", "infl", "fed"]
            .map(String::from)
            .to_vec();
        let kept: Vec<&String> = shortest_prefixes(&forms).collect();
        assert_eq!(kept, [&forms[2], &forms[3]]);
        let same: Vec<String> = vec!["fed".into()];
        assert_eq!(shortest_prefixes(&same).count(), 1);
    }
}
