//! The marketplace's API, for those who manage a community.

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

use super::{Delivery, Installation, Marketplace, NewIntegration};
use crate::platform::error::AppError;

/// What the community has installed.
#[server(prefix = "/api/integrations", endpoint = "list", input = GetUrl)]
pub async fn load_integrations(slug: String) -> Result<Marketplace, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            super::service::marketplace(&state, crate::auth::UserId(me.user.id), &slug).await
        }
        .await,
    )
}

/// Installs an item; the answer carries its secret, shown this once.
#[server(prefix = "/api/integrations", endpoint = "install", input = Json)]
pub async fn install_integration(
    slug: String,
    integration: NewIntegration,
) -> Result<Installation, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            super::service::install(&state, crate::auth::UserId(me.user.id), &slug, integration)
                .await
        }
        .await,
    )
}

/// Removes an installed item.
#[server(prefix = "/api/integrations", endpoint = "remove", input = Json)]
pub async fn remove_integration(slug: String, id: String) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            super::service::remove(&state, crate::auth::UserId(me.user.id), &slug, &id).await
        }
        .await,
    )
}

/// An outgoing webhook's latest deliveries, newest first.
#[server(prefix = "/api/integrations", endpoint = "deliveries", input = GetUrl)]
pub async fn webhook_deliveries(slug: String, id: String) -> Result<Vec<Delivery>, AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            super::service::deliveries(&state, crate::auth::UserId(me.user.id), &slug, &id).await
        }
        .await,
    )
}
