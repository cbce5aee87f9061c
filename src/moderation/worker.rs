//! AI work off the delivery path. A message is stored and broadcast first, then queued here in
//! two stages:
//!
//! 1. judging (fast, in-process): moderation against the community's threshold, and language
//!    detection — a flag and the language are stored, a batch of messages in one transaction
//!    (SQLite has one writer, and the send path needs it too); a flag is announced to the
//!    channel at once;
//! 2. translating (slow, an external engine): into each language the community's members read,
//!    stored once per (message, language) and announced to the readers of that language as each
//!    one is ready; then the message's language to the readers who got no translation.
//!
//! Each stage has its own bounded queue, so a slow translator never holds up moderation. A full
//! queue or a failing engine leaves a message "not checked" / "not translated" — never delayed
//! or lost.
//!
//! With `AI_WORKER=apart` the serving instances run neither stage: they hand each message to a
//! Redis stream ([`QUEUE`]), and `bullpen worker` processes (any number, on any machine) take
//! them from there into the same two stages. A message handed over while no worker runs waits
//! in the stream; one a worker took and never finished is taken over by another after
//! [`CLAIM_AFTER`].

use std::{
    collections::HashMap,
    panic::AssertUnwindSafe,
    sync::{
        atomic::{AtomicBool, Ordering::SeqCst},
        Arc, Mutex,
    },
};

use chrono::Utc;
use sea_orm::TransactionTrait;
use tokio::sync::{mpsc, oneshot, Semaphore};
use uuid::Uuid;

use super::{repo as ai_repo, TranslateOutcome};
use crate::chat::MessageId;
use crate::{
    ai::{
        encoder, language,
        moderation::{self, Assessment},
        provider::{AiError, Engines, Produced, Provider},
        Flag, Translation,
    },
    chat::{repo, ServerEvent},
    entities::{message_flags, message_translations},
    platform::{
        config::AiWorker,
        error::AppError,
        metrics::METRICS,
        realtime::{self, Readers},
        state::AppState,
    },
};

/// Messages waiting to be judged before new ones are left unchecked.
const JUDGE_QUEUE: usize = 10_000;
/// Messages judged together and stored in one transaction.
const JUDGE_BATCH: usize = 64;
/// Messages waiting for translation before new ones are left untranslated (readers can still
/// ask for each with "Translate").
const TRANSLATE_QUEUE: usize = 2_000;
/// Translations in flight at once.
const TRANSLATORS: usize = 8;

// What `messages.ai_status` says once the AI is done with a message: the messages core's
// words, as it shows "not checked" without naming the AI.
use crate::chat::{AI_CHECKED as CHECKED, AI_UNCHECKED as UNCHECKED};

/// The broker queue between serving instances and `bullpen worker`s (`AI_WORKER=apart`).
pub const QUEUE: &str = "ai-judge";
/// How long a worker may hold a message it took before another worker takes it over.
pub const CLAIM_AFTER: std::time::Duration = std::time::Duration::from_secs(30);
/// Messages handed to the broker at once.
const HAND_OVER_BATCH: usize = 256;

/// A message to judge, as it was when queued.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Job {
    pub message_id: Uuid,
    pub channel_id: Uuid,
    pub community_id: Uuid,
    pub author_id: Uuid,
    pub body: String,
}

/// A judged message to translate from `language`.
struct TranslateJob {
    job: Job,
    language: &'static str,
}

/// The AI reads every new or edited message with words (a file without words has nothing for
/// it to read): a listener of the messages core.
pub struct Judge;

#[async_trait::async_trait]
impl crate::chat::activity::Listener for Judge {
    async fn hear(&self, state: &AppState, activity: &crate::chat::activity::MessageActivity<'_>) {
        use crate::chat::activity::MessageActivity::{Created, Edited};
        let (about, body) = match activity {
            Created { about, body, .. } if !body.trim().is_empty() => (about, body),
            Edited { about, body } => (about, body),
            _ => return,
        };
        state.service::<AiWork>().submit(
            state,
            Job {
                message_id: about.message,
                channel_id: about.channel,
                community_id: about.community,
                author_id: about.author,
                body: body.to_string(),
            },
        );
    }
}

/// The queues every instance's chat feeds; `start` runs their workers.
pub struct AiWork {
    judge_queue: mpsc::Sender<Job>,
    /// Messages the full queue left unchecked, marked so together by one task.
    left: Mutex<Vec<Job>>,
    marking: AtomicBool,
    translate_queue: mpsc::Sender<TranslateJob>,
    waiting: Mutex<Option<(mpsc::Receiver<Job>, mpsc::Receiver<TranslateJob>)>>,
}

impl Default for AiWork {
    fn default() -> Self {
        AiWork::new()
    }
}

impl AiWork {
    /// Messages waiting to be judged, and to be translated.
    pub fn backlog(&self) -> (usize, usize) {
        let waiting = |max: usize, free: usize| max - free;
        (
            waiting(self.judge_queue.max_capacity(), self.judge_queue.capacity()),
            waiting(
                self.translate_queue.max_capacity(),
                self.translate_queue.capacity(),
            ),
        )
    }

    pub fn new() -> AiWork {
        let (judge_queue, judge_jobs) = mpsc::channel(JUDGE_QUEUE);
        let (translate_queue, translate_jobs) = mpsc::channel(TRANSLATE_QUEUE);
        AiWork {
            judge_queue,
            left: Mutex::new(Vec::new()),
            marking: AtomicBool::new(false),
            translate_queue,
            waiting: Mutex::new(Some((judge_jobs, translate_jobs))),
        }
    }

    /// Queues a message; if the queue is full it is marked "not checked" (with the others
    /// left meanwhile: one statement for all, not one each, when the server is busiest).
    pub fn submit(&self, state: &AppState, job: Job) {
        if let Err(err) = self.judge_queue.try_send(job) {
            self.left
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(err.into_inner());
            if !self.marking.swap(true, SeqCst) {
                tokio::spawn(mark_left(state.clone()));
            }
        }
    }

    /// Starts the work (once; later calls do nothing): the two stages here, or with
    /// `AI_WORKER=apart` the hand-over to the workers' queue.
    pub fn start(&self, state: AppState) {
        let Some((judge_jobs, translate_jobs)) = self.take() else {
            return;
        };
        match state.config.ai_worker {
            AiWorker::Here => run_stages(state, judge_jobs, translate_jobs),
            AiWorker::Apart => {
                tokio::spawn(hand_over(state, judge_jobs));
            }
        }
    }

    /// `bullpen worker`: the two stages here, fed from the workers' queue, until the process
    /// ends. Broker failures are waited out and retried.
    pub async fn work_apart(&self, state: AppState) {
        let Some((judge_jobs, translate_jobs)) = self.take() else {
            return;
        };
        run_stages(state.clone(), judge_jobs, translate_jobs);
        let name = state.instance_id.to_string();
        loop {
            let mut consumer = match state
                .broker
                .consumer(QUEUE, QUEUE, &name, CLAIM_AFTER)
                .await
            {
                Ok(consumer) => consumer,
                Err(err) => {
                    tracing::warn!(error = %err, "the AI worker cannot reach the broker; retrying");
                    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                    continue;
                }
            };
            tracing::info!(
                broker = state.broker.kind(),
                "the AI worker is taking messages"
            );
            loop {
                let taken = match consumer.next().await {
                    Ok(taken) => taken,
                    Err(err) => {
                        tracing::warn!(error = %err, "the AI worker lost the broker; reconnecting");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                        break;
                    }
                };
                match serde_json::from_slice::<Job>(&taken.payload) {
                    // Waits while the judging stage is full: the stream holds the rest.
                    Ok(job) => {
                        if self.judge_queue.send(job).await.is_err() {
                            return;
                        }
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "the AI worker dropped a job it cannot read")
                    }
                }
                // Acknowledged once the judging stage has it; a worker that dies with messages
                // in its stages leaves them unjudged (their readers can still ask for a
                // translation), never delivered twice.
                if let Err(err) = consumer.ack(&taken).await {
                    tracing::warn!(error = %err, "the AI worker could not acknowledge a job");
                }
            }
        }
    }

    fn take(&self) -> Option<(mpsc::Receiver<Job>, mpsc::Receiver<TranslateJob>)> {
        self.waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }
}

/// Hands every queued message to the workers' queue, a batch at a time (the commands of a batch
/// go out together on Redis's multiplexed connection). One the broker refuses is marked "not
/// checked", as a full queue would leave it.
async fn hand_over(state: AppState, mut jobs: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(HAND_OVER_BATCH);
    while jobs.recv_many(&mut batch, HAND_OVER_BATCH).await > 0 {
        let handed = batch.drain(..).map(|job| {
            let state = &state;
            async move {
                let payload = serde_json::to_vec(&job).expect("jobs serialise");
                if let Err(err) = state.broker.enqueue(QUEUE, payload.into()).await {
                    tracing::warn!(error = %err, "could not hand a message to the AI workers; it stays unchecked");
                    if let Err(err) = mark_unchecked(state, &job).await {
                        tracing::warn!(error = %err, "could not mark a message unchecked");
                    }
                }
            }
        });
        futures::future::join_all(handed).await;
    }
}

/// Runs the two stages on this process's queues.
fn run_stages(
    state: AppState,
    mut judge_jobs: mpsc::Receiver<Job>,
    mut translate_jobs: mpsc::Receiver<TranslateJob>,
) {
    let judging = state.clone();
    tokio::spawn(async move {
        let reader = match JudgingThread::start(judging.service::<Engines>().0.clone()) {
            Ok(reader) => reader,
            Err(err) => {
                tracing::error!(error = %err, "could not start the judging thread; messages stay unchecked");
                return;
            }
        };
        let mut batch = Vec::with_capacity(JUDGE_BATCH);
        while judge_jobs.recv_many(&mut batch, JUDGE_BATCH).await > 0 {
            let jobs = std::mem::replace(&mut batch, Vec::with_capacity(JUDGE_BATCH));
            if let Err(err) = judge(&judging, &reader, jobs).await {
                tracing::warn!(error = %err, "could not record what the AI found in some messages");
            }
        }
    });
    tokio::spawn(async move {
        let slots = Arc::new(Semaphore::new(TRANSLATORS));
        while let Some(work) = translate_jobs.recv().await {
            let Ok(slot) = slots.clone().acquire_owned().await else {
                break;
            };
            let state = state.clone();
            tokio::spawn(async move {
                if let Err(err) = translate_for_members(&state, work).await {
                    tracing::warn!(error = %err, "a message stays untranslated");
                }
                drop(slot);
            });
        }
    });
}

/// What the AI found in a message that is still as it was judged.
struct Verdict {
    job: Job,
    flag: Option<Flag>,
    language: Option<&'static str>,
}

/// A message read on the judging thread: its language and, where the engine runs in this
/// process, its judgement.
struct Read {
    job: Job,
    language: Option<&'static str>,
    judged: Option<Produced<Assessment>>,
    /// Its meaning, stored for search by meaning (the built-in encoder reads every message,
    /// whichever engine judges it).
    meaning: Vec<u8>,
}

/// A batch for the judging thread: each job with its writer's language, and where to answer.
type Reading = (Vec<(Job, Option<String>)>, oneshot::Sender<Vec<Read>>);

/// The thread that reads messages for the built-in engines (language detection, moderation),
/// a batch at a time and at a lower priority than the async workers that deliver messages: on
/// a busy server judging waits, delivery does not. Its queue is the judging stage's.
struct JudgingThread(std::sync::mpsc::Sender<Reading>);

impl JudgingThread {
    fn start(engines: Arc<dyn Provider>) -> std::io::Result<JudgingThread> {
        let (batches, waiting) = std::sync::mpsc::channel::<Reading>();
        std::thread::Builder::new()
            .name("bullpen-judge".into())
            .spawn(move || {
                lower_this_threads_priority();
                while let Ok((jobs, answer)) = waiting.recv() {
                    // A bug that panics on some words costs its batch (left unchecked), never
                    // the thread.
                    let read = std::panic::catch_unwind(AssertUnwindSafe(|| {
                        jobs.into_iter()
                            .map(|(job, prior)| {
                                let priors: Vec<&str> = prior.as_deref().into_iter().collect();
                                let language = language::detect_with(&job.body, &priors);
                                // Read first: the built-in moderation finds it remembered.
                                let meaning = encoder::quantise(&moderation::meaning_of(&job.body));
                                let judged = engines.moderate_now(&job.body, language);
                                Read {
                                    job,
                                    language,
                                    judged,
                                    meaning,
                                }
                            })
                            .collect()
                    }));
                    if let Ok(read) = read {
                        let _ = answer.send(read);
                    }
                }
            })?;
        Ok(JudgingThread(batches))
    }

    /// Reads a batch; `None` if a bug panicked on it.
    async fn read(&self, jobs: Vec<(Job, Option<String>)>) -> Option<Vec<Read>> {
        let (answer, read) = oneshot::channel();
        self.0.send((jobs, answer)).ok()?;
        read.await.ok()
    }
}

/// Lowers the calling thread's scheduling priority (nice 10) for work that must wait for
/// everything else on a busy machine, such as judging messages while they are being delivered
/// (Linux; elsewhere nothing to do). Linux keeps a nice value per thread.
fn lower_this_threads_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid and setpriority only read and change this thread's scheduling attributes.
    unsafe {
        let thread = libc::syscall(libc::SYS_gettid) as libc::id_t;
        if libc::setpriority(libc::PRIO_PROCESS, thread, 10) != 0 {
            tracing::debug!("could not lower the judging thread's priority");
        }
    }
}

/// Judges a batch of messages and stores what was found in one transaction, then announces it.
async fn judge(state: &AppState, reader: &JudgingThread, jobs: Vec<Job>) -> Result<(), AppError> {
    let ids: Vec<Uuid> = jobs.iter().map(|job| job.message_id).collect();
    // A writer's own language settles a line that reads as much English as German.
    let writers =
        crate::auth::repo::users_by_ids(&state.db, jobs.iter().map(|job| job.author_id).collect())
            .await?;
    let reading = jobs
        .into_iter()
        .map(|job| {
            let prior = writers
                .get(&job.author_id)
                .map(|writer| writer.preferred_language.clone());
            (job, prior)
        })
        .collect();
    let Some(read) = reader.read(reading).await else {
        tracing::error!("the judging thread failed on a batch; its messages stay unchecked");
        METRICS.judged(ids.len(), false);
        ai_repo::set_ai_status(&state.db, ids, UNCHECKED).await?;
        return Ok(());
    };
    let mut found = Vec::with_capacity(read.len());
    let mut unchecked = Vec::new();
    let mut meanings = Vec::with_capacity(read.len());
    for Read {
        job,
        language,
        judged,
        meaning,
    } in read
    {
        meanings.push((job.message_id, job.channel_id, meaning));
        let judged = match judged {
            Some(judged) => Ok(judged),
            None => {
                state
                    .service::<Engines>()
                    .moderate(&job.body, language)
                    .await
            }
        };
        match judged {
            Ok(judged) => found.push((job, judged, language)),
            Err(err) => {
                tracing::warn!(error = %err, "moderation failed; the message stays unchecked");
                unchecked.push(job);
            }
        }
    }
    let txn = state.db.begin().await?;
    // The message may have been edited or deleted while it waited: only what is still there
    // gets a language, a status and a flag.
    let judged: Vec<ai_repo::Judged> = found
        .iter()
        .map(|(job, _, language)| ai_repo::Judged {
            message: job.message_id,
            body: &job.body,
            language: *language,
        })
        .collect();
    let recorded = ai_repo::record_judgements(&txn, &judged, CHECKED).await?;
    meanings.retain(|(message, _, _)| recorded.contains(message));
    ai_repo::store_meanings(&txn, meanings).await?;
    METRICS.judged(recorded.len(), true);
    METRICS.judged(unchecked.len(), false);
    drop(judged);
    let mut thresholds = HashMap::new();
    let mut verdicts = Vec::with_capacity(found.len());
    for (job, judged, language) in found {
        if !recorded.contains(&job.message_id) {
            continue;
        }
        let threshold = match thresholds.get(&job.community_id) {
            Some(threshold) => *threshold,
            None => {
                let threshold = ai_repo::community_threshold(&txn, job.community_id)
                    .await?
                    .unwrap_or(state.config.toxicity_threshold);
                thresholds.insert(job.community_id, threshold);
                threshold
            }
        };
        let flag = (judged.value.score >= threshold).then_some(Flag {
            score: judged.value.score,
            reason: judged.value.reason,
            severe: judged.value.severe,
            engine: judged.engine,
        });
        if let Some(flag) = &flag {
            ai_repo::store_flag(&txn, job.message_id, flag, Utc::now()).await?;
        }
        verdicts.push(Verdict {
            job,
            flag,
            language,
        });
    }
    if !unchecked.is_empty() {
        ai_repo::set_ai_status(&txn, unchecked.iter().map(|job| job.message_id), UNCHECKED).await?;
    }
    txn.commit().await?;

    for job in &unchecked {
        announce_unchecked(state, job).await;
    }
    for Verdict {
        job,
        flag,
        language,
    } in verdicts
    {
        if let Some(flag) = flag {
            realtime::publish(
                state,
                &realtime::topic::channel(job.channel_id),
                Some(job.author_id),
                &ServerEvent::MessageFlagged {
                    channel_id: job.channel_id.to_string(),
                    message_id: job.message_id.to_string(),
                    flag,
                },
            )
            .await;
        }
        // A checked message of no detectable language looks to readers as it arrived (no
        // language, not "unchecked"): telling every tab so would only double the channel's
        // traffic. One with a language is announced once its translations are done.
        let Some(language) = language else { continue };
        if let Err(err) = state
            .service::<crate::moderation::worker::AiWork>()
            .translate_queue
            .try_send(TranslateJob { job, language })
        {
            tracing::warn!("translation queue full; a message waits for readers to ask");
            let job = err.into_inner().job;
            announce_language(state, &job, language, Readers::ALL.without(language)).await;
        }
    }
    Ok(())
}

/// Tells `readers` which language a message is in, so that they can ask for a translation.
async fn announce_language(state: &AppState, job: &Job, language: &str, readers: Readers) {
    if readers.is_empty() {
        return;
    }
    let event = ServerEvent::MessageAnalyzed {
        channel_id: job.channel_id.to_string(),
        message_id: job.message_id.to_string(),
        language: Some(language.to_string()),
        unchecked: false,
    };
    realtime::publish_to(
        state,
        &realtime::topic::channel(job.channel_id),
        Some(job.author_id),
        readers,
        &event,
    )
    .await;
}

async fn announce_unchecked(state: &AppState, job: &Job) {
    realtime::publish(
        state,
        &realtime::topic::channel(job.channel_id),
        Some(job.author_id),
        &ServerEvent::MessageAnalyzed {
            channel_id: job.channel_id.to_string(),
            message_id: job.message_id.to_string(),
            language: None,
            unchecked: true,
        },
    )
    .await;
}

/// Marks the messages the full queue left, until none is left.
async fn mark_left(state: AppState) {
    let work = state.service::<AiWork>();
    let take = || std::mem::take(&mut *work.left.lock().unwrap_or_else(|p| p.into_inner()));
    loop {
        let jobs = take();
        if jobs.is_empty() {
            work.marking.store(false, SeqCst);
            // One left between the take and the store would wait for the next: look again.
            let more = !work
                .left
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .is_empty();
            if more && !work.marking.swap(true, SeqCst) {
                continue;
            }
            return;
        }
        tracing::warn!(
            count = jobs.len(),
            "moderation queue full; messages stay unchecked"
        );
        METRICS.judged(jobs.len(), false);
        let ids = jobs.iter().map(|job| job.message_id);
        if let Err(err) = ai_repo::set_ai_status(&state.db, ids, UNCHECKED).await {
            tracing::warn!(error = %err, "could not mark messages unchecked");
        }
        for job in &jobs {
            announce_unchecked(&state, job).await;
        }
    }
}

async fn mark_unchecked(state: &AppState, job: &Job) -> Result<(), AppError> {
    METRICS.judged(1, false);
    ai_repo::set_ai_status(&state.db, [job.message_id], UNCHECKED).await?;
    announce_unchecked(state, job).await;
    Ok(())
}

async fn translate_for_members(state: &AppState, work: TranslateJob) -> Result<(), AppError> {
    let TranslateJob {
        job,
        language: from,
    } = work;
    // Readers who still need to learn the message's language: everyone but its own language's
    // readers, less each language it is translated into (the translation says it).
    let mut untold = Readers::ALL.without(from);
    let languages = ai_repo::member_languages(&state.db, job.community_id).await;
    for to in languages.as_deref().unwrap_or_default() {
        if to == from {
            continue;
        }
        match translation(state, MessageId(job.message_id), &job.body, from, to).await {
            Ok(TranslateOutcome::Translated { translation }) => {
                let event = ServerEvent::MessageTranslated {
                    channel_id: job.channel_id.to_string(),
                    message_id: job.message_id.to_string(),
                    language: from.to_string(),
                    translation,
                };
                let topic = realtime::topic::channel(job.channel_id);
                realtime::publish_to(state, &topic, Some(job.author_id), Readers::of(to), &event)
                    .await;
                untold = untold.without(to);
            }
            // Readers of that language see the note instead, or ask again later.
            Ok(TranslateOutcome::NoTranslator { .. } | TranslateOutcome::NothingToTranslate) => {}
            Err(err) => tracing::debug!(error = %err, from, to, "no automatic translation"),
        }
    }
    announce_language(state, &job, from, untold).await;
    languages.map(drop).map_err(AppError::from)
}

/// `body` (written in `from`) in `to`: from the cache, or translated once and cached for every
/// other reader and instance. Stored only while the message still says `body`.
pub async fn translation(
    state: &AppState,
    message_id: MessageId,
    body: &str,
    from: &str,
    to: &str,
) -> Result<TranslateOutcome, AppError> {
    if from == to {
        return Ok(TranslateOutcome::NothingToTranslate);
    }
    if let Some(cached) = ai_repo::cached_translation(&state.db, message_id.0, to).await? {
        return Ok(TranslateOutcome::Translated {
            translation: Translation::from(&cached),
        });
    }
    let produced = match state.service::<Engines>().translate(body, from, to).await {
        Ok(produced) => produced,
        Err(AiError::NoTranslator) => {
            return Ok(TranslateOutcome::NoTranslator {
                from: from.into(),
                to: to.into(),
            })
        }
        Err(err) => {
            tracing::warn!(error = %err, from, to, "translation failed");
            return Err(AppError::Unavailable);
        }
    };
    let current = repo::message(&state.db, message_id.0).await?;
    let translation = Translation {
        language: to.to_string(),
        body: produced.value,
        engine: produced.engine,
    };
    if current.and_then(|m| m.body).as_deref() == Some(body) {
        ai_repo::store_translation(&state.db, message_id.0, &translation, Utc::now()).await?;
    }
    Ok(TranslateOutcome::Translated { translation })
}

impl From<&message_flags::Model> for Flag {
    fn from(row: &message_flags::Model) -> Flag {
        Flag {
            score: row.score,
            reason: row.reason.clone(),
            severe: row.severe,
            engine: row.engine.clone(),
        }
    }
}

impl From<&message_translations::Model> for Translation {
    fn from(row: &message_translations::Model) -> Translation {
        Translation {
            language: row.language.clone(),
            body: row.body.clone(),
            engine: row.engine.clone(),
        }
    }
}
