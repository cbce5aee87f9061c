//! Who may read and write, at every moment: an open socket follows the person's current
//! standing (ban, kick, leave, archived channel, ended session), commands obey the channel's
//! rules and the rate limit, the limit is exact under concurrency, nobody hands out a role
//! carrying more than they hold — on SQLite and PostgreSQL, through the real server.

use crate::common;

use std::time::Duration;

use crate::common::{harness::Harness, people::Person, ws::ChatClient};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// How long a socket is watched for something that must not arrive.
const QUIET: Duration = Duration::from_millis(700);

impl Harness {
    /// Brings `who` into a private community through an invitation of `owner`'s.
    async fn invite(&self, owner: &Person, who: &Person, slug: &str) {
        let invite = self
            .ok(
                owner,
                "/api/communities/invites/create",
                json!({"slug": slug}),
            )
            .await;
        self.ok(who, "/api/invites/accept", json!({"code": invite["code"]}))
            .await;
    }

    /// A custom role of `owner`'s community carrying these permission bits: its id.
    async fn role(&self, owner: &Person, slug: &str, name: &str, permissions: u32) -> String {
        let role = self
            .ok(
                owner,
                "/api/communities/roles/create",
                json!({"slug": slug, "name": name, "permissions": permissions}),
            )
            .await;
        role["id"].as_str().unwrap().to_string()
    }
}

/// The bodies of the messages among `events`.
fn bodies(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["type"] == "messageCreated" || e["type"] == "messageEdited")
        .map(|e| {
            e["message"]["body"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// Ana's community with Bo in it, both watching #general.
async fn room(
    h: &Harness,
    visibility: &str,
) -> (Person, Person, String, String, ChatClient, ChatClient) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Night Desk", visibility).await;
    match visibility {
        "public" => {
            h.ok(&bo, "/api/communities/join", json!({"slug": slug}))
                .await;
        }
        _ => h.invite(&ana, &bo, &slug).await,
    }
    let mut ana_socket = h.socket(&ana).await;
    ana_socket.subscribe(&general, None).await;
    let mut bo_socket = h.socket(&bo).await;
    bo_socket.subscribe(&general, None).await;
    // Both live: a message reaches both.
    ana_socket.say(&general, "hello", "before").await;
    for socket in [&mut ana_socket, &mut bo_socket] {
        assert_eq!(
            socket.expect("messageCreated").await["message"]["body"],
            "before"
        );
    }
    (ana, bo, slug, general, ana_socket, bo_socket)
}

/// After the change, nothing of the channel reaches Bo's socket: the subscription ends with a
/// reason, and neither Ana's next message nor her typing arrives; Bo's typing is not relayed.
async fn feed_is_cut(
    general: &str,
    ana_socket: &mut ChatClient,
    bo_socket: &mut ChatClient,
    reason: &str,
) {
    let lost = bo_socket.expect("accessLost").await;
    assert_eq!(lost["channelId"], general);
    assert!(
        common::read_sentence(&lost["reason"], "en").contains(reason),
        "{lost}"
    );
    ana_socket
        .send(json!({"type": "typing", "channelId": general, "typing": true}))
        .await;
    ana_socket.say(general, "after", "after the change").await;
    assert_eq!(
        ana_socket.expect("messageCreated").await["message"]["body"],
        "after the change"
    );
    bo_socket
        .send(json!({"type": "typing", "channelId": general, "typing": true}))
        .await;
    let heard = bo_socket.drain(QUIET).await;
    assert!(
        bodies(&heard).is_empty(),
        "Bo still hears the channel: {heard:?}"
    );
    assert!(
        !heard.iter().any(|e| e["type"] == "typing"),
        "Bo still hears typing: {heard:?}"
    );
    let ana_heard = ana_socket.drain(QUIET).await;
    assert!(
        !ana_heard.iter().any(|e| e["type"] == "typing"),
        "Bo's typing was relayed: {ana_heard:?}"
    );
}

on_both!(a_ban_cuts_the_open_feed_at_once);
async fn a_ban_cuts_the_open_feed_at_once(h: Harness) {
    let (ana, bo, slug, general, mut ana_socket, mut bo_socket) = room(&h, "public").await;
    h.ok(
        &ana,
        "/api/communities/ban",
        json!({"slug": slug, "username": bo.name, "reason": "spam"}),
    )
    .await;
    feed_is_cut(&general, &mut ana_socket, &mut bo_socket, "banned").await;
    // Subscribing again is refused too.
    bo_socket
        .send(json!({"type": "subscribe", "channelId": general}))
        .await;
    let refused = bo_socket.expect("error").await;
    assert_eq!(
        refused["error"]["error"],
        "You are banned from this community."
    );
}

on_both!(a_kick_cuts_the_open_feed_of_a_private_community);
async fn a_kick_cuts_the_open_feed_of_a_private_community(h: Harness) {
    let (ana, bo, slug, general, mut ana_socket, mut bo_socket) = room(&h, "private").await;
    h.ok(
        &ana,
        "/api/communities/kick",
        json!({"slug": slug, "username": bo.name}),
    )
    .await;
    feed_is_cut(&general, &mut ana_socket, &mut bo_socket, "private").await;
}

on_both!(leaving_ends_the_members_feed_even_where_guests_may_read);
async fn leaving_ends_the_members_feed_even_where_guests_may_read(h: Harness) {
    let (_ana, bo, slug, general, mut ana_socket, mut bo_socket) = room(&h, "public").await;
    h.ok(&bo, "/api/communities/leave", json!({"slug": slug}))
        .await;
    feed_is_cut(
        &general,
        &mut ana_socket,
        &mut bo_socket,
        "no longer a member",
    )
    .await;
}

on_both!(archiving_a_channel_ends_its_feed);
async fn archiving_a_channel_ends_its_feed(h: Harness) {
    let (ana, _bo, slug, general, _ana_socket, mut bo_socket) = room(&h, "public").await;
    h.ok(
        &ana,
        "/api/communities/channels/update",
        json!({"slug": slug, "channelId": general, "name": "general", "archived": true}),
    )
    .await;
    let lost = bo_socket.expect("accessLost").await;
    assert!(
        common::read_sentence(&lost["reason"], "en").contains("archived"),
        "{lost}"
    );
    // And nobody posts there any more, with a message or a command.
    bo_socket.say(&general, "late", "/shrug").await;
    let refused = bo_socket.expect("error").await;
    assert!(
        refused["error"]["error"]
            .as_str()
            .unwrap()
            .contains("archived"),
        "{refused}"
    );
}

on_both!(signing_out_closes_that_sessions_sockets_and_a_password_change_the_others);
async fn signing_out_closes_that_sessions_sockets_and_a_password_change_the_others(h: Harness) {
    let ana = h.person("ana").await;
    let (_, first) = h.login("ana", "correct horse battery").await;
    let (_, second) = h.login("ana", "correct horse battery").await;
    let mut registered = ChatClient::connect(&h.server.base, &ana.token).await;
    let mut one = ChatClient::connect(&h.server.base, first["token"].as_str().unwrap()).await;
    let mut two = ChatClient::connect(&h.server.base, second["token"].as_str().unwrap()).await;

    // Signing out of the first session closes its socket, and only its socket.
    let (status, body) = h
        .post(
            "/api/auth/logout",
            json!({"refreshToken": first["refreshToken"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(one.expect("sessionEnded").await["type"], "sessionEnded");
    assert!(
        one.try_next_event(Duration::from_secs(5)).await.is_none(),
        "the socket stays open"
    );
    assert!(two.drain(QUIET).await.is_empty());

    // A password change keeps the session that made it and closes the others.
    h.ok(
        &ana,
        "/api/profile/password",
        json!({"currentPassword": "correct horse battery", "newPassword": "staple battery horse"}),
    )
    .await;
    assert_eq!(two.expect("sessionEnded").await["type"], "sessionEnded");
    assert!(
        two.try_next_event(Duration::from_secs(5)).await.is_none(),
        "the socket stays open"
    );
    let (_, general) = h.community(&ana, "Still Here", "public").await;
    registered.subscribe(&general, None).await;
}

on_both!(
    commands_obey_the_channel_rules_and_the_rate_limit,
    [("RATE_LIMIT_MESSAGES", "3")]
);
async fn commands_obey_the_channel_rules_and_the_rate_limit(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let (slug, general) = h.community(&ana, "Rules Room", "public").await;
    let news = h
        .ok(
            &ana,
            "/api/communities/channels/create",
            json!({"slug": slug, "name": "news", "kind": "announcement"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();

    // A guest reading a public community runs no command in it.
    let mut bo_socket = h.socket(&bo).await;
    bo_socket.subscribe(&general, None).await;
    bo_socket.say(&general, "c1", "/shrug").await;
    assert_eq!(
        bo_socket.expect("error").await["error"]["error"],
        "Join this community first."
    );
    bo_socket.say(&general, "c2", "/help").await;
    assert_eq!(
        bo_socket.expect("error").await["error"]["error"],
        "Join this community first."
    );

    // A member runs none in an announcement channel.
    h.ok(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;
    bo_socket.subscribe(&news, None).await;
    bo_socket.say(&news, "c3", "/shrug").await;
    assert_eq!(
        bo_socket.expect("error").await["error"]["error"],
        "Only moderators post in announcement channels."
    );

    // Commands count toward the limit (3 here): two private answers and one message, then no more.
    bo_socket.say(&general, "c4", "/help").await;
    assert_eq!(bo_socket.expect("commandReply").await["nonce"], "c4");
    bo_socket.say(&general, "c5", "/help").await;
    assert_eq!(bo_socket.expect("commandReply").await["nonce"], "c5");
    bo_socket.say(&general, "c6", "plain words").await;
    assert_eq!(bo_socket.expect("messageCreated").await["nonce"], "c6");
    bo_socket.say(&general, "c7", "/shrug").await;
    let limited = bo_socket.expect("error").await;
    assert_eq!(limited["nonce"], "c7");
    assert_eq!(limited["error"]["code"], "rate_limited", "{limited}");
}

on_both!(
    ten_a_minute_means_ten_from_many_sockets_at_once,
    [("RATE_LIMIT_MESSAGES", "10")]
);
async fn ten_a_minute_means_ten_from_many_sockets_at_once(h: Harness) {
    let ana = h.person("ana").await;
    let (_, general) = h.community(&ana, "Burst Room", "public").await;
    let mut sockets = Vec::new();
    for _ in 0..15 {
        let mut socket = h.socket(&ana).await;
        socket.subscribe(&general, None).await;
        sockets.push(socket);
    }
    // Every socket sends two at the same moment: 30 attempts.
    let general = &general;
    let outcomes = futures::future::join_all(sockets.iter_mut().enumerate().map(
        |(i, socket)| async move {
            for k in 0..2 {
                socket
                    .say(general, &format!("s{i}-{k}"), &format!("burst {i} {k}"))
                    .await;
            }
            let mut mine = Vec::new();
            while mine.len() < 2 {
                let event = socket.next_event().await;
                let nonce = event["nonce"].as_str().unwrap_or_default().to_string();
                if nonce.starts_with(&format!("s{i}-")) {
                    mine.push(event["type"].as_str().unwrap().to_string());
                }
            }
            mine
        },
    ))
    .await;
    let outcomes: Vec<String> = outcomes.into_iter().flatten().collect();
    let stored = outcomes.iter().filter(|t| *t == "messageCreated").count();
    let refused = outcomes.iter().filter(|t| *t == "error").count();
    assert_eq!((stored, refused), (10, 20), "{outcomes:?}");
    assert_eq!(h.count("SELECT COUNT(*) FROM messages").await, 10);
}

on_both!(
    edits_count_toward_the_rate_limit,
    [("RATE_LIMIT_MESSAGES", "3")]
);
async fn edits_count_toward_the_rate_limit(h: Harness) {
    let ana = h.person("ana").await;
    let (_, general) = h.community(&ana, "Edit Room", "public").await;
    let mut socket = h.socket(&ana).await;
    socket.subscribe(&general, None).await;
    socket.say(&general, "m1", "first").await;
    let id = socket.expect("messageCreated").await["message"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for body in ["first, edited", "first, edited again"] {
        socket
            .send(json!({"type": "edit", "messageId": id, "body": body}))
            .await;
        assert_eq!(
            socket.expect("messageEdited").await["message"]["body"],
            body
        );
    }
    socket
        .send(json!({"type": "edit", "messageId": id, "body": "one edit too many"}))
        .await;
    assert_eq!(
        socket.expect("error").await["error"]["code"],
        "rate_limited"
    );
    socket.say(&general, "m2", "second").await;
    assert_eq!(
        socket.expect("error").await["error"]["code"],
        "rate_limited"
    );
    // The refused edit changed nothing.
    assert_eq!(
        h.scalar("SELECT body FROM messages").await,
        "first, edited again"
    );
}

on_both!(nobody_gives_a_role_carrying_more_than_they_hold);
async fn nobody_gives_a_role_carrying_more_than_they_hold(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let (slug, _) = h.community(&ana, "Role Room", "public").await;
    for who in [&bo, &cy] {
        h.ok(who, "/api/communities/join", json!({"slug": slug}))
            .await;
    }
    // Flags: PIN 2, MANAGE_ROLES 32, MANAGE_COMMUNITY 64.
    let roles = h.role(&ana, &slug, "Role keeper", 32).await;
    let pinner = h.role(&ana, &slug, "Pinner", 2).await;
    let boss = h.role(&ana, &slug, "Boss", 64).await;
    // Bo becomes a moderator (outranks Cy) who manages roles.
    h.ok(
        &ana,
        "/api/communities/rank",
        json!({"slug": slug, "username": bo.name, "rank": "moderator"}),
    )
    .await;
    h.ok(
        &ana,
        "/api/communities/roles/assign",
        json!({"slug": slug, "roleId": roles, "username": bo.name, "given": true}),
    )
    .await;

    let assign = |role: &str, given: bool| json!({"slug": slug, "roleId": role, "username": cy.name, "given": given});
    h.ok(&bo, "/api/communities/roles/assign", assign(&pinner, true))
        .await;
    let (status, refused) = h
        .call(&bo, "/api/communities/roles/assign", assign(&boss, true))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert_eq!(
        refused["error"],
        "A role can only carry permissions you have yourself."
    );
    let (status, _) = h
        .call(
            &bo,
            "/api/communities/roles/delete",
            json!({"slug": slug, "roleId": boss}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        h.count("SELECT COUNT(*) FROM member_roles").await,
        2,
        "Bo's role keeper and Cy's pinner, and nothing else"
    );
}

on_both!(
    a_stopping_server_stores_and_confirms_everything_already_sent,
    [("RATE_LIMIT_MESSAGES", "0")]
);
async fn a_stopping_server_stores_and_confirms_everything_already_sent(mut h: Harness) {
    let ana = h.person("ana").await;
    let (_, general) = h.community(&ana, "Last Orders", "public").await;
    let mut socket = h.socket(&ana).await;
    socket.subscribe(&general, None).await;
    // A burst is on the wire when the stop comes.
    const SENT: usize = 200;
    for i in 0..SENT {
        socket
            .say(&general, &format!("n{i}"), &format!("order {i}"))
            .await;
    }
    h.server.terminate();
    // On `closing` a tab stops sending; everything it sent before is confirmed before the
    // server closes the socket.
    let mut confirmed = std::collections::BTreeSet::new();
    let mut told_to_close = false;
    while let Some(event) = socket.try_next_event(Duration::from_secs(15)).await {
        match event["type"].as_str() {
            Some("messageCreated") => {
                confirmed.insert(event["nonce"].as_str().unwrap().to_string());
            }
            Some("closing") => told_to_close = true,
            _ => {}
        }
    }
    assert!(told_to_close, "the tab was asked to close");
    assert_eq!(
        confirmed.len(),
        SENT,
        "every message sent before the stop is confirmed"
    );
    let status = h
        .server
        .exited(Duration::from_secs(30))
        .await
        .expect("the server exits");
    assert!(status.success(), "{status:?}");
    assert_eq!(h.count("SELECT COUNT(*) FROM messages").await, SENT as i64);
    // Its connections are gone with it: nobody stays online on a stopped server's account.
    assert_eq!(h.count("SELECT COUNT(*) FROM connections").await, 0);
}

/// Two instances on one PostgreSQL and one Redis: Ana on A, Bo on B watching the default
/// community's #general (where both are members).
struct TwoInstances {
    scratch: common::ScratchDatabase,
    a: common::TestServer,
    _b: common::TestServer,
    _ana: ChatClient,
    bo_socket: ChatClient,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

async fn two_instances(test: &str) -> Option<TwoInstances> {
    use std::collections::HashMap;
    let (Some(database), Some(redis)) = (common::postgres_url(test), common::redis_url(test))
    else {
        return None;
    };
    let scratch = common::ScratchDatabase::create(&database).await;
    let env = || {
        HashMap::from([
            ("DATABASE_URL", scratch.url()),
            ("REDIS_URL", redis.clone()),
            ("JWT_SECRET", common::harness::SECRET.to_string()),
        ])
    };
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = common::TestServer::start(dir_a.path(), env()).await;
    let b = common::TestServer::start(dir_b.path(), env()).await;
    let http = reqwest::Client::new();
    let register = |server: &common::TestServer, name: &str| {
        let request = http.post(server.url("/api/auth/register")).json(
            &json!({"email": format!("{name}@example.com"), "username": name, "displayName": name, "password": "correct horse battery"}),
        );
        async move {
            let body: Value = request.send().await.unwrap().json().await.unwrap();
            body["token"].as_str().unwrap().to_string()
        }
    };
    let ana = register(&a, "ana").await;
    let bo = register(&b, "bo_b").await;
    let view: Value = http
        .get(b.url("/api/communities/view?slug=bullpen"))
        .bearer_auth(&bo)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let general = view["channels"][0]["id"].as_str().unwrap();
    let mut bo_socket = ChatClient::connect(&b.base, &bo).await;
    bo_socket.subscribe(general, None).await;
    let ana_socket = ChatClient::connect(&a.base, &ana).await;
    let online = presence_of(&mut bo_socket, Duration::from_secs(10)).await;
    assert_eq!(
        online.map(|p| p["online"].clone()),
        Some(json!(true)),
        "Ana came online"
    );
    Some(TwoInstances {
        scratch,
        a,
        _b: b,
        _ana: ana_socket,
        bo_socket,
        _dirs: (dir_a, dir_b),
    })
}

/// The next presence event Bo's socket gets, waiting at most `limit`.
async fn presence_of(socket: &mut ChatClient, limit: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let event = socket.try_next_event(left).await?;
        if event["type"] == "presence" {
            return Some(event);
        }
    }
}

#[tokio::test]
async fn a_crashed_instances_people_go_offline_within_thirty_seconds() {
    let Some(TwoInstances {
        scratch: _scratch,
        a,
        _b,
        _ana,
        mut bo_socket,
        _dirs,
    }) = two_instances("a_crashed_instances_people_go_offline_within_thirty_seconds").await
    else {
        return;
    };
    a.stop().await; // SIGKILL: no goodbye from A.
                    // Stale 15 s after A's last beat, swept by B's next beat (every 5 s): within 30 s of the
                    // crash, as promised, with room to spare.
    let offline = presence_of(&mut bo_socket, Duration::from_secs(30))
        .await
        .expect("Ana goes offline within 30 s");
    assert_eq!(offline["online"], false, "{offline}");
}

#[tokio::test]
async fn a_gracefully_stopped_instance_marks_its_people_offline() {
    let Some(TwoInstances {
        scratch,
        mut a,
        _b,
        _ana,
        mut bo_socket,
        _dirs,
    }) = two_instances("a_gracefully_stopped_instance_marks_its_people_offline").await
    else {
        return;
    };
    a.terminate();
    assert!(a
        .exited(Duration::from_secs(30))
        .await
        .expect("A exits")
        .success());
    // A took its connections with it (only Bo's, on B, is left) and told the room.
    let db = sea_orm::Database::connect(scratch.url()).await.unwrap();
    let left = sea_orm::ConnectionTrait::query_one(
        &db,
        sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT COUNT(*) AS n FROM connections",
        ),
    )
    .await
    .unwrap()
    .unwrap()
    .try_get::<i64>("", "n")
    .unwrap();
    assert_eq!(left, 1);
    let offline = presence_of(&mut bo_socket, Duration::from_secs(10))
        .await
        .expect("Ana goes offline");
    assert_eq!(offline["online"], false, "{offline}");
}
