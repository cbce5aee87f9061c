//! What moderators' measures look like to the person they concern, live: the warnings they
//! have not marked seen, and the timeout that keeps them from posting until it ends by itself.

use leptos::prelude::*;

use super::socket::use_chat_socket;
use crate::{
    chat::ServerEvent,
    community::{api::MarkWarningSeen, CommunityEvent, CommunityView, WarningInfo},
    kit::{
        i18n::{t, use_i18n},
        time::Time,
    },
};

/// When the viewer's timeout in this community ends (RFC 3339), or `None`: set and lifted
/// live by moderators, and cleared by itself the moment it ends.
pub fn timeout_signal(community: &CommunityView) -> RwSignal<Option<String>> {
    let until = RwSignal::new(community.timed_out_until.clone());
    let community_id = community.community.id.clone();
    use_chat_socket().on_event(move |event| {
        if let ServerEvent::Community(CommunityEvent::TimedOut {
            community_id: id,
            until: new,
        }) = event
        {
            if *id == community_id {
                until.set(new.clone());
            }
        }
    });
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(end) = until.get() {
            let left = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(&end)).get_time()
                - crate::kit::time::now_ms();
            let left = std::time::Duration::from_millis(left.max(0.0) as u64 + 500);
            set_timeout(
                move || {
                    // Only if it was not changed meanwhile.
                    if until.get_untracked().as_deref() == Some(end.as_str()) {
                        until.set(None);
                    }
                },
                left,
            );
        }
    });
    until
}

/// The note in place of the composer while a timeout holds.
#[component]
pub fn TimedOutNote(until: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="composer-note card muted timed-out-note" role="status">
            {t!(i18n, chat.timed_out_until)} " " <Time iso=until /> "."
        </p>
    }
}

/// Moderators' warnings to the viewer, each shown until they mark it seen; new ones arrive live.
#[component]
pub fn WarningsBanner(community: CommunityView) -> impl IntoView {
    let i18n = use_i18n();
    let warnings = RwSignal::new(community.warnings.clone());
    let community_id = community.community.id.clone();
    use_chat_socket().on_event(move |event| {
        if let ServerEvent::Community(CommunityEvent::Warned {
            community_id: id,
            warning,
        }) = event
        {
            if *id == community_id {
                warnings.update(|list| {
                    if !list.iter().any(|w| w.id == warning.id) {
                        list.push(warning.clone());
                    }
                });
            }
        }
    });
    let seen = ServerAction::<MarkWarningSeen>::new();
    let mark_seen = move |warning: &WarningInfo| {
        let id = warning.id.clone();
        warnings.update(|list| list.retain(|w| w.id != id));
        seen.dispatch(MarkWarningSeen { warning_id: id });
    };
    view! {
        <For each=move || warnings.get() key=|w| w.id.clone() let:warning>
            <div class="warning-banner card" role="alert">
                <p>
                    <strong>{t!(i18n, chat.warned_title)}</strong>
                    " " <q>{warning.reason.clone()}</q>
                    " " <span class="muted"><Time iso=warning.created_at.clone() /></span>
                </p>
                <button type="button" class="button button-small" on:click={
                    let warning = warning.clone();
                    move |_| mark_seen(&warning)
                }>{t!(i18n, chat.warning_seen)}</button>
            </div>
        </For>
    }
}
