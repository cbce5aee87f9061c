use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::{
    auth::ui::pages::error_text,
    kit::i18n::{t, t_string, use_i18n},
    platform::error::AppError,
};

/// Wraps the routed pages: an error any page raises is shown as a readable message in place of
/// the page, with the rest of the app still working.
#[component]
pub fn PageErrorBoundary(children: Children) -> impl IntoView {
    view! {
        <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
            {children()}
        </ErrorBoundary>
    }
}

#[component]
fn ErrorPanel(errors: ArcRwSignal<Errors>) -> impl IntoView {
    let i18n = use_i18n();
    // The boundary wraps all routes, so leaving the failed page must clear its errors.
    let location = use_location();
    let failed_at = location.pathname.get_untracked();
    {
        let errors = errors.clone();
        Effect::new(move |_| {
            if location.pathname.get() != failed_at {
                errors.set(Errors::default());
            }
        });
    }
    view! {
        <section class="card placeholder error-panel" role="alert">
            <h1>{t!(i18n, error.title)}</h1>
            <p class="muted">{t!(i18n, error.body)}</p>
            <ul>
                {move || errors.get().into_iter().map(|(_, e)| view! { <li>{readable(&e)}</li> }).collect_view()}
            </ul>
            <a class="button" href="" onclick="location.reload(); return false;">{t!(i18n, error.reload)}</a>
        </section>
    }
}

/// An error as a sentence in the reader's language: the app's own errors as every form shows
/// them (a lost connection reads "can't reach the server", never the browser's
/// "TypeError: Failed to fetch"); anything else as the generic apology.
fn readable(error: &leptos::error::Error) -> String {
    match (**error).downcast_ref::<AppError>() {
        Some(err) => error_text(err),
        None => {
            let i18n = use_i18n();
            t_string!(i18n, errors.generic).to_owned()
        }
    }
}
