//! The modes that run Bullpen's own code in this process (its queries, its moderation engine,
//! its import parser): built with the default feature `bullpen-inside`. The websocket modes do
//! not need it — `cargo build --release -p loadgen --no-default-features` builds in a minute
//! while the server's release build is elsewhere.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::Error;

/// Fills #general of the seeded community with `count` messages, then times the query a
/// channel page opens with (`chat::repo::page_before`, newest 50 + 1) and one deep in history.
pub async fn history(count: u64, database: Option<String>, runs: usize) -> Result<(), Error> {
    use bullpen::{
        chat::repo::page_before,
        entities::{channels, messages, users},
        platform::{config::DatabaseUrl, db},
    };
    use sea_orm::{
        sea_query::Expr, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait,
    };

    let scratch = std::env::temp_dir().join(format!("bullpen-history-{}", std::process::id()));
    let url = match database {
        Some(url) => DatabaseUrl::Postgres(url),
        None => {
            std::fs::create_dir_all(&scratch)?;
            DatabaseUrl::Sqlite(scratch.join("bench.db"))
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
    let author = uuid::Uuid::now_v7();
    users::Entity::insert(users::ActiveModel {
        id: Set(author),
        email: Set(format!("bench-{author}@example.com")),
        username: Set(format!("bench{}", &author.simple().to_string()[..8])),
        username_key: Set(format!("bench{}", &author.simple().to_string()[..8])),
        display_name: Set("Bench".into()),
        password_hash: Set("-".into()),
        bio: Set(String::new()),
        preferred_language: Set("en".into()),
        time_zone: Set("UTC".into()),
        auto_translate: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(&conn)
    .await?;
    let started = Instant::now();
    let batch = 1000u64;
    for first in (1..=count).step_by(batch as usize) {
        let txn = conn.begin().await?;
        let rows = (first..(first + batch).min(count + 1)).map(|seq| messages::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            channel_id: Set(channel.id),
            seq: Set(seq as i64),
            author_id: Set(author),
            body: Set(Some(format!("message number {seq}: $AAPL looks cheap"))),
            reply_to: Set(None),
            created_at: Set(now),
            edited_at: Set(None),
            deleted_at: Set(None),
            pinned_at: Set(None),
            pinned_by: Set(None),
            language: Set(None),
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
        "stored {count} messages in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    for (label, before) in [
        ("newest 50", None),
        ("50 from the middle", Some(count as i64 / 2)),
    ] {
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            let page = page_before(&conn, channel.id, before, 51).await?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(page.len(), 51);
        }
        times.sort_by(|a, b| a.total_cmp(b));
        println!(
            "{label}: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms ({runs} runs, {})",
            times[runs / 2],
            times[(runs * 99 / 100).min(runs - 1)],
            times[runs - 1],
            match &url {
                DatabaseUrl::Sqlite(_) => "SQLite",
                DatabaseUrl::Postgres(_) => "PostgreSQL",
            }
        );
    }
    let _ = std::fs::remove_dir_all(&scratch);
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
