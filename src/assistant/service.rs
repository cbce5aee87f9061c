//! Conversations with the assistant, kept per person: asking (rate limited, answered by the
//! hosted model when one is configured, else by the built-in engine), listing, renaming,
//! deleting. A question and its answer are written together once the answer exists, so a failed
//! answer leaves nothing half-written.

use chrono::{Duration, Utc};
use sea_orm::{DatabaseConnection, TransactionTrait};
use uuid::Uuid;

use super::{
    engine::{self, Answer},
    repo,
    tools::Asker,
    Card, Conversation, ConversationId, ConversationView, Exchange, Role, Turn, QUESTION_MAX,
};
use crate::auth::UserId;
use crate::{
    auth::repo as accounts,
    entities::{assistant_conversations as conversations, assistant_messages as messages},
    kit::sentences::says,
    platform::{error::AppError, rate_limit::RateLimit, realtime, state::AppState},
};

/// Conversations listed at most (the newest).
const LISTED: u64 = 100;
pub const TITLE_MAX: usize = 80;
/// A new conversation is named after its first question, cut to this many characters.
const TITLE_FROM_QUESTION: usize = 60;

fn conversation_of(row: &conversations::Model) -> Conversation {
    Conversation {
        id: row.id.to_string(),
        title: row.title.clone(),
        updated_at: row.updated_at.to_rfc3339(),
    }
}

fn turn_of(row: messages::Model) -> Turn {
    Turn {
        id: row.id.to_string(),
        role: if row.role == "user" {
            Role::User
        } else {
            Role::Assistant
        },
        text: row.body,
        cards: serde_json::from_str::<Vec<Card>>(&row.cards).unwrap_or_default(),
        language: row.language,
        engine: row.engine,
        at: row.created_at.to_rfc3339(),
    }
}

/// The person's conversation `id`; someone else's is "not found", like one that does not exist.
async fn owned(
    db: &DatabaseConnection,
    user: UserId,
    id: ConversationId,
) -> Result<conversations::Model, AppError> {
    repo::conversation_of(db, user.0, id.0)
        .await?
        .ok_or_else(|| AppError::NotFound(says!("server.assistant.conversation_not_found")))
}

pub async fn list(db: &DatabaseConnection, user: UserId) -> Result<Vec<Conversation>, AppError> {
    let rows = repo::conversations_of(db, user.0, LISTED).await?;
    Ok(rows.iter().map(conversation_of).collect())
}

pub async fn open(
    db: &DatabaseConnection,
    user: UserId,
    id: ConversationId,
) -> Result<ConversationView, AppError> {
    let conversation = owned(db, user, id).await?;
    let turns = repo::turns_of(db, conversation.id).await?;
    Ok(ConversationView {
        conversation: conversation_of(&conversation),
        turns: turns.into_iter().map(turn_of).collect(),
    })
}

pub async fn rename(
    db: &DatabaseConnection,
    user: UserId,
    id: ConversationId,
    title: &str,
) -> Result<Conversation, AppError> {
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() {
        return Err(AppError::Validation(says!(
            "server.assistant.title_missing"
        )));
    }
    if title.chars().count() > TITLE_MAX {
        return Err(AppError::Validation(says!(
            "server.assistant.title_too_long",
            max = TITLE_MAX
        )));
    }
    let row = owned(db, user, id).await?;
    let row = repo::rename_conversation(db, row.id, title).await?;
    Ok(conversation_of(&row))
}

pub async fn delete(
    db: &DatabaseConnection,
    user: UserId,
    id: ConversationId,
) -> Result<(), AppError> {
    let row = owned(db, user, id).await?;
    let txn = db.begin().await?;
    repo::delete_conversation(&txn, row.id).await?;
    txn.commit().await?;
    Ok(())
}

/// A first question as a title: whole words up to 60 characters.
pub fn title_from(question: &str) -> String {
    let mut title = String::new();
    for word in question.split_whitespace() {
        if title.chars().count() + word.chars().count() + 1 > TITLE_FROM_QUESTION {
            if title.is_empty() {
                title = word.chars().take(TITLE_FROM_QUESTION).collect();
            }
            title.push('…');
            break;
        }
        if !title.is_empty() {
            title.push(' ');
        }
        title.push_str(word);
    }
    title
}

/// Refuses a question once the person has asked `ASSISTANT_RATE_LIMIT` in the last minute.
async fn check_rate(state: &AppState, user: UserId) -> Result<(), AppError> {
    let limit = RateLimit {
        max: state.config.assistant_rate_limit,
        window: Duration::seconds(60),
    };
    if limit.is_off() {
        return Ok(());
    }
    let now = Utc::now();
    let (count, oldest) = repo::questions_since(&state.db, user.0, limit.window_start(now)).await?;
    limit
        .check(count, oldest, now)
        .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })
}

/// Asks the assistant: `conversation` to go on with one, `None` to start one. `request` is the
/// asking tab's id, echoed on the streamed pieces of the answer.
pub async fn ask(
    state: &AppState,
    user: UserId,
    conversation: Option<ConversationId>,
    question: &str,
    request: Option<String>,
) -> Result<Exchange, AppError> {
    let question = question.trim();
    if question.is_empty() {
        return Err(AppError::Validation(says!(
            "server.assistant.question_missing"
        )));
    }
    if question.chars().count() > QUESTION_MAX {
        return Err(AppError::Validation(says!(
            "server.assistant.question_too_long",
            max = QUESTION_MAX
        )));
    }
    let existing = match conversation {
        Some(id) => Some(owned(&state.db, user, id).await?),
        None => None,
    };
    check_rate(state, user).await?;
    let preferred = accounts::user_by_id(&state.db, user.0)
        .await?
        .map(|u| u.preferred_language)
        .unwrap_or_else(|| "en".into());
    let language = engine::language_of(question, &preferred);
    let conversation_id = existing.as_ref().map_or_else(Uuid::now_v7, |c| c.id);
    // Earlier turns matter to a hosted model only; the built-in engine reads one question.
    let history = match &existing {
        Some(row)
            if state
                .services
                .get::<super::hosted::HostedAssistant>()
                .is_some() =>
        {
            open(&state.db, user, ConversationId(row.id)).await?.turns
        }
        _ => Vec::new(),
    };

    let asked_at = Utc::now();
    let asker = Asker {
        state,
        user: user.0,
        language: &language,
    };
    let answer = answer(
        state,
        asker,
        &history,
        question,
        ConversationId(conversation_id),
        request,
    )
    .await?;

    let now = Utc::now();
    let txn = state.db.begin().await?;
    let row = match existing {
        Some(row) => repo::touch_conversation(&txn, row.id, now).await?,
        None => {
            repo::insert_conversation(
                &txn,
                conversations::Model {
                    id: conversation_id,
                    user_id: user.0,
                    title: title_from(question),
                    created_at: now,
                    updated_at: now,
                },
            )
            .await?
        }
    };
    let turn = |role: Role, text: &str, cards: &[Card], language: &str, engine: &str, at| {
        messages::Model {
            id: Uuid::now_v7(),
            conversation_id,
            user_id: user.0,
            role: if role == Role::User {
                "user"
            } else {
                "assistant"
            }
            .into(),
            body: text.to_string(),
            cards: serde_json::to_string(cards).expect("cards serialise"),
            language: language.to_string(),
            engine: engine.to_string(),
            created_at: at,
        }
    };
    let asked = repo::insert_turn(
        &txn,
        turn(Role::User, question, &[], &language, "", asked_at),
    )
    .await?;
    let answered = repo::insert_turn(
        &txn,
        turn(
            Role::Assistant,
            &answer.text,
            &answer.cards,
            &language,
            &answer.engine,
            now,
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(Exchange {
        conversation: conversation_of(&row),
        question: turn_of(asked),
        answer: turn_of(answered),
    })
}

/// The hosted model's answer, its pieces published to the person's tabs as they come; the
/// built-in engine's when there is no hosted model or it failed.
async fn answer(
    state: &AppState,
    asker: Asker<'_>,
    history: &[Turn],
    question: &str,
    conversation: ConversationId,
    request: Option<String>,
) -> Result<Answer, AppError> {
    if let Some(hosted) = state.services.get::<super::hosted::HostedAssistant>() {
        let (sender, mut pieces) = tokio::sync::mpsc::unbounded_channel::<String>();
        let forward = {
            let (state, topic) = (state.clone(), realtime::topic::user(asker.user));
            tokio::spawn(async move {
                while let Some(text) = pieces.recv().await {
                    let event = super::AssistantEvent::AssistantDelta {
                        conversation_id: conversation.to_string(),
                        request: request.clone(),
                        text,
                    };
                    realtime::publish(&state, &topic, None, &event).await;
                }
            })
        };
        let mut on_text = move |piece: String| {
            let _ = sender.send(piece);
        };
        let result = hosted.answer(asker, history, question, &mut on_text).await;
        drop(on_text);
        let _ = forward.await;
        match result {
            Ok(answer) if !answer.text.is_empty() => return Ok(answer),
            Ok(_) => tracing::warn!(
                model = hosted.model(),
                "the hosted model's answer was empty; the built-in engine answers"
            ),
            Err(failure) => {
                tracing::warn!(%failure, model = hosted.model(), "the hosted assistant failed; the built-in engine answers")
            }
        }
    }
    engine::answer(asker, question).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_whole_words() {
        assert_eq!(
            title_from("  what is the RSI of AAPL? "),
            "what is the RSI of AAPL?"
        );
        let long = "how is my portfolio doing compared with the S&P 500 over the past three years and months";
        let title = title_from(long);
        assert!(
            title.ends_with('…') && title.chars().count() <= TITLE_FROM_QUESTION + 1,
            "{title}"
        );
        assert!(long.starts_with(title.trim_end_matches('…')));
    }
}
