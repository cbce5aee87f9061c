//! Price alerts: "tell me when AAPL goes above 200". A background job on every server checks the
//! waiting alerts against the (cached) quotes; the first instance to see a crossing marks the
//! alert in the database (a conditional update, so two instances never both fire it) and tells
//! the person's open tabs over the realtime channel. The alert stays, marked, until dismissed.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Waiting alerts one person keeps at most.
pub const MAX_ALERTS: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Above,
    Below,
}

impl Direction {
    pub fn code(self) -> &'static str {
        match self {
            Direction::Above => "above",
            Direction::Below => "below",
        }
    }

    pub fn parse(code: &str) -> Option<Direction> {
        match code.trim().to_ascii_lowercase().as_str() {
            "above" => Some(Direction::Above),
            "below" => Some(Direction::Below),
            _ => None,
        }
    }

    /// Whether `price` has crossed `target` this way (reaching it counts).
    pub fn crossed(self, price: Decimal, target: Decimal) -> bool {
        match self {
            Direction::Above => price >= target,
            Direction::Below => price <= target,
        }
    }
}

/// What the realtime bus tells a person's open tabs about their alerts (on their own topic).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum AlertEvent {
    /// One of their alerts was crossed.
    AlertTriggered { alert: PriceAlert },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceAlert {
    pub id: String,
    pub symbol: String,
    pub direction: Direction,
    pub target: Decimal,
    /// RFC 3339; `None` while waiting.
    pub triggered_at: Option<String>,
    pub triggered_price: Option<Decimal>,
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use std::{collections::BTreeMap, str::FromStr, time::Duration};

    use chrono::Utc;
    use rust_decimal::prelude::FromPrimitive;
    use uuid::Uuid;

    use super::*;
    use crate::{
        entities::price_alerts,
        market::provider::MarketError,
        platform::{error::AppError, realtime, state::AppState},
        portfolio::{repo, AlertId},
    };

    fn from_row(row: price_alerts::Model) -> PriceAlert {
        PriceAlert {
            id: row.id.to_string(),
            symbol: row.symbol,
            direction: Direction::parse(&row.direction).unwrap_or(Direction::Above),
            target: Decimal::from_str(&row.target).unwrap_or_default(),
            triggered_at: row.triggered_at.map(|t| t.to_rfc3339()),
            triggered_price: row.triggered_price.and_then(|p| Decimal::from_str(&p).ok()),
        }
    }

    /// The person's alerts: triggered ones first (newest first), then the waiting ones.
    pub async fn list(state: &AppState, user: Uuid) -> Result<Vec<PriceAlert>, AppError> {
        let mut rows = repo::alerts_of(&state.db, user).await?;
        rows.sort_by_key(|row| std::cmp::Reverse(row.triggered_at));
        Ok(rows.into_iter().map(from_row).collect())
    }

    /// A new waiting alert. A target the price is already past is refused: it would fire at once.
    pub async fn create(
        state: &AppState,
        user: Uuid,
        symbol: &str,
        direction: Direction,
        target: Decimal,
    ) -> Result<PriceAlert, AppError> {
        if target <= Decimal::ZERO {
            return Err(AppError::Validation(crate::kit::sentences::says!(
                "server.portfolio.alert_price_positive"
            )));
        }
        let waiting = repo::waiting_alert_count(&state.db, user).await?;
        if waiting as usize >= MAX_ALERTS {
            return Err(AppError::Validation(crate::kit::sentences::says!(
                "server.portfolio.alert_limit",
                max = MAX_ALERTS
            )));
        }
        match state
            .service::<crate::market::service::Market>()
            .quote(&state.db, symbol)
            .await
        {
            Ok(quote) => {
                if let Some(price) = Decimal::from_f64(quote.price) {
                    let price = price.round_dp(4);
                    if direction.crossed(price, target) {
                        return Err(AppError::Validation(match direction {
                            Direction::Above => crate::kit::sentences::says!(
                                "server.portfolio.alert_reached_above",
                                symbol = symbol,
                                price = price,
                                target = target
                            ),
                            Direction::Below => crate::kit::sentences::says!(
                                "server.portfolio.alert_reached_below",
                                symbol = symbol,
                                price = price,
                                target = target
                            ),
                        }));
                    }
                }
            }
            Err(err @ MarketError::UnknownSymbol(..)) => return Err(err.into()),
            Err(err) => tracing::debug!(error = %err, symbol, "alert set without a quote"),
        }
        let row = price_alerts::Model {
            id: Uuid::now_v7(),
            user_id: user,
            symbol: symbol.to_string(),
            direction: direction.code().to_string(),
            target: target.normalize().to_string(),
            created_at: Utc::now(),
            triggered_at: None,
            triggered_price: None,
        };
        Ok(from_row(repo::insert_alert(&state.db, row).await?))
    }

    pub async fn delete(state: &AppState, user: Uuid, id: AlertId) -> Result<(), AppError> {
        if !repo::delete_alert(&state.db, user, id.0).await? {
            return Err(AppError::NotFound(crate::kit::sentences::says!(
                "server.portfolio.alert_not_found"
            )));
        }
        Ok(())
    }

    /// One pass: every waiting alert against its symbol's quote. Returns the alerts this
    /// instance fired.
    pub async fn check(state: &AppState) -> Result<Vec<PriceAlert>, AppError> {
        let waiting = repo::waiting_alerts(&state.db).await?;
        let mut by_symbol: BTreeMap<String, Vec<price_alerts::Model>> = BTreeMap::new();
        for alert in waiting {
            by_symbol
                .entry(alert.symbol.clone())
                .or_default()
                .push(alert);
        }
        let mut fired = Vec::new();
        for (symbol, alerts) in by_symbol {
            let quote = match state
                .service::<crate::market::service::Market>()
                .quote(&state.db, &symbol)
                .await
            {
                Ok(quote) => quote,
                Err(err) => {
                    tracing::debug!(error = %err, symbol, "no quote for price alerts this time");
                    continue;
                }
            };
            let Some(price) = Decimal::from_f64(quote.price).map(|p| p.round_dp(4)) else {
                continue;
            };
            for alert in alerts {
                let (Some(direction), Ok(target)) = (
                    Direction::parse(&alert.direction),
                    Decimal::from_str(&alert.target),
                ) else {
                    continue;
                };
                if !direction.crossed(price, target) {
                    continue;
                }
                // Only the instance whose update wins tells the person.
                let won = repo::fire_alert(
                    &state.db,
                    alert.id,
                    Utc::now(),
                    &price.normalize().to_string(),
                )
                .await?;
                if won {
                    let user = alert.user_id;
                    let alert = PriceAlert {
                        triggered_at: Some(Utc::now().to_rfc3339()),
                        triggered_price: Some(price.normalize()),
                        ..from_row(alert)
                    };
                    realtime::publish(
                        state,
                        &realtime::topic::user(user),
                        None,
                        &AlertEvent::AlertTriggered {
                            alert: alert.clone(),
                        },
                    )
                    .await;
                    fired.push(alert);
                }
            }
        }
        Ok(fired)
    }

    /// The background job: a pass every `ALERT_CHECK_SECS` (a minute unless set).
    pub async fn run(state: AppState) {
        let every = Duration::from_secs(state.config.alert_check_secs);
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match check(&state).await {
                Ok(fired) if !fired.is_empty() => {
                    tracing::info!(count = fired.len(), "price alerts fired")
                }
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "price alert check failed"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reaching_the_target_counts_as_crossing() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert!(Direction::Above.crossed(d("200"), d("200")));
        assert!(!Direction::Above.crossed(d("199.99"), d("200")));
        assert!(Direction::Below.crossed(d("99.5"), d("100")));
        assert!(!Direction::Below.crossed(d("100.01"), d("100")));
        assert_eq!(Direction::parse(" Above "), Some(Direction::Above));
        assert_eq!(Direction::parse("sideways"), None);
    }
}
