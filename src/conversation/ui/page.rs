//! `/c/:community/:channel`: a channel of a community — its sidebar (channels with unread
//! counts), the chat, and the member list by presence, kept live by the socket.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map},
};

use super::channel::ChannelScreen;
use crate::chat::ui::{socket::use_chat_socket, standing::WarningsBanner};
use crate::moderation::ui::report::{ReportForm, Reported};
use crate::{
    auth::{ui::session::use_session, validate::initials},
    chat::{api::open_channel, ServerEvent},
    community::{
        api::{community_members, JoinCommunity, LeaveCommunity},
        permissions::{ChannelKind, Permissions, Rank},
        ui::{members_text, rank_label, CommunityIcon},
        ChannelInfo, CommunityEvent, CommunityView, MemberInfo,
    },
    kit::{
        i18n::{t, t_string, use_i18n},
        icons::{Icon, IconName},
    },
    voice::ui::{CallBar, CallPeople, VoiceRoom},
};

/// `/c/:community/:channel`: the chat.
#[component]
pub fn ChannelPage() -> impl IntoView {
    let i18n = use_i18n();
    crate::kit::people::provide_known_people();
    let session = use_session();
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (
            p.get("community").unwrap_or_default(),
            p.get("channel").unwrap_or_default(),
        )
    };
    let joined = ServerAction::<JoinCommunity>::new();
    let opened = Resource::new(
        move || (key(), joined.version().get()),
        |((slug, channel), _)| open_channel(slug, channel),
    );
    view! {
        <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
            {move || Suspend::new(async move {
                let me = session.resource().await.ok().flatten();
                let my_id = me.as_ref().map(|me| me.id.clone());
                opened.await.map(|opened| {
                    // A direct conversation has its own page.
                    if let Some(direct) = &opened.community.direct {
                        return view! { <leptos_router::components::Redirect path=direct.href() /> }.into_any();
                    }
                    let title = format!("#{} · {}", opened.channel.name, opened.community.community.name);
                    let community = opened.community.clone();
                    let current = opened.channel.id.clone();
                    let slug = community.community.slug.clone();
                    let member = community.my_rank.is_some();
                    let signed_in = me.is_some();
                    // Below the width where the member list has its own column it opens as a
                    // sheet from the sidebar's "Members" button.
                    let members_open = RwSignal::new(false);
                    crate::voice::ui::provide_calls(slug.clone(), community.community.id.clone());
                    let voice = opened.channel.kind == ChannelKind::Voice;
                    view! {
                        <Title text=title />
                        <div class="community-layout">
                            <ChannelSidebar community=community.clone() current=current members_open />
                            <div class="channel-column">
                                {(!member && signed_in).then(|| {
                                    let slug = slug.clone();
                                    view! {
                                        <div class="join-banner card">
                                            <span>{t!(i18n, community.join_prompt)}</span>
                                            <button type="button" class="button button-primary button-small"
                                                on:click=move |_| { joined.dispatch(JoinCommunity { slug: slug.clone() }); }>
                                                {t!(i18n, community.join)}
                                            </button>
                                        </div>
                                    }
                                })}
                                {member.then(|| view! { <WarningsBanner community=community.clone() /> })}
                                {if voice {
                                    view! { <VoiceRoom channel=opened.channel.clone() community=opened.community.clone() /> }.into_any()
                                } else {
                                    view! { <ChannelScreen opened=opened me=me /> }.into_any()
                                }}
                            </div>
                            <MemberList slug=slug open=members_open
                                reporter=my_id.filter(|_| member) />
                        </div>
                    }.into_any()
                })
            })}
        </Transition>
    }
}

/// The community's name, its channels with unread counts, and the way to manage or leave it.
#[component]
fn ChannelSidebar(
    community: CommunityView,
    current: String,
    members_open: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let socket = use_chat_socket();
    let channels: RwSignal<Vec<ChannelInfo>> = RwSignal::new(community.channels.clone());
    let member_count = RwSignal::new(community.community.member_count);
    let community_id = community.community.id.clone();
    socket.on_event(move |event| match event {
        ServerEvent::ChannelActivity {
            community_id: id,
            channels: busy,
        } if *id == community_id => {
            channels.update(|list| {
                for c in list.iter_mut() {
                    if let Some(newest) = busy.iter().find(|b| b.channel_id == c.id) {
                        c.last_seq = c.last_seq.max(newest.last_seq);
                    }
                }
            });
        }
        ServerEvent::Community(CommunityEvent::MemberJoined {
            community_id: id, ..
        }) if *id == community_id => member_count.update(|n| *n += 1),
        ServerEvent::Community(CommunityEvent::MemberLeft {
            community_id: id, ..
        }) if *id == community_id => member_count.update(|n| *n = n.saturating_sub(1)),
        _ => {}
    });
    let slug = community.community.slug.clone();
    let call_bar_current = current.clone();
    let manager = community.may(Permissions::MANAGE_CHANNELS)
        || community.may(Permissions::BAN)
        || community.may(Permissions::MANAGE_ROLES);
    let member = community.my_rank.is_some();
    let owner = community.my_rank == Some(Rank::Owner);
    let leave = ServerAction::<LeaveCommunity>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = leave.value().get() {
            navigate("/communities", Default::default());
        }
    });
    view! {
        <nav class="channel-sidebar" aria-label=move || t_string!(i18n, community.channels)>
            <div class="community-head">
                <CommunityIcon community=community.community.clone() />
                <div>
                    <h2>{community.community.name.clone()}</h2>
                    <p class="help">{move || members_text(member_count.get())}</p>
                </div>
                <button type="button" class="button button-small members-toggle" aria-controls="member-list"
                    aria-expanded=move || members_open.get().to_string()
                    on:click=move |_| members_open.update(|open| *open = !*open)>
                    {t!(i18n, community.members_title)}
                </button>
            </div>
            <ul class="channel-list">
                {move || {
                    let slug = slug.clone();
                    let current = current.clone();
                    channels.get().into_iter().filter(|c| !c.archived).map(move |c| {
                        let is_current = c.id == current;
                        let unread = if is_current { 0 } else { c.unread() };
                        let label = if unread > 0 {
                            t_string!(i18n, community.unread).replace("{n}", &unread.to_string())
                        } else {
                            String::new()
                        };
                        if c.kind == ChannelKind::Voice {
                            let label = t_string!(i18n, voice.channel_label).replace("{name}", &c.name);
                            return view! {
                                <li>
                                    <A href=format!("/c/{}/{}", slug, c.name) attr:class="channel-link voice-link" attr:aria-label=label>
                                        <span class="hash" aria-hidden="true"><Icon name=IconName::Speaker /></span>
                                        <span class="channel-name">{c.name.clone()}</span>
                                    </A>
                                    <CallPeople channel_id=c.id.clone() />
                                </li>
                            }.into_any();
                        }
                        view! {
                            <li>
                                <A href=format!("/c/{}/{}", slug, c.name) attr:class={if unread > 0 { "channel-link unread" } else { "channel-link" }}>
                                    <span class="hash" aria-hidden="true">"#"</span>
                                    <span class="channel-name">{c.name.clone()}</span>
                                    {(unread > 0).then(|| view! {
                                        <span class="unread-count" aria-label=label>{if unread > 99 { "99+".to_string() } else { unread.to_string() }}</span>
                                    })}
                                </A>
                            </li>
                        }.into_any()
                    }).collect_view()
                }}
                // The calendar, beside the channels: on a phone the sidebar's buttons are hidden,
                // but this row scrolls with the channels.
                <li>
                    <A href=format!("/events/{}", community.community.slug) attr:class="channel-link events-link">
                        <span class="hash" aria-hidden="true"><Icon name=IconName::Calendar /></span>
                        <span class="channel-name">{t!(i18n, events.calendar_link)}</span>
                    </A>
                </li>
            </ul>
            <CallBar current=call_bar_current />
            <div class="sidebar-actions">
                {manager.then(|| view! {
                    <A href=format!("/manage/{}", community.community.slug) attr:class="button button-small">{t!(i18n, community.manage)}</A>
                })}
                {(member && !owner).then(|| {
                    let slug = community.community.slug.clone();
                    view! {
                        <button type="button" class="link-button" on:click=move |_| { leave.dispatch(LeaveCommunity { slug: slug.clone() }); }>
                            {t!(i18n, community.leave)}
                        </button>
                    }
                })}
            </div>
        </nav>
    }
}

/// Members grouped by presence, kept live by the socket. A member (`reporter`, their id) may
/// report any other to the moderators from here.
/// `more`: what follows the list (a group conversation's own actions).
#[component]
pub fn MemberList(
    slug: String,
    open: RwSignal<bool>,
    reporter: Option<String>,
    #[prop(optional)] more: Option<AnyView>,
) -> impl IntoView {
    let i18n = use_i18n();
    let socket = use_chat_socket();
    let me = StoredValue::new(use_session().user().map(|u| u.id));
    let version = RwSignal::new(0u32);
    let fetched = Resource::new(move || version.get(), {
        let slug = slug.clone();
        move |_| community_members(slug.clone())
    });
    let members: RwSignal<Vec<MemberInfo>> = RwSignal::new(Vec::new());
    // Presence heard since the last (re)subscription, by user id. A list fetched before someone
    // left may arrive after the news that they did: what was heard since wins over it.
    let heard = StoredValue::new(std::collections::HashMap::<String, bool>::new());
    // The page's mentions and the composer's suggestions name people from this list.
    let known = crate::kit::people::use_known_people();
    Effect::new(move |_| {
        if let Some(Ok(list)) = fetched.get() {
            if let Some(known) = known {
                known.set(
                    list.iter()
                        .map(|m| crate::kit::people::Named {
                            username: m.username.clone(),
                            display_name: m.display_name.clone(),
                        })
                        .collect(),
                );
            }
            let mut list = list;
            heard.with_value(|heard| {
                for member in &mut list {
                    if let Some(online) = heard.get(&member.user_id) {
                        member.online = *online;
                    }
                }
            });
            members.set(list);
        }
    });
    socket.on_event(move |event| match event {
        ServerEvent::Presence {
            user_id, online, ..
        } => {
            heard.update_value(|heard| {
                heard.insert(user_id.clone(), *online);
            });
            let known = members.with_untracked(|l| l.iter().any(|m| &m.user_id == user_id));
            if known {
                members.update(|list| {
                    if let Some(m) = list.iter_mut().find(|m| &m.user_id == user_id) {
                        m.online = *online;
                    }
                });
            }
        }
        // A new subscription: presence may have changed while the page loaded (and the reader
        // has just come online themselves).
        // What was heard before it may be stale (the socket may have been down), and the list
        // fetched now knows better.
        ServerEvent::Subscribed { .. } | ServerEvent::Community(_) => {
            heard.update_value(|heard| heard.clear());
            version.update(|v| *v += 1)
        }
        _ => {}
    });
    // Whose report form is open, by username.
    let reporting = RwSignal::new(None::<String>);
    let report_open = RwSignal::new(false);
    Effect::new(move |_| {
        if !report_open.get() {
            reporting.set(None);
        }
    });
    let reporter = StoredValue::new(reporter);
    let slug = StoredValue::new(slug);
    let group = move |online: bool| {
        let list: Vec<MemberInfo> =
            members.with(|l| l.iter().filter(|m| m.online == online).cloned().collect());
        let heading = if online {
            t_string!(i18n, community.online).replace("{n}", &list.len().to_string())
        } else {
            t_string!(i18n, community.offline).replace("{n}", &list.len().to_string())
        };
        (!list.is_empty()).then(|| view! {
            <h3 class="member-group">{heading}</h3>
            <ul class="people members">
                {list.into_iter().map(|m| {
                    let status = if m.online { t_string!(i18n, community.status_online) } else { t_string!(i18n, community.status_offline) };
                    let reported = m.username.clone();
                    let report_button = reporter.with_value(|me| me.as_ref().is_some_and(|me| *me != m.user_id)).then(|| {
                        let username = m.username.clone();
                        let label = t_string!(i18n, chat.report_person_label).replace("{name}", &m.display_name);
                        let mine = username.clone();
                        view! {
                            <button type="button" class="icon-button member-report" title=label.clone() aria-label=label
                                aria-expanded=move || (reporting.get().as_deref() == Some(mine.as_str())).to_string()
                                on:click=move |_| {
                                    reporting.set(Some(username.clone()));
                                    report_open.set(true);
                                }>
                                <Icon name=IconName::Flag />
                            </button>
                        }
                    });
                    // Anyone signed in may write to a member directly (not to themselves, or a bot).
                    let message_button = me
                        .with_value(|me| me.as_ref().is_some_and(|me| *me != m.user_id))
                        .then_some(())
                        .filter(|_| !crate::auth::is_bot(&m.username))
                        .map(|_| view! {
                            <super::direct::MessageButton username=m.username.clone() display_name=m.display_name.clone() compact=true />
                        });
                    // The whole name on hover where the column cuts it short.
                    let full_name = m.display_name.clone();
                    view! {
                        <li class:offline=!m.online>
                            <crate::kit::avatar::Avatar initials=initials(&m.display_name) url=m.avatar_url.clone() class="presence">
                                <span class="presence-dot" class:online=m.online></span>
                            </crate::kit::avatar::Avatar>
                            <div class="member-who">
                                <A href=format!("/u/{}", m.username) attr:title=full_name>{m.display_name.clone()}</A>
                                <span class="visually-hidden">{status}</span>
                                {(m.rank != Rank::Member).then(|| view! { <span class="badge rank">{rank_label(m.rank)}</span> })}
                                {crate::auth::is_bot(&m.username).then(|| view! { <span class="badge bot-badge">{t!(i18n, chat.bot)}</span> })}
                            </div>
                            {message_button}
                            {report_button}
                        </li>
                        {move || (reporting.get().as_deref() == Some(reported.as_str())).then(|| view! {
                            <li class="member-report-form">
                                <ReportForm about=Reported::Person { slug: slug.get_value(), username: reported.clone() } open=report_open />
                            </li>
                        })}
                    }
                }).collect_view()}
            </ul>
        })
    };
    view! {
        <aside id="member-list" class="member-list" class:open=move || open.get()
            aria-label=move || t_string!(i18n, community.members_title)
            on:keydown=move |ev| if ev.key() == "Escape" { open.set(false) }>
            <div class="member-sheet-head">
                <h2>{t!(i18n, community.members_title)}</h2>
                <button type="button" class="icon-button" aria-label=move || t_string!(i18n, community.close_members)
                    on:click=move |_| open.set(false)>
                    <Icon name=IconName::Close />
                </button>
            </div>
            {move || group(true)}
            {move || group(false)}
            {more.map(|more| view! { <div class="member-list-more">{more}</div> })}
        </aside>
    }
}
