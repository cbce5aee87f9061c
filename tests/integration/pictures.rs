//! Pictures: a person's avatar and a community's icon are a square from the middle of the image
//! they upload, shown wherever the person or community shows (messages, member lists, profiles,
//! community lists); the old picture goes when a new one comes; anything but an image is refused
//! with a sentence; only those who manage a community change its icon. On SQLite and PostgreSQL.

use std::io::Cursor;

use crate::common::{harness::Harness, people::Person};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A wide PNG: the picture keeps its middle.
fn wide_png() -> Vec<u8> {
    let mut picture = image::RgbImage::new(600, 200);
    for (x, _, pixel) in picture.enumerate_pixels_mut() {
        *pixel = if (200..400).contains(&x) {
            image::Rgb([0, 0, 255])
        } else {
            image::Rgb([255, 0, 0])
        };
    }
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(picture)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

async fn send(h: &Harness, who: &Person, path: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let response = h
        .http
        .post(h.server.url(path))
        .bearer_auth(&who.token)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn picture(h: &Harness, url: &str) -> (StatusCode, Option<image::DynamicImage>) {
    let response = h.http.get(h.server.url(url)).send().await.unwrap();
    let status = response.status();
    let bytes = response.bytes().await.unwrap();
    (status, image::load_from_memory(&bytes).ok())
}

on_both!(an_avatar_is_the_middle_square_and_shows_wherever_the_person_does);
async fn an_avatar_is_the_middle_square_and_shows_wherever_the_person_does(h: Harness) {
    let ana = h.person("ana").await;
    let (status, me) = send(&h, &ana, "/api/profile/avatar", wide_png()).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    let url = me["avatarUrl"].as_str().expect("an avatar").to_string();
    let (status, shown) = picture(&h, &url).await;
    assert_eq!(status, StatusCode::OK);
    let shown = shown.expect("an image").to_rgb8();
    assert_eq!(shown.dimensions(), (256, 256));
    let middle = shown.get_pixel(128, 128).0;
    assert!(
        middle[2] > 200 && middle[0] < 60,
        "the middle of the image: {middle:?}"
    );
    let (status, small) = picture(&h, &format!("{url}?size=small")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(small.unwrap().width(), 64);

    // In a message and the member list (small), and on the profile.
    let (slug, general) = h.community(&ana, "Faces", "public").await;
    let mut socket = h.socket(&ana).await;
    socket.subscribe(&general, None).await;
    socket.say(&general, "a", "hello").await;
    let created = socket.expect("messageCreated").await;
    let small_url = created["message"]["author"]["avatarUrl"].as_str().unwrap();
    assert!(small_url.ends_with("?size=small"), "{created}");
    let (_, members) = h
        .read(&ana, &format!("/api/communities/members?slug={slug}"))
        .await;
    assert_eq!(members[0]["avatarUrl"], small_url);
    let bo = h.person("bo_b").await;
    let (_, profile) = h.read(&bo, "/api/users/profile?username=ana").await;
    assert_eq!(profile["avatarUrl"], url.as_str(), "{profile}");

    // A new one replaces it, and the old picture is gone; then back to initials.
    let (_, again) = send(&h, &ana, "/api/profile/avatar", wide_png()).await;
    assert_ne!(again["avatarUrl"], url.as_str());
    assert_eq!(picture(&h, &url).await.0, StatusCode::NOT_FOUND);
    let cleared = h.ok(&ana, "/api/profile/avatar_remove", json!({})).await;
    assert!(cleared["avatarUrl"].is_null(), "{cleared}");
    assert_eq!(
        picture(&h, again["avatarUrl"].as_str().unwrap()).await.0,
        StatusCode::NOT_FOUND
    );

    // Not an image, or not signed in: refused, nothing changes.
    let (status, answer) = send(
        &h,
        &ana,
        "/api/profile/avatar",
        b"%PDF-1.7 not a face".to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer["error"].as_str().unwrap().contains("PNG"),
        "{answer}"
    );
    let response = h
        .http
        .post(h.server.url("/api/profile/avatar"))
        .header("content-type", "application/octet-stream")
        .body(wide_png())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let (_, me) = h.read(&ana, "/api/auth/me").await;
    assert!(me["avatarUrl"].is_null(), "{me}");
}

on_both!(a_community_icon_is_changed_by_its_managers_only_and_goes_with_the_community);
async fn a_community_icon_is_changed_by_its_managers_only_and_goes_with_the_community(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, _) = h.community(&ana, "Icons", "public").await;
    h.ok(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;
    let path = format!("/api/communities/icon?slug={slug}");
    let (status, _) = send(&h, &bo, &path, wide_png()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a member does not manage it");
    let (status, summary) = send(&h, &ana, &path, wide_png()).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    let icon = summary["iconUrl"].as_str().unwrap().to_string();
    assert_eq!(picture(&h, &icon).await.0, StatusCode::OK);
    let (_, list) = h.read(&bo, "/api/communities/list").await;
    assert!(list.to_string().contains(&icon), "{list}");
    let (_, log) = h
        .read(&ana, &format!("/api/moderation/audit?slug={slug}"))
        .await;
    assert_eq!(log[0]["act"], "update_community");
    assert_eq!(log[0]["detail"], "icon");

    h.ok(
        &ana,
        "/api/communities/delete",
        json!({"slug": slug, "confirm": "Icons"}),
    )
    .await;
    assert_eq!(picture(&h, &icon).await.0, StatusCode::NOT_FOUND);
}
