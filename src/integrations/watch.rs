//! The price-alert bots and the news feeds. Every `ALERT_CHECK_SECS` a round reads each bot's
//! symbols through `service::MarketFeed` and works out what is new: a symbol that crossed into
//! its alert's rule (told once, told again only after it left the rule), headlines not posted
//! before (a feed's first read of a symbol posts only the newest, not the backlog). The bot's
//! memory is moved only from what was read, in one update; the server whose update lands posts,
//! so two servers never both post.

use std::time::Duration;

use futures::future::join_all;

use super::{
    repo,
    service::{config_of, Headline, MarketFeed, Quoted},
    AlertRule, BotState, Kind, HEADLINES_PER_ROUND, SEEN_MAX,
};
use crate::auth::UserId;
use crate::{
    auth::repo as accounts,
    community::ChannelId,
    entities::integrations,
    platform::{error::AppError, state::AppState},
};

/// One round over every bot: how many messages they posted.
pub async fn round(state: &AppState) -> Result<usize, AppError> {
    let mut posted = 0;
    for bot in repo::watching(&state.db).await? {
        match watch(state, &bot).await {
            Ok(n) => posted += n,
            Err(err) => {
                tracing::warn!(error = %err, integration = %bot.id, "a bot's round failed; tried again next time")
            }
        }
    }
    Ok(posted)
}

/// Rounds every `every`, until the process ends.
pub async fn keep_watching(state: AppState, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(err) = round(&state).await {
            tracing::warn!(error = %err, "the bots' round failed; tried again next time");
        }
    }
}

/// What a price-alert bot says when a symbol crosses into its rule.
pub fn alert_text(symbol: &str, rule: AlertRule, quote: Quoted) -> String {
    let price = format!("{:.2}", quote.price);
    let what = match rule {
        AlertRule::Above { price: line } => format!("is at or above {line:.2}: {price}"),
        AlertRule::Below { price: line } => format!("is at or below {line:.2}: {price}"),
        AlertRule::Moves { percent } => {
            let close = quote.previous_close.unwrap_or(quote.price);
            let moved = (quote.price - close) / close * 100.0;
            format!("moved {moved:+.2} % today (past ±{percent} %): {price}")
        }
    };
    let simulated = if quote.simulated { " (simulated)" } else { "" };
    format!("🔔 **${symbol}** {what}{simulated}")
}

/// A headline as a news feed posts it: a link that cannot break out of its brackets.
pub fn news_text(symbol: &str, headline: &Headline) -> String {
    let title: String = headline
        .title
        .chars()
        .map(|c| match c {
            '[' => '(',
            ']' => ')',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let url = headline.url.replace(['(', ')', ' '], "");
    format!(
        "📰 **${symbol}** · [{}]({url}) — {}",
        title.trim(),
        headline.source.trim()
    )
}

/// What a price-alert bot has to say now, with its memory after saying it.
async fn alerts(
    state: &AppState,
    feed: &MarketFeed,
    symbols: &[String],
    rule: AlertRule,
    memory: &mut BotState,
) -> Vec<String> {
    let quotes = join_all(symbols.iter().map(|s| (feed.quote)(state, s))).await;
    let mut said = Vec::new();
    for (symbol, quote) in symbols.iter().zip(quotes) {
        let Some(quote) = quote else { continue };
        let Some(inside) = rule.holds(quote.price, quote.previous_close) else {
            continue;
        };
        let told = memory.fired.contains(symbol);
        if inside && !told {
            memory.fired.push(symbol.clone());
            said.push(alert_text(symbol, rule, quote));
        } else if !inside && told {
            memory.fired.retain(|s| s != symbol);
        }
    }
    said
}

/// The headlines a news feed has to post now, oldest first, with its memory after.
async fn headlines(
    state: &AppState,
    feed: &MarketFeed,
    symbols: &[String],
    memory: &mut BotState,
) -> Vec<String> {
    let mut said = Vec::new();
    for symbol in symbols {
        let items = (feed.news)(state, symbol).await;
        if items.is_empty() {
            continue;
        }
        let fresh: Vec<&Headline> = items
            .iter()
            .filter(|h| !h.url.is_empty() && !memory.seen.contains(&h.url))
            .collect();
        let take = if memory.primed.contains(symbol) {
            HEADLINES_PER_ROUND
        } else {
            memory.primed.push(symbol.clone());
            1
        };
        for headline in fresh.iter().take(take).rev() {
            said.push(news_text(symbol, headline));
        }
        memory.seen.extend(fresh.iter().map(|h| h.url.clone()));
    }
    let excess = memory.seen.len().saturating_sub(SEEN_MAX);
    memory.seen.drain(..excess);
    said
}

async fn watch(state: &AppState, row: &integrations::Model) -> Result<usize, AppError> {
    let (Some(channel), Some(bot)) = (row.channel_id, row.bot_user_id) else {
        return Ok(0);
    };
    let config = config_of(row);
    let mut memory: BotState = serde_json::from_str(&row.state).unwrap_or_default();
    let feed = state.service::<MarketFeed>();
    let said = match (Kind::parse(&row.kind), config.rule) {
        (Some(Kind::PriceAlert), Some(rule)) => {
            alerts(state, feed, &config.symbols, rule, &mut memory).await
        }
        (Some(Kind::NewsFeed), _) => headlines(state, feed, &config.symbols, &mut memory).await,
        _ => return Ok(0),
    };
    let after = serde_json::to_string(&memory).map_err(|_| AppError::Internal)?;
    if after == row.state || !repo::move_state(&state.db, row.id, &row.state, &after).await? {
        return Ok(0);
    }
    let Some(bot) = accounts::user_by_id(&state.db, bot).await? else {
        return Ok(0);
    };
    let mut posted = 0;
    for text in said {
        // Its own limit, like a hook's: past it, the rest of the round is dropped, not queued.
        if let Err(err) = crate::chat::service::count_bot_post(state, UserId(bot.id)).await {
            tracing::warn!(error = %err, integration = %row.id, "a bot is past its limit; dropped the rest of its round");
            break;
        }
        match crate::chat::service::post_as_bot(state, &bot, ChannelId(channel), &text).await {
            Ok(_) => posted += 1,
            Err(err) => tracing::warn!(error = %err, integration = %row.id, "a bot could not post"),
        }
    }
    Ok(posted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_say_what_crossed() {
        let quote = Quoted {
            price: 201.346,
            previous_close: Some(190.0),
            simulated: true,
        };
        assert_eq!(
            alert_text("AAPL", AlertRule::Above { price: 200.0 }, quote),
            "🔔 **$AAPL** is at or above 200.00: 201.35 (simulated)"
        );
        assert!(alert_text("AAPL", AlertRule::Moves { percent: 5.0 }, quote).contains("+5.97 %"));
    }

    #[test]
    fn a_headline_cannot_break_its_link() {
        let text = news_text(
            "COIN",
            &Headline {
                title: "Sheriff ](javascript:x) [draws".into(),
                url: "https://decrypt.co/108303/a (b)".into(),
                source: "Decrypt.co".into(),
            },
        );
        assert_eq!(
            text,
            "📰 **$COIN** · [Sheriff )(javascript:x) (draws](https://decrypt.co/108303/ab) — Decrypt.co"
        );
    }
}
