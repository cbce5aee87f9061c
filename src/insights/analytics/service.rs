//! Community analytics (ssr): the roll-up job, and a community's figures read from it.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use sea_orm::{DatabaseConnection, TransactionTrait};
use uuid::Uuid;

use super::{
    chart,
    days::{monday_of, month_of, presets, range},
    median_and_p90, mood, rate, repo, Analytics, CashtagFigures, ChannelFigures, DayFigures,
    ModeratorFigures, Totals, WeekFigures, TOP_CASHTAGS, TOP_CHANNELS,
};
use crate::auth::UserId;
use crate::{
    ai::{sentiment::sentiment, Stance},
    community::permissions::Action,
    entities::{channel_days, communities, community_days, member_days, symbol_days},
    kit::markdown::cashtags,
    platform::{error::AppError, state::AppState},
};

/// A run that has not touched its claim for this long has died; another may take over.
const LEASE_SECS: i64 = 120;
/// Messages read per query while rolling a day up.
const PAGE: u64 = 5_000;

/// What one run of the roll-up did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RollupRun {
    pub days: u64,
    pub messages: u64,
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

/// Recomputes the roll-up from where the last run said to start (the first activity on the
/// first run) through today, a day per transaction; the next run starts again at yesterday,
/// which late flags and reports may still change. `None` when another run holds the job.
pub async fn roll_up(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<Option<RollupRun>, AppError> {
    let Some(claim) =
        repo::claim_job(db, repo::ACTIVITY, now, now - Duration::seconds(LEASE_SECS)).await?
    else {
        return Ok(None);
    };
    let today = now.date_naive();
    let first = match claim.from_day {
        Some(day) => day,
        None => repo::first_activity(db)
            .await?
            .map_or(today, |at| at.date_naive()),
    };
    let mut communities: HashMap<Uuid, Uuid> =
        repo::channel_communities(db).await?.into_iter().collect();
    let mut run = RollupRun::default();
    let mut day = first.min(today);
    while day <= today {
        let counted = roll_up_day(db, day, &mut communities).await?;
        run.days += 1;
        run.messages += counted;
        // A month's writers are listed again once its last day rolled here is done (a run
        // that dies midway has listed every month it finished).
        if day == today || month_of(day + Duration::days(1)) != month_of(day) {
            let txn = db.begin().await?;
            repo::recount_month(&txn, month_of(day)).await?;
            txn.commit().await?;
        }
        repo::hold_job(db, repo::ACTIVITY, Utc::now()).await?;
        day += Duration::days(1);
    }
    repo::finish_job(db, repo::ACTIVITY, today - Duration::days(1), Utc::now()).await?;
    Ok(Some(run))
}

/// One day's roll-up from its messages, membership changes and reports; the messages counted.
async fn roll_up_day(
    db: &DatabaseConnection,
    day: NaiveDate,
    communities: &mut HashMap<Uuid, Uuid>,
) -> Result<u64, AppError> {
    let window = (start_of(day), start_of(day + Duration::days(1)));
    let mut channels: HashMap<Uuid, (i32, i32)> = HashMap::new();
    let mut members: HashMap<(Uuid, Uuid), i32> = HashMap::new();
    let mut symbols: HashMap<(Uuid, String), (i32, i32, i32)> = HashMap::new();
    let mut after = None;
    let mut counted = 0u64;
    loop {
        let page = repo::written_between(db, window, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = Some((last.created_at, last.id));
        let full = page.len() as u64 == PAGE;
        for message in page {
            let community = match communities.get(&message.channel_id) {
                Some(c) => *c,
                None => {
                    // A channel made since the run began.
                    *communities = repo::channel_communities(db).await?.into_iter().collect();
                    match communities.get(&message.channel_id) {
                        Some(c) => *c,
                        None => continue,
                    }
                }
            };
            counted += 1;
            let channel = channels.entry(message.channel_id).or_default();
            channel.0 += 1;
            channel.1 += i32::from(message.flagged);
            *members.entry((community, message.author_id)).or_default() += 1;
            let Some(body) = message.body.as_deref() else {
                continue;
            };
            let named = cashtags(body);
            if named.is_empty() {
                continue;
            }
            let stance = mention_stance(body, message.language.as_deref());
            for symbol in named.into_iter().filter(|s| s.len() <= 20) {
                let entry = symbols.entry((community, symbol)).or_default();
                entry.0 += 1;
                entry.1 += i32::from(stance == Some(Stance::Bullish));
                entry.2 += i32::from(stance == Some(Stance::Bearish));
            }
        }
        if !full {
            break;
        }
    }
    let mut changes: HashMap<Uuid, community_days::Model> = HashMap::new();
    let empty = |community: Uuid| community_days::Model {
        community_id: community,
        day,
        active: 0,
        joined: 0,
        left: 0,
        removed: 0,
        reports: 0,
    };
    for (community, _) in members.keys() {
        changes
            .entry(*community)
            .or_insert_with(|| empty(*community))
            .active += 1;
    }
    for (community, change) in repo::changes_between(db, window).await? {
        let row = changes.entry(community).or_insert_with(|| empty(community));
        match change.as_str() {
            "joined" => row.joined += 1,
            "left" => row.left += 1,
            _ => row.removed += 1,
        }
    }
    for community in repo::reports_between(db, window).await? {
        changes
            .entry(community)
            .or_insert_with(|| empty(community))
            .reports += 1;
    }
    let week = monday_of(day);
    let rollup = repo::DayRollup {
        channels: channels
            .into_iter()
            .filter_map(|(channel, (messages, flagged))| {
                Some(channel_days::Model {
                    channel_id: channel,
                    day,
                    community_id: *communities.get(&channel)?,
                    messages,
                    flagged,
                })
            })
            .collect(),
        members: members
            .into_iter()
            .map(|((community, user), messages)| member_days::Model {
                community_id: community,
                day,
                user_id: user,
                week,
                messages,
            })
            .collect(),
        symbols: symbols
            .into_iter()
            .map(
                |((community, symbol), (mentions, bullish, bearish))| symbol_days::Model {
                    community_id: community,
                    day,
                    symbol,
                    mentions,
                    bullish,
                    bearish,
                },
            )
            .collect(),
        communities: changes.into_values().collect(),
    };
    let txn = db.begin().await?;
    repo::replace_day(&txn, day, rollup).await?;
    repo::recount_week(&txn, week).await?;
    txn.commit().await?;
    Ok(counted)
}

/// The stance a mention counts with: read in English only (a message of unknown language is
/// read as English); other languages' mentions count without one. The roll-up and today's live
/// mood (`insights::crowd`) count alike.
pub fn mention_stance(body: &str, language: Option<&str>) -> Option<Stance> {
    language
        .is_none_or(|l| l == "en")
        .then(|| sentiment(body).stance)
}

/// Runs the roll-up every `every`, for as long as the server runs.
pub async fn keep_rolling_up(state: AppState, every: std::time::Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match roll_up(&state.db, Utc::now()).await {
            Ok(Some(run)) if run.days > 1 => {
                tracing::info!(
                    days = run.days,
                    messages = run.messages,
                    "analytics rolled up"
                )
            }
            Ok(_) => {}
            Err(err) => {
                tracing::warn!(error = %err, "the analytics roll-up failed; retried next time")
            }
        }
    }
}

/// A community's figures over `[from, to]` (see [`range`]), for those who may read them.
pub async fn community(
    state: &AppState,
    actor: UserId,
    slug: &str,
    (from, to): (Option<&str>, Option<&str>),
) -> Result<Analytics, AppError> {
    let (community, standing) =
        crate::community::service::find(state, Some(UserId(actor.0)), slug).await?;
    crate::community::service::allow(&community, standing, Action::ReadAnalytics)?;
    let span = range(from, to, Utc::now().date_naive()).map_err(AppError::Validation)?;
    figures(&state.db, community, span).await
}

/// A community's figures over `[from, to]`, read from the roll-ups.
pub async fn figures(
    db: &DatabaseConnection,
    community: communities::Model,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Analytics, AppError> {
    let span = (from, to);
    let day_count = (to - from).num_days() as usize + 1;
    let index = |day: NaiveDate| (day - from).num_days() as usize;
    let mut days: Vec<DayFigures> = (0..day_count)
        .map(|i| DayFigures {
            day: (from + Duration::days(i as i64)).to_string(),
            ..DayFigures::default()
        })
        .collect();

    let names: HashMap<Uuid, String> = repo::channel_names(db, community.id)
        .await?
        .into_iter()
        .collect();
    let mut per_channel: HashMap<Uuid, (u64, u64)> = HashMap::new();
    for row in repo::channel_days_of(db, community.id, span).await? {
        let day = &mut days[index(row.day)];
        day.messages += row.messages as u64;
        day.flagged += row.flagged as u64;
        let channel = per_channel.entry(row.channel_id).or_default();
        channel.0 += row.messages as u64;
        channel.1 += row.flagged as u64;
    }
    for row in repo::community_days_of(db, community.id, span).await? {
        let day = &mut days[index(row.day)];
        day.active_members = row.active as u64;
        day.joined = row.joined as u64;
        day.left = row.left as u64;
        day.removed = row.removed as u64;
        day.reports = row.reports as u64;
    }
    let mut weeks: Vec<WeekFigures> =
        repo::active_per_week(db, community.id, (monday_of(from), to))
            .await?
            .into_iter()
            .map(|(week, members)| WeekFigures {
                week: week.to_string(),
                active_members: members as u64,
            })
            .collect();
    weeks.sort_by(|a, b| a.week.cmp(&b.week));

    let mut channels: Vec<ChannelFigures> = per_channel
        .into_iter()
        .map(|(id, (messages, flagged))| ChannelFigures {
            name: names.get(&id).cloned().unwrap_or_default(),
            messages,
            flagged,
        })
        .collect();
    channels.sort_by(|a, b| b.messages.cmp(&a.messages).then(a.name.cmp(&b.name)));
    channels.truncate(TOP_CHANNELS);

    let cashtags: Vec<CashtagFigures> =
        repo::top_symbols(db, community.id, span, TOP_CASHTAGS as u64)
            .await?
            .into_iter()
            .map(|(symbol, mentions, bullish, bearish)| {
                let (mentions, bullish, bearish) =
                    (mentions as u64, bullish as u64, bearish as u64);
                CashtagFigures {
                    symbol,
                    mentions,
                    bullish,
                    bearish,
                    mood: mood(mentions, bullish, bearish),
                }
            })
            .collect();
    let mut moods: Vec<(String, Vec<Option<i32>>)> = cashtags
        .iter()
        .map(|c| (c.symbol.clone(), vec![None; day_count]))
        .collect();
    let shown: Vec<String> = cashtags.iter().map(|c| c.symbol.clone()).collect();
    for row in repo::symbol_days_of(db, community.id, shown, span).await? {
        if let Some((_, series)) = moods.iter_mut().find(|(s, _)| *s == row.symbol) {
            series[index(row.day)] = Some(mood(
                row.mentions as u64,
                row.bullish as u64,
                row.bearish as u64,
            ));
        }
    }

    // How long moderators took over the reports made in the range that they resolved.
    let reports = repo::resolved_reports(
        db,
        community.id,
        (start_of(from), start_of(to + Duration::days(1))),
    )
    .await?;
    let mut all_minutes = Vec::with_capacity(reports.len());
    let mut by_moderator: HashMap<Uuid, Vec<f64>> = HashMap::new();
    for (made, resolved, by) in &reports {
        let minutes = (*resolved - *made).num_seconds().max(0) as f64 / 60.0;
        all_minutes.push(minutes);
        by_moderator.entry(*by).or_default().push(minutes);
    }
    let people =
        crate::auth::repo::users_by_ids(db, by_moderator.keys().copied().collect()).await?;
    let mut moderators: Vec<ModeratorFigures> = by_moderator
        .into_iter()
        .filter_map(|(id, mut minutes)| {
            let person = people.get(&id)?;
            let resolved = minutes.len() as u64;
            Some(ModeratorFigures {
                display_name: person.display_name.clone(),
                username: person.username.clone(),
                resolved,
                median_minutes: round1(median_and_p90(&mut minutes)?.0),
            })
        })
        .collect();
    moderators.sort_by(|a, b| {
        b.resolved
            .cmp(&a.resolved)
            .then(a.username.cmp(&b.username))
    });
    let response = median_and_p90(&mut all_minutes);

    let sum = |f: fn(&DayFigures) -> u64| days.iter().map(f).sum::<u64>();
    let messages = sum(|d| d.messages);
    let flagged = sum(|d| d.flagged);
    let reports_made = sum(|d| d.reports);
    let totals = Totals {
        messages,
        active_members: repo::active_between(db, community.id, span).await? as u64,
        joined: sum(|d| d.joined),
        left: sum(|d| d.left),
        removed: sum(|d| d.removed),
        flagged,
        reports: reports_made,
        flag_rate: rate(flagged, messages, 100.0),
        report_rate: rate(reports_made, messages, 1000.0),
        reports_resolved: reports.len() as u64,
        median_response_minutes: response.map(|(m, _)| round1(m)),
        p90_response_minutes: response.map(|(_, p)| round1(p)),
    };
    let as_of = repo::job_state(db, repo::ACTIVITY)
        .await?
        .and_then(|r| r.ran_at)
        .map(|at| at.to_rfc3339());
    let charts = chart::charts(&days, &weeks, &moods);
    Ok(Analytics {
        community_name: community.name,
        slug: community.slug,
        from: from.to_string(),
        to: to.to_string(),
        totals,
        days,
        weeks,
        channels,
        cashtags,
        moderators,
        charts,
        presets: presets(Utc::now().date_naive()),
        as_of,
    })
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// The figures per day as CSV (the file's name, its text).
pub async fn community_csv(
    state: &AppState,
    actor: UserId,
    slug: &str,
    span: (Option<&str>, Option<&str>),
) -> Result<(String, String), AppError> {
    let analytics = community(state, actor, slug, span).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let failed = |error: csv::Error| {
        tracing::error!(%error, "writing the analytics CSV failed");
        AppError::Internal
    };
    out.write_record([
        "day",
        "messages",
        "active_members",
        "joined",
        "left",
        "removed",
        "flagged",
        "reports",
        "flag_rate_percent",
        "reports_per_1000_messages",
    ])
    .map_err(failed)?;
    for day in &analytics.days {
        out.write_record([
            day.day.clone(),
            day.messages.to_string(),
            day.active_members.to_string(),
            day.joined.to_string(),
            day.left.to_string(),
            day.removed.to_string(),
            day.flagged.to_string(),
            day.reports.to_string(),
            rate(day.flagged, day.messages, 100.0).to_string(),
            rate(day.reports, day.messages, 1000.0).to_string(),
        ])
        .map_err(failed)?;
    }
    let bytes = out.into_inner().map_err(|_| AppError::Internal)?;
    let text = String::from_utf8(bytes).map_err(|_| AppError::Internal)?;
    Ok((
        format!(
            "{}-analytics-{}-to-{}.csv",
            analytics.slug, analytics.from, analytics.to
        ),
        text,
    ))
}
