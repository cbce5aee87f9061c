//! The browser side of the realtime bus for every domain: the tab's one socket (chat's) hands
//! each event it does not know itself to this hub, and a domain's view listens here for its own
//! event type (a fired price alert, a piece of the assistant's answer) without knowing the
//! socket. An event is read as every listener's type; a listener gets only the events that read
//! as its type.

use std::sync::Arc;

use leptos::prelude::*;
use serde::de::DeserializeOwned;

type Listener = Arc<dyn Fn(&serde_json::Value) + Send + Sync>;

/// The hub, shared through context (`provide_live_events` in the shell).
#[derive(Clone, Copy)]
pub struct LiveEvents {
    listeners: StoredValue<Vec<(u64, Listener)>>,
    next_listener: StoredValue<u64>,
}

pub fn provide_live_events() {
    provide_context(LiveEvents {
        listeners: StoredValue::new(Vec::new()),
        next_listener: StoredValue::new(0),
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
