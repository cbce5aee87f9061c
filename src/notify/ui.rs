//! Notifications in the browser: the inbox (its bell and badge, `/inbox`), notices for what
//! arrives while the tab is open, the browser's own notification while it is hidden, what a
//! person hears of a place, and Web Push for this browser.

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_location};

use super::{
    api::{load_inbox, load_notification_settings, mark_inbox_read, set_notifications},
    InboxItem, InboxKind, Level, Mute, NotificationSettings,
};
use crate::{
    auth::ui::{pages::error_text, session::use_session},
    chat::{
        ui::socket::{use_chat_socket, SocketStatus},
        ServerEvent,
    },
    kit::{
        i18n::{t, t_string, use_i18n},
        icons::{Icon, IconName},
        notices::{use_notices, Notice, OnScreen},
    },
};

/// The inbox's unread count, shared by the bell and the inbox page.
#[derive(Clone, Copy)]
pub struct InboxCount(pub RwSignal<u64>);

pub fn provide_inbox() {
    provide_context(InboxCount(RwSignal::new(0)));
}

pub fn use_inbox() -> InboxCount {
    expect_context::<InboxCount>()
}

/// Where this browser keeps that it is pushed to (so the tab does not show a second
/// notification for what the service worker shows).
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const PUSHED_HERE: &str = "bullpen.push";

/// For a signed-in person: opens the socket, keeps the inbox count, and turns what they hear of
/// into a notice (on another page) or the browser's notification (while the tab is hidden).
#[component]
pub fn NotificationWatch() -> impl IntoView {
    let i18n = use_i18n();
    let socket = use_chat_socket();
    let session = use_session();
    let notices = use_notices();
    let count = use_inbox();
    let location = use_location();
    Effect::new(move |_| {
        if session.user().is_some() {
            socket.start();
        }
    });
    // Counts the server sent; a count read before one of them arrived is older and dropped.
    let counts_told = StoredValue::new(0u64);
    let read_count = move || {
        let told = counts_told.get_value();
        leptos::task::spawn_local(async move {
            if let Ok(inbox) = load_inbox(None).await {
                if counts_told.get_value() == told {
                    count.0.set(inbox.unread);
                }
            }
        });
    };
    // Started after the page (the layout's signed-in watchers): the socket may be ready already.
    if socket.status.get_untracked() == SocketStatus::Open {
        read_count();
    }
    socket.on_event(move |event| match event {
        ServerEvent::Ready { .. } if session.user().is_some() => read_count(),
        ServerEvent::InboxUnread { unread } => {
            counts_told.update_value(|n| *n += 1);
            count.0.set(*unread);
        }
        ServerEvent::Notified { item } => {
            let href = item.href();
            let place = href.split('?').next().unwrap_or_default().to_string();
            let in_view = location.pathname.get_untracked() == place || OnScreen::shows(&href);
            if in_view && !hidden() {
                return;
            }
            let text = describe(i18n, item);
            if hidden() {
                show_browser_notification(item, &text);
            } else {
                notices.push(
                    Notice {
                        id: item.message_id.clone(),
                        text,
                        href,
                    },
                    Duration::from_secs(8),
                );
            }
        }
        _ => {}
    });
}

/// "Ana mentioned you in #general: …" in the reader's language.
fn describe(i18n: leptos_i18n::I18nContext<crate::kit::i18n::Locale>, item: &InboxItem) -> String {
    let template = match item.kind {
        InboxKind::Direct => t_string!(i18n, notify.said_direct),
        InboxKind::Mention => t_string!(i18n, notify.said_mention),
        InboxKind::Reply => t_string!(i18n, notify.said_reply),
        InboxKind::Everyone => t_string!(i18n, notify.said_everyone),
        InboxKind::Message => t_string!(i18n, notify.said_message),
        InboxKind::Reminder => t_string!(i18n, notify.reminder),
    };
    template
        .replace("{name}", &item.author.display_name)
        .replace("{channel}", &item.channel_name)
        .replace(
            "{text}",
            item.excerpt
                .as_deref()
                .unwrap_or(t_string!(i18n, notify.files)),
        )
}

fn hidden() -> bool {
    #[cfg(feature = "hydrate")]
    {
        document().visibility_state() == web_sys::VisibilityState::Hidden
    }
    #[cfg(not(feature = "hydrate"))]
    false
}

fn pushed_here() -> bool {
    #[cfg(feature = "hydrate")]
    {
        window()
            .local_storage()
            .ok()
            .flatten()
            .and_then(|s| s.get_item(PUSHED_HERE).ok().flatten())
            .is_some()
    }
    #[cfg(not(feature = "hydrate"))]
    false
}

/// The browser's notification for a hidden tab, unless this browser is pushed to (its service
/// worker shows one already) or the person has not allowed notifications.
fn show_browser_notification(item: &InboxItem, text: &str) {
    if pushed_here() {
        return;
    }
    #[cfg(feature = "hydrate")]
    {
        if web_sys::Notification::permission() != web_sys::NotificationPermission::Granted {
            return;
        }
        let options = web_sys::NotificationOptions::new();
        options.set_body(text);
        options.set_tag(&item.message_id);
        options.set_icon("/icons/icon-192.png");
        if let Ok(shown) =
            web_sys::Notification::new_with_options(&item.author.display_name, &options)
        {
            let href = item.href();
            let click = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
                let _ = window().focus();
                let _ = window().location().set_href(&href);
            });
            shown.set_onclick(Some(wasm_bindgen::JsCast::unchecked_ref(click.as_ref())));
            click.forget();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (item, text);
}

/// The bell in the top bar: the inbox, with how many entries are unread.
#[component]
pub fn InboxBell() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let count = use_inbox();
    // Read inside a Transition, as the account menu is: the server renders the same thing the
    // browser hydrates.
    let bell = move || {
        let unread = count.0.get();
        let label = if unread > 0 {
            t_string!(i18n, notify.inbox_unread).replace("{n}", &unread.to_string())
        } else {
            t_string!(i18n, notify.inbox).to_string()
        };
        view! {
            <A href="/inbox" attr:class="icon-button topbar-inbox" attr:aria-label=label>
                <Icon name=IconName::Bell />
                {(unread > 0).then(|| view! {
                    <span class="unread-count bell-badge" aria-hidden="true">{if unread > 99 { "99+".to_string() } else { unread.to_string() }}</span>
                })}
            </A>
        }
    };
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                session.resource().await.ok().flatten().map(|_| bell)
            })}
        </Transition>
    }
}

/// `/inbox`: mentions, replies and direct messages, newest first. What it shows is marked read
/// as it is seen (it stays highlighted as new for this visit).
#[component]
pub fn InboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let count = use_inbox();
    let items: RwSignal<Vec<InboxItem>> = RwSignal::new(Vec::new());
    let more = RwSignal::new(false);
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let load = move |before: Option<String>| {
        leptos::task::spawn_local(async move {
            match load_inbox(before).await {
                Ok(page) => {
                    let unseen: Vec<String> = page
                        .items
                        .iter()
                        .filter(|i| !i.read)
                        .map(|i| i.id.clone())
                        .collect();
                    items.update(|list| list.extend(page.items));
                    more.set(page.more);
                    loaded.set(true);
                    if !unseen.is_empty() {
                        if let Ok(left) = mark_inbox_read(unseen).await {
                            count.0.set(left);
                        }
                    }
                }
                Err(err) => error.set(Some(error_text(&err))),
            }
        });
    };
    Effect::new(move |_| {
        if session.user().is_some() && !loaded.get_untracked() {
            load(None);
        }
    });
    let mark_all = move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(left) = mark_inbox_read(Vec::new()).await {
                count.0.set(left);
                items.update(|list| list.iter_mut().for_each(|i| i.read = true));
            }
        });
    };
    view! {
        <Title text=move || t_string!(i18n, notify.inbox) />
        <div class="inbox-page">
            <div class="inbox-head">
                <h1>{t!(i18n, notify.inbox)}</h1>
                <button type="button" class="button button-small" on:click=mark_all>{t!(i18n, notify.mark_all)}</button>
            </div>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {move || {
                let list = items.get();
                if list.is_empty() {
                    return if loaded.get() {
                        view! { <p class="card muted">{t!(i18n, notify.empty)}</p> }.into_any()
                    } else {
                        view! { <p class="muted">{t!(i18n, settings.loading)}</p> }.into_any()
                    };
                }
                view! {
                    <ol class="inbox-list">
                        {list.into_iter().map(|item| {
                            let text = describe(i18n, &item);
                            let place = if item.direct {
                                t_string!(i18n, direct.title).to_string()
                            } else {
                                format!("#{} · {}", item.channel_name, item.community_name)
                            };
                            view! {
                                <li class="inbox-item card" class:new=!item.read>
                                    <crate::kit::avatar::Avatar initials=crate::auth::validate::initials(&item.author.display_name) url=item.author.avatar_url.clone() />
                                    <div class="inbox-text">
                                        <A href=item.href()>{text}</A>
                                        <span class="muted">{place}" · "<crate::kit::time::Time iso=item.created_at.clone() /></span>
                                    </div>
                                    {(!item.read).then(|| view! { <span class="badge">{t!(i18n, notify.new_badge)}</span> })}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
            <Show when=move || more.get()>
                <button type="button" class="button" on:click=move |_| {
                    load(items.with_untracked(|l| l.last().map(|i| i.id.clone())));
                }>{t!(i18n, notify.older)}</button>
            </Show>
        </div>
    }
}

/// The bell beside a channel's name: what the person hears of it and its community, and mutes.
#[component]
pub fn PlaceNotifications(channel_id: String, direct: bool) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let settings: RwSignal<Option<NotificationSettings>> = RwSignal::new(None);
    let error = RwSignal::new(None::<String>);
    let channel = StoredValue::new(channel_id);
    Effect::new(move |_| {
        if open.get() && settings.get_untracked().is_none() {
            leptos::task::spawn_local(async move {
                match load_notification_settings(channel.get_value()).await {
                    Ok(s) => settings.set(Some(s)),
                    Err(err) => error.set(Some(error_text(&err))),
                }
            });
        }
    });
    let change = move |whole_community: bool, level: Option<Level>, mute: Option<Mute>| {
        leptos::task::spawn_local(async move {
            match set_notifications(channel.get_value(), whole_community, level, mute).await {
                Ok(s) => {
                    error.set(None);
                    settings.set(Some(s))
                }
                Err(err) => error.set(Some(error_text(&err))),
            }
        });
    };
    let level_name = move |level: Level| match level {
        Level::All => t_string!(i18n, notify.level_all),
        Level::Mentions => t_string!(i18n, notify.level_mentions),
        Level::Nothing => t_string!(i18n, notify.level_nothing),
    };
    let choices = move |whole: bool, chosen: Option<Level>, follows: String, name: &'static str| {
        let options = [
            None,
            Some(Level::All),
            Some(Level::Mentions),
            Some(Level::Nothing),
        ];
        options
            .into_iter()
            .map(|option| {
                let label = match option {
                    None => follows.clone(),
                    Some(level) => level_name(level).to_string(),
                };
                view! {
                    <label class="radio">
                        <input type="radio" name=name checked=chosen == option
                            on:change=move |_| change(whole, option, None) />
                        {label}
                    </label>
                }
            })
            .collect_view()
    };
    view! {
        <div class="place-notifications">
            <button type="button" class="icon-button" aria-expanded=move || open.get().to_string()
                aria-label=move || t_string!(i18n, notify.settings_title)
                title=move || t_string!(i18n, notify.settings_title)
                on:click=move |_| open.update(|o| *o = !*o)>
                <Icon name=IconName::Bell />
            </button>
            <Show when=move || open.get()>
                <div class="notify-panel card" role="group" aria-label=move || t_string!(i18n, notify.settings_title)
                    on:keydown=move |ev| if ev.key() == "Escape" { open.set(false) }>
                    {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                    {move || settings.get().map(|s| {
                        let default = format!("{} ({})", t_string!(i18n, notify.default), level_name(s.default_level));
                        let follow = format!("{} ({})", t_string!(i18n, notify.same_as_community),
                            level_name(s.community.level.unwrap_or(s.default_level)));
                        let muted = s.muted;
                        let until = s.community.muted_until.clone().or(s.channel.muted_until.clone());
                        let forever = s.community.muted_until_on || s.channel.muted_until_on;
                        view! {
                            <fieldset>
                                <legend>{if direct { t_string!(i18n, notify.this_conversation) } else { t_string!(i18n, notify.this_community) }}</legend>
                                {choices(true, s.community.level, default, "notify-community")}
                            </fieldset>
                            {(!direct).then(|| view! {
                                <fieldset>
                                    <legend>{t!(i18n, notify.this_channel)}</legend>
                                    {choices(false, s.channel.level, follow.clone(), "notify-channel")}
                                </fieldset>
                            })}
                            <fieldset>
                                <legend>{t!(i18n, notify.mute)}</legend>
                                {if muted {
                                    view! {
                                        <p class="help">{if forever {
                                            t_string!(i18n, notify.muted_until_on).to_string()
                                        } else {
                                            t_string!(i18n, notify.muted_until).to_string()
                                        }}
                                        {(!forever).then(|| until.clone().map(|u| view! { " " <crate::kit::time::Time iso=u /> }))}
                                        </p>
                                        <button type="button" class="button button-small" on:click=move |_| {
                                            // One request lifts the community's mute and the channel's.
                                            change(true, None, Some(Mute::Off));
                                        }>{t!(i18n, notify.unmute)}</button>
                                    }.into_any()
                                } else {
                                    view! {
                                        <div class="mute-choices">
                                            {[(Mute::Hour, t_string!(i18n, notify.mute_hour)), (Mute::EightHours, t_string!(i18n, notify.mute_eight)),
                                              (Mute::Day, t_string!(i18n, notify.mute_day)), (Mute::UntilOn, t_string!(i18n, notify.mute_until_on))]
                                                .into_iter().map(|(mute, label)| view! {
                                                    <button type="button" class="button button-small" on:click=move |_| change(true, None, Some(mute))>{label}</button>
                                                }).collect_view()}
                                        </div>
                                    }.into_any()
                                }}
                            </fieldset>
                        }
                    })}
                </div>
            </Show>
        </div>
    }
}

/// Settings → Notifications: whether this browser is pushed to when no tab is open.
#[component]
pub fn PushSettings() -> impl IntoView {
    let i18n = use_i18n();
    let on = RwSignal::new(pushed_here());
    let busy = RwSignal::new(false);
    let message = RwSignal::new(None::<String>);
    let turn_on = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            match subscribe_here().await {
                Ok(()) => {
                    on.set(true);
                    message.set(None);
                }
                Err(why) => {
                    message.set(Some(why.unwrap_or_else(|| {
                        t_string!(i18n, notify.push_blocked).to_string()
                    })))
                }
            }
            busy.set(false);
        });
    };
    let turn_off = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            unsubscribe_here().await;
            on.set(false);
            busy.set(false);
        });
    };
    view! {
        <section class="card settings-section" aria-labelledby="push-title">
            <h2 id="push-title">{t!(i18n, notify.push_title)}</h2>
            <p class="help">{t!(i18n, notify.push_help)}</p>
            {move || if on.get() {
                view! {
                    <p>{t!(i18n, notify.push_on)}</p>
                    <button type="button" class="button" disabled=move || busy.get() on:click=turn_off>{t!(i18n, notify.push_turn_off)}</button>
                }.into_any()
            } else {
                view! {
                    <button type="button" class="button button-primary" disabled=move || busy.get() on:click=turn_on>{t!(i18n, notify.push_turn_on)}</button>
                }.into_any()
            }}
            {move || message.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
        </section>
    }
}

/// Asks the browser to allow notifications and subscribes it with the server's key. `Err(None)`
/// when the person or the browser refused.
async fn subscribe_here() -> Result<(), Option<String>> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen_futures::JsFuture;
        let permission =
            JsFuture::from(web_sys::Notification::request_permission().map_err(|_| None)?)
                .await
                .map_err(|_| None)?;
        if permission.as_string().as_deref() != Some("granted") {
            return Err(None);
        }
        let key = super::api::push_key()
            .await
            .map_err(|e| Some(error_text(&e)))?;
        let key_bytes = base64url_decode(&key).ok_or(None)?;
        let registration: web_sys::ServiceWorkerRegistration = JsFuture::from(
            window()
                .navigator()
                .service_worker()
                .ready()
                .map_err(|_| None)?,
        )
        .await
        .map_err(|_| None)?
        .unchecked_into();
        let options = web_sys::PushSubscriptionOptionsInit::new();
        options.set_user_visible_only(true);
        options.set_application_server_key(&js_sys::Uint8Array::from(key_bytes.as_slice()));
        let subscription = JsFuture::from(
            registration
                .push_manager()
                .map_err(|_| None)?
                .subscribe_with_options(&options)
                .map_err(|_| None)?,
        )
        .await
        .map_err(|_| None)?;
        let json = js_sys::JSON::stringify(&subscription)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or(None)?;
        let parsed: serde_json::Value = serde_json::from_str(&json).map_err(|_| None)?;
        let keys = super::PushKeys {
            endpoint: parsed["endpoint"].as_str().unwrap_or_default().to_string(),
            p256dh: parsed["keys"]["p256dh"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            auth: parsed["keys"]["auth"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        };
        super::api::push_subscribe(keys)
            .await
            .map_err(|e| Some(error_text(&e)))?;
        if let Some(storage) = window().local_storage().ok().flatten() {
            let _ = storage.set_item(PUSHED_HERE, "1");
        }
        Ok(())
    }
    #[cfg(not(feature = "hydrate"))]
    Err(None)
}

/// Stops pushes to this browser, on the server and in the browser.
async fn unsubscribe_here() {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen_futures::JsFuture;
        if let Some(storage) = window().local_storage().ok().flatten() {
            let _ = storage.remove_item(PUSHED_HERE);
        }
        let Ok(ready) = window().navigator().service_worker().ready() else {
            return;
        };
        let Ok(registration) = JsFuture::from(ready).await else {
            return;
        };
        let registration: web_sys::ServiceWorkerRegistration = registration.unchecked_into();
        let Ok(manager) = registration.push_manager() else {
            return;
        };
        let Ok(found) = manager.get_subscription() else {
            return;
        };
        if let Ok(subscription) = JsFuture::from(found).await {
            if let Some(subscription) = subscription.dyn_ref::<web_sys::PushSubscription>() {
                let _ = super::api::push_unsubscribe(subscription.endpoint()).await;
                if let Ok(done) = subscription.unsubscribe() {
                    let _ = JsFuture::from(done).await;
                }
            }
        }
    }
}

/// Base64url (with or without padding) to bytes.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut bits: u32 = 0;
    let mut count = 0;
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for c in text.trim_end_matches('=').bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        } as u32;
        bits = (bits << 6) | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64url_decodes_like_the_browser_encodes() {
        assert_eq!(
            super::base64url_decode("BTBZMqHH6r4Tts7J_aSIgg")
                .unwrap()
                .len(),
            16
        );
        assert_eq!(super::base64url_decode("aGk").unwrap(), b"hi");
        assert_eq!(super::base64url_decode("aGk=").unwrap(), b"hi");
        assert!(super::base64url_decode("a*b").is_none());
    }
}
