//! Markets: data fetched from providers, kept in the database so that restarts and every
//! instance share it (a quote for 60 s, a symbol's daily history for a day); and the stock bot's
//! account, created here so that nobody can register its name first.

use sea_orm_migration::prelude::*;
use uuid::Uuid;

/// The stock bot's username (`market::bot::BOT_USERNAME`).
const BOT_USERNAME: &str = "stockbot";
/// An argon2id hash of a random password that was thrown away: the account cannot sign in.
const UNUSABLE_PASSWORD: &str = "$argon2id$v=19$m=19456,t=2,p=1$xEPTGrslyghlEmQQKyyC6w$XdsYESNeyrYdQ8Z5M/Pe8AYZkU011sWPTRJBaIlnd5o";

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    Username,
    UsernameKey,
    DisplayName,
    PasswordHash,
    Bio,
    PreferredLanguage,
    TimeZone,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MarketCache {
    Table,
    /// "quote:AAPL", "daily:AAPL".
    Key,
    /// The answer as JSON (a Quote, or the bars).
    Body,
    /// The source that answered ("stooq", "offline").
    Source,
    FetchedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MarketCache::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(MarketCache::Key)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(MarketCache::Body).text().not_null())
                    .col(
                        ColumnDef::new(MarketCache::Source)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MarketCache::FetchedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        let now: SimpleExpr = chrono::Utc::now().into();
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(Users::Table)
                    .columns([
                        Users::Id,
                        Users::Email,
                        Users::Username,
                        Users::UsernameKey,
                        Users::DisplayName,
                        Users::PasswordHash,
                        Users::Bio,
                        Users::PreferredLanguage,
                        Users::TimeZone,
                        Users::CreatedAt,
                        Users::UpdatedAt,
                    ])
                    .values_panic([
                        Uuid::now_v7().into(),
                        "stockbot@bullpen.invalid".into(),
                        BOT_USERNAME.into(),
                        BOT_USERNAME.into(),
                        "Stock Bot".into(),
                        UNUSABLE_PASSWORD.into(),
                        "Answers /stock=aapl.us with the latest quote.".into(),
                        "en".into(),
                        "UTC".into(),
                        now.clone(),
                        now,
                    ])
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(Users::Table)
                    .and_where(Expr::col(Users::Username).eq(BOT_USERNAME))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(MarketCache::Table).to_owned())
            .await
    }
}
