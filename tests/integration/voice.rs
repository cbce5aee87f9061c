//! Voice channels as people use and misuse them: a call joined from two sockets, its roster
//! reaching the community live, the signalling passed between the two tabs on it and to no one
//! else, muting, speaking, a moderator's silence, leaving by closing the tab; a call that never
//! holds more than the mesh's eight however many join at once; and what is refused — a text
//! channel, an outsider, a timed-out or banned member (who is taken off the call), a message
//! into a voice channel, signals to a tab not on the call, oversized or malformed ones. On
//! SQLite and (when TEST_DATABASE_URL is set) PostgreSQL.

use std::time::Duration;

use crate::common::{harness::Harness, people::Person, ws::ChatClient};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A voice channel `#name` made by `owner` in `slug`: its id.
async fn voice_channel(h: &Harness, owner: &Person, slug: &str, name: &str) -> String {
    h.ok(
        owner,
        "/api/communities/channels/create",
        json!({"slug": slug, "name": name, "kind": "voice"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The first roster this socket hears of that shows what the test waits for: several changes
/// at once publish several rosters, and this one may come after others that are newer than the
/// last seen but older than the change looked for.
async fn roster_until(socket: &mut ChatClient, shows: impl Fn(&Value) -> bool) -> Value {
    loop {
        let roster = socket.roster().await;
        if shows(&roster) {
            return roster;
        }
    }
}

/// Who is on the call, by username, earliest first.
fn on_call(roster: &Value) -> Vec<String> {
    roster["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["user"]["username"].as_str().unwrap().to_string())
        .collect()
}

fn participant<'a>(roster: &'a Value, username: &str) -> &'a Value {
    roster["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["user"]["username"] == username)
        .unwrap_or_else(|| panic!("{username} on {roster}"))
}

async fn join(socket: &mut ChatClient, channel: &str) {
    socket
        .send(json!({"type": "voiceJoin", "channelId": channel}))
        .await;
}

async fn refusal(socket: &mut ChatClient) -> String {
    socket.expect("error").await["error"]["error"]
        .as_str()
        .unwrap()
        .to_string()
}

on_both!(a_call_is_joined_seen_signalled_and_left);
async fn a_call_is_joined_seen_signalled_and_left(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let (slug, general) = h.community(&ana, "Desk", "public").await;
    let talk = voice_channel(&h, &ana, &slug, "talk").await;
    for who in [&bo, &cy] {
        h.ok(who, "/api/communities/join", json!({"slug": slug}))
            .await;
    }
    // Cy watches the community from its text channel: calls reach the whole community.
    let mut cy_socket = h.socket(&cy).await;
    cy_socket.subscribe(&general, None).await;
    let mut a = h.socket(&ana).await;
    a.subscribe(&talk, None).await;
    let mut b = h.socket(&bo).await;
    b.subscribe(&talk, None).await;

    join(&mut a, &talk).await;
    let first = cy_socket.roster().await;
    assert_eq!(first["channelId"], talk.as_str());
    assert_eq!(on_call(&first), ["ana"]);
    let ana_on = participant(&first, "ana");
    assert_eq!(ana_on["connectionId"], a.connection_id.as_str());
    assert_eq!(ana_on["maySpeak"], true);
    assert_eq!(ana_on["muted"], false);

    join(&mut b, &talk).await;
    assert_eq!(on_call(&cy_socket.roster().await), ["ana", "bo_b"]);
    // The page's read of the calls says the same, to anyone who may read the community.
    let (status, calls) = h.read(&cy, &format!("/api/voice/calls?slug={slug}")).await;
    assert_eq!(status, StatusCode::OK, "{calls}");
    assert_eq!(calls["rosters"].as_array().unwrap().len(), 1);
    assert_eq!(on_call(&calls["rosters"][0]), ["ana", "bo_b"]);
    assert_eq!(calls["iceServers"], json!([]));

    // The set-up passes between the two tabs, each step to its addressee alone.
    let offer = json!({"kind": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"});
    a.send(json!({"type": "voiceSignal", "to": b.connection_id, "signal": offer}))
        .await;
    let got = b.expect("voiceSignal").await;
    assert_eq!(got["from"], a.connection_id.as_str());
    assert_eq!(got["to"], b.connection_id.as_str());
    assert_eq!(got["signal"], offer);
    let ice = json!({"kind": "ice", "candidate": "candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host", "sdpMid": "0", "sdpMLineIndex": 0});
    b.send(json!({"type": "voiceSignal", "to": a.connection_id, "signal": {"kind": "answer", "sdp": "v=0\r\n"}}))
        .await;
    b.send(json!({"type": "voiceSignal", "to": a.connection_id, "signal": ice}))
        .await;
    assert_eq!(a.expect("voiceSignal").await["signal"]["kind"], "answer");
    assert_eq!(a.expect("voiceSignal").await["signal"], ice);
    // Nobody else reads a call's set-up.
    let overheard = cy_socket.drain(Duration::from_millis(400)).await;
    assert!(
        overheard.iter().all(|e| e["type"] != "voiceSignal"),
        "{overheard:?}"
    );

    // Speaking shows; a muted tab never shows as speaking.
    a.send(json!({"type": "voiceSpeaking", "speaking": true}))
        .await;
    let speaking = cy_socket.expect("voiceSpeaking").await;
    assert_eq!(speaking["connectionId"], a.connection_id.as_str());
    assert_eq!(speaking["speaking"], true);
    // A burst of a hundred changes is passed on at most ten starts a second, and always ends
    // where the tab ended: a stop is never dropped.
    for n in 0..100 {
        a.send(json!({"type": "voiceSpeaking", "speaking": n % 2 == 0}))
            .await;
    }
    let told: Vec<bool> = cy_socket
        .drain(Duration::from_millis(400))
        .await
        .iter()
        .filter(|e| e["type"] == "voiceSpeaking")
        .map(|e| e["speaking"].as_bool().unwrap())
        .collect();
    assert!(told.len() < 50, "{told:?}");
    assert_eq!(told.last(), Some(&false), "{told:?}");
    b.send(json!({"type": "voiceSelf", "muted": true, "deafened": false}))
        .await;
    let muted = cy_socket.roster().await;
    assert_eq!(participant(&muted, "bo_b")["muted"], true);
    b.send(json!({"type": "voiceSpeaking", "speaking": true}))
        .await;
    let heard = cy_socket.drain(Duration::from_millis(400)).await;
    assert!(
        heard.iter().all(|e| e["type"] != "voiceSpeaking"),
        "{heard:?}"
    );

    // Closing the tab is leaving the call.
    b.close().await;
    assert_eq!(on_call(&cy_socket.roster().await), ["ana"]);
    a.send(json!({"type": "voiceLeave"})).await;
    assert_eq!(on_call(&cy_socket.roster().await), Vec::<String>::new());
    assert_eq!(h.count("SELECT COUNT(*) FROM voice_members").await, 0);
}

on_both!(calls_refuse_what_is_not_theirs);
async fn calls_refuse_what_is_not_theirs(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let cy = h.person("cy_c").await;
    let (slug, general) = h.community(&ana, "Desk", "public").await;
    let talk = voice_channel(&h, &ana, &slug, "talk").await;
    let lobby = voice_channel(&h, &ana, &slug, "lobby").await;
    let (secret, _) = h.community(&ana, "Back room", "private").await;
    h.ok(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;

    let mut b = h.socket(&bo).await;
    // A text channel is not a call, and a voice channel takes no message.
    join(&mut b, &general).await;
    assert_eq!(refusal(&mut b).await, "This is not a voice channel.");
    b.subscribe(&talk, None).await;
    b.say(&talk, "n1", "hello?").await;
    assert_eq!(
        refusal(&mut b).await,
        "A voice channel is for talking: it has no messages."
    );
    // Nothing is passed on or said before joining.
    b.send(json!({"type": "voiceSpeaking", "speaking": true}))
        .await;
    assert_eq!(refusal(&mut b).await, "Join the call first.");

    // An outsider may look at a public community's calls but not join one; a private
    // community's calls are not theirs to see.
    let mut c = h.socket(&cy).await;
    join(&mut c, &talk).await;
    assert_eq!(refusal(&mut c).await, "Join this community first.");
    let (status, calls) = h
        .read(&cy, &format!("/api/voice/calls?slug={secret}"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{calls}");

    // Signals go only between tabs on the same call.
    let mut a = h.socket(&ana).await;
    join(&mut a, &talk).await;
    b.expect("voiceRoster").await;
    join(&mut b, &lobby).await;
    b.expect("voiceRoster").await;
    let offer = json!({"kind": "offer", "sdp": "v=0\r\n"});
    for to in [
        a.connection_id.clone(),
        c.connection_id.clone(),
        "nobody".into(),
        b.connection_id.clone(),
    ] {
        b.send(json!({"type": "voiceSignal", "to": to, "signal": offer}))
            .await;
        assert_eq!(refusal(&mut b).await, "That person is not on this call.");
    }
    // Oversized and malformed signals are refused in words; the socket goes on.
    join(&mut b, &talk).await;
    b.expect("voiceRoster").await;
    let huge = "a".repeat(17 * 1024);
    b.send(json!({"type": "voiceSignal", "to": a.connection_id, "signal": {"kind": "offer", "sdp": huge}}))
        .await;
    assert_eq!(
        refusal(&mut b).await,
        "That call set-up message is not one a browser sends."
    );
    b.send(json!({"type": "voiceSignal", "to": a.connection_id, "signal": {"kind": "shout"}}))
        .await;
    let unreadable = refusal(&mut b).await;
    assert!(unreadable.contains("could not be read"), "{unreadable}");
    let overheard = a.drain(Duration::from_millis(300)).await;
    assert!(
        overheard.iter().all(|e| e["type"] != "voiceSignal"),
        "{overheard:?}"
    );
    b.send(json!({"type": "voiceSignal", "to": a.connection_id, "signal": offer}))
        .await;
    assert_eq!(a.expect("voiceSignal").await["signal"], offer);
}

on_both!(a_call_holds_eight_however_many_join_at_once);
async fn a_call_holds_eight_however_many_join_at_once(h: Harness) {
    let ana = h.person("ana").await;
    let (slug, general) = h.community(&ana, "Desk", "public").await;
    let talk = voice_channel(&h, &ana, &slug, "talk").await;
    let mut watcher = h.socket(&ana).await;
    watcher.subscribe(&general, None).await;
    let mut sockets = vec![h.socket(&ana).await];
    for n in 0..9 {
        let who = h.person(&format!("caller{n}")).await;
        h.ok(&who, "/api/communities/join", json!({"slug": slug}))
            .await;
        sockets.push(h.socket(&who).await);
    }
    // Ten tabs ask at the same moment.
    for socket in sockets.iter_mut() {
        join(socket, &talk).await;
    }
    let mut refused = 0;
    for socket in sockets.iter_mut() {
        let events = socket.drain(Duration::from_millis(800)).await;
        refused += events
            .iter()
            .filter(|e| {
                e["type"] == "error"
                    && e["error"]["error"]
                        == "This call is full: at most 8 people talk in one call."
            })
            .count();
    }
    assert_eq!(refused, 2);
    assert_eq!(h.count("SELECT COUNT(*) FROM voice_members").await, 8);
    let (_, calls) = h.read(&ana, &format!("/api/voice/calls?slug={slug}")).await;
    assert_eq!(on_call(&calls["rosters"][0]).len(), 8);
    // The rosters of ten changes at once reach the community in any order; the one with the
    // highest revision is the call as it is.
    let newest = watcher
        .drain(Duration::from_millis(300))
        .await
        .into_iter()
        .filter(|e| e["type"] == "voiceRoster")
        .map(|e| e["roster"].clone())
        .max_by_key(|roster| roster["revision"].as_i64().unwrap())
        .expect("rosters");
    assert_eq!(newest, calls["rosters"][0]);
}

on_both!(moderators_silence_and_losing_the_right_ends_the_call);
async fn moderators_silence_and_losing_the_right_ends_the_call(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let dee = h.person("dee_d").await;
    let (slug, general) = h.community(&ana, "Desk", "public").await;
    let talk = voice_channel(&h, &ana, &slug, "talk").await;
    for who in [&bo, &dee] {
        h.ok(who, "/api/communities/join", json!({"slug": slug}))
            .await;
    }
    h.ok(
        &ana,
        "/api/communities/rank",
        json!({"slug": slug, "username": "dee_d", "rank": "moderator"}),
    )
    .await;
    let mut a = h.socket(&ana).await;
    a.subscribe(&general, None).await;
    let mut b = h.socket(&bo).await;
    let mut d = h.socket(&dee).await;
    for socket in [&mut a, &mut b, &mut d] {
        join(socket, &talk).await;
    }
    roster_until(&mut a, |r| on_call(r).len() == 3).await;

    // A moderator mutes a member for everyone, then lets him speak.
    let silence = |user: &str, silenced: bool| json!({"type": "voiceSilence", "channelId": talk, "userId": user, "silenced": silenced});
    d.send(silence(&bo.id, true)).await;
    roster_until(&mut a, |r| participant(r, "bo_b")["silenced"] == true).await;
    // A silenced tab never shows as speaking.
    b.send(json!({"type": "voiceSpeaking", "speaking": true}))
        .await;
    let heard = a.drain(Duration::from_millis(400)).await;
    assert!(
        heard.iter().all(|e| e["type"] != "voiceSpeaking"),
        "{heard:?}"
    );
    d.send(silence(&bo.id, false)).await;
    roster_until(&mut a, |r| participant(r, "bo_b")["silenced"] == false).await;
    // Both are in the audit log, newest first: who, to whom, in which call.
    let (_, log) = h
        .read(&ana, &format!("/api/moderation/audit?slug={slug}"))
        .await;
    let acts: Vec<(&str, &str, &str, &str)> = log
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|e| {
            (
                e["act"].as_str().unwrap(),
                e["actor"]["username"].as_str().unwrap(),
                e["target"]["username"].as_str().unwrap(),
                e["detail"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        acts,
        [
            ("allow_in_call", "dee_d", "bo_b", "#talk"),
            ("silence_in_call", "dee_d", "bo_b", "#talk")
        ]
    );
    // A member mutes nobody; a moderator does not mute the owner.
    b.send(silence(&dee.id, true)).await;
    assert_eq!(
        refusal(&mut b).await,
        "You don't have permission to do that here."
    );
    d.send(silence(&ana.id, true)).await;
    assert_eq!(
        refusal(&mut d).await,
        "You can only act on members of a lower rank."
    );

    // A timeout takes the member off the call, and keeps him off until it ends.
    h.ok(
        &ana,
        "/api/communities/timeout",
        json!({"slug": slug, "username": "bo_b", "minutes": 10}),
    )
    .await;
    let ended = b.expect("voiceEnded").await;
    assert_eq!(ended["channelId"], talk.as_str());
    // (Who joined first of the three is the server's to say: they asked at once.)
    let left = roster_until(&mut a, |r| on_call(r).len() == 2).await;
    let mut left = on_call(&left);
    left.sort();
    assert_eq!(left, ["ana", "dee_d"]);
    join(&mut b, &talk).await;
    let refused = refusal(&mut b).await;
    assert!(refused.contains("timed out"), "{refused}");

    // A ban does the same for the moderator.
    h.ok(
        &ana,
        "/api/communities/ban",
        json!({"slug": slug, "username": "dee_d"}),
    )
    .await;
    d.expect("voiceEnded").await;
    roster_until(&mut a, |r| on_call(r) == ["ana"]).await;
}

on_both!(
    turn_credentials_go_only_to_those_who_may_join_and_are_their_own,
    [(
        "VOICE_ICE_SERVERS",
        r#"[{"urls":["stun:stun.example.org:3478"]},{"urls":["turn:turn.example.org:3478"],"secret":"north-sea"}]"#
    )]
);
async fn turn_credentials_go_only_to_those_who_may_join_and_are_their_own(h: Harness) {
    let ana = h.person("ana").await;
    let bo = h.person("bo_b").await;
    let eve = h.person("eve_e").await;
    let (slug, _) = h.community(&ana, "Open Floor", "public").await;
    h.ok(&bo, "/api/communities/join", json!({"slug": slug}))
        .await;
    voice_channel(&h, &ana, &slug, "floor").await;
    let path = format!("/api/voice/calls?slug={slug}");

    // A guest and a signed-in outsider read the public rosters, and no server to call through.
    let (status, guest) = h.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{guest}");
    let (status, outsider) = h.read(&eve, &path).await;
    assert_eq!(status, StatusCode::OK, "{outsider}");
    for calls in [&guest, &outsider] {
        assert!(calls["rosters"].is_array(), "{calls}");
        assert_eq!(calls["iceServers"], json!([]), "{calls}");
        assert!(!calls.to_string().contains("turn:"), "{calls}");
    }

    // Members get the servers, with TURN credentials of their own that expire.
    let (_, ana_calls) = h.read(&ana, &path).await;
    let (_, bo_calls) = h.read(&bo, &path).await;
    let turn = |calls: &Value| calls["iceServers"][1].clone();
    assert_eq!(
        ana_calls["iceServers"][0]["urls"],
        json!(["stun:stun.example.org:3478"])
    );
    let (mine, theirs) = (turn(&ana_calls), turn(&bo_calls));
    let username = mine["username"].as_str().unwrap();
    let (expiry, person) = username.split_once(':').unwrap();
    assert_eq!(person, ana.id);
    let expiry: i64 = expiry.parse().unwrap();
    let now = chrono::Utc::now().timestamp();
    assert!(expiry > now && expiry <= now + bullpen::voice::service::TURN_CREDENTIAL_SECS + 5);
    assert!(theirs["username"].as_str().unwrap().ends_with(&bo.id));
    assert_ne!(mine["credential"], theirs["credential"]);
    assert!(
        !ana_calls.to_string().contains("north-sea"),
        "the secret stays on the server"
    );

    // A member who is banned loses them with the community.
    h.ok(
        &ana,
        "/api/communities/ban",
        json!({"slug": slug, "username": "bo_b", "reason": "spam"}),
    )
    .await;
    let (status, _) = h.read(&bo, &path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
