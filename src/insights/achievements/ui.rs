//! Badges on a profile, and the notice that tells a person they earned one.

use std::time::Duration;

use leptos::prelude::*;

use super::{api::badges_of, api::take_unseen_badges, Earned};
use crate::{
    chat::{
        ui::socket::{use_chat_socket, SocketStatus},
        ServerEvent,
    },
    kit::{
        i18n::{t, t_string, use_i18n, Locale},
        languages::local_date,
        notices::{use_notices, Notice},
    },
    platform::error::AppError,
};

type I18n = leptos_i18n::I18nContext<Locale>;

/// A badge's name and how it is earned, in the reader's language.
pub fn words(i18n: I18n, key: &str) -> (String, String) {
    let (name, how) = match key {
        "first_message" => (
            t_string!(i18n, achievements.first_message),
            t_string!(i18n, achievements.first_message_how),
        ),
        "helpful" => (
            t_string!(i18n, achievements.helpful),
            t_string!(i18n, achievements.helpful_how),
        ),
        "streak_7" => (
            t_string!(i18n, achievements.streak_7),
            t_string!(i18n, achievements.streak_7_how),
        ),
        "streak_30" => (
            t_string!(i18n, achievements.streak_30),
            t_string!(i18n, achievements.streak_30_how),
        ),
        "called_it" => (
            t_string!(i18n, achievements.called_it),
            t_string!(i18n, achievements.called_it_how),
        ),
        "one_year" => (
            t_string!(i18n, achievements.one_year),
            t_string!(i18n, achievements.one_year_how),
        ),
        _ => return (key.to_string(), String::new()),
    };
    (name.to_string(), how.to_string())
}

/// The badges of the person a profile shows (made by the page, outside its suspended parts).
pub fn badges_resource(
    username: impl Fn() -> String + Send + Sync + 'static,
) -> Resource<Result<Vec<Earned>, AppError>> {
    Resource::new(username, badges_of)
}

/// "Badges" on a profile: each with its icon, name, how it is earned and when; nothing at all
/// for someone with none.
#[component]
pub fn BadgesSection(badges: Resource<Result<Vec<Earned>, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let held = badges.await.unwrap_or_default();
                (!held.is_empty()).then(|| view! {
                    <section class="card badges" aria-labelledby="badges-title">
                        <h2 id="badges-title">{t!(i18n, achievements.title)}</h2>
                        <ul class="badge-list">
                            {held.into_iter().map(|badge| {
                                let (name, how) = words(i18n, &badge.key);
                                // The day it was earned (UTC), as the reader writes dates.
                                let day = badge.earned_at.get(..10).unwrap_or_default().to_string();
                                let when = local_date(i18n.get_locale(), &day);
                                view! {
                                    <li class="badge-item" data-badge=badge.key.clone()>
                                        <span class="badge-icon" aria-hidden="true">{badge.icon}</span>
                                        <span class="badge-text">
                                            <strong>{name}</strong>
                                            <span class="muted">{how}</span>
                                            <span class="muted badge-when">{when}</span>
                                        </span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Transition>
    }
}

/// For a signed-in person: a notice for each badge they earn while here, and for those earned
/// while they were away (asked for when the socket is ready; each is told once).
#[component]
pub fn BadgeWatch() -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::auth::ui::session::use_session();
    let username = move || session.user().map(|u| u.username);
    let notices = use_notices();
    let socket = use_chat_socket();
    let announce = move |badge: &Earned| {
        let (name, _) = words(i18n, &badge.key);
        notices.push(
            Notice {
                id: format!("badge-{}", badge.key),
                text: t_string!(i18n, achievements.earned)
                    .replace("{icon}", &badge.icon)
                    .replace("{name}", &name),
                href: untrack(username)
                    .map(|u| format!("/u/{u}"))
                    .unwrap_or_default(),
            },
            Duration::from_secs(10),
        );
    };
    let catch_up = move || {
        leptos::task::spawn_local(async move {
            if let Ok(unseen) = take_unseen_badges().await {
                unseen.iter().for_each(announce);
            }
        });
    };
    // Started after the page (the layout's signed-in watchers): the socket may be ready already.
    if socket.status.get_untracked() == SocketStatus::Open {
        catch_up();
    }
    socket.on_event(move |event| match event {
        ServerEvent::Ready { .. } if untrack(username).is_some() => catch_up(),
        ServerEvent::AchievementEarned { achievement } => {
            announce(achievement);
            // Told here: not again on the next visit.
            leptos::task::spawn_local(async move {
                let _ = take_unseen_badges().await;
            });
        }
        _ => {}
    });
}
