//! What readers and moderators ask of the AI directly: a message in their language, which
//! languages can be translated for them, a summary of what they missed, and a community's
//! moderation threshold.

use std::collections::HashMap;

use uuid::Uuid;

use super::{worker, CatchUp, Highlight, ModerationSettings, Recap, RecapPart, TranslateOutcome};
use crate::auth::UserId;
use crate::community::CommunityId;
use crate::{
    ai::{language, provider::Engines, summary},
    chat::{repo, service as chat, MessageId},
    community::{permissions::Action, service as community, ChannelId},
    entities::{messages, users},
    kit::sentences::says,
    kit::{languages::CODES, markdown},
    platform::{error::AppError, state::AppState},
};

/// Messages a summary reads at most (the newest unread ones).
const CATCH_UP_MAX: u64 = 500;
/// The newest unread lines a hosted model is given for its recap, and the length each is cut to.
const RECAP_LINES: usize = 200;
const RECAP_LINE_CHARS: usize = 400;

/// A message in the reader's language, from the cache or translated now.
pub async fn translate_for(
    state: &AppState,
    reader: &users::Model,
    message_id: MessageId,
) -> Result<TranslateOutcome, AppError> {
    let message = repo::message(&state.db, message_id.0)
        .await?
        .ok_or_else(|| AppError::NotFound(says!("server.chat.message_not_found")))?;
    chat::channel_access(
        state,
        Some(UserId(reader.id)),
        ChannelId(message.channel_id),
    )
    .await?;
    let Some(body) = message.body.as_deref() else {
        return Ok(TranslateOutcome::NothingToTranslate);
    };
    let from = match message.language.as_deref() {
        Some(code) => code.to_string(),
        // Not read by the AI yet (or too short when it was): tell now.
        None => match language::detect(body) {
            Some(code) => code.to_string(),
            None => return Ok(TranslateOutcome::NothingToTranslate),
        },
    };
    worker::translation(
        state,
        MessageId(message.id),
        body,
        &from,
        &reader.preferred_language,
    )
    .await
}

/// Free text into one of the app's languages (the original design's `POST /api/translate`):
/// from `from` when given, else from the language the text is told to be in. Nothing is kept.
pub async fn translate_text(
    state: &AppState,
    text: &str,
    from: Option<&str>,
    to: &str,
) -> Result<TranslateOutcome, AppError> {
    let text = crate::chat::validate_body(text)?;
    let app_language = |code: &str| -> Result<String, AppError> {
        let code = code.trim().to_ascii_lowercase();
        match CODES.contains(&code.as_str()) {
            true => Ok(code),
            false => Err(AppError::Validation(says!(
                "server.market.language",
                code = code
            ))),
        }
    };
    let to = app_language(to)?;
    let from = match from {
        Some(code) => app_language(code)?,
        None => match language::detect(&text) {
            Some(code) => code.to_string(),
            None => return Ok(TranslateOutcome::NothingToTranslate),
        },
    };
    if from == to {
        return Ok(TranslateOutcome::NothingToTranslate);
    }
    match state
        .service::<Engines>()
        .translate(&text, &from, &to)
        .await
    {
        Ok(produced) => Ok(TranslateOutcome::Translated {
            translation: crate::ai::Translation {
                language: to,
                body: produced.value,
                engine: produced.engine,
            },
        }),
        Err(crate::ai::provider::AiError::NoTranslator) => {
            Ok(TranslateOutcome::NoTranslator { from, to })
        }
        Err(err) => {
            tracing::warn!(error = %err, from, to, "translation failed");
            Err(AppError::Unavailable)
        }
    }
}

/// The languages messages can be translated from into `to` ("what will I be able to read?").
pub async fn sources_for(state: &AppState, to: &str) -> Vec<String> {
    let mut sources = Vec::new();
    for from in CODES {
        if from != to && state.service::<Engines>().can_translate(from, to).await {
            sources.push(from.to_string());
        }
    }
    sources
}

/// The unread messages of a channel, summarised in the words they were written in; with
/// `translate`, each highlight also in the reader's language where a translator exists.
/// Reading the summary does not mark anything read.
pub async fn catch_up(
    state: &AppState,
    reader: &users::Model,
    channel_id: ChannelId,
    translate: bool,
    since_seq: Option<i64>,
) -> Result<CatchUp, AppError> {
    let access = chat::channel_access(state, Some(UserId(reader.id)), channel_id).await?;
    let read = match since_seq {
        Some(seq) => seq.max(0),
        None => repo::read_position(&state.db, reader.id, access.channel.id).await?,
    };
    let blocked = repo::blocked_by(&state.db, reader.id).await?;
    let mut rows =
        repo::unread_by(&state.db, access.channel.id, reader.id, read, CATCH_UP_MAX).await?;
    rows.retain(|m| !blocked.contains(&m.author_id));
    rows.reverse();

    let authors =
        crate::auth::repo::users_by_ids(&state.db, rows.iter().map(|m| m.author_id).collect())
            .await?;
    let author = |id: &Uuid| match authors.get(id) {
        Some(user) => crate::auth::Author::of(user),
        None => crate::auth::Author::deleted(*id),
    };
    let mut counts: HashMap<Uuid, usize> = HashMap::new();
    for m in &rows {
        *counts.entry(m.author_id).or_default() += 1;
    }
    let mut people: Vec<(Uuid, usize)> = counts.into_iter().collect();
    people.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));

    let texts: Vec<String> = rows
        .iter()
        .map(|m| markdown::plain_text(m.body.as_deref().unwrap_or_default()))
        .collect();
    let sentences = summary::sentences(&texts.iter().map(String::as_str).collect::<Vec<_>>());
    let signals = room_signals(state, CommunityId(access.community.id), &rows, &authors).await?;
    let chosen = summary::highlights(&sentences, &signals, summary::length_for(sentences.len()));
    let mut highlights = Vec::with_capacity(chosen.len());
    for index in chosen {
        let sentence = &sentences[index];
        let message = &rows[sentence.message];
        let language = message
            .language
            .clone()
            .or_else(|| language::detect(&sentence.text).map(str::to_string));
        let translated = match (&language, translate) {
            (Some(from), true) if *from != reader.preferred_language => {
                translated_sentence(
                    state,
                    message,
                    &texts[sentence.message],
                    &sentence.text,
                    from,
                    &reader.preferred_language,
                )
                .await
            }
            _ => None,
        };
        highlights.push(Highlight {
            message_id: message.id.to_string(),
            seq: message.seq,
            author: author(&message.author_id),
            text: sentence.text.clone(),
            language,
            translated,
        });
    }
    let language = if translate {
        reader.preferred_language.clone()
    } else {
        most_written_language(&rows, &texts).unwrap_or_else(|| reader.preferred_language.clone())
    };
    let recap = recap(state, &rows, &texts, &signals, &author, &language).await;
    Ok(CatchUp {
        unread: rows.len(),
        people: people.iter().map(|(id, _)| author(id)).collect(),
        highlights,
        recap,
    })
}

/// The language most of these messages were written in (told now for those the AI has not
/// read yet).
fn most_written_language(rows: &[messages::Model], texts: &[String]) -> Option<String> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (message, text) in rows.iter().zip(texts) {
        if let Some(code) = message
            .language
            .as_deref()
            .or_else(|| language::detect(text))
        {
            *counts.entry(code).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(code, _)| code.to_string())
}

/// A hosted model's account of the newest unread lines, its citations resolved to messages;
/// `None` with the built-in engines or when the model fails (the highlights still stand).
async fn recap(
    state: &AppState,
    rows: &[messages::Model],
    texts: &[String],
    signals: &[summary::Signals],
    author: &impl Fn(&Uuid) -> crate::auth::Author,
    language: &str,
) -> Option<Recap> {
    let start = rows.len().saturating_sub(RECAP_LINES);
    let mut given = Vec::new();
    let mut prompt = String::new();
    for index in start..rows.len() {
        let text = texts[index].trim();
        if text.is_empty() {
            continue;
        }
        given.push(index);
        let who = author(&rows[index].author_id).display_name;
        let text: String = text.chars().take(RECAP_LINE_CHARS).collect();
        let notes = room_notes(&signals[index]);
        prompt.push_str(&format!("[{}] {who}: {text}{notes}\n", given.len()));
    }
    if given.is_empty() {
        return None;
    }
    let written = state
        .service::<Engines>()
        .recap(&prompt, language)
        .await
        .ok()?;
    let parts: Vec<RecapPart> = summary::cited(&written.value, given.len())
        .into_iter()
        .map(|piece| match piece {
            summary::Cited::Text(text) => RecapPart::Text { text },
            summary::Cited::Line(n) => {
                let message = &rows[given[n - 1]];
                RecapPart::Source {
                    message_id: message.id.to_string(),
                    seq: message.seq,
                    author: author(&message.author_id),
                }
            }
        })
        .collect();
    Some(Recap {
        language: language.to_string(),
        engine: written.engine,
        parts,
    })
}

/// What the room made of a line, for the model: " {pinned; 3 replies; moderator}".
fn room_notes(signals: &summary::Signals) -> String {
    let mut notes = Vec::new();
    if signals.pinned {
        notes.push("pinned".to_string());
    }
    if signals.replies > 0 {
        notes.push(format!("{} replies", signals.replies));
    }
    if signals.reactions > 0 {
        notes.push(format!("{} reactions", signals.reactions));
    }
    if signals.staff {
        notes.push("moderator or bot".to_string());
    }
    if notes.is_empty() {
        String::new()
    } else {
        format!(" {{{}}}", notes.join("; "))
    }
}

/// What the room made of each message: reactions, replies among these messages, pins, and
/// whether a moderator or a bot wrote it.
async fn room_signals(
    state: &AppState,
    community: CommunityId,
    rows: &[messages::Model],
    authors: &HashMap<Uuid, users::Model>,
) -> Result<Vec<summary::Signals>, AppError> {
    let ids: Vec<Uuid> = rows.iter().map(|m| m.id).collect();
    let mut reactions: HashMap<Uuid, usize> = HashMap::new();
    for reaction in repo::reactions_of(&state.db, ids).await? {
        *reactions.entry(reaction.message_id).or_default() += 1;
    }
    let mut replies: HashMap<Uuid, usize> = HashMap::new();
    for reply_to in rows.iter().filter_map(|m| m.reply_to) {
        *replies.entry(reply_to).or_default() += 1;
    }
    let mut writers: Vec<Uuid> = rows.iter().map(|m| m.author_id).collect();
    writers.sort_unstable();
    writers.dedup();
    let moderators =
        crate::community::repo::moderators_among(&state.db, community.0, writers).await?;
    Ok(rows
        .iter()
        .map(|m| summary::Signals {
            reactions: reactions.get(&m.id).copied().unwrap_or_default(),
            replies: replies.get(&m.id).copied().unwrap_or_default(),
            pinned: m.pinned_at.is_some(),
            staff: moderators.contains(&m.author_id)
                || authors
                    .get(&m.author_id)
                    .is_some_and(|u| crate::auth::is_bot(&u.username)),
        })
        .collect())
}

/// A summary sentence in the reader's language. Most chat messages are one sentence: those
/// share the message's cached translation (usually made already for the channel's readers);
/// a sentence cut from a longer message is translated on its own.
async fn translated_sentence(
    state: &AppState,
    message: &messages::Model,
    message_text: &str,
    sentence: &str,
    from: &str,
    to: &str,
) -> Option<String> {
    match message.body.as_deref() {
        Some(body) if message_text.trim() == sentence.trim() => {
            match worker::translation(state, MessageId(message.id), body, from, to).await {
                Ok(TranslateOutcome::Translated { translation }) => {
                    Some(markdown::plain_text(&translation.body))
                }
                _ => None,
            }
        }
        _ => state
            .service::<Engines>()
            .translate(sentence, from, to)
            .await
            .ok()
            .map(|produced| produced.value),
    }
}

/// A community's moderation threshold, for those who may change it.
pub async fn moderation_settings(
    state: &AppState,
    actor: UserId,
    slug: &str,
) -> Result<ModerationSettings, AppError> {
    let (found, standing) = community::find(state, Some(UserId(actor.0)), slug).await?;
    community::allow(&found, standing, Action::ManageCommunity)?;
    Ok(ModerationSettings {
        threshold: found.toxicity_threshold,
        default_threshold: state.config.toxicity_threshold,
    })
}

/// Sets (or, with `None`, clears) a community's own toxicity threshold.
pub async fn set_threshold(
    state: &AppState,
    actor: UserId,
    slug: &str,
    threshold: Option<f32>,
) -> Result<ModerationSettings, AppError> {
    let (found, standing) = community::find(state, Some(UserId(actor.0)), slug).await?;
    community::allow(&found, standing, Action::ManageCommunity)?;
    if let Some(t) = threshold {
        if !(0.05..=1.0).contains(&t) || t.is_nan() {
            return Err(AppError::Validation(says!("server.chat.threshold")));
        }
    }
    repo::set_toxicity_threshold(&state.db, found.id, threshold).await?;
    crate::community::audit::record(
        &state.db,
        crate::community::audit::Entry {
            community: found.id,
            actor: actor.0,
            act: crate::community::audit::Act::SetModerationThreshold,
            target: None,
            message: None,
            detail: &threshold.map_or_else(|| "default".to_string(), |t| format!("{t:.2}")),
            reason: "",
        },
    )
    .await?;
    tracing::info!(community = %found.id, ?threshold, "moderation threshold changed");
    Ok(ModerationSettings {
        threshold,
        default_threshold: state.config.toxicity_threshold,
    })
}
