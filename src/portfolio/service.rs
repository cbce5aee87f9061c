//! Portfolios on the server: who owns what, storing transactions only when the whole history
//! still adds up, pricing holdings, the value chart, CSV import (staged, confirmed in one
//! statement) and export.
//!
//! Every change that could break the history (a sale, an edit, a deletion) runs in a database
//! transaction that first touches the portfolio's row — a row lock on PostgreSQL, the write lock
//! on SQLite — so two tabs selling the last shares at once cannot both succeed.

use std::{
    collections::{BTreeMap, BTreeSet},
    str::FromStr,
};

use chrono::Utc;
use rust_decimal::{prelude::ToPrimitive, Decimal};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};
use uuid::Uuid;

use super::{
    import::{self, Mapping, RowError},
    ledger::{Breaking, CostMethod, Kind, Ledger},
    repo,
    transaction::{NewTransaction, Transaction, TransactionInput, TxError},
    valuation::{self, Price},
    HoldingInput, ImportId, ImportReport, PerformanceChart, PerformanceRange, PortfolioId,
    PortfolioInfo, PortfolioView, TransactionId, BENCHMARK, DEFAULT_NAME, MAX_PORTFOLIOS, NAME_MAX,
};
use crate::auth::UserId;
use crate::{
    entities::{portfolio_transactions as rows, portfolios},
    kit::sentences::says,
    market::directory,
    platform::{error::AppError, state::AppState},
};

/// Unconfirmed imports older than this are thrown away.
const STALE_IMPORT_HOURS: i64 = 24;

pub fn today() -> String {
    Utc::now().date_naive().to_string()
}

fn info(model: &portfolios::Model) -> PortfolioInfo {
    PortfolioInfo {
        id: model.id.to_string(),
        name: model.name.clone(),
        method: method(model),
        currency: model.currency.clone(),
    }
}

fn decimal(text: &Option<String>) -> Option<Decimal> {
    text.as_deref().and_then(|t| Decimal::from_str(t).ok())
}

fn to_transaction(row: &rows::Model) -> Transaction {
    Transaction {
        id: row.id.to_string(),
        data: NewTransaction {
            kind: Kind::parse(&row.kind).unwrap_or(Kind::Buy),
            date: row.trade_date.clone(),
            symbol: row.symbol.clone(),
            shares: decimal(&row.shares),
            price: decimal(&row.price),
            fees: Decimal::from_str(&row.fees).unwrap_or_default(),
            amount: decimal(&row.amount),
            ratio: decimal(&row.ratio),
            currency: row.currency.clone(),
            note: row.note.clone(),
            name: row.name.clone(),
            sector: row.sector.clone(),
        },
    }
}

fn text(value: Option<Decimal>) -> Option<String> {
    value.map(|d| d.normalize().to_string())
}

fn new_row(
    portfolio: Uuid,
    seq: i64,
    t: &NewTransaction,
    import: Option<(Uuid, i64)>,
) -> rows::Model {
    rows::Model {
        id: Uuid::now_v7(),
        portfolio_id: portfolio,
        kind: t.kind.code().to_string(),
        trade_date: t.date.clone(),
        seq,
        symbol: t.symbol.clone(),
        shares: text(t.shares),
        price: text(t.price),
        fees: t.fees.normalize().to_string(),
        amount: text(t.amount),
        ratio: text(t.ratio),
        currency: t.currency.clone(),
        note: t.note.clone(),
        name: t.name.clone(),
        sector: t.sector.clone(),
        import_id: import.map(|(id, _)| id),
        import_row: import.map(|(_, row)| row),
        created_at: Utc::now(),
    }
}

/// The person's portfolios, oldest first.
pub async fn portfolios(
    db: &DatabaseConnection,
    user: UserId,
) -> Result<Vec<portfolios::Model>, AppError> {
    Ok(repo::portfolios_of(db, user.0).await?)
}

/// The portfolio `id` if it is the person's (anyone else's is "not found", as if it did not
/// exist); with no id, their first one.
async fn owned(
    db: &impl ConnectionTrait,
    user: UserId,
    id: Option<PortfolioId>,
) -> Result<Option<portfolios::Model>, AppError> {
    match id {
        Some(id) => match repo::portfolio_of(db, user.0, id.0).await? {
            Some(found) => Ok(Some(found)),
            None => Err(AppError::NotFound(says!("server.portfolio.not_found"))),
        },
        None => Ok(repo::first_portfolio_of(db, user.0).await?),
    }
}

async fn owned_or_first(
    db: &impl ConnectionTrait,
    user: UserId,
    id: Option<PortfolioId>,
) -> Result<portfolios::Model, AppError> {
    owned(db, user, id)
        .await?
        .ok_or_else(|| AppError::NotFound(says!("server.portfolio.none_yet")))
}

fn portfolio_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::Validation(says!("server.portfolio.name_missing")));
    }
    if name.chars().count() > NAME_MAX {
        return Err(AppError::Validation(says!(
            "server.portfolio.name_too_long",
            max = NAME_MAX
        )));
    }
    Ok(name.to_string())
}

fn currency_code(code: &str) -> Result<String, AppError> {
    let code = code.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Ok("USD".into());
    }
    if code.len() != 3 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(AppError::Validation(TxError::CurrencyInvalid.sentence()));
    }
    Ok(code)
}

fn is_duplicate(err: &sea_orm::DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

pub async fn create(
    db: &DatabaseConnection,
    user: UserId,
    name: &str,
    method: CostMethod,
    currency: &str,
) -> Result<PortfolioInfo, AppError> {
    Ok(info(&create_row(db, user, name, method, currency).await?))
}

async fn create_row(
    db: &DatabaseConnection,
    user: UserId,
    name: &str,
    method: CostMethod,
    currency: &str,
) -> Result<portfolios::Model, AppError> {
    let name = portfolio_name(name)?;
    let currency = currency_code(currency)?;
    let count = repo::portfolio_count(db, user.0).await?;
    if count as usize >= MAX_PORTFOLIOS {
        return Err(AppError::Validation(says!(
            "server.portfolio.limit",
            max = MAX_PORTFOLIOS
        )));
    }
    let row = portfolios::Model {
        id: Uuid::now_v7(),
        user_id: user.0,
        name: name.clone(),
        cost_method: method.code().to_string(),
        currency,
        created_at: Utc::now(),
    };
    match repo::insert_portfolio(db, row).await {
        Ok(model) => Ok(model),
        Err(err) if is_duplicate(&err) => Err(AppError::Conflict(says!(
            "server.portfolio.name_taken",
            name = &name
        ))),
        Err(err) => Err(err.into()),
    }
}

/// Renames a portfolio or changes its cost method (every figure is recomputed on the next read).
pub async fn update(
    db: &DatabaseConnection,
    user: UserId,
    id: Option<PortfolioId>,
    name: &str,
    method: CostMethod,
) -> Result<PortfolioInfo, AppError> {
    let found = owned_or_first(db, user, id).await?;
    let name = portfolio_name(name)?;
    let result = repo::update_portfolio(db, found.id, &name, method.code()).await;
    match result {
        Ok(_) => Ok(PortfolioInfo {
            name,
            method,
            ..info(&found)
        }),
        Err(err) if is_duplicate(&err) => Err(AppError::Conflict(says!(
            "server.portfolio.name_taken",
            name = &name
        ))),
        Err(err) => Err(err.into()),
    }
}

/// Deletes a portfolio and its transactions.
pub async fn delete(
    db: &DatabaseConnection,
    user: UserId,
    id: Option<PortfolioId>,
) -> Result<(), AppError> {
    let found = owned_or_first(db, user, id).await?;
    let txn = db.begin().await?;
    repo::delete_portfolio(&txn, found.id).await?;
    txn.commit().await?;
    Ok(())
}

/// The portfolio to add to: the one named, else the first, else a new "My portfolio".
async fn target(
    db: &DatabaseConnection,
    user: UserId,
    id: Option<PortfolioId>,
) -> Result<portfolios::Model, AppError> {
    if let Some(found) = owned(db, user, id).await? {
        return Ok(found);
    }
    match create_row(db, user, DEFAULT_NAME, CostMethod::Fifo, "USD").await {
        Ok(made) => Ok(made),
        // Two first transactions at once: the other request made it.
        Err(AppError::Conflict(_)) => owned_or_first(db, user, None).await,
        Err(err) => Err(err),
    }
}

/// The portfolio's transactions in the order the ledger reads them (date, then the order
/// entered); with `import`, that import's waiting rows too.
async fn load(
    db: &impl ConnectionTrait,
    portfolio: Uuid,
    import: Option<Uuid>,
) -> Result<Vec<rows::Model>, AppError> {
    Ok(repo::transactions_of(db, portfolio, import).await?)
}

/// The portfolio's confirmed transactions in the ledger's order.
async fn committed(
    db: &impl ConnectionTrait,
    portfolio: Uuid,
) -> Result<Vec<Transaction>, AppError> {
    Ok(load(db, portfolio, None)
        .await?
        .iter()
        .map(to_transaction)
        .collect())
}

fn method(portfolio: &portfolios::Model) -> CostMethod {
    CostMethod::parse(&portfolio.cost_method).unwrap_or_default()
}

/// Takes the portfolio's write lock for the rest of the database transaction.
async fn lock(db: &impl ConnectionTrait, portfolio: Uuid) -> Result<(), AppError> {
    Ok(repo::lock_portfolio(db, portfolio).await?)
}

async fn next_seq(db: &impl ConnectionTrait, portfolio: Uuid) -> Result<i64, AppError> {
    Ok(repo::next_seq(db, portfolio).await?)
}

/// Replays the history; a transaction it cannot apply becomes a 422 that says why.
fn check(method: CostMethod, transactions: &[Transaction]) -> Result<Ledger, AppError> {
    let entries: Vec<_> = transactions.iter().map(Transaction::entry).collect();
    Ledger::replay(method, &entries).map_err(|(_, err)| AppError::Validation(err.sentence()))
}

/// Sorts like `load` does, with a new or changed transaction at its place (last on its day).
fn in_order(mut transactions: Vec<Transaction>) -> Vec<Transaction> {
    // A stable sort: loaded rows are already in (date, seq) order, the new one goes last.
    transactions.sort_by(|a, b| a.data.date.cmp(&b.data.date));
    transactions
}

/// Records a transaction in the portfolio `id` (or the first, made if need be).
pub async fn add(
    state: &AppState,
    user: UserId,
    id: Option<PortfolioId>,
    input: &TransactionInput,
) -> Result<Transaction, AppError> {
    let portfolio = target(&state.db, user, id).await?;
    let new = input
        .validate(&portfolio.currency, &today())
        .map_err(|e| AppError::Validation(e.sentence()))?;
    let cost_method = method(&portfolio);
    let txn = state.db.begin().await?;
    lock(&txn, portfolio.id).await?;
    let mut all = committed(&txn, portfolio.id).await?;
    all.push(Transaction {
        id: String::new(),
        data: new.clone(),
    });
    check(cost_method, &in_order(all))?;
    let seq = next_seq(&txn, portfolio.id).await?;
    let stored = repo::insert_transaction(&txn, new_row(portfolio.id, seq, &new, None)).await?;
    txn.commit().await?;
    Ok(to_transaction(&stored))
}

/// The quick "add holding": a purchase.
pub async fn add_holding(
    state: &AppState,
    user: UserId,
    id: Option<PortfolioId>,
    holding: &HoldingInput,
) -> Result<Transaction, AppError> {
    add(state, user, id, &holding.transaction(&today())).await
}

/// Changes a transaction; refused if the history would no longer add up.
pub async fn edit(
    state: &AppState,
    user: UserId,
    id: Option<PortfolioId>,
    transaction: TransactionId,
    input: &TransactionInput,
) -> Result<Transaction, AppError> {
    let portfolio = owned_or_first(&state.db, user, id).await?;
    let new = input
        .validate(&portfolio.currency, &today())
        .map_err(|e| AppError::Validation(e.sentence()))?;
    let cost_method = method(&portfolio);
    let txn = state.db.begin().await?;
    lock(&txn, portfolio.id).await?;
    let loaded = load(&txn, portfolio.id, None).await?;
    let Some(row) = loaded.iter().find(|r| r.id == transaction.0).cloned() else {
        return Err(AppError::NotFound(says!(
            "server.portfolio.transaction_not_found"
        )));
    };
    let seq = if new.date == row.trade_date {
        row.seq
    } else {
        next_seq(&txn, portfolio.id).await?
    };
    // The ledger's order with the changed one in its new place (last on a new day).
    let mut ordered: Vec<(String, i64, Transaction)> = loaded
        .iter()
        .map(|r| {
            if r.id == row.id {
                (
                    new.date.clone(),
                    seq,
                    Transaction {
                        id: r.id.to_string(),
                        data: new.clone(),
                    },
                )
            } else {
                (r.trade_date.clone(), r.seq, to_transaction(r))
            }
        })
        .collect();
    ordered.sort_by(|a, b| (a.0.as_str(), a.1).cmp(&(b.0.as_str(), b.1)));
    check(
        cost_method,
        &ordered.into_iter().map(|(_, _, t)| t).collect::<Vec<_>>(),
    )?;
    let update = rows::Model {
        id: row.id,
        created_at: row.created_at,
        ..new_row(portfolio.id, seq, &new, None)
    };
    let stored = repo::update_transaction(&txn, update).await?;
    txn.commit().await?;
    Ok(to_transaction(&stored))
}

/// Deletes a transaction; refused if a later sale would then sell shares not held.
pub async fn remove(
    state: &AppState,
    user: UserId,
    id: Option<PortfolioId>,
    transaction: TransactionId,
) -> Result<(), AppError> {
    let portfolio = owned_or_first(&state.db, user, id).await?;
    let cost_method = method(&portfolio);
    let txn = state.db.begin().await?;
    lock(&txn, portfolio.id).await?;
    let loaded = load(&txn, portfolio.id, None).await?;
    if !loaded.iter().any(|r| r.id == transaction.0) {
        return Err(AppError::NotFound(says!(
            "server.portfolio.transaction_not_found"
        )));
    }
    let rest: Vec<Transaction> = loaded
        .iter()
        .filter(|r| r.id != transaction.0)
        .map(to_transaction)
        .collect();
    let entries: Vec<_> = rest.iter().map(Transaction::entry).collect();
    Ledger::replay(cost_method, &entries)
        .map_err(|(_, err)| AppError::Validation(err.sentence_after(Breaking::Delete)))?;
    repo::delete_transaction(&txn, portfolio.id, transaction.0).await?;
    txn.commit().await?;
    Ok(())
}

/// Stops tracking a symbol: deletes all its transactions. Returns how many.
pub async fn remove_symbol(
    state: &AppState,
    user: UserId,
    id: Option<PortfolioId>,
    symbol: &str,
) -> Result<u64, AppError> {
    let portfolio = owned_or_first(&state.db, user, id).await?;
    let gone = repo::delete_symbol(&state.db, portfolio.id, symbol).await?;
    if gone == 0 {
        return Err(AppError::NotFound(says!(
            "server.portfolio.not_held",
            symbol = symbol,
            portfolio = &portfolio.name
        )));
    }
    Ok(gone)
}

/// The symbols the person holds in any portfolio (the markets page ranks them with the
/// watchlist).
pub async fn held_symbols(db: &DatabaseConnection, user: UserId) -> Result<Vec<String>, AppError> {
    let mut held = BTreeSet::new();
    for (_, symbols) in holdings_by_portfolio(db, user).await? {
        held.extend(symbols);
    }
    Ok(held.into_iter().collect())
}

/// Each of the person's portfolios, oldest first, with the symbols it holds now.
pub async fn holdings_by_portfolio(
    db: &DatabaseConnection,
    user: UserId,
) -> Result<Vec<(portfolios::Model, Vec<String>)>, AppError> {
    let mut found = Vec::new();
    for portfolio in portfolios(db, user).await? {
        let cost_method = method(&portfolio);
        let transactions: Vec<Transaction> = committed(db, portfolio.id).await?;
        let ledger = check(cost_method, &transactions)?;
        let symbols = ledger
            .positions
            .into_iter()
            .filter(|(_, p)| !p.shares().is_zero())
            .map(|(s, _)| s)
            .collect();
        found.push((portfolio, symbols));
    }
    Ok(found)
}

/// A provider's price (a float) as a decimal of at most six places; cheap, because a value
/// chart converts every close of every holding.
fn decimal_of(value: f64) -> Option<Decimal> {
    let micros = (value * 1e6).round();
    (value.is_finite() && micros.abs() < 9e18).then(|| Decimal::new(micros as i64, 6).normalize())
}

/// A symbol's name and sector: what the person wrote on its latest purchase, else the
/// directory's.
fn describer(transactions: &[Transaction]) -> impl Fn(&str) -> (Option<String>, String) + '_ {
    move |symbol: &str| {
        let mine = transactions
            .iter()
            .rev()
            .filter(|t| t.data.symbol.as_deref() == Some(symbol));
        let name = mine.clone().find_map(|t| t.data.name.clone());
        let sector = mine.clone().find_map(|t| t.data.sector.clone());
        let listed = directory::lookup(symbol);
        let name = name.or_else(|| listed.map(|l| l.name.clone()));
        let sector = sector
            .or_else(|| listed.map(|l| l.sector.clone()).filter(|s| !s.is_empty()))
            .unwrap_or_else(|| "Other".into());
        (name, sector)
    }
}

/// Everything on the portfolio page but the value chart.
pub async fn view(
    state: &AppState,
    user: UserId,
    id: Option<PortfolioId>,
) -> Result<PortfolioView, AppError> {
    let all = portfolios(&state.db, user).await?;
    let Some(portfolio) = owned(&state.db, user, id).await? else {
        return Ok(PortfolioView {
            portfolio: None,
            portfolios: Vec::new(),
            holdings: Vec::new(),
            totals: Default::default(),
            sales: Vec::new(),
            transactions: Vec::new(),
            by_holding: None,
            by_sector: None,
        });
    };
    let cost_method = method(&portfolio);
    let transactions: Vec<Transaction> = committed(&state.db, portfolio.id).await?;
    let ledger = check(cost_method, &transactions)?;
    let held: Vec<&String> = ledger
        .positions
        .iter()
        .filter(|(_, p)| !p.shares().is_zero())
        .map(|(s, _)| s)
        .collect();
    let quotes = futures::future::join_all(held.iter().map(|symbol| {
        state
            .service::<crate::market::service::Market>()
            .quote(&state.db, symbol)
    }))
    .await;
    let mut prices = BTreeMap::new();
    for (symbol, quote) in held.iter().zip(quotes) {
        match quote {
            Ok(quote) => {
                if let Some(price) = decimal_of(quote.price) {
                    let previous_close = quote.previous_close.and_then(decimal_of);
                    prices.insert(
                        symbol.to_string(),
                        Price {
                            price,
                            previous_close,
                            simulated: quote.simulated,
                        },
                    );
                }
            }
            Err(err) => tracing::debug!(error = %err, symbol, "holding not priced"),
        }
    }
    let (holdings, totals) = valuation::holdings(&ledger, &prices, describer(&transactions));
    let by_holding = valuation::allocation(
        holdings
            .iter()
            .filter_map(|h| Some((h.symbol.as_str(), h.value?))),
    );
    let by_sector = valuation::allocation(
        holdings
            .iter()
            .filter_map(|h| Some((h.sector.as_str(), h.value?))),
    );
    let mut sales = ledger.sales.clone();
    sales.reverse();
    let mut newest_first = transactions;
    newest_first.reverse();
    Ok(PortfolioView {
        portfolio: Some(info(&portfolio)),
        portfolios: all.iter().map(info).collect(),
        by_holding: (!by_holding.is_empty())
            .then(|| super::chart::allocation(&by_holding, &portfolio.currency)),
        by_sector: (!by_sector.is_empty())
            .then(|| super::chart::allocation(&by_sector, &portfolio.currency)),
        holdings,
        totals,
        sales,
        transactions: newest_first,
    })
}

/// The value over time against the benchmark.
pub async fn performance(
    state: &AppState,
    user: UserId,
    id: Option<PortfolioId>,
    range: PerformanceRange,
) -> Result<PerformanceChart, AppError> {
    let portfolio = owned_or_first(&state.db, user, id).await?;
    let transactions: Vec<Transaction> = committed(&state.db, portfolio.id).await?;
    let entries: Vec<_> = transactions.iter().map(Transaction::entry).collect();
    let symbols: BTreeSet<&str> = entries
        .iter()
        .filter(|e| matches!(e.kind, Kind::Buy | Kind::Sell))
        .filter_map(|e| e.symbol.as_deref())
        .collect();
    let histories = futures::future::join_all(symbols.iter().map(|s| {
        state
            .service::<crate::market::service::Market>()
            .shared_history(&state.db, s)
    }))
    .await;
    let mut simulated = false;
    let mut closes = BTreeMap::new();
    let to_closes = |bars: &[crate::market::Bar]| -> Vec<(String, Decimal)> {
        bars.iter()
            .filter_map(|b| Some((b.date.clone(), decimal_of(b.close)?)))
            .collect()
    };
    for (symbol, history) in symbols.iter().zip(histories) {
        match history {
            Ok(history) => {
                simulated |= history.bars.iter().any(|b| b.simulated);
                closes.insert(symbol.to_string(), to_closes(&history.bars));
            }
            Err(err) => tracing::debug!(error = %err, symbol, "no history for the value chart"),
        }
    }
    let benchmark = state
        .service::<crate::market::service::Market>()
        .shared_history(&state.db, BENCHMARK)
        .await
        .ok()
        .map(|h| to_closes(&h.bars));
    let points = valuation::performance(&entries, &closes, benchmark.as_deref());
    let shown = match range.days() {
        Some(days) => &points[points.len().saturating_sub(days)..],
        None => &points[..],
    };
    let change = |first: Option<Decimal>, last: Option<Decimal>| -> Option<Decimal> {
        let (first_point, last_point) = (shown.first()?, shown.last()?);
        let flows = last_point.invested - first_point.invested;
        valuation::percent(last? - first? - flows, first? + flows.max(Decimal::ZERO))
    };
    let portfolio_return = change(
        shown.first().map(|p| p.value),
        shown.last().map(|p| p.value),
    );
    let benchmark_return = change(
        shown.first().and_then(|p| p.benchmark),
        shown.last().and_then(|p| p.benchmark),
    );
    Ok(PerformanceChart {
        option: if shown.is_empty() {
            String::new()
        } else {
            super::chart::performance(shown, "S&P 500")
        },
        days: shown.len(),
        portfolio_return,
        benchmark_return,
        benchmark: "S&P 500".into(),
        simulated,
    })
}

// ——— CSV import ———————————————————————————————————————————————————————————————————————

/// Starts an import into the portfolio (made if the person has none): its id for the rows.
pub async fn import_start(
    state: &AppState,
    user: UserId,
    id: Option<PortfolioId>,
) -> Result<(String, PortfolioInfo), AppError> {
    let portfolio = target(&state.db, user, id).await?;
    // Abandoned imports (a closed tab) are thrown away after a day.
    let stale = Utc::now() - chrono::Duration::hours(STALE_IMPORT_HOURS);
    repo::delete_stale_imports(&state.db, portfolio.id, stale).await?;
    Ok((Uuid::now_v7().to_string(), info(&portfolio)))
}

/// Stages a part of the file: each row is checked with the form's rules; good ones wait
/// (invisible) for the confirmation, bad ones come back with their reason. `first_row` is the
/// file line of `rows[0]`.
pub async fn import_rows(
    state: &AppState,
    user: UserId,
    id: Option<PortfolioId>,
    import: ImportId,
    mapping: &Mapping,
    first_row: usize,
    records: &[Vec<String>],
) -> Result<Vec<RowError>, AppError> {
    if let Some(problem) = import::mapping_problem(mapping) {
        return Err(AppError::Validation(problem));
    }
    if records.len() > import::CHUNK_ROWS {
        return Err(AppError::Validation(says!(
            "server.portfolio.import_chunk",
            max = import::CHUNK_ROWS
        )));
    }
    let portfolio = owned_or_first(&state.db, user, id).await?;
    let import = import.0;
    let staged = repo::staged_count(&state.db, import).await? as usize;
    if staged + records.len() > import::MAX_ROWS {
        return Err(AppError::Validation(says!(
            "server.portfolio.import_max",
            max = import::MAX_ROWS
        )));
    }
    let today = today();
    let mut errors = Vec::new();
    let mut good = Vec::new();
    for (i, record) in records.iter().enumerate() {
        let row = first_row + i;
        match import::input_from_row(record, mapping).validate(&portfolio.currency, &today) {
            Ok(t) => good.push((row, t)),
            Err(error) => errors.push(RowError { row, error }),
        }
    }
    if !good.is_empty() {
        let txn = state.db.begin().await?;
        let seq = next_seq(&txn, portfolio.id).await?;
        let models: Vec<_> = good
            .iter()
            .enumerate()
            .map(|(i, (row, t))| {
                new_row(portfolio.id, seq + i as i64, t, Some((import, *row as i64)))
            })
            .collect();
        repo::insert_transactions(&txn, models).await?;
        txn.commit().await?;
    }
    Ok(errors)
}

/// Replays the portfolio with the staged rows: rows the history refuses (a sale of shares not
/// held) are reported and left out; the rest are what confirming would import.
async fn review_in(
    db: &impl ConnectionTrait,
    portfolio: &portfolios::Model,
    import: Uuid,
) -> Result<(ImportReport, Vec<Uuid>), AppError> {
    let cost_method = method(portfolio);
    let loaded = load(db, portfolio.id, Some(import)).await?;
    let mut ledger = Ledger::new(cost_method);
    let mut report = ImportReport::default();
    let mut refused = Vec::new();
    for row in &loaded {
        let entry = to_transaction(row).entry();
        match (ledger.apply(&entry), row.import_row) {
            (Ok(()), Some(_)) => report.valid += 1,
            (Ok(()), None) => {}
            (Err(err), Some(line)) => {
                report.errors.push(RowError {
                    row: line as usize,
                    error: TxError::Ledger(err),
                });
                refused.push(row.id);
            }
            (Err(err), None) => {
                report
                    .blocking
                    .get_or_insert_with(|| err.sentence_after(Breaking::Import));
            }
        }
    }
    report.errors.sort_by_key(|e| e.row);
    Ok((report, refused))
}

pub async fn import_review(
    state: &AppState,
    user: UserId,
    id: Option<PortfolioId>,
    import: ImportId,
) -> Result<ImportReport, AppError> {
    let portfolio = owned_or_first(&state.db, user, id).await?;
    Ok(review_in(&state.db, &portfolio, import.0).await?.0)
}

/// Imports the staged rows the history accepts, all at once: one database transaction drops
/// the refused ones and makes the rest count.
pub async fn import_confirm(
    state: &AppState,
    user: UserId,
    id: Option<PortfolioId>,
    import: ImportId,
) -> Result<ImportReport, AppError> {
    let portfolio = owned_or_first(&state.db, user, id).await?;
    let import = import.0;
    let txn = state.db.begin().await?;
    lock(&txn, portfolio.id).await?;
    let (mut report, refused) = review_in(&txn, &portfolio, import).await?;
    if let Some(why) = &report.blocking {
        return Err(AppError::Validation(why.clone()));
    }
    if report.valid == 0 {
        return Err(AppError::Validation(says!(
            "server.portfolio.import_nothing"
        )));
    }
    repo::delete_transactions(&txn, &refused).await?;
    repo::confirm_import(&txn, portfolio.id, import).await?;
    txn.commit().await?;
    report.imported = true;
    Ok(report)
}

/// Throws a staged import away.
pub async fn import_cancel(
    state: &AppState,
    user: UserId,
    id: Option<PortfolioId>,
    import: ImportId,
) -> Result<(), AppError> {
    let portfolio = owned_or_first(&state.db, user, id).await?;
    repo::delete_import(&state.db, portfolio.id, import.0).await?;
    Ok(())
}

/// The portfolio as a CSV file: (its name, the file).
pub async fn export(
    state: &AppState,
    user: UserId,
    id: Option<PortfolioId>,
) -> Result<(String, String), AppError> {
    let portfolio = owned_or_first(&state.db, user, id).await?;
    let transactions: Vec<Transaction> = committed(&state.db, portfolio.id).await?;
    Ok((portfolio.name, import::export(&transactions)))
}

#[derive(serde::Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    portfolio: Option<String>,
}

/// `GET /api/portfolio/export.csv?portfolio=<id>`: the download (cookie or Bearer token).
pub async fn export_download(
    axum::extract::State(state): axum::extract::State<AppState>,
    caller: crate::auth::caller::CurrentUser,
    crate::platform::rest::QueryArgs(query): crate::platform::rest::QueryArgs<ExportQuery>,
) -> axum::response::Response {
    use axum::{http::StatusCode, response::IntoResponse};
    let result = async {
        let portfolio = PortfolioId::chosen(query.portfolio.as_deref().unwrap_or_default())?;
        export(&state, UserId(caller.user.id), portfolio).await
    }
    .await;
    match result {
        Ok((name, csv)) => {
            let file: String = name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect();
            let name = format!("{}-{}.csv", file.trim_matches('-'), today());
            crate::platform::rest::download(
                &name,
                "text/csv; charset=utf-8",
                csv,
                crate::platform::rest::Keep::Private,
            )
        }
        Err(err) => {
            let status = StatusCode::from_u16(err.status_code())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, axum::Json(err)).into_response()
        }
    }
}

/// Values as the chart wants them.
pub fn float(value: Decimal) -> f64 {
    value.to_f64().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_floats_become_the_decimals_they_were_written_as() {
        assert_eq!(decimal_of(93.42), Some(Decimal::new(9342, 2)));
        assert_eq!(decimal_of(0.1 + 0.2), Some(Decimal::new(3, 1)));
        assert_eq!(decimal_of(1234.5678916), Some(Decimal::new(1234567892, 6)));
        assert_eq!(decimal_of(f64::NAN), None);
        assert_eq!(decimal_of(1e300), None);
    }
}
