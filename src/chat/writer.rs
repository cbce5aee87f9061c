//! The message writer: one task per instance stores every message waiting at that moment in one
//! transaction (group commit). A busy room costs a handful of statements per batch instead of
//! ten per message, and nobody waits for someone else's commit more than once: while a batch
//! commits, the next one gathers.
//!
//! In the transaction: each rate-limited author's count, then per channel one update that takes
//! the batch's sequence numbers, one insert for all the rows, one upsert for the authors' read
//! positions. After the commit, in sequence order: each channel's new messages to its readers as
//! bundles of consecutive numbers, the AI's queue, the people mentioned, the senders'
//! confirmations; the channels' newest numbers go on a board that is published for the
//! sidebars every 250 ms. Nobody hears of a message before it is stored.

use std::{
    collections::{HashMap, HashSet},
    future::Future,
    panic::AssertUnwindSafe,
    pin::Pin,
    sync::Mutex,
    task::{Context, Poll},
    time::Instant,
};

use chrono::Utc;
use futures::FutureExt;
use sea_orm::TransactionTrait;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use super::{
    activity::{About, MessageActivity, MessageListeners},
    parts::{Carried, MessageParts},
    repo, service, ChannelSeq, ChatMessage, MessageId, ServerEvent,
};
use crate::{
    auth::{Author, UserId},
    carried::attachment::Attachment,
    community::{ChannelId, CommunityId},
    entities::messages,
    platform::{error::AppError, metrics::METRICS, realtime, state::AppState},
};

/// Messages waiting for the writer before senders wait for room.
const QUEUE: usize = 4096;
/// The most messages one transaction stores.
const BATCH: usize = 512;
/// A bundle of one channel's new messages stops growing at this many events or bytes.
const BUNDLE_EVENTS: usize = 64;
const BUNDLE_BYTES: usize = 32 * 1024;

/// A message that passed every check, with where it goes.
pub struct Outgoing {
    pub author_id: Uuid,
    pub author: Author,
    pub channel: Uuid,
    pub community: Uuid,
    pub community_slug: String,
    pub channel_name: String,
    pub nonce: Option<String>,
    pub body: String,
    pub reply_to: Option<Uuid>,
    /// The author's uploads it carries, checked (`parts::Attaching::for_sending`); claimed in
    /// the message's transaction.
    pub attachments: Vec<Attachment>,
    /// The part a feature adds to it (a poll, an event, a card: `parts::Carried`), stored in
    /// its transaction.
    pub carries: Option<Box<dyn Carried>>,
    /// Counted toward the author's rate limit (people are; the app's bots are not).
    pub rate_limited: bool,
    /// In a direct conversation: its other people hear of it on their own topics too, wherever
    /// they are in the app (`ServerEvent::DirectMessage`).
    pub direct: bool,
}

struct Pending {
    message: Outgoing,
    done: oneshot::Sender<Result<Stored, AppError>>,
    /// When it was handed over: the store latency operators see counts from here.
    queued_at: Instant,
}

/// The stored message as its readers see it, once its transaction has committed; or why it
/// was not stored.
pub struct Receipt(oneshot::Receiver<Result<Stored, AppError>>);

/// A message that was stored.
pub struct Stored {
    pub message: ChatMessage,
    /// Whether it went out to its readers. When the broker failed in between (Redis went away
    /// after the message was accepted), the readers catch up when they resync, and the sender
    /// hears of it directly rather than never.
    pub published: bool,
}

impl Future for Receipt {
    type Output = Result<Stored, AppError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|answer| answer.unwrap_or(Err(AppError::Unavailable)))
    }
}

/// The instance's message writer (a service: `state.service::<MessageWriter>()`).
pub struct MessageWriter {
    queue: mpsc::Sender<Pending>,
    /// Channel activity waiting for the next note.
    activity: ActivityBoard,
    /// The writer's end of the queue until the first message starts it.
    waiting: Mutex<Option<mpsc::Receiver<Pending>>>,
}

impl Default for MessageWriter {
    fn default() -> Self {
        MessageWriter::new()
    }
}

impl MessageWriter {
    pub fn new() -> MessageWriter {
        let (queue, waiting) = mpsc::channel(QUEUE);
        MessageWriter {
            queue,
            activity: ActivityBoard::default(),
            waiting: Mutex::new(Some(waiting)),
        }
    }

    /// Queues a message for the next transaction; waits only while the queue is full.
    /// Messages waiting for the writer.
    pub fn backlog(&self) -> usize {
        self.queue.max_capacity() - self.queue.capacity()
    }

    pub async fn submit(&self, state: &AppState, message: Outgoing) -> Receipt {
        self.start(state);
        let (done, receipt) = oneshot::channel();
        let pending = Pending {
            message,
            done,
            queued_at: Instant::now(),
        };
        if let Err(refused) = self.queue.send(pending).await {
            let _ = refused.0.done.send(Err(AppError::Unavailable));
        }
        Receipt(receipt)
    }

    /// Starts the writer's task the first time a message comes (it needs the state that holds
    /// this service).
    fn start(&self, state: &AppState) {
        let taken = self
            .waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(queue) = taken {
            tokio::spawn(run(state.clone(), queue));
            tokio::spawn(publish_activity(state.clone()));
        }
    }
}

async fn run(state: AppState, mut queue: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(BATCH);
    while queue.recv_many(&mut batch, BATCH).await > 0 {
        let taken = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
        // A bug that panics costs its batch (each sender hears `unavailable`), never the
        // writer: the next batch is stored as usual.
        if AssertUnwindSafe(write(&state, taken))
            .catch_unwind()
            .await
            .is_err()
        {
            tracing::error!("the message writer failed on a batch; its messages were refused");
        }
    }
}

/// Stores a batch and tells everyone. If the transaction fails as a whole, each message is
/// tried alone, so that one message's trouble is that message's answer only.
async fn write(state: &AppState, batch: Vec<Pending>) {
    let queued: Vec<Instant> = batch.iter().map(|p| p.queued_at).collect();
    let (messages, waiters): (Vec<Outgoing>, Vec<_>) =
        batch.into_iter().map(|p| (p.message, p.done)).unzip();
    match store(state, &messages).await {
        Ok(outcomes) => {
            note_stored(&queued, &outcomes);
            announce(state, messages, waiters, outcomes).await
        }
        Err(error) if messages.len() == 1 => {
            tracing::warn!(error = %error, "could not store a message");
            if let Some(done) = waiters.into_iter().next() {
                let _ = done.send(Err(error));
            }
        }
        Err(error) => {
            tracing::warn!(error = %error, size = messages.len(), "a batch failed; storing its messages one by one");
            for ((message, done), queued_at) in messages.into_iter().zip(waiters).zip(queued) {
                match store(state, std::slice::from_ref(&message)).await {
                    Ok(outcomes) => {
                        note_stored(&[queued_at], &outcomes);
                        announce(state, vec![message], vec![done], outcomes).await
                    }
                    Err(error) => {
                        let _ = done.send(Err(error));
                    }
                }
            }
        }
    }
}

/// Tells the metrics how long each stored message waited for its commit.
fn note_stored(queued: &[Instant], outcomes: &[Result<messages::Model, AppError>]) {
    for (queued_at, outcome) in queued.iter().zip(outcomes) {
        if outcome.is_ok() {
            METRICS.stored(queued_at.elapsed());
        }
    }
}

/// One transaction for the whole batch: each message's stored row, or why it was refused.
async fn store(
    state: &AppState,
    batch: &[Outgoing],
) -> Result<Vec<Result<messages::Model, AppError>>, AppError> {
    let txn = state.db.begin().await?;
    let now = Utc::now();
    // Every lock of the batch is taken in one order (people, then channels, then read
    // positions, each sorted), so that two instances' batches never wait for each other in a
    // circle on PostgreSQL.
    if service::rate_limit_on(state) {
        let mut people: Vec<Uuid> = batch
            .iter()
            .filter(|m| m.rate_limited)
            .map(|m| m.author_id)
            .collect();
        people.sort_unstable();
        people.dedup();
        for person in people {
            repo::lock_actions_of(&txn, person).await?;
        }
    }
    let ids: Vec<Uuid> = batch.iter().map(|_| Uuid::now_v7()).collect();
    let mut outcomes: Vec<Result<(), AppError>> = Vec::with_capacity(batch.len());
    for (message, id) in batch.iter().zip(&ids) {
        // Its files first: a message refused for them counts toward nobody's limit; one
        // refused by the limit gives them back.
        let files = (message.author_id, message.channel);
        let mut outcome = if message.attachments.is_empty() {
            Ok(())
        } else {
            let parts = state.service::<MessageParts>().files()?;
            parts
                .claim(&txn, MessageId(*id), &message.attachments, files)
                .await?
        };
        if outcome.is_ok() && message.rate_limited {
            outcome = service::count_action(state, &txn, UserId(message.author_id)).await;
            if outcome.is_err() && !message.attachments.is_empty() {
                let parts = state.service::<MessageParts>().files()?;
                parts.release(&txn, MessageId(*id)).await?;
            }
        }
        match outcome {
            Ok(()) | Err(AppError::RateLimited { .. }) | Err(AppError::Validation(_)) => {
                outcomes.push(outcome)
            }
            // A database error is the batch's, not the message's.
            Err(error) => return Err(error),
        }
    }
    // Each channel's numbers in one update, given out in the order the messages came.
    let mut counts: Vec<(Uuid, i64)> = Vec::new();
    for (message, outcome) in batch.iter().zip(&outcomes) {
        if outcome.is_ok() {
            match counts.iter_mut().find(|(c, _)| *c == message.channel) {
                Some((_, count)) => *count += 1,
                None => counts.push((message.channel, 1)),
            }
        }
    }
    counts.sort_unstable();
    let mut next: HashMap<Uuid, i64> = HashMap::with_capacity(counts.len());
    for (channel, count) in counts {
        let last = repo::take_seqs(&txn, channel, count).await?;
        next.insert(channel, last - count + 1);
    }
    let mut rows = Vec::with_capacity(batch.len());
    let mut stored = Vec::with_capacity(batch.len());
    let mut read: HashMap<(Uuid, Uuid), i64> = HashMap::new();
    for ((message, outcome), id) in batch.iter().zip(outcomes).zip(ids) {
        if let Err(refused) = outcome {
            stored.push(Err(refused));
            continue;
        }
        let seq = next.get_mut(&message.channel).expect("numbered above");
        let row = messages::Model {
            id,
            channel_id: message.channel,
            seq: *seq,
            author_id: message.author_id,
            body: Some(message.body.clone()),
            reply_to: message.reply_to,
            created_at: now,
            edited_at: None,
            deleted_at: None,
            pinned_at: None,
            pinned_by: None,
            language: None,
            ai_status: None,
        };
        *seq += 1;
        // The author has read what they wrote.
        let position = read
            .entry((message.author_id, message.channel))
            .or_default();
        *position = (*position).max(row.seq);
        rows.push(row.clone());
        stored.push(Ok(row));
    }
    repo::insert_messages(&txn, rows).await?;
    for (message, row) in batch.iter().zip(&stored) {
        if let (Some(part), Ok(row)) = (&message.carries, row) {
            part.store(&txn, row, CommunityId(message.community))
                .await?;
        }
    }
    let mut positions: Vec<(Uuid, Uuid, i64)> = read
        .into_iter()
        .map(|((user, channel), seq)| (user, channel, seq))
        .collect();
    positions.sort_unstable();
    repo::mark_read_many(&txn, positions).await?;
    txn.commit().await?;
    Ok(stored)
}

/// After the commit: readers, sidebars, senders and the listeners (the AI, the people
/// mentioned), in order.
async fn announce(
    state: &AppState,
    batch: Vec<Outgoing>,
    waiters: Vec<oneshot::Sender<Result<Stored, AppError>>>,
    outcomes: Vec<Result<messages::Model, AppError>>,
) {
    // Only a reply needs the database to show what it quotes; the rest is at hand.
    let replies: Vec<messages::Model> = outcomes
        .iter()
        .filter_map(|o| o.as_ref().ok())
        .filter(|row| row.reply_to.is_some())
        .cloned()
        .collect();
    let mut quoted: HashMap<Uuid, ChatMessage> = HashMap::new();
    if !replies.is_empty() {
        match service::present(state, replies).await {
            Ok(presented) => {
                for message in presented {
                    if let Ok(id) = Uuid::parse_str(&message.id) {
                        quoted.insert(id, message);
                    }
                }
            }
            Err(err) => tracing::warn!(error = %err, "could not show what replies quote"),
        }
    }
    // Each channel's new messages go out in bundles of consecutive numbers: a tab wakes once
    // per bundle and forwards it whole.
    let mut bundles: Vec<(Uuid, i64, i64, realtime::BundleBuilder)> = Vec::new();
    let listeners = state.service::<MessageListeners>();
    let board = &state.service::<MessageWriter>().activity;
    let mut confirmations = Vec::with_capacity(waiters.len());
    let mut named: HashSet<String> = HashSet::new();
    for ((outgoing, done), outcome) in batch.into_iter().zip(waiters).zip(outcomes) {
        let row = match outcome {
            Ok(row) => row,
            Err(refused) => {
                let _ = done.send(Err(refused));
                continue;
            }
        };
        let message = quoted.remove(&row.id).unwrap_or_else(|| {
            let mut message = ChatMessage {
                id: row.id.to_string(),
                channel_id: row.channel_id.to_string(),
                seq: row.seq,
                author: outgoing.author.clone(),
                reply_to: None,
                body: row.body.clone(),
                created_at: row.created_at.to_rfc3339(),
                edited: false,
                pinned: false,
                reactions: Vec::new(),
                flag: None,
                language: None,
                translations: Vec::new(),
                unchecked: false,
                attachments: outgoing.attachments.clone(),
                parts: Default::default(),
            };
            if let Some(part) = &outgoing.carries {
                part.show(&row, &mut message);
            }
            message
        });
        let open = bundles.iter_mut().rev().find(|(channel, _, last, bundle)| {
            *channel == row.channel_id
                && *last + 1 == row.seq
                && bundle.len() < BUNDLE_EVENTS
                && bundle.bytes() < BUNDLE_BYTES
        });
        let event = ServerEvent::MessageCreated {
            message: message.clone(),
            nonce: outgoing.nonce.clone(),
        };
        match open {
            Some((_, _, last, bundle)) => {
                bundle.push(Some(outgoing.author_id), realtime::Readers::ALL, &event);
                *last = row.seq;
            }
            None => {
                let mut bundle = realtime::BundleBuilder::default();
                bundle.push(Some(outgoing.author_id), realtime::Readers::ALL, &event);
                bundles.push((row.channel_id, row.seq, row.seq, bundle));
            }
        }
        board.note(
            CommunityId(outgoing.community),
            ChannelId(row.channel_id),
            row.seq,
        );
        if !outgoing.direct {
            named.extend(
                crate::kit::markdown::cashtags(&outgoing.body)
                    .iter()
                    .map(|tag| super::crowd_ticker(tag)),
            );
        }
        // The features that react to a new message (the AI, notifications) hear of it.
        listeners
            .announce(
                state,
                MessageActivity::Created {
                    message: &message,
                    about: About {
                        message: row.id,
                        channel: row.channel_id,
                        community: outgoing.community,
                        author: outgoing.author_id,
                    },
                    body: &outgoing.body,
                },
            )
            .await;
        if outgoing.direct {
            let (state, message) = (state.clone(), message.clone());
            let (conversation, slug) = (outgoing.community, outgoing.community_slug.clone());
            tokio::spawn(async move {
                if let Err(err) =
                    service::notify_direct(&state, CommunityId(conversation), slug, message).await
                {
                    tracing::warn!(error = %err, "could not tell a conversation's people");
                }
            });
        }
        confirmations.push((done, message));
    }
    let mut unpublished: Vec<Uuid> = Vec::new();
    for (channel, first, last, bundle) in bundles {
        let published = realtime::publish_bundle_in_order(
            state,
            &realtime::topic::channel(channel),
            first,
            last,
            bundle,
        )
        .await;
        if !published {
            unpublished.push(channel);
        }
    }
    // The stock pages showing a ticker's crowd hear that it was named (after the message is
    // stored and out, so the page that asks again finds it).
    for ticker in named {
        let event = crate::kit::live::CrowdEvent::CrowdSpoke {
            ticker: ticker.clone(),
        };
        realtime::publish(state, &realtime::topic::crowd(&ticker), None, &event).await;
    }
    for (done, message) in confirmations {
        let published = !unpublished
            .iter()
            .any(|channel| channel.to_string() == message.channel_id);
        let _ = done.send(Ok(Stored { message, published }));
    }
}

/// How often each community's channel activity is published, at most: a sidebar's unread
/// count needs no more, and every note wakes every tab in the community.
const ACTIVITY_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// The newest number of each channel with new messages since the last note, by community.
#[derive(Default)]
struct ActivityBoard(Mutex<HashMap<Uuid, HashMap<Uuid, i64>>>);

impl ActivityBoard {
    fn note(&self, community: CommunityId, channel: ChannelId, seq: i64) {
        let mut board = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let newest = board
            .entry(community.0)
            .or_default()
            .entry(channel.0)
            .or_default();
        *newest = (*newest).max(seq);
    }

    fn take(&self) -> HashMap<Uuid, HashMap<Uuid, i64>> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// Publishes the board every [`ACTIVITY_EVERY`]: one event per community with activity, on
/// the community's topic, which every tab of the community already reads; the tabs forward it
/// as it is (no per-tab work: a tab that reads one of those channels keeps the larger number).
async fn publish_activity(state: AppState) {
    let mut tick = tokio::time::interval(ACTIVITY_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let board = state.service::<MessageWriter>().activity.take();
        for (community, channels) in board {
            let event = ServerEvent::ChannelActivity {
                community_id: community.to_string(),
                channels: channels
                    .into_iter()
                    .map(|(channel, last_seq)| ChannelSeq {
                        channel_id: channel.to_string(),
                        last_seq,
                    })
                    .collect(),
            };
            realtime::publish(&state, &realtime::topic::community(community), None, &event).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_board_keeps_each_channels_newest_number_until_taken() {
        let board = ActivityBoard::default();
        let (community, news) = (Uuid::now_v7(), Uuid::now_v7());
        board.note(
            crate::community::CommunityId(community),
            crate::community::ChannelId(news),
            5,
        );
        board.note(
            crate::community::CommunityId(community),
            crate::community::ChannelId(news),
            3,
        );
        let taken = board.take();
        assert_eq!(taken[&community][&news], 5);
        assert!(board.take().is_empty());
    }
}
