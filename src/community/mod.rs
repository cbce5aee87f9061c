//! Communities (guilds), channels, roles, membership, bans and invites. Every permission check
//! goes through `permissions::can`.

use serde::{Deserialize, Serialize};

pub mod api;
pub mod audit;
pub mod direct;
#[cfg(feature = "ssr")]
pub mod discipline;
pub mod permissions;
pub mod ui;
pub mod validate;

#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod settings;

#[cfg(feature = "ssr")]
crate::platform::ids::typed_id!(
    /// A community (a direct conversation is one too).
    CommunityId,
    "server.community.not_found"
);
#[cfg(feature = "ssr")]
crate::platform::ids::typed_id!(
    /// A channel of a community.
    ChannelId,
    "server.community.channel_not_found"
);
#[cfg(feature = "ssr")]
crate::platform::ids::typed_id!(
    /// A role of a community.
    RoleId,
    "server.community.role_not_found"
);

use permissions::{ChannelKind, Permissions, Rank, Visibility};

/// A community as listed in "discover" and the sidebar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CommunitySummary {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub description: String,
    /// `#rrggbb`, the background of the community's letter icon.
    pub icon_color: String,
    pub visibility: Visibility,
    pub member_count: u64,
    /// Whether the viewer is a member.
    pub joined: bool,
    /// The icon's address (`/api/pictures/<id>`), if one was chosen; else the letter shows.
    #[serde(default)]
    pub icon_url: Option<String>,
}

impl CommunitySummary {
    /// The letter on the community's icon.
    pub fn icon_letter(&self) -> String {
        self.name
            .chars()
            .find(|c| c.is_alphanumeric())
            .map(|c| c.to_uppercase().collect())
            .unwrap_or_else(|| "#".into())
    }
}

/// Everything the community page needs: the community, its channels and the viewer's place in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommunityView {
    pub community: CommunitySummary,
    pub channels: Vec<ChannelInfo>,
    /// The viewer's rank, if a member.
    pub my_rank: Option<Rank>,
    /// The viewer's flags (rank plus custom roles); empty for outsiders.
    pub my_permissions: Permissions,
    /// When the viewer's timeout ends (RFC 3339), while one holds.
    #[serde(default)]
    pub timed_out_until: Option<String>,
    /// Moderators' warnings to the viewer they have not marked seen.
    #[serde(default)]
    pub warnings: Vec<WarningInfo>,
    /// The channel `/c/<slug>` opens (its id), when one was chosen.
    #[serde(default)]
    pub default_channel: Option<String>,
    /// For a direct conversation: whom it is with, and whether a block closed it.
    #[serde(default)]
    pub direct: Option<direct::Conversation>,
}

impl CommunityView {
    /// Where `/c/<slug>` opens: the chosen default while it is open, else the first open one.
    pub fn landing_channel(&self) -> Option<&ChannelInfo> {
        let open = |c: &&ChannelInfo| !c.archived;
        // Opening a community lands where people write, not on a call.
        let written = |c: &&ChannelInfo| !c.archived && c.kind != permissions::ChannelKind::Voice;
        self.default_channel
            .as_ref()
            .and_then(|id| self.channels.iter().filter(open).find(|c| &c.id == id))
            .or_else(|| self.channels.iter().find(written))
            .or_else(|| self.channels.iter().find(open))
            .or(self.channels.first())
    }
}

impl CommunityView {
    pub fn may(&self, flag: Permissions) -> bool {
        self.my_permissions.contains(flag)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ChannelInfo {
    pub id: String,
    pub name: String,
    pub topic: String,
    pub kind: ChannelKind,
    pub position: i32,
    pub archived: bool,
    /// Sequence number of the newest message.
    pub last_seq: i64,
    /// The viewer's read position (0 when never opened).
    pub last_read_seq: i64,
}

impl ChannelInfo {
    pub fn unread(&self) -> i64 {
        (self.last_seq - self.last_read_seq).max(0)
    }
}

/// A member as the member list shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MemberInfo {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub rank: Rank,
    /// Names of custom roles.
    pub roles: Vec<String>,
    pub online: bool,
    /// When their timeout ends (RFC 3339), while one holds.
    #[serde(default)]
    pub timed_out_until: Option<String>,
    #[serde(default)]
    pub avatar_url: Option<String>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BanInfo {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub reason: String,
    pub banned_by: String,
    pub created_at: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteInfo {
    pub code: String,
    pub created_by: String,
    pub created_at: String,
    /// `None` for a link that never expires.
    pub expires_at: Option<String>,
    pub uses: i32,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleInfo {
    pub id: String,
    pub name: String,
    pub permissions: Permissions,
    pub members: u64,
}

/// A moderator's warning, as the warned person sees it (never who gave it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WarningInfo {
    pub id: String,
    pub reason: String,
    pub created_at: String,
}

/// What moderators can do to a member short of deleting their words. Timeouts run from one
/// minute to a week.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Measure {
    Warn,
    Timeout { minutes: u32 },
    LiftTimeout,
    Kick,
    Ban,
}

impl Measure {
    /// The timeouts the app offers, in minutes: 1 min, 5 min, 10 min, 1 h, 8 h, 1 day, 1 week.
    pub const TIMEOUTS: [u32; 7] = [1, 5, 10, 60, 480, 1440, 10080];
    pub const TIMEOUT_MAX_MINUTES: u32 = 7 * 24 * 60;
}

/// What an invitation link shows before someone accepts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitePreview {
    pub code: String,
    pub community: CommunitySummary,
}

/// A new community, as the form sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewCommunity {
    pub name: String,
    pub description: String,
    pub icon_color: String,
    pub visibility: Visibility,
}

/// A community's details as its managers change them (`defaultChannel`: a channel id, or none
/// for the first open channel).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommunityChanges {
    pub name: String,
    pub description: String,
    pub icon_color: String,
    pub visibility: Visibility,
    #[serde(default)]
    pub default_channel: Option<String>,
}

/// The communities page: the viewer's own, and public ones to discover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommunityLists {
    pub mine: Vec<CommunitySummary>,
    pub discover: Vec<CommunitySummary>,
}

/// What the realtime bus tells a community's open tabs about its members (on the topic
/// `community:<id>`; the tabs' socket reads them beside chat's events).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum CommunityEvent {
    MemberJoined {
        community_id: String,
        user: crate::auth::Author,
    },
    MemberLeft {
        community_id: String,
        user_id: String,
    },
    /// A moderator warned this person (sent to them alone).
    Warned {
        community_id: String,
        warning: WarningInfo,
    },
    /// This person's timeout began, changed or ended (`until` None) — sent to them alone.
    TimedOut {
        community_id: String,
        until: Option<String>,
    },
    /// A direct conversation of this person's began, or its people changed (sent to each of
    /// them): their list of conversations is read again.
    ConversationChanged { slug: String },
}
