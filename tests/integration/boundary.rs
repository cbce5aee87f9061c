//! The browser boundary of the real server, on SQLite and (when TEST_DATABASE_URL is set)
//! PostgreSQL: security headers and the CSP nonce, `Cache-Control` on private answers, HSTS,
//! Origin checks (state-changing requests, sign-in, the websocket), content types, body limits,
//! and every server function's decoder answering bad input with a 4xx and a sentence.

use crate::common;

// Linked for its server functions: their registrations are the list the table test walks.
extern crate bullpen;

use std::collections::{BTreeMap, BTreeSet};

use crate::common::harness::Harness;
use reqwest::{header::HeaderMap, Method, StatusCode};
use serde_json::{json, Value};

const FOREIGN: &str = "https://evil.example";

/// One raw request: the status, the headers and the body as JSON (`Null` when it is not).
async fn send(
    h: &Harness,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<reqwest::Body>,
) -> (StatusCode, HeaderMap, Value) {
    let mut request = h.http.request(method, h.server.url(path)).body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

/// The server's own origin, as a browser on it would send it.
fn own_origin(h: &Harness) -> String {
    h.server.base.clone()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// A refusal is the usual JSON error: a sentence and a stable code.
fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, code: &str, what: &str) {
    assert_eq!(status, expected, "{what}: {body}");
    assert_eq!(body["code"], code, "{what}: {body}");
    let sentence = body["error"].as_str().unwrap_or("");
    assert!(
        sentence.len() > 10 && sentence.ends_with('.'),
        "{what}: a sentence, not {body}"
    );
}

/// Signs a browser in through the web app's form endpoint: its `Cookie` header.
async fn browser_cookies(h: &Harness, login: &str) -> String {
    let (status, headers, body) = send(
        h,
        Method::POST,
        "/api/session/sign_in",
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("origin", &own_origin(h)),
        ],
        format!("login={login}&password=correct+horse+battery"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect::<Vec<_>>()
        .join("; ")
}

// ——— headers ———

/// The site's files for tests: the project's `public` directory (charts.js, sw.js, icons).
const PUBLIC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/public");

on_both!(
    every_answer_carries_the_security_headers,
    [("LEPTOS_SITE_ROOT", super::PUBLIC)]
);
async fn every_answer_carries_the_security_headers(h: Harness) {
    // A page, a server function, a static file, a refusal and the 404 page.
    let mut nonces = BTreeSet::new();
    for path in [
        "/",
        "/markets",
        "/api/server_info",
        "/charts.js",
        "/api/auth/me",
        "/no/such/page",
    ] {
        let (status, headers, _) = send(&h, Method::GET, path, &[], "").await;
        let expected = match path {
            "/api/auth/me" => 401,
            "/no/such/page" => 404,
            _ => 200,
        };
        assert_eq!(status.as_u16(), expected, "{path}");
        let csp = header(&headers, "content-security-policy");
        for directive in [
            "default-src 'self'",
            "'wasm-unsafe-eval'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
            "connect-src 'self'",
            "img-src 'self' data:",
        ] {
            assert!(
                csp.contains(directive),
                "{path}: `{directive}` missing from `{csp}`"
            );
        }
        let script_src = csp
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with("script-src "))
            .unwrap_or_else(|| panic!("{path}: no script-src in `{csp}`"));
        assert!(
            !script_src.contains("'unsafe-inline'") && !script_src.contains("'unsafe-eval'"),
            "{script_src}"
        );
        assert_eq!(
            header(&headers, "x-content-type-options"),
            "nosniff",
            "{path}"
        );
        assert_eq!(header(&headers, "x-frame-options"), "DENY", "{path}");
        assert!(!header(&headers, "referrer-policy").is_empty(), "{path}");
        // Plain http: no HSTS (browsers ignore it there, and a test server must not pin it).
        assert!(headers.get("strict-transport-security").is_none(), "{path}");
        nonces.insert(script_src.to_owned());
    }
    assert_eq!(nonces.len(), 6, "each answer has its own nonce: {nonces:?}");

    // The page's inline hydration script carries the nonce its CSP names, and nothing inline
    // runs without it.
    let response = h.http.get(h.server.url("/")).send().await.unwrap();
    let csp = header(response.headers(), "content-security-policy").to_owned();
    let html = response.text().await.unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_else(|| panic!("a nonce in `{csp}`"));
    assert!(nonce.len() >= 22, "at least 128 bits: {nonce}");
    // (An empty `<script></script>`, leptos_i18n's placeholder, has nothing to run: browsers
    // skip it before asking the policy.)
    let inline_scripts: Vec<(&str, &str)> = html
        .split("<script")
        .skip(1)
        .filter_map(|s| s.split_once('>'))
        .map(|(attributes, rest)| (attributes, rest.split("</script>").next().unwrap_or("")))
        .filter(|(attributes, code)| !attributes.contains("src=") && !code.is_empty())
        .collect();
    assert!(
        inline_scripts.len() >= 2,
        "the hydration script and the resources are inline: {html}"
    );
    for (attributes, code) in inline_scripts {
        assert!(
            attributes.contains(&format!("nonce=\"{nonce}\"")),
            "<script{attributes}>{code} lacks the nonce"
        );
    }

    // Over https (a trusted proxy says so), browsers are told to stay on https.
    let (_, headers, _) = send(&h, Method::GET, "/", &[("x-forwarded-proto", "https")], "").await;
    assert!(
        header(&headers, "strict-transport-security").starts_with("max-age="),
        "{headers:?}"
    );
}

on_both!(
    private_answers_are_not_stored,
    [("LEPTOS_SITE_ROOT", super::PUBLIC)]
);
async fn private_answers_are_not_stored(h: Harness) {
    let token = h.register("ana@example.com", "ana_lima").await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let bearer = format!("Bearer {token}");
    let cookies = browser_cookies(&h, "ana_lima").await;

    // Signed in, by token or by cookie: a page or an answer about the person is never stored.
    for (path, credential) in [
        ("/api/auth/me", ("authorization", bearer.as_str())),
        ("/settings", ("cookie", cookies.as_str())),
        ("/", ("cookie", cookies.as_str())),
        ("/api/session/current", ("cookie", cookies.as_str())),
    ] {
        let (status, headers, body) = send(&h, Method::GET, path, &[credential], "").await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert!(
            header(&headers, "cache-control").contains("no-store"),
            "{path}: {headers:?}"
        );
    }
    // An answer that signs a browser in carries its cookies: not stored either.
    let (_, headers, _) = send(
        &h,
        Method::POST,
        "/api/session/sign_in",
        &[("content-type", "application/x-www-form-urlencoded")],
        "login=ana_lima&password=correct+horse+battery",
    )
    .await;
    assert!(
        header(&headers, "cache-control").contains("no-store"),
        "{headers:?}"
    );

    // The site's files stay cacheable for everyone, signed in or not.
    let (status, headers, _) =
        send(&h, Method::GET, "/charts.js", &[("cookie", &cookies)], "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !header(&headers, "cache-control").contains("no-store"),
        "{headers:?}"
    );
}

// ——— Origin ———

on_both!(foreign_origins_cannot_change_state);
async fn foreign_origins_cannot_change_state(h: Harness) {
    let token = h.register("ana@example.com", "ana_lima").await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let cookies = browser_cookies(&h, "ana_lima").await;
    let own = own_origin(&h);
    let json_type = ("content-type", "application/json");
    let form_type = ("content-type", "application/x-www-form-urlencoded");
    let community = |name: &str| {
        json!({"community": {"name": name, "description": "", "iconColor": "#2563eb", "visibility": "public"}})
            .to_string()
    };
    let count = |name: &'static str| {
        let h = &h;
        async move {
            h.scalar(&format!(
                "SELECT CAST(COUNT(*) AS TEXT) FROM communities WHERE name = '{name}'"
            ))
            .await
        }
    };

    // A signed-in browser tricked by another site: refused, and nothing is written.
    for (what, headers) in [
        (
            "foreign Origin",
            vec![json_type, ("cookie", &cookies), ("origin", FOREIGN)],
        ),
        (
            "opaque Origin",
            vec![json_type, ("cookie", &cookies), ("origin", "null")],
        ),
        (
            "same host, other port",
            vec![
                json_type,
                ("cookie", &cookies),
                ("origin", "http://127.0.0.1:1"),
            ],
        ),
        (
            "no Origin, cross-site fetch",
            vec![
                json_type,
                ("cookie", &cookies),
                ("sec-fetch-site", "cross-site"),
            ],
        ),
    ] {
        let (status, _, body) = send(
            &h,
            Method::POST,
            "/api/communities/create",
            &headers,
            community("Forged Club"),
        )
        .await;
        assert_error(
            status,
            &body,
            StatusCode::FORBIDDEN,
            "forbidden_origin",
            what,
        );
    }
    assert_eq!(count("Forged Club").await, "0");

    // The site itself, and scripts (a Bearer token, no Origin), go through.
    let (status, _, body) = send(
        &h,
        Method::POST,
        "/api/communities/create",
        &[
            json_type,
            ("cookie", &cookies),
            ("origin", &own),
            ("sec-fetch-site", "same-origin"),
        ],
        community("Own Club"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let bearer = format!("Bearer {token}");
    let (status, _, body) = send(
        &h,
        Method::POST,
        "/api/communities/create",
        &[json_type, ("authorization", &bearer)],
        community("Script Club"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(count("Own Club").await, "1");
    assert_eq!(count("Script Club").await, "1");

    // Login CSRF: another site cannot sign a browser in (or up), even with no cookie at all.
    for (path, body) in [
        ("/api/session/sign_in", "login=ana_lima&password=correct+horse+battery".to_owned()),
        (
            "/api/session/sign_up",
            "email=eve%40example.com&username=eve_forged&display_name=Eve&password=correct+horse+battery".to_owned(),
        ),
    ] {
        for forged in [("origin", FOREIGN), ("sec-fetch-site", "cross-site")] {
            let (status, headers, answer) = send(&h, Method::POST, path, &[form_type, forged], body.clone()).await;
            assert_error(status, &answer, StatusCode::FORBIDDEN, "forbidden_origin", path);
            assert!(headers.get("set-cookie").is_none(), "{path}: no session for a forged form");
        }
    }
    assert_eq!(
        h.scalar("SELECT CAST(COUNT(*) AS TEXT) FROM users WHERE username = 'eve_forged'")
            .await,
        "0"
    );
    let (status, _, _) = send(
        &h,
        Method::POST,
        "/api/session/sign_in",
        &[
            form_type,
            ("origin", &own),
            ("sec-fetch-site", "same-origin"),
        ],
        "login=ana_lima&password=correct+horse+battery",
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // Reading is not changing: a GET from anywhere is answered (cross-origin reads are the
    // browser's CORS business, and nothing is allowed there).
    let (status, _, _) = send(
        &h,
        Method::GET,
        "/api/server_info",
        &[("origin", FOREIGN)],
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

/// Opens the realtime socket with these extra headers: the upgrade's HTTP status.
async fn socket_status(h: &Harness, token: &str, headers: &[(&str, &str)]) -> u16 {
    use tokio_tungstenite::tungstenite::{
        client::IntoClientRequest,
        http::{HeaderName, HeaderValue},
        Error,
    };
    let url = format!(
        "{}/api/chat/socket",
        h.server.base.replacen("http://", "ws://", 1)
    );
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
    );
    for (name, value) in headers {
        request.headers_mut().insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((_, response)) => response.status().as_u16(),
        Err(Error::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("websocket handshake: {other}"),
    }
}

on_both!(a_foreign_page_cannot_open_the_socket);
async fn a_foreign_page_cannot_open_the_socket(h: Harness) {
    let token = h.register("ana@example.com", "ana_lima").await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Browsers let any page open a websocket anywhere, cookies included: the Origin decides.
    assert_eq!(socket_status(&h, &token, &[("origin", FOREIGN)]).await, 403);
    assert_eq!(socket_status(&h, &token, &[("origin", "null")]).await, 403);
    assert_eq!(
        socket_status(&h, &token, &[("origin", &own_origin(&h))]).await,
        101
    );
    // A script (no Origin) connects as before.
    assert_eq!(socket_status(&h, &token, &[]).await, 101);
}

on_both!(
    the_public_url_is_the_site_origin,
    [("BULLPEN_PUBLIC_URL", "https://bullpen.example/")]
);
async fn the_public_url_is_the_site_origin(h: Harness) {
    let token = h.register("ana@example.com", "ana_lima").await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let login = |origin: String| {
        let h = &h;
        async move {
            send(
                h,
                Method::POST,
                "/api/auth/login",
                &[("content-type", "application/json"), ("origin", &origin)],
                json!({"login": "ana_lima", "password": "correct horse battery"}).to_string(),
            )
            .await
        }
    };
    let (status, _, body) = login("https://bullpen.example".into()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) = login("https://BULLPEN.example:443".into()).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the same origin spelled otherwise: {body}"
    );
    // The address the server happens to be reached at is not the site.
    let (status, _, body) = login(own_origin(&h)).await;
    assert_error(
        status,
        &body,
        StatusCode::FORBIDDEN,
        "forbidden_origin",
        "the Host's origin",
    );
    let (status, _, body) = login("http://bullpen.example".into()).await;
    assert_error(
        status,
        &body,
        StatusCode::FORBIDDEN,
        "forbidden_origin",
        "http is another origin",
    );
    assert_eq!(
        socket_status(&h, &token, &[("origin", "https://bullpen.example")]).await,
        101
    );
    // The public address is https: HSTS on every answer.
    let (_, headers, _) = send(&h, Method::GET, "/", &[], "").await;
    assert!(
        header(&headers, "strict-transport-security").starts_with("max-age="),
        "{headers:?}"
    );
}

// ——— content types and sizes ———

on_both!(json_endpoints_refuse_other_content_types);
async fn json_endpoints_refuse_other_content_types(h: Harness) {
    h.register("ana@example.com", "ana_lima").await;
    let body = json!({"login": "ana_lima", "password": "correct horse battery"}).to_string();
    // A cross-site page may POST text/plain or multipart without asking (a CORS "simple
    // request"): such a body is never read as JSON.
    for content_type in [
        "text/plain",
        "text/plain;charset=UTF-8",
        "multipart/form-data; boundary=x",
        "application/xml",
    ] {
        let (status, headers, answer) = send(
            &h,
            Method::POST,
            "/api/auth/login",
            &[("content-type", content_type)],
            body.clone(),
        )
        .await;
        assert_error(
            status,
            &answer,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            content_type,
        );
        assert!(headers.get("set-cookie").is_none());
    }
    let (status, _, answer) = send(&h, Method::POST, "/api/auth/login", &[], body.clone()).await;
    assert_error(
        status,
        &answer,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "no content type",
    );
    let (status, _, answer) = send(
        &h,
        Method::POST,
        "/api/auth/login",
        &[("content-type", "application/json; charset=utf-8")],
        body,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

/// Sends a request by hand: `head` (the request line and headers, without the blank line), then
/// `body`, and reads the answer without writing more — so the server has read all it was sent
/// when it refuses, and the connection ends cleanly. The status and the JSON answer.
async fn raw_request(h: &Harness, head: &str, body: &[u8]) -> (StatusCode, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = h.server.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!("{head}\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    let status: u16 = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("an answer to {head}: {answer}"));
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("");
    // The answer may itself be chunked: its JSON is the line that starts with `{`.
    let json = body.lines().find(|l| l.starts_with('{')).unwrap_or("null");
    (
        StatusCode::from_u16(status).unwrap(),
        serde_json::from_str(json).unwrap_or(Value::Null),
    )
}

/// Streams `total` bytes in chunks, with no Content-Length to refuse them by (and stops before
/// the final empty chunk, as a client still sending would).
async fn post_chunked(h: &Harness, path: &str, total: usize) -> (StatusCode, Value) {
    let chunk = |size: usize| format!("{size:x}\r\n{}\r\n", "a".repeat(size));
    let body: String = (0..total / CHUNK)
        .map(|_| chunk(CHUNK))
        .chain([chunk(total % CHUNK)])
        .collect();
    let head = format!(
        "POST {path} HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked"
    );
    raw_request(h, &head, body.as_bytes()).await
}

const CHUNK: usize = 64 * 1024;

/// Announces a body of `length` bytes and sends none of it.
async fn post_announcing(
    h: &Harness,
    method: &Method,
    path: &str,
    headers: &[(&str, &str)],
    length: usize,
) -> (StatusCode, Value) {
    let mut head = format!("{method} {path} HTTP/1.1\r\nContent-Length: {length}");
    for (name, value) in headers {
        head.push_str(&format!("\r\n{name}: {value}"));
    }
    raw_request(h, &head, b"").await
}

on_both!(bodies_over_the_limit_get_413);
async fn bodies_over_the_limit_get_413(h: Harness) {
    let token = h.register("ana@example.com", "ana_lima").await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let bearer = format!("Bearer {token}");
    let big = |bytes: usize| {
        format!(
            "{{\"login\": \"{}\", \"password\": \"x\"}}",
            "a".repeat(bytes)
        )
    };
    let json_type = ("content-type", "application/json");

    // Announced by Content-Length…
    let (status, body) = post_announcing(
        &h,
        &Method::POST,
        "/api/auth/login",
        &[json_type],
        1024 * 1024 + 1,
    )
    .await;
    assert_error(
        status,
        &body,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "Content-Length",
    );
    assert!(
        body["error"].as_str().unwrap().contains("1024 KiB"),
        "the sentence names the limit: {body}"
    );
    // …or streamed without one.
    let (status, body) = post_chunked(&h, "/api/auth/login", 1024 * 1024 + 1).await;
    assert_error(
        status,
        &body,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "chunked",
    );

    // Just under the limit is read (and refused for what it says, not for its size).
    let (status, _, body) = send(
        &h,
        Method::POST,
        "/api/auth/login",
        &[json_type],
        big(1000 * 1024),
    )
    .await;
    assert!(
        status.is_client_error() && status != StatusCode::PAYLOAD_TOO_LARGE,
        "{status} {body}"
    );

    // A part of a CSV import (1,000 rows) may be larger than other requests.
    let rows: Vec<Vec<String>> = (0..1000).map(|_| vec!["x".repeat(2000)]).collect();
    let import =
        json!({"portfolio": "none", "import": "none", "mapping": {}, "firstRow": 2, "rows": rows})
            .to_string();
    assert!(import.len() > 1024 * 1024);
    let (status, _, body) = send(
        &h,
        Method::POST,
        "/api/portfolio/import/rows",
        &[json_type, ("authorization", &bearer)],
        import,
    )
    .await;
    assert!(
        status.is_client_error() && status != StatusCode::PAYLOAD_TOO_LARGE,
        "{status} {body}"
    );
    assert_eq!(h.server.errors_logged(), Vec::<String>::new());
}

// ——— every server function's decoder ———

/// One malformed request: what it is, its content type (header name and value), its body or
/// query, and the status it must get (`None`: any 4xx or 2xx).
type Case = (
    &'static str,
    Option<(&'static str, &'static str)>,
    Vec<u8>,
    Option<StatusCode>,
);

/// How a server function takes its arguments, as its `#[server(… input = …)]` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Input {
    Json,
    /// `PostUrl`, the default: a form body.
    Form,
    /// `GetUrl` / `DeleteUrl`: the query string.
    Query,
}

/// Every `#[server]` function declared in the sources: its path and how it takes arguments.
fn declared_server_functions() -> BTreeMap<String, Input> {
    fn walk(dir: &std::path::Path, found: &mut BTreeMap<String, Input>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read_to_string(&path).unwrap();
                for attribute in source.split("#[server(").skip(1) {
                    let attribute = &attribute[..attribute.find(")]").unwrap()];
                    let value = |key: &str| {
                        let at = attribute.find(&format!("{key} = "))? + key.len() + 3;
                        let rest = &attribute[at..];
                        Some(
                            rest.split(',')
                                .next()
                                .unwrap()
                                .trim()
                                .trim_matches('"')
                                .to_owned(),
                        )
                    };
                    let Some(endpoint) = value("endpoint") else {
                        continue;
                    };
                    let prefix = value("prefix").unwrap_or_else(|| "/api".into());
                    let input = match value("input")
                        .as_deref()
                        .map(|i| i.rsplit("::").next().unwrap())
                    {
                        None | Some("PostUrl") => Input::Form,
                        Some("Json") => Input::Json,
                        Some("GetUrl" | "DeleteUrl") => Input::Query,
                        Some(other) => panic!(
                            "{}: a new input encoding, {other}: teach this test",
                            path.display()
                        ),
                    };
                    found.insert(format!("{prefix}/{endpoint}"), input);
                }
            }
        }
    }
    let mut found = BTreeMap::new();
    walk(
        &std::path::Path::new(common::PROJECT_DIR).join("src"),
        &mut found,
    );
    found
}

on_both!(every_server_function_answers_bad_input_with_a_4xx);
async fn every_server_function_answers_bad_input_with_a_4xx(h: Harness) {
    // The registry the server routes from; the sources say how each one reads its input.
    let registered: BTreeMap<String, Method> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| {
            (
                path.to_owned(),
                Method::from_bytes(method.as_str().as_bytes()).unwrap(),
            )
        })
        .collect();
    let declared = declared_server_functions();
    assert_eq!(
        registered.keys().collect::<BTreeSet<_>>(),
        declared.keys().collect::<BTreeSet<_>>(),
        "the registry and the sources name the same server functions"
    );
    assert!(registered.len() > 50, "{registered:?}");

    let token = h.register("ana@example.com", "ana_lima").await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let bearer = format!("Bearer {token}");
    let auth = ("authorization", bearer.as_str());
    let json_type = ("content-type", "application/json");
    let form_type = ("content-type", "application/x-www-form-urlencoded");
    let invalid_utf8: &[u8] = b"{\"name\": \"\xff\xfe\"}";

    // Signing out ends the token the other calls use: last.
    let mut order: Vec<(&String, &Method)> = registered.iter().collect();
    order.sort_by_key(|(path, _)| path.ends_with("/sign_out"));
    for (path, method) in order {
        let input = declared[path];
        // (what, content type, body or query, the status it must get — None: any 4xx or 2xx).
        let mut cases: Vec<Case> = Vec::new();
        match input {
            Input::Json => {
                cases.push((
                    "malformed JSON",
                    Some(json_type),
                    b"{\"".to_vec(),
                    Some(StatusCode::BAD_REQUEST),
                ));
                cases.push((
                    "invalid UTF-8",
                    Some(json_type),
                    invalid_utf8.to_vec(),
                    Some(StatusCode::BAD_REQUEST),
                ));
                cases.push((
                    "a number for the arguments",
                    Some(json_type),
                    b"42".to_vec(),
                    Some(StatusCode::BAD_REQUEST),
                ));
                cases.push(("missing fields", Some(json_type), b"{}".to_vec(), None));
                cases.push((
                    "wrong field types",
                    Some(json_type),
                    br#"{"id": [], "name": {}, "symbol": 7, "channelId": false}"#.to_vec(),
                    None,
                ));
                cases.push((
                    "empty body",
                    Some(json_type),
                    Vec::new(),
                    Some(StatusCode::BAD_REQUEST),
                ));
                cases.push((
                    "text/plain",
                    Some(("content-type", "text/plain")),
                    b"{}".to_vec(),
                    Some(StatusCode::UNSUPPORTED_MEDIA_TYPE),
                ));
            }
            Input::Form => {
                cases.push((
                    "invalid UTF-8",
                    Some(form_type),
                    invalid_utf8.to_vec(),
                    Some(StatusCode::BAD_REQUEST),
                ));
                cases.push(("missing fields", Some(form_type), Vec::new(), None));
                cases.push((
                    "nested garbage",
                    Some(form_type),
                    b"a[b][c][d][e][f][g]=1&%%%=&login[]=x".to_vec(),
                    None,
                ));
                cases.push((
                    "text/plain",
                    Some(("content-type", "text/plain")),
                    b"a=1".to_vec(),
                    Some(StatusCode::UNSUPPORTED_MEDIA_TYPE),
                ));
            }
            Input::Query => {
                cases.push(("missing parameters", None, Vec::new(), None));
                cases.push((
                    "invalid UTF-8",
                    None,
                    b"?symbol=%FF%FE&id=%C0".to_vec(),
                    None,
                ));
                cases.push((
                    "wrong types",
                    None,
                    b"?limit=lots&beforeSeq=-x&days=1e999&id[]=1".to_vec(),
                    None,
                ));
            }
        }
        if *method != Method::GET {
            // One byte over the limit: 1 MiB, and 8 MiB for a part of a CSV import.
            let limit = if path == "/api/portfolio/import/rows" {
                8
            } else {
                1
            } * 1024
                * 1024;
            cases.push((
                "over the size limit",
                Some(json_type),
                vec![b' '; limit + 1],
                Some(StatusCode::PAYLOAD_TOO_LARGE),
            ));
        }
        for (what, content_type, payload, expected) in cases {
            let (url, body) = match input {
                Input::Query if what != "over the size limit" => (
                    format!("{path}{}", String::from_utf8(payload).unwrap()),
                    Vec::new(),
                ),
                _ => (path.clone(), payload),
            };
            let mut headers = vec![auth];
            headers.extend(content_type);
            let (status, answer) = if what == "over the size limit" {
                post_announcing(&h, method, &url, &headers, body.len()).await
            } else {
                let (status, _, answer) = send(&h, method.clone(), &url, &headers, body).await;
                (status, answer)
            };
            let label = format!("{method} {url} ({what})");
            assert!(!status.is_server_error(), "{label}: {status} {answer}");
            match expected {
                Some(expected) => {
                    let code = match expected.as_u16() {
                        400 => "bad_request",
                        413 => "payload_too_large",
                        _ => "unsupported_media_type",
                    };
                    assert_error(status, &answer, expected, code, &label);
                }
                None if !status.is_success() => {
                    assert!(status.is_client_error(), "{label}: {status}");
                    assert!(
                        answer["code"].is_string() && answer["error"].is_string(),
                        "{label}: {answer}"
                    );
                }
                None => {}
            }
            if status == StatusCode::BAD_REQUEST {
                assert_eq!(answer["code"], "bad_request", "{label}: {answer}");
            }
        }
    }

    // An unknown enum value names what was wrong.
    let (status, _, answer) = send(
        &h,
        Method::POST,
        "/api/portfolio/create",
        &[auth, json_type],
        json!({"name": "Main", "method": "lifo"}).to_string(),
    )
    .await;
    assert_error(
        status,
        &answer,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "unknown cost method",
    );
    assert!(
        answer["error"].as_str().unwrap().contains("lifo"),
        "{answer}"
    );

    // The caller's mistakes are not the server's errors.
    let errors = h.server.errors_logged();
    assert!(errors.is_empty(), "logged at ERROR:\n{}", errors.join("\n"));
}

on_both!(long_or_unreadable_input_gets_a_short_json_4xx);
async fn long_or_unreadable_input_gets_a_short_json_4xx(h: Harness) {
    let ana = h.person("ana").await;
    let (slug, general) = h.community(&ana, "Long Names", "public").await;
    let (_, group) = h
        .call(&ana, "/api/messages/start", json!({"with": "ana"}))
        .await;
    let group_slug = group["slug"].as_str().unwrap_or(&slug).to_string();
    let auth = format!("Bearer {}", ana.token);
    let json_type = ("content-type", "application/json");
    // A name of 10 KB, 100 KB and 1 MB: a clear 4xx that repeats at most a piece of it.
    for size in [10_000, 100_000, 1_000_000] {
        let name = "n".repeat(size);
        for (path, body) in [
            ("/api/messages/start", json!({"with": name})),
            (
                "/api/messages/add",
                json!({"slug": group_slug, "username": name}),
            ),
            (
                "/api/users/block",
                json!({"username": name, "blocked": true}),
            ),
            ("/api/communities/join", json!({"slug": name})),
        ] {
            let (status, headers, answer) = send(
                &h,
                Method::POST,
                path,
                &[("authorization", &auth), json_type],
                body.to_string(),
            )
            .await;
            let what = format!("{path} with {size} characters");
            assert!(status.is_client_error(), "{what}: {status} {answer}");
            assert!(
                header(&headers, "content-type").starts_with("application/json"),
                "{what}"
            );
            assert!(
                answer["error"].as_str().is_some_and(|e| e.ends_with('.')),
                "{what}: {answer}"
            );
            let length = answer.to_string().len();
            assert!(length < 2_000, "{what}: an answer of {length} bytes");
        }
    }

    // An upload without its query, or with one it cannot read, and an address that is not
    // UTF-8: the same JSON error as everything else, not axum's text.
    for query in ["", "?channelId=", "?channelId=x&durationMs=soon"] {
        let (status, headers, answer) = send(
            &h,
            Method::POST,
            &format!("/api/files/upload{query}"),
            &[
                ("authorization", &auth),
                ("content-type", "application/octet-stream"),
            ],
            b"hello".to_vec(),
        )
        .await;
        assert!(status.is_client_error(), "{query}: {status} {answer}");
        assert!(
            header(&headers, "content-type").starts_with("application/json"),
            "{query}"
        );
        assert!(answer["code"].is_string(), "{query}: {answer}");
    }
    let message = h.say(&ana, &general, "React to this").await;
    let (status, headers, answer) = send(
        &h,
        Method::PUT,
        &format!("/api/v1/messages/{message}/reactions/%F0%F0%F0"),
        &[("authorization", &auth)],
        Vec::new(),
    )
    .await;
    assert_error(
        status,
        &answer,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "not UTF-8",
    );
    assert!(header(&headers, "content-type").starts_with("application/json"));
    let long = "x".repeat(20_000);
    let (status, _, answer) = send(
        &h,
        Method::GET,
        &format!("/api/v1/market/quotes/{long}?x={long}"),
        &[("authorization", &auth)],
        Vec::new(),
    )
    .await;
    assert!(status.is_client_error(), "{status} {answer}");
    assert!(answer.to_string().len() < 2_000, "{answer}");

    // A token that is made up, or no longer good, is a 401 wherever it is presented — also
    // where guests may read — so a script learns its token is wrong.
    for token in [
        "made-up",
        "bp_0000000000000000000000000000000000",
        ana.refresh.as_str(),
    ] {
        for path in [
            format!("/api/chat/history?channelId={general}"),
            format!("/api/v1/channels/{general}/messages"),
            format!("/api/voice/calls?slug={slug}"),
        ] {
            let (status, _, answer) = send(
                &h,
                Method::GET,
                &path,
                &[("authorization", &format!("Bearer {token}"))],
                Vec::new(),
            )
            .await;
            assert_error(
                status,
                &answer,
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                &path,
            );
        }
    }
    // Without one, a guest still reads the public channel.
    let (status, _, answer) = send(
        &h,
        Method::GET,
        &format!("/api/chat/history?channelId={general}"),
        &[],
        Vec::new(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let errors = h.server.errors_logged();
    assert!(errors.is_empty(), "logged at ERROR:\n{}", errors.join("\n"));
}
