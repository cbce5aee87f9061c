//! The communities part of the public REST API (`/api/v1`): what a script may read of the
//! communities its person can see; joining and leaving; and, with the scopes for it, managing
//! a community (its details, channels, roles, invites: `community:manage`) and its members'
//! discipline (warnings, timeouts, kicks, bans: `community:moderate`). Every handler calls the
//! same service function as the app, so the same rights, ranks and audit log apply.

use axum::{extract::State, http::StatusCode, Json};
use serde::{Deserialize, Serialize};

use super::{
    discipline, permissions::ChannelKind, service, settings, BanInfo, ChannelId, ChannelInfo,
    CommunityChanges, CommunitySummary, InviteInfo, Measure, MemberInfo, RoleId, RoleInfo,
};
use crate::auth::UserId;
use crate::{
    auth::{caller::ApiCaller, Scope},
    community::permissions::Permissions,
    platform::{
        error::{AppError, WireError},
        rest::{JsonBody, PathArgs},
        state::AppState,
    },
};

/// The person's communities, and the public ones they have not joined.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Communities {
    pub joined: Vec<CommunitySummary>,
    pub public: Vec<CommunitySummary>,
}

/// One community and its channels (with the person's read positions).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommunityDetail {
    pub community: CommunitySummary,
    pub channels: Vec<ChannelInfo>,
}

/// The communities the person is in, and the public ones they could join.
#[utoipa::path(
    get,
    path = "/api/v1/communities",
    tag = "communities",
    security(("bearer" = ["chat:read"])),
    responses(
        (status = 200, body = Communities),
        (status = 401, body = WireError),
        (status = 403, description = "The token lacks the scope", body = WireError),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Communities>, AppError> {
    let user = caller.may(Scope::ChatRead)?;
    let (joined, public) = service::list(&state, Some(UserId(user.id))).await?;
    Ok(Json(Communities { joined, public }))
}

/// A community by its slug, with its channels.
#[utoipa::path(
    get,
    path = "/api/v1/communities/{slug}",
    tag = "communities",
    params(("slug" = String, Path, description = "The community's address name")),
    security(("bearer" = ["chat:read"])),
    responses(
        (status = 200, body = CommunityDetail),
        (status = 401, body = WireError),
        (status = 403, description = "Private, or the person is banned; or the token lacks the scope", body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn one(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(slug): PathArgs<String>,
) -> Result<Json<CommunityDetail>, AppError> {
    let user = caller.may(Scope::ChatRead)?;
    let view = service::view(&state, Some(UserId(user.id)), &slug).await?;
    Ok(Json(CommunityDetail {
        community: view.community,
        channels: view.channels,
    }))
}

/// A community's members.
#[utoipa::path(
    get,
    path = "/api/v1/communities/{slug}/members",
    tag = "communities",
    params(("slug" = String, Path, description = "The community's address name")),
    security(("bearer" = ["chat:read"])),
    responses(
        (status = 200, body = Vec<MemberInfo>),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn members(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(slug): PathArgs<String>,
) -> Result<Json<Vec<MemberInfo>>, AppError> {
    let user = caller.may(Scope::ChatRead)?;
    Ok(Json(
        service::members(&state, Some(UserId(user.id)), &slug).await?,
    ))
}

/// Joins a public community.
#[utoipa::path(
    post,
    path = "/api/v1/communities/{slug}/membership",
    tag = "communities",
    params(("slug" = String, Path, description = "The community's address name")),
    security(("bearer" = ["chat:write"])),
    responses(
        (status = 200, description = "A member now", body = CommunitySummary),
        (status = 401, body = WireError),
        (status = 403, description = "Private, or banned; or the token lacks the scope", body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn join(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(slug): PathArgs<String>,
) -> Result<Json<CommunitySummary>, AppError> {
    let user = caller.may(Scope::ChatWrite)?;
    Ok(Json(service::join(&state, user, &slug, None).await?))
}

/// Leaves a community (its owner cannot: they hand it over or delete it).
#[utoipa::path(
    delete,
    path = "/api/v1/communities/{slug}/membership",
    tag = "communities",
    params(("slug" = String, Path, description = "The community's address name")),
    security(("bearer" = ["chat:write"])),
    responses(
        (status = 204, description = "No longer a member"),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn leave(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(slug): PathArgs<String>,
) -> Result<StatusCode, AppError> {
    let user = caller.may(Scope::ChatWrite)?;
    service::leave(&state, user, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Joins the community an invitation is for (a private one included).
#[utoipa::path(
    post,
    path = "/api/v1/invites/{code}",
    tag = "communities",
    params(("code" = String, Path, description = "The invitation's code")),
    security(("bearer" = ["chat:write"])),
    responses(
        (status = 200, description = "A member now", body = CommunitySummary),
        (status = 401, body = WireError),
        (status = 403, description = "Banned there; or the token lacks the scope", body = WireError),
        (status = 404, description = "No such invitation, or it expired or was revoked", body = WireError),
    )
)]
pub async fn accept_invite(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(code): PathArgs<String>,
) -> Result<Json<CommunitySummary>, AppError> {
    let user = caller.may(Scope::ChatWrite)?;
    Ok(Json(service::accept_invite(&state, user, &code).await?))
}

/// Changes a community's details: name, description, colour, visibility, default channel.
#[utoipa::path(
    patch,
    path = "/api/v1/communities/{slug}",
    tag = "communities",
    params(("slug" = String, Path, description = "The community's address name")),
    request_body(content = CommunityChanges, example = json!({"name": "Value Desk", "description": "Cheap stocks, long views.", "iconColor": "#2563eb", "visibility": "public", "defaultChannel": null})),
    security(("bearer" = ["community:manage"])),
    responses(
        (status = 200, description = "The community as changed", body = CommunitySummary),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, description = "Without the right to manage it; or the token lacks the scope", body = WireError),
        (status = 404, body = WireError),
        (status = 422, description = "A name or description that does not fit", body = WireError),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(slug): PathArgs<String>,
    JsonBody(changes): JsonBody<CommunityChanges>,
) -> Result<Json<CommunitySummary>, AppError> {
    let user = caller.may(Scope::CommunityManage)?;
    Ok(Json(settings::update(&state, user, &slug, changes).await?))
}

/// A new channel, or a channel's new details.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChannelDetails {
    /// Lowercase letters, digits and dashes (`earnings-season`).
    pub name: String,
    #[serde(default)]
    pub topic: String,
    /// For a new channel only (text, announcements or voice); text without.
    #[serde(default)]
    pub kind: Option<ChannelKind>,
    /// For a channel already there: archived channels are read-only.
    #[serde(default)]
    pub archived: bool,
}

/// Adds a channel to a community.
#[utoipa::path(
    post,
    path = "/api/v1/communities/{slug}/channels",
    tag = "communities",
    params(("slug" = String, Path, description = "The community's address name")),
    request_body(content = ChannelDetails, example = json!({"name": "earnings", "topic": "Reports as they land", "kind": "text"})),
    security(("bearer" = ["community:manage"])),
    responses(
        (status = 201, description = "The new channel", body = ChannelInfo),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, description = "Without the right to manage channels; or the token lacks the scope", body = WireError),
        (status = 404, body = WireError),
        (status = 409, description = "A channel of that name is there already", body = WireError),
        (status = 422, body = WireError),
    )
)]
pub async fn create_channel(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(slug): PathArgs<String>,
    JsonBody(channel): JsonBody<ChannelDetails>,
) -> Result<(StatusCode, Json<ChannelInfo>), AppError> {
    let user = caller.may(Scope::CommunityManage)?;
    let made = service::create_channel(
        &state,
        UserId(user.id),
        &slug,
        &channel.name,
        &channel.topic,
        channel.kind.unwrap_or(ChannelKind::Text),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// Renames a channel, sets its topic, archives or restores it.
#[utoipa::path(
    patch,
    path = "/api/v1/communities/{slug}/channels/{channel_id}",
    tag = "communities",
    params(
        ("slug" = String, Path, description = "The community's address name"),
        ("channel_id" = String, Path, description = "The channel's id"),
    ),
    request_body(content = ChannelDetails, example = json!({"name": "earnings", "topic": "Q4 season", "archived": false})),
    security(("bearer" = ["community:manage"])),
    responses(
        (status = 200, description = "The channel as changed", body = ChannelInfo),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
        (status = 422, body = WireError),
    )
)]
pub async fn update_channel(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs((slug, channel_id)): PathArgs<(String, String)>,
    JsonBody(channel): JsonBody<ChannelDetails>,
) -> Result<Json<ChannelInfo>, AppError> {
    let user = caller.may(Scope::CommunityManage)?;
    let id = ChannelId::parse(&channel_id)?;
    Ok(Json(
        service::update_channel(
            &state,
            UserId(user.id),
            &slug,
            id,
            &channel.name,
            &channel.topic,
            channel.archived,
        )
        .await?,
    ))
}

/// A community's roles, with their permissions and how many hold each.
#[utoipa::path(
    get,
    path = "/api/v1/communities/{slug}/roles",
    tag = "communities",
    params(("slug" = String, Path, description = "The community's address name")),
    security(("bearer" = ["community:manage"])),
    responses(
        (status = 200, body = Vec<RoleInfo>),
        (status = 401, body = WireError),
        (status = 403, description = "Without the right to manage roles; or the token lacks the scope", body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn roles(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(slug): PathArgs<String>,
) -> Result<Json<Vec<RoleInfo>>, AppError> {
    let user = caller.may(Scope::CommunityManage)?;
    Ok(Json(service::roles(&state, UserId(user.id), &slug).await?))
}

/// A new role: its name and its permissions (bit flags: 1 post, 2 pin, 4 moderate messages,
/// 8 ban, 16 manage channels, 32 manage roles, 64 manage the community, 128 voice).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRole {
    pub name: String,
    pub permissions: Permissions,
}

/// Adds a role.
#[utoipa::path(
    post,
    path = "/api/v1/communities/{slug}/roles",
    tag = "communities",
    params(("slug" = String, Path, description = "The community's address name")),
    request_body(content = NewRole, example = json!({"name": "Analysts", "permissions": 3})),
    security(("bearer" = ["community:manage"])),
    responses(
        (status = 201, description = "The new role", body = RoleInfo),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
        (status = 422, body = WireError),
    )
)]
pub async fn create_role(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(slug): PathArgs<String>,
    JsonBody(role): JsonBody<NewRole>,
) -> Result<(StatusCode, Json<RoleInfo>), AppError> {
    let user = caller.may(Scope::CommunityManage)?;
    let made =
        service::create_role(&state, UserId(user.id), &slug, &role.name, role.permissions).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// Deletes a role; those who held it lose what it gave at once.
#[utoipa::path(
    delete,
    path = "/api/v1/communities/{slug}/roles/{role_id}",
    tag = "communities",
    params(
        ("slug" = String, Path, description = "The community's address name"),
        ("role_id" = String, Path, description = "The role's id"),
    ),
    security(("bearer" = ["community:manage"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn delete_role(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs((slug, role_id)): PathArgs<(String, String)>,
) -> Result<StatusCode, AppError> {
    let user = caller.may(Scope::CommunityManage)?;
    let role = RoleId::parse(&role_id)?;
    service::delete_role(&state, UserId(user.id), &slug, role).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Gives a member a role.
#[utoipa::path(
    put,
    path = "/api/v1/communities/{slug}/members/{username}/roles/{role_id}",
    tag = "communities",
    params(
        ("slug" = String, Path, description = "The community's address name"),
        ("username" = String, Path, description = "The member's username"),
        ("role_id" = String, Path, description = "The role's id"),
    ),
    security(("bearer" = ["community:manage"])),
    responses(
        (status = 204, description = "Given"),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn give_role(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs((slug, username, role_id)): PathArgs<(String, String, String)>,
) -> Result<StatusCode, AppError> {
    role_holder(state, caller, (slug, username, role_id), true).await
}

/// Takes a role from a member.
#[utoipa::path(
    delete,
    path = "/api/v1/communities/{slug}/members/{username}/roles/{role_id}",
    tag = "communities",
    params(
        ("slug" = String, Path, description = "The community's address name"),
        ("username" = String, Path, description = "The member's username"),
        ("role_id" = String, Path, description = "The role's id"),
    ),
    security(("bearer" = ["community:manage"])),
    responses(
        (status = 204, description = "Taken"),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn take_role(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs((slug, username, role_id)): PathArgs<(String, String, String)>,
) -> Result<StatusCode, AppError> {
    role_holder(state, caller, (slug, username, role_id), false).await
}

async fn role_holder(
    state: AppState,
    caller: ApiCaller,
    (slug, username, role_id): (String, String, String),
    given: bool,
) -> Result<StatusCode, AppError> {
    let user = caller.may(Scope::CommunityManage)?;
    let role = RoleId::parse(&role_id)?;
    service::assign_role(&state, UserId(user.id), &slug, role, &username, given).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A community's invitation links that still work.
#[utoipa::path(
    get,
    path = "/api/v1/communities/{slug}/invites",
    tag = "communities",
    params(("slug" = String, Path, description = "The community's address name")),
    security(("bearer" = ["community:manage"])),
    responses(
        (status = 200, body = Vec<InviteInfo>),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn invites(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(slug): PathArgs<String>,
) -> Result<Json<Vec<InviteInfo>>, AppError> {
    let user = caller.may(Scope::CommunityManage)?;
    Ok(Json(
        service::invites(&state, UserId(user.id), &slug).await?,
    ))
}

/// How long a new invitation lasts.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvite {
    /// Hours, 1 to 8,760 (a year); it never expires without.
    #[serde(default)]
    pub hours: Option<u32>,
}

/// Makes an invitation link.
#[utoipa::path(
    post,
    path = "/api/v1/communities/{slug}/invites",
    tag = "communities",
    params(("slug" = String, Path, description = "The community's address name")),
    request_body(content = NewInvite, example = json!({"hours": 24})),
    security(("bearer" = ["community:manage"])),
    responses(
        (status = 201, description = "The new invitation", body = InviteInfo),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
        (status = 422, description = "A lifetime out of range", body = WireError),
    )
)]
pub async fn create_invite(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(slug): PathArgs<String>,
    JsonBody(invite): JsonBody<NewInvite>,
) -> Result<(StatusCode, Json<InviteInfo>), AppError> {
    let user = caller.may(Scope::CommunityManage)?;
    let made = service::create_invite(&state, user, &slug, invite.hours).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// Revokes an invitation link: it stops working at once.
#[utoipa::path(
    delete,
    path = "/api/v1/communities/{slug}/invites/{code}",
    tag = "communities",
    params(
        ("slug" = String, Path, description = "The community's address name"),
        ("code" = String, Path, description = "The invitation's code"),
    ),
    security(("bearer" = ["community:manage"])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn revoke_invite(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs((slug, code)): PathArgs<(String, String)>,
) -> Result<StatusCode, AppError> {
    let user = caller.may(Scope::CommunityManage)?;
    service::revoke_invite(&state, UserId(user.id), &slug, &code).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Those banned from a community, with why and by whom.
#[utoipa::path(
    get,
    path = "/api/v1/communities/{slug}/bans",
    tag = "moderation",
    params(("slug" = String, Path, description = "The community's address name")),
    security(("bearer" = ["community:moderate"])),
    responses(
        (status = 200, body = Vec<BanInfo>),
        (status = 401, body = WireError),
        (status = 403, description = "Without the right to ban; or the token lacks the scope", body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn bans(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(slug): PathArgs<String>,
) -> Result<Json<Vec<BanInfo>>, AppError> {
    let user = caller.may(Scope::CommunityModerate)?;
    Ok(Json(service::bans(&state, UserId(user.id), &slug).await?))
}

/// Why a moderator acts (shown to the member for a warning; kept in the audit log).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// Up to 500 characters; a warning needs one.
    #[serde(default)]
    pub reason: String,
}

/// Bans a member (of a lower rank): they leave at once and cannot come back until unbanned.
#[utoipa::path(
    put,
    path = "/api/v1/communities/{slug}/bans/{username}",
    tag = "moderation",
    params(
        ("slug" = String, Path, description = "The community's address name"),
        ("username" = String, Path, description = "Whom to ban"),
    ),
    request_body(content = Reason, example = json!({"reason": "Pump-and-dump links after two warnings"})),
    security(("bearer" = ["community:moderate"])),
    responses(
        (status = 204, description = "Banned"),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, description = "Without the right, or of a rank not lower; or the token lacks the scope", body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn ban(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs((slug, username)): PathArgs<(String, String)>,
    JsonBody(why): JsonBody<Reason>,
) -> Result<StatusCode, AppError> {
    measure(state, caller, (slug, username), Measure::Ban, why.reason).await
}

/// Lifts a ban.
#[utoipa::path(
    delete,
    path = "/api/v1/communities/{slug}/bans/{username}",
    tag = "moderation",
    params(
        ("slug" = String, Path, description = "The community's address name"),
        ("username" = String, Path, description = "Whom to unban"),
    ),
    security(("bearer" = ["community:moderate"])),
    responses(
        (status = 204, description = "Unbanned"),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn unban(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs((slug, username)): PathArgs<(String, String)>,
) -> Result<StatusCode, AppError> {
    let user = caller.may(Scope::CommunityModerate)?;
    discipline::unban(&state, user, &slug, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a member (of a lower rank); they may join again.
#[utoipa::path(
    delete,
    path = "/api/v1/communities/{slug}/members/{username}",
    tag = "moderation",
    params(
        ("slug" = String, Path, description = "The community's address name"),
        ("username" = String, Path, description = "Whom to remove"),
    ),
    security(("bearer" = ["community:moderate"])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
    )
)]
pub async fn kick(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs((slug, username)): PathArgs<(String, String)>,
) -> Result<StatusCode, AppError> {
    measure(
        state,
        caller,
        (slug, username),
        Measure::Kick,
        String::new(),
    )
    .await
}

/// A timeout: how long, and why.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Timeout {
    /// 1 to 10,080 (a week); 0 lifts the member's timeout.
    pub minutes: u32,
    #[serde(default)]
    pub reason: String,
}

/// Times a member out (they may read, not post or react), or lifts their timeout.
#[utoipa::path(
    put,
    path = "/api/v1/communities/{slug}/members/{username}/timeout",
    tag = "moderation",
    params(
        ("slug" = String, Path, description = "The community's address name"),
        ("username" = String, Path, description = "Whom to time out"),
    ),
    request_body(content = Timeout, example = json!({"minutes": 60, "reason": "Cool off"})),
    security(("bearer" = ["community:moderate"])),
    responses(
        (status = 204, description = "Timed out (or the timeout lifted)"),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
        (status = 422, description = "More than a week", body = WireError),
    )
)]
pub async fn timeout(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs((slug, username)): PathArgs<(String, String)>,
    JsonBody(timeout): JsonBody<Timeout>,
) -> Result<StatusCode, AppError> {
    let kind = match timeout.minutes {
        0 => Measure::LiftTimeout,
        minutes => Measure::Timeout { minutes },
    };
    measure(state, caller, (slug, username), kind, timeout.reason).await
}

/// Warns a member: they see the reason in the community until they mark it seen.
#[utoipa::path(
    post,
    path = "/api/v1/communities/{slug}/members/{username}/warnings",
    tag = "moderation",
    params(
        ("slug" = String, Path, description = "The community's address name"),
        ("username" = String, Path, description = "Whom to warn"),
    ),
    request_body(content = Reason, example = json!({"reason": "No referral links, please"})),
    security(("bearer" = ["community:moderate"])),
    responses(
        (status = 204, description = "Warned"),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, body = WireError),
        (status = 422, description = "No reason given", body = WireError),
    )
)]
pub async fn warn(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs((slug, username)): PathArgs<(String, String)>,
    JsonBody(why): JsonBody<Reason>,
) -> Result<StatusCode, AppError> {
    measure(state, caller, (slug, username), Measure::Warn, why.reason).await
}

async fn measure(
    state: AppState,
    caller: ApiCaller,
    (slug, username): (String, String),
    measure: Measure,
    reason: String,
) -> Result<StatusCode, AppError> {
    let user = caller.may(Scope::CommunityModerate)?;
    discipline::by_username(&state, user, (&slug, &username), measure, &reason, None).await?;
    Ok(StatusCode::NO_CONTENT)
}
