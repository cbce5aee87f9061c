//! Price alerts: set one (symbol, above or below, price), see which are waiting and which fired.
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
        alerts::{AlertEvent, Direction, PriceAlert},
        api::{create_alert, delete_alert},
    },
};

/// "AAPL went above 200.00 (200.15)" in the reader's language.
pub fn alert_text(alert: &PriceAlert) -> String {
    let i18n = use_i18n();
    let text = match alert.direction {
        Direction::Above => t_string!(i18n, portfolio.alert_fired_above),
        Direction::Below => t_string!(i18n, portfolio.alert_fired_below),
    };
    text.replace("{symbol}", &alert.symbol)
        .replace("{target}", &amount(alert.target))
        .replace(
            "{price}",
            &alert.triggered_price.map(amount).unwrap_or_default(),
        )
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
    let direction = RwSignal::new("above".to_string());
    let price = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (s, d, p) = (
            symbol.get_untracked(),
            direction.get_untracked(),
            price.get_untracked(),
        );
        leptos::task::spawn_local(async move {
            match create_alert(s, d, p).await {
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
                                <label for="alert-direction">{t!(i18n, portfolio.alert_when)}</label>
                                <select id="alert-direction" on:change=move |ev| direction.set(event_target_value(&ev))>
                                    <option value="above" selected=move || direction.get() == "above">{t!(i18n, portfolio.alert_above)}</option>
                                    <option value="below" selected=move || direction.get() == "below">{t!(i18n, portfolio.alert_below)}</option>
                                </select>
                            </div>
                            <div class="field">
                                <label for="alert-price">{t!(i18n, portfolio.alert_price)}</label>
                                <input id="alert-price" type="text" inputmode="decimal" required
                                    prop:value=move || price.get() on:input=move |ev| price.set(event_target_value(&ev)) />
                            </div>
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
                                        let waiting = match alert.direction {
                                            Direction::Above => t_string!(i18n, portfolio.alert_waiting_above),
                                            Direction::Below => t_string!(i18n, portfolio.alert_waiting_below),
                                        }
                                        .replace("{target}", &amount(alert.target));
                                        let text = if fired { alert_text(&alert) } else { waiting };
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
