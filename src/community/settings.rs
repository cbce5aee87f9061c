//! The community itself, as those who run it change it: its name, description, colour,
//! visibility and default channel (managers), who owns it, and whether it exists at all (the
//! owner). Each change is one transaction with its audit line; a change of who may read tells
//! every open socket to check again at once.

use futures::future::BoxFuture;
use sea_orm::{DatabaseTransaction, DbErr, TransactionTrait};

use super::CommunityId;
use super::{
    audit::{self, Act},
    permissions::{Action, Rank, Standing},
    repo,
    service::{allow, field, find, summary, target, DEFAULT_COMMUNITY},
    validate, CommunityChanges, CommunitySummary,
};
use crate::auth::UserId;
use crate::{
    entities::{communities, users},
    kit::sentences::says,
    platform::{error::AppError, pictures, realtime, state::AppState},
};

/// Changes a community's details; the slug (its address) stays. Returns it as lists show it.
pub async fn update(
    state: &AppState,
    actor: &users::Model,
    slug: &str,
    changes: CommunityChanges,
) -> Result<CommunitySummary, AppError> {
    let (before, standing) = find(state, Some(UserId(actor.id)), slug).await?;
    allow(&before, standing, Action::ManageCommunity)?;
    let channels = repo::channels(&state.db, before.id).await?;
    let default_channel = match changes.default_channel.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) => Some(
            channels
                .iter()
                .find(|c| c.id.to_string() == id && c.archived_at.is_none())
                .map(|c| c.id)
                .ok_or_else(|| {
                    AppError::Validation(says!("server.community.default_channel_unknown"))
                })?,
        ),
    };
    let mut after = before.clone();
    after.name = validate::community_name(&changes.name).map_err(field)?;
    after.description = validate::description(&changes.description).map_err(field)?;
    after.icon_color = validate::icon_color(&changes.icon_color).map_err(field)?;
    after.visibility = validate::visibility(changes.visibility)
        .map_err(field)?
        .as_str()
        .to_string();
    after.default_channel_id = default_channel;

    // What changed, by field name: the audit line's detail (the reader's page names them).
    let changed: Vec<&str> = [
        ("name", before.name != after.name),
        ("description", before.description != after.description),
        ("icon", before.icon_color != after.icon_color),
        ("visibility", before.visibility != after.visibility),
        (
            "default_channel",
            before.default_channel_id != after.default_channel_id,
        ),
    ]
    .into_iter()
    .filter_map(|(name, differs)| differs.then_some(name))
    .collect();
    if !changed.is_empty() {
        let txn = state.db.begin().await?;
        repo::update_community(&txn, &after).await?;
        audit::record(
            &txn,
            audit::Entry {
                community: after.id,
                actor: actor.id,
                act: Act::UpdateCommunity,
                target: None,
                message: None,
                detail: &changed.join(","),
                reason: "",
            },
        )
        .await?;
        txn.commit().await?;
        tracing::info!(community = %after.id, by = %actor.id, changed = ?changed, "community changed");
    }
    // Made private: guests reading its channels lose them now, not at their next visit.
    if before.visibility != after.visibility {
        for channel in &channels {
            realtime::channel_changed(state, channel.id).await;
        }
    }
    let members = repo::member_counts(&state.db, vec![after.id]).await?;
    Ok(summary(
        &after,
        members.get(&after.id).copied().unwrap_or(0),
        true,
    ))
}

/// The owner hands the community to another member, who becomes its owner; the former owner
/// stays on as an admin. Both ranks and the owner change together, or not at all.
pub async fn transfer(
    state: &AppState,
    actor: &users::Model,
    slug: &str,
    username: &str,
) -> Result<(), AppError> {
    let (community, standing) = find(state, Some(UserId(actor.id)), slug).await?;
    allow(&community, standing, Action::TransferOwnership)?;
    let (heir, their) = target(state, &community, username).await?;
    if heir.id == actor.id {
        return Err(AppError::Validation(says!("server.community.not_yourself")));
    }
    let not_member =
        || AppError::Validation(says!("server.community.not_member", user = &heir.username));
    if !matches!(their, Standing::Member { .. }) {
        return Err(not_member());
    }
    if crate::auth::is_bot(&heir.username) {
        return Err(AppError::Validation(says!(
            "server.community.bot_cannot_own"
        )));
    }
    let txn = state.db.begin().await?;
    // Checked again inside, so that two transfers at once make one owner, and an heir who
    // left meanwhile leaves the community as it was (the transaction rolls back).
    if !repo::change_rank(&txn, community.id, actor.id, (Rank::Owner, Rank::Admin)).await? {
        return Err(AppError::Denied(says!("server.denied.missing")));
    }
    if !repo::set_rank(&txn, community.id, heir.id, Rank::Owner).await? {
        return Err(not_member());
    }
    repo::set_owner(&txn, community.id, heir.id).await?;
    audit::record(
        &txn,
        audit::Entry {
            community: community.id,
            actor: actor.id,
            act: Act::TransferOwnership,
            target: Some(heir.id),
            message: None,
            detail: "",
            reason: "",
        },
    )
    .await?;
    txn.commit().await?;
    tracing::info!(community = %community.id, from = %actor.id, to = %heir.id, "ownership transferred");
    for user in [actor.id, heir.id] {
        realtime::standing_changed(state, user, community.id).await;
    }
    Ok(())
}

/// A new icon from an uploaded image (its centre square), or none (`image` None: back to the
/// letter) — those who manage the community; the old picture goes, and the audit log says so.
pub async fn set_icon(
    state: &AppState,
    actor: &users::Model,
    slug: &str,
    image: Option<bytes::Bytes>,
) -> Result<CommunitySummary, AppError> {
    let (community, standing) = find(state, Some(UserId(actor.id)), slug).await?;
    allow(&community, standing, Action::ManageCommunity)?;
    let picture = match image {
        Some(image) if image.len() as u64 > state.config.files.max_upload_bytes => {
            return Err(AppError::PayloadTooLarge {
                limit_bytes: state.config.files.max_upload_bytes,
            })
        }
        Some(image) => Some(pictures::store_square(&state.files, image).await?),
        None => None,
    };
    let stored = async {
        let txn = state.db.begin().await?;
        repo::set_icon(&txn, community.id, picture).await?;
        audit::record(
            &txn,
            audit::Entry {
                community: community.id,
                actor: actor.id,
                act: Act::UpdateCommunity,
                target: None,
                message: None,
                detail: "icon",
                reason: "",
            },
        )
        .await?;
        txn.commit().await
    }
    .await;
    if let Err(error) = stored {
        if let Some(picture) = picture {
            pictures::remove(&state.files, picture).await;
        }
        return Err(error.into());
    }
    if let Some(old) = community.icon.filter(|old| Some(*old) != picture) {
        pictures::remove(&state.files, old).await;
    }
    let members = repo::member_counts(&state.db, vec![community.id]).await?;
    let after = communities::Model {
        icon: picture,
        ..community
    };
    Ok(summary(
        &after,
        members.get(&after.id).copied().unwrap_or(0),
        true,
    ))
}

/// What runs once a deletion has committed (a room's stored files removed).
pub type Afterwards = BoxFuture<'static, ()>;

/// A room above that keeps something of a community the database's cascades do not take
/// (reports, files' bytes). It hears of the deletion without the community floor naming it:
/// the composition root registers it in [`CommunityEndings`].
#[async_trait::async_trait]
pub trait Ending: Send + Sync + 'static {
    /// Deletes its rows of `community` in the deletion's transaction (both go, or neither),
    /// and says what is left to do once it has committed.
    async fn within(
        &self,
        state: &AppState,
        txn: &DatabaseTransaction,
        community: CommunityId,
    ) -> Result<Option<Afterwards>, DbErr>;
}

/// Every room's [`Ending`] (a service: `state.service::<CommunityEndings>()`).
#[derive(Default)]
pub struct CommunityEndings(Vec<Box<dyn Ending>>);

impl CommunityEndings {
    pub fn with(mut self, ending: impl Ending) -> CommunityEndings {
        self.0.push(Box::new(ending));
        self
    }
}

/// The owner deletes the community and everything in it, having typed its name to confirm.
/// What the rooms above keep of it goes in the same transaction ([`CommunityEndings`]); the
/// sockets watching its channels are told at once. The server's default community, which
/// everyone joins, stays.
pub async fn delete(
    state: &AppState,
    actor: &users::Model,
    slug: &str,
    confirm: &str,
) -> Result<(), AppError> {
    let (community, standing) = find(state, Some(UserId(actor.id)), slug).await?;
    if let Err(denied) = allow(&community, standing, Action::DeleteCommunity) {
        // Deleted by a request of the owner's own between reading the community and their
        // standing in it (the membership went with it): nothing is left, not "not a member".
        if repo::community_by_id(&state.db, community.id)
            .await?
            .is_none()
        {
            return Err(AppError::NotFound(says!("server.community.not_found")));
        }
        return Err(denied);
    }
    if community.slug == DEFAULT_COMMUNITY {
        return Err(AppError::Validation(says!(
            "server.community.default_stays"
        )));
    }
    if confirm.trim() != community.name {
        return Err(AppError::Validation(says!(
            "server.community.confirm_name",
            name = &community.name
        )));
    }
    let channels = repo::channels(&state.db, community.id).await?;
    let txn = state.db.begin().await?;
    let mut afterwards = Vec::new();
    for ending in &state.service::<CommunityEndings>().0 {
        afterwards.extend(
            ending
                .within(state, &txn, CommunityId(community.id))
                .await?,
        );
    }
    // Two deletions at once: the second finds nothing left and says so.
    if !repo::delete_community(&txn, community.id).await? {
        return Err(AppError::NotFound(says!("server.community.not_found")));
    }
    txn.commit().await?;
    tracing::info!(community = %community.id, by = %actor.id, "community deleted");
    for after in afterwards {
        after.await;
    }
    if let Some(icon) = community.icon {
        pictures::remove(&state.files, icon).await;
    }
    for channel in &channels {
        realtime::channel_changed(state, channel.id).await;
    }
    Ok(())
}
