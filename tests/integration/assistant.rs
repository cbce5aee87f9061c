//! The assistant through the real server: the built-in engine's answers (an indicator that
//! matches the stock page, a polite refusal, the person's holding, a clarifying question, the
//! question's language), conversations kept per person (rename, delete, someone else's is not
//! found), the script API, the rate limit; and a hosted model replayed from recorded OpenAI
//! streams — it asks for a quote, the tool answers, its final text uses the number, streamed
//! to the person's socket piece by piece.

use std::sync::{Arc, Mutex};

use crate::common::{harness::Harness, ws::ChatClient};
use axum::{
    body::Body, extract::State, http::header, response::Response, routing::post, Json, Router,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn ask(h: &Harness, token: &str, message: &str, conversation: Option<&str>) -> Value {
    let (status, body) = h
        .post_as(
            token,
            "/api/chatbot/query",
            json!({"message": message, "conversationId": conversation}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{message}: {body}");
    body
}

fn card<'a>(reply: &'a Value, kind: &str) -> &'a Value {
    reply["cards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["card"] == kind)
        .unwrap_or_else(|| panic!("no {kind} card in {reply}"))
}

on_both!(
    built_in_answers_and_conversations,
    [("ASSISTANT_RATE_LIMIT", "8")]
);
async fn built_in_answers_and_conversations(h: Harness) {
    let (status, _) = h
        .post("/api/chatbot/query", json!({"message": "AAPL price"}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let ana = h.register("ana@example.com", "ana").await["token"]
        .as_str()
        .unwrap()
        .to_string();

    // 1. An indicator: the value the stock page's analysis shows, with what it means.
    let reply = ask(&h, &ana, "What is the RSI of AAPL?", None).await;
    let conversation = reply["conversationId"].as_str().unwrap().to_string();
    assert!(
        reply["timestamp"].as_str().unwrap().starts_with("20"),
        "{reply}"
    );
    let gauge = card(&reply, "gauge");
    assert_eq!(gauge["indicator"], "rsi");
    let value = gauge["value"].as_f64().unwrap();
    let report = h.get_json("/api/market/report?symbol=AAPL", &ana).await;
    let page_rsi = report["momentum"]["signals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "rsi")
        .unwrap()["value"]
        .as_f64()
        .unwrap();
    assert!(
        (value - page_rsi).abs() < 1e-9,
        "assistant {value} vs page {page_rsi}"
    );
    let text = reply["reply"].as_str().unwrap();
    assert!(text.contains(&format!("RSI 14 is {value:.1}")), "{text}");
    assert!(
        text.contains("overbought") || text.contains("oversold") || text.contains("neutral ground"),
        "{text}"
    );

    // 2. Off topic: declined, politely, in the question's language.
    let reply = ask(
        &h,
        &ana,
        "Who won the football match last night?",
        Some(&conversation),
    )
    .await;
    assert_eq!(
        reply["conversationId"].as_str(),
        Some(conversation.as_str()),
        "same conversation"
    );
    assert!(
        reply["reply"]
            .as_str()
            .unwrap()
            .starts_with("Sorry, I can only help with markets"),
        "{reply}"
    );
    assert!(reply["cards"].as_array().unwrap().is_empty());
    let reply = ask(
        &h,
        &ana,
        "¿Quién ganó el partido de fútbol anoche?",
        Some(&conversation),
    )
    .await;
    let spanish = reply["reply"].as_str().unwrap();
    assert!(
        !spanish.contains("Sorry") && spanish.contains("RSI"),
        "declined in Spanish: {spanish}"
    );

    // 3. A name that fits two listings: which one?
    let reply = ask(&h, &ana, "price of alphabet", Some(&conversation)).await;
    let choices = card(&reply, "choices")["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s[0].as_str().unwrap().to_string())
        .collect::<Vec<_>>();
    assert!(
        choices.contains(&"GOOG".to_string()) && choices.contains(&"GOOGL".to_string()),
        "{reply}"
    );

    // 4. The person's own holding, from the portfolio.
    let reply = ask(
        &h,
        &ana,
        "how much have I made on AAPL?",
        Some(&conversation),
    )
    .await;
    assert_eq!(reply["reply"], "You don't hold AAPL in your portfolio.");
    let (status, _) = h.post_as(&ana, "/api/portfolio/add", json!({"symbol": "AAPL", "shares": 10, "averagePrice": 100, "purchaseDate": "2024-01-02"})).await;
    assert_eq!(status, StatusCode::OK);
    let reply = ask(
        &h,
        &ana,
        "how much have I made on AAPL?",
        Some(&conversation),
    )
    .await;
    let holding = card(&reply, "holding");
    let figure = |v: &Value| v.as_str().unwrap().parse::<f64>().unwrap();
    assert_eq!(
        (
            figure(&holding["holding"]["shares"]),
            figure(&holding["holding"]["averageCost"])
        ),
        (10.0, 100.0)
    );
    assert!(
        reply["reply"]
            .as_str()
            .unwrap()
            .starts_with("You hold 10 AAPL at an average cost of 100.00"),
        "{reply}"
    );

    // 5. Kept: the conversation, its turns in order, with the cards.
    let list = h.get_json("/api/assistant/conversations", &ana).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["title"], "What is the RSI of AAPL?");
    let opened = h
        .get_json(
            &format!("/api/assistant/conversation?id={conversation}"),
            &ana,
        )
        .await;
    let turns = opened["turns"].as_array().unwrap();
    assert_eq!(turns.len(), 12, "six questions, six answers");
    assert_eq!(
        (turns[0]["role"].as_str(), turns[1]["role"].as_str()),
        (Some("user"), Some("assistant"))
    );
    assert_eq!(turns[1]["cards"][0]["card"], "gauge");
    assert_eq!(turns[5]["language"], "es");

    // Someone else's conversation is not found, and cannot be continued.
    let ben = h.register("ben@example.com", "ben").await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = h
        .get_as(
            &ben,
            &format!("/api/assistant/conversation?id={conversation}"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = h
        .post_as(
            &ben,
            "/api/chatbot/query",
            json!({"message": "AAPL price", "conversationId": conversation}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Rename; refusals in words.
    let (status, renamed) = h
        .post_as(
            &ana,
            "/api/assistant/rename",
            json!({"id": conversation, "title": "  Apple   checks "}),
        )
        .await;
    assert_eq!(
        (status, renamed["title"].as_str()),
        (StatusCode::OK, Some("Apple checks"))
    );
    let (status, body) = h
        .post_as(
            &ana,
            "/api/assistant/rename",
            json!({"id": conversation, "title": "  "}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = h
        .post_as(&ana, "/api/chatbot/query", json!({"message": "   "}))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("Ask a question first.")
        )
    );
    let (status, _) = h
        .post_as(
            &ana,
            "/api/chatbot/query",
            json!({"message": "x".repeat(1001)}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The rate limit (8 a minute here): Ana has asked 6, 2 more are fine, the next waits.
    ask(&h, &ana, "explain MACD", None).await;
    let reply = ask(&h, &ana, "compare MSFT and GOOG", None).await;
    assert_eq!(card(&reply, "compare")["rows"].as_array().unwrap().len(), 2);
    assert!(
        reply["reply"]
            .as_str()
            .unwrap()
            .ends_with("not financial advice."),
        "{reply}"
    );
    let (status, body) = h
        .post_as(&ana, "/api/chatbot/query", json!({"message": "AAPL price"}))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["code"], "rate_limited");
    // Refused questions are not stored.
    assert_eq!(
        h.scalar("SELECT CAST(COUNT(*) AS TEXT) FROM assistant_messages WHERE role = 'user'")
            .await,
        "8"
    );

    // Delete: the conversation and its turns are gone (the other two stay).
    assert_eq!(
        h.scalar("SELECT CAST(COUNT(*) AS TEXT) FROM assistant_messages")
            .await,
        "16"
    );
    let (status, _) = h
        .post_as(&ana, "/api/assistant/delete", json!({"id": conversation}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = h
        .get_as(
            &ana,
            &format!("/api/assistant/conversation?id={conversation}"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        h.scalar("SELECT CAST(COUNT(*) AS TEXT) FROM assistant_messages")
            .await,
        "4"
    );
    assert_eq!(
        h.get_json("/api/assistant/conversations", &ana)
            .await
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Text that is no id is "not found"; a blank one starts a new conversation (Ben has
    // asked nothing yet).
    let (status, _) = h
        .get_as(&ben, "/api/assistant/conversation?id=not-an-id")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, fresh) = h
        .post_as(
            &ben,
            "/api/chatbot/query",
            json!({"message": "AAPL price", "conversationId": "  "}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    assert_ne!(fresh["conversationId"], json!(conversation));
}

// ——— a hosted model, replayed ———

const TOOL_CALL_STREAM: &str = include_str!("../fixtures/openai/stream-tool-call.sse");
const TEXT_STREAM: &str = include_str!("../fixtures/openai/stream-text.sse");

/// The recorded chunks of a stream (the `data:` lines' JSON), `[DONE]` left off.
fn chunks(recording: &str) -> Vec<Value> {
    recording
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .filter(|d| *d != "[DONE]")
        .map(|d| serde_json::from_str(d).unwrap())
        .collect()
}

fn sse(chunks: &[Value]) -> String {
    chunks
        .iter()
        .map(|c| format!("data: {c}\n\n"))
        .chain(["data: [DONE]\n\n".to_string()])
        .collect()
}

/// The recorded tool-call stream, calling `name` with `arguments` (sent in as many pieces as
/// the recording sent its own).
fn tool_call_stream(name: &str, arguments: &str) -> String {
    let mut recorded = chunks(TOOL_CALL_STREAM);
    recorded[0]["choices"][0]["delta"]["tool_calls"][0]["function"]["name"] = json!(name);
    let pieces: Vec<usize> = (1..recorded.len())
        .filter(|&i| recorded[i]["choices"][0]["delta"]["tool_calls"].is_array())
        .collect();
    let chars: Vec<char> = arguments.chars().collect();
    let size = chars.len().div_ceil(pieces.len());
    for (n, &i) in pieces.iter().enumerate() {
        let piece: String = chars.iter().skip(n * size).take(size).collect();
        recorded[i]["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"] = json!(piece);
    }
    sse(&recorded)
}

/// The recorded text stream, saying `text` word by word.
fn text_stream(text: &str) -> String {
    let recorded = chunks(TEXT_STREAM);
    let template = recorded
        .iter()
        .find(|c| {
            c["choices"][0]["delta"]["content"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
        })
        .unwrap()
        .clone();
    let mut out = vec![recorded[0].clone()];
    for word in text.split_inclusive(' ') {
        let mut chunk = template.clone();
        chunk["choices"][0]["delta"]["content"] = json!(word);
        out.push(chunk);
    }
    out.extend(recorded.iter().rev().take(2).rev().cloned());
    sse(&out)
}

#[derive(Clone, Default)]
struct Model {
    requests: Arc<Mutex<Vec<Value>>>,
}

/// A stand-in for `/chat/completions`: the first round asks for the tool the question needs; once
/// a tool has answered, it writes the answer from the tool's figure. "from memory" gets a price
/// with no tool call, "down" a 500.
async fn completions(State(model): State<Model>, Json(request): Json<Value>) -> Response {
    model.requests.lock().unwrap().push(request.clone());
    let messages = request["messages"].as_array().unwrap();
    let question = messages.iter().rev().find(|m| m["role"] == "user").unwrap()["content"]
        .as_str()
        .unwrap()
        .to_string();
    let stream = |body: String| {
        Response::builder()
            .header(header::CONTENT_TYPE, "text/event-stream")
            .body(Body::from(body))
            .unwrap()
    };
    if question.contains("down") {
        return Response::builder()
            .status(500)
            .body(Body::from(
                r#"{"error":{"message":"The server had an error"}}"#,
            ))
            .unwrap();
    }
    if question.contains("from memory") {
        return stream(text_stream("Apple trades at 187.44 today."));
    }
    match messages.iter().rev().find(|m| m["role"] == "tool") {
        None => stream(tool_call_stream("get_quote", r#"{"symbol":"AAPL"}"#)),
        Some(tool) => {
            let facts: Value = serde_json::from_str(tool["content"].as_str().unwrap()).unwrap();
            let price = facts[0]["quote"]["price"].as_f64().unwrap();
            stream(text_stream(&format!(
                "Apple (AAPL) last traded at {price:.2} per share."
            )))
        }
    }
}

#[tokio::test]
async fn a_hosted_model_calls_tools_and_streams_its_answer() {
    let model = Model::default();
    let app = Router::new()
        .route("/v1/chat/completions", post(completions))
        .with_state(model.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let h = Harness::sqlite_with(&[
        ("AI_BASE_URL", base.as_str()),
        ("AI_MODEL", "gpt-4o-2024-08-06"),
    ])
    .await;
    let ana = h.register("ana@example.com", "ana").await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut socket = ChatClient::connect(&h.server.base, &ana).await;

    let (status, exchange) = h
        .post_as(
            &ana,
            "/api/assistant/ask",
            json!({"message": "What is Apple trading at?", "request": "tab-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{exchange}");
    let answer = &exchange["answer"];
    let quote = h.get_json("/api/market/quote?symbol=AAPL", &ana).await;
    let price = quote["price"].as_f64().unwrap();
    assert_eq!(
        answer["text"].as_str().unwrap(),
        format!("Apple (AAPL) last traded at {price:.2} per share.")
    );
    assert_eq!(answer["engine"], "gpt-4o-2024-08-06");
    assert_eq!(
        answer["cards"][0]["card"], "quote",
        "the tool's result is shown as a card"
    );
    assert_eq!(answer["cards"][0]["quote"]["price"].as_f64(), Some(price));

    // The model was offered the tools under the finance-only prompt, and got the tool's answer.
    let requests = model.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0]["stream"], true);
    assert!(requests[0]["messages"][0]["content"]
        .as_str()
        .unwrap()
        .contains("only with markets"));
    let tools: Vec<&str> = requests[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert!(
        tools.contains(&"get_quote")
            && tools.contains(&"get_portfolio")
            && tools.contains(&"explain_term"),
        "{tools:?}"
    );
    let tool_turn = requests[1]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "tool")
        .unwrap();
    assert_eq!(tool_turn["tool_call_id"], "call_4XzlGBLtUe9dy3GVNV4jhq7h");

    // The answer reached the socket piece by piece, in order, marked with the tab's request.
    let mut streamed = String::new();
    let mut pieces = 0;
    while streamed != answer["text"].as_str().unwrap() {
        let event = socket.expect("assistantDelta").await;
        assert_eq!(event["request"], "tab-1");
        assert_eq!(event["conversationId"], exchange["conversation"]["id"]);
        streamed.push_str(event["text"].as_str().unwrap());
        pieces += 1;
    }
    assert!(pieces > 5, "{pieces} pieces");

    // A price from the model's memory is not passed on: the built-in engine answers instead.
    let reply = ask(&h, &ana, "what is AAPL at, from memory?", None).await;
    assert!(
        !reply["reply"].as_str().unwrap().contains("187.44"),
        "{reply}"
    );
    assert_eq!(
        card(&reply, "quote")["quote"]["price"].as_f64(),
        Some(price)
    );
    assert_eq!(
        card(&reply, "miniChart")["closes"]
            .as_array()
            .unwrap()
            .len(),
        64,
        "three months (63 trading days: 64 closes, the ends of the 3M change) beside the price"
    );
    // The service failing: the built-in engine answers.
    let reply = ask(&h, &ana, "the model is down: explain beta", None).await;
    assert!(
        reply["reply"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("beta"),
        "{reply}"
    );
    let opened = h
        .get_json(
            &format!(
                "/api/assistant/conversation?id={}",
                reply["conversationId"].as_str().unwrap()
            ),
            &ana,
        )
        .await;
    assert_eq!(opened["turns"][1]["engine"], "built-in");
}
