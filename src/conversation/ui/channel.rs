//! A channel: history, live messages, pending sends, typing, replies, reactions, pins, edits.

use leptos::{html, prelude::*};

use super::message::{MessageItem, MessageRights};
use crate::{
    auth::{ui::pages::error_text, User},
    chat::{
        api::{channel_history, channel_pins},
        ui::{
            rich_text::rich_text,
            socket::{use_chat_socket, SocketStatus},
            standing::{timeout_signal, TimedOutNote},
            state::ChannelState,
            timeline::{Pending, Reader, Timeline},
        },
        ClientEvent, OpenedChannel, MESSAGE_MAX,
    },
    community::permissions::{ChannelKind, Permissions},
    files::{
        ui::{Attachments, Tray, TrayView},
        voice::{RecordButton, Recorder, RecordingBar},
        Attachment,
    },
    kit::{
        i18n::{t, t_string, use_i18n},
        icons::{Icon, IconName},
        live::nonce,
        time::now_ms,
    },
    moderation::ui::catch_up::CatchUpPanel,
    platform::error::AppError,
    polls::ui::PollForm,
};

#[component]
pub fn ChannelScreen(opened: OpenedChannel, me: Option<User>) -> impl IntoView {
    let i18n = use_i18n();
    let socket = use_chat_socket();
    let channel = opened.channel.clone();
    let community = opened.community.clone();
    let channel_id = channel.id.clone();
    let max_upload = opened.max_upload_bytes;
    let timeline = RwSignal::new(Timeline::new(opened.history.messages.clone()));
    let has_more = RwSignal::new(opened.history.has_more);
    let list_ref = NodeRef::<html::Div>::new();
    let at_bottom = StoredValue::new(true);
    let jump = Callback::new({
        let channel_id = channel_id.clone();
        move |seq: i64| {
            at_bottom.set_value(false);
            let channel_id = channel_id.clone();
            leptos::task::spawn_local(async move {
                // Older pages, each reaching back to the message, until it is loaded.
                while has_more.get_untracked() {
                    let Some(oldest) =
                        timeline.with_untracked(|t| t.messages.first().map(|m| m.seq))
                    else {
                        break;
                    };
                    if oldest <= seq {
                        break;
                    }
                    match channel_history(channel_id.clone(), Some(oldest), Some(seq)).await {
                        Ok(page) => {
                            has_more.set(page.has_more);
                            timeline.update(|t| {
                                for message in page.messages {
                                    t.merge(message);
                                }
                            });
                        }
                        Err(err) => {
                            timeline.update(|t| t.notice = Some(error_text(&err)));
                            return;
                        }
                    }
                }
                request_animation_frame(move || reveal(seq));
            });
        }
    });
    let state = ChannelState {
        channel_id: StoredValue::new(channel_id.clone()),
        timeline,
        reply_to: RwSignal::new(None),
        translatable_from: RwSignal::new(None),
        jump,
    };
    provide_context(state);
    // `?at=<seq>`: opened from a search result, on that message.
    let jump_on_open = leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("at").and_then(|at| at.parse::<i64>().ok()));
    // Each part of the timeline as its own signal: a typing event does not redraw the messages.
    let messages = Memo::new(move |_| timeline.with(|t| t.messages.clone()));
    let pending = Memo::new(move |_| timeline.with(|t| t.pending.clone()));
    let typing = Memo::new(move |_| timeline.with(|t| t.typing.clone()));
    let private_notes = Memo::new(move |_| timeline.with(|t| t.private_notes.clone()));
    let notice = Memo::new(move |_| timeline.with(|t| t.notice.clone()));
    let newest_seq = move || timeline.with_untracked(Timeline::newest_seq);
    let loading_older = RwSignal::new(false);
    let show_pins = RwSignal::new(false);
    let pins_version = RwSignal::new(0u32);
    // Where the unread marker sits for this visit: the first message after the read position.
    let first_unread = (channel.last_read_seq > 0 && channel.last_seq > channel.last_read_seq)
        .then_some(channel.last_read_seq + 1);
    let my_id = me.as_ref().map(|u| u.id.clone());
    let my_name = me.as_ref().map(|u| u.username.clone());
    let member = community.my_rank.is_some();
    let signed_in = me.is_some();
    let may_post = member
        && match channel.kind {
            ChannelKind::Text => community.may(Permissions::POST),
            ChannelKind::Announcement => community.may(Permissions::MODERATE_MESSAGES),
            ChannelKind::Voice => false,
        }
        && !channel.archived;
    // A direct conversation shows whom it is with, and a block between its two people closes it.
    let direct_to = community.direct.as_ref().map(|d| d.title());
    let closed = community.direct.as_ref().is_some_and(|d| d.closed);
    let may_post = may_post && !closed;
    let timed_out = timeout_signal(&community);
    let rights = MessageRights {
        me: my_id.clone(),
        my_username: my_name.clone(),
        may_react: member && community.may(Permissions::POST),
        may_pin: community.may(Permissions::PIN),
        may_moderate: community.may(Permissions::MODERATE_MESSAGES),
        may_report: member && community.direct.is_none(),
        my_language: me.as_ref().map(|u| u.preferred_language.clone()),
        auto_translate: me.as_ref().is_none_or(|u| u.auto_translate),
    };

    // Which languages can be translated for this reader: asked once the page is live.
    if signed_in {
        Effect::new(move |_| {
            leptos::task::spawn_local(async move {
                if let Ok(sources) = crate::moderation::api::translation_sources().await {
                    state.translatable_from.set(Some(sources));
                }
            });
        });
    }
    // Notices about this conversation are not shown while it is on screen.
    crate::kit::notices::OnScreen::show_while_mounted(match &community.direct {
        Some(_) => format!("/messages/{}", community.community.slug),
        None => format!("/c/{}/{}", community.community.slug, channel.name),
    });
    let show_catch_up = RwSignal::new(false);
    let catch_up_channel = channel_id.clone();

    let scroll_to_bottom = move || {
        if let Some(list) = list_ref.get_untracked() {
            list.set_scroll_top(list.scroll_height());
        }
    };

    let subscribe = {
        let channel_id = channel_id.clone();
        move || {
            socket.send(ClientEvent::Subscribe {
                channel_id: channel_id.clone(),
                after_seq: Some(newest_seq()),
            });
        }
    };
    let mark_read = {
        let channel_id = channel_id.clone();
        move || {
            if member {
                socket.send(ClientEvent::Read {
                    channel_id: channel_id.clone(),
                    seq: newest_seq(),
                });
            }
        }
    };
    let flush_pending = {
        let channel_id = channel_id.clone();
        move || {
            timeline.update(|t| {
                for p in t
                    .pending
                    .iter_mut()
                    .filter(|p| !p.sent && p.failed.is_none())
                {
                    p.sent = socket.send(ClientEvent::Send {
                        channel_id: channel_id.clone(),
                        nonce: p.nonce.clone(),
                        body: p.body.clone(),
                        reply_to: p.reply_to.clone(),
                        attachments: p.attachments.iter().map(|a| a.id.clone()).collect(),
                    });
                }
            });
        }
    };

    {
        let channel_id = channel_id.clone();
        let subscribe = subscribe.clone();
        let mark_read = mark_read.clone();
        let flush_pending = flush_pending.clone();
        let my_id = my_id.clone();
        socket.on_event(move |event| {
            let reader = Reader {
                channel_id: &channel_id,
                me: my_id.as_deref(),
                now_ms: now_ms(),
                describe: &error_text_for,
                locale: i18n.get_locale_untracked(),
            };
            // Written without notifying, then announced only if the event was this channel's.
            let Some(next) = timeline.try_update_untracked(|t| t.apply(event, &reader)) else {
                return;
            };
            if !next.untouched {
                timeline.notify();
            }
            if next.subscribe {
                subscribe();
            }
            if next.flush_pending {
                flush_pending();
            }
            if next.mark_read && at_bottom.get_value() {
                mark_read();
            }
            if next.pins_changed {
                pins_version.update(|v| *v += 1);
            }
        });
    }

    // Opening the channel (on the client) subscribes and counts as reading it.
    Effect::new({
        let subscribe = subscribe.clone();
        let mark_read = mark_read.clone();
        move |_| {
            if signed_in {
                socket.start();
                if socket.status.get_untracked() == SocketStatus::Open {
                    subscribe();
                    mark_read();
                }
            }
            match jump_on_open {
                Some(seq) => jump.run(seq),
                None => scroll_to_bottom(),
            }
        }
    });
    {
        let channel_id = channel_id.clone();
        on_cleanup(move || {
            socket.send(ClientEvent::Unsubscribe { channel_id });
        });
    }
    // Keep the newest message in view while the reader is at the bottom.
    Effect::new(move |_| {
        messages.track();
        pending.track();
        private_notes.track();
        if at_bottom.get_value() {
            request_animation_frame(scroll_to_bottom);
        }
    });
    // What is drawn after the list (a poll's results, a picture, a card) makes it taller: a
    // reader at the bottom stays at the newest message instead of a poll's height above it.
    let flow_ref = NodeRef::<html::Div>::new();
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{closure::Closure, JsCast};
        // The observer, and the callback it holds (dropped with it).
        type Watching = (web_sys::ResizeObserver, Closure<dyn FnMut()>);
        let observing: StoredValue<Option<Watching>, _> = StoredValue::new_local(None);
        Effect::new(move |_| {
            let Some(flow) = flow_ref.get() else {
                return;
            };
            let grown = Closure::<dyn FnMut()>::new(move || {
                if at_bottom.get_value() {
                    scroll_to_bottom();
                }
            });
            if let Ok(observer) = web_sys::ResizeObserver::new(grown.as_ref().unchecked_ref()) {
                observer.observe(&flow);
                let before = observing.try_update_value(|now| now.replace((observer, grown)));
                if let Some(Some((before, _))) = before {
                    before.disconnect();
                }
            }
        });
        on_cleanup(move || {
            observing.try_with_value(|now| {
                if let Some((observer, _)) = now {
                    observer.disconnect();
                }
            });
        });
    }
    // Typing indicators fade after a few seconds without a refresh.
    #[cfg(feature = "hydrate")]
    {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                let now = now_ms();
                if typing.with_untracked(|l| l.iter().any(|(_, until)| *until < now)) {
                    timeline.update(|t| {
                        t.expire_typing(now);
                    });
                }
            },
            std::time::Duration::from_millis(1000),
        ) {
            on_cleanup(move || handle.clear());
        }
    }

    let load_older = {
        let channel_id = channel_id.clone();
        move || {
            if loading_older.get_untracked() || !has_more.get_untracked() {
                return;
            }
            let Some(oldest) = timeline.with_untracked(|t| t.messages.first().map(|m| m.seq))
            else {
                return;
            };
            loading_older.set(true);
            let channel_id = channel_id.clone();
            leptos::task::spawn_local(async move {
                let before = list_ref
                    .get_untracked()
                    .map(|l| l.scroll_height())
                    .unwrap_or(0);
                match channel_history(channel_id, Some(oldest), None).await {
                    Ok(page) => {
                        has_more.set(page.has_more);
                        timeline.update(|t| {
                            for message in page.messages {
                                t.merge(message);
                            }
                        });
                        // Keep the reader's place: the list grew above them.
                        request_animation_frame(move || {
                            if let Some(list) = list_ref.get_untracked() {
                                list.set_scroll_top(list.scroll_height() - before);
                            }
                        });
                    }
                    Err(err) => timeline.update(|t| t.notice = Some(error_text(&err))),
                }
                loading_older.set(false);
            });
        }
    };
    let on_scroll = {
        let load_older = load_older.clone();
        let mark_read = mark_read.clone();
        move |_| {
            let Some(list) = list_ref.get_untracked() else {
                return;
            };
            let bottom = list.scroll_height() - list.scroll_top() - list.client_height() < 48;
            if bottom && !at_bottom.get_value() {
                mark_read();
            }
            at_bottom.set_value(bottom);
            if list.scroll_top() < 80 {
                load_older();
            }
        }
    };

    let typing_text = move || {
        let names: Vec<String> =
            typing.with(|l| l.iter().map(|(a, _)| a.display_name.clone()).collect());
        match names.as_slice() {
            [] => String::new(),
            [one] => t_string!(i18n, chat.typing_one).replace("{name}", one),
            [a, b] => t_string!(i18n, chat.typing_two)
                .replace("{a}", a)
                .replace("{b}", b),
            _ => t_string!(i18n, chat.typing_many).to_string(),
        }
    };

    let send_body = {
        let channel_id = channel_id.clone();
        move |body: String, attachments: Vec<Attachment>| {
            let reply_to = state.reply_to.get_untracked().map(|m| m.id);
            let nonce = nonce();
            let sent = socket.send(ClientEvent::Send {
                channel_id: channel_id.clone(),
                nonce: nonce.clone(),
                body: body.clone(),
                reply_to: reply_to.clone(),
                attachments: attachments.iter().map(|a| a.id.clone()).collect(),
            });
            timeline.update(|t| {
                t.pending.push(Pending {
                    nonce,
                    body,
                    reply_to,
                    attachments,
                    sent,
                    failed: None,
                })
            });
            state.reply_to.set(None);
            at_bottom.set_value(true);
        }
    };
    let retry = {
        let send_body = send_body.clone();
        move |p: Pending| {
            timeline.update(|t| t.pending.retain(|other| other.nonce != p.nonce));
            send_body(p.body, p.attachments);
        }
    };

    let header_name = direct_to
        .clone()
        .unwrap_or_else(|| format!("#{}", channel.name));
    let topic = channel.topic.clone();
    let slug = community.community.slug.clone();
    let pins_channel = channel_id.clone();
    let pins = Resource::new(
        move || (show_pins.get(), pins_version.get()),
        move |(open, _)| {
            let channel_id = pins_channel.clone();
            async move {
                if open {
                    channel_pins(channel_id).await
                } else {
                    Ok(Vec::new())
                }
            }
        },
    );
    let me_name = StoredValue::new(my_name.clone());

    view! {
        <section class="channel" aria-labelledby="channel-title">
            <header class="channel-header">
                <div class="channel-heading">
                    <h1 id="channel-title">{header_name}</h1>
                    {(!topic.is_empty()).then(|| view! { <p class="muted channel-topic">{topic.clone()}</p> })}
                </div>
                <SocketBadge />
                {(signed_in && first_unread.is_some()).then(|| view! {
                    <button type="button" class="button button-small" aria-pressed=move || show_catch_up.get().to_string()
                        on:click=move |_| show_catch_up.update(|s| *s = !*s)>
                        {t!(i18n, chat.catch_up)}
                    </button>
                })}
                <button type="button" class="button button-small" aria-pressed=move || show_pins.get().to_string()
                    on:click=move |_| show_pins.update(|s| *s = !*s)>
                    {t!(i18n, chat.pins)}
                </button>
                {member.then(|| view! {
                    <crate::notify::ui::PlaceNotifications channel_id=channel_id.clone() direct=community.direct.is_some() />
                })}
            </header>
            <Show when=move || show_catch_up.get()>
                <CatchUpPanel channel_id=catch_up_channel.clone() since_seq=first_unread.unwrap_or(1) - 1 close=show_catch_up />
            </Show>
            <Show when=move || show_pins.get()>
                <aside class="pins-panel card" aria-label=move || t_string!(i18n, chat.pins_title)>
                    <h2>{t!(i18n, chat.pins_title)}</h2>
                    <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
                        {move || Suspend::new(async move {
                            let me_name = me_name.get_value();
                            pins.await.map(move |list| {
                                if list.is_empty() {
                                    return view! { <p class="muted">{t!(i18n, chat.pins_none)}</p> }.into_any();
                                }
                                list.into_iter().map(|m| {
                                    let body = m.body.clone().unwrap_or_default();
                                    view! {
                                        <article class="pin">
                                            <strong>{m.author.display_name.clone()}</strong>
                                            <div class="message-body">{rich_text(&body, me_name.clone())}</div>
                                        </article>
                                    }
                                }).collect_view().into_any()
                            })
                        })}
                    </Transition>
                </aside>
            </Show>
            <div class="messages" node_ref=list_ref on:scroll=on_scroll role="log" aria-live="polite"
                aria-label=move || t_string!(i18n, chat.messages_label)>
                <div class="messages-flow" node_ref=flow_ref>
                <Show when=move || has_more.get()>
                    <button type="button" class="button button-small load-older" on:click={
                        let load_older = load_older.clone();
                        move |_| load_older()
                    } disabled=move || loading_older.get()>
                        {move || if loading_older.get() { t_string!(i18n, settings.loading) } else { t_string!(i18n, chat.load_older) }}
                    </button>
                </Show>
                <Show when=move || !has_more.get() && messages.with(|l| l.first().is_some_and(|m| m.seq == 1))>
                    <p class="channel-start muted">{t!(i18n, chat.channel_start)}</p>
                </Show>
                <Show when=move || messages.with(Vec::is_empty) && pending.with(Vec::is_empty)>
                    <p class="empty muted">{t!(i18n, chat.empty)}</p>
                </Show>
                <For
                    each=move || messages.get()
                    key=|m| {
                        let quoting = m.reply_to.as_ref().map(|q| (q.excerpt.is_some(), q.author.deleted));
                        let flag = m.flag.as_ref().map(|f| f.reason.clone());
                        let ai = (m.language.clone(), m.translations.len(), m.unchecked);
                        // A vote or an answer anywhere redraws its part (who said what, not only
                        // how many).
                        let parts = m.parts.key();
                        (m.seq, m.body.clone(), m.edited, m.pinned, m.reactions.clone(), quoting, flag, ai, m.author.deleted, parts)
                    }
                    children={
                        let rights = rights.clone();
                        move |message| {
                            let marker = first_unread.is_some_and(|first| message.seq == first);
                            view! {
                                {marker.then(|| view! {
                                    <div class="unread-marker" role="separator"><span>{t!(i18n, chat.new_messages)}</span></div>
                                })}
                                <MessageItem message rights=rights.clone() />
                            }
                        }
                    }
                />
                {move || pending.get().into_iter().map(|p| {
                    let failed = p.failed.clone();
                    let is_failed = failed.is_some();
                    let retry = retry.clone();
                    let again = p.clone();
                    let nonce = p.nonce.clone();
                    let waiting = !p.sent;
                    view! {
                        <article class="message pending" class:failed=is_failed aria-busy=(!is_failed).to_string()>
                            <div class="message-body">{rich_text(&p.body, None)}</div>
                            {(!p.attachments.is_empty()).then(|| view! { <Attachments files=p.attachments.clone() /> })}
                            {match failed {
                                // Not handed to a socket yet: it goes out when the connection is back.
                                None if waiting => view! { <p class="message-status muted">{t!(i18n, chat.waiting)}</p> }.into_any(),
                                None => view! { <p class="message-status muted">{t!(i18n, chat.sending)}</p> }.into_any(),
                                Some(error) => view! {
                                    <p class="message-status field-error" role="alert">{error}</p>
                                    <div class="message-status-actions">
                                        <button type="button" class="button button-small" on:click=move |_| retry(again.clone())>{t!(i18n, chat.retry)}</button>
                                        <button type="button" class="button button-small" on:click=move |_| timeline.update(|t| t.pending.retain(|o| o.nonce != nonce))>{t!(i18n, chat.discard)}</button>
                                    </div>
                                }.into_any(),
                            }}
                        </article>
                    }
                }).collect_view()}
                {move || private_notes.get().into_iter().map(|text| view! {
                    <article class="message private-note">
                        <p class="muted">{t!(i18n, chat.only_you)}</p>
                        <pre>{text}</pre>
                    </article>
                }).collect_view()}
                </div>
            </div>
            <p class="typing muted" aria-live="polite">{typing_text}</p>
            <Show when=move || notice.with(Option::is_some)>
                <p class="form-error" role="alert">
                    {move || notice.get()}
                    " "
                    <button type="button" class="link-button" on:click=move |_| timeline.update(|t| t.notice = None)>{t!(i18n, chat.dismiss)}</button>
                </p>
            </Show>
            {move || if let Some(until) = timed_out.get().filter(|_| member) {
                view! { <TimedOutNote until /> }.into_any()
            } else if may_post {
                view! { <Composer channel_name=channel.name.clone() direct_to=direct_to.clone() channel_id=channel_id.clone() max_upload send=send_body.clone() /> }.into_any()
            } else if closed {
                view! { <p class="composer-note card muted">{t!(i18n, direct.closed)}</p> }.into_any()
            } else if !signed_in {
                view! {
                    <p class="composer-note card">
                        <a href=format!("/signin?next=/c/{}/{}", slug, channel.name) class="button button-primary button-small">{t!(i18n, nav.sign_in)}</a>
                        " " {t!(i18n, chat.sign_in_to_chat)}
                    </p>
                }.into_any()
            } else if !member {
                view! { <p class="composer-note card muted">{t!(i18n, chat.join_to_chat)}</p> }.into_any()
            } else if channel.archived {
                view! { <p class="composer-note card muted">{t!(i18n, chat.archived)}</p> }.into_any()
            } else {
                view! { <p class="composer-note card muted">{t!(i18n, chat.announcement_only)}</p> }.into_any()
            }}
        </section>
    }
}

/// An error as the chat shows it: rate limits with the wait, the rest as usual.
/// Scrolls the message list to a loaded message and highlights it for a moment. A page
/// opened on a message (`?at=`) may not be in the document yet when this first runs, so it
/// looks again for a moment.
fn reveal(seq: i64) {
    #[cfg(feature = "hydrate")]
    {
        fn attempt(seq: i64, left: u32) {
            let selector = format!("article.message[data-seq=\"{seq}\"]");
            match document().query_selector(&selector).ok().flatten() {
                Some(element) if element.is_connected() => {
                    let options = web_sys::ScrollIntoViewOptions::new();
                    options.set_block(web_sys::ScrollLogicalPosition::Center);
                    element.scroll_into_view_with_scroll_into_view_options(&options);
                    let classes = element.class_list();
                    // Taken off first, so a second jump to the same message flashes again.
                    let _ = classes.remove_1("jumped-to");
                    let _ = classes.add_1("jumped-to");
                }
                _ if left > 0 => set_timeout(
                    move || attempt(seq, left - 1),
                    std::time::Duration::from_millis(50),
                ),
                _ => {}
            }
        }
        attempt(seq, 40);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = seq;
}

fn error_text_for(error: &AppError) -> String {
    let i18n = use_i18n();
    match error {
        AppError::RateLimited { retry_after_secs } => {
            t_string!(i18n, chat.rate_limited).replace("{n}", &retry_after_secs.to_string())
        }
        other => error_text(other),
    }
}

/// "Live" / "Reconnecting…" next to the channel name.
#[component]
fn SocketBadge() -> impl IntoView {
    let i18n = use_i18n();
    let socket = use_chat_socket();
    move || {
        match socket.status.get() {
        SocketStatus::Open => view! { <span class="live-badge">{t!(i18n, chat.live)}</span> }.into_any(),
        SocketStatus::Idle => ().into_any(),
        SocketStatus::Connecting | SocketStatus::Reconnecting => {
            view! { <span class="live-badge offline" role="status">{t!(i18n, chat.reconnecting)}</span> }.into_any()
        }
    }
    }
}

/// The message box: Enter sends, Shift+Enter starts a new line. Files come by the paperclip,
/// by pasting, or by dropping them on the box; they upload at once and go with the message.
#[component]
fn Composer(
    channel_name: String,
    /// In a direct conversation: whom it is with (the box says "Message Ana").
    direct_to: Option<String>,
    channel_id: String,
    max_upload: u64,
    send: impl Fn(String, Vec<Attachment>) + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let socket = use_chat_socket();
    let state = expect_context::<ChannelState>();
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let last_typing = StoredValue::new(0.0f64);
    let textarea = NodeRef::<html::Textarea>::new();
    let length = move || text.with(|t| t.trim().chars().count());
    let tray = Tray::new(channel_id.clone(), max_upload);
    let recorder = Recorder::new(tray);
    let dragging = RwSignal::new(false);
    // A file taken out (or added) settles what the last refusal said about the tray.
    let files = Memo::new(move |_| tray.list.with(Vec::len));
    Effect::new(move |seen: Option<usize>| {
        let now = files.get();
        if seen.is_some_and(|seen| seen != now) {
            error.set(None);
        }
        now
    });

    let submit = {
        let send = send.clone();
        let channel_id = channel_id.clone();
        move || {
            let body = text.get_untracked().trim().to_string();
            if tray.busy() {
                error.set(Some(t_string!(i18n, chat.files.wait).to_string()));
                return;
            }
            let Some(files) = tray.ready() else {
                error.set(Some(t_string!(i18n, chat.files.remove_failed).to_string()));
                return;
            };
            if body.is_empty() && files.is_empty() {
                return;
            }
            let count = body.chars().count();
            if count > MESSAGE_MAX {
                error.set(Some(
                    t_string!(i18n, chat.too_long)
                        .replace("{max}", &MESSAGE_MAX.to_string())
                        .replace("{n}", &count.to_string()),
                ));
                return;
            }
            error.set(None);
            send(body, files);
            tray.clear();
            text.set(String::new());
            last_typing.set_value(0.0);
            socket.send(ClientEvent::Typing {
                channel_id: channel_id.clone(),
                typing: false,
            });
        }
    };
    // @-mentions: while a username is being typed, the page's people it may be, to pick from
    // with the arrows and Enter or Tab (or a click), as in Slack and Discord.
    let known = crate::kit::people::use_known_people();
    let mention = RwSignal::new(None::<(usize, usize)>);
    let suggestions = RwSignal::new(Vec::<crate::kit::people::Named>::new());
    let active = RwSignal::new(0usize);
    let suggesting = move || suggestions.with(|s| !s.is_empty());
    let close_suggestions = move || {
        mention.set(None);
        suggestions.set(Vec::new());
    };
    let suggest = move |value: &str| {
        let caret = textarea
            .get_untracked()
            .and_then(|area| area.selection_start().ok().flatten())
            .map(|units| crate::kit::people::byte_offset(value, units as usize));
        let found = caret
            .and_then(|caret| {
                crate::kit::people::mention_at(value, caret).map(|(at, typed)| (at, caret, typed))
            })
            .zip(known)
            .map(|((at, caret, typed), known)| (at, caret, known.matching(typed, 6)));
        match found {
            Some((at, caret, people)) if !people.is_empty() => {
                mention.set(Some((at, caret)));
                suggestions.set(people);
                active.set(0);
            }
            _ => close_suggestions(),
        }
    };
    let pick = Callback::new(move |username: String| {
        let Some((at, caret)) = mention.get_untracked() else {
            return;
        };
        let current = text.get_untracked();
        let (Some(head), Some(tail)) = (current.get(..at), current.get(caret..)) else {
            return;
        };
        let written = format!("{head}@{username} ");
        let caret_after = written.encode_utf16().count() as u32;
        let next = format!("{written}{tail}");
        if let Some(area) = textarea.get_untracked() {
            area.set_value(&next);
            let _ = area.set_selection_range(caret_after, caret_after);
            let _ = area.focus();
        }
        text.set(next);
        close_suggestions();
    });
    let on_input = {
        let channel_id = channel_id.clone();
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            suggest(&value);
            text.set(value);
            let now = now_ms();
            // Tell others at most every 3 s; their indicator lasts 5 s.
            if now - last_typing.get_value() > 3000.0 && !text.get_untracked().trim().is_empty() {
                last_typing.set_value(now);
                socket.send(ClientEvent::Typing {
                    channel_id: channel_id.clone(),
                    typing: true,
                });
            }
        }
    };
    let on_keydown = {
        let submit = submit.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            if suggestions.with_untracked(|s| !s.is_empty()) && !ev.is_composing() {
                let count = suggestions.with_untracked(Vec::len);
                match ev.key().as_str() {
                    "ArrowDown" => active.update(|n| *n = (*n + 1) % count),
                    "ArrowUp" => active.update(|n| *n = (*n + count - 1) % count),
                    "Enter" | "Tab" if !ev.shift_key() => {
                        let chosen = suggestions.with_untracked(|s| {
                            s.get(active.get_untracked()).map(|p| p.username.clone())
                        });
                        if let Some(username) = chosen {
                            pick.run(username);
                        }
                    }
                    "Escape" => close_suggestions(),
                    _ => return,
                }
                ev.prevent_default();
                return;
            }
            if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                ev.prevent_default();
                submit();
            }
        }
    };
    // "Message #general", or "Message Ana" in a direct conversation.
    let placeholder = move || match &direct_to {
        Some(name) => t_string!(i18n, direct.placeholder).replace("{name}", name),
        None => t_string!(i18n, chat.placeholder).replace("{channel}", &channel_name),
    };
    let label = placeholder.clone();
    Effect::new(move |_| {
        if state.reply_to.get().is_some() {
            if let Some(area) = textarea.get_untracked() {
                let _ = area.focus();
            }
        }
    });
    // Files dropped on the box, or pasted into it.
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        #[cfg(feature = "hydrate")]
        if let Some(files) = ev.data_transfer().and_then(|d| d.files()) {
            tray.add(files);
        }
    };
    let on_paste = move |_ev: leptos::ev::ClipboardEvent| {
        #[cfg(feature = "hydrate")]
        if let Some(files) = _ev.clipboard_data().and_then(|d| d.files()) {
            if files.length() > 0 {
                _ev.prevent_default();
                tray.add(files);
            }
        }
    };
    let on_pick = move |_ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            if let Some(input) = _ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                if let Some(files) = input.files() {
                    tray.add(files);
                }
                // The same file can be picked again after it was taken out.
                input.set_value("");
            }
        }
    };
    let picker_id = format!("attach-{channel_id}");
    let mention_list = format!("mentions-{channel_id}");
    let mention_list_field = StoredValue::new(mention_list.clone());
    let asking = RwSignal::new(false);
    let planning = RwSignal::new(false);
    let planning_in = channel_id.clone();
    let sharing = RwSignal::new(false);
    let sharing_in = channel_id.clone();
    view! {
        <Show when=move || asking.get()>
            <PollForm channel_id=channel_id.clone() open=asking />
        </Show>
        <Show when=move || planning.get()>
            <crate::events::ui::EventForm channel_id=planning_in.clone() open=planning />
        </Show>
        <Show when=move || sharing.get()>
            <crate::cards::ui::ShareForm channel_id=sharing_in.clone() open=sharing />
        </Show>
        <form class="composer" class:dragging=move || dragging.get()
            on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop
            on:submit={
            let submit = submit.clone();
            move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); submit(); }
        }>
            {move || state.reply_to.get().map(|m| view! {
                <div class="replying">
                    <span>{t!(i18n, chat.replying_to)} " " <strong>{m.author.display_name.clone()}</strong></span>
                    <button type="button" class="link-button" on:click=move |_| state.reply_to.set(None)
                        aria-label=move || t_string!(i18n, chat.cancel_reply)>"×"</button>
                </div>
            })}
            <TrayView tray />
            <Show when=suggesting>
                <ul class="mention-suggestions card" role="listbox" id=mention_list.clone()
                    aria-label=move || t_string!(i18n, chat.mention_suggestions)>
                    {
                        let mention_list = mention_list.clone();
                        move || suggestions.get().into_iter().enumerate().map(|(n, person)| {
                            let username = person.username.clone();
                            view! {
                                <li role="option" id=format!("{mention_list}-{n}") class:active=move || active.get() == n
                                    aria-selected=move || (active.get() == n).to_string()
                                    // Taken on the press, before the field loses the keyboard.
                                    on:mousedown=move |ev| { ev.prevent_default(); pick.run(username.clone()); }>
                                    <strong>{person.display_name.clone()}</strong>
                                    " " <span class="muted">"@" {person.username.clone()}</span>
                                </li>
                            }
                        }).collect_view()
                    }
                </ul>
            </Show>
            <Show when=move || recorder.recording()>
                <RecordingBar recorder />
            </Show>
            <div class="composer-row" class:hidden-while-recording=move || recorder.recording()>
                // The field itself takes the keyboard (Enter or Space opens the picker); its label
                // is the paperclip people click, as the portfolio's CSV drop zone does.
                <input type="file" multiple id=picker_id.clone() class="visually-hidden attach-input" on:change=on_pick
                    aria-label=move || t_string!(i18n, chat.files.attach) />
                <label for=picker_id class="icon-button attach-button" title=move || t_string!(i18n, chat.files.attach)>
                    <Icon name=IconName::Paperclip />
                </label>
                <RecordButton recorder />
                <button type="button" class="icon-button poll-button" aria-expanded=move || asking.get().to_string()
                    aria-label=move || t_string!(i18n, poll.button) title=move || t_string!(i18n, poll.button)
                    on:click=move |_| { planning.set(false); sharing.set(false); asking.update(|open| *open = !*open) }>
                    <Icon name=IconName::Poll />
                </button>
                <button type="button" class="icon-button event-button" aria-expanded=move || planning.get().to_string()
                    aria-label=move || t_string!(i18n, events.button) title=move || t_string!(i18n, events.button)
                    on:click=move |_| { asking.set(false); sharing.set(false); planning.update(|open| *open = !*open) }>
                    <Icon name=IconName::Calendar />
                </button>
                <button type="button" class="icon-button share-button" aria-expanded=move || sharing.get().to_string()
                    aria-label=move || t_string!(i18n, cards.button) title=move || t_string!(i18n, cards.button)
                    on:click=move |_| { asking.set(false); planning.set(false); sharing.update(|open| *open = !*open) }>
                    <Icon name=IconName::Portfolio />
                </button>
                <label class="visually-hidden" for="composer">{label}</label>
                <textarea id="composer" node_ref=textarea rows="1"
                    aria-autocomplete="list"
                    aria-controls=move || suggesting().then(|| mention_list_field.get_value())
                    aria-activedescendant=move || suggesting().then(|| format!("{}-{}", mention_list_field.get_value(), active.get()))
                    on:blur=move |_| close_suggestions()
                    placeholder=placeholder
                    prop:value=move || text.get() on:input=on_input on:keydown=on_keydown on:paste=on_paste
                    aria-invalid=move || error.get().is_some().to_string()></textarea>
                <button type="submit" class="button button-primary">{t!(i18n, chat.send)}</button>
            </div>
            <p class="help composer-help">
                {move || (length() > MESSAGE_MAX - 500).then(|| format!("{} / {}", length(), MESSAGE_MAX))}
            </p>
            <p class="field-error" role="alert">{move || error.get()}</p>
        </form>
    }
}
