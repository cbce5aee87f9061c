use leptos::prelude::*;
use leptos_i18n::Locale as _;
use leptos_meta::Title;

use crate::account::ui::AccountSettings;
use crate::app::{
    api::server_info,
    theme::{use_theme, ThemeChoice},
};
use crate::kit::{
    i18n::{t, t_string, use_i18n},
    languages::LANGUAGES,
};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, settings.title) />
        <h1 class="page-title">{t!(i18n, settings.title)}</h1>
        <section class="card settings-section">
            <h2>{t!(i18n, settings.appearance)}</h2>
            <LanguagePicker />
            <ThemePicker />
        </section>
        <AccountSettings />
        <SignedIn>
            <crate::notify::ui::PushSettings />
        </SignedIn>
        <About />
    }
}

/// Its children for a signed-in person only, read as the server rendered it.
#[component]
fn SignedIn(children: ChildrenFn) -> impl IntoView {
    let session = crate::auth::ui::session::use_session();
    let children = StoredValue::new(children);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                session
                    .resource()
                    .await
                    .ok()
                    .flatten()
                    .map(|_| children.with_value(|c| c()))
            })}
        </Transition>
    }
}

/// Writes the language cookie at once. The i18n context writes it as well, from an effect a
/// tick later; a reload in between (seen under load) would render the old language.
fn remember_language(code: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Ok(document) = document().dyn_into::<web_sys::HtmlDocument>() {
            let max_age = crate::app::theme::ONE_YEAR_MS / 1000;
            let cookie = format!(
                "{}={code}; path=/; max-age={max_age}; samesite=lax",
                crate::app::LANGUAGE_COOKIE
            );
            let _ = document.set_cookie(&cookie);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = code;
}

#[component]
fn LanguagePicker() -> impl IntoView {
    let i18n = use_i18n();
    let on_change = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        if let Some((locale, _)) = LANGUAGES.iter().find(|(l, _)| l.as_str() == value) {
            remember_language(locale.as_str());
            i18n.set_locale(*locale);
        }
    };
    view! {
        <div class="field">
            <label for="language">{t!(i18n, language.label)}</label>
            <select id="language" on:change=on_change prop:value=move || i18n.get_locale().as_str()>
                {LANGUAGES
                    .iter()
                    .map(|(locale, name)| {
                        let code = locale.as_str();
                        view! {
                            <option value=code selected=move || i18n.get_locale() == *locale lang=code>
                                {*name}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <p class="help">{t!(i18n, settings.language_help)}</p>
        </div>
    }
}

#[component]
fn ThemePicker() -> impl IntoView {
    let i18n = use_i18n();
    let theme = use_theme();
    view! {
        <fieldset class="field">
            <legend>{t!(i18n, theme.label)}</legend>
            <div class="segmented" role="radiogroup">
                {ThemeChoice::ALL
                    .into_iter()
                    .map(|choice| {
                        view! {
                            <label class="segment">
                                <input
                                    type="radio"
                                    name="theme"
                                    value=choice.to_string()
                                    prop:checked=move || theme.choice() == choice
                                    on:change=move |_| theme.set(choice)
                                />
                                <span>{move || choice.label()}</span>
                            </label>
                        }
                    })
                    .collect_view()}
            </div>
            <p class="help">{t!(i18n, settings.theme_help)}</p>
        </fieldset>
    }
}

/// Which server this is: version, database engine, installation date.
#[component]
fn About() -> impl IntoView {
    let i18n = use_i18n();
    let info = Resource::new(|| (), |_| server_info());
    view! {
        <section class="card settings-section" aria-labelledby="about-title">
            <h2 id="about-title">{t!(i18n, settings.about)}</h2>
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
                {move || Suspend::new(async move {
                    info.await.map(|info| {
                        view! {
                            <dl class="facts">
                                <dt>{t!(i18n, settings.version)}</dt>
                                <dd>{info.version}</dd>
                                <dt>{t!(i18n, settings.database)}</dt>
                                <dd data-testid="database-engine">{info.database}</dd>
                                <dt>{t!(i18n, settings.broker)}</dt>
                                <dd>{info.broker}</dd>
                                <dt>{t!(i18n, settings.installed)}</dt>
                                <dd>{info.installed_at.map(|at| at.chars().take(10).collect::<String>()).unwrap_or_else(|| "—".into())}</dd>
                            </dl>
                        }
                    })
                })}
            </Suspense>
        </section>
    }
}
