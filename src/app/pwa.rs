//! The installable app: service worker registration and the offline banner.
//! The worker itself is `public/sw.js`; the manifest is `public/manifest.webmanifest`.

use leptos::prelude::*;

use crate::kit::{
    i18n::{t, t_string, use_i18n},
    icons::{Icon, IconName},
};

/// Registers `/sw.js` once the page has hydrated, and marks the document as hydrated
/// (`<body data-hydrated>`) so tests and scripts know the page is interactive. Not from an
/// effect alone: the shell's effects run while the open page is still hydrating.
#[component]
pub fn RegisterServiceWorker() -> impl IntoView {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        crate::kit::hydration::after_hydration(|| {
            if let Some(body) = document().body() {
                let _ = body.set_attribute("data-hydrated", "");
            }
            // Browsers without service workers (or private modes that refuse them) still work.
            let container = window().navigator().service_worker();
            let _ = container.register("/sw.js");
        });
    });
}

/// Keeps every page a person opens for offline use. A page loaded in full is kept by the
/// service worker as it passes; one reached through the app's own links loads only its data,
/// so the worker is asked to fetch and keep it ("keep", `public/sw.js`). The page being left is
/// kept again too, so its copy shows what the person last saw there.
#[component]
pub fn KeepPagesOffline() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        let location = leptos_router::hooks::use_location();
        Effect::new(move |previous: Option<String>| {
            let here = format!("{}{}", location.pathname.get(), location.search.get());
            if let Some(left) = previous.filter(|left| *left != here) {
                keep_offline(&left);
                keep_offline(&here);
            }
            here
        });
        let leaving = window_event_listener(leptos::ev::pagehide, move |_| {
            keep_offline(&format!(
                "{}{}",
                location.pathname.get_untracked(),
                location.search.get_untracked()
            ));
        });
        on_cleanup(move || leaving.remove());
    }
}

/// Asks the service worker controlling the page, if any, to fetch and keep `url`.
#[cfg(feature = "hydrate")]
fn keep_offline(url: &str) {
    let Some(worker) = window().navigator().service_worker().controller() else {
        return;
    };
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"type".into(), &"keep".into());
    let _ = js_sys::Reflect::set(&message, &"url".into(), &url.into());
    let _ = worker.post_message(&message);
}

/// A banner shown while the browser reports no network.
#[component]
pub fn OfflineBanner() -> impl IntoView {
    let i18n = use_i18n();
    // The server always renders "online"; the browser corrects it once the page has hydrated.
    let (online, set_online) = signal(true);
    // When the page is the service worker's saved copy: when it was saved, in local time.
    let (saved_at, set_saved_at) = signal(None::<String>);
    Effect::new(move |_| {
        crate::kit::hydration::after_hydration(move || {
            set_online.set(window().navigator().on_line());
            set_saved_at.set(saved_copy_time());
        });
        let on = window_event_listener(leptos::ev::online, move |_| set_online.set(true));
        let off = window_event_listener(leptos::ev::offline, move |_| set_online.set(false));
        on_cleanup(move || {
            on.remove();
            off.remove();
        });
    });
    view! {
        <Show when=move || !online.get()>
            <div class="offline-banner" role="status">
                <Icon name=IconName::Offline />
                <span>
                    {t!(i18n, offline.banner)}
                    {move || saved_at.get().map(|time| format!(" {}", t_string!(i18n, offline.saved_at).replace("{time}", &time)))}
                </span>
            </div>
        </Show>
    }
}

/// The local date and time a saved copy of this page was made (`<body data-offline-copy>`, set
/// by `public/sw.js` when it answers from its cache); `None` for a page from the network.
fn saved_copy_time() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let at = document().body()?.get_attribute("data-offline-copy")?;
        let date = js_sys::Date::new(&at.as_str().into());
        if date.get_time().is_nan() {
            return None;
        }
        let language = document()
            .document_element()
            .and_then(|html| html.get_attribute("lang"))
            .unwrap_or_else(|| "en".into());
        Some(String::from(date.to_locale_string(
            &language,
            &wasm_bindgen::JsValue::UNDEFINED,
        )))
    }
    #[cfg(not(feature = "hydrate"))]
    None
}
