//! Mentions arrive wherever the person is in the app: a notice links to the message.
//! Signed-in people keep the socket open on every page (they count as online meanwhile).

use std::time::Duration;

use leptos::prelude::*;

use super::socket::use_chat_socket;
use crate::{
    auth::ui::session::use_session,
    chat::ServerEvent,
    kit::{
        i18n::{t_string, use_i18n},
        markdown,
        notices::{use_notices, Notice},
    },
};

/// Opens the socket for a signed-in person and turns their mentions into notices.
#[component]
pub fn MentionNotices() -> impl IntoView {
    let i18n = use_i18n();
    let socket = use_chat_socket();
    let session = use_session();
    let notices = use_notices();
    Effect::new(move |_| {
        if session.user().is_some() {
            socket.start();
        }
    });
    socket.on_event(move |event| {
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
            notices.push(
                Notice {
                    id: message.id.clone(),
                    text,
                    href: format!("/c/{community_slug}/{channel_name}"),
                },
                Duration::from_secs(8),
            );
        }
    });
}
