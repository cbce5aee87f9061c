//! Reporting a message or a person: a reason, an optional note, and a plain "received" once it
//! is filed.

use leptos::prelude::*;

use super::queue::report_reason_text;
use crate::{
    auth::ui::pages::error_text,
    kit::i18n::{t, t_string, use_i18n},
    moderation::reports::{
        api::{ReportMessage, ReportPerson},
        ReportReason, NOTE_MAX,
    },
};

/// What is reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reported {
    Message(String),
    /// A member of the community `slug`.
    Person {
        slug: String,
        username: String,
    },
}

#[component]
pub fn ReportForm(about: Reported, open: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let send = ServerAction::<ReportMessage>::new();
    let send_person = ServerAction::<ReportPerson>::new();
    let reason = RwSignal::new(None::<ReportReason>);
    let note = RwSignal::new(String::new());
    let key = match &about {
        Reported::Message(id) => id.clone(),
        Reported::Person { username, .. } => format!("person-{username}"),
    };
    let person = matches!(about, Reported::Person { .. });
    let group = format!("report-reason-{key}");
    let note_id = format!("report-note-{key}");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(reason) = reason.get_untracked() else {
            return;
        };
        let (reason, note) = (reason.as_str().to_string(), note.get_untracked());
        match about.clone() {
            Reported::Message(message_id) => {
                send.dispatch(ReportMessage {
                    message_id,
                    reason,
                    note,
                });
            }
            Reported::Person { slug, username } => {
                send_person.dispatch(ReportPerson {
                    slug,
                    username,
                    reason,
                    note,
                });
            }
        }
    };
    let outcome = move || send.value().get().or_else(|| send_person.value().get());
    let pending = move || send.pending().get() || send_person.pending().get();
    view! {
        {move || match outcome() {
            Some(Ok(_)) => view! {
                <p class="report-received" role="status">
                    {t!(i18n, chat.report_received)} " "
                    <button type="button" class="link-button" on:click=move |_| open.set(false)>{t!(i18n, chat.dismiss)}</button>
                </p>
            }.into_any(),
            outcome => {
                let group = group.clone();
                let note_id = note_id.clone();
                let submit = submit.clone();
                view! {
                    <form class="report-form card" on:submit=submit>
                        <fieldset>
                            <legend>{if person { t!(i18n, chat.report_person_title).into_any() } else { t!(i18n, chat.report_title).into_any() }}</legend>
                            {ReportReason::ALL.into_iter().map(|r| {
                                let group = group.clone();
                                view! {
                                    <label class="radio">
                                        <input type="radio" name=group value=r.as_str()
                                            prop:checked=move || reason.get() == Some(r)
                                            on:change=move |_| reason.set(Some(r)) />
                                        {report_reason_text(r)}
                                    </label>
                                }
                            }).collect_view()}
                        </fieldset>
                        <label for=note_id.clone()>{t!(i18n, chat.report_note)}</label>
                        <textarea id=note_id rows="2" maxlength=NOTE_MAX
                            prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                        <p class="help">{if person { t!(i18n, chat.report_person_private).into_any() } else { t!(i18n, chat.report_private).into_any() }}</p>
                        {outcome.and_then(Result::err).map(|err| view! { <p class="form-error" role="alert">{error_text(&err)}</p> })}
                        <div class="edit-actions">
                            <button type="submit" class="button button-small button-primary"
                                disabled=move || reason.get().is_none() || pending()>
                                {move || t_string!(i18n, chat.report_send)}
                            </button>
                            <button type="button" class="button button-small" on:click=move |_| open.set(false)>{t!(i18n, chat.cancel)}</button>
                        </div>
                    </form>
                }.into_any()
            }
        }}
    }
}
