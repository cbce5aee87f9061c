//! Recording a voice message in the browser: the microphone button, then a bar with the time
//! so far, Cancel and "Stop and attach". The recording (MediaRecorder, in whatever format the
//! browser records — WebM/Opus in Chromium and Firefox, MP4 in Safari; no transcoding) goes to
//! the tray with its length and a waveform measured here from the decoded sound.

use leptos::prelude::*;

use super::{duration_text, ui::Tray, WAVEFORM_BARS};
use crate::kit::{
    i18n::{t, t_string, use_i18n},
    icons::{Icon, IconName},
};

/// A composer's recorder: whether it is recording (and for how long), and why it could not.
#[derive(Clone, Copy)]
pub struct Recorder {
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    tray: Tray,
    /// Milliseconds recorded so far, while recording.
    pub elapsed: RwSignal<Option<u32>>,
    failed: RwSignal<Option<String>>,
    #[cfg(feature = "hydrate")]
    session: StoredValue<Option<browser::Session>, LocalStorage>,
}

impl Recorder {
    pub fn new(tray: Tray) -> Recorder {
        Recorder {
            tray,
            elapsed: RwSignal::new(None),
            failed: RwSignal::new(None),
            #[cfg(feature = "hydrate")]
            session: StoredValue::new_local(None),
        }
    }

    pub fn recording(&self) -> bool {
        self.elapsed.with(Option::is_some)
    }

    fn start(self) {
        self.failed.set(None);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let i18n = use_i18n();
            match browser::Session::start(self.tray, self.elapsed).await {
                Ok(started) => self.session.set_value(Some(started)),
                Err(()) => self
                    .failed
                    .set(Some(t_string!(i18n, chat.files.no_microphone).to_string())),
            }
        });
    }

    /// Ends the recording: into the tray (`keep`), or nowhere.
    fn finish(self, keep: bool) {
        #[cfg(feature = "hydrate")]
        if let Some(running) = self.session.try_update_value(Option::take).flatten() {
            running.stop(keep);
        }
        let _ = keep;
        self.elapsed.set(None);
    }
}

/// The microphone button, and why the microphone could not be used.
#[component]
pub fn RecordButton(recorder: Recorder) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button type="button" class="icon-button record-button"
            title=move || t_string!(i18n, chat.files.record) aria-label=move || t_string!(i18n, chat.files.record)
            on:click=move |_| recorder.start()>
            <Icon name=IconName::Microphone />
        </button>
        {move || recorder.failed.get().map(|why| view! { <p class="field-error record-error" role="alert">{why}</p> })}
    }
}

/// While recording, in place of the message box: the time so far, Cancel, "Stop and attach".
#[component]
pub fn RecordingBar(recorder: Recorder) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="recording" role="status">
            <span class="recording-dot" aria-hidden="true"></span>
            <span class="recording-time">{move || {
                let ms = recorder.elapsed.get().unwrap_or(0);
                t_string!(i18n, chat.files.recording).replace("{length}", &duration_text(ms))
            }}</span>
            <button type="button" class="button button-small" on:click=move |_| recorder.finish(false)>{t!(i18n, chat.cancel)}</button>
            <button type="button" class="button button-small button-primary" on:click=move |_| recorder.finish(true)>{t!(i18n, chat.files.stop_and_attach)}</button>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::{cell::RefCell, rc::Rc};

    use leptos::prelude::*;
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    use super::{bars, Tray};

    /// A recording under way.
    pub struct Session {
        recorder: web_sys::MediaRecorder,
        keep: Rc<RefCell<bool>>,
        ticking: Option<leptos::prelude::IntervalHandle>,
    }

    impl Session {
        /// Asks for the microphone and starts recording; `elapsed` counts the time.
        pub async fn start(tray: Tray, elapsed: RwSignal<Option<u32>>) -> Result<Session, ()> {
            let devices = web_sys::window()
                .ok_or(())?
                .navigator()
                .media_devices()
                .map_err(drop)?;
            let constraints = web_sys::MediaStreamConstraints::new();
            constraints.set_audio(&JsValue::TRUE);
            let stream: web_sys::MediaStream = JsFuture::from(
                devices
                    .get_user_media_with_constraints(&constraints)
                    .map_err(drop)?,
            )
            .await
            .map_err(drop)?
            .dyn_into()
            .map_err(drop)?;
            let recorder = web_sys::MediaRecorder::new_with_media_stream(&stream).map_err(drop)?;
            let chunks: Rc<RefCell<Vec<web_sys::Blob>>> = Rc::default();
            let keep = Rc::new(RefCell::new(false));
            let started = js_sys::Date::now();

            let gathered = chunks.clone();
            let on_data =
                Closure::<dyn FnMut(web_sys::BlobEvent)>::new(move |event: web_sys::BlobEvent| {
                    if let Some(data) = event.data() {
                        gathered.borrow_mut().push(data);
                    }
                });
            recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
            on_data.forget();

            let (kept, stopped_stream, mime) = (keep.clone(), stream.clone(), recorder.mime_type());
            let on_stop = Closure::<dyn FnMut()>::new(move || {
                // The microphone goes off as soon as the recording ends.
                for track in stopped_stream.get_tracks().iter() {
                    if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
                        track.stop();
                    }
                }
                if !*kept.borrow() {
                    return;
                }
                let duration_ms = (js_sys::Date::now() - started).max(1.0) as u32;
                let parts = js_sys::Array::new();
                for chunk in chunks.borrow().iter() {
                    parts.push(chunk);
                }
                let options = web_sys::BlobPropertyBag::new();
                options.set_type(&mime);
                let Ok(audio) = web_sys::Blob::new_with_blob_sequence_and_options(&parts, &options)
                else {
                    return;
                };
                leptos::task::spawn_local(async move {
                    // Unmeasured stays unmeasured: no bars rather than made-up ones.
                    let waveform = waveform_of(&audio).await.unwrap_or_default();
                    tray.add_recording(audio, duration_ms, waveform);
                });
            });
            recorder.set_onstop(Some(on_stop.as_ref().unchecked_ref()));
            on_stop.forget();

            recorder.start().map_err(drop)?;
            elapsed.set(Some(0));
            let ticking = set_interval_with_handle(
                move || {
                    let ms = (js_sys::Date::now() - started) as u32;
                    elapsed.update(|e| {
                        if e.is_some() {
                            *e = Some(ms)
                        }
                    });
                },
                std::time::Duration::from_millis(250),
            )
            .ok();
            Ok(Session {
                recorder,
                keep,
                ticking,
            })
        }

        /// Ends the recording: into the tray (`keep`), or nowhere.
        pub fn stop(self, keep: bool) {
            *self.keep.borrow_mut() = keep;
            if let Some(ticking) = self.ticking {
                ticking.clear();
            }
            let _ = self.recorder.stop();
        }
    }

    /// The loudness of [`WAVEFORM_BARS`] stretches of the sound, as hex digits.
    async fn waveform_of(audio: &web_sys::Blob) -> Option<String> {
        let bytes: js_sys::ArrayBuffer = JsFuture::from(audio.array_buffer())
            .await
            .ok()?
            .dyn_into()
            .ok()?;
        let context = web_sys::AudioContext::new().ok()?;
        let decoded: web_sys::AudioBuffer = JsFuture::from(context.decode_audio_data(&bytes).ok()?)
            .await
            .ok()?
            .dyn_into()
            .ok()?;
        let _ = context.close();
        let samples = decoded.get_channel_data(0).ok()?;
        Some(bars(&samples))
    }
}

/// Each stretch's peak, scaled to the loudest, as one hex digit.
pub fn bars(samples: &[f32]) -> String {
    if samples.is_empty() {
        return "0".repeat(WAVEFORM_BARS);
    }
    let stretch = samples.len().div_ceil(WAVEFORM_BARS);
    let peaks: Vec<f32> = samples
        .chunks(stretch)
        .map(|chunk| chunk.iter().fold(0f32, |m, s| m.max(s.abs())))
        .collect();
    let loudest = peaks.iter().copied().fold(0f32, f32::max).max(1e-6);
    peaks
        .iter()
        .map(|p| {
            let level = ((p / loudest) * 15.0).round().clamp(0.0, 15.0) as u32;
            char::from_digit(level, 16).unwrap_or('0')
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_waveform_follows_the_loudness() {
        let mut samples = vec![0.0f32; 4800];
        for s in &mut samples[2400..2500] {
            *s = -0.5;
        }
        let waveform = bars(&samples);
        assert_eq!(waveform.len(), WAVEFORM_BARS);
        assert_eq!(waveform.chars().nth(24), Some('f'), "{waveform}");
        assert_eq!(
            waveform.chars().filter(|c| *c == '0').count(),
            WAVEFORM_BARS - 1
        );
        assert!(super::super::valid_waveform(&waveform));
        assert_eq!(bars(&[]), "0".repeat(WAVEFORM_BARS));
    }
}
