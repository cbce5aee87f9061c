//! Files in the browser: the composer's tray (files picked, pasted or dropped are each uploaded
//! at once, with a progress bar, and can be taken back), and a message's files (images inline,
//! opened large in a lightbox; other files as cards that download under their name).
//!
//! Uploads go through `XMLHttpRequest` (web-sys): it is the one browser HTTP API that reports
//! upload progress, which gloo-net's fetch cannot; taking an upload back is a server function.

use leptos::prelude::*;

#[cfg(feature = "hydrate")]
use super::MAX_PER_MESSAGE;
use super::{duration_text, size_text, Attachment, AttachmentKind};
use crate::kit::i18n::{t, t_string, use_i18n};

/// One file in the composer's tray.
#[derive(Debug, Clone, PartialEq)]
pub struct Upload {
    pub key: u64,
    pub name: String,
    pub size: u64,
    /// 0 to 1.
    pub progress: f64,
    /// Stored, ready to send.
    pub done: Option<Attachment>,
    pub failed: Option<String>,
    /// A voice message's length, in milliseconds.
    pub voice: Option<u32>,
}

/// The composer's uploads for one channel.
#[derive(Clone, Copy)]
pub struct Tray {
    pub list: RwSignal<Vec<Upload>>,
    // Read by the browser build's uploads only.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    channel: StoredValue<String>,
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    max_bytes: u64,
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    next: StoredValue<u64>,
    #[cfg(feature = "hydrate")]
    requests: StoredValue<Vec<(u64, web_sys::XmlHttpRequest)>, LocalStorage>,
}

impl Tray {
    pub fn new(channel: String, max_bytes: u64) -> Tray {
        Tray {
            list: RwSignal::new(Vec::new()),
            channel: StoredValue::new(channel),
            max_bytes,
            next: StoredValue::new(0),
            #[cfg(feature = "hydrate")]
            requests: StoredValue::new_local(Vec::new()),
        }
    }

    /// Every file is uploaded and none failed: what the message carries.
    pub fn ready(&self) -> Option<Vec<Attachment>> {
        self.list.with_untracked(|list| {
            list.iter()
                .map(|u| u.done.clone())
                .collect::<Option<Vec<_>>>()
        })
    }

    pub fn busy(&self) -> bool {
        self.list
            .with(|list| list.iter().any(|u| u.done.is_none() && u.failed.is_none()))
    }

    pub fn is_empty(&self) -> bool {
        self.list.with(Vec::is_empty)
    }

    /// Sent: the tray empties (the files now belong to the message).
    pub fn clear(&self) {
        self.list.set(Vec::new());
    }

    /// Takes a file out: an upload in progress stops, a stored one is taken back.
    pub fn remove(&self, key: u64) {
        let removed = self
            .list
            .with_untracked(|l| l.iter().find(|u| u.key == key).cloned());
        self.list.update(|l| l.retain(|u| u.key != key));
        #[cfg(feature = "hydrate")]
        self.requests.update_value(|requests| {
            if let Some(at) = requests.iter().position(|(k, _)| *k == key) {
                let (_, request) = requests.remove(at);
                let _ = request.abort();
            }
        });
        if let Some(Attachment { id, .. }) = removed.and_then(|u| u.done) {
            leptos::task::spawn_local(async move {
                let _ = super::api::discard_upload(id).await;
            });
        }
    }

    /// Adds files the person picked, pasted or dropped, and starts uploading each.
    #[cfg(feature = "hydrate")]
    pub fn add(&self, files: web_sys::FileList) {
        let i18n = use_i18n();
        for index in 0..files.length() {
            let Some(file) = files.get(index) else {
                continue;
            };
            let key = self.next.get_value();
            self.next.set_value(key + 1);
            let size = file.size() as u64;
            let full = self.list.with_untracked(Vec::len) >= MAX_PER_MESSAGE;
            let failed = if full {
                Some(
                    t_string!(i18n, chat.files.too_many)
                        .replace("{max}", &MAX_PER_MESSAGE.to_string()),
                )
            } else if size > self.max_bytes {
                Some(
                    t_string!(i18n, chat.files.too_large)
                        .replace("{max}", &size_text(self.max_bytes))
                        .replace("{size}", &size_text(size)),
                )
            } else {
                None
            };
            let start = failed.is_none();
            self.list.update(|l| {
                l.push(Upload {
                    key,
                    name: file.name(),
                    size,
                    progress: 0.0,
                    done: None,
                    failed,
                    voice: None,
                })
            });
            if start {
                let name = file.name();
                self.send(key, file.into(), &name, None);
            }
        }
    }

    /// Adds a voice message just recorded (its length and waveform measured here), and starts
    /// uploading it.
    #[cfg(feature = "hydrate")]
    pub fn add_recording(&self, audio: web_sys::Blob, duration_ms: u32, waveform: String) {
        let key = self.next.get_value();
        self.next.set_value(key + 1);
        let extension = if audio.type_().contains("ogg") {
            "ogg"
        } else if audio.type_().contains("mp4") {
            "m4a"
        } else {
            "webm"
        };
        let name = format!("voice-message.{extension}");
        self.list.update(|l| {
            l.push(Upload {
                key,
                name: name.clone(),
                size: audio.size() as u64,
                progress: 0.0,
                done: None,
                failed: None,
                voice: Some(duration_ms),
            })
        });
        self.send(key, audio, &name, Some((duration_ms, waveform)));
    }

    /// One upload: the bytes as the body, progress as it goes, the stored file or the refusal.
    #[cfg(feature = "hydrate")]
    fn send(&self, key: u64, file: web_sys::Blob, name: &str, voice: Option<(u32, String)>) {
        use wasm_bindgen::{closure::Closure, JsCast};

        let i18n = use_i18n();
        let list = self.list;
        let fail = move |text: String| {
            list.update(|l| {
                if let Some(u) = l.iter_mut().find(|u| u.key == key) {
                    u.failed = Some(text);
                }
            })
        };
        let Ok(request) = web_sys::XmlHttpRequest::new() else {
            fail(t_string!(i18n, errors.network).to_string());
            return;
        };
        let mut url = format!(
            "{}?channelId={}&name={}",
            super::UPLOAD_PATH,
            js_sys::encode_uri_component(&self.channel.get_value()),
            js_sys::encode_uri_component(name),
        );
        if let Some((duration_ms, waveform)) = voice {
            url.push_str(&format!("&durationMs={duration_ms}&waveform={waveform}"));
        }
        if request.open("POST", &url).is_err()
            || request
                .set_request_header("content-type", "application/octet-stream")
                .is_err()
        {
            fail(t_string!(i18n, errors.network).to_string());
            return;
        }
        if let Ok(upload) = request.upload() {
            let progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(
                move |event: web_sys::ProgressEvent| {
                    if event.length_computable() && event.total() > 0.0 {
                        let share = event.loaded() / event.total();
                        list.update(|l| {
                            if let Some(u) = l.iter_mut().find(|u| u.key == key) {
                                u.progress = share;
                            }
                        });
                    }
                },
            );
            upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
            progress.forget();
        }
        let answered = request.clone();
        let requests = self.requests;
        let finished = Closure::<dyn FnMut()>::new(move || {
            requests.update_value(|r| r.retain(|(k, _)| *k != key));
            let status = answered.status().unwrap_or(0);
            let text = answered.response_text().ok().flatten().unwrap_or_default();
            if status == 0 {
                // Aborted (taken out of the tray) or the network failed.
                fail(t_string!(i18n, errors.network).to_string());
                return;
            }
            if status == 200 {
                if let Ok(stored) = serde_json::from_str::<Attachment>(&text) {
                    list.update(|l| {
                        if let Some(u) = l.iter_mut().find(|u| u.key == key) {
                            u.progress = 1.0;
                            u.done = Some(stored);
                        }
                    });
                    return;
                }
            }
            let refusal = serde_json::from_str::<crate::platform::error::AppError>(&text)
                .map(|e| crate::auth::ui::pages::error_text(&e))
                .unwrap_or_else(|_| t_string!(i18n, errors.network).to_string());
            fail(refusal);
        });
        request.set_onloadend(Some(finished.as_ref().unchecked_ref()));
        finished.forget();
        if request.send_with_opt_blob(Some(&file)).is_err() {
            fail(t_string!(i18n, errors.network).to_string());
            return;
        }
        self.requests.update_value(|r| r.push((key, request)));
    }
}

/// The tray under the message box: each file with its progress, or why it failed, and a way
/// to take it out.
#[component]
pub fn TrayView(tray: Tray) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || !tray.is_empty()>
            <ul class="upload-tray" aria-label=move || t_string!(i18n, chat.files.attached)>
                <For each=move || tray.list.get() key=|u| (u.key, u.done.is_some(), u.failed.clone(), (u.progress * 20.0) as u32) let:upload>
                    {
                        let key = upload.key;
                        let label = t_string!(i18n, chat.files.remove).replace("{name}", &upload.name);
                        let percent = (upload.progress * 100.0).round() as u32;
                        view! {
                            <li class="upload" class:failed=upload.failed.is_some()>
                                <span class="upload-name">{match upload.voice {
                                    Some(ms) => t_string!(i18n, chat.files.voice_message).replace("{length}", &duration_text(ms)),
                                    None => upload.name.clone(),
                                }}</span>
                                <span class="upload-size muted">{size_text(upload.size)}</span>
                                {match (&upload.done, &upload.failed) {
                                    (_, Some(why)) => view! { <span class="field-error upload-status" role="alert">{why.clone()}</span> }.into_any(),
                                    (Some(_), None) => view! { <span class="upload-status muted">{t!(i18n, chat.files.ready)}</span> }.into_any(),
                                    (None, None) => view! {
                                        <progress class="upload-progress" max="100" value=percent
                                            aria-label=t_string!(i18n, chat.files.uploading).replace("{name}", &upload.name)>
                                            {format!("{percent}%")}
                                        </progress>
                                    }.into_any(),
                                }}
                                <button type="button" class="link-button" aria-label=label.clone() title=label
                                    on:click=move |_| tray.remove(key)>"×"</button>
                            </li>
                        }
                    }
                </For>
            </ul>
        </Show>
    }
}

/// A message's files: its images as a grid of previews that open large, its other files as
/// cards that download.
#[component]
pub fn Attachments(files: Vec<Attachment>) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(None::<Attachment>);
    let (images, others): (Vec<Attachment>, Vec<Attachment>) =
        files.into_iter().partition(Attachment::is_image);
    let (voices, others): (Vec<Attachment>, Vec<Attachment>) = others
        .into_iter()
        .partition(|a| a.kind == AttachmentKind::Voice);
    view! {
        {voices.into_iter().map(|voice| {
            let length = duration_text(voice.duration_ms.unwrap_or(0));
            let label = t_string!(i18n, chat.files.voice_message).replace("{length}", &length);
            view! {
                <div class="voice-message">
                    {voice.waveform.clone().map(|bars| view! { <Waveform bars /> })}
                    <audio controls preload="metadata" src=voice.url.clone() aria-label=label></audio>
                    <span class="muted voice-length">{length}</span>
                </div>
            }
        }).collect_view()}
        {(!images.is_empty()).then(|| view! {
            <div class="attachment-images">
                {images.into_iter().map(|image| {
                    let label = t_string!(i18n, chat.files.open_image).replace("{name}", &image.name);
                    let shown = image.clone();
                    // The preview keeps the image's proportions within the grid's box.
                    let (width, height) = preview_size(image.width, image.height);
                    view! {
                        <button type="button" class="attachment-image" aria-label=label on:click=move |_| open.set(Some(shown.clone()))>
                            <img src=image.preview_url().to_string() alt=image.name.clone() loading="lazy"
                                width=width height=height />
                        </button>
                    }
                }).collect_view()}
            </div>
        })}
        {others.into_iter().map(|file| view! {
            <a class="attachment-file" href=file.url.clone() download=file.name.clone()>
                <span class="attachment-file-icon" aria-hidden="true">{file_badge(&file.content_type)}</span>
                <span class="attachment-file-text">
                    <span class="attachment-file-name">{file.name.clone()}</span>
                    <span class="muted">{format!("{} · {}", size_text(file.size), file.content_type)}</span>
                </span>
            </a>
        }).collect_view()}
        {move || open.get().map(|image| view! { <Lightbox image close=move || open.set(None) /> })}
    }
}

/// The image large, over the page: Escape, the Close button or a click outside closes it.
#[component]
fn Lightbox(image: Attachment, close: impl Fn() + Clone + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = button.get() {
            let _ = button.focus();
        }
    });
    let on_key = {
        let close = close.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            if ev.key() == "Escape" {
                close();
            }
        }
    };
    let backdrop = close.clone();
    view! {
        <div class="lightbox" role="dialog" aria-modal="true" aria-label=image.name.clone() on:keydown=on_key
            on:click=move |ev| {
                use leptos::wasm_bindgen::JsCast;
                let on_backdrop = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|t| t.class_list().contains("lightbox"));
                if on_backdrop { backdrop() }
            }>
            <figure>
                <img src=image.url.clone() alt=image.name.clone() />
                <figcaption>
                    <span>{image.name.clone()}</span>
                    <span class="muted">{size_text(image.size)}</span>
                    <a class="button button-small" href=image.url.clone() download=image.name.clone()>{t!(i18n, chat.files.download)}</a>
                    <button type="button" class="button button-small" node_ref=button on:click=move |_| close()>{t!(i18n, chat.files.close)}</button>
                </figcaption>
            </figure>
        </div>
    }
}

/// A voice message's loudness over time, drawn as bars (decoration: the player beside it
/// carries the name and the controls).
#[component]
fn Waveform(bars: String) -> impl IntoView {
    let heights: Vec<u32> = bars.chars().filter_map(|c| c.to_digit(16)).collect();
    let width = heights.len().max(1) as u32 * 4;
    view! {
        <svg class="waveform" viewBox=format!("0 0 {width} 32") width=width height="32" aria-hidden="true" focusable="false">
            {heights.into_iter().enumerate().map(|(i, h)| {
                let tall = 4 + h * 28 / 15;
                view! { <rect x=(i as u32 * 4).to_string() y=((32 - tall) / 2).to_string() width="2.5" height=tall.to_string() rx="1" /> }
            }).collect_view()}
        </svg>
    }
}

/// The size an image preview is laid out at (the image itself scales within it).
fn preview_size(width: Option<u32>, height: Option<u32>) -> (u32, u32) {
    const SIDE: f64 = 240.0;
    match (width, height) {
        (Some(w), Some(h)) if w > 0 && h > 0 => {
            let scale = (SIDE / w.max(h) as f64).min(1.0);
            (
                ((w as f64 * scale).round() as u32).max(1),
                ((h as f64 * scale).round() as u32).max(1),
            )
        }
        _ => (SIDE as u32, SIDE as u32),
    }
}

/// A short word for a file's type on its card ("PDF", "CSV", "ZIP").
fn file_badge(content_type: &str) -> String {
    let sub = content_type.rsplit('/').next().unwrap_or_default();
    let word = match sub {
        "plain" => "TXT",
        "octet-stream" => "FILE",
        "vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "XLSX",
        "vnd.openxmlformats-officedocument.wordprocessingml.document" => "DOCX",
        other => other,
    };
    word.chars().take(4).collect::<String>().to_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_keep_proportions_and_never_grow() {
        assert_eq!(preview_size(Some(1600), Some(900)), (240, 135));
        assert_eq!(preview_size(Some(100), Some(50)), (100, 50));
        assert_eq!(preview_size(None, None), (240, 240));
    }

    #[test]
    fn badges_name_the_type() {
        assert_eq!(file_badge("application/pdf"), "PDF");
        assert_eq!(file_badge("text/plain"), "TXT");
        assert_eq!(file_badge("application/zip"), "ZIP");
        assert_eq!(file_badge("application/octet-stream"), "FILE");
    }
}
