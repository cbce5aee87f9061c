//! Calls: joining and leaving, one's own mute and deafen, a moderator's silence, speaking, and
//! passing the signalling between two tabs on the same call. Every change to a call publishes
//! its whole roster to the community (small, at most [`MESH_LIMIT`] tabs, and a tab that missed
//! one change is right again at the next).

use std::collections::{BTreeMap, HashSet};

use sea_orm::{ConnectionTrait, TransactionTrait};
use uuid::Uuid;

use super::{repo, Calls, IceServer, Participant, Roster, Signal, MESH_LIMIT};
use crate::auth::UserId;
use crate::community::CommunityId;
use crate::{
    auth::Author,
    chat::{service::channel_access, ServerEvent},
    community::{
        self,
        audit::{self, Act},
        permissions::{Action, ChannelKind, Standing},
        repo as communities, ChannelId,
    },
    entities::{users, voice_members},
    kit::sentences::{says, Sentence},
    platform::{
        db,
        error::AppError,
        realtime::{publish, topic},
        state::AppState,
    },
};

/// Serialises joins to one call, so that two at once never make it larger than the mesh.
const CALL_LOCK_SPACE: i32 = 0x766f_6963; // "voic"

/// Puts this tab on a voice channel's call (taking it off any other call first): the call as
/// it is now.
pub async fn join(
    state: &AppState,
    user: &users::Model,
    connection: Uuid,
    channel: ChannelId,
) -> Result<Roster, AppError> {
    let access = channel_access(state, Some(UserId(user.id)), channel).await?;
    if ChannelKind::parse(&access.channel.kind) != ChannelKind::Voice {
        return Err(AppError::Validation(says!("server.voice.not_voice")));
    }
    if access.channel.archived_at.is_some() {
        return Err(AppError::Validation(says!("server.chat.archived")));
    }
    community::service::allow(&access.community, access.standing, Action::Connect)?;
    let may_speak =
        community::service::allow(&access.community, access.standing, Action::Speak).is_ok();
    let (community, channel) = (access.community.id, access.channel.id);
    let txn = state.db.begin().await?;
    db::lock_until_commit(&txn, CALL_LOCK_SPACE, channel).await?;
    let before = repo::remove(&txn, vec![connection]).await?;
    // Written before counting: on SQLite the write takes the database's lock, so two joins at
    // once count one after the other (on PostgreSQL the call's lock above does).
    repo::insert(&txn, connection, (community, channel), user.id, may_speak).await?;
    if repo::count_on_call(&txn, channel).await? > MESH_LIMIT as u64 {
        return Err(AppError::Validation(says!(
            "server.voice.full",
            max = MESH_LIMIT
        )));
    }
    txn.commit().await?;
    for left in before.iter().filter(|row| row.channel_id != channel) {
        publish_roster(
            state,
            CommunityId(left.community_id),
            ChannelId(left.channel_id),
        )
        .await?;
    }
    publish_roster(state, CommunityId(community), ChannelId(channel)).await
}

/// Takes this tab off its call, if it is on one.
pub async fn leave(state: &AppState, connection: Uuid) -> Result<(), AppError> {
    forget(state, vec![connection]).await
}

/// Takes tabs off their calls (closed sockets, a crashed instance's) and tells each call.
pub async fn forget(state: &AppState, connections: Vec<Uuid>) -> Result<(), AppError> {
    let removed = repo::remove(&state.db, connections).await?;
    let calls: HashSet<(Uuid, Uuid)> = removed
        .iter()
        .map(|row| (row.community_id, row.channel_id))
        .collect();
    for (community, channel) in calls {
        publish_roster(state, CommunityId(community), ChannelId(channel)).await?;
    }
    Ok(())
}

/// This tab muted or deafened itself.
pub async fn set_own(
    state: &AppState,
    connection: Uuid,
    muted: bool,
    deafened: bool,
) -> Result<(), AppError> {
    let row = on_a_call(state, connection).await?;
    repo::set_own(&state.db, connection, muted, deafened).await?;
    publish_roster(
        state,
        CommunityId(row.community_id),
        ChannelId(row.channel_id),
    )
    .await
    .map(drop)
}

/// A moderator mutes a person on a call for everyone, or lets them speak again (written in the
/// audit log).
pub async fn silence(
    state: &AppState,
    moderator: UserId,
    channel: ChannelId,
    person: UserId,
    silenced: bool,
) -> Result<Roster, AppError> {
    let access = channel_access(state, Some(UserId(moderator.0)), channel).await?;
    let target = match communities::standing(&state.db, access.community.id, person.0).await? {
        Standing::Member { rank, .. } => rank,
        _ => return Err(AppError::NotFound(says!("server.voice.not_on_call"))),
    };
    community::service::allow(
        &access.community,
        access.standing,
        Action::MuteOthers { target },
    )?;
    // The silence and its line in the audit log, together.
    let txn = state.db.begin().await?;
    if repo::set_silenced(&txn, access.channel.id, person.0, silenced).await? == 0 {
        return Err(AppError::NotFound(says!("server.voice.not_on_call")));
    }
    audit::record(
        &txn,
        audit::Entry {
            community: access.community.id,
            actor: moderator.0,
            act: if silenced {
                Act::SilenceInCall
            } else {
                Act::AllowInCall
            },
            target: Some(person.0),
            message: None,
            detail: &format!("#{}", access.channel.name),
            reason: "",
        },
    )
    .await?;
    txn.commit().await?;
    publish_roster(
        state,
        CommunityId(access.community.id),
        ChannelId(access.channel.id),
    )
    .await
}

/// This tab started or stopped hearing a voice: told to the community when the tab is heard
/// at all (a muted, deafened or silenced tab, or a listener, never shows as speaking); whether
/// it was told.
pub async fn speaking(
    state: &AppState,
    connection: Uuid,
    speaking: bool,
) -> Result<bool, AppError> {
    let row = on_a_call(state, connection).await?;
    if speaking && !super::heard(row.may_speak, row.muted, row.deafened, row.silenced) {
        return Ok(false);
    }
    let event = ServerEvent::VoiceSpeaking {
        community_id: row.community_id.to_string(),
        channel_id: row.channel_id.to_string(),
        connection_id: connection.to_string(),
        speaking,
    };
    publish(state, &topic::community(row.community_id), None, &event).await;
    Ok(true)
}

/// Passes a step of the sound's set-up from one tab to another on the same call — and only
/// there: a tab that is not on the call, or asks for one that is not on it, is refused.
pub async fn relay(
    state: &AppState,
    (from, sender): (Uuid, Uuid),
    to: &str,
    signal: Signal,
) -> Result<(), AppError> {
    if !signal.within_limits() {
        return Err(AppError::Validation(says!("server.voice.bad_signal")));
    }
    let mine = on_a_call(state, from).await?;
    let theirs = match Uuid::parse_str(to) {
        Ok(to) if to != from => repo::of_connection(&state.db, to).await?,
        _ => None,
    };
    let Some(theirs) = theirs.filter(|row| row.channel_id == mine.channel_id) else {
        return Err(AppError::NotFound(says!("server.voice.not_on_call")));
    };
    let event = ServerEvent::VoiceSignal {
        to: theirs.connection_id.to_string(),
        from: from.to_string(),
        signal,
    };
    publish(state, &topic::user(theirs.user_id), Some(sender), &event).await;
    Ok(())
}

/// After this person's access changed: whether this tab may stay on its call. If not, it is
/// taken off, and the answer is the call's channel and why.
pub async fn recheck(
    state: &AppState,
    connection: Uuid,
    user: UserId,
) -> Result<Option<(Uuid, Sentence)>, AppError> {
    let Some(row) = repo::of_connection(&state.db, connection).await? else {
        return Ok(None);
    };
    let allowed = async {
        let access = channel_access(state, Some(UserId(user.0)), ChannelId(row.channel_id)).await?;
        if access.channel.archived_at.is_some() {
            return Err(AppError::Validation(says!("server.chat.archived")));
        }
        community::service::allow(&access.community, access.standing, Action::Connect)
    }
    .await;
    let reason = match allowed {
        Ok(()) => return Ok(None),
        Err(AppError::Denied(why) | AppError::NotFound(why) | AppError::Validation(why)) => why,
        Err(other) => return Err(other),
    };
    leave(state, connection).await?;
    Ok(Some((row.channel_id, reason)))
}

/// A community's calls, for whoever may read it, and the ICE servers to reach the others by.
pub async fn calls(
    state: &AppState,
    viewer: Option<UserId>,
    slug: &str,
) -> Result<Calls, AppError> {
    let (community, standing) = community::service::find(state, viewer, slug).await?;
    community::service::allow(&community, standing, Action::Read)?;
    // The revisions first: a roster read after its revision is at least as new as it says,
    // and the next change's roster (one revision on) reaches the tab all the same.
    let revisions = repo::revisions_in_community(&state.db, community.id).await?;
    let mut by_channel: BTreeMap<Uuid, Vec<voice_members::Model>> = revisions
        .keys()
        .map(|channel| (*channel, Vec::new()))
        .collect();
    for row in repo::in_community(&state.db, community.id).await? {
        by_channel.entry(row.channel_id).or_default().push(row);
    }
    let mut rosters = Vec::with_capacity(by_channel.len());
    for (channel, rows) in by_channel {
        let revision = revisions.get(&channel).copied().unwrap_or(0);
        rosters.push(roster_of(&state.db, ChannelId(channel), revision, rows).await?);
    }
    // Only to someone who may join a call here: a guest or an outsider reads the rosters of a
    // public community but gets no way through its TURN servers.
    let may_connect = community::service::allow(&community, standing, Action::Connect).is_ok();
    let ice_servers = match viewer {
        Some(person) if may_connect => ice_servers_for(
            &state.config.voice_ice_servers,
            UserId(person.0),
            chrono::Utc::now().timestamp(),
        ),
        _ => Vec::new(),
    };
    Ok(Calls {
        rosters,
        ice_servers,
    })
}

/// How long a person's TURN credentials last: a day's calls, and a tab that stays open over
/// night asks for new ones when the page loads again.
pub const TURN_CREDENTIAL_SECS: i64 = 12 * 60 * 60;

/// The ICE servers as `person` gets them at `now` (Unix seconds): a TURN server with a shared
/// secret gets credentials of this person's own that expire after [`TURN_CREDENTIAL_SECS`] (the
/// TURN REST scheme coturn's `use-auth-secret` checks: the username is `<expiry>:<person>`, the
/// credential the base64 HMAC-SHA1 of the username under the secret).
pub fn ice_servers_for(
    servers: &[crate::platform::config::IceServerConfig],
    person: UserId,
    now: i64,
) -> Vec<IceServer> {
    use hmac::{Hmac, Mac};
    servers
        .iter()
        .map(|server| match server.secret.as_deref() {
            Some(secret) => {
                let username = format!("{}:{person}", now + TURN_CREDENTIAL_SECS);
                let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes())
                    .expect("HMAC takes any key");
                mac.update(username.as_bytes());
                let credential = data_encoding::BASE64.encode(&mac.finalize().into_bytes());
                IceServer {
                    urls: server.urls.clone(),
                    username: Some(username),
                    credential: Some(credential),
                }
            }
            None => IceServer {
                urls: server.urls.clone(),
                username: server.username.clone(),
                credential: server.credential.clone(),
            },
        })
        .collect()
}

async fn on_a_call(state: &AppState, connection: Uuid) -> Result<voice_members::Model, AppError> {
    repo::of_connection(&state.db, connection)
        .await?
        .ok_or_else(|| AppError::Validation(says!("server.voice.not_joined")))
}

async fn roster_of(
    db: &impl ConnectionTrait,
    channel: ChannelId,
    revision: i64,
    rows: Vec<voice_members::Model>,
) -> Result<Roster, AppError> {
    let people =
        crate::auth::repo::users_by_ids(db, rows.iter().map(|r| r.user_id).collect()).await?;
    let participants = rows
        .into_iter()
        .filter_map(|row| {
            let user = people.get(&row.user_id)?;
            Some(Participant {
                connection_id: row.connection_id.to_string(),
                user: Author::of(user),
                muted: row.muted,
                deafened: row.deafened,
                silenced: row.silenced,
                may_speak: row.may_speak,
            })
        })
        .collect();
    Ok(Roster {
        channel_id: channel.to_string(),
        revision,
        participants,
    })
}

/// Tells the community who is on the call now; answers the same. The roster is read under the
/// call's next revision (its lock), so a higher revision is never an older roster.
async fn publish_roster(
    state: &AppState,
    community: CommunityId,
    channel: ChannelId,
) -> Result<Roster, AppError> {
    let txn = state.db.begin().await?;
    let revision = repo::next_revision(&txn, channel.0).await?;
    let rows = repo::on_call(&txn, channel.0).await?;
    let roster = roster_of(&txn, channel, revision, rows).await?;
    txn.commit().await?;
    let event = ServerEvent::VoiceRoster {
        community_id: community.to_string(),
        roster: roster.clone(),
    };
    publish(state, &topic::community(community.0), None, &event).await;
    Ok(roster)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::config::IceServerConfig;

    #[test]
    fn a_turn_server_with_a_secret_gets_each_person_credentials_that_expire() {
        let servers = [
            IceServerConfig {
                urls: vec!["stun:stun.example.org".into()],
                username: None,
                credential: None,
                secret: None,
            },
            IceServerConfig {
                urls: vec!["turn:turn.example.org".into()],
                username: None,
                credential: None,
                secret: Some("north-sea".into()),
            },
        ];
        let ana: Uuid = "0190f0f0-0000-7000-8000-000000000001".parse().unwrap();
        let got = ice_servers_for(&servers, crate::auth::UserId(ana), 1_700_000_000);
        assert_eq!(got[0].username, None);
        assert_eq!(
            got[1].username.as_deref(),
            Some("1700043200:0190f0f0-0000-7000-8000-000000000001")
        );
        // Python: base64(hmac.new(b"north-sea", username, sha1).digest())
        assert_eq!(
            got[1].credential.as_deref(),
            Some("rOIMnhtLrE6xWudvAUPYzyAFu8c=")
        );
        let bo: Uuid = "0190f0f0-0000-7000-8000-000000000002".parse().unwrap();
        let theirs = ice_servers_for(&servers, crate::auth::UserId(bo), 1_700_000_000);
        assert_ne!(theirs[1].credential, got[1].credential);
    }
}
