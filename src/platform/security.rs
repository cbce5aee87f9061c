//! The browser boundary: one middleware in front of every route.
//!
//! - **Origin**: a state-changing request (POST, PUT, PATCH, DELETE) and every websocket upgrade
//!   must come from the site's own origin — `BULLPEN_PUBLIC_URL`, else the request's `Host`.
//!   Browsers send `Origin` on all of these; a foreign one (or `null`) is refused with 403. With
//!   no `Origin`, `Sec-Fetch-Site` decides when the browser sent it. Scripts send neither and
//!   authenticate with a Bearer token, which no other site can make a browser send: they pass.
//!   This also refuses login CSRF (a foreign form signing a browser into an attacker's account),
//!   which no cookie protects.
//! - **Content type**: a body must be JSON or a form. A foreign page can POST `text/plain` or
//!   `multipart/form-data` without a CORS preflight; such a body is never decoded as JSON (415).
//!   The few addresses that take a file take it as `application/octet-stream` only, which no
//!   foreign page can send without a preflight this server never answers.
//! - **Size**: a body over its address's limit is refused with 413 before anything reads it;
//!   a body that is not UTF-8 (as JSON and forms must be) with 400.
//! - **Headers** on every answer: a Content-Security-Policy with a fresh nonce (the page's inline
//!   hydration script carries it, see `app::shell`), `frame-ancestors 'none'`, `nosniff`, a
//!   Referrer-Policy, `Cache-Control: no-store` on answers for a signed-in person, HSTS over https.

use std::sync::Arc;

use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, request::Parts, HeaderMap, HeaderValue, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::{config::Config, cookies, error::AppError};

/// The default body limit. Server functions take a few fields, a chat message is at most 4,000
/// characters: 1 MiB is generous, and small enough that no one ties up memory with huge bodies.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// What the middleware needs to know, built once by the router.
#[derive(Debug, Clone)]
pub struct Boundary {
    /// `BULLPEN_PUBLIC_URL`'s origin ("https://bullpen.example"), when configured.
    public_origin: Option<String>,
    /// Whether `X-Forwarded-Proto` can be believed (`BULLPEN_TRUST_PROXY`).
    trust_proxy: bool,
    /// Addresses that take larger bodies than `DEFAULT_BODY_LIMIT`, with their limit.
    larger_bodies: Vec<(&'static str, usize)>,
    /// Addresses whose body is a file's bytes (`application/octet-stream`), not text.
    binary_bodies: Vec<&'static str>,
}

impl Boundary {
    pub fn new(config: &Config, larger_bodies: &[(&'static str, usize)]) -> Boundary {
        Boundary {
            public_origin: config.public_origin.clone(),
            trust_proxy: config.trust_proxy,
            larger_bodies: larger_bodies.to_vec(),
            binary_bodies: Vec::new(),
        }
    }

    /// `path` takes a file's bytes of up to `limit`, as `application/octet-stream`.
    pub fn with_binary_body(mut self, path: &'static str, limit: usize) -> Boundary {
        self.larger_bodies.push((path, limit));
        self.binary_bodies.push(path);
        self
    }

    fn body_limit(&self, path: &str) -> usize {
        self.larger_bodies
            .iter()
            .find(|(p, _)| *p == path)
            .map_or(DEFAULT_BODY_LIMIT, |(_, limit)| *limit)
    }

    /// The site's own origin for this request.
    fn site_origin(&self, headers: &HeaderMap, parts_host: Option<&str>) -> Option<String> {
        if let Some(origin) = &self.public_origin {
            return Some(origin.clone());
        }
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or(parts_host)?;
        let scheme = if self.trust_proxy && cookies::is_https(headers) {
            "https"
        } else {
            "http"
        };
        normalize_origin(&format!("{scheme}://{host}"))
    }

    /// Whether answers go over https: the public URL says so, or a trusted proxy does.
    fn over_https(&self, headers: &HeaderMap) -> bool {
        match &self.public_origin {
            Some(origin) => origin.starts_with("https://"),
            None => self.trust_proxy && cookies::is_https(headers),
        }
    }
}

/// The CSP nonce of one answer, put in the request's extensions for the page shell
/// (`app::shell` hands it to Leptos, whose hydration scripts carry it).
#[derive(Debug, Clone)]
pub struct CspNonce(pub Arc<str>);

impl CspNonce {
    fn fresh() -> CspNonce {
        let bytes: [u8; 16] = rand::random();
        CspNonce(hex::encode(bytes).into())
    }

    /// The nonce of the request being rendered, if the middleware ran.
    pub fn of(parts: &Parts) -> Option<CspNonce> {
        parts.extensions.get::<CspNonce>().cloned()
    }
}

/// Marks a response as one of the site's files (WASM, JS, CSS, icons): public and cacheable,
/// whoever asked for it.
#[derive(Debug, Clone, Copy)]
pub struct StaticFile;

/// The middleware (see the module's documentation).
pub async fn guard(
    State(boundary): State<Arc<Boundary>>,
    request: Request,
    next: Next,
) -> Response {
    let over_https = boundary.over_https(request.headers());
    let credentialed = carries_credentials(request.headers());
    let nonce = CspNonce::fresh();
    let mut response = match admit(&boundary, request).await {
        Ok(mut admitted) => {
            admitted.extensions_mut().insert(nonce.clone());
            next.run(admitted).await
        }
        Err(refusal) => {
            let unread = matches!(refusal, AppError::PayloadTooLarge { .. });
            let mut response = refusal.into_response();
            // The body was left unread: this connection cannot carry another request (a
            // client that reused it would find it broken), so it ends with this answer.
            if unread {
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            response
        }
    };
    secure_headers(&mut response, &nonce, over_https, credentialed);
    response
}

/// Checks a request at the boundary; the request back (its body read and checked) or the
/// refusal.
async fn admit(boundary: &Boundary, request: Request) -> Result<Request, AppError> {
    let changes_state = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    );
    if changes_state || is_websocket_upgrade(request.headers()) {
        check_origin(boundary, &request)?;
    }
    if !changes_state {
        return Ok(request);
    }
    let content_type = request.headers().get(header::CONTENT_TYPE).cloned();
    let binary = boundary.binary_bodies.contains(&request.uri().path());
    let acceptable = |value: &HeaderValue| {
        if binary {
            value
                .to_str()
                .is_ok_and(|v| v.trim().eq_ignore_ascii_case("application/octet-stream"))
        } else {
            accepted_body_type(value)
        }
    };
    if content_type
        .as_ref()
        .is_some_and(|value| !acceptable(value))
    {
        return Err(AppError::UnsupportedMediaType);
    }
    let limit = boundary.body_limit(request.uri().path());
    let too_large = AppError::PayloadTooLarge {
        limit_bytes: limit as u64,
    };
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|length| length > limit as u64) {
        return Err(too_large);
    }
    // Read the body here, so that a streamed one over the limit is a 413 too (the server
    // function would only see a broken body).
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large)?;
    if content_type.is_none() && !bytes.is_empty() {
        return Err(AppError::UnsupportedMediaType);
    }
    // JSON and forms are UTF-8 text (RFC 8259); serde_json would let invalid bytes through in a
    // field it skips, and a form decoder would fail with a less useful reason.
    if !binary && std::str::from_utf8(&bytes).is_err() {
        return Err(AppError::BadRequest("the body is not valid UTF-8".into()));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// The Origin rule (see the module's documentation).
fn check_origin(boundary: &Boundary, request: &Request) -> Result<(), AppError> {
    let headers = request.headers();
    if let Some(origin) = headers.get(header::ORIGIN) {
        let site = boundary.site_origin(headers, request.uri().authority().map(|a| a.as_str()));
        let theirs = origin.to_str().ok().and_then(normalize_origin);
        return match (theirs, site) {
            (Some(theirs), Some(site)) if theirs == site => Ok(()),
            _ => Err(AppError::ForbiddenOrigin),
        };
    }
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        // `none`: the person typed the address or used a bookmark.
        None | Some("same-origin") | Some("none") => Ok(()),
        // `same-site` is a sibling subdomain: another site as far as sessions go.
        Some(_) => Err(AppError::ForbiddenOrigin),
    }
}

fn is_websocket_upgrade(headers: &HeaderMap) -> bool {
    headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// JSON or a form: what server functions decode (`input = Json`, and Leptos' `PostUrl` default).
fn accepted_body_type(value: &HeaderValue) -> bool {
    let essence = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "application/json" | "application/x-www-form-urlencoded"
    )
}

/// A signed-in person's request: a Bearer token or a session cookie.
fn carries_credentials(headers: &HeaderMap) -> bool {
    headers.contains_key(header::AUTHORIZATION)
        || cookies::cookie(headers, cookies::ACCESS_COOKIE).is_some()
        || cookies::cookie(headers, cookies::REFRESH_COOKIE).is_some()
}

/// `scheme://host[:port]` in lower case, without the scheme's default port; `None` for anything
/// else (`null`, a path, another scheme).
pub fn normalize_origin(text: &str) -> Option<String> {
    let text = text.trim().to_ascii_lowercase();
    let (scheme, rest) = text.split_once("://")?;
    let default_port = match scheme {
        "http" => ":80",
        "https" => ":443",
        _ => return None,
    };
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    let valid = !authority.is_empty()
        && authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_'));
    if !valid {
        return None;
    }
    let authority = authority.strip_suffix(default_port).unwrap_or(authority);
    Some(format!("{scheme}://{authority}"))
}

/// The policy the app runs under.
fn content_security_policy(nonce: &CspNonce) -> String {
    let nonce = &nonce.0;
    [
        "default-src 'self'".to_owned(),
        // Files of the site, the inline hydration script by its nonce, and compiling the WASM.
        format!("script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"),
        // Stylesheets are files; `style="…"` attributes are allowed because the server renders
        // a few (community colours, the assistant's gauges) and ECharts positions its tooltips
        // with them. Attributes cannot run code; `<style>` elements stay refused.
        "style-src 'self'".to_owned(),
        "style-src-elem 'self'".to_owned(),
        "style-src-attr 'unsafe-inline'".to_owned(),
        "img-src 'self' data:".to_owned(),
        "font-src 'self'".to_owned(),
        // `'self'` covers the same-origin websocket (ws: and wss:) in CSP Level 3 browsers.
        "connect-src 'self'".to_owned(),
        "worker-src 'self'".to_owned(),
        "manifest-src 'self'".to_owned(),
        "object-src 'none'".to_owned(),
        "base-uri 'none'".to_owned(),
        "form-action 'self'".to_owned(),
        "frame-ancestors 'none'".to_owned(),
    ]
    .join("; ")
}

fn secure_headers(response: &mut Response, nonce: &CspNonce, over_https: bool, credentialed: bool) {
    // An answer that sets a cookie is private even if it is a file (a session renewed on the
    // way): no cache may keep it, or hand the cookie to someone else.
    let private = response.headers().contains_key(header::SET_COOKIE)
        || (credentialed && response.extensions().get::<StaticFile>().is_none());
    let headers = response.headers_mut();
    // A route that set its own, stricter policy keeps it (a file is a sandboxed document).
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(csp) = HeaderValue::from_str(&content_security_policy(nonce)) {
            headers.insert(header::CONTENT_SECURITY_POLICY, csp);
        }
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // For browsers older than `frame-ancestors`.
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Page addresses name communities and channels: other sites learn only that it was us.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    if private {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if over_https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_compare_in_one_spelling() {
        for (text, expected) in [
            ("https://Bullpen.Example", Some("https://bullpen.example")),
            (
                "https://bullpen.example:443",
                Some("https://bullpen.example"),
            ),
            ("https://bullpen.example/", Some("https://bullpen.example")),
            ("http://127.0.0.1:3000", Some("http://127.0.0.1:3000")),
            ("http://localhost:80", Some("http://localhost")),
            ("http://[::1]:3000", Some("http://[::1]:3000")),
            ("null", None),
            ("ftp://bullpen.example", None),
            ("https://bullpen.example/path", None),
            ("https://user@bullpen.example", None),
            ("https://", None),
        ] {
            assert_eq!(normalize_origin(text).as_deref(), expected, "{text}");
        }
    }

    #[test]
    fn only_json_and_forms_are_decoded() {
        for (value, accepted) in [
            ("application/json", true),
            ("Application/JSON; charset=utf-8", true),
            ("application/x-www-form-urlencoded", true),
            ("text/plain", false),
            ("text/plain; charset=utf-8", false),
            ("multipart/form-data; boundary=x", false),
            ("application/json-seq", false),
            ("", false),
        ] {
            assert_eq!(
                accepted_body_type(&HeaderValue::from_static(value)),
                accepted,
                "{value}"
            );
        }
    }

    #[test]
    fn the_policy_names_its_nonce_and_allows_no_inline_script() {
        let nonce = CspNonce::fresh();
        assert_eq!(nonce.0.len(), 32);
        assert_ne!(nonce.0, CspNonce::fresh().0);
        let csp = content_security_policy(&nonce);
        let script = csp
            .split("; ")
            .find(|d| d.starts_with("script-src"))
            .unwrap();
        assert_eq!(
            script,
            format!("script-src 'self' 'nonce-{}' 'wasm-unsafe-eval'", nonce.0)
        );
        assert!(csp.contains("frame-ancestors 'none'"));
    }
}
