//! The stock bot is a member where it is installed, like every installed bot (shown in the
//! member list with a Bot badge): its installs name its account, and it joins those
//! communities.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE integrations SET bot_user_id = \
               (SELECT id FROM users WHERE username = 'stockbot') \
             WHERE kind = 'stock-bot' AND bot_user_id IS NULL",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO community_members (community_id, user_id, rank, joined_at) \
             SELECT i.community_id, i.bot_user_id, 0, i.created_at FROM integrations i \
             WHERE i.kind = 'stock-bot' AND i.bot_user_id IS NOT NULL \
               AND NOT EXISTS (SELECT 1 FROM community_members m \
                 WHERE m.community_id = i.community_id AND m.user_id = i.bot_user_id)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "DELETE FROM community_members WHERE user_id = \
               (SELECT id FROM users WHERE username = 'stockbot')",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE integrations SET bot_user_id = NULL WHERE kind = 'stock-bot'",
        )
        .await?;
        Ok(())
    }
}
