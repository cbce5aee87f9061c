//! Events' API: plan one in a channel, answer it, read a community's calendar, find a
//! $cashtag's next earnings day; and (server only) the `.ics` downloads of one event and of a community's calendar.

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

use super::{Answer, Calendar, EarningsDay, Event, NewEvent};
use crate::{chat::ChatMessage, platform::error::AppError};

/// Plans an event in a channel (`{"channelId", "event": {"title", "description", "starts",
/// "ends", "timeZone", "symbol", "remindMinutes"}}`): the announcing message, once stored.
#[server(prefix = "/api/events", endpoint = "plan", input = Json)]
pub async fn plan_event(
    #[server(rename = "channelId")] channel_id: String,
    event: NewEvent,
) -> Result<ChatMessage, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            let channel = crate::community::ChannelId::parse(&channel_id)?;
            super::service::plan(&state, &me.user, channel, &event).await
        }
        .await,
    )
}

/// Answers an event (`going`, `maybe`, `declined`), or takes the answer back (none): the event
/// with its new counts.
#[server(prefix = "/api/events", endpoint = "answer", input = Json)]
pub async fn answer_event(
    #[server(rename = "messageId")] message_id: String,
    answer: Option<Answer>,
) -> Result<Event, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            let message = crate::chat::MessageId::parse(&message_id)?;
            super::service::answer(&state, crate::auth::UserId(me.user.id), message, answer).await
        }
        .await,
    )
}

/// A community's calendar: what is coming and what has been.
/// Plans an event anew (`{"messageId", "event": {…as to plan}}`): its organiser alone, until
/// it is over. The event as it now is.
#[server(prefix = "/api/events", endpoint = "edit", input = Json)]
pub async fn edit_event(
    #[server(rename = "messageId")] message_id: String,
    event: NewEvent,
) -> Result<Event, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            let message = crate::chat::MessageId::parse(&message_id)?;
            super::service::edit(&state, &me.user, message, &event).await
        }
        .await,
    )
}

/// A $cashtag's next earnings day, for the signed-in person planning an event on it.
#[server(prefix = "/api/events", endpoint = "earnings", input = GetUrl)]
pub async fn next_earnings_day(symbol: String) -> Result<EarningsDay, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            crate::auth::caller::current_user().await?;
            super::service::next_earnings(&state, &symbol).await
        }
        .await,
    )
}

#[server(prefix = "/api/events", endpoint = "calendar", input = GetUrl)]
pub async fn load_calendar(slug: String) -> Result<Calendar, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::optional_user().await?;
            super::service::calendar(
                &state,
                me.map(|m| m.user.id).map(crate::auth::UserId),
                &slug,
            )
            .await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
pub use server::{community_ics, event_ics};

#[cfg(feature = "ssr")]
mod server {
    use axum::{
        extract::State,
        http::{header, HeaderMap},
        response::{IntoResponse, Response},
    };

    use crate::{
        auth::caller::CurrentUser,
        chat::MessageId,
        platform::{rest::PathArgs, state::AppState},
    };

    /// One event as a calendar file, for someone who may read its channel.
    pub async fn event_ics(
        State(state): State<AppState>,
        caller: Option<CurrentUser>,
        headers: HeaderMap,
        PathArgs(id): PathArgs<String>,
    ) -> Response {
        let origin = origin(&state, &headers);
        let made = async {
            let message = MessageId::parse(&id)?;
            super::super::service::event_ics(
                &state,
                caller.map(|c| c.user.id).map(crate::auth::UserId),
                message,
                &origin,
            )
            .await
        }
        .await;
        calendar_file(made)
    }

    /// A community's events as a calendar file.
    pub async fn community_ics(
        State(state): State<AppState>,
        caller: Option<CurrentUser>,
        headers: HeaderMap,
        PathArgs(slug): PathArgs<String>,
    ) -> Response {
        let origin = origin(&state, &headers);
        let made = super::super::service::community_ics(
            &state,
            caller.map(|c| c.user.id).map(crate::auth::UserId),
            &slug,
            &origin,
        )
        .await;
        calendar_file(made)
    }

    /// The address links in the file lead to: the configured public one, or this request's.
    fn origin(state: &AppState, headers: &HeaderMap) -> String {
        state.config.public_origin.clone().unwrap_or_else(|| {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            format!("http://{host}")
        })
    }

    fn calendar_file(made: Result<(String, String), crate::platform::error::AppError>) -> Response {
        match made {
            Ok((name, text)) => crate::platform::rest::download(
                &name,
                "text/calendar; charset=utf-8",
                text,
                crate::platform::rest::Keep::Private,
            ),
            Err(error) => error.into_response(),
        }
    }
}
