//! A shared portfolio card.
//!
//! Defined below the messages core so that the core can carry it; what it does lives with its
//! room (`impl` blocks included).

use serde::{Deserialize, Serialize};

/// What a message carries when it shares a portfolio.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SharedCard {
    /// One holding's symbol; none for the whole portfolio.
    pub symbol: Option<String>,
    pub percentages_only: bool,
}
