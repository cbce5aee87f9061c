//! Accounts through the script API of the real server, on SQLite and (when TEST_DATABASE_URL
//! is set) PostgreSQL: register → me → refresh → logout, throttling, duplicates, bad tokens.

use crate::common::harness::{Harness, SECRET};
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both!(session_lifecycle);
async fn session_lifecycle(h: Harness) {
    let registered = h.register("Ana@Example.com", "ana_lima").await;
    assert_eq!(registered["user"]["email"], "ana@example.com");
    assert_eq!(registered["user"]["username"], "ana_lima");
    assert_eq!(registered["user"]["displayName"], "Ana Lima");
    let token = registered["token"].as_str().unwrap();
    let first_refresh = registered["refreshToken"].as_str().unwrap().to_owned();

    let (status, me) = h.me(token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], "ana_lima");

    // Rotation: a new pair, and the old refresh token is spent.
    let (status, refreshed) = h
        .post("/api/auth/refresh", json!({"refreshToken": first_refresh}))
        .await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let second_refresh = refreshed["refreshToken"].as_str().unwrap().to_owned();
    assert_ne!(second_refresh, first_refresh);
    assert_eq!(
        h.me(refreshed["token"].as_str().unwrap()).await.0,
        StatusCode::OK
    );
    let (status, body) = h
        .post("/api/auth/refresh", json!({"refreshToken": first_refresh}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "unauthorized");

    // Logout ends the session: the refresh token and the access token stop working.
    let (status, _) = h
        .post("/api/auth/logout", json!({"refreshToken": second_refresh}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        h.post("/api/auth/refresh", json!({"refreshToken": second_refresh}))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        h.me(refreshed["token"].as_str().unwrap()).await.0,
        StatusCode::UNAUTHORIZED
    );

    // Sign in again with the username in another case, or the email.
    let (status, login) = h.login("ANA_LIMA", "correct horse battery").await;
    assert_eq!(status, StatusCode::OK, "{login}");
    let (status, _) = h.login("ana@example.com", "correct horse battery").await;
    assert_eq!(status, StatusCode::OK);

    // The password is stored as argon2id with OWASP's parameters, never in plain text.
    let hash = h
        .scalar("SELECT password_hash FROM users WHERE username_key = 'ana_lima'")
        .await;
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(!hash.contains("correct horse battery"));
}

on_both!(reusing_a_spent_refresh_token_revokes_the_session);
async fn reusing_a_spent_refresh_token_revokes_the_session(h: Harness) {
    let registered = h.register("bo@example.com", "bo_b").await;
    let stolen = registered["refreshToken"].as_str().unwrap().to_owned();
    let (_, rotated) = h
        .post("/api/auth/refresh", json!({"refreshToken": stolen}))
        .await;
    let current = rotated["refreshToken"].as_str().unwrap().to_owned();
    let access = rotated["token"].as_str().unwrap().to_owned();

    // Past the short window that tolerates two tabs racing, the spent token comes back.
    {
        use bullpen::entities::refresh_tokens::{Column, Entity};
        use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
        Entity::update_many()
            .col_expr(
                Column::RotatedAt,
                Expr::value(chrono::Utc::now() - chrono::Duration::hours(1)),
            )
            .filter(Column::RotatedAt.is_not_null())
            .exec(&h.db)
            .await
            .unwrap();
    }
    assert_eq!(
        h.post("/api/auth/refresh", json!({"refreshToken": stolen}))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // The whole family is revoked: the legitimate holder's tokens die too.
    assert_eq!(
        h.post("/api/auth/refresh", json!({"refreshToken": current}))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(h.me(&access).await.0, StatusCode::UNAUTHORIZED);
}

on_both!(wrong_passwords_are_throttled);
async fn wrong_passwords_are_throttled(h: Harness) {
    h.register("cy@example.com", "cyd").await;
    let login_from = |client: String, login: &str, password: &str| {
        h.http
            .post(h.server.url("/api/auth/login"))
            .header("x-forwarded-for", client)
            .json(&json!({"login": login, "password": password}))
            .send()
    };
    let unknown: Value = login_from("10.0.0.99".into(), "nobody", "whatever123")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    // Per account: five wrong passwords from five addresses lock the account for a minute.
    for attempt in 1..=5 {
        let response = login_from(format!("10.0.1.{attempt}"), "cyd", "wrong password!")
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
        // The same answer as for an account that does not exist: nothing says which part was wrong.
        assert_eq!(response.json::<Value>().await.unwrap(), unknown);
    }
    assert_eq!(
        unknown["error"],
        "The email, username or password is incorrect."
    );
    let response = login_from("10.0.1.200".into(), "cyd", "correct horse battery")
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    assert_eq!(
        body["error"],
        format!("Too many requests. Try again in {retry} s.")
    );

    // Per address: five failures from one address, on any accounts, stop that address.
    for attempt in 1..=5 {
        let response = login_from(
            "10.0.2.1".into(),
            &format!("guess{attempt}"),
            "wrong password!",
        )
        .await
        .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
    }
    let response = login_from("10.0.2.1".into(), "someone_else", "any password at all")
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another address is not affected.
    let response = login_from("10.0.2.2".into(), "someone_else", "any password at all")
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // Absurd input is an ordinary refusal, not a server error.
    let response = login_from("10.0.3.1".into(), &"x".repeat(5000), &"y".repeat(5000))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

on_both!(duplicates_and_invalid_input_are_refused);
async fn duplicates_and_invalid_input_are_refused(h: Harness) {
    h.register("dee@example.com", "dee").await;
    let refused = [
        // email, username, password → status, the sentence a person reads
        (
            "DEE@Example.COM",
            "other",
            "correct horse battery",
            StatusCode::CONFLICT,
            "That email address is already registered.",
        ),
        (
            "new@example.com",
            "DEE",
            "correct horse battery",
            StatusCode::CONFLICT,
            "That username is taken.",
        ),
        (
            "x@example.com",
            "xx",
            "correct horse battery",
            StatusCode::UNPROCESSABLE_ENTITY,
            "Usernames are at least 3 characters.",
        ),
        (
            "y@example.com",
            "yyy",
            "password123",
            StatusCode::UNPROCESSABLE_ENTITY,
            "That password is one of the most common; choose another.",
        ),
        (
            "not-an-email",
            "zzz",
            "correct horse battery",
            StatusCode::UNPROCESSABLE_ENTITY,
            "That doesn't look like an email address (name@example.com).",
        ),
    ];
    for (email, username, password, status, error) in refused {
        let body =
            json!({"email": email, "username": username, "displayName": "D", "password": password});
        let (got_status, got) = h.post("/api/auth/register", body).await;
        assert_eq!(
            (got_status, got["error"].as_str()),
            (status, Some(error)),
            "{email} / {username}"
        );
    }
    assert_eq!(
        // Every install also has the Stock Bot's account.
        h.scalar("SELECT CAST(COUNT(*) AS TEXT) FROM users WHERE username_key <> 'stockbot'")
            .await,
        "1",
        "nothing half-written"
    );

    // The same refusal in the language the person chose (the UI's cookie) or, without a
    // choice, in the browser's; the sentence's key and values come along for programs.
    let taken = json!({"email": "new@example.com", "username": "DEE", "displayName": "D", "password": "correct horse battery"});
    for (cookie, accept, expected) in [
        (
            None,
            Some("de-DE,de;q=0.9,en;q=0.5"),
            "Dieser Benutzername ist vergeben.",
        ),
        (Some("tr"), Some("de-DE"), "Bu kullanıcı adı alınmış."),
        (
            None,
            Some("ja, fr;q=0.5"),
            "Ce nom d'utilisateur est déjà pris.",
        ),
        (None, None, "That username is taken."),
    ] {
        let mut request = h.http.post(h.server.url("/api/auth/register")).json(&taken);
        if let Some(code) = cookie {
            request = request.header("cookie", format!("i18n_pref_locale={code}"));
        }
        if let Some(languages) = accept {
            request = request.header("accept-language", languages);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::CONFLICT);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], expected, "{cookie:?} {accept:?}");
        assert_eq!(body["code"], "conflict");
        assert_eq!(body["detail"]["key"], "server.auth.username_taken");
    }
    // A malformed body is refused in the reader's language too, with the decoder's reason.
    let response = h
        .http
        .post(h.server.url("/api/auth/register"))
        .header("accept-language", "es")
        .header("content-type", "application/json")
        .body("{\"email\": 12")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .starts_with("No se pudo leer la solicitud:"),
        "{body}"
    );
}

on_both!(tampered_and_expired_tokens_are_401);
async fn tampered_and_expired_tokens_are_401(h: Harness) {
    let registered = h.register("eve@example.com", "eve").await;
    let token = registered["token"].as_str().unwrap();
    let mut tampered = token.to_owned();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(h.me(&tampered).await.0, StatusCode::UNAUTHORIZED);

    // Signed with the server's own secret, but expired an hour ago.
    use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
    let claims: Value = {
        let mut read_anyway = Validation::new(Algorithm::HS256);
        read_anyway.validate_exp = false;
        let key = DecodingKey::from_secret(SECRET.as_bytes());
        let mut claims: Value = decode::<Value>(token, &key, &read_anyway).unwrap().claims;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        claims["iat"] = json!(now - 7200);
        claims["exp"] = json!(now - 3600);
        claims
    };
    let expired = encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    assert_eq!(h.me(&expired).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(h.me("not-a-token").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        h.me(token).await.0,
        StatusCode::OK,
        "the untouched token still works"
    );
}

on_both!(profile_password_and_blocking);
async fn profile_password_and_blocking(h: Harness) {
    let ana = h.register("fay@example.com", "fay").await;
    let other_session = h.login("fay", "correct horse battery").await.1;
    h.register("gus@example.com", "gus").await;
    let token = ana["token"].as_str().unwrap();
    let authed = |path: &str, body: Value| {
        h.http
            .post(h.server.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
    };

    let response = authed(
        "/api/profile/update",
        json!({"update": {"displayName": "Fay Q", "bio": "Long $AAPL", "preferredLanguage": "tr", "timeZone": "Europe/Istanbul"}}),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let user: Value = response.json().await.unwrap();
    assert_eq!(
        (
            user["displayName"].as_str(),
            user["preferredLanguage"].as_str()
        ),
        (Some("Fay Q"), Some("tr"))
    );
    let response = authed(
        "/api/profile/update",
        json!({"update": {"displayName": "Fay", "bio": "", "preferredLanguage": "it", "timeZone": "UTC"}}),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Blocking someone shows on their profile and in the list; unblocking undoes it.
    let blocked: Value = authed(
        "/api/users/block",
        json!({"username": "gus", "blocked": true}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(blocked["blocked"], true);
    let list = h.get_json("/api/users/blocked", token).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["username"], "gus");
    let response = authed(
        "/api/users/block",
        json!({"username": "fay", "blocked": true}),
    )
    .await
    .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "no blocking oneself"
    );
    authed(
        "/api/users/block",
        json!({"username": "gus", "blocked": false}),
    )
    .await
    .unwrap();
    let list = h.get_json("/api/users/blocked", token).await;
    assert_eq!(list, json!([]));

    // A new password needs the old one, and signs out every other session.
    let response = authed(
        "/api/profile/password",
        json!({"currentPassword": "not it at all", "newPassword": "a brand new passphrase"}),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = authed("/api/profile/password", json!({"currentPassword": "correct horse battery", "newPassword": "a brand new passphrase"}))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        h.me(token).await.0,
        StatusCode::OK,
        "this session continues"
    );
    assert_eq!(
        h.me(other_session["token"].as_str().unwrap()).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = h.login("fay", "a brand new passphrase").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn guests_get_401_from_account_endpoints() {
    let h = Harness::sqlite().await;
    assert_eq!(
        h.http
            .get(h.server.url("/api/auth/me"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        h.http
            .get(h.server.url("/api/users/blocked"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

/// A page answers a browser that already holds a language without setting it again: a page
/// that came back late (the service worker's copy of the home page, asked for in the old
/// language) used to set the old language back just after a person chose another.
#[tokio::test]
async fn a_page_never_sets_back_the_language_the_browser_already_holds() {
    let h = Harness::sqlite().await;
    let language_cookies = |response: &reqwest::Response| -> Vec<String> {
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter(|v| v.starts_with("i18n_pref_locale="))
            .map(str::to_string)
            .collect()
    };
    for (held, page) in [("en", "/"), ("tr", "/"), ("de", "/settings")] {
        let response = h
            .http
            .get(h.server.url(page))
            .header("cookie", format!("i18n_pref_locale={held}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            language_cookies(&response),
            Vec::<String>::new(),
            "{held} {page}"
        );
    }
}
