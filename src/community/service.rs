//! Community logic: every operation authorises through `permissions::can`, validates with
//! `validate`, writes through `repo` and announces changes on the broker.

use chrono::{Duration, Utc};
use futures::future::BoxFuture;
use rand::Rng;
use sea_orm::TransactionTrait;
use uuid::Uuid;

use super::{
    audit::{self, Act},
    permissions::{can, Action, ChannelKind, Permissions, Rank, Standing, Visibility},
    repo, validate, BanInfo, ChannelId, ChannelInfo, CommunityEvent, CommunitySummary,
    CommunityView, InviteInfo, InvitePreview, MemberInfo, NewCommunity, RoleId, RoleInfo,
};
use crate::auth::UserId;
use crate::community::CommunityId;
use crate::{
    auth::{repo as accounts, Author},
    entities::{channels, communities, invites, users},
    kit::sentences::says,
    platform::{error::AppError, realtime, state::AppState},
};

/// The community a new account joins by itself.
pub const DEFAULT_COMMUNITY: &str = "bullpen";

/// Sets up what a domain above needs in a community being founded, inside the founding
/// transaction.
pub type SetUp = for<'a> fn(
    &'a sea_orm::DatabaseTransaction,
    &'a communities::Model,
    chrono::DateTime<Utc>,
) -> BoxFuture<'a, Result<(), sea_orm::DbErr>>;

/// What the domains above set up in a community as it is founded (chat installs the stock
/// bot): registered by the composition root, as community knows none of them.
pub struct Founded(pub SetUp);

pub(super) fn field(err: validate::CommunityFieldError) -> AppError {
    AppError::Validation(err.sentence())
}

/// A community as lists show it.
pub fn summary(c: &communities::Model, members: u64, joined: bool) -> CommunitySummary {
    CommunitySummary {
        id: c.id.to_string(),
        slug: c.slug.clone(),
        name: c.name.clone(),
        description: c.description.clone(),
        icon_color: c.icon_color.clone(),
        visibility: Visibility::parse(&c.visibility),
        member_count: members,
        joined,
        icon_url: c.icon.map(|id| crate::platform::pictures::url(id, false)),
    }
}

/// A community by its slug, with the viewer's standing. Outsiders of a private community and
/// banned people learn only that they may not look.
pub async fn find(
    state: &AppState,
    viewer: Option<UserId>,
    slug: &str,
) -> Result<(communities::Model, Standing), AppError> {
    let community = repo::community_by_slug(&state.db, slug)
        .await?
        .ok_or_else(|| AppError::NotFound(says!("server.community.not_found")))?;
    let standing = match viewer {
        Some(user) => repo::standing(&state.db, community.id, user.0).await?,
        None => Standing::Outsider,
    };
    Ok((community, standing))
}

/// Checks an action against the policy for this community.
pub fn allow(
    community: &communities::Model,
    standing: Standing,
    action: Action,
) -> Result<(), AppError> {
    can(
        standing,
        Visibility::parse(&community.visibility),
        action,
        Utc::now().timestamp(),
    )
    .map_err(AppError::from)
}

/// The viewer's communities and the public ones they have not joined.
pub async fn list(
    state: &AppState,
    viewer: Option<UserId>,
) -> Result<(Vec<CommunitySummary>, Vec<CommunitySummary>), AppError> {
    let mine = match viewer {
        Some(user) => repo::communities_of(&state.db, user.0).await?,
        None => Vec::new(),
    };
    let public: Vec<_> = repo::public_communities(&state.db)
        .await?
        .into_iter()
        .filter(|c| !mine.iter().any(|m| m.id == c.id))
        .collect();
    let ids = mine.iter().chain(public.iter()).map(|c| c.id).collect();
    let counts = repo::member_counts(&state.db, ids).await?;
    let count = |c: &communities::Model| counts.get(&c.id).copied().unwrap_or(0);
    Ok((
        mine.iter().map(|c| summary(c, count(c), true)).collect(),
        public.iter().map(|c| summary(c, count(c), false)).collect(),
    ))
}

/// The communities `person` belongs to that `viewer` may read: the public ones (unless the
/// viewer is banned there), and the private ones the viewer is in too; in the order the person
/// joined them.
pub async fn communities_seen_with(
    state: &AppState,
    person: UserId,
    viewer: Option<UserId>,
) -> Result<Vec<CommunitySummary>, AppError> {
    let theirs = repo::communities_of(&state.db, person.0).await?;
    let (viewers, banned): (Vec<Uuid>, Vec<Uuid>) = match viewer {
        Some(viewer) => (
            repo::communities_of(&state.db, viewer.0)
                .await?
                .into_iter()
                .map(|c| c.id)
                .collect(),
            repo::banned_from(&state.db, viewer.0).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let seen: Vec<_> = theirs
        .into_iter()
        .filter(|c| {
            viewers.contains(&c.id)
                || (Visibility::parse(&c.visibility) == Visibility::Public
                    && !banned.contains(&c.id))
        })
        .collect();
    let counts = repo::member_counts(&state.db, seen.iter().map(|c| c.id).collect()).await?;
    Ok(seen
        .iter()
        .map(|c| {
            let members = counts.get(&c.id).copied().unwrap_or(0);
            summary(c, members, viewers.contains(&c.id))
        })
        .collect())
}

pub async fn create(
    state: &AppState,
    owner: &users::Model,
    input: NewCommunity,
) -> Result<CommunitySummary, AppError> {
    let name = validate::community_name(&input.name).map_err(field)?;
    let description = validate::description(&input.description).map_err(field)?;
    let icon_color = validate::icon_color(&input.icon_color).map_err(field)?;
    let visibility = validate::visibility(input.visibility).map_err(field)?;
    let base = match validate::slug(&name) {
        s if s.len() >= 2 => s,
        _ => "community".to_string(),
    };
    let mut slug = base.clone();
    let mut n = 2;
    while repo::slug_taken(&state.db, &slug).await? {
        slug = format!("{base}-{n}");
        n += 1;
    }
    let now = Utc::now();
    let id = Uuid::now_v7();
    let txn = state.db.begin().await?;
    let community = repo::insert_community(
        &txn,
        communities::Model {
            id,
            slug,
            name,
            description,
            icon_color,
            visibility: visibility.as_str().into(),
            owner_id: Some(owner.id),
            created_at: now,
            toxicity_threshold: None,
            default_channel_id: None,
            icon: None,
            direct_key: None,
        },
    )
    .await?;
    repo::add_member(&txn, id, owner.id, Rank::Owner, now).await?;
    repo::insert_channel(&txn, id, "general", "", ChannelKind::Text, 0, now).await?;
    (state.service::<Founded>().0)(&txn, &community, now).await?;
    // The owner, and what founding installed (the stock bot).
    let members = repo::member_counts(&txn, vec![id]).await?;
    txn.commit().await?;
    tracing::info!(community = %id, owner = %owner.id, "community created");
    Ok(summary(
        &community,
        members.get(&id).copied().unwrap_or(1),
        true,
    ))
}

fn channel_info(c: &channels::Model, last_read: i64) -> ChannelInfo {
    ChannelInfo {
        id: c.id.to_string(),
        name: c.name.clone(),
        topic: c.topic.clone(),
        kind: ChannelKind::parse(&c.kind),
        position: c.position,
        archived: c.archived_at.is_some(),
        last_seq: c.last_seq,
        last_read_seq: last_read,
    }
}

/// The community page: details, channels with unread counts, the viewer's rank and flags.
pub async fn view(
    state: &AppState,
    viewer: Option<UserId>,
    slug: &str,
) -> Result<CommunityView, AppError> {
    let (community, standing) = find(state, viewer, slug).await?;
    allow(&community, standing, Action::Read)?;
    let channels = repo::channels(&state.db, community.id).await?;
    let reads = match viewer {
        Some(user) => {
            repo::read_positions(&state.db, user.0, channels.iter().map(|c| c.id).collect()).await?
        }
        None => Default::default(),
    };
    let counts = repo::member_counts(&state.db, vec![community.id]).await?;
    let (my_rank, joined) = match standing {
        Standing::Member { rank, .. } => (Some(rank), true),
        _ => (None, false),
    };
    let now = Utc::now().timestamp();
    let timed_out_until = match standing {
        Standing::Member {
            timed_out_until: Some(until),
            ..
        } if until > now => chrono::DateTime::from_timestamp(until, 0).map(|t| t.to_rfc3339()),
        _ => None,
    };
    let warnings = match (viewer, joined) {
        (Some(user), true) => repo::unseen_warnings(&state.db, community.id, user.0)
            .await?
            .iter()
            .map(super::discipline::warning_info)
            .collect(),
        _ => Vec::new(),
    };
    let direct = match viewer {
        Some(user) if community.visibility == Visibility::Direct.as_str() => {
            Some(super::direct::service::one(state, &community, UserId(user.0)).await?)
        }
        _ => None,
    };
    Ok(CommunityView {
        direct,
        community: summary(
            &community,
            counts.get(&community.id).copied().unwrap_or(0),
            joined,
        ),
        channels: channels
            .iter()
            .map(|c| channel_info(c, reads.get(&c.id).copied().unwrap_or(0)))
            .collect(),
        my_rank,
        my_permissions: standing.permissions(),
        timed_out_until,
        warnings,
        default_channel: community.default_channel_id.map(|id| id.to_string()),
    })
}

/// Joins a community: public ones freely, private ones with a live invitation.
pub async fn join(
    state: &AppState,
    user: &users::Model,
    slug: &str,
    invite_code: Option<&str>,
) -> Result<CommunitySummary, AppError> {
    let (community, standing) = find(state, Some(UserId(user.id)), slug).await?;
    let invite = match invite_code {
        Some(code) => Some(live_invite(state, code).await?),
        None => None,
    };
    let invited = invite
        .as_ref()
        .is_some_and(|i| i.community_id == community.id);
    allow(&community, standing, Action::Join { invited })?;
    let now = Utc::now();
    let txn = state.db.begin().await?;
    repo::add_member(&txn, community.id, user.id, Rank::Member, now).await?;
    if let Some(invite) = invite.filter(|_| invited) {
        repo::count_invite_use(&txn, &invite.code).await?;
    }
    txn.commit().await?;
    // Their open sockets keep their access for sending: a guest reading a public community
    // may post the moment they join.
    realtime::standing_changed(state, user.id, community.id).await;
    realtime::publish(
        state,
        &realtime::topic::community(community.id),
        Some(user.id),
        &CommunityEvent::MemberJoined {
            community_id: community.id.to_string(),
            user: Author::of(user),
        },
    )
    .await;
    let counts = repo::member_counts(&state.db, vec![community.id]).await?;
    Ok(summary(
        &community,
        counts.get(&community.id).copied().unwrap_or(1),
        true,
    ))
}

/// Joins the default community if it exists (new accounts land somewhere with people in it).
pub fn join_default<'a>(
    state: &'a AppState,
    user: &'a users::Model,
) -> BoxFuture<'a, Result<(), AppError>> {
    Box::pin(async move {
        match join(state, user, DEFAULT_COMMUNITY, None).await {
            Ok(_) | Err(AppError::NotFound(_)) => Ok(()),
            Err(AppError::Denied(_)) => Ok(()),
            Err(other) => Err(other),
        }
    })
}

pub async fn leave(state: &AppState, user: &users::Model, slug: &str) -> Result<(), AppError> {
    let (community, standing) = find(state, Some(UserId(user.id)), slug).await?;
    if community.visibility == Visibility::Direct.as_str() {
        return super::direct::service::leave(state, user, slug).await;
    }
    match standing {
        Standing::Member {
            rank: Rank::Owner, ..
        } => {
            return Err(AppError::Validation(says!(
                "server.community.owner_cannot_leave"
            )))
        }
        Standing::Member { .. } => {}
        _ => {
            return Err(AppError::Validation(says!(
                "server.community.you_are_not_member"
            )))
        }
    }
    remove(state, CommunityId(community.id), UserId(user.id)).await
}

async fn remove(state: &AppState, community: CommunityId, user: UserId) -> Result<(), AppError> {
    repo::remove_member(&state.db, community.0, user.0, repo::Departure::Left).await?;
    announce_left(state, community, user).await;
    Ok(())
}

/// A person left (or was made to): their sockets recheck and the community's tabs count one less.
pub(super) async fn announce_left(state: &AppState, community: CommunityId, user: UserId) {
    realtime::standing_changed(state, user.0, community.0).await;
    realtime::publish(
        state,
        &realtime::topic::community(community.0),
        Some(user.0),
        &CommunityEvent::MemberLeft {
            community_id: community.to_string(),
            user_id: user.to_string(),
        },
    )
    .await;
}

pub async fn members(
    state: &AppState,
    viewer: Option<UserId>,
    slug: &str,
) -> Result<Vec<MemberInfo>, AppError> {
    let (community, standing) = find(state, viewer, slug).await?;
    allow(&community, standing, Action::Read)?;
    let members = repo::members(&state.db, community.id).await?;
    let roles = repo::role_names_by_member(&state.db, community.id).await?;
    let now = Utc::now();
    let online = repo::online_among(
        &state.db,
        members.iter().map(|(m, _)| m.user_id).collect(),
        now,
    )
    .await?;
    // Timeouts are the moderators' business: others see the member, not the measure.
    let sees_timeouts = standing.permissions().contains(Permissions::BAN);
    Ok(members
        .into_iter()
        .map(|(m, u)| MemberInfo {
            avatar_url: u.avatar.map(|id| crate::platform::pictures::url(id, true)),
            user_id: u.id.to_string(),
            username: u.username,
            display_name: u.display_name,
            rank: Rank::from_level(m.rank),
            roles: roles.get(&m.user_id).cloned().unwrap_or_default(),
            online: online.contains(&m.user_id),
            timed_out_until: m
                .timed_out_until
                .filter(|until| sees_timeouts && *until > now)
                .map(|until| until.to_rfc3339()),
        })
        .collect())
}

/// The person a moderation action or a report is about: an account and its current standing.
pub async fn target(
    state: &AppState,
    community: &communities::Model,
    username: &str,
) -> Result<(users::Model, Standing), AppError> {
    let user = accounts::user_by_username(&state.db, username)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(says!("server.auth.user_not_found", user = username.trim()))
        })?;
    let standing = repo::standing(&state.db, community.id, user.id).await?;
    Ok((user, standing))
}

pub(super) fn rank_of(standing: Standing) -> Rank {
    match standing {
        Standing::Member { rank, .. } => rank,
        _ => Rank::Member,
    }
}

pub async fn bans(state: &AppState, actor: UserId, slug: &str) -> Result<Vec<BanInfo>, AppError> {
    let (community, standing) = find(state, Some(UserId(actor.0)), slug).await?;
    allow(
        &community,
        standing,
        Action::Ban {
            target: Rank::Member,
        },
    )?;
    let bans = repo::bans(&state.db, community.id).await?;
    let people = crate::auth::repo::users_by_ids(
        &state.db,
        bans.iter().flat_map(|b| [b.user_id, b.banned_by]).collect(),
    )
    .await?;
    let name = |id: &Uuid| {
        people
            .get(id)
            .map(|u| u.username.clone())
            .unwrap_or_default()
    };
    Ok(bans
        .iter()
        .map(|b| BanInfo {
            user_id: b.user_id.to_string(),
            username: name(&b.user_id),
            display_name: people
                .get(&b.user_id)
                .map(|u| u.display_name.clone())
                .unwrap_or_default(),
            reason: b.reason.clone(),
            banned_by: name(&b.banned_by),
            created_at: b.created_at.to_rfc3339(),
        })
        .collect())
}

/// Makes someone a moderator, admin or plain member (owners only appoint admins).
pub async fn set_rank(
    state: &AppState,
    actor: &users::Model,
    slug: &str,
    username: &str,
    rank: Rank,
) -> Result<(), AppError> {
    let (community, standing) = find(state, Some(UserId(actor.id)), slug).await?;
    let (user, their) = target(state, &community, username).await?;
    if !matches!(their, Standing::Member { .. }) {
        return Err(AppError::Validation(says!(
            "server.community.not_member",
            user = &user.username
        )));
    }
    if rank == Rank::Owner {
        return Err(AppError::Validation(says!("server.community.one_owner")));
    }
    // Both the person's current rank and the new one must be below the actor's.
    allow(
        &community,
        standing,
        Action::ManageRoles {
            target: rank_of(their),
        },
    )?;
    allow(&community, standing, Action::ManageRoles { target: rank })?;
    let txn = state.db.begin().await?;
    repo::set_rank(&txn, community.id, user.id, rank).await?;
    audit::record(
        &txn,
        audit::Entry {
            community: community.id,
            actor: actor.id,
            act: Act::SetRank,
            target: Some(user.id),
            message: None,
            detail: rank.as_str(),
            reason: "",
        },
    )
    .await?;
    txn.commit().await?;
    realtime::standing_changed(state, user.id, community.id).await;
    Ok(())
}

// Channels

async fn managed(
    state: &AppState,
    actor: UserId,
    slug: &str,
) -> Result<communities::Model, AppError> {
    let (community, standing) = find(state, Some(UserId(actor.0)), slug).await?;
    allow(&community, standing, Action::ManageChannels)?;
    Ok(community)
}

pub async fn create_channel(
    state: &AppState,
    actor: UserId,
    slug: &str,
    name: &str,
    topic: &str,
    kind: ChannelKind,
) -> Result<ChannelInfo, AppError> {
    let community = managed(state, actor, slug).await?;
    let name = validate::channel_name(name).map_err(field)?;
    let topic = validate::topic(topic).map_err(field)?;
    let existing = repo::channels(&state.db, community.id).await?;
    if existing.iter().any(|c| c.name == name) {
        return Err(AppError::Conflict(says!(
            "server.community.channel_exists",
            name = &name
        )));
    }
    let position = existing.iter().map(|c| c.position + 1).max().unwrap_or(0);
    let channel = repo::insert_channel(
        &state.db,
        community.id,
        &name,
        &topic,
        kind,
        position,
        Utc::now(),
    )
    .await?;
    log_act(
        state,
        CommunityId(community.id),
        actor,
        Act::CreateChannel,
        None,
        &format!("#{}", channel.name),
    )
    .await?;
    Ok(channel_info(&channel, 0))
}

async fn managed_channel(
    state: &AppState,
    actor: UserId,
    slug: &str,
    channel_id: ChannelId,
) -> Result<(communities::Model, channels::Model), AppError> {
    let community = managed(state, actor, slug).await?;
    let channel = repo::channel_by_id(&state.db, channel_id.0)
        .await?
        .filter(|c| c.community_id == community.id)
        .ok_or_else(|| AppError::NotFound(says!("server.community.channel_not_found")))?;
    Ok((community, channel))
}

pub async fn update_channel(
    state: &AppState,
    actor: UserId,
    slug: &str,
    channel_id: ChannelId,
    name: &str,
    topic: &str,
    archived: bool,
) -> Result<ChannelInfo, AppError> {
    let (community, channel) = managed_channel(state, actor, slug, channel_id).await?;
    let name = validate::channel_name(name).map_err(field)?;
    let topic = validate::topic(topic).map_err(field)?;
    if name != channel.name
        && repo::channels(&state.db, community.id)
            .await?
            .iter()
            .any(|c| c.name == name)
    {
        return Err(AppError::Conflict(says!(
            "server.community.channel_exists",
            name = &name
        )));
    }
    let archived_at = match (archived, channel.archived_at) {
        (true, None) => Some(Utc::now()),
        (true, kept) => kept,
        (false, _) => None,
    };
    let updated = repo::update_channel(&state.db, channel.id, name, topic, archived_at).await?;
    let detail = match (updated.name != channel.name, updated.archived_at.is_some()) {
        (true, _) => format!("#{} → #{}", channel.name, updated.name),
        (false, true) if channel.archived_at.is_none() => format!("#{} (archived)", updated.name),
        (false, false) if channel.archived_at.is_some() => format!("#{} (restored)", updated.name),
        _ => format!("#{}", updated.name),
    };
    log_act(
        state,
        CommunityId(community.id),
        actor,
        Act::UpdateChannel,
        None,
        &detail,
    )
    .await?;
    if updated.archived_at != channel.archived_at {
        realtime::channel_changed(state, channel.id).await;
    }
    Ok(channel_info(&updated, 0))
}

/// Puts the channels in the given order (ids first to last; unnamed ones keep their order after).
pub async fn reorder_channels(
    state: &AppState,
    actor: UserId,
    slug: &str,
    order: Vec<String>,
) -> Result<(), AppError> {
    let community = managed(state, actor, slug).await?;
    let mut channels = repo::channels(&state.db, community.id).await?;
    channels.sort_by_key(|c| {
        order
            .iter()
            .position(|id| *id == c.id.to_string())
            .unwrap_or(usize::MAX)
    });
    let txn = state.db.begin().await?;
    for (position, channel) in channels.iter().enumerate() {
        repo::set_channel_position(&txn, channel.id, position as i32).await?;
    }
    txn.commit().await?;
    Ok(())
}

// Custom roles

pub async fn roles(state: &AppState, actor: UserId, slug: &str) -> Result<Vec<RoleInfo>, AppError> {
    let (community, standing) = find(state, Some(UserId(actor.0)), slug).await?;
    allow(&community, standing, Action::Read)?;
    let roles = repo::roles(&state.db, community.id).await?;
    let given = repo::roles_given(&state.db, community.id).await?;
    Ok(roles
        .into_iter()
        .map(|r| RoleInfo {
            id: r.id.to_string(),
            members: given.iter().filter(|g| g.role_id == r.id).count() as u64,
            name: r.name,
            permissions: Permissions::from_bits(r.permissions as u32),
        })
        .collect())
}

pub async fn create_role(
    state: &AppState,
    actor: UserId,
    slug: &str,
    name: &str,
    permissions: Permissions,
) -> Result<RoleInfo, AppError> {
    let (community, standing) = find(state, Some(UserId(actor.0)), slug).await?;
    allow(
        &community,
        standing,
        Action::GrantRole {
            target: Rank::Member,
            carries: permissions,
        },
    )?;
    let name = validate::role_name(name).map_err(field)?;
    let role = repo::insert_role(&state.db, community.id, name, permissions)
        .await
        .map_err(|err| match AppError::from(err) {
            AppError::Conflict(_) => AppError::Conflict(says!("server.community.role_exists")),
            other => other,
        })?;
    log_act(
        state,
        CommunityId(community.id),
        actor,
        Act::CreateRole,
        None,
        &role.name,
    )
    .await?;
    Ok(RoleInfo {
        id: role.id.to_string(),
        name: role.name,
        permissions,
        members: 0,
    })
}

pub async fn delete_role(
    state: &AppState,
    actor: UserId,
    slug: &str,
    role_id: RoleId,
) -> Result<(), AppError> {
    let (community, standing) = find(state, Some(UserId(actor.0)), slug).await?;
    let role = repo::role(&state.db, community.id, role_id.0)
        .await?
        .ok_or_else(|| AppError::NotFound(says!("server.community.role_not_found")))?;
    // Taking a role away from everyone who has it is taking it from each of them.
    let carries = Permissions::from_bits(role.permissions as u32);
    allow(
        &community,
        standing,
        Action::GrantRole {
            target: Rank::Member,
            carries,
        },
    )?;
    let holders = repo::role_holders(&state.db, role.id).await?;
    if !repo::delete_role(&state.db, role.id).await? {
        return Err(AppError::NotFound(says!("server.community.role_not_found")));
    }
    log_act(
        state,
        CommunityId(community.id),
        actor,
        Act::DeleteRole,
        None,
        &role.name,
    )
    .await?;
    for holder in holders {
        realtime::standing_changed(state, holder, community.id).await;
    }
    Ok(())
}

/// Gives a custom role to a member, or takes it away.
pub async fn assign_role(
    state: &AppState,
    actor: UserId,
    slug: &str,
    role_id: RoleId,
    username: &str,
    given: bool,
) -> Result<(), AppError> {
    let (community, standing) = find(state, Some(UserId(actor.0)), slug).await?;
    let (user, their) = target(state, &community, username).await?;
    if !matches!(their, Standing::Member { .. }) {
        return Err(AppError::Validation(says!(
            "server.community.not_member",
            user = &user.username
        )));
    }
    let role = repo::role(&state.db, community.id, role_id.0)
        .await?
        .ok_or_else(|| AppError::NotFound(says!("server.community.role_not_found")))?;
    // Giving or taking: the member must rank below the actor, and the role may carry nothing
    // the actor does not hold.
    let carries = Permissions::from_bits(role.permissions as u32);
    allow(
        &community,
        standing,
        Action::GrantRole {
            target: rank_of(their),
            carries,
        },
    )?;
    if given {
        repo::give_role(&state.db, community.id, user.id, role.id).await?;
    } else {
        repo::take_role(&state.db, community.id, user.id, role.id).await?;
    }
    let detail = format!("{}{}", if given { "+" } else { "−" }, role.name);
    log_act(
        state,
        CommunityId(community.id),
        actor,
        Act::AssignRole,
        Some(user.id),
        &detail,
    )
    .await?;
    realtime::standing_changed(state, user.id, community.id).await;
    Ok(())
}

// Invitations

/// A hard-to-guess code: 10 characters from an alphabet without look-alikes (≈ 50 bits).
fn invite_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..10)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

fn invite_info(i: &invites::Model, creator: String) -> InviteInfo {
    InviteInfo {
        code: i.code.clone(),
        created_by: creator,
        created_at: i.created_at.to_rfc3339(),
        expires_at: i.expires_at.map(|t| t.to_rfc3339()),
        uses: i.uses,
    }
}

/// Creates an invitation link valid for `hours` (none: until revoked). Moderators and above.
pub async fn create_invite(
    state: &AppState,
    actor: &users::Model,
    slug: &str,
    hours: Option<u32>,
) -> Result<InviteInfo, AppError> {
    let (community, standing) = find(state, Some(UserId(actor.id)), slug).await?;
    allow(
        &community,
        standing,
        Action::Kick {
            target: Rank::Member,
        },
    )
    .or_else(|_| allow(&community, standing, Action::ManageCommunity))?;
    if hours.is_some_and(|h| h == 0 || h > 24 * 365) {
        return Err(AppError::Validation(says!(
            "server.community.invite_lifetime"
        )));
    }
    let now = Utc::now();
    let invite = repo::insert_invite(
        &state.db,
        invites::Model {
            code: invite_code(),
            community_id: community.id,
            created_by: actor.id,
            created_at: now,
            expires_at: hours.map(|h| now + Duration::hours(h.into())),
            revoked_at: None,
            uses: 0,
        },
    )
    .await?;
    log_act(
        state,
        CommunityId(community.id),
        UserId(actor.id),
        Act::CreateInvite,
        None,
        "",
    )
    .await?;
    Ok(invite_info(&invite, actor.username.clone()))
}

pub async fn invites(
    state: &AppState,
    actor: UserId,
    slug: &str,
) -> Result<Vec<InviteInfo>, AppError> {
    let (community, standing) = find(state, Some(UserId(actor.0)), slug).await?;
    allow(
        &community,
        standing,
        Action::Kick {
            target: Rank::Member,
        },
    )
    .or_else(|_| allow(&community, standing, Action::ManageCommunity))?;
    let live = repo::live_invites(&state.db, community.id, Utc::now()).await?;
    let people =
        crate::auth::repo::users_by_ids(&state.db, live.iter().map(|i| i.created_by).collect())
            .await?;
    Ok(live
        .iter()
        .map(|i| {
            invite_info(
                i,
                people
                    .get(&i.created_by)
                    .map(|u| u.username.clone())
                    .unwrap_or_default(),
            )
        })
        .collect())
}

pub async fn revoke_invite(
    state: &AppState,
    actor: UserId,
    slug: &str,
    code: &str,
) -> Result<(), AppError> {
    let (community, standing) = find(state, Some(UserId(actor.0)), slug).await?;
    allow(
        &community,
        standing,
        Action::Kick {
            target: Rank::Member,
        },
    )
    .or_else(|_| allow(&community, standing, Action::ManageCommunity))?;
    if !repo::revoke_invite(&state.db, community.id, code.trim(), Utc::now()).await? {
        return Err(AppError::NotFound(says!(
            "server.community.invite_not_found"
        )));
    }
    log_act(
        state,
        CommunityId(community.id),
        actor,
        Act::RevokeInvite,
        None,
        "",
    )
    .await?;
    Ok(())
}

/// An invitation that still works, or a clear reason why not.
async fn live_invite(state: &AppState, code: &str) -> Result<invites::Model, AppError> {
    let invite = repo::invite(&state.db, code)
        .await?
        .ok_or_else(|| AppError::NotFound(says!("server.community.invite_not_found")))?;
    if invite.revoked_at.is_some() {
        return Err(AppError::Validation(says!(
            "server.community.invite_revoked"
        )));
    }
    if invite.expires_at.is_some_and(|at| at <= Utc::now()) {
        return Err(AppError::Validation(says!(
            "server.community.invite_expired"
        )));
    }
    Ok(invite)
}

pub async fn invite_preview(
    state: &AppState,
    viewer: Option<UserId>,
    code: &str,
) -> Result<InvitePreview, AppError> {
    let invite = live_invite(state, code).await?;
    let community = repo::community_by_id(&state.db, invite.community_id)
        .await?
        .ok_or_else(|| AppError::NotFound(says!("server.community.invite_not_found")))?;
    let joined = match viewer {
        Some(user) => repo::membership(&state.db, community.id, user.0)
            .await?
            .is_some(),
        None => false,
    };
    let counts = repo::member_counts(&state.db, vec![community.id]).await?;
    Ok(InvitePreview {
        code: invite.code,
        community: summary(
            &community,
            counts.get(&community.id).copied().unwrap_or(0),
            joined,
        ),
    })
}

pub async fn accept_invite(
    state: &AppState,
    user: &users::Model,
    code: &str,
) -> Result<CommunitySummary, AppError> {
    let invite = live_invite(state, code).await?;
    let community = repo::community_by_id(&state.db, invite.community_id)
        .await?
        .ok_or_else(|| AppError::NotFound(says!("server.community.invite_not_found")))?;
    join(state, user, &community.slug, Some(code)).await
}

/// The community's audit log, newest first; for those who moderate or manage it.
pub async fn audit_log(
    state: &AppState,
    actor: UserId,
    slug: &str,
) -> Result<Vec<audit::AuditEntry>, AppError> {
    let (community, standing) = find(state, Some(UserId(actor.0)), slug).await?;
    allow(&community, standing, Action::ReadAuditLog)?;
    Ok(audit::entries(&state.db, CommunityId(community.id), 200).await?)
}

/// Writes an action that has no message and no reason to the audit log.
pub(super) async fn log_act(
    state: &AppState,
    community: CommunityId,
    actor: UserId,
    act: Act,
    target: Option<Uuid>,
    detail: &str,
) -> Result<(), AppError> {
    audit::record(
        &state.db,
        audit::Entry {
            community: community.0,
            actor: actor.0,
            act,
            target,
            message: None,
            detail,
            reason: "",
        },
    )
    .await?;
    Ok(())
}
