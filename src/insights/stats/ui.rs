//! "Your activity" on one's own profile: counts, streaks and the last 30 days as bars.

use leptos::prelude::*;

use super::{api::own_activity, MyActivity};
use crate::{
    kit::i18n::{t, t_string, use_i18n},
    platform::error::AppError,
};

/// The reader's own activity while they look at their own profile (`username`); nothing
/// otherwise. Made by the page outside its suspended sections, so that what the server
/// rendered is what the browser hydrates.
pub fn own_activity_resource(
    username: impl Fn() -> String + Send + Sync + 'static,
) -> Resource<Option<Result<MyActivity, AppError>>> {
    let session = crate::auth::ui::session::use_session();
    Resource::new(username, move |name| async move {
        match session.resource().await {
            Ok(Some(me)) if me.username.eq_ignore_ascii_case(&name) => Some(own_activity().await),
            _ => None,
        }
    })
}

#[component]
pub fn MyActivitySection(
    activity: Resource<Option<Result<MyActivity, AppError>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card my-activity" aria-labelledby="my-activity-title">
            <h2 id="my-activity-title">{t!(i18n, stats.title)}</h2>
            <p class="help">{t!(i18n, stats.private_note)}</p>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
                {move || Suspend::new(async move {
                    activity.await.map(|a| a.map(|a| view! { <Figures activity=a /> }))
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Figures(activity: MyActivity) -> impl IntoView {
    let i18n = use_i18n();
    let days = move |n: u32| match n {
        1 => t_string!(i18n, stats.one_day).to_string(),
        n => t_string!(i18n, stats.days).replace("{n}", &n.to_string()),
    };
    let (current, longest) = (activity.current_streak, activity.longest_streak);
    let busiest = activity
        .recent_days
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let zone = activity.time_zone.clone();
    let recent = activity.recent_messages;
    view! {
        <dl class="stat-tiles">
            <div><dt>{t!(i18n, stats.messages)}</dt><dd data-testid="stat-messages">{activity.messages}</dd></div>
            <div><dt>{t!(i18n, stats.recent)}</dt><dd>{recent}</dd></div>
            <div><dt>{t!(i18n, stats.reactions)}</dt><dd data-testid="stat-reactions">{activity.reactions_received}</dd></div>
            <div><dt>{t!(i18n, stats.active_days)}</dt><dd data-testid="stat-active-days">{activity.active_days}</dd></div>
            <div><dt>{t!(i18n, stats.streak)}</dt><dd data-testid="stat-streak">{move || days(current)}</dd></div>
            <div><dt>{t!(i18n, stats.longest)}</dt><dd>{move || days(longest)}</dd></div>
        </dl>
        <div
            class="activity-bars"
            role="img"
            aria-label=move || t_string!(i18n, stats.bars_label)
                .replace("{n}", &recent.to_string())
                .replace("{zone}", &zone)
        >
            {activity.recent_days.iter().map(|n| {
                let height = format!("height: {}%", (n * 100).div_ceil(busiest).max(if *n > 0 { 8 } else { 2 }));
                view! { <span class="activity-bar" class:empty=*n == 0 style=height aria-hidden="true"></span> }
            }).collect_view()}
        </div>
    }
}
