//! The hosted market sources over HTTP, against a local server that replays the bodies the real
//! services send (../shared/fixtures/providers/README.md): answers, refusals sent with HTTP 200,
//! rate limits, malformed bodies and a source too slow to wait for; the chain falling through
//! and skipping a failing source; the database cache and one upstream call per symbol.

use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use axum::{extract::State, http::StatusCode, response::IntoResponse, routing::get, Router};
use bullpen::{
    market::{
        alpha_vantage::AlphaVantage,
        offline::Offline,
        polygon::Polygon,
        provider::{Chain, MarketError, Provider},
        service::Market,
        stooq::Stooq,
    },
    platform::{config::DatabaseUrl, db},
};

/// What the local server answers: a status, a body, and how long it waits first.
#[derive(Clone)]
struct Reply {
    status: u16,
    body: &'static str,
    delay: Duration,
}

fn ok(body: &'static str) -> Reply {
    Reply {
        status: 200,
        body,
        delay: Duration::ZERO,
    }
}

#[derive(Clone)]
struct Script {
    reply: Reply,
    hits: Arc<AtomicUsize>,
}

async fn answer(State(script): State<Script>) -> impl IntoResponse {
    script.hits.fetch_add(1, Ordering::SeqCst);
    tokio::time::sleep(script.reply.delay).await;
    (
        StatusCode::from_u16(script.reply.status).unwrap(),
        script.reply.body,
    )
}

/// A server answering every path with `reply`; returns its base URL and the hit counter.
async fn serve(reply: Reply) -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let app = Router::new().fallback(get(answer)).with_state(Script {
        reply,
        hits: hits.clone(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), hits)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap()
}

const STOOQ_QUOTE: &str = "Symbol,Date,Time,Open,High,Low,Close,Volume\r\nAAPL.US,2026-04-26,22:00:01,175.21,176.48,174.99,175.43,52341234\r\n";
const STOOQ_INTERSTITIAL: &str =
    "<!DOCTYPE html><html><head><title>Checking your browser</title></head><body></body></html>";
const AV_QUOTE: &str = r#"{"Global Quote":{"01. symbol":"MSFT","02. open":"134.5700","03. high":"134.6000","04. low":"133.1600","05. price":"133.9600","06. volume":"30042969","07. latest trading day":"2019-06-28","08. previous close":"134.1500","09. change":"-0.1900","10. change percent":"-0.1416%"}}"#;
const AV_RATE_LIMITED: &str = r#"{"Information":"Thank you for using Alpha Vantage! Our standard API rate limit is 25 requests per day. Please subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly remove all daily rate limits."}"#;
const POLYGON_PREV: &str = r#"{"ticker":"AAPL","queryCount":1,"resultsCount":1,"adjusted":true,"results":[{"T":"AAPL","v":9.5595226e+07,"vw":158.6074,"o":162.25,"c":156.8,"h":162.34,"l":156.72,"t":1651003200000,"n":899965}],"status":"OK","request_id":"5e5378d5ecaf3df794bb52e45d015d2e","count":1}"#;
const POLYGON_NOT_ENTITLED: &str = r#"{"status":"NOT_AUTHORIZED","request_id":"a1","message":"You are not entitled to this data. Please upgrade your plan."}"#;
const POLYGON_BAD_KEY: &str = r#"{"status":"ERROR","request_id":"a2","error":"Unknown API Key"}"#;

#[tokio::test]
async fn each_source_reads_its_answers_and_names_its_refusals() {
    let (base, _) = serve(ok(STOOQ_QUOTE)).await;
    assert_eq!(
        Stooq::new(client(), &base, None)
            .quote("AAPL")
            .await
            .unwrap()
            .price,
        175.43
    );
    let (base, _) = serve(ok(STOOQ_INTERSTITIAL)).await;
    assert!(
        matches!(Stooq::new(client(), &base, None).quote("AAPL").await, Err(MarketError::Refused(_, why)) if why.contains("HTML"))
    );

    let (base, _) = serve(ok(AV_QUOTE)).await;
    let quote = AlphaVantage::new(client(), &base, "test-key".into())
        .quote("MSFT")
        .await
        .unwrap();
    assert_eq!((quote.price, quote.previous_close), (133.96, Some(134.15)));
    let (base, _) = serve(ok(AV_RATE_LIMITED)).await;
    assert!(matches!(
        AlphaVantage::new(client(), &base, "k".into())
            .quote("MSFT")
            .await,
        Err(MarketError::RateLimited(..))
    ));
    let (base, _) = serve(ok("{not json")).await;
    assert!(matches!(
        AlphaVantage::new(client(), &base, "k".into())
            .quote("MSFT")
            .await,
        Err(MarketError::Malformed(..))
    ));

    let (base, _) = serve(ok(POLYGON_PREV)).await;
    assert_eq!(
        Polygon::new(client(), &base, "k".into())
            .quote("AAPL")
            .await
            .unwrap()
            .price,
        156.8
    );
    let (base, _) = serve(Reply {
        status: 403,
        body: POLYGON_NOT_ENTITLED,
        delay: Duration::ZERO,
    })
    .await;
    assert!(
        matches!(Polygon::new(client(), &base, "k".into()).quote("AAPL").await, Err(MarketError::Refused(_, why)) if why.contains("not entitled"))
    );
    let (base, _) = serve(Reply {
        status: 401,
        body: POLYGON_BAD_KEY,
        delay: Duration::ZERO,
    })
    .await;
    assert!(
        matches!(Polygon::new(client(), &base, "k".into()).quote("AAPL").await, Err(MarketError::Refused(_, why)) if why == "Unknown API Key")
    );
    // A 429 sometimes comes with no body at all.
    let (base, _) = serve(Reply {
        status: 429,
        body: "",
        delay: Duration::ZERO,
    })
    .await;
    assert!(matches!(
        Polygon::new(client(), &base, "k".into())
            .quote("AAPL")
            .await,
        Err(MarketError::RateLimited(..))
    ));
    // Too slow: given up on, not waited for.
    let (base, _) = serve(Reply {
        status: 200,
        body: POLYGON_PREV,
        delay: Duration::from_secs(5),
    })
    .await;
    assert!(
        matches!(Polygon::new(client(), &base, "k".into()).quote("AAPL").await, Err(MarketError::Unavailable(_, why)) if why == "timed out")
    );
}

#[tokio::test]
async fn the_chain_falls_through_to_offline_and_stops_asking_a_refusing_source() {
    let (base, hits) = serve(ok(STOOQ_INTERSTITIAL)).await;
    let chain = Chain::new(vec![
        Box::new(Stooq::new(client(), &base, None)) as Box<dyn Provider>,
        Box::new(Offline::new()),
    ]);
    for _ in 0..6 {
        let quote = chain.quote("AAPL").await.unwrap();
        assert_eq!(quote.source, "offline");
        assert!(quote.simulated);
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        3,
        "after three refusals Stooq is skipped"
    );

    let (base, hits) = serve(ok(AV_RATE_LIMITED)).await;
    let chain = Chain::new(vec![
        Box::new(AlphaVantage::new(client(), &base, "k".into())) as Box<dyn Provider>,
        Box::new(Offline::new()),
    ]);
    chain.quote("MSFT").await.unwrap();
    chain.quote("MSFT").await.unwrap();
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "a rate-limited source is left alone at once"
    );

    // Intraday prices come from a source that has them: Stooq has none, and says so rather
    // than failing like a source that is down; Polygon answers.
    let (base, _) = serve(ok(POLYGON_PREV)).await;
    let chain = Chain::new(vec![
        Box::new(Stooq::new(client(), &base, None)) as Box<dyn Provider>,
        Box::new(Polygon::new(client(), &base, "k".into())),
    ]);
    let (bars, source) = chain.intraday("AAPL").await.unwrap();
    assert_eq!((source, bars.len(), bars[0].close), ("polygon", 1, 156.8));
    let stooq = Chain::new(vec![
        Box::new(Stooq::new(client(), &base, None)) as Box<dyn Provider>
    ]);
    assert!(matches!(
        stooq.intraday("AAPL").await,
        Err(MarketError::Unsupported("stooq"))
    ));
    // The offline source simulates its sessions too, and says so on every bar.
    let offline = Chain::new(vec![Box::new(Offline::new()) as Box<dyn Provider>]);
    let (bars, source) = offline.intraday("AAPL").await.unwrap();
    assert_eq!(source, "offline");
    assert!(!bars.is_empty() && bars.iter().all(|b| b.simulated));
}

#[tokio::test]
async fn quotes_are_cached_in_the_database_and_fetched_once_however_many_ask() {
    let dir = tempfile::tempdir().unwrap();
    let database = db::connect(&DatabaseUrl::Sqlite(dir.path().join("market.db")))
        .await
        .unwrap();
    db::migrate(&database).await.unwrap();
    let (base, hits) = serve(Reply {
        status: 200,
        body: STOOQ_QUOTE,
        delay: Duration::from_millis(100),
    })
    .await;
    let market = Arc::new(Market::new(Chain::new(vec![Box::new(Stooq::new(
        client(),
        &base,
        None,
    ))])));

    let asks = (0..10).map(|_| {
        let (market, database) = (market.clone(), database.clone());
        tokio::spawn(async move { market.quote(&database, "AAPL").await.unwrap().price })
    });
    for price in futures::future::join_all(asks).await {
        assert_eq!(price.unwrap(), 175.43);
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "ten at once, one upstream call"
    );
    assert_eq!(
        market.fetches_in_flight(),
        0,
        "nothing is kept per symbol once the fetch is done"
    );
    // Another process (a restart, another instance) reads the same cache.
    let restarted = Market::new(Chain::new(vec![Box::new(Stooq::new(
        client(),
        &base,
        None,
    ))]));
    assert_eq!(
        restarted.quote(&database, "AAPL").await.unwrap().price,
        175.43
    );
    assert_eq!(hits.load(Ordering::SeqCst), 1);

    let history = Market::new(Chain::new(vec![Box::new(Offline::new())]))
        .history(&database, "IBM")
        .await
        .unwrap();
    assert_eq!(history.source, "offline");
    assert!(
        history.bars.len() > 1_000 && history.bars.iter().all(|b| b.simulated),
        "the last six years are past the real data"
    );
}
