//! Chat statistics' API.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use super::MyActivity;
use crate::platform::error::AppError;

/// The signed-in person's own activity.
#[server(prefix = "/api/stats", endpoint = "mine", input = GetUrl)]
pub async fn own_activity() -> Result<MyActivity, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            super::service::mine(&state, &me.user).await
        }
        .await,
    )
}
