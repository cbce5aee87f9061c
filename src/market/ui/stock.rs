//! A stock's page: the quote with its source and age, the chart with ranges, overlays and
//! indicator panes, key stats, the state of the stock with its reasons, what the community
//! says, and news.

use leptos::prelude::*;
use leptos_i18n::Locale as _;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

use super::{
    compact, direction, home::stock_href, money, outlook_class, outlook_text, signal_text,
    signed_percent, SignalItem,
};
use crate::{
    ai::Stance,
    auth::ui::{pages::error_text, session::use_session},
    kit::{
        i18n::{t, t_string, use_i18n},
        languages::local_date,
    },
    market::{
        analysis::{Part, Report},
        api::{is_watching, market_quote, stock_chart, stock_report, SetWatching},
        chart::{chart_height, codes, ChartRange, Overlay, Pane},
        symbol, Quote,
    },
    platform::error::AppError,
};

/// "2026-11-22T10:04:05+00:00" → "2026-11-22 10:04 UTC".
fn utc_minute(iso: &str) -> String {
    match (iso.get(..10), iso.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => iso.to_string(),
    }
}

#[component]
pub fn StockPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    // The app's form of the symbol; an unreadable one shows as not found.
    let symbol = Memo::new(move |_| {
        params
            .read()
            .get("symbol")
            .and_then(|s| symbol::normalize(&s))
    });
    view! {
        <Title text=move || symbol.get().unwrap_or_else(|| t_string!(i18n, nav.markets).to_string()) />
        {move || match symbol.get() {
            Some(symbol) => view! { <Stock symbol /> }.into_any(),
            None => {
                let typed = params.read().get("symbol").unwrap_or_default();
                view! {
                    <section class="card placeholder">
                        <h1>{t_string!(i18n, markets.not_found).replace("{symbol}", &typed)}</h1>
                        <A href="/markets" attr:class="button">{t!(i18n, nav.markets)}</A>
                    </section>
                }
                .into_any()
            }
        }}
    }
}

/// "NYSE · Information Technology" (or just the exchange).
pub fn where_listed(exchange: &str, sector: &str) -> String {
    [exchange, sector]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A market error in words: an unknown symbol, or no source right now.
fn market_error(err: &AppError, symbol: &str) -> String {
    let i18n = use_i18n();
    match err {
        AppError::NotFound(_) => t_string!(i18n, markets.not_found).replace("{symbol}", symbol),
        AppError::Unavailable => t_string!(i18n, markets.unavailable).to_string(),
        other => error_text(other),
    }
}

#[component]
fn Stock(symbol: String) -> impl IntoView {
    let i18n = use_i18n();
    let quote = {
        let symbol = symbol.clone();
        Resource::new(move || symbol.clone(), market_quote)
    };
    let report = {
        let symbol = symbol.clone();
        Resource::new(
            move || (symbol.clone(), i18n.get_locale().as_str().to_string()),
            |(s, l)| stock_report(s, l),
        )
    };
    let shown = symbol.clone();
    view! {
        <article class="stock-page">
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
                {
                    let symbol = shown.clone();
                    move || {
                        let symbol = symbol.clone();
                        Suspend::new(async move {
                            let report = report.await.ok();
                            match quote.await {
                                Ok(quote) => view! { <QuoteHeader quote report /> }.into_any(),
                                Err(err) => view! {
                                    <section class="card placeholder">
                                        <h1>{symbol.clone()}</h1>
                                        <p class="form-error" role="alert">{market_error(&err, &symbol)}</p>
                                        <A href="/markets" attr:class="button">{t!(i18n, nav.markets)}</A>
                                    </section>
                                }.into_any(),
                            }
                        })
                    }
                }
            </Transition>
            <ChartCard symbol=symbol.clone() />
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
                {move || Suspend::new(async move {
                    report.await.ok().map(|report| view! { <ReportCards report /> })
                })}
            </Transition>
            <p class="help advice">{t!(i18n, markets.advice)}</p>
        </article>
    }
}

#[component]
fn QuoteHeader(quote: Quote, report: Option<Report>) -> impl IntoView {
    let i18n = use_i18n();
    let company = report.as_ref().and_then(|r| r.company.clone());
    // "IBM" is also IBM's name: say it once.
    let name = company
        .as_ref()
        .map(|c| c.name.clone())
        .filter(|name| *name != quote.symbol);
    let change = quote.change();
    let source = quote.source.clone();
    view! {
        <header class="card stock-head">
            <div class="stock-title">
                <h1>
                    <span class="ticker">{quote.symbol.clone()}</span>
                    {name.map(|name| view! { <span class="company">{name}</span> })}
                </h1>
                {company.map(|c| view! { <p class="muted">{where_listed(&c.exchange, &c.sector)}</p> })}
            </div>
            <div class="stock-quote">
                <p class="quote-line">
                    <span class="price">{money(quote.price)}</span>
                    {change.map(|(amount, percent)| view! {
                        <span class=format!("change {}", direction(amount))>
                            {format!("{}{} ({})", if amount > 0.0 { "+" } else { "" }, money(amount), signed_percent(percent))}
                        </span>
                    })}
                    {if quote.simulated {
                        view! {
                            <span class="badge badge-warning" title=move || t_string!(i18n, markets.simulated_help)>
                                {t!(i18n, markets.simulated)}
                            </span>
                        }.into_any()
                    } else {
                        let help = t_string!(i18n, markets.delayed_help).replace("{source}", &source);
                        view! { <span class="badge" title=help>{t!(i18n, markets.delayed)}</span> }.into_any()
                    }}
                </p>
                <p class="help quote-source">
                    {t_string!(i18n, markets.as_of).replace("{date}", &quote.as_of)} " · " {quote.source.clone()}
                    {quote.simulated.then(|| view! { " · " {t!(i18n, markets.simulated_help)} })}
                </p>
            </div>
            <WatchButton symbol=quote.symbol.clone() />
        </header>
    }
}

/// Follow / following, for a signed-in reader; a sign-in link for guests.
#[component]
fn WatchButton(symbol: String) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let follow = ServerAction::<SetWatching>::new();
    let watching = {
        let symbol = symbol.clone();
        Resource::new(
            move || {
                (
                    symbol.clone(),
                    follow.version().get(),
                    session.user().map(|u| u.id),
                )
            },
            |(s, _, _)| is_watching(s),
        )
    };
    let error = move || {
        follow
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| error_text(&e))
    };
    view! {
        <div class="watch-action">
            <Transition>
                {
                    let symbol = symbol.clone();
                    move || {
                        let symbol = symbol.clone();
                        Suspend::new(async move {
                            let signed_in = session.resource().await.ok().flatten().is_some();
                            if !signed_in {
                                let next = format!("/signin?next={}", stock_href(&symbol));
                                return view! { <A href=next attr:class="button button-small">{t!(i18n, markets.watch_signin)}</A> }.into_any();
                            }
                            let on = watching.await.unwrap_or(false);
                            view! {
                                <button type="button" class=if on { "button button-small" } else { "button button-small button-primary" }
                                    aria-pressed=on.to_string()
                                    disabled=move || follow.pending().get()
                                    on:click=move |_| { follow.dispatch(SetWatching { symbol: symbol.clone(), watching: !on }); }>
                                    {if on { t!(i18n, markets.watching).into_any() } else { t!(i18n, markets.watch).into_any() }}
                                </button>
                            }.into_any()
                        })
                    }
                }
            </Transition>
            <p class="form-error" role="alert">{error}</p>
        </div>
    }
}

/// Adds `item` to the list or takes it out, keeping the order of `all` (so each overlay keeps
/// its colour and each pane its place).
fn toggle<T: Copy + PartialEq>(list: &mut Vec<T>, item: T, all: &[T]) {
    if let Some(i) = list.iter().position(|x| *x == item) {
        list.remove(i);
    } else {
        list.push(item);
        list.sort_by_key(|x| all.iter().position(|a| a == x));
    }
}

/// The chart with its controls. The option comes from the server; `public/charts.js` draws
/// whatever `data-chart` holds and redraws when it changes.
#[component]
fn ChartCard(symbol: String) -> impl IntoView {
    let i18n = use_i18n();
    let range = RwSignal::new(ChartRange::default());
    let overlays = RwSignal::new(vec![Overlay::Sma20, Overlay::Sma50]);
    let panes = RwSignal::new(vec![Pane::Rsi]);
    let chart = {
        let symbol = symbol.clone();
        Resource::new(
            move || (symbol.clone(), range.get(), overlays.get(), panes.get()),
            |(symbol, range, overlays, panes)| {
                stock_chart(
                    symbol,
                    range.code().to_string(),
                    codes(&overlays, Overlay::code),
                    codes(&panes, Pane::code),
                )
            },
        )
    };
    let toggle_overlay = move |o: Overlay| overlays.update(|list| toggle(list, o, &Overlay::ALL));
    let toggle_pane = move |p: Pane| panes.update(|list| toggle(list, p, &Pane::ALL));
    let chart_symbol = symbol.clone();
    view! {
        <section class="card chart-card" aria-labelledby="chart-title">
            <h2 id="chart-title" class="visually-hidden">{t!(i18n, markets.chart)}</h2>
            <div class="chart-controls">
                <div class="segmented" role="group" aria-label=move || t_string!(i18n, markets.range)>
                    {ChartRange::ALL.into_iter().map(|r| view! {
                        <button type="button" class="segment-button" aria-pressed=move || (range.get() == r).to_string()
                            on:click=move |_| range.set(r)>{r.label()}</button>
                    }).collect_view()}
                </div>
                <fieldset class="toggles">
                    <legend class="visually-hidden">{t!(i18n, markets.overlays)}</legend>
                    {Overlay::ALL.into_iter().map(|o| view! {
                        <label class="chip">
                            // `checked` for the server's page (before hydration), `prop:checked` once live.
                            <input type="checkbox" checked=move || overlays.get().contains(&o) prop:checked=move || overlays.get().contains(&o) on:change=move |_| toggle_overlay(o) />
                            <span>{o.label()}</span>
                        </label>
                    }).collect_view()}
                </fieldset>
                <fieldset class="toggles">
                    <legend class="visually-hidden">{t!(i18n, markets.panes)}</legend>
                    {Pane::ALL.into_iter().map(|p| view! {
                        <label class="chip">
                            <input type="checkbox" checked=move || panes.get().contains(&p) prop:checked=move || panes.get().contains(&p) on:change=move |_| toggle_pane(p) />
                            <span>{p.label()}</span>
                        </label>
                    }).collect_view()}
                </fieldset>
            </div>
            <Transition fallback=move || view! {
                <div class="stock-chart loading" style=format!("height:{}px", chart_height(1))></div>
            }>
                {
                    let symbol = chart_symbol.clone();
                    move || {
                        let symbol = symbol.clone();
                        Suspend::new(async move {
                            match chart.await {
                                Ok(drawn) => {
                                    let source = t_string!(i18n, markets.chart_source)
                                        .replace("{bars}", &drawn.bars.to_string())
                                        .replace("{source}", &drawn.source);
                                    let label = format!("{symbol} · {}", t_string!(i18n, markets.chart));
                                    view! {
                                        <div class="stock-chart" role="img" aria-label=label
                                            style=format!("height:{}px", drawn.height) data-chart=drawn.option></div>
                                        <p class="help chart-note">
                                            {source} " · " {t!(i18n, markets.fetched)} " " {utc_minute(&drawn.fetched_at)}
                                        </p>
                                        {drawn.simulated_from.map(|day| view! {
                                            <p class="help simulated-note">
                                                <span class="badge badge-warning">{t!(i18n, markets.simulated)}</span> " "
                                                {t_string!(i18n, markets.chart_simulated).replace("{date}", &day)}
                                            </p>
                                        })}
                                    }.into_any()
                                }
                                Err(err) => view! { <p class="form-error" role="alert">{market_error(&err, &symbol)}</p> }.into_any(),
                            }
                        })
                    }
                }
            </Transition>
        </section>
    }
}

#[component]
fn ReportCards(report: Report) -> impl IntoView {
    let i18n = use_i18n();
    let range_position = if report.high_52w > report.low_52w {
        ((report.price - report.low_52w) / (report.high_52w - report.low_52w) * 100.0)
            .clamp(0.0, 100.0)
    } else {
        50.0
    };
    view! {
        // The state of the stock leads, with what the communities say under it; the figures and
        // the news stand beside them on a wide screen, and follow them on a phone.
        <div class="stock-grid">
            <div class="stock-main">
                <StateCard report=report.clone() />
                <CommunityCard report=report.clone() />
            </div>
            <div class="stock-side">
                <section class="card stats-card" aria-labelledby="stats-title">
                    <h2 id="stats-title">{t!(i18n, markets.stats)}</h2>
                    <dl class="facts stats">
                        <dt>{t!(i18n, markets.range_52w)}</dt>
                        <dd>{format!("{} – {}", money(report.low_52w), money(report.high_52w))}</dd>
                        <dd class="range-bar" aria-hidden="true"><span style=format!("left:{range_position:.0}%")></span></dd>
                        <dt>{t!(i18n, markets.average_volume)}</dt>
                        <dd>{compact(report.average_volume)}</dd>
                    </dl>
                    <h3>{t!(i18n, markets.returns)}</h3>
                    <ul class="returns">
                        {report.returns.iter().map(|r| view! {
                            <li>
                                <span class="muted">{r.period.label()}</span>
                                {match r.percent {
                                    Some(p) => view! { <strong class=direction(p)>{signed_percent(p)}</strong> }.into_any(),
                                    None => view! { <strong class="muted">"—"</strong> }.into_any(),
                                }}
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
                <section class="card news-card" aria-labelledby="news-title">
                    <h2 id="news-title">{t!(i18n, markets.news)}</h2>
                    {if report.headlines.is_empty() {
                        view! { <p class="muted">{t!(i18n, markets.news_none)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="news">
                                {report.headlines.iter().map(|n| view! {
                                    <li>
                                        <a href=n.url.clone() rel="noopener noreferrer" target="_blank">{n.title.clone()}</a>
                                        <span class="help">{format!("{} · {}", n.source, local_date(i18n.get_locale_untracked(), n.published_at.get(..10).unwrap_or(&n.published_at)))}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
            </div>
        </div>
    }
}

/// The overall score, the narrative (hosted, or the template's), and each part's reasons.
#[component]
fn StateCard(report: Report) -> impl IntoView {
    let i18n = use_i18n();
    let score = report.score;
    let narrative = match &report.narrative {
        Some(written) => view! {
            <p class="narrative">{written.text.clone()}</p>
            <p class="help">{t_string!(i18n, markets.written_by).replace("{engine}", &written.engine)}</p>
        }
        .into_any(),
        None => view! { <p class="narrative">{template_narrative(&report)}</p> }.into_any(),
    };
    let part = |title: String, part: Option<Part>, absent: String| {
        view! {
            <div class="part">
                <h3>
                    {title}
                    {match &part {
                        Some(p) => view! { <span class=format!("score-pill {}", direction(p.score as f64))>{format!("{:+}", p.score)}</span> }.into_any(),
                        None => view! { <span class="muted part-absent">{t!(i18n, markets.part_absent)}</span> }.into_any(),
                    }}
                </h3>
                {match part {
                    Some(p) => view! { <ul class="signals">{p.signals.into_iter().map(|signal| view! { <SignalItem signal /> }).collect_view()}</ul> }.into_any(),
                    None => view! { <p class="help">{absent}</p> }.into_any(),
                }}
            </div>
        }
    };
    let quiet = t_string!(i18n, markets.community_quiet).replace("{symbol}", &report.symbol);
    view! {
        <section class="card state-card" aria-labelledby="state-title">
            <h2 id="state-title">{t!(i18n, markets.state)}</h2>
            <div class="score-row">
                <span class=format!("score {}", outlook_class(report.outlook))>{format!("{score:+}")}</span>
                <span>
                    <strong>{outlook_text(report.outlook)}</strong>
                    <span class="help">{t!(i18n, markets.score_scale)}</span>
                </span>
            </div>
            <div class="score-meter" aria-hidden="true"><span style=format!("left:{}%", (score + 100) / 2)></span></div>
            {narrative}
            {part(t_string!(i18n, markets.part_trend).to_string(), Some(report.trend.clone()), String::new())}
            {part(t_string!(i18n, markets.part_momentum).to_string(), Some(report.momentum.clone()), String::new())}
            {part(t_string!(i18n, markets.part_news).to_string(), report.news.clone(), t_string!(i18n, markets.news_absent).to_string())}
            {part(t_string!(i18n, markets.part_community).to_string(), report.community.clone(), quiet)}
        </section>
    }
}

/// The narrative without a hosted model: the same facts, worded by the reader's language file.
fn template_narrative(report: &Report) -> String {
    let i18n = use_i18n();
    let mut text = t_string!(i18n, markets.narrative)
        .replace("{symbol}", &report.symbol)
        .replace("{score}", &format!("{:+}", report.score))
        .replace("{outlook}", &outlook_text(report.outlook).to_lowercase());
    text.push(' ');
    text.push_str(
        &t_string!(i18n, markets.narrative_parts)
            .replace("{trend}", &format!("{:+}", report.trend.score))
            .replace("{momentum}", &format!("{:+}", report.momentum.score)),
    );
    let strongest = report
        .trend
        .signals
        .iter()
        .chain(&report.momentum.signals)
        .chain(report.news.iter().flat_map(|p| &p.signals))
        .chain(report.community.iter().flat_map(|p| &p.signals))
        .max_by_key(|s| s.points().abs());
    if let Some(signal) = strongest {
        text.push(' ');
        text.push_str(
            &t_string!(i18n, markets.narrative_strongest)
                .replace("{signal}", &signal_text(signal).to_lowercase()),
        );
    }
    if report.simulated {
        text.push(' ');
        text.push_str(t_string!(i18n, markets.narrative_simulated));
    }
    text
}

#[component]
fn CommunityCard(report: Report) -> impl IntoView {
    let i18n = use_i18n();
    let voices = report.voices.clone();
    let total = voices.messages.max(1) as f64;
    let bullish = voices.bullish as f64 / total * 100.0;
    let bearish = voices.bearish as f64 / total * 100.0;
    let stance = move |s: Stance| match s {
        Stance::Bullish => (t_string!(i18n, markets.stance_bullish), "up"),
        Stance::Bearish => (t_string!(i18n, markets.stance_bearish), "down"),
        Stance::Neutral => (t_string!(i18n, markets.stance_neutral), ""),
    };
    let none = t_string!(i18n, markets.mentions_none).replace("{symbol}", &report.symbol);
    view! {
        <section class="card community-voices" aria-labelledby="voices-title">
            <h2 id="voices-title">{t!(i18n, markets.mentions)}</h2>
            {(voices.messages > 0).then(|| view! {
                <div class="mood-bar" role="img" aria-label=signal_text(&crate::market::analysis::Signal::Community {
                    messages: voices.messages, bullish: voices.bullish, bearish: voices.bearish, points: 0,
                })>
                    <span class="up" style=format!("width:{bullish:.0}%")></span>
                    <span class="down" style=format!("width:{bearish:.0}%")></span>
                </div>
            })}
            {if voices.mentions.is_empty() {
                view! { <p class="muted">{none}</p> }.into_any()
            } else {
                view! {
                    <ul class="mentions">
                        {voices.mentions.into_iter().map(|m| {
                            let (label, class) = stance(m.stance);
                            view! {
                                <li>
                                    <p class="mention-meta">
                                        <strong>{m.author.clone()}</strong>
                                        <A href=format!("/c/{}/{}", m.community_slug, m.channel)>{format!("{} · #{}", m.community, m.channel)}</A>
                                        <span class=format!("badge stance {class}")>{label}</span>
                                    </p>
                                    <p class="mention-text">{m.excerpt.clone()}</p>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
