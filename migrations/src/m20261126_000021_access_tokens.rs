//! Personal access tokens: what a person's scripts and bots sign in with on the public API.
//! Only the token's SHA-256 is kept (the token is shown once, when made); each carries the
//! scopes it was given and may expire. A token goes with its person.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AccessTokens {
    Table,
    Id,
    UserId,
    Name,
    /// SHA-256 of the token, hex.
    TokenHash,
    /// The token's last four characters, so its owner can tell it apart.
    Hint,
    /// Space-separated ("chat:read chat:write").
    Scopes,
    CreatedAt,
    ExpiresAt,
    LastUsedAt,
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
                    .table(AccessTokens::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(AccessTokens::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(AccessTokens::UserId).uuid().not_null())
                    .col(ColumnDef::new(AccessTokens::Name).string_len(60).not_null())
                    .col(
                        ColumnDef::new(AccessTokens::TokenHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(AccessTokens::Hint).string_len(8).not_null())
                    .col(
                        ColumnDef::new(AccessTokens::Scopes)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AccessTokens::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(AccessTokens::ExpiresAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(AccessTokens::LastUsedAt).timestamp_with_time_zone())
                    .foreign_key(
                        ForeignKey::create()
                            .from(AccessTokens::Table, AccessTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("access_tokens_by_user")
                    .table(AccessTokens::Table)
                    .col(AccessTokens::UserId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(AccessTokens::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
