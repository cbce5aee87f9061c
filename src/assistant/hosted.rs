//! The assistant on a hosted model (any OpenAI-compatible `/chat/completions`): the tools are
//! offered as function calls, the system prompt keeps it to finance, the answer streams token by
//! token, and the cards its tool calls produced are shown with it. When the service fails, the
//! built-in engine answers instead.
//!
//! A price the model writes without having called a tool in that turn came from its memory,
//! not from Bullpen: such an answer is replaced by the built-in engine's.

use std::time::Duration;

use serde_json::{json, Value};

use super::{
    engine::Answer,
    tools::{self, Asker, ToolCall},
    Role, Turn,
};
use crate::{
    ai::openai::{Failure, OpenAi, Policy},
    kit::{i18n::Locale, languages::language_name},
    platform::config::HostedAi,
};

/// Model → tools → model rounds before giving up on an answer.
const MAX_ROUNDS: usize = 4;
/// Earlier turns sent along (the newest ones).
const HISTORY_TURNS: usize = 10;

pub struct HostedAssistant {
    service: OpenAi,
}

/// One streamed reply, put together: its text and the functions it called.
#[derive(Debug, Default, PartialEq)]
pub struct Streamed {
    pub content: String,
    pub calls: Vec<StreamedCall>,
    pub finish_reason: Option<String>,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct StreamedCall {
    pub id: String,
    pub name: String,
    pub arguments: String,
}

impl Streamed {
    /// Adds one `chat.completion.chunk` (`data: {...}` line's JSON); answers the text it added.
    pub fn add(&mut self, chunk: &Value) -> Option<String> {
        // The last chunk may carry only `usage`, with no choices.
        let choice = chunk["choices"].get(0)?;
        if let Some(reason) = choice["finish_reason"].as_str() {
            self.finish_reason = Some(reason.to_string());
        }
        let delta = &choice["delta"];
        for call in delta["tool_calls"].as_array().into_iter().flatten() {
            let index = call["index"].as_u64().unwrap_or(0) as usize;
            if self.calls.len() <= index {
                self.calls.resize(index + 1, StreamedCall::default());
            }
            let entry = &mut self.calls[index];
            if let Some(id) = call["id"].as_str() {
                entry.id = id.to_string();
            }
            if let Some(name) = call["function"]["name"].as_str() {
                entry.name.push_str(name);
            }
            if let Some(piece) = call["function"]["arguments"].as_str() {
                entry.arguments.push_str(piece);
            }
        }
        let piece = delta["content"].as_str().filter(|p| !p.is_empty())?;
        self.content.push_str(piece);
        Some(piece.to_string())
    }
}

/// The system prompt: finance only, numbers only from tools, the person's language.
pub fn system_prompt(language: &str) -> String {
    format!(
        "You are Bullpen's assistant, in an investing community app. You help only with markets, \
         trading, investing terms and the user's own portfolio and watchlist. Politely decline \
         anything else in one sentence and suggest a market question. Every price, indicator value, \
         return or portfolio figure you give must come from a tool result in this conversation: \
         call the tools, never state a number from memory. If a tool returns an error, say so \
         plainly. When you give an opinion on buying or selling, add that it is not financial \
         advice. If prices are marked simulated, say so. Answer in {} in two to five short \
         sentences; the app shows the tool results as cards beside your text.",
        language_name(Locale::en, language)
    )
}

impl HostedAssistant {
    pub fn new(ai: HostedAi) -> HostedAssistant {
        HostedAssistant {
            // An answer streams for a while: the whole stream may take a minute.
            service: OpenAi::new(
                ai,
                Policy {
                    timeout: Duration::from_secs(60),
                    ..Policy::default()
                },
            ),
        }
    }

    pub fn model(&self) -> &str {
        self.service.model()
    }

    /// Answers `question` after `history`, sending each piece of text to `on_text` as it comes.
    pub async fn answer(
        &self,
        asker: Asker<'_>,
        history: &[Turn],
        question: &str,
        on_text: &mut (dyn FnMut(String) + Send),
    ) -> Result<Answer, Failure> {
        self.converse(asker, history, question, on_text).await
    }

    async fn converse(
        &self,
        asker: Asker<'_>,
        history: &[Turn],
        question: &str,
        on_text: &mut (dyn FnMut(String) + Send),
    ) -> Result<Answer, Failure> {
        let mut messages =
            vec![json!({ "role": "system", "content": system_prompt(asker.language) })];
        for turn in &history[history.len().saturating_sub(HISTORY_TURNS)..] {
            let role = if turn.role == Role::User {
                "user"
            } else {
                "assistant"
            };
            messages.push(json!({ "role": role, "content": turn.text }));
        }
        messages.push(json!({ "role": "user", "content": question }));
        let mut cards = Vec::new();
        let mut tool_facts = String::new();
        for _ in 0..MAX_ROUNDS {
            let body = json!({
                "model": self.service.model(),
                "stream": true,
                "temperature": 0.2,
                "messages": messages,
                "tools": tools::definitions(),
            });
            let streamed = self.stream(&body, on_text).await?;
            if streamed.calls.is_empty() {
                if tool_facts.is_empty()
                    && !invented_numbers(&streamed.content, question).is_empty()
                {
                    return Err(Failure::Malformed("figures without a tool call".into()));
                }
                return Ok(Answer {
                    text: streamed.content.trim().to_string(),
                    cards,
                    engine: self.service.model().to_string(),
                });
            }
            let content = if streamed.content.is_empty() {
                Value::Null
            } else {
                json!(streamed.content)
            };
            let calls: Vec<Value> = streamed
                .calls
                .iter()
                .map(|c| json!({ "id": c.id, "type": "function", "function": { "name": c.name, "arguments": c.arguments } }))
                .collect();
            messages.push(json!({ "role": "assistant", "content": content, "tool_calls": calls }));
            for call in &streamed.calls {
                let result = match ToolCall::parse(&call.name, &call.arguments) {
                    Ok(tool) => match tools::run(asker, &tool).await {
                        Ok(new_cards) => {
                            let facts = tools::facts(&new_cards);
                            cards.extend(new_cards);
                            facts
                        }
                        Err(err) => json!({ "error": err.to_string() }),
                    },
                    Err(err) => json!({ "error": err }),
                };
                tool_facts.push_str(&result.to_string());
                messages.push(json!({ "role": "tool", "tool_call_id": call.id, "content": result.to_string() }));
            }
        }
        Err(Failure::Malformed(format!(
            "no answer after {MAX_ROUNDS} rounds of tool calls"
        )))
    }

    /// One streamed completion, put together as it arrives.
    async fn stream(
        &self,
        body: &Value,
        on_text: &mut (dyn FnMut(String) + Send),
    ) -> Result<Streamed, Failure> {
        let mut streamed = Streamed::default();
        let done = self
            .service
            .stream("/chat/completions", body, &mut |chunk| {
                if let Some(piece) = streamed.add(chunk) {
                    on_text(piece);
                }
            })
            .await?;
        if done || streamed.finish_reason.is_some() {
            Ok(streamed)
        } else {
            Err(Failure::Malformed(
                "the stream ended before the answer did".into(),
            ))
        }
    }
}

/// Figures with decimals ("93.42", "1,234.5") in `text` that the question did not contain:
/// a model that called no tool cannot have them from Bullpen.
pub fn invented_numbers(text: &str, question: &str) -> Vec<String> {
    let figures = |s: &str| -> Vec<String> {
        s.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
            .map(|w| w.trim_matches(|c| c == '.' || c == ',').replace(',', ""))
            .filter(|w| w.contains('.') && w.chars().any(|c| c.is_ascii_digit()))
            .collect()
    };
    let asked = figures(question);
    figures(text)
        .into_iter()
        .filter(|f| !asked.contains(f))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_add_up_to_text_and_calls() {
        let mut streamed = Streamed::default();
        let chunks = [
            json!({"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_quote","arguments":""}}]},"finish_reason":null}]}),
            json!({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"symbol\""}}]},"finish_reason":null}]}),
            json!({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":":\"AAPL\"}"}}]},"finish_reason":null}]}),
            json!({"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}),
            json!({"choices":[],"usage":{"total_tokens":60}}),
        ];
        for chunk in &chunks {
            assert_eq!(streamed.add(chunk), None);
        }
        assert_eq!(
            streamed.calls,
            vec![StreamedCall {
                id: "call_1".into(),
                name: "get_quote".into(),
                arguments: r#"{"symbol":"AAPL"}"#.into()
            }]
        );
        assert_eq!(streamed.finish_reason.as_deref(), Some("tool_calls"));
        let mut text = Streamed::default();
        assert_eq!(
            text.add(&json!({"choices":[{"delta":{"content":"AAPL is"}}]})),
            Some("AAPL is".into())
        );
        assert_eq!(
            text.add(&json!({"choices":[{"delta":{"content":" at 93.42."}}]})),
            Some(" at 93.42.".into())
        );
        assert_eq!(text.content, "AAPL is at 93.42.");
    }

    #[test]
    fn figures_not_from_a_tool_or_the_question_are_caught() {
        assert_eq!(
            invented_numbers("Apple trades at $187.44 today.", "what is apple at?"),
            vec!["187.44"]
        );
        assert_eq!(
            invented_numbers("Above 70 is overbought.", "what is RSI?"),
            Vec::<String>::new()
        );
        assert_eq!(
            invented_numbers(
                "If you bought at 12.50, you'd be even.",
                "I bought at 12.50"
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            invented_numbers("It moved 1,234.5 points.", ""),
            vec!["1234.5"]
        );
    }
}
