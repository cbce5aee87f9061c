//! Integrations a community's admins install from the marketplace (`chat::integrations`): the
//! stock bot, the price-alert bot and the news feed (posting into a channel as their own bot
//! accounts), incoming webhooks (a secret address that posts into a channel as the hook's own
//! bot account) and outgoing webhooks (each new message of a channel sent, signed, to an
//! address). An outgoing webhook's deliveries are rows, so that a retry survives a restart and
//! the admins can read the log. Every community that exists has the stock bot installed, as it
//! answered everywhere before.

use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, TryGetable},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Integrations {
    Table,
    Id,
    CommunityId,
    /// `stock-bot` | `incoming-webhook` | `outgoing-webhook`.
    Kind,
    /// What may be installed once: the kind for a single-install item, the kind and the id
    /// otherwise. Unique per community, so two admins installing the stock bot at once get one.
    Slot,
    /// The bot's name, or the hook's label.
    Name,
    ChannelId,
    /// The account an incoming webhook posts as.
    BotUserId,
    /// SHA-256 (hex) of an incoming webhook's secret; the secret is shown once.
    SecretHash,
    /// The key an outgoing webhook signs with (kept: signing needs it).
    SigningSecret,
    /// Where an outgoing webhook sends.
    Url,
    /// The last message (by the channel's sequence number) an outgoing webhook has queued.
    Cursor,
    /// A bot's settings as JSON (the price-alert bot's symbols and rule, the news feed's
    /// symbols).
    Config,
    /// A bot's memory as JSON (which alerts stand fired, which headlines were posted); moved
    /// only from what was read, so that two servers never both post.
    State,
    InstalledBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    IntegrationId,
    MessageId,
    /// The JSON body, as signed.
    Payload,
    /// `pending` | `delivered` | `failed` | `withdrawn` (the message was deleted first).
    Status,
    Attempts,
    /// When the next attempt is due.
    NextAt,
    /// A server is sending it until then (another takes it over after).
    ClaimedUntil,
    /// The last answer's HTTP status, if one came.
    LastCode,
    /// Why the last attempt failed, in words.
    LastError,
    CreatedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum Communities {
    Table,
    Id,
    DirectKey,
}

#[derive(DeriveIden)]
enum Channels {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Integrations::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Integrations::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Integrations::CommunityId).uuid().not_null())
                    .col(ColumnDef::new(Integrations::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(Integrations::Slot).string_len(80).not_null())
                    .col(ColumnDef::new(Integrations::Name).string_len(60).not_null())
                    .col(ColumnDef::new(Integrations::ChannelId).uuid())
                    .col(ColumnDef::new(Integrations::BotUserId).uuid())
                    .col(ColumnDef::new(Integrations::SecretHash).string_len(64))
                    .col(ColumnDef::new(Integrations::SigningSecret).string_len(80))
                    .col(ColumnDef::new(Integrations::Url).string_len(2048))
                    .col(
                        ColumnDef::new(Integrations::Cursor)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ColumnDef::new(Integrations::Config).text())
                    .col(
                        ColumnDef::new(Integrations::State)
                            .text()
                            .not_null()
                            .default("{}"),
                    )
                    .col(ColumnDef::new(Integrations::InstalledBy).uuid())
                    .col(
                        ColumnDef::new(Integrations::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Integrations::Table, Integrations::CommunityId)
                            .to(Communities::Table, Communities::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Integrations::Table, Integrations::ChannelId)
                            .to(Channels::Table, Channels::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Integrations::Table, Integrations::BotUserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Integrations::Table, Integrations::InstalledBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("integrations_one_per_slot")
                    .table(Integrations::Table)
                    .col(Integrations::CommunityId)
                    .col(Integrations::Slot)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("integrations_by_kind")
                    .table(Integrations::Table)
                    .col(Integrations::Kind)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(WebhookDeliveries::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(WebhookDeliveries::IntegrationId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDeliveries::MessageId)
                            .uuid()
                            .not_null(),
                    )
                    .col(ColumnDef::new(WebhookDeliveries::Payload).text().not_null())
                    .col(
                        ColumnDef::new(WebhookDeliveries::Status)
                            .string_len(12)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDeliveries::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(WebhookDeliveries::NextAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(WebhookDeliveries::ClaimedUntil).timestamp_with_time_zone())
                    .col(ColumnDef::new(WebhookDeliveries::LastCode).integer())
                    .col(ColumnDef::new(WebhookDeliveries::LastError).string_len(300))
                    .col(
                        ColumnDef::new(WebhookDeliveries::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(WebhookDeliveries::FinishedAt).timestamp_with_time_zone())
                    .foreign_key(
                        ForeignKey::create()
                            .from(WebhookDeliveries::Table, WebhookDeliveries::IntegrationId)
                            .to(Integrations::Table, Integrations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("webhook_deliveries_due")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::Status)
                    .col(WebhookDeliveries::NextAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("webhook_deliveries_by_integration")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::IntegrationId)
                    .col(WebhookDeliveries::CreatedAt)
                    .to_owned(),
            )
            .await?;
        // The stock bot answered in every community before it could be removed: it stays
        // installed where it was (a conversation between people has no marketplace).
        let db = manager.get_connection();
        let select = Query::select()
            .column(Communities::Id)
            .from(Communities::Table)
            .and_where(Expr::col(Communities::DirectKey).is_null())
            .to_owned();
        let rows = db
            .query_all(db.get_database_backend().build(&select))
            .await?;
        let now = chrono::Utc::now();
        for row in rows {
            let community = uuid::Uuid::try_get_by(&row, 0usize)
                .map_err(|e| DbErr::Migration(format!("{e:?}")))?;
            manager
                .exec_stmt(
                    Query::insert()
                        .into_table(Integrations::Table)
                        .columns([
                            Integrations::Id,
                            Integrations::CommunityId,
                            Integrations::Kind,
                            Integrations::Slot,
                            Integrations::Name,
                            Integrations::Cursor,
                            Integrations::CreatedAt,
                        ])
                        .values_panic([
                            uuid::Uuid::now_v7().into(),
                            community.into(),
                            "stock-bot".into(),
                            "stock-bot".into(),
                            "Stock Bot".into(),
                            0i64.into(),
                            now.into(),
                        ])
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(WebhookDeliveries::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(
                Table::drop()
                    .table(Integrations::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
