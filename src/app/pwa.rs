//! The installable app: service worker registration and the offline banner.
//! The worker itself is `public/sw.js`; the manifest is `public/manifest.webmanifest`.

use leptos::prelude::*;

use crate::kit::{
    i18n::{t, use_i18n},
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

/// A banner shown while the browser reports no network.
#[component]
pub fn OfflineBanner() -> impl IntoView {
    let i18n = use_i18n();
    // The server always renders "online"; the browser corrects it once the page has hydrated.
    let (online, set_online) = signal(true);
    Effect::new(move |_| {
        crate::kit::hydration::after_hydration(move || {
            set_online.set(window().navigator().on_line())
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
                <span>{t!(i18n, offline.banner)}</span>
            </div>
        </Show>
    }
}
