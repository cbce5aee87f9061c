//! The stock bot's words. `/stock=aapl.us` (or `/stock AAPL`) in any channel puts a request on
//! the broker's `stock-bot` queue, and the bot answers it in the channel with the latest quote
//! (chat's `bots` carries the request and posts the answer; the composition root joins them).
//! Every request gets an answer: a symbol it cannot read, an unknown one or a provider failure
//! each get a polite reply.

use futures::future::BoxFuture;

use super::{provider::MarketError, service::Market, symbol, Quote};
use crate::{
    kit::{
        markdown,
        sentences::{says, Sentence},
    },
    platform::state::AppState,
};

/// The broker queue the `/stock` command fills and the bot empties.
pub const QUEUE: &str = "stock-bot";
/// Its line in `/help`.
pub fn help() -> Sentence {
    says!("server.chat.help_stock")
}
pub use super::BOT_USERNAME;

/// What the person who typed `/stock …` is told at once: that the bot was asked, or (with
/// nothing typed) how to ask it.
pub fn acknowledge(input: &str) -> Result<Sentence, Sentence> {
    if input.trim().is_empty() {
        return Err(says!("server.chat.stock_which"));
    }
    Ok(says!("server.chat.stock_asked", symbol = label(input)))
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

/// The bot's answer to what was typed after `/stock`.
pub fn answer<'a>(state: &'a AppState, input: &'a str) -> BoxFuture<'a, String> {
    Box::pin(async move {
        let Some(symbol) = symbol::normalize(input) else {
            return unreadable_reply(input);
        };
        match state.service::<Market>().quote(&state.db, &symbol).await {
            Ok(quote) => quote_reply(input, &quote),
            Err(err) => {
                tracing::warn!(error = %err, symbol, "the stock bot found no quote");
                failure_reply(input, &err)
            }
        }
    })
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
            delayed: false,
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
