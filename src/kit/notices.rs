//! Small notices that pop up wherever the person is in the app (a mention, a fired price
//! alert) and link to what they are about; each goes by itself after a few seconds. Any domain
//! pushes one; the shell shows them.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::A;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// One notice per id: the same thing told twice shows once.
    pub id: String,
    pub text: String,
    pub href: String,
}

#[derive(Clone, Copy)]
pub struct Notices(RwSignal<Vec<Notice>>);

pub fn provide_notices() {
    provide_context(Notices(RwSignal::new(Vec::new())));
}

pub fn use_notices() -> Notices {
    expect_context::<Notices>()
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
        set_timeout(
            move || {
                list.try_update(|list| list.retain(|n| n.id != id))
                    .unwrap_or(())
            },
            lasting,
        );
    }
}

/// The notices on screen, announced politely to screen readers.
#[component]
pub fn NoticeList() -> impl IntoView {
    let notices = use_notices();
    view! {
        <div class="notices" aria-live="polite">
            <For each=move || notices.0.get() key=|n| n.id.clone() let:notice>
                <A href=notice.href.clone() attr:class="notice card">{notice.text.clone()}</A>
            </For>
        </div>
    }
}
