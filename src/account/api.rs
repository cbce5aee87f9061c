//! The account-data API, for the web app (cookies) and scripts (`Authorization: Bearer`) alike:
//!
//! - `GET /api/account/export` — everything the app holds about the person, as a JSON file
//!   (`Content-Disposition: attachment`); a plain route, so the browser saves it as it is;
//! - `POST /api/account/delete {password, code?, messages: "keep" | "remove"}` — deletes the
//!   account; `code` is the authenticator's (or a recovery code) when two-factor sign-in is on.

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

use super::{DeletionReport, MessagesChoice, ProfileView};
use crate::platform::error::AppError;

/// Deletes the signed-in person's account (see the module's documentation). The browser's
/// cookies are cleared, and so is what it keeps of the site (the offline copies of its pages).
#[server(prefix = "/api/account", endpoint = "delete", input = Json)]
pub async fn delete_account(
    password: String,
    #[server(default)] code: String,
    messages: MessagesChoice,
) -> Result<DeletionReport, AppError> {
    use crate::{
        account::service,
        auth::caller,
        platform::state::{respond, AppState},
    };
    use axum::http::{header, HeaderValue};
    respond(
        async {
            let current = caller::current_user().await?;
            let state = AppState::current()?;
            let report = service::delete(&state, &current.user, &password, &code, messages).await?;
            let parts = use_context::<axum::http::request::Parts>().ok_or(AppError::Internal)?;
            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                for cookie in crate::platform::cookies::cleared_cookies(
                    crate::platform::cookies::is_https(&parts.headers),
                ) {
                    response.append_header(header::SET_COOKIE, cookie);
                }
                // The service worker's copies of pages seen signed in go too ("storage" covers its
                // caches; signed-in answers never enter the HTTP cache: they are `no-store`).
                response.insert_header(
                    header::HeaderName::from_static("clear-site-data"),
                    HeaderValue::from_static("\"storage\""),
                );
            }
            Ok(report)
        }
        .await,
    )
}

/// `GET /api/users/page?username=ana`: a person's page — profile, the communities of theirs the
/// caller may see, their recent messages there.
#[server(prefix = "/api/users", endpoint = "page", input = GetUrl)]
pub async fn profile_page(username: String) -> Result<ProfileView, AppError> {
    use crate::{
        account::service,
        auth::caller,
        platform::state::{respond, AppState},
    };
    respond(
        async {
            let viewer = caller::optional_user().await?.map(|c| c.user.id);
            service::profile(
                &AppState::current()?,
                viewer.map(crate::auth::UserId),
                &username,
            )
            .await
        }
        .await,
    )
}

/// `GET /api/account/export`: the download (cookie or Bearer token), named
/// `bullpen-<username>-<date>.json`.
#[cfg(feature = "ssr")]
pub async fn export_download(
    axum::extract::State(state): axum::extract::State<crate::platform::state::AppState>,
    caller: crate::auth::caller::CurrentUser,
) -> axum::response::Response {
    use axum::{http::StatusCode, response::IntoResponse};
    let result = async {
        let (user, session) = (caller.user, caller.session_id);
        let export = super::service::export(&state, &user, session).await?;
        let body = serde_json::to_vec_pretty(&export).map_err(|err| {
            tracing::error!(error = %err, "the account export could not be written");
            AppError::Internal
        })?;
        Ok::<_, AppError>((user.username, body))
    }
    .await;
    match result {
        Ok((username, body)) => {
            let name = format!(
                "bullpen-{username}-{}.json",
                chrono::Utc::now().date_naive()
            );
            crate::platform::rest::download(
                &name,
                "application/json; charset=utf-8",
                body,
                crate::platform::rest::Keep::NoStore,
            )
        }
        Err(err) => {
            let status = StatusCode::from_u16(err.status_code())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, axum::Json(err)).into_response()
        }
    }
}
