//! Price alerts: "tell me when AAPL goes above 200", "…moves 5 % in a day", "…crosses its
//! 50-day average", "…RSI falls below 30". A background job on every server checks the alerts
//! against the (cached) quotes and daily history; the first instance to see a crossing marks
//! the alert in the database (a conditional update, so two instances never both fire it), tells
//! the person's open tabs over the realtime channel and pushes to their browsers. An alert fires
//! once per crossing: it waits for its condition to stop holding before it can fire again, and
//! stays until deleted.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Alerts one person keeps at most.
pub const MAX_ALERTS: usize = 50;

/// What an alert watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum AlertKind {
    /// The price against a target.
    #[default]
    Price,
    /// The day's move against a percentage (up by at least, or down by at least).
    Move,
    /// The price against its moving average over `period` days.
    Average,
    /// The `period`-day RSI against a level.
    Rsi,
}

impl AlertKind {
    pub fn code(self) -> &'static str {
        match self {
            AlertKind::Price => "price",
            AlertKind::Move => "move",
            AlertKind::Average => "average",
            AlertKind::Rsi => "rsi",
        }
    }

    pub fn parse(code: &str) -> Option<AlertKind> {
        match code.trim().to_ascii_lowercase().as_str() {
            "" | "price" => Some(AlertKind::Price),
            "move" => Some(AlertKind::Move),
            "average" => Some(AlertKind::Average),
            "rsi" => Some(AlertKind::Rsi),
            _ => None,
        }
    }

    /// The period a kind reads when none is given, and the range it accepts.
    pub fn periods(self) -> Option<(u32, std::ops::RangeInclusive<u32>)> {
        match self {
            AlertKind::Price | AlertKind::Move => None,
            AlertKind::Average => Some((50, 5..=200)),
            AlertKind::Rsi => Some((14, 2..=50)),
        }
    }
}

/// What a check knows of a symbol: its price, the day's move, and the indicator an alert reads
/// (each `None` where the data is too short or missing).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Reading {
    pub price: f64,
    pub change_pct: Option<f64>,
    pub average: Option<f64>,
    pub rsi: Option<f64>,
}

/// Whether an alert's condition holds on `reading` (reaching the line counts); `None` when the
/// reading lacks what it needs.
pub fn holds(
    kind: AlertKind,
    direction: Direction,
    target: f64,
    reading: &Reading,
) -> Option<bool> {
    let (value, line) = match kind {
        AlertKind::Price => (reading.price, target),
        AlertKind::Move => match direction {
            Direction::Above => (reading.change_pct?, target),
            // "Down 5 %": the move is at or under -5.
            Direction::Below => (reading.change_pct?, -target),
        },
        AlertKind::Average => (reading.price, reading.average?),
        AlertKind::Rsi => (reading.rsi?, target),
    };
    Some(match direction {
        Direction::Above => value >= line,
        Direction::Below => value <= line,
    })
}

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
    #[serde(default)]
    pub kind: AlertKind,
    pub direction: Direction,
    /// A price, a percentage or an RSI level, by kind (unused by an average's cross).
    pub target: Decimal,
    /// The days an average or RSI reads.
    #[serde(default)]
    pub period: Option<u32>,
    /// When it last fired (RFC 3339); `None` until it first does.
    pub triggered_at: Option<String>,
    pub triggered_price: Option<Decimal>,
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use crate::auth::UserId;
    use std::{collections::BTreeMap, str::FromStr, time::Duration};

    use chrono::Utc;
    use futures::future::BoxFuture;
    use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
    use uuid::Uuid;

    use super::*;
    use crate::{
        entities::price_alerts,
        kit::sentences::{says, Sentence},
        market::provider::MarketError,
        platform::{error::AppError, realtime, state::AppState},
        portfolio::{repo, AlertId},
    };

    /// Pushes a fired alert to the person's browsers, given by the composition root (the push
    /// subscriptions are chat's): (state, person, title, body, where a click leads, tag).
    pub struct AlertPush(pub AlertPushFn);

    pub type AlertPushFn =
        for<'a> fn(&'a AppState, Uuid, Sentence, Sentence, String, String) -> BoxFuture<'a, ()>;

    fn from_row(row: price_alerts::Model) -> PriceAlert {
        PriceAlert {
            id: row.id.to_string(),
            symbol: row.symbol,
            kind: AlertKind::parse(&row.kind).unwrap_or_default(),
            direction: Direction::parse(&row.direction).unwrap_or(Direction::Above),
            target: Decimal::from_str(&row.target).unwrap_or_default(),
            period: row.period.and_then(|p| u32::try_from(p).ok()),
            triggered_at: row.triggered_at.map(|t| t.to_rfc3339()),
            triggered_price: row.triggered_price.and_then(|p| Decimal::from_str(&p).ok()),
        }
    }

    /// The person's alerts: those that fired first (newest first), then the others.
    pub async fn list(state: &AppState, user: UserId) -> Result<Vec<PriceAlert>, AppError> {
        let mut rows = repo::alerts_of(&state.db, user.0).await?;
        rows.sort_by_key(|row| std::cmp::Reverse(row.triggered_at));
        Ok(rows.into_iter().map(from_row).collect())
    }

    /// What a new alert asks for, read and checked.
    pub struct NewAlert {
        pub kind: AlertKind,
        pub direction: Direction,
        pub target: Decimal,
        pub period: Option<u32>,
    }

    /// Refuses a line an alert of this kind cannot watch, in words; the period to store.
    fn checked(alert: &NewAlert) -> Result<Option<u32>, AppError> {
        let target = alert.target;
        match alert.kind {
            AlertKind::Price if target <= Decimal::ZERO => Err(AppError::Validation(says!(
                "server.portfolio.alert_price_positive"
            ))),
            AlertKind::Move if target <= Decimal::ZERO || target > Decimal::from(50) => Err(
                AppError::Validation(says!("server.portfolio.alert_move_range")),
            ),
            AlertKind::Rsi if target < Decimal::ONE || target > Decimal::from(99) => Err(
                AppError::Validation(says!("server.portfolio.alert_rsi_range")),
            ),
            kind => match kind.periods() {
                None => Ok(None),
                Some((usual, range)) => {
                    let period = alert.period.unwrap_or(usual);
                    if range.contains(&period) {
                        Ok(Some(period))
                    } else {
                        Err(AppError::Validation(says!(
                            "server.portfolio.alert_period",
                            min = range.start(),
                            max = range.end()
                        )))
                    }
                }
            },
        }
    }

    /// What a check knows of `symbol` now, reading the daily history only for the alerts that
    /// need it.
    async fn reading(
        state: &AppState,
        symbol: &str,
        periods: &[(AlertKind, u32)],
    ) -> Result<Reading, MarketError> {
        let market = state.service::<crate::market::service::Market>();
        let quote = market.quote(&state.db, symbol).await?;
        let mut reading = Reading {
            price: quote.price,
            change_pct: quote.change().map(|(_, pct)| pct),
            average: None,
            rsi: None,
        };
        if periods.is_empty() {
            return Ok(reading);
        }
        let mut history = market.history(&state.db, symbol).await?;
        history.with_quote(&quote);
        let closes: Vec<f64> = history.bars.iter().map(|b| b.close).collect();
        for (kind, period) in periods {
            let period = *period as usize;
            match kind {
                AlertKind::Average => {
                    reading.average = crate::market::indicators::sma(&closes, period)
                        .last()
                        .copied()
                        .flatten()
                }
                AlertKind::Rsi => {
                    reading.rsi = crate::market::indicators::rsi(&closes, period)
                        .last()
                        .copied()
                        .flatten()
                }
                AlertKind::Price | AlertKind::Move => {}
            }
        }
        Ok(reading)
    }

    /// A new alert. A price target the price is already past is refused: it would fire at
    /// once. Any other kind whose condition already holds waits for the next crossing.
    pub async fn create(
        state: &AppState,
        user: UserId,
        symbol: &str,
        alert: NewAlert,
    ) -> Result<PriceAlert, AppError> {
        let period = checked(&alert)?;
        let count = repo::alert_count(&state.db, user.0).await?;
        if count as usize >= MAX_ALERTS {
            return Err(AppError::Validation(says!(
                "server.portfolio.alert_limit",
                max = MAX_ALERTS
            )));
        }
        let NewAlert {
            kind,
            direction,
            target,
            ..
        } = alert;
        let periods: Vec<(AlertKind, u32)> = period.map(|p| (kind, p)).into_iter().collect();
        let mut holding = false;
        match reading(state, symbol, &periods).await {
            Ok(now) => {
                let line = target.to_f64().unwrap_or_default();
                holding = holds(kind, direction, line, &now).unwrap_or(false);
                if kind == AlertKind::Price && holding {
                    let price = Decimal::from_f64(now.price).unwrap_or_default().round_dp(4);
                    return Err(AppError::Validation(match direction {
                        Direction::Above => says!(
                            "server.portfolio.alert_reached_above",
                            symbol = symbol,
                            price = price,
                            target = target
                        ),
                        Direction::Below => says!(
                            "server.portfolio.alert_reached_below",
                            symbol = symbol,
                            price = price,
                            target = target
                        ),
                    }));
                }
            }
            Err(err @ MarketError::UnknownSymbol(..)) => return Err(err.into()),
            Err(err) => tracing::debug!(error = %err, symbol, "alert set without a quote"),
        }
        let row = price_alerts::Model {
            id: Uuid::now_v7(),
            user_id: user.0,
            symbol: symbol.to_string(),
            direction: direction.code().to_string(),
            target: target.normalize().to_string(),
            created_at: Utc::now(),
            triggered_at: None,
            triggered_price: None,
            kind: kind.code().to_string(),
            period: period.and_then(|p| i32::try_from(p).ok()),
            holding,
        };
        Ok(from_row(repo::insert_alert(&state.db, row).await?))
    }

    pub async fn delete(state: &AppState, user: UserId, id: AlertId) -> Result<(), AppError> {
        if !repo::delete_alert(&state.db, user.0, id.0).await? {
            return Err(AppError::NotFound(says!(
                "server.portfolio.alert_not_found"
            )));
        }
        Ok(())
    }

    /// What a push says of a fired alert, in the person's language.
    fn push_body(alert: &PriceAlert) -> Sentence {
        let (symbol, target) = (alert.symbol.clone(), alert.target.normalize().to_string());
        let period = alert.period.unwrap_or_default();
        let price = alert
            .triggered_price
            .map(|p| p.normalize().to_string())
            .unwrap_or_default();
        match (alert.kind, alert.direction) {
            (AlertKind::Price, Direction::Above) => says!(
                "server.portfolio.alert_push_price_above",
                symbol = symbol,
                target = target,
                price = price
            ),
            (AlertKind::Price, Direction::Below) => says!(
                "server.portfolio.alert_push_price_below",
                symbol = symbol,
                target = target,
                price = price
            ),
            (AlertKind::Move, Direction::Above) => says!(
                "server.portfolio.alert_push_move_above",
                symbol = symbol,
                target = target,
                price = price
            ),
            (AlertKind::Move, Direction::Below) => says!(
                "server.portfolio.alert_push_move_below",
                symbol = symbol,
                target = target,
                price = price
            ),
            (AlertKind::Average, Direction::Above) => says!(
                "server.portfolio.alert_push_average_above",
                symbol = symbol,
                period = period,
                price = price
            ),
            (AlertKind::Average, Direction::Below) => says!(
                "server.portfolio.alert_push_average_below",
                symbol = symbol,
                period = period,
                price = price
            ),
            (AlertKind::Rsi, Direction::Above) => says!(
                "server.portfolio.alert_push_rsi_above",
                symbol = symbol,
                period = period,
                target = target,
                price = price
            ),
            (AlertKind::Rsi, Direction::Below) => says!(
                "server.portfolio.alert_push_rsi_below",
                symbol = symbol,
                period = period,
                target = target,
                price = price
            ),
        }
    }

    /// One pass: every alert against its symbol's reading. A condition that starts to hold
    /// fires its alert (once: the instance whose update wins tells the person); one that
    /// stopped holding re-arms it. Returns the alerts this instance fired.
    pub async fn check(state: &AppState) -> Result<Vec<PriceAlert>, AppError> {
        let mut by_symbol: BTreeMap<String, Vec<price_alerts::Model>> = BTreeMap::new();
        for alert in repo::all_alerts(&state.db).await? {
            by_symbol
                .entry(alert.symbol.clone())
                .or_default()
                .push(alert);
        }
        let mut fired = Vec::new();
        for (symbol, alerts) in by_symbol {
            let mut periods: Vec<(AlertKind, u32)> = Vec::new();
            for alert in alerts.iter().map(|a| from_row(a.clone())) {
                if let Some(period) = alert.period.filter(|_| alert.kind.periods().is_some()) {
                    if !periods.contains(&(alert.kind, period)) {
                        periods.push((alert.kind, period));
                    }
                }
            }
            // Alerts on different periods of one symbol read one history each time.
            let mut readings: Vec<((AlertKind, u32), Reading)> = Vec::new();
            let base = match reading(state, &symbol, &[]).await {
                Ok(reading) => reading,
                Err(err) => {
                    tracing::debug!(error = %err, symbol, "no quote for price alerts this time");
                    continue;
                }
            };
            for wanted in &periods {
                match reading(state, &symbol, std::slice::from_ref(wanted)).await {
                    Ok(found) => readings.push((*wanted, found)),
                    Err(err) => tracing::debug!(error = %err, symbol, "no history for alerts"),
                }
            }
            for row in alerts {
                let (holding, owner) = (row.holding, row.user_id);
                let alert = from_row(row);
                let now = match alert.period {
                    Some(period) if alert.kind.periods().is_some() => {
                        match readings.iter().find(|(k, _)| *k == (alert.kind, period)) {
                            Some((_, found)) => *found,
                            None => continue,
                        }
                    }
                    _ => base,
                };
                let line = alert.target.to_f64().unwrap_or_default();
                let Some(holds_now) = holds(alert.kind, alert.direction, line, &now) else {
                    continue;
                };
                let id = Uuid::parse_str(&alert.id).unwrap_or_default();
                if !holds_now {
                    if holding {
                        repo::rearm_alert(&state.db, id).await?;
                    }
                    continue;
                }
                if holding {
                    continue;
                }
                let price = Decimal::from_f64(now.price)
                    .unwrap_or_default()
                    .round_dp(4)
                    .normalize();
                // Only the instance whose update wins tells the person.
                if !repo::fire_alert(&state.db, id, Utc::now(), &price.to_string()).await? {
                    continue;
                }
                let alert = PriceAlert {
                    triggered_at: Some(Utc::now().to_rfc3339()),
                    triggered_price: Some(price),
                    ..alert
                };
                tell(state, owner, &alert).await;
                fired.push(alert);
            }
        }
        Ok(fired)
    }

    /// Tells the person of a fired alert: their open tabs at once, their browsers by push.
    async fn tell(state: &AppState, owner: Uuid, alert: &PriceAlert) {
        realtime::publish(
            state,
            &realtime::topic::user(owner),
            None,
            &AlertEvent::AlertTriggered {
                alert: alert.clone(),
            },
        )
        .await;
        if let Some(AlertPush(push)) = state.services.get::<AlertPush>() {
            let title = says!("server.portfolio.alert_push_title", symbol = alert.symbol);
            let url = format!("/markets/{}", alert.symbol);
            push(state, owner, title, push_body(alert), url, alert.id.clone()).await;
        }
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

    #[test]
    fn each_kind_reads_its_own_line() {
        let now = Reading {
            price: 100.0,
            change_pct: Some(-5.2),
            average: Some(101.0),
            rsi: Some(29.5),
        };
        let on_now = |kind, direction, target| holds(kind, direction, target, &now);
        assert_eq!(
            on_now(AlertKind::Price, Direction::Above, 100.0),
            Some(true)
        );
        // Down 5 % or more: -5.2 is; up 5 % is not.
        assert_eq!(on_now(AlertKind::Move, Direction::Below, 5.0), Some(true));
        assert_eq!(on_now(AlertKind::Move, Direction::Above, 5.0), Some(false));
        assert_eq!(on_now(AlertKind::Move, Direction::Below, 6.0), Some(false));
        // Under its average; the target is not read.
        assert_eq!(
            on_now(AlertKind::Average, Direction::Below, 0.0),
            Some(true)
        );
        assert_eq!(
            on_now(AlertKind::Average, Direction::Above, 0.0),
            Some(false)
        );
        assert_eq!(on_now(AlertKind::Rsi, Direction::Below, 30.0), Some(true));
        assert_eq!(on_now(AlertKind::Rsi, Direction::Above, 70.0), Some(false));
        // Without the figure, no answer (not a "no").
        let bare = Reading {
            price: 100.0,
            ..Reading::default()
        };
        assert_eq!(holds(AlertKind::Rsi, Direction::Below, 30.0, &bare), None);
        assert_eq!(holds(AlertKind::Move, Direction::Above, 1.0, &bare), None);
        assert_eq!(AlertKind::parse(" RSI "), Some(AlertKind::Rsi));
        assert_eq!(AlertKind::parse(""), Some(AlertKind::Price));
        assert_eq!(AlertKind::parse("macd"), None);
    }
}
