//! The channel page, a channel's screen, one message, and the direct conversations.

pub mod channel;
pub mod direct;
pub mod message;
pub mod page;
