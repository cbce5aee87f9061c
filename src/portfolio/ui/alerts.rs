//! Price alerts: set one (a symbol, what to watch — the price, the day's move, a moving average
//! or the RSI — and the line), see which are waiting and which fired.
//! A fired alert also pops up wherever the person is in the app ([`AlertNotices`]).

use leptos::prelude::*;
use leptos_router::components::A;

use super::{amount, PageState};
use crate::{
    auth::ui::pages::error_text,
    kit::{
        i18n::{t, t_string, use_i18n},
        live::use_live_events,
        notices::{use_notices, Notice},
    },
    market::ui::stock_href,
    platform::error::AppError,
    portfolio::{
        alerts::{AlertEvent, AlertKind, Direction, PriceAlert},
        api::{create_alert, delete_alert},
    },
};

/// What an alert waits for ("when above 200.00", "when its 14-day RSI falls below 30").
pub fn condition_text(alert: &PriceAlert) -> String {
    let i18n = use_i18n();
    let text = match (alert.kind, alert.direction) {
        (AlertKind::Price, Direction::Above) => t_string!(i18n, portfolio.alert_waiting_above),
        (AlertKind::Price, Direction::Below) => t_string!(i18n, portfolio.alert_waiting_below),
        (AlertKind::Move, Direction::Above) => t_string!(i18n, portfolio.alert_waiting_move_above),
        (AlertKind::Move, Direction::Below) => t_string!(i18n, portfolio.alert_waiting_move_below),
        (AlertKind::Average, Direction::Above) => {
            t_string!(i18n, portfolio.alert_waiting_average_above)
        }
        (AlertKind::Average, Direction::Below) => {
            t_string!(i18n, portfolio.alert_waiting_average_below)
        }
        (AlertKind::Rsi, Direction::Above) => t_string!(i18n, portfolio.alert_waiting_rsi_above),
        (AlertKind::Rsi, Direction::Below) => t_string!(i18n, portfolio.alert_waiting_rsi_below),
    };
    // A price is money; a percentage or a level is a plain number.
    let target = match alert.kind {
        AlertKind::Price => amount(alert.target),
        _ => alert.target.normalize().to_string(),
    };
    text.replace("{target}", &target)
        .replace("{period}", &alert.period.unwrap_or_default().to_string())
}

/// "AAPL went above 200.00 (at 200.15)" in the reader's language.
pub fn alert_text(alert: &PriceAlert) -> String {
    let i18n = use_i18n();
    let price = alert.triggered_price.map(amount).unwrap_or_default();
    let text = match (alert.kind, alert.direction) {
        (AlertKind::Price, Direction::Above) => t_string!(i18n, portfolio.alert_fired_above),
        (AlertKind::Price, Direction::Below) => t_string!(i18n, portfolio.alert_fired_below),
        _ => {
            return t_string!(i18n, portfolio.alert_fired_at)
                .replace("{symbol}", &alert.symbol)
                .replace("{condition}", &condition_text(alert))
                .replace("{price}", &price)
        }
    };
    text.replace("{symbol}", &alert.symbol)
        .replace("{target}", &amount(alert.target))
        .replace("{price}", &price)
}

/// Turns the person's fired alerts into notices, wherever they are in the app.
#[component]
pub fn AlertNotices() -> impl IntoView {
    let notices = use_notices();
    use_live_events().on(move |AlertEvent::AlertTriggered { alert }| {
        notices.push(
            Notice {
                id: alert.id.clone(),
                text: alert_text(&alert),
                href: stock_href(&alert.symbol),
            },
            std::time::Duration::from_secs(12),
        );
    });
}

/// The alerts card; `list` is the page's resource (a guest's is an error: no card).
#[component]
pub fn AlertsCard(list: Resource<Result<Vec<PriceAlert>, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let state = expect_context::<PageState>();
    let refresh = move || state.alerts.update(|v| *v += 1);
    // A fired alert arrives over the socket: show it here too.
    use_live_events().on(move |AlertEvent::AlertTriggered { .. }| refresh());
    let symbol = RwSignal::new(String::new());
    let kind = RwSignal::new(AlertKind::Price);
    let direction = RwSignal::new("above".to_string());
    let price = RwSignal::new(String::new());
    let period = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (s, k, d, p) = (
            symbol.get_untracked(),
            kind.get_untracked(),
            direction.get_untracked(),
            price.get_untracked(),
        );
        // An empty period is the kind's usual one.
        let days = k
            .periods()
            .map(|(usual, _)| period.get_untracked().trim().parse().unwrap_or(usual));
        leptos::task::spawn_local(async move {
            match create_alert(s, d, p, k.code().to_string(), days).await {
                Ok(_) => {
                    failure.set(None);
                    symbol.set(String::new());
                    price.set(String::new());
                    refresh();
                }
                Err(err) => failure.set(Some(error_text(&err))),
            }
        });
    };
    let remove = move |id: String| {
        leptos::task::spawn_local(async move {
            match delete_alert(id).await {
                Ok(()) => refresh(),
                Err(err) => failure.set(Some(error_text(&err))),
            }
        });
    };
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                list.await.ok().map(|alerts| view! {
                    <section class="card" aria-labelledby="alerts-title">
                        <h2 id="alerts-title">{t!(i18n, portfolio.alerts)}</h2>
                        <p class="help">{t!(i18n, portfolio.alerts_help)}</p>
                        <form class="field-row alert-form" on:submit=submit>
                            <div class="field">
                                <label for="alert-symbol">{t!(i18n, portfolio.symbol)}</label>
                                <input id="alert-symbol" type="text" required maxlength="16" placeholder="AAPL"
                                    prop:value=move || symbol.get() on:input=move |ev| symbol.set(event_target_value(&ev)) />
                            </div>
                            <div class="field">
                                <label for="alert-kind">{t!(i18n, portfolio.alert_kind)}</label>
                                <select id="alert-kind" on:change=move |ev| {
                                    kind.set(AlertKind::parse(&event_target_value(&ev)).unwrap_or_default());
                                    period.set(String::new());
                                }>
                                    {[
                                        (AlertKind::Price, t_string!(i18n, portfolio.alert_kind_price)),
                                        (AlertKind::Move, t_string!(i18n, portfolio.alert_kind_move)),
                                        (AlertKind::Average, t_string!(i18n, portfolio.alert_kind_average)),
                                        (AlertKind::Rsi, t_string!(i18n, portfolio.alert_kind_rsi)),
                                    ].into_iter().map(|(k, label)| view! {
                                        <option value=k.code() selected=move || kind.get() == k>{label}</option>
                                    }).collect_view()}
                                </select>
                            </div>
                            <div class="field">
                                <label for="alert-direction">{move || if kind.get() == AlertKind::Price {
                                    t_string!(i18n, portfolio.alert_when)
                                } else {
                                    t_string!(i18n, portfolio.alert_direction)
                                }}</label>
                                <select id="alert-direction" on:change=move |ev| direction.set(event_target_value(&ev))>
                                    <option value="above" selected=move || direction.get() == "above">{move || if kind.get() == AlertKind::Move {
                                        t_string!(i18n, portfolio.alert_up)
                                    } else {
                                        t_string!(i18n, portfolio.alert_above)
                                    }}</option>
                                    <option value="below" selected=move || direction.get() == "below">{move || if kind.get() == AlertKind::Move {
                                        t_string!(i18n, portfolio.alert_down)
                                    } else {
                                        t_string!(i18n, portfolio.alert_below)
                                    }}</option>
                                </select>
                            </div>
                            {move || (kind.get() != AlertKind::Average).then(|| view! {
                                <div class="field">
                                    <label for="alert-price">{move || match kind.get() {
                                        AlertKind::Move => t_string!(i18n, portfolio.alert_line_move),
                                        AlertKind::Rsi => t_string!(i18n, portfolio.alert_line_rsi),
                                        _ => t_string!(i18n, portfolio.alert_price),
                                    }}</label>
                                    <input id="alert-price" type="text" inputmode="decimal" required
                                        prop:value=move || price.get() on:input=move |ev| price.set(event_target_value(&ev)) />
                                </div>
                            })}
                            {move || kind.get().periods().map(|(usual, range)| view! {
                                <div class="field">
                                    <label for="alert-period">{t!(i18n, portfolio.alert_period)}</label>
                                    <input id="alert-period" type="number" inputmode="numeric"
                                        min=*range.start() max=*range.end() placeholder=usual.to_string()
                                        prop:value=move || period.get() on:input=move |ev| period.set(event_target_value(&ev)) />
                                </div>
                            })}
                            <div class="form-actions">
                                <button type="submit" class="button button-primary">{t!(i18n, portfolio.alert_add)}</button>
                            </div>
                        </form>
                        <p class="form-error" role="alert">{move || failure.get()}</p>
                        {if alerts.is_empty() {
                            view! { <p class="muted">{t!(i18n, portfolio.alerts_none)}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="alert-list">
                                    {alerts.into_iter().map(|alert| {
                                        let id = alert.id.clone();
                                        let fired = alert.triggered_at.is_some();
                                        let text = if fired { alert_text(&alert) } else { condition_text(&alert) };
                                        let delete_label = format!("{} {}", t_string!(i18n, portfolio.delete), alert.symbol);
                                        view! {
                                            <li class=if fired { "alert-item fired" } else { "alert-item" }>
                                                <A href=stock_href(&alert.symbol)>{alert.symbol.clone()}</A>
                                                <span>{text}</span>
                                                <span class=if fired { "badge badge-warning" } else { "badge" }>
                                                    {if fired { t_string!(i18n, portfolio.alert_fired) } else { t_string!(i18n, portfolio.alert_waiting) }}
                                                </span>
                                                <button type="button" class="link-button" on:click=move |_| remove(id.clone())
                                                    aria-label=delete_label>
                                                    {t!(i18n, portfolio.delete)}
                                                </button>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </section>
                })
            })}
        </Transition>
    }
}
