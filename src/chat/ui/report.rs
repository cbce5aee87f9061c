//! Reporting a message: a reason, an optional note, and a plain "received" once it is filed.

use leptos::prelude::*;

use super::moderation::report_reason_text;
use crate::{
    auth::ui::pages::error_text,
    chat::reports::{api::ReportMessage, ReportReason, NOTE_MAX},
    kit::i18n::{t, t_string, use_i18n},
};

#[component]
pub fn ReportForm(message_id: String, open: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let send = ServerAction::<ReportMessage>::new();
    let reason = RwSignal::new(None::<ReportReason>);
    let note = RwSignal::new(String::new());
    let group = format!("report-reason-{message_id}");
    let note_id = format!("report-note-{message_id}");
    let submit = {
        let message_id = message_id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if let Some(reason) = reason.get_untracked() {
                send.dispatch(ReportMessage {
                    message_id: message_id.clone(),
                    reason: reason.as_str().to_string(),
                    note: note.get_untracked(),
                });
            }
        }
    };
    view! {
        {move || match send.value().get() {
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
                            <legend>{t!(i18n, chat.report_title)}</legend>
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
                        <p class="help">{t!(i18n, chat.report_private)}</p>
                        {outcome.and_then(Result::err).map(|err| view! { <p class="form-error" role="alert">{error_text(&err)}</p> })}
                        <div class="edit-actions">
                            <button type="submit" class="button button-small button-primary"
                                disabled=move || reason.get().is_none() || send.pending().get()>
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
