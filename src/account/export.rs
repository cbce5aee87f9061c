//! The download of everything the app holds about a person: one JSON document, its shape
//! stable for programs (`format` and `version` say which). Never in it: the password hash,
//! token hashes, the two-factor secret or recovery codes — and nothing of another person's but
//! the names that give the person's own data its sense (whom they blocked, where they wrote).

use serde::Serialize;

/// Which document this is, for programs reading it.
pub const FORMAT: &str = "bullpen-account-export";
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountExport {
    pub format: &'static str,
    pub version: u32,
    /// RFC 3339, like every time in the document.
    pub exported_at: String,
    pub profile: Profile,
    pub sessions: Vec<SessionRecord>,
    pub two_factor: TwoFactorRecord,
    pub blocked: Vec<BlockRecord>,
    pub communities: Vec<MembershipRecord>,
    pub messages: Vec<MessageRecord>,
    pub reactions: Vec<ReactionRecord>,
    pub poll_votes: Vec<PollVoteRecord>,
    pub event_answers: Vec<EventAnswerRecord>,
    pub achievements: Vec<AchievementRecord>,
    pub watchlist: Vec<WatchRecord>,
    /// The indicators chosen for every chart, if any were.
    pub chart_indicators: Option<ChartIndicatorsRecord>,
    pub portfolios: Vec<PortfolioRecord>,
    pub price_alerts: Vec<AlertRecord>,
    pub assistant_conversations: Vec<ConversationRecord>,
    pub access_tokens: Vec<AccessTokenRecord>,
}

/// The account row, but the password hash.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub id: String,
    pub email: String,
    pub username: String,
    pub display_name: String,
    pub bio: String,
    pub preferred_language: String,
    pub auto_translate: bool,
    pub time_zone: String,
    pub created_at: String,
    pub updated_at: String,
}

/// One sign-in session (a family of refresh tokens).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionRecord {
    pub started_at: String,
    /// When its tokens were last renewed.
    pub last_renewed_at: String,
    pub expires_at: String,
    /// When it was signed out or revoked; `null` while it lasts.
    pub ended_at: Option<String>,
    /// The session this download was made with.
    pub current: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TwoFactorRecord {
    pub enabled: bool,
    pub enabled_at: Option<String>,
    pub recovery_codes_left: u64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockRecord {
    pub username: String,
    pub display_name: String,
    pub blocked_at: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MembershipRecord {
    pub community: String,
    pub community_name: String,
    /// owner, admin, moderator or member.
    pub rank: crate::community::permissions::Rank,
    /// Custom roles held there.
    pub roles: Vec<String>,
    pub joined_at: String,
}

/// Where something was said.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Place {
    /// The community's slug and name, the channel's name; empty when no longer found.
    pub community: String,
    pub community_name: String,
    pub channel: String,
    pub channel_id: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageRecord {
    pub id: String,
    #[serde(flatten)]
    pub place: Place,
    pub seq: i64,
    /// `null` once deleted: its words are gone from the server too.
    pub body: Option<String>,
    pub reply_to: Option<String>,
    pub created_at: String,
    pub edited_at: Option<String>,
    pub deleted_at: Option<String>,
    pub pinned: bool,
    /// The language the AI found it written in.
    pub language: Option<String>,
}

/// A vote in a poll (the poll is the message `message_id`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PollVoteRecord {
    pub message_id: String,
    #[serde(flatten)]
    pub place: Place,
    /// The answers chosen, by their words.
    pub choices: Vec<String>,
    pub cast_at: String,
}

/// An answer to an event (the event is the message `message_id`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventAnswerRecord {
    pub message_id: String,
    #[serde(flatten)]
    pub place: Place,
    pub title: String,
    pub starts_at: String,
    /// going, maybe or declined.
    pub answer: String,
    pub answered_at: String,
}

/// A badge earned.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AchievementRecord {
    pub key: String,
    pub earned_at: String,
}

/// A personal access token: what it was for and could do, never the token or its hash.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessTokenRecord {
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReactionRecord {
    pub message_id: String,
    #[serde(flatten)]
    pub place: Place,
    pub emoji: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WatchRecord {
    pub symbol: String,
    pub added_at: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChartIndicatorsRecord {
    /// "sma:20,sma:50".
    pub overlays: String,
    /// "rsi:14".
    pub panes: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortfolioRecord {
    pub id: String,
    pub name: String,
    pub cost_method: String,
    pub currency: String,
    pub created_at: String,
    pub transactions: Vec<TransactionRecord>,
}

/// A transaction as stored; decimals are strings, exactly as entered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionRecord {
    pub id: String,
    pub kind: String,
    pub trade_date: String,
    pub symbol: Option<String>,
    pub name: Option<String>,
    pub sector: Option<String>,
    pub shares: Option<String>,
    pub price: Option<String>,
    pub fees: String,
    pub amount: Option<String>,
    pub ratio: Option<String>,
    pub currency: String,
    pub note: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertRecord {
    pub symbol: String,
    pub direction: String,
    pub target: String,
    pub created_at: String,
    pub triggered_at: Option<String>,
    pub triggered_price: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationRecord {
    pub id: String,
    pub title: String,
    pub created_at: String,
    pub updated_at: String,
    pub messages: Vec<AssistantTurnRecord>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssistantTurnRecord {
    /// user or assistant.
    pub role: String,
    pub body: String,
    /// The cards shown with an answer (quotes, charts, holdings…), as the page received them.
    pub cards: serde_json::Value,
    pub language: String,
    pub engine: String,
    pub created_at: String,
}
