//! The shell: the HTML document, the router, the layout and everything every page shares
//! (theme, language, PWA). Domain pages plug into the routes below.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

pub mod api;
pub mod layout;
pub mod pages;
pub mod pwa;
pub mod theme;

use crate::assistant::ui::AssistantPage;
use crate::auth::ui::{
    pages::{ForgotPasswordPage, ProfilePage, ResetPasswordPage, SignInPage, SignUpPage},
    session::provide_session,
};
use crate::chat::ui::socket::provide_chat_socket;
use crate::community::ui::{ChannelPage, CommunitiesPage, CommunityIndex, InvitePage, ManagePage};
use crate::kit::i18n::{t_string, use_i18n, I18nContextProvider};
use crate::market::ui::{MarketsPage, StockPage};
use crate::portfolio::ui::PortfolioPage;
use layout::Layout;
use pages::{
    error::PageErrorBoundary, home::HomePage, not_found::NotFound, settings::SettingsPage,
};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use_csp_nonce();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                // Draws `data-chart` elements; fetches ECharts only on pages that have one.
                <script src="/charts.js" defer></script>
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Renders this page with the nonce its Content-Security-Policy names (`platform::security`
/// made both), so the hydration script and streamed resources run and nothing else inline does.
fn use_csp_nonce() {
    #[cfg(feature = "ssr")]
    if let Some(nonce) = use_context::<axum::http::request::Parts>()
        .as_ref()
        .and_then(crate::platform::security::CspNonce::of)
    {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    theme::provide_theme();
    provide_session();
    provide_chat_socket();

    view! {
        <I18nContextProvider>
            <Head />
            <theme::ThemeAttribute />
            <pwa::RegisterServiceWorker />
            <Router>
                <Layout>
                    <PageErrorBoundary>
                    <Routes fallback=|| view! { <NotFound /> }>
                        <Route path=path!("/") view=HomePage />
                        <Route path=path!("/signin") view=SignInPage />
                        <Route path=path!("/signup") view=SignUpPage />
                        <Route path=path!("/forgot-password") view=ForgotPasswordPage />
                        <Route path=path!("/reset-password") view=ResetPasswordPage />
                        <Route path=path!("/u/:username") view=ProfilePage />
                        <Route path=path!("/communities") view=CommunitiesPage />
                        <Route path=path!("/c/:community") view=CommunityIndex />
                        <Route path=path!("/c/:community/:channel") view=ChannelPage />
                        <Route path=path!("/manage/:community") view=ManagePage />
                        <Route path=path!("/invite/:code") view=InvitePage />
                        <Route path=path!("/markets") view=MarketsPage />
                        <Route path=path!("/markets/:symbol") view=StockPage />
                        <Route path=path!("/portfolio") view=PortfolioPage />
                        <Route path=path!("/assistant") view=AssistantPage />
                        <Route path=path!("/settings") view=SettingsPage />
                    </Routes>
                    </PageErrorBoundary>
                </Layout>
            </Router>
        </I18nContextProvider>
    }
}

/// Document-wide tags: stylesheet, PWA manifest, icons, and the description in the reader's language.
#[component]
fn Head() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title formatter=|page: String| if page.is_empty() { "Bullpen".to_string() } else { format!("{page} · Bullpen") } />
        <Meta name="description" content=move || t_string!(i18n, brand.tagline) />
        <Meta name="theme-color" content="#0b7a5a" />
        <Stylesheet id="leptos" href="/pkg/bullpen.css" />
        <Link rel="manifest" href="/manifest.webmanifest" />
        <Link rel="icon" href="/icons/favicon.svg" type_="image/svg+xml" />
        <Link rel="apple-touch-icon" href="/icons/icon-192.png" />
    }
}
