//! The top bar's account corner: "Sign in" for a guest, the avatar menu when signed in.

use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_location, use_navigate},
};

use super::session::use_session;
use crate::{
    auth::api::SignOut,
    kit::{
        i18n::{t, t_string, use_i18n},
        icons::{Icon, IconName},
    },
};

#[component]
pub fn UserMenu() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let location = use_location();
    let open = RwSignal::new(false);
    let sign_out = ServerAction::<SignOut>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            open.set(false);
            session.reload();
            navigate("/", Default::default());
        }
    });
    // Close the menu when the page changes.
    Effect::new(move |_| {
        location.pathname.track();
        open.set(false);
    });
    let sign_in_href = move || {
        let here = location.pathname.get();
        if here == "/signin" || here == "/signup" {
            "/signin".to_string()
        } else {
            format!("/signin?next={here}")
        }
    };
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let user = session.resource().await.ok().flatten();
                match user {
                    None => view! {
                        <A href=sign_in_href attr:class="button button-small" attr:aria-label=move || t_string!(i18n, nav.sign_in)>
                            <Icon name=IconName::SignIn />
                            <span>{t!(i18n, nav.sign_in)}</span>
                        </A>
                    }.into_any(),
                    Some(user) => {
                        let profile_href = format!("/u/{}", user.username);
                        view! {
                            <div class="user-menu">
                                <button
                                    type="button"
                                    class="avatar-button"
                                    aria-haspopup="menu"
                                    aria-expanded=move || open.get().to_string()
                                    on:click=move |_| open.update(|o| *o = !*o)
                                >
                                    // Named by words it holds, not an aria-label: a label that does
                                    // not contain the initials people see is one a voice user
                                    // cannot say (axe's label-content-name-mismatch).
                                    <crate::kit::avatar::Avatar initials=user.initials() url=user.avatar_url.clone() />
                                    <span class="visually-hidden">{t!(i18n, auth.account_menu)}</span>
                                </button>
                                <Show when=move || open.get()>
                                    <div class="menu" role="menu">
                                        <p class="menu-header">
                                            <strong>{user.display_name.clone()}</strong>
                                            <span class="muted">"@" {user.username.clone()}</span>
                                        </p>
                                        <A href=profile_href.clone() attr:role="menuitem" attr:class="menu-item">{t!(i18n, auth.profile)}</A>
                                        <A href="/settings" attr:role="menuitem" attr:class="menu-item">{t!(i18n, nav.settings)}</A>
                                        <button type="button" role="menuitem" class="menu-item" on:click=move |_| { sign_out.dispatch(SignOut {}); }>
                                            {t!(i18n, auth.sign_out)}
                                        </button>
                                    </div>
                                </Show>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
