//! Calls on the page: every voice channel's roster, kept live for the community's page
//! (`provide_calls`, read by the sidebar's `CallPeople`); this tab's own call (`MyCall`, kept
//! across the community's channels, `CallWatch` in the layout, `CallBar` in the sidebar); and
//! the voice channel's own screen (`VoiceRoom`): who is on the call, speaking, muted, deafened
//! or silenced; join, leave, mute, deafen; a moderator's "mute for everyone".

use std::collections::{HashMap, HashSet};

use leptos::prelude::*;
use leptos_router::components::A;

use super::{IceServer, Participant, Roster, MESH_LIMIT};
use crate::{
    auth::{ui::pages::error_text, validate::initials},
    chat::{ui::socket::use_chat_socket, ClientEvent, ServerEvent},
    community::{permissions::Permissions, ChannelInfo, CommunityView},
    kit::{
        avatar::Avatar,
        i18n::{t, t_string, use_i18n},
        icons::{Icon, IconName},
    },
};

/// A community's calls as this page knows them.
#[derive(Clone, Copy)]
pub struct Calls {
    /// Each voice channel's call, the newest roster heard, by channel id.
    rosters: RwSignal<HashMap<String, Roster>>,
    /// The tabs whose microphone hears a voice now.
    speaking: RwSignal<HashSet<String>>,
    ice: StoredValue<Vec<IceServer>>,
}

impl Calls {
    fn on_call(&self, channel_id: &str) -> Vec<Participant> {
        self.rosters.with(|r| {
            r.get(channel_id)
                .map(|roster| roster.participants.clone())
                .unwrap_or_default()
        })
    }

    /// Takes a roster unless one as new was heard already (rosters may arrive out of order),
    /// and hands it to this tab's call.
    fn accept(&self, roster: &Roster) {
        let newer = self.rosters.with_untracked(|r| {
            r.get(&roster.channel_id)
                .is_none_or(|known| known.revision < roster.revision)
        });
        if !newer {
            return;
        }
        self.rosters.update(|r| {
            r.insert(roster.channel_id.clone(), roster.clone());
        });
        let here: HashSet<String> = self.rosters.with_untracked(|r| {
            r.values()
                .flat_map(|roster| &roster.participants)
                .map(|p| p.connection_id.clone())
                .collect()
        });
        self.speaking.update(|s| s.retain(|c| here.contains(c)));
        #[cfg(feature = "hydrate")]
        super::call::roster(roster);
    }
}

/// This tab's own call, kept while its person moves between the community's channels: the
/// app provides it (`provide_my_call`) and `CallWatch` (in the layout) passes the call's
/// signalling on and ends it when the person leaves the community's pages.
#[derive(Clone, Copy)]
pub struct MyCall {
    /// The call this tab is on or joining: where.
    on: RwSignal<Option<CallPlace>>,
    joining: RwSignal<bool>,
    /// Whether a microphone could be used (none: listening only); unknown until asked.
    microphone: RwSignal<Option<bool>>,
    muted: RwSignal<bool>,
    deafened: RwSignal<bool>,
    /// Why the last call of a channel ended or was refused, by channel id.
    problem: RwSignal<Option<(String, CallProblem)>>,
    /// The call's own code, handed over by `join`: the layout hears the socket's call events on
    /// every page, and calling the WebRTC code by name would put it in the shell every page
    /// loads. `join` runs from a voice channel's page, whose code carries it.
    code: StoredValue<Option<CallCode>>,
}

/// The call's entry points that the layout reaches (see [`MyCall::code`]).
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
struct CallCode {
    signal: fn(&str, String, super::Signal),
    reconnected: fn(&str),
    end: fn(bool),
}

/// Where a call is: its community and voice channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallPlace {
    pub slug: String,
    pub channel_id: String,
    pub channel_name: String,
}

/// Why this tab is off a call it was on or asked for.
#[derive(Debug, Clone, PartialEq)]
enum CallProblem {
    /// The server took it off (a timeout, a ban, the channel archived): the reason.
    Ended(crate::kit::sentences::Sentence),
    /// The server refused to let it on (the call is full, no right to join).
    Refused(crate::platform::error::AppError),
}

/// Provides the tab's own call (no call yet), for every page.
pub fn provide_my_call() {
    provide_context(MyCall {
        on: RwSignal::new(None),
        joining: RwSignal::new(false),
        microphone: RwSignal::new(None),
        muted: RwSignal::new(false),
        deafened: RwSignal::new(false),
        problem: RwSignal::new(None),
        code: StoredValue::new(None),
    });
}

impl MyCall {
    /// Asks for the microphone and joins a voice channel's call (leaving any other).
    fn join(&self, place: CallPlace, ice: Vec<IceServer>) {
        let this = *self;
        this.problem.set(None);
        this.joining.set(true);
        this.muted.set(false);
        this.deafened.set(false);
        this.on.set(Some(place.clone()));
        #[cfg(feature = "hydrate")]
        this.code.set_value(Some(CallCode {
            signal: super::call::signal,
            reconnected: super::call::reconnected,
            end: super::call::end,
        }));
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let has = super::call::start(use_chat_socket(), place.channel_id, ice).await;
            this.microphone.set(Some(has));
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = ice;
    }

    /// Leaves the call; `tell`: the server has yet to hear of it (not when it ended the call).
    fn leave(&self, tell: bool) {
        if let Some(code) = self.code.get_value() {
            (code.end)(tell);
        }
        self.on.set(None);
        self.joining.set(false);
        self.microphone.set(None);
    }

    fn toggle_mute(&self) {
        let now = !self.muted.get_untracked();
        self.muted.set(now);
        #[cfg(feature = "hydrate")]
        super::call::set_muted(now);
    }

    fn toggle_deafen(&self) {
        let now = !self.deafened.get_untracked();
        self.deafened.set(now);
        #[cfg(feature = "hydrate")]
        super::call::set_deafened(now);
    }

    /// Whether this tab is on (or joining) this channel's call.
    fn in_channel(&self, channel_id: &str) -> bool {
        self.on
            .with(|on| on.as_ref().is_some_and(|p| p.channel_id == channel_id))
    }
}

/// Passes the call's signalling between the socket and the browser's call, and ends the call
/// when the person leaves the community's pages (its rosters stop coming there). In the layout.
#[component]
pub fn CallWatch() -> impl IntoView {
    let socket = use_chat_socket();
    let mine = expect_context::<MyCall>();
    socket.on_event(move |event| match event {
        ServerEvent::Ready { connection_id, .. } => {
            if let Some(code) = mine.code.get_value() {
                (code.reconnected)(connection_id);
            }
        }
        ServerEvent::VoiceSignal { to, from, signal } => {
            if let Some(code) = mine.code.get_value() {
                (code.signal)(to, from.clone(), signal.clone());
            }
        }
        ServerEvent::VoiceEnded { channel_id, reason } if mine.in_channel(channel_id) => {
            mine.leave(false);
            mine.problem.set(Some((
                channel_id.clone(),
                CallProblem::Ended(reason.clone()),
            )));
        }
        // A refusal while joining (the call is full, no right to join) ends the attempt.
        ServerEvent::Error { nonce: None, error } if mine.joining.get_untracked() => {
            let channel = mine
                .on
                .with_untracked(|on| on.as_ref().map(|p| p.channel_id.clone()));
            mine.leave(false);
            if let Some(channel) = channel {
                mine.problem
                    .set(Some((channel, CallProblem::Refused(error.clone()))));
            }
        }
        _ => {}
    });
    let location = leptos_router::hooks::use_location();
    Effect::new(move |_| {
        let path = location.pathname.get();
        let away = mine.on.with_untracked(|on| {
            on.as_ref().is_some_and(|p| {
                let community = format!("/c/{}", p.slug);
                path != community && !path.starts_with(&format!("{community}/"))
            })
        });
        if away {
            mine.leave(true);
        }
    });
}

/// The call this tab is on, at the foot of the community's channel list while another channel
/// is open: where it is, mute, and leave.
#[component]
pub fn CallBar(current: String) -> impl IntoView {
    let i18n = use_i18n();
    let Some(mine) = use_context::<MyCall>() else {
        return ().into_any();
    };
    let current = StoredValue::new(current);
    view! {
        {move || mine.on.get().filter(|p| current.with_value(|c| *c != p.channel_id)).map(|place| view! {
            <div class="call-bar" role="group" aria-label=move || t_string!(i18n, voice.bar_label)>
                <A href=format!("/c/{}/{}", place.slug, place.channel_name) attr:class="call-bar-place">
                    <Icon name=IconName::Speaker />
                    <span>{t_string!(i18n, voice.bar_on).replace("{name}", &place.channel_name)}</span>
                </A>
                <div class="call-bar-actions">
                    <button type="button" class="icon-button" aria-pressed=move || mine.muted.get().to_string()
                        aria-label=move || if mine.muted.get() { t_string!(i18n, voice.unmute) } else { t_string!(i18n, voice.mute) }
                        disabled=move || mine.microphone.get() != Some(true)
                        on:click=move |_| mine.toggle_mute()>
                        {move || view! { <Icon name=if mine.muted.get() { IconName::MicrophoneOff } else { IconName::Microphone } /> }}
                    </button>
                    <button type="button" class="button button-small button-danger" on:click=move |_| mine.leave(true)>
                        {t!(i18n, voice.leave)}
                    </button>
                </div>
            </div>
        })}
    }
    .into_any()
}

/// Reads the community's calls and keeps them live (the community's page provides them to its
/// sidebar and its voice channels).
pub fn provide_calls(slug: String, community_id: String) {
    let calls = Calls {
        rosters: RwSignal::new(HashMap::new()),
        speaking: RwSignal::new(HashSet::new()),
        ice: StoredValue::new(Vec::new()),
    };
    provide_context(calls);
    let socket = use_chat_socket();
    let version = RwSignal::new(0u32);
    // Read in the browser (an effect), again whenever the socket is ready (after a reconnect
    // the changes in between were missed).
    Effect::new(move |_| {
        version.track();
        let slug = slug.clone();
        leptos::task::spawn_local(async move {
            if let Ok(read) = super::api::voice_calls(slug).await {
                calls.ice.set_value(read.ice_servers);
                for roster in &read.rosters {
                    calls.accept(roster);
                }
            }
        });
    });
    socket.on_event(move |event| match event {
        ServerEvent::Ready { .. } => version.update(|v| *v += 1),
        ServerEvent::VoiceRoster {
            community_id: id,
            roster,
        } if *id == community_id => calls.accept(roster),
        ServerEvent::VoiceSpeaking {
            community_id: id,
            connection_id,
            speaking,
            ..
        } if *id == community_id => calls.speaking.update(|s| {
            if *speaking {
                s.insert(connection_id.clone());
            } else {
                s.remove(connection_id);
            }
        }),
        _ => {}
    });
}

/// The people on a voice channel's call, under its name in the sidebar.
#[component]
pub fn CallPeople(channel_id: String) -> impl IntoView {
    let Some(calls) = use_context::<Calls>() else {
        return ().into_any();
    };
    let channel = StoredValue::new(channel_id);
    view! {
        <ul class="call-people">
            {move || channel.with_value(|c| calls.on_call(c)).into_iter().map(|p| {
                let speaking = {
                    let id = p.connection_id.clone();
                    move || calls.speaking.with(|s| s.contains(&id))
                };
                view! {
                    <li class:speaking=speaking>
                        <Avatar initials=initials(&p.user.display_name) url=p.user.avatar_url.clone() class="avatar-small" />
                        <span class="call-name">{p.user.display_name.clone()}</span>
                        {(p.muted || p.silenced || !p.may_speak).then(|| view! { <Icon name=IconName::MicrophoneOff /> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// A voice channel's screen: the call.
#[component]
pub fn VoiceRoom(channel: ChannelInfo, community: CommunityView) -> impl IntoView {
    let i18n = use_i18n();
    let socket = use_chat_socket();
    let calls = use_context::<Calls>().expect("the community page provides its calls");
    let channel_id = StoredValue::new(channel.id.clone());
    let member = community.my_rank.is_some();
    let may_connect = member && community.may(Permissions::CONNECT) && !channel.archived;
    let may_silence = community.may(Permissions::MUTE_MEMBERS);
    let mine = expect_context::<MyCall>();
    let this_call = move || mine.in_channel(&channel_id.get_value());
    let joining = move || mine.joining.get() && this_call();
    let microphone = move || this_call().then(|| mine.microphone.get()).flatten();
    let problem = move || {
        mine.problem.with(|p| {
            p.as_ref()
                .filter(|(c, _)| channel_id.with_value(|id| id == c))
                .map(|(_, why)| match why {
                    CallProblem::Ended(reason) => t_string!(i18n, voice.ended)
                        .replace("{reason}", &reason.render(i18n.get_locale_untracked())),
                    CallProblem::Refused(error) => error_text(error),
                })
        })
    };
    let people = Memo::new(move |_| channel_id.with_value(|c| calls.on_call(c)));
    let here = Memo::new(move |_| {
        let me = socket.connection.get();
        me.is_some_and(|me| people.with(|p| p.iter().any(|p| p.connection_id == me)))
    });
    // Joining ends when the call's roster has this tab on it (or with a refusal: `CallWatch`).
    Effect::new(move |_| {
        if here.get() {
            mine.joining.set(false);
        }
    });
    // The community's events (rosters, speaking) come with a subscription to one of its
    // channels: this one.
    let subscribe = move || {
        socket.send(ClientEvent::Subscribe {
            channel_id: channel_id.get_value(),
            after_seq: None,
        });
    };
    socket.start();
    Effect::new(move |_| subscribe());
    socket.on_event(move |event| {
        if let ServerEvent::Ready { .. } = event {
            subscribe();
        }
    });
    // Leaving the page leaves the channel's events, not the call: it goes on while the person
    // reads the community's other channels (the sidebar's `CallBar` shows it).
    on_cleanup(move || {
        socket.send(ClientEvent::Unsubscribe {
            channel_id: channel_id.get_value(),
        });
    });

    let place = StoredValue::new(CallPlace {
        slug: community.community.slug.clone(),
        channel_id: channel.id.clone(),
        channel_name: channel.name.clone(),
    });
    let join = move |_| mine.join(place.get_value(), calls.ice.get_value());
    let leave = move |_| mine.leave(true);
    let toggle_mute = move |_| mine.toggle_mute();
    let toggle_deafen = move |_| mine.toggle_deafen();
    let muted = mine.muted;
    let deafened = mine.deafened;
    let me_id = StoredValue::new(
        community
            .my_rank
            .and(crate::auth::ui::session::use_session().user().map(|u| u.id)),
    );
    let hint = t_string!(i18n, voice.hint).replace("{max}", &MESH_LIMIT.to_string());
    let heading =
        move || t_string!(i18n, voice.on_call).replace("{n}", &people.with(Vec::len).to_string());

    view! {
        <section class="voice-room card" aria-labelledby="voice-title">
            <header class="voice-head">
                <span class="voice-icon" aria-hidden="true"><Icon name=IconName::Speaker /></span>
                <div>
                    <h1 id="voice-title">{channel.name.clone()}</h1>
                    <p class="help">{hint}</p>
                </div>
            </header>
            <h2 class="member-group">{heading}</h2>
            {move || people.with(Vec::is_empty).then(|| view! { <p class="muted">{t!(i18n, voice.empty)}</p> })}
            <ul class="voice-people">
                {move || people.get().into_iter().map(|p| {
                    let id = p.connection_id.clone();
                    let speaking = move || calls.speaking.with(|s| s.contains(&id));
                    let mine = socket.connection.get_untracked().as_deref() == Some(p.connection_id.as_str());
                    let mut states = Vec::new();
                    if p.silenced { states.push(t_string!(i18n, voice.silenced).to_string()); }
                    if p.muted { states.push(t_string!(i18n, voice.muted).to_string()); }
                    if p.deafened { states.push(t_string!(i18n, voice.deafened).to_string()); }
                    if !p.may_speak { states.push(t_string!(i18n, voice.listener).to_string()); }
                    let silence = (may_silence && me_id.with_value(|me| me.as_deref() != Some(p.user.id.as_str()))).then(|| {
                        let user_id = p.user.id.clone();
                        let silenced = p.silenced;
                        let label = if silenced {
                            t_string!(i18n, voice.unsilence).replace("{name}", &p.user.display_name)
                        } else {
                            t_string!(i18n, voice.silence).replace("{name}", &p.user.display_name)
                        };
                        let short = if silenced {
                            t_string!(i18n, voice.unsilence_short)
                        } else {
                            t_string!(i18n, voice.silence_short)
                        };
                        view! {
                            <button type="button" class="button button-small" aria-label=label
                                on:click=move |_| {
                                    socket.send(ClientEvent::VoiceSilence {
                                        channel_id: channel_id.get_value(),
                                        user_id: user_id.clone(),
                                        silenced: !silenced,
                                    });
                                }>
                                {short}
                            </button>
                        }
                    });
                    let speaking_text = speaking.clone();
                    view! {
                        <li class="voice-person" class:speaking=speaking data-connection=p.connection_id.clone()>
                            <Avatar initials=initials(&p.user.display_name) url=p.user.avatar_url.clone() class="avatar-large" />
                            <span class="voice-name">
                                {p.user.display_name.clone()}
                                {mine.then(|| view! { " " <span class="muted">{t!(i18n, voice.you)}</span> })}
                            </span>
                            <span class="voice-state">
                                {move || speaking_text().then(|| t_string!(i18n, voice.speaking).to_string())}
                                {(!states.is_empty()).then(|| states.join(" · "))}
                            </span>
                            {silence}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="voice-status" role="status">
                {move || {
                    if let Some(problem) = problem() {
                        return problem;
                    }
                    if joining() {
                        return t_string!(i18n, voice.connecting).to_string();
                    }
                    if here.get() {
                        return if microphone() == Some(false) {
                            t_string!(i18n, voice.no_microphone).to_string()
                        } else {
                            t_string!(i18n, voice.connected).to_string()
                        };
                    }
                    String::new()
                }}
            </p>
            {may_connect.then(|| view! {
                <div class="voice-controls">
                    {move || if here.get() || joining() {
                        view! {
                            <button type="button" class="button" aria-pressed=move || muted.get().to_string()
                                disabled=move || microphone() != Some(true) on:click=toggle_mute>
                                <Icon name=if muted.get() { IconName::MicrophoneOff } else { IconName::Microphone } />
                                {move || if muted.get() { t_string!(i18n, voice.unmute) } else { t_string!(i18n, voice.mute) }}
                            </button>
                            <button type="button" class="button" aria-pressed=move || deafened.get().to_string() on:click=toggle_deafen>
                                <Icon name=IconName::Headphones />
                                {move || if deafened.get() { t_string!(i18n, voice.undeafen) } else { t_string!(i18n, voice.deafen) }}
                            </button>
                            <button type="button" class="button button-danger" on:click=leave>
                                {t!(i18n, voice.leave)}
                            </button>
                        }.into_any()
                    } else {
                        view! {
                            <button type="button" class="button button-primary" on:click=join>
                                <Icon name=IconName::Speaker />
                                {t!(i18n, voice.join)}
                            </button>
                        }.into_any()
                    }}
                </div>
            })}
        </section>
    }
}
