//! A hosted model behind any OpenAI-compatible API (`openai.rs` makes the calls, with their
//! timeouts, retries and circuit breaker). Moderation uses OpenAI's `/moderations` endpoint
//! where the server has one, else a JSON-mode classification prompt; translation and the stock
//! page's narrative are chat completions. Whatever fails falls back to the built-in engines,
//! with the reason logged.

use std::sync::atomic::{AtomicU8, Ordering};

use serde_json::{json, Value};

use super::{
    language,
    moderation::Assessment,
    openai::{Failure, OpenAi, Policy},
    provider::{AiError, BuiltIn, Produced, Provider},
};
use crate::{
    kit::{i18n::Locale, languages::language_name},
    platform::config::HostedAi,
};

/// Whether the server has OpenAI's `/moderations` endpoint (found out on first use).
const ENDPOINT_UNKNOWN: u8 = 0;
const ENDPOINT_PRESENT: u8 = 1;
const ENDPOINT_ABSENT: u8 = 2;

pub struct Hosted {
    service: OpenAi,
    moderation_endpoint: AtomicU8,
    fallback: BuiltIn,
}

impl Hosted {
    pub fn new(ai: HostedAi, fallback: BuiltIn) -> Hosted {
        Hosted::with_policy(ai, fallback, Policy::default())
    }

    pub fn with_policy(ai: HostedAi, fallback: BuiltIn, policy: Policy) -> Hosted {
        Hosted {
            service: OpenAi::new(ai, policy),
            moderation_endpoint: AtomicU8::new(ENDPOINT_UNKNOWN),
            fallback,
        }
    }

    /// A chat completion's text.
    async fn complete(&self, system: &str, user: &str, json_mode: bool) -> Result<String, Failure> {
        let mut body = json!({
            "model": self.service.model(),
            "temperature": 0,
            "messages": [
                { "role": "system", "content": system },
                { "role": "user", "content": user },
            ],
        });
        if json_mode {
            body["response_format"] = json!({ "type": "json_object" });
        }
        let reply = self.service.post("/chat/completions", &body).await?;
        reply["choices"][0]["message"]["content"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| Failure::Malformed("no choices[0].message.content".into()))
    }

    /// Prose written by the model; an empty answer is a failure, like no answer.
    async fn prose(&self, system: &str, user: &str) -> Result<Produced<String>, AiError> {
        match self.complete(system, user, false).await {
            Ok(text) if !text.trim().is_empty() => Ok(Produced {
                value: text.trim().to_string(),
                engine: self.service.model().to_string(),
            }),
            Ok(_) => Err(AiError::Unavailable("the model wrote nothing".into())),
            Err(failure) => Err(AiError::Unavailable(failure.to_string())),
        }
    }

    async fn moderate_hosted(&self, text: &str) -> Result<Produced<Assessment>, Failure> {
        if self.moderation_endpoint.load(Ordering::Relaxed) != ENDPOINT_ABSENT {
            match self
                .service
                .post("/moderations", &json!({ "input": text }))
                .await
            {
                Ok(reply) => {
                    self.moderation_endpoint
                        .store(ENDPOINT_PRESENT, Ordering::Relaxed);
                    return moderation_reply(&reply);
                }
                Err(Failure::Status(404 | 405, _))
                    if self.moderation_endpoint.load(Ordering::Relaxed) == ENDPOINT_UNKNOWN =>
                {
                    tracing::info!(base = %self.service.base_url(), "no /moderations endpoint; classifying with a JSON prompt");
                    self.moderation_endpoint
                        .store(ENDPOINT_ABSENT, Ordering::Relaxed);
                }
                Err(other) => return Err(other),
            }
        }
        let content = self.complete(CLASSIFY_PROMPT, text, true).await?;
        Ok(Produced {
            value: classification_reply(&content)?,
            engine: self.service.model().to_string(),
        })
    }
}

const CLASSIFY_PROMPT: &str = "You moderate a chat where people discuss stocks and investing, \
in any language. Rate the user's message per category, each from 0 to 1: insult (abuse aimed \
at a person), threat (violence or menace, with or without a bad word), self_harm (urging \
someone to hurt or kill themselves), slur, hate (against a group), harassment (stalking, \
publishing or threatening to publish someone's address, phone or family), sexual (advances or \
obscene content aimed at someone), spam (pump-and-dump shilling, \"DM me for signals\", \
Telegram/WhatsApp groups, guaranteed returns, crypto doubling). Market slang is not toxic: \
\"short squeeze\", \"bloodbath\", \"this stock is killing it\", \"rekt\", \"bagholder\", \
tickers such as $DKS, swearing at the market rather than at a person. Reply with JSON only: \
{\"categories\": {\"insult\": n, \"threat\": n, \"self_harm\": n, \"slur\": n, \"hate\": n, \
\"harassment\": n, \"sexual\": n, \"spam\": n}, \"toxicity\": the highest of them, \"reason\": the category \
with the highest score, \"severe\": true only for slurs, threats, self-harm or sexual content \
involving minors}.";

/// Categories that mean the message is blurred until the reader chooses to see it.
const SEVERE: [&str; 5] = [
    "hate/threatening",
    "harassment/threatening",
    "sexual/minors",
    "self-harm/instructions",
    "illicit/violent",
];

/// Reads `/moderations`' answer: the highest category score is the score.
fn moderation_reply(reply: &Value) -> Result<Produced<Assessment>, Failure> {
    let result = &reply["results"][0];
    let scores = result["category_scores"]
        .as_object()
        .ok_or_else(|| Failure::Malformed("no results[0].category_scores".into()))?;
    // Every hosted category in Bullpen's own words, the best score each ("harassment" and
    // "harassment/threatening" both speak for a reason).
    let mut categories: Vec<(String, f32)> = Vec::new();
    for (name, score) in scores
        .iter()
        // Some models repeat each category with underscores ("self_harm"); one spelling is enough.
        .filter(|(name, _)| !name.contains('_'))
        .filter_map(|(name, score)| score.as_f64().map(|s| (name.as_str(), s)))
    {
        let reason = super::flag_reason_for(name).to_string();
        let score = score.clamp(0.0, 1.0) as f32;
        match categories.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, best)) => *best = best.max(score),
            None => categories.push((reason, score)),
        }
    }
    categories.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (reason, score) = categories
        .first()
        .cloned()
        .ok_or_else(|| Failure::Malformed("no category scores".into()))?;
    let severe = SEVERE
        .iter()
        .any(|name| result["categories"][*name].as_bool() == Some(true));
    Ok(Produced {
        value: Assessment {
            score,
            reason,
            severe,
            categories,
        },
        engine: reply["model"]
            .as_str()
            .unwrap_or("moderation endpoint")
            .to_string(),
    })
}

/// Reads the JSON the classification prompt asks for, refusing anything else.
fn classification_reply(content: &str) -> Result<Assessment, Failure> {
    let value: Value = serde_json::from_str(content.trim())
        .map_err(|err| Failure::Malformed(format!("the classification is not JSON ({err})")))?;
    let score = value["toxicity"]
        .as_f64()
        .filter(|s| (0.0..=1.0).contains(s))
        .ok_or_else(|| Failure::Malformed("no toxicity between 0 and 1".into()))?;
    let label: String = value["reason"]
        .as_str()
        .unwrap_or("toxic")
        .chars()
        .take(60)
        .collect();
    let reason = super::flag_reason_for(&label).to_string();
    let mut categories: Vec<(String, f32)> = value["categories"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(name, score)| {
            let score = score.as_f64().filter(|s| (0.0..=1.0).contains(s))?;
            Some((super::flag_reason_for(name).to_string(), score as f32))
        })
        .collect();
    if !categories.iter().any(|(r, _)| *r == reason) {
        categories.push((reason.clone(), score as f32));
    }
    categories.sort_by(|a, b| b.1.total_cmp(&a.1));
    Ok(Assessment {
        score: score as f32,
        categories,
        reason,
        severe: value["severe"].as_bool().unwrap_or(false),
    })
}

#[async_trait::async_trait]
impl Provider for Hosted {
    async fn moderate(
        &self,
        text: &str,
        language: Option<&str>,
    ) -> Result<Produced<Assessment>, AiError> {
        match self.moderate_hosted(text).await {
            Ok(produced) => Ok(produced),
            Err(failure) => {
                tracing::warn!(%failure, "hosted moderation failed; the built-in engine judges this message");
                self.fallback.moderate(text, language).await
            }
        }
    }

    async fn translate(
        &self,
        text: &str,
        from: &str,
        to: &str,
    ) -> Result<Produced<String>, AiError> {
        let shielded = language::shield(text);
        let system = format!(
            "Translate the user's chat message from {} to {}. Keep every token like ZXQ0Z \
             exactly as written. Keep the tone, slang and emoji. Reply with the translation only.",
            language_name(Locale::en, from),
            language_name(Locale::en, to),
        );
        match self.complete(&system, &shielded.text, false).await {
            Ok(translated) if !translated.trim().is_empty() => Ok(Produced {
                value: shielded.restore(&translated),
                engine: self.service.model().to_string(),
            }),
            Ok(_) => {
                tracing::warn!("hosted translation came back empty; trying the built-in engine");
                self.fallback.translate(text, from, to).await
            }
            Err(failure) => {
                tracing::warn!(%failure, "hosted translation failed; trying the built-in engine");
                self.fallback.translate(text, from, to).await
            }
        }
    }

    async fn can_translate(&self, _from: &str, _to: &str) -> bool {
        true
    }

    async fn narrate(&self, facts: &str, language: &str) -> Result<Produced<String>, AiError> {
        let system = format!(
            "You write the summary at the top of a stock's page in an investing community. The \
             user sends the page's facts as JSON: scores from -100 (bearish) to 100 (bullish), \
             the signals behind each score, returns, and what the community's messages say. \
             Write two to four plain sentences in {} using only those facts, and name the ones \
             you rely on. Do not predict prices, give advice or add anything that is not in the \
             facts. If \"simulated\" is true, say that the prices are simulated.",
            language_name(Locale::en, language),
        );
        self.prose(&system, facts).await
    }

    async fn recap(&self, lines: &str, language: &str) -> Result<Produced<String>, AiError> {
        let system = format!(
            "You catch a trader up on the messages they missed in an investing community's \
             channel. The user sends the messages, one per line, numbered \"[n] Name: text\" \
             and oldest first; notes in braces say what the room made of a line (pinned, \
             replies, reactions, a moderator or bot wrote it). Write two to five plain \
             sentences in {} on what mattered: decisions, figures, events and releases, what \
             people did and asked. After each statement cite the lines it comes from as [n]. \
             Use only what the messages say; do not predict prices or give advice.",
            language_name(Locale::en, language),
        );
        self.prose(&system, lines).await
    }
}

#[cfg(test)]
mod tests {
    //! Against a local server replaying response bodies recorded from OpenAI's API
    //! (`tests/fixtures/openai/`, see its README), including the ways it fails.

    use std::{
        collections::VecDeque,
        net::SocketAddr,
        sync::{Arc, Mutex},
        time::{Duration, Instant},
    };

    use axum::{
        extract::State,
        http::{HeaderMap, StatusCode, Uri},
        response::{IntoResponse, Response},
        Router,
    };

    use super::*;

    const MODERATION_FLAGGED: &str =
        include_str!("../../tests/fixtures/openai/moderation-flagged.json");
    const CHAT_COMPLETION: &str = include_str!("../../tests/fixtures/openai/chat-completion.json");
    const RATE_LIMITED: &str = include_str!("../../tests/fixtures/openai/rate-limited.json");

    /// One scripted answer.
    #[derive(Clone)]
    struct Reply {
        status: u16,
        headers: Vec<(&'static str, &'static str)>,
        body: String,
        delay: Duration,
    }

    fn ok(body: &str) -> Reply {
        Reply {
            status: 200,
            headers: vec![],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    fn status(status: u16, body: &str) -> Reply {
        Reply { status, ..ok(body) }
    }

    /// A chat completion (the recorded one) whose message says `content`.
    fn completion(content: &str) -> Reply {
        let mut body: Value = serde_json::from_str(CHAT_COMPLETION).unwrap();
        body["choices"][0]["message"]["content"] = Value::String(content.to_string());
        ok(&body.to_string())
    }

    #[derive(Clone, Default)]
    struct Script {
        replies: Arc<Mutex<VecDeque<Reply>>>,
        seen: Arc<Mutex<Vec<(String, Value)>>>,
    }

    async fn answer(
        State(script): State<Script>,
        uri: Uri,
        _: HeaderMap,
        body: String,
    ) -> Response {
        script.seen.lock().unwrap().push((
            uri.path().to_string(),
            serde_json::from_str(&body).unwrap_or(Value::Null),
        ));
        let reply = script.replies.lock().unwrap().pop_front();
        let Some(reply) = reply else {
            return (StatusCode::INTERNAL_SERVER_ERROR, "the script ran out").into_response();
        };
        tokio::time::sleep(reply.delay).await;
        let mut response =
            (StatusCode::from_u16(reply.status).unwrap(), reply.body).into_response();
        for (name, value) in reply.headers {
            response.headers_mut().insert(name, value.parse().unwrap());
        }
        response
            .headers_mut()
            .insert("content-type", "application/json".parse().unwrap());
        response
    }

    async fn server(replies: Vec<Reply>) -> (Script, String) {
        let script = Script {
            replies: Arc::new(Mutex::new(replies.into())),
            ..Default::default()
        };
        let app = Router::new().fallback(answer).with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (script, format!("http://{addr}/v1"))
    }

    fn policy() -> Policy {
        Policy {
            timeout: Duration::from_millis(300),
            backoff: Duration::from_millis(10),
            ..Policy::default()
        }
    }

    fn hosted(base: &str, policy: Policy) -> Hosted {
        let ai = HostedAi {
            base_url: base.to_string(),
            api_key: Some("sk-test".into()),
            model: "gpt-4o-mini".into(),
        };
        Hosted::with_policy(ai, BuiltIn { apertium: None }, policy)
    }

    fn paths(script: &Script) -> Vec<String> {
        script
            .seen
            .lock()
            .unwrap()
            .iter()
            .map(|(p, _)| p.clone())
            .collect()
    }

    #[tokio::test]
    async fn the_moderation_endpoint_scores_a_threat() {
        let (script, base) = server(vec![ok(MODERATION_FLAGGED)]).await;
        let judged = hosted(&base, policy())
            .moderate("I want to kill them.", None)
            .await
            .unwrap();
        assert_eq!(judged.engine, "text-moderation-007");
        assert!((judged.value.score - 0.9972).abs() < 1e-3, "{judged:?}");
        // The endpoint's "violence" is a threat, a reason the UI names in every language.
        assert_eq!(judged.value.reason, "threat");
        assert!(judged.value.severe, "harassment/threatening is flagged");
        assert_eq!(
            script.seen.lock().unwrap()[0].1["input"],
            "I want to kill them."
        );
    }

    #[tokio::test]
    async fn a_rate_limit_is_retried_after_the_time_asked() {
        let limited = Reply {
            headers: vec![("retry-after", "0.05")],
            ..status(429, RATE_LIMITED)
        };
        let (script, base) = server(vec![limited, ok(MODERATION_FLAGGED)]).await;
        let judged = hosted(&base, policy())
            .moderate("I want to kill them.", None)
            .await
            .unwrap();
        assert_eq!(judged.engine, "text-moderation-007");
        assert_eq!(paths(&script), ["/v1/moderations", "/v1/moderations"]);
    }

    #[tokio::test]
    async fn a_lasting_rate_limit_falls_back_to_the_built_in_engine() {
        let limited = status(429, RATE_LIMITED);
        let (script, base) = server(vec![limited.clone(), limited.clone(), limited]).await;
        let judged = hosted(&base, policy())
            .moderate("you are a worthless idiot", None)
            .await
            .unwrap();
        assert_eq!(judged.engine, "built-in");
        assert!(
            judged.value.score >= 0.7,
            "the built-in engine still flags it: {judged:?}"
        );
        assert_eq!(paths(&script).len(), 3, "three tries, then the fallback");
    }

    #[tokio::test]
    async fn a_slow_service_times_out_and_falls_back() {
        let slow = Reply {
            delay: Duration::from_secs(2),
            ..ok(MODERATION_FLAGGED)
        };
        let (script, base) = server(vec![slow.clone(), slow.clone(), slow]).await;
        let started = Instant::now();
        let judged = hosted(&base, policy())
            .moderate("have a nice day", None)
            .await
            .unwrap();
        assert_eq!(judged.engine, "built-in");
        assert!(judged.value.score < 0.7);
        assert_eq!(paths(&script).len(), 3);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "it did not wait for the slow answers"
        );
    }

    #[tokio::test]
    async fn without_a_moderation_endpoint_a_json_prompt_classifies() {
        let not_found = status(404, r#"{"error":{"message":"404 page not found"}}"#);
        let verdict = completion(r#"{"toxicity": 0.91, "reason": "Insult", "severe": false}"#);
        let (script, base) = server(vec![
            not_found,
            verdict,
            completion(r#"{"toxicity": 0.02, "reason": "none", "severe": false}"#),
        ])
        .await;
        let ai = hosted(&base, policy());
        let judged = ai.moderate("you absolute clown", None).await.unwrap();
        assert_eq!(
            (judged.engine.as_str(), judged.value.reason.as_str()),
            ("gpt-4o-mini", "insult")
        );
        // The endpoint is not asked for again.
        ai.moderate("nice call on $NVDA", None).await.unwrap();
        assert_eq!(
            paths(&script),
            [
                "/v1/moderations",
                "/v1/chat/completions",
                "/v1/chat/completions"
            ]
        );
        let request = &script.seen.lock().unwrap()[1].1;
        assert_eq!(request["response_format"]["type"], "json_object");
        assert_eq!(request["model"], "gpt-4o-mini");
    }

    #[tokio::test]
    async fn malformed_replies_fall_back_without_retrying() {
        let not_found = status(404, "{}");
        let (script, base) = server(vec![
            not_found,
            completion("Sure! The message seems toxic."),
            ok("<html>502 Bad Gateway</html>"),
        ])
        .await;
        let ai = hosted(&base, policy());
        assert_eq!(
            ai.moderate("you absolute clown", None)
                .await
                .unwrap()
                .engine,
            "built-in"
        );
        assert_eq!(
            ai.moderate("you absolute clown", None)
                .await
                .unwrap()
                .engine,
            "built-in"
        );
        assert_eq!(paths(&script).len(), 3, "a malformed answer is not retried");
    }

    #[tokio::test]
    async fn the_circuit_opens_after_repeated_failures() {
        let failing = status(503, r#"{"error":{"message":"The server is overloaded"}}"#);
        let (script, base) = server(vec![failing; 10]).await;
        let ai = hosted(
            &base,
            Policy {
                attempts: 1,
                breaker_failures: 2,
                ..policy()
            },
        );
        for _ in 0..4 {
            assert_eq!(ai.moderate("hello", None).await.unwrap().engine, "built-in");
        }
        assert_eq!(
            paths(&script).len(),
            2,
            "after two failures the service is left alone"
        );
    }

    #[tokio::test]
    async fn translation_keeps_protected_parts() {
        let (script, base) = server(vec![completion("Hello ZXQ0Z, ZXQ1Z rose ZXQ2Z today")]).await;
        let translated = hosted(&base, policy())
            .translate("Hola @ana, $TSLA subió 5% hoy", "es", "en")
            .await
            .unwrap();
        assert_eq!(translated.value, "Hello @ana, $TSLA rose 5% today");
        assert_eq!(translated.engine, "gpt-4o-mini");
        // A copy: the lock is not held across the awaits below.
        let request = script.seen.lock().unwrap()[0].1.clone();
        assert!(request["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("from Spanish to English"));
        assert_eq!(
            request["messages"][1]["content"],
            "Hola ZXQ0Z, ZXQ1Z subió ZXQ2Z hoy"
        );
    }

    #[tokio::test]
    async fn a_failed_translation_without_an_offline_engine_says_so() {
        let (_, base) = server(vec![status(
            401,
            r#"{"error":{"message":"Incorrect API key provided"}}"#,
        )])
        .await;
        let err = hosted(&base, policy())
            .translate("Guten Morgen", "de", "en")
            .await
            .unwrap_err();
        assert_eq!(err, AiError::NoTranslator);
    }

    #[tokio::test]
    async fn a_narrative_is_written_from_the_facts_in_the_reader_s_language() {
        let facts = r#"{"symbol":"IBM","score":-12,"simulated":true}"#;
        let (script, base) = server(vec![completion(
            "  IBM scores −12: neutral. The prices are simulated.  ",
        )])
        .await;
        let written = hosted(&base, policy()).narrate(facts, "tr").await.unwrap();
        assert_eq!(
            written.value,
            "IBM scores −12: neutral. The prices are simulated."
        );
        assert_eq!(written.engine, "gpt-4o-mini");
        let request = script.seen.lock().unwrap()[0].1.clone();
        let system = request["messages"][0]["content"].as_str().unwrap();
        assert!(
            system.contains("in Turkish") && system.contains("using only those facts"),
            "{system}"
        );
        assert_eq!(request["messages"][1]["content"], facts);

        // A failure leaves the page to its template, never to a made-up text.
        let (_, base) = server(vec![status(
            401,
            r#"{"error":{"message":"Incorrect API key provided"}}"#,
        )])
        .await;
        assert!(matches!(
            hosted(&base, policy()).narrate(facts, "en").await,
            Err(AiError::Unavailable(_))
        ));
        assert!(matches!(
            BuiltIn { apertium: None }.narrate(facts, "en").await,
            Err(AiError::Unavailable(_))
        ));
    }

    #[tokio::test]
    async fn a_recap_is_written_in_the_language_asked_from_the_numbered_lines() {
        let lines = "[1] Ana: La Fed mantiene los tipos {pinned}\n[2] Bob: CPI 3,1 %\n";
        let (script, base) = server(vec![completion(
            "La Fed mantuvo los tipos [1] y el IPC salió en 3,1 % [2].",
        )])
        .await;
        let written = hosted(&base, policy()).recap(lines, "es").await.unwrap();
        assert_eq!(
            written.value,
            "La Fed mantuvo los tipos [1] y el IPC salió en 3,1 % [2]."
        );
        let request = script.seen.lock().unwrap()[0].1.clone();
        let system = request["messages"][0]["content"].as_str().unwrap();
        assert!(
            system.contains("in Spanish") && system.contains("cite the lines"),
            "{system}"
        );
        assert_eq!(request["messages"][1]["content"], lines);

        // An empty answer or a failure is no recap, and the built-in engines write none.
        let (_, base) = server(vec![completion("  ")]).await;
        assert!(hosted(&base, policy()).recap(lines, "es").await.is_err());
        assert!(matches!(
            BuiltIn { apertium: None }.recap(lines, "en").await,
            Err(AiError::Unavailable(_))
        ));
    }
}
