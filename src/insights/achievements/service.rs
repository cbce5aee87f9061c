//! Achievements (ssr): the job that awards badges, and a person's badges.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::{called, repo, Earned, Rule, ACHIEVEMENTS};
use crate::auth::UserId;
use crate::{
    chat::ServerEvent,
    entities::users,
    insights::{analytics::repo as jobs, stats::streaks},
    platform::{error::AppError, realtime, state::AppState},
    polls::service::PollPrices,
};

/// The job's name in `rollups`.
const JOB: &str = "achievements";
/// A run that has not finished in this long has died.
const LEASE_SECS: i64 = 120;
/// How long after a price-target poll closes its price is still looked for (a market source
/// that is down for longer leaves the poll without a winner).
const PRICING_HOURS: i64 = 24;

/// Checks every rule for those active since the last run (everyone who ever wrote on the first
/// run), records the badges earned and tells each person of theirs: (person, badge) awarded.
/// `None` when another run holds the job.
pub async fn award(
    state: &AppState,
    now: DateTime<Utc>,
) -> Result<Option<Vec<(Uuid, &'static str)>>, AppError> {
    let db = &state.db;
    let Some(claim) = jobs::claim_job(db, JOB, now, now - Duration::seconds(LEASE_SECS)).await?
    else {
        return Ok(None);
    };
    // From the start of the day the last run began (a day's margin: what it read may have
    // changed since, a flag dismissed or a reaction added).
    let since = claim
        .from_day
        .map(|day| day.and_time(NaiveTime::MIN).and_utc())
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    let mut awarded = Vec::new();
    let mut people = repo::active_since(db, since).await?;
    // Those who hold every badge of activity already are not read again (a prolific writer's
    // messages would be, every minute).
    let by_activity: Vec<&str> = ACHIEVEMENTS
        .iter()
        .filter(|a| {
            matches!(
                a.rule,
                Rule::FirstMessage | Rule::Helpful { .. } | Rule::Streak { .. }
            )
        })
        .map(|a| a.key)
        .collect();
    let mut held: std::collections::HashMap<Uuid, usize> = std::collections::HashMap::new();
    for (person, key) in repo::held_by(db, people.clone()).await? {
        if by_activity.contains(&key.as_str()) {
            *held.entry(person).or_default() += 1;
        }
    }
    people.retain(|p| held.get(p).copied().unwrap_or(0) < by_activity.len());
    let users = crate::auth::repo::users_by_ids(db, people.clone()).await?;
    for person in people {
        // Badges are for people: the bots are members and write, but earn nothing.
        let Some(user) = users
            .get(&person)
            .filter(|u| !crate::auth::is_bot(&u.username))
        else {
            continue;
        };
        for key in earned_by_activity(db, user, now).await? {
            if repo::award(db, person, key, now).await? {
                awarded.push((person, key));
            }
        }
    }
    for achievement in ACHIEVEMENTS {
        match achievement.rule {
            Rule::Anniversary { days } => {
                let span = (
                    since - Duration::days(i64::from(days)),
                    now - Duration::days(i64::from(days)),
                );
                let found = repo::anniversaries(db, span).await?;
                let bots: HashSet<Uuid> = crate::auth::repo::users_by_ids(db, found.clone())
                    .await?
                    .into_values()
                    .filter(|u| crate::auth::is_bot(&u.username))
                    .map(|u| u.id)
                    .collect();
                for person in found.into_iter().filter(|p| !bots.contains(p)) {
                    if repo::award(db, person, achievement.key, now).await? {
                        awarded.push((person, achievement.key));
                    }
                }
            }
            Rule::CalledIt { within_percent } => {
                for person in called_it(state, now, within_percent).await? {
                    if repo::award(db, person, achievement.key, now).await? {
                        awarded.push((person, achievement.key));
                    }
                }
            }
            _ => {}
        }
    }
    for (person, key) in &awarded {
        tell(state, UserId(*person), key, now).await;
    }
    jobs::finish_job(db, JOB, now.date_naive() - Duration::days(1), now).await?;
    Ok(Some(awarded))
}

/// The badges of writing, helping and streaks `user` has earned by now.
async fn earned_by_activity(
    db: &DatabaseConnection,
    user: &users::Model,
    now: DateTime<Utc>,
) -> Result<Vec<&'static str>, AppError> {
    let times = repo::counting_times(db, user.id).await?;
    let zone: chrono_tz::Tz = user.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let mut days: Vec<i64> = times
        .iter()
        .map(|at| i64::from(at.with_timezone(&zone).date_naive().num_days_from_ce()))
        .collect();
    days.sort_unstable();
    days.dedup();
    let today = i64::from(now.with_timezone(&zone).date_naive().num_days_from_ce());
    let (_, longest) = streaks(&days, today);
    let mut help = None;
    let mut earned = Vec::new();
    for achievement in ACHIEVEMENTS {
        let yes = match achievement.rule {
            Rule::FirstMessage => !times.is_empty(),
            Rule::Streak { days } => longest >= days,
            Rule::Helpful { reactions, replies } => {
                if help.is_none() {
                    help = Some(repo::help_received(db, user.id).await?);
                }
                let (got_reactions, got_replies) = help.unwrap_or_default();
                got_reactions >= u64::from(reactions) && got_replies >= u64::from(replies)
            }
            Rule::CalledIt { .. } | Rule::Anniversary { .. } => false,
        };
        if yes {
            earned.push(achievement.key);
        }
    }
    Ok(earned)
}

/// Those who named a number within `percent` of the price of a price-target poll that closed
/// since the last look; each poll's closing price is read once, from the market.
async fn called_it(
    state: &AppState,
    now: DateTime<Utc>,
    percent: u32,
) -> Result<Vec<Uuid>, AppError> {
    let db = &state.db;
    let mut callers = Vec::new();
    let polls =
        repo::unpriced_closed_targets(db, (now - Duration::hours(PRICING_HOURS), now)).await?;
    for poll in polls {
        let Some(symbol) = poll.symbol.as_deref() else {
            continue;
        };
        // A source that does not answer now is asked again on the next run.
        let Some(price) = (state.service::<PollPrices>().0)(state, symbol).await else {
            continue;
        };
        if !repo::price_close(db, poll.message_id, price.price).await? {
            continue;
        }
        for (person, target) in repo::targets_named(db, poll.message_id).await? {
            if called(target, price.price, percent) {
                callers.push(person);
            }
        }
    }
    Ok(callers)
}

/// Tells the person's open tabs; a person with none is told when they next come.
async fn tell(state: &AppState, person: UserId, key: &'static str, now: DateTime<Utc>) {
    let Some(achievement) = super::achievement(key) else {
        return;
    };
    realtime::publish(
        state,
        &realtime::topic::user(person.0),
        None,
        &ServerEvent::AchievementEarned {
            achievement: Earned {
                key: key.to_owned(),
                icon: achievement.icon.to_owned(),
                earned_at: now.to_rfc3339(),
            },
        },
    )
    .await;
}

/// Runs [`award`] every `every`, for as long as the server runs.
pub async fn keep_awarding(state: AppState, every: std::time::Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match award(&state, Utc::now()).await {
            Ok(Some(awarded)) if !awarded.is_empty() => {
                tracing::info!(badges = awarded.len(), "achievements awarded")
            }
            Ok(_) => {}
            Err(err) => {
                tracing::warn!(error = %err, "awarding achievements failed; retried next time")
            }
        }
    }
}

/// The badges of the person called `username`, earliest first.
pub async fn of(state: &AppState, username: &str) -> Result<Vec<Earned>, AppError> {
    let user = crate::auth::repo::user_by_username(&state.db, username)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(crate::kit::sentences::says!(
                "server.achievements.no_person"
            ))
        })?;
    Ok(present(repo::earned_by(&state.db, user.id).await?))
}

/// Marks the person's badges as told: those they had not been told of, to tell now.
pub async fn take_unseen(state: &AppState, user: UserId) -> Result<Vec<Earned>, AppError> {
    let keys = repo::mark_seen(&state.db, user.0, Utc::now()).await?;
    let held = repo::earned_by(&state.db, user.0).await?;
    Ok(present(
        held.into_iter().filter(|a| keys.contains(&a.key)).collect(),
    ))
}

fn present(rows: Vec<crate::entities::achievements::Model>) -> Vec<Earned> {
    rows.into_iter()
        .filter_map(|row| {
            let achievement = super::achievement(&row.key)?;
            Some(Earned {
                key: row.key,
                icon: achievement.icon.to_owned(),
                earned_at: row.earned_at.to_rfc3339(),
            })
        })
        .collect()
}
