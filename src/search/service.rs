//! Search, as a person may: their communities' channels only (or one of them), people they
//! have blocked left out, each hit with where it is and the words around what matched.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_stemmers::{Algorithm, Stemmer};
use uuid::Uuid;

use super::{repo, ChannelHit, MessageHit, Query, Results, PAGE, QUERY_MAX};
use crate::auth::UserId;
use crate::{
    ai::{encoder, moderation},
    auth::{repo as accounts, Author},
    chat::{repo as chat, MessageId},
    community::{
        permissions::{Action, Visibility},
        repo as communities, service as community,
    },
    entities::users,
    kit::{markdown, sentences::says},
    platform::{error::AppError, state::AppState},
};

/// People and channels shown at most.
const NAMES: u64 = 8;
/// Messages found by meaning shown at most.
const SIMILAR: usize = 5;
/// How many of the newest messages a person may read are compared by meaning.
const SIMILAR_POOL: u64 = 2_000;
/// How alike (cosine) a message's meaning and the query's must be to be shown.
const SIMILAR_FROM: f32 = 0.4;
/// Characters of a message shown around what matched.
const SNIPPET: usize = 160;

/// Messages, people and channels for `text`. `community` narrows it to one community (by
/// slug); `before` (a message id from the last page) asks for older messages.
pub async fn search(
    state: &AppState,
    viewer: &users::Model,
    text: &str,
    community: Option<&str>,
    before: Option<MessageId>,
) -> Result<Results, AppError> {
    let length = text.chars().count();
    if length > QUERY_MAX {
        return Err(AppError::Validation(says!(
            "server.search.too_long",
            max = QUERY_MAX,
            length = length
        )));
    }
    let query = Query::parse(text);
    if query.is_empty() {
        return Ok(Results {
            query,
            ..Results::default()
        });
    }
    let places = match community {
        Some(slug) => {
            let (found, standing) = community::find(state, Some(UserId(viewer.id)), slug).await?;
            community::allow(&found, standing, Action::Read)?;
            vec![found]
        }
        // Their direct conversations too: those are theirs to search.
        None => communities::spaces_of(&state.db, viewer.id).await?,
    };
    let by_id: HashMap<Uuid, _> = places.iter().map(|c| (c.id, c)).collect();
    let mut channels = chat::channels_in(&state.db, by_id.keys().copied().collect()).await?;
    if let Some(name) = &query.channel {
        channels.retain(|c| c.name.eq_ignore_ascii_case(name));
    }
    let hidden = chat::blocked_by(&state.db, viewer.id).await?;

    let (messages, more) = messages(state, &query, &channels, &hidden, before).await?;
    let channel_by_id: HashMap<Uuid, _> = channels.iter().map(|c| (c.id, c)).collect();
    let forms: Vec<Vec<String>> = query.words.iter().map(|w| forms_of(w)).collect();
    let matches = |word: &str| {
        let word = fold(word);
        forms
            .iter()
            .flatten()
            .any(|form| word.starts_with(form.as_str()))
            || query
                .tickers
                .iter()
                .any(|t| word.eq_ignore_ascii_case(&format!("${t}")))
    };
    let similar = match before.is_none() {
        true => similar(state, &query, &channels, &hidden, &messages).await?,
        false => Vec::new(),
    };
    let authors = accounts::users_by_ids(
        &state.db,
        messages
            .iter()
            .chain(&similar)
            .map(|m| m.author_id)
            .collect(),
    )
    .await?;
    let hit = |message: &crate::entities::messages::Model| -> Option<MessageHit> {
        let channel = channel_by_id.get(&message.channel_id)?;
        let body = message.body.as_ref()?;
        let place = by_id.get(&channel.community_id)?;
        let author = match authors.get(&message.author_id) {
            Some(user) => Author::of(user),
            None => Author::deleted(message.author_id),
        };
        Some(MessageHit {
            message_id: message.id.to_string(),
            seq: message.seq,
            channel_id: channel.id.to_string(),
            channel_name: channel.name.clone(),
            community_slug: place.slug.clone(),
            community_name: place.name.clone(),
            author,
            created_at: message.created_at.to_rfc3339(),
            snippet: super::snippet(&markdown::plain_text(body), SNIPPET, matches),
            direct: place.visibility == Visibility::Direct.as_str(),
        })
    };
    let hits: Vec<MessageHit> = messages.iter().filter_map(hit).collect();
    let similar: Vec<MessageHit> = similar.iter().filter_map(hit).collect();

    // People and channels by name, when the query is only words to name them by.
    let needle = query.words.join(" ");
    let (people, named_channels) =
        if needle.is_empty() || before.is_some() || query.is_about_messages() {
            (Vec::new(), Vec::new())
        } else {
            let people = accounts::people_named(&state.db, &needle, hidden.clone(), NAMES).await?;
            let named =
                repo::channels_named(&state.db, by_id.keys().copied().collect(), &needle, NAMES)
                    .await?;
            (people, named)
        };
    Ok(Results {
        messages: hits,
        similar,
        more,
        people: people
            .iter()
            .filter(|p| !crate::auth::is_bot(&p.username))
            .map(Author::of)
            .collect(),
        channels: named_channels
            .into_iter()
            .filter_map(|c| {
                // A conversation's channel is no channel to find by name.
                let place = by_id
                    .get(&c.community_id)
                    .filter(|p| p.visibility != Visibility::Direct.as_str())?;
                Some(ChannelHit {
                    channel_id: c.id.to_string(),
                    name: c.name,
                    community_slug: place.slug.clone(),
                    community_name: place.name.clone(),
                })
            })
            .collect(),
        query,
    })
}

/// Messages that mean what the query's words say, best first, that the words did not find:
/// for a query of words (and `from:`/`in:`), not one narrowed by files, links, dates or
/// tickers, whose filters a meaning cannot honour.
async fn similar(
    state: &AppState,
    query: &Query,
    channels: &[crate::entities::channels::Model],
    hidden: &[Uuid],
    found: &[crate::entities::messages::Model],
) -> Result<Vec<crate::entities::messages::Model>, AppError> {
    let narrowed = query.has_file
        || query.has_link
        || query.before.is_some()
        || query.after.is_some()
        || !query.tickers.is_empty();
    if query.words.is_empty() || narrowed || channels.is_empty() {
        return Ok(Vec::new());
    }
    let authors = match &query.from {
        Some(name) => Some(authors_named(state, name, hidden).await?),
        None => None,
    };
    let pool = repo::meanings_in(
        &state.db,
        channels.iter().map(|c| c.id).collect(),
        authors,
        hidden.to_vec(),
        SIMILAR_POOL,
    )
    .await?;
    let words = query.words.join(" ");
    // Off the async workers: the encoder is a millisecond of arithmetic, the pool's scoring more.
    let ranked = tokio::task::spawn_blocking(move || {
        let wanted = moderation::meaning_of(&words);
        let mut scored: Vec<(f32, crate::entities::messages::Model)> = pool
            .into_iter()
            .filter_map(|(message, meaning)| {
                let score = encoder::similarity(&wanted, &encoder::dequantise(&meaning)?);
                (score >= SIMILAR_FROM).then_some((score, message))
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored
    })
    .await
    .map_err(|err| {
        tracing::error!(error = %err, "search by meaning failed");
        AppError::Internal
    })?;
    Ok(ranked
        .into_iter()
        .map(|(_, message)| message)
        .filter(|m| !found.iter().any(|f| f.id == m.id))
        .take(SIMILAR)
        .collect())
}

/// Whom `from:` names: the person with that username, else everyone whose username or name
/// holds it (`from:ana` finds Ana Lima, @ana_0544862), as people remember a name more often
/// than a username.
async fn authors_named(
    state: &AppState,
    name: &str,
    hidden: &[Uuid],
) -> Result<Vec<Uuid>, AppError> {
    if let Some(user) = accounts::user_by_username(&state.db, name).await? {
        return Ok(vec![user.id]);
    }
    let needle = name.to_lowercase();
    Ok(
        accounts::people_named(&state.db, &needle, hidden.to_vec(), FROM_PEOPLE)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect(),
    )
}

/// People whose username or name holds `text` (a `@` before it aside), for the box's
/// suggestions: the ones the viewer blocked and bots left out.
pub async fn people(
    state: &AppState,
    viewer: &users::Model,
    text: &str,
) -> Result<Vec<Author>, AppError> {
    let needle = text.trim().trim_start_matches('@').to_lowercase();
    if needle.is_empty() || needle.chars().count() > 50 {
        return Ok(Vec::new());
    }
    let hidden = chat::blocked_by(&state.db, viewer.id).await?;
    Ok(accounts::people_named(&state.db, &needle, hidden, NAMES)
        .await?
        .iter()
        .filter(|p| !crate::auth::is_bot(&p.username))
        .map(Author::of)
        .collect())
}

/// People `from:` may stand for, at most, when it names no username exactly.
const FROM_PEOPLE: u64 = 20;

/// One page of matching messages, and whether older ones match too.
async fn messages(
    state: &AppState,
    query: &Query,
    channels: &[crate::entities::channels::Model],
    hidden: &[Uuid],
    before: Option<MessageId>,
) -> Result<(Vec<crate::entities::messages::Model>, bool), AppError> {
    // Nothing can match: no channel, or an unknown author.
    if channels.is_empty() {
        return Ok((Vec::new(), false));
    }
    let authors = match &query.from {
        Some(name) => {
            let named = authors_named(state, name, hidden).await?;
            if named.is_empty() {
                return Ok((Vec::new(), false));
            }
            Some(named)
        }
        None => None,
    };
    let mut until = query.before.as_deref().and_then(day_start);
    if let Some(cursor) = before {
        if let Some(last) = chat::message(&state.db, cursor.0).await? {
            until = Some(until.map_or(last.created_at, |u| u.min(last.created_at)));
        }
    }
    let mut words: Vec<Vec<String>> = query.words.iter().map(|w| forms_of(w)).collect();
    // A $TICKER is also a word of the text: the index finds it, the cashtag filter confirms it.
    words.extend(query.tickers.iter().map(|t| vec![t.to_lowercase()]));
    let mut found = repo::messages_matching(
        &state.db,
        repo::MessageSearch {
            channels: channels.iter().map(|c| c.id).collect(),
            words,
            authors,
            hidden_authors: hidden.to_vec(),
            cashtags: query.tickers.iter().map(|t| t.to_lowercase()).collect(),
            has_link: query.has_link,
            has_file: query.has_file,
            before: until,
            after: query
                .after
                .as_deref()
                .and_then(day_start)
                .map(|d| d + chrono::Days::new(1)),
            limit: PAGE + 1,
            recent_per_channel: repo::RECENT_PER_CHANNEL,
        },
    )
    .await?;
    let more = found.len() as u64 > PAGE;
    found.truncate(PAGE as usize);
    Ok((found, more))
}

/// Midnight UTC at the start of a `YYYY-MM-DD` day.
fn day_start(day: &str) -> Option<DateTime<Utc>> {
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .ok()?
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
}

/// A word and its stems in the app's five languages, diacritics folded, shortest last: each is
/// looked up as a prefix, so "acciones" finds "acción" and "stocks" finds "stock".
pub fn forms_of(word: &str) -> Vec<String> {
    let word = fold(word);
    let mut forms = vec![word.clone()];
    for algorithm in [
        Algorithm::English,
        Algorithm::Spanish,
        Algorithm::French,
        Algorithm::German,
        Algorithm::Turkish,
    ] {
        let stem = fold(&Stemmer::create(algorithm).stem(&word));
        // A stem of one or two letters would find half the index.
        if stem.chars().count() >= 3 && !forms.contains(&stem) {
            forms.push(stem);
        }
    }
    forms
}

/// Lower case without diacritics ("Acción" → "accion"), as the SQLite index reads words.
fn fold(word: &str) -> String {
    word.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' | 'ı' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            'ş' => 's',
            'ğ' => 'g',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_is_found_by_its_stems_in_every_language() {
        assert_eq!(forms_of("Acciones")[0], "acciones");
        assert!(forms_of("acciones").contains(&"accion".to_string()));
        assert!(forms_of("stocks").contains(&"stock".to_string()));
        assert!(forms_of("Häuser").iter().all(|f| f.is_ascii()));
    }
}
