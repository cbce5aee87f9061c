//! One message: author, time, body, quoted reply, reactions and the actions the reader may take.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::chat::ui::{rich_text::rich_text, socket::use_chat_socket, state::ChannelState};
use crate::moderation::ui::{
    flag_reason_text,
    report::{ReportForm, Reported},
};
use crate::{
    ai::Translation,
    auth::validate::initials,
    chat::{ChatMessage, ClientEvent, QUICK_REACTIONS},
    files::ui::Attachments,
    kit::{
        i18n::{t, t_string, use_i18n},
        languages::language_name,
        time::Time,
    },
    moderation::{api::translate_message, TranslateOutcome},
};

/// What the reader may do to messages in this channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRights {
    pub me: Option<String>,
    pub my_username: Option<String>,
    pub may_react: bool,
    pub may_pin: bool,
    pub may_moderate: bool,
    /// A member may report others' messages to the moderators.
    pub may_report: bool,
    /// The reader's language, when signed in: messages in others are translated into it.
    pub my_language: Option<String>,
    /// Whether translations show first (else the original, with "Translate").
    pub auto_translate: bool,
}

#[component]
pub fn MessageItem(message: ChatMessage, rights: MessageRights) -> impl IntoView {
    let i18n = use_i18n();
    let socket = use_chat_socket();
    let state = expect_context::<ChannelState>();
    let own = rights.me.as_deref() == Some(message.author.id.as_str());
    let deleted = message.deleted();
    let may_delete = !deleted && (own || rights.may_moderate);
    let may_edit = !deleted && own;
    let may_report = !deleted && !own && rights.may_report;
    let reporting = RwSignal::new(false);
    let report_id = message.id.clone();
    let mentions_me = rights
        .my_username
        .as_deref()
        .is_some_and(|me| message.mentions(me));
    let editing = RwSignal::new(false);
    let confirm_delete = RwSignal::new(false);
    let picking = RwSignal::new(false);
    let draft = RwSignal::new(message.body.clone().unwrap_or_default());
    let id = message.id.clone();
    let me = rights.me.clone();

    let react = {
        let id = id.clone();
        move |emoji: String, on: bool| {
            socket.send(ClientEvent::React {
                message_id: id.clone(),
                emoji,
                on,
            });
            picking.set(false);
        }
    };
    let save_edit = {
        let id = id.clone();
        move || {
            let body = draft.get_untracked().trim().to_string();
            if !body.is_empty() {
                socket.send(ClientEvent::Edit {
                    message_id: id.clone(),
                    body,
                });
            }
            editing.set(false);
        }
    };

    let quote = message.reply_to.clone().map(|q| {
        view! {
            <blockquote class="reply-quote">
                <strong>{if q.author.deleted {
                    t!(i18n, account.deleted_user).into_any()
                } else {
                    q.author.display_name.clone().into_any()
                }}</strong>
                " "
                {match q.excerpt {
                    Some(text) => text.into_any(),
                    None => view! { <em>{t!(i18n, chat.deleted)}</em> }.into_any(),
                }}
            </blockquote>
        }
    });

    let reactions = {
        let react = react.clone();
        let me = me.clone();
        message
            .reactions
            .iter()
            .map(|r| {
                let mine = me.as_ref().is_some_and(|me| r.users.iter().any(|u| &u.id == me));
                let names = r.users.iter().map(|u| u.display_name.clone()).collect::<Vec<_>>().join(", ");
                let emoji = r.emoji.clone();
                let react = react.clone();
                let count = r.users.len();
                view! {
                    <button type="button" class="reaction" aria-pressed=mine.to_string() title=names.clone()
                        aria-label=format!("{emoji} {count}: {names}")
                        disabled=!rights.may_react
                        on:click=move |_| react(emoji.clone(), !mine)>
                        <span>{r.emoji.clone()}</span> <span class="count">{count}</span>
                    </button>
                }
            })
            .collect_view()
    };

    // Messages in another language: the translation first (if the reader wants it), with a way
    // back to the original; a note when no engine here can translate the pair.
    let foreign = match (&message.language, &rights.my_language) {
        (Some(from), Some(to)) if from != to && !deleted => Some((from.clone(), to.clone())),
        _ => None,
    };
    let cached: Option<Translation> = rights.my_language.as_ref().and_then(|to| {
        message
            .translations
            .iter()
            .find(|t| &t.language == to)
            .cloned()
    });
    let fetched: RwSignal<Option<Translation>> = RwSignal::new(None);
    let translate_failed = RwSignal::new(false);
    let no_translator = RwSignal::new(false);
    let show_original = RwSignal::new(!rights.auto_translate);
    let translation = Signal::derive(move || fetched.get().or_else(|| cached.clone()));
    let translating = RwSignal::new(false);
    let ask_translation = {
        let id = id.clone();
        move || {
            let id = id.clone();
            translating.set(true);
            leptos::task::spawn_local(async move {
                match translate_message(id).await {
                    Ok(TranslateOutcome::Translated { translation }) => {
                        fetched.set(Some(translation));
                        show_original.set(false);
                    }
                    Ok(TranslateOutcome::NoTranslator { .. }) => no_translator.set(true),
                    Ok(TranslateOutcome::NothingToTranslate) => {}
                    Err(_) => translate_failed.set(true),
                }
                translating.set(false);
            });
        }
    };
    let sources = state.translatable_from;
    let translation_line = foreign.clone().map(|(from, to)| {
        let ask = ask_translation.clone();
        let from_name = from.clone();
        move || {
            let from_name = language_name(i18n.get_locale(), &from_name);
            let known = sources.get();
            let pair_missing = no_translator.get()
                || known.as_ref().is_some_and(|list| !list.contains(&from));
            if translation.get().is_some() {
                let label = t_string!(i18n, chat.translated_from).replace("{language}", &from_name);
                view! {
                    <p class="translation-note muted">
                        {(!show_original.get()).then(|| view! { <span>{label}</span> " · " })}
                        <button type="button" class="link-button" on:click=move |_| show_original.update(|o| *o = !*o)>
                            {move || if show_original.get() { t_string!(i18n, chat.show_translation) } else { t_string!(i18n, chat.show_original) }}
                        </button>
                    </p>
                }.into_any()
            } else if pair_missing {
                let text = t_string!(i18n, chat.no_translator)
                    .replace("{from}", &from_name)
                    .replace("{to}", &language_name(i18n.get_locale(), &to));
                view! { <p class="translation-note muted">{text}</p> }.into_any()
            } else {
                let ask = ask.clone();
                view! {
                    <p class="translation-note muted">
                        <button type="button" class="link-button" disabled=move || translating.get() on:click=move |_| ask()>
                            {move || if translating.get() { t_string!(i18n, chat.translating) } else { t_string!(i18n, chat.translate) }}
                        </button>
                        {move || translate_failed.get().then(|| view! { " " <span>{t!(i18n, chat.not_translated)}</span> })}
                    </p>
                }.into_any()
            }
        }
    });
    let shown_text = {
        let original = message.body.clone();
        move || match (translation.get(), show_original.get()) {
            (Some(t), false) => Some(t.body),
            _ => original.clone(),
        }
    };
    let shown_lang = {
        let original = message.language.clone();
        move || match (translation.get(), show_original.get()) {
            (Some(t), false) => Some(t.language),
            _ => original.clone(),
        }
    };

    // Severe flags are blurred until the reader chooses to look.
    let revealed = RwSignal::new(false);
    let severe = message.flag.as_ref().is_some_and(|f| f.severe);
    let hidden = Signal::derive(move || severe && !revealed.get());
    let body_view = {
        let me_name = rights.my_username.clone();
        move || {
            match (&shown_text(), editing.get()) {
            (None, _) => view! { <p class="deleted muted"><em>{t!(i18n, chat.deleted)}</em></p> }.into_any(),
            (Some(_), true) => {
                let save = save_edit.clone();
                let save_key = save_edit.clone();
                view! {
                    <form class="edit-form" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); save(); }>
                        <textarea rows="2" aria-label=move || t_string!(i18n, chat.edit_label)
                            prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev))
                            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                                if ev.key() == "Enter" && !ev.shift_key() { ev.prevent_default(); save_key(); }
                                if ev.key() == "Escape" { editing.set(false); }
                            }></textarea>
                        <div class="edit-actions">
                            <button type="submit" class="button button-small button-primary">{t!(i18n, chat.save)}</button>
                            <button type="button" class="button button-small" on:click=move |_| editing.set(false)>{t!(i18n, chat.cancel)}</button>
                        </div>
                    </form>
                }.into_any()
            }
            (Some(text), false) if hidden.get() => view! {
                <div class="message-body blurred" aria-hidden="true">{rich_text(text, me_name.clone())}</div>
                <button type="button" class="link-button" on:click=move |_| revealed.set(true)>{t!(i18n, chat.show_anyway)}</button>
            }.into_any(),
            // Files without a caption.
            (Some(text), false) if text.is_empty() => ().into_any(),
            (Some(text), false) => view! {
                <div class="message-body" lang=shown_lang()>{rich_text(text, me_name.clone())}</div>
                {crate::kit::cashtag::quotes_of(crate::kit::markdown::cashtags(text))}
            }.into_any(),
        }
        }
    };
    let flag_badge = message.flag.clone().filter(|_| !deleted).map(|flag| {
        let title = format!("{} · {}", flag.reason, flag.engine);
        view! {
            <span class="badge flag-badge" title=title>
                {move || {
                    let score = crate::kit::languages::local_decimal(
                        i18n.get_locale(),
                        f64::from(flag.score),
                        2,
                    );
                    let why = format!("{} ({score})", flag_reason_text(&flag.reason));
                    t_string!(i18n, chat.flagged).replace("{reason}", &why)
                }}
            </span>
        }
    });

    // What features add to the message (a poll, an event, a shared card), each drawn by its
    // own room.
    let part_views = (!deleted).then(|| {
        super::PART_VIEWS
            .iter()
            .filter_map(|draw| draw(&message, rights.may_react))
            .collect_view()
    });
    // The author is told plainly what happened and what they can do about it.
    let author_note = message.flag.clone().filter(|_| own && !deleted).map(|flag| {
        view! {
            <p class="flag-note" role="note">
                {move || t_string!(i18n, chat.flagged_author_note).replace("{reason}", &flag_reason_text(&flag.reason))}
            </p>
        }
    });

    let unchecked = message.unchecked && !deleted;
    let reply_target = message.clone();
    let pin_id = id.clone();
    let delete_id = id.clone();
    let pinned = message.pinned;
    let author_link = format!("/u/{}", message.author.username);
    let label = format!(
        "{}: {}",
        message.author.display_name,
        spoken_content(&message)
    );
    // On a phone the actions are a tap on "…" or a long press away, as in phone chat apps,
    // instead of four buttons under every message.
    let actions_open = RwSignal::new(false);
    view! {
        <article class="message" class:mine=own class:mentions-me=mentions_me class:is-deleted=deleted
            class:actions-open=move || actions_open.get()
            data-seq=message.seq aria-label=label
            on:contextmenu=move |ev| {
                if !deleted && is_touch_layout() {
                    ev.prevent_default();
                    actions_open.set(true);
                }
            }>
            <crate::kit::avatar::Avatar initials=initials(&message.author.display_name) url=message.author.avatar_url.clone() />
            <div class="message-main">
                <header class="message-meta">
                    {if message.author.deleted {
                        // Nobody's profile: the username "deleted" may belong to someone else.
                        view! { <span class="author deleted-author">{t!(i18n, account.deleted_user)}</span> }.into_any()
                    } else {
                        view! { <A href=author_link attr:class="author">{message.author.display_name.clone()}</A> }.into_any()
                    }}
                    {crate::auth::is_bot(&message.author.username).then(|| view! {
                        <span class="badge bot-badge">{t!(i18n, chat.bot)}</span>
                    })}
                    <Time iso=message.created_at.clone() />
                    {(message.edited && !deleted).then(|| view! { <span class="muted edited">{t!(i18n, chat.edited)}</span> })}
                    {pinned.then(|| view! { <span class="badge pinned-badge">{t!(i18n, chat.pinned)}</span> })}
                    {flag_badge}
                    {unchecked.then(|| view! {
                        <span class="badge unchecked-badge" title=move || t_string!(i18n, chat.not_checked_help)>{t!(i18n, chat.not_checked)}</span>
                    })}
                </header>
                {quote}
                {body_view}
                {(!deleted && !message.attachments.is_empty()).then(|| view! { <Attachments files=message.attachments.clone() /> })}
                {part_views}
                {author_note}
                {translation_line}
                <div class="reactions">{reactions}</div>
                <Show when=move || reporting.get()>
                    <ReportForm about=Reported::Message(report_id.clone()) open=reporting />
                </Show>
                <Show when=move || picking.get()>
                    <div class="reaction-picker" role="group" aria-label=move || t_string!(i18n, chat.react)>
                        {QUICK_REACTIONS.iter().map(|emoji| {
                            let react = react.clone();
                            let emoji = emoji.to_string();
                            view! { <button type="button" class="reaction" on:click=move |_| react(emoji.clone(), true)>{emoji.clone()}</button> }
                        }).collect_view()}
                    </div>
                </Show>
            </div>
            {(!deleted).then(|| view! {
                <button type="button" class="icon-button message-more" aria-label=move || t_string!(i18n, chat.actions)
                    aria-expanded=move || actions_open.get().to_string()
                    on:click=move |_| actions_open.update(|open| *open = !*open)>
                    "…"
                </button>
            })}
            {(!deleted).then(|| view! {
                <div class="message-actions" role="toolbar" aria-label=move || t_string!(i18n, chat.actions)>
                    {rights.may_react.then(|| view! {
                        <button type="button" class="link-button" on:click=move |_| {
                            state.reply_to.set(Some(reply_target.clone()));
                            actions_open.set(false);
                        }>{t!(i18n, chat.reply)}</button>
                        <button type="button" class="link-button" aria-expanded=move || picking.get().to_string() on:click=move |_| picking.update(|p| *p = !*p)>{t!(i18n, chat.react)}</button>
                    })}
                    {rights.may_pin.then(|| view! {
                        <button type="button" class="link-button" on:click=move |_| {
                            socket.send(ClientEvent::Pin { message_id: pin_id.clone(), pinned: !pinned });
                        }>{if pinned { t!(i18n, chat.unpin).into_any() } else { t!(i18n, chat.pin).into_any() }}</button>
                    })}
                    {may_edit.then(|| view! {
                        <button type="button" class="link-button" on:click=move |_| {
                            editing.set(true);
                            actions_open.set(false);
                        }>{t!(i18n, chat.edit)}</button>
                    })}
                    {may_report.then(|| view! {
                        <button type="button" class="link-button" aria-expanded=move || reporting.get().to_string() on:click=move |_| {
                            reporting.set(true);
                            actions_open.set(false);
                        }>{t!(i18n, chat.report)}</button>
                    })}
                    {may_delete.then(|| view! {
                        <button type="button" class="link-button danger" on:click=move |_| {
                            if confirm_delete.get_untracked() {
                                socket.send(ClientEvent::Delete { message_id: delete_id.clone() });
                                confirm_delete.set(false);
                            } else {
                                confirm_delete.set(true);
                            }
                        }>{move || if confirm_delete.get() { t_string!(i18n, chat.confirm_delete) } else { t_string!(i18n, chat.delete) }}</button>
                    })}
                </div>
            })}
        </article>
    }
}

fn is_touch_layout() -> bool {
    #[cfg(feature = "hydrate")]
    {
        window()
            .match_media("(max-width: 760px)")
            .ok()
            .flatten()
            .is_some_and(|query| query.matches())
    }
    #[cfg(not(feature = "hydrate"))]
    false
}

/// What a message says, for its accessible name: its words, or what it carries when it has none
/// (a voice message and its length, the files' names) — never an empty "Ana Lima: ".
fn spoken_content(message: &crate::chat::ChatMessage) -> String {
    if let Some(body) = message.body.as_deref().filter(|b| !b.trim().is_empty()) {
        return body.to_string();
    }
    let i18n = use_i18n();
    message
        .attachments
        .iter()
        .map(|a| match (a.kind, a.duration_ms) {
            (crate::files::AttachmentKind::Voice, Some(ms)) => {
                t_string!(i18n, chat.files.voice_message)
                    .replace("{length}", &crate::files::duration_text(ms))
            }
            _ => a.name.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
