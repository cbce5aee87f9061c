//! sea-orm queries for portfolios, their transactions (confirmed or staged by an import) and
//! price alerts.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::entities::{portfolio_transactions as rows, portfolios, price_alerts};

// ——— Portfolios ———————————————————————————————————————————————————————————————————————

/// A person's portfolios, oldest first.
pub async fn portfolios_of(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<portfolios::Model>, DbErr> {
    portfolios::Entity::find()
        .filter(portfolios::Column::UserId.eq(user))
        .order_by_asc(portfolios::Column::CreatedAt)
        .order_by_asc(portfolios::Column::Id)
        .all(db)
        .await
}

/// A person's portfolio; anyone else's is `None`, as if it did not exist.
pub async fn portfolio_of(
    db: &impl ConnectionTrait,
    user: Uuid,
    id: Uuid,
) -> Result<Option<portfolios::Model>, DbErr> {
    portfolios::Entity::find()
        .filter(portfolios::Column::UserId.eq(user))
        .filter(portfolios::Column::Id.eq(id))
        .one(db)
        .await
}

/// A person's first (oldest) portfolio.
pub async fn first_portfolio_of(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Option<portfolios::Model>, DbErr> {
    portfolios::Entity::find()
        .filter(portfolios::Column::UserId.eq(user))
        .order_by_asc(portfolios::Column::CreatedAt)
        .order_by_asc(portfolios::Column::Id)
        .one(db)
        .await
}

pub async fn portfolio_count(db: &impl ConnectionTrait, user: Uuid) -> Result<u64, DbErr> {
    portfolios::Entity::find()
        .filter(portfolios::Column::UserId.eq(user))
        .count(db)
        .await
}

/// A name the person already uses fails on the unique index.
pub async fn insert_portfolio(
    db: &impl ConnectionTrait,
    portfolio: portfolios::Model,
) -> Result<portfolios::Model, DbErr> {
    portfolios::Entity::insert(portfolios::ActiveModel::from(portfolio))
        .exec_with_returning(db)
        .await
}

pub async fn update_portfolio(
    db: &impl ConnectionTrait,
    id: Uuid,
    name: &str,
    cost_method: &str,
) -> Result<(), DbErr> {
    portfolios::Entity::update_many()
        .col_expr(portfolios::Column::Name, Expr::value(name))
        .col_expr(portfolios::Column::CostMethod, Expr::value(cost_method))
        .filter(portfolios::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes a portfolio with its transactions (run it in a transaction: both or neither).
pub async fn delete_portfolio(db: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    rows::Entity::delete_many()
        .filter(rows::Column::PortfolioId.eq(id))
        .exec(db)
        .await?;
    portfolios::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Takes the portfolio's write lock for the rest of the database transaction: a write that
/// changes nothing, a row lock on PostgreSQL and the write lock on SQLite.
pub async fn lock_portfolio(db: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    portfolios::Entity::update_many()
        .col_expr(
            portfolios::Column::Name,
            Expr::col(portfolios::Column::Name).into(),
        )
        .filter(portfolios::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

// ——— Transactions —————————————————————————————————————————————————————————————————————

/// The portfolio's transactions in the order the ledger reads them (date, then the order
/// entered); with `import`, that import's staged rows too.
pub async fn transactions_of(
    db: &impl ConnectionTrait,
    portfolio: Uuid,
    import: Option<Uuid>,
) -> Result<Vec<rows::Model>, DbErr> {
    let query = rows::Entity::find().filter(rows::Column::PortfolioId.eq(portfolio));
    let query = match import {
        Some(import) => query.filter(
            rows::Column::ImportId
                .is_null()
                .or(rows::Column::ImportId.eq(import)),
        ),
        None => query.filter(rows::Column::ImportId.is_null()),
    };
    query
        .order_by_asc(rows::Column::TradeDate)
        .order_by_asc(rows::Column::Seq)
        .order_by_asc(rows::Column::Id)
        .all(db)
        .await
}

/// The next number in the portfolio's order of entry.
pub async fn next_seq(db: &impl ConnectionTrait, portfolio: Uuid) -> Result<i64, DbErr> {
    let max: Option<i64> = rows::Entity::find()
        .select_only()
        .column_as(rows::Column::Seq.max(), "max")
        .filter(rows::Column::PortfolioId.eq(portfolio))
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    Ok(max.unwrap_or(0) + 1)
}

pub async fn insert_transaction(
    db: &impl ConnectionTrait,
    row: rows::Model,
) -> Result<rows::Model, DbErr> {
    rows::Entity::insert(rows::ActiveModel::from(row))
        .exec_with_returning(db)
        .await
}

/// Writes every field of the transaction `row.id`.
pub async fn update_transaction(
    db: &impl ConnectionTrait,
    row: rows::Model,
) -> Result<rows::Model, DbErr> {
    rows::Entity::update(rows::ActiveModel::from(row).reset_all())
        .exec(db)
        .await
}

/// Inserts many rows, in batches: SQLite allows 32,766 bound values a statement and a row
/// binds 18.
pub async fn insert_transactions(
    db: &impl ConnectionTrait,
    all: Vec<rows::Model>,
) -> Result<(), DbErr> {
    for batch in all.chunks(500) {
        rows::Entity::insert_many(batch.iter().cloned().map(rows::ActiveModel::from))
            .exec(db)
            .await?;
    }
    Ok(())
}

pub async fn delete_transaction(
    db: &impl ConnectionTrait,
    portfolio: Uuid,
    id: Uuid,
) -> Result<(), DbErr> {
    rows::Entity::delete_many()
        .filter(rows::Column::PortfolioId.eq(portfolio))
        .filter(rows::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes the confirmed transactions of one symbol; answers how many went.
pub async fn delete_symbol(
    db: &impl ConnectionTrait,
    portfolio: Uuid,
    symbol: &str,
) -> Result<u64, DbErr> {
    Ok(rows::Entity::delete_many()
        .filter(rows::Column::PortfolioId.eq(portfolio))
        .filter(rows::Column::Symbol.eq(symbol))
        .filter(rows::Column::ImportId.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

// ——— Imports (staged rows carry their import's id until confirmed) ————————————————————

/// Throws away rows staged before `before` by imports never confirmed.
pub async fn delete_stale_imports(
    db: &impl ConnectionTrait,
    portfolio: Uuid,
    before: DateTime<Utc>,
) -> Result<(), DbErr> {
    rows::Entity::delete_many()
        .filter(rows::Column::PortfolioId.eq(portfolio))
        .filter(rows::Column::ImportId.is_not_null())
        .filter(rows::Column::CreatedAt.lt(before))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn staged_count(db: &impl ConnectionTrait, import: Uuid) -> Result<u64, DbErr> {
    rows::Entity::find()
        .filter(rows::Column::ImportId.eq(import))
        .count(db)
        .await
}

/// Deletes rows by id, in batches (see `insert_transactions`).
pub async fn delete_transactions(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<(), DbErr> {
    for batch in ids.chunks(500) {
        rows::Entity::delete_many()
            .filter(rows::Column::Id.is_in(batch.to_vec()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Makes an import's staged rows ordinary transactions.
pub async fn confirm_import(
    db: &impl ConnectionTrait,
    portfolio: Uuid,
    import: Uuid,
) -> Result<(), DbErr> {
    rows::Entity::update_many()
        .col_expr(rows::Column::ImportId, Expr::value(Option::<Uuid>::None))
        .col_expr(rows::Column::ImportRow, Expr::value(Option::<i64>::None))
        .filter(rows::Column::PortfolioId.eq(portfolio))
        .filter(rows::Column::ImportId.eq(import))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn delete_import(
    db: &impl ConnectionTrait,
    portfolio: Uuid,
    import: Uuid,
) -> Result<(), DbErr> {
    rows::Entity::delete_many()
        .filter(rows::Column::PortfolioId.eq(portfolio))
        .filter(rows::Column::ImportId.eq(import))
        .exec(db)
        .await?;
    Ok(())
}

// ——— Price alerts ————————————————————————————————————————————————————————————————————————

/// A person's alerts, oldest first.
pub async fn alerts_of(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<price_alerts::Model>, DbErr> {
    price_alerts::Entity::find()
        .filter(price_alerts::Column::UserId.eq(user))
        .order_by_asc(price_alerts::Column::CreatedAt)
        .all(db)
        .await
}

pub async fn alert_count(db: &impl ConnectionTrait, user: Uuid) -> Result<u64, DbErr> {
    price_alerts::Entity::find()
        .filter(price_alerts::Column::UserId.eq(user))
        .count(db)
        .await
}

/// Everyone's alerts (each fires once per crossing, so every one is checked).
pub async fn all_alerts(db: &impl ConnectionTrait) -> Result<Vec<price_alerts::Model>, DbErr> {
    price_alerts::Entity::find().all(db).await
}

pub async fn insert_alert(
    db: &impl ConnectionTrait,
    alert: price_alerts::Model,
) -> Result<price_alerts::Model, DbErr> {
    price_alerts::Entity::insert(price_alerts::ActiveModel::from(alert))
        .exec_with_returning(db)
        .await
}

/// Deletes a person's alert; false when they have no such alert.
pub async fn delete_alert(db: &impl ConnectionTrait, user: Uuid, id: Uuid) -> Result<bool, DbErr> {
    let gone = price_alerts::Entity::delete_many()
        .filter(price_alerts::Column::Id.eq(id))
        .filter(price_alerts::Column::UserId.eq(user))
        .exec(db)
        .await?;
    Ok(gone.rows_affected > 0)
}

/// Marks a waiting alert fired; true only for the one writer that fired it (instances check
/// the same alerts, and only the winner tells the person).
pub async fn fire_alert(
    db: &impl ConnectionTrait,
    id: Uuid,
    at: DateTime<Utc>,
    price: &str,
) -> Result<bool, DbErr> {
    let won = price_alerts::Entity::update_many()
        .col_expr(price_alerts::Column::TriggeredAt, Expr::value(at))
        .col_expr(price_alerts::Column::TriggeredPrice, Expr::value(price))
        .col_expr(price_alerts::Column::Holding, Expr::value(true))
        .filter(price_alerts::Column::Id.eq(id))
        .filter(price_alerts::Column::Holding.eq(false))
        .exec(db)
        .await?;
    Ok(won.rows_affected == 1)
}

/// The condition of a fired alert stopped holding: the next crossing fires it again.
pub async fn rearm_alert(db: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    price_alerts::Entity::update_many()
        .col_expr(price_alerts::Column::Holding, Expr::value(false))
        .filter(price_alerts::Column::Id.eq(id))
        .filter(price_alerts::Column::Holding.eq(true))
        .exec(db)
        .await?;
    Ok(())
}
