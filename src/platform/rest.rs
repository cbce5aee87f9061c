//! What every REST route (the public API, `/api/v1`, and the app's own addresses outside server
//! functions) shares: its extractors, which refuse a body, query or address they cannot read
//! with the app's one error shape (`{"error", "code", …}`, a sentence in the caller's language,
//! never more than a short piece of what was sent) instead of axum's plain text — every route
//! takes its arguments through them, which `tests/floors.rs` checks — and the API's OpenAPI
//! pieces that no domain owns.

use axum::{
    extract::{FromRequest, FromRequestParts, Path, Query, Request},
    http::request::Parts,
    Json,
};
use serde::de::DeserializeOwned;

use super::error::AppError;

/// How long a download may be kept: not at all (`NoStore`, an account's data), or only by the
/// person's own browser, checked each time (`Private`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    NoStore,
    Private,
}

/// A file to save rather than show: its type, `attachment` under `name` (left unnamed if the
/// name would not fit inside the header's quotes), and how long it may be kept.
pub fn download(
    name: &str,
    content_type: &'static str,
    body: impl Into<axum::body::Body>,
    keep: Keep,
) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let mut response = axum::response::Response::new(body.into());
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let plain = !name
        .chars()
        .any(|c| c == '"' || c == '\\' || c.is_control());
    let disposition = if plain {
        HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
            .unwrap_or(HeaderValue::from_static("attachment"))
    } else {
        HeaderValue::from_static("attachment")
    };
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(match keep {
            Keep::NoStore => "no-store",
            Keep::Private => "private, no-cache",
        }),
    );
    response
}

/// Where every route of the public API lives.
pub const V1: &str = "/api/v1";

/// The most of a decoder's reason an error repeats: enough to name the field, never the whole
/// of what was sent.
const REASON_MAX_CHARS: usize = 200;

/// A decoder's reason for refusing a request, cut to [`REASON_MAX_CHARS`].
fn reason(text: String) -> String {
    match text.char_indices().nth(REASON_MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// A JSON body, or a 400/415 in the app's error shape (`security::guard` has refused one over
/// its address's limit already).
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        use axum::extract::rejection::JsonRejection;
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(JsonBody(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::UnsupportedMediaType),
            Err(other) => Err(AppError::BadRequest(reason(other.body_text()))),
        }
    }
}

/// Query arguments, or a 400 in the app's error shape.
pub struct QueryArgs<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryArgs<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| QueryArgs(value))
            .map_err(|rejection| AppError::BadRequest(reason(rejection.body_text())))
    }
}

/// The address's own parts (`/api/v1/messages/{id}`), or a 400 in the app's error shape —
/// never axum's text, which repeats what it could not read.
pub struct PathArgs<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathArgs<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        use axum::extract::rejection::PathRejection;
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(PathArgs(value)),
            Err(PathRejection::FailedToDeserializePathParams(failed)) => {
                use axum::extract::path::ErrorKind;
                Err(match failed.into_kind() {
                    ErrorKind::InvalidUtf8InPathParam { key } => AppError::BadRequest(reason(
                        format!("the address's `{key}` is not UTF-8 text"),
                    )),
                    ErrorKind::ParseErrorAtKey { key, .. }
                    | ErrorKind::DeserializeError { key, .. } => AppError::BadRequest(reason(
                        format!("the address's `{key}` cannot be read"),
                    )),
                    _ => AppError::BadRequest("the address cannot be read".into()),
                })
            }
            Err(other) => Err(AppError::BadRequest(reason(other.body_text()))),
        }
    }
}

/// The security scheme every protected operation names: `Authorization: Bearer <token>`, a
/// personal access token (`bp_…`, with scopes) or a session's access token (every scope).
pub struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_download_is_named_typed_and_kept_as_asked() {
        let file = download("a.csv", "text/csv; charset=utf-8", "x", Keep::Private);
        assert_eq!(
            file.headers()["content-disposition"],
            "attachment; filename=\"a.csv\""
        );
        assert_eq!(file.headers()["content-type"], "text/csv; charset=utf-8");
        assert_eq!(file.headers()["cache-control"], "private, no-cache");
        let odd = download("a\"b.csv", "text/csv", "x", Keep::NoStore);
        assert_eq!(odd.headers()["content-disposition"], "attachment");
        assert_eq!(odd.headers()["cache-control"], "no-store");
    }
}
