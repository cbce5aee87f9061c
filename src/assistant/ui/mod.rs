//! The assistant's page (`/assistant?c=<conversation>`: conversations on the side, the thread)
//! and its side panel, a button on every other page that opens the same thread in a drawer.
//!
//! Turns load in the browser (a conversation is private and changes as it is used, so nothing of
//! it is rendered on the server). A hosted model's answer arrives in pieces over the socket
//! while the question's request is open; the stored answer replaces them when it returns.

mod cards;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_location, use_navigate, use_query_map},
    NavigateOptions,
};

use super::{
    api::{
        ask_assistant, delete_conversation, list_conversations, open_conversation,
        rename_conversation, Question,
    },
    engine_name, AssistantEvent, Conversation, Role, Turn, QUESTION_MAX,
};
use crate::{
    auth::ui::{pages::error_text, session::use_session},
    kit::{
        i18n::{t, t_string, use_i18n},
        icons::{Icon, IconName},
        live::{nonce, use_live_events},
    },
};
use cards::CardView;

/// Asks a question in the thread on screen (the cards' chips and choices use it).
#[derive(Clone, Copy)]
pub struct Asking(pub Callback<String>);

/// A question on its way, and the answer's pieces streamed so far.
#[derive(Debug, Clone, PartialEq)]
struct Pending {
    question: String,
    request: String,
    streamed: String,
}

/// One conversation: its turns, the question being answered, the box to ask in.
/// `conversation` is `None` for a new one; asking sets it. `saved` hears of every answered
/// question (the page refreshes its list).
#[component]
pub fn Thread(
    conversation: RwSignal<Option<String>>,
    #[prop(optional)] compact: bool,
    #[prop(optional)] saved: Option<Callback<Conversation>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let turns: RwSignal<Vec<Turn>> = RwSignal::new(Vec::new());
    let pending: RwSignal<Option<Pending>> = RwSignal::new(None);
    let error: RwSignal<Option<String>> = RwSignal::new(None);
    let input = RwSignal::new(String::new());
    // The conversation whose turns are on screen: asking in a new one must not reload it.
    let shown: StoredValue<Option<String>> = StoredValue::new(None);
    let list_ref = NodeRef::<leptos::html::Div>::new();

    Effect::new(move |_| {
        let wanted = conversation.get();
        if shown.get_value() == wanted {
            return;
        }
        shown.set_value(wanted.clone());
        error.set(None);
        match wanted {
            None => turns.set(Vec::new()),
            Some(id) => leptos::task::spawn_local(async move {
                match open_conversation(id.clone()).await {
                    Ok(view) if shown.get_value().as_deref() == Some(id.as_str()) => {
                        turns.set(view.turns)
                    }
                    Ok(_) => {}
                    Err(err) => {
                        turns.set(Vec::new());
                        error.set(Some(error_text(&err)));
                    }
                }
            }),
        }
    });

    use_live_events().on(move |event: AssistantEvent| {
        let AssistantEvent::AssistantDelta {
            request: Some(request),
            text,
            ..
        } = event
        else {
            return;
        };
        pending.update(|p| {
            if let Some(p) = p.as_mut().filter(|p| p.request == request) {
                p.streamed.push_str(&text);
            }
        });
    });

    // Keep the newest turn in view.
    Effect::new(move |_| {
        turns.track();
        pending.track();
        if let Some(list) = list_ref.get() {
            list.set_scroll_top(list.scroll_height());
        }
    });

    let ask = Callback::new(move |question: String| {
        let question = question.trim().to_string();
        if question.is_empty() || pending.with_untracked(Option::is_some) {
            return;
        }
        let request = nonce();
        error.set(None);
        input.set(String::new());
        pending.set(Some(Pending {
            question: question.clone(),
            request: request.clone(),
            streamed: String::new(),
        }));
        let conversation_id = conversation.get_untracked();
        leptos::task::spawn_local(async move {
            match ask_assistant(
                Question {
                    message: question.clone(),
                    conversation_id,
                },
                Some(request),
            )
            .await
            {
                Ok(exchange) => {
                    let id = exchange.conversation.id.clone();
                    turns.update(|t| {
                        t.push(exchange.question);
                        t.push(exchange.answer);
                    });
                    shown.set_value(Some(id.clone()));
                    conversation.set(Some(id));
                    if let Some(saved) = saved {
                        saved.run(exchange.conversation);
                    }
                }
                Err(err) => {
                    // The question goes back in the box so nothing typed is lost.
                    input.set(question);
                    error.set(Some(error_text(&err)));
                }
            }
            pending.set(None);
        });
    });
    provide_context(Asking(ask));

    let suggestions = move || {
        [
            t_string!(i18n, assistant.suggest_rsi),
            t_string!(i18n, assistant.suggest_portfolio),
            t_string!(i18n, assistant.suggest_compare),
            t_string!(i18n, assistant.suggest_explain),
        ]
    };
    view! {
        <div class=if compact { "thread compact" } else { "thread" }>
            <div class="turns" node_ref=list_ref aria-live="polite">
                // A new conversation starts with examples; an old one shows its turns once loaded.
                {move || (conversation.with(Option::is_none) && turns.with(Vec::is_empty) && pending.with(Option::is_none)).then(|| view! {
                    <div class="thread-intro">
                        <span class="feature-icon large"><Icon name=IconName::Assistant /></span>
                        <p>{t!(i18n, assistant.intro)}</p>
                        <div class="suggestions">
                            {suggestions().into_iter().map(|s| view! {
                                <button type="button" class="pill" on:click=move |_| ask.run(s.to_string())>{s}</button>
                            }).collect_view()}
                        </div>
                    </div>
                })}
                <For each=move || turns.get() key=|turn| turn.id.clone() let:turn>
                    <TurnView turn />
                </For>
                {move || pending.get().map(|p| view! {
                    <div class="turn turn-user"><p class="bubble">{p.question}</p></div>
                    <div class="turn turn-assistant pending">
                        {if p.streamed.is_empty() {
                            view! { <p class="bubble muted thinking">{t!(i18n, assistant.thinking)}</p> }.into_any()
                        } else {
                            view! { <p class="bubble">{p.streamed}</p> }.into_any()
                        }}
                    </div>
                })}
            </div>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <form class="ask-form" on:submit=move |ev| {
                ev.prevent_default();
                ask.run(input.get_untracked());
            }>
                <label class="visually-hidden" for=if compact { "ask-panel" } else { "ask-page" }>{t!(i18n, assistant.placeholder)}</label>
                <input id=if compact { "ask-panel" } else { "ask-page" } name="question" type="text" autocomplete="off" maxlength=QUESTION_MAX.to_string()
                    placeholder=move || t_string!(i18n, assistant.placeholder)
                    prop:value=move || input.get()
                    on:input=move |ev| input.set(event_target_value(&ev)) />
                <button type="submit" class="button button-primary" disabled=move || pending.with(Option::is_some)>
                    {t!(i18n, assistant.send)}
                </button>
            </form>
            <p class="help advice">{t!(i18n, markets.advice)}</p>
        </div>
    }
}

#[component]
fn TurnView(turn: Turn) -> impl IntoView {
    let i18n = use_i18n();
    match turn.role {
        Role::User => {
            view! { <div class="turn turn-user"><p class="bubble">{turn.text}</p></div> }.into_any()
        }
        Role::Assistant => {
            let engine = engine_name(&turn.engine);
            view! {
                <div class="turn turn-assistant" lang=turn.language.clone()>
                    <p class="bubble">{turn.text}</p>
                    {(!turn.cards.is_empty()).then(|| view! {
                        <div class="answer-cards">{turn.cards.into_iter().map(|card| view! { <CardView card /> }).collect_view()}</div>
                    })}
                    <span class="muted small engine">
                        {move || match &engine {
                            Some(model) => t_string!(i18n, assistant.engine).replace("{engine}", model),
                            None => t_string!(i18n, assistant.engine_builtin).to_string(),
                        }}
                    </span>
                </div>
            }
            .into_any()
        }
    }
}

/// `/assistant`: the person's conversations beside the open one.
#[component]
pub fn AssistantPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let conversation = RwSignal::new(query.with_untracked(|q| q.get("c")));
    let list: RwSignal<Vec<Conversation>> = RwSignal::new(Vec::new());
    let version = RwSignal::new(0u32);

    Effect::new(move |_| {
        version.track();
        if session.user().is_some() {
            leptos::task::spawn_local(async move {
                if let Ok(found) = list_conversations().await {
                    list.set(found);
                }
            });
        }
    });
    // The open conversation is in the address, so a reload or a shared tab finds it again; a
    // link to the page (the navigation's, say) opens what it names.
    Effect::new(move |_| {
        let named = query.with(|q| q.get("c"));
        if conversation.get_untracked() != named {
            conversation.set(named);
        }
    });
    Effect::new(move |_| {
        let current = conversation.get();
        if query.with_untracked(|q| q.get("c")) != current {
            let href = current.map_or_else(
                || "/assistant".to_string(),
                |id| format!("/assistant?c={id}"),
            );
            navigate(
                &href,
                NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..Default::default()
                },
            );
        }
    });
    let saved = Callback::new(move |_: Conversation| version.update(|v| *v += 1));

    view! {
        <Title text=move || t_string!(i18n, assistant.title) />
        <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
        {move || Suspend::new(async move { match session.resource().await.ok().flatten() {
            None => view! {
                <section class="card placeholder">
                    <span class="feature-icon large"><Icon name=IconName::Assistant /></span>
                    <h1>{t!(i18n, assistant.title)}</h1>
                    <p>{t!(i18n, assistant.signin)}</p>
                    <A href="/signin?next=/assistant" attr:class="button button-primary">{t!(i18n, nav.sign_in)}</A>
                </section>
            }.into_any(),
            Some(_) => view! {
                <div class="assistant-page">
                    <aside class="card conversations" aria-labelledby="conversations-title">
                        <h2 id="conversations-title">{t!(i18n, assistant.conversations)}</h2>
                        <button type="button" class="button" on:click=move |_| conversation.set(None)>
                            {t!(i18n, assistant.new_chat)}
                        </button>
                        <ul class="conversation-list">
                            <For each=move || list.get() key=|c| (c.id.clone(), c.title.clone()) let:item>
                                <ConversationItem item conversation version />
                            </For>
                        </ul>
                        {move || list.with(Vec::is_empty).then(|| view! { <p class="muted small">{t!(i18n, assistant.none_yet)}</p> })}
                    </aside>
                    <section class="card thread-card">
                        <h1 class="page-title">{t!(i18n, assistant.title)}</h1>
                        <Thread conversation saved />
                    </section>
                </div>
            }.into_any(),
        }})}
        </Transition>
    }
}

/// A conversation in the list: open it, rename it, delete it.
#[component]
fn ConversationItem(
    item: Conversation,
    conversation: RwSignal<Option<String>>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let editing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let title = RwSignal::new(item.title.clone());
    let error = RwSignal::new(None::<String>);
    let id = StoredValue::new(item.id.clone());
    let current = move || conversation.with(|c| c.as_deref() == Some(id.get_value().as_str()));
    let save = move || {
        leptos::task::spawn_local(async move {
            match rename_conversation(id.get_value(), title.get_untracked()).await {
                Ok(_) => {
                    editing.set(false);
                    version.update(|v| *v += 1);
                }
                Err(err) => error.set(Some(error_text(&err))),
            }
        })
    };
    let delete = move || {
        leptos::task::spawn_local(async move {
            match delete_conversation(id.get_value()).await {
                Ok(()) => {
                    if current() {
                        conversation.set(None);
                    }
                    version.update(|v| *v += 1);
                }
                Err(err) => error.set(Some(error_text(&err))),
            }
        })
    };
    view! {
        <li class=move || if current() { "conversation current" } else { "conversation" }>
            {move || if editing.get() {
                view! {
                    <form class="rename" on:submit=move |ev| { ev.prevent_default(); save(); }>
                        <input type="text" maxlength="80" aria-label=move || t_string!(i18n, assistant.rename)
                            prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
                        <button type="submit" class="button button-small">{t!(i18n, assistant.save)}</button>
                        <button type="button" class="button button-small" on:click=move |_| editing.set(false)>{t!(i18n, assistant.cancel)}</button>
                    </form>
                }.into_any()
            } else {
                view! {
                    <button type="button" class="conversation-open" on:click=move |_| conversation.set(Some(id.get_value()))>
                        {item.title.clone()}
                    </button>
                    <span class="conversation-actions">
                        <button type="button" class="icon-button" title=move || t_string!(i18n, assistant.rename)
                            aria-label=move || t_string!(i18n, assistant.rename) on:click=move |_| editing.set(true)><Icon name=IconName::Pencil /></button>
                        {move || if confirming.get() {
                            view! {
                                <button type="button" class="button button-small danger" on:click=move |_| delete()>{t!(i18n, assistant.delete_confirm)}</button>
                            }.into_any()
                        } else {
                            view! {
                                <button type="button" class="icon-button" title=move || t_string!(i18n, assistant.delete)
                                    aria-label=move || t_string!(i18n, assistant.delete) on:click=move |_| confirming.set(true)><Icon name=IconName::Trash /></button>
                            }.into_any()
                        }}
                    </span>
                }.into_any()
            }}
            {move || error.get().map(|e| view! { <p class="form-error small" role="alert">{e}</p> })}
        </li>
    }
}

/// The drawer's thread, with the code of its own (loaded the first time the drawer opens: the
/// button is on every page, the assistant's code is not).
#[lazy]
fn panel_thread(conversation: RwSignal<Option<String>>) -> AnyView {
    view! { <Thread conversation compact=true /> }.into_any()
}

/// The assistant beside any page: a button that opens the thread in a drawer (signed-in people,
/// every page but the assistant's own).
///
/// The session is awaited as the user menu awaits it, on the server too, so the button is in
/// the server's HTML and hydration finds it there. (Drawn by an effect instead, it would appear
/// while a lazy route is still hydrating and put the page's hydration out of step.)
#[component]
pub fn AssistantPanel() -> impl IntoView {
    let session = use_session();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                session.resource().await.ok().flatten().map(|_| view! { <PanelButton /> })
            })}
        </Transition>
    }
}

#[component]
fn PanelButton() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let open = RwSignal::new(false);
    let conversation = RwSignal::new(None::<String>);
    let shown = move || !location.pathname.get().starts_with("/assistant");
    view! {
        <Show when=shown>
            <button type="button" class="assistant-fab" class:hidden=move || open.get()
                aria-label=move || t_string!(i18n, assistant.open_panel) title=move || t_string!(i18n, assistant.open_panel)
                on:click=move |_| open.set(true)>
                <Icon name=IconName::Assistant />
            </button>
            <Show when=move || open.get()>
                <aside class="assistant-panel card" aria-labelledby="assistant-panel-title">
                    <header class="panel-head">
                        <h2 id="assistant-panel-title">{t!(i18n, assistant.title)}</h2>
                        <a href=move || conversation.get().map_or_else(|| "/assistant".to_string(), |id| format!("/assistant?c={id}"))
                            class="button button-small" on:click=move |_| open.set(false)>{t!(i18n, assistant.full_page)}</a>
                        <button type="button" class="icon-button" aria-label=move || t_string!(i18n, assistant.close_panel)
                            on:click=move |_| open.set(false)><Icon name=IconName::Close /></button>
                    </header>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move { panel_thread(conversation).await })}
                    </Suspense>
                </aside>
            </Show>
        </Show>
    }
}
