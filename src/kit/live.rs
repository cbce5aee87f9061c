//! The browser side of the realtime bus for every domain: the tab's one socket (chat's) hands
//! each event it does not know itself to this hub, and a domain's view listens here for its own
//! event type (a fired price alert, a piece of the assistant's answer) without knowing the
//! socket. An event is read as every listener's type; a listener gets only the events that read
//! as its type.

use std::{collections::BTreeMap, sync::Arc};

use leptos::prelude::*;
use serde::de::DeserializeOwned;

/// How many prices one tab may watch at once (the socket refuses more).
pub const PRICES_WATCHED: usize = 50;

type Listener = Arc<dyn Fn(&serde_json::Value) + Send + Sync>;

/// The hub, shared through context (`provide_live_events` in the shell).
#[derive(Clone, Copy)]
pub struct LiveEvents {
    listeners: StoredValue<Vec<(u64, Listener)>>,
    next_listener: StoredValue<u64>,
    /// The prices on screen, each with how many views show it: the socket watches these.
    prices: RwSignal<BTreeMap<String, usize>>,
    /// The tickers whose crowd (the messages naming them) is on screen, likewise.
    crowds: RwSignal<BTreeMap<String, usize>>,
}

/// What the realtime bus tells the tabs showing a ticker's crowd (on `crowd:AAPL`): someone just
/// named it. Only the ticker travels — where it was said may be private — and each tab asks
/// again for what it may read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum CrowdEvent {
    CrowdSpoke { ticker: String },
}

pub fn provide_live_events() {
    provide_context(LiveEvents {
        listeners: StoredValue::new(Vec::new()),
        next_listener: StoredValue::new(0),
        prices: RwSignal::new(BTreeMap::new()),
        crowds: RwSignal::new(BTreeMap::new()),
    });
}

pub fn use_live_events() -> LiveEvents {
    expect_context::<LiveEvents>()
}

impl LiveEvents {
    /// Calls `listener` with every event that reads as an `E`, until the calling component is
    /// dropped (in the browser; the server render has no socket).
    pub fn on<E: DeserializeOwned + 'static>(&self, listener: impl Fn(E) + Send + Sync + 'static) {
        if cfg!(not(feature = "hydrate")) {
            return;
        }
        let id = self.next_listener.get_value();
        self.next_listener.set_value(id + 1);
        let listener: Listener = Arc::new(move |value: &serde_json::Value| {
            if let Ok(event) = E::deserialize(value) {
                listener(event);
            }
        });
        self.listeners
            .update_value(|listeners| listeners.push((id, listener)));
        let listeners = self.listeners;
        on_cleanup(move || {
            listeners.try_update_value(|listeners| listeners.retain(|(other, _)| *other != id));
        });
    }

    /// Keeps `symbol`'s price coming while the calling component lives (in the browser).
    pub fn show_price(&self, symbol: String) {
        hold(self.prices, symbol);
    }

    /// The symbols whose prices are on screen (tracked): the first [`PRICES_WATCHED`] of them,
    /// so that a channel naming sixty tickers leaves the rest still, not every price refused.
    pub fn prices(&self) -> Vec<String> {
        self.prices
            .with(|prices| prices.keys().take(PRICES_WATCHED).cloned().collect())
    }

    /// Keeps word of new messages naming `ticker` ("AAPL") coming while the calling component
    /// lives (in the browser): each arrives as a [`CrowdEvent`].
    pub fn show_crowd(&self, ticker: String) {
        hold(self.crowds, ticker);
    }

    /// The tickers whose crowds are on screen (tracked).
    pub fn crowds(&self) -> Vec<String> {
        self.crowds.with(|crowds| crowds.keys().cloned().collect())
    }

    /// Hands an event to every listener (called by the socket).
    pub fn dispatch(&self, event: &serde_json::Value) {
        // Listeners may add or remove listeners: call a snapshot.
        let snapshot: Vec<Listener> = self
            .listeners
            .with_value(|listeners| listeners.iter().map(|(_, l)| l.clone()).collect());
        for listener in snapshot {
            listener(event);
        }
    }
}

/// Counts one more view of `key` in `held` until the calling component is dropped.
fn hold(held: RwSignal<BTreeMap<String, usize>>, key: String) {
    if cfg!(not(feature = "hydrate")) {
        return;
    }
    held.update(|held| *held.entry(key.clone()).or_default() += 1);
    on_cleanup(move || {
        held.try_update(|held| {
            if let Some(count) = held.get_mut(&key) {
                *count -= 1;
                if *count == 0 {
                    held.remove(&key);
                }
            }
        });
    });
}

/// An id for something pending in this tab (a message, a question) that the answer names.
pub fn nonce() -> String {
    #[cfg(feature = "hydrate")]
    {
        format!(
            "{:x}{:x}",
            js_sys::Math::random().to_bits(),
            js_sys::Date::now() as u64
        )
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::from("server")
    }
}
