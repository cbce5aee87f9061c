//! Chat on the signed-in home: the person's communities with what waits for them, and the
//! $cashtags those communities talk about.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    chat::HomeCommunity,
    community::ui::CommunityIcon,
    kit::i18n::{t, t_string, use_i18n},
};

/// "99+" past 99, as the channel list writes it.
fn count_text(n: i64) -> String {
    if n > 99 {
        "99+".to_string()
    } else {
        n.to_string()
    }
}

/// The person's communities, each with the channels that have something unread (mentions
/// first); a community with nothing new says so in one line.
#[component]
pub fn HomeCommunities(communities: Vec<HomeCommunity>) -> impl IntoView {
    let i18n = use_i18n();
    if communities.is_empty() {
        return view! {
            <section class="card home-card" aria-labelledby="home-communities-title">
                <h2 id="home-communities-title">{t!(i18n, community.yours)}</h2>
                <p class="muted">{t!(i18n, home.no_communities)}</p>
                <A href="/communities" attr:class="button button-primary">{t!(i18n, home.cta_primary)}</A>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="card home-card" aria-labelledby="home-communities-title">
            <h2 id="home-communities-title">{t!(i18n, community.yours)}</h2>
            <ul class="home-communities">
                {communities.into_iter().map(|c| view! { <CommunityLine c /> }).collect_view()}
            </ul>
        </section>
    }
    .into_any()
}

#[component]
fn CommunityLine(c: HomeCommunity) -> impl IntoView {
    let i18n = use_i18n();
    let slug = c.community.slug.clone();
    let (unread, mentions) = (c.unread(), c.mentions());
    let mut waiting: Vec<_> = c
        .channels
        .iter()
        .filter(|ch| ch.unread > 0)
        .cloned()
        .collect();
    waiting.sort_by(|a, b| b.mentions.cmp(&a.mentions).then(b.unread.cmp(&a.unread)));
    let summary = if unread == 0 {
        t_string!(i18n, home.all_read).to_string()
    } else {
        t_string!(i18n, community.unread).replace("{n}", &unread.to_string())
    };
    view! {
        <li class="home-community">
            <A href=format!("/c/{slug}") attr:class="home-community-head">
                <CommunityIcon community=c.community.clone() />
                <span class="home-community-name">{c.community.name.clone()}</span>
                <span class="muted home-community-summary">{summary}</span>
                {(mentions > 0).then(|| view! { <MentionBadge n=mentions /> })}
            </A>
            {(!waiting.is_empty()).then(|| view! {
                <ul class="home-channels">
                    {waiting.into_iter().map(|ch| {
                        let label = t_string!(i18n, community.unread).replace("{n}", &ch.unread.to_string());
                        let title = label.clone();
                        view! {
                            <li>
                                <A href=format!("/c/{slug}/{}", ch.name) attr:class="channel-link unread">
                                    <span class="hash" aria-hidden="true">"#"</span>
                                    <span class="channel-name">{ch.name.clone()}</span>
                                    {(ch.mentions > 0).then(|| view! { <MentionBadge n=ch.mentions /> })}
                                    <span class="unread-count" title=title>
                                        <span aria-hidden="true">{count_text(ch.unread)}</span>
                                        <span class="visually-hidden">{label}</span>
                                    </span>
                                </A>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </li>
    }
}

/// "@3": mentions of the person, read out in words.
#[component]
fn MentionBadge(n: u32) -> impl IntoView {
    let i18n = use_i18n();
    let label = if n == 1 {
        t_string!(i18n, home.mention_one).to_string()
    } else {
        t_string!(i18n, home.mentions).replace("{n}", &n.to_string())
    };
    let title = label.clone();
    view! {
        <span class="mention-count" title=title>
            <span aria-hidden="true">"@" {count_text(n as i64)}</span>
            <span class="visually-hidden">{label}</span>
        </span>
    }
}
