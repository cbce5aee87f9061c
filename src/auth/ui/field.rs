//! Form fields with inline validation: the same rules as the server, messages in the reader's
//! language.

use leptos::prelude::*;

use crate::{
    auth::validate::{FieldError, FieldRule},
    kit::i18n::use_i18n,
};

/// A validation error in the reader's language.
pub fn field_error_text(error: FieldError) -> String {
    error.sentence().render(use_i18n().get_locale())
}

/// One labelled input. `check` runs the shared rule; its message shows once the person has left
/// the field (or tried to submit), and the input is marked `aria-invalid`.
#[component]
pub fn TextField(
    id: &'static str,
    #[prop(into)] label: Signal<&'static str>,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "")] autocomplete: &'static str,
    #[prop(optional, into)] help: Option<Signal<&'static str>>,
    /// The rule for this field; `None` means any value is fine.
    #[prop(optional)]
    check: Option<FieldRule>,
    /// Set by the form when the person tries to submit: every message shows.
    show_all: RwSignal<bool>,
) -> impl IntoView {
    let touched = RwSignal::new(false);
    let error = Memo::new(move |_| check.and_then(|rule| rule(&value.get()).err()));
    let visible_error = move || {
        (touched.get() || show_all.get())
            .then(|| error.get())
            .flatten()
    };
    let error_id = format!("{id}-error");
    let help_id = format!("{id}-help");
    let described_by = {
        let (error_id, help_id) = (error_id.clone(), help_id.clone());
        move || {
            let mut ids = Vec::new();
            if help.is_some() {
                ids.push(help_id.clone());
            }
            if visible_error().is_some() {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    view! {
        <div class="field">
            <label for=id>{move || label.get()}</label>
            <input
                id=id
                name=id
                type=kind
                autocomplete=autocomplete
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                on:blur=move |_| touched.set(true)
                aria-invalid=move || visible_error().is_some().to_string()
                aria-describedby=described_by
            />
            {help.map(|help| view! { <p class="help" id=help_id.clone()>{move || help.get()}</p> })}
            <p class="field-error" id=error_id role="alert">
                {move || visible_error().map(field_error_text)}
            </p>
        </div>
    }
}

/// Form-level error from the server (a taken username, a wrong password, throttling…).
#[component]
pub fn FormError(message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <Show when=move || message.get().is_some()>
            <div class="form-error" role="alert">{move || message.get()}</div>
        </Show>
    }
}
