//! The page shown for a section whose feature has not landed yet: it says so plainly and
//! tells what the section will do.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::app::{
    i18n::{t, t_string, use_i18n},
    icons::{Icon, IconName},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Assistant,
}

#[component]
pub fn ComingSoon(section: Section) -> impl IntoView {
    let i18n = use_i18n();
    let (icon, title, body): (IconName, Signal<&'static str>, Signal<&'static str>) = match section
    {
        Section::Assistant => (
            IconName::Assistant,
            Signal::derive(move || t_string!(i18n, pages.assistant_title)),
            Signal::derive(move || t_string!(i18n, pages.assistant_body)),
        ),
    };
    view! {
        <Title text=move || title.get() />
        <section class="card placeholder">
            <span class="feature-icon large"><Icon name=icon /></span>
            <span class="badge">{t!(i18n, soon.badge)}</span>
            <h1>{move || title.get()}</h1>
            <p class="muted">{t!(i18n, soon.intro)}</p>
            <p class="lead">{move || body.get()}</p>
            <A href="/" attr:class="button">{t!(i18n, soon.back)}</A>
        </section>
    }
}
