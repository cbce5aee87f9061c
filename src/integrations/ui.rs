//! Manage → Integrations: the marketplace (each item with what it may do, shown before it is
//! installed), what the community has installed, and each outgoing webhook's delivery log.

use leptos::prelude::*;

use super::{
    api::{load_integrations, webhook_deliveries, InstallIntegration, RemoveIntegration},
    AlertRule, Delivery, DeliveryStatus, Failure, Grant, Installed, Kind, NewIntegration,
    CATALOGUE,
};
use crate::{
    auth::ui::field::FormError,
    community::{ui::manage::failure, CommunityView},
    kit::{
        i18n::{t, t_string, use_i18n},
        secret::ShownOnce,
        time::When,
    },
};

fn kind_name(kind: Kind) -> &'static str {
    let i18n = use_i18n();
    match kind {
        Kind::StockBot => t_string!(i18n, integrations.stock_bot),
        Kind::PriceAlert => t_string!(i18n, integrations.price_alert),
        Kind::NewsFeed => t_string!(i18n, integrations.news_feed),
        Kind::IncomingWebhook => t_string!(i18n, integrations.incoming),
        Kind::OutgoingWebhook => t_string!(i18n, integrations.outgoing),
    }
}

fn kind_about(kind: Kind) -> &'static str {
    let i18n = use_i18n();
    match kind {
        Kind::StockBot => t_string!(i18n, integrations.stock_bot_about),
        Kind::PriceAlert => t_string!(i18n, integrations.price_alert_about),
        Kind::NewsFeed => t_string!(i18n, integrations.news_feed_about),
        Kind::IncomingWebhook => t_string!(i18n, integrations.incoming_about),
        Kind::OutgoingWebhook => t_string!(i18n, integrations.outgoing_about),
    }
}

fn grant_text(grant: Grant) -> &'static str {
    let i18n = use_i18n();
    match grant {
        Grant::ReadCommands => t_string!(i18n, integrations.grant_read_commands),
        Grant::PostAnswers => t_string!(i18n, integrations.grant_post_answers),
        Grant::PostAsBot => t_string!(i18n, integrations.grant_post_as_bot),
        Grant::SecretAddress => t_string!(i18n, integrations.grant_secret_address),
        Grant::ReadChannel => t_string!(i18n, integrations.grant_read_channel),
        Grant::SendOutside => t_string!(i18n, integrations.grant_send_outside),
        Grant::WatchPrices => t_string!(i18n, integrations.grant_watch_prices),
        Grant::ReadNews => t_string!(i18n, integrations.grant_read_news),
    }
}

/// A price-alert bot's rule in words ("at or above 200.00").
fn rule_text(rule: AlertRule) -> String {
    let i18n = use_i18n();
    match rule {
        AlertRule::Above { price } => {
            format!("{} {price:.2}", t_string!(i18n, integrations.rule_above))
        }
        AlertRule::Below { price } => {
            format!("{} {price:.2}", t_string!(i18n, integrations.rule_below))
        }
        AlertRule::Moves { percent } => {
            format!("{} {percent} %", t_string!(i18n, integrations.rule_moves))
        }
    }
}

/// The rule the form describes, if its number reads.
fn rule_of(when: &str, number: &str) -> Option<AlertRule> {
    let value: f64 = number.trim().replace(',', ".").parse().ok()?;
    Some(match when {
        "below" => AlertRule::Below { price: value },
        "moves" => AlertRule::Moves { percent: value },
        _ => AlertRule::Above { price: value },
    })
}

/// The address an incoming webhook's path is reached at from outside.
fn full_address(path: &str) -> String {
    #[cfg(feature = "hydrate")]
    {
        let origin = window().location().origin().unwrap_or_default();
        format!("{origin}{path}")
    }
    #[cfg(not(feature = "hydrate"))]
    path.to_owned()
}

#[component]
pub fn IntegrationsSection(view: CommunityView) -> impl IntoView {
    let i18n = use_i18n();
    let slug = StoredValue::new(view.community.slug.clone());
    let channels: Vec<(String, String)> = view
        .channels
        .iter()
        .filter(|c| !c.archived)
        .map(|c| (c.id.clone(), c.name.clone()))
        .collect();
    let first_channel = channels
        .first()
        .map(|(id, _)| id.clone())
        .unwrap_or_default();
    let channels = StoredValue::new(channels);
    let install = ServerAction::<InstallIntegration>::new();
    let remove = ServerAction::<RemoveIntegration>::new();
    let market = Resource::new(
        move || (install.version().get(), remove.version().get()),
        move |_| load_integrations(slug.get_value()),
    );
    // The item whose install form is open, and what is typed in it.
    let choosing = RwSignal::new(None::<Kind>);
    let name = RwSignal::new(String::new());
    let channel = RwSignal::new(first_channel);
    let url = RwSignal::new(String::new());
    let symbols = RwSignal::new(String::new());
    let when = RwSignal::new("above".to_string());
    let threshold = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(_)) = install.value().get() {
            choosing.set(None);
            name.set(String::new());
            url.set(String::new());
            symbols.set(String::new());
            threshold.set(String::new());
        }
    });
    let install_error = failure(install);
    let remove_error = failure(remove);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(kind) = choosing.get_untracked() else {
            return;
        };
        install.dispatch(InstallIntegration {
            slug: slug.get_value(),
            integration: NewIntegration {
                kind,
                name: name.get_untracked(),
                channel: Some(channel.get_untracked()),
                url: kind.needs_url().then(|| url.get_untracked()),
                symbols: kind.needs_symbols().then(|| symbols.get_untracked()),
                rule: (kind == Kind::PriceAlert)
                    .then(|| rule_of(&when.get_untracked(), &threshold.get_untracked()))
                    .flatten(),
            },
        });
    };
    let made = move || {
        install
            .value()
            .get()
            .and_then(Result::ok)
            .and_then(|made| made.secret.map(|secret| (made.installed, secret)))
    };
    view! {
        <section class="card settings-section" aria-labelledby="integrations-title">
            <h2 id="integrations-title">{t!(i18n, integrations.title)}</h2>
            <p class="help">{t!(i18n, integrations.intro)}</p>
            {move || made().map(|(installed, secret)| {
                let (text, once) = if installed.kind == Kind::IncomingWebhook {
                    (full_address(&secret), t_string!(i18n, integrations.address_once))
                } else {
                    (secret, t_string!(i18n, integrations.key_once))
                };
                view! {
                    <div class="token-made" role="status">
                        <p><strong>{installed.name.clone()}</strong> " " {once}</p>
                        <ShownOnce id="integration-secret" label=once.to_string() text />
                    </div>
                }
            })}
            <FormError message=Signal::derive(remove_error) />
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
                {move || Suspend::new(async move {
                    market.await.map(|market| {
                        let installed = market.installed.clone();
                        view! {
                            <h3>{t!(i18n, integrations.catalogue)}</h3>
                            <ul class="integrations">
                                {CATALOGUE.into_iter().map(|kind| {
                                    let offered = market.may_install(kind);
                                    view! {
                                        <li class="integration" data-kind=kind.as_str()>
                                            <div class="integration-head">
                                                <span class="integration-icon" aria-hidden="true">{kind.icon()}</span>
                                                <h4>{kind_name(kind)}</h4>
                                                {(!offered).then(|| view! { <span class="badge">{t!(i18n, integrations.installed_badge)}</span> })}
                                            </div>
                                            <p>{kind_about(kind)}</p>
                                            <p class="integration-grants-title">{t!(i18n, integrations.grants)}</p>
                                            <ul class="integration-grants">
                                                {kind.grants().iter().map(|g| view! { <li>{grant_text(*g)}</li> }).collect_view()}
                                            </ul>
                                            {offered.then(|| if kind.needs_channel() {
                                                view! {
                                                    <button type="button" class="button button-small"
                                                        aria-expanded=move || (choosing.get() == Some(kind)).to_string()
                                                        on:click=move |_| choosing.update(|c| *c = if *c == Some(kind) { None } else { Some(kind) })>
                                                        {t!(i18n, integrations.install)}
                                                    </button>
                                                }.into_any()
                                            } else {
                                                view! {
                                                    <button type="button" class="button button-small" disabled=move || install.pending().get()
                                                        on:click=move |_| { install.dispatch(InstallIntegration {
                                                            slug: slug.get_value(),
                                                            integration: NewIntegration { kind, name: String::new(), channel: None, url: None, symbols: None, rule: None },
                                                        }); }>
                                                        {t!(i18n, integrations.install)}
                                                    </button>
                                                }.into_any()
                                            })}
                                            <Show when=move || choosing.get() == Some(kind)>
                                                <form class="stack integration-form" novalidate on:submit=submit
                                                    aria-label=move || format!("{} {}", t_string!(i18n, integrations.install), kind_name(kind))>
                                                    <div class="field">
                                                        <label for=format!("{}-name", kind.as_str())>{t!(i18n, integrations.name_label)}</label>
                                                        <input id=format!("{}-name", kind.as_str()) type="text" maxlength="40" required
                                                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                                                    </div>
                                                    <div class="field">
                                                        <label for=format!("{}-channel", kind.as_str())>{t!(i18n, integrations.channel_label)}</label>
                                                        <select id=format!("{}-channel", kind.as_str()) on:change=move |ev| channel.set(event_target_value(&ev))>
                                                            {channels.get_value().into_iter().map(|(id, label)| {
                                                                let selected = channel.get_untracked() == id;
                                                                view! { <option value=id selected=selected>"#"{label}</option> }
                                                            }).collect_view()}
                                                        </select>
                                                    </div>
                                                    {kind.needs_url().then(|| view! {
                                                        <div class="field">
                                                            <label for="outgoing-webhook-url">{t!(i18n, integrations.url_label)}</label>
                                                            <input id="outgoing-webhook-url" type="url" inputmode="url" placeholder="https://example.com/hooks/bullpen"
                                                                prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev)) />
                                                        </div>
                                                    })}
                                                    {kind.needs_symbols().then(|| view! {
                                                        <div class="field">
                                                            <label for=format!("{}-symbols", kind.as_str())>{t!(i18n, integrations.symbols_label)}</label>
                                                            <input id=format!("{}-symbols", kind.as_str()) type="text" placeholder="AAPL, MSFT" autocapitalize="characters"
                                                                prop:value=move || symbols.get() on:input=move |ev| symbols.set(event_target_value(&ev)) />
                                                        </div>
                                                    })}
                                                    {(kind == Kind::PriceAlert).then(|| view! {
                                                        <div class="field-row">
                                                            <div class="field">
                                                                <label for="price-alert-when">{t!(i18n, integrations.rule_label)}</label>
                                                                <select id="price-alert-when" prop:value=move || when.get() on:change=move |ev| when.set(event_target_value(&ev))>
                                                                    <option value="above">{t!(i18n, integrations.rule_above)}</option>
                                                                    <option value="below">{t!(i18n, integrations.rule_below)}</option>
                                                                    <option value="moves">{t!(i18n, integrations.rule_moves)}</option>
                                                                </select>
                                                            </div>
                                                            <div class="field">
                                                                <label for="price-alert-number">{t!(i18n, integrations.threshold_label)}</label>
                                                                <input id="price-alert-number" type="text" inputmode="decimal"
                                                                    prop:value=move || threshold.get() on:input=move |ev| threshold.set(event_target_value(&ev)) />
                                                            </div>
                                                        </div>
                                                    })}
                                                    <FormError message=Signal::derive(install_error) />
                                                    <div class="form-actions">
                                                        <button type="submit" class="button button-primary" disabled=move || install.pending().get()>
                                                            {t!(i18n, integrations.install)}
                                                        </button>
                                                        <button type="button" class="button" on:click=move |_| choosing.set(None)>{t!(i18n, integrations.cancel)}</button>
                                                    </div>
                                                </form>
                                            </Show>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            <h3>{t!(i18n, integrations.installed_title)}</h3>
                            {if installed.is_empty() {
                                view! { <p class="muted">{t!(i18n, integrations.none_installed)}</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="tokens installed-integrations">
                                        {installed.into_iter().map(|item| view! { <InstalledItem item slug=slug.get_value() remove /> }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        }
                    })
                })}
            </Transition>
        </section>
    }
}

#[component]
fn InstalledItem(
    item: Installed,
    slug: String,
    remove: ServerAction<RemoveIntegration>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = item.id.clone();
    let outgoing = item.kind == Kind::OutgoingWebhook;
    let label = item.name.clone();
    view! {
        <li class="token" data-kind=item.kind.as_str()>
            <div class="token-head">
                <span aria-hidden="true">{item.kind.icon()}</span>
                <strong>{item.name.clone()}</strong>
                // The stock bot keeps its own name: its kind would say it twice.
                {(!item.name.eq_ignore_ascii_case(kind_name(item.kind))).then(|| view! {
                    <span class="muted">{kind_name(item.kind)}</span>
                })}
                {item.kind.has_bot().then(|| view! { <span class="badge">{t!(i18n, chat.bot)}</span> })}
            </div>
            {item.channel.clone().map(|c| view! { <p class="token-dates">{t!(i18n, integrations.in_channel)} " " <strong>"#"{c}</strong></p> })}
            {item.url.clone().map(|u| view! { <p class="token-dates integration-url"><code>{u}</code></p> })}
            {(!item.symbols.is_empty()).then(|| view! {
                <p class="token-dates">
                    {t!(i18n, integrations.watches)} " "
                    <strong>{item.symbols.iter().map(|s| format!("${s}")).collect::<Vec<_>>().join(", ")}</strong>
                    {item.rule.map(|r| format!(" · {}", rule_text(r)))}
                </p>
            })}
            <p class="muted token-dates">
                {t!(i18n, integrations.installed_on)} " " <When iso=item.installed_at.clone() />
                {item.installed_by.clone().map(|who| view! { " · " {who} })}
            </p>
            {outgoing.then(|| view! { <DeliveryLog slug=slug.clone() id=id.clone() /> })}
            <button type="button" class="button button-small button-danger"
                aria-label=move || format!("{} {}", t_string!(i18n, integrations.remove), label)
                disabled=move || remove.pending().get()
                on:click={
                    let slug = slug.clone();
                    let id = id.clone();
                    move |_| { remove.dispatch(RemoveIntegration { slug: slug.clone(), id: id.clone() }); }
                }>
                {t!(i18n, integrations.remove)}
            </button>
        </li>
    }
}

fn status_text(status: DeliveryStatus) -> &'static str {
    let i18n = use_i18n();
    match status {
        DeliveryStatus::Pending => t_string!(i18n, integrations.status_pending),
        DeliveryStatus::Delivered => t_string!(i18n, integrations.status_delivered),
        DeliveryStatus::Failed => t_string!(i18n, integrations.status_failed),
        DeliveryStatus::Withdrawn => t_string!(i18n, integrations.status_withdrawn),
    }
}

fn failure_text(delivery: &Delivery) -> Option<String> {
    let i18n = use_i18n();
    Some(match delivery.failure? {
        Failure::Status => t_string!(i18n, integrations.failure_status).replace(
            "{code}",
            &delivery.last_code.unwrap_or_default().to_string(),
        ),
        Failure::Timeout => t_string!(i18n, integrations.failure_timeout).to_owned(),
        Failure::Unreachable => t_string!(i18n, integrations.failure_unreachable).to_owned(),
        Failure::PrivateAddress => t_string!(i18n, integrations.failure_private).to_owned(),
    })
}

/// An outgoing webhook's latest deliveries, read when opened and again on demand.
#[component]
fn DeliveryLog(slug: String, id: String) -> impl IntoView {
    let i18n = use_i18n();
    let refreshed = RwSignal::new(0u32);
    let open = RwSignal::new(false);
    let log = Resource::new(
        move || (open.get(), refreshed.get()),
        move |(open, _)| {
            let (slug, id) = (slug.clone(), id.clone());
            async move {
                if open {
                    webhook_deliveries(slug, id).await.map(Some)
                } else {
                    Ok(None)
                }
            }
        },
    );
    view! {
        <details class="delivery-log" on:toggle=move |ev| {
            #[cfg(feature = "hydrate")]
            {
                use wasm_bindgen::JsCast;
                if let Some(details) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok()) {
                    open.set(details.open());
                }
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = ev;
        }>
            <summary>{t!(i18n, integrations.deliveries)}</summary>
            <button type="button" class="button button-small" on:click=move |_| refreshed.update(|n| *n += 1)>
                {t!(i18n, integrations.refresh)}
            </button>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    log.await.map(|found| match found {
                        None => ().into_any(),
                        Some(found) if found.is_empty() => view! { <p class="muted">{t!(i18n, integrations.no_deliveries)}</p> }.into_any(),
                        Some(found) => view! {
                            <ul class="deliveries">
                                {found.into_iter().map(|d| {
                                    let why = failure_text(&d);
                                    view! {
                                        <li class="delivery" data-status=d.status.as_str()>
                                            <span class=format!("badge delivery-{}", d.status.as_str())>{status_text(d.status)}</span>
                                            " " <When iso=d.created_at.clone() />
                                            " · " {t_string!(i18n, integrations.attempts).replace("{count}", &d.attempts.to_string())}
                                            {why.map(|why| view! { " · " {why} })}
                                            {d.next_at.clone().map(|at| view! { " · " {t!(i18n, integrations.next_try)} " " <When iso=at /> })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    })
                })}
            </Transition>
        </details>
    }
}
