//! The one client for an OpenAI-compatible service (OpenAI, Groq, Ollama, vLLM, llama.cpp's
//! server), shared by the hosted engines (`ai::hosted`) and the assistant.
//!
//! Hosted services fail in ordinary ways — slow answers, rate limits, outages, replies that are
//! not what was asked for — so every call has a timeout and is retried with backoff (honouring
//! `Retry-After`) on timeouts, 429 and 5xx, and a circuit breaker stops calling a service that
//! keeps failing. Streams are retried the same way until the first byte of an answer arrives;
//! after that a failure is the caller's to handle (text has already been shown).

use std::time::Duration;

use reqwest::{header::RETRY_AFTER, Response, StatusCode};
use serde_json::Value;

use crate::platform::{breaker::CircuitBreaker, config::HostedAi, metrics::METRICS};

/// How patient to be with the service.
#[derive(Debug, Clone)]
pub struct Policy {
    /// For one request, answer included (a whole stream, for streams).
    pub timeout: Duration,
    /// Tries per call (the first one included).
    pub attempts: u32,
    /// The wait before the second try; doubled for each one after.
    pub backoff: Duration,
    /// The longest `Retry-After` waited for; longer ones count as a failure at once.
    pub max_retry_after: Duration,
    /// Consecutive failed calls that open the circuit…
    pub breaker_failures: u32,
    /// …for this long: calls fail at once and the caller uses its fallback.
    pub breaker_cooldown: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            timeout: Duration::from_secs(10),
            attempts: 3,
            backoff: Duration::from_millis(250),
            max_retry_after: Duration::from_secs(5),
            breaker_failures: 5,
            breaker_cooldown: Duration::from_secs(30),
        }
    }
}

/// Why a hosted call gave no usable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    #[error("timed out or unreachable: {0}")]
    Unreachable(String),
    #[error("rate limited (HTTP 429) after {0} tries")]
    RateLimited(u32),
    #[error("HTTP {0}: {1}")]
    Status(u16, String),
    #[error("the reply was not what was asked for: {0}")]
    Malformed(String),
    #[error("the circuit is open after repeated failures")]
    CircuitOpen,
}

impl Failure {
    /// Whether this says the service is unwell: a 400–404 is an answer about the request.
    fn counts_against_service(&self) -> bool {
        !matches!(self, Failure::Status(400..=404, _))
    }
}

/// The text of an OpenAI-style error body, or the start of whatever came back.
pub fn error_message(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
        .unwrap_or_else(|| body.chars().take(200).collect())
}

pub struct OpenAi {
    ai: HostedAi,
    policy: Policy,
    client: reqwest::Client,
    breaker: CircuitBreaker,
}

impl OpenAi {
    pub fn new(ai: HostedAi, policy: Policy) -> OpenAi {
        OpenAi {
            client: reqwest::Client::builder()
                .timeout(policy.timeout)
                .connect_timeout(policy.timeout.min(Duration::from_secs(5)))
                .build()
                .expect("a client with a timeout builds"),
            breaker: CircuitBreaker::new(policy.breaker_failures, policy.breaker_cooldown),
            ai,
            policy,
        }
    }

    pub fn model(&self) -> &str {
        &self.ai.model
    }

    pub fn base_url(&self) -> &str {
        &self.ai.base_url
    }

    /// One JSON call: the reply's JSON.
    pub async fn post(&self, path: &str, body: &Value) -> Result<Value, Failure> {
        self.guarded(async {
            let text = self
                .send(path, body)
                .await?
                .text()
                .await
                .map_err(|err| Failure::Unreachable(err.to_string()))?;
            serde_json::from_str(&text)
                .map_err(|err| Failure::Malformed(format!("not JSON ({err})")))
        })
        .await
    }

    /// One streamed call (server-sent events): hands each event's JSON to `on_event` as it
    /// arrives, until `[DONE]` or the end of the stream; answers whether `[DONE]` ended it.
    pub async fn stream(
        &self,
        path: &str,
        body: &Value,
        on_event: &mut (dyn FnMut(&Value) + Send),
    ) -> Result<bool, Failure> {
        self.guarded(async {
            let mut response = self.send(path, body).await?;
            let mut pending = String::new();
            while let Some(bytes) = response
                .chunk()
                .await
                .map_err(|e| Failure::Unreachable(e.to_string()))?
            {
                pending.push_str(&String::from_utf8_lossy(&bytes));
                // One `data: …` line per event, events apart by a blank line.
                while let Some(end) = pending.find('\n') {
                    let line = pending[..end].trim_end_matches('\r').to_string();
                    pending.drain(..=end);
                    let Some(data) = line.strip_prefix("data:").map(str::trim) else {
                        continue;
                    };
                    if data == "[DONE]" {
                        return Ok(true);
                    }
                    let event: Value = serde_json::from_str(data)
                        .map_err(|e| Failure::Malformed(format!("an event is not JSON ({e})")))?;
                    on_event(&event);
                }
            }
            Ok(false)
        })
        .await
    }

    /// Runs one call under the circuit breaker.
    async fn guarded<T>(
        &self,
        call: impl std::future::Future<Output = Result<T, Failure>>,
    ) -> Result<T, Failure> {
        if !self.breaker.allows() {
            return Err(Failure::CircuitOpen);
        }
        let result = call.await;
        match &result {
            Err(failure) if failure.counts_against_service() => {
                METRICS.provider_failed("hosted_ai");
                if self.breaker.failed() {
                    tracing::warn!(base = %self.ai.base_url, cooldown = ?self.breaker.cooldown(), %failure, "a hosted AI service keeps failing; its callers use their fallbacks");
                }
            }
            _ => self.breaker.succeeded(),
        }
        result
    }

    /// Sends until the service answers with success, retrying what may pass; answers the
    /// response with its body unread.
    async fn send(&self, path: &str, body: &Value) -> Result<Response, Failure> {
        let url = format!("{}{path}", self.ai.base_url);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = self.client.post(&url).json(body);
            if let Some(key) = &self.ai.api_key {
                request = request.bearer_auth(key);
            }
            let (failure, wait) = match request.send().await {
                Err(err) => (Failure::Unreachable(err.to_string()), None),
                Ok(response) if response.status().is_success() => return Ok(response),
                Ok(response) => {
                    let status = response.status();
                    let retry_after = response
                        .headers()
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<f64>().ok())
                        .map(Duration::from_secs_f64);
                    let message = error_message(&response.text().await.unwrap_or_default());
                    match status {
                        StatusCode::TOO_MANY_REQUESTS => {
                            (Failure::RateLimited(attempt), retry_after)
                        }
                        s if s.is_server_error() => {
                            (Failure::Status(s.as_u16(), message), retry_after)
                        }
                        s => return Err(Failure::Status(s.as_u16(), message)),
                    }
                }
            };
            if attempt >= self.policy.attempts {
                return Err(failure);
            }
            let backoff = self.policy.backoff * 2u32.pow(attempt - 1);
            let wait = match wait {
                Some(asked) if asked > self.policy.max_retry_after => return Err(failure),
                Some(asked) => asked,
                None => backoff,
            };
            tracing::debug!(%failure, ?wait, attempt, "hosted AI call failed; retrying");
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    };

    use axum::{extract::State, http::StatusCode, response::IntoResponse, routing::post, Router};
    use serde_json::json;

    use super::*;

    const TEXT_STREAM: &str = include_str!("../../tests/fixtures/openai/stream-text.sse");

    /// A service that is overloaded for its first `busy` requests, then streams the recording.
    async fn service(busy: usize) -> (OpenAi, Arc<AtomicUsize>) {
        let seen = Arc::new(AtomicUsize::new(0));
        let app = Router::new()
            .route(
                "/v1/chat/completions",
                post(move |State(seen): State<Arc<AtomicUsize>>| async move {
                    if seen.fetch_add(1, Ordering::SeqCst) < busy {
                        return (
                            StatusCode::SERVICE_UNAVAILABLE,
                            "{\"error\":{\"message\":\"overloaded\"}}",
                        )
                            .into_response();
                    }
                    ([("content-type", "text/event-stream")], TEXT_STREAM).into_response()
                }),
            )
            .with_state(seen.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let ai = HostedAi {
            base_url: format!("http://{addr}/v1"),
            api_key: None,
            model: "gpt-4o-mini".into(),
        };
        let policy = Policy {
            backoff: Duration::from_millis(5),
            ..Policy::default()
        };
        (OpenAi::new(ai, policy), seen)
    }

    async fn text_of(service: &OpenAi) -> Result<(String, bool), Failure> {
        let mut text = String::new();
        let done = service
            .stream(
                "/chat/completions",
                &json!({ "stream": true }),
                &mut |event| {
                    text.push_str(
                        event["choices"][0]["delta"]["content"]
                            .as_str()
                            .unwrap_or(""),
                    );
                },
            )
            .await?;
        Ok((text, done))
    }

    #[tokio::test]
    async fn a_stream_is_retried_until_it_starts_and_read_to_its_end() {
        let (service, seen) = service(2).await;
        let (text, done) = text_of(&service).await.unwrap();
        assert!(done, "the recording ends with [DONE]");
        assert!(!text.is_empty(), "the recorded text arrives");
        assert_eq!(
            seen.load(Ordering::SeqCst),
            3,
            "two refusals, then the stream"
        );
    }

    #[tokio::test]
    async fn a_stream_that_keeps_failing_says_why_and_opens_the_circuit() {
        let (service, seen) = service(usize::MAX).await;
        for _ in 0..Policy::default().breaker_failures {
            let failure = text_of(&service).await.unwrap_err();
            assert_eq!(failure, Failure::Status(503, "overloaded".into()));
        }
        let tries = seen.load(Ordering::SeqCst);
        assert_eq!(text_of(&service).await.unwrap_err(), Failure::CircuitOpen);
        assert_eq!(
            seen.load(Ordering::SeqCst),
            tries,
            "an open circuit sends nothing"
        );
    }
}
