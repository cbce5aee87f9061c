//! A stock's page: the quote with its source and age, the chart with ranges, overlays and
//! indicator panes, key stats, the state of the stock with its reasons, what the community
//! says, and news.

use leptos::prelude::*;
use leptos_i18n::Locale as _;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

use super::{
    compact,
    crowd::{CrowdStream, MoodCard},
    direction,
    home::stock_href,
    money, on_quote, outlook_class, outlook_text, signal_text, signed_percent, SignalItem,
};
use crate::{
    auth::ui::{pages::error_text, session::use_session},
    kit::{
        i18n::{t, t_string, use_i18n},
        languages::local_date,
        time::Time,
    },
    market::{
        analysis::{Part, Report},
        api::{
            chart_indicators, choose_indicators, is_watching, market_quote, stock_chart,
            stock_report, SetWatching,
        },
        chart::{chart_height, codes, ChartChoice, ChartRange, Overlay, Pane, Study},
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
    let symbol = quote.symbol.clone();
    // The price moves while the page is open.
    let (live, flash) = super::live_quote(quote);
    view! {
        <header class="card stock-head">
            <div class="stock-title">
                <h1>
                    <span class="ticker">{symbol.clone()}</span>
                    {name.map(|name| view! { <span class="company">{name}</span> })}
                </h1>
                {company.map(|c| view! { <p class="muted">{where_listed(&c.exchange, &c.sector)}</p> })}
            </div>
            <div class="stock-quote">
                <p class="quote-line">
                    <span class=move || format!("price {}", flash.class())>{move || money(live.read().price)}</span>
                    {move || live.read().change().map(|(amount, percent)| view! {
                        <span class=format!("change {}", direction(amount))>
                            {format!("{}{} ({})", if amount > 0.0 { "+" } else { "" }, money(amount), signed_percent(percent))}
                        </span>
                    })}
                    {move || {
                        let quote = live.read();
                        if quote.simulated {
                            view! {
                                <span class="badge badge-warning" title=move || t_string!(i18n, markets.simulated_help)>
                                    {t!(i18n, markets.simulated)}
                                </span>
                            }.into_any()
                        } else {
                            let help = t_string!(i18n, markets.delayed_help).replace("{source}", &quote.source);
                            view! { <span class="badge" title=help>{t!(i18n, markets.delayed)}</span> }.into_any()
                        }
                    }}
                </p>
                <p class="help quote-source" aria-live="off">
                    {move || {
                        let quote = live.get();
                        // A price from a session in progress has its time; a closed day, its date.
                        let when = if quote.as_of.len() > 10 {
                            view! { <Time iso=quote.as_of.clone() seconds=true /> }.into_any()
                        } else {
                            view! { <span>{quote.as_of.clone()}</span> }.into_any()
                        };
                        // The time sits where the sentence puts it ("{date} itibarıyla").
                        let sentence = t_string!(i18n, markets.as_of).to_string();
                        let (before, after) = sentence.split_once("{date}").unwrap_or((&sentence, ""));
                        let (before, after) = (before.to_string(), after.to_string());
                        view! {
                            {before} {when} {after} " · " {quote.source.clone()}
                            {quote.simulated.then(|| view! { " · " {t!(i18n, markets.simulated_help)} })}
                        }
                    }}
                </p>
            </div>
            <WatchButton symbol=symbol />
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

/// The chart with its controls. The option comes from the server; `public/charts.js` draws
/// whatever `data-chart` holds and redraws when it changes.
#[component]
fn ChartCard(symbol: String) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let range = RwSignal::new(ChartRange::default());
    // The server draws the usual indicators; the person's own choice is read once the page
    // runs (a resource awaited here, inside the page's own, made the server's page and the
    // browser's differ for people signed in).
    let ChartChoice {
        overlays: usual_overlays,
        panes: usual_panes,
    } = ChartChoice::default();
    let overlays = RwSignal::new(usual_overlays);
    let panes = RwSignal::new(usual_panes);
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(mine) = chart_indicators().await {
                if mine != ChartChoice::default() {
                    overlays.set(mine.overlays);
                    panes.set(mine.panes);
                }
            }
        });
    });
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
    // The last candle moves with the price: after each change of the quote, a new option drawn
    // on the same element (charts.js keeps the reader's zoom). One request at a time.
    let fresh: RwSignal<Option<String>> = RwSignal::new(None);
    Effect::new(move |_| {
        range.track();
        overlays.track();
        panes.track();
        fresh.set(None);
    });
    let asking = StoredValue::new(false);
    // The years of real prices the app ships for this symbol, once a chart has said.
    let sample: RwSignal<Option<String>> = RwSignal::new(None);
    Effect::new(move |_| {
        if let Some(Ok(drawn)) = chart.get() {
            if drawn.sample.is_some() {
                sample.set(drawn.sample);
            }
        }
    });
    on_quote(symbol.clone(), {
        let symbol = symbol.clone();
        move |_| {
            // The shipped real prices do not move.
            if asking.get_value() || range.get_untracked() == ChartRange::Real {
                return;
            }
            asking.set_value(true);
            let shown = (
                range.get_untracked(),
                overlays.get_untracked(),
                panes.get_untracked(),
            );
            let symbol = symbol.clone();
            leptos::task::spawn_local(async move {
                let (r, o, p) = shown.clone();
                let drawn = stock_chart(
                    symbol,
                    r.code().to_string(),
                    codes(&o, Overlay::code),
                    codes(&p, Pane::code),
                )
                .await;
                let still_shown = (
                    range.get_untracked(),
                    overlays.get_untracked(),
                    panes.get_untracked(),
                ) == shown;
                if let (Ok(drawn), true) = (drawn, still_shown) {
                    fresh.set(Some(drawn.option));
                }
                asking.set_value(false);
            });
        }
    });
    // A signed-in person's choice is kept for every chart, on every device.
    let keep = move || {
        if session.user().is_none() {
            return;
        }
        let (o, p) = ChartChoice {
            overlays: overlays.get_untracked(),
            panes: panes.get_untracked(),
        }
        .codes();
        leptos::task::spawn_local(async move {
            if let Err(err) = choose_indicators(o, p).await {
                leptos::logging::warn!("indicators not kept: {err}");
            }
        });
    };
    let remove_overlay = move |o: Overlay| {
        overlays.update(|list| list.retain(|x| *x != o));
        keep();
    };
    let remove_pane = move |p: Pane| {
        panes.update(|list| list.retain(|x| *x != p));
        keep();
    };
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
                    {move || sample.get().map(|years| view! {
                        <button type="button" class="segment-button" aria-pressed=move || (range.get() == ChartRange::Real).to_string()
                            on:click=move |_| range.set(ChartRange::Real)>{t_string!(i18n, markets.range_real).replace("{years}", &years)}</button>
                    })}
                </div>
                <ul class="indicator-chips" aria-label=move || t_string!(i18n, markets.indicators)>
                    {move || overlays.get().into_iter().map(|o| view! {
                        <li class="indicator-chip">
                            <span>{o.label()}</span>
                            <button type="button" class="chip-remove"
                                aria-label=move || t_string!(i18n, markets.remove_indicator).replace("{name}", &o.label())
                                on:click=move |_| remove_overlay(o)>"×"</button>
                        </li>
                    }).collect_view()}
                    {move || panes.get().into_iter().map(|p| view! {
                        <li class="indicator-chip pane-chip">
                            <span>{p.label()}</span>
                            <button type="button" class="chip-remove"
                                aria-label=move || t_string!(i18n, markets.remove_indicator).replace("{name}", &p.label())
                                on:click=move |_| remove_pane(p)>"×"</button>
                        </li>
                    }).collect_view()}
                </ul>
                <AddIndicator overlays panes added=keep />
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
                                    // Intraday candles are not trading days.
                                    let sentence = if range.get_untracked().intraday() {
                                        t_string!(i18n, markets.chart_source_intraday)
                                    } else {
                                        t_string!(i18n, markets.chart_source)
                                    };
                                    let source = sentence
                                        .replace("{bars}", &drawn.bars.to_string())
                                        .replace("{source}", &drawn.source);
                                    let label = format!("{symbol} · {}", t_string!(i18n, markets.chart));
                                    let option = drawn.option.clone();
                                    view! {
                                        <div class="stock-chart" role="img" aria-label=label
                                            style=format!("height:{}px", drawn.height)
                                            data-chart=move || fresh.get().unwrap_or_else(|| option.clone())></div>
                                        <p class="help chart-note">
                                            {source} " · " {t!(i18n, markets.fetched)} " " {utc_minute(&drawn.fetched_at)}
                                        </p>
                                        {(range.get_untracked() == ChartRange::Real).then(|| view! {
                                            <p class="help real-note">
                                                {t_string!(i18n, markets.real_note).replace("{years}", drawn.sample.as_deref().unwrap_or_default())}
                                            </p>
                                        })}
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

/// An indicator of either place: over the price, or in a pane of its own.
#[derive(Clone, Copy, PartialEq)]
enum Indicator {
    Over(Overlay),
    Below(Pane),
}

impl Indicator {
    fn all() -> Vec<Indicator> {
        Overlay::KINDS
            .into_iter()
            .map(Indicator::Over)
            .chain(Pane::KINDS.into_iter().map(Indicator::Below))
            .collect()
    }

    fn name(self) -> &'static str {
        match self {
            Indicator::Over(o) => o.name(),
            Indicator::Below(p) => p.name(),
        }
    }

    fn params(self) -> Vec<f64> {
        match self {
            Indicator::Over(o) => o.params(),
            Indicator::Below(p) => p.params(),
        }
    }

    /// The same kind with these parameters, if they fit it.
    fn with(self, given: &[f64]) -> Option<Indicator> {
        match self {
            Indicator::Over(o) => o.with(given).map(Indicator::Over),
            Indicator::Below(p) => p.with(given).map(Indicator::Below),
        }
    }
}

/// What each parameter of a kind is called, in the reader's language.
fn param_names(kind: Indicator) -> Vec<String> {
    let i18n = use_i18n();
    let period = || t_string!(i18n, markets.param_period).to_string();
    match kind {
        Indicator::Over(Overlay::Bollinger(..)) => {
            vec![period(), t_string!(i18n, markets.param_width).to_string()]
        }
        Indicator::Below(Pane::Macd(..)) => vec![
            t_string!(i18n, markets.param_fast).to_string(),
            t_string!(i18n, markets.param_slow).to_string(),
            t_string!(i18n, markets.param_signal).to_string(),
        ],
        Indicator::Below(Pane::Stochastic(..)) => vec![
            "%K".to_string(),
            t_string!(i18n, markets.param_smoothing).to_string(),
            "%D".to_string(),
        ],
        Indicator::Below(Pane::Obv) => Vec::new(),
        _ => vec![period()],
    }
}

/// Picks a kind of indicator, its parameters, and adds it to the chart.
#[component]
fn AddIndicator(
    overlays: RwSignal<Vec<Overlay>>,
    panes: RwSignal<Vec<Pane>>,
    added: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let kinds = Indicator::all();
    let kind = RwSignal::new(kinds[0]);
    let numbers = RwSignal::new(
        kinds[0]
            .params()
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>(),
    );
    let problem = RwSignal::new(None::<String>);
    let choose = move |index: usize| {
        if let Some(chosen) = Indicator::all().get(index).copied() {
            kind.set(chosen);
            numbers.set(chosen.params().iter().map(|n| n.to_string()).collect());
            problem.set(None);
        }
    };
    let add = move || {
        let given: Option<Vec<f64>> = numbers
            .get_untracked()
            .iter()
            .map(|n| n.trim().replace(',', ".").parse::<f64>().ok())
            .collect();
        let Some(made) = given.and_then(|given| kind.get_untracked().with(&given)) else {
            problem.set(Some(t_string!(i18n, markets.indicator_invalid).to_string()));
            return;
        };
        let full = || {
            t_string!(i18n, markets.indicator_limit)
                .replace("{overlays}", &Overlay::MAX.to_string())
                .replace("{panes}", &Pane::MAX.to_string())
        };
        match made {
            Indicator::Over(o) if !overlays.get_untracked().contains(&o) => {
                if overlays.get_untracked().len() >= Overlay::MAX {
                    return problem.set(Some(full()));
                }
                overlays.update(|list| list.push(o));
            }
            Indicator::Below(p) if !panes.get_untracked().contains(&p) => {
                if panes.get_untracked().len() >= Pane::MAX {
                    return problem.set(Some(full()));
                }
                panes.update(|list| list.push(p));
            }
            // Already drawn.
            _ => return problem.set(None),
        }
        problem.set(None);
        added();
    };
    view! {
        <form class="add-indicator" on:submit=move |ev| { ev.prevent_default(); add(); }>
            <label class="visually-hidden" for="indicator-kind">{t!(i18n, markets.indicator_kind)}</label>
            <select id="indicator-kind" on:change=move |ev| {
                if let Ok(index) = event_target_value(&ev).parse::<usize>() {
                    choose(index);
                }
            }>
                {kinds.into_iter().enumerate().map(|(i, k)| view! {
                    <option value=i.to_string() selected=move || kind.get() == k>{k.name()}</option>
                }).collect_view()}
            </select>
            {move || {
                let names = param_names(kind.get());
                names.into_iter().enumerate().map(|(i, name)| view! {
                    <label class="indicator-param">
                        <span>{name}</span>
                        <input type="text" inputmode="decimal" size="4"
                            prop:value=move || numbers.get().get(i).cloned().unwrap_or_default()
                            on:input=move |ev| {
                                let value = event_target_value(&ev);
                                numbers.update(|list| if let Some(slot) = list.get_mut(i) { *slot = value; });
                            } />
                    </label>
                }).collect_view()
            }}
            <button type="submit" class="button button-small">{t!(i18n, markets.add_indicator)}</button>
            {move || problem.get().map(|text| view! { <p class="form-error" role="alert">{text}</p> })}
        </form>
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
                <CrowdStream symbol=report.symbol.clone() voices=report.voices.clone() />
            </div>
            <div class="stock-side">
                <MoodCard symbol=report.symbol.clone() />
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
