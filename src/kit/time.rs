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

/// `HH:MM` (or `HH:MM:SS`) of an RFC 3339 timestamp, in UTC.
fn utc_clock(iso: &str, seconds: bool) -> String {
    iso.get(11..if seconds { 19 } else { 16 })
        .unwrap_or_default()
        .to_string()
}

/// The time of day of an instant on the reader's clock (to the second with `seconds`: a live
/// price's).
#[component]
pub fn Time(iso: String, #[prop(optional)] seconds: bool) -> impl IntoView {
    let clock = RwSignal::new(utc_clock(&iso, seconds));
    let full = RwSignal::new(iso.clone());
    #[cfg(feature = "hydrate")]
    {
        let iso = iso.clone();
        Effect::new(move |_| {
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(&iso));
            let options = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&options, &"hour".into(), &"2-digit".into());
            let _ = js_sys::Reflect::set(&options, &"minute".into(), &"2-digit".into());
            if seconds {
                let _ = js_sys::Reflect::set(&options, &"second".into(), &"2-digit".into());
            }
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

/// The device's IANA time zone ("Europe/Istanbul"); none on the server.
pub fn device_zone() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let options =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
                .resolved_options();
        js_sys::Reflect::get(&options, &"timeZone".into())
            .ok()
            .and_then(|zone| zone.as_string())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}

/// `2026-12-03 21:30 UTC` of an RFC 3339 timestamp (what the server render shows).
fn utc_date_time(iso: &str) -> String {
    match (iso.get(..10), iso.get(11..16)) {
        (Some(day), Some(clock)) => format!("{day} {clock} UTC"),
        _ => iso.to_string(),
    }
}

/// A day and time ("Thu, Dec 3, 04:30 PM EST") in the reader's zone, or in `zone` when given;
/// with the zone's short name, so two zones side by side are never mistaken.
#[component]
pub fn When(iso: String, #[prop(optional, into)] zone: Option<String>) -> impl IntoView {
    let text = RwSignal::new(utc_date_time(&iso));
    #[cfg(feature = "hydrate")]
    {
        let (iso, zone) = (iso.clone(), zone.clone());
        Effect::new(move |_| {
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(&iso));
            let options = js_sys::Object::new();
            for (key, value) in [
                ("weekday", "short"),
                ("month", "short"),
                ("day", "numeric"),
                ("hour", "2-digit"),
                ("minute", "2-digit"),
                ("timeZoneName", "short"),
            ] {
                let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
            }
            if let Some(zone) = &zone {
                let _ = js_sys::Reflect::set(&options, &"timeZone".into(), &zone.as_str().into());
            }
            text.set(date.to_locale_string("default", &options).into());
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = zone;
    view! { <time datetime=iso>{move || text.get()}</time> }
}
