//! The built-in engine's sentences in the five UI languages (`assets/assistant/replies.json`,
//! built into the binary), and the answers it words from a tool's cards. Numbers are written
//! the way the market pages write them ("1,234.50", "+1.23 %").

use std::{collections::HashMap, sync::LazyLock};

use rust_decimal::Decimal;

use super::{Card, Indicator, Reading};
use crate::market::{
    analysis::Outlook,
    ui::{money, signed_percent},
};

const REPLIES_JSON: &str = include_str!("../../assets/assistant/replies.json");

static REPLIES: LazyLock<HashMap<String, HashMap<String, String>>> = LazyLock::new(|| {
    serde_json::from_str(REPLIES_JSON).expect("the shipped replies are valid JSON")
});

/// The sentence `key` in `language` (English when that language lacks it).
pub fn text(language: &str, key: &str) -> String {
    REPLIES
        .get(language)
        .and_then(|l| l.get(key))
        .or_else(|| REPLIES.get("en").and_then(|l| l.get(key)))
        .cloned()
        .unwrap_or_else(|| panic!("no reply “{key}”"))
}

/// `key` with its `{placeholders}` filled.
pub fn say(language: &str, key: &str, values: &[(&str, String)]) -> String {
    values
        .iter()
        .fold(text(language, key), |sentence, (name, value)| {
            sentence.replace(&format!("{{{name}}}"), value)
        })
}

fn decimal(value: Decimal) -> String {
    money(crate::portfolio::service::float(value))
}

fn signed_decimal(value: Decimal) -> String {
    let text = decimal(value);
    if value > Decimal::ZERO {
        format!("+{text}")
    } else {
        text
    }
}

fn percent_of(value: Option<Decimal>) -> String {
    value.map_or_else(
        || "—".into(),
        |p| signed_percent(crate::portfolio::service::float(p)),
    )
}

/// "Apple Inc. (AAPL)", or the symbol alone.
fn company(symbol: &str, name: Option<&str>) -> String {
    match name {
        Some(name) => format!("{name} ({symbol})"),
        None => symbol.to_string(),
    }
}

pub fn outlook(language: &str, outlook: Outlook) -> String {
    let key = match outlook {
        Outlook::Bearish => "outlook_bearish",
        Outlook::LeaningBearish => "outlook_leaning_bearish",
        Outlook::Neutral => "outlook_neutral",
        Outlook::LeaningBullish => "outlook_leaning_bullish",
        Outlook::Bullish => "outlook_bullish",
    };
    text(language, key)
}

/// The answer to a tool's cards, in `language`; `name` is the company's name where known.
pub fn describe(language: &str, cards: &[Card]) -> String {
    let mut sentences = Vec::new();
    let mut simulated = false;
    let mut opinion = false;
    let chart_move = cards.iter().find_map(|c| match c {
        Card::MiniChart { change_percent, .. } => *change_percent,
        _ => None,
    });
    for card in cards {
        match card {
            Card::Quote { quote, name } => {
                simulated |= quote.simulated;
                let who = company(&quote.symbol, name.as_deref());
                let date = quote.as_of.chars().take(10).collect::<String>();
                sentences.push(match quote.change() {
                    Some((change, percent)) => say(
                        language,
                        "quote",
                        &[
                            ("company", who),
                            ("price", money(quote.price)),
                            ("change", signed(change)),
                            ("percent", signed_percent(percent)),
                            ("date", date),
                        ],
                    ),
                    None => say(
                        language,
                        "quote_no_change",
                        &[
                            ("company", who),
                            ("price", money(quote.price)),
                            ("date", date),
                        ],
                    ),
                });
            }
            Card::Gauge {
                symbol,
                indicator,
                value,
                reading,
                as_of,
                simulated: s,
                ..
            } => {
                simulated |= *s;
                let who = company(
                    symbol,
                    crate::market::directory::lookup(symbol).map(|i| i.name.as_str()),
                );
                sentences.extend(gauge_sentences(
                    language, &who, *indicator, *value, *reading, as_of, cards,
                ));
            }
            Card::Analysis {
                symbol,
                name,
                score,
                outlook: reading,
                as_of,
                simulated: s,
                ..
            } => {
                simulated |= *s;
                opinion = true;
                sentences.push(say(
                    language,
                    "analysis",
                    &[
                        ("company", company(symbol, name.as_deref())),
                        ("outlook", outlook(language, *reading)),
                        ("score", self::score(*score)),
                        ("date", as_of.clone()),
                    ],
                ));
                if let Some(percent) = chart_move {
                    sentences.push(say(
                        language,
                        "analysis_move",
                        &[("percent", signed_percent(percent))],
                    ));
                }
            }
            Card::Compare { rows } => {
                opinion = true;
                if let [first, second] = rows.as_slice() {
                    simulated |= first.simulated || second.simulated;
                    let year = |p: Option<f64>| p.map_or_else(|| "—".into(), signed_percent);
                    sentences.push(say(
                        language,
                        "compare",
                        &[
                            ("first", company(&first.symbol, first.name.as_deref())),
                            ("first_price", money(first.price)),
                            ("first_year", year(first.year_percent)),
                            ("second", company(&second.symbol, second.name.as_deref())),
                            ("second_price", money(second.price)),
                            ("second_year", year(second.year_percent)),
                        ],
                    ));
                    sentences.push(if first.score == second.score {
                        say(language, "compare_even", &[("score", score(first.score))])
                    } else {
                        // Each score beside its own stock, the stronger first, whatever order
                        // the question named them in.
                        let (stronger, weaker) = if first.score > second.score {
                            (first, second)
                        } else {
                            (second, first)
                        };
                        say(
                            language,
                            "compare_stronger",
                            &[
                                ("stronger", stronger.symbol.clone()),
                                ("stronger_score", score(stronger.score)),
                                ("weaker", weaker.symbol.clone()),
                                ("weaker_score", score(weaker.score)),
                            ],
                        )
                    });
                }
            }
            Card::Portfolio {
                name,
                currency,
                totals,
                top,
            } => {
                sentences.push(if top.is_empty() {
                    text(language, "portfolio_empty")
                } else {
                    say(
                        language,
                        "portfolio",
                        &[
                            ("name", name.clone()),
                            ("value", decimal(totals.value)),
                            ("currency", currency.clone()),
                            ("unrealized", signed_decimal(totals.unrealized)),
                            ("percent", percent_of(totals.unrealized_percent)),
                            ("realized", signed_decimal(totals.realized)),
                            ("day", signed_decimal(totals.day_change)),
                        ],
                    )
                });
            }
            Card::Holding { holding, .. } => {
                simulated |= holding.simulated;
                sentences.push(say(
                    language,
                    "holding",
                    &[
                        ("shares", holding.shares.normalize().to_string()),
                        ("symbol", holding.symbol.clone()),
                        ("cost", decimal(holding.average_cost)),
                        ("price", holding.price.map_or_else(|| "—".into(), decimal)),
                        ("value", holding.value.map_or_else(|| "—".into(), decimal)),
                        (
                            "unrealized",
                            holding
                                .unrealized
                                .map_or_else(|| "—".into(), signed_decimal),
                        ),
                        ("percent", percent_of(holding.unrealized_percent)),
                    ],
                ));
                if !holding.realized.is_zero() {
                    sentences.push(say(
                        language,
                        "holding_realized",
                        &[("realized", signed_decimal(holding.realized))],
                    ));
                }
            }
            Card::Watchlist { items } => {
                let biggest = items
                    .iter()
                    .filter_map(|i| i.change_percent.map(|p| (i, p)))
                    .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
                simulated |= items.iter().any(|i| i.simulated);
                match biggest {
                    Some((item, percent)) => sentences.push(say(
                        language,
                        "watchlist",
                        &[
                            ("count", items.len().to_string()),
                            ("symbol", item.symbol.clone()),
                            ("percent", signed_percent(percent)),
                        ],
                    )),
                    None => sentences.push(say(
                        language,
                        "watchlist",
                        &[
                            ("count", items.len().to_string()),
                            ("symbol", "—".into()),
                            ("percent", "—".into()),
                        ],
                    )),
                }
            }
            Card::Term {
                name,
                definition,
                related,
                ..
            } => {
                sentences.push(format!("{name}: {definition}"));
                if !related.is_empty() {
                    let names: Vec<&str> = related.iter().map(|(_, n)| n.as_str()).collect();
                    sentences.push(say(
                        language,
                        "term_related",
                        &[("terms", names.join(", "))],
                    ));
                }
            }
            Card::MiniChart { simulated: s, .. } => simulated |= *s,
            Card::Choices { .. } => {}
        }
    }
    if simulated {
        sentences.push(text(language, "simulated"));
    }
    if opinion {
        sentences.push(text(language, "not_advice"));
    }
    sentences.join(" ")
}

/// A score as the page writes it: "+20", "−36", "0".
fn score(value: i32) -> String {
    match value {
        v if v > 0 => format!("+{v}"),
        v if v < 0 => format!("−{}", v.unsigned_abs()),
        _ => "0".into(),
    }
}

fn signed(value: f64) -> String {
    if value > 0.0 {
        format!("+{}", money(value))
    } else {
        money(value)
    }
}

fn gauge_sentences(
    language: &str,
    who: &str,
    indicator: Indicator,
    value: f64,
    reading: Reading,
    as_of: &str,
    cards: &[Card],
) -> Vec<String> {
    let who = who.to_string();
    let date = as_of.to_string();
    // The price is the chart's last close (the gauge's own day).
    let price = cards
        .iter()
        .find_map(|c| match c {
            Card::MiniChart { closes, .. } => closes.last().copied(),
            _ => None,
        })
        .unwrap_or(value);
    let text_of = |key: &str| text(language, key);
    match indicator {
        Indicator::Rsi => vec![
            say(
                language,
                "rsi",
                &[
                    ("company", who),
                    ("value", format!("{value:.1}")),
                    ("date", date),
                ],
            ),
            text_of(match reading {
                Reading::Overbought => "rsi_overbought",
                Reading::Oversold => "rsi_oversold",
                _ => "rsi_neutral",
            }),
        ],
        Indicator::Macd => {
            let signal = cards
                .iter()
                .find_map(|c| match c {
                    Card::Gauge { text, .. } => text.split(" / ").nth(1).map(str::to_string),
                    _ => None,
                })
                .unwrap_or_default();
            vec![
                say(
                    language,
                    "macd",
                    &[
                        ("company", who),
                        ("line", format!("{value:.2}")),
                        ("signal", signal),
                        ("date", date),
                    ],
                ),
                text_of(if reading == Reading::Bullish {
                    "macd_bullish"
                } else {
                    "macd_bearish"
                }),
            ]
        }
        Indicator::Sma | Indicator::Ema => {
            let percent = ((price / value - 1.0) * 100.0).abs();
            let key = match (indicator, price >= value) {
                (Indicator::Sma, true) => "sma_above",
                (Indicator::Sma, false) => "sma_below",
                (_, true) => "ema_above",
                (_, false) => "ema_below",
            };
            vec![say(
                language,
                key,
                &[
                    ("company", who),
                    ("value", money(value)),
                    ("price", money(price)),
                    ("percent", format!("{percent:.1} %")),
                ],
            )]
        }
        Indicator::Bollinger => {
            let (lower, upper) = cards
                .iter()
                .find_map(|c| match c {
                    Card::Gauge { text, .. } => text
                        .split_once(" – ")
                        .map(|(l, u)| (l.to_string(), u.to_string())),
                    _ => None,
                })
                .unwrap_or_default();
            vec![
                say(
                    language,
                    "bollinger",
                    &[
                        ("company", who),
                        ("lower", lower),
                        ("upper", upper),
                        ("price", money(price)),
                    ],
                ),
                text_of(match reading {
                    Reading::Overbought => "bollinger_overbought",
                    Reading::Oversold => "bollinger_oversold",
                    _ => "bollinger_inside",
                }),
            ]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LANGUAGES: [&str; 5] = ["en", "tr", "es", "fr", "de"];

    fn placeholders(text: &str) -> Vec<String> {
        let mut found: Vec<String> = text
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
            .collect();
        found.sort();
        found
    }

    #[test]
    fn every_sentence_exists_in_every_language_with_the_same_placeholders() {
        let english = &REPLIES["en"];
        for language in LANGUAGES {
            let replies = REPLIES
                .get(language)
                .unwrap_or_else(|| panic!("no {language} replies"));
            for (key, sentence) in english {
                let translated = replies
                    .get(key)
                    .unwrap_or_else(|| panic!("{language} lacks {key}"));
                assert_eq!(
                    placeholders(translated),
                    placeholders(sentence),
                    "{language}.{key}"
                );
            }
        }
    }

    #[test]
    fn a_comparison_names_each_score_beside_its_own_stock() {
        let row = |symbol: &str, score: i32| crate::assistant::CompareRow {
            symbol: symbol.into(),
            name: None,
            price: 100.0,
            day_percent: None,
            month_percent: None,
            year_percent: None,
            rsi: None,
            score,
            outlook: crate::market::analysis::Outlook::Neutral,
            simulated: false,
        };
        // Asked "AAPL or MSFT", MSFT scoring higher: MSFT and its score lead.
        let text = describe(
            "en",
            &[Card::Compare {
                rows: vec![row("AAPL", 10), row("MSFT", 25)],
            }],
        );
        assert!(
            text.contains("MSFT reads stronger: +25 against +10 for AAPL."),
            "{text}"
        );
    }

    #[test]
    fn sentences_are_filled() {
        assert_eq!(
            say("en", "need_symbol", &[]),
            "Which stock do you mean? Name a ticker such as $AAPL or a company such as Apple."
        );
        let filled = say(
            "en",
            "rsi",
            &[
                ("company", "Apple Inc. (AAPL)".into()),
                ("value", "58.3".into()),
                ("date", "2026-11-20".into()),
            ],
        );
        assert_eq!(
            filled,
            "Apple Inc. (AAPL)'s RSI 14 is 58.3 (as of 2026-11-20)."
        );
    }
}
