//! The modes that run Bullpen's own code in this process (its queries, its moderation engine,
//! its import parser): built with the default feature `bullpen-inside`. The websocket modes do
//! not need it — `cargo build --release -p loadgen --no-default-features` builds in a minute
//! while the server's release build is elsewhere.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::Error;

/// A fresh database (SQLite in a scratch directory, or the empty PostgreSQL one given) whose
/// seeded #general holds `count` messages, `body(n)` each, written in batches of 1,000.
struct Filled {
    conn: sea_orm::DatabaseConnection,
    channel: uuid::Uuid,
    engine: &'static str,
    scratch: std::path::PathBuf,
}

impl Drop for Filled {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}

async fn fill(
    count: u64,
    database: Option<String>,
    body: impl Fn(u64) -> String,
) -> Result<Filled, Error> {
    fill_by(count, 1, database, body).await
}

/// [`fill`] with `authors` people writing in turn (each a member of the community).
async fn fill_by(
    count: u64,
    authors: u64,
    database: Option<String>,
    body: impl Fn(u64) -> String,
) -> Result<Filled, Error> {
    use bullpen::{
        entities::{channels, messages, users},
        platform::{config::DatabaseUrl, db},
    };
    use sea_orm::{
        sea_query::Expr, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait,
    };

    let scratch = std::env::temp_dir().join(format!("bullpen-bench-{}", std::process::id()));
    let (url, engine) = match database {
        Some(url) => (DatabaseUrl::Postgres(url), "PostgreSQL"),
        None => {
            std::fs::create_dir_all(&scratch)?;
            (DatabaseUrl::Sqlite(scratch.join("bench.db")), "SQLite")
        }
    };
    let conn = db::connect(&url).await?;
    db::migrate(&conn).await?;
    let channel = channels::Entity::find()
        .filter(channels::Column::Name.eq("general"))
        .one(&conn)
        .await?
        .ok_or("the seeded #general is missing: use an empty database")?;
    let now = chrono::Utc::now();
    let people: Vec<uuid::Uuid> = (0..authors.max(1)).map(|_| uuid::Uuid::now_v7()).collect();
    for chunk in people.chunks(500) {
        users::Entity::insert_many(chunk.iter().map(|id| {
            let name = format!("bench{}", &id.simple().to_string()[20..]);
            users::ActiveModel {
                id: Set(*id),
                email: Set(format!("bench-{id}@example.com")),
                username: Set(name.clone()),
                username_key: Set(name),
                display_name: Set("Bench".into()),
                password_hash: Set("-".into()),
                bio: Set(String::new()),
                preferred_language: Set("en".into()),
                time_zone: Set("UTC".into()),
                auto_translate: Set(true),
                avatar: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
        }))
        .exec_without_returning(&conn)
        .await?;
    }
    let started = Instant::now();
    let batch = 1000u64;
    for first in (1..=count).step_by(batch as usize) {
        let txn = conn.begin().await?;
        let rows = (first..(first + batch).min(count + 1)).map(|seq| messages::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            channel_id: Set(channel.id),
            seq: Set(seq as i64),
            author_id: Set(people[(seq % people.len() as u64) as usize]),
            body: Set(Some(body(seq))),
            reply_to: Set(None),
            // A minute apart, newest last, so time filters and "newest first" mean something.
            created_at: Set(now - chrono::Duration::minutes((count - seq) as i64)),
            edited_at: Set(None),
            deleted_at: Set(None),
            pinned_at: Set(None),
            pinned_by: Set(None),
            language: Set(Some("en".into())),
            ai_status: Set(None),
        });
        messages::Entity::insert_many(rows).exec(&txn).await?;
        txn.commit().await?;
    }
    channels::Entity::update_many()
        .col_expr(channels::Column::LastSeq, Expr::value(count as i64))
        .filter(channels::Column::Id.eq(channel.id))
        .exec(&conn)
        .await?;
    println!(
        "stored {count} messages in {:.1} s ({engine})",
        started.elapsed().as_secs_f64()
    );
    // The statistics a running PostgreSQL has (autovacuum gathers them within minutes of a
    // bulk load): without them it plans the first searches blind. (SQLite gathers none unless
    // asked, and the app never asks.)
    if engine == "PostgreSQL" {
        sea_orm::ConnectionTrait::execute_unprepared(&conn, "ANALYZE messages").await?;
    }
    Ok(Filled {
        conn,
        channel: channel.id,
        engine,
        scratch,
    })
}

/// `runs` timings of `query`, in milliseconds, sorted.
async fn timed<F, Fut>(runs: usize, mut query: F) -> Result<Vec<f64>, Error>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = Result<(), Error>>,
{
    let mut times = Vec::with_capacity(runs);
    for run in 0..runs {
        let t = Instant::now();
        query(run).await?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    Ok(times)
}

fn percentile(sorted: &[f64], p: usize) -> f64 {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

/// Fills #general of the seeded community with `count` messages, then times the query a
/// channel page opens with (`chat::repo::page_before`, newest 50 + 1) and one deep in history.
pub async fn history(count: u64, database: Option<String>, runs: usize) -> Result<(), Error> {
    let filled = fill(count, database, |seq| {
        format!("message number {seq}: $AAPL looks cheap")
    })
    .await?;
    for (label, before) in [
        ("newest 50", None),
        ("50 from the middle", Some(count as i64 / 2)),
    ] {
        let (conn, channel) = (&filled.conn, filled.channel);
        let times = timed(runs, move |_| async move {
            let page = bullpen::chat::repo::page_before(conn, channel, before, 51).await?;
            assert_eq!(page.len(), 51);
            Ok(())
        })
        .await?;
        println!(
            "{label}: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms ({runs} runs, {})",
            percentile(&times, 50),
            percentile(&times, 99),
            times[runs - 1],
            filled.engine
        );
    }
    Ok(())
}

/// Words the search benchmark's messages are made of: a finance chat's, common and rare.
const SEARCH_WORDS: &[&str] = &[
    "fed",
    "rates",
    "cpi",
    "inflation",
    "earnings",
    "guidance",
    "beat",
    "miss",
    "calls",
    "puts",
    "bullish",
    "bearish",
    "breakout",
    "support",
    "resistance",
    "volume",
    "short",
    "squeeze",
    "dividend",
    "buyback",
    "margin",
    "yield",
    "bonds",
    "treasury",
    "dollar",
    "oil",
    "gold",
    "semis",
    "chips",
    "cloud",
    "software",
    "banks",
    "energy",
    "retail",
    "housing",
    "jobs",
    "payrolls",
    "unemployment",
    "recession",
    "soft",
    "landing",
    "pivot",
    "hike",
    "cut",
    "pause",
    "minutes",
    "powell",
    "opening",
    "close",
    "premarket",
    "afterhours",
    "gap",
    "fill",
    "trend",
    "moving",
    "average",
    "rsi",
    "macd",
    "overbought",
    "oversold",
    "rally",
    "selloff",
    "dip",
    "buy",
    "sell",
    "hold",
    "trim",
    "add",
    "position",
    "stop",
    "loss",
    "target",
    "price",
    "valuation",
    "multiple",
    "growth",
    "value",
    "momentum",
    "options",
    "expiry",
    "friday",
    "monday",
    "week",
    "month",
    "quarter",
    "year",
    "today",
    "tomorrow",
    "report",
    "print",
    "data",
    "consensus",
    "estimate",
    "revenue",
    "profit",
    "cash",
    "flow",
    "debt",
    "split",
];

/// Fills #general with `count` chat-like messages of finance words, then times two-word
/// searches (`search::repo::messages_matching`, a page of 26 newest first) against the
/// "newest 50" page query on the same database as the reference.
pub async fn search(count: u64, database: Option<String>, runs: usize) -> Result<(), Error> {
    use bullpen::search::{repo, service::forms_of};

    // A fixed pseudo-random sequence: the same messages every run.
    let word =
        |n: u64| SEARCH_WORDS[(n.wrapping_mul(2_654_435_761) >> 7) as usize % SEARCH_WORDS.len()];
    let filled = fill(count, database, |seq| {
        let length = 6 + seq % 10;
        (0..length)
            .map(|i| word(seq * 31 + i * 7919))
            .collect::<Vec<_>>()
            .join(" ")
    })
    .await?;
    let (conn, channel) = (&filled.conn, filled.channel);
    let reference = timed(runs, move |_| async move {
        bullpen::chat::repo::page_before(conn, channel, None, 51).await?;
        Ok(())
    })
    .await?;
    let found = std::cell::Cell::new(0usize);
    let found = &found;
    let searches = timed(runs, move |run| {
        let first = SEARCH_WORDS[run % SEARCH_WORDS.len()];
        let second = SEARCH_WORDS[(run * 7 + 3) % SEARCH_WORDS.len()];
        async move {
            let hits = repo::messages_matching(
                conn,
                repo::MessageSearch {
                    channels: vec![channel],
                    words: vec![forms_of(first), forms_of(second)],
                    authors: None,
                    hidden_authors: Vec::new(),
                    cashtags: Vec::new(),
                    has_link: false,
                    has_file: false,
                    before: None,
                    after: None,
                    limit: 26,
                    recent_per_channel: repo::RECENT_PER_CHANNEL,
                },
            )
            .await?;
            found.set(found.get() + hits.len());
            Ok(())
        }
    })
    .await?;
    println!(
        "two-word search: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms; {:.1} hits a search \
         ({runs} runs, {})",
        percentile(&searches, 50),
        percentile(&searches, 95),
        searches[runs - 1],
        found.get() as f64 / runs as f64,
        filled.engine
    );
    println!(
        "reference, the newest-50 page: p50 {:.2} ms, p95 {:.2} ms; search p95 / reference p95 = {:.1}",
        percentile(&reference, 50),
        percentile(&reference, 95),
        percentile(&searches, 95) / percentile(&reference, 95)
    );
    Ok(())
}

/// Lines the analytics benchmark's people write: one in four names a ticker, bullish or not.
const ANALYTICS_LINES: &[&str] = &[
    "$AAPL to the moon, strong buy",
    "morning all, coffee first",
    "what did the Fed say?",
    "watching the open",
    "$TSLA is a disaster, dumping it",
    "nice call yesterday",
    "anyone reading the CPI print?",
    "lunch",
    "$NVDA breaking out, bullish",
    "volume is thin today",
    "see you tomorrow",
    "charts look choppy",
    "$MSFT earnings next week, no view yet",
    "good point",
    "holding cash for now",
    "rates rates rates",
];

/// Fills a community with `count` messages from `authors` people, a minute apart (a million
/// spans almost two years), rolls its analytics up from scratch, then times a manager's page
/// over 30 days, a year and two years against the newest-50 history read in the same run.
pub async fn analytics(
    count: u64,
    authors: u64,
    database: Option<String>,
    runs: usize,
) -> Result<(), Error> {
    use bullpen::{entities::communities, insights::analytics::service};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let filled = fill_by(count, authors, database, |seq| {
        ANALYTICS_LINES[(seq.wrapping_mul(2_654_435_761) >> 5) as usize % ANALYTICS_LINES.len()]
            .to_string()
    })
    .await?;
    let (conn, channel) = (&filled.conn, filled.channel);
    let community_id = bullpen::entities::channels::Entity::find_by_id(channel)
        .one(conn)
        .await?
        .ok_or("#general is gone")?
        .community_id;
    let community = communities::Entity::find()
        .filter(communities::Column::Id.eq(community_id))
        .one(conn)
        .await?
        .ok_or("the community is gone")?;

    let now = chrono::Utc::now();
    let started = Instant::now();
    let backfill = service::roll_up(conn, now)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the roll-up was held")?;
    println!(
        "roll-up from scratch: {} days, {} messages in {:.1} s ({})",
        backfill.days,
        backfill.messages,
        started.elapsed().as_secs_f64(),
        filled.engine
    );
    // A running PostgreSQL's autovacuum gathers the new tables' statistics within minutes.
    if filled.engine == "PostgreSQL" {
        sea_orm::ConnectionTrait::execute_unprepared(conn, "ANALYZE").await?;
    }
    // What the job does every minute from then on: yesterday and today again.
    let steady = timed(runs.min(20), |_| async move {
        service::roll_up(conn, chrono::Utc::now())
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    })
    .await?;
    let reference = timed(runs, move |_| async move {
        bullpen::chat::repo::page_before(conn, channel, None, 51).await?;
        Ok(())
    })
    .await?;
    println!(
        "reference, the newest-50 page: p50 {:.2} ms, p95 {:.2} ms ({runs} runs)",
        percentile(&reference, 50),
        percentile(&reference, 95)
    );
    println!(
        "the job's steady run (yesterday and today): p50 {:.1} ms, max {:.1} ms",
        percentile(&steady, 50),
        steady[steady.len() - 1]
    );
    let today = now.date_naive();
    for days in [30i64, 365, 731] {
        let span = (today - chrono::Duration::days(days - 1), today);
        let community = &community;
        let shown = std::cell::Cell::new(0u64);
        let shown = &shown;
        let times = timed(runs, move |_| async move {
            let figures = service::figures(conn, community.clone(), span)
                .await
                .map_err(|e| e.to_string())?;
            shown.set(figures.totals.messages);
            Ok(())
        })
        .await?;
        println!(
            "analytics over {days} days ({} messages): p50 {:.2} ms, p95 {:.2} ms; p95 / reference p95 = {:.1}",
            shown.get(),
            percentile(&times, 50),
            percentile(&times, 95),
            percentile(&times, 95) / percentile(&reference, 95)
        );
    }
    Ok(())
}

/// Chat lines of every kind the engine meets: clean, finance slang, profanity, abuse, other
/// languages, long and short.
const MODERATION_SAMPLE: &[&str] = &[
    "this stock is killing it",
    "short squeeze incoming, hold the line",
    "Dick's Sporting Goods beat earnings, $DKS up 8%",
    "I'm bullish on NVDA, calls expiring Friday",
    "what a bloodbath in small caps today",
    "RSI at 78 and MACD rolling over, I'd take some profits here before the Fed minutes",
    "damn, missed the breakout again",
    "shut up you stupid moron",
    "go fuck yourself",
    "f u c k you",
    "nobody cares about your dumb opinion",
    "eres un genio, gracias por el análisis",
    "bu hisse bugün çok iyi gidiyor",
    "lol",
    "Long **$AAPL** into earnings; stop at 182, target 205. The services margin keeps expanding and buybacks continue.",
];

/// Judges the sample lines in a loop on this thread and prints the rate.
pub fn moderation(count: usize) {
    use bullpen::ai::moderation::assess;

    // The model loads once, outside the timing.
    let _ = assess("warm up");
    let started = Instant::now();
    let mut flagged = 0usize;
    for i in 0..count {
        if assess(MODERATION_SAMPLE[i % MODERATION_SAMPLE.len()]).score >= 0.7 {
            flagged += 1;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "built-in moderation: {count} messages in {secs:.2} s on one thread: {:.0} messages/s ({flagged} flagged)",
        count as f64 / secs
    );
}

/// US symbols of the shipped directory, so the offline source prices every holding.
fn directory_symbols(count: usize) -> Vec<String> {
    include_str!("../../assets/market/symbols.csv")
        .lines()
        .skip(1)
        .filter_map(|line| line.split(',').next())
        .filter(|symbol| !symbol.contains('.') && !symbol.starts_with('^'))
        .take(count)
        .map(str::to_string)
        .collect()
}

pub async fn portfolio(
    url: &str,
    transactions: usize,
    symbols: usize,
    runs: usize,
) -> Result<(), Error> {
    use bullpen::portfolio::import::{guess_mapping, records, CHUNK_ROWS};

    let http = reqwest::Client::new();
    let name = format!("pf{}", std::process::id());
    let response = http
        .post(format!("{url}/api/auth/register"))
        .json(&json!({"email": format!("{name}@example.com"), "username": name, "displayName": "Bench", "password": "correct horse battery"}))
        .send()
        .await?;
    if !response.status().is_success() {
        return Err(format!("registering: {}", response.text().await?).into());
    }
    let token = response.json::<Value>().await?["token"]
        .as_str()
        .ok_or("no token")?
        .to_string();
    let call = |path: String, body: Value| {
        let request = http
            .post(format!("{url}{path}"))
            .bearer_auth(&token)
            .json(&body);
        async move {
            let response = request.send().await?;
            let status = response.status();
            let body: Value = response.json().await?;
            if !status.is_success() {
                return Err::<Value, Error>(format!("{path}: {status} {body}").into());
            }
            Ok(body)
        }
    };

    // Two purchases and a sale per symbol in turn, spread over ten years.
    let names = directory_symbols(symbols);
    let start = chrono::NaiveDate::from_ymd_opt(2016, 1, 4).ok_or("date")?;
    let mut file = String::from("date,type,symbol,shares,price,fees\n");
    for i in 0..transactions {
        let day = start + chrono::Duration::days((i * 3650 / transactions) as i64);
        let symbol = &names[i % names.len()];
        let (kind, shares) = if (i / names.len()) % 3 == 2 {
            ("SELL", 5)
        } else {
            ("BUY", 4)
        };
        file.push_str(&format!(
            "{day},{kind},{symbol},{shares},{}.{:02},1\n",
            20 + i % 300,
            i % 100
        ));
    }
    let rows = records(&file);
    let mapping = guess_mapping(&rows[0]);
    let imported = Instant::now();
    let started = call("/api/portfolio/import/start".into(), json!({})).await?;
    let (import, portfolio) = (
        started[0].as_str().ok_or("import id")?.to_string(),
        started[1]["id"].as_str().ok_or("id")?.to_string(),
    );
    for (i, part) in rows[1..].chunks(CHUNK_ROWS).enumerate() {
        let refused = call(
            "/api/portfolio/import/rows".into(),
            json!({"portfolio": portfolio, "import": import, "mapping": mapping, "first_row": 2 + i * CHUNK_ROWS, "rows": part}),
        )
        .await?;
        if refused.as_array().is_some_and(|r| !r.is_empty()) {
            return Err(format!("rows refused: {refused}").into());
        }
    }
    let done = call(
        "/api/portfolio/import/confirm".into(),
        json!({"portfolio": portfolio, "import": import}),
    )
    .await?;
    println!(
        "imported {} transactions across {} symbols in {:.2} s",
        done["valid"],
        names.len(),
        imported.elapsed().as_secs_f64()
    );

    let timed = |path: String| {
        let request = http.get(format!("{url}{path}")).bearer_auth(&token);
        async move {
            let started = Instant::now();
            let response = request.send().await?;
            if !response.status().is_success() {
                return Err::<Duration, Error>(format!("{path}: {}", response.status()).into());
            }
            response.bytes().await?;
            Ok(started.elapsed())
        }
    };
    for (label, path) in [
        (
            "figures  GET /api/portfolio",
            format!("/api/portfolio?portfolio={portfolio}"),
        ),
        (
            "chart    GET /api/portfolio/performance (all)",
            format!("/api/portfolio/performance?portfolio={portfolio}&range=all"),
        ),
        (
            "chart    GET /api/portfolio/performance (1y)",
            format!("/api/portfolio/performance?portfolio={portfolio}&range=1y"),
        ),
    ] {
        // The first request fills the price cache (quotes and histories from the source).
        let cold = timed(path.clone()).await?;
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            times.push(timed(path.clone()).await?);
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{label}: first {:.1} ms; cached p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({runs} runs)",
            ms(cold),
            ms(times[times.len() / 2]),
            ms(times[(times.len() * 99 / 100).min(times.len() - 1)]),
            ms(times[times.len() - 1]),
        );
    }
    Ok(())
}
