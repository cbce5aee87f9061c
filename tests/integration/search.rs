//! Search as people use it and as they try to misuse it: words in any of their forms and in
//! any of the five languages, the filters, only the communities one belongs to, people one
//! blocked left out, edits and deletions reflected at once, and bad input refused with a
//! sentence. On SQLite (FTS5) and PostgreSQL (tsvector).

use std::time::Duration;

use crate::common::{harness::Harness, people::Person, ws::ChatClient};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The message texts a search finds, newest first.
async fn texts(h: &Harness, who: &Person, q: &str) -> Vec<String> {
    hits(h, who, q, "messages").await
}

/// The message texts search found by meaning, best first.
async fn similar(h: &Harness, who: &Person, q: &str) -> Vec<String> {
    hits(h, who, q, "similar").await
}

/// The texts of one list of hits (`messages` or `similar`) a search answers.
async fn hits(h: &Harness, who: &Person, q: &str, list: &str) -> Vec<String> {
    let (status, found) = h
        .read(who, &format!("/api/search?q={}", urlencode(q)))
        .await;
    assert_eq!(status, StatusCode::OK, "{q}: {found}");
    found[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| {
            hit["snippet"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["text"].as_str().unwrap())
                .collect::<String>()
        })
        .collect()
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Waits until the AI has read every message (PostgreSQL stems a message in its language once
/// the language is known).
async fn all_read(h: &Harness) {
    for _ in 0..200 {
        if h.count("SELECT COUNT(*) FROM messages WHERE ai_status IS NULL")
            .await
            == 0
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the AI did not read the messages");
}

on_both!(search_finds_what_one_may_read_in_every_form);
/// Ana's public community "Mercados", which Bob joins, where Ana says `lines`; Carol's private
/// desk.
struct Scene {
    ana: Person,
    bob: Person,
    carol: Person,
    slug: String,
    general: String,
    private: String,
    ana_socket: ChatClient,
    /// The ids of Ana's lines, in order.
    ids: Vec<String>,
}

async fn scene(h: &Harness, lines: &[&str]) -> Scene {
    let ana = h.person("ana").await;
    let bob = h.person("bob").await;
    let carol = h.person("carol").await;
    let (slug, general) = h.community(&ana, "Mercados", "public").await;
    h.ok(&bob, "/api/communities/join", json!({"slug": slug}))
        .await;
    let (_, private) = h.community(&carol, "Private Desk", "private").await;
    let mut ana_socket = h.socket(&ana).await;
    ana_socket.subscribe(&general, None).await;
    let mut ids = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        ana_socket.say(&general, &format!("a{n}"), line).await;
        let created = ana_socket.expect("messageCreated").await;
        ids.push(created["message"]["id"].as_str().unwrap().to_string());
    }
    Scene {
        ana,
        bob,
        carol,
        slug,
        general,
        private,
        ana_socket,
        ids,
    }
}

async fn search_finds_what_one_may_read_in_every_form(h: Harness) {
    let Scene {
        ana,
        bob,
        carol,
        slug,
        general,
        private,
        mut ana_socket,
        ids,
    } = scene(
        &h,
        &[
            "Vendí todas mis acciones de $TSLA esta mañana",
            "The Fed held rates; the CPI print is at 8:30 https://www.bls.gov/cpi/",
            "Stocks rallied after the Fed decision",
        ],
    )
    .await;
    let mut bob_socket = h.socket(&bob).await;
    bob_socket.subscribe(&general, None).await;
    bob_socket
        .say(&general, "b0", "Fed minutes were boring today")
        .await;
    bob_socket.expect("messageCreated").await;
    let mut carol_socket = h.socket(&carol).await;
    carol_socket.subscribe(&private, None).await;
    carol_socket
        .say(&private, "c0", "secret plan for the Fed meeting")
        .await;
    carol_socket.expect("messageCreated").await;
    all_read(&h).await;

    // Words in another form and language: "acción" finds "acciones", "stock" finds "Stocks".
    let found = texts(&h, &bob, "acción").await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("acciones"), "{found:?}");
    assert_eq!(texts(&h, &bob, "stock").await.len(), 1);
    // Every word must be there; newest first; the private community stays private.
    let fed = texts(&h, &bob, "fed").await;
    assert_eq!(fed.len(), 3, "{fed:?}");
    assert!(fed[0].starts_with("Fed minutes"), "{fed:?}");
    assert_eq!(texts(&h, &bob, "fed rallied").await.len(), 1);
    // A stop word typed along does not hide the messages of the language it is a stop word in.
    assert!(texts(&h, &bob, "the fed").await.len() >= 2);
    assert!(texts(&h, &bob, "secret").await.is_empty());
    assert_eq!(texts(&h, &carol, "secret fed").await.len(), 1);

    // The match is marked in the snippet.
    let (_, answer) = h.read(&bob, "/api/search?q=rallied").await;
    let hit = &answer["messages"][0];
    assert_eq!(hit["channelName"], "general");
    assert_eq!(hit["communitySlug"], slug.as_str());
    assert!(
        hit["snippet"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["hit"] == true && s["text"] == "rallied"),
        "{hit}"
    );

    // Filters.
    assert_eq!(texts(&h, &bob, "fed from:bob").await.len(), 1);
    assert_eq!(texts(&h, &bob, "from:@ana").await.len(), 3);
    assert!(texts(&h, &bob, "from:nobody").await.is_empty());
    // Part of a username (or a name) finds its author, as people remember them.
    assert_eq!(texts(&h, &bob, "fed from:bo").await.len(), 1);
    assert_eq!(texts(&h, &carol, "secret from:CAR").await.len(), 1);
    assert!(texts(&h, &bob, "fed from:car").await.is_empty());
    assert_eq!(texts(&h, &bob, "fed in:#general").await.len(), 3);
    assert!(texts(&h, &bob, "fed in:elsewhere").await.is_empty());
    let links = texts(&h, &bob, "has:link").await;
    assert_eq!(links.len(), 1, "{links:?}");
    assert!(links[0].contains("bls.gov"));
    assert!(texts(&h, &bob, "has:file").await.is_empty());

    let tesla = texts(&h, &bob, "$tsla").await;
    assert_eq!(tesla.len(), 1, "{tesla:?}");
    assert!(texts(&h, &bob, "fed before:2000-01-01").await.is_empty());
    assert_eq!(texts(&h, &bob, "fed after:2000-01-01").await.len(), 3);
    // A message with a file, found by `has:file` (and only it).
    let (status, file) = h
        .upload(
            &ana,
            &general,
            "minutes.csv",
            b"date,rate\n2026-11-05,4.50\n".to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{file}");
    ana_socket
        .send(json!({"type": "send", "channelId": general, "nonce": "a9", "body": "Fed minutes attached", "attachments": [file["id"]]}))
        .await;
    // Its own confirmation (bob's message of earlier reached this socket too).
    while ana_socket.expect("messageCreated").await["nonce"] != "a9" {}
    all_read(&h).await;
    assert_eq!(texts(&h, &bob, "has:file").await, ["Fed minutes attached"]);
    assert_eq!(texts(&h, &bob, "minutes has:file").await.len(), 1);
    assert!(texts(&h, &bob, "rallied has:file").await.is_empty());

    // People and channels by name.
    let (_, answer) = h.read(&bob, "/api/search?q=carol").await;
    assert_eq!(answer["people"][0]["username"], "carol", "{answer}");
    // A filter asks for messages: carol is not offered as a person then.
    let (_, answer) = h.read(&bob, "/api/search?q=carol%20from:nobody").await;
    assert_eq!(answer["people"], json!([]), "{answer}");
    assert_eq!(answer["messages"], json!([]), "{answer}");
    // The box's suggestions while `from:` is typed: by part of a username, "@" or not.
    let (status, answer) = h.read(&bob, "/api/search/people?q=%40CAR").await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer.as_array().map(Vec::len), Some(1), "{answer}");
    assert_eq!(answer[0]["username"], "carol", "{answer}");
    let (_, answer) = h.read(&bob, "/api/search/people?q=%20").await;
    assert_eq!(answer, json!([]), "nothing typed, nobody suggested");
    let (_, answer) = h.read(&bob, "/api/search?q=gener").await;
    let channels = answer["channels"].as_array().unwrap();
    assert!(
        channels
            .iter()
            .any(|c| c["communitySlug"] == slug.as_str() && c["name"] == "general"),
        "{answer}"
    );
    assert!(
        channels
            .iter()
            .all(|c| c["communityName"] != "Private Desk"),
        "only channels bob may read: {answer}"
    );

    // An edit is searched as it now reads; a deleted message is found no more.
    ana_socket
        .send(json!({"type": "edit", "messageId": ids[2], "body": "Bonds rallied after the Fed decision"}))
        .await;
    ana_socket.expect("messageEdited").await;
    assert!(texts(&h, &bob, "stocks").await.is_empty());
    assert_eq!(texts(&h, &bob, "bonds").await.len(), 1);
    ana_socket
        .send(json!({"type": "delete", "messageId": ids[0]}))
        .await;
    ana_socket.expect("messageDeleted").await;
    assert!(texts(&h, &bob, "$TSLA").await.is_empty());
    assert!(texts(&h, &bob, "acciones").await.is_empty());

    // Someone bob blocked is left out of his results (and not offered among people).
    h.ok(
        &bob,
        "/api/users/block",
        json!({"username": "ana", "blocked": true}),
    )
    .await;
    let fed = texts(&h, &bob, "fed").await;
    assert_eq!(fed.len(), 1, "{fed:?}");
    let (_, answer) = h.read(&bob, "/api/search?q=ana").await;
    let people = answer["people"].as_array().unwrap();
    assert!(
        !people.is_empty(),
        "the harness names everyone Ana Lima: {answer}"
    );
    assert!(people.iter().all(|p| p["username"] != "ana"), "{answer}");

    // Leaving a community takes its messages out of one's search at once.
    h.ok(&bob, "/api/communities/leave", json!({"slug": slug}))
        .await;
    assert!(texts(&h, &bob, "fed").await.is_empty());
}

on_both!(bad_searches_get_a_sentence);
async fn bad_searches_get_a_sentence(h: Harness) {
    let ana = h.person("ana").await;
    let (status, _) = h.get("/api/search?q=fed").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let long = "fed ".repeat(60);
    let (status, answer) = h
        .read(&ana, &format!("/api/search?q={}", urlencode(&long)))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer["error"].as_str().unwrap().contains("at most 200"),
        "{answer}"
    );
    let (status, _) = h.read(&ana, "/api/search?q=fed&before=not-an-id").await;
    assert!(status.is_client_error(), "{status}");
    let (status, _) = h
        .read(&ana, "/api/search?q=fed&community=no-such-place")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Only filters, or characters the index treats as syntax, are searched, not refused.
    for q in [
        "\"",
        "fed*",
        "NEAR(",
        "a OR b",
        "' OR 1=1 --",
        "(",
        "::",
        "$",
    ] {
        let (status, answer) = h
            .read(&ana, &format!("/api/search?q={}", urlencode(q)))
            .await;
        assert_eq!(status, StatusCode::OK, "{q}: {answer}");
    }
    let (_, empty) = h.read(&ana, "/api/search?q=%20").await;
    assert_eq!(empty["messages"], Value::Array(vec![]));
}

on_both!(
    a_page_from_the_newest_messages_is_what_the_whole_index_would_answer,
    [("RATE_LIMIT_MESSAGES", "0")]
);
/// PostgreSQL first looks for a page among each channel's newest messages; whatever it finds
/// there, or failing that in the whole index, must be exactly the newest matches of them all.
async fn a_page_from_the_newest_messages_is_what_the_whole_index_would_answer(h: Harness) {
    use bullpen::search::{repo, service::forms_of};

    let ana = h.person("ana").await;
    let (_, first) = h.community(&ana, "Busy Desk", "public").await;
    let (_, second) = h.community(&ana, "Quiet Desk", "public").await;
    let mut socket = h.socket(&ana).await;
    socket.subscribe(&first, None).await;
    socket.subscribe(&second, None).await;
    // The two channels interleave in time; "rare" is only in old messages of the first.
    for i in 1..=30 {
        let text = match i {
            3 | 7 => format!("rare common note {i}"),
            _ => format!("common note {i}"),
        };
        socket.say(&first, &format!("a{i}"), &text).await;
        socket.expect("messageCreated").await;
        if i % 2 == 0 {
            socket
                .say(&second, &format!("b{i}"), &format!("common quiet {i}"))
                .await;
            socket.expect("messageCreated").await;
        }
    }
    all_read(&h).await;
    let channels: Vec<uuid::Uuid> = [&first, &second]
        .iter()
        .map(|c| c.parse().unwrap())
        .collect();
    let search = |words: &[&str], limit: u64, recent_per_channel: u64| repo::MessageSearch {
        channels: channels.clone(),
        words: words.iter().map(|w| forms_of(w)).collect(),
        authors: None,
        hidden_authors: Vec::new(),
        cashtags: Vec::new(),
        has_link: false,
        has_file: false,
        before: None,
        after: None,
        limit,
        recent_per_channel,
    };
    for (words, limit) in [
        (&["common"][..], 6),
        (&["common"][..], 40),
        (&["rare"][..], 6),
        (&["quiet"][..], 4),
        (&["rare", "note"][..], 6),
    ] {
        let ids = |found: Vec<bullpen::entities::messages::Model>| {
            found.into_iter().map(|m| m.id).collect::<Vec<_>>()
        };
        let whole = ids(repo::messages_matching(&h.db, search(words, limit, 0))
            .await
            .unwrap());
        assert!(!whole.is_empty(), "{words:?}");
        let newest_first = ids(repo::messages_matching(&h.db, search(words, limit, 5))
            .await
            .unwrap());
        assert_eq!(newest_first, whole, "{words:?} limit {limit}");
    }
}

on_both!(search_finds_by_meaning_in_another_language);
async fn search_finds_by_meaning_in_another_language(h: Harness) {
    let Scene {
        bob,
        carol,
        private,
        mut ana_socket,
        ids,
        ..
    } = scene(
        &h,
        &[
            "El banco central de Turquía volvió a subir los tipos de interés",
            "Mi gato duerme toda la tarde en el sofá",
            "die neue Grafikkarte ist viel zu teuer für Gamer",
        ],
    )
    .await;
    let mut carol_socket = h.socket(&carol).await;
    carol_socket.subscribe(&private, None).await;
    carol_socket
        .say(
            &private,
            "c0",
            "the central bank hiked interest rates once more",
        )
        .await;
    carol_socket.expect("messageCreated").await;
    all_read(&h).await;
    assert_eq!(
        h.count("SELECT COUNT(*) FROM message_meanings").await,
        4,
        "the AI stores every message's meaning"
    );

    // English words find the Spanish message by what it means; no word of it was typed.
    let query = "central bank raised rates again";
    assert!(texts(&h, &bob, query).await.is_empty());
    let found = similar(&h, &bob, query).await;
    assert!(
        found.first().is_some_and(|t| t.contains("banco central")),
        "{found:?}"
    );
    assert!(found.iter().all(|t| !t.contains("gato")), "{found:?}");
    // Never from a community one is not in.
    assert!(
        found.iter().all(|t| !t.contains("hiked")),
        "carol's private desk: {found:?}"
    );
    assert!(similar(&h, &carol, query).await[0].contains("hiked"));
    // What the words found is not offered twice.
    let (_, answer) = h.read(&bob, "/api/search?q=banco%20central").await;
    assert_eq!(answer["messages"].as_array().unwrap().len(), 1, "{answer}");
    assert!(
        answer["similar"]
            .as_array()
            .unwrap()
            .iter()
            .all(|hit| hit["messageId"] != answer["messages"][0]["messageId"]),
        "{answer}"
    );
    // A filter a meaning cannot honour asks the words alone.
    assert!(similar(&h, &bob, &format!("{query} has:file"))
        .await
        .is_empty());

    // An edit is read afresh; a deleted message is found no more.
    ana_socket
        .send(json!({"type": "edit", "messageId": ids[1], "body": "la lira turca se desploma frente al dólar"}))
        .await;
    ana_socket.expect("messageEdited").await;
    all_read(&h).await;
    let found = similar(&h, &bob, "Turkish currency collapses").await;
    assert!(
        found.first().is_some_and(|t| t.contains("lira")),
        "{found:?}"
    );
    ana_socket
        .send(json!({"type": "delete", "messageId": ids[0]}))
        .await;
    ana_socket.expect("messageDeleted").await;
    let found = similar(&h, &bob, query).await;
    assert!(
        found.iter().all(|t| !t.contains("banco central")),
        "{found:?}"
    );
}
