//! sea-orm queries for communities, members, roles, bans, invites and channels.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::permissions::{ChannelKind, Permissions, Rank, Standing, Visibility};
use crate::entities::{
    audit_log, channels, communities, community_bans, community_members, community_roles,
    connections, invites, member_roles, membership_changes, read_states, users, warnings,
};

/// A connection whose instance has not refreshed it for this long is from a crashed instance
/// (instances refresh theirs every 5 s, so a live one is never older than that plus a slow
/// write): it stops counting as online and is swept. With the sweep running on every beat, a
/// crashed instance's people are announced offline at most 15 + 5 = 20 s after the crash.
pub const PRESENCE_STALE_SECS: i64 = 15;

/// No slug is longer (32 characters and a numbered suffix): a longer one is not looked up.
pub const SLUG_LOOKUP_MAX: usize = 64;

pub async fn community_by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<communities::Model>, DbErr> {
    if slug.len() > SLUG_LOOKUP_MAX {
        return Ok(None);
    }
    communities::Entity::find()
        .filter(communities::Column::Slug.eq(slug.trim().to_ascii_lowercase()))
        .one(db)
        .await
}

pub async fn community_by_id(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<communities::Model>, DbErr> {
    communities::Entity::find_by_id(id).one(db).await
}

pub async fn communities_by_ids(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<Vec<communities::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    communities::Entity::find()
        .filter(communities::Column::Id.is_in(ids))
        .all(db)
        .await
}

pub async fn insert_community(
    db: &impl ConnectionTrait,
    community: communities::Model,
) -> Result<communities::Model, DbErr> {
    communities::Entity::insert(communities::ActiveModel::from(community))
        .exec_with_returning(db)
        .await
}

/// Writes a community's details (everything but its slug, owner and threshold).
pub async fn update_community(
    db: &impl ConnectionTrait,
    community: &communities::Model,
) -> Result<(), DbErr> {
    communities::Entity::update(communities::ActiveModel {
        id: Set(community.id),
        name: Set(community.name.clone()),
        description: Set(community.description.clone()),
        icon_color: Set(community.icon_color.clone()),
        visibility: Set(community.visibility.clone()),
        default_channel_id: Set(community.default_channel_id),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}

/// Sets (or clears) a community's icon.
pub async fn set_icon(
    db: &impl ConnectionTrait,
    community: Uuid,
    icon: Option<Uuid>,
) -> Result<(), DbErr> {
    communities::Entity::update_many()
        .col_expr(communities::Column::Icon, Expr::value(icon))
        .filter(communities::Column::Id.eq(community))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes a community. Its channels (and their messages, reactions, flags, translations,
/// read marks), members, roles, bans and invitations go with it by the database's cascades;
/// its warnings and audit log, which have no foreign key, are deleted here.
pub async fn delete_community(db: &impl ConnectionTrait, community: Uuid) -> Result<bool, DbErr> {
    // The bots it installed (`…[bot]` accounts, members of this community alone) go with it;
    // the server's stock bot is not one of them.
    let bots: Vec<Uuid> = members(db, community)
        .await?
        .into_iter()
        .filter(|(_, user)| user.username.ends_with(crate::auth::BOT_SUFFIX))
        .map(|(member, _)| member.user_id)
        .collect();
    warnings::Entity::delete_many()
        .filter(warnings::Column::CommunityId.eq(community))
        .exec(db)
        .await?;
    audit_log::Entity::delete_many()
        .filter(audit_log::Column::CommunityId.eq(community))
        .exec(db)
        .await?;
    let deleted = communities::Entity::delete_by_id(community)
        .exec(db)
        .await?
        .rows_affected
        > 0;
    if !bots.is_empty() {
        users::Entity::delete_many()
            .filter(users::Column::Id.is_in(bots))
            .exec(db)
            .await?;
    }
    Ok(deleted)
}

pub async fn set_owner(
    db: &impl ConnectionTrait,
    community: Uuid,
    owner: Uuid,
) -> Result<(), DbErr> {
    communities::Entity::update(communities::ActiveModel {
        id: Set(community),
        owner_id: Set(Some(owner)),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}

pub async fn slug_taken(db: &impl ConnectionTrait, slug: &str) -> Result<bool, DbErr> {
    Ok(communities::Entity::find()
        .filter(communities::Column::Slug.eq(slug))
        .count(db)
        .await?
        > 0)
}

/// Public communities, oldest first (the seeded one leads).
pub async fn public_communities(
    db: &impl ConnectionTrait,
) -> Result<Vec<communities::Model>, DbErr> {
    communities::Entity::find()
        .filter(communities::Column::Visibility.eq("public"))
        .order_by_asc(communities::Column::CreatedAt)
        .all(db)
        .await
}

/// The communities a person belongs to, in the order they joined — communities only: their
/// direct conversations are `direct::repo::conversations_of`.
pub async fn communities_of(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<communities::Model>, DbErr> {
    let mut all = spaces_of(db, user).await?;
    all.retain(|c| c.visibility != Visibility::Direct.as_str());
    Ok(all)
}

/// Every community and direct conversation a person belongs to, in the order they joined
/// (what their presence is announced to).
pub async fn spaces_of(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<communities::Model>, DbErr> {
    let ids: Vec<Uuid> = community_members::Entity::find()
        .filter(community_members::Column::UserId.eq(user))
        .order_by_asc(community_members::Column::JoinedAt)
        .select_only()
        .column(community_members::Column::CommunityId)
        .into_tuple()
        .all(db)
        .await?;
    let mut found = communities::Entity::find()
        .filter(communities::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?;
    found.sort_by_key(|c| ids.iter().position(|id| *id == c.id));
    Ok(found)
}

pub async fn member_counts(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, u64>, DbErr> {
    let rows: Vec<(Uuid, i64)> = community_members::Entity::find()
        .filter(community_members::Column::CommunityId.is_in(ids))
        .select_only()
        .column(community_members::Column::CommunityId)
        .column_as(community_members::Column::UserId.count(), "count")
        .group_by(community_members::Column::CommunityId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(id, n)| (id, n as u64)).collect())
}

pub async fn membership(
    db: &impl ConnectionTrait,
    community: Uuid,
    user: Uuid,
) -> Result<Option<community_members::Model>, DbErr> {
    community_members::Entity::find_by_id((community, user))
        .one(db)
        .await
}

/// Those of `users` who are members of `community`.
pub async fn members_among(
    db: &impl ConnectionTrait,
    community: Uuid,
    users: Vec<Uuid>,
) -> Result<Vec<Uuid>, DbErr> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    community_members::Entity::find()
        .select_only()
        .column(community_members::Column::UserId)
        .filter(community_members::Column::CommunityId.eq(community))
        .filter(community_members::Column::UserId.is_in(users))
        .into_tuple()
        .all(db)
        .await
}

/// Those of `users` who moderate `community` (moderators, admins and its owner).
pub async fn moderators_among(
    db: &impl ConnectionTrait,
    community: Uuid,
    users: Vec<Uuid>,
) -> Result<Vec<Uuid>, DbErr> {
    community_members::Entity::find()
        .select_only()
        .column(community_members::Column::UserId)
        .filter(community_members::Column::CommunityId.eq(community))
        .filter(community_members::Column::UserId.is_in(users))
        .filter(community_members::Column::Rank.gte(Rank::Moderator as i16))
        .into_tuple()
        .all(db)
        .await
}

/// The communities `user` is banned from.
pub async fn banned_from(db: &impl ConnectionTrait, user: Uuid) -> Result<Vec<Uuid>, DbErr> {
    community_bans::Entity::find()
        .filter(community_bans::Column::UserId.eq(user))
        .select_only()
        .column(community_bans::Column::CommunityId)
        .into_tuple()
        .all(db)
        .await
}

pub async fn ban(
    db: &impl ConnectionTrait,
    community: Uuid,
    user: Uuid,
) -> Result<Option<community_bans::Model>, DbErr> {
    community_bans::Entity::find_by_id((community, user))
        .one(db)
        .await
}

/// Where a person stands in a community: banned, a member with their rank and custom-role
/// flags, or an outsider.
pub async fn standing(
    db: &impl ConnectionTrait,
    community: Uuid,
    user: Uuid,
) -> Result<Standing, DbErr> {
    if ban(db, community, user).await?.is_some() {
        return Ok(Standing::Banned);
    }
    let Some(member) = membership(db, community, user).await? else {
        return Ok(Standing::Outsider);
    };
    let role_ids: Vec<Uuid> = member_roles::Entity::find()
        .filter(member_roles::Column::CommunityId.eq(community))
        .filter(member_roles::Column::UserId.eq(user))
        .select_only()
        .column(member_roles::Column::RoleId)
        .into_tuple()
        .all(db)
        .await?;
    let mut extra = Permissions::NONE;
    if !role_ids.is_empty() {
        for role in community_roles::Entity::find()
            .filter(community_roles::Column::Id.is_in(role_ids))
            .all(db)
            .await?
        {
            extra = extra.union(Permissions::from_bits(role.permissions as u32));
        }
    }
    Ok(Standing::Member {
        rank: Rank::from_level(member.rank),
        extra,
        timed_out_until: member.timed_out_until.map(|t| t.timestamp()),
    })
}

/// Times a member out until `until`, or lifts their timeout (`None`); whether they are a member.
pub async fn set_timeout(
    db: &impl ConnectionTrait,
    community: Uuid,
    user: Uuid,
    until: Option<DateTime<Utc>>,
) -> Result<bool, DbErr> {
    let updated = community_members::Entity::update_many()
        .col_expr(community_members::Column::TimedOutUntil, Expr::value(until))
        .filter(community_members::Column::CommunityId.eq(community))
        .filter(community_members::Column::UserId.eq(user))
        .exec(db)
        .await?;
    Ok(updated.rows_affected > 0)
}

pub async fn insert_warning(
    db: &impl ConnectionTrait,
    warning: warnings::Model,
) -> Result<(), DbErr> {
    warnings::Entity::insert(warnings::ActiveModel::from(warning))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// A person's warnings in a community they have not seen yet, oldest first.
pub async fn unseen_warnings(
    db: &impl ConnectionTrait,
    community: Uuid,
    user: Uuid,
) -> Result<Vec<warnings::Model>, DbErr> {
    warnings::Entity::find()
        .filter(warnings::Column::CommunityId.eq(community))
        .filter(warnings::Column::UserId.eq(user))
        .filter(warnings::Column::SeenAt.is_null())
        .order_by_asc(warnings::Column::CreatedAt)
        .all(db)
        .await
}

/// Marks one of a person's warnings seen; whether it was theirs and unseen.
pub async fn mark_warning_seen(
    db: &impl ConnectionTrait,
    user: Uuid,
    warning: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let updated = warnings::Entity::update_many()
        .col_expr(warnings::Column::SeenAt, Expr::value(now))
        .filter(warnings::Column::Id.eq(warning))
        .filter(warnings::Column::UserId.eq(user))
        .filter(warnings::Column::SeenAt.is_null())
        .exec(db)
        .await?;
    Ok(updated.rows_affected > 0)
}

pub async fn add_member(
    db: &impl ConnectionTrait,
    community: Uuid,
    user: Uuid,
    rank: Rank,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if insert_member(db, community, user, rank, now).await? {
        record_membership_change(db, community, "joined", now).await?;
    }
    Ok(())
}

/// Makes someone a member unless they are one; whether they were added.
async fn insert_member(
    db: &impl ConnectionTrait,
    community: Uuid,
    user: Uuid,
    rank: Rank,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let added = community_members::Entity::insert(community_members::ActiveModel {
        community_id: Set(community),
        user_id: Set(user),
        rank: Set(rank.level()),
        joined_at: Set(now),
        timed_out_until: Set(None),
    })
    .on_conflict(
        OnConflict::columns([
            community_members::Column::CommunityId,
            community_members::Column::UserId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(added > 0)
}

/// Removes a member and the custom roles they held there; whether they were a member.
pub async fn remove_member(
    db: &impl ConnectionTrait,
    community: Uuid,
    user: Uuid,
    why: Departure,
) -> Result<bool, DbErr> {
    member_roles::Entity::delete_many()
        .filter(member_roles::Column::CommunityId.eq(community))
        .filter(member_roles::Column::UserId.eq(user))
        .exec(db)
        .await?;
    let removed = community_members::Entity::delete_by_id((community, user))
        .exec(db)
        .await?
        .rows_affected
        > 0;
    let change = match why {
        Departure::Left => Some("left"),
        Departure::Removed => Some("removed"),
        Departure::Uninstalled => None,
    };
    if let Some(change) = change.filter(|_| removed) {
        record_membership_change(db, community, change, Utc::now()).await?;
    }
    Ok(removed)
}

/// Why a member is no longer one, for the community's analytics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Departure {
    /// They left.
    Left,
    /// A moderator kicked or banned them.
    Removed,
    /// A bot whose integration was removed (not a person: not counted).
    Uninstalled,
}

/// Makes an installed bot a member. Not counted as a person joining in the analytics.
pub async fn add_bot_member(
    db: &impl ConnectionTrait,
    community: Uuid,
    bot: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    insert_member(db, community, bot, Rank::Member, now)
        .await
        .map(drop)
}

/// Notes that a member joined, left or was removed (when and where, never who).
async fn record_membership_change(
    db: &impl ConnectionTrait,
    community: Uuid,
    change: &str,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    membership_changes::Entity::insert(membership_changes::ActiveModel {
        community_id: Set(community),
        change: Set(change.to_owned()),
        at: Set(at),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Moves a member from rank `from` to `to`; whether they held `from` (so two changes at once
/// cannot both start from the same rank).
pub async fn change_rank(
    db: &impl ConnectionTrait,
    community: Uuid,
    user: Uuid,
    (from, to): (Rank, Rank),
) -> Result<bool, DbErr> {
    let updated = community_members::Entity::update_many()
        .col_expr(community_members::Column::Rank, Expr::value(to.level()))
        .filter(community_members::Column::CommunityId.eq(community))
        .filter(community_members::Column::UserId.eq(user))
        .filter(community_members::Column::Rank.eq(from.level()))
        .exec(db)
        .await?;
    Ok(updated.rows_affected > 0)
}

/// Sets a member's rank; whether they are a member.
pub async fn set_rank(
    db: &impl ConnectionTrait,
    community: Uuid,
    user: Uuid,
    rank: Rank,
) -> Result<bool, DbErr> {
    let updated = community_members::Entity::update_many()
        .col_expr(community_members::Column::Rank, Expr::value(rank.level()))
        .filter(community_members::Column::CommunityId.eq(community))
        .filter(community_members::Column::UserId.eq(user))
        .exec(db)
        .await?;
    Ok(updated.rows_affected > 0)
}

/// Members with their accounts, highest rank first, then by name.
pub async fn members(
    db: &impl ConnectionTrait,
    community: Uuid,
) -> Result<Vec<(community_members::Model, users::Model)>, DbErr> {
    let rows = community_members::Entity::find()
        .filter(community_members::Column::CommunityId.eq(community))
        .all(db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|m| m.user_id).collect();
    let people: HashMap<Uuid, users::Model> = users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut joined: Vec<_> = rows
        .into_iter()
        .filter_map(|m| people.get(&m.user_id).cloned().map(|u| (m, u)))
        .collect();
    joined.sort_by(|(a, ua), (b, ub)| {
        b.rank.cmp(&a.rank).then_with(|| {
            ua.display_name
                .to_lowercase()
                .cmp(&ub.display_name.to_lowercase())
        })
    });
    Ok(joined)
}

/// Custom-role names per member of a community.
pub async fn role_names_by_member(
    db: &impl ConnectionTrait,
    community: Uuid,
) -> Result<HashMap<Uuid, Vec<String>>, DbErr> {
    let roles: HashMap<Uuid, String> = community_roles::Entity::find()
        .filter(community_roles::Column::CommunityId.eq(community))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let mut by_member: HashMap<Uuid, Vec<String>> = HashMap::new();
    for given in member_roles::Entity::find()
        .filter(member_roles::Column::CommunityId.eq(community))
        .all(db)
        .await?
    {
        if let Some(name) = roles.get(&given.role_id) {
            by_member
                .entry(given.user_id)
                .or_default()
                .push(name.clone());
        }
    }
    Ok(by_member)
}

pub async fn insert_ban(
    db: &impl ConnectionTrait,
    community: Uuid,
    user: Uuid,
    reason: String,
    banned_by: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    community_bans::Entity::insert(community_bans::ActiveModel {
        community_id: Set(community),
        user_id: Set(user),
        reason: Set(reason),
        banned_by: Set(banned_by),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            community_bans::Column::CommunityId,
            community_bans::Column::UserId,
        ])
        .update_columns([
            community_bans::Column::Reason,
            community_bans::Column::BannedBy,
        ])
        .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

pub async fn delete_ban(
    db: &impl ConnectionTrait,
    community: Uuid,
    user: Uuid,
) -> Result<u64, DbErr> {
    Ok(community_bans::Entity::delete_by_id((community, user))
        .exec(db)
        .await?
        .rows_affected)
}

pub async fn bans(
    db: &impl ConnectionTrait,
    community: Uuid,
) -> Result<Vec<community_bans::Model>, DbErr> {
    community_bans::Entity::find()
        .filter(community_bans::Column::CommunityId.eq(community))
        .order_by_desc(community_bans::Column::CreatedAt)
        .all(db)
        .await
}

pub async fn channels(
    db: &impl ConnectionTrait,
    community: Uuid,
) -> Result<Vec<channels::Model>, DbErr> {
    channels::Entity::find()
        .filter(channels::Column::CommunityId.eq(community))
        .order_by_asc(channels::Column::Position)
        .order_by_asc(channels::Column::CreatedAt)
        .all(db)
        .await
}

pub async fn channel_by_id(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<channels::Model>, DbErr> {
    channels::Entity::find_by_id(id).one(db).await
}

pub async fn channels_by_ids(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<Vec<channels::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    channels::Entity::find()
        .filter(channels::Column::Id.is_in(ids))
        .all(db)
        .await
}

pub async fn read_positions(
    db: &impl ConnectionTrait,
    user: Uuid,
    channel_ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, i64>, DbErr> {
    Ok(read_states::Entity::find()
        .filter(read_states::Column::UserId.eq(user))
        .filter(read_states::Column::ChannelId.is_in(channel_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.channel_id, r.last_read_seq))
        .collect())
}

pub async fn roles(
    db: &impl ConnectionTrait,
    community: Uuid,
) -> Result<Vec<community_roles::Model>, DbErr> {
    community_roles::Entity::find()
        .filter(community_roles::Column::CommunityId.eq(community))
        .order_by_asc(community_roles::Column::CreatedAt)
        .all(db)
        .await
}

pub async fn invite(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<invites::Model>, DbErr> {
    invites::Entity::find_by_id(code.trim().to_string())
        .one(db)
        .await
}

/// Invitations that still work: not revoked, not expired.
pub async fn live_invites(
    db: &impl ConnectionTrait,
    community: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<invites::Model>, DbErr> {
    invites::Entity::find()
        .filter(invites::Column::CommunityId.eq(community))
        .filter(invites::Column::RevokedAt.is_null())
        .filter(
            invites::Column::ExpiresAt
                .is_null()
                .or(invites::Column::ExpiresAt.gt(now)),
        )
        .order_by_desc(invites::Column::CreatedAt)
        .all(db)
        .await
}

/// Who is online among these people: they have a connection refreshed recently.
pub async fn online_among(
    db: &impl ConnectionTrait,
    people: Vec<Uuid>,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, DbErr> {
    connections::Entity::find()
        .filter(connections::Column::UserId.is_in(people))
        .filter(connections::Column::SeenAt.gt(now - Duration::seconds(PRESENCE_STALE_SECS)))
        .select_only()
        .column(connections::Column::UserId)
        .distinct()
        .into_tuple()
        .all(db)
        .await
}

pub async fn insert_channel(
    db: &impl ConnectionTrait,
    community: Uuid,
    name: &str,
    topic: &str,
    kind: ChannelKind,
    position: i32,
    now: DateTime<Utc>,
) -> Result<channels::Model, DbErr> {
    channels::Entity::insert(channels::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community),
        name: Set(name.into()),
        topic: Set(topic.into()),
        kind: Set(kind.as_str().into()),
        position: Set(position),
        last_seq: Set(0),
        archived_at: Set(None),
        created_at: Set(now),
    })
    .exec_with_returning(db)
    .await
}

/// Renames a channel, sets its topic and archives or restores it; the rest stays.
pub async fn update_channel(
    db: &impl ConnectionTrait,
    id: Uuid,
    name: String,
    topic: String,
    archived_at: Option<DateTime<Utc>>,
) -> Result<channels::Model, DbErr> {
    channels::Entity::update(channels::ActiveModel {
        id: Set(id),
        name: Set(name),
        topic: Set(topic),
        archived_at: Set(archived_at),
        ..Default::default()
    })
    .exec(db)
    .await
}

pub async fn set_channel_position(
    db: &impl ConnectionTrait,
    id: Uuid,
    position: i32,
) -> Result<(), DbErr> {
    channels::Entity::update_many()
        .col_expr(channels::Column::Position, Expr::value(position))
        .filter(channels::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// A custom role, only if it belongs to this community.
pub async fn role(
    db: &impl ConnectionTrait,
    community: Uuid,
    id: Uuid,
) -> Result<Option<community_roles::Model>, DbErr> {
    Ok(community_roles::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|r| r.community_id == community))
}

/// Every custom role given to anyone in a community.
pub async fn roles_given(
    db: &impl ConnectionTrait,
    community: Uuid,
) -> Result<Vec<member_roles::Model>, DbErr> {
    member_roles::Entity::find()
        .filter(member_roles::Column::CommunityId.eq(community))
        .all(db)
        .await
}

/// A name already taken in the community fails on the unique index (a conflict).
pub async fn insert_role(
    db: &impl ConnectionTrait,
    community: Uuid,
    name: String,
    permissions: Permissions,
) -> Result<community_roles::Model, DbErr> {
    community_roles::Entity::insert(community_roles::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community),
        name: Set(name),
        permissions: Set(permissions.bits() as i32),
        created_at: Set(Utc::now()),
    })
    .exec_with_returning(db)
    .await
}

/// The people who hold a role.
pub async fn role_holders(db: &impl ConnectionTrait, role: Uuid) -> Result<Vec<Uuid>, DbErr> {
    member_roles::Entity::find()
        .filter(member_roles::Column::RoleId.eq(role))
        .select_only()
        .column(member_roles::Column::UserId)
        .into_tuple()
        .all(db)
        .await
}

/// Deletes a role (its grants go with it, by cascade); false when it was already gone.
pub async fn delete_role(db: &impl ConnectionTrait, role: Uuid) -> Result<bool, DbErr> {
    let deleted = community_roles::Entity::delete_many()
        .filter(community_roles::Column::Id.eq(role))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected > 0)
}

/// Giving a role twice is giving it once.
pub async fn give_role(
    db: &impl ConnectionTrait,
    community: Uuid,
    user: Uuid,
    role: Uuid,
) -> Result<(), DbErr> {
    member_roles::Entity::insert(member_roles::ActiveModel {
        community_id: Set(community),
        user_id: Set(user),
        role_id: Set(role),
    })
    .on_conflict(
        OnConflict::columns([
            member_roles::Column::CommunityId,
            member_roles::Column::UserId,
            member_roles::Column::RoleId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .do_nothing()
    .exec(db)
    .await?;
    Ok(())
}

pub async fn take_role(
    db: &impl ConnectionTrait,
    community: Uuid,
    user: Uuid,
    role: Uuid,
) -> Result<(), DbErr> {
    member_roles::Entity::delete_by_id((community, user, role))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn insert_invite(
    db: &impl ConnectionTrait,
    invite: invites::Model,
) -> Result<invites::Model, DbErr> {
    invites::Entity::insert(invites::ActiveModel::from(invite))
        .exec_with_returning(db)
        .await
}

/// One more person joined through this invitation (counted in the database, so two joining at
/// once count two).
pub async fn count_invite_use(db: &impl ConnectionTrait, code: &str) -> Result<(), DbErr> {
    invites::Entity::update_many()
        .col_expr(
            invites::Column::Uses,
            Expr::col(invites::Column::Uses).add(1),
        )
        .filter(invites::Column::Code.eq(code))
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes an invitation of this community; false when there is no such code here.
pub async fn revoke_invite(
    db: &impl ConnectionTrait,
    community: Uuid,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let revoked = invites::Entity::update_many()
        .col_expr(invites::Column::RevokedAt, Expr::value(now))
        .filter(invites::Column::Code.eq(code))
        .filter(invites::Column::CommunityId.eq(community))
        .exec(db)
        .await?;
    Ok(revoked.rows_affected > 0)
}

/// Writes one line of the audit log (`community::audit::record`).
pub async fn insert_audit_entry(
    db: &impl ConnectionTrait,
    entry: super::audit::Entry<'_>,
) -> Result<(), DbErr> {
    audit_log::Entity::insert(audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(entry.community),
        actor_id: Set(entry.actor),
        action: Set(entry.act.as_str().to_string()),
        target_user_id: Set(entry.target),
        message_id: Set(entry.message),
        detail: Set(entry.detail.to_string()),
        reason: Set(entry.reason.to_string()),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// A community's newest audit lines, newest first.
/// Which of `messages` a moderator took a measure against the author of (warned, timed out,
/// kicked, banned) in `community`, by the log.
pub async fn messages_acted_on(
    db: &impl ConnectionTrait,
    community: Uuid,
    messages: Vec<Uuid>,
) -> Result<std::collections::HashSet<Uuid>, DbErr> {
    let measures = [
        super::audit::Act::Warn,
        super::audit::Act::Timeout,
        super::audit::Act::Kick,
        super::audit::Act::Ban,
    ];
    Ok(audit_log::Entity::find()
        .filter(audit_log::Column::CommunityId.eq(community))
        .filter(audit_log::Column::MessageId.is_in(messages))
        .filter(audit_log::Column::Action.is_in(measures.map(|act| act.as_str())))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|row| row.message_id)
        .collect())
}

pub async fn audit_entries(
    db: &impl ConnectionTrait,
    community: Uuid,
    limit: u64,
) -> Result<Vec<audit_log::Model>, DbErr> {
    audit_log::Entity::find()
        .filter(audit_log::Column::CommunityId.eq(community))
        .order_by_desc(audit_log::Column::CreatedAt)
        .order_by_desc(audit_log::Column::Id)
        .limit(limit)
        .all(db)
        .await
}
