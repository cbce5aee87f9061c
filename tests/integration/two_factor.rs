//! Two-factor sign-in through the real server, on SQLite and PostgreSQL: set-up confirmed with a
//! code, sign-in in two steps (script API and web app), codes that work once, recovery codes,
//! throttled guessing, and turning it off with the password and a code.
//!
//! Codes are computed from the secret the server hands out, with the TOTP function the unit
//! tests check against RFC 6238's vectors. Only the current step and the next one are used, both
//! inside the server's ±1-step window however the test's seconds fall.

use crate::common::harness::Harness;
use bullpen::auth::two_factor::{code_for_step, step_at};
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery";

fn secret_bytes(secret: &str) -> Vec<u8> {
    data_encoding::BASE32_NOPAD
        .decode(secret.as_bytes())
        .unwrap()
}

fn now_step() -> i64 {
    step_at(chrono::Utc::now().timestamp())
}

/// A six-digit string that is none of the codes the server could accept now.
fn wrong_code(secret: &[u8], step: i64) -> String {
    let valid: Vec<String> = (step - 3..=step + 3)
        .map(|s| code_for_step(secret, s))
        .collect();
    (0..)
        .map(|n: u32| format!("{:06}", (n * 7919) % 1_000_000))
        .find(|c| !valid.contains(c))
        .unwrap()
}

/// Registers ana, sets two-factor sign-in up and confirms it with the current code: the secret,
/// the step of the code used, and the recovery codes.
async fn ana_with_two_factor(h: &Harness) -> (Vec<u8>, i64, Vec<String>) {
    let token = h.register("ana@example.com", "ana_lima").await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, setup) = h
        .post_as(&token, "/api/profile/two_factor_setup", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{setup}");
    let secret = secret_bytes(setup["secret"].as_str().unwrap());
    let step = now_step();
    let (status, codes) = h
        .post_as(
            &token,
            "/api/profile/two_factor_enable",
            json!({"code": code_for_step(&secret, step)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{codes}");
    let codes = codes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (secret, step, codes)
}

async fn challenge(h: &Harness) -> String {
    let (status, body) = h.login("ana_lima", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["twoFactorRequired"], true, "{body}");
    assert!(
        body.get("token").is_none(),
        "no tokens before the code: {body}"
    );
    body["challenge"].as_str().unwrap().to_owned()
}

async fn send_code(h: &Harness, challenge: &str, code: &str) -> (StatusCode, Value) {
    h.post(
        "/api/auth/login_code",
        json!({"challenge": challenge, "code": code}),
    )
    .await
}

on_both!(set_up_sign_in_and_turn_off);
async fn set_up_sign_in_and_turn_off(h: Harness) {
    let token = h.register("ana@example.com", "ana_lima").await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let status = h.get_json("/api/profile/two_factor", &token).await;
    assert_eq!(status, json!({"enabled": false, "recoveryCodesLeft": 0}));

    // Confirming before any set-up is refused with a sentence.
    let (status, body) = h
        .post_as(
            &token,
            "/api/profile/two_factor_enable",
            json!({"code": "123456"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], "validation");

    let (status, setup) = h
        .post_as(&token, "/api/profile/two_factor_setup", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{setup}");
    let secret_text = setup["secret"].as_str().unwrap();
    assert_eq!(
        setup["uri"],
        format!("otpauth://totp/Bullpen:ana_lima?secret={secret_text}&issuer=Bullpen&algorithm=SHA1&digits=6&period=30")
    );
    let secret = secret_bytes(secret_text);

    // A wrong code does not turn it on, and sign-in still needs only the password.
    let step = now_step();
    let (status, body) = h
        .post_as(
            &token,
            "/api/profile/two_factor_enable",
            json!({"code": wrong_code(&secret, step)}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], "wrong_code");
    let (status, body) = h.login("ana_lima", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["token"].is_string(), "{body}");

    let (status, codes) = h
        .post_as(
            &token,
            "/api/profile/two_factor_enable",
            json!({"code": code_for_step(&secret, step)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{codes}");
    let codes: Vec<String> = codes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    assert_eq!(
        codes.iter().collect::<std::collections::HashSet<_>>().len(),
        10
    );
    // Stored only as hashes.
    let stored = h
        .scalar("SELECT code_hash FROM recovery_codes LIMIT 1")
        .await;
    assert_eq!(stored.len(), 64);
    assert!(codes.iter().all(|c| !stored.contains(c.as_str())));
    assert_eq!(
        h.get_json("/api/profile/two_factor", &token).await,
        json!({"enabled": true, "recoveryCodesLeft": 10})
    );

    // The password alone now gets a challenge, not tokens.
    let first = challenge(&h).await;
    // The code that confirmed the set-up is spent: replaying it in its window fails.
    let (status, body) = send_code(&h, &first, &code_for_step(&secret, step)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("wrong_code"))
    );
    let (status, session) = send_code(&h, &first, &code_for_step(&secret, step + 1)).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(
        h.me(session["token"].as_str().unwrap()).await.0,
        StatusCode::OK
    );
    // A challenge completes once.
    let (status, _) = send_code(&h, &first, &codes[0]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The same code on a fresh challenge: still spent.
    let second = challenge(&h).await;
    let (status, body) = send_code(&h, &second, &code_for_step(&secret, step + 1)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("wrong_code"))
    );
    // A recovery code works, typed loosely, and only once.
    let (status, body) = send_code(&h, &second, &format!(" {} ", codes[0].to_uppercase())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let third = challenge(&h).await;
    let (status, _) = send_code(&h, &third, &codes[0]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        h.get_json("/api/profile/two_factor", &token).await,
        json!({"enabled": true, "recoveryCodesLeft": 9})
    );

    // The web app follows the same rule: no cookie until the code.
    let response = h
        .http
        .post(h.server.url("/api/session/sign_in"))
        .form(&[("login", "ana@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get(header::SET_COOKIE).is_none());
    let body: Value = response.json().await.unwrap();
    let web_challenge = body["codeNeeded"]["challenge"]
        .as_str()
        .expect("a challenge")
        .to_owned();
    let response = h
        .http
        .post(h.server.url("/api/session/sign_in_code"))
        .form(&[
            ("challenge", web_challenge.as_str()),
            ("code", codes[1].as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .count()
            >= 2
    );

    // Turning it off needs the password and a code.
    let (status, body) = h
        .post_as(
            &token,
            "/api/profile/two_factor_disable",
            json!({"password": "not the password", "code": codes[2]}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("validation"))
    );
    let (status, body) = h
        .post_as(
            &token,
            "/api/profile/two_factor_disable",
            json!({"password": PASSWORD, "code": "zzzzz-zzzzz"}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("wrong_code"))
    );
    assert_eq!(
        h.get_json("/api/profile/two_factor", &token).await["enabled"],
        true
    );
    let (status, body) = h
        .post_as(
            &token,
            "/api/profile/two_factor_disable",
            json!({"password": PASSWORD, "code": codes[2]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        h.get_json("/api/profile/two_factor", &token).await,
        json!({"enabled": false, "recoveryCodesLeft": 0})
    );
    let (status, body) = h.login("ana_lima", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["token"].is_string(), "{body}");
}

on_both!(wrong_codes_are_throttled_per_account);
async fn wrong_codes_are_throttled_per_account(h: Harness) {
    let (secret, step, _) = ana_with_two_factor(&h).await;
    let first = challenge(&h).await;
    let wrong = wrong_code(&secret, step);
    for attempt in 1..=5 {
        let (status, body) = send_code(&h, &first, &wrong).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "attempt {attempt}: {body}"
        );
    }
    // Now even the right code waits, and a new challenge does not reset the count.
    let (status, body) = send_code(&h, &first, &code_for_step(&secret, step + 1)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["code"], "rate_limited");
    assert!(body["retryAfterSecs"].as_u64().unwrap() >= 1);
    let second = challenge(&h).await;
    let response = h
        .http
        .post(h.server.url("/api/auth/login_code"))
        .json(&json!({"challenge": second, "code": code_for_step(&secret, step + 1)}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().get(header::RETRY_AFTER).is_some());
}

on_both!(a_challenge_is_not_a_session);
async fn a_challenge_is_not_a_session(h: Harness) {
    ana_with_two_factor(&h).await;
    let challenge = challenge(&h).await;
    // Neither a bearer token nor a refresh token.
    assert_eq!(h.me(&challenge).await.0, StatusCode::UNAUTHORIZED);
    let (status, _) = h
        .post("/api/auth/refresh", json!({"refreshToken": challenge}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // An unknown challenge is a 401 that sends the person back to the password.
    let (status, body) = send_code(&h, "0123abcd", "123456").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    // The stored challenge is a hash, never the challenge itself.
    let stored = h
        .scalar("SELECT token_hash FROM login_challenges LIMIT 1")
        .await;
    assert_ne!(stored, challenge);
    assert_eq!(
        stored,
        bullpen::auth::tokens::hash_refresh_token(&challenge)
    );
}
