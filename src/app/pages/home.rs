use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::kit::{
    i18n::{t, use_i18n},
    icons::{Icon, IconName},
};

#[component]
pub fn HomePage() -> impl IntoView {
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
        <Title text="" />
        <crate::account::ui::DeletedNotice />
        <section class="hero">
            <p class="eyebrow">{t!(i18n, home.eyebrow)}</p>
            <h1>{t!(i18n, home.title)}</h1>
            <p class="lead">{t!(i18n, home.lead)}</p>
            <div class="hero-actions">
                <A href="/communities" attr:class="button button-primary">
                    <span>{t!(i18n, home.cta_primary)}</span>
                    <Icon name=IconName::ArrowRight />
                </A>
                <A href="/markets" attr:class="button">{t!(i18n, home.cta_secondary)}</A>
            </div>
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
