//! Reports and the moderators' queue (`/api/reports/*`, `/api/moderation/*`): filing a report
//! of a message or a person, the queue, acting, dismissing or deleting from it, the record of
//! closed reports, and the community's audit log.

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

use super::{ClosedReport, QueueItem, ReportReceived};
use crate::{
    community::{audit::AuditEntry, Measure},
    platform::error::AppError,
};

/// Reports a message to its community's moderators, with a reason (`spam`, `scam`,
/// `harassment`, `hate`, `self_harm`, `other`) and an optional note.
#[server(prefix = "/api/reports", endpoint = "create", input = Json)]
pub async fn report_message(
    #[server(rename = "messageId")] message_id: String,
    reason: String,
    #[server(default)] note: String,
) -> Result<ReportReceived, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            let message = crate::chat::MessageId::parse(&message_id)?;
            super::service::report(&state, &me.user, message, &reason, &note).await
        }
        .await,
    )
}

/// Reports a member of a community (their conduct, not one message) to its moderators, with a
/// reason and an optional note.
#[server(prefix = "/api/reports", endpoint = "person", input = Json)]
pub async fn report_person(
    slug: String,
    username: String,
    reason: String,
    #[server(default)] note: String,
) -> Result<ReportReceived, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            super::service::report_person(&state, &me.user, (&slug, &username), &reason, &note)
                .await
        }
        .await,
    )
}

/// A community's queue: reported and flagged messages and reported people, one entry each;
/// for moderators.
#[server(prefix = "/api/moderation", endpoint = "queue", input = GetUrl)]
pub async fn moderation_queue(slug: String) -> Result<Vec<QueueItem>, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            super::service::queue(&state, crate::auth::UserId(me.user.id), &slug).await
        }
        .await,
    )
}

/// The message is fine: its flag goes for everyone and its reports are dismissed.
#[server(prefix = "/api/moderation", endpoint = "dismiss", input = Json)]
pub async fn dismiss_from_queue(
    #[server(rename = "messageId")] message_id: String,
) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            let message = crate::chat::MessageId::parse(&message_id)?;
            super::service::dismiss(&state, crate::auth::UserId(me.user.id), message).await
        }
        .await,
    )
}

/// Deletes a message from the queue (the chat's delete: its reports count as acted on).
#[server(prefix = "/api/moderation", endpoint = "delete", input = Json)]
pub async fn delete_from_queue(
    #[server(rename = "messageId")] message_id: String,
) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            let message = crate::chat::MessageId::parse(&message_id)?;
            crate::chat::service::delete(&state, crate::auth::UserId(me.user.id), message).await
        }
        .await,
    )
}

/// Acts against the author of a queued message — `{"kind": "warn" | "kick" | "ban"}` or
/// `{"kind": "timeout", "minutes": 60}` — closing the message's reports as acted on.
#[server(prefix = "/api/moderation", endpoint = "act", input = Json)]
pub async fn act_on_author(
    #[server(rename = "messageId")] message_id: String,
    measure: Measure,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            let message = crate::chat::MessageId::parse(&message_id)?;
            super::service::act_on_author(&state, &me.user, message, measure, &reason).await
        }
        .await,
    )
}

/// The community's audit log, newest first (the latest 200); for those who moderate or
/// manage it.
#[server(prefix = "/api/moderation", endpoint = "audit", input = GetUrl)]
pub async fn audit_log(slug: String) -> Result<Vec<AuditEntry>, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            crate::community::service::audit_log(&state, crate::auth::UserId(me.user.id), &slug)
                .await
        }
        .await,
    )
}

/// The reports of a person are unfounded: they close as dismissed.
#[server(prefix = "/api/moderation", endpoint = "dismiss-person", input = Json)]
pub async fn dismiss_person(slug: String, username: String) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            super::service::dismiss_person(
                &state,
                crate::auth::UserId(me.user.id),
                (&slug, &username),
            )
            .await
        }
        .await,
    )
}

/// Acts on the reports of a person — `{"kind": "warn" | "kick" | "ban"}` or
/// `{"kind": "timeout", "minutes": 60}` — closing them as acted on.
#[server(prefix = "/api/moderation", endpoint = "act-person", input = Json)]
pub async fn act_on_person(
    slug: String,
    username: String,
    measure: Measure,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            super::service::act_on_person(&state, &me.user, (&slug, &username), measure, &reason)
                .await
        }
        .await,
    )
}

/// The community's closed reports, the most recently closed first (the latest 100): what each
/// was about, and who closed it, how and when. For moderators.
#[server(prefix = "/api/moderation", endpoint = "closed", input = GetUrl)]
pub async fn closed_reports(slug: String) -> Result<Vec<ClosedReport>, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            super::service::closed(&state, crate::auth::UserId(me.user.id), &slug).await
        }
        .await,
    )
}
