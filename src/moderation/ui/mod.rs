//! Moderation's screens: the queue and the community's moderation settings, the report dialog,
//! and "catch me up".

pub mod catch_up;
pub mod queue;
pub mod report;
