use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::kit::i18n::{t, t_string, use_i18n};

/// Any path no route matches; answered with HTTP 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, not_found.title) />
        <section class="card placeholder">
            <p class="big-code" aria-hidden="true">"404"</p>
            <h1>{t!(i18n, not_found.title)}</h1>
            <p class="lead">{t!(i18n, not_found.body)}</p>
            <A href="/" attr:class="button button-primary">{t!(i18n, not_found.home)}</A>
        </section>
    }
}
