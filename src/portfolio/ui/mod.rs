//! The portfolio page: the portfolio picker, totals, the value chart against the S&P 500,
//! allocation doughnuts, the sortable holdings table with lots, the transaction form and list,
//! realized gains, CSV import and export, and price alerts.

mod alerts;
mod form;
mod import;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use rust_decimal::{
    prelude::{FromPrimitive, ToPrimitive},
    Decimal,
};

use super::{
    api::{
        create_portfolio, delete_transaction, get_portfolio, portfolio_performance, price_alerts,
        update_portfolio,
    },
    ledger::{CostMethod, Kind, Sale},
    transaction::Transaction,
    valuation::{weigh, Holding, Totals},
    PerformanceChart, PerformanceRange, PortfolioInfo, PortfolioView,
};
use crate::{
    auth::ui::{pages::error_text, session::use_session},
    kit::i18n::{t, t_string, use_i18n},
    market::ui::{direction, on_quote, stock_href, Flash},
    platform::error::AppError,
};

pub use alerts::{alert_text, AlertNotices, AlertsCard};

/// A date as the reader's language writes it (the date field shows it the same way).
fn day(iso: &str) -> String {
    crate::kit::languages::local_date(use_i18n().get_locale_untracked(), iso)
}

/// "1,234.50" (two decimals, grouped; "−" for a loss).
pub fn amount(value: Decimal) -> String {
    grouped(value.round_dp(2), 2)
}

/// "+1,234.50" / "−12.00".
pub fn signed_amount(value: Decimal) -> String {
    let sign = if value > Decimal::ZERO { "+" } else { "" };
    format!("{sign}{}", amount(value))
}

/// Shares as few digits as they need: "10", "3.125", "1,200".
pub fn shares(value: Decimal) -> String {
    let value = value.normalize();
    grouped(value, value.scale())
}

/// "+12.34 %".
pub fn percent(value: Decimal) -> String {
    let sign = if value > Decimal::ZERO { "+" } else { "" };
    format!("{sign}{} %", grouped(value.round_dp(2), 2))
}

fn grouped(value: Decimal, decimals: u32) -> String {
    let mut value = value;
    value.rescale(decimals);
    crate::market::ui::grouped(&value.abs().to_string(), value < Decimal::ZERO)
}

fn tone(value: Decimal) -> &'static str {
    direction(if value > Decimal::ZERO {
        1.0
    } else if value < Decimal::ZERO {
        -1.0
    } else {
        0.0
    })
}

/// The type of a transaction in the reader's language.
pub fn kind_text(kind: Kind) -> String {
    let i18n = use_i18n();
    match kind {
        Kind::Buy => t_string!(i18n, portfolio.kind_buy),
        Kind::Sell => t_string!(i18n, portfolio.kind_sell),
        Kind::Dividend => t_string!(i18n, portfolio.kind_dividend),
        Kind::Split => t_string!(i18n, portfolio.kind_split),
        Kind::Fee => t_string!(i18n, portfolio.kind_fee),
        Kind::Deposit => t_string!(i18n, portfolio.kind_deposit),
        Kind::Withdraw => t_string!(i18n, portfolio.kind_withdraw),
    }
    .to_string()
}

/// What the page shares with its parts: the portfolio shown and a counter that refetches
/// everything after a change.
#[derive(Clone, Copy)]
pub struct PageState {
    pub selected: RwSignal<Option<String>>,
    pub version: RwSignal<u32>,
    /// Refetches the price alerts.
    pub alerts: RwSignal<u32>,
}

impl PageState {
    pub fn changed(&self) {
        self.version.update(|v| *v += 1);
    }
}

#[component]
pub fn PortfolioPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let state = PageState {
        selected: RwSignal::new(None),
        version: RwSignal::new(0),
        alerts: RwSignal::new(0),
    };
    provide_context(state);
    provide_context(form::Editing(RwSignal::new(None), RwSignal::new(false)));
    provide_context(import::ImportState::new());
    let range = RwSignal::new(PerformanceRange::default());
    // Every resource of the page is made here, outside the suspense boundaries, so the browser
    // makes them in the order the server did and finds their values in the page.
    let signed_in = move || session.user().map(|u| u.id);
    let figures = Resource::new(
        move || (signed_in(), state.selected.get(), state.version.get()),
        |(_, selected, _)| get_portfolio(selected.unwrap_or_default()),
    );
    let chart = Resource::new(
        move || {
            (
                signed_in(),
                state.selected.get(),
                state.version.get(),
                range.get(),
            )
        },
        |(_, selected, _, range)| {
            portfolio_performance(selected.unwrap_or_default(), range.code().to_string())
        },
    );
    let alerts = Resource::new(
        move || (signed_in(), state.alerts.get()),
        |_| price_alerts(),
    );
    view! {
        <Title text=move || t_string!(i18n, nav.portfolio) />
        <div class="portfolio-page">
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
                {move || Suspend::new(async move {
                    match figures.await {
                        Ok(data) => view! { <Loaded data chart range /> }.into_any(),
                        Err(AppError::Unauthorized) => view! {
                            <section class="card placeholder">
                                <h1>{t!(i18n, nav.portfolio)}</h1>
                                <p>{t!(i18n, portfolio.signin)}</p>
                                <A href="/signin?next=/portfolio" attr:class="button button-primary">{t!(i18n, nav.sign_in)}</A>
                            </section>
                        }.into_any(),
                        Err(err) => view! { <p class="form-error" role="alert">{error_text(&err)}</p> }.into_any(),
                    }
                })}
            </Transition>
            <AlertsCard list=alerts />
        </div>
    }
}

/// The person's first portfolio on the home page: its value, the day's change and the total
/// return, from the same figures as the portfolio page, moving with the live prices.
#[component]
pub fn PortfolioGlance() -> impl IntoView {
    let i18n = use_i18n();
    let figures = Resource::new(|| (), |_| get_portfolio(String::new()));
    view! {
        <section class="card home-card" aria-labelledby="home-portfolio-title">
            <h2 id="home-portfolio-title">{t!(i18n, nav.portfolio)}</h2>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
                {move || Suspend::new(async move {
                    match figures.await {
                        Ok(data) if !data.transactions.is_empty() => {
                            let totals = live_holdings(data.holdings, data.totals).totals;
                            let currency = data.portfolio.map_or("USD".to_string(), |p| p.currency);
                            let pct = |p: Option<Decimal>| p.map(|p| format!(" ({})", percent(p))).unwrap_or_default();
                            let (day, total) = (move || totals.with(|t| t.day_change), move || totals.with(|t| t.total_return));
                            view! {
                                <dl class="glance-figures">
                                    <div>
                                        <dt>{t!(i18n, portfolio.value)}</dt>
                                        <dd class="stat-value">{move || format!("{} {currency}", amount(totals.with(|t| t.value)))}</dd>
                                    </div>
                                    <div>
                                        <dt>{t!(i18n, portfolio.day_change)}</dt>
                                        <dd class=move || tone(day())>{move || format!("{}{}", signed_amount(day()), pct(totals.with(|t| t.day_change_percent)))}</dd>
                                    </div>
                                    <div>
                                        <dt>{t!(i18n, portfolio.total_return)}</dt>
                                        <dd class=move || tone(total())>{move || format!("{}{}", signed_amount(total()), pct(totals.with(|t| t.total_return_percent)))}</dd>
                                    </div>
                                </dl>
                                <A href="/portfolio" attr:class="card-link">{t!(i18n, home.portfolio_open)}</A>
                            }.into_any()
                        }
                        Ok(_) => view! {
                            <p class="muted">{t!(i18n, home.portfolio_empty)}</p>
                            <A href="/portfolio" attr:class="card-link">{t!(i18n, home.portfolio_start)}</A>
                        }.into_any(),
                        Err(err) => view! { <p class="form-error" role="alert">{error_text(&err)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Loaded(
    data: PortfolioView,
    chart: Resource<Result<PerformanceChart, AppError>>,
    range: RwSignal<PerformanceRange>,
) -> impl IntoView {
    let i18n = use_i18n();
    let PortfolioView {
        portfolio,
        portfolios,
        holdings,
        totals,
        sales,
        transactions,
        by_holding,
        by_sector,
    } = data;
    let id = portfolio.as_ref().map(|p| p.id.clone());
    let currency = portfolio
        .as_ref()
        .map_or("USD".to_string(), |p| p.currency.clone());
    let empty = transactions.is_empty();
    let live = live_holdings(holdings.clone(), totals);
    let export_href = id
        .as_ref()
        .map(|id| format!("/api/portfolio/export.csv?portfolio={id}"));
    view! {
        <header class="portfolio-head">
            <h1 class="page-title">{portfolio.as_ref().map_or_else(|| t_string!(i18n, nav.portfolio).to_string(), |p| p.name.clone())}</h1>
            <PortfolioPicker current=portfolio.clone() portfolios />
            {export_href.map(|href| view! {
                <a class="button" href=href download="">{t!(i18n, portfolio.export)}</a>
            })}
        </header>
        {empty.then(|| view! {
            <section class="card">
                <h2>{t!(i18n, portfolio.empty_title)}</h2>
                <p class="help">{t!(i18n, portfolio.empty_help)}</p>
            </section>
        })}
        {(!empty).then(|| view! { <TotalsCards totals=live.totals currency=currency.clone() /> })}
        {(!empty).then(|| view! { <PerformanceCard chart range /> })}
        {(!holdings.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="allocation-title">
                <h2 id="allocation-title">{t!(i18n, portfolio.allocation)}</h2>
                <div class="allocation">
                    <figure>
                        <figcaption>{t!(i18n, portfolio.by_holding)}</figcaption>
                        {by_holding.map(|option| view! {
                            <div class="allocation-chart" role="img" aria-label=move || t_string!(i18n, portfolio.by_holding) data-chart=option></div>
                        })}
                    </figure>
                    <figure>
                        <figcaption>{t!(i18n, portfolio.by_sector)}</figcaption>
                        {by_sector.map(|option| view! {
                            <div class="allocation-chart" role="img" aria-label=move || t_string!(i18n, portfolio.by_sector) data-chart=option></div>
                        })}
                    </figure>
                </div>
            </section>
        })}
        {(!holdings.is_empty()).then(|| view! { <HoldingsTable holdings=holdings.clone() live /> })}
        <form::TransactionCard portfolio=id.clone() currency=currency.clone() />
        {(!sales.is_empty()).then(|| view! { <SalesTable sales /> })}
        {(!empty).then(|| view! { <TransactionsTable portfolio=id.clone().unwrap_or_default() transactions=transactions.clone() /> })}
        <import::ImportCard portfolio=id.clone() />
        <p class="help advice">{t!(i18n, markets.advice)}</p>
    }
}

/// Switch portfolios, make a new one, rename, choose the cost method.
#[component]
fn PortfolioPicker(
    current: Option<PortfolioInfo>,
    portfolios: Vec<PortfolioInfo>,
) -> impl IntoView {
    let i18n = use_i18n();
    let state = expect_context::<PageState>();
    let creating = RwSignal::new(false);
    let editing = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let method = RwSignal::new(current.as_ref().map_or(CostMethod::Fifo, |p| p.method));
    let error = RwSignal::new(None::<String>);
    let current_id = current.as_ref().map(|p| p.id.clone()).unwrap_or_default();
    let current_name = current.as_ref().map(|p| p.name.clone()).unwrap_or_default();
    let save = {
        let current_id = current_id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let (new, id) = (creating.get_untracked(), current_id.clone());
            let (n, m) = (name.get_untracked(), method.get_untracked());
            leptos::task::spawn_local(async move {
                let result = if new {
                    create_portfolio(n, m, String::new()).await
                } else {
                    update_portfolio(id, n, m).await
                };
                match result {
                    Ok(info) => {
                        error.set(None);
                        creating.set(false);
                        editing.set(false);
                        state.selected.set(Some(info.id));
                        state.changed();
                    }
                    Err(err) => error.set(Some(error_text(&err))),
                }
            });
        }
    };
    let has_current = current.is_some();
    view! {
        <div class="portfolio-picker">
            {(portfolios.len() > 1).then(|| view! {
                <label class="visually-hidden" for="portfolio-select">{t!(i18n, portfolio.choose)}</label>
                <select id="portfolio-select" prop:value=current_id.clone()
                    on:change=move |ev| { state.selected.set(Some(event_target_value(&ev))); }>
                    {portfolios.iter().map(|p| view! { <option value=p.id.clone() selected=p.id == current_id>{p.name.clone()}</option> }).collect_view()}
                </select>
            })}
            {has_current.then(|| {
                let current_name = current_name.clone();
                view! {
                    <button type="button" class="button" on:click=move |_| {
                        name.set(current_name.clone());
                        creating.set(false);
                        editing.update(|e| *e = !*e);
                    }>{t!(i18n, portfolio.settings)}</button>
                }
            })}
            <button type="button" class="button" on:click=move |_| {
                name.set(String::new());
                method.set(CostMethod::Fifo);
                editing.set(false);
                creating.update(|c| *c = !*c);
            }>{t!(i18n, portfolio.new_portfolio)}</button>
        </div>
        <Show when=move || creating.get() || editing.get()>
            <form class="card stack portfolio-settings" on:submit=save.clone()>
                <div class="field-row">
                    <div class="field">
                        <label for="portfolio-name">{t!(i18n, portfolio.name)}</label>
                        <input id="portfolio-name" type="text" maxlength="60" required
                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                    </div>
                    <div class="field">
                        <label for="portfolio-method">{t!(i18n, portfolio.method)}</label>
                        <select id="portfolio-method" prop:value=move || method.get().code().to_string()
                            on:change=move |ev| method.set(CostMethod::parse(&event_target_value(&ev)).unwrap_or_default())>
                            <option value="fifo" selected=move || method.get() == CostMethod::Fifo>{t!(i18n, portfolio.method_fifo)}</option>
                            <option value="average" selected=move || method.get() == CostMethod::Average>{t!(i18n, portfolio.method_average)}</option>
                        </select>
                    </div>
                </div>
                <p class="help">{t!(i18n, portfolio.method_help)}</p>
                <p class="form-error" role="alert">{move || error.get()}</p>
                <div class="form-actions">
                    <button type="submit" class="button button-primary">
                        {move || if creating.get() { t_string!(i18n, portfolio.create) } else { t_string!(i18n, portfolio.save) }}
                    </button>
                </div>
            </form>
        </Show>
    }
}

/// The holdings and their totals as the live prices move them, while the calling component
/// lives: each priced holding follows its quote; the totals and weights follow the holdings.
#[derive(Clone, Copy)]
struct LiveHoldings {
    holdings: Memo<Vec<Holding>>,
    totals: Memo<Totals>,
}

fn live_holdings(holdings: Vec<Holding>, totals: Totals) -> LiveHoldings {
    let priced: Vec<String> = holdings
        .iter()
        .filter(|h| h.price.is_some())
        .map(|h| h.symbol.clone())
        .collect();
    let loaded = StoredValue::new((holdings.clone(), totals));
    let now = RwSignal::new(holdings);
    for symbol in priced {
        on_quote(symbol.clone(), move |quote| {
            let Some(price) = Decimal::from_f64(quote.price).map(|p| p.round_dp(4)) else {
                return;
            };
            let previous = quote.previous_close.and_then(Decimal::from_f64);
            now.update(|all| {
                if let Some(h) = all.iter_mut().find(|h| h.symbol == symbol) {
                    *h = h.repriced(price, previous);
                }
            });
        });
    }
    let totals = Memo::new(move |_| {
        now.with(|after| loaded.with_value(|(before, totals)| totals.repriced(before, after)))
    });
    let holdings = Memo::new(move |_| {
        let mut all = now.get();
        weigh(&mut all, totals.with(|t| t.value));
        all
    });
    LiveHoldings { holdings, totals }
}

#[component]
fn TotalsCards(totals: Memo<Totals>, currency: String) -> impl IntoView {
    let i18n = use_i18n();
    let card = move |label: String,
                     value: fn(&Totals) -> Decimal,
                     signed: bool,
                     note: Option<fn(&Totals) -> Option<Decimal>>| {
        let shown = move || {
            let figure = totals.with(value);
            if signed {
                signed_amount(figure)
            } else {
                amount(figure)
            }
        };
        let class = move || if signed { tone(totals.with(value)) } else { "" };
        view! {
            <div class="stat">
                <dt>{label}</dt>
                <dd class=move || format!("stat-value {}", class())>{shown}</dd>
                {note.map(|note| view! { <dd class="help">{move || totals.with(note).map(percent)}</dd> })}
            </div>
        }
    };
    let valued = move || format!("{} {currency}", amount(totals.with(|t| t.value)));
    let fixed = totals.get_untracked();
    view! {
        <section class="card" aria-label=move || t_string!(i18n, portfolio.totals)>
            <dl class="stats-grid totals">
                <div class="stat">
                    <dt>{t!(i18n, portfolio.value)}</dt>
                    <dd class="stat-value">{valued}</dd>
                </div>
                {card(t_string!(i18n, portfolio.day_change).to_string(), |t| t.day_change, true, Some(|t| t.day_change_percent))}
                {card(t_string!(i18n, portfolio.unrealized).to_string(), |t| t.unrealized, true, Some(|t| t.unrealized_percent))}
                {card(t_string!(i18n, portfolio.realized).to_string(), |t| t.realized, true, None)}
                {card(t_string!(i18n, portfolio.dividends).to_string(), |t| t.dividends, false, None)}
                {card(t_string!(i18n, portfolio.total_return).to_string(), |t| t.total_return, true, Some(|t| t.total_return_percent))}
                {fixed.cash.is_some().then(|| card(t_string!(i18n, portfolio.cash).to_string(), |t| t.cash.unwrap_or_default(), false, None))}
            </dl>
            {(fixed.unpriced > 0).then(|| view! {
                <p class="help">{t_string!(i18n, portfolio.unpriced).replace("{n}", &fixed.unpriced.to_string())}</p>
            })}
        </section>
    }
}

#[component]
fn PerformanceCard(
    chart: Resource<Result<PerformanceChart, AppError>>,
    range: RwSignal<PerformanceRange>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card chart-card" aria-labelledby="performance-title">
            <div class="card-head">
                <h2 id="performance-title">{t!(i18n, portfolio.performance)}</h2>
                <div class="segmented" role="group" aria-label=move || t_string!(i18n, markets.range)>
                    {PerformanceRange::ALL.into_iter().map(|r| view! {
                        <button type="button" class="segment-button" aria-pressed=move || (range.get() == r).to_string()
                            on:click=move |_| range.set(r)>{r.label()}</button>
                    }).collect_view()}
                </div>
            </div>
            <Transition fallback=move || view! { <div class="performance-chart loading"></div> }>
                {move || Suspend::new(async move {
                    match chart.await {
                        Ok(drawn) if !drawn.option.is_empty() => {
                            let line = |label: String, value: Option<Decimal>| view! {
                                <span class=format!("perf-return {}", value.map_or("", tone))>
                                    {label} " " {value.map_or_else(|| "—".to_string(), percent)}
                                </span>
                            };
                            view! {
                                <p class="perf-returns">
                                    {line(t_string!(i18n, portfolio.this_portfolio).to_string(), drawn.portfolio_return)}
                                    {line(drawn.benchmark.clone(), drawn.benchmark_return)}
                                </p>
                                <div class="performance-chart" role="img" aria-label=move || t_string!(i18n, portfolio.performance)
                                    data-chart=drawn.option data-days=drawn.days></div>
                                <p class="help">{t!(i18n, portfolio.performance_help)}</p>
                                {drawn.simulated.then(|| view! {
                                    <p class="help simulated-note">
                                        <span class="badge badge-warning">{t!(i18n, markets.simulated)}</span> " "
                                        {t!(i18n, portfolio.performance_simulated)}
                                    </p>
                                })}
                            }.into_any()
                        }
                        Ok(_) => view! { <p class="muted">{t!(i18n, portfolio.performance_none)}</p> }.into_any(),
                        Err(err) => view! { <p class="form-error" role="alert">{error_text(&err)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Columns the holdings table sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Symbol,
    Shares,
    AverageCost,
    Price,
    Value,
    DayChange,
    Unrealized,
    UnrealizedPercent,
    Weight,
}

impl Column {
    fn key(self, h: &Holding) -> Option<Decimal> {
        match self {
            Column::Symbol => None,
            Column::Shares => Some(h.shares),
            Column::AverageCost => Some(h.average_cost),
            Column::Price => h.price,
            Column::Value => h.value,
            Column::DayChange => h.day_change,
            Column::Unrealized => h.unrealized,
            Column::UnrealizedPercent => h.unrealized_percent,
            Column::Weight => h.weight,
        }
    }
}

/// `holdings` ordered by a column; unpriced figures last either way.
fn sorted(mut holdings: Vec<Holding>, column: Column, descending: bool) -> Vec<Holding> {
    holdings.sort_by(|a, b| {
        let order = match column {
            Column::Symbol => a.symbol.cmp(&b.symbol),
            _ => match (column.key(a), column.key(b)) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => return std::cmp::Ordering::Less,
                (None, Some(_)) => return std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            },
        };
        if descending {
            order.reverse()
        } else {
            order
        }
    });
    holdings
}

#[component]
fn HoldingsTable(holdings: Vec<Holding>, live: LiveHoldings) -> impl IntoView {
    let i18n = use_i18n();
    let sort = RwSignal::new((Column::Value, true));
    let all = StoredValue::new(holdings);
    let totals = move || live.totals.get();
    // Rows are ordered by the figures as the page loaded them: they do not jump while prices move.
    let rows = move || {
        let (column, descending) = sort.get();
        sorted(all.get_value(), column, descending)
    };
    let header = move |column: Column, label: String, numeric: bool| {
        let aria = move || match sort.get() {
            (c, true) if c == column => "descending",
            (c, false) if c == column => "ascending",
            _ => "none",
        };
        view! {
            <th scope="col" class=if numeric { "num" } else { "" } aria-sort=aria>
                <button type="button" class="sort-button" on:click=move |_| sort.update(|(c, d)| {
                    if *c == column { *d = !*d } else { *c = column; *d = column != Column::Symbol }
                })>{label}</button>
            </th>
        }
    };
    view! {
        <section class="card" aria-labelledby="holdings-title">
            <h2 id="holdings-title">{t!(i18n, portfolio.holdings)}</h2>
            <div class="table-scroll">
                <table class="data-table holdings">
                    <thead>
                        <tr>
                            {header(Column::Symbol, t_string!(i18n, portfolio.symbol).to_string(), false)}
                            {header(Column::Shares, t_string!(i18n, portfolio.shares).to_string(), true)}
                            {header(Column::AverageCost, t_string!(i18n, portfolio.average_cost).to_string(), true)}
                            {header(Column::Price, t_string!(i18n, portfolio.price).to_string(), true)}
                            {header(Column::Value, t_string!(i18n, portfolio.value).to_string(), true)}
                            {header(Column::DayChange, t_string!(i18n, portfolio.day_change).to_string(), true)}
                            {header(Column::Unrealized, t_string!(i18n, portfolio.unrealized).to_string(), true)}
                            {header(Column::UnrealizedPercent, t_string!(i18n, portfolio.unrealized_percent).to_string(), true)}
                            {header(Column::Weight, t_string!(i18n, portfolio.weight).to_string(), true)}
                        </tr>
                    </thead>
                    <tbody>
                        <For each=rows key=|h| h.symbol.clone() let:h>
                            <HoldingRow h live />
                        </For>
                    </tbody>
                    <tfoot>
                        <tr>
                            <th scope="row">{t!(i18n, portfolio.total)}</th>
                            <td></td><td></td><td></td>
                            <td class="num">{move || amount(totals().value)}</td>
                            <td class=move || format!("num {}", tone(totals().day_change))>{move || signed_amount(totals().day_change)}</td>
                            <td class=move || format!("num {}", tone(totals().unrealized))>{move || signed_amount(totals().unrealized)}</td>
                            <td class=move || format!("num {}", tone(totals().unrealized))>{move || totals().unrealized_percent.map(percent)}</td>
                            <td class="num">"100 %"</td>
                        </tr>
                    </tfoot>
                </table>
            </div>
            <LotsList holdings=all.get_value() />
        </section>
    }
}

/// A holding as its live price moves it (its weight too, with the others').
#[component]
fn HoldingRow(h: Holding, live: LiveHoldings) -> impl IntoView {
    let i18n = use_i18n();
    let dash = || "—".to_string();
    let (symbol, name, simulated) = (h.symbol.clone(), h.name.clone(), h.simulated);
    let (held, average_cost) = (h.shares, h.average_cost);
    let live = Memo::new({
        let symbol = symbol.clone();
        move |_| {
            live.holdings
                .with(|all| all.iter().find(|other| other.symbol == symbol).cloned())
                .unwrap_or_else(|| h.clone())
        }
    });
    let flash = Flash::following(move || live.read().price.and_then(|p| p.to_f64()));
    let unrealized_tone = move || live.read().unrealized.map_or("", tone);
    view! {
        <tr>
            <th scope="row">
                <A href=stock_href(&symbol)>{symbol.clone()}</A>
                {simulated.then(|| view! { " " <span class="badge badge-warning" title=move || t_string!(i18n, markets.simulated_help)>{t!(i18n, markets.simulated)}</span> })}
                <span class="holding-name">{name.unwrap_or_default()}</span>
            </th>
            <td class="num">{shares(held)}</td>
            <td class="num">{amount(average_cost)}</td>
            <td class=move || format!("num price {}", flash.class())>{move || live.read().price.map_or_else(dash, amount)}</td>
            <td class="num">{move || live.read().value.map_or_else(dash, amount)}</td>
            <td class=move || format!("num {}", live.read().day_change.map_or("", tone))>{move || live.read().day_change.map_or_else(dash, signed_amount)}</td>
            <td class=move || format!("num {}", unrealized_tone())>{move || live.read().unrealized.map_or_else(dash, signed_amount)}</td>
            <td class=move || format!("num {}", unrealized_tone())>{move || live.read().unrealized_percent.map_or_else(dash, percent)}</td>
            <td class="num">{move || live.read().weight.map_or_else(dash, |w| format!("{} %", amount(w)))}</td>
        </tr>
    }
}

/// Each holding's open lots (one pooled lot under average cost).
#[component]
fn LotsList(holdings: Vec<Holding>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <details class="lots">
            <summary>{t!(i18n, portfolio.lots)}</summary>
            <div class="table-scroll">
                <table class="data-table">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, portfolio.symbol)}</th>
                            <th scope="col">{t!(i18n, portfolio.bought_on)}</th>
                            <th scope="col" class="num">{t!(i18n, portfolio.shares)}</th>
                            <th scope="col" class="num">{t!(i18n, portfolio.cost)}</th>
                            <th scope="col" class="num">{t!(i18n, portfolio.cost_per_share)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {holdings.into_iter().flat_map(|h| {
                            let symbol = h.symbol.clone();
                            h.lots.into_iter().map(move |lot| view! {
                                <tr>
                                    <td>{symbol.clone()}</td>
                                    <td>{day(&lot.date)}</td>
                                    <td class="num">{shares(lot.shares)}</td>
                                    <td class="num">{amount(lot.cost)}</td>
                                    <td class="num">{amount(lot.cost_per_share())}</td>
                                </tr>
                            })
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </details>
    }
}

#[component]
fn SalesTable(sales: Vec<Sale>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="sales-title">
            <h2 id="sales-title">{t!(i18n, portfolio.sales)}</h2>
            <div class="table-scroll">
                <table class="data-table">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, portfolio.date)}</th>
                            <th scope="col">{t!(i18n, portfolio.symbol)}</th>
                            <th scope="col" class="num">{t!(i18n, portfolio.shares)}</th>
                            <th scope="col" class="num">{t!(i18n, portfolio.proceeds)}</th>
                            <th scope="col" class="num">{t!(i18n, portfolio.cost)}</th>
                            <th scope="col" class="num">{t!(i18n, portfolio.gain)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {sales.into_iter().map(|s| view! {
                            <tr>
                                <td>{day(&s.date)}</td>
                                <td>{s.symbol.clone()}</td>
                                <td class="num">{shares(s.shares)}</td>
                                <td class="num">{amount(s.proceeds)}</td>
                                <td class="num">{amount(s.cost)}</td>
                                <td class=format!("num {}", tone(s.gain))>{signed_amount(s.gain)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// How a transaction reads in the list: "10 × 93.42", "4 : 1", "7.50".
fn what(t: &Transaction) -> String {
    let d = &t.data;
    match d.kind {
        Kind::Buy | Kind::Sell => format!(
            "{} × {}",
            shares(d.shares.unwrap_or_default()),
            amount(d.price.unwrap_or_default())
        ),
        Kind::Split => format!("{} : 1", shares(d.ratio.unwrap_or_default())),
        _ => amount(d.amount.unwrap_or_default()),
    }
}

#[component]
fn TransactionsTable(portfolio: String, transactions: Vec<Transaction>) -> impl IntoView {
    let i18n = use_i18n();
    let state = expect_context::<PageState>();
    let editing = expect_context::<form::Editing>();
    let error = RwSignal::new(None::<String>);
    let delete = move |id: String| {
        let portfolio = portfolio.clone();
        leptos::task::spawn_local(async move {
            match delete_transaction(portfolio, id).await {
                Ok(()) => {
                    error.set(None);
                    state.changed();
                }
                Err(err) => error.set(Some(error_text(&err))),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="transactions-title">
            <h2 id="transactions-title">{t!(i18n, portfolio.transactions)}</h2>
            <p class="form-error" role="alert">{move || error.get()}</p>
            <div class="table-scroll">
                <table class="data-table transactions">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, portfolio.date)}</th>
                            <th scope="col">{t!(i18n, portfolio.type_)}</th>
                            <th scope="col">{t!(i18n, portfolio.symbol)}</th>
                            <th scope="col" class="num">{t!(i18n, portfolio.details)}</th>
                            <th scope="col" class="num">{t!(i18n, portfolio.fees)}</th>
                            <th scope="col">{t!(i18n, portfolio.note)}</th>
                            <th scope="col"><span class="visually-hidden">{t!(i18n, portfolio.actions)}</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        {transactions.into_iter().map(|t| {
                            let delete = delete.clone();
                            let id = t.id.clone();
                            let edit = t.clone();
                            let label = format!("{} {} {}", day(&t.data.date), t.data.kind.code(), t.data.symbol.clone().unwrap_or_default());
                            let edit_label = format!("{} {label}", t_string!(i18n, portfolio.edit));
                            let delete_label = format!("{} {label}", t_string!(i18n, portfolio.delete));
                            view! {
                                <tr>
                                    <td>{day(&t.data.date)}</td>
                                    <td><span class=format!("kind kind-{}", t.data.kind.code().to_lowercase())>{kind_text(t.data.kind)}</span></td>
                                    <td>{t.data.symbol.clone().unwrap_or_default()}</td>
                                    <td class="num">{what(&t)}</td>
                                    <td class="num">{(!t.data.fees.is_zero()).then(|| amount(t.data.fees))}</td>
                                    <td class="note">{t.data.note.clone()}</td>
                                    <td class="row-actions">
                                        <button type="button" class="link-button" aria-label=edit_label
                                            on:click=move |_| editing.start(edit.clone())>{t!(i18n, portfolio.edit)}</button>
                                        <button type="button" class="link-button danger" aria-label=delete_label
                                            on:click=move |_| delete(id.clone())>{t!(i18n, portfolio.delete)}</button>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn figures_are_grouped_and_signed() {
        assert_eq!(amount(d("1234567.891")), "1,234,567.89");
        assert_eq!(amount(d("-12")), "−12.00");
        assert_eq!(signed_amount(d("337.5")), "+337.50");
        assert_eq!(shares(d("1200")), "1,200");
        assert_eq!(shares(d("3.1250")), "3.125");
        assert_eq!(percent(d("-0.456")), "−0.46 %");
    }
}
