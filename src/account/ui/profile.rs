//! A person's page (`/u/:username`): who they are and since when, the communities of theirs the
//! reader may see, and what they said there lately. One's own page leads to Settings to edit it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

use crate::{
    account::api::profile_page,
    auth::{
        api::SetBlocked,
        ui::{pages::error_text, session::use_session},
    },
    chat::RecentPost,
    community::{
        ui::{members_text, CommunityIcon},
        CommunitySummary,
    },
    kit::{
        i18n::{t, t_string, use_i18n},
        languages::local_date,
    },
};

#[component]
pub fn ProfilePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let params = use_params_map();
    let username = move || params.read().get("username").unwrap_or_default();
    let block = ServerAction::<SetBlocked>::new();
    let page = Resource::new(
        move || (username(), block.version().get()),
        |(name, _)| profile_page(name),
    );
    let activity = crate::insights::stats::ui::own_activity_resource(username);
    let badges = crate::insights::achievements::ui::badges_resource(username);
    view! {
        <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
            {move || Suspend::new(async move {
                // Who reads it, awaited like the page: read without waiting, the server could
                // render before the session resolved and the browser after — two different
                // pages, and a hydration panic.
                let reader = session.resource().await.ok().flatten();
                match page.await {
                    Err(err) => view! {
                        <section class="card">
                            <h1>{t!(i18n, profile.title)}</h1>
                            <p class="form-error" role="alert">{error_text(&err)}</p>
                        </section>
                    }.into_any(),
                    Ok(view) => {
                        let p = view.profile;
                        let me = reader.as_ref().map(|u| &u.id) == Some(&p.id);
                        let signed_in = reader.is_some();
                        let blocked = p.blocked;
                        let name = p.username.clone();
                        let joined = p.joined.clone();
                        let bio = p.bio.clone();
                        let display = p.display_name.clone();
                        view! {
                            <Title text=p.display_name.clone() />
                            <section class="card profile-card">
                                <crate::kit::avatar::Avatar initials=p.initials() url=p.avatar_url.clone() class="avatar-large" />
                                <div class="profile-main">
                                    <h1>{p.display_name.clone()}</h1>
                                    <p class="muted">
                                        "@" {p.username.clone()} " · "
                                        {move || t_string!(i18n, profile.joined).replace("{date}", &local_date(i18n.get_locale(), &joined))}
                                    </p>
                                    <Show when=move || blocked>
                                        <span class="badge badge-warning">{t!(i18n, profile.blocked_badge)}</span>
                                    </Show>
                                    {(!bio.is_empty()).then(|| view! { <p class="profile-bio">{bio.clone()}</p> })}
                                    {me.then(|| view! {
                                        <div class="profile-actions">
                                            <A href="/settings" attr:class="button">
                                                {move || if bio.is_empty() { t_string!(i18n, profile.add_bio) } else { t_string!(i18n, profile.edit) }}
                                            </A>
                                        </div>
                                    })}
                                    <Show when=move || signed_in && !me>
                                        {
                                            let name = name.clone();
                                            let to = name.clone();
                                            let display = display.clone();
                                            view! {
                                                {(!blocked && !crate::auth::is_bot(&to)).then(|| view! {
                                                    <crate::conversation::ui::direct::MessageButton username=to.clone() display_name=display.clone() />
                                                })}
                                                <button
                                                    type="button"
                                                    class="button"
                                                    on:click=move |_| { block.dispatch(SetBlocked { username: name.clone(), blocked: !blocked }); }
                                                >
                                                    {move || if blocked { t_string!(i18n, profile.unblock) } else { t_string!(i18n, profile.block) }}
                                                </button>
                                            }
                                        }
                                        <p class="help">{t!(i18n, profile.blocked_note)}</p>
                                    </Show>
                                </div>
                            </section>
                            <crate::insights::achievements::ui::BadgesSection badges />
                            {me.then(|| view! { <crate::insights::stats::ui::MyActivitySection activity /> })}
                            <div class="profile-grid">
                                <ProfileCommunities communities=view.communities />
                                <RecentActivity activity=view.activity blocked=blocked />
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The communities of theirs the reader may see, each a link.
#[component]
fn ProfileCommunities(communities: Vec<CommunitySummary>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card profile-communities" aria-labelledby="profile-communities">
            <h2 id="profile-communities">{t!(i18n, profile.communities)}</h2>
            {if communities.is_empty() {
                view! { <p class="muted">{t!(i18n, profile.communities_none)}</p> }.into_any()
            } else {
                view! {
                    <ul class="profile-community-list">
                        {communities.into_iter().map(|c| {
                            let href = format!("/c/{}", c.slug);
                            let name = c.name.clone();
                            let members = c.member_count;
                            view! {
                                <li>
                                    <A href=href attr:class="profile-community">
                                        <CommunityIcon community=c />
                                        <span class="profile-community-text">
                                            <span class="profile-community-name">{name}</span>
                                            <span class="muted">{move || members_text(members)}</span>
                                        </span>
                                    </A>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// Their latest messages the reader may see, newest first, each leading to its channel.
#[component]
fn RecentActivity(activity: Vec<RecentPost>, blocked: bool) -> impl IntoView {
    let i18n = use_i18n();
    let body = if blocked {
        view! { <p class="muted">{t!(i18n, profile.activity_blocked)}</p> }.into_any()
    } else if activity.is_empty() {
        view! { <p class="muted">{t!(i18n, profile.activity_none)}</p> }.into_any()
    } else {
        view! {
            <ol class="activity-list">
                {activity.into_iter().map(|post| {
                    let href = format!("/c/{}/{}", post.community_slug, post.channel_name);
                    let place = format!("#{} · {}", post.channel_name, post.community_name);
                    let day = post.created_at.get(..10).unwrap_or_default().to_string();
                    view! {
                        <li class="activity-item">
                            <div class="activity-meta">
                                <A href=href>{place}</A>
                                <time class="muted" datetime=post.created_at>{move || local_date(i18n.get_locale(), &day)}</time>
                            </div>
                            <p class="activity-text">{post.excerpt}</p>
                        </li>
                    }
                }).collect_view()}
            </ol>
        }.into_any()
    };
    view! {
        <section class="card profile-activity" aria-labelledby="profile-activity">
            <h2 id="profile-activity">{t!(i18n, profile.activity)}</h2>
            {body}
        </section>
    }
}
