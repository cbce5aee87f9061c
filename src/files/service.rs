//! Uploading, reading and removing files. An upload is checked (the person may post in the
//! channel; the size; the type read from the bytes), stored with a thumbnail when it is a large
//! image, and kept unsent until a message claims it (`chat::writer`, in the message's
//! transaction). Reading checks that the reader may read the channel of its message. Files of
//! deleted messages go at once; anything missed (uploads never sent, files of deleted
//! communities or accounts) is found by the sweep.

use std::collections::HashMap;

use bytes::Bytes;
use chrono::{Duration, Utc};
use uuid::Uuid;

use super::{
    clean_name, file_url, repo, thumbnail_url, Attachment, AttachmentKind, MAX_PER_MESSAGE,
};
use crate::auth::UserId;
use crate::chat::MessageId;
use crate::community::CommunityId;
use crate::{
    chat::{repo as chat, service as messages},
    community::ChannelId,
    entities::{attachments, users},
    kit::sentences::says,
    platform::{error::AppError, files::StoreError, pictures, state::AppState},
};

/// Images larger than this on either side get a thumbnail of this size for lists.
const THUMBNAIL_SIDE: u32 = 640;
/// Uploads a person may have waiting unsent at once.
const UNSENT_MAX: usize = 30;
/// Uploads not sent within this long are removed.
const UNSENT_KEPT_MINUTES: i64 = 60;
/// How many files one sweep removes at most.
const SWEEP_BATCH: u64 = 500;

fn object_key(id: Uuid) -> String {
    format!("files/{id}")
}

fn thumbnail_key(id: Uuid) -> String {
    format!("thumbs/{id}")
}

/// The store failed: logged here, a 503 for the person.
fn unavailable(error: StoreError) -> AppError {
    tracing::warn!(error = %error, "the file store failed");
    AppError::Unavailable
}

/// A file as readers see it.
pub fn present(row: &attachments::Model) -> Attachment {
    let id = row.id.to_string();
    Attachment {
        duration_ms: row.duration_ms.map(|d| d.max(0) as u32),
        waveform: row.waveform.clone(),
        url: file_url(&id, &row.name),
        thumbnail_url: row.thumbnail.then(|| thumbnail_url(&id)),
        id,
        name: row.name.clone(),
        content_type: row.content_type.clone(),
        size: row.size.max(0) as u64,
        kind: AttachmentKind::parse(&row.kind),
        width: row.width.map(|w| w.max(0) as u32),
        height: row.height.map(|h| h.max(0) as u32),
    }
}

/// What the bytes are.
struct Examined {
    content_type: String,
    kind: AttachmentKind,
    size: Option<(u32, u32)>,
    thumbnail: Option<Bytes>,
}

/// Reads the type from the first bytes; decodes the images chat shows inline, within the
/// decoding budget (a file that claims to be one and does not decode, or is too large to, is
/// offered for download like any other).
async fn examine(bytes: &Bytes) -> Examined {
    let sniffed = infer::get(bytes).map(|t| t.mime_type().to_string());
    let content_type = sniffed.unwrap_or_else(|| {
        if !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok() {
            "text/plain".to_string()
        } else {
            "application/octet-stream".to_string()
        }
    });
    let file = |content_type: String| Examined {
        content_type,
        kind: AttachmentKind::File,
        size: None,
        thumbnail: None,
    };
    if !pictures::IMAGE_TYPES.contains(&content_type.as_str()) {
        return file(content_type);
    }
    let Some(seen) = pictures::preview(bytes.clone()).await else {
        return file(content_type);
    };
    let (width, height) = (seen.width, seen.height);
    let thumbnail = if width > THUMBNAIL_SIDE || height > THUMBNAIL_SIDE {
        tokio::task::spawn_blocking(move || {
            pictures::encode(&seen.picture.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        })
        .await
        .ok()
        .flatten()
    } else {
        None
    };
    Examined {
        content_type,
        kind: AttachmentKind::Image,
        size: Some((width, height)),
        thumbnail,
    }
}

/// What the browser measured of a voice message it recorded.
#[derive(Debug, Clone)]
pub struct Recording {
    pub duration_ms: u32,
    pub waveform: String,
}

/// The recordings browsers make, as read from their bytes, and the type each is played as
/// (a WebM or MP4 holding only sound is still a voice message).
fn voice_type(sniffed: &str) -> Option<&'static str> {
    Some(match sniffed {
        "video/webm" | "audio/webm" => "audio/webm",
        "audio/ogg" | "audio/opus" => "audio/ogg",
        "video/mp4" | "audio/m4a" | "audio/mp4" => "audio/mp4",
        "audio/mpeg" => "audio/mpeg",
        "audio/x-wav" => "audio/wav",
        _ => return None,
    })
}

/// Stores a file `uploader` attaches in a channel (a voice message when `recording` says how
/// long it is), unsent until a message claims it.
pub async fn upload(
    state: &AppState,
    uploader: &users::Model,
    channel: ChannelId,
    (name, recording): (&str, Option<Recording>),
    bytes: Bytes,
) -> Result<Attachment, AppError> {
    let access = messages::channel_access(state, Some(UserId(uploader.id)), channel).await?;
    messages::may_post(&access)?;
    if bytes.is_empty() {
        return Err(AppError::Validation(says!("server.files.empty")));
    }
    let limit = state.config.files.max_upload_bytes;
    if bytes.len() as u64 > limit {
        return Err(AppError::PayloadTooLarge { limit_bytes: limit });
    }
    let too_many_waiting =
        || AppError::Validation(says!("server.files.too_many_waiting", max = UNSENT_MAX));
    if repo::unsent_of(&state.db, uploader.id).await? >= UNSENT_MAX as u64 {
        return Err(too_many_waiting());
    }
    let name = clean_name(name);
    let mut examined = examine(&bytes).await;
    if let Some(recording) = &recording {
        let audio = voice_type(&examined.content_type)
            .ok_or_else(|| AppError::Validation(says!("server.files.not_audio")))?;
        // No waveform when the browser could not measure one; never a made-up one.
        if !(1..=super::VOICE_MAX_MS).contains(&recording.duration_ms)
            || !(recording.waveform.is_empty() || super::valid_waveform(&recording.waveform))
        {
            return Err(AppError::Validation(says!(
                "server.files.bad_recording",
                max = super::VOICE_MAX_MS / 60_000
            )));
        }
        examined = Examined {
            content_type: audio.to_string(),
            kind: AttachmentKind::Voice,
            size: None,
            thumbnail: None,
        };
    }
    let id = Uuid::now_v7();
    state
        .files
        .put(&object_key(id), bytes.clone())
        .await
        .map_err(unavailable)?;
    if let Some(thumbnail) = examined.thumbnail.clone() {
        if let Err(error) = state.files.put(&thumbnail_key(id), thumbnail).await {
            let _ = state.files.delete(&object_key(id)).await;
            return Err(unavailable(error));
        }
    }
    let row = attachments::Model {
        id,
        uploader_id: uploader.id,
        community_id: access.community.id,
        channel_id: access.channel.id,
        message_id: None,
        name,
        content_type: examined.content_type,
        size: bytes.len() as i64,
        kind: examined.kind.as_str().to_string(),
        width: examined.size.map(|(w, _)| w as i32),
        height: examined.size.map(|(_, h)| h as i32),
        thumbnail: examined.thumbnail.is_some(),
        duration_ms: recording.as_ref().map(|r| r.duration_ms as i32),
        waveform: recording.map(|r| r.waveform).filter(|w| !w.is_empty()),
        created_at: Utc::now(),
    };
    if let Err(error) = repo::insert(&state.db, row.clone()).await {
        // Nothing half-kept: the bytes go with the row that was not written.
        forget_objects(state, &row).await;
        return Err(error.into());
    }
    // Counted again with this one in: of a burst that all passed the first check, those past
    // the cap take theirs back, so the cap holds however many arrive at once.
    if repo::unsent_of(&state.db, uploader.id).await? > UNSENT_MAX as u64 {
        remove(state, vec![row]).await;
        return Err(too_many_waiting());
    }
    tracing::info!(file = %id, channel = %access.channel.id, size = row.size, kind = %row.kind, "file uploaded");
    Ok(present(&row))
}

/// The uploads a message is sent with: the sender's own, for this channel, not sent yet, at
/// most [`MAX_PER_MESSAGE`]. Checked before the message is queued; the writer claims them in
/// the message's transaction (which refuses the message if one was sent meanwhile).
pub async fn for_sending(
    state: &AppState,
    author: UserId,
    channel: ChannelId,
    ids: &[String],
) -> Result<Vec<Attachment>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    if ids.len() > MAX_PER_MESSAGE {
        return Err(AppError::Validation(says!(
            "server.files.too_many",
            max = MAX_PER_MESSAGE
        )));
    }
    let gone = || AppError::Validation(says!("server.files.gone"));
    let mut wanted = Vec::with_capacity(ids.len());
    for id in ids {
        let id = Uuid::parse_str(id.trim()).map_err(|_| gone())?;
        if !wanted.contains(&id) {
            wanted.push(id);
        }
    }
    let rows = repo::by_ids(&state.db, wanted.clone()).await?;
    let usable = |row: &&attachments::Model| {
        row.uploader_id == author.0 && row.channel_id == channel.0 && row.message_id.is_none()
    };
    if rows.iter().filter(usable).count() != wanted.len() {
        return Err(gone());
    }
    // In the order they were attached.
    Ok(wanted
        .iter()
        .filter_map(|id| rows.iter().find(|r| r.id == *id))
        .map(present)
        .collect())
}

/// The files of these messages, by message, each in the order it was sent with them.
pub async fn of_messages(
    state: &AppState,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, Vec<Attachment>>, AppError> {
    let mut by_message: HashMap<Uuid, Vec<Attachment>> = HashMap::new();
    for row in repo::of_messages(&state.db, ids).await? {
        if let Some(message) = row.message_id {
            by_message.entry(message).or_default().push(present(&row));
        }
    }
    Ok(by_message)
}

/// Files as a kind of message part: the timeline's attachments.
pub struct FileParts;

#[async_trait::async_trait]
impl crate::chat::parts::PartKind for FileParts {
    async fn present(
        &self,
        state: &AppState,
        standing: &[Uuid],
        messages: &mut [crate::chat::ChatMessage],
    ) -> Result<(), AppError> {
        let files = of_messages(state, standing.to_vec()).await?;
        crate::chat::parts::place(messages, files, |message, files| {
            message.attachments = files
        });
        Ok(())
    }
}

#[async_trait::async_trait]
impl crate::chat::parts::Attaching for FileParts {
    async fn for_sending(
        &self,
        state: &AppState,
        (author, channel): (Uuid, Uuid),
        ids: &[String],
    ) -> Result<Vec<Attachment>, AppError> {
        for_sending(state, UserId(author), ChannelId(channel), ids).await
    }

    async fn claim(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        message: MessageId,
        files: &[Attachment],
        sender: (Uuid, Uuid),
    ) -> Result<Result<(), AppError>, AppError> {
        let wanted: Vec<Uuid> = files
            .iter()
            .filter_map(|a| Uuid::parse_str(&a.id).ok())
            .collect();
        let claimed = repo::claim(txn, message.0, wanted.clone(), sender).await?;
        if claimed == wanted.len() as u64 {
            return Ok(Ok(()));
        }
        repo::release(txn, message.0).await?;
        Ok(Err(AppError::Validation(says!("server.files.gone"))))
    }

    async fn release(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        message: MessageId,
    ) -> Result<(), AppError> {
        Ok(repo::release(txn, message.0).await?)
    }
}

/// A file's bytes (or its thumbnail's) for a reader: the uploader while it is unsent, then
/// whoever may read its message's channel. Anyone else is told it does not exist.
pub async fn read(
    state: &AppState,
    reader: Option<UserId>,
    id: &str,
    thumbnail: bool,
) -> Result<(attachments::Model, Bytes), AppError> {
    let not_found = || AppError::NotFound(says!("server.files.not_found"));
    let id = Uuid::parse_str(id.trim()).map_err(|_| not_found())?;
    let row = repo::by_id(&state.db, id).await?.ok_or_else(not_found)?;
    match row.message_id {
        None if reader == Some(UserId(row.uploader_id)) => {}
        None => return Err(not_found()),
        Some(message) => {
            let message = chat::message(&state.db, message)
                .await?
                .filter(|m| m.deleted_at.is_none())
                .ok_or_else(not_found)?;
            messages::channel_access(state, reader, ChannelId(message.channel_id)).await?;
        }
    }
    if thumbnail && !row.thumbnail {
        return Err(not_found());
    }
    let key = if thumbnail {
        thumbnail_key(row.id)
    } else {
        object_key(row.id)
    };
    match state.files.get(&key).await {
        Ok(bytes) => Ok((row, bytes)),
        Err(StoreError::Missing) => Err(not_found()),
        Err(other) => Err(unavailable(other)),
    }
}

/// The uploader takes back a file they have not sent (removed from the composer).
pub async fn discard(state: &AppState, uploader: UserId, id: &str) -> Result<(), AppError> {
    let not_found = || AppError::NotFound(says!("server.files.not_found"));
    let id = Uuid::parse_str(id.trim()).map_err(|_| not_found())?;
    let row = repo::by_id(&state.db, id)
        .await?
        .filter(|r| r.uploader_id == uploader.0 && r.message_id.is_none())
        .ok_or_else(not_found)?;
    remove(state, vec![row]).await;
    Ok(())
}

/// A deleted message's files go with it: a listener of the messages core.
pub struct FilesOfDeleted;

#[async_trait::async_trait]
impl crate::chat::activity::Listener for FilesOfDeleted {
    async fn hear(&self, state: &AppState, activity: &crate::chat::activity::MessageActivity<'_>) {
        if let crate::chat::activity::MessageActivity::Deleted { message, .. } = activity {
            remove_of_message(state, MessageId(message.id)).await;
        }
    }
}

/// A deleted community's files go with it: their rows in the deletion's transaction, their
/// bytes once it has committed (the sweep finds any upload that raced the deletion).
pub struct FilesOfCommunity;

#[async_trait::async_trait]
impl crate::community::settings::Ending for FilesOfCommunity {
    async fn within(
        &self,
        state: &AppState,
        txn: &sea_orm::DatabaseTransaction,
        community: CommunityId,
    ) -> Result<Option<crate::community::settings::Afterwards>, sea_orm::DbErr> {
        let rows = repo::of_community(txn, community.0).await?;
        let state = state.clone();
        Ok(Some(Box::pin(async move { remove(&state, rows).await })))
    }
}

/// Removes a deleted message's files now (the sweep would, later).
pub async fn remove_of_message(state: &AppState, message: MessageId) {
    match repo::of_messages(&state.db, vec![message.0]).await {
        Ok(rows) => remove(state, rows).await,
        Err(error) => tracing::warn!(error = %error, "could not find a deleted message's files"),
    }
}

/// Removes files: their bytes first, then their rows — a row whose bytes could not be removed
/// stays for the next sweep to try again.
pub async fn remove(state: &AppState, rows: Vec<attachments::Model>) {
    let mut gone = Vec::with_capacity(rows.len());
    for row in rows {
        if forget_objects(state, &row).await {
            gone.push(row.id);
        }
    }
    if let Err(error) = repo::delete(&state.db, gone).await {
        tracing::warn!(error = %error, "could not delete the rows of removed files");
    }
}

/// Deletes a file's bytes and thumbnail; whether both are gone.
async fn forget_objects(state: &AppState, row: &attachments::Model) -> bool {
    let mut ok = true;
    for key in [object_key(row.id), thumbnail_key(row.id)] {
        if let Err(error) = state.files.delete(&key).await {
            tracing::warn!(error = %error, file = %row.id, "could not remove a file from the store");
            ok = false;
        }
    }
    ok
}

/// One sweep: uploads never sent within the hour, and files whose message, channel or
/// community is gone. How many were removed.
pub async fn sweep(state: &AppState) -> Result<usize, AppError> {
    let before = Utc::now() - Duration::minutes(UNSENT_KEPT_MINUTES);
    let rows = repo::unwanted(&state.db, before, SWEEP_BATCH).await?;
    let count = rows.len();
    if count > 0 {
        remove(state, rows).await;
        tracing::info!(files = count, "swept files nobody will read");
    }
    Ok(count)
}

/// Sweeps every `FILE_SWEEP_SECS`, for as long as the server runs.
pub async fn keep_swept(state: AppState) {
    let every = std::time::Duration::from_secs(state.config.files.sweep_secs);
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(error) = sweep(&state).await {
            tracing::warn!(error = %error, "the file sweep failed; it runs again soon");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    fn png(width: u32, height: u32, alpha: bool) -> Bytes {
        let mut out = Cursor::new(Vec::new());
        let picture = if alpha {
            image::DynamicImage::ImageRgba8(image::RgbaImage::new(width, height))
        } else {
            image::DynamicImage::ImageRgb8(image::RgbImage::new(width, height))
        };
        picture.write_to(&mut out, image::ImageFormat::Png).unwrap();
        Bytes::from(out.into_inner())
    }

    #[tokio::test]
    async fn the_type_comes_from_the_bytes() {
        let small = examine(&png(40, 30, false)).await;
        assert_eq!(small.content_type, "image/png");
        assert_eq!(small.kind, AttachmentKind::Image);
        assert_eq!(small.size, Some((40, 30)));
        assert!(
            small.thumbnail.is_none(),
            "small images are their own preview"
        );

        assert_eq!(
            examine(&Bytes::from_static(b"%PDF-1.7\n..."))
                .await
                .content_type,
            "application/pdf"
        );
        let text = examine(&Bytes::from_static(b"date,close\n2026-11-25,201.5\n")).await;
        assert_eq!(
            (text.content_type.as_str(), text.kind),
            ("text/plain", AttachmentKind::File)
        );
        let binary = examine(&Bytes::from_static(&[0u8, 159, 146, 150, 0, 1])).await;
        assert_eq!(binary.content_type, "application/octet-stream");
    }

    #[tokio::test]
    async fn large_images_get_a_thumbnail_in_a_format_that_keeps_them() {
        let photo = examine(&png(1600, 900, false)).await;
        let thumbnail = photo.thumbnail.expect("a thumbnail");
        assert_eq!(infer::get(&thumbnail).unwrap().mime_type(), "image/jpeg");
        let decoded = image::load_from_memory(&thumbnail).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (640, 360));

        let logo = examine(&png(1000, 1000, true)).await;
        assert_eq!(
            infer::get(&logo.thumbnail.unwrap()).unwrap().mime_type(),
            "image/png",
            "transparency stays"
        );
    }

    #[tokio::test]
    async fn a_file_that_only_looks_like_an_image_is_a_file() {
        let fake = png(10, 10, false).slice(..40);
        let examined = examine(&fake).await;
        assert_eq!(examined.content_type, "image/png");
        assert_eq!(examined.kind, AttachmentKind::File);
    }
}
