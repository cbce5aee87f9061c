//! The composition root: builds the services from the configuration, the router (Leptos pages,
//! server functions, `/health`, static files) and the listener, and starts the background
//! tasks. Nothing imports this but `main.rs`; it may import every floor.

use std::{net::SocketAddr, sync::Arc};

use axum::{
    body::Body,
    extract::{Request, State},
    http::StatusCode,
    middleware,
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use futures::future::BoxFuture;
use leptos::server_fn::ServerFn;
use leptos_axum::{file_and_error_handler, generate_route_list, LeptosRoutes};
use tower_http::{compression::CompressionLayer, trace::TraceLayer};

use crate::auth::UserId;
use crate::{
    app::{shell, App},
    auth::{caller, service::Welcome},
    chat::{self, command_handlers::CommandRegistry},
    integrations::bots::QueuedCommand,
    market::{
        self,
        insights::{Crowd, CrowdDay, CrowdMessage},
        service::Holdings,
    },
    platform::{
        broker::Broker,
        config::Config,
        db,
        error::AppError,
        meta, secrets, security, site,
        state::{AppState, Services},
    },
};

/// Opens the database named by the configuration and brings its schema up to date.
pub async fn connect_and_migrate(config: &Config) -> Result<sea_orm::DatabaseConnection, String> {
    let db = db::connect(&config.database)
        .await
        .map_err(|e| format!("cannot open {}: {e}", db::name()))?;
    db::migrate(&db)
        .await
        .map_err(|e| format!("database migration failed: {e}"))?;
    Ok(db)
}

/// Everything a server or a bot process shares: database, broker, AI, market data.
pub async fn build_state(config: Config) -> Result<AppState, String> {
    let jwt_secret =
        secrets::jwt_secret(config.jwt_secret.as_deref(), &config.data_dir).map_err(|e| {
            format!(
                "cannot prepare the JWT secret in {}: {e}",
                config.data_dir.display()
            )
        })?;
    // After the secret: that made sure the data directory exists, where a bundled site unpacks.
    let leptos = site::options(&config.data_dir)?;
    let db = connect_and_migrate(&config).await?;
    let broker = Broker::connect(config.redis_url.as_deref(), &config.redis_prefix)
        .await
        .map_err(|e| format!("cannot start the message broker from REDIS_URL: {e}"))?;
    tracing::info!(broker = broker.kind(), "message broker ready");
    meta::record_installation(&db)
        .await
        .map_err(|e| format!("cannot write to the database: {e}"))?;
    tracing::info!(database = ?config.database, "database ready");
    let files = crate::platform::files::FileStore::open(&config.files.store)
        .map_err(|e| format!("cannot open the file store (OBJECT_STORE_URL): {e}"))?;
    tracing::info!(store = %files.describe, max_upload_bytes = config.files.max_upload_bytes, "file store ready");

    tracing::info!(
        hosted = config
            .hosted_ai
            .as_ref()
            .map(|ai| ai.model.as_str())
            .unwrap_or("none"),
        apertium = config.apertium_url.as_deref().unwrap_or("none"),
        "AI engines: built-in moderation and language detection"
    );
    let market = crate::market::service::Market::from_config(&config.market);
    tracing::info!(sources = ?market.sources(), "market data");
    let hashing = crate::auth::password::configure(
        crate::auth::password::HashingLimits::from_config(&config),
    );
    tracing::info!(
        threads = hashing.threads,
        queue = hashing.queue,
        "password hashing"
    );
    let pusher =
        crate::platform::push::Pusher::load(&db, &config.push, config.outbound_to_private).await?;
    tracing::info!(key = %pusher.vapid.public_key(), "web push ready");
    let mut services = Services::default()
        .with(commands())
        .with(Welcome(crate::community::service::join_default))
        .with(crate::community::service::Founded(
            crate::integrations::service::founded,
        ))
        .with(crate::ai::provider::Engines(
            crate::ai::provider::from_config(&config),
        ))
        .with(crate::moderation::worker::AiWork::new())
        .with(crate::chat::writer::MessageWriter::new())
        .with(message_parts())
        .with(message_listeners())
        .with(community_endings())
        .with(socket_riders())
        .with(pusher)
        .with(market)
        .with(Holdings(holdings))
        .with(Crowd {
            messages: crowd,
            mentions: crowd_mentions,
            days: crowd_days,
        })
        .with(crate::polls::service::PollPrices(poll_price))
        .with(crate::events::service::EarningsDays(earnings_day))
        .with(crate::integrations::service::MarketFeed {
            quote: feed_quote,
            news: feed_news,
            has_news: feed_has_news,
        })
        .with(crate::cards::service::Portfolios {
            figures: card_figures,
            choices: card_choices,
        })
        .with(crate::portfolio::alerts::AlertPush(alert_push))
        .with(market::live::QuoteFeed::default())
        .with(chat::socket::PriceWatch(watch_price))
        .with(chat::socket::OpenSockets::default())
        .with(chat::socket::RecentSends::default());
    if let Some(hosted) = config.hosted_ai.clone() {
        services = services.with(crate::assistant::hosted::HostedAssistant::new(hosted));
    }
    Ok(AppState {
        leptos_options: leptos,
        config: Arc::new(config),
        db,
        broker,
        files,
        jwt_secret: jwt_secret.into(),
        instance_id: uuid::Uuid::now_v7(),
        shutdown: Default::default(),
        services,
    })
}

// The bridges between the two towers (DESIGN.md, "floors"): each domain says what it needs
// from the other as a function type, and these give it.

/// Market's recommendations rank what a person holds: the portfolio's symbols.
fn holdings(
    db: &sea_orm::DatabaseConnection,
    user: uuid::Uuid,
) -> BoxFuture<'_, Result<Vec<String>, AppError>> {
    Box::pin(crate::portfolio::service::held_symbols(db, UserId(user)))
}

/// Market's "what the crowd says" reads chat's messages that name a ticker.
fn crowd<'a>(
    state: &'a AppState,
    viewer: Option<uuid::Uuid>,
    ticker: &'a str,
    since: chrono::DateTime<chrono::Utc>,
    limit: u64,
) -> BoxFuture<'a, Result<Vec<CrowdMessage>, AppError>> {
    Box::pin(async move {
        let found = crate::insights::crowd::cashtag_messages(
            &state.db,
            viewer.map(UserId),
            ticker,
            since,
            limit,
        )
        .await?;
        Ok(found
            .into_iter()
            .map(|m| CrowdMessage {
                id: m.id.to_string(),
                author_id: m.author_id,
                author: m.author,
                community: m.community,
                community_slug: m.community_slug,
                channel: m.channel,
                body: m.body,
                at: m.at,
            })
            .collect())
    })
}

/// A fired price alert goes to the person's browsers through chat's push subscriptions.
fn alert_push(
    state: &AppState,
    person: uuid::Uuid,
    title: crate::kit::sentences::Sentence,
    body: crate::kit::sentences::Sentence,
    url: String,
    tag: String,
) -> BoxFuture<'_, ()> {
    Box::pin(async move {
        let pushed =
            crate::notify::service::push_notice(state, UserId(person), (title, body), url, tag)
                .await;
        if let Err(err) = pushed {
            tracing::warn!(error = %err, "could not push a fired alert");
        }
    })
}

/// Market's trending reads chat's daily mentions per ticker.
fn crowd_mentions(
    state: &AppState,
    viewer: Option<uuid::Uuid>,
    days: (chrono::NaiveDate, chrono::NaiveDate),
) -> BoxFuture<'_, Result<std::collections::HashMap<String, i64>, AppError>> {
    Box::pin(crate::insights::crowd::cashtag_mentions(
        &state.db,
        viewer.map(UserId),
        days,
    ))
}

/// Market's community moods read chat's days of a ticker in a person's communities.
fn crowd_days<'a>(
    state: &'a AppState,
    viewer: uuid::Uuid,
    ticker: &'a str,
    days: (chrono::NaiveDate, chrono::NaiveDate),
) -> BoxFuture<'a, Result<Vec<CrowdDay>, AppError>> {
    Box::pin(async move {
        let found =
            crate::insights::crowd::cashtag_days(&state.db, UserId(viewer), ticker, days).await?;
        Ok(found
            .into_iter()
            .map(|d| CrowdDay {
                community: d.community,
                community_slug: d.community_slug,
                day: d.day,
                mentions: d.mentions,
                bullish: d.bullish,
                bearish: d.bearish,
            })
            .collect())
    })
}

/// Chat's socket keeps the prices a tab shows coming: the market's live feed of the symbol.
fn watch_price(state: &AppState, symbol: &str) -> Option<(String, Box<dyn Send + Sync>)> {
    let symbol = market::symbol::normalize(symbol)?;
    let watching = state
        .service::<market::live::QuoteFeed>()
        .watch(state, &symbol);
    Some((market::live::topic(&symbol), Box::new(watching)))
}

/// Chat's price-target polls are against the market's price (none when no source knows it).
fn poll_price<'a>(
    state: &'a AppState,
    symbol: &'a str,
) -> BoxFuture<'a, Option<crate::polls::PricePoint>> {
    Box::pin(async move {
        let quote = state
            .service::<crate::market::service::Market>()
            .quote(&state.db, symbol)
            .await
            .ok()?;
        Some(crate::polls::PricePoint {
            price: quote.price,
            as_of: quote.as_of,
            simulated: quote.simulated,
        })
    })
}

/// Chat's events tied to a company's earnings: its next report, from the market's calendar.
fn earnings_day<'a>(
    state: &'a AppState,
    symbol: &'a str,
) -> BoxFuture<'a, Result<Option<crate::events::EarningsDay>, AppError>> {
    Box::pin(async move {
        let next = state
            .service::<crate::market::service::Market>()
            .next_earnings(&state.db, symbol)
            .await?;
        Ok(next.map(|report| crate::events::EarningsDay {
            symbol: report.symbol,
            date: report.report_date,
            time_of_day: report.time_of_day,
            source: report.source,
        }))
    })
}

/// Chat's shared portfolio cards: a portfolio's (or one holding's) figures for its owner, none
/// when the owner has no such portfolio (deleted since, or never theirs).
fn card_figures<'a>(
    state: &'a AppState,
    owner: uuid::Uuid,
    portfolio: uuid::Uuid,
    symbol: Option<&'a str>,
) -> BoxFuture<'a, Result<Option<crate::cards::PortfolioCard>, AppError>> {
    use crate::cards::{CardRow, CardStatus, PortfolioCard, ROWS_MAX};
    use crate::portfolio::service::float;
    Box::pin(async move {
        let id = crate::portfolio::PortfolioId(portfolio);
        let view = match crate::portfolio::service::view(state, UserId(owner), Some(id)).await {
            Ok(view) => view,
            Err(AppError::NotFound(_)) => return Ok(None),
            Err(err) => return Err(err),
        };
        let Some(info) = view.portfolio else {
            return Ok(None);
        };
        let as_of = chrono::Utc::now().to_rfc3339();
        let card = match symbol {
            Some(symbol) => match view.holdings.iter().find(|h| h.symbol == symbol) {
                None => PortfolioCard::gone(CardStatus::NotHeld, symbol.to_owned(), false, as_of),
                Some(held) => PortfolioCard {
                    status: CardStatus::Live,
                    title: held.symbol.clone(),
                    subtitle: held.name.clone(),
                    currency: info.currency,
                    percentages_only: false,
                    value: held.value.map(float),
                    day_change: held.day_change.map(float),
                    day_change_percent: held.day_change_percent.map(float),
                    return_percent: held.unrealized_percent.map(float),
                    weight: held.weight.map(float),
                    rows: Vec::new(),
                    simulated: held.simulated,
                    as_of,
                },
            },
            None => PortfolioCard {
                status: CardStatus::Live,
                title: info.name,
                subtitle: None,
                currency: info.currency,
                percentages_only: false,
                value: Some(float(view.totals.value)),
                day_change: Some(float(view.totals.day_change)),
                day_change_percent: view.totals.day_change_percent.map(float),
                return_percent: view.totals.total_return_percent.map(float),
                weight: None,
                rows: view
                    .holdings
                    .iter()
                    .take(ROWS_MAX)
                    .map(|h| CardRow {
                        symbol: h.symbol.clone(),
                        weight: h.weight.map(float),
                        day_change_percent: h.day_change_percent.map(float),
                        value: h.value.map(float),
                    })
                    .collect(),
                simulated: view.holdings.iter().any(|h| h.simulated),
                as_of,
            },
        };
        Ok(Some(card))
    })
}

/// The portfolios a person may share into a channel, with what each holds.
fn card_choices(
    state: &AppState,
    user: uuid::Uuid,
) -> BoxFuture<'_, Result<Vec<crate::cards::Shareable>, AppError>> {
    Box::pin(async move {
        Ok(
            crate::portfolio::service::holdings_by_portfolio(&state.db, UserId(user))
                .await?
                .into_iter()
                .map(|(portfolio, symbols)| crate::cards::Shareable {
                    id: portfolio.id.to_string(),
                    name: portfolio.name,
                    symbols,
                })
                .collect(),
        )
    })
}

/// The price-alert bot's quotes, from the market.
fn feed_quote<'a>(
    state: &'a AppState,
    symbol: &'a str,
) -> BoxFuture<'a, Option<crate::integrations::service::Quoted>> {
    Box::pin(async move {
        let quote = state
            .service::<crate::market::service::Market>()
            .quote(&state.db, symbol)
            .await
            .ok()?;
        Some(crate::integrations::service::Quoted {
            price: quote.price,
            previous_close: quote.previous_close,
            simulated: quote.simulated,
        })
    })
}

/// The news feed's headlines, from the market's hosted sources (cached like every answer).
fn feed_news<'a>(
    state: &'a AppState,
    symbol: &'a str,
) -> BoxFuture<'a, Vec<crate::integrations::service::Headline>> {
    Box::pin(async move {
        match state
            .service::<crate::market::service::Market>()
            .news(&state.db, symbol)
            .await
        {
            Ok(items) => items
                .into_iter()
                .map(|item| crate::integrations::service::Headline {
                    title: item.title,
                    url: item.url,
                    source: item.source,
                })
                .collect(),
            Err(err) => {
                tracing::debug!(error = %err, symbol, "no news for a news feed");
                Vec::new()
            }
        }
    })
}

/// Whether a configured market source has news (the offline one has none).
fn feed_has_news(state: &AppState) -> bool {
    state
        .service::<crate::market::service::Market>()
        .sources()
        .iter()
        .any(|source| [market::alpha_vantage::NAME, market::polygon::NAME].contains(source))
}

/// The stock bot: chat's queued bot, answering with the market's words.
async fn stock_bot(state: AppState) {
    crate::integrations::bots::run(
        state,
        market::bot::QUEUE,
        market::bot::BOT_USERNAME,
        market::bot::answer,
    )
    .await
}

/// What features add to a message, each kind shown by its own room (the core names none).
fn message_parts() -> chat::parts::MessageParts {
    chat::parts::MessageParts::default()
        .with(crate::files::service::FileParts)
        .attaching(crate::files::service::FileParts)
        .with(crate::polls::service::part_kind())
        .with(crate::events::service::part_kind())
        .with(crate::cards::service::part_kind())
}

/// Who hears of what happens to messages (the core names none of them).
fn message_listeners() -> chat::activity::MessageListeners {
    chat::activity::MessageListeners::default()
        .with(crate::moderation::worker::Judge)
        .with(crate::notify::service::Notifier::default())
        .with(crate::files::service::FilesOfDeleted)
        .with(crate::moderation::reports::service::ReportsOfDeleted)
}

/// What rides on a tab's socket besides messages (the core names none of it).
fn socket_riders() -> chat::riders::SocketRiders {
    chat::riders::SocketRiders::default().with(crate::voice::rider::CallRider::default())
}

/// What goes with a deleted community besides what the database's cascades take.
fn community_endings() -> crate::community::settings::CommunityEndings {
    crate::community::settings::CommunityEndings::default()
        .with(crate::moderation::reports::service::ReportsOfCommunity)
        .with(crate::files::service::FilesOfCommunity)
}

/// Chat's slash commands, with the market's `/stock` (chat knows no market).
fn commands() -> CommandRegistry {
    let mut registry = CommandRegistry::with_builtins();
    registry.register(
        "stock",
        Box::new(QueuedCommand {
            queue: market::bot::QUEUE,
            help: market::bot::help,
            acknowledge: market::bot::acknowledge,
            installed_as: Some(crate::integrations::Kind::StockBot),
        }),
    );
    registry
}

/// A part of a CSV import carries up to 1,000 rows (`portfolio::import::CHUNK_ROWS`) of
/// fields that may each be hundreds of characters: more than the default body limit.
const IMPORT_ROWS_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// The whole application as one axum router.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let leptos_options = state.leptos_options.clone();
    let boundary = Arc::new(
        security::Boundary::new(
            &state.config,
            &[(
                <crate::portfolio::api::ImportRows as ServerFn>::PATH,
                IMPORT_ROWS_BODY_LIMIT,
            )],
        )
        .with_binary_body(
            crate::files::UPLOAD_PATH,
            state.config.files.max_upload_bytes as usize,
        )
        .with_binary_body(
            crate::files::rest::V1_UPLOAD_PATH,
            state.config.files.max_upload_bytes as usize,
        )
        .with_binary_body(
            crate::auth::api::AVATAR_PATH,
            state.config.files.max_upload_bytes as usize,
        )
        .with_binary_body(
            crate::community::api::ICON_PATH,
            state.config.files.max_upload_bytes as usize,
        ),
    );
    Router::new()
        .route("/health", get(health))
        // The original design's name for it, kept.
        .route("/api/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
        // The realtime server function has its own websocket backend (chat::transport), so
        // leptos_axum does not route it with the others.
        .route(
            crate::chat::api::ChatSocketArgs::PATH,
            get(crate::chat::transport::handle),
        )
        // A file download, not a server function: the browser saves the response as it is.
        .route(
            "/api/portfolio/export.csv",
            get(crate::portfolio::service::export_download),
        )
        .route(
            "/api/account/export",
            get(crate::account::api::export_download),
        )
        // Files: the bytes up as they are, and down checked against the channel.
        .route(
            crate::files::UPLOAD_PATH,
            axum::routing::post(crate::files::api::upload),
        )
        .route("/api/files/{id}/{name}", get(crate::files::api::download))
        // Pictures: avatars and community icons, up by their owners, down for anyone.
        .route(
            crate::auth::api::AVATAR_PATH,
            axum::routing::post(crate::auth::api::upload_avatar),
        )
        .route(
            crate::community::api::ICON_PATH,
            axum::routing::post(crate::community::api::upload_icon),
        )
        .route("/api/pictures/{id}", get(crate::platform::pictures::serve))
        // Calendar files, for any calendar app.
        .route(
            "/api/events/{id}/event.ics",
            get(crate::events::api::event_ics),
        )
        .route(
            "/api/communities/{slug}/events.ics",
            get(crate::events::api::community_ics),
        )
        .route(
            "/api/communities/{slug}/analytics.csv",
            get(crate::insights::analytics::api::community_csv),
        )
        .merge(public_api())
        // The original design's market addresses, kept for scripts written against them.
        .route("/api/stocks/{symbol}", get(crate::market::rest::quote))
        .route(
            "/api/stocks/{symbol}/history",
            get(crate::market::rest::history),
        )
        .leptos_routes_with_context(&state, routes, || (), move || shell(leptos_options.clone()))
        .fallback(static_file_or_page)
        .layer(middleware::from_fn(
            crate::platform::error::finish_error_answers,
        ))
        .layer(middleware::from_fn(
            crate::platform::cookies::no_language_echo,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            caller::keep_session_alive,
        ))
        // Origin, content type, body size and the security headers, before anything else runs.
        .layer(middleware::from_fn_with_state(boundary, security::guard))
        // `security::guard` has read the body within its limit already.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(CompressionLayer::new())
        // A 5xx answer is logged as a warning here: the cause, when it is ours, is logged at
        // ERROR where it happened; a 503 that sheds load (busy, degraded) is not an error.
        .layer(
            TraceLayer::new_for_http()
                .on_failure(tower_http::trace::DefaultOnFailure::new().level(tracing::Level::WARN)),
        )
        // Outermost: every log line of a request, the trace's included, names its id.
        .layer(middleware::from_fn(crate::platform::telemetry::request_id))
        .with_state(state)
}

/// The public REST API, version 1: what bots and scripts use, documented by [`ApiDoc`] (served
/// at `/api/v1/openapi.json` and readable at `/api/docs`). Every route answers errors in the
/// app's one shape, an unknown address under `/api/v1` included.
fn public_api() -> Router<AppState> {
    use crate::{
        assistant, auth, community, events, files, insights::stats, moderation::reports, notify,
        polls, portfolio,
    };
    use axum::routing::{delete, patch, post, put};
    Router::new()
        .route("/api/v1/me", get(auth::rest::me))
        .route("/api/v1/me/activity", get(stats::rest::activity))
        .route("/api/v1/users/{username}", get(auth::rest::profile))
        .route(
            "/api/v1/users/{username}/block",
            put(auth::rest::block).delete(auth::rest::unblock),
        )
        .route("/api/v1/communities", get(community::rest::list))
        .route(
            "/api/v1/communities/{slug}",
            get(community::rest::one).patch(community::rest::update),
        )
        .route(
            "/api/v1/communities/{slug}/membership",
            post(community::rest::join).delete(community::rest::leave),
        )
        .route(
            "/api/v1/invites/{code}",
            post(community::rest::accept_invite),
        )
        .route(
            "/api/v1/communities/{slug}/members",
            get(community::rest::members),
        )
        .route(
            "/api/v1/communities/{slug}/members/{username}",
            delete(community::rest::kick),
        )
        .route(
            "/api/v1/communities/{slug}/members/{username}/timeout",
            put(community::rest::timeout),
        )
        .route(
            "/api/v1/communities/{slug}/members/{username}/warnings",
            post(community::rest::warn),
        )
        .route(
            "/api/v1/communities/{slug}/members/{username}/roles/{role_id}",
            put(community::rest::give_role).delete(community::rest::take_role),
        )
        .route(
            "/api/v1/communities/{slug}/channels",
            post(community::rest::create_channel),
        )
        .route(
            "/api/v1/communities/{slug}/channels/{channel_id}",
            patch(community::rest::update_channel),
        )
        .route(
            "/api/v1/communities/{slug}/roles",
            get(community::rest::roles).post(community::rest::create_role),
        )
        .route(
            "/api/v1/communities/{slug}/roles/{role_id}",
            delete(community::rest::delete_role),
        )
        .route(
            "/api/v1/communities/{slug}/invites",
            get(community::rest::invites).post(community::rest::create_invite),
        )
        .route(
            "/api/v1/communities/{slug}/invites/{code}",
            delete(community::rest::revoke_invite),
        )
        .route(
            "/api/v1/communities/{slug}/bans",
            get(community::rest::bans),
        )
        .route(
            "/api/v1/communities/{slug}/bans/{username}",
            put(community::rest::ban).delete(community::rest::unban),
        )
        .route(
            "/api/v1/communities/{slug}/integrations",
            get(crate::integrations::rest::list).post(crate::integrations::rest::install),
        )
        .route(
            "/api/v1/communities/{slug}/integrations/{integration_id}",
            delete(crate::integrations::rest::remove),
        )
        .route(
            "/api/v1/communities/{slug}/analytics",
            get(crate::insights::analytics::rest::community),
        )
        .route(
            "/api/v1/communities/{slug}/reports",
            get(reports::rest::queue),
        )
        .route(
            "/api/v1/communities/{slug}/events",
            get(events::rest::events),
        )
        .route(
            "/api/v1/channels/{channel_id}/messages",
            get(chat::rest::history).post(chat::rest::send),
        )
        .route("/api/v1/channels/{channel_id}/pins", get(chat::rest::pins))
        .route(
            "/api/v1/channels/{channel_id}/polls",
            post(polls::rest::ask),
        )
        .route(
            "/api/v1/channels/{channel_id}/events",
            post(events::rest::plan),
        )
        .route(
            "/api/v1/channels/{channel_id}/notifications",
            get(notify::rest::settings).put(notify::rest::set),
        )
        .route(
            "/api/v1/messages/{message_id}",
            patch(chat::rest::edit).delete(chat::rest::delete),
        )
        .route(
            "/api/v1/messages/{message_id}/reactions/{emoji}",
            put(chat::rest::react).delete(chat::rest::unreact),
        )
        .route(
            "/api/v1/messages/{message_id}/pin",
            put(chat::rest::pin).delete(chat::rest::unpin),
        )
        .route(
            "/api/v1/messages/{message_id}/reports",
            post(reports::rest::report),
        )
        .route(
            "/api/v1/messages/{message_id}/dismissal",
            post(reports::rest::dismiss),
        )
        .route(
            "/api/v1/messages/{message_id}/action",
            post(reports::rest::act),
        )
        .route("/api/v1/polls/{message_id}/vote", put(polls::rest::vote))
        .route("/api/v1/polls/{message_id}/close", post(polls::rest::close))
        .route(
            "/api/v1/events/{message_id}/answer",
            put(events::rest::answer),
        )
        .route(files::rest::V1_UPLOAD_PATH, post(files::rest::upload))
        .route("/api/v1/files/{file_id}", get(files::rest::download))
        .route("/api/v1/gateway", get(chat::gateway::open))
        .route("/api/v1/notifications", get(notify::rest::inbox))
        .route("/api/v1/notifications/read", post(notify::rest::read))
        .route("/api/v1/search", get(crate::search::rest::search))
        .route("/api/v1/market/quotes/{symbol}", get(market::rest::quote))
        .route(
            "/api/v1/market/history/{symbol}",
            get(market::rest::history),
        )
        .route("/api/v1/portfolio", get(portfolio::rest::portfolio))
        .route("/api/v1/assistant/query", post(assistant::rest::query))
        .route("/api/v1/openapi.json", get(openapi_document))
        .route(
            "/api/v1/hooks/{hook_id}/{secret}",
            post(crate::integrations::hooks::post),
        )
        .route("/api/v1", axum::routing::any(no_such_route))
        .route("/api/v1/{*rest}", axum::routing::any(no_such_route))
        .layer(middleware::map_response(wrong_method_in_words))
        .route("/api/docs", get(api_docs))
        .route(
            crate::platform::api_docs::STYLESHEET,
            get(|| async {
                (
                    [(axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8")],
                    crate::platform::api_docs::STYLE,
                )
            }),
        )
}

/// axum answers a method an address does not take with a bare 405; the API says it in the
/// one error shape, like every other refusal.
async fn wrong_method_in_words(response: Response) -> Response {
    if response.status() != StatusCode::METHOD_NOT_ALLOWED {
        return response;
    }
    let allowed = response.headers().get(axum::http::header::ALLOW).cloned();
    let mut answer = AppError::Transport(
        leptos::server_fn::error::ServerFnErrorErr::UnsupportedRequestMethod(
            allowed
                .as_ref()
                .and_then(|v| v.to_str().ok())
                .map(|methods| format!("this address takes {methods}"))
                .unwrap_or_default(),
        ),
    )
    .into_response();
    if let Some(allowed) = allowed {
        answer
            .headers_mut()
            .insert(axum::http::header::ALLOW, allowed);
    }
    answer
}

use crate::platform::rest::BearerAuth;

/// The public API's OpenAPI 3 document, generated from the handlers' annotations.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Bullpen API",
        version = "1",
        description = "Everything a person does in Bullpen, for bots and scripts: communities and their management, messages, files, polls, events, moderation, notifications, search, market data, portfolio and the assistant; live events over the gateway. Authenticate with `Authorization: Bearer <token>`: a personal access token made under Settings → API tokens (it may do what its scopes name), or a session's access token from `POST /api/auth/login` (it may do everything its person may). Errors are `{\"error\": sentence, \"code\": id, …}` in the language of `Accept-Language`."
    ),
    paths(
        crate::auth::rest::me,
        crate::insights::stats::rest::activity,
        crate::insights::analytics::rest::community,
        crate::auth::rest::profile,
        crate::auth::rest::block,
        crate::auth::rest::unblock,
        crate::community::rest::list,
        crate::community::rest::one,
        crate::community::rest::update,
        crate::community::rest::join,
        crate::community::rest::leave,
        crate::community::rest::accept_invite,
        crate::community::rest::members,
        crate::community::rest::create_channel,
        crate::community::rest::update_channel,
        crate::community::rest::roles,
        crate::community::rest::create_role,
        crate::community::rest::delete_role,
        crate::community::rest::give_role,
        crate::community::rest::take_role,
        crate::community::rest::invites,
        crate::community::rest::create_invite,
        crate::community::rest::revoke_invite,
        crate::integrations::rest::list,
        crate::integrations::rest::install,
        crate::integrations::rest::remove,
        crate::events::rest::events,
        crate::events::rest::plan,
        crate::events::rest::answer,
        crate::chat::rest::history,
        crate::chat::rest::send,
        crate::chat::rest::edit,
        crate::chat::rest::delete,
        crate::chat::rest::react,
        crate::chat::rest::unreact,
        crate::chat::rest::pins,
        crate::files::rest::upload,
        crate::files::rest::download,
        crate::polls::rest::ask,
        crate::polls::rest::vote,
        crate::polls::rest::close,
        crate::moderation::reports::rest::report,
        crate::moderation::reports::rest::queue,
        crate::moderation::reports::rest::dismiss,
        crate::moderation::reports::rest::act,
        crate::chat::rest::pin,
        crate::chat::rest::unpin,
        crate::community::rest::bans,
        crate::community::rest::ban,
        crate::community::rest::unban,
        crate::community::rest::kick,
        crate::community::rest::timeout,
        crate::community::rest::warn,
        crate::notify::rest::inbox,
        crate::notify::rest::read,
        crate::notify::rest::settings,
        crate::notify::rest::set,
        crate::chat::gateway::open,
        crate::search::rest::search,
        crate::market::rest::quote,
        crate::market::rest::history,
        crate::portfolio::rest::portfolio,
        crate::assistant::rest::query,
        crate::integrations::hooks::post,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "accounts", description = "Who is calling; other people's profiles; blocking."),
        (name = "statistics", description = "The person's own activity; a community's figures for those who may read them."),
        (name = "communities", description = "The communities a person can see, their channels and members; joining and leaving; with `community:manage`, their details, channels, roles and invitations."),
        (name = "events", description = "Planning events in a channel and answering them."),
        (name = "messages", description = "A channel's history and pins; sending (with files), editing, deleting and reacting over HTTP, under the same rules as the app; search."),
        (name = "files", description = "Uploading a file to send with a message, and downloading what the person may read."),
        (name = "polls", description = "Asking polls, voting, closing them."),
        (name = "moderation", description = "Reporting a message; with `community:moderate`, the moderators' queue, pins, warnings, timeouts, kicks and bans, where the person may."),
        (name = "notifications", description = "The inbox, and what the person hears of each channel."),
        (name = "gateway", description = "A websocket for bots: the events of the channels a bot subscribes to, live and resumable, narrowed by intents."),
        (name = "market", description = "Quotes and daily history; no sign-in needed."),
        (name = "portfolio", description = "The person's holdings at the latest prices."),
        (name = "assistant", description = "The finance assistant, answering from live data."),
        (name = "integrations", description = "The marketplace (with `community:manage`): what is installed, installing a bot or a webhook, removing one. Incoming webhooks: post into a channel from another program through the secret address an admin installed — no bearer token: the address is the credential."),
    )
)]
pub struct ApiDoc;

async fn openapi_document() -> Response {
    use utoipa::OpenApi;
    Json(ApiDoc::openapi()).into_response()
}

/// The reference as a page, in the reader's language, with this server's address in the
/// examples.
async fn api_docs(headers: axum::http::HeaderMap) -> Response {
    use utoipa::OpenApi;
    let locale = crate::kit::languages::request_language(
        crate::platform::cookies::cookie(&headers, crate::kit::languages::LANGUAGE_COOKIE)
            .as_deref(),
        headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let origin = headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|host| {
            host.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .map(|host| {
            let scheme = if crate::platform::cookies::is_https(&headers) {
                "https"
            } else {
                "http"
            };
            format!("{scheme}://{host}")
        })
        .unwrap_or_default();
    let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    (
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        crate::platform::api_docs::page(&doc, locale, &origin),
    )
        .into_response()
}

async fn no_such_route() -> AppError {
    AppError::NotFound(crate::kit::sentences::says!("server.api_docs.no_route"))
}

/// Anything no route matched: a file of the site (WASM, JS, CSS, icons…) when one exists, a
/// JSON 404 under `/api/`, else the app's own page (the 404 page for an unknown path).
///
/// Files are served here rather than by leptos_axum's `file_and_error_handler`, which copies the
/// `ResponseOptions` of the thread's current reactive owner onto the file's response — and that
/// owner can be another request's page still streaming on the same worker thread (a guest's
/// `/settings` answers 401, and the WASM fetched beside it came back 401 too: no hydration).
async fn static_file_or_page(State(state): State<AppState>, request: Request<Body>) -> Response {
    use tower::ServiceExt;
    let mut probe = Request::builder()
        .method(request.method())
        .uri(request.uri());
    for (name, value) in request.headers() {
        probe = probe.header(name, value);
    }
    let probe = probe
        .body(Body::empty())
        .expect("a copy of a valid request is valid");
    let site = tower_http::services::ServeDir::new(&*state.leptos_options.site_root)
        .precompressed_br()
        .precompressed_gzip();
    let found = match site.oneshot(probe).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    if found.status().is_success() || found.status().is_redirection() {
        let mut file = found.into_response();
        file.extensions_mut().insert(security::StaticFile);
        return file;
    }
    // An address under /api/ that nothing answers is a program's mistake: the one error shape,
    // not the site's 404 page.
    if request.uri().path().starts_with("/api/") {
        return no_such_route().await.into_response();
    }
    file_and_error_handler::<AppState, _>(shell)(request.uri().clone(), State(state), request).await
}

/// `GET /health`: 200 when the database and the broker answer; 503 "unhealthy" when the
/// database does not, 503 "degraded" when only the broker (Redis) does not — this instance then
/// refuses messages, so a load balancer should send people elsewhere.
async fn health(State(state): State<AppState>) -> impl IntoResponse {
    let (db, broker) = tokio::join!(db::ping(&state.db), state.broker.check());
    if let Err(err) = &db {
        tracing::warn!(error = %err, database = db::name(), "health check: database unreachable");
    }
    if let Err(err) = &broker {
        tracing::warn!(error = %err, "health check: broker unreachable");
    }
    let said = |ok: bool| if ok { "ok" } else { "unreachable" };
    let (status, word) = match (db.is_ok(), broker.is_ok()) {
        (true, true) => (StatusCode::OK, "healthy"),
        (false, _) => (StatusCode::SERVICE_UNAVAILABLE, "unhealthy"),
        (true, false) => (StatusCode::SERVICE_UNAVAILABLE, "degraded"),
    };
    let body = serde_json::json!({ "status": word, "service": "bullpen", "db": said(db.is_ok()), "broker": said(broker.is_ok()) });
    (status, Json(body))
}

/// `GET /ready`: whether a load balancer should send this instance work — 200 when the database
/// and the broker answer and the instance is not stopping, else 503 with what is wrong.
async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    let (db, broker) = tokio::join!(db::ping(&state.db), state.broker.check());
    let stopping = state.shutdown.is_stopping();
    let said = |ok: bool| if ok { "ok" } else { "unreachable" };
    let status = match db.is_ok() && broker.is_ok() && !stopping {
        true => StatusCode::OK,
        false => StatusCode::SERVICE_UNAVAILABLE,
    };
    let body = serde_json::json!({
        "ready": status == StatusCode::OK,
        "db": said(db.is_ok()),
        "broker": said(broker.is_ok()),
        "stopping": stopping,
    });
    (status, Json(body))
}

/// `GET /metrics`: this instance's metrics in Prometheus' text format
/// (`platform::metrics`), with the queues' depths read now. With `METRICS_TOKEN` set, only for
/// `Authorization: Bearer <token>`.
async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    use crate::platform::metrics::{Gauge, METRICS};
    use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
    if let Some(token) = &state.config.metrics_token {
        let given = headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        // Compared as digests: the time taken says nothing about how much of it matched.
        let digest = |text: &str| ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
        if digest(given).as_ref() != digest(token).as_ref() {
            return (
                StatusCode::UNAUTHORIZED,
                [(WWW_AUTHENTICATE, "Bearer")],
                "metrics need the token (METRICS_TOKEN)\n",
            )
                .into_response();
        }
    }
    let writer = state
        .service::<crate::chat::writer::MessageWriter>()
        .backlog();
    let (judge, translate) = state
        .service::<crate::moderation::worker::AiWork>()
        .backlog();
    let backlog = |queue: &'static str, value: usize| Gauge {
        name: "bullpen_ai_backlog",
        help: "Messages waiting for the AI, by queue.",
        label: Some(("queue", queue)),
        value: value as i64,
    };
    let gauges = [
        Gauge {
            name: "bullpen_writer_queue_depth",
            help: "Messages waiting for the message writer.",
            label: None,
            value: writer as i64,
        },
        backlog("judge", judge),
        backlog("translate", translate),
    ];
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        METRICS.render(&gauges),
    )
        .into_response()
}

/// Runs only the stock bot (`bullpen bot`): answers `/stock` requests from the broker until
/// Ctrl-C or SIGTERM. With Redis, any number of these share the requests with the servers.
pub async fn run_bot(state: AppState) {
    state
        .service::<crate::moderation::worker::AiWork>()
        .start(state.clone());
    tokio::select! {
        _ = stock_bot(state) => {}
        _ = shutdown_signal() => {}
    }
}

/// `bullpen worker`: the AI's work on the messages the servers hand over, until Ctrl-C or
/// SIGTERM.
pub async fn run_worker(state: AppState) {
    tokio::spawn(crate::platform::memory::keep_trimmed());
    let work = state.service::<crate::moderation::worker::AiWork>();
    tokio::select! {
        _ = work.work_apart(state.clone()) => {}
        _ = shutdown_signal() => {}
    }
}

/// Binds and serves until Ctrl-C or SIGTERM, finishing requests in flight.
pub async fn serve(state: AppState, addr: SocketAddr) -> std::io::Result<()> {
    let listener = listen(addr).await?;
    tracing::info!(
        "Bullpen is listening on http://{}",
        axum::serve::Listener::local_addr(&listener)?
    );
    tokio::spawn(crate::chat::socket::heartbeat(state.clone()));
    tokio::spawn(crate::platform::memory::keep_trimmed());
    state
        .service::<crate::moderation::worker::AiWork>()
        .start(state.clone());
    if state.config.stock_bot {
        tokio::spawn(stock_bot(state.clone()));
    }
    tokio::spawn(crate::portfolio::alerts::run(state.clone()));
    tokio::spawn(crate::files::service::keep_swept(state.clone()));
    tokio::spawn(crate::events::service::keep_reminding(
        state.clone(),
        std::time::Duration::from_secs(state.config.event_reminder_secs),
    ));
    tokio::spawn(crate::insights::analytics::service::keep_rolling_up(
        state.clone(),
        std::time::Duration::from_secs(state.config.analytics_rollup_secs),
    ));
    tokio::spawn(crate::insights::achievements::service::keep_awarding(
        state.clone(),
        std::time::Duration::from_secs(state.config.achievement_secs),
    ));
    tokio::spawn(crate::integrations::watch::keep_watching(
        state.clone(),
        std::time::Duration::from_secs(state.config.alert_check_secs),
    ));
    tokio::spawn(crate::integrations::deliver::keep_delivering(
        state.clone(),
        std::time::Duration::from_millis(state.config.webhook_poll_ms),
    ));
    let shutdown = state.shutdown.clone();
    let served = axum::serve(
        listener,
        router(state.clone()).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        shutdown.begin();
    })
    .await;
    // Upgraded websockets outlive the HTTP server: each was asked to close and is storing and
    // confirming what its tab had sent. Wait for them, then tell the rooms who went offline.
    let limit = std::time::Duration::from_secs(crate::chat::socket::DRAIN_SECS + 2);
    if !state.shutdown.drained(limit).await {
        tracing::warn!("some websockets were still open when the server stopped");
    }
    crate::chat::socket::leave_instance(&state).await;
    served
}

/// The listener, with `TCP_NODELAY` on every accepted socket: a websocket frame (a sender's own
/// confirmation, say) goes out at once instead of waiting for the peer's delayed ACK.
async fn listen(
    addr: SocketAddr,
) -> std::io::Result<axum::serve::TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)>> {
    use axum::serve::ListenerExt;
    fn no_delay(socket: &mut tokio::net::TcpStream) {
        if let Err(err) = socket.set_nodelay(true) {
            tracing::debug!(error = %err, "cannot set TCP_NODELAY on a connection");
        }
    }
    Ok(tokio::net::TcpListener::bind(addr)
        .await?
        .tap_io(no_delay as fn(&mut tokio::net::TcpStream)))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use axum::serve::Listener;

    #[tokio::test]
    async fn accepted_sockets_send_without_delay() {
        let mut listener = super::listen("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let at = listener.local_addr().unwrap();
        let _client = tokio::net::TcpStream::connect(at).await.unwrap();
        let (accepted, _) = listener.accept().await;
        assert!(accepted.nodelay().unwrap());
    }

    /// The types a domain asks the state for (`state.service::<T>()` or
    /// `state.services.get::<T>()`) in the sources, by their last name.
    fn services_asked_for() -> std::collections::BTreeSet<String> {
        fn visit(dir: &std::path::Path, found: &mut std::collections::BTreeSet<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    visit(&path, found);
                    continue;
                }
                // The mechanism (with its own test types) and the root that registers.
                if path.ends_with("platform/state.rs") || path.ends_with("src/server.rs") {
                    continue;
                }
                let source = std::fs::read_to_string(&path).unwrap();
                for marker in ["service::<", "services.get::<", ".get::<"] {
                    for (at, _) in source.match_indices(marker) {
                        let rest = &source[at + marker.len()..];
                        let Some(end) = rest.find(">()") else {
                            continue;
                        };
                        let path: String = rest[..end].split_whitespace().collect();
                        if path.contains(['<', ' ', '('])
                            || !path.contains("::") && marker == ".get::<"
                        {
                            continue;
                        }
                        found.insert(path.rsplit("::").next().unwrap().to_string());
                    }
                }
            }
        }
        let mut found = std::collections::BTreeSet::new();
        visit(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        found
    }

    /// `AppState::service` panics on a type nobody registered: every one a domain asks for is
    /// registered by `build_state`, on the default settings (no keys).
    #[tokio::test]
    async fn every_service_a_domain_asks_for_is_registered() {
        let dir = tempfile::tempdir().unwrap();
        let config =
            crate::platform::config::Config::from_vars(&std::collections::HashMap::from([
                (
                    "BULLPEN_DATA_DIR".to_string(),
                    dir.path().display().to_string(),
                ),
                (
                    "JWT_SECRET".to_string(),
                    "a-test-secret-of-at-least-32-bytes!!".to_string(),
                ),
            ]))
            .unwrap();
        let state = super::build_state(config).await.unwrap();
        let mut registered = std::collections::BTreeSet::new();
        macro_rules! check {
            ($($service:ty),+) => {$(
                assert!(
                    state.services.get::<$service>().is_some(),
                    "{} is not registered",
                    stringify!($service)
                );
                registered.insert(stringify!($service).rsplit("::").next().unwrap().trim().to_string());
            )+};
        }
        check!(
            crate::chat::command_handlers::CommandRegistry,
            crate::auth::service::Welcome,
            crate::community::service::Founded,
            crate::ai::provider::Engines,
            crate::moderation::worker::AiWork,
            crate::chat::writer::MessageWriter,
            crate::chat::parts::MessageParts,
            crate::chat::activity::MessageListeners,
            crate::chat::riders::SocketRiders,
            crate::community::settings::CommunityEndings,
            crate::platform::push::Pusher,
            crate::market::service::Market,
            crate::market::service::Holdings,
            crate::market::insights::Crowd,
            crate::polls::service::PollPrices,
            crate::events::service::EarningsDays,
            crate::cards::service::Portfolios,
            crate::integrations::service::MarketFeed,
            crate::market::live::QuoteFeed,
            crate::chat::socket::PriceWatch,
            crate::chat::socket::OpenSockets,
            crate::chat::socket::RecentSends,
            crate::portfolio::alerts::AlertPush
        );
        // The hosted assistant is registered only with a key (HOSTED_AI_*): asked for with
        // `get`, which answers None without it.
        let optional = ["HostedAssistant"];
        let unknown: Vec<String> = services_asked_for()
            .into_iter()
            .filter(|name| !registered.contains(name) && !optional.contains(&name.as_str()))
            .collect();
        assert!(
            unknown.is_empty(),
            "asked for but never checked here: {unknown:?}"
        );
    }
}
