//! The session cookies and what a request says about where it comes from. Browsers hold both
//! tokens in HttpOnly, SameSite=Lax cookies (Secure over https) and never see them; scripts
//! send `Authorization: Bearer <token>`. Who the tokens name is `auth::caller`'s business.

use std::net::SocketAddr;

use axum::{
    extract::ConnectInfo,
    http::{header, HeaderMap, HeaderValue},
};

use super::state::AppState;

pub const ACCESS_COOKIE: &str = "bullpen_access";
pub const REFRESH_COOKIE: &str = "bullpen_refresh";

/// Leaves out of a response the language cookie set again to the value the request carried.
/// The i18n provider writes it on every page it renders, so a page that comes back late
/// undoes a choice made meanwhile: the service worker's copy of the home page, asked for in the
/// old language just as a person switched in Settings, set the old language back (seen in the
/// end-to-end tests). Saying again what the browser already holds changes nothing else.
pub async fn no_language_echo(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let held = cookie(request.headers(), crate::kit::languages::LANGUAGE_COOKIE);
    let mut response = next.run(request).await;
    let Some(held) = held else {
        return response;
    };
    let echo = format!("{}={held};", crate::kit::languages::LANGUAGE_COOKIE);
    let headers = response.headers_mut();
    let set = headers.get_all(header::SET_COOKIE).iter().count();
    let kept: Vec<HeaderValue> = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter(|value| !value.to_str().is_ok_and(|v| v.starts_with(&echo)))
        .cloned()
        .collect();
    if kept.len() < set {
        headers.remove(header::SET_COOKIE);
        for value in kept {
            headers.append(header::SET_COOKIE, value);
        }
    }
    response
}

/// The request's access token: the Bearer header first, else the cookie.
pub fn access_token(headers: &HeaderMap) -> Option<String> {
    bearer_token(headers).or_else(|| cookie(headers, ACCESS_COOKIE))
}

/// The token of an `Authorization: Bearer …` header: what a program sends (the app's pages
/// use the cookie).
pub fn bearer_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_owned())
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

/// Rewrites the request's Cookie header so that handlers see the fresh access token.
pub fn replace_access_cookie(headers: &mut HeaderMap, access: &str) {
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
