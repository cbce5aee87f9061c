//! A badge as it is announced when earned.
//!
//! Defined below the messages core so that the core can carry it; what it does lives with its
//! room (`impl` blocks included).

use serde::{Deserialize, Serialize};

/// A badge someone holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Earned {
    pub key: String,
    pub icon: String,
    /// RFC 3339.
    pub earned_at: String,
}
