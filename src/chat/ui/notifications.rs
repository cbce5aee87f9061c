//! Mentions and fired price alerts arrive wherever the person is in the app: a small notice
//! links to the message or the stock.
//! Signed-in people keep the socket open on every page (they count as online meanwhile).

use leptos::prelude::*;
use leptos_router::components::A;

use super::socket::use_chat_socket;
use crate::{
    auth::ui::session::use_session,
    chat::{markdown, ServerEvent},
    kit::i18n::{t_string, use_i18n},
};

#[derive(Debug, Clone, PartialEq, Eq)]
struct Notice {
    id: String,
    text: String,
    href: String,
}

#[component]
pub fn MentionNotices() -> impl IntoView {
    let i18n = use_i18n();
    let socket = use_chat_socket();
    let session = use_session();
    let notices: RwSignal<Vec<Notice>> = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        if session.user().is_some() {
            socket.start();
        }
    });
    socket.on_event(move |event| {
        if let ServerEvent::AlertTriggered { alert } = event {
            let notice = Notice {
                id: alert.id.clone(),
                text: crate::portfolio::ui::alert_text(alert),
                href: crate::market::ui::stock_href(&alert.symbol),
            };
            let id = notice.id.clone();
            notices.update(|list| list.push(notice));
            set_timeout(
                move || notices.update(|list| list.retain(|n| n.id != id)),
                std::time::Duration::from_secs(12),
            );
        }
        if let ServerEvent::Mentioned {
            community_slug,
            channel_name,
            message,
        } = event
        {
            let text = t_string!(i18n, chat.mentioned_you)
                .replace("{name}", &message.author.display_name)
                .replace("{channel}", channel_name)
                .replace(
                    "{text}",
                    &markdown::excerpt(message.body.as_deref().unwrap_or_default(), 80),
                );
            let notice = Notice {
                id: message.id.clone(),
                text,
                href: format!("/c/{community_slug}/{channel_name}"),
            };
            let id = notice.id.clone();
            notices.update(|list| list.push(notice));
            set_timeout(
                move || notices.update(|list| list.retain(|n| n.id != id)),
                std::time::Duration::from_secs(8),
            );
        }
    });
    view! {
        <div class="notices" aria-live="polite">
            <For each=move || notices.get() key=|n| n.id.clone() let:notice>
                <A href=notice.href.clone() attr:class="notice card">{notice.text.clone()}</A>
            </For>
        </div>
    }
}
