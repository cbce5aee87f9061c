//! `/`: a visitor's landing page, or, signed in, the person's own home — their communities with
//! what waits for them, their portfolio, their watchlist and what their communities talk about.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{
    auth::{ui::session::use_session, User},
    kit::{
        i18n::{t, t_string, use_i18n},
        icons::{Icon, IconName},
    },
};

#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    view! {
        <Title text="" />
        <crate::account::ui::DeletedNotice />
        <Transition fallback=|| view! { <Landing /> }>
            {move || Suspend::new(async move {
                match session.resource().await.ok().flatten() {
                    Some(user) => view! { <SignedInHome user /> }.into_any(),
                    None => view! { <Landing /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The signed-in home, with the code of its own: the landing page is part of the shell (a
/// visitor's first page fetches nothing more), the home's glances load for those who see them.
/// The browser draws it once its code is here (the server sends the heading and "Loading…"): a
/// lazy part awaited inside the page's suspense put the server's stream out of step with what
/// hydration reads.
#[component]
fn SignedInHome(user: User) -> impl IntoView {
    let i18n = use_i18n();
    let draw = RwSignal::new(None::<fn(User) -> AnyView>);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            draw.set(Some(my_home().await));
        });
    });
    let name = user.display_name.clone();
    view! {
        {move || match draw.get() {
            Some(draw) => draw(user.clone()),
            None => view! {
                <header class="home-head">
                    <h1 class="page-title">{t_string!(i18n, home.welcome).replace("{name}", &name)}</h1>
                </header>
                <p class="muted">{t!(i18n, settings.loading)}</p>
            }.into_any(),
        }}
    }
}

/// How the signed-in home is drawn, from the code of its own.
#[cfg(feature = "hydrate")]
#[lazy]
fn my_home() -> fn(User) -> AnyView {
    |user| view! { <signed_in::MyHome user /> }.into_any()
}

/// The signed-in home's own code: drawn in the browser only (`SignedInHome`).
#[cfg(feature = "hydrate")]
mod signed_in {
    use leptos::prelude::*;

    use crate::{
        auth::{ui::pages::error_text, User},
        chat::{api::chat_home, ui::home::HomeCommunities},
        kit::i18n::{t, t_string, use_i18n},
        market::ui::{TrendingTickers, WatchlistGlance},
        portfolio::ui::PortfolioGlance,
    };

    #[component]
    pub(super) fn MyHome(user: User) -> impl IntoView {
        let i18n = use_i18n();
        let chat = Resource::new(|| (), |_| chat_home());
        let name = user.display_name.clone();
        view! {
            <header class="home-head">
                <h1 class="page-title">{move || t_string!(i18n, home.welcome).replace("{name}", &name)}</h1>
            </header>
            <div class="home-grid">
                <div class="home-main">
                    <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
                        {move || Suspend::new(async move {
                            match chat.await {
                                Ok(home) => view! { <HomeCommunities communities=home.communities /> }.into_any(),
                                Err(err) => view! { <p class="form-error" role="alert">{error_text(&err)}</p> }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
                <div class="home-side">
                    <PortfolioGlance />
                    <WatchlistGlance />
                    <TrendingTickers />
                </div>
            </div>
        }
    }
}

/// The visitor's landing page.
#[component]
fn Landing() -> impl IntoView {
    let i18n = use_i18n();
    let feature = |icon: IconName, title: AnyView, body: AnyView| {
        view! {
            <li class="card feature">
                <span class="feature-icon"><Icon name=icon /></span>
                <h3>{title}</h3>
                <p>{body}</p>
            </li>
        }
    };
    view! {
        <section class="hero">
            <p class="eyebrow">{t!(i18n, home.eyebrow)}</p>
            <h1>{t!(i18n, home.title)}</h1>
            <p class="lead">{t!(i18n, home.lead)}</p>
            <div class="hero-actions">
                <A href="/signup" attr:class="button button-primary">
                    <span>{t!(i18n, auth.submit_sign_up)}</span>
                    <Icon name=IconName::ArrowRight />
                </A>
                <A href="/signin" attr:class="button">{t!(i18n, nav.sign_in)}</A>
            </div>
            <p class="hero-more">
                <A href="/communities">{t!(i18n, home.cta_primary)}</A>
                " · "
                <A href="/markets">{t!(i18n, home.cta_secondary)}</A>
            </p>
            <TickerStrip />
        </section>
        <section aria-labelledby="features-title">
            <h2 id="features-title" class="section-title">{t!(i18n, home.features)}</h2>
            <ul class="feature-grid">
                {feature(IconName::Communities, t!(i18n, home.chat_title).into_any(), t!(i18n, home.chat_body).into_any())}
                {feature(IconName::Shield, t!(i18n, home.ai_title).into_any(), t!(i18n, home.ai_body).into_any())}
                {feature(IconName::Markets, t!(i18n, home.markets_title).into_any(), t!(i18n, home.markets_body).into_any())}
                {feature(IconName::Portfolio, t!(i18n, home.portfolio_title).into_any(), t!(i18n, home.portfolio_body).into_any())}
                {feature(IconName::Assistant, t!(i18n, home.assistant_title).into_any(), t!(i18n, home.assistant_body).into_any())}
                {feature(IconName::Offline, t!(i18n, home.offline_title).into_any(), t!(i18n, home.offline_body).into_any())}
            </ul>
        </section>
    }
}

/// The cashtags people talk about, each a link to its market page.
#[component]
fn TickerStrip() -> impl IntoView {
    const SYMBOLS: [&str; 6] = ["AAPL", "MSFT", "NVDA", "GOOG", "AMZN", "SPY"];
    view! {
        <ul class="ticker-strip" aria-label="Cashtags">
            {SYMBOLS
                .iter()
                .map(|s| {
                    view! {
                        <li>
                            <A href=format!("/markets/{s}") attr:class="cashtag">{format!("${s}")}</A>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
