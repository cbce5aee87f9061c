//! Achievements' API: a person's badges, and the signed-in person's badges not yet told of.

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

use super::Earned;
use crate::platform::error::AppError;

/// The badges of the person called `username`, earliest first (anyone may look, as at a
/// profile).
#[server(prefix = "/api/achievements", endpoint = "of", input = GetUrl)]
pub async fn badges_of(username: String) -> Result<Vec<Earned>, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            super::service::of(&state, &username).await
        }
        .await,
    )
}

/// The signed-in person's badges they have not been told of, marked as told: each is
/// announced once, whichever tab or device asks first.
#[server(prefix = "/api/achievements", endpoint = "unseen", input = Json)]
pub async fn take_unseen_badges() -> Result<Vec<Earned>, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            super::service::take_unseen(&state, crate::auth::UserId(me.user.id)).await
        }
        .await,
    )
}
