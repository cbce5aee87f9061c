//! What every route of the public REST API (`/api/v1`) shares: its extractors, which refuse a
//! body or query they cannot read with the app's one error shape (`{"error", "code", …}`, a
//! sentence in the caller's language) instead of axum's plain text, and the API's OpenAPI
//! pieces that no domain owns.

use axum::{
    extract::{FromRequest, FromRequestParts, Query, Request},
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

/// A JSON body, or a 400/415 in the app's error shape.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        use axum::extract::rejection::JsonRejection;
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(JsonBody(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::UnsupportedMediaType),
            Err(other) => Err(AppError::BadRequest(other.body_text())),
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
            .map_err(|rejection| AppError::BadRequest(rejection.body_text()))
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
