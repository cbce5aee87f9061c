//! Calls' API: a community's calls as they are now (the live changes come on the socket, as
//! does everything a tab does on a call).

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use super::Calls;
use crate::platform::error::AppError;

/// Every voice channel's roster in a community, and the ICE servers to call through.
#[server(prefix = "/api/voice", endpoint = "calls", input = GetUrl)]
pub async fn voice_calls(slug: String) -> Result<Calls, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let viewer = crate::auth::caller::optional_user().await?;
            super::service::calls(
                &state,
                viewer.map(|me| me.user.id).map(crate::auth::UserId),
                &slug,
            )
            .await
        }
        .await,
    )
}
