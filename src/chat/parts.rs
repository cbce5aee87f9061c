//! Message parts: what a feature adds to a message — files, a poll, an event, a shared card.
//! The core stores and shows them without naming them. A part a new message carries
//! ([`Carried`]) stores its rows in the writer's transaction and puts itself on the message its
//! readers first receive; each kind of part ([`PartKind`]) puts itself on a page of messages
//! with one query for the whole page. The kinds are registered by the composition root
//! (`server.rs`, [`MessageParts`]), as commands are: a new kind touches its own room and one
//! line there.

use std::collections::HashMap;

use futures::future::BoxFuture;

use sea_orm::DatabaseTransaction;
use uuid::Uuid;

use super::{ChatMessage, MessageId};
use crate::{
    carried::attachment::Attachment,
    community::CommunityId,
    entities::messages,
    platform::{error::AppError, state::AppState},
};

/// A part a new message carries to the writer (a poll asked, an event planned, a card shared),
/// checked by its feature before it is handed over.
#[async_trait::async_trait]
pub trait Carried: Send + Sync + 'static {
    /// Stores its rows for the message `stored` of the community `community`, in the message's
    /// own transaction: both are kept, or neither.
    async fn store(
        &self,
        txn: &DatabaseTransaction,
        stored: &messages::Model,
        community: CommunityId,
    ) -> Result<(), AppError>;

    /// Puts itself on the new message as its readers first receive it (nothing is read back).
    fn show(&self, stored: &messages::Model, message: &mut ChatMessage);
}

/// A part an edit changes with the words (an event planned again), in the edit's transaction.
#[async_trait::async_trait]
pub trait Revised: Send + Sync {
    /// Stores itself anew for the edited message `stored`.
    async fn store(
        &self,
        txn: &DatabaseTransaction,
        stored: &messages::Model,
    ) -> Result<(), AppError>;
}

/// A kind of part, shown on the messages of a page.
#[async_trait::async_trait]
pub trait PartKind: Send + Sync + 'static {
    /// Puts this kind's parts on `messages`, asking for those of `standing` (the messages not
    /// deleted) in one query.
    async fn present(
        &self,
        state: &AppState,
        standing: &[Uuid],
        messages: &mut [ChatMessage],
    ) -> Result<(), AppError>;
}

/// The files a message is sent with: the one part a plain message carries, as ids of its
/// author's unsent uploads. Checked before the message is queued, claimed in the writer's
/// transaction.
#[async_trait::async_trait]
pub trait Attaching: Send + Sync + 'static {
    /// The uploads `ids` of `author` in `channel`, as the message will show them; refused when
    /// one is not theirs, not there, or already sent.
    async fn for_sending(
        &self,
        state: &AppState,
        (author, channel): (Uuid, Uuid),
        ids: &[String],
    ) -> Result<Vec<Attachment>, AppError>;

    /// Gives the message `message` its files, all or none; `Ok(Err(..))` when one was sent
    /// from another tab (or taken back) meanwhile, which refuses this message only.
    async fn claim(
        &self,
        txn: &DatabaseTransaction,
        message: MessageId,
        files: &[Attachment],
        (author, channel): (Uuid, Uuid),
    ) -> Result<Result<(), AppError>, AppError>;

    /// Gives back the files `claim` gave the message `message` (it was refused after all).
    async fn release(&self, txn: &DatabaseTransaction, message: MessageId) -> Result<(), AppError>;
}

/// Reads the parts of one kind of a page of messages, by message id.
pub type ReadParts<T> =
    for<'a> fn(&'a AppState, Vec<Uuid>) -> BoxFuture<'a, Result<HashMap<Uuid, T>, AppError>>;

/// A kind of part that is one value a message (a poll, an event, a shared card): read for a
/// page by its room's `read`, and put on each message under `kind`.
pub struct PartsOf<T> {
    kind: &'static str,
    read: ReadParts<T>,
}

impl<T> PartsOf<T> {
    pub fn new(kind: &'static str, read: ReadParts<T>) -> PartsOf<T> {
        PartsOf { kind, read }
    }
}

#[async_trait::async_trait]
impl<T: serde::Serialize + Send + Sync + 'static> PartKind for PartsOf<T> {
    async fn present(
        &self,
        state: &AppState,
        standing: &[Uuid],
        messages: &mut [ChatMessage],
    ) -> Result<(), AppError> {
        let found = (self.read)(state, standing.to_vec()).await?;
        place(messages, found, |message, part| {
            message.parts.put(self.kind, &part)
        });
        Ok(())
    }
}

/// Every kind of part (a service: `state.service::<MessageParts>()`).
#[derive(Default)]
pub struct MessageParts {
    kinds: Vec<Box<dyn PartKind>>,
    attaching: Option<Box<dyn Attaching>>,
}

impl MessageParts {
    pub fn with(mut self, kind: impl PartKind) -> MessageParts {
        self.kinds.push(Box::new(kind));
        self
    }

    /// The room that checks and claims a message's files.
    pub fn attaching(mut self, files: impl Attaching) -> MessageParts {
        self.attaching = Some(Box::new(files));
        self
    }

    /// The room that checks and claims files; without one, a message with files is refused.
    pub fn files(&self) -> Result<&dyn Attaching, AppError> {
        self.attaching
            .as_deref()
            .ok_or_else(|| AppError::Validation(crate::kit::sentences::says!("server.files.gone")))
    }

    /// Puts every kind's parts on a page of messages: one query per kind.
    pub async fn present(
        &self,
        state: &AppState,
        standing: &[Uuid],
        messages: &mut [ChatMessage],
    ) -> Result<(), AppError> {
        if standing.is_empty() {
            return Ok(());
        }
        for kind in &self.kinds {
            kind.present(state, standing, messages).await?;
        }
        Ok(())
    }
}

/// Hands each message its part from `found` (by message id), for a kind's `present`.
pub fn place<T>(
    messages: &mut [ChatMessage],
    mut found: HashMap<Uuid, T>,
    mut put: impl FnMut(&mut ChatMessage, T),
) {
    if found.is_empty() {
        return;
    }
    for message in messages {
        let part = Uuid::parse_str(&message.id)
            .ok()
            .and_then(|id| found.remove(&id));
        if let Some(part) = part {
            put(message, part);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: Uuid) -> ChatMessage {
        ChatMessage {
            id: id.to_string(),
            channel_id: Uuid::nil().to_string(),
            seq: 1,
            author: crate::auth::Author::deleted(Uuid::nil()),
            body: Some("hello".into()),
            reply_to: None,
            created_at: String::new(),
            edited: false,
            pinned: false,
            reactions: Vec::new(),
            flag: None,
            language: None,
            translations: Vec::new(),
            unchecked: false,
            attachments: Vec::new(),
            parts: Default::default(),
        }
    }

    #[test]
    fn each_message_receives_its_own_part_and_no_other() {
        let (a, b, elsewhere) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let mut page = vec![message(a), message(b)];
        let found = HashMap::from([(b, "b's"), (elsewhere, "not on this page")]);
        place(&mut page, found, |m, part| m.body = Some(part.to_string()));
        assert_eq!(page[0].body.as_deref(), Some("hello"));
        assert_eq!(page[1].body.as_deref(), Some("b's"));
    }
}
