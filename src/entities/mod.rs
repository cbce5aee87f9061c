//! sea-orm entities, one file per table (server build only).

pub mod app_meta;
pub mod login_failures;
pub mod refresh_tokens;
pub mod user_blocks;
pub mod users;
