//! The integrations marketplace: what a community's admins may install, each showing what it
//! may do before it is installed.
//!
//! - the **stock bot** answers `/stock=aapl.us` (installed in every community as it is made;
//!   removed, the command says so);
//! - the **price-alert bot** posts into a channel when a symbol goes above or below a price, or
//!   moves more than a percentage on the day — once per crossing;
//! - the **news feed** posts new headlines about its symbols (from a hosted market source);
//! - an **incoming webhook** is a secret address another program posts to; the words arrive in
//!   the chosen channel from the hook's own bot account, a member marked Bot, with its own rate
//!   limit (`BOT_RATE_LIMIT`);
//! - an **outgoing webhook** sends each new message of a channel to an address, signed with
//!   HMAC-SHA256, retried with a growing wait, every attempt kept in a delivery log.

use serde::{Deserialize, Serialize};

pub mod api;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod bots;
#[cfg(feature = "ssr")]
pub mod deliver;
#[cfg(feature = "ssr")]
pub mod hooks;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod watch;

/// Characters of an integration's name (a hook's bot shows under it).
pub const NAME_MAX_CHARS: usize = 40;
/// Characters of an outgoing webhook's address.
pub const URL_MAX_CHARS: usize = 2048;
/// Attempts at one delivery before it is given up.
pub const MAX_ATTEMPTS: i32 = 6;
/// Deliveries the log shows per webhook, newest first.
pub const LOG_SIZE: u64 = 20;

/// What the marketplace offers.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    StockBot,
    PriceAlert,
    NewsFeed,
    IncomingWebhook,
    OutgoingWebhook,
}

/// Everything on offer, in the order the marketplace shows it.
pub const CATALOGUE: [Kind; 5] = [
    Kind::StockBot,
    Kind::PriceAlert,
    Kind::NewsFeed,
    Kind::IncomingWebhook,
    Kind::OutgoingWebhook,
];

/// Symbols one bot watches, at most.
pub const SYMBOLS_MAX: usize = 10;
/// Headlines a news feed remembers having posted (per feed).
pub const SEEN_MAX: usize = 300;
/// Headlines a news feed posts per symbol in one round, at most.
pub const HEADLINES_PER_ROUND: usize = 3;

/// What an installed item may do, shown before it is installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Grant {
    /// Reads what follows its command, in any channel.
    ReadCommands,
    /// Posts into the channel it was asked in.
    PostAnswers,
    /// Posts into the chosen channel as its own member, marked Bot.
    PostAsBot,
    /// Anyone who holds its secret address can post.
    SecretAddress,
    /// Reads every new message of the chosen channel.
    ReadChannel,
    /// Sends those messages to an address outside Bullpen.
    SendOutside,
    /// Reads the market's quotes of the symbols it watches.
    WatchPrices,
    /// Reads the news about the symbols it follows.
    ReadNews,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::StockBot => "stock-bot",
            Kind::PriceAlert => "price-alert",
            Kind::NewsFeed => "news-feed",
            Kind::IncomingWebhook => "incoming-webhook",
            Kind::OutgoingWebhook => "outgoing-webhook",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        CATALOGUE.into_iter().find(|k| k.as_str() == text)
    }

    /// Installed at most once per community (the others as many times as wanted).
    pub fn once(self) -> bool {
        matches!(self, Kind::StockBot)
    }

    /// Installed into one channel, chosen at install.
    pub fn needs_channel(self) -> bool {
        !matches!(self, Kind::StockBot)
    }

    /// Installed with an address to send to.
    pub fn needs_url(self) -> bool {
        matches!(self, Kind::OutgoingWebhook)
    }

    /// Installed with symbols to watch.
    pub fn needs_symbols(self) -> bool {
        matches!(self, Kind::PriceAlert | Kind::NewsFeed)
    }

    /// Posts as its own bot account, a member of the community.
    pub fn has_bot(self) -> bool {
        matches!(
            self,
            Kind::PriceAlert | Kind::NewsFeed | Kind::IncomingWebhook
        )
    }

    pub fn icon(self) -> &'static str {
        match self {
            Kind::StockBot => "📈",
            Kind::PriceAlert => "🔔",
            Kind::NewsFeed => "📰",
            Kind::IncomingWebhook => "📥",
            Kind::OutgoingWebhook => "📤",
        }
    }

    pub fn grants(self) -> &'static [Grant] {
        match self {
            Kind::StockBot => &[Grant::ReadCommands, Grant::PostAnswers],
            Kind::PriceAlert => &[Grant::WatchPrices, Grant::PostAsBot],
            Kind::NewsFeed => &[Grant::ReadNews, Grant::PostAsBot],
            Kind::IncomingWebhook => &[Grant::PostAsBot, Grant::SecretAddress],
            Kind::OutgoingWebhook => &[Grant::ReadChannel, Grant::SendOutside],
        }
    }
}

/// What an admin asks to install.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewIntegration {
    pub kind: Kind,
    /// The bot's or the hook's name (the stock bot keeps its own).
    #[serde(default)]
    pub name: String,
    /// The channel's id, for a webhook.
    #[serde(default)]
    pub channel: Option<String>,
    /// Where an outgoing webhook sends.
    #[serde(default)]
    pub url: Option<String>,
    /// What a price-alert bot or a news feed watches: tickers separated by commas or spaces.
    #[serde(default)]
    pub symbols: Option<String>,
    /// When a price-alert bot speaks.
    #[serde(default)]
    pub rule: Option<AlertRule>,
}

/// When a price-alert bot speaks: once each time a symbol crosses into it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "when", rename_all = "camelCase")]
pub enum AlertRule {
    /// The price is at or above this.
    Above { price: f64 },
    /// The price is at or below this.
    Below { price: f64 },
    /// The day's move (against the previous close) is this many percent or more, either way.
    Moves { percent: f64 },
}

impl AlertRule {
    /// Whether the rule's numbers make sense: a positive price, a move over 0 and up to 100 %.
    pub fn is_valid(self) -> bool {
        match self {
            AlertRule::Above { price } | AlertRule::Below { price } => {
                price.is_finite() && price > 0.0 && price < 1e9
            }
            AlertRule::Moves { percent } => {
                percent.is_finite() && percent > 0.0 && percent <= 100.0
            }
        }
    }

    /// Whether a quote is inside the rule; `None` when it cannot tell (a move with no previous
    /// close).
    pub fn holds(self, price: f64, previous_close: Option<f64>) -> Option<bool> {
        match self {
            AlertRule::Above { price: line } => Some(price >= line),
            AlertRule::Below { price: line } => Some(price <= line),
            AlertRule::Moves { percent } => {
                let close = previous_close.filter(|c| *c > 0.0)?;
                Some(((price - close) / close * 100.0).abs() >= percent)
            }
        }
    }
}

/// The tickers a bot is asked to watch: upper-cased, each once, 1 to `SYMBOLS_MAX` of them.
pub fn parse_symbols(text: &str) -> Option<Vec<String>> {
    let mut symbols: Vec<String> = Vec::new();
    for word in text.split(|c: char| c == ',' || c.is_whitespace()) {
        let word = word.trim().trim_start_matches('$').to_ascii_uppercase();
        if word.is_empty() {
            continue;
        }
        let fits = word.len() <= 12
            && word
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if !fits {
            return None;
        }
        if !symbols.contains(&word) {
            symbols.push(word);
        }
    }
    (!symbols.is_empty() && symbols.len() <= SYMBOLS_MAX).then_some(symbols)
}

/// A bot's settings, as stored.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BotConfig {
    pub symbols: Vec<String>,
    #[serde(default)]
    pub rule: Option<AlertRule>,
}

/// A bot's memory, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BotState {
    /// Symbols inside the alert's rule now (told once; told again after they leave it).
    #[serde(default)]
    pub fired: Vec<String>,
    /// Headlines already posted (their addresses), newest last.
    #[serde(default)]
    pub seen: Vec<String>,
    /// Symbols whose news was read once (their backlog is not posted).
    #[serde(default)]
    pub primed: Vec<String>,
}

/// An installed item, as its community's admins see it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Installed {
    pub id: String,
    pub kind: Kind,
    pub name: String,
    /// The channel a webhook belongs to (its name), while it exists.
    pub channel: Option<String>,
    /// Where an outgoing webhook sends.
    pub url: Option<String>,
    /// What a bot watches.
    #[serde(default)]
    pub symbols: Vec<String>,
    #[serde(default)]
    pub rule: Option<AlertRule>,
    /// Who installed it (their display name), when known.
    pub installed_by: Option<String>,
    /// RFC 3339.
    pub installed_at: String,
}

/// A community's marketplace: what is installed, newest last.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Marketplace {
    pub installed: Vec<Installed>,
}

impl Marketplace {
    /// Whether `kind` can be installed again.
    pub fn may_install(&self, kind: Kind) -> bool {
        !kind.once() || !self.installed.iter().any(|i| i.kind == kind)
    }
}

/// What installing answered: the item, and the secret that is shown this once — an incoming
/// webhook's address path (`/api/v1/hooks/…`), an outgoing webhook's signing key.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Installation {
    pub installed: Installed,
    #[serde(default)]
    pub secret: Option<String>,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Waiting for its first attempt or a retry.
    Pending,
    Delivered,
    /// Every attempt failed, or the address may not be called.
    Failed,
    /// The message was deleted before it could be sent.
    Withdrawn,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(text: &str) -> DeliveryStatus {
        match text {
            "delivered" => DeliveryStatus::Delivered,
            "failed" => DeliveryStatus::Failed,
            "withdrawn" => DeliveryStatus::Withdrawn,
            _ => DeliveryStatus::Pending,
        }
    }
}

/// Why an attempt failed (the log says it in the reader's language).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Failure {
    /// The address answered with a status other than 2xx (`last_code` says which).
    Status,
    /// No answer within `WEBHOOK_TIMEOUT_MS`.
    Timeout,
    /// The address could not be reached (no such host, connection refused).
    Unreachable,
    /// The address is on a private network, which this server does not call
    /// (`WEBHOOKS_TO_PRIVATE_ADDRESSES`); not retried.
    PrivateAddress,
}

impl Failure {
    pub fn as_str(self) -> &'static str {
        match self {
            Failure::Status => "status",
            Failure::Timeout => "timeout",
            Failure::Unreachable => "unreachable",
            Failure::PrivateAddress => "private-address",
        }
    }

    pub fn parse(text: &str) -> Option<Failure> {
        [
            Failure::Status,
            Failure::Timeout,
            Failure::Unreachable,
            Failure::PrivateAddress,
        ]
        .into_iter()
        .find(|f| f.as_str() == text)
    }
}

/// One line of an outgoing webhook's delivery log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub id: String,
    pub message_id: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// The last answer's HTTP status, if an answer came.
    pub last_code: Option<i32>,
    /// Why the last attempt failed.
    pub failure: Option<Failure>,
    /// RFC 3339: when it was queued, and when the next attempt is due while it is pending.
    pub created_at: String,
    pub next_at: Option<String>,
}

/// How long to wait before attempt `attempts + 1`, after `attempts` failed ones: 10 s, 1 min,
/// 5 min, 30 min, 2 h — the last attempt about 2 h 36 min after the first.
pub fn backoff_secs(attempts: i32) -> i64 {
    match attempts {
        i32::MIN..=1 => 10,
        2 => 60,
        3 => 5 * 60,
        4 => 30 * 60,
        _ => 2 * 60 * 60,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_and_only_the_stock_bot_is_once() {
        for kind in CATALOGUE {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
            assert!(!kind.grants().is_empty());
        }
        assert_eq!(Kind::parse("stock bot"), None);
        assert!(Kind::StockBot.once() && !Kind::IncomingWebhook.once());
        assert!(Kind::OutgoingWebhook.needs_url() && !Kind::IncomingWebhook.needs_url());
    }

    #[test]
    fn symbols_are_read_as_people_type_them() {
        assert_eq!(
            parse_symbols("$aapl, msft  AAPL brk.b"),
            Some(vec!["AAPL".into(), "MSFT".into(), "BRK.B".into()])
        );
        assert_eq!(parse_symbols(" , "), None);
        assert_eq!(parse_symbols("AAPL; DROP TABLE"), None);
        let eleven: Vec<String> = (0..11).map(|n| format!("S{n}")).collect();
        assert_eq!(parse_symbols(&eleven.join(",")), None);
    }

    #[test]
    fn alert_rules_hold_where_they_say() {
        let above = AlertRule::Above { price: 200.0 };
        assert_eq!(above.holds(200.0, None), Some(true));
        assert_eq!(above.holds(199.99, None), Some(false));
        let below = AlertRule::Below { price: 100.0 };
        assert_eq!(below.holds(99.0, None), Some(true));
        let moves = AlertRule::Moves { percent: 5.0 };
        assert_eq!(moves.holds(105.0, Some(100.0)), Some(true));
        assert_eq!(moves.holds(95.0, Some(100.0)), Some(true));
        assert_eq!(moves.holds(104.0, Some(100.0)), Some(false));
        assert_eq!(moves.holds(104.0, None), None);
        assert!(!AlertRule::Above { price: -1.0 }.is_valid());
        assert!(!AlertRule::Moves { percent: 0.0 }.is_valid());
        assert!(!AlertRule::Above { price: f64::NAN }.is_valid());
        assert!(AlertRule::Moves { percent: 2.5 }.is_valid());
    }

    #[test]
    fn the_wait_grows_and_stops_growing() {
        let waits: Vec<i64> = (1..MAX_ATTEMPTS).map(backoff_secs).collect();
        assert!(waits.windows(2).all(|w| w[0] < w[1]), "{waits:?}");
        assert_eq!(backoff_secs(9), backoff_secs(5));
    }

    #[test]
    fn a_single_install_item_is_offered_until_installed() {
        let mut market = Marketplace { installed: vec![] };
        assert!(market.may_install(Kind::StockBot));
        market.installed.push(Installed {
            id: "1".into(),
            kind: Kind::StockBot,
            name: "Stock Bot".into(),
            channel: None,
            url: None,
            symbols: Vec::new(),
            rule: None,
            installed_by: None,
            installed_at: String::new(),
        });
        assert!(!market.may_install(Kind::StockBot));
        assert!(market.may_install(Kind::IncomingWebhook));
    }
}
