//! Files attached to messages, as people use and misuse them: an image uploads, gets its type
//! from its bytes and a thumbnail, goes out with a message and is read by those who may read the
//! channel — and nobody else; a text file dressed as an image stays a text file that downloads;
//! too large, the wrong body, another site, someone else's upload, one upload sent twice at once
//! are refused and leave nothing behind; files go with their deleted message, their deleted
//! community, and when never sent. On SQLite and PostgreSQL with the local store, and against
//! a real S3-compatible server (s3rver, from npm) when it is installed.

use crate::common;

use std::{io::Cursor, path::PathBuf, process::Stdio, time::Duration};

use crate::common::{harness::Harness, people::Person};
use reqwest::StatusCode;
use serde_json::json;

/// A PNG of `width` × `height` in one colour.
fn png(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_pixel(width, height, image::Rgb([20, 120, 200]));
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(picture)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// GETs a file's address as `who` (or a guest): the status, the headers and the bytes.
async fn fetch(
    h: &Harness,
    who: Option<&Person>,
    url: &str,
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let mut request = h.http.get(h.server.url(url));
    if let Some(who) = who {
        request = request.bearer_auth(&who.token);
    }
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.bytes().await.unwrap().to_vec())
}

fn files_on_disk(h: &Harness) -> usize {
    fn walk(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| {
                        if e.path().is_dir() {
                            walk(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    walk(&h.data_dir().join("files"))
}

/// ana's community with bo in it, its #general, and bo's socket there.
async fn room(
    h: &Harness,
    visibility: &str,
) -> (Person, Person, String, String, common::ws::ChatClient) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Chart Room", visibility).await;
    if visibility == "public" {
        h.ok(&bo, "/api/communities/join", json!({"slug": slug}))
            .await;
    } else {
        let invite = h
            .ok(
                &ana,
                "/api/communities/invites/create",
                json!({"slug": slug, "hours": 24}),
            )
            .await;
        h.ok(
            &bo,
            "/api/invites/accept",
            json!({"code": invite["code"].as_str().unwrap()}),
        )
        .await;
    }
    let mut socket = h.socket(&bo).await;
    socket.subscribe(&general, None).await;
    (ana, bo, slug, general, socket)
}

on_both!(an_image_goes_out_with_a_message_and_only_its_readers_can_open_it);
async fn an_image_goes_out_with_a_message_and_only_its_readers_can_open_it(h: Harness) {
    let (ana, bo, slug, general, mut socket) = room(&h, "private").await;
    let chart = png(1600, 900);
    let (status, stored) = h
        .upload(&bo, &general, "../../charts/aapl.png", chart.clone())
        .await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(stored["name"], "aapl.png", "a name is never a path");
    assert_eq!(stored["contentType"], "image/png");
    assert_eq!(stored["kind"], "image");
    assert_eq!(
        (stored["width"].as_u64(), stored["height"].as_u64()),
        (Some(1600), Some(900))
    );
    assert_eq!(stored["size"].as_u64(), Some(chart.len() as u64));
    let url = stored["url"].as_str().unwrap().to_string();
    let thumbnail = stored["thumbnailUrl"]
        .as_str()
        .expect("a thumbnail")
        .to_string();
    let id = stored["id"].as_str().unwrap().to_string();

    // Unsent, it is its uploader's alone.
    assert_eq!(fetch(&h, Some(&bo), &url).await.0, StatusCode::OK);
    assert_eq!(fetch(&h, Some(&ana), &url).await.0, StatusCode::NOT_FOUND);

    // Sent with a caption: everyone in the channel sees the file with the message.
    socket
        .send(json!({"type": "send", "channelId": general, "nonce": "c1", "body": "my $AAPL chart", "attachments": [id]}))
        .await;
    let created = socket.expect("messageCreated").await;
    assert_eq!(
        created["message"]["attachments"][0]["id"],
        id.as_str(),
        "{created}"
    );
    let (_, history) = h
        .read(&ana, &format!("/api/chat/history?channelId={general}"))
        .await;
    let last = history["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["attachments"][0]["url"], url.as_str(), "{last}");

    // A member reads it whole, as an image shown in the page; the thumbnail is a small JPEG.
    let (status, headers, bytes) = fetch(&h, Some(&ana), &url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, chart);
    assert_eq!(headers["content-type"], "image/png");
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("inline"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let (status, headers, small) = fetch(&h, Some(&ana), &thumbnail).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/jpeg");
    let decoded = image::load_from_memory(&small).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (640, 360));

    // Outside the private community, or signed out: as if it did not exist.
    let eve = h.person("eve_e").await;
    assert_eq!(fetch(&h, Some(&eve), &url).await.0, StatusCode::FORBIDDEN);
    assert!(fetch(&h, None, &url).await.0.is_client_error());
    // The person who just lost access loses the file with it.
    h.ok(
        &ana,
        "/api/communities/kick",
        json!({"slug": slug, "username": "bo_b"}),
    )
    .await;
    assert_eq!(fetch(&h, Some(&bo), &url).await.0, StatusCode::FORBIDDEN);

    // Deleted with its message: gone from the API, the database and the disk.
    let message = created["message"]["id"].as_str().unwrap().to_string();
    h.ok(
        &ana,
        "/api/moderation/delete",
        json!({"messageId": message}),
    )
    .await;
    assert_eq!(fetch(&h, Some(&ana), &url).await.0, StatusCode::NOT_FOUND);
    assert_eq!(h.count("SELECT COUNT(*) FROM attachments").await, 0);
    assert_eq!(files_on_disk(&h), 0);
}

on_both!(a_file_is_what_its_bytes_say_and_downloads_under_its_name);
async fn a_file_is_what_its_bytes_say_and_downloads_under_its_name(h: Harness) {
    let (_, bo, _, general, mut socket) = room(&h, "public").await;
    // A page dressed as an image stays what it is, and downloads as text rather than shows.
    let (status, stored) = h
        .upload(
            &bo,
            &general,
            "Q3 résumé.png",
            b"<script>alert(1)</script>".to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(
        (stored["contentType"].as_str(), stored["kind"].as_str()),
        (Some("text/html"), Some("file"))
    );
    assert!(stored["thumbnailUrl"].is_null());
    let id = stored["id"].as_str().unwrap();
    // Files alone, without a caption.
    socket
        .send(json!({"type": "send", "channelId": general, "nonce": "f1", "body": "", "attachments": [id]}))
        .await;
    let created = socket.expect("messageCreated").await;
    assert_eq!(created["message"]["body"], "");
    let (status, headers, _) = fetch(&h, None, stored["url"].as_str().unwrap()).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a public channel's guest reads its files"
    );
    assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''Q3%20r%C3%A9sum%C3%A9.png"),
        "{disposition}"
    );
    assert!(headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("sandbox"));
}

on_both!(
    bad_uploads_and_sends_are_refused_with_a_sentence_and_leave_nothing,
    [("MAX_UPLOAD_MB", "1")]
);
async fn bad_uploads_and_sends_are_refused_with_a_sentence_and_leave_nothing(h: Harness) {
    let (ana, bo, _, general, mut socket) = room(&h, "public").await;
    // Too large (announced), empty, not a channel, not a member who may post.
    let (status, answer) = h
        .upload(&bo, &general, "big.bin", vec![7u8; 1024 * 1024 + 1])
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    let (status, answer) = h.upload(&bo, &general, "empty.txt", Vec::new()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(answer["error"].as_str().unwrap().ends_with('.'));
    let (status, _) = h.upload(&bo, "not-a-channel", "a.txt", b"a".to_vec()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let eve = h.person("eve_e").await;
    let (status, _) = h.upload(&eve, &general, "a.txt", b"a".to_vec()).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "an outsider may read but not post"
    );
    // The body as text, or from another site.
    let response = h
        .http
        .post(h.server.url("/api/files/upload"))
        .query(&[("channelId", general.as_str()), ("name", "a.txt")])
        .bearer_auth(&bo.token)
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let response = h
        .http
        .post(h.server.url("/api/files/upload"))
        .query(&[("channelId", general.as_str()), ("name", "a.txt")])
        .header("origin", "https://evil.example")
        .header("content-type", "application/octet-stream")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(h.count("SELECT COUNT(*) FROM attachments").await, 0);
    assert_eq!(files_on_disk(&h), 0);

    // Someone else's upload cannot be sent; an unknown one neither.
    let (_, mine) = h
        .upload(&ana, &general, "ana.txt", b"ana's notes".to_vec())
        .await;
    for ids in [
        json!([mine["id"]]),
        json!(["01a21376-2101-70c6-88e1-a3a893425026"]),
        json!(["nope"]),
    ] {
        socket
            .send(json!({"type": "send", "channelId": general, "nonce": "x", "body": "look", "attachments": ids}))
            .await;
        let refused = socket.expect("error").await;
        assert_eq!(refused["error"]["code"], "validation", "{refused}");
    }
    // One upload sent from two tabs at once goes out once; the other is told why.
    let (_, shared) = h.upload(&bo, &general, "once.txt", b"once".to_vec()).await;
    let mut second = h.socket(&bo).await;
    second.subscribe(&general, None).await;
    let send = |nonce: &str| json!({"type": "send", "channelId": general, "nonce": nonce, "body": "twice?", "attachments": [shared["id"]]});
    socket.send(send("t1")).await;
    second.send(send("t2")).await;
    let mut created = 0;
    let mut refused = 0;
    // Each tab hears its own answer (the other tab's message reaches both).
    for (tab, nonce) in [(&mut socket, "t1"), (&mut second, "t2")] {
        loop {
            let event = tab.next_event().await;
            if event["nonce"] != nonce {
                continue;
            }
            if event["type"] == "messageCreated" {
                created += 1;
                break;
            }
            if event["type"] == "error" {
                assert_eq!(event["error"]["code"], "validation", "{event}");
                refused += 1;
                break;
            }
        }
    }
    assert_eq!((created, refused), (1, 1));
    assert_eq!(
        h.count("SELECT COUNT(*) FROM messages WHERE body = 'twice?'")
            .await,
        1
    );
}

on_both!(
    uploads_never_sent_are_swept_and_a_deleted_community_takes_its_files,
    [("FILE_SWEEP_SECS", "1")]
);
async fn uploads_never_sent_are_swept_and_a_deleted_community_takes_its_files(h: Harness) {
    let (ana, bo, slug, general, mut socket) = room(&h, "public").await;
    let (_, kept) = h.upload(&bo, &general, "kept.png", png(20, 20)).await;
    socket
        .send(json!({"type": "send", "channelId": general, "nonce": "k", "body": "", "attachments": [kept["id"]]}))
        .await;
    socket.expect("messageCreated").await;
    let (_, abandoned) = h
        .upload(&bo, &general, "later.txt", b"draft".to_vec())
        .await;
    let (_, fresh) = h.upload(&bo, &general, "now.txt", b"draft".to_vec()).await;
    // The abandoned one was uploaded two hours ago.
    {
        use bullpen::entities::attachments;
        use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
        attachments::Entity::update_many()
            .col_expr(
                attachments::Column::CreatedAt,
                Expr::value(chrono::Utc::now() - chrono::Duration::hours(2)),
            )
            .filter(
                attachments::Column::Id.eq(abandoned["id"]
                    .as_str()
                    .unwrap()
                    .parse::<uuid::Uuid>()
                    .unwrap()),
            )
            .exec(&h.db)
            .await
            .unwrap();
    }
    let mut left = 0;
    for _ in 0..100 {
        left = h.count("SELECT COUNT(*) FROM attachments").await;
        if left == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(left, 2, "the sent file and the fresh upload stay");
    assert_eq!(
        fetch(&h, Some(&bo), fresh["url"].as_str().unwrap()).await.0,
        StatusCode::OK
    );
    assert_eq!(
        fetch(&h, Some(&bo), abandoned["url"].as_str().unwrap())
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // The uploader takes the fresh one back.
    h.ok(&bo, "/api/files/discard", json!({"id": fresh["id"]}))
        .await;
    let (status, _) = h
        .call(&ana, "/api/files/discard", json!({"id": kept["id"]}))
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "nobody takes back someone else's sent file"
    );
    assert_eq!(files_on_disk(&h), 1);

    h.ok(
        &ana,
        "/api/communities/delete",
        json!({"slug": slug, "confirm": "Chart Room"}),
    )
    .await;
    assert_eq!(h.count("SELECT COUNT(*) FROM attachments").await, 0);
    assert_eq!(files_on_disk(&h), 0);
}

/// s3rver (npm), started on a free port with a bucket, for the S3 path; `None` when it is not
/// installed (under CI that fails: scripts/test installs it).
struct S3Server {
    child: tokio::process::Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl S3Server {
    async fn start(test: &str) -> Option<S3Server> {
        let bin = std::env::var("S3RVER_BIN")
            .ok()
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(std::env::var("HOME").unwrap_or_default())
                    .join(".cache/bullpen/s3rver/node_modules/.bin/s3rver")
            });
        if !bin.exists() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{test}: s3rver is not installed at {}, and under CI nothing may be skipped (scripts/test installs it)",
                bin.display()
            );
            eprintln!("\n********\nSKIPPED {test}: s3rver is not installed ({}); scripts/test installs it.\n********\n", bin.display());
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let child = tokio::process::Command::new(&bin)
            .args([
                "-d",
                dir.path().to_str().unwrap(),
                "-a",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-s",
                "--configure-bucket",
                "bullpen-files",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start s3rver");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Some(S3Server {
                    child,
                    port,
                    _dir: dir,
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("s3rver did not start on port {port}");
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

#[tokio::test]
async fn files_round_trip_through_an_s3_compatible_store() {
    let Some(mut s3) = S3Server::start("files_round_trip_through_an_s3_compatible_store").await
    else {
        return;
    };
    let endpoint = s3.endpoint();
    let h = Harness::sqlite_with(&[
        ("OBJECT_STORE_URL", "s3://bullpen-files/chat"),
        ("AWS_ENDPOINT", &endpoint),
        ("AWS_ALLOW_HTTP", "true"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "S3RVER"),
        ("AWS_SECRET_ACCESS_KEY", "S3RVER"),
    ])
    .await;
    let (ana, bo, _, general, mut socket) = room(&h, "public").await;
    let chart = png(900, 700);
    let (status, stored) = h.upload(&bo, &general, "chart.png", chart.clone()).await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(files_on_disk(&h), 0, "nothing on the server's own disk");
    socket
        .send(json!({"type": "send", "channelId": general, "nonce": "s", "body": "", "attachments": [stored["id"]]}))
        .await;
    let created = socket.expect("messageCreated").await;
    let (status, _, bytes) = fetch(&h, Some(&ana), stored["url"].as_str().unwrap()).await;
    assert_eq!((status, bytes == chart), (StatusCode::OK, true));
    let (status, _, _) = fetch(&h, Some(&ana), stored["thumbnailUrl"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);

    // The store drops: a clear 503, nothing half-written; it comes back and all is well.
    s3.child.kill().await.unwrap();
    let (status, answer) = h.upload(&bo, &general, "later.png", png(10, 10)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    assert_eq!(h.count("SELECT COUNT(*) FROM attachments").await, 1);

    h.ok(
        &ana,
        "/api/moderation/delete",
        json!({"messageId": created["message"]["id"]}),
    )
    .await;
    // Its bytes could not be removed while the store was down: the row waits for the sweep.
    assert_eq!(h.count("SELECT COUNT(*) FROM attachments").await, 1);
}

/// The start of a WebM recording as Chromium's MediaRecorder writes it (EBML header, "webm"
/// doctype), padded: what the type is read from.
fn webm() -> Vec<u8> {
    let mut bytes = vec![
        0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2,
        0x81, 0x04, 0x42, 0xf3, 0x81, 0x08, 0x42, 0x82, 0x84, b'w', b'e', b'b', b'm',
    ];
    bytes.resize(4096, 0x42);
    bytes
}

on_both!(a_voice_message_keeps_its_length_and_waveform_and_plays_inline);
async fn a_voice_message_keeps_its_length_and_waveform_and_plays_inline(h: Harness) {
    let (ana, bo, _, general, mut socket) = room(&h, "public").await;
    let voice = |duration: &str, waveform: &str, bytes: Vec<u8>| {
        let url = h.server.url("/api/files/upload");
        let request = h
            .http
            .post(url)
            .query(&[
                ("channelId", general.as_str()),
                ("name", "voice-message.webm"),
                ("durationMs", duration),
                ("waveform", waveform),
            ])
            .bearer_auth(&bo.token)
            .header("content-type", "application/octet-stream")
            .body(bytes);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            (
                status,
                response
                    .json::<serde_json::Value>()
                    .await
                    .unwrap_or_default(),
            )
        }
    };
    let (status, stored) = voice("7200", "0369cfc9630", webm()).await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(stored["kind"], "voice");
    assert_eq!(stored["contentType"], "audio/webm");
    assert_eq!(stored["durationMs"], 7200);
    assert_eq!(stored["waveform"], "0369cfc9630");
    socket
        .send(json!({"type": "send", "channelId": general, "nonce": "v", "body": "", "attachments": [stored["id"]]}))
        .await;
    let created = socket.expect("messageCreated").await;
    assert_eq!(created["message"]["attachments"][0]["kind"], "voice");
    let (status, headers, _) = fetch(&h, Some(&ana), stored["url"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "audio/webm");
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("inline"));

    // Not a recording; no length, too long, or a waveform that is not one: refused.
    for (duration, waveform, bytes) in [
        ("7200", "0369", b"just some text".to_vec()),
        ("0", "0369", webm()),
        ("600001", "0369", webm()),
        ("7200", "<svg>", webm()),
    ] {
        let (status, answer) = voice(duration, waveform, bytes).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{duration} {waveform}: {answer}"
        );
        assert!(answer["error"].as_str().unwrap().ends_with('.'), "{answer}");
    }
    assert_eq!(h.count("SELECT COUNT(*) FROM attachments").await, 1);
    // A browser that could not measure the sound sends no waveform, and none is made up.
    let (status, unmeasured) = voice("3000", "", webm()).await;
    assert_eq!(status, StatusCode::OK, "{unmeasured}");
    assert!(unmeasured["waveform"].is_null(), "{unmeasured}");
}

on_both!(
    a_refusal_for_files_costs_no_message_and_the_limit_gives_files_back,
    [("RATE_LIMIT_MESSAGES", "2")]
);
async fn a_refusal_for_files_costs_no_message_and_the_limit_gives_files_back(h: Harness) {
    let (_, bo, _, general, mut socket) = room(&h, "public").await;
    // One upload sent from two tabs at once: one message, and one refusal that does not count.
    let (_, shared) = h.upload(&bo, &general, "once.txt", b"once".to_vec()).await;
    let mut second = h.socket(&bo).await;
    second.subscribe(&general, None).await;
    let send = |nonce: &str| json!({"type": "send", "channelId": general, "nonce": nonce, "body": "", "attachments": [shared["id"]]});
    socket.send(send("t1")).await;
    second.send(send("t2")).await;
    let mut answers = Vec::new();
    for (tab, nonce) in [(&mut socket, "t1"), (&mut second, "t2")] {
        loop {
            let event = tab.next_event().await;
            if event["nonce"] == nonce
                && (event["type"] == "messageCreated" || event["type"] == "error")
            {
                answers.push(event["type"].as_str().unwrap().to_string());
                break;
            }
        }
    }
    answers.sort();
    assert_eq!(answers, ["error", "messageCreated"]);
    // So the second of two messages this minute still goes through…
    socket
        .say(&general, "words", "still within the limit")
        .await;
    loop {
        let event = socket.next_event().await;
        if event["nonce"] == "words" {
            assert_eq!(event["type"], "messageCreated", "{event}");
            break;
        }
    }
    // …and a third, refused by the limit, leaves its file unsent for the next try.
    let (_, file) = h
        .upload(&bo, &general, "later.txt", b"for later".to_vec())
        .await;
    socket
        .send(json!({"type": "send", "channelId": general, "nonce": "third", "body": "", "attachments": [file["id"]]}))
        .await;
    loop {
        let event = socket.next_event().await;
        if event["nonce"] == "third" {
            assert_eq!(event["error"]["code"], "rate_limited", "{event}");
            break;
        }
    }
    assert_eq!(
        h.count("SELECT COUNT(*) FROM attachments WHERE message_id IS NULL")
            .await,
        1
    );
}

on_both!(a_burst_of_uploads_stops_at_thirty_waiting_and_sending_makes_room);
async fn a_burst_of_uploads_stops_at_thirty_waiting_and_sending_makes_room(h: Harness) {
    let (_, bo, _, general, mut socket) = room(&h, "public").await;
    // Thirty-five at once: thirty wait, the rest are told to send or remove some first.
    let uploads =
        (0..35).map(|n| h.upload(&bo, &general, "note.txt", format!("note {n}").into_bytes()));
    let answers = futures::future::join_all(uploads).await;
    let stored: Vec<&serde_json::Value> = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::OK)
        .map(|(_, body)| body)
        .collect();
    assert!(
        (1..=30).contains(&stored.len()),
        "never more than thirty waiting: {}",
        stored.len()
    );
    assert_eq!(
        h.count("SELECT COUNT(*) FROM attachments").await,
        stored.len() as i64,
        "nothing kept of the refused"
    );
    let refused: Vec<_> = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::UNPROCESSABLE_ENTITY)
        .collect();
    assert!(!refused.is_empty(), "a burst past the cap is refused");
    assert!(
        refused[0].1["error"].as_str().unwrap().contains("waiting"),
        "{:?}",
        refused[0]
    );
    // Sent, they stop waiting: the next upload goes through.
    let ids: Vec<_> = stored.iter().take(10).map(|s| s["id"].clone()).collect();
    socket
        .send(json!({"type": "send", "channelId": general, "nonce": "all", "body": "notes", "attachments": ids}))
        .await;
    socket.expect("messageCreated").await;
    let (status, _) = h
        .upload(&bo, &general, "one-more.txt", b"more".to_vec())
        .await;
    assert_eq!(status, StatusCode::OK);
}
