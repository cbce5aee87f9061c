//! Files in the public REST API (`/api/v1/files`): a bot uploads a file to a channel (then
//! sends it with a message's `attachments`) and downloads what its person may read — the same
//! checks, limits and storage as the app's own upload and download.

use axum::{
    body::Bytes,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde::Deserialize;

use super::{service, Attachment};
use crate::auth::UserId;
use crate::{
    auth::{caller::ApiCaller, Scope},
    community::ChannelId,
    platform::{
        error::{AppError, WireError},
        rest::{PathArgs, QueryArgs},
        state::AppState,
    },
};

/// Where the public API takes files (one fixed address, so the body limit can name it).
pub const V1_UPLOAD_PATH: &str = "/api/v1/files";

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct UploadArgs {
    /// The channel the file is for.
    pub channel_id: String,
    /// The file's name as readers will see it.
    #[serde(default)]
    pub name: String,
}

/// Uploads a file (the request's body, `application/octet-stream`) to a channel: unsent until
/// a message names it in `attachments`, forgotten after a day if none does.
#[utoipa::path(
    post,
    path = "/api/v1/files",
    tag = "files",
    params(UploadArgs),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file's bytes"),
    security(("bearer" = ["chat:write"])),
    responses(
        (status = 201, description = "Stored; its id goes in a message's `attachments`", body = Attachment),
        (status = 400, body = WireError),
        (status = 401, body = WireError),
        (status = 403, description = "May not post there; or the token lacks the scope", body = WireError),
        (status = 404, body = WireError),
        (status = 413, description = "Over the size limit", body = WireError),
        (status = 415, description = "Not sent as `application/octet-stream`", body = WireError),
        (status = 422, description = "Empty, or a type that is refused", body = WireError),
    )
)]
pub async fn upload(
    State(state): State<AppState>,
    caller: ApiCaller,
    QueryArgs(to): QueryArgs<UploadArgs>,
    body: Bytes,
) -> Result<(StatusCode, Json<Attachment>), AppError> {
    let user = caller.may(Scope::ChatWrite)?;
    let channel = ChannelId::parse(&to.channel_id)?;
    let stored = service::upload(&state, user, channel, (&to.name, None), body).await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

/// A file's bytes, for someone who may read its message's channel (or its uploader while it
/// is unsent).
#[utoipa::path(
    get,
    path = "/api/v1/files/{file_id}",
    tag = "files",
    params(("file_id" = String, Path, description = "The file's id")),
    security(("bearer" = ["chat:read"])),
    responses(
        (status = 200, description = "The bytes, with the file's type and name"),
        (status = 401, body = WireError),
        (status = 403, body = WireError),
        (status = 404, description = "No such file, or not one the person may read", body = WireError),
    )
)]
pub async fn download(
    State(state): State<AppState>,
    caller: ApiCaller,
    PathArgs(file_id): PathArgs<String>,
) -> Result<Response, AppError> {
    let user = caller.may(Scope::ChatRead)?;
    let (row, bytes) = service::read(&state, Some(UserId(user.id)), &file_id, false).await?;
    Ok(super::api::served(&row, bytes, false).into_response())
}
