//! The markets home: find a stock, the watchlist with sparklines, and the watchlist ranked by
//! the factor score with each call's reasons and backtest.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_navigate};

use super::{outlook_class, outlook_text, LivePrice, SignalItem, Sparkline};
use crate::{
    auth::ui::{pages::error_text, session::use_session},
    kit::i18n::{t, t_string, use_i18n},
    market::{
        analysis::{Period, Recommendation},
        api::{recommendations, symbol_search, watchlist},
        symbol,
        watchlist::WatchItem,
    },
};

/// The page path of a symbol ("/markets/AAPL").
pub fn stock_href(symbol: &str) -> String {
    format!("/markets/{symbol}")
}

#[component]
pub fn MarketsPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let signed_in = move || session.user().map(|u| u.id);
    let list = Resource::new(signed_in, |_| watchlist());
    let ranked = Resource::new(signed_in, |_| recommendations());
    view! {
        <Title text=move || t_string!(i18n, nav.markets) />
        <h1 class="page-title">{t!(i18n, nav.markets)}</h1>
        <SymbolSearch />
        <super::TrendingTickers />
        <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
            {move || Suspend::new(async move {
                list.await.map(|list| {
                    let heading = if list.own { t_string!(i18n, markets.watchlist) } else { t_string!(i18n, markets.suggested) };
                    view! {
                        <section class="watchlist" aria-labelledby="watchlist-title">
                            <h2 id="watchlist-title" class="section-title">{heading}</h2>
                            {(!list.own).then(|| view! { <p class="help">{t!(i18n, markets.suggested_help)}</p> })}
                            <ul class="watch-grid">
                                {list.items.into_iter().map(|item| view! { <WatchCard item /> }).collect_view()}
                            </ul>
                        </section>
                    }
                })
            })}
        </Transition>
        <section class="card recommendations" aria-labelledby="ranked-title">
            <h2 id="ranked-title">{t!(i18n, markets.recommendations)}</h2>
            <p class="help">{t!(i18n, markets.recommendations_help)}</p>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
                {move || Suspend::new(async move {
                    ranked.await.map(|ranked| view! {
                        <ol class="ranked">
                            {ranked.into_iter().map(|pick| view! { <RankedSymbol pick /> }).collect_view()}
                        </ol>
                    })
                })}
            </Transition>
            <p class="help advice">{t!(i18n, markets.advice)}</p>
        </section>
    }
}

/// A search box that suggests companies as one types; Enter opens the first suggestion (or the
/// symbol as typed).
#[component]
fn SymbolSearch() -> impl IntoView {
    let i18n = use_i18n();
    let query = RwSignal::new(String::new());
    let found = Resource::new(
        move || query.get().trim().to_string(),
        |q| async move {
            if q.is_empty() {
                Ok(Vec::new())
            } else {
                symbol_search(q).await
            }
        },
    );
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = query.get_untracked();
        let first = found
            .get_untracked()
            .and_then(Result::ok)
            .and_then(|list| list.first().map(|s| s.symbol.clone()));
        if let Some(symbol) = first.or_else(|| symbol::normalize(&typed)) {
            navigate(&stock_href(&symbol), Default::default());
        }
    };
    view! {
        <form class="card symbol-search" role="search" on:submit=submit>
            <label for="symbol-query" class="field-label">{t!(i18n, markets.search_label)}</label>
            <input id="symbol-query" type="search" autocomplete="off" spellcheck="false"
                placeholder=move || t_string!(i18n, markets.search_placeholder)
                aria-describedby="symbol-results"
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev)) />
            <Transition>
                {move || Suspend::new(async move {
                    let typed = query.get_untracked();
                    match found.await {
                        Ok(list) if list.is_empty() && !typed.trim().is_empty() => view! {
                            <p id="symbol-results" class="help" role="status">
                                {t_string!(i18n, markets.search_none).replace("{query}", typed.trim())}
                            </p>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul id="symbol-results" class="search-results">
                                {list.into_iter().map(|s| view! {
                                    <li>
                                        <A href=stock_href(&s.symbol)>
                                            <strong class="ticker">{s.symbol.clone()}</strong>
                                            <span>{s.name.clone()}</span>
                                            <span class="muted">{super::stock::where_listed(&s.exchange, &s.sector)}</span>
                                        </A>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(err) => view! { <p id="symbol-results" class="form-error" role="alert">{error_text(&err)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </form>
    }
}

/// The person's watchlist on the home page: each symbol with its live price and the day's
/// change.
#[component]
pub fn WatchlistGlance() -> impl IntoView {
    let i18n = use_i18n();
    let list = Resource::new(|| (), |_| watchlist());
    view! {
        <section class="card home-card" aria-labelledby="home-watchlist-title">
            <Transition fallback=move || view! {
                <h2 id="home-watchlist-title">{t!(i18n, markets.watchlist)}</h2>
                <p class="muted">{t!(i18n, settings.loading)}</p>
            }>
                {move || Suspend::new(async move {
                    list.await.map(|list| {
                        let heading = if list.own { t_string!(i18n, markets.watchlist) } else { t_string!(i18n, markets.suggested) };
                        view! {
                            <h2 id="home-watchlist-title">{heading}</h2>
                            <ul class="glance-lines">
                                {list.items.into_iter().map(|item| view! { <GlanceLine item /> }).collect_view()}
                            </ul>
                            <A href="/markets" attr:class="card-link">{t!(i18n, home.cta_secondary)}</A>
                        }
                    })
                })}
            </Transition>
        </section>
    }
}

#[component]
fn GlanceLine(item: WatchItem) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <li>
            <A href=stock_href(&item.symbol) attr:class="glance-line">
                <strong class="ticker">{item.symbol.clone()}</strong>
                {item.simulated.then(|| view! {
                    <span class="badge badge-warning" title=move || t_string!(i18n, markets.simulated_help)>
                        {t!(i18n, markets.simulated)}
                    </span>
                })}
                <LivePrice symbol=item.symbol.clone() price=item.price change_percent=item.change_percent />
            </A>
        </li>
    }
}

#[component]
fn WatchCard(item: WatchItem) -> impl IntoView {
    let i18n = use_i18n();
    let change = item.change_percent;
    let name = item
        .name
        .clone()
        .filter(|name| *name != item.symbol)
        .unwrap_or_default();
    view! {
        <li class="card watch-card">
            <A href=stock_href(&item.symbol) attr:class="watch-link">
                <span class="watch-head">
                    <strong class="ticker">{item.symbol.clone()}</strong>
                    {item.simulated.then(|| view! {
                        <span class="badge badge-warning" title=move || t_string!(i18n, markets.simulated_help)>
                            {t!(i18n, markets.simulated)}
                        </span>
                    })}
                </span>
                <span class="watch-name muted">{name}</span>
                <span class="watch-figures">
                    <LivePrice symbol=item.symbol.clone() price=item.price change_percent=change />
                </span>
                {(item.spark.len() > 1).then(|| view! {
                    <span class="watch-spark"><Sparkline closes=item.spark.clone() period=Period::Quarter.label() /></span>
                })}
            </A>
        </li>
    }
}

#[component]
fn RankedSymbol(pick: Recommendation) -> impl IntoView {
    let i18n = use_i18n();
    let test = pick.backtest.clone();
    let backtest = match test.hit_rate() {
        Some(rate) => t_string!(i18n, markets.backtest)
            .replace("{hits}", &test.hits.to_string())
            .replace("{calls}", &test.calls.to_string())
            .replace("{rate}", &format!("{:.0} %", rate * 100.0))
            .replace("{from}", &test.from)
            .replace("{to}", &test.to)
            .replace("{base}", &format!("{:.0} %", test.base_rate * 100.0)),
        None => t_string!(i18n, markets.backtest_none).to_string(),
    };
    let score = pick.factor_score;
    let name = pick
        .name
        .clone()
        .filter(|name| *name != pick.symbol)
        .unwrap_or_default();
    view! {
        <li class="ranked-item">
            <div class="ranked-head">
                <A href=stock_href(&pick.symbol) attr:class="ticker">{pick.symbol.clone()}</A>
                <span class="muted">{name}</span>
                <span class=format!("score-pill {}", outlook_class(pick.outlook))>
                    {format!("{}{score}", if score > 0 { "+" } else { "" })} " · " {outlook_text(pick.outlook)}
                </span>
            </div>
            <ul class="signals">{pick.reasons.into_iter().map(|signal| view! { <SignalItem signal /> }).collect_view()}</ul>
            <p class="help backtest">
                {backtest}
                {test.simulated.then(|| view! { " " {t!(i18n, markets.backtest_simulated)} })}
            </p>
        </li>
    }
}
