//! Files over HTTP: `POST /api/files/upload?channelId=…&name=…` (and `&durationMs=…&waveform=…`
//! for a voice message) with the bytes as the body
//! (`application/octet-stream`), `GET /api/files/<id>/<name>` and `GET /api/files/<id>/thumbnail`
//! to read them, and `POST /api/files/discard` to take back an unsent upload.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::platform::error::AppError;

/// Takes back a file uploaded and not sent (removed from the composer before sending).
#[server(prefix = "/api/files", endpoint = "discard", input = Json)]
pub async fn discard_upload(id: String) -> Result<(), AppError> {
    crate::platform::state::respond(
        async move {
            let state = crate::platform::state::AppState::current()?;
            let me = crate::auth::caller::current_user().await?;
            super::service::discard(&state, crate::auth::UserId(me.user.id), &id).await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
pub use server::{download, served, upload};

#[cfg(feature = "ssr")]
mod server {
    use axum::{
        body::Bytes,
        extract::State,
        http::{header, HeaderValue},
        response::{IntoResponse, Response},
        Json,
    };
    use serde::Deserialize;

    use crate::{
        auth::caller::CurrentUser,
        community::ChannelId,
        platform::{
            rest::{PathArgs, QueryArgs},
            state::AppState,
        },
    };

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct UploadTo {
        channel_id: String,
        #[serde(default)]
        name: String,
        /// A voice message: its length, and its waveform (hex digits, one per bar).
        duration_ms: Option<u32>,
        #[serde(default)]
        waveform: String,
    }

    /// The file as the body; its description (id, type read from the bytes, size, thumbnail)
    /// back.
    pub async fn upload(
        State(state): State<AppState>,
        caller: CurrentUser,
        QueryArgs(to): QueryArgs<UploadTo>,
        body: Bytes,
    ) -> Response {
        let stored = async {
            let channel = ChannelId::parse(&to.channel_id)?;
            let recording = to
                .duration_ms
                .map(|duration_ms| super::super::service::Recording {
                    duration_ms,
                    waveform: to.waveform.clone(),
                });
            super::super::service::upload(
                &state,
                &caller.user,
                channel,
                (&to.name, recording),
                body,
            )
            .await
        }
        .await;
        match stored {
            Ok(attachment) => Json(attachment).into_response(),
            Err(error) => error.into_response(),
        }
    }

    /// A file, or its thumbnail (`…/thumbnail`), for someone who may read its channel. Images
    /// show in the page; everything else downloads under its name. Never sniffed, never run:
    /// the answer is a sandboxed document to the browser.
    pub async fn download(
        State(state): State<AppState>,
        caller: Option<CurrentUser>,
        PathArgs((id, name)): PathArgs<(String, String)>,
    ) -> Response {
        let thumbnail = name == "thumbnail";
        let reader = caller.map(|c| c.user.id);
        let (row, bytes) = match super::super::service::read(
            &state,
            reader.map(crate::auth::UserId),
            &id,
            thumbnail,
        )
        .await
        {
            Ok(found) => found,
            Err(error) => return error.into_response(),
        };
        served(&row, bytes, thumbnail)
    }

    /// A file's bytes as the answer: its type (markup and scripts as plain text), shown or
    /// saved under its name, kept only by the reader's browser, sandboxed.
    pub fn served(
        row: &crate::entities::attachments::Model,
        bytes: Bytes,
        thumbnail: bool,
    ) -> Response {
        let content_type = if thumbnail {
            infer::get(&bytes)
                .map(|t| t.mime_type())
                .unwrap_or("application/octet-stream")
                .to_string()
        } else if row.content_type == "text/plain" || runs_in_a_browser(&row.content_type) {
            // Markup and scripts are served as the text they are, never as a page.
            "text/plain; charset=utf-8".to_string()
        } else {
            row.content_type.clone()
        };
        let inline = thumbnail || row.kind == "image" || row.kind == "voice";
        let disposition = format!(
            "{}; filename=\"{}\"; filename*=UTF-8''{}",
            if inline { "inline" } else { "attachment" },
            ascii_fallback(&row.name),
            super::super::encode_segment(&row.name)
        );
        let mut response = bytes.into_response();
        let headers = response.headers_mut();
        let mut set = |name: header::HeaderName, value: &str| {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(name, value);
            }
        };
        set(header::CONTENT_TYPE, &content_type);
        set(header::CONTENT_DISPOSITION, &disposition);
        // A file never changes under its id; only the reader's own browser keeps it.
        set(
            header::CACHE_CONTROL,
            "private, max-age=31536000, immutable",
        );
        set(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
        );
        response
    }

    /// Types a browser would render or run if it were ever asked to show the file.
    fn runs_in_a_browser(content_type: &str) -> bool {
        matches!(
            content_type,
            "text/html"
                | "application/xhtml+xml"
                | "image/svg+xml"
                | "text/xml"
                | "application/xml"
                | "text/javascript"
                | "application/javascript"
        )
    }

    /// The name with anything outside printable ASCII (and quotes) replaced, for old clients.
    fn ascii_fallback(name: &str) -> String {
        name.chars()
            .map(|c| {
                if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    }
}
