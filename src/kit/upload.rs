//! A file's bytes sent as a request body (`application/octet-stream`) with gloo-net, the answer
//! read as JSON — for what is not a server function (pictures). An upload whose progress is
//! shown uses XMLHttpRequest instead (`files::ui`). Browser build only.

use serde::de::DeserializeOwned;

use crate::platform::error::AppError;

/// POSTs `file` to `url`; the answer, or the server's refusal as the app's error.
pub async fn send_file<T: DeserializeOwned>(
    url: &str,
    file: &web_sys::File,
) -> Result<T, AppError> {
    let network = |e: gloo_net::Error| {
        AppError::Transport(leptos::server_fn::error::ServerFnErrorErr::Request(
            e.to_string(),
        ))
    };
    let response = gloo_net::http::Request::post(url)
        .header("content-type", "application/octet-stream")
        .body(wasm_bindgen::JsValue::from(file.clone()))
        .map_err(network)?
        .send()
        .await
        .map_err(network)?;
    let text = response.text().await.map_err(network)?;
    if response.ok() {
        serde_json::from_str(&text).map_err(|e| AppError::BadRequest(e.to_string()))
    } else {
        Err(serde_json::from_str::<AppError>(&text).unwrap_or(AppError::Internal))
    }
}

/// The first file a file field holds, from its change event.
pub fn chosen_file(ev: &leptos::ev::Event) -> Option<web_sys::File> {
    use wasm_bindgen::JsCast;
    let input = ev.target()?.dyn_into::<web_sys::HtmlInputElement>().ok()?;
    let file = input.files()?.get(0);
    // The same file can be chosen again later.
    input.set_value("");
    file
}
