//! The marketplace's rules: who may install and remove (those who manage the community, by the
//! policy's `ManageIntegrations`), what an install makes (a hook's bot account and member, the
//! stock bot's membership, a hook's secret), and an incoming webhook's post.

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use sea_orm::{DatabaseTransaction, DbErr, SqlErr, TransactionTrait};
use uuid::Uuid;

use super::{
    parse_symbols, repo, BotConfig, Delivery, DeliveryStatus, Installation, Installed, Kind,
    Marketplace, NewIntegration, LOG_SIZE, NAME_MAX_CHARS, SYMBOLS_MAX,
};
use crate::auth::UserId;
use crate::community::CommunityId;
use crate::{
    auth::{repo as accounts, tokens, BOT_SUFFIX, STOCK_BOT},
    chat::ChatMessage,
    community::{permissions::Action, repo as communities, service as community, ChannelId},
    entities::{communities as community_rows, integrations, users},
    kit::sentences::says,
    platform::{error::AppError, outbound, state::AppState},
};

/// A quote as a price-alert bot reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quoted {
    pub price: f64,
    pub previous_close: Option<f64>,
    pub simulated: bool,
}

/// A headline as a news feed posts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headline {
    pub title: String,
    pub url: String,
    pub source: String,
}

/// A symbol's quote, when a source knows it.
pub type QuoteOf = for<'a> fn(&'a AppState, &'a str) -> BoxFuture<'a, Option<Quoted>>;
/// A symbol's latest headlines, newest first; none when no source has news for it now.
pub type NewsOf = for<'a> fn(&'a AppState, &'a str) -> BoxFuture<'a, Vec<Headline>>;

/// What the bots need from the market, given by the composition root (chat knows no market).
pub struct MarketFeed {
    pub quote: QuoteOf,
    pub news: NewsOf,
    /// Whether any configured source has news (the offline one has none).
    pub has_news: fn(&AppState) -> bool,
}

/// The stock bot's name in the marketplace.
const STOCK_BOT_NAME: &str = "Stock Bot";
/// An argon2id hash of a password nobody knows: a bot's account cannot sign in.
const NO_PASSWORD: &str = "$argon2id$v=19$m=19456,t=2,p=1$xEPTGrslyghlEmQQKyyC6w$XdsYESNeyrYdQ8Z5M/Pe8AYZkU011sWPTRJBaIlnd5o";

/// The community, for someone who may manage its integrations.
async fn managed(
    state: &AppState,
    actor: UserId,
    slug: &str,
) -> Result<community_rows::Model, AppError> {
    let (community, standing) = community::find(state, Some(UserId(actor.0)), slug).await?;
    community::allow(&community, standing, Action::ManageIntegrations)?;
    Ok(community)
}

/// What the community has installed.
pub async fn marketplace(
    state: &AppState,
    actor: UserId,
    slug: &str,
) -> Result<Marketplace, AppError> {
    let community = managed(state, actor, slug).await?;
    let rows = repo::installed_in(&state.db, community.id).await?;
    let mut installed = Vec::with_capacity(rows.len());
    for row in &rows {
        installed.push(present(state, row).await?);
    }
    Ok(Marketplace { installed })
}

async fn present(state: &AppState, row: &integrations::Model) -> Result<Installed, AppError> {
    let channel = match row.channel_id {
        Some(id) => communities::channel_by_id(&state.db, id)
            .await?
            .map(|c| c.name),
        None => None,
    };
    let installed_by = match row.installed_by {
        Some(id) => accounts::user_by_id(&state.db, id)
            .await?
            .filter(|u| !u.is_tombstone())
            .map(|u| u.display_name),
        None => None,
    };
    let config = config_of(row);
    Ok(Installed {
        id: row.id.to_string(),
        kind: Kind::parse(&row.kind).unwrap_or(Kind::StockBot),
        name: row.name.clone(),
        channel,
        url: row.url.clone(),
        symbols: config.symbols,
        rule: config.rule,
        installed_by,
        installed_at: row.created_at.to_rfc3339(),
    })
}

/// A bot's settings (none for the other kinds).
pub fn config_of(row: &integrations::Model) -> BotConfig {
    row.config
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or_default()
}

fn invalid(key: crate::kit::sentences::Sentence) -> AppError {
    AppError::Validation(key)
}

/// Installs an item into the community, with what it needs made in one transaction.
pub async fn install(
    state: &AppState,
    actor: UserId,
    slug: &str,
    input: NewIntegration,
) -> Result<Installation, AppError> {
    let community = managed(state, actor, slug).await?;
    if community.direct_key.is_some() {
        return Err(invalid(says!("server.integrations.not_in_direct")));
    }
    let name = if input.kind == Kind::StockBot {
        STOCK_BOT_NAME.to_owned()
    } else {
        let name = input.name.trim();
        if name.is_empty() {
            return Err(invalid(says!("server.integrations.name_missing")));
        }
        if name.chars().count() > NAME_MAX_CHARS || name.chars().any(char::is_control) {
            return Err(invalid(says!(
                "server.integrations.name_too_long",
                max = NAME_MAX_CHARS
            )));
        }
        name.to_owned()
    };
    let channel = if input.kind.needs_channel() {
        let channel = input
            .channel
            .as_deref()
            .ok_or_else(|| invalid(says!("server.integrations.channel_missing")))?;
        let channel = ChannelId::parse(channel)?;
        let channel = communities::channel_by_id(&state.db, channel.0)
            .await?
            .filter(|c| c.community_id == community.id && c.archived_at.is_none())
            .ok_or_else(|| AppError::NotFound(says!("server.community.channel_not_found")))?;
        Some(channel)
    } else {
        None
    };
    let config = if input.kind.needs_symbols() {
        let symbols = parse_symbols(input.symbols.as_deref().unwrap_or("")).ok_or_else(|| {
            invalid(says!(
                "server.integrations.symbols_invalid",
                max = SYMBOLS_MAX
            ))
        })?;
        let rule = if input.kind == Kind::PriceAlert {
            let rule = input
                .rule
                .filter(|r| r.is_valid())
                .ok_or_else(|| invalid(says!("server.integrations.rule_invalid")))?;
            Some(rule)
        } else {
            if !(state.service::<MarketFeed>().has_news)(state) {
                return Err(invalid(says!("server.integrations.no_news_source")));
            }
            None
        };
        Some(serde_json::to_string(&BotConfig { symbols, rule }).map_err(|_| AppError::Internal)?)
    } else {
        None
    };
    let url = if input.kind.needs_url() {
        let url = input.url.as_deref().unwrap_or("").trim();
        let target = super::deliver::target(url).map_err(invalid)?;
        // Checked again at every delivery, where a name is resolved when it is called.
        let checked = outbound::check(&target, state.config.outbound_to_private);
        if checked.await == Err(outbound::Refused::Private) {
            return Err(invalid(says!("server.integrations.url_private")));
        }
        Some(url.to_owned())
    } else {
        None
    };
    let now = Utc::now();
    let id = Uuid::now_v7();
    let mut secret = None;
    let mut row = integrations::Model {
        id,
        community_id: community.id,
        kind: input.kind.as_str().into(),
        slot: if input.kind.once() {
            input.kind.as_str().into()
        } else {
            format!("{}:{id}", input.kind.as_str())
        },
        name: name.clone(),
        channel_id: channel.as_ref().map(|c| c.id),
        bot_user_id: None,
        secret_hash: None,
        signing_secret: None,
        url,
        cursor: channel.as_ref().map_or(0, |c| c.last_seq),
        config,
        state: "{}".into(),
        installed_by: Some(actor.0),
        created_at: now,
    };
    // Read before the transaction, whose first statement is then a write: on SQLite two
    // installs at once queue for the lock instead of one failing to upgrade its read.
    let stock_bot = match input.kind {
        Kind::StockBot => accounts::user_by_username(&state.db, STOCK_BOT).await?,
        _ => None,
    };
    let txn = state.db.begin().await?;
    if input.kind.has_bot() {
        let bot = make_bot(&txn, input.kind, id, &name, now).await?;
        communities::add_bot_member(&txn, community.id, bot.id, now).await?;
        row.bot_user_id = Some(bot.id);
    } else if let Some(bot) = stock_bot {
        communities::add_bot_member(&txn, community.id, bot.id, now).await?;
        row.bot_user_id = Some(bot.id);
    }
    match input.kind {
        Kind::StockBot | Kind::PriceAlert | Kind::NewsFeed => {}
        Kind::IncomingWebhook => {
            let key = tokens::new_refresh_token();
            row.secret_hash = Some(tokens::hash_refresh_token(&key));
            secret = Some(format!("/api/v1/hooks/{id}/{key}"));
        }
        Kind::OutgoingWebhook => {
            let key = format!("whsec_{}", tokens::new_refresh_token());
            row.signing_secret = Some(key.clone());
            secret = Some(key);
        }
    }
    let row = match repo::insert(&txn, row).await {
        Ok(row) => row,
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(AppError::Conflict(says!(
                "server.integrations.already_installed"
            )))
        }
        Err(err) => return Err(err.into()),
    };
    txn.commit().await?;
    tracing::info!(community = %community.id, kind = row.kind, integration = %row.id, "integration installed");
    Ok(Installation {
        installed: present(state, &row).await?,
        secret,
    })
}

/// The stock bot (one account for the whole server, which also answers in conversations
/// between people) becomes a member where it is installed; its id.
async fn stock_bot_joins(
    txn: &DatabaseTransaction,
    community: CommunityId,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, DbErr> {
    let Some(bot) = accounts::user_by_username(txn, STOCK_BOT).await? else {
        return Ok(None);
    };
    communities::add_bot_member(txn, community.0, bot.id, now).await?;
    Ok(Some(bot.id))
}

/// An installed bot's own account: a name no person can take (`auth::BOT_SUFFIX`), shown under
/// the name the admin gave, and no password.
async fn make_bot(
    txn: &DatabaseTransaction,
    kind: Kind,
    hook: Uuid,
    name: &str,
    now: DateTime<Utc>,
) -> Result<users::Model, DbErr> {
    let tag = &hook.simple().to_string()[24..];
    let prefix = match kind {
        Kind::PriceAlert => "alerts",
        Kind::NewsFeed => "news",
        _ => "hook",
    };
    let username = format!("{prefix}-{tag}{BOT_SUFFIX}");
    accounts::insert_user(
        txn,
        users::Model {
            id: Uuid::now_v7(),
            email: format!("{prefix}-{}@bots.bullpen.invalid", hook.simple()),
            username_key: username.to_ascii_lowercase(),
            username,
            display_name: name.to_owned(),
            password_hash: NO_PASSWORD.into(),
            bio: String::new(),
            preferred_language: "en".into(),
            time_zone: "UTC".into(),
            auto_translate: false,
            avatar: None,
            created_at: now,
            updated_at: now,
        },
    )
    .await
}

/// The community's item `id`, for someone who may manage it.
async fn installed_item(
    state: &AppState,
    actor: UserId,
    slug: &str,
    id: &str,
) -> Result<integrations::Model, AppError> {
    let community = managed(state, actor, slug).await?;
    let missing = || AppError::NotFound(says!("server.integrations.not_installed"));
    let id = Uuid::parse_str(id).map_err(|_| missing())?;
    repo::by_id(&state.db, id)
        .await?
        .filter(|row| row.community_id == community.id)
        .ok_or_else(missing)
}

/// Removes an item: a hook's address stops answering at once, its bot leaves the community
/// (what it posted stays, under its name), its deliveries go.
pub async fn remove(state: &AppState, actor: UserId, slug: &str, id: &str) -> Result<(), AppError> {
    let row = installed_item(state, actor, slug, id).await?;
    let txn = state.db.begin().await?;
    if !repo::delete(&txn, row.id).await? {
        return Err(AppError::NotFound(says!(
            "server.integrations.not_installed"
        )));
    }
    if let Some(bot) = row.bot_user_id {
        communities::remove_member(
            &txn,
            row.community_id,
            bot,
            communities::Departure::Uninstalled,
        )
        .await?;
    }
    txn.commit().await?;
    tracing::info!(community = %row.community_id, kind = row.kind, integration = %row.id, "integration removed");
    Ok(())
}

/// An outgoing webhook's latest deliveries, newest first.
pub async fn deliveries(
    state: &AppState,
    actor: UserId,
    slug: &str,
    id: &str,
) -> Result<Vec<Delivery>, AppError> {
    let row = installed_item(state, actor, slug, id).await?;
    Ok(repo::log(&state.db, row.id, LOG_SIZE)
        .await?
        .into_iter()
        .map(|d| {
            let status = DeliveryStatus::parse(&d.status);
            Delivery {
                id: d.id.to_string(),
                message_id: d.message_id.to_string(),
                status,
                attempts: d.attempts,
                last_code: d.last_code,
                failure: d.last_error.as_deref().and_then(super::Failure::parse),
                created_at: d.created_at.to_rfc3339(),
                next_at: (status == DeliveryStatus::Pending).then(|| d.next_at.to_rfc3339()),
            }
        })
        .collect())
}

/// Whether the community's `kind` answers: installed, or a conversation between people (which
/// has no marketplace, and where the stock bot always answered).
pub async fn answers(
    state: &AppState,
    community: &community_rows::Model,
    kind: Kind,
) -> Result<bool, AppError> {
    Ok(community.direct_key.is_some() || repo::has(&state.db, community.id, kind).await?)
}

/// A new community comes with the stock bot, a member (`community::service::Founded`).
pub fn founded<'a>(
    txn: &'a DatabaseTransaction,
    community: &'a community_rows::Model,
    now: DateTime<Utc>,
) -> BoxFuture<'a, Result<(), DbErr>> {
    Box::pin(async move {
        let id = Uuid::now_v7();
        let bot = stock_bot_joins(txn, CommunityId(community.id), now).await?;
        repo::insert(
            txn,
            integrations::Model {
                id,
                community_id: community.id,
                kind: Kind::StockBot.as_str().into(),
                slot: Kind::StockBot.as_str().into(),
                name: STOCK_BOT_NAME.into(),
                channel_id: None,
                bot_user_id: bot,
                secret_hash: None,
                signing_secret: None,
                url: None,
                cursor: 0,
                config: None,
                state: "{}".into(),
                installed_by: community.owner_id,
                created_at: now,
            },
        )
        .await
        .map(|_| ())
    })
}

/// What another program posts to an incoming webhook's address: Slack's `text`, or Discord's
/// `content`.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct HookPost {
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub content: Option<String>,
}

/// Posts an incoming webhook's words into its channel, as its bot, within its own limit. An
/// unknown hook and a wrong secret get the same answer.
pub async fn post_from_hook(
    state: &AppState,
    id: &str,
    secret: &str,
    post: HookPost,
) -> Result<ChatMessage, AppError> {
    let nothing_here = || AppError::NotFound(says!("server.integrations.no_hook"));
    let id = Uuid::parse_str(id).map_err(|_| nothing_here())?;
    let hook = repo::by_id(&state.db, id)
        .await?
        .filter(|h| h.kind == Kind::IncomingWebhook.as_str())
        .filter(|h| h.secret_hash.as_deref() == Some(&tokens::hash_refresh_token(secret)))
        .ok_or_else(nothing_here)?;
    let (Some(channel), Some(bot)) = (hook.channel_id, hook.bot_user_id) else {
        return Err(nothing_here());
    };
    let text = post.text.or(post.content).unwrap_or_default();
    let body = crate::chat::validate_body(&text)?;
    let bot = accounts::user_by_id(&state.db, bot)
        .await?
        .ok_or_else(nothing_here)?;
    crate::chat::service::count_bot_post(state, UserId(bot.id)).await?;
    crate::chat::service::post_as_bot(state, &bot, ChannelId(channel), &body).await
}
