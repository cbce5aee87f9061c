//! Every integration test, in one binary with a module per area (a file beside this one):
//! the app and its ~500 crates are linked once, not once per file. Run one area with
//! `scripts/test-rust <module>` (README, "Development"; docs/TESTING.md).

// The helpers, with `on_both!`, first: `#[macro_use]` puts its macros in scope below.
#[macro_use]
mod common;

mod account_data;
mod accounts;
mod achievements;
mod analytics;
mod assistant;
mod auth_pressure;
mod bot_platform;
mod boundary;
mod broker;
mod cards;
mod chat;
mod community_settings;
mod crowd;
mod deploy;
mod direct;
mod discipline;
mod docs;
mod events;
mod files;
mod floors;
mod health;
mod indicators;
mod integrations;
mod live_access;
mod live_quotes;
mod market_sources;
mod markets;
mod moderation;
mod notifications;
mod operations;
mod password_reset;
mod pictures;
mod polls;
mod portfolio;
mod profile;
mod public_api;
mod reports;
mod scale_out;
mod search;
mod stats;
mod stock_bot;
mod translation;
mod two_factor;
mod voice;
