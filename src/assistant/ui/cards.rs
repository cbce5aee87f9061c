//! The cards shown with an answer: a quote, a mini chart, an indicator gauge, the state of a
//! stock, a comparison, a holding, the portfolio, the watchlist, a glossary term, and the
//! choices of a clarifying question. Each links to the page where the figures live.

use leptos::prelude::*;
use leptos_router::components::A;

use super::Asking;
use crate::{
    assistant::{Card, CompareRow, Reading},
    kit::i18n::{t, t_string, use_i18n},
    market::{
        ui::{
            direction, live_quote, money, outlook_class, outlook_text, signal_text, signed_percent,
            stock_href, LivePrice, Sparkline,
        },
        Quote,
    },
    portfolio::ui::{amount, percent, shares, signed_amount},
};

fn reading_text(reading: Reading) -> String {
    let i18n = use_i18n();
    match reading {
        Reading::Overbought => t_string!(i18n, assistant.reading_overbought),
        Reading::Oversold => t_string!(i18n, assistant.reading_oversold),
        Reading::Bullish => t_string!(i18n, assistant.reading_bullish),
        Reading::Bearish => t_string!(i18n, assistant.reading_bearish),
        Reading::Neutral => t_string!(i18n, assistant.reading_neutral),
    }
    .to_string()
}

fn reading_class(reading: Reading) -> &'static str {
    match reading {
        Reading::Bullish | Reading::Oversold => "up",
        Reading::Bearish | Reading::Overbought => "down",
        Reading::Neutral => "",
    }
}

#[component]
fn Simulated(on: bool) -> impl IntoView {
    let i18n = use_i18n();
    on.then(|| {
        view! {
            <span class="badge badge-warning" title=move || t_string!(i18n, markets.simulated_help)>{t!(i18n, markets.simulated)}</span>
        }
    })
}

/// A quote that stays current while the answer is on screen, flashing as it moves.
#[component]
fn QuoteCard(quote: Quote, name: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let symbol = quote.symbol.clone();
    let simulated = quote.simulated;
    let (live, flash) = live_quote(quote);
    view! {
        <A href=stock_href(&symbol) attr:class="answer-card quote-card" attr:data-card="quote">
            <span class="answer-card-head">
                <strong class="ticker">{symbol.clone()}</strong>
                <span class="muted">{name.unwrap_or_default()}</span>
                <Simulated on=simulated />
            </span>
            <span class="answer-quote">
                <span class=move || format!("price {}", flash.class()) data-value=move || live.read().price.to_string()>
                    {move || money(live.read().price)}
                </span>
                {move || live.read().change().map(|(c, p)| view! { <span class=format!("change {}", direction(c))>{format!("{} ({})", money(c), signed_percent(p))}</span> })}
            </span>
            <span class="muted small">{move || t_string!(i18n, markets.as_of).replace("{date}", &live.read().as_of)}</span>
        </A>
    }
}

#[component]
pub fn CardView(card: Card) -> impl IntoView {
    let i18n = use_i18n();
    match card {
        Card::Quote { quote, name } => view! { <QuoteCard quote name /> }.into_any(),
        Card::MiniChart { symbol, dates, closes, change_percent, simulated } => view! {
            <A href=stock_href(&symbol) attr:class="answer-card chart-card" attr:data-card="chart">
                <span class="answer-card-head">
                    <strong class="ticker">{symbol.clone()}</strong>
                    <span class="muted small">{format!("{} – {}", dates.first().cloned().unwrap_or_default(), dates.last().cloned().unwrap_or_default())}</span>
                    <Simulated on=simulated />
                </span>
                <Sparkline closes />
                {change_percent.map(|p| view! { <span class=format!("change {}", direction(p))>{signed_percent(p)}</span> })}
            </A>
        }
        .into_any(),
        Card::Gauge { symbol, indicator, value, text, position, marks, reading, as_of, simulated } => view! {
            <div class="answer-card gauge-card" data-card="gauge" data-indicator=indicator.code() data-value=value.to_string()>
                <span class="answer-card-head">
                    <strong>{indicator.label()}</strong>
                    <A href=stock_href(&symbol) attr:class="ticker">{symbol.clone()}</A>
                    <Simulated on=simulated />
                </span>
                <span class="gauge-value">{text}</span>
                <span class="gauge" role="img" aria-label=format!("{} {value:.1}", indicator.label())>
                    {marks.into_iter().map(|m| view! { <span class="gauge-mark" style=format!("left: {:.1}%", m * 100.0)></span> }).collect_view()}
                    <span class=format!("gauge-needle {}", reading_class(reading)) style=format!("left: {:.1}%", position * 100.0)></span>
                </span>
                <span class=format!("pill {}", reading_class(reading))>{reading_text(reading)}</span>
                <span class="muted small">{t_string!(i18n, markets.as_of).replace("{date}", &as_of)}</span>
            </div>
        }
        .into_any(),
        Card::Analysis { symbol, name, score, outlook, signals, as_of, simulated } => view! {
            <A href=stock_href(&symbol) attr:class="answer-card analysis-card" attr:data-card="analysis">
                <span class="answer-card-head">
                    <strong class="ticker">{symbol.clone()}</strong>
                    <span class="muted">{name.unwrap_or_default()}</span>
                    <Simulated on=simulated />
                </span>
                <span class=format!("score-pill {}", outlook_class(outlook))>{outlook_text(outlook)}</span>
                <span class="score-meter" role="img" aria-label=format!("{score:+}")>
                    <span style=format!("left: {:.1}%", (score as f64 + 100.0) / 2.0)></span>
                </span>
                <ul class="signal-list">
                    {signals.iter().map(|s| view! {
                        <li class=direction(s.points() as f64)>{signal_text(s)}</li>
                    }).collect_view()}
                </ul>
                <span class="muted small">{t_string!(i18n, markets.as_of).replace("{date}", &as_of)}</span>
            </A>
        }
        .into_any(),
        Card::Compare { rows } => view! {
            <div class="answer-card compare-card" data-card="compare">
                <table class="compare-table">
                    <thead>
                        <tr>
                            <th>{t!(i18n, portfolio.symbol)}</th>
                            <th class="num">{t!(i18n, portfolio.price)}</th>
                            <th class="num">"1D"</th>
                            <th class="num">"1M"</th>
                            <th class="num">"1Y"</th>
                            <th class="num">"RSI"</th>
                            <th>{t!(i18n, assistant.score)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows.into_iter().map(|row| view! { <CompareLine row /> }).collect_view()}</tbody>
                </table>
            </div>
        }
        .into_any(),
        Card::Holding { holding, currency } => view! {
            <A href="/portfolio" attr:class="answer-card holding-card" attr:data-card="holding">
                <span class="answer-card-head">
                    <strong class="ticker">{holding.symbol.clone()}</strong>
                    <span class="muted">{holding.name.clone().unwrap_or_default()}</span>
                    <Simulated on=holding.simulated />
                </span>
                <dl class="figures">
                    <dt>{t!(i18n, portfolio.shares)}</dt><dd>{shares(holding.shares)}</dd>
                    <dt>{t!(i18n, portfolio.average_cost)}</dt><dd>{amount(holding.average_cost)}</dd>
                    <dt>{t!(i18n, portfolio.price)}</dt><dd>{holding.price.map(amount).unwrap_or_else(|| "—".into())}</dd>
                    <dt>{t!(i18n, portfolio.value)}</dt><dd>{holding.value.map(|v| format!("{} {currency}", amount(v))).unwrap_or_else(|| "—".into())}</dd>
                    <dt>{t!(i18n, portfolio.unrealized)}</dt>
                    <dd class=holding.unrealized.map(|u| direction(if u.is_sign_negative() { -1.0 } else if u.is_zero() { 0.0 } else { 1.0 })).unwrap_or("")>
                        {holding.unrealized.map(signed_amount).unwrap_or_else(|| "—".into())}
                        {holding.unrealized_percent.map(|p| format!(" ({})", percent(p)))}
                    </dd>
                    <dt>{t!(i18n, portfolio.realized)}</dt><dd>{signed_amount(holding.realized)}</dd>
                </dl>
            </A>
        }
        .into_any(),
        Card::Portfolio { name, currency, totals, top } => view! {
            <A href="/portfolio" attr:class="answer-card portfolio-card" attr:data-card="portfolio">
                <span class="answer-card-head"><strong>{name}</strong></span>
                <dl class="figures">
                    <dt>{t!(i18n, portfolio.value)}</dt><dd>{format!("{} {currency}", amount(totals.value))}</dd>
                    <dt>{t!(i18n, portfolio.day_change)}</dt><dd>{signed_amount(totals.day_change)}</dd>
                    <dt>{t!(i18n, portfolio.unrealized)}</dt>
                    <dd>{signed_amount(totals.unrealized)}{totals.unrealized_percent.map(|p| format!(" ({})", percent(p)))}</dd>
                    <dt>{t!(i18n, portfolio.realized)}</dt><dd>{signed_amount(totals.realized)}</dd>
                    <dt>{t!(i18n, portfolio.total_return)}</dt><dd>{signed_amount(totals.total_return)}</dd>
                </dl>
                <ul class="weights">
                    {top.into_iter().map(|(symbol, weight)| view! {
                        <li>
                            <span class="ticker">{symbol}</span>
                            <span class="weight-bar"><span style=format!("width: {}%", weight.map(|w| w.round_dp(1).to_string()).unwrap_or_else(|| "0".into()))></span></span>
                            <span class="num">{weight.map(|w| format!("{} %", w.round_dp(1))).unwrap_or_default()}</span>
                        </li>
                    }).collect_view()}
                </ul>
            </A>
        }
        .into_any(),
        Card::Watchlist { items } => view! {
            <A href="/markets" attr:class="answer-card watchlist-card" attr:data-card="watchlist">
                <ul class="watch-lines">
                    {items.into_iter().map(|item| view! {
                        <li>
                            <span class="ticker">{item.symbol.clone()}</span>
                            <LivePrice symbol=item.symbol.clone() price=item.price change_percent=item.change_percent />
                        </li>
                    }).collect_view()}
                </ul>
            </A>
        }
        .into_any(),
        Card::Term { name, definition, related, .. } => view! { <TermCard name definition related /> }.into_any(),
        Card::Choices { question, symbols } => view! { <ChoicesCard question symbols /> }.into_any(),
    }
}

#[component]
fn CompareLine(row: CompareRow) -> impl IntoView {
    let percent_cell = |p: Option<f64>| match p {
        Some(p) => {
            view! { <td class=format!("num {}", direction(p))>{signed_percent(p)}</td> }.into_any()
        }
        None => view! { <td class="num">"—"</td> }.into_any(),
    };
    view! {
        <tr>
            <td><A href=stock_href(&row.symbol) attr:class="ticker">{row.symbol.clone()}</A></td>
            <td class="num">{money(row.price)}</td>
            {percent_cell(row.day_percent)}
            {percent_cell(row.month_percent)}
            {percent_cell(row.year_percent)}
            <td class="num">{row.rsi.map(|r| format!("{r:.1}")).unwrap_or_else(|| "—".into())}</td>
            <td><span class=format!("score-pill {}", outlook_class(row.outlook))>{format!("{:+} · {}", row.score, outlook_text(row.outlook))}</span></td>
        </tr>
    }
}

#[component]
fn TermCard(name: String, definition: String, related: Vec<(String, String)>) -> impl IntoView {
    let i18n = use_i18n();
    let asking = expect_context::<Asking>();
    view! {
        <div class="answer-card term-card" data-card="term">
            <strong>{name}</strong>
            <p>{definition}</p>
            {(!related.is_empty()).then(|| view! {
                <span class="related">
                    <span class="muted small">{t!(i18n, assistant.related)}</span>
                    {related.into_iter().map(|(_, name)| {
                        let question = t_string!(i18n, assistant.explain).replace("{term}", &name);
                        view! { <button type="button" class="pill" on:click=move |_| asking.0.run(question.clone())>{name}</button> }
                    }).collect_view()}
                </span>
            })}
        </div>
    }
}

#[component]
fn ChoicesCard(question: String, symbols: Vec<(String, String)>) -> impl IntoView {
    let asking = expect_context::<Asking>();
    view! {
        <div class="answer-card choices-card" data-card="choices">
            {symbols.into_iter().map(|(symbol, name)| {
                // The same question, naming the symbol.
                let again = format!("{question} ({symbol})");
                view! {
                    <button type="button" class="button" on:click=move |_| asking.0.run(again.clone())>
                        <strong class="ticker">{symbol}</strong>" "<span class="muted">{name}</span>
                    </button>
                }
            }).collect_view()}
        </div>
    }
}
