//! Bullpen: one crate built twice — `ssr` (the axum server) and `hydrate` (the WASM front end).
//! Server-only modules are gated at their `mod` line.

#![recursion_limit = "256"]

pub mod account;
pub mod ai;
pub mod app;
pub mod assistant;
pub mod auth;
pub mod cards;
pub mod carried;
pub mod chat;
pub mod community;
pub mod conversation;
pub mod events;
pub mod files;
pub mod insights;
pub mod integrations;
pub mod kit;
pub mod market;
pub mod moderation;
pub mod notify;
pub mod platform;
pub mod polls;
pub mod portfolio;
pub mod search;
pub mod voice;

/// The composition root (ssr): services, router, listener, background tasks.
#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "ssr")]
pub mod entities;

/// The browser entry point: attaches to the server-rendered HTML.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // The sections are lazy routes: hydration waits for the open page's WASM chunk (what
    // `leptos::mount::hydrate_lazy` does), and then says it is over (`kit::hydration`).
    wasm_bindgen_futures::spawn_local(async {
        let body = leptos::tachys::dom::body();
        leptos::mount::hydrate_from_async(body, app::App)
            .await
            .forget();
        kit::hydration::finished();
    });
}
