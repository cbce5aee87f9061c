//! Events, as people use them: planned where one may post (the announcing message and its
//! event are stored in one transaction), answered where one may take part, shown in the
//! community's calendar, exported as `.ics`, and reminded of by a background job that claims
//! each reminder once whatever the number of instances.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use futures::future::BoxFuture;
use uuid::Uuid;

use super::{
    ics, repo, Answer, Attendee, Calendar, CalendarEntry, EarningsDay, Event, NewEvent,
    AHEAD_MAX_DAYS, DESCRIPTION_MAX_CHARS, LONGEST_HOURS, NAMED_MAX, REMIND_CHOICES,
    TITLE_MAX_CHARS,
};
use crate::auth::UserId;
use crate::community::CommunityId;
use crate::{
    auth::Author,
    chat::{
        parts::{self, Carried, Revised},
        service as chat, ChatMessage, MessageId, ServerEvent,
    },
    community::{permissions::Action, service as community, ChannelId},
    entities::{events, messages, users},
    kit::sentences::says,
    platform::{error::AppError, realtime, state::AppState},
};

/// A company's next earnings day (market's: given by the composition root, as chat knows no
/// market).
pub struct EarningsDays(pub EarningsQuery);

/// (state, symbol) → its next earnings day, none when the source's calendar has none.
pub type EarningsQuery =
    for<'a> fn(&'a AppState, &'a str) -> BoxFuture<'a, Result<Option<EarningsDay>, AppError>>;

/// The next earnings day of a $cashtag, for the event form to start the event on.
pub async fn next_earnings(state: &AppState, symbol: &str) -> Result<EarningsDay, AppError> {
    let symbol = crate::kit::markdown::symbol_of(symbol.trim()).ok_or_else(|| {
        AppError::Validation(says!("server.events.bad_symbol", symbol = symbol.trim()))
    })?;
    (state.service::<EarningsDays>().0)(state, &symbol)
        .await?
        .ok_or_else(|| AppError::NotFound(says!("server.events.no_earnings", symbol = symbol)))
}

/// An event checked and tidied, its times turned into instants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub title: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub time_zone: String,
    pub symbol: Option<String>,
    pub remind_minutes: u32,
}

impl Planned {
    /// Its row, for the message `message` in `channel` of `community`.
    pub fn row(
        &self,
        message: MessageId,
        (community, channel): (CommunityId, ChannelId),
        organiser: UserId,
        now: DateTime<Utc>,
    ) -> events::Model {
        events::Model {
            message_id: message.0,
            community_id: community.0,
            channel_id: channel.0,
            created_by: organiser.0,
            title: self.title.clone(),
            description: self.description.clone(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            time_zone: self.time_zone.clone(),
            symbol: self.symbol.clone(),
            remind_minutes: self.remind_minutes as i32,
            remind_at: (self.remind_minutes > 0)
                .then(|| self.starts_at - chrono::Duration::minutes(self.remind_minutes.into())),
            reminded_at: None,
            created_at: now,
        }
    }

    /// As readers first see it: nobody has answered.
    pub fn fresh(&self, id: MessageId, organiser: UserId) -> Event {
        present(
            &self.row(
                id,
                (CommunityId(Uuid::nil()), ChannelId(Uuid::nil())),
                organiser,
                Utc::now(),
            ),
            &[],
            &HashMap::new(),
        )
    }
}

/// A wall-clock time of `zone` (`2026-12-03T16:30`, seconds allowed) as an instant. A time the
/// clocks skip (spring forward) is refused; one they pass twice (fall back) is the first.
pub fn instant(local: &str, zone: chrono_tz::Tz) -> Result<DateTime<Utc>, AppError> {
    let local = local.trim();
    let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| {
            AppError::Validation(says!("server.events.bad_time", time = local.to_string()))
        })?;
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| {
            AppError::Validation(says!(
                "server.events.skipped_time",
                time = local.to_string(),
                zone = zone.name().to_string()
            ))
        })
}

/// Checks an event as its organiser planned it; `their_zone` is the organiser's profile zone,
/// used when the event names none.
pub fn check(asked: &NewEvent, their_zone: &str, now: DateTime<Utc>) -> Result<Planned, AppError> {
    let title = asked.title.trim().to_string();
    if title.is_empty() {
        return Err(AppError::Validation(says!("server.events.no_title")));
    }
    if title.chars().count() > TITLE_MAX_CHARS || title.contains(['\n', '\r']) {
        return Err(AppError::Validation(says!(
            "server.events.long_title",
            max = TITLE_MAX_CHARS
        )));
    }
    let description = asked.description.trim().to_string();
    if description.chars().count() > DESCRIPTION_MAX_CHARS {
        return Err(AppError::Validation(says!(
            "server.events.long_description",
            max = DESCRIPTION_MAX_CHARS
        )));
    }
    let zone_name = asked
        .time_zone
        .as_deref()
        .map(str::trim)
        .filter(|z| !z.is_empty())
        .unwrap_or(their_zone);
    let zone: chrono_tz::Tz = zone_name.parse().map_err(|_| {
        AppError::Validation(says!(
            "server.events.bad_zone",
            zone = zone_name.to_string()
        ))
    })?;
    let starts_at = instant(&asked.starts, zone)?;
    // A minute's grace: the form was filled in a moment ago.
    if starts_at < now - chrono::Duration::minutes(1) {
        return Err(AppError::Validation(says!("server.events.in_the_past")));
    }
    if starts_at > now + chrono::Duration::days(AHEAD_MAX_DAYS) {
        return Err(AppError::Validation(says!(
            "server.events.too_far",
            days = AHEAD_MAX_DAYS
        )));
    }
    let ends_at = match asked
        .ends
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        None => None,
        Some(ends) => {
            let ends_at = instant(ends, zone)?;
            if ends_at <= starts_at {
                return Err(AppError::Validation(says!("server.events.ends_first")));
            }
            if ends_at - starts_at > chrono::Duration::hours(LONGEST_HOURS) {
                return Err(AppError::Validation(says!(
                    "server.events.too_long",
                    days = LONGEST_HOURS / 24
                )));
            }
            Some(ends_at)
        }
    };
    let symbol = match asked
        .symbol
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(symbol) => Some(crate::kit::markdown::symbol_of(symbol).ok_or_else(|| {
            AppError::Validation(says!(
                "server.events.bad_symbol",
                symbol = symbol.to_string()
            ))
        })?),
    };
    if !REMIND_CHOICES.contains(&asked.remind_minutes) {
        return Err(AppError::Validation(says!("server.events.bad_reminder")));
    }
    Ok(Planned {
        title,
        description,
        starts_at,
        ends_at,
        time_zone: zone.name().to_string(),
        symbol,
        remind_minutes: asked.remind_minutes,
    })
}

/// Plans an event in a channel: a message announcing it, stored with the event, on the way
/// every message goes (rate limit, the AI's judgement, unread counts, notifications).
pub async fn plan(
    state: &AppState,
    organiser: &users::Model,
    channel: ChannelId,
    asked: &NewEvent,
) -> Result<ChatMessage, AppError> {
    let planned = check(asked, &organiser.time_zone, Utc::now())?;
    let access = chat::channel_access(state, Some(UserId(organiser.id)), channel).await?;
    chat::may_post(&access)?;
    let body =
        crate::chat::validate_body(&super::announcement(&planned.title, &planned.description))?;
    let stored = chat::submit_carrying(state, organiser, &access, &body, Box::new(planned)).await?;
    Ok(stored.await?.message)
}

/// An event as readers see it, from its row and its answers (earliest first).
fn present(
    row: &events::Model,
    answers: &[crate::entities::event_answers::Model],
    people: &HashMap<Uuid, users::Model>,
) -> Event {
    let mut counts: HashMap<Answer, u32> = HashMap::new();
    let mut attendees = Vec::new();
    for answer in answers.iter().filter(|a| a.event_id == row.message_id) {
        let Some(said) = Answer::parse(&answer.answer) else {
            continue;
        };
        let count = counts.entry(said).or_default();
        *count += 1;
        if (*count as usize) <= NAMED_MAX {
            attendees.push(Attendee {
                person: match people.get(&answer.user_id) {
                    Some(user) => Author::of(user),
                    None => Author::deleted(answer.user_id),
                },
                answer: said,
            });
        }
    }
    let count = |a: Answer| counts.get(&a).copied().unwrap_or(0);
    // The wall clock the organiser planned it by, for their form when they change it.
    let local = |at: DateTime<Utc>| {
        row.time_zone
            .parse::<chrono_tz::Tz>()
            .map(|zone| at.with_timezone(&zone).format("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default()
    };
    Event {
        id: row.message_id.to_string(),
        organiser_id: row.created_by.to_string(),
        starts_local: local(row.starts_at),
        ends_local: row.ends_at.map(local),
        title: row.title.clone(),
        description: row.description.clone(),
        starts_at: row.starts_at.to_rfc3339(),
        ends_at: row.ends_at.map(|t| t.to_rfc3339()),
        time_zone: row.time_zone.clone(),
        symbol: row.symbol.clone(),
        remind_minutes: row.remind_minutes.max(0) as u32,
        going: count(Answer::Going),
        maybe: count(Answer::Maybe),
        declined: count(Answer::Declined),
        attendees,
    }
}

/// The events of these rows, with their answers and the people who gave them (two queries).
async fn present_all(
    state: &AppState,
    rows: &[events::Model],
) -> Result<HashMap<Uuid, Event>, AppError> {
    if rows.is_empty() {
        return Ok(HashMap::new());
    }
    let answers = repo::answers_of(&state.db, rows.iter().map(|e| e.message_id).collect()).await?;
    let people =
        crate::auth::repo::users_by_ids(&state.db, answers.iter().map(|a| a.user_id).collect())
            .await?;
    Ok(rows
        .iter()
        .map(|row| (row.message_id, present(row, &answers, &people)))
        .collect())
}

/// An event is stored with the message that announces it.
#[async_trait::async_trait]
impl Carried for Planned {
    async fn store(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        stored: &messages::Model,
        community: CommunityId,
    ) -> Result<(), AppError> {
        let place = (community, ChannelId(stored.channel_id));
        let row = self.row(
            MessageId(stored.id),
            place,
            UserId(stored.author_id),
            stored.created_at,
        );
        Ok(repo::insert(txn, row).await?)
    }

    fn show(&self, stored: &messages::Model, message: &mut ChatMessage) {
        let event = self.fresh(MessageId(stored.id), UserId(stored.author_id));
        message.parts.put(super::KIND, &event);
    }
}

/// An event is planned anew with the edit of the message that announces it.
#[async_trait::async_trait]
impl Revised for Planned {
    async fn store(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        stored: &messages::Model,
    ) -> Result<(), AppError> {
        if !repo::replan(txn, stored.id, self).await? {
            return Err(AppError::NotFound(says!("server.events.not_found")));
        }
        Ok(())
    }
}

/// Events as a kind of message part: the timeline's events, with their answers.
pub fn part_kind() -> parts::PartsOf<Event> {
    parts::PartsOf::new(super::KIND, |state, messages| {
        Box::pin(of_messages(state, messages))
    })
}

/// The events of these messages as the timeline shows them.
pub async fn of_messages(
    state: &AppState,
    messages: Vec<Uuid>,
) -> Result<HashMap<Uuid, Event>, AppError> {
    let rows = repo::events_of(&state.db, messages).await?;
    present_all(state, &rows).await
}

/// Answers an event — or takes the answer back (`None`) — where the person may take part,
/// until it ends. Everyone in the channel sees the new counts.
pub async fn answer(
    state: &AppState,
    user: UserId,
    message_id: MessageId,
    said: Option<Answer>,
) -> Result<Event, AppError> {
    let not_found = || AppError::NotFound(says!("server.events.not_found"));
    let (message, access) = chat::message_to_answer(state, user, message_id)
        .await?
        .ok_or_else(not_found)?;
    let row = repo::event(&state.db, message.id)
        .await?
        .ok_or_else(not_found)?;
    let now = Utc::now();
    still_on(&row, now)?;
    repo::answer(
        &state.db,
        row.message_id,
        user.0,
        said.map(Answer::as_str),
        now,
    )
    .await?;
    let event = present_all(state, std::slice::from_ref(&row))
        .await?
        .remove(&row.message_id)
        .ok_or(AppError::Internal)?;
    realtime::publish(
        state,
        &realtime::topic::channel(access.channel.id),
        Some(user.0),
        &ServerEvent::part_changed(
            access.channel.id.to_string(),
            message.id.to_string(),
            super::KIND,
            &event,
        ),
    )
    .await;
    Ok(event)
}

/// The organiser plans their event anew — title, description, times, zone, $cashtag,
/// reminder — until it is over. The announcement's words change with it (an edit, judged and
/// translated afresh, counted like one); everyone in the channel sees the new event, and those
/// going are reminded at the new time.
pub async fn edit(
    state: &AppState,
    organiser: &users::Model,
    message_id: MessageId,
    asked: &NewEvent,
) -> Result<Event, AppError> {
    let not_found = || AppError::NotFound(says!("server.events.not_found"));
    let row = repo::event(&state.db, message_id.0)
        .await?
        .ok_or_else(not_found)?;
    if row.created_by != organiser.id {
        return Err(AppError::Denied(says!("server.events.not_organiser")));
    }
    let now = Utc::now();
    still_on(&row, now)?;
    let planned = check(asked, &organiser.time_zone, now)?;
    let body =
        crate::chat::validate_body(&super::announcement(&planned.title, &planned.description))?;
    chat::edit_carrying(
        state,
        UserId(organiser.id),
        message_id,
        &body,
        Some(&planned),
    )
    .await?;
    let row = repo::event(&state.db, message_id.0)
        .await?
        .ok_or_else(not_found)?;
    let event = present_all(state, std::slice::from_ref(&row))
        .await?
        .remove(&row.message_id)
        .ok_or(AppError::Internal)?;
    realtime::publish(
        state,
        &realtime::topic::channel(row.channel_id),
        Some(organiser.id),
        &ServerEvent::part_changed(
            row.channel_id.to_string(),
            row.message_id.to_string(),
            super::KIND,
            &event,
        ),
    )
    .await;
    Ok(event)
}

/// Refuses what comes once an event is over: its end, or an hour after a start without one.
fn still_on(row: &events::Model, now: DateTime<Utc>) -> Result<(), AppError> {
    let end = row
        .ends_at
        .unwrap_or(row.starts_at + chrono::Duration::hours(1));
    if end <= now {
        return Err(AppError::Validation(says!("server.events.over")));
    }
    Ok(())
}

/// How many events of each side a calendar lists.
const CALENDAR_PAGE: u64 = 100;

/// A community's calendar, for someone who may read it.
pub async fn calendar(
    state: &AppState,
    viewer: Option<UserId>,
    slug: &str,
) -> Result<Calendar, AppError> {
    let (place, standing) = community::find(state, viewer, slug).await?;
    community::allow(&place, standing, Action::Read)?;
    let now = Utc::now();
    let upcoming = repo::community_calendar(&state.db, place.id, now, true, CALENDAR_PAGE).await?;
    let past = repo::community_calendar(&state.db, place.id, now, false, CALENDAR_PAGE).await?;
    let rows: Vec<events::Model> = upcoming
        .iter()
        .chain(&past)
        .map(|(e, _)| e.clone())
        .collect();
    let mut events = present_all(state, &rows).await?;
    let channels: HashMap<Uuid, String> = crate::community::repo::channels(&state.db, place.id)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let organisers =
        crate::auth::repo::users_by_ids(&state.db, rows.iter().map(|e| e.created_by).collect())
            .await?;
    let mut entries = |side: Vec<(events::Model, crate::entities::messages::Model)>| {
        side.into_iter()
            .filter_map(|(row, message)| {
                Some(CalendarEntry {
                    event: events.remove(&row.message_id)?,
                    channel_name: channels.get(&row.channel_id)?.clone(),
                    seq: message.seq,
                    organiser: match organisers.get(&row.created_by) {
                        Some(user) => Author::of(user),
                        None => Author::deleted(row.created_by),
                    },
                })
            })
            .collect::<Vec<_>>()
    };
    Ok(Calendar {
        community_name: place.name.clone(),
        upcoming: entries(upcoming),
        past: entries(past),
    })
}

/// One event as an `.ics` file (its name, its text), for someone who may read its channel.
pub async fn event_ics(
    state: &AppState,
    viewer: Option<UserId>,
    message_id: MessageId,
    origin: &str,
) -> Result<(String, String), AppError> {
    let not_found = || AppError::NotFound(says!("server.events.not_found"));
    let message = crate::chat::repo::message(&state.db, message_id.0)
        .await?
        .filter(|m| m.deleted_at.is_none())
        .ok_or_else(not_found)?;
    let access = chat::channel_access(state, viewer, ChannelId(message.channel_id)).await?;
    let row = repo::event(&state.db, message.id)
        .await?
        .ok_or_else(not_found)?;
    let item = ics_item(
        &row,
        &access.community,
        &access.channel.name,
        message.seq,
        origin,
    );
    Ok((
        format!("{}.ics", file_name(&row.title)),
        ics::calendar(&row.title, &[item], Utc::now()),
    ))
}

/// A community's events (the calendar's both sides) as an `.ics` file.
pub async fn community_ics(
    state: &AppState,
    viewer: Option<UserId>,
    slug: &str,
    origin: &str,
) -> Result<(String, String), AppError> {
    let (place, standing) = community::find(state, viewer, slug).await?;
    community::allow(&place, standing, Action::Read)?;
    let calendar = calendar(state, viewer, slug).await?;
    let ids: Vec<Uuid> = calendar
        .upcoming
        .iter()
        .chain(&calendar.past)
        .filter_map(|e| Uuid::parse_str(&e.event.id).ok())
        .collect();
    let rows: HashMap<Uuid, events::Model> = repo::events_of(&state.db, ids)
        .await?
        .into_iter()
        .map(|e| (e.message_id, e))
        .collect();
    let items: Vec<ics::IcsEvent> = calendar
        .upcoming
        .iter()
        .chain(&calendar.past)
        .filter_map(|entry| {
            let row = rows.get(&Uuid::parse_str(&entry.event.id).ok()?)?;
            Some(ics_item(
                row,
                &place,
                &entry.channel_name,
                entry.seq,
                origin,
            ))
        })
        .collect();
    Ok((
        format!("{}.ics", file_name(&place.name)),
        ics::calendar(&place.name, &items, Utc::now()),
    ))
}

fn ics_item(
    row: &events::Model,
    place: &crate::entities::communities::Model,
    channel: &str,
    seq: i64,
    origin: &str,
) -> ics::IcsEvent {
    ics::IcsEvent {
        uid: format!("{}@bullpen", row.message_id),
        title: row.title.clone(),
        description: row.description.clone(),
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        location: format!("{} #{channel}", place.name),
        url: format!("{origin}/c/{}/{channel}?at={seq}", place.slug),
        created_at: row.created_at,
    }
}

/// A file name of ASCII letters, digits and dashes (a header carries it as it is).
fn file_name(title: &str) -> String {
    let name: String = title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let name = name
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    match name.is_empty() {
        true => "event".into(),
        false => name.chars().take(60).collect(),
    }
}

/// Sends the reminders due at `now`: each event's once (claimed in one update), to those who
/// said going or maybe and may still read its channel. How many people were reminded.
pub async fn remind_due(state: &AppState, now: DateTime<Utc>) -> Result<usize, AppError> {
    let due = repo::claim_due_reminders(&state.db, now).await?;
    let mut reminded = 0;
    for row in due {
        let Some(message) = crate::chat::repo::message(&state.db, row.message_id)
            .await?
            .filter(|m| m.deleted_at.is_none())
        else {
            continue;
        };
        let mut people = Vec::new();
        for person in repo::willing(&state.db, row.message_id).await? {
            // Whoever lost access since answering (left, banned) is not told.
            if chat::channel_access(state, Some(UserId(person)), ChannelId(row.channel_id))
                .await
                .is_ok_and(|a| {
                    matches!(
                        a.standing,
                        crate::community::permissions::Standing::Member { .. }
                    )
                })
            {
                people.push(person);
            }
        }
        reminded += people.len();
        crate::notify::service::remind(state, &row, &message, people).await?;
    }
    Ok(reminded)
}

/// Sends reminders as they fall due, every `every`, for as long as the server runs.
pub async fn keep_reminding(state: AppState, every: std::time::Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match remind_due(&state, Utc::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(people = n, "event reminders sent"),
            Err(err) => tracing::warn!(error = %err, "event reminders failed; retried next time"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(iso: &str) -> DateTime<Utc> {
        iso.parse().unwrap()
    }

    fn planned(starts: &str) -> NewEvent {
        NewEvent {
            title: "$AAPL earnings call".into(),
            starts: starts.into(),
            time_zone: Some("America/New_York".into()),
            remind_minutes: 15,
            ..NewEvent::default()
        }
    }

    #[test]
    fn times_are_the_organisers_wall_clock() {
        let now = at("2026-11-26T12:00:00Z");
        let event = check(&planned("2026-12-03T16:30"), "UTC", now).unwrap();
        // New York is five hours behind UTC in December.
        assert_eq!(event.starts_at, at("2026-12-03T21:30:00Z"));
        assert_eq!(event.time_zone, "America/New_York");
        // Without a zone: the organiser's own.
        let mut theirs = planned("2026-12-03T16:30");
        theirs.time_zone = None;
        let event = check(&theirs, "Europe/Istanbul", now).unwrap();
        assert_eq!(event.starts_at, at("2026-12-03T13:30:00Z"));
        // In July, four hours (daylight saving).
        let event = check(&planned("2027-07-01T09:00"), "UTC", now).unwrap();
        assert_eq!(event.starts_at, at("2027-07-01T13:00:00Z"));
    }

    #[test]
    fn the_hour_clocks_skip_is_refused_and_the_one_they_repeat_is_the_first() {
        let zone: chrono_tz::Tz = "America/New_York".parse().unwrap();
        let code = |r: Result<DateTime<Utc>, AppError>| match r {
            Err(AppError::Validation(s)) => s.key().to_string(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            code(instant("2027-03-14T02:30", zone)),
            "server.events.skipped_time"
        );
        assert_eq!(
            instant("2027-11-07T01:30", zone).unwrap(),
            at("2027-11-07T05:30:00Z")
        );
        assert_eq!(code(instant("tomorrow", zone)), "server.events.bad_time");
    }

    #[test]
    fn an_event_is_checked_before_it_is_planned() {
        let now = at("2026-11-26T12:00:00Z");
        let code = |e: &NewEvent| match check(e, "UTC", now) {
            Err(AppError::Validation(s)) => s.key().to_string(),
            other => panic!("{other:?}"),
        };
        let with = |f: &dyn Fn(&mut NewEvent)| {
            let mut e = planned("2026-12-03T16:30");
            f(&mut e);
            e
        };
        assert_eq!(
            code(&with(&|e| e.title = "  ".into())),
            "server.events.no_title"
        );
        assert_eq!(
            code(&with(&|e| e.title = "x".repeat(121))),
            "server.events.long_title"
        );
        assert_eq!(
            code(&with(&|e| e.title = "a\nb".into())),
            "server.events.long_title"
        );
        assert_eq!(
            code(&with(&|e| e.description = "x".repeat(2001))),
            "server.events.long_description"
        );
        assert_eq!(
            code(&with(&|e| e.time_zone = Some("Mars/Olympus".into()))),
            "server.events.bad_zone"
        );
        assert_eq!(
            code(&with(&|e| e.starts = "2026-11-20T10:00".into())),
            "server.events.in_the_past"
        );
        assert_eq!(
            code(&with(&|e| e.starts = "2028-01-01T10:00".into())),
            "server.events.too_far"
        );
        assert_eq!(
            code(&with(&|e| e.ends = Some("2026-12-03T16:30".into()))),
            "server.events.ends_first"
        );
        assert_eq!(
            code(&with(&|e| e.ends = Some("2026-12-11T16:30".into()))),
            "server.events.too_long"
        );
        assert_eq!(
            code(&with(&|e| e.symbol = Some("not a symbol".into()))),
            "server.events.bad_symbol"
        );
        assert_eq!(
            code(&with(&|e| e.remind_minutes = 7)),
            "server.events.bad_reminder"
        );
        let fine = check(
            &with(&|e| {
                e.symbol = Some("$aapl".into());
                e.ends = Some("2026-12-03T17:30".into());
            }),
            "UTC",
            now,
        )
        .unwrap();
        assert_eq!(fine.symbol.as_deref(), Some("AAPL"));
        assert_eq!(fine.ends_at, Some(at("2026-12-03T22:30:00Z")));
        let row = fine.row(
            crate::chat::MessageId(Uuid::nil()),
            (CommunityId(Uuid::nil()), ChannelId(Uuid::nil())),
            UserId(Uuid::nil()),
            now,
        );
        assert_eq!(row.remind_at, Some(at("2026-12-03T21:15:00Z")));
        let silent = check(&with(&|e| e.remind_minutes = 0), "UTC", now).unwrap();
        assert_eq!(
            silent
                .row(
                    crate::chat::MessageId(Uuid::nil()),
                    (CommunityId(Uuid::nil()), ChannelId(Uuid::nil())),
                    UserId(Uuid::nil()),
                    now
                )
                .remind_at,
            None
        );
    }

    #[test]
    fn file_names_keep_letters_and_digits() {
        assert_eq!(file_name("Q3: $AAPL call!"), "Q3-AAPL-call");
        assert_eq!(file_name("???"), "event");
    }
}
