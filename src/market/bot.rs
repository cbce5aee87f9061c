//! The stock bot. `/stock=aapl.us` (or `/stock AAPL`) in any channel puts a request on the
//! broker's `stock-bot` queue — nothing is stored for the command itself — and the bot, a task
//! of every server or its own process (`bullpen bot`), takes it, fetches the quote and posts the
//! answer into the channel as the Stock Bot account, through the normal message path. Each
//! request is answered once, whichever consumer takes it. Every request gets an answer: a
//! symbol it cannot read, an unknown one or a provider failure each get a polite reply.

use std::time::Duration;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};

use super::{provider::MarketError, symbol, Quote};
use crate::{
    chat::{
        command_handlers::{CommandContext, CommandHandler, CommandOutcome},
        markdown, service as chat,
    },
    entities::users,
    platform::{error::AppError, state::AppState},
};

/// The broker queue the chat service fills and the bot empties.
pub const QUEUE: &str = "stock-bot";
/// Every bot is in one consumer group: a request goes to one of them.
const GROUP: &str = "stock-bot";
/// A request a bot took and has not finished after this long is taken over by another bot: the
/// first one died. An answer takes a quote (each source has a 10 s timeout, a few sources in a
/// chain) and a post, so a minute leaves a live bot room and a dead one's caller waits a minute.
const CLAIM_AFTER: Duration = Duration::from_secs(60);
pub use super::BOT_USERNAME;

/// One `/stock` request, as it travels through the broker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockRequest {
    pub channel_id: String,
    /// What the person typed after `/stock`, e.g. "aapl.us".
    pub input: String,
}

/// The `/stock` command: queues the request for the bot.
pub struct StockCommand;

#[async_trait::async_trait]
impl CommandHandler for StockCommand {
    fn usage(&self) -> &'static str {
        "/stock=aapl.us"
    }

    fn summary(&self) -> &'static str {
        "ask the stock bot for the latest quote"
    }

    async fn run(
        &self,
        context: &CommandContext<'_>,
        args: &str,
    ) -> Result<CommandOutcome, AppError> {
        let input = args.trim();
        if input.is_empty() {
            return Ok(CommandOutcome::Reply(
                "Which stock? Try /stock=aapl.us or /stock AAPL.".into(),
            ));
        }
        let request = StockRequest {
            channel_id: context.access.channel.id.to_string(),
            input: input.chars().take(40).collect(),
        };
        let payload = serde_json::to_vec(&request).map_err(|_| AppError::Internal)?;
        context
            .state
            .broker
            .enqueue(QUEUE, payload.into())
            .await
            .map_err(|err| {
                tracing::error!(error = %err, "cannot queue a stock request");
                AppError::Unavailable
            })?;
        Ok(CommandOutcome::Reply(format!(
            "Asked the stock bot about {}…",
            label(input)
        )))
    }
}

/// The symbol as the person wrote it, in capitals: "aapl.us" → "AAPL.US".
fn label(input: &str) -> String {
    input.trim().trim_start_matches('$').to_uppercase()
}

/// "AAPL.US quote is $93.42 per share", with a note when the price is simulated.
pub fn quote_reply(input: &str, quote: &Quote) -> String {
    let mut reply = format!("{} quote is ${:.2} per share", label(input), quote.price);
    if quote.simulated {
        reply.push_str(" (simulated: offline data, not a real price)");
    }
    reply
}

/// What the bot says when there is no quote to give.
fn failure_reply(input: &str, err: &MarketError) -> String {
    match err {
        MarketError::UnknownSymbol(..) => {
            format!("I couldn't find a stock called {}. Check the symbol, e.g. /stock=aapl.us.", label(input))
        }
        _ => format!("Quotes are unavailable right now, so I can't look up {}. Please try again in a minute.", label(input)),
    }
}

/// The answer to a request that is no symbol, quoting what was typed — as typed, never as
/// markup: the bot's words must not become someone's link.
fn unreadable_reply(input: &str) -> String {
    format!(
        "“{}” doesn't look like a stock symbol. Try /stock=aapl.us or /stock AAPL.",
        markdown::escape(input.trim())
    )
}

/// The bot's answer to one request.
async fn answer(state: &AppState, request: &StockRequest) -> String {
    let Some(symbol) = symbol::normalize(&request.input) else {
        return unreadable_reply(&request.input);
    };
    match state.market.quote(&state.db, &symbol).await {
        Ok(quote) => quote_reply(&request.input, &quote),
        Err(err) => {
            tracing::warn!(error = %err, symbol, "the stock bot found no quote");
            failure_reply(&request.input, &err)
        }
    }
}

async fn bot_account(state: &AppState) -> Result<users::Model, AppError> {
    users::Entity::find()
        .filter(users::Column::UsernameKey.eq(BOT_USERNAME))
        .one(&state.db)
        .await?
        .ok_or(AppError::Internal)
}

/// Takes requests off the queue and answers them, until the process ends. Broker failures are
/// waited out and retried.
pub async fn run(state: AppState) {
    let bot = loop {
        match bot_account(&state).await {
            Ok(bot) => break bot,
            Err(err) => {
                tracing::error!(error = %err, "the stock bot's account is missing; retrying");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    };
    let name = state.instance_id.to_string();
    loop {
        let mut consumer = match state
            .broker
            .consumer(QUEUE, GROUP, &name, CLAIM_AFTER)
            .await
        {
            Ok(consumer) => consumer,
            Err(err) => {
                tracing::warn!(error = %err, "the stock bot cannot reach the broker; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
        };
        tracing::info!(broker = state.broker.kind(), "the stock bot is listening");
        loop {
            let job = match consumer.next().await {
                Ok(job) => job,
                Err(err) => {
                    tracing::warn!(error = %err, "the stock bot lost the broker; reconnecting");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    break;
                }
            };
            match serde_json::from_slice::<StockRequest>(&job.payload) {
                Ok(request) => {
                    let reply = answer(&state, &request).await;
                    match chat::post_as_bot(&state, &bot, &request.channel_id, &reply).await {
                        Ok(_) => {}
                        // The broker or the database is away: leave the request unacknowledged,
                        // so that it is taken over (by this bot too) once it has waited CLAIM_AFTER.
                        Err(AppError::Unavailable) => {
                            tracing::warn!(
                                channel = request.channel_id,
                                "the stock bot cannot post now; the request will be retried"
                            );
                            continue;
                        }
                        Err(err) => {
                            tracing::warn!(error = %err, channel = request.channel_id, "the stock bot could not post its answer")
                        }
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, "the stock bot dropped a request it cannot read")
                }
            }
            if let Err(err) = consumer.ack(&job).await {
                tracing::warn!(error = %err, "the stock bot could not acknowledge a request");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quote(price: f64, simulated: bool) -> Quote {
        Quote {
            symbol: "AAPL".into(),
            price,
            open: None,
            high: None,
            low: None,
            previous_close: None,
            volume: None,
            as_of: "2026-11-20".into(),
            source: "stooq".into(),
            simulated,
        }
    }

    #[test]
    fn the_reply_reads_like_the_original_bot() {
        assert_eq!(
            quote_reply("aapl.us", &quote(93.42, false)),
            "AAPL.US quote is $93.42 per share"
        );
        assert_eq!(
            quote_reply("$msft", &quote(402.1, false)),
            "MSFT quote is $402.10 per share"
        );
        assert!(quote_reply("AAPL", &quote(93.42, true))
            .ends_with("(simulated: offline data, not a real price)"));
    }

    #[test]
    fn what_the_caller_typed_is_quoted_without_becoming_markup() {
        let reply = unreadable_reply("[free money](https://evil.example)");
        let blocks = markdown::parse(&reply);
        let text = markdown::plain_text(&reply);
        assert!(
            text.contains("“[free money](https://evil.example)” doesn't look like a stock symbol"),
            "{text}"
        );
        let has_link = format!("{blocks:?}").contains("Link");
        assert!(!has_link, "{blocks:?}");
    }

    #[test]
    fn failures_are_answered_politely() {
        let unknown = failure_reply(
            "zzzz.us",
            &MarketError::UnknownSymbol("stooq", "ZZZZ".into()),
        );
        assert!(
            unknown.contains("couldn't find a stock called ZZZZ.US"),
            "{unknown}"
        );
        let down = failure_reply(
            "aapl",
            &MarketError::Unavailable("stooq", "timed out".into()),
        );
        assert!(
            down.contains("unavailable right now") && !down.contains("timed out"),
            "{down}"
        );
    }
}
