//! Small notices that pop up wherever the person is in the app (a mention, a fired price
//! alert) and link to what they are about; each goes by itself after a few seconds, or at its
//! close button. Any domain pushes one; the shell shows them. The conversation on screen says
//! where it is ([`OnScreen`]), so a notice about it is not shown: it is already in view.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::kit::{
    i18n::{t_string, use_i18n},
    icons::{Icon, IconName},
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// One notice per id: the same thing told twice shows once.
    pub id: String,
    pub text: String,
    pub href: String,
}

#[derive(Clone, Copy)]
pub struct Notices(RwSignal<Vec<Notice>>);

/// The place of the conversation on screen, as a notice's link names it without its query
/// (`/c/bullpen/general`, `/messages/<slug>`); none elsewhere. The address bar is not enough:
/// `/c/bullpen` shows #general too, and a name may be written with escapes.
#[derive(Clone, Copy)]
pub struct OnScreen(RwSignal<Option<String>>);

pub fn provide_notices() {
    provide_context(Notices(RwSignal::new(Vec::new())));
    provide_context(OnScreen(RwSignal::new(None)));
}

pub fn use_notices() -> Notices {
    expect_context::<Notices>()
}

impl OnScreen {
    /// Marks `place` as on screen until the calling component is gone.
    pub fn show_while_mounted(place: String) {
        let Some(on_screen) = use_context::<OnScreen>() else {
            return;
        };
        on_screen.0.set(Some(place.clone()));
        on_cleanup(move || {
            on_screen.0.try_update(|now| {
                if now.as_deref() == Some(place.as_str()) {
                    *now = None;
                }
            });
        });
    }

    /// Whether a link to `href` (query and all) leads to what is on screen.
    pub fn shows(href: &str) -> bool {
        let place = href.split('?').next().unwrap_or_default();
        use_context::<OnScreen>()
            .is_some_and(|on| on.0.with_untracked(|now| now.as_deref() == Some(place)))
    }
}

impl Notices {
    /// Shows `notice` for `lasting`.
    pub fn push(&self, notice: Notice, lasting: Duration) {
        let list = self.0;
        let id = notice.id.clone();
        list.update(|list| {
            if !list.iter().any(|n| n.id == notice.id) {
                list.push(notice);
            }
        });
        set_timeout(move || Self(list).dismiss(&id), lasting);
    }

    fn dismiss(&self, id: &str) {
        self.0
            .try_update(|list| list.retain(|n| n.id != id))
            .unwrap_or(())
    }
}

/// The notices on screen, announced politely to screen readers.
#[component]
pub fn NoticeList() -> impl IntoView {
    let i18n = use_i18n();
    let notices = use_notices();
    view! {
        <div class="notices" aria-live="polite">
            <For each=move || notices.0.get() key=|n| n.id.clone() let:notice>
                <div class="notice card">
                    <A href=notice.href.clone() on:click={
                        let id = notice.id.clone();
                        move |_| notices.dismiss(&id)
                    }>{notice.text.clone()}</A>
                    <button type="button" class="icon-button" aria-label=move || t_string!(i18n, chat.dismiss)
                        on:click={
                            let id = notice.id.clone();
                            move |_| notices.dismiss(&id)
                        }>
                        <Icon name=IconName::Close />
                    </button>
                </div>
            </For>
        </div>
    }
}
