//! AI work off the delivery path: a message is stored and broadcast first, then queued here;
//! a worker judges it and, if it crosses the threshold, stores a flag and tells the channel.
//! A full queue or a failing engine leaves the message unchecked — never delayed or lost.

use std::sync::{Arc, Mutex};

use chrono::Utc;
use sea_orm::{sea_query::OnConflict, ActiveValue::Set, EntityTrait};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{provider::Provider, Flag};
use crate::{
    chat::{repo, socket, ServerEvent},
    entities::message_flags,
    platform::{error::AppError, server::AppState},
};

/// Messages waiting to be judged before new ones are left unchecked.
const QUEUE: usize = 10_000;

/// A message to judge, as it was when queued.
pub struct Job {
    pub message_id: Uuid,
    pub channel_id: Uuid,
    pub author_id: Uuid,
    pub body: String,
}

/// The queue every instance's chat feeds; `start` runs its worker.
pub struct AiWork {
    provider: Arc<dyn Provider>,
    queue: mpsc::Sender<Job>,
    waiting: Mutex<Option<mpsc::Receiver<Job>>>,
}

impl AiWork {
    pub fn new(provider: Arc<dyn Provider>) -> AiWork {
        let (queue, waiting) = mpsc::channel(QUEUE);
        AiWork { provider, queue, waiting: Mutex::new(Some(waiting)) }
    }

    /// Queues a message; if the queue is full it stays unchecked (logged).
    pub fn submit(&self, job: Job) {
        if let Err(err) = self.queue.try_send(job) {
            tracing::warn!(error = %err, "moderation queue full; a message stays unchecked");
        }
    }

    /// Starts the worker (once; later calls do nothing).
    pub fn start(&self, state: AppState) {
        let taken = self.waiting.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(mut jobs) = taken {
            let provider = self.provider.clone();
            tokio::spawn(async move {
                while let Some(job) = jobs.recv().await {
                    if let Err(err) = judge(&state, provider.as_ref(), job).await {
                        tracing::warn!(error = %err, "moderation failed; the message stays unchecked");
                    }
                }
            });
        }
    }
}

async fn judge(state: &AppState, provider: &dyn Provider, job: Job) -> Result<(), AppError> {
    let assessment = provider
        .moderate(&job.body)
        .await
        .map_err(|err| {
            tracing::warn!(error = %err, "moderation engine failed");
            AppError::Unavailable
        })?;
    if assessment.score < state.config.toxicity_threshold {
        return Ok(());
    }
    // The message may have been edited or deleted while it waited: judge only what is there.
    let current = repo::message(&state.db, job.message_id).await?;
    if current.and_then(|m| m.body).as_deref() != Some(job.body.as_str()) {
        return Ok(());
    }
    let flag = Flag {
        score: assessment.score,
        reason: assessment.reason,
        severe: assessment.severe,
        engine: provider.engine().to_string(),
    };
    message_flags::Entity::insert(message_flags::ActiveModel {
        message_id: Set(job.message_id),
        score: Set(flag.score),
        reason: Set(flag.reason.clone()),
        severe: Set(flag.severe),
        engine: Set(flag.engine.clone()),
        flagged_at: Set(Utc::now()),
        dismissed_at: Set(None),
        dismissed_by: Set(None),
    })
    .on_conflict(
        OnConflict::column(message_flags::Column::MessageId)
            .update_columns([
                message_flags::Column::Score,
                message_flags::Column::Reason,
                message_flags::Column::Severe,
                message_flags::Column::Engine,
                message_flags::Column::FlaggedAt,
            ])
            .to_owned(),
    )
    .exec(&state.db)
    .await?;
    socket::publish(
        state,
        &socket::topic::channel(job.channel_id),
        Some(job.author_id),
        &ServerEvent::MessageFlagged {
            channel_id: job.channel_id.to_string(),
            message_id: job.message_id.to_string(),
            flag,
        },
    )
    .await;
    Ok(())
}

impl From<&message_flags::Model> for Flag {
    fn from(row: &message_flags::Model) -> Flag {
        Flag { score: row.score, reason: row.reason.clone(), severe: row.severe, engine: row.engine.clone() }
    }
}
