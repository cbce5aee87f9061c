//! The built-in engine: recognise what was asked (`intent.rs`), call the one tool that answers
//! it, word the answer from the tool's cards (`replies.rs`). Offline, instant, and every
//! sentence traceable to a rule.

use std::sync::LazyLock;

use super::{
    glossary,
    intent::{self, AppDirectory, Intent},
    kinds,
    replies::{say, text},
    tools::{self, Asker, ToolCall},
    Card,
};
use crate::{market::directory, platform::error::AppError};

/// An answer: the text and the cards shown with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub text: String,
    pub cards: Vec<Card>,
    pub engine: String,
}

/// Glossary names that look like tickers ("RSI", "ETF", "EPS"): never read as symbols.
static TERM_WORDS: LazyLock<Vec<&'static str>> = LazyLock::new(glossary::short_names);

/// What `question` asks: what it names by the rules, its kind by its meaning where the
/// encoder's head is sure (`kinds.rs`).
pub fn recognise(question: &str) -> Intent {
    let slots = intent::slots(question, &AppDirectory, &glossary::find, &TERM_WORDS);
    kinds::decide(question, slots, kinds::shipped())
}

/// What `question` asks by the rules alone (`scripts/evaluate`'s "before").
pub fn recognise_by_rules(question: &str) -> Intent {
    intent::recognise(question, &AppDirectory, &glossary::find, &TERM_WORDS)
}

/// The language to answer in: the question's own when its words can tell it (two words or
/// more besides tickers and acronyms: "ist AAPL überkauft?"), else the person's chosen one
/// ("AAPL?" and "RSI AAPL" say nothing about a language).
pub fn language_of(question: &str, preferred: &str) -> String {
    let words: Vec<&str> = question
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_lowercase))
        .collect();
    let detected = if words.len() >= 2 {
        crate::ai::language::detect(&words.join(" "))
    } else {
        None
    };
    detected.unwrap_or(preferred).to_string()
}

/// The tools that answer an intent (none for a greeting, a refusal…).
fn tools_for(intent: &Intent) -> Vec<ToolCall> {
    match intent {
        // A price with the last three months beside it.
        Intent::Quote { symbol } => vec![
            ToolCall::GetQuote {
                symbol: symbol.clone(),
            },
            ToolCall::GetHistory {
                symbol: symbol.clone(),
                days: None,
            },
        ],
        Intent::Indicator { symbol, indicator } => vec![ToolCall::GetIndicator {
            symbol: symbol.clone(),
            indicator: *indicator,
        }],
        Intent::Analysis { symbol } => vec![ToolCall::AnalyzeStock {
            symbol: symbol.clone(),
        }],
        Intent::Compare { first, second } => vec![ToolCall::CompareStocks {
            first: first.clone(),
            second: second.clone(),
        }],
        Intent::Portfolio => vec![ToolCall::GetPortfolio {}],
        Intent::Holding { symbol } => vec![ToolCall::GetHolding {
            symbol: symbol.clone(),
        }],
        Intent::Watchlist => vec![ToolCall::GetWatchlist {}],
        Intent::Explain { term } => vec![ToolCall::ExplainTerm { term: term.clone() }],
        Intent::Greeting
        | Intent::Help
        | Intent::Clarify { .. }
        | Intent::NeedSymbol
        | Intent::OffTopic => Vec::new(),
    }
}

/// Answers `question` in `language` from Bullpen's data.
pub async fn answer(asker: Asker<'_>, question: &str) -> Result<Answer, AppError> {
    let language = asker.language;
    let intent = recognise(question);
    let reply = |text: String, cards: Vec<Card>| {
        Ok(Answer {
            text,
            cards,
            engine: super::BUILT_IN.into(),
        })
    };
    let calls = tools_for(&intent);
    if calls.is_empty() {
        return match intent {
            Intent::Greeting => reply(text(language, "greeting"), Vec::new()),
            Intent::Help => reply(text(language, "help"), Vec::new()),
            Intent::NeedSymbol => reply(text(language, "need_symbol"), Vec::new()),
            Intent::Clarify { name, candidates } => {
                let symbols: Vec<(String, String)> = candidates
                    .iter()
                    .map(|s| {
                        (
                            s.clone(),
                            directory::lookup(s)
                                .map(|i| i.name.clone())
                                .unwrap_or_default(),
                        )
                    })
                    .collect();
                let choices = symbols
                    .iter()
                    .map(|(s, n)| {
                        if n.is_empty() {
                            s.clone()
                        } else {
                            format!("{s} ({n})")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let card = Card::Choices {
                    question: question.to_string(),
                    symbols,
                };
                reply(
                    say(language, "clarify", &[("name", name), ("choices", choices)]),
                    vec![card],
                )
            }
            _ => reply(text(language, "off_topic"), Vec::new()),
        };
    }
    let mut cards = Vec::new();
    for call in &calls {
        match tools::run(asker, call).await {
            Ok(more) => cards.extend(more),
            // The chart beside a price is a bonus: a source with quotes but no history still answers.
            Err(err) if matches!(call, ToolCall::GetHistory { .. }) && !cards.is_empty() => {
                tracing::debug!(error = %err, "no chart beside the quote");
            }
            Err(err) => return reply(trouble(language, call, &err)?, Vec::new()),
        }
    }
    reply(super::replies::describe(language, &cards), cards)
}

/// What to say when a tool could not answer: the person's mistake in words, or the outage.
fn trouble(language: &str, call: &ToolCall, err: &AppError) -> Result<String, AppError> {
    let symbol = match call {
        ToolCall::GetQuote { symbol }
        | ToolCall::GetHistory { symbol, .. }
        | ToolCall::GetIndicator { symbol, .. }
        | ToolCall::AnalyzeStock { symbol }
        | ToolCall::GetHolding { symbol } => symbol.clone(),
        ToolCall::CompareStocks { first, second } => format!("{first}, {second}"),
        _ => String::new(),
    };
    Ok(match (call, err) {
        (ToolCall::GetHolding { .. }, AppError::NotFound(_)) => {
            say(language, "not_held", &[("symbol", symbol)])
        }
        (ToolCall::GetPortfolio {}, AppError::NotFound(_)) => text(language, "portfolio_empty"),
        (_, AppError::Validation(_)) => say(language, "unknown_symbol", &[("symbol", symbol)]),
        (_, AppError::NotFound(_) | AppError::Unavailable) => {
            say(language, "no_data", &[("symbol", symbol)])
        }
        // A bug or the database: not the person's business to have it worded.
        (_, other) => return Err(other.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_is_in_the_question_s_language_when_it_can_be_told() {
        assert_eq!(language_of("¿cuál es el precio de Apple hoy?", "en"), "es");
        assert_eq!(language_of("wie ist der Kurs von Apple heute", "en"), "de");
        assert_eq!(language_of("AAPL?", "tr"), "tr");
        assert_eq!(language_of("RSI AAPL", "fr"), "fr");
        // Short questions in another language than the profile's are answered in theirs.
        assert_eq!(language_of("ist AAPL überkauft?", "en"), "de");
        assert_eq!(
            language_of("wie steht meine Depot-Performance?", "en"),
            "de"
        );
        assert_eq!(language_of("AAPL aşırı alımda mı?", "en"), "tr");
        assert_eq!(language_of("¿está AAPL sobrecomprada?", "en"), "es");
        assert_eq!(language_of("is AAPL overbought?", "de"), "en");
    }

    #[test]
    fn intents_that_need_no_data_need_no_tool() {
        assert_eq!(tools_for(&Intent::OffTopic), Vec::new());
        assert_eq!(
            tools_for(&Intent::Portfolio),
            vec![ToolCall::GetPortfolio {}]
        );
        assert_eq!(
            recognise("who won the football match last night?"),
            Intent::OffTopic
        );
    }
}
