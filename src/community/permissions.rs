//! The one place that decides what a person may do in a community. Roles carry permission
//! flags (a bitfield, so custom roles are just other sets of flags); `can` answers every
//! question, with a reason a person understands when the answer is no. Nothing else in Bullpen
//! re-implements a permission check.

use serde::{Deserialize, Serialize};

use crate::kit::sentences::{says, Sentence};

/// A set of permission flags.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Permissions(u32);

impl Permissions {
    pub const NONE: Permissions = Permissions(0);
    /// Post in text channels (and react, reply, edit and delete one's own messages).
    pub const POST: Permissions = Permissions(1 << 0);
    /// Pin and unpin messages.
    pub const PIN: Permissions = Permissions(1 << 1);
    /// Delete others' messages, post in announcement channels.
    pub const MODERATE_MESSAGES: Permissions = Permissions(1 << 2);
    /// Kick, ban and unban members of a lower rank.
    pub const BAN: Permissions = Permissions(1 << 3);
    /// Create, rename, reorder and archive channels.
    pub const MANAGE_CHANNELS: Permissions = Permissions(1 << 4);
    /// Create and edit custom roles, and give roles of a lower rank.
    pub const MANAGE_ROLES: Permissions = Permissions(1 << 5);
    /// Edit the community itself: name, description, visibility, invites.
    pub const MANAGE_COMMUNITY: Permissions = Permissions(1 << 6);
    /// Join a voice channel's call (and hear it).
    pub const CONNECT: Permissions = Permissions(1 << 7);
    /// Be heard in a call; without it, one joins to listen.
    pub const SPEAK: Permissions = Permissions(1 << 8);
    /// Mute others in a call for everyone (members of a lower rank).
    pub const MUTE_MEMBERS: Permissions = Permissions(1 << 9);
    pub const ALL: Permissions = Permissions((1 << 10) - 1);

    pub const fn union(self, other: Permissions) -> Permissions {
        Permissions(self.0 | other.0)
    }

    pub const fn contains(self, other: Permissions) -> bool {
        self.0 & other.0 == other.0
    }

    /// The raw bits, as stored in the database.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// From stored bits; unknown bits (from a newer version) are dropped, never granted.
    pub const fn from_bits(bits: u32) -> Permissions {
        Permissions(bits & Permissions::ALL.0)
    }
}

/// The built-in ranks, highest first. A custom role sits at `Member` rank with extra flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Rank {
    Member = 0,
    Moderator = 1,
    Admin = 2,
    Owner = 3,
}

impl Rank {
    /// What each built-in rank may do before any custom role adds to it.
    pub const fn permissions(self) -> Permissions {
        match self {
            Rank::Member => Permissions::POST
                .union(Permissions::CONNECT)
                .union(Permissions::SPEAK),
            Rank::Moderator => Permissions::POST
                .union(Permissions::CONNECT)
                .union(Permissions::SPEAK)
                .union(Permissions::MUTE_MEMBERS)
                .union(Permissions::PIN)
                .union(Permissions::MODERATE_MESSAGES)
                .union(Permissions::BAN),
            Rank::Admin => Permissions::ALL,
            Rank::Owner => Permissions::ALL,
        }
    }
}

impl Rank {
    /// Its name, as on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Rank::Member => "member",
            Rank::Moderator => "moderator",
            Rank::Admin => "admin",
            Rank::Owner => "owner",
        }
    }

    /// As stored in the database (0 member … 3 owner).
    pub const fn level(self) -> i16 {
        self as i16
    }

    /// From the database; an unknown level counts as the lowest rank, never a higher one.
    pub const fn from_level(level: i16) -> Rank {
        match level {
            3 => Rank::Owner,
            2 => Rank::Admin,
            1 => Rank::Moderator,
            _ => Rank::Member,
        }
    }
}

/// A person's standing in one community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Standing {
    /// Not a member.
    Outsider,
    /// A member, with the flags of their rank plus those of any custom roles, and the end of a
    /// timeout (Unix seconds) if moderators gave one: until then they may only read, delete
    /// their own messages and report. Kept as a time, not a flag, so a standing held by an open
    /// socket lapses on its own.
    Member {
        rank: Rank,
        extra: Permissions,
        timed_out_until: Option<i64>,
    },
    /// Banned: may neither read nor post, nor join again.
    Banned,
}

impl Standing {
    pub const fn member(rank: Rank) -> Standing {
        Standing::Member {
            rank,
            extra: Permissions::NONE,
            timed_out_until: None,
        }
    }

    /// Whether a timeout still holds at `now` (Unix seconds).
    pub fn timed_out_at(self, now: i64) -> bool {
        matches!(self, Standing::Member { timed_out_until: Some(until), .. } if until > now)
    }

    pub fn permissions(self) -> Permissions {
        match self {
            Standing::Member { rank, extra, .. } => rank.permissions().union(extra),
            Standing::Outsider | Standing::Banned => Permissions::NONE,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    Text,
    /// Everyone reads; only moderators post.
    Announcement,
    /// A call: people join it and talk (`voice`); it carries no messages.
    Voice,
}

impl ChannelKind {
    /// As stored in the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Text => "text",
            ChannelKind::Announcement => "announcement",
            ChannelKind::Voice => "voice",
        }
    }

    pub fn parse(stored: &str) -> ChannelKind {
        match stored {
            "announcement" => ChannelKind::Announcement,
            "voice" => ChannelKind::Voice,
            _ => ChannelKind::Text,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    Public,
    /// Joined by invitation only; outsiders see nothing.
    Private,
    /// A direct conversation (`community::direct`): its people are added by those already in
    /// it, never join by themselves, and have no moderators to report to.
    Direct,
}

impl Visibility {
    /// As stored in the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Private => "private",
            Visibility::Direct => "direct",
        }
    }

    /// From the database; anything unexpected is treated as private (the safe side).
    pub fn parse(stored: &str) -> Visibility {
        match stored {
            "public" => Visibility::Public,
            "direct" => Visibility::Direct,
            _ => Visibility::Private,
        }
    }
}

/// Everything a person may try in a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    Join {
        invited: bool,
    },
    Post(ChannelKind),
    EditMessage {
        own: bool,
    },
    DeleteMessage {
        own: bool,
    },
    Pin,
    Kick {
        target: Rank,
    },
    Ban {
        target: Rank,
    },
    ManageChannels,
    ManageRoles {
        target: Rank,
    },
    /// Create a role carrying these flags, or give it to (or take it from) a member of rank
    /// `target`: nobody hands out more than they hold.
    GrantRole {
        target: Rank,
        carries: Permissions,
    },
    ManageCommunity,
    /// Hand the community to another member: its owner alone.
    TransferOwnership,
    /// Delete the community with everything in it: its owner alone.
    DeleteCommunity,
    /// Report a message or a person to the community's moderators.
    Report,
    /// Warn a member of rank `target` (a private notice, kept on their record).
    Warn {
        target: Rank,
    },
    /// Time out a member of rank `target`: for a while they may only read.
    Timeout {
        target: Rank,
    },
    /// Read the audit log: those who moderate or manage the community.
    ReadAuditLog,
    /// Read the community's analytics: those who manage it.
    ReadAnalytics,
    /// Install and remove integrations (bots, webhooks) and read their delivery logs: those
    /// who manage the community.
    ManageIntegrations,
    /// Join a voice channel's call.
    Connect,
    /// Be heard in a call.
    Speak,
    /// Mute a member of rank `target` in a call, for everyone.
    MuteOthers {
        target: Rank,
    },
}

/// Why an action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Denied {
    Banned,
    NotMember,
    Private,
    AlreadyMember,
    AnnouncementOnly,
    NotYours,
    Missing,
    Outranked,
    MoreThanYouHold,
    TimedOut,
    /// Reports go to a community's moderators; a direct conversation has none.
    NoModerators,
    /// A voice channel is for talking: it carries no messages.
    VoiceOnly,
}

impl Denied {
    /// Why, in any of the app's languages.
    pub fn sentence(&self) -> Sentence {
        match self {
            Denied::Banned => says!("server.denied.banned"),
            Denied::NotMember => says!("server.denied.not_member"),
            Denied::Private => says!("server.denied.private"),
            Denied::AlreadyMember => says!("server.denied.already_member"),
            Denied::AnnouncementOnly => says!("server.denied.announcement_only"),
            Denied::NotYours => says!("server.denied.not_yours"),
            Denied::Missing => says!("server.denied.missing"),
            Denied::Outranked => says!("server.denied.outranked"),
            Denied::MoreThanYouHold => says!("server.denied.more_than_you_hold"),
            Denied::TimedOut => says!("server.denied.timed_out"),
            Denied::NoModerators => says!("server.denied.no_moderators"),
            Denied::VoiceOnly => says!("server.denied.voice_only"),
        }
    }
}

crate::kit::sentences::english_display!(Denied);

impl From<Denied> for crate::platform::error::AppError {
    fn from(denied: Denied) -> Self {
        crate::platform::error::AppError::Denied(denied.sentence())
    }
}

/// The policy: may someone with this standing do this in a community of this visibility, at
/// `now` (Unix seconds — a timeout ends by itself)?
pub fn can(
    standing: Standing,
    visibility: Visibility,
    action: Action,
    now: i64,
) -> Result<(), Denied> {
    let (rank, perms) = match standing {
        Standing::Banned => return Err(Denied::Banned),
        Standing::Outsider => {
            return match (action, visibility) {
                (Action::Join { .. }, Visibility::Public)
                | (Action::Join { invited: true }, Visibility::Private) => Ok(()),
                (Action::Read, Visibility::Public) => Ok(()),
                (
                    Action::Join { invited: false } | Action::Read,
                    Visibility::Private | Visibility::Direct,
                )
                | (Action::Join { invited: true }, Visibility::Direct) => Err(Denied::Private),
                _ => Err(Denied::NotMember),
            }
        }
        Standing::Member { rank, .. } => (rank, standing.permissions()),
    };
    if standing.timed_out_at(now)
        && !matches!(
            action,
            Action::Read | Action::DeleteMessage { own: true } | Action::Report
        )
    {
        return Err(Denied::TimedOut);
    }
    let need = |flag: Permissions| {
        if perms.contains(flag) {
            Ok(())
        } else {
            Err(Denied::Missing)
        }
    };
    let outranks = |target: Rank| {
        if rank > target {
            Ok(())
        } else {
            Err(Denied::Outranked)
        }
    };
    match action {
        Action::Read => Ok(()),
        Action::Join { .. } => Err(Denied::AlreadyMember),
        Action::Post(ChannelKind::Text) => need(Permissions::POST),
        Action::Post(ChannelKind::Announcement) => {
            need(Permissions::MODERATE_MESSAGES).map_err(|_| Denied::AnnouncementOnly)
        }
        Action::Post(ChannelKind::Voice) => Err(Denied::VoiceOnly),
        Action::EditMessage { own: true } | Action::DeleteMessage { own: true } => {
            need(Permissions::POST)
        }
        Action::EditMessage { own: false } => Err(Denied::NotYours),
        Action::DeleteMessage { own: false } => need(Permissions::MODERATE_MESSAGES),
        Action::Pin => need(Permissions::PIN),
        Action::Kick { target } | Action::Ban { target } => {
            need(Permissions::BAN).and(outranks(target))
        }
        Action::ManageChannels => need(Permissions::MANAGE_CHANNELS),
        Action::ManageRoles { target } => need(Permissions::MANAGE_ROLES).and(outranks(target)),
        Action::GrantRole { target, carries } => need(Permissions::MANAGE_ROLES)
            .and(outranks(target))
            .and(if perms.contains(carries) {
                Ok(())
            } else {
                Err(Denied::MoreThanYouHold)
            }),
        Action::ManageCommunity => need(Permissions::MANAGE_COMMUNITY),
        Action::TransferOwnership | Action::DeleteCommunity => {
            if rank == Rank::Owner {
                Ok(())
            } else {
                Err(Denied::Missing)
            }
        }
        Action::Report if visibility == Visibility::Direct => Err(Denied::NoModerators),
        Action::Report => Ok(()),
        Action::Warn { target } => need(Permissions::MODERATE_MESSAGES).and(outranks(target)),
        Action::Timeout { target } => need(Permissions::BAN).and(outranks(target)),
        Action::ReadAuditLog => need(Permissions::MODERATE_MESSAGES)
            .or(need(Permissions::BAN))
            .or(need(Permissions::MANAGE_COMMUNITY)),
        Action::ReadAnalytics | Action::ManageIntegrations => need(Permissions::MANAGE_COMMUNITY),
        Action::Connect => need(Permissions::CONNECT),
        Action::Speak => need(Permissions::CONNECT).and(need(Permissions::SPEAK)),
        Action::MuteOthers { target } => need(Permissions::MUTE_MEMBERS).and(outranks(target)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;

    const OWNER: Standing = Standing::member(Rank::Owner);
    const ADMIN: Standing = Standing::member(Rank::Admin);
    const MOD: Standing = Standing::member(Rank::Moderator);
    const MEMBER: Standing = Standing::member(Rank::Member);
    const OUT: Standing = Standing::Outsider;
    const BANNED: Standing = Standing::Banned;

    const NOW: i64 = 1_800_000_000;

    fn check(standing: Standing, action: Action) -> Result<(), Denied> {
        can(standing, Visibility::Public, action, NOW)
    }

    /// Every built-in standing × every action, in a public community: the whole policy at a glance.
    #[test]
    fn the_table() {
        use Denied::*;
        let ok = Ok(());
        #[rustfmt::skip]
        let table: [(Action, [Result<(), Denied>; 6]); 30] = [
            //                                  owner        admin        moderator    member             outsider           banned
            (Read,                              [ok,         ok,          ok,          ok,                ok,                Err(Banned)]),
            (Join { invited: false },           [Err(AlreadyMember), Err(AlreadyMember), Err(AlreadyMember), Err(AlreadyMember), ok, Err(Banned)]),
            (Post(ChannelKind::Text),           [ok,         ok,          ok,          ok,                Err(NotMember),    Err(Banned)]),
            (Post(ChannelKind::Announcement),   [ok,         ok,          ok,          Err(AnnouncementOnly), Err(NotMember), Err(Banned)]),
            (EditMessage { own: true },         [ok,         ok,          ok,          ok,                Err(NotMember),    Err(Banned)]),
            (EditMessage { own: false },        [Err(NotYours), Err(NotYours), Err(NotYours), Err(NotYours), Err(NotMember), Err(Banned)]),
            (DeleteMessage { own: true },       [ok,         ok,          ok,          ok,                Err(NotMember),    Err(Banned)]),
            (DeleteMessage { own: false },      [ok,         ok,          ok,          Err(Missing),      Err(NotMember),    Err(Banned)]),
            (Pin,                               [ok,         ok,          ok,          Err(Missing),      Err(NotMember),    Err(Banned)]),
            (Kick { target: Rank::Member },     [ok,         ok,          ok,          Err(Missing),      Err(NotMember),    Err(Banned)]),
            (Ban { target: Rank::Moderator },   [ok,         ok,          Err(Outranked),   Err(Missing),      Err(NotMember),    Err(Banned)]),
            (Ban { target: Rank::Admin },       [ok,         Err(Outranked),   Err(Outranked),   Err(Missing),      Err(NotMember),    Err(Banned)]),
            (Ban { target: Rank::Owner },       [Err(Outranked),  Err(Outranked),   Err(Outranked),   Err(Missing),      Err(NotMember),    Err(Banned)]),
            (ManageChannels,                    [ok,         ok,          Err(Missing), Err(Missing),     Err(NotMember),    Err(Banned)]),
            (ManageRoles { target: Rank::Moderator }, [ok,   ok,          Err(Missing), Err(Missing),     Err(NotMember),    Err(Banned)]),
            (ManageCommunity,                   [ok,         ok,          Err(Missing), Err(Missing),     Err(NotMember),    Err(Banned)]),
            (TransferOwnership,                 [ok,         Err(Missing), Err(Missing), Err(Missing),    Err(NotMember),    Err(Banned)]),
            (DeleteCommunity,                   [ok,         Err(Missing), Err(Missing), Err(Missing),    Err(NotMember),    Err(Banned)]),
            (Report,                            [ok,         ok,          ok,          ok,                Err(NotMember),    Err(Banned)]),
            (ReadAuditLog,                      [ok,         ok,          ok,          Err(Missing),      Err(NotMember),    Err(Banned)]),
            (ReadAnalytics,                     [ok,         ok,          Err(Missing), Err(Missing),     Err(NotMember),    Err(Banned)]),
            (ManageIntegrations,                [ok,         ok,          Err(Missing), Err(Missing),     Err(NotMember),    Err(Banned)]),
            (Warn { target: Rank::Member },     [ok,         ok,          ok,          Err(Missing),      Err(NotMember),    Err(Banned)]),
            (Warn { target: Rank::Moderator },  [ok,         ok,          Err(Outranked), Err(Missing),   Err(NotMember),    Err(Banned)]),
            (Timeout { target: Rank::Member },  [ok,         ok,          ok,          Err(Missing),      Err(NotMember),    Err(Banned)]),
            (Post(ChannelKind::Voice),          [Err(VoiceOnly), Err(VoiceOnly), Err(VoiceOnly), Err(VoiceOnly), Err(NotMember), Err(Banned)]),
            (Connect,                           [ok,         ok,          ok,          ok,                Err(NotMember),    Err(Banned)]),
            (Speak,                             [ok,         ok,          ok,          ok,                Err(NotMember),    Err(Banned)]),
            (MuteOthers { target: Rank::Member }, [ok,       ok,          ok,          Err(Missing),      Err(NotMember),    Err(Banned)]),
            (MuteOthers { target: Rank::Moderator }, [ok,    ok,          Err(Outranked), Err(Missing),   Err(NotMember),    Err(Banned)]),
        ];
        let standings = [OWNER, ADMIN, MOD, MEMBER, OUT, BANNED];
        for (action, expected) in table {
            for (standing, want) in standings.iter().zip(expected) {
                assert_eq!(check(*standing, action), want, "{standing:?} × {action:?}");
            }
        }
    }

    #[test]
    fn private_communities_need_an_invitation() {
        assert_eq!(
            can(OUT, Visibility::Private, Read, NOW),
            Err(Denied::Private)
        );
        assert_eq!(
            can(OUT, Visibility::Private, Join { invited: false }, NOW),
            Err(Denied::Private)
        );
        assert_eq!(
            can(OUT, Visibility::Private, Join { invited: true }, NOW),
            Ok(())
        );
        assert_eq!(
            can(BANNED, Visibility::Private, Join { invited: true }, NOW),
            Err(Denied::Banned)
        );
        assert_eq!(can(MEMBER, Visibility::Private, Read, NOW), Ok(()));
    }

    #[test]
    fn direct_conversations_are_closed_and_have_no_moderators() {
        for invited in [false, true] {
            assert_eq!(
                can(OUT, Visibility::Direct, Join { invited }, NOW),
                Err(Denied::Private)
            );
        }
        assert_eq!(
            can(OUT, Visibility::Direct, Read, NOW),
            Err(Denied::Private)
        );
        assert_eq!(can(MEMBER, Visibility::Direct, Read, NOW), Ok(()));
        assert_eq!(
            can(MEMBER, Visibility::Direct, Post(ChannelKind::Text), NOW),
            Ok(())
        );
        assert_eq!(
            can(MEMBER, Visibility::Direct, Report, NOW),
            Err(Denied::NoModerators)
        );
        assert_eq!(
            can(MEMBER, Visibility::Direct, ManageCommunity, NOW),
            Err(Denied::Missing)
        );
    }

    #[test]
    fn a_custom_role_adds_flags_without_rank() {
        let pinner = Standing::Member {
            rank: Rank::Member,
            extra: Permissions::PIN.union(Permissions::BAN),
            timed_out_until: None,
        };
        assert_eq!(check(pinner, Pin), Ok(()));
        assert_eq!(
            check(pinner, DeleteMessage { own: false }),
            Err(Denied::Missing)
        );
        // The ban flag alone does not let a member act on an equal.
        assert_eq!(
            check(
                pinner,
                Ban {
                    target: Rank::Member
                }
            ),
            Err(Denied::Outranked)
        );
    }

    #[test]
    fn nobody_hands_out_more_than_they_hold() {
        let role_manager = Standing::Member {
            rank: Rank::Moderator,
            extra: Permissions::MANAGE_ROLES,
            timed_out_until: None,
        };
        let pin = Permissions::PIN;
        let community = Permissions::MANAGE_COMMUNITY;
        let grant = |target, carries| GrantRole { target, carries };
        assert_eq!(check(role_manager, grant(Rank::Member, pin)), Ok(()));
        // Managing the community is not theirs to give, to a member or in a new role.
        assert_eq!(
            check(role_manager, grant(Rank::Member, community)),
            Err(Denied::MoreThanYouHold)
        );
        assert_eq!(
            check(role_manager, grant(Rank::Member, pin.union(community))),
            Err(Denied::MoreThanYouHold)
        );
        // Nor may they touch an equal's roles, whatever the role carries.
        assert_eq!(
            check(role_manager, grant(Rank::Moderator, pin)),
            Err(Denied::Outranked)
        );
        assert_eq!(check(MOD, grant(Rank::Member, pin)), Err(Denied::Missing));
        assert_eq!(
            check(ADMIN, grant(Rank::Moderator, Permissions::ALL)),
            Ok(())
        );
        assert_eq!(
            check(ADMIN, grant(Rank::Admin, pin)),
            Err(Denied::Outranked)
        );
    }

    #[test]
    fn a_timeout_leaves_reading_own_deletions_and_reports_until_it_ends() {
        let timed_out = |until| Standing::Member {
            rank: Rank::Moderator,
            extra: Permissions::NONE,
            timed_out_until: Some(until),
        };
        let now = timed_out(NOW + 60);
        for action in [Read, DeleteMessage { own: true }, Report] {
            assert_eq!(check(now, action), Ok(()), "{action:?}");
        }
        for action in [
            Post(ChannelKind::Text),
            EditMessage { own: true },
            DeleteMessage { own: false },
            Pin,
            Kick {
                target: Rank::Member,
            },
            Warn {
                target: Rank::Member,
            },
            // Nor join a call, or speak or silence anyone in one.
            Connect,
            Speak,
            MuteOthers {
                target: Rank::Member,
            },
        ] {
            assert_eq!(check(now, action), Err(Denied::TimedOut), "{action:?}");
        }
        // The moment it ends, everything of their rank is back (no restart, no recheck).
        let ended = timed_out(NOW);
        assert_eq!(check(ended, Post(ChannelKind::Text)), Ok(()));
        assert_eq!(check(ended, Pin), Ok(()));
        assert!(now.timed_out_at(NOW) && !ended.timed_out_at(NOW));
    }

    #[test]
    fn stored_bits_never_grant_unknown_permissions() {
        assert_eq!(Permissions::from_bits(u32::MAX), Permissions::ALL);
        assert_eq!(
            Permissions::from_bits(Permissions::PIN.bits()),
            Permissions::PIN
        );
        assert!(Permissions::ALL.contains(Permissions::MANAGE_COMMUNITY));
        assert!(!Rank::Member.permissions().contains(Permissions::PIN));
    }

    #[test]
    fn every_refusal_reads_as_a_sentence() {
        assert_eq!(
            Denied::AnnouncementOnly.to_string(),
            "Only moderators post in announcement channels."
        );
        assert_eq!(
            Denied::Banned.to_string(),
            "You are banned from this community."
        );
    }
}
