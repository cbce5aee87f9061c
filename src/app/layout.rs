//! The frame around every page: a top bar, the main navigation (a sidebar on wide screens, a
//! bottom bar on a phone — the same links, restyled by CSS), the offline banner and the footer.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    auth::ui::{menu::UserMenu, session::use_session},
    kit::notices::NoticeList,
    notify::ui::InboxBell,
};

use super::{
    pwa::{KeepPagesOffline, OfflineBanner},
    theme::ThemeSwitch,
};
use crate::kit::{
    i18n::{t, t_string, use_i18n},
    icons::{Icon, IconName, Logo},
};

/// Moves the keyboard's focus to the page (the router would otherwise take the link as a
/// navigation and leave the focus where it was).
fn skip_to_main(ev: leptos::ev::MouseEvent) {
    ev.prevent_default();
    if let Some(main) = document().get_element_by_id("main") {
        use leptos::wasm_bindgen::JsCast;
        if let Ok(main) = main.dyn_into::<leptos::web_sys::HtmlElement>() {
            let _ = main.focus();
        }
    }
}

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="app-frame">
            // The first stop of the Tab key: past the bar and the navigation to the page itself.
            <a class="skip-link" href="#main" on:click=skip_to_main>{t!(i18n, nav.skip)}</a>
            <header class="topbar">
                <A href="/" attr:class="brand" attr:aria-label="Bullpen">
                    <Logo />
                    <span class="brand-name">"Bullpen"</span>
                </A>
                <span class="brand-tagline">{t!(i18n, brand.tagline)}</span>
                <div class="topbar-actions">
                    <A href="/search" attr:class="icon-button topbar-search" attr:aria-label=move || t_string!(i18n, search.title)>
                        <Icon name=IconName::Search />
                    </A>
                    <InboxBell />
                    <ThemeSwitch />
                    <A href="/settings" attr:class="icon-button topbar-settings" attr:aria-label=move || t_string!(i18n, nav.settings)>
                        <Icon name=IconName::Settings />
                    </A>
                    <UserMenu />
                </div>
            </header>
            <MainNav />
            <KeepPagesOffline />
            <main id="main" class="content" tabindex="-1">
                <OfflineBanner />
                {children()}
                <NoticeList />
                <SignedInWatchers />
                <crate::assistant::ui::AssistantPanel />
                <footer class="footer">
                    <span>{t!(i18n, footer.disclaimer)}</span>
                </footer>
            </main>
        </div>
    }
}

/// What listens for a signed-in person on every page: notices of mentions, badges and fired
/// alerts, the direct messages' list, a call's signalling. With the code of its own, fetched
/// once someone is signed in: a visitor's pages never carry it. They draw nothing, so they start
/// in the browser after hydration (a suspense around them would change the server's stream of
/// the page), again whenever the session changes, and stop with it.
#[component]
fn SignedInWatchers() -> impl IntoView {
    let session = use_session();
    Effect::new(move |_| {
        if session.user().is_some() {
            // Under this effect: its next run (signed out, or another session) ends them.
            #[cfg(feature = "hydrate")]
            leptos::task::spawn_local_scoped(async move {
                drop(watchers().await);
            });
        }
    });
}

#[cfg(feature = "hydrate")]
#[lazy]
fn watchers() -> AnyView {
    view! {
        <crate::notify::ui::NotificationWatch />
        <crate::insights::achievements::ui::BadgeWatch />
        <crate::conversation::ui::direct::DirectMessageWatch />
        <crate::voice::ui::CallWatch />
        <crate::portfolio::ui::AlertNotices />
    }
    .into_any()
}

#[component]
fn MainNav() -> impl IntoView {
    let i18n = use_i18n();
    let link = move |href: &'static str,
                     icon: IconName,
                     label: Signal<&'static str>,
                     extra: &'static str| {
        view! {
            <A href=href attr:class=format!("nav-link {extra}")>
                <Icon name=icon />
                <span class="nav-label">{move || label.get()}</span>
            </A>
        }
    };
    view! {
        <nav class="main-nav" aria-label=move || t_string!(i18n, nav.main)>
            {link("/", IconName::Home, Signal::derive(move || t_string!(i18n, nav.home)), "nav-home")}
            {link("/communities", IconName::Communities, Signal::derive(move || t_string!(i18n, nav.communities)), "")}
            <A href="/messages" attr:class="nav-link">
                <Icon name=IconName::Message />
                <span class="nav-label">{t!(i18n, nav.messages)}</span>
                <crate::conversation::ui::direct::DirectUnreadBadge />
            </A>
            {link("/markets", IconName::Markets, Signal::derive(move || t_string!(i18n, nav.markets)), "")}
            {link("/portfolio", IconName::Portfolio, Signal::derive(move || t_string!(i18n, nav.portfolio)), "")}
            {link("/assistant", IconName::Assistant, Signal::derive(move || t_string!(i18n, nav.assistant)), "")}
            {link("/settings", IconName::Settings, Signal::derive(move || t_string!(i18n, nav.settings)), "nav-secondary")}
        </nav>
    }
}
