//! Community analytics' API: the figures for a range of days, and (server only) the same per
//! day as a CSV download.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use super::Analytics;
use crate::platform::error::AppError;

/// A community's figures from `from` to `to` ("YYYY-MM-DD", inclusive; the last 30 days when
/// left out), for those who manage it.
#[server(prefix = "/api/analytics", endpoint = "community", input = GetUrl)]
pub async fn load_analytics(
    slug: String,
    #[server(default)] from: Option<String>,
    #[server(default)] to: Option<String>,
) -> Result<Analytics, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            super::service::community(
                &state,
                crate::auth::UserId(me.user.id),
                &slug,
                (from.as_deref(), to.as_deref()),
            )
            .await
        }
        .await,
    )
}

/// Where the CSV of a community's figures is downloaded.
pub fn csv_href(slug: &str, from: &str, to: &str) -> String {
    format!("/api/communities/{slug}/analytics.csv?from={from}&to={to}")
}

#[cfg(feature = "ssr")]
pub use server::community_csv;

#[cfg(feature = "ssr")]
mod server {
    use axum::{
        extract::State,
        response::{IntoResponse, Response},
    };
    use serde::Deserialize;

    use crate::{
        auth::caller::CurrentUser,
        platform::{
            rest::{PathArgs, QueryArgs},
            state::AppState,
        },
    };

    #[derive(Deserialize)]
    pub struct Span {
        from: Option<String>,
        to: Option<String>,
    }

    /// `GET /api/communities/{slug}/analytics.csv?from=&to=`: the figures per day.
    pub async fn community_csv(
        State(state): State<AppState>,
        caller: CurrentUser,
        PathArgs(slug): PathArgs<String>,
        QueryArgs(span): QueryArgs<Span>,
    ) -> Response {
        let made = super::super::service::community_csv(
            &state,
            crate::auth::UserId(caller.user.id),
            &slug,
            (span.from.as_deref(), span.to.as_deref()),
        )
        .await;
        match made {
            Ok((name, text)) => crate::platform::rest::download(
                &name,
                "text/csv; charset=utf-8",
                text,
                crate::platform::rest::Keep::Private,
            ),
            Err(error) => error.into_response(),
        }
    }
}
