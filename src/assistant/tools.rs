//! The assistant's tools: the data it may answer from, each as cards for the page and as facts
//! (the same cards as JSON) for a hosted model. The built-in engine calls them for the intent it
//! recognised; a hosted model calls them by name through OpenAI-style function calls
//! (`definitions()`). Every number an answer shows comes from here.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

use super::{glossary, Card, CompareRow, Indicator, Reading};
use crate::auth::UserId;
use crate::{
    kit::sentences::says,
    market::{
        analysis::{self, Outlook, Period, Signal},
        directory, indicators, insights, symbol, watchlist, Bar,
    },
    platform::{error::AppError, state::AppState},
};

/// Days of closes in a mini chart (three months of trading days).
pub const CHART_DAYS: usize = 63;
/// Signals shown on an analysis card.
const SIGNALS_SHOWN: usize = 4;

/// A tool call, as a hosted model names it (`{"name": "get_quote", "arguments": {...}}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", content = "arguments", rename_all = "snake_case")]
pub enum ToolCall {
    GetQuote {
        symbol: String,
    },
    GetHistory {
        symbol: String,
        #[serde(default)]
        days: Option<u32>,
    },
    GetIndicator {
        symbol: String,
        indicator: Indicator,
    },
    AnalyzeStock {
        symbol: String,
    },
    CompareStocks {
        first: String,
        second: String,
    },
    GetPortfolio {},
    GetHolding {
        symbol: String,
    },
    GetWatchlist {},
    ExplainTerm {
        term: String,
    },
}

impl ToolCall {
    /// A model's call: the function's name and its JSON arguments (as the text it sent).
    pub fn parse(name: &str, arguments: &str) -> Result<ToolCall, String> {
        let arguments: Value = if arguments.trim().is_empty() {
            json!({})
        } else {
            serde_json::from_str(arguments).map_err(|e| format!("arguments are not JSON: {e}"))?
        };
        serde_json::from_value(json!({ "name": name, "arguments": arguments }))
            .map_err(|e| format!("no such tool or bad arguments: {e}"))
    }
}

/// Who is asking, and in which language the cards' words should be.
#[derive(Clone, Copy)]
pub struct Asker<'a> {
    pub state: &'a AppState,
    pub user: Uuid,
    pub language: &'a str,
}

/// A symbol as a person or a model wrote it — a ticker ("aapl.us", "$MSFT") or a company the
/// directory knows by one name ("Apple").
pub fn resolve(text: &str) -> Result<String, AppError> {
    if let Some(found) = symbol::normalize(text).filter(|s| directory::lookup(s).is_some()) {
        return Ok(found);
    }
    match directory::companies_named(text).as_slice() {
        [one] => Ok(one.clone()),
        [] => symbol::normalize(text).ok_or_else(|| {
            AppError::Validation(says!("server.market.not_a_symbol", symbol = text.trim()))
        }),
        many => Err(AppError::Validation(says!(
            "server.assistant.ambiguous",
            text = text.trim(),
            candidates = many.join(", ")
        ))),
    }
}

/// Runs a tool: its cards.
pub async fn run(asker: Asker<'_>, call: &ToolCall) -> Result<Vec<Card>, AppError> {
    let Asker {
        state,
        user,
        language,
    } = asker;
    match call {
        ToolCall::GetQuote { symbol } => {
            let symbol = resolve(symbol)?;
            let quote = state
                .service::<crate::market::service::Market>()
                .quote(&state.db, &symbol)
                .await?;
            Ok(vec![Card::Quote {
                name: company(&symbol),
                quote,
            }])
        }
        ToolCall::GetHistory { symbol, days } => {
            let symbol = resolve(symbol)?;
            let history = history(state, &symbol).await?;
            let bars = history.bars.as_slice();
            let days = days.map_or(CHART_DAYS, |d| (d as usize).clamp(5, 260));
            Ok(vec![mini_chart(&symbol, bars, days)])
        }
        ToolCall::GetIndicator { symbol, indicator } => {
            let symbol = resolve(symbol)?;
            let history = history(state, &symbol).await?;
            let bars = history.bars.as_slice();
            let gauge = gauge(&symbol, *indicator, bars).ok_or_else(|| {
                AppError::NotFound(says!(
                    "server.assistant.not_enough_history",
                    indicator = indicator.label(),
                    symbol = symbol
                ))
            })?;
            Ok(vec![gauge, mini_chart(&symbol, bars, CHART_DAYS)])
        }
        ToolCall::AnalyzeStock { symbol } => {
            let symbol = resolve(symbol)?;
            let history = history(state, &symbol).await?;
            let bars = history.bars.as_slice();
            let news = insights::news(state, &symbol).await;
            let voices = insights::voices(state, Some(UserId(user)), &symbol).await?;
            let report = analysis::report(&symbol, bars, &news, voices).ok_or_else(|| {
                AppError::NotFound(says!("server.market.no_history", symbol = symbol))
            })?;
            let mut signals: Vec<Signal> = [
                Some(&report.trend),
                Some(&report.momentum),
                report.news.as_ref(),
                report.community.as_ref(),
            ]
            .into_iter()
            .flatten()
            .flat_map(|part| part.signals.iter().cloned())
            .filter(|s| s.points() != 0)
            .collect();
            signals.sort_by_key(|s| -s.points().abs());
            signals.truncate(SIGNALS_SHOWN);
            let card = Card::Analysis {
                symbol: symbol.clone(),
                name: company(&symbol),
                score: report.score,
                outlook: report.outlook,
                signals,
                as_of: report.as_of.clone(),
                simulated: report.simulated,
            };
            Ok(vec![card, mini_chart(&symbol, bars, CHART_DAYS)])
        }
        ToolCall::CompareStocks { first, second } => {
            let (first, second) = (resolve(first)?, resolve(second)?);
            let mut rows = Vec::new();
            for symbol in [&first, &second] {
                let history = history(state, symbol).await?;
                let bars = history.bars.as_slice();
                rows.push(compare_row(symbol, bars).ok_or_else(|| {
                    AppError::NotFound(says!("server.market.no_history", symbol = symbol))
                })?);
            }
            Ok(vec![Card::Compare { rows }])
        }
        ToolCall::GetPortfolio {} => {
            let view = crate::portfolio::service::view(state, UserId(user), None).await?;
            let Some(portfolio) = view.portfolio else {
                return Err(AppError::NotFound(says!("server.portfolio.none_yet")));
            };
            let top = view
                .holdings
                .iter()
                .take(5)
                .map(|h| (h.symbol.clone(), h.weight))
                .collect();
            Ok(vec![Card::Portfolio {
                name: portfolio.name,
                currency: portfolio.currency,
                totals: view.totals,
                top,
            }])
        }
        ToolCall::GetHolding { symbol } => {
            let symbol = resolve(symbol)?;
            let view = crate::portfolio::service::view(state, UserId(user), None).await?;
            let currency = view
                .portfolio
                .map(|p| p.currency)
                .unwrap_or_else(|| "USD".into());
            let holding = view
                .holdings
                .into_iter()
                .find(|h| h.symbol == symbol)
                .ok_or_else(|| {
                    AppError::NotFound(says!("server.assistant.not_held", symbol = symbol))
                })?;
            Ok(vec![Card::Holding { holding, currency }])
        }
        ToolCall::GetWatchlist {} => {
            let list = watchlist::watchlist(state, Some(UserId(user))).await?;
            Ok(vec![Card::Watchlist { items: list.items }])
        }
        ToolCall::ExplainTerm { term } => {
            let id = glossary::find(term)
                .or_else(|| glossary::term(term).map(|t| t.id.clone()))
                .ok_or_else(|| {
                    AppError::NotFound(says!(
                        "server.assistant.not_in_glossary",
                        term = term.trim()
                    ))
                })?;
            Ok(vec![term_card(&id, language).expect("found ids exist")])
        }
    }
}

/// A glossary entry in `language` (English where it has no such language).
pub fn term_card(id: &str, language: &str) -> Option<Card> {
    let term = glossary::term(id)?;
    let name_in = |t: &glossary::Term| {
        t.names
            .get(language)
            .or_else(|| t.names.get("en"))
            .and_then(|n| n.first())
            .cloned()
            .unwrap_or_else(|| t.id.clone())
    };
    Some(Card::Term {
        id: term.id.clone(),
        name: name_in(term),
        definition: term
            .definitions
            .get(language)
            .or_else(|| term.definitions.get("en"))
            .cloned()
            .unwrap_or_default(),
        related: term
            .related
            .iter()
            .filter_map(|r| glossary::term(r))
            .map(|t| (t.id.clone(), name_in(t)))
            .collect(),
    })
}

fn company(symbol: &str) -> Option<String> {
    directory::lookup(symbol).map(|info| info.name.clone())
}

async fn history(
    state: &AppState,
    symbol: &str,
) -> Result<std::sync::Arc<crate::market::History>, AppError> {
    let history = state
        .service::<crate::market::service::Market>()
        .shared_history(&state.db, symbol)
        .await?;
    if history.bars.is_empty() {
        return Err(AppError::NotFound(says!(
            "server.market.no_history",
            symbol = symbol
        )));
    }
    Ok(history)
}

/// The closes of the last `days` trading days, with the change over them as the stock page
/// computes it.
pub fn mini_chart(symbol: &str, bars: &[Bar], days: usize) -> Card {
    let recent = analysis::period_bars(bars, days);
    let first = recent.first().map(|b| b.close).unwrap_or_default();
    let last = recent.last().map(|b| b.close).unwrap_or_default();
    Card::MiniChart {
        symbol: symbol.to_string(),
        dates: recent.iter().map(|b| b.date.clone()).collect(),
        closes: recent.iter().map(|b| b.close).collect(),
        change_percent: analysis::change_percent(first, last),
        simulated: recent.iter().any(|b| b.simulated),
    }
}

/// An indicator's value on the last bar, placed on its scale, with what it says. The settings
/// are the chart's and the stock page's (RSI 14, MACD 12/26/9, Bollinger 20/2, SMA 50, EMA 20),
/// so the numbers agree with what the market page shows.
pub fn gauge(symbol: &str, indicator: Indicator, bars: &[Bar]) -> Option<Card> {
    let close: Vec<f64> = bars.iter().map(|b| b.close).collect();
    let last = bars.last()?;
    let price = last.close;
    let centred = |percent: f64, span: f64| (0.5 + percent / span / 2.0).clamp(0.0, 1.0);
    let (value, text, position, marks, reading) = match indicator {
        Indicator::Rsi => {
            let value = (*indicators::rsi(&close, 14).last()?)?;
            let reading = if value > 70.0 {
                Reading::Overbought
            } else if value < 30.0 {
                Reading::Oversold
            } else {
                Reading::Neutral
            };
            (
                value,
                format!("{value:.1}"),
                value / 100.0,
                vec![0.3, 0.7],
                reading,
            )
        }
        Indicator::Macd => {
            let macd = indicators::macd(&close, 12, 26, 9);
            let (line, signal, histogram) = (
                (*macd.line.last()?)?,
                (*macd.signal.last()?)?,
                (*macd.histogram.last()?)?,
            );
            let scale = line.abs().max(signal.abs()).max(f64::EPSILON);
            let reading = if line >= signal {
                Reading::Bullish
            } else {
                Reading::Bearish
            };
            (
                line,
                format!("{line:.2} / {signal:.2}"),
                centred(histogram / scale * 100.0, 100.0),
                vec![0.5],
                reading,
            )
        }
        Indicator::Sma | Indicator::Ema => {
            let series = if indicator == Indicator::Sma {
                indicators::sma(&close, 50)
            } else {
                indicators::ema(&close, 20)
            };
            let value = (*series.last()?)?;
            let percent = (price / value - 1.0) * 100.0;
            let reading = if price >= value {
                Reading::Bullish
            } else {
                Reading::Bearish
            };
            (
                value,
                format!("{value:.2}"),
                centred(percent, 20.0),
                vec![0.5],
                reading,
            )
        }
        Indicator::Bollinger => {
            let bands = indicators::bollinger(&close, 20, 2.0);
            let (upper, middle, lower) = (
                (*bands.upper.last()?)?,
                (*bands.middle.last()?)?,
                (*bands.lower.last()?)?,
            );
            let within = if upper > lower {
                (price - lower) / (upper - lower)
            } else {
                0.5
            };
            let reading = if within > 1.0 {
                Reading::Overbought
            } else if within < 0.0 {
                Reading::Oversold
            } else {
                Reading::Neutral
            };
            // The bar runs from a quarter band below the lower band to a quarter above the upper.
            (
                middle,
                format!("{lower:.2} – {upper:.2}"),
                ((within + 0.25) / 1.5).clamp(0.0, 1.0),
                vec![0.25 / 1.5, 1.25 / 1.5],
                reading,
            )
        }
    };
    Some(Card::Gauge {
        symbol: symbol.to_string(),
        indicator,
        value,
        text,
        position,
        marks,
        reading,
        as_of: last.date.clone(),
        simulated: last.simulated,
    })
}

fn compare_row(symbol: &str, bars: &[Bar]) -> Option<CompareRow> {
    let readings = analysis::Readings::new(bars);
    let t = readings.len().checked_sub(1)?;
    let (score, _, _) = readings.factor_score(t);
    let last = &bars[t];
    Some(CompareRow {
        symbol: symbol.to_string(),
        name: company(symbol),
        price: last.close,
        day_percent: readings.change(t, 1),
        month_percent: readings.change(t, Period::Month.days()),
        year_percent: readings.change(t, Period::Year.days()),
        rsi: indicators::rsi(&bars.iter().map(|b| b.close).collect::<Vec<_>>(), 14)
            .last()
            .copied()
            .flatten(),
        score,
        outlook: Outlook::of(score),
        simulated: last.simulated,
    })
}

/// The facts a hosted model gets for a tool's cards: the cards as JSON, minus what only draws
/// them (a chart's closes are summarised).
pub fn facts(cards: &[Card]) -> Value {
    let mut value = serde_json::to_value(cards).unwrap_or(Value::Null);
    if let Value::Array(items) = &mut value {
        for item in items {
            if item["card"] == "miniChart" {
                let closes = item["closes"]
                    .as_array()
                    .map(|c| c.iter().filter_map(Value::as_f64).collect::<Vec<_>>())
                    .unwrap_or_default();
                let high = closes.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let low = closes.iter().copied().fold(f64::INFINITY, f64::min);
                let dates = item["dates"].as_array().cloned().unwrap_or_default();
                *item = json!({
                    "card": "priceHistory",
                    "symbol": item["symbol"],
                    "from": dates.first(), "to": dates.last(),
                    "firstClose": closes.first(), "lastClose": closes.last(),
                    "high": high, "low": low,
                    "changePercent": item["changePercent"],
                    "simulated": item["simulated"],
                });
            }
            if let Some(gauge) = item.as_object_mut().filter(|o| o["card"] == "gauge") {
                gauge.remove("position");
                gauge.remove("marks");
            }
        }
    }
    value
}

/// The tools as OpenAI function definitions.
pub fn definitions() -> Value {
    let symbol = json!({ "type": "string", "description": "A ticker as Bullpen writes it (AAPL, MSFT, SAP.DE, ^SPX) or a company name" });
    let function = |name: &str, description: &str, properties: Value, required: &[&str]| {
        json!({
            "type": "function",
            "function": {
                "name": name,
                "description": description,
                "parameters": { "type": "object", "properties": properties, "required": required, "additionalProperties": false },
            },
        })
    };
    json!([
        function("get_quote", "The latest price of a stock or index, its day change and when it is from.", json!({ "symbol": symbol }), &["symbol"]),
        function("get_history", "Daily closing prices over recent days (default 63, at most 260): first and last close, high, low, change.", json!({ "symbol": symbol, "days": { "type": "integer", "minimum": 5, "maximum": 260 } }), &["symbol"]),
        function("get_indicator", "A technical indicator's value today and what it reads (overbought, oversold, bullish, bearish, neutral). RSI 14, MACD 12/26/9, SMA 50, EMA 20, Bollinger 20/2.", json!({ "symbol": symbol, "indicator": { "type": "string", "enum": ["rsi", "macd", "sma", "ema", "bollinger"] } }), &["symbol", "indicator"]),
        function("analyze_stock", "Bullpen's state-of-the-stock reading: a score from -100 (bearish) to 100 (bullish) from trend, momentum, news and community sentiment, with its strongest signals.", json!({ "symbol": symbol }), &["symbol"]),
        function("compare_stocks", "Two symbols side by side: price, day, month and year returns, RSI, score.", json!({ "first": symbol, "second": symbol }), &["first", "second"]),
        function("get_portfolio", "The person's own portfolio: value, cost, unrealized and realized gains, day change, largest holdings.", json!({}), &[]),
        function("get_holding", "The person's holding of one symbol: shares, average cost, price, value, gains.", json!({ "symbol": symbol }), &["symbol"]),
        function("get_watchlist", "The symbols the person follows, with price and day change.", json!({}), &[]),
        function("explain_term", "A finance term's definition from Bullpen's glossary (RSI, P/E, short squeeze, ETF…).", json!({ "term": { "type": "string" } }), &["term"]),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars(closes: &[f64]) -> Vec<Bar> {
        closes
            .iter()
            .enumerate()
            .map(|(i, &c)| Bar {
                date: format!("2024-01-{:02}", i % 28 + 1),
                open: c,
                high: c + 1.0,
                low: c - 1.0,
                close: c,
                volume: 1000.0,
                simulated: false,
            })
            .collect()
    }

    #[test]
    fn a_model_names_tools_and_arguments_as_text() {
        assert_eq!(
            ToolCall::parse("get_quote", r#"{"symbol":"AAPL"}"#),
            Ok(ToolCall::GetQuote {
                symbol: "AAPL".into()
            })
        );
        assert_eq!(
            ToolCall::parse("get_portfolio", ""),
            Ok(ToolCall::GetPortfolio {})
        );
        assert_eq!(
            ToolCall::parse("get_indicator", r#"{"symbol":"MSFT","indicator":"rsi"}"#),
            Ok(ToolCall::GetIndicator {
                symbol: "MSFT".into(),
                indicator: Indicator::Rsi
            })
        );
        assert!(ToolCall::parse("get_weather", r#"{"city":"Paris"}"#).is_err());
        assert!(ToolCall::parse("get_quote", "{not json").is_err());
        // Every defined function parses with its required arguments.
        for definition in definitions().as_array().unwrap() {
            let name = definition["function"]["name"].as_str().unwrap();
            let args: serde_json::Map<String, Value> = definition["function"]["parameters"]
                ["required"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r.as_str().unwrap().to_string(),
                        json!(if r == "indicator" { "rsi" } else { "AAPL" }),
                    )
                })
                .collect();
            assert!(
                ToolCall::parse(name, &Value::Object(args).to_string()).is_ok(),
                "{name}"
            );
        }
    }

    #[test]
    fn a_rising_series_reads_overbought_and_above_its_averages() {
        let rising: Vec<f64> = (0..120).map(|i| 100.0 + i as f64).collect();
        let Some(Card::Gauge {
            value,
            reading,
            position,
            ..
        }) = gauge("X", Indicator::Rsi, &bars(&rising))
        else {
            panic!()
        };
        assert!(
            value > 99.0 && reading == Reading::Overbought && position > 0.99,
            "{value} {reading:?}"
        );
        let Some(Card::Gauge { value, reading, .. }) = gauge("X", Indicator::Sma, &bars(&rising))
        else {
            panic!()
        };
        // The 50-day average of 170…219 is 194.5, below the last close of 219.
        assert!((value - 194.5).abs() < 1e-9 && reading == Reading::Bullish);
        // A fall that speeds up: the MACD line keeps dropping below its (slower) signal line.
        let falling: Vec<f64> = (0..120)
            .map(|i| 300.0 - (i as f64).powf(1.5) / 10.0)
            .collect();
        let Some(Card::Gauge { reading, .. }) = gauge("X", Indicator::Macd, &bars(&falling)) else {
            panic!()
        };
        assert_eq!(reading, Reading::Bearish);
        // Too little history: no value rather than a made-up one.
        assert_eq!(gauge("X", Indicator::Sma, &bars(&rising[..20])), None);
    }

    #[test]
    fn the_model_sees_a_chart_as_a_summary() {
        let chart = mini_chart("X", &bars(&[10.0, 12.0, 9.0, 11.0]), 63);
        let facts = facts(&[chart]);
        assert_eq!(facts[0]["card"], "priceHistory");
        assert_eq!(
            (
                facts[0]["high"].as_f64(),
                facts[0]["low"].as_f64(),
                facts[0]["lastClose"].as_f64()
            ),
            (Some(12.0), Some(9.0), Some(11.0))
        );
        assert!((facts[0]["changePercent"].as_f64().unwrap() - 10.0).abs() < 1e-9);
    }
}
