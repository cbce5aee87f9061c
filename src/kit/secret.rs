//! A secret shown once (an API token, a webhook's address or key): a read-only field that
//! selects itself when focused, and a button that copies it.

use leptos::prelude::*;

use super::i18n::{t_string, use_i18n};

/// Copies `text` to the clipboard, where the browser allows it (the field stays selectable).
fn copy(text: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let navigator = window().navigator();
        if let Ok(clipboard) = js_sys::Reflect::get(&navigator, &"clipboard".into()) {
            if let Ok(write) = js_sys::Reflect::get(&clipboard, &"writeText".into()) {
                if let Some(write) = write.dyn_ref::<js_sys::Function>() {
                    let _ = write.call1(&clipboard, &text.into());
                }
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}

/// The field and its copy button; `label` names the field for screen readers. It comes into
/// view with the keyboard's focus (its text selected) when it appears: shown once, it may appear
/// far from the form that asked for it, and must not be missed.
#[component]
pub fn ShownOnce(id: &'static str, label: String, text: String) -> impl IntoView {
    let i18n = use_i18n();
    let copied = RwSignal::new(false);
    let to_copy = StoredValue::new(text.clone());
    let field = NodeRef::<leptos::html::Input>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(input) = field.get() {
            request_animation_frame(move || {
                let options = leptos::web_sys::ScrollIntoViewOptions::new();
                options.set_block(leptos::web_sys::ScrollLogicalPosition::Center);
                input.scroll_into_view_with_scroll_into_view_options(&options);
                let _ = input.focus();
            });
        }
    });
    view! {
        <div class="token-copy">
            <label class="visually-hidden" for=id>{label}</label>
            <input id=id node_ref=field type="text" readonly prop:value=text
                on:focus=move |ev| {
                    #[cfg(feature = "hydrate")]
                    {
                        use wasm_bindgen::JsCast;
                        if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                            input.select();
                        }
                    }
                    #[cfg(not(feature = "hydrate"))]
                    let _ = ev;
                } />
            <button type="button" class="button button-small" on:click=move |_| {
                copy(&to_copy.get_value());
                copied.set(true);
            }>
                {move || if copied.get() { t_string!(i18n, clipboard.copied) } else { t_string!(i18n, clipboard.copy) }}
            </button>
        </div>
    }
}
