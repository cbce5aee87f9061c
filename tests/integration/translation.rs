//! Translation and "catch me up" against a real Apertium APY server (started here; the test
//! command installs it): a Spanish message reaches an English reader translated, cached once
//! per (message, language) for every later reader, English reaches French through Spanish, a
//! German reader is told plainly that no offline translator exists, an edit invalidates the
//! cache, and the unread messages are summarised. On SQLite and PostgreSQL. With a hosted model
//! (a local server replaying a recorded OpenAI body), "catch me up" adds the model's recap in
//! the language the messages were written in, each citation resolved to its message.

use std::{
    process::Stdio,
    sync::{Arc, Mutex},
    time::Duration,
};

use crate::common::{harness::Harness, ws::ChatClient};
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};
use tokio::process::{Child, Command};

/// An APY server on a free port, stopped on drop.
struct Apertium {
    url: String,
    _child: Child,
}

impl Apertium {
    /// `None` (the test is skipped, loudly) when Apertium is not installed — except under CI,
    /// where nothing may be skipped.
    async fn start() -> Option<Apertium> {
        if which("apertium-apy").is_none() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "apertium-apy is not installed; scripts/test installs it"
            );
            eprintln!("SKIPPING: apertium-apy is not installed (apt-get install apertium-apy apertium-eng-spa apertium-fr-es)");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("apertium-apy")
            .args(["-p", &port.to_string(), "/usr/share/apertium/modes"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start apertium-apy");
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if reqwest::get(format!("{url}/listPairs"))
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Some(Apertium { url, _child: child });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("apertium-apy did not answer on {url}");
    }
}

fn which(program: &str) -> Option<std::path::PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

async fn person(h: &Harness, username: &str, language: &str) -> String {
    let (status, body) = h
        .post(
            "/api/auth/register",
            json!({"email": format!("{username}@example.com"), "username": username, "displayName": username, "password": "correct horse battery", "preferredLanguage": language}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["token"].as_str().unwrap().to_string()
}

/// The next event of `kind` about `message_id`, skipping others.
async fn event_about(client: &mut ChatClient, kind: &str, message_id: &str) -> Value {
    loop {
        let event = client.expect(kind).await;
        if event["messageId"] == message_id {
            return event;
        }
    }
}

#[tokio::test]
async fn sqlite() {
    let Some(apy) = Apertium::start().await else {
        return;
    };
    scenario(Harness::sqlite_with(&[("APERTIUM_URL", &apy.url)]).await).await;
}

#[tokio::test]
async fn postgres() {
    let Some(apy) = Apertium::start().await else {
        return;
    };
    if let Some(h) =
        Harness::postgres_with("translation::postgres", &[("APERTIUM_URL", &apy.url)]).await
    {
        scenario(h).await;
    }
}

/// The original design's `POST /api/translate`: free text, for those signed in, in words.
#[tokio::test]
async fn free_text_is_translated_at_the_original_address() {
    let Some(apy) = Apertium::start().await else {
        return;
    };
    let h = Harness::sqlite_with(&[("APERTIUM_URL", &apy.url)]).await;
    let ana = person(&h, "ana", "en").await;
    let ask = |body: Value| {
        let (h, ana) = (&h, ana.clone());
        async move { h.post_as(&ana, "/api/translate", body).await }
    };
    let (status, _) = h
        .post("/api/translate", json!({"text": "Hola", "to": "en"}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, told) =
        ask(json!({"text": "Las acciones de $AAPL suben mucho hoy", "to": "en"})).await;
    assert_eq!(status, StatusCode::OK, "{told}");
    assert_eq!(told["outcome"], "translated", "{told}");
    assert_eq!(told["translation"]["language"], "en");
    assert_eq!(told["translation"]["engine"], "apertium");
    let english = told["translation"]["body"].as_str().unwrap();
    assert!(english.contains("$AAPL"), "{english}");
    assert!(!english.contains("acciones"), "{english}");
    // Said where it comes from: the same words.
    let (_, given) =
        ask(json!({"text": "Las acciones de $AAPL suben mucho hoy", "to": "en", "from": "es"}))
            .await;
    assert_eq!(given["translation"]["body"], english);
    // English to French goes through Spanish; German has no offline translator, said plainly.
    let (_, french) =
        ask(json!({"text": "The stock market is open today", "to": "fr", "from": "en"})).await;
    assert_eq!(french["outcome"], "translated", "{french}");
    assert_eq!(french["translation"]["engine"], "apertium (via Spanish)");
    let (_, german) =
        ask(json!({"text": "The stock market is open today", "to": "de", "from": "en"})).await;
    assert_eq!(
        german,
        json!({"outcome": "noTranslator", "from": "en", "to": "de"})
    );
    let (_, same) = ask(json!({"text": "The stock market is open today", "to": "en"})).await;
    assert_eq!(same["outcome"], "nothingToTranslate", "{same}");

    for (body, about) in [
        (json!({"text": "Hola amigos", "to": "xx"}), "xx"),
        (
            json!({"text": "Hola amigos", "to": "en", "from": "klingon"}),
            "klingon",
        ),
        (json!({"text": "   ", "to": "en"}), "Write something"),
        (json!({"text": "a".repeat(5000), "to": "en"}), "characters"),
    ] {
        let (status, refused) = ask(body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert!(
            refused["error"].as_str().unwrap().contains(about),
            "{refused}"
        );
    }
    let (status, refused) = ask(json!({"to": "en"})).await;
    assert!(status.is_client_error(), "{status} {refused}");
}

async fn scenario(h: Harness) {
    let ana = person(&h, "ana", "es").await;
    let bob = person(&h, "bob", "en").await;
    let chloe = person(&h, "chloe", "en").await;
    let dora = person(&h, "dora", "de").await;
    let eve = person(&h, "eve", "fr").await;
    let (status, created) = h
        .post_as(
            &ana,
            "/api/communities/create",
            json!({"community": {"name": "Mercados", "description": "", "iconColor": "#16a34a", "visibility": "public"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let slug = created["slug"].as_str().unwrap().to_string();
    for token in [&bob, &chloe, &dora, &eve] {
        h.post_as(token, "/api/communities/join", json!({"slug": slug}))
            .await;
    }
    let (_, view) = h
        .get_as(&ana, &format!("/api/communities/view?slug={slug}"))
        .await;
    let general = view["channels"][0]["id"].as_str().unwrap().to_string();

    // What each reader can have translated into their language.
    let (_, sources) = h.get_as(&bob, "/api/ai/translation_sources").await;
    assert_eq!(
        sources,
        json!(["es", "fr"]),
        "English readers: from Spanish, and French via Spanish"
    );
    let (_, sources) = h.get_as(&dora, "/api/ai/translation_sources").await;
    assert_eq!(sources, json!([]), "nothing translates into German offline");

    let mut bob_socket = ChatClient::connect(&h.server.base, &bob).await;
    bob_socket.subscribe(&general, None).await;
    let mut ana_socket = ChatClient::connect(&h.server.base, &ana).await;
    ana_socket.subscribe(&general, None).await;
    let mut dora_socket = ChatClient::connect(&h.server.base, &dora).await;
    dora_socket.subscribe(&general, None).await;

    // Spanish → English: delivered as written, then the translation, which says what it is from.
    ana_socket
        .say(
            &general,
            "n1",
            "Hola a todos, creo que $TSLA va a subir mucho hoy",
        )
        .await;
    let created = bob_socket.expect("messageCreated").await;
    assert_eq!(
        created["message"]["body"],
        "Hola a todos, creo que $TSLA va a subir mucho hoy"
    );
    let id = created["message"]["id"].as_str().unwrap().to_string();
    let translated = event_about(&mut bob_socket, "messageTranslated", &id).await;
    assert_eq!(translated["language"], "es", "{translated}");
    let english = translated["translation"]["body"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(translated["translation"]["language"], "en");
    assert_eq!(translated["translation"]["engine"], "apertium");
    assert!(english.contains("$TSLA"), "the cashtag survives: {english}");
    assert!(english.to_lowercase().contains("today"), "{english}");
    println!("es → en: {english}");

    // Each reader gets only their own language's translation. German has no offline engine:
    // its reader is told the message's language instead (after the translations are done),
    // having seen none of the others' translations.
    let mut dora_saw = Vec::new();
    let analyzed = loop {
        let event = dora_socket.next_event().await;
        if event["type"] == "messageAnalyzed" && event["messageId"] == id.as_str() {
            break event;
        }
        dora_saw.push(event["type"].as_str().unwrap_or_default().to_string());
    };
    assert_eq!(analyzed["language"], "es", "{analyzed}");
    assert!(
        !dora_saw.iter().any(|kind| kind == "messageTranslated"),
        "{dora_saw:?}"
    );

    // Stored once and part of the history.
    let (_, history) = h
        .get_as(&chloe, &format!("/api/chat/history?channelId={general}"))
        .await;
    let stored = history["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(stored["language"], "es");
    assert!(
        stored["translations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["language"] == "en"),
        "{stored}"
    );
    // (The only English translation so far.)
    let count = "SELECT CAST(COUNT(*) AS TEXT) FROM message_translations WHERE language = 'en'";
    assert_eq!(h.scalar(count).await, "1");

    // A second English reader asking gets the cached one: prove it by marking the cache.
    h.db.execute_unprepared(
        "UPDATE message_translations SET body = 'from the cache' WHERE language = 'en'",
    )
    .await
    .unwrap();
    let (status, outcome) = h
        .post_as(&chloe, "/api/ai/translate", json!({"messageId": id}))
        .await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert_eq!(outcome["outcome"], "translated");
    assert_eq!(outcome["translation"]["body"], "from the cache");

    // German: no offline engine, and the reader is told so instead of getting a fake.
    let (_, outcome) = h
        .post_as(&dora, "/api/ai/translate", json!({"messageId": id}))
        .await;
    assert_eq!(
        outcome,
        json!({"outcome": "noTranslator", "from": "es", "to": "de"})
    );

    // English → French goes through Spanish; the Spanish reader gets the direct translation.
    let mut eve_socket = ChatClient::connect(&h.server.base, &eve).await;
    eve_socket.subscribe(&general, None).await;
    bob_socket
        .say(
            &general,
            "n2",
            "Good morning everyone, I think the market goes up today",
        )
        .await;
    let created = eve_socket.expect("messageCreated").await;
    let english_id = created["message"]["id"].as_str().unwrap().to_string();
    let french = event_about(&mut eve_socket, "messageTranslated", &english_id).await;
    assert_eq!(french["language"], "en", "{french}");
    assert_eq!(french["translation"]["language"], "fr", "{french}");
    assert_eq!(
        french["translation"]["engine"], "apertium (via Spanish)",
        "{french}"
    );
    let spanish = event_about(&mut ana_socket, "messageTranslated", &english_id).await;
    assert_eq!(spanish["translation"]["language"], "es", "{spanish}");
    assert_eq!(spanish["translation"]["engine"], "apertium");
    println!("en → fr: {}", french["translation"]["body"]);

    // An edit drops the old translations; the new text is translated afresh.
    ana_socket.send(json!({"type": "edit", "messageId": id, "body": "Vendí todas mis acciones de $TSLA esta mañana"})).await;
    assert_eq!(
        bob_socket.expect("messageEdited").await["message"]["id"],
        id.as_str()
    );
    let retranslated = event_about(&mut bob_socket, "messageTranslated", &id).await;
    let english = retranslated["translation"]["body"].as_str().unwrap();
    assert!(
        english.contains("$TSLA") && !english.contains("from the cache"),
        "{english}"
    );

    // Catch me up: Chloe has read nothing; the summary is in the words (and language) written.
    let (status, summary) = h
        .get_as(&chloe, &format!("/api/ai/catch_up?channelId={general}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["unread"], 2, "{summary}");
    let highlights = summary["highlights"].as_array().unwrap();
    assert!(!highlights.is_empty(), "{summary}");
    let spanish = highlights
        .iter()
        .find(|h| h["language"] == "es")
        .expect("the Spanish message is summarised");
    assert!(
        spanish["text"].as_str().unwrap().contains("Vendí"),
        "{spanish}"
    );
    assert!(
        spanish["translated"].is_null(),
        "not translated unless asked"
    );
    let (_, summary) = h
        .get_as(
            &chloe,
            &format!("/api/ai/catch_up?channelId={general}&translate=true"),
        )
        .await;
    let spanish = summary["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["language"] == "es")
        .unwrap()
        .clone();
    assert!(
        spanish["translated"].as_str().unwrap().contains("$TSLA"),
        "{spanish}"
    );
    // A one-sentence message shares the message's cached translation rather than paying again.
    h.db.execute_unprepared(
        "UPDATE message_translations SET body = 'Sold all my $TSLA (cached)' WHERE language = 'en'",
    )
    .await
    .unwrap();
    let (_, summary) = h
        .get_as(
            &chloe,
            &format!("/api/ai/catch_up?channelId={general}&translate=true"),
        )
        .await;
    let spanish = summary["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["language"] == "es")
        .unwrap()
        .clone();
    assert_eq!(
        spanish["translated"], "Sold all my $TSLA (cached)",
        "{spanish}"
    );
    // Reading the summary marks nothing read.
    let (_, again) = h
        .get_as(&chloe, &format!("/api/ai/catch_up?channelId={general}"))
        .await;
    assert_eq!(again["unread"], 2);
}

/// Chat completions as OpenAI answers them (`tests/fixtures/openai/chat-completion.json`), the
/// content written for what was asked: a clean moderation verdict, or a recap citing lines 1 and
/// 3 of those it was given and a line 40 it never saw. There is no `/moderations` endpoint.
async fn completions(
    axum::extract::State(seen): axum::extract::State<Arc<Mutex<Vec<Value>>>>,
    axum::Json(request): axum::Json<Value>,
) -> axum::Json<Value> {
    seen.lock().unwrap().push(request.clone());
    let content = if request["response_format"]["type"] == "json_object" {
        r#"{"toxicity": 0.02, "reason": "none", "severe": false}"#
    } else {
        "La Reserva Federal mantuvo los tipos [1]; el IPC salió en 3,1 % [3] [40]."
    };
    let mut reply: Value =
        serde_json::from_str(include_str!("../fixtures/openai/chat-completion.json")).unwrap();
    reply["choices"][0]["message"]["content"] = json!(content);
    axum::Json(reply)
}

#[tokio::test]
async fn a_hosted_model_recaps_what_was_missed_linking_its_sources() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let app = axum::Router::new()
        .route("/v1/chat/completions", axum::routing::post(completions))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let h =
        Harness::sqlite_with(&[("AI_BASE_URL", base.as_str()), ("AI_MODEL", "gpt-4o-mini")]).await;
    let ana = h.person("ana").await;
    let bob = h.person("bob").await;
    let (slug, general) = h.community(&ana, "Mercados", "public").await;
    h.ok(&bob, "/api/communities/join", json!({"slug": slug}))
        .await;
    let lines = [
        "La Reserva Federal mantiene los tipos de interés sin cambios",
        "lol",
        "El IPC de octubre salió en 3,1 %, por debajo de lo esperado",
        "Compré más acciones de $NVDA esta mañana",
    ];
    let mut socket = h.socket(&ana).await;
    socket.subscribe(&general, None).await;
    let mut ids = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        socket.say(&general, &format!("n{n}"), line).await;
        ids.push(socket.expect("messageCreated").await["message"]["id"].clone());
    }

    let (status, summary) = h
        .read(&bob, &format!("/api/ai/catch_up?channelId={general}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    let recap = &summary["recap"];
    assert_eq!(recap["language"], "es", "{summary}");
    assert_eq!(recap["engine"], "gpt-4o-mini");
    let parts = recap["parts"].as_array().unwrap();
    let sources: Vec<&Value> = parts
        .iter()
        .filter(|p| p["kind"] == "source")
        .map(|p| &p["messageId"])
        .collect();
    // Line 1 and line 3 of those given ("lol" is given too, as line 2); line 40 never existed.
    assert_eq!(sources, vec![&ids[0], &ids[2]], "{recap}");
    assert_eq!(parts[0]["text"], "La Reserva Federal mantuvo los tipos");
    assert_eq!(parts[1]["author"]["username"], "ana");
    assert!(!summary["highlights"].as_array().unwrap().is_empty());

    // The model was asked in Spanish, given the numbered lines and nothing else.
    let requests = seen.lock().unwrap().clone();
    let asked = requests
        .iter()
        .find(|r| {
            r["messages"][0]["content"]
                .as_str()
                .is_some_and(|s| s.contains("catch a trader up"))
        })
        .expect("a recap was asked for");
    let system = asked["messages"][0]["content"].as_str().unwrap();
    assert!(system.contains("in Spanish"), "{system}");
    let given = asked["messages"][1]["content"].as_str().unwrap();
    assert!(
        given.starts_with("[1] Ana Lima: La Reserva Federal")
            && given.contains("[4] Ana Lima: Compré"),
        "{given}"
    );

    // Asked in the reader's own language, the recap is written in it.
    let (_, summary) = h
        .read(
            &bob,
            &format!("/api/ai/catch_up?channelId={general}&translate=true"),
        )
        .await;
    assert_eq!(summary["recap"]["language"], "en", "{summary}");
}
