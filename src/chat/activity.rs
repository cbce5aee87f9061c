//! What happens to a message (and to a channel's unread ones). The features that react to messages — notifications, the AI's
//! judgement, files, reports — listen; the core announces through this one enum and names none
//! of them. A listener may act inside the change's transaction (`within`: kept together, or
//! neither) and hears of it once committed (`hear`). The listeners are registered by the
//! composition root (`server.rs`, [`MessageListeners`]).

use sea_orm::DatabaseTransaction;
use uuid::Uuid;

use super::ChatMessage;
use crate::{
    entities::messages,
    platform::{error::AppError, state::AppState},
};

/// One thing that happened to a message.
pub enum MessageActivity<'a> {
    /// A message was stored and is on its way to its readers.
    Created {
        message: &'a ChatMessage,
        /// Its ids, read once.
        about: About,
        body: &'a str,
    },
    /// A message's words changed: it is read afresh.
    Edited { about: About, body: &'a str },
    /// A message was deleted by `by` (its author, or a moderator): what hangs on it goes.
    Deleted {
        message: &'a messages::Model,
        community: Uuid,
        by: Uuid,
    },
    /// `reader` read `channel` up to the message numbered `seq`.
    Read {
        reader: Uuid,
        channel: Uuid,
        seq: i64,
    },
}

/// A message's ids and where it is.
#[derive(Debug, Clone, Copy)]
pub struct About {
    pub message: Uuid,
    pub channel: Uuid,
    pub community: Uuid,
    pub author: Uuid,
}

/// A feature that reacts to messages.
#[async_trait::async_trait]
pub trait Listener: Send + Sync + 'static {
    /// Acts on `activity` inside its transaction, before the commit (only deletions are told
    /// here; a new message's parts are `parts::Carried`).
    async fn within(
        &self,
        _txn: &DatabaseTransaction,
        _activity: &MessageActivity<'_>,
    ) -> Result<(), AppError> {
        Ok(())
    }

    /// Hears of `activity`. Awaited in line, after the commit and before the readers hear of
    /// a change: anything slow is spawned, never in the way of delivery.
    async fn hear(&self, _state: &AppState, _activity: &MessageActivity<'_>) {}
}

/// Every listener (a service: `state.service::<MessageListeners>()`).
#[derive(Default)]
pub struct MessageListeners(Vec<Box<dyn Listener>>);

impl MessageListeners {
    pub fn with(mut self, listener: impl Listener) -> MessageListeners {
        self.0.push(Box::new(listener));
        self
    }

    /// Lets every listener act inside the change's transaction.
    pub async fn within(
        &self,
        txn: &DatabaseTransaction,
        activity: &MessageActivity<'_>,
    ) -> Result<(), AppError> {
        for listener in &self.0 {
            listener.within(txn, activity).await?;
        }
        Ok(())
    }

    /// Tells every listener, in the order they were registered.
    pub async fn announce(&self, state: &AppState, activity: MessageActivity<'_>) {
        for listener in &self.0 {
            listener.hear(state, &activity).await;
        }
    }
}
