//! The communities API (`/api/communities/*`): thin server functions that find the caller,
//! call the service and return shared types.

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

use super::{
    permissions::{ChannelKind, Permissions, Rank},
    BanInfo, ChannelInfo, CommunityChanges, CommunityLists, CommunitySummary, CommunityView,
    InviteInfo, InvitePreview, MemberInfo, NewCommunity, RoleInfo,
};
use crate::platform::error::AppError;

#[cfg(feature = "ssr")]
use super::Measure;
#[cfg(feature = "ssr")]
use crate::{
    auth::caller::{current_user, optional_user},
    community::{discipline, service, settings},
    platform::state::AppState,
};

#[server(prefix = "/api/communities", endpoint = "list", input = GetUrl)]
pub async fn list_communities() -> Result<CommunityLists, AppError> {
    crate::platform::state::respond(
        async move {
            let (state, viewer) = (
                AppState::current()?,
                optional_user().await?.map(|me| me.user.id),
            );
            let (mine, discover) = service::list(&state, viewer.map(crate::auth::UserId)).await?;
            Ok(CommunityLists { mine, discover })
        }
        .await,
    )
}

#[server(prefix = "/api/communities", endpoint = "create", input = Json)]
pub async fn create_community(community: NewCommunity) -> Result<CommunitySummary, AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            service::create(&state, &me, community).await
        }
        .await,
    )
}

#[server(prefix = "/api/communities", endpoint = "view", input = GetUrl)]
pub async fn load_community(slug: String) -> Result<CommunityView, AppError> {
    crate::platform::state::respond(
        async move {
            let (state, viewer) = (
                AppState::current()?,
                optional_user().await?.map(|me| me.user.id),
            );
            service::view(&state, viewer.map(crate::auth::UserId), &slug).await
        }
        .await,
    )
}

/// Changes a community's name, description, colour, visibility and default channel (for
/// those who manage it); its address stays.
#[server(prefix = "/api/communities", endpoint = "update", input = Json)]
pub async fn update_community(
    slug: String,
    changes: CommunityChanges,
) -> Result<CommunitySummary, AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            settings::update(&state, &me, &slug, changes).await
        }
        .await,
    )
}

/// Where a new icon is sent: `?slug=…`, the image as the body (`application/octet-stream`).
pub const ICON_PATH: &str = "/api/communities/icon";

#[cfg(feature = "ssr")]
#[derive(serde::Deserialize)]
pub struct IconFor {
    slug: String,
}

/// `POST /api/communities/icon?slug=…`: the image as the body; the community as lists show it.
#[cfg(feature = "ssr")]
pub async fn upload_icon(
    axum::extract::State(state): axum::extract::State<AppState>,
    caller: crate::auth::caller::CurrentUser,
    crate::platform::rest::QueryArgs(to): crate::platform::rest::QueryArgs<IconFor>,
    body: bytes::Bytes,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match settings::set_icon(&state, &caller.user, &to.slug, Some(body)).await {
        Ok(summary) => axum::Json(summary).into_response(),
        Err(error) => error.into_response(),
    }
}

/// Back to the community's letter.
#[server(prefix = "/api/communities", endpoint = "icon_remove", input = Json)]
pub async fn remove_icon(slug: String) -> Result<CommunitySummary, AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            settings::set_icon(&state, &me, &slug, None).await
        }
        .await,
    )
}

/// The owner makes another member the owner (and stays on as an admin).
#[server(prefix = "/api/communities", endpoint = "transfer", input = Json)]
pub async fn transfer_ownership(slug: String, username: String) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            settings::transfer(&state, &me, &slug, &username).await
        }
        .await,
    )
}

#[server(prefix = "/api/communities", endpoint = "join", input = Json)]
pub async fn join_community(slug: String) -> Result<CommunitySummary, AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            service::join(&state, &me, &slug, None).await
        }
        .await,
    )
}

#[server(prefix = "/api/communities", endpoint = "leave", input = Json)]
pub async fn leave_community(slug: String) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            service::leave(&state, &me, &slug).await
        }
        .await,
    )
}

#[server(prefix = "/api/communities", endpoint = "members", input = GetUrl)]
pub async fn community_members(slug: String) -> Result<Vec<MemberInfo>, AppError> {
    crate::platform::state::respond(
        async move {
            let (state, viewer) = (
                AppState::current()?,
                optional_user().await?.map(|me| me.user.id),
            );
            service::members(&state, viewer.map(crate::auth::UserId), &slug).await
        }
        .await,
    )
}

#[server(prefix = "/api/communities", endpoint = "kick", input = Json)]
pub async fn kick_member(slug: String, username: String) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            discipline::by_username(&state, &me, (&slug, &username), Measure::Kick, "", None).await
        }
        .await,
    )
}

#[server(prefix = "/api/communities", endpoint = "ban", input = Json)]
pub async fn ban_member(
    slug: String,
    username: String,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            discipline::by_username(&state, &me, (&slug, &username), Measure::Ban, &reason, None)
                .await
        }
        .await,
    )
}

#[server(prefix = "/api/communities", endpoint = "unban", input = Json)]
pub async fn unban_member(slug: String, username: String) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            discipline::unban(&state, &me, &slug, &username).await
        }
        .await,
    )
}

/// Warns a member (the reason is required): they see it in the community until they mark it
/// seen; it stays in the audit log.
#[server(prefix = "/api/communities", endpoint = "warn", input = Json)]
pub async fn warn_member(slug: String, username: String, reason: String) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            discipline::by_username(
                &state,
                &me,
                (&slug, &username),
                Measure::Warn,
                &reason,
                None,
            )
            .await
        }
        .await,
    )
}

/// Times a member out for 1 minute to a week (`minutes`), or lifts their timeout (`0`).
#[server(prefix = "/api/communities", endpoint = "timeout", input = Json)]
pub async fn timeout_member(
    slug: String,
    username: String,
    minutes: u32,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            let measure = match minutes {
                0 => Measure::LiftTimeout,
                minutes => Measure::Timeout { minutes },
            };
            discipline::by_username(&state, &me, (&slug, &username), measure, &reason, None).await
        }
        .await,
    )
}

/// The signed-in person saw one of their warnings: it stops showing.
#[server(prefix = "/api/communities", endpoint = "warning-seen", input = Json)]
pub async fn mark_warning_seen(
    #[server(rename = "warningId")] warning_id: String,
) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            discipline::mark_warning_seen(&state, crate::auth::UserId(me.id), &warning_id).await
        }
        .await,
    )
}

#[server(prefix = "/api/communities", endpoint = "bans", input = GetUrl)]
pub async fn community_bans(slug: String) -> Result<Vec<BanInfo>, AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            service::bans(&state, crate::auth::UserId(me.id), &slug).await
        }
        .await,
    )
}

#[server(prefix = "/api/communities", endpoint = "rank", input = Json)]
pub async fn set_member_rank(slug: String, username: String, rank: Rank) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            service::set_rank(&state, &me, &slug, &username, rank).await
        }
        .await,
    )
}

#[server(prefix = "/api/communities", endpoint = "channels/create", input = Json)]
pub async fn create_channel(
    slug: String,
    name: String,
    #[server(default)] topic: String,
    kind: ChannelKind,
) -> Result<ChannelInfo, AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            service::create_channel(
                &state,
                crate::auth::UserId(me.id),
                &slug,
                &name,
                &topic,
                kind,
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api/communities", endpoint = "channels/update", input = Json)]
pub async fn update_channel(
    slug: String,
    #[server(rename = "channelId")] channel_id: String,
    name: String,
    #[server(default)] topic: String,
    #[server(default)] archived: bool,
) -> Result<ChannelInfo, AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            let channel = super::ChannelId::parse(&channel_id)?;
            service::update_channel(
                &state,
                crate::auth::UserId(me.id),
                &slug,
                channel,
                &name,
                &topic,
                archived,
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api/communities", endpoint = "channels/reorder", input = Json)]
pub async fn reorder_channels(slug: String, order: Vec<String>) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            service::reorder_channels(&state, crate::auth::UserId(me.id), &slug, order).await
        }
        .await,
    )
}

#[server(prefix = "/api/communities", endpoint = "roles", input = GetUrl)]
pub async fn community_roles(slug: String) -> Result<Vec<RoleInfo>, AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            service::roles(&state, crate::auth::UserId(me.id), &slug).await
        }
        .await,
    )
}

#[server(prefix = "/api/communities", endpoint = "roles/create", input = Json)]
pub async fn create_role(
    slug: String,
    name: String,
    permissions: Permissions,
) -> Result<RoleInfo, AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            service::create_role(
                &state,
                crate::auth::UserId(me.id),
                &slug,
                &name,
                permissions,
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api/communities", endpoint = "roles/delete", input = Json)]
pub async fn delete_role(
    slug: String,
    #[server(rename = "roleId")] role_id: String,
) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            let role = super::RoleId::parse(&role_id)?;
            service::delete_role(&state, crate::auth::UserId(me.id), &slug, role).await
        }
        .await,
    )
}

#[server(prefix = "/api/communities", endpoint = "roles/assign", input = Json)]
pub async fn assign_role(
    slug: String,
    #[server(rename = "roleId")] role_id: String,
    username: String,
    given: bool,
) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            let role = super::RoleId::parse(&role_id)?;
            service::assign_role(
                &state,
                crate::auth::UserId(me.id),
                &slug,
                role,
                &username,
                given,
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api/communities", endpoint = "invites/create", input = Json)]
pub async fn create_invite(
    slug: String,
    #[server(default)] hours: Option<u32>,
) -> Result<InviteInfo, AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            service::create_invite(&state, &me, &slug, hours).await
        }
        .await,
    )
}

#[server(prefix = "/api/communities", endpoint = "invites", input = GetUrl)]
pub async fn community_invites(slug: String) -> Result<Vec<InviteInfo>, AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            service::invites(&state, crate::auth::UserId(me.id), &slug).await
        }
        .await,
    )
}

#[server(prefix = "/api/communities", endpoint = "invites/revoke", input = Json)]
pub async fn revoke_invite(slug: String, code: String) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            service::revoke_invite(&state, crate::auth::UserId(me.id), &slug, &code).await
        }
        .await,
    )
}

#[server(prefix = "/api/invites", endpoint = "preview", input = GetUrl)]
pub async fn preview_invite(code: String) -> Result<InvitePreview, AppError> {
    crate::platform::state::respond(
        async move {
            let (state, viewer) = (
                AppState::current()?,
                optional_user().await?.map(|me| me.user.id),
            );
            service::invite_preview(&state, viewer.map(crate::auth::UserId), &code).await
        }
        .await,
    )
}

#[server(prefix = "/api/invites", endpoint = "accept", input = Json)]
pub async fn accept_invite(code: String) -> Result<CommunitySummary, AppError> {
    crate::platform::state::respond(
        async move {
            let (state, me) = (AppState::current()?, current_user().await?.user);
            service::accept_invite(&state, &me, &code).await
        }
        .await,
    )
}

/// Deletes a community and everything in it — channels, messages, members, reports, the audit
/// log. Its owner only, with its name typed as `confirm`.
#[server(prefix = "/api/communities", endpoint = "delete", input = Json)]
pub async fn delete_community(slug: String, confirm: String) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            super::settings::delete(&state, &me.user, &slug, &confirm).await
        }
        .await,
    )
}
