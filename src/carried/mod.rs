//! What a message and the realtime channel carry for the rooms above the messages core: a poll,
//! an event, a shared card, the files, a call's roster and signals, an inbox entry, a badge.
//!
//! The serde types alone sit here, one floor below the core, so that `ChatMessage` and
//! `ServerEvent` can carry them without the core importing the rooms that own them. Each room
//! re-exports its types (`polls::Poll`) and keeps everything they do: their `impl` blocks,
//! their queries, their views. The floor imports `auth` (for `Author`) and the ground only.

pub mod attachment;
pub mod badge;
pub mod call;
pub mod card;
pub mod event;
pub mod inbox;
pub mod poll;
