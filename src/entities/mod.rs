//! sea-orm entities, one file per table (server build only).

pub mod app_meta;
pub mod assistant_conversations;
pub mod assistant_messages;
pub mod channels;
pub mod chat_actions;
pub mod communities;
pub mod community_bans;
pub mod community_members;
pub mod community_roles;
pub mod connections;
pub mod invites;
pub mod login_failures;
pub mod market_cache;
pub mod message_flags;
pub mod message_translations;
pub mod member_roles;
pub mod messages;
pub mod portfolio_transactions;
pub mod portfolios;
pub mod price_alerts;
pub mod reactions;
pub mod read_states;
pub mod refresh_tokens;
pub mod user_blocks;
pub mod users;
pub mod watchlist_items;
