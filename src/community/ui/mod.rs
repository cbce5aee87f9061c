//! Community pages: the list (yours, discover, create), invitation links, and the moderators'
//! management page; the pieces of a community the channel page shows (`conversation::ui::page`).

pub mod manage;

pub use manage::ManagePage;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::{Redirect, A},
    hooks::{use_navigate, use_params_map},
};

use super::{
    api::{list_communities, load_community, preview_invite, CreateCommunity},
    permissions::{Rank, Visibility},
    validate::{self, ICON_COLORS},
    CommunitySummary, NewCommunity,
};
use crate::{
    auth::ui::{pages::error_text, session::use_session},
    kit::i18n::{t, t_string, use_i18n},
};

/// "1 member", "12 members" in the reader's language.
pub fn members_text(n: u64) -> String {
    let i18n = use_i18n();
    let text = if n == 1 {
        t_string!(i18n, community.members_one)
    } else {
        t_string!(i18n, community.members)
    };
    text.replace("{n}", &n.to_string())
}

/// The letter icon of a community.
#[component]
pub fn CommunityIcon(community: CommunitySummary) -> impl IntoView {
    view! {
        <span class="community-icon" class:has-picture=community.icon_url.is_some() aria-hidden="true"
            style=format!("background:{}", community.icon_color)>
            {match community.icon_url.clone() {
                Some(url) => view! { <img src=url alt="" loading="lazy" decoding="async" /> }.into_any(),
                None => community.icon_letter().into_any(),
            }}
        </span>
    }
}

#[component]
pub fn CommunitiesPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let create = ServerAction::<CreateCommunity>::new();
    let joined = ServerAction::<super::api::JoinCommunity>::new();
    let lists = Resource::new(
        move || {
            (
                create.version().get(),
                joined.version().get(),
                session.user().map(|u| u.id),
            )
        },
        |_| list_communities(),
    );
    let card = move |c: CommunitySummary, signed_in: bool| {
        let href = format!("/c/{}", c.slug);
        let slug = c.slug.clone();
        let members = members_text(c.member_count);
        let private = c.visibility == Visibility::Private;
        view! {
            <li class="card community-card">
                <CommunityIcon community=c.clone() />
                <div class="community-card-main">
                    <h3><A href=href.clone()>{c.name.clone()}</A></h3>
                    <p class="muted">{c.description.clone()}</p>
                    <p class="help">
                        {members}
                        {private.then(|| view! { " · " {t!(i18n, community.private)} })}
                    </p>
                </div>
                {if c.joined {
                    view! { <A href=href attr:class="button button-small">{t!(i18n, community.open)}</A> }.into_any()
                } else if signed_in {
                    view! {
                        <button type="button" class="button button-small button-primary"
                            on:click=move |_| { joined.dispatch(super::api::JoinCommunity { slug: slug.clone() }); }>
                            {t!(i18n, community.join)}
                        </button>
                    }.into_any()
                } else {
                    view! { <A href=href attr:class="button button-small">{t!(i18n, community.view)}</A> }.into_any()
                }}
            </li>
        }
    };
    view! {
        <Title text=move || t_string!(i18n, nav.communities) />
        <h1 class="page-title">{t!(i18n, nav.communities)}</h1>
        <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
            {move || Suspend::new(async move {
                // Awaited here, so the server and the browser render the same thing.
                let signed_in = session.resource().await.ok().flatten().is_some();
                lists.await.map(|lists| view! {
                    {(!lists.mine.is_empty()).then(|| view! {
                        <section aria-labelledby="mine-title">
                            <h2 id="mine-title" class="section-title">{t!(i18n, community.yours)}</h2>
                            <ul class="community-grid">{lists.mine.into_iter().map(|c| card(c, signed_in)).collect_view()}</ul>
                        </section>
                    })}
                    <section aria-labelledby="discover-title">
                        <h2 id="discover-title" class="section-title">{t!(i18n, community.discover)}</h2>
                        {if lists.discover.is_empty() {
                            view! { <p class="muted">{t!(i18n, community.discover_none)}</p> }.into_any()
                        } else {
                            view! { <ul class="community-grid">{lists.discover.into_iter().map(|c| card(c, signed_in)).collect_view()}</ul> }.into_any()
                        }}
                    </section>
                    {signed_in.then(|| view! { <CreateCommunityForm action=create /> })}
                })
            })}
        </Transition>
    }
}

#[component]
fn CreateCommunityForm(action: ServerAction<CreateCommunity>) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let color = RwSignal::new(ICON_COLORS[0].to_string());
    let private = RwSignal::new(false);
    let local_error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(created)) = action.value().get() {
            navigate(&format!("/c/{}", created.slug), Default::default());
        }
    });
    let server_error = move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| error_text(&e))
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Err(err) = validate::community_name(&name.get_untracked()) {
            local_error.set(Some(err.sentence().render(i18n.get_locale_untracked())));
            return;
        }
        local_error.set(None);
        action.dispatch(CreateCommunity {
            community: NewCommunity {
                name: name.get_untracked(),
                description: description.get_untracked(),
                icon_color: color.get_untracked(),
                visibility: if private.get_untracked() {
                    Visibility::Private
                } else {
                    Visibility::Public
                },
            },
        });
    };
    view! {
        <section class="card settings-section" aria-labelledby="create-title">
            <h2 id="create-title">{t!(i18n, community.create_title)}</h2>
            <form class="stack" on:submit=submit novalidate>
                <DetailsFields prefix="community" name description color />
                <label class="checkbox">
                    <input type="checkbox" prop:checked=move || private.get() on:change=move |ev| private.set(event_target_checked(&ev)) />
                    {t!(i18n, community.private_label)}
                </label>
                <p class="form-error" role="alert">{move || local_error.get().or_else(server_error)}</p>
                <div class="form-actions">
                    <button type="submit" class="button button-primary" disabled=move || action.pending().get()>
                        {t!(i18n, community.create)}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// A community's name, description and colour, as the create form and the Manage page's
/// settings both ask for them (`prefix` keeps the two forms' ids apart).
#[component]
pub fn DetailsFields(
    prefix: &'static str,
    name: RwSignal<String>,
    description: RwSignal<String>,
    color: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for=format!("{prefix}-name")>{t!(i18n, community.name_label)}</label>
            <input id=format!("{prefix}-name") type="text" maxlength="60" prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev)) />
        </div>
        <div class="field">
            <label for=format!("{prefix}-description")>{t!(i18n, community.description_label)}</label>
            <textarea id=format!("{prefix}-description") rows="2" maxlength="280" prop:value=move || description.get()
                on:input=move |ev| description.set(event_target_value(&ev))></textarea>
        </div>
        <fieldset class="field">
            <legend>{t!(i18n, community.color_label)}</legend>
            <div class="swatches">
                {ICON_COLORS.iter().map(|c| {
                    let (value, checked) = (c.to_string(), c.to_string());
                    view! {
                        <label class="swatch" style=format!("background:{c}")>
                            <input type="radio" name=format!("{prefix}-icon-color") value=c.to_string()
                                prop:checked=move || color.get() == checked
                                on:change=move |_| color.set(value.clone()) />
                            <span class="visually-hidden">{c.to_string()}</span>
                        </label>
                    }
                }).collect_view()}
            </div>
        </fieldset>
    }
}

/// `/c/:community`: straight to its default channel (or the first open one).
#[component]
pub fn CommunityIndex() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let slug = move || params.read().get("community").unwrap_or_default();
    let community = Resource::new(slug, load_community);
    view! {
        <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
            {move || Suspend::new(async move {
                community.await.map(|view| {
                    let first = view.landing_channel().map(|c| c.name.clone()).unwrap_or_else(|| "general".into());
                    view! { <Redirect path=format!("/c/{}/{}", view.community.slug, first) /> }
                })
            })}
        </Transition>
    }
}

pub fn rank_label(rank: Rank) -> String {
    let i18n = use_i18n();
    match rank {
        Rank::Owner => t_string!(i18n, community.rank_owner),
        Rank::Admin => t_string!(i18n, community.rank_admin),
        Rank::Moderator => t_string!(i18n, community.rank_moderator),
        Rank::Member => t_string!(i18n, community.rank_member),
    }
    .to_string()
}

/// `/invite/:code`: what the invitation is for, and the button to accept it.
#[component]
pub fn InvitePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let params = use_params_map();
    let code = move || params.read().get("code").unwrap_or_default();
    let preview = Resource::new(code, preview_invite);
    let accept = ServerAction::<super::api::AcceptInvite>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(community)) = accept.value().get() {
            navigate(&format!("/c/{}", community.slug), Default::default());
        }
    });
    view! {
        <Title text=move || t_string!(i18n, community.invite_title) />
        <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
            {move || Suspend::new(async move {
                let signed_in = session.resource().await.ok().flatten().is_some();
                match preview.await {
                    Err(err) => view! {
                        <section class="card placeholder">
                            <h1>{t!(i18n, community.invite_title)}</h1>
                            <p class="form-error" role="alert">{error_text(&err)}</p>
                            <A href="/communities" attr:class="button">{t!(i18n, nav.communities)}</A>
                        </section>
                    }.into_any(),
                    Ok(preview) => {
                        let c = preview.community.clone();
                        let code = preview.code.clone();
                        view! {
                            <section class="card placeholder invite-card">
                                <CommunityIcon community=c.clone() />
                                <p class="muted">{t!(i18n, community.invited_to)}</p>
                                <h1>{c.name.clone()}</h1>
                                <p>{c.description.clone()}</p>
                                <p class="help">{members_text(c.member_count)}</p>
                                {if c.joined {
                                    view! { <A href=format!("/c/{}", c.slug) attr:class="button button-primary">{t!(i18n, community.open)}</A> }.into_any()
                                } else if signed_in {
                                    view! {
                                        <button type="button" class="button button-primary" on:click=move |_| {
                                            accept.dispatch(super::api::AcceptInvite { code: code.clone() });
                                        }>{t!(i18n, community.accept)}</button>
                                        <p class="form-error" role="alert">{move || accept.value().get().and_then(Result::err).map(|e| error_text(&e))}</p>
                                    }.into_any()
                                } else {
                                    view! { <A href=format!("/signin?next=/invite/{}", preview.code) attr:class="button button-primary">{t!(i18n, community.sign_in_to_join)}</A> }.into_any()
                                }}
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
