//! The shell: the HTML document, the router, the layout and everything every page shares
//! (theme, language, PWA). Domain pages plug into the routes below.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    lazy_route, path, Lazy, LazyRoute,
};
use leptos_use::{SameSite, UseCookieOptions};

pub mod api;
pub mod layout;
pub mod pages;
pub mod pwa;
pub mod theme;

use crate::auth::ui::session::provide_session;
use crate::chat::ui::socket::provide_chat_socket;
use crate::kit::{
    i18n::{t_string, use_i18n, I18nContextProvider},
    live::provide_live_events,
    notices::provide_notices,
};
use layout::Layout;
use pages::{error::PageErrorBoundary, not_found::NotFound};

pub(crate) use crate::kit::languages::LANGUAGE_COOKIE;

/// The language cookie like the theme's: site-wide, for a year (leptos_i18n's own default is a
/// session cookie, so the choice was lost when the browser closed).
fn language_cookie() -> leptos_i18n::context::CookieOptions<crate::kit::i18n::Locale> {
    UseCookieOptions::default()
        .max_age(theme::ONE_YEAR_MS)
        .path("/")
        .same_site(SameSite::Lax)
}

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
    provide_live_events();
    provide_notices();
    provide_chat_socket();
    crate::voice::ui::provide_my_call();
    crate::conversation::ui::direct::provide_conversations();
    crate::notify::ui::provide_inbox();

    view! {
        <I18nContextProvider cookie_name=LANGUAGE_COOKIE cookie_options=language_cookie()>
            <Head />
            <theme::ThemeAttribute />
            <pwa::RegisterServiceWorker />
            <Router>
                <Layout>
                    <PageErrorBoundary>
                    <Routes fallback=|| view! { <NotFound /> }>
                        // Not lazy: a visitor's landing page is the shell's own (the signed-in
                        // home loads its code itself, `pages::home`).
                        <Route path=path!("/") view=pages::home::HomePage />
                        <Route path=path!("/signin") view={Lazy::<SignIn>::new()} />
                        <Route path=path!("/signup") view={Lazy::<SignUp>::new()} />
                        <Route path=path!("/forgot-password") view={Lazy::<ForgotPassword>::new()} />
                        <Route path=path!("/reset-password") view={Lazy::<ResetPassword>::new()} />
                        <Route path=path!("/u/:username") view={Lazy::<Profile>::new()} />
                        <Route path=path!("/communities") view={Lazy::<Communities>::new()} />
                        <Route path=path!("/c/:community") view={Lazy::<Community>::new()} />
                        <Route path=path!("/c/:community/:channel") view={Lazy::<Channel>::new()} />
                        <Route path=path!("/manage/:community") view={Lazy::<Manage>::new()} />
                        <Route path=path!("/events/:community") view={Lazy::<Events>::new()} />
                        <Route path=path!("/analytics/:community") view={Lazy::<CommunityAnalytics>::new()} />
                        <Route path=path!("/invite/:code") view={Lazy::<Invite>::new()} />
                        <Route path=path!("/markets") view={Lazy::<Markets>::new()} />
                        <Route path=path!("/markets/:symbol") view={Lazy::<Stock>::new()} />
                        <Route path=path!("/portfolio") view={Lazy::<Portfolio>::new()} />
                        <Route path=path!("/assistant") view={Lazy::<Assistant>::new()} />
                        <Route path=path!("/settings") view={Lazy::<Settings>::new()} />
                        <Route path=path!("/search") view={Lazy::<Search>::new()} />
                        <Route path=path!("/messages") view={Lazy::<Messages>::new()} />
                        <Route path=path!("/inbox") view={Lazy::<InboxRoute>::new()} />
                        <Route path=path!("/messages/:slug") view={Lazy::<Conversation>::new()} />
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

/// A section's page, loaded with its own code: the release build splits each `LazyRoute`'s
/// view into a WASM chunk of its own (`scripts/build-site` splits it), fetched the first time the
/// section opens, so the first page carries only the shell.
macro_rules! lazy_page {
    ($($route:ident => $page:expr;)*) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                $page.into_any()
            }
        }
    )*};
}

lazy_page! {
    SignIn => crate::auth::ui::pages::SignInPage();
    SignUp => crate::auth::ui::pages::SignUpPage();
    ForgotPassword => crate::auth::ui::pages::ForgotPasswordPage();
    ResetPassword => crate::auth::ui::pages::ResetPasswordPage();
    Profile => crate::account::ui::profile::ProfilePage();
    Communities => crate::community::ui::CommunitiesPage();
    Community => crate::community::ui::CommunityIndex();
    // The prices under messages' cashtags: drawn by the market, given to the pages that show
    // messages (not the shell, which would carry their code on every page).
    Channel => {
        crate::market::ui::provide_cashtag_prices();
        crate::conversation::ui::page::ChannelPage()
    };
    Manage => view! {
        <crate::community::ui::ManagePage more=Callback::new(crate::moderation::ui::queue::sections)
            last=Callback::new(crate::moderation::ui::queue::danger_zone) />
    };
    Events => crate::events::ui::CalendarPage();
    CommunityAnalytics => crate::insights::analytics::ui::AnalyticsPage();
    Invite => crate::community::ui::InvitePage();
    Markets => crate::market::ui::MarketsPage();
    Stock => crate::market::ui::StockPage();
    Portfolio => crate::portfolio::ui::PortfolioPage();
    Assistant => crate::assistant::ui::AssistantPage();
    Settings => pages::settings::SettingsPage();
    Search => crate::search::ui::SearchPage();
    Messages => crate::conversation::ui::direct::MessagesPage();
    InboxRoute => crate::notify::ui::InboxPage();
    Conversation => {
        crate::market::ui::provide_cashtag_prices();
        crate::conversation::ui::direct::ConversationPage()
    };
}
