//! Live prices. A tab showing a price asks its socket to watch the symbol; the first watcher on
//! an instance starts the symbol's poller and the last one to leave stops it. Every
//! `quote_every` (the source's allowed rate) the poller claims the symbol's turn in the database
//! — one instance wins each turn, however many have watchers — and the winner asks for the
//! quote through the cache (a page that has just fetched it saves the call). A quote other than
//! the one it last told is published on the symbol's topic, and the broker brings it to the
//! watching tabs of every instance.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use chrono::Utc;

use super::{provider::MarketError, repo, service::Market, QuoteEvent};
use crate::platform::{realtime, state::AppState};

/// The topic a symbol's price changes are published on.
pub fn topic(symbol: &str) -> String {
    format!("quote:{symbol}")
}

/// The symbols watched on this instance, each with its poller.
#[derive(Default)]
pub struct QuoteFeed {
    pollers: Arc<Mutex<HashMap<String, Poller>>>,
}

struct Poller {
    watchers: usize,
    task: tokio::task::AbortHandle,
}

/// Held while a tab watches a symbol; dropping it lets the poller stop when nobody else watches.
pub struct Watching {
    pollers: Arc<Mutex<HashMap<String, Poller>>>,
    symbol: String,
}

impl Drop for Watching {
    fn drop(&mut self) {
        let mut pollers = self.pollers.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(poller) = pollers.get_mut(&self.symbol) {
            poller.watchers -= 1;
            if poller.watchers == 0 {
                poller.task.abort();
                pollers.remove(&self.symbol);
            }
        }
    }
}

impl QuoteFeed {
    /// Starts watching `symbol` (in the app's form) for as long as the result is held.
    pub fn watch(&self, state: &AppState, symbol: &str) -> Watching {
        let mut pollers = self.pollers.lock().unwrap_or_else(|p| p.into_inner());
        pollers
            .entry(symbol.to_string())
            .and_modify(|poller| poller.watchers += 1)
            .or_insert_with(|| Poller {
                watchers: 1,
                task: tokio::spawn(poll(state.clone(), symbol.to_string())).abort_handle(),
            });
        Watching {
            pollers: self.pollers.clone(),
            symbol: symbol.to_string(),
        }
    }

    /// Symbols with a poller on this instance.
    pub fn watched(&self) -> usize {
        self.pollers.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// One symbol's poller: runs until the last watcher on this instance leaves.
async fn poll(state: AppState, symbol: String) {
    let market = state.service::<Market>();
    let every = market.quote_every();
    let period = chrono::Duration::from_std(every).unwrap_or(chrono::Duration::seconds(60));
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // What this poller last told the watchers, as they read it: a quote that did not change is
    // not sent again (compared as JSON: a quote read back from the cache may differ from the
    // one fetched in a float's last bit, and says the same).
    let mut told: Option<String> = None;
    // A little younger than a turn: the last turn's answer, written a moment after its tick,
    // is not taken for this turn's.
    let fresh = period * 4 / 5;
    loop {
        ticks.tick().await;
        match repo::claim_quote_poll(&state.db, &symbol, Utc::now(), period).await {
            Ok(true) => {}
            // Another instance has this turn, and publishes what it finds.
            Ok(false) => continue,
            Err(err) => {
                tracing::warn!(error = %err, symbol, "could not claim a quote poll");
                continue;
            }
        }
        match market.fresh_quote(&state.db, &symbol, fresh).await {
            Ok(quote) => {
                let said = serde_json::to_string(&quote).ok();
                if said.is_some() && said != told {
                    let event = QuoteEvent::QuoteChanged { quote };
                    realtime::publish(&state, &topic(&symbol), None, &event).await;
                    told = said;
                }
            }
            // Nothing to watch: no source knows the symbol.
            Err(MarketError::UnknownSymbol(..)) => return,
            Err(err) => tracing::debug!(error = %err, symbol, "no live quote this turn"),
        }
    }
}
