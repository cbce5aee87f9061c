//! Polls, as people may use them: asked where one may post (a message like any other, stored
//! with its poll in one transaction), answered where one may react, results for everyone in
//! the channel at once.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use futures::future::BoxFuture;

use super::{
    distribution, repo, Ballot, Guess, NewPoll, Poll, PollKind, PollOption, PricePoint,
    CLOSES_IN_MAX_MINUTES, CLOSES_IN_MIN_MINUTES, OPTIONS_MAX, OPTIONS_MIN, OPTION_MAX_CHARS,
    TARGET_BINS, TARGET_MAX,
};
use crate::auth::UserId;
use crate::community::CommunityId;
use crate::{
    auth::Author,
    chat::{
        parts::{self, Carried},
        service as chat, ChatMessage, MessageId, ServerEvent,
    },
    community::ChannelId,
    entities::{messages, polls, users},
    kit::sentences::says,
    platform::{db, error::AppError, realtime, state::AppState},
};

/// A stock's price for price-target polls (market's: given by the composition root, as chat
/// knows no market).
pub struct PollPrices(pub PriceQuery);

/// (state, symbol) → its price now, if the market source knows it.
pub type PriceQuery = for<'a> fn(&'a AppState, &'a str) -> BoxFuture<'a, Option<PricePoint>>;

/// A poll checked and tidied (answers trimmed), with when it closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    pub question: String,
    pub options: Vec<String>,
    pub kind: PollKind,
    pub anonymous: bool,
    pub closes_at: Option<DateTime<Utc>>,
    /// A price-target poll's stock.
    pub symbol: Option<String>,
}

impl Asked {
    /// Its row, for the message `message` in `channel`.
    pub fn row(&self, message: MessageId, channel: ChannelId, now: DateTime<Utc>) -> polls::Model {
        polls::Model {
            message_id: message.0,
            channel_id: channel.0,
            kind: self.kind.as_str().into(),
            anonymous: self.anonymous,
            closes_at: self.closes_at,
            symbol: self.symbol.clone(),
            created_at: now,
            close_price: None,
        }
    }

    /// As readers first see it: nobody has voted.
    pub fn fresh(&self) -> Poll {
        Poll {
            kind: self.kind,
            anonymous: self.anonymous,
            closes_at: self.closes_at.map(|t| t.to_rfc3339()),
            closed: false,
            options: self
                .options
                .iter()
                .map(|label| PollOption {
                    label: label.clone(),
                    votes: 0,
                    voters: Vec::new(),
                })
                .collect(),
            voters: 0,
            symbol: self.symbol.clone(),
            targets: (self.kind == PollKind::Target).then(|| distribution(&[], None, TARGET_BINS)),
        }
    }
}

/// Checks a poll as its author asked it.
pub fn check(asked: &NewPoll, now: DateTime<Utc>) -> Result<Asked, AppError> {
    let question = crate::chat::validate_body(&asked.question)?;
    let closes_at = closes_at(asked.closes_in_minutes, now)?;
    if asked.kind == PollKind::Target {
        let symbol = asked
            .symbol
            .as_deref()
            .and_then(crate::kit::markdown::symbol_of)
            .ok_or_else(|| AppError::Validation(says!("server.poll.target_symbol")))?;
        return Ok(Asked {
            question,
            options: Vec::new(),
            kind: PollKind::Target,
            anonymous: asked.anonymous,
            closes_at,
            symbol: Some(symbol),
        });
    }
    let options: Vec<String> = asked.options.iter().map(|o| o.trim().to_string()).collect();
    if options.len() < OPTIONS_MIN {
        return Err(AppError::Validation(says!(
            "server.poll.too_few",
            min = OPTIONS_MIN
        )));
    }
    if options.len() > OPTIONS_MAX {
        return Err(AppError::Validation(says!(
            "server.poll.too_many",
            max = OPTIONS_MAX
        )));
    }
    for (n, option) in options.iter().enumerate() {
        if option.is_empty() {
            return Err(AppError::Validation(says!("server.poll.empty_option")));
        }
        if option.chars().count() > OPTION_MAX_CHARS {
            return Err(AppError::Validation(says!(
                "server.poll.long_option",
                max = OPTION_MAX_CHARS
            )));
        }
        if options[..n]
            .iter()
            .any(|other| other.to_lowercase() == option.to_lowercase())
        {
            return Err(AppError::Validation(says!(
                "server.poll.twice",
                option = option.clone()
            )));
        }
    }
    Ok(Asked {
        question,
        options,
        kind: asked.kind,
        anonymous: asked.anonymous,
        closes_at,
        symbol: None,
    })
}

/// When a poll asked to close in `minutes` closes.
fn closes_at(minutes: Option<u32>, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, AppError> {
    match minutes {
        None => Ok(None),
        Some(minutes) if (CLOSES_IN_MIN_MINUTES..=CLOSES_IN_MAX_MINUTES).contains(&minutes) => {
            Ok(Some(now + chrono::Duration::minutes(minutes.into())))
        }
        Some(_) => Err(AppError::Validation(says!(
            "server.poll.closes_in",
            days = CLOSES_IN_MAX_MINUTES / (24 * 60)
        ))),
    }
}

/// Asks a poll in a channel: a message whose words are the question, stored with its poll, on
/// the way every message goes (rate limit, the AI's judgement, unread counts, notifications).
pub async fn ask(
    state: &AppState,
    author: &users::Model,
    channel: ChannelId,
    asked: &NewPoll,
) -> Result<ChatMessage, AppError> {
    let checked = check(asked, Utc::now())?;
    let access = chat::channel_access(state, Some(UserId(author.id)), channel).await?;
    chat::may_post(&access)?;
    let question = checked.question.clone();
    let stored =
        chat::submit_carrying(state, author, &access, &question, Box::new(checked)).await?;
    Ok(stored.await?.message)
}

/// A poll is stored with the message that asks it.
#[async_trait::async_trait]
impl Carried for Asked {
    async fn store(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        stored: &messages::Model,
        _community: CommunityId,
    ) -> Result<(), AppError> {
        let row = self.row(
            MessageId(stored.id),
            ChannelId(stored.channel_id),
            stored.created_at,
        );
        Ok(repo::insert(txn, row, &self.options).await?)
    }

    fn show(&self, _stored: &messages::Model, message: &mut ChatMessage) {
        message.parts.put(super::KIND, &self.fresh());
    }
}

/// Polls as a kind of message part: the timeline's polls, with their results.
pub fn part_kind() -> parts::PartsOf<Poll> {
    parts::PartsOf::new(super::KIND, |state, messages| {
        Box::pin(of_messages(state, messages))
    })
}

/// The polls of these messages as the timeline shows them: one query each for polls, answers,
/// ballots and choices, and one for the voters of named polls.
pub async fn of_messages(
    state: &AppState,
    messages: Vec<Uuid>,
) -> Result<HashMap<Uuid, Poll>, AppError> {
    let rows = repo::polls_of(&state.db, messages).await?;
    if rows.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<Uuid> = rows.iter().map(|p| p.message_id).collect();
    let mut options = repo::options_of(&state.db, ids.clone()).await?;
    let ballots = repo::ballots_of(&state.db, ids.clone()).await?;
    let choices = repo::choices_of(&state.db, ids).await?;
    let named: Vec<Uuid> = ballots
        .iter()
        .filter(|b| {
            rows.iter()
                .any(|p| p.message_id == b.poll_id && !p.anonymous)
        })
        .map(|b| b.user_id)
        .collect();
    let people = crate::auth::repo::users_by_ids(&state.db, named).await?;
    // Each price-target poll's stock, priced once.
    let mut prices: HashMap<String, Option<PricePoint>> = HashMap::new();
    for symbol in rows.iter().filter_map(|p| p.symbol.clone()) {
        if let std::collections::hash_map::Entry::Vacant(slot) = prices.entry(symbol) {
            let price = (state.service::<PollPrices>().0)(state, slot.key()).await;
            slot.insert(price);
        }
    }
    // Voters of an answer in the order they voted.
    let order: HashMap<(Uuid, Uuid), usize> = ballots
        .iter()
        .enumerate()
        .map(|(n, b)| ((b.poll_id, b.user_id), n))
        .collect();
    let now = Utc::now();
    Ok(rows
        .into_iter()
        .map(|row| {
            let labels = options.remove(&row.message_id).unwrap_or_default();
            let mut answers: Vec<PollOption> = labels
                .into_iter()
                .map(|label| PollOption {
                    label,
                    votes: 0,
                    voters: Vec::new(),
                })
                .collect();
            let mut mine: Vec<&(Uuid, Uuid, i32)> = choices
                .iter()
                .filter(|(poll, _, _)| *poll == row.message_id)
                .collect();
            mine.sort_by_key(|(poll, person, _)| order.get(&(*poll, *person)));
            for (_, person, position) in mine {
                if let Some(answer) = answers.get_mut(*position as usize) {
                    answer.votes += 1;
                    if !row.anonymous {
                        answer.voters.push(match people.get(person) {
                            Some(user) => Author::of(user),
                            None => Author::deleted(*person),
                        });
                    }
                }
            }
            let cast: Vec<_> = ballots
                .iter()
                .filter(|b| b.poll_id == row.message_id)
                .collect();
            let kind = PollKind::parse(&row.kind);
            let targets = (kind == PollKind::Target).then(|| {
                let price = row
                    .symbol
                    .as_ref()
                    .and_then(|s| prices.get(s).cloned().flatten());
                let numbers: Vec<f64> = cast.iter().filter_map(|b| b.target).collect();
                let mut spread =
                    distribution(&numbers, price.as_ref().map(|p| p.price), TARGET_BINS);
                spread.price = price;
                if !row.anonymous {
                    spread.guesses = cast
                        .iter()
                        .filter_map(|b| {
                            Some(Guess {
                                person: match people.get(&b.user_id) {
                                    Some(user) => Author::of(user),
                                    None => Author::deleted(b.user_id),
                                },
                                target: b.target?,
                            })
                        })
                        .collect();
                }
                spread
            });
            let poll = Poll {
                kind,
                anonymous: row.anonymous,
                closes_at: row.closes_at.map(|t| t.to_rfc3339()),
                closed: row.closes_at.is_some_and(|t| t <= now),
                options: answers,
                voters: cast.len() as u32,
                symbol: row.symbol.clone(),
                targets,
            };
            (row.message_id, poll)
        })
        .collect())
}

/// The first key of PostgreSQL's advisory locks that names "a person's ballots".
const BALLOTS_LOCK_SPACE: i32 = 0x706f_6c6c; // "poll"

/// Votes — `choices` are answers' positions, or a price-target poll's number; neither takes
/// the vote back — where the person may react, until the poll closes. Everyone in the channel
/// gets the new result.
pub async fn vote(
    state: &AppState,
    user: UserId,
    message_id: MessageId,
    (choices, target): (&[u32], Option<f64>),
) -> Result<(Poll, Ballot), AppError> {
    let not_found = || AppError::NotFound(says!("server.poll.not_found"));
    let (message, access) = chat::message_to_answer(state, user, message_id)
        .await?
        .ok_or_else(not_found)?;
    let row = repo::poll(&state.db, message.id)
        .await?
        .ok_or_else(not_found)?;
    let now = Utc::now();
    if row.closes_at.is_some_and(|t| t <= now) {
        return Err(AppError::Validation(says!("server.poll.closed")));
    }
    let answers = repo::options_of(&state.db, vec![row.message_id])
        .await?
        .remove(&row.message_id)
        .unwrap_or_default();
    let mut chosen: Vec<u32> = choices.to_vec();
    chosen.sort_unstable();
    chosen.dedup();
    if let Some(missing) = chosen.iter().find(|n| **n as usize >= answers.len()) {
        return Err(AppError::Validation(says!(
            "server.poll.no_answer",
            n = missing + 1
        )));
    }
    let kind = PollKind::parse(&row.kind);
    if kind == PollKind::Single && chosen.len() > 1 {
        return Err(AppError::Validation(says!("server.poll.one_answer")));
    }
    let target = match (kind, target) {
        (PollKind::Target, Some(t)) if t.is_finite() && t > 0.0 && t <= TARGET_MAX => {
            // Cents are enough for a target (and keep 0.1 + 0.2 out of the results).
            Some((t * 10_000.0).round() / 10_000.0)
        }
        (PollKind::Target, Some(_)) => {
            return Err(AppError::Validation(says!("server.poll.bad_target")))
        }
        (PollKind::Target, None) => None,
        (_, Some(_)) => return Err(AppError::Validation(says!("server.poll.not_target"))),
        (_, None) => None,
    };
    {
        use sea_orm::TransactionTrait;
        let txn = state.db.begin().await?;
        // A person's ballots one at a time: two tabs voting at once leave the later ballot.
        db::lock_until_commit(&txn, BALLOTS_LOCK_SPACE, user.0).await?;
        repo::cast(&txn, row.message_id, user.0, (&chosen, target), now).await?;
        txn.commit().await?;
    }
    let poll = told(
        state,
        ChannelId(access.channel.id),
        MessageId(row.message_id),
        user,
    )
    .await?;
    Ok((
        poll,
        Ballot {
            choices: chosen,
            target,
        },
    ))
}

/// Closes a poll now: its author may, and so may whoever may delete others' messages there.
/// Votes stop; everyone in the channel gets the final result. Closing a closed poll changes
/// nothing.
pub async fn close(
    state: &AppState,
    user: UserId,
    message_id: MessageId,
) -> Result<Poll, AppError> {
    let (message, access) = chat::message_access(state, user, message_id).await?;
    let row = repo::poll(&state.db, message.id)
        .await?
        .ok_or_else(|| AppError::NotFound(says!("server.poll.not_found")))?;
    crate::community::service::allow(
        &access.community,
        access.standing,
        crate::community::permissions::Action::DeleteMessage {
            own: message.author_id == user.0,
        },
    )?;
    let now = Utc::now();
    if row.closes_at.is_none_or(|t| t > now) {
        repo::close(&state.db, row.message_id, now).await?;
    }
    let poll = told(
        state,
        ChannelId(access.channel.id),
        MessageId(row.message_id),
        user,
    )
    .await?;
    Ok(poll)
}

/// The poll as it stands now, told to everyone in its channel (`partChanged`).
async fn told(
    state: &AppState,
    channel: ChannelId,
    message: MessageId,
    actor: UserId,
) -> Result<Poll, AppError> {
    let poll = of_messages(state, vec![message.0])
        .await?
        .remove(&message.0)
        .ok_or(AppError::Internal)?;
    realtime::publish(
        state,
        &realtime::topic::channel(channel.0),
        Some(actor.0),
        &ServerEvent::part_changed(
            channel.0.to_string(),
            message.0.to_string(),
            super::KIND,
            &poll,
        ),
    )
    .await;
    Ok(poll)
}

/// What the person chose in a poll they may read.
pub async fn ballot(
    state: &AppState,
    user: UserId,
    message_id: MessageId,
) -> Result<Ballot, AppError> {
    let (message, _) = chat::message_access(state, user, message_id).await?;
    Ok(Ballot {
        choices: repo::choices_by(&state.db, message.id, user.0).await?,
        target: repo::ballot_of(&state.db, message.id, user.0)
            .await?
            .and_then(|b| b.target),
    })
}

/// The price a price-target poll is against now, for someone who may read its channel.
pub async fn price(
    state: &AppState,
    viewer: Option<UserId>,
    message_id: MessageId,
) -> Result<Option<PricePoint>, AppError> {
    let not_found = || AppError::NotFound(says!("server.poll.not_found"));
    let message = crate::chat::repo::message(&state.db, message_id.0)
        .await?
        .filter(|m| m.deleted_at.is_none())
        .ok_or_else(not_found)?;
    chat::channel_access(state, viewer, ChannelId(message.channel_id)).await?;
    let symbol = repo::poll(&state.db, message.id)
        .await?
        .and_then(|p| p.symbol)
        .ok_or_else(not_found)?;
    Ok((state.service::<PollPrices>().0)(state, &symbol).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(options: &[&str]) -> NewPoll {
        NewPoll {
            question: "Where does $AAPL close Friday?".into(),
            options: options.iter().map(|o| o.to_string()).collect(),
            ..NewPoll::default()
        }
    }

    #[test]
    fn a_poll_is_checked_before_it_is_asked() {
        let now = Utc::now();
        let fine = check(&asked(&[" Up ", "Down"]), now).unwrap();
        assert_eq!(fine.options, ["Up", "Down"]);
        assert_eq!(fine.closes_at, None);
        let code = |poll: &NewPoll| match check(poll, now) {
            Err(AppError::Validation(sentence)) => sentence.key().to_string(),
            other => panic!("{other:?}"),
        };
        assert_eq!(code(&asked(&["Up"])), "server.poll.too_few");
        assert_eq!(code(&asked(&["a"; 11])), "server.poll.too_many");
        assert_eq!(code(&asked(&["Up", "  "])), "server.poll.empty_option");
        assert_eq!(
            code(&asked(&["Up", &"x".repeat(101)])),
            "server.poll.long_option"
        );
        assert_eq!(code(&asked(&["Up", "UP"])), "server.poll.twice");
        let mut empty = asked(&["Up", "Down"]);
        empty.question = "  ".into();
        assert_eq!(code(&empty), "server.chat.empty");
        for minutes in [0, CLOSES_IN_MAX_MINUTES + 1] {
            let mut timed = asked(&["Up", "Down"]);
            timed.closes_in_minutes = Some(minutes);
            assert_eq!(code(&timed), "server.poll.closes_in");
        }
        let mut hour = asked(&["Up", "Down"]);
        hour.closes_in_minutes = Some(60);
        assert_eq!(
            check(&hour, now).unwrap().closes_at,
            Some(now + chrono::Duration::hours(1))
        );
    }
}
