//! Accounts: registration, sign-in, sessions (access + refresh tokens), profiles and blocking.

use serde::{Deserialize, Serialize};

pub mod api;
pub mod ui;
pub mod validate;

#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod tokens;

/// The signed-in person, as they see themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

fn yes() -> bool {
    true
}

impl User {
    pub fn initials(&self) -> String {
        validate::initials(&self.display_name)
    }
}

/// Another person, as anyone may see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicProfile {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub bio: String,
    /// Whether the viewer has blocked this person.
    pub blocked: bool,
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
