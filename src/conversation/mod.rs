//! Where people talk: a community's channel page and the direct conversations. These screens
//! draw the messages core's timeline and socket with every feature's part and tool around them
//! (files and voice notes, polls, events, shared cards, reports, catch-me-up, translations,
//! notifications, calls) — the one room of the front end that knows every feature, as
//! `server.rs` is on the server, so that the core and the features need not know each other.

pub mod ui;
