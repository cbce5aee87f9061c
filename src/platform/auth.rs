//! Who is making a request. One extractor for every server function (`current_user`), and a
//! middleware that keeps browser sessions alive by rotating the refresh cookie when the short
//! access cookie has expired.
//!
//! Browsers hold both tokens in HttpOnly, SameSite=Lax cookies (Secure over https) and never see
//! them; scripts send `Authorization: Bearer <token>`.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderMap, HeaderValue},
    middleware::Next,
    response::Response,
};
use uuid::Uuid;

use super::{error::AppError, state::AppState};
use crate::{auth::service, entities::users};

pub const ACCESS_COOKIE: &str = "bullpen_access";
pub const REFRESH_COOKIE: &str = "bullpen_refresh";

/// The signed-in person and the session they use.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: users::Model,
    pub session_id: Uuid,
}

/// The person making this server-function call, or a 401.
pub async fn current_user() -> Result<CurrentUser, AppError> {
    optional_user().await?.ok_or(AppError::Unauthorized)
}

/// The person making this call, if signed in; `None` for a guest. A token that is present but
/// invalid also counts as a guest (pages render signed out instead of failing).
pub async fn optional_user() -> Result<Option<CurrentUser>, AppError> {
    let state = leptos::prelude::use_context::<AppState>().ok_or(AppError::Internal)?;
    let parts =
        leptos::prelude::use_context::<axum::http::request::Parts>().ok_or(AppError::Internal)?;
    let Some(token) = access_token(&parts.headers) else {
        return Ok(None);
    };
    match service::authenticate(&state, &token).await {
        Ok((user, session_id)) => Ok(Some(CurrentUser { user, session_id })),
        Err(AppError::Unauthorized) => Ok(None),
        Err(other) => Err(other),
    }
}

/// The request's access token: the Bearer header first, else the cookie.
pub fn access_token(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_owned());
    bearer.or_else(|| cookie(headers, ACCESS_COOKIE))
}

/// The value of one cookie of the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

/// The client's address for throttling: the socket peer, or the first `X-Forwarded-For` hop when
/// the operator says a proxy stands in front (`BULLPEN_TRUST_PROXY`).
pub fn client_address(parts: &axum::http::request::Parts, trust_proxy: bool) -> String {
    if trust_proxy {
        if let Some(first) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            return first.to_owned();
        }
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Whether the browser reached us over https (directly or through a proxy that says so).
pub fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        == Some("https")
}

/// `Set-Cookie` values that sign a browser in.
pub fn session_cookies(
    access: &str,
    refresh: &str,
    state: &AppState,
    secure: bool,
) -> [HeaderValue; 2] {
    [
        cookie_header(
            ACCESS_COOKIE,
            access,
            state.config.access_token_ttl_secs,
            secure,
        ),
        cookie_header(
            REFRESH_COOKIE,
            refresh,
            state.config.refresh_token_ttl_secs,
            secure,
        ),
    ]
}

/// `Set-Cookie` values that sign a browser out.
pub fn cleared_cookies(secure: bool) -> [HeaderValue; 2] {
    [
        cookie_header(ACCESS_COOKIE, "", 0, secure),
        cookie_header(REFRESH_COOKIE, "", 0, secure),
    ]
}

fn cookie_header(name: &str, value: &str, max_age: u64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
    ))
    .expect("token characters are valid in a header")
}

/// Middleware: a browser whose access cookie is missing or expired but whose refresh cookie is
/// good gets a new pair in this response, and this request already runs signed in.
pub async fn keep_session_alive(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let Some(refresh) = cookie(headers, REFRESH_COOKIE) else {
        return next.run(request).await;
    };
    let access_ok = cookie(headers, ACCESS_COOKIE)
        .is_some_and(|t| crate::auth::tokens::verify_access(&state.jwt_secret, &t).is_ok());
    if access_ok || headers.contains_key(header::AUTHORIZATION) {
        return next.run(request).await;
    }
    let secure = is_https(headers);
    match service::refresh(&state, &refresh).await {
        Ok(service::Refreshed::Rotated(session)) => {
            replace_access_cookie(request.headers_mut(), &session.access_token);
            let mut response = next.run(request).await;
            for value in session_cookies(
                &session.access_token,
                &session.refresh_token,
                &state,
                secure,
            ) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            response
        }
        Ok(service::Refreshed::JustRotated { access_token }) => {
            replace_access_cookie(request.headers_mut(), &access_token);
            next.run(request).await
        }
        Err(AppError::Unauthorized) => {
            // A dead session: forget its cookies so the browser stops presenting them.
            let mut response = next.run(request).await;
            for value in cleared_cookies(secure) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            response
        }
        Err(other) => {
            tracing::warn!(error = %other, "could not refresh a session");
            next.run(request).await
        }
    }
}

/// Rewrites the request's Cookie header so that handlers see the fresh access token.
fn replace_access_cookie(headers: &mut HeaderMap, access: &str) {
    let others: Vec<String> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .filter(|pair| !pair.is_empty() && !pair.starts_with(&format!("{ACCESS_COOKIE}=")))
        .map(String::from)
        .collect();
    let mut all = others;
    all.push(format!("{ACCESS_COOKIE}={access}"));
    headers.remove(header::COOKIE);
    if let Ok(value) = HeaderValue::from_str(&all.join("; ")) {
        headers.insert(header::COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_and_bearer_tokens_are_read() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; bullpen_access=abc; b=2"),
        );
        assert_eq!(access_token(&headers).as_deref(), Some("abc"));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer xyz"),
        );
        assert_eq!(
            access_token(&headers).as_deref(),
            Some("xyz"),
            "the header wins"
        );
        assert_eq!(cookie(&headers, "b").as_deref(), Some("2"));
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn the_access_cookie_is_replaced_and_others_kept() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("i18n_pref_locale=tr; bullpen_access=old"),
        );
        replace_access_cookie(&mut headers, "new");
        assert_eq!(cookie(&headers, ACCESS_COOKIE).as_deref(), Some("new"));
        assert_eq!(cookie(&headers, "i18n_pref_locale").as_deref(), Some("tr"));
    }

    #[test]
    fn session_cookies_are_http_only_and_lax() {
        let value = cookie_header(ACCESS_COOKIE, "t", 900, true);
        let text = value.to_str().unwrap();
        assert!(
            text.contains("HttpOnly") && text.contains("SameSite=Lax") && text.contains("Secure"),
            "{text}"
        );
        assert!(!cookie_header(ACCESS_COOKIE, "t", 900, false)
            .to_str()
            .unwrap()
            .contains("Secure"));
    }
}
