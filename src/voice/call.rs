//! The browser's side of a call: the microphone, one `RTCPeerConnection` per other tab on the
//! call (a mesh), the signalling through the chat socket, and a meter that tells the call when
//! this tab's microphone hears a voice.
//!
//! A page has one call at most; its state lives here, in the page's one thread, beside the
//! reactive view (`ui.rs`), which hands it the socket's events and the person's buttons.

use std::{cell::RefCell, collections::HashMap};

use leptos::prelude::GetUntracked;
use wasm_bindgen::{prelude::*, JsCast};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    AnalyserNode, AudioContext, HtmlAudioElement, MediaStream, MediaStreamConstraints,
    MediaStreamTrack, RtcConfiguration, RtcIceCandidateInit, RtcIceServer, RtcPeerConnection,
    RtcPeerConnectionIceEvent, RtcRtpTransceiverDirection, RtcRtpTransceiverInit, RtcSdpType,
    RtcSessionDescriptionInit, RtcTrackEvent,
};

use super::{loudness, offers_to, IceServer, Roster, Signal};
use crate::chat::{ui::socket::ChatSocket, ClientEvent};

/// How often the meter listens, in milliseconds.
const METER_MS: i32 = 120;
/// The loudness (RMS of the wave, 0–1) above which the microphone hears a voice.
const VOICE_LEVEL: f64 = 0.02;
/// Quiet beats before "speaking" ends: pauses between words do not flicker.
const QUIET_BEATS: u32 = 6;

thread_local! {
    static CALL: RefCell<Option<Call>> = const { RefCell::new(None) };
}

struct Call {
    socket: ChatSocket,
    channel_id: String,
    /// This tab's connection id (changes when the socket reconnects).
    me: String,
    ice: Vec<IceServer>,
    /// The microphone; none when the browser gave none (the tab listens).
    local: Option<MediaStream>,
    peers: HashMap<String, Peer>,
    /// Whether each other tab should be heard (from the roster).
    audible: HashMap<String, bool>,
    muted: bool,
    deafened: bool,
    meter: Option<Meter>,
    /// The newest roster revision taken: an older roster arriving late (or read again by a
    /// page just opened) is passed over, so it never closes a link to a tab still on the call.
    revision: i64,
}

struct Peer {
    link: RtcPeerConnection,
    audio: HtmlAudioElement,
    /// Set once the other side's description is in: candidates that came earlier wait.
    described: bool,
    waiting: Vec<RtcIceCandidateInit>,
    _on_candidate: Closure<dyn FnMut(RtcPeerConnectionIceEvent)>,
    _on_track: Closure<dyn FnMut(RtcTrackEvent)>,
    _on_state: Closure<dyn FnMut(JsValue)>,
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.link.set_onicecandidate(None);
        self.link.set_ontrack(None);
        self.link.set_onconnectionstatechange(None);
        self.link.close();
        self.audio.set_src_object(None);
        self.audio.remove();
    }
}

struct Meter {
    context: AudioContext,
    interval: i32,
    _tick: Closure<dyn FnMut()>,
}

impl Drop for Meter {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            window.clear_interval_with_handle(self.interval);
        }
        let _ = self.context.close();
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        self.peers.clear();
        self.meter = None;
        if let Some(local) = &self.local {
            for track in local.get_tracks().iter() {
                track.unchecked_into::<MediaStreamTrack>().stop();
            }
        }
    }
}

/// Joins a call: asks for the microphone, then tells the server. Whether there is a microphone.
pub async fn start(socket: ChatSocket, channel_id: String, ice: Vec<IceServer>) -> bool {
    end(false);
    let local = microphone().await;
    let has_microphone = local.is_some();
    let me = socket.connection.get_untracked().unwrap_or_default();
    CALL.with(|call| {
        *call.borrow_mut() = Some(Call {
            socket,
            channel_id: channel_id.clone(),
            me,
            ice,
            local: local.clone(),
            peers: HashMap::new(),
            audible: HashMap::new(),
            muted: false,
            deafened: false,
            meter: None,
            revision: 0,
        })
    });
    if let Some(local) = local {
        let meter = listen(socket, &local);
        CALL.with(|call| {
            if let Some(call) = call.borrow_mut().as_mut() {
                call.meter = meter;
            }
        });
    }
    socket.send(ClientEvent::VoiceJoin { channel_id });
    has_microphone
}

/// Leaves the call; `tell` says whether the server still needs to hear of it (not when the
/// server ended it).
pub fn end(tell: bool) {
    let ended = CALL.with(|call| call.borrow_mut().take());
    if let (Some(call), true) = (&ended, tell) {
        call.socket.send(ClientEvent::VoiceLeave);
    }
}

/// The socket reconnected: this tab has a new connection id, and the call's other tabs have
/// dropped the old one; join again and let the links be made afresh.
pub fn reconnected(connection_id: &str) {
    let rejoin = CALL.with(|call| {
        let mut call = call.borrow_mut();
        let call = call.as_mut()?;
        call.peers.clear();
        call.me = connection_id.to_string();
        Some((
            call.socket,
            call.channel_id.clone(),
            call.muted,
            call.deafened,
        ))
    });
    if let Some((socket, channel_id, muted, deafened)) = rejoin {
        socket.send(ClientEvent::VoiceJoin { channel_id });
        if muted || deafened {
            socket.send(ClientEvent::VoiceSelf { muted, deafened });
        }
    }
}

/// The call changed: links to tabs that left close, and this tab offers a link to each new one
/// it is the one to offer to (the other side waits for the offer).
pub fn roster(roster: &Roster) {
    let offers = CALL.with(|call| {
        let mut call = call.borrow_mut();
        let Some(call) = call
            .as_mut()
            .filter(|c| c.channel_id == roster.channel_id && c.revision < roster.revision)
        else {
            return Vec::new();
        };
        call.revision = roster.revision;
        let me = call.me.clone();
        let here = roster.participants.iter().any(|p| p.connection_id == me);
        call.audible = roster
            .participants
            .iter()
            .filter(|p| p.connection_id != me)
            .map(|p| (p.connection_id.clone(), p.audible()))
            .collect();
        let audible = call.audible.clone();
        call.peers.retain(|id, _| audible.contains_key(id));
        let mut offers = Vec::new();
        if here {
            for other in audible.keys() {
                if !call.peers.contains_key(other) && offers_to(&me, other) {
                    if let Some(link) = connect(call, other) {
                        offers.push((call.socket, link, other.clone()));
                    }
                }
            }
        }
        play(call);
        offers
    });
    for (socket, link, to) in offers {
        spawn_local(async move {
            if let Err(err) = offer(socket, &link, to).await {
                leptos::logging::warn!("call: the offer failed: {err:?}");
            }
        });
    }
}

/// A step of a link's set-up from another tab on the call.
pub fn signal(to: &str, from: String, signal: Signal) {
    let link = CALL.with(|call| {
        let mut call = call.borrow_mut();
        let call = call.as_mut().filter(|c| c.me == to)?;
        match signal {
            Signal::Offer { .. } if !call.peers.contains_key(&from) => connect(call, &from),
            _ => call.peers.get(&from).map(|peer| peer.link.clone()),
        }
    });
    let Some(link) = link else { return };
    spawn_local(async move {
        if let Err(err) = answer(link, from, signal).await {
            leptos::logging::warn!("call: a signal failed: {err:?}");
        }
    });
}

/// Mutes or unmutes this tab's microphone.
pub fn set_muted(muted: bool) {
    CALL.with(|call| {
        if let Some(call) = call.borrow_mut().as_mut() {
            call.muted = muted;
            if let Some(local) = &call.local {
                for track in local.get_audio_tracks().iter() {
                    track
                        .unchecked_into::<MediaStreamTrack>()
                        .set_enabled(!muted);
                }
            }
            call.socket.send(ClientEvent::VoiceSelf {
                muted,
                deafened: call.deafened,
            });
        }
    });
}

/// Stops (or starts again) playing the others.
pub fn set_deafened(deafened: bool) {
    CALL.with(|call| {
        if let Some(call) = call.borrow_mut().as_mut() {
            call.deafened = deafened;
            play(call);
            call.socket.send(ClientEvent::VoiceSelf {
                muted: call.muted,
                deafened,
            });
        }
    });
}

/// Plays each other tab unless this one is deafened or that one should not be heard.
fn play(call: &Call) {
    for (id, peer) in &call.peers {
        let heard = !call.deafened && call.audible.get(id).copied().unwrap_or(false);
        peer.audio.set_muted(!heard);
    }
}

/// The microphone, if the browser gives one.
async fn microphone() -> Option<MediaStream> {
    let devices = web_sys::window()?.navigator().media_devices().ok()?;
    let constraints = MediaStreamConstraints::new();
    constraints.set_audio(&JsValue::TRUE);
    let asked = devices.get_user_media_with_constraints(&constraints).ok()?;
    JsFuture::from(asked).await.ok()?.dyn_into().ok()
}

/// A new link to another tab, with this tab's sound on it (or, without a microphone, a place
/// to receive theirs) and its sound played by an `<audio>` of its own.
fn connect(call: &mut Call, other: &str) -> Option<RtcPeerConnection> {
    let config = RtcConfiguration::new();
    let servers = js_sys::Array::new();
    for server in &call.ice {
        let ice = RtcIceServer::new();
        let urls: js_sys::Array = server.urls.iter().map(|u| JsValue::from_str(u)).collect();
        ice.set_urls(&urls);
        if let Some(username) = &server.username {
            ice.set_username(username);
        }
        if let Some(credential) = &server.credential {
            ice.set_credential(credential);
        }
        servers.push(&ice);
    }
    config.set_ice_servers(&servers);
    let link = RtcPeerConnection::new_with_configuration(&config).ok()?;
    match &call.local {
        Some(local) => {
            for track in local.get_audio_tracks().iter() {
                link.add_track_0(&track.unchecked_into(), local);
            }
        }
        None => {
            let init = RtcRtpTransceiverInit::new();
            init.set_direction(RtcRtpTransceiverDirection::Recvonly);
            link.add_transceiver_with_str_and_init("audio", &init);
        }
    }
    let document = web_sys::window()?.document()?;
    let audio: HtmlAudioElement = document.create_element("audio").ok()?.dyn_into().ok()?;
    audio.set_autoplay(true);
    let _ = audio.set_attribute("data-peer", other);
    let _ = audio.set_attribute("data-link", "new");
    document.body()?.append_child(&audio).ok()?;

    let socket = call.socket;
    let to = other.to_string();
    let on_candidate = Closure::<dyn FnMut(RtcPeerConnectionIceEvent)>::new(
        move |event: RtcPeerConnectionIceEvent| {
            if let Some(candidate) = event.candidate() {
                socket.send(ClientEvent::VoiceSignal {
                    to: to.clone(),
                    signal: Signal::Ice {
                        candidate: candidate.candidate(),
                        sdp_mid: candidate.sdp_mid(),
                        sdp_m_line_index: candidate.sdp_m_line_index(),
                    },
                });
            }
        },
    );
    link.set_onicecandidate(Some(on_candidate.as_ref().unchecked_ref()));
    let player = audio.clone();
    let on_track = Closure::<dyn FnMut(RtcTrackEvent)>::new(move |event: RtcTrackEvent| {
        let stream = event
            .streams()
            .get(0)
            .dyn_into::<MediaStream>()
            .ok()
            .or_else(|| {
                let stream = MediaStream::new().ok()?;
                stream.add_track(&event.track());
                Some(stream)
            });
        if let Some(stream) = stream {
            player.set_src_object(Some(&stream));
            if let Ok(playing) = player.play() {
                spawn_local(async move {
                    let _ = JsFuture::from(playing).await;
                });
            }
        }
    });
    link.set_ontrack(Some(on_track.as_ref().unchecked_ref()));
    let (watched, marked) = (link.clone(), audio.clone());
    let on_state = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        let state = js_sys::Reflect::get(&watched, &"connectionState".into())
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default();
        let _ = marked.set_attribute("data-link", &state);
    });
    link.set_onconnectionstatechange(Some(on_state.as_ref().unchecked_ref()));
    call.peers.insert(
        other.to_string(),
        Peer {
            link: link.clone(),
            audio,
            described: false,
            waiting: Vec::new(),
            _on_candidate: on_candidate,
            _on_track: on_track,
            _on_state: on_state,
        },
    );
    play(call);
    Some(link)
}

async fn offer(socket: ChatSocket, link: &RtcPeerConnection, to: String) -> Result<(), JsValue> {
    let offer = JsFuture::from(link.create_offer()).await?;
    let sdp = sdp_of(&offer)?;
    let description = RtcSessionDescriptionInit::new(RtcSdpType::Offer);
    description.set_sdp(&sdp);
    JsFuture::from(link.set_local_description(&description)).await?;
    socket.send(ClientEvent::VoiceSignal {
        to,
        signal: Signal::Offer { sdp },
    });
    Ok(())
}

async fn answer(link: RtcPeerConnection, from: String, signal: Signal) -> Result<(), JsValue> {
    match signal {
        Signal::Offer { sdp } => {
            let description = RtcSessionDescriptionInit::new(RtcSdpType::Offer);
            description.set_sdp(&sdp);
            JsFuture::from(link.set_remote_description(&description)).await?;
            described(&from, &link).await;
            let answer = JsFuture::from(link.create_answer()).await?;
            let sdp = sdp_of(&answer)?;
            let description = RtcSessionDescriptionInit::new(RtcSdpType::Answer);
            description.set_sdp(&sdp);
            JsFuture::from(link.set_local_description(&description)).await?;
            let socket = CALL.with(|call| call.borrow().as_ref().map(|c| c.socket));
            if let Some(socket) = socket {
                socket.send(ClientEvent::VoiceSignal {
                    to: from,
                    signal: Signal::Answer { sdp },
                });
            }
        }
        Signal::Answer { sdp } => {
            let description = RtcSessionDescriptionInit::new(RtcSdpType::Answer);
            description.set_sdp(&sdp);
            JsFuture::from(link.set_remote_description(&description)).await?;
            described(&from, &link).await;
        }
        Signal::Ice {
            candidate,
            sdp_mid,
            sdp_m_line_index,
        } => {
            let init = RtcIceCandidateInit::new(&candidate);
            init.set_sdp_mid(sdp_mid.as_deref());
            init.set_sdp_m_line_index(sdp_m_line_index);
            let ready = CALL.with(|call| {
                let mut call = call.borrow_mut();
                let peer = call.as_mut()?.peers.get_mut(&from)?;
                if peer.described {
                    Some(init)
                } else {
                    peer.waiting.push(init);
                    None
                }
            });
            if let Some(init) = ready {
                JsFuture::from(link.add_ice_candidate_with_opt_rtc_ice_candidate_init(Some(&init)))
                    .await?;
            }
        }
    }
    Ok(())
}

/// The other side's description is in: the candidates that came before it go in now.
async fn described(from: &str, link: &RtcPeerConnection) {
    let waiting = CALL.with(|call| {
        let mut call = call.borrow_mut();
        let peer = call.as_mut().and_then(|c| c.peers.get_mut(from));
        match peer {
            Some(peer) => {
                peer.described = true;
                std::mem::take(&mut peer.waiting)
            }
            None => Vec::new(),
        }
    });
    for init in waiting {
        let added = link.add_ice_candidate_with_opt_rtc_ice_candidate_init(Some(&init));
        let _ = JsFuture::from(added).await;
    }
}

fn sdp_of(description: &JsValue) -> Result<String, JsValue> {
    js_sys::Reflect::get(description, &"sdp".into())?
        .as_string()
        .ok_or_else(|| JsValue::from_str("a description without SDP"))
}

/// Listens to the microphone and tells the call when a voice starts and stops (not while
/// muted: the server would not pass it on anyway).
fn listen(socket: ChatSocket, local: &MediaStream) -> Option<Meter> {
    let context = AudioContext::new().ok()?;
    // Started from the person's click (Join), so the browser lets it run; ask, in case.
    let _ = context.resume();
    let source = context.create_media_stream_source(local).ok()?;
    let analyser: AnalyserNode = context.create_analyser().ok()?;
    analyser.set_fft_size(512);
    source.connect_with_audio_node(&analyser).ok()?;
    let mut wave = vec![0u8; 512];
    let mut speaking = false;
    let mut quiet = 0u32;
    let tick = Closure::<dyn FnMut()>::new(move || {
        analyser.get_byte_time_domain_data(&mut wave);
        let level = loudness(&wave);
        let muted = CALL.with(|call| call.borrow().as_ref().is_none_or(|c| c.muted));
        let now = if muted {
            false
        } else if level > VOICE_LEVEL {
            quiet = 0;
            true
        } else {
            quiet += 1;
            speaking && quiet < QUIET_BEATS
        };
        if now != speaking {
            speaking = now;
            socket.send(ClientEvent::VoiceSpeaking { speaking });
        }
    });
    let interval = web_sys::window()?
        .set_interval_with_callback_and_timeout_and_arguments_0(
            tick.as_ref().unchecked_ref(),
            METER_MS,
        )
        .ok()?;
    Some(Meter {
        context,
        interval,
        _tick: tick,
    })
}
