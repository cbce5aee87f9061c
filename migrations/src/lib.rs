//! Bullpen's schema, one file per migration, applied in order. The same migrations run on
//! SQLite and PostgreSQL. A migration that has shipped is never edited: add a new one.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_app_meta;
mod m20261122_000002_accounts;
mod m20261122_000003_communities;
mod m20261122_000004_message_flags;
mod m20261122_000005_translations;
mod m20261122_000006_markets;
mod m20261122_000007_watchlists;
mod m20261123_000008_portfolios;
mod m20261123_000009_assistant;
mod m20261123_000010_account_safety;
mod m20261123_000011_chat_actions;
mod m20261125_000012_messages_by_author;
mod m20261125_000013_message_search;
mod m20261125_000014_moderation_record;
mod m20261125_000015_timeouts_and_warnings;
mod m20261126_000016_attachments;
mod m20261126_000017_pictures;
mod m20261126_000018_direct_conversations;
mod m20261126_000019_notifications;
mod m20261126_000020_polls;
mod m20261126_000021_access_tokens;
mod m20261126_000022_events;
mod m20261126_000023_analytics;
mod m20261126_000024_achievements;
mod m20261127_000025_integrations;
mod m20261127_000026_portfolio_cards;
mod m20261127_000027_voice;
mod m20261127_000028_voice_revisions;
mod m20261127_000029_stock_bot_members;
mod m20261127_000030_member_months;
mod m20261127_000031_chart_choices;
mod m20261127_000032_alert_kinds;
mod m20261128_000033_reports_by_reporter;
mod m20261129_000034_message_meanings;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_app_meta::Migration),
            Box::new(m20261122_000002_accounts::Migration),
            Box::new(m20261122_000003_communities::Migration),
            Box::new(m20261122_000004_message_flags::Migration),
            Box::new(m20261122_000005_translations::Migration),
            Box::new(m20261122_000006_markets::Migration),
            Box::new(m20261122_000007_watchlists::Migration),
            Box::new(m20261123_000008_portfolios::Migration),
            Box::new(m20261123_000009_assistant::Migration),
            Box::new(m20261123_000010_account_safety::Migration),
            Box::new(m20261123_000011_chat_actions::Migration),
            Box::new(m20261125_000012_messages_by_author::Migration),
            Box::new(m20261125_000013_message_search::Migration),
            Box::new(m20261125_000014_moderation_record::Migration),
            Box::new(m20261125_000015_timeouts_and_warnings::Migration),
            Box::new(m20261126_000016_attachments::Migration),
            Box::new(m20261126_000017_pictures::Migration),
            Box::new(m20261126_000018_direct_conversations::Migration),
            Box::new(m20261126_000019_notifications::Migration),
            Box::new(m20261126_000020_polls::Migration),
            Box::new(m20261126_000021_access_tokens::Migration),
            Box::new(m20261126_000022_events::Migration),
            Box::new(m20261126_000023_analytics::Migration),
            Box::new(m20261126_000024_achievements::Migration),
            Box::new(m20261127_000025_integrations::Migration),
            Box::new(m20261127_000026_portfolio_cards::Migration),
            Box::new(m20261127_000027_voice::Migration),
            Box::new(m20261127_000028_voice_revisions::Migration),
            Box::new(m20261127_000029_stock_bot_members::Migration),
            Box::new(m20261127_000030_member_months::Migration),
            Box::new(m20261127_000031_chart_choices::Migration),
            Box::new(m20261127_000032_alert_kinds::Migration),
            Box::new(m20261128_000033_reports_by_reporter::Migration),
            Box::new(m20261129_000034_message_meanings::Migration),
        ]
    }
}
