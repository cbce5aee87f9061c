//! Direct messages: the list of a person's conversations (kept live wherever they are in the
//! app, with what is unread), `/messages` with a way to start one, a conversation's page on the
//! channel screen, and the "Message" button on profiles and member lists.

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_location, use_navigate, use_params_map},
};

use super::{channel::ChannelScreen, page::MemberList};
use crate::chat::ui::socket::{use_chat_socket, SocketStatus};
use crate::{
    auth::{
        ui::{pages::error_text, session::use_session},
        validate::initials,
    },
    chat::{api::open_channel, ServerEvent},
    community::{
        api::LeaveCommunity,
        direct::{
            api::{add_to_conversation, list_conversations, start_conversation},
            Conversation, CHANNEL, MAX_PEOPLE,
        },
        CommunityEvent,
    },
    kit::{
        i18n::{t, t_string, use_i18n},
        icons::{Icon, IconName},
        markdown,
        notices::{use_notices, Notice},
    },
};

/// The signed-in person's conversations, newest activity first, shared by the navigation's
/// badge, `/messages` and a conversation's sidebar.
#[derive(Clone, Copy)]
pub struct Conversations {
    pub list: RwSignal<Vec<Conversation>>,
    /// Loaded at least once (an empty list then means none).
    pub loaded: RwSignal<bool>,
}

impl Conversations {
    /// Messages not read, over every conversation.
    pub fn unread(&self) -> i64 {
        self.list.with(|l| l.iter().map(Conversation::unread).sum())
    }

    /// Marks a conversation read up to its newest message (it is on screen).
    pub fn seen(&self, slug: &str) {
        self.list.update(|list| {
            if let Some(c) = list.iter_mut().find(|c| c.slug == slug) {
                c.last_read_seq = c.last_seq;
            }
        });
    }

    /// Reads the list again from the server.
    pub fn reload(&self) {
        let (list, loaded) = (self.list, self.loaded);
        leptos::task::spawn_local(async move {
            if let Ok(fresh) = list_conversations().await {
                list.set(fresh);
                loaded.set(true);
            }
        });
    }
}

pub fn provide_conversations() {
    provide_context(Conversations {
        list: RwSignal::new(Vec::new()),
        loaded: RwSignal::new(false),
    });
}

pub fn use_conversations() -> Conversations {
    expect_context::<Conversations>()
}

/// Keeps the list of conversations current while the person is signed in: read when the
/// socket is ready (again), moved by each new direct message (`notify` tells of it).
#[component]
pub fn DirectMessageWatch() -> impl IntoView {
    let socket = use_chat_socket();
    let session = use_session();
    let conversations = use_conversations();
    let location = use_location();
    // Started after the page (the layout's signed-in watchers): the socket may be ready already.
    if socket.status.get_untracked() == SocketStatus::Open {
        conversations.reload();
    }
    socket.on_event(move |event| match event {
        ServerEvent::Ready { .. } if session.user().is_some() => conversations.reload(),
        ServerEvent::Community(CommunityEvent::ConversationChanged { .. }) => {
            conversations.reload()
        }
        ServerEvent::DirectMessage { slug, message } => {
            let on_screen = location.pathname.get_untracked() == format!("/messages/{slug}");
            let known = conversations
                .list
                .with_untracked(|l| l.iter().any(|c| &c.slug == slug));
            if !known {
                conversations.reload();
            }
            conversations.list.update(|list| {
                if let Some(c) = list.iter_mut().find(|c| &c.slug == slug) {
                    c.last_seq = c.last_seq.max(message.seq);
                    if on_screen {
                        c.last_read_seq = c.last_seq;
                    }
                    c.preview = message
                        .body
                        .as_deref()
                        .map(|b| markdown::excerpt(b, 80))
                        .filter(|t| !t.is_empty());
                    c.preview_author = Some(message.author.clone());
                    c.active_at = message.created_at.clone();
                }
                list.sort_by(|a, b| b.active_at.cmp(&a.active_at));
            });
        }
        _ => {}
    });
}

/// The navigation's count of unread direct messages (nothing when none).
#[component]
pub fn DirectUnreadBadge() -> impl IntoView {
    let i18n = use_i18n();
    let conversations = use_conversations();
    move || {
        let unread = conversations.unread();
        (unread > 0).then(|| {
            let label = t_string!(i18n, direct.unread).replace("{n}", &unread.to_string());
            let shown = if unread > 99 {
                "99+".to_string()
            } else {
                unread.to_string()
            };
            view! { <span class="unread-count nav-badge" aria-label=label>{shown}</span> }
        })
    }
}

/// Faces of a conversation's people: one avatar, or the first two overlapping.
#[component]
fn Faces(conversation: Conversation) -> impl IntoView {
    let people: Vec<_> = conversation.people.iter().take(2).cloned().collect();
    let stacked = people.len() > 1;
    view! {
        <span class="dm-faces" class:stacked=stacked aria-hidden="true">
            {people.into_iter().map(|p| view! {
                <crate::kit::avatar::Avatar initials=initials(&p.display_name) url=p.avatar_url.clone() />
            }).collect_view()}
        </span>
    }
}

/// The conversations as links, with their unread counts and newest words; `current` is the one
/// on screen.
#[component]
fn ConversationLinks(#[prop(into)] current: Signal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let conversations = use_conversations();
    move || {
        let list = conversations.list.get();
        if list.is_empty() {
            return if conversations.loaded.get() {
                view! { <p class="muted dm-empty">{t!(i18n, direct.none)}</p> }.into_any()
            } else {
                view! { <p class="muted dm-empty">{t!(i18n, settings.loading)}</p> }.into_any()
            };
        }
        let current = current.get();
        view! {
            <ul class="dm-list">
                {list.into_iter().map(|c| {
                    let is_current = current.as_deref() == Some(c.slug.as_str());
                    let unread = if is_current { 0 } else { c.unread() };
                    let label = (unread > 0).then(|| t_string!(i18n, community.unread).replace("{n}", &unread.to_string()));
                    let preview = match (&c.preview, &c.preview_author) {
                        (Some(text), Some(author)) if c.group => format!("{}: {text}", author.display_name),
                        (Some(text), _) => text.clone(),
                        (None, _) if c.closed => t_string!(i18n, direct.closed_short).to_string(),
                        (None, _) => String::new(),
                    };
                    view! {
                        <li>
                            <A href=c.href() attr:class={if unread > 0 { "dm-link unread" } else { "dm-link" }}
                                attr:aria-current=is_current.then_some("page")>
                                <Faces conversation=c.clone() />
                                <span class="dm-text">
                                    <span class="dm-title">{c.title()}</span>
                                    {(!preview.is_empty()).then(|| view! { <span class="dm-preview muted">{preview}</span> })}
                                </span>
                                <span class="dm-meta">
                                    <span class="muted"><crate::kit::time::Time iso=c.active_at.clone() /></span>
                                    {label.map(|label| view! {
                                        <span class="unread-count" aria-label=label>{if unread > 99 { "99+".to_string() } else { unread.to_string() }}</span>
                                    })}
                                </span>
                            </A>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }.into_any()
    }
}

/// Starts a conversation with the people typed (usernames) and opens it.
#[component]
fn NewConversation() -> impl IntoView {
    let i18n = use_i18n();
    let to = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
    let conversations = use_conversations();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let with = to.get_untracked();
        let navigate = navigate.clone();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match start_conversation(with).await {
                Ok(conversation) => {
                    error.set(None);
                    to.set(String::new());
                    conversations.reload();
                    navigate(&conversation.href(), Default::default());
                }
                Err(err) => error.set(Some(error_text(&err))),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card new-conversation" on:submit=submit>
            <h2>{t!(i18n, direct.new_message)}</h2>
            <label for="conversation-to">{t!(i18n, direct.to)}</label>
            <div class="inline-form">
                <input id="conversation-to" type="text" autocomplete="off" spellcheck="false"
                    placeholder=move || t_string!(i18n, direct.to_placeholder)
                    prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev))
                    aria-invalid=move || error.get().is_some().to_string()
                    aria-describedby="conversation-to-help" />
                <button type="submit" class="button button-primary" disabled=move || busy.get() || to.get().trim().is_empty()>
                    {t!(i18n, direct.start)}
                </button>
            </div>
            <p id="conversation-to-help" class="help">{move || t_string!(i18n, direct.to_help).replace("{max}", &(MAX_PEOPLE - 1).to_string())}</p>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        </form>
    }
}

/// `/messages`: the person's conversations and a way to start one.
#[component]
pub fn MessagesPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let conversations = use_conversations();
    Effect::new(move |_| {
        if session.user().is_some() && !conversations.loaded.get_untracked() {
            conversations.reload();
        }
    });
    view! {
        <Title text=move || t_string!(i18n, direct.title) />
        <div class="messages-page">
            <h1>{t!(i18n, direct.title)}</h1>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
            {move || Suspend::new(async move {
            if session.resource().await.ok().flatten().is_some() {
                view! {
                    <NewConversation />
                    <nav class="card dm-card" aria-label=move || t_string!(i18n, direct.list)>
                        <ConversationLinks current=Signal::derive(|| None::<String>) />
                    </nav>
                }.into_any()
            } else {
                view! {
                    <p class="card">
                        <a href="/signin?next=/messages" class="button button-primary button-small">{t!(i18n, nav.sign_in)}</a>
                        " " {t!(i18n, direct.sign_in)}
                    </p>
                }.into_any()
            }
            })}
            </Transition>
        </div>
    }
}

/// `/messages/:slug`: one conversation — the list beside it, the messages, and its people.
#[component]
pub fn ConversationPage() -> impl IntoView {
    let i18n = use_i18n();
    crate::kit::people::provide_known_people();
    let session = use_session();
    let params = use_params_map();
    let conversations = use_conversations();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let version = RwSignal::new(0u32);
    let opened = Resource::new(
        move || (slug(), version.get()),
        |(slug, _)| open_channel(slug, CHANNEL.to_string()),
    );
    Effect::new(move |_| {
        if session.user().is_some() && !conversations.loaded.get_untracked() {
            conversations.reload();
        }
    });
    view! {
        <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
            {move || Suspend::new(async move {
                let me = session.resource().await.ok().flatten();
                match opened.await {
                    Ok(opened) if opened.community.direct.is_some() => {
                        let Some(direct) = opened.community.direct.clone() else { return ().into_any() };
                        conversations.seen(&direct.slug);
                        let members_open = RwSignal::new(false);
                        let current = direct.slug.clone();
                        view! {
                            <Title text=direct.title() />
                            <div class="community-layout dm-layout">
                                <nav class="channel-sidebar dm-sidebar" aria-label=move || t_string!(i18n, direct.list)>
                                    <div class="community-head">
                                        <h2><A href="/messages">{t!(i18n, direct.title)}</A></h2>
                                        <button type="button" class="button button-small members-toggle" aria-controls="member-list"
                                            aria-expanded=move || members_open.get().to_string()
                                            on:click=move |_| members_open.update(|open| *open = !*open)>
                                            {t!(i18n, direct.people)}
                                        </button>
                                    </div>
                                    <ConversationLinks current=Signal::derive(move || Some(current.clone())) />
                                    <div class="sidebar-actions">
                                        <A href="/messages" attr:class="button button-small">{t!(i18n, direct.new_message)}</A>
                                    </div>
                                </nav>
                                <div class="channel-column">
                                    <ChannelScreen opened=opened me=me />
                                </div>
                                {if direct.group {
                                    view! {
                                        <MemberList slug=direct.slug.clone() open=members_open reporter=None
                                            more=view! { <GroupActions slug=direct.slug.clone() changed=version /> }.into_any() />
                                    }.into_any()
                                } else {
                                    view! { <MemberList slug=direct.slug.clone() open=members_open reporter=None /> }.into_any()
                                }}
                            </div>
                        }.into_any()
                    }
                    Ok(_) => view! {
                        <section class="card"><p class="form-error" role="alert">{t!(i18n, direct.not_found)}</p></section>
                    }.into_any(),
                    Err(err) => view! {
                        <section class="card"><p class="form-error" role="alert">{error_text(&err)}</p></section>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A group's own actions under its people: add someone, or leave.
#[component]
fn GroupActions(slug: String, changed: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let conversations = use_conversations();
    let username = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let leave = ServerAction::<LeaveCommunity>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = leave.value().get() {
            conversations.reload();
            navigate("/messages", Default::default());
        }
    });
    let add_slug = slug.clone();
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (slug, name) = (add_slug.clone(), username.get_untracked());
        leptos::task::spawn_local(async move {
            match add_to_conversation(slug, name).await {
                Ok(_) => {
                    error.set(None);
                    username.set(String::new());
                    changed.update(|v| *v += 1);
                }
                Err(err) => error.set(Some(error_text(&err))),
            }
        });
    };
    view! {
        <form class="group-add" on:submit=add>
            <label for="group-add">{t!(i18n, direct.add)}</label>
            <div class="inline-form">
                <input id="group-add" type="text" autocomplete="off" spellcheck="false"
                    aria-describedby="group-add-history"
                    placeholder=move || t_string!(i18n, direct.add_placeholder)
                    prop:value=move || username.get() on:input=move |ev| username.set(event_target_value(&ev)) />
                <button type="submit" class="button button-small" disabled=move || username.get().trim().is_empty()>
                    {t!(i18n, direct.add_button)}
                </button>
            </div>
            // Said before anyone is added: the newcomer reads the conversation from its start.
            <p id="group-add-history" class="help">{t!(i18n, direct.add_sees_history)}</p>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        </form>
        <button type="button" class="link-button" on:click=move |_| { leave.dispatch(LeaveCommunity { slug: slug.clone() }); }>
            {t!(i18n, direct.leave)}
        </button>
        {move || match leave.value().get() {
            Some(Err(err)) => Some(view! { <p class="field-error" role="alert">{error_text(&err)}</p> }),
            _ => None,
        }}
    }
}

/// "Message": opens (or starts) the one-to-one conversation with this person.
#[component]
pub fn MessageButton(
    username: String,
    /// Their name, for the button's accessible label.
    display_name: String,
    #[prop(optional)] compact: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let conversations = use_conversations();
    let notices = use_notices();
    let busy = RwSignal::new(false);
    let label = t_string!(i18n, direct.message_label).replace("{name}", &display_name);
    let open = move |_| {
        let (username, navigate) = (username.clone(), navigate.clone());
        busy.set(true);
        leptos::task::spawn_local(async move {
            match start_conversation(username.clone()).await {
                Ok(conversation) => {
                    conversations.reload();
                    navigate(&conversation.href(), Default::default());
                }
                Err(err) => notices.push(
                    Notice {
                        id: format!("dm-{username}"),
                        text: error_text(&err),
                        href: "/messages".into(),
                    },
                    Duration::from_secs(8),
                ),
            }
            busy.set(false);
        });
    };
    if compact {
        view! {
            <button type="button" class="icon-button member-message" title=label.clone() aria-label=label
                disabled=move || busy.get() on:click=open>
                <Icon name=IconName::Message />
            </button>
        }
        .into_any()
    } else {
        view! {
            <button type="button" class="button" aria-label=label disabled=move || busy.get() on:click=open>
                <Icon name=IconName::Message />
                " " {t!(i18n, direct.message)}
            </button>
        }
        .into_any()
    }
}
