//! Bots that answer a slash command from a broker queue, such as the stock bot. The command puts
//! the request on the bot's queue — nothing is stored for the command itself — and a bot, a task
//! of every server or its own process (`bullpen bot`), takes it and posts the answer into the
//! channel as the bot's account, through the normal message path. Each request is answered
//! once, whichever consumer takes it. Chat knows nothing of what a bot answers: the domain that
//! owns the bot gives the words, and the composition root (`server.rs`) joins the two.

use std::time::Duration;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use crate::chat::command_handlers::{CommandContext, CommandHandler, CommandOutcome};
use crate::{
    community::ChannelId,
    entities::users,
    kit::sentences::{says, Sentence},
    platform::{error::AppError, state::AppState},
};

/// A request a bot took and has not finished after this long is taken over by another bot: the
/// first one died. An answer may take a few slow sources and a post, so a minute leaves a live
/// bot room and a dead one's caller waits a minute.
const CLAIM_AFTER: Duration = Duration::from_secs(60);
/// What the person typed after the command, at most.
const INPUT_MAX: usize = 40;

/// One request, as it travels through the broker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BotRequest {
    pub channel_id: String,
    /// What the person typed after the command, e.g. "aapl.us".
    pub input: String,
}

/// A bot's words for a request's input (its reply is posted as a message, so it is markdown).
pub type Answer = for<'a> fn(&'a AppState, &'a str) -> BoxFuture<'a, String>;

/// A command that hands its input to a bot's queue and tells the person at once.
pub struct QueuedCommand {
    pub queue: &'static str,
    /// Its line in `/help`.
    pub help: fn() -> Sentence,
    /// What the person is told at once: that the bot was asked (`Ok`), or how to ask it
    /// (`Err`, and nothing is queued).
    pub acknowledge: fn(&str) -> Result<Sentence, Sentence>,
    /// The marketplace item that must be installed in the community for the bot to answer.
    pub installed_as: Option<super::Kind>,
}

#[async_trait::async_trait]
impl CommandHandler for QueuedCommand {
    fn help(&self) -> Sentence {
        (self.help)()
    }

    async fn run(
        &self,
        context: &CommandContext<'_>,
        args: &str,
    ) -> Result<CommandOutcome, AppError> {
        if let Some(kind) = self.installed_as {
            if !super::service::answers(context.state, &context.access.community, kind).await? {
                return Ok(CommandOutcome::Reply(vec![says!(
                    "server.integrations.bot_not_installed"
                )]));
            }
        }
        let input: String = args.trim().chars().take(INPUT_MAX).collect();
        let told = match (self.acknowledge)(&input) {
            Ok(told) => told,
            Err(how) => return Ok(CommandOutcome::Reply(vec![how])),
        };
        let request = BotRequest {
            channel_id: context.access.channel.id.to_string(),
            input,
        };
        let payload = serde_json::to_vec(&request).map_err(|_| AppError::Internal)?;
        context
            .state
            .broker
            .enqueue(self.queue, payload.into())
            .await
            .map_err(|err| {
                tracing::error!(error = %err, queue = self.queue, "cannot queue a bot request");
                AppError::Unavailable
            })?;
        Ok(CommandOutcome::Reply(vec![told]))
    }
}

async fn account(state: &AppState, username: &str) -> Result<users::Model, AppError> {
    crate::auth::repo::user_by_username(&state.db, username)
        .await?
        .ok_or(AppError::Internal)
}

/// Takes requests off `queue` and posts `answer`'s words as `username`, until the process
/// ends. Every bot of one queue is in one consumer group, so a request goes to one of them.
/// Broker failures are waited out and retried.
pub async fn run(state: AppState, queue: &'static str, username: &'static str, answer: Answer) {
    let bot = loop {
        match account(&state, username).await {
            Ok(bot) => break bot,
            Err(err) => {
                tracing::error!(error = %err, username, "a bot's account is missing; retrying");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    };
    let name = state.instance_id.to_string();
    loop {
        let mut consumer = match state
            .broker
            .consumer(queue, queue, &name, CLAIM_AFTER)
            .await
        {
            Ok(consumer) => consumer,
            Err(err) => {
                tracing::warn!(error = %err, queue, "a bot cannot reach the broker; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
        };
        tracing::info!(broker = state.broker.kind(), queue, "a bot is listening");
        loop {
            let job = match consumer.next().await {
                Ok(job) => job,
                Err(err) => {
                    tracing::warn!(error = %err, queue, "a bot lost the broker; reconnecting");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    break;
                }
            };
            match serde_json::from_slice::<BotRequest>(&job.payload) {
                Ok(request) => {
                    let reply = answer(&state, &request.input).await;
                    let posted = async {
                        let channel = ChannelId::parse(&request.channel_id)?;
                        crate::chat::service::post_as_bot(&state, &bot, channel, &reply).await
                    }
                    .await;
                    match posted {
                        Ok(_) => {}
                        // The broker or the database is away: leave the request unacknowledged,
                        // so that it is taken over (by this bot too) once it has waited CLAIM_AFTER.
                        Err(AppError::Unavailable) => {
                            tracing::warn!(
                                channel = request.channel_id,
                                queue,
                                "a bot cannot post now; the request will be retried"
                            );
                            continue;
                        }
                        Err(err) => {
                            tracing::warn!(error = %err, channel = request.channel_id, queue, "a bot could not post its answer")
                        }
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, queue, "a bot dropped a request it cannot read")
                }
            }
            if let Err(err) = consumer.ack(&job).await {
                tracing::warn!(error = %err, queue, "a bot could not acknowledge a request");
            }
        }
    }
}
