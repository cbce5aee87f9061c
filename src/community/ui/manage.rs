//! `/manage/:community`: channels, invitations, members (ranks, kick, ban), bans and custom
//! roles — each section shown only to those the policy allows — with the sections other
//! domains add (chat's moderation queue and threshold).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

use super::{rank_label, CommunityIcon, DetailsFields};
use crate::{
    auth::ui::pages::error_text,
    community::{
        api::{
            community_bans, community_invites, community_members, community_roles, load_community,
            AssignRole, BanMember, CreateChannel, CreateInvite, CreateRole, DeleteRole, KickMember,
            RemoveIcon, ReorderChannels, RevokeInvite, SetMemberRank, TimeoutMember,
            TransferOwnership, UnbanMember, UpdateChannel, UpdateCommunity, WarnMember,
        },
        permissions::{ChannelKind, Permissions, Rank, Visibility},
        ChannelInfo, CommunityChanges, CommunitySummary, CommunityView, Measure,
    },
    kit::{
        i18n::{t, t_string, use_i18n},
        time::Time,
    },
    platform::error::AppError,
};

/// The sentence of an action's failure, if it failed.
pub fn failure<S>(
    action: ServerAction<S>,
) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| error_text(&e))
    }
}

/// The sections other domains add for a community (chat's moderation), shown after the
/// members, and (`last`) at the very end (chat's deletion of the community); the shell
/// composes them, as community knows no chat.
pub type MoreSections = Callback<CommunityView, AnyView>;

#[component]
pub fn ManagePage(
    #[prop(optional)] more: Option<MoreSections>,
    #[prop(optional)] last: Option<MoreSections>,
) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let slug = move || params.read().get("community").unwrap_or_default();
    let version = RwSignal::new(0u32);
    let community = Resource::new(
        move || (slug(), version.get()),
        |(slug, _)| load_community(slug),
    );
    view! {
        <Title text=move || t_string!(i18n, community.manage) />
        <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
            {move || Suspend::new(async move {
                community.await.map(|view| {
                    let c = view.community.clone();
                    view! {
                        <div class="section-head">
                            <CommunityIcon community=c.clone() />
                            <div>
                                <h1 class="page-title">{c.name.clone()}</h1>
                                <A href=format!("/c/{}", c.slug)>{t!(i18n, community.back_to_chat)}</A>
                                {view.may(Permissions::MANAGE_COMMUNITY).then(|| view! {
                                    " · "<A href=format!("/analytics/{}", c.slug)>{t!(i18n, community.analytics)}</A>
                                })}
                            </div>
                        </div>
                        <div class="manage-layout">
                            <SectionNav view=view.clone() more=more.is_some() last=last.is_some() />
                            <div class="manage-sections">
                                {view.may(Permissions::MANAGE_COMMUNITY).then(|| view! { <SettingsSection view=view.clone() version /> })}
                                {view.may(Permissions::MANAGE_CHANNELS).then(|| view! { <ChannelsSection view=view.clone() version /> })}
                                {(view.may(Permissions::BAN) || view.may(Permissions::MANAGE_COMMUNITY)).then(|| view! { <InvitesSection slug=c.slug.clone() /> })}
                                <MembersSection view=view.clone() />
                                {more.map(|more| more.run(view.clone()))}
                                {view.may(Permissions::BAN).then(|| view! { <BansSection slug=c.slug.clone() /> })}
                                {view.may(Permissions::MANAGE_ROLES).then(|| view! { <RolesSection view=view.clone() /> })}
                                {last.map(|last| last.run(view.clone()))}
                            </div>
                        </div>
                    }
                })
            })}
        </Transition>
    }
}

/// Links to the page's sections, in their order: a column beside them on a wide screen, a row
/// of chips on a phone. Only the sections the person may use are listed.
#[component]
fn SectionNav(view: CommunityView, more: bool, last: bool) -> impl IntoView {
    let i18n = use_i18n();
    // The moderation sections come from chat (`more`, `chat::ui::moderation::sections`): the
    // flag queue for moderators, the threshold for those who manage the community.
    let sections = [
        (
            view.may(Permissions::MANAGE_COMMUNITY),
            "settings-title",
            t_string!(i18n, community.settings_title),
        ),
        (
            view.may(Permissions::MANAGE_CHANNELS),
            "channels-title",
            t_string!(i18n, community.channels),
        ),
        (
            view.may(Permissions::BAN) || view.may(Permissions::MANAGE_COMMUNITY),
            "invites-title",
            t_string!(i18n, community.invites),
        ),
        (
            true,
            "members-title",
            t_string!(i18n, community.members_title),
        ),
        (
            more && view.may(Permissions::MODERATE_MESSAGES),
            "flagged-title",
            t_string!(i18n, community.flagged),
        ),
        (
            more && view.may(Permissions::MODERATE_MESSAGES),
            "closed-title",
            t_string!(i18n, community.closed_title),
        ),
        (
            more && view.may(Permissions::MANAGE_COMMUNITY),
            "moderation-title",
            t_string!(i18n, community.moderation_settings),
        ),
        (
            more && (view.may(Permissions::MODERATE_MESSAGES)
                || view.may(Permissions::BAN)
                || view.may(Permissions::MANAGE_COMMUNITY)),
            "audit-title",
            t_string!(i18n, community.audit_title),
        ),
        (
            more && view.may(Permissions::MANAGE_COMMUNITY),
            "integrations-title",
            t_string!(i18n, integrations.title),
        ),
        (
            view.may(Permissions::BAN),
            "bans-title",
            t_string!(i18n, community.bans),
        ),
        (
            view.may(Permissions::MANAGE_ROLES),
            "roles-title",
            t_string!(i18n, community.roles),
        ),
        (
            last && view.my_rank == Some(Rank::Owner),
            "delete-title",
            t_string!(i18n, community.delete_title),
        ),
    ];
    view! {
        <nav class="manage-nav" aria-label=move || t_string!(i18n, community.sections)>
            <ul>
                {sections
                    .into_iter()
                    .filter(|(shown, _, _)| *shown)
                    .map(|(_, id, label)| view! { <li><a href=format!("#{id}")>{label}</a></li> })
                    .collect_view()}
            </ul>
        </nav>
    }
}

/// The community's icon: a square from the middle of an image, or its letter.
#[component]
fn IconChooser(community: CommunitySummary, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let shown = RwSignal::new(community.clone());
    let failed = RwSignal::new(None::<String>);
    let remove = ServerAction::<RemoveIcon>::new();
    Effect::new(move |_| match remove.value().get() {
        Some(Ok(summary)) => {
            shown.set(summary);
            version.update(|v| *v += 1);
        }
        Some(Err(error)) => failed.set(Some(error_text(&error))),
        None => {}
    });
    let slug = StoredValue::new(community.slug.clone());
    let chosen = move |_ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        if let Some(file) = crate::kit::upload::chosen_file(&_ev) {
            failed.set(None);
            leptos::task::spawn_local(async move {
                let url = format!(
                    "{}?slug={}",
                    crate::community::api::ICON_PATH,
                    js_sys::encode_uri_component(&slug.get_value())
                );
                match crate::kit::upload::send_file::<CommunitySummary>(&url, &file).await {
                    Ok(summary) => {
                        shown.set(summary);
                        version.update(|v| *v += 1);
                    }
                    Err(error) => failed.set(Some(error_text(&error))),
                }
            });
        }
    };
    view! {
        <div class="picture-field">
            {move || view! { <CommunityIcon community=shown.get() /> }}
            <input id="icon-file" type="file" accept="image/png,image/jpeg,image/gif,image/webp"
                class="visually-hidden picture-input" on:change=chosen aria-describedby="icon-help" />
            <label for="icon-file" class="button button-small">{t!(i18n, community.icon_change)}</label>
            {move || shown.with(|c| c.icon_url.is_some()).then(|| view! {
                <button type="button" class="link-button" disabled=move || remove.pending().get()
                    on:click=move |_| { remove.dispatch(RemoveIcon { slug: slug.get_value() }); }>
                    {t!(i18n, community.icon_remove)}
                </button>
            })}
            <p class="help" id="icon-help">{t!(i18n, profile.picture_help)}</p>
            <p class="form-error" role="alert">{move || failed.get()}</p>
        </div>
    }
}

/// The community's own details (those who manage it), and handing it over (its owner).
#[component]
fn SettingsSection(view: CommunityView, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<UpdateCommunity>::new();
    let transfer = ServerAction::<TransferOwnership>::new();
    Effect::new(move |_| {
        if save.version().get() + transfer.version().get() > 0 {
            version.update(|v| *v += 1);
        }
    });
    let c = view.community.clone();
    let name = RwSignal::new(c.name.clone());
    let description = RwSignal::new(c.description.clone());
    let color = RwSignal::new(c.icon_color.clone());
    let private = RwSignal::new(c.visibility == Visibility::Private);
    let default_channel = RwSignal::new(view.default_channel.clone().unwrap_or_default());
    let heir = RwSignal::new(String::new());
    let sure = RwSignal::new(false);
    let slug = StoredValue::new(c.slug.clone());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let chosen = default_channel.get_untracked();
        save.dispatch(UpdateCommunity {
            slug: slug.get_value(),
            changes: CommunityChanges {
                name: name.get_untracked(),
                description: description.get_untracked(),
                icon_color: color.get_untracked(),
                visibility: if private.get_untracked() {
                    Visibility::Private
                } else {
                    Visibility::Public
                },
                default_channel: (!chosen.is_empty()).then_some(chosen),
            },
        });
    };
    let hand_over = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        transfer.dispatch(TransferOwnership {
            slug: slug.get_value(),
            username: heir
                .get_untracked()
                .trim()
                .trim_start_matches('@')
                .to_string(),
        });
    };
    let saved = move || {
        matches!(save.value().get(), Some(Ok(_)))
            .then(|| view! { <p class="help" role="status">{t!(i18n, community.saved)}</p> })
    };
    let open_channels: Vec<ChannelInfo> = view
        .channels
        .iter()
        .filter(|c| !c.archived)
        .cloned()
        .collect();
    let owner = view.my_rank == Some(Rank::Owner);
    view! {
        <section class="card settings-section" aria-labelledby="settings-title">
            <h2 id="settings-title">{t!(i18n, community.settings_title)}</h2>
            <p class="help">{t!(i18n, community.settings_help)}</p>
            <IconChooser community=c.clone() version />
            <form class="stack" on:submit=submit novalidate>
                <DetailsFields prefix="settings" name description color />
                <label class="checkbox">
                    <input type="checkbox" prop:checked=move || private.get() on:change=move |ev| private.set(event_target_checked(&ev)) />
                    {t!(i18n, community.private_label)}
                </label>
                <div class="field">
                    <label for="settings-default-channel">{t!(i18n, community.default_channel_label)}</label>
                    <select id="settings-default-channel" on:change=move |ev| default_channel.set(event_target_value(&ev))>
                        <option value="" selected=move || default_channel.get().is_empty()>{t!(i18n, community.default_channel_first)}</option>
                        {open_channels.into_iter().map(|channel| {
                            let id = channel.id.clone();
                            view! {
                                <option value=channel.id.clone() selected=move || default_channel.get() == id>"#" {channel.name.clone()}</option>
                            }
                        }).collect_view()}
                    </select>
                </div>
                <p class="form-error" role="alert">{failure(save)}</p>
                {saved}
                <div class="form-actions">
                    <button type="submit" class="button button-primary" disabled=move || save.pending().get()>{t!(i18n, chat.save)}</button>
                </div>
            </form>
            {owner.then(|| view! {
                <form class="stack transfer-form" on:submit=hand_over>
                    <h3>{t!(i18n, community.transfer_title)}</h3>
                    <p class="help" id="transfer-help">{t!(i18n, community.transfer_help)}</p>
                    <div class="field">
                        <label for="transfer-heir">{t!(i18n, community.transfer_label)}</label>
                        <input id="transfer-heir" type="text" autocomplete="off" aria-describedby="transfer-help"
                            prop:value=move || heir.get() on:input=move |ev| heir.set(event_target_value(&ev)) />
                    </div>
                    <label class="checkbox">
                        <input type="checkbox" prop:checked=move || sure.get() on:change=move |ev| sure.set(event_target_checked(&ev)) />
                        {t!(i18n, community.transfer_confirm)}
                    </label>
                    <p class="form-error" role="alert">{failure(transfer)}</p>
                    <div class="form-actions">
                        <button type="submit" class="button danger"
                            disabled=move || !sure.get() || heir.get().trim().is_empty() || transfer.pending().get()>
                            {t!(i18n, community.transfer_title)}
                        </button>
                    </div>
                </form>
            })}
        </section>
    }
}

#[component]
fn ChannelsSection(view: CommunityView, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let slug = view.community.slug.clone();
    let create = ServerAction::<CreateChannel>::new();
    let update = ServerAction::<UpdateChannel>::new();
    let reorder = ServerAction::<ReorderChannels>::new();
    Effect::new(move |_| {
        let done = create.version().get() + update.version().get() + reorder.version().get();
        if done > 0 {
            version.update(|v| *v += 1);
        }
    });
    let name = RwSignal::new(String::new());
    let topic = RwSignal::new(String::new());
    let kind = RwSignal::new(ChannelKind::Text);
    let channels = view.channels.clone();
    let order: Vec<String> = channels.iter().map(|c| c.id.clone()).collect();
    let create_error = failure(create);
    let update_error = failure(update);
    let submit = {
        let slug = slug.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            create.dispatch(CreateChannel {
                slug: slug.clone(),
                name: name.get_untracked(),
                topic: topic.get_untracked(),
                kind: kind.get_untracked(),
            });
            name.set(String::new());
            topic.set(String::new());
        }
    };
    view! {
        <section class="card settings-section" aria-labelledby="channels-title">
            <h2 id="channels-title">{t!(i18n, community.channels)}</h2>
            <ul class="manage-list">
                {channels.into_iter().enumerate().map(|(at, c)| {
                    let slug = slug.clone();
                    let order = order.clone();
                    view! { <ChannelRow channel=c slug at order update reorder /> }
                }).collect_view()}
            </ul>
            <p class="form-error" role="alert">{update_error}</p>
            <form class="stack" on:submit=submit>
                <h3>{t!(i18n, community.new_channel)}</h3>
                <div class="field-row">
                    <div class="field">
                        <label for="channel-name">{t!(i18n, community.channel_name)}</label>
                        <input id="channel-name" type="text" maxlength="32" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                    </div>
                    <div class="field">
                        <label for="channel-topic">{t!(i18n, community.channel_topic)}</label>
                        <input id="channel-topic" type="text" maxlength="200" prop:value=move || topic.get() on:input=move |ev| topic.set(event_target_value(&ev)) />
                    </div>
                </div>
                <div class="field">
                    <label for="channel-kind">{t!(i18n, community.kind_label)}</label>
                    <select id="channel-kind" on:change=move |ev| kind.set(ChannelKind::parse(&event_target_value(&ev)))
                        prop:value=move || kind.get().as_str()>
                        <option value="text">{t!(i18n, community.kind_text)}</option>
                        <option value="announcement">{t!(i18n, community.announcement_label)}</option>
                        <option value="voice">{t!(i18n, community.kind_voice)}</option>
                    </select>
                </div>
                <p class="form-error" role="alert">{create_error}</p>
                <div class="form-actions">
                    <button type="submit" class="button button-primary">{t!(i18n, community.create_channel)}</button>
                </div>
            </form>
        </section>
    }
}

#[component]
fn ChannelRow(
    channel: ChannelInfo,
    slug: String,
    at: usize,
    order: Vec<String>,
    update: ServerAction<UpdateChannel>,
    reorder: ServerAction<ReorderChannels>,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(channel.name.clone());
    let topic = RwSignal::new(channel.topic.clone());
    let id = channel.id.clone();
    let archived = channel.archived;
    let save = {
        let slug = slug.clone();
        let id = id.clone();
        move |archive: bool| {
            update.dispatch(UpdateChannel {
                slug: slug.clone(),
                channel_id: id.clone(),
                name: name.get_untracked(),
                topic: topic.get_untracked(),
                archived: archive,
            });
        }
    };
    let moved = move |to: usize| {
        let mut order = order.clone();
        let item = order.remove(at);
        order.insert(to.min(order.len()), item);
        reorder.dispatch(ReorderChannels {
            slug: slug.clone(),
            order,
        });
    };
    let save_now = save.clone();
    let up = moved.clone();
    let label = format!("#{}", channel.name);
    let (name_label, topic_label) = (label.clone(), label.clone());
    view! {
        <li class="manage-row" class:archived=archived>
            <input type="text" aria-label=move || format!("{} — {name_label}", t_string!(i18n, community.channel_name)) maxlength="32"
                placeholder=move || t_string!(i18n, community.channel_name)
                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            <input type="text" aria-label=move || format!("{} — {topic_label}", t_string!(i18n, community.channel_topic)) maxlength="200"
                placeholder=move || t_string!(i18n, community.channel_topic)
                prop:value=move || topic.get() on:input=move |ev| topic.set(event_target_value(&ev)) />
            {(channel.kind == ChannelKind::Announcement).then(|| view! { <span class="badge">{t!(i18n, community.announcement)}</span> })}
            {(channel.kind == ChannelKind::Voice).then(|| view! { <span class="badge">{t!(i18n, community.voice_badge)}</span> })}
            <button type="button" class="button button-small" on:click=move |_| save_now(archived)>{t!(i18n, chat.save)}</button>
            <button type="button" class="button button-small" on:click=move |_| save(!archived)>
                {if archived { t!(i18n, community.unarchive).into_any() } else { t!(i18n, community.archive).into_any() }}
            </button>
            <button type="button" class="icon-button" aria-label=format!("{label} ↑") disabled=at == 0 on:click=move |_| up(at.saturating_sub(1))>"↑"</button>
            <button type="button" class="icon-button" aria-label=format!("{label} ↓") on:click=move |_| moved(at + 1)>"↓"</button>
        </li>
    }
}

#[component]
fn InvitesSection(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let slug_key = StoredValue::new(slug.clone());
    let create = ServerAction::<CreateInvite>::new();
    let revoke = ServerAction::<RevokeInvite>::new();
    let invites = Resource::new(move || (create.version().get(), revoke.version().get()), {
        let slug = slug.clone();
        move |_| community_invites(slug.clone())
    });
    let hours = RwSignal::new("24".to_string());
    let origin = RwSignal::new(String::new());
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Ok(o) = window().location().origin() {
            origin.set(o);
        }
    });
    let create_error = failure(create);
    let submit = {
        let slug = slug.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            create.dispatch(CreateInvite {
                slug: slug.clone(),
                hours: hours.get_untracked().parse().ok(),
            });
        }
    };
    view! {
        <section class="card settings-section" aria-labelledby="invites-title">
            <h2 id="invites-title">{t!(i18n, community.invites)}</h2>
            <form class="field-row" on:submit=submit>
                <div class="field">
                    <label for="invite-hours">{t!(i18n, community.invite_expires)}</label>
                    <select id="invite-hours" prop:value=move || hours.get() on:change=move |ev| hours.set(event_target_value(&ev))>
                        <option value="1">{t!(i18n, community.expires_hour)}</option>
                        <option value="24">{t!(i18n, community.expires_day)}</option>
                        <option value="168">{t!(i18n, community.expires_week)}</option>
                        <option value="never">{t!(i18n, community.expires_never)}</option>
                    </select>
                </div>
                <button type="submit" class="button button-primary">{t!(i18n, community.create_invite)}</button>
            </form>
            <p class="form-error" role="alert">{create_error}</p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let slug = slug_key.get_value();
                    invites.await.map(|list| {
                        if list.is_empty() {
                            return view! { <p class="muted">{t!(i18n, community.invites_none)}</p> }.into_any();
                        }
                        view! {
                            <ul class="manage-list">
                                {list.into_iter().map(|invite| {
                                    let code = invite.code.clone();
                                    let link_code = invite.code.clone();
                                    let link = move || format!("{}/invite/{}", origin.get(), link_code);
                                    let slug = slug.clone();
                                    let expiry = invite.expires_at.clone().map(|e| e.chars().take(16).collect::<String>().replace('T', " "))
                                        .unwrap_or_else(|| t_string!(i18n, community.expires_never).to_string());
                                    view! {
                                        <li class="manage-row">
                                            <input type="text" readonly class="invite-link" aria-label=move || t_string!(i18n, community.invite_link) prop:value=link />
                                            <span class="help">{t_string!(i18n, community.invite_meta).replace("{uses}", &invite.uses.to_string()).replace("{expires}", &expiry)}</span>
                                            <button type="button" class="button button-small" on:click=move |_| {
                                                revoke.dispatch(RevokeInvite { slug: slug.clone(), code: code.clone() });
                                            }>{t!(i18n, community.revoke)}</button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    })
                })}
            </Transition>
        </section>
    }
}

#[component]
fn MembersSection(view: CommunityView) -> impl IntoView {
    let i18n = use_i18n();
    let slug = view.community.slug.clone();
    let slug_key = StoredValue::new(slug.clone());
    let kick = ServerAction::<KickMember>::new();
    let ban = ServerAction::<BanMember>::new();
    let rank = ServerAction::<SetMemberRank>::new();
    let warn = ServerAction::<WarnMember>::new();
    let timeout = ServerAction::<TimeoutMember>::new();
    let members = Resource::new(
        move || {
            (
                kick.version().get(),
                ban.version().get(),
                rank.version().get(),
                timeout.version().get(),
            )
        },
        {
            let slug = slug.clone();
            move |_| community_members(slug.clone())
        },
    );
    let reason = RwSignal::new(String::new());
    let my_rank = view.my_rank.unwrap_or(Rank::Member);
    let may_ban = view.may(Permissions::BAN);
    let may_rank = view.may(Permissions::MANAGE_ROLES);
    let may_warn = view.may(Permissions::MODERATE_MESSAGES);
    let errors = move || {
        failure(kick)()
            .or_else(failure(ban))
            .or_else(failure(rank))
            .or_else(failure(warn))
            .or_else(failure(timeout))
    };
    let warned = move || {
        matches!(warn.value().get(), Some(Ok(())))
            .then(|| view! { <p class="help" role="status">{t!(i18n, community.warned)}</p> })
    };
    view! {
        <section class="card settings-section" aria-labelledby="members-title">
            <h2 id="members-title">{t!(i18n, community.members_title)}</h2>
            <p class="form-error" role="alert">{errors}</p>
            {warned}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let slug = slug_key.get_value();
                    members.await.map(|list| view! {
                        <ul class="manage-list">
                            {list.into_iter().map(|m| {
                                let below = m.rank < my_rank;
                                let (s1, s2, s3) = (slug.clone(), slug.clone(), slug.clone());
                                let (u1, u2, u3) = (m.username.clone(), m.username.clone(), m.username.clone());
                                view! {
                                    <li class="manage-row">
                                        <strong>{m.display_name.clone()}</strong>
                                        <span class="muted">"@" {m.username.clone()}</span>
                                        <span class="badge">{rank_label(m.rank)}</span>
                                        {(may_rank && below).then(|| view! {
                                            <select aria-label=format!("{} — {}", t_string!(i18n, community.rank_label), m.username)
                                                on:change=move |ev| {
                                                    let rank_value = match event_target_value(&ev).as_str() {
                                                        "admin" => Rank::Admin,
                                                        "moderator" => Rank::Moderator,
                                                        _ => Rank::Member,
                                                    };
                                                    rank.dispatch(SetMemberRank { slug: s1.clone(), username: u1.clone(), rank: rank_value });
                                                }>
                                                <option value="member" selected=m.rank == Rank::Member>{rank_label(Rank::Member)}</option>
                                                <option value="moderator" selected=m.rank == Rank::Moderator>{rank_label(Rank::Moderator)}</option>
                                                {(my_rank == Rank::Owner).then(|| view! { <option value="admin" selected=m.rank == Rank::Admin>{rank_label(Rank::Admin)}</option> })}
                                            </select>
                                        })}
                                        {m.timed_out_until.clone().map(|until| view! {
                                            <span class="badge timed-out-badge">{t!(i18n, community.timed_out)} " " <Time iso=until /></span>
                                        })}
                                        {(may_warn && below).then(|| {
                                            let (slug, username) = (slug.clone(), m.username.clone());
                                            view! {
                                                <button type="button" class="button button-small" on:click=move |_| {
                                                    warn.dispatch(WarnMember { slug: slug.clone(), username: username.clone(), reason: reason.get_untracked() });
                                                }>{t!(i18n, community.warn)}</button>
                                            }
                                        })}
                                        {(may_ban && below).then(|| {
                                            let (s4, u4) = (slug.clone(), m.username.clone());
                                            let (s5, u5) = (slug.clone(), m.username.clone());
                                            let label = format!("{} — {}", t_string!(i18n, community.timeout), m.username);
                                            view! {
                                                {if m.timed_out_until.is_some() {
                                                    view! {
                                                        <button type="button" class="button button-small" on:click=move |_| {
                                                            timeout.dispatch(TimeoutMember { slug: s4.clone(), username: u4.clone(), minutes: 0, reason: String::new() });
                                                        }>{t!(i18n, community.lift_timeout)}</button>
                                                    }.into_any()
                                                } else {
                                                    view! {
                                                        <TimeoutPicker label pick=Callback::new(move |minutes| {
                                                            timeout.dispatch(TimeoutMember { slug: s5.clone(), username: u5.clone(), minutes, reason: reason.get_untracked() });
                                                        }) />
                                                    }.into_any()
                                                }}
                                                <button type="button" class="button button-small" on:click=move |_| {
                                                    kick.dispatch(KickMember { slug: s2.clone(), username: u2.clone() });
                                                }>{t!(i18n, community.kick)}</button>
                                                <button type="button" class="button button-small danger" on:click=move |_| {
                                                    ban.dispatch(BanMember { slug: s3.clone(), username: u3.clone(), reason: reason.get_untracked() });
                                                }>{t!(i18n, community.ban)}</button>
                                            }
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })
                })}
            </Transition>
            {(may_ban || may_warn).then(|| view! {
                <div class="field">
                    <label for="ban-reason">{t!(i18n, community.reason_label)}</label>
                    <input id="ban-reason" type="text" maxlength="280" aria-describedby="ban-reason-help"
                        prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                    <p class="help" id="ban-reason-help">{t!(i18n, community.reason_help)}</p>
                </div>
            })}
        </section>
    }
}

/// Messages the moderation engine flagged: dismiss the flag, delete the message, or ban its
/// author.
#[component]
fn BansSection(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let slug_key = StoredValue::new(slug.clone());
    let unban = ServerAction::<UnbanMember>::new();
    let bans = Resource::new(move || unban.version().get(), {
        let slug = slug.clone();
        move |_| community_bans(slug.clone())
    });
    view! {
        <section class="card settings-section" aria-labelledby="bans-title">
            <h2 id="bans-title">{t!(i18n, community.bans)}</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let slug = slug_key.get_value();
                    bans.await.map(|list| {
                        if list.is_empty() {
                            return view! { <p class="muted">{t!(i18n, community.bans_none)}</p> }.into_any();
                        }
                        view! {
                            <ul class="manage-list">
                                {list.into_iter().map(|b| {
                                    let slug = slug.clone();
                                    let username = b.username.clone();
                                    let reason = if b.reason.is_empty() { t_string!(i18n, community.no_reason).to_string() } else { b.reason.clone() };
                                    view! {
                                        <li class="manage-row">
                                            <strong>{b.display_name.clone()}</strong>
                                            <span class="muted">"@" {b.username.clone()}</span>
                                            <span>{t_string!(i18n, community.ban_meta).replace("{by}", &b.banned_by).replace("{reason}", &reason)}</span>
                                            <button type="button" class="button button-small" on:click=move |_| {
                                                unban.dispatch(UnbanMember { slug: slug.clone(), username: username.clone() });
                                            }>{t!(i18n, community.unban)}</button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    })
                })}
            </Transition>
        </section>
    }
}

/// The flags a custom role may carry, with their labels.
fn flag_choices() -> Vec<(Permissions, String)> {
    let i18n = use_i18n();
    vec![
        (
            Permissions::PIN,
            t_string!(i18n, community.flag_pin).to_string(),
        ),
        (
            Permissions::MODERATE_MESSAGES,
            t_string!(i18n, community.flag_moderate).to_string(),
        ),
        (
            Permissions::BAN,
            t_string!(i18n, community.flag_ban).to_string(),
        ),
        (
            Permissions::MANAGE_CHANNELS,
            t_string!(i18n, community.flag_channels).to_string(),
        ),
        (
            Permissions::MANAGE_ROLES,
            t_string!(i18n, community.flag_roles).to_string(),
        ),
        (
            Permissions::MANAGE_COMMUNITY,
            t_string!(i18n, community.flag_community).to_string(),
        ),
        (
            Permissions::CONNECT,
            t_string!(i18n, community.flag_connect).to_string(),
        ),
        (
            Permissions::SPEAK,
            t_string!(i18n, community.flag_speak).to_string(),
        ),
        (
            Permissions::MUTE_MEMBERS,
            t_string!(i18n, community.flag_mute_members).to_string(),
        ),
    ]
}

#[component]
fn RolesSection(view: CommunityView) -> impl IntoView {
    let i18n = use_i18n();
    let slug = view.community.slug.clone();
    let slug_key = StoredValue::new(slug.clone());
    let create = ServerAction::<CreateRole>::new();
    let delete = ServerAction::<DeleteRole>::new();
    let assign = ServerAction::<AssignRole>::new();
    let roles = Resource::new(
        move || {
            (
                create.version().get(),
                delete.version().get(),
                assign.version().get(),
            )
        },
        {
            let slug = slug.clone();
            move |_| community_roles(slug.clone())
        },
    );
    let name = RwSignal::new(String::new());
    let flags = RwSignal::new(Permissions::POST);
    let assignee = RwSignal::new(String::new());
    let errors = move || {
        failure(create)()
            .or_else(failure(delete))
            .or_else(failure(assign))
    };
    let assigned = move || matches!(assign.value().get(), Some(Ok(())));
    let submit = {
        let slug = slug.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            create.dispatch(CreateRole {
                slug: slug.clone(),
                name: name.get_untracked(),
                permissions: flags.get_untracked(),
            });
            name.set(String::new());
        }
    };
    view! {
        <section class="card settings-section" aria-labelledby="roles-title">
            <h2 id="roles-title">{t!(i18n, community.roles)}</h2>
            <p class="help">{t!(i18n, community.roles_note)}</p>
            <div class="field">
                <label for="role-assignee">{t!(i18n, community.assignee_label)}</label>
                <input id="role-assignee" type="text" placeholder="username" prop:value=move || assignee.get() on:input=move |ev| assignee.set(event_target_value(&ev)) />
            </div>
            <Show when=assigned><p class="success" role="status">{t!(i18n, profile.saved)}</p></Show>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let slug = slug_key.get_value();
                    roles.await.map(|list| view! {
                        <ul class="manage-list">
                            {list.into_iter().map(|r| {
                                let (s1, s2, s3) = (slug.clone(), slug.clone(), slug.clone());
                                let (id1, id2, id3) = (r.id.clone(), r.id.clone(), r.id.clone());
                                let flags_text = flag_choices().into_iter().filter(|(f, _)| r.permissions.contains(*f)).map(|(_, l)| l).collect::<Vec<_>>().join(", ");
                                view! {
                                    <li class="manage-row">
                                        <strong>{r.name.clone()}</strong>
                                        <span class="help">{flags_text} " · " {super::members_text(r.members)}</span>
                                        <button type="button" class="button button-small" on:click=move |_| {
                                            assign.dispatch(AssignRole { slug: s1.clone(), role_id: id1.clone(), username: assignee.get_untracked(), given: true });
                                        }>{t!(i18n, community.give_role)}</button>
                                        <button type="button" class="button button-small" on:click=move |_| {
                                            assign.dispatch(AssignRole { slug: s2.clone(), role_id: id2.clone(), username: assignee.get_untracked(), given: false });
                                        }>{t!(i18n, community.take_role)}</button>
                                        <button type="button" class="button button-small danger" on:click=move |_| {
                                            delete.dispatch(DeleteRole { slug: s3.clone(), role_id: id3.clone() });
                                        }>{t!(i18n, chat.delete)}</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })
                })}
            </Transition>
            <p class="form-error" role="alert">{errors}</p>
            <form class="stack" on:submit=submit>
                <h3>{t!(i18n, community.new_role)}</h3>
                <div class="field">
                    <label for="role-name">{t!(i18n, community.role_name)}</label>
                    <input id="role-name" type="text" maxlength="32" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </div>
                <fieldset class="field">
                    <legend>{t!(i18n, community.role_flags)}</legend>
                    {flag_choices().into_iter().map(|(flag, label)| view! {
                        <label class="checkbox">
                            <input type="checkbox" prop:checked=move || flags.get().contains(flag)
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    flags.update(|f| *f = if on { f.union(flag) } else { Permissions::from_bits(f.bits() & !flag.bits()) });
                                } />
                            {label}
                        </label>
                    }).collect_view()}
                </fieldset>
                <div class="form-actions">
                    <button type="submit" class="button button-primary">{t!(i18n, community.create_role)}</button>
                </div>
            </form>
        </section>
    }
}

/// A menu of timeouts (1 minute to a week); choosing one applies it.
#[component]
pub fn TimeoutPicker(label: String, pick: Callback<u32>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <select class="timeout-picker" aria-label=label
            on:change=move |ev| {
                let chosen = event_target_value(&ev);
                if let Ok(minutes) = chosen.parse::<u32>() {
                    pick.run(minutes);
                }
                // Back to the prompt, so the same length can be chosen again.
                event_target::<leptos::web_sys::HtmlSelectElement>(&ev).set_value("");
            }>
            <option value="" selected>{t!(i18n, community.timeout)}</option>
            {Measure::TIMEOUTS.into_iter().map(|minutes| view! {
                <option value=minutes.to_string()>{duration_text(minutes)}</option>
            }).collect_view()}
        </select>
    }
}

/// A length of time in minutes, in the reader's language ("5 min", "8 h", "1 d").
pub fn duration_text(minutes: u32) -> String {
    let i18n = use_i18n();
    let (n, unit) = if minutes.is_multiple_of(1440) {
        (minutes / 1440, t_string!(i18n, community.duration.days))
    } else if minutes.is_multiple_of(60) {
        (minutes / 60, t_string!(i18n, community.duration.hours))
    } else {
        (minutes, t_string!(i18n, community.duration.minutes))
    };
    unit.replace("{n}", &n.to_string())
}
