//! Times as the reader's clock shows them. The server render prints UTC; the browser switches
//! to local time once it runs.

use leptos::prelude::*;

/// Milliseconds since the epoch (0 on the server).
pub fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

/// `HH:MM` of an RFC 3339 timestamp, in UTC.
fn utc_clock(iso: &str) -> String {
    iso.get(11..16).unwrap_or_default().to_string()
}

#[component]
pub fn Time(iso: String) -> impl IntoView {
    let clock = RwSignal::new(utc_clock(&iso));
    let full = RwSignal::new(iso.clone());
    #[cfg(feature = "hydrate")]
    {
        let iso = iso.clone();
        Effect::new(move |_| {
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(&iso));
            let options = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&options, &"hour".into(), &"2-digit".into());
            let _ = js_sys::Reflect::set(&options, &"minute".into(), &"2-digit".into());
            clock.set(
                date.to_locale_time_string_with_options("default", &options)
                    .into(),
            );
            full.set(
                date.to_locale_string("default", &js_sys::Object::new())
                    .into(),
            );
        });
    }
    view! { <time datetime=iso title=move || full.get()>{move || clock.get()}</time> }
}
