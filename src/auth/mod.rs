//! Accounts: registration, sign-in, sessions (access + refresh tokens), profiles and blocking.

use serde::{Deserialize, Serialize};

pub mod api;
pub mod ui;
pub mod validate;

#[cfg(feature = "ssr")]
pub mod access_tokens;
#[cfg(feature = "ssr")]
pub mod attempts;
#[cfg(feature = "ssr")]
pub mod caller;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod reset;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod tokens;
#[cfg(feature = "ssr")]
pub mod two_factor;

#[cfg(feature = "ssr")]
crate::platform::ids::typed_id!(
    /// A person's account.
    UserId,
    "server.not_found"
);

/// The signed-in person, as they see themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub email: String,
    pub username: String,
    pub display_name: String,
    pub bio: String,
    /// One of the UI languages; messages are translated into it.
    pub preferred_language: String,
    /// Whether messages in other languages arrive translated into `preferred_language`.
    #[serde(default = "yes")]
    pub auto_translate: bool,
    pub time_zone: String,
    pub created_at: String,
    /// The avatar's address (`/api/pictures/<id>`); none shows initials.
    #[serde(default)]
    pub avatar_url: Option<String>,
}

fn yes() -> bool {
    true
}

impl User {
    pub fn initials(&self) -> String {
        validate::initials(&self.display_name)
    }
}

/// Who wrote something.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Author {
    pub id: String,
    pub username: String,
    pub display_name: String,
    /// The account was deleted: the name is "Deleted user", and no profile answers to it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    /// The small avatar's address, if the person chose one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
}

#[cfg(feature = "ssr")]
impl Author {
    /// The person as the author of what they wrote (a deleted account's tombstone shows as
    /// "Deleted user").
    pub fn of(user: &crate::entities::users::Model) -> Author {
        if user.is_tombstone() {
            return Author::deleted(user.id);
        }
        Author {
            id: user.id.to_string(),
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            deleted: false,
            avatar_url: user
                .avatar
                .map(|id| crate::platform::pictures::url(id, true)),
        }
    }

    /// How a deleted account shows wherever it wrote or reacted.
    pub fn deleted(id: uuid::Uuid) -> Author {
        Author {
            id: id.to_string(),
            username: DELETED_USERNAME.into(),
            display_name: DELETED_NAME.into(),
            deleted: true,
            avatar_url: None,
        }
    }
}

/// The stock bot's username: an account the app itself speaks through (made by a migration; no
/// one signs in as it).
pub const STOCK_BOT: &str = "stockbot";

/// How the username of a bot a community installed ends (`hook-1a2b3c4d[bot]`): brackets are
/// refused in people's usernames, so no person can be taken for a bot, or a bot for a person.
pub const BOT_SUFFIX: &str = "[bot]";

/// Whether a username is one of the app's bots (their messages carry a "bot" badge).
pub fn is_bot(username: &str) -> bool {
    username == STOCK_BOT || username.ends_with(BOT_SUFFIX)
}

/// The name a deleted account shows under, as the server writes it (the UI says it in the
/// reader's language).
pub const DELETED_NAME: &str = "Deleted user";
/// The username a deleted account shows; no profile answers to it.
pub const DELETED_USERNAME: &str = "deleted";

/// Another person, as anyone may see them.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicProfile {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub bio: String,
    /// The day the account was made (`2026-11-25`).
    pub joined: String,
    /// Whether the viewer has blocked this person.
    pub blocked: bool,
    #[serde(default)]
    pub avatar_url: Option<String>,
}

impl PublicProfile {
    pub fn initials(&self) -> String {
        validate::initials(&self.display_name)
    }
}

/// What the script API returns on register, login and refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthResponse {
    pub user: User,
    /// The access token, for `Authorization: Bearer …` (15 minutes by default).
    pub token: String,
    /// Exchanged at `/api/auth/refresh` for a new pair; each one works once.
    pub refresh_token: String,
}

/// The editable part of a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileUpdate {
    pub display_name: String,
    pub bio: String,
    pub preferred_language: String,
    /// Left out by older clients: translation stays on.
    #[serde(default = "yes")]
    pub auto_translate: bool,
    pub time_zone: String,
}

/// The script API's answer to a sign-in: tokens, or (two-factor sign-in on) a challenge to send
/// back with a code to `/api/auth/login_code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
// One per sign-in, moved once into the answer: boxing the tokens would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum LoginReply {
    Tokens(AuthResponse),
    CodeNeeded(TwoFactorChallenge),
}

/// The web app's answer to a sign-in: signed in, or a code is still owed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SignInReply {
    SignedIn(User),
    CodeNeeded(TwoFactorChallenge),
}

/// The password was right; the sign-in completes with a code from the authenticator app (or a
/// recovery code) and this challenge, before it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TwoFactorChallenge {
    /// Always `true`: lets a script tell this answer from tokens at a glance.
    pub two_factor_required: bool,
    pub challenge: String,
    pub expires_in_secs: u64,
}

/// Whether two-factor sign-in is on, for Settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TwoFactorStatus {
    pub enabled: bool,
    pub recovery_codes_left: u32,
}

/// A new authenticator secret, to scan (the URI) or type (the base32 text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TwoFactorSetup {
    pub secret: String,
    /// `otpauth://totp/Bullpen:<username>?secret=…`
    pub uri: String,
}

/// What a personal access token may do on the public API (`/api/v1`). A browser session may do
/// everything its person may; a token only what its scopes name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Scope {
    /// Read communities, channels, members, messages and search.
    #[serde(rename = "chat:read")]
    ChatRead,
    /// Send, edit and delete one's messages, and react.
    #[serde(rename = "chat:write")]
    ChatWrite,
    /// Read one's portfolio.
    #[serde(rename = "portfolio:read")]
    PortfolioRead,
    /// Ask the finance assistant.
    #[serde(rename = "assistant")]
    Assistant,
    /// Moderate the communities where the person may: pins, the report queue, warnings,
    /// timeouts, kicks and bans.
    #[serde(rename = "community:moderate")]
    CommunityModerate,
    /// Manage the communities where the person may: settings, channels, roles, invites,
    /// integrations and their statistics.
    #[serde(rename = "community:manage")]
    CommunityManage,
}

impl Scope {
    pub const ALL: [Scope; 6] = [
        Scope::ChatRead,
        Scope::ChatWrite,
        Scope::PortfolioRead,
        Scope::Assistant,
        Scope::CommunityModerate,
        Scope::CommunityManage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::ChatRead => "chat:read",
            Scope::ChatWrite => "chat:write",
            Scope::PortfolioRead => "portfolio:read",
            Scope::Assistant => "assistant",
            Scope::CommunityModerate => "community:moderate",
            Scope::CommunityManage => "community:manage",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// How long a new token lives: the choices the settings page offers (days; none: until revoked).
pub const TOKEN_LIFETIMES: [Option<u32>; 5] = [Some(7), Some(30), Some(90), Some(365), None];

/// A personal access token as its owner sees it in the list: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessToken {
    pub id: String,
    pub name: String,
    /// The token's last four characters.
    pub hint: String,
    pub scopes: Vec<Scope>,
    /// RFC 3339.
    pub created_at: String,
    #[serde(default)]
    pub expires_at: Option<String>,
    #[serde(default)]
    pub last_used_at: Option<String>,
    /// Past its expiry when listed: it no longer signs in, and no longer counts toward the limit.
    #[serde(default)]
    pub expired: bool,
}

/// A token just made: the only time its text is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewAccessToken {
    pub token: String,
    pub info: AccessToken,
}
