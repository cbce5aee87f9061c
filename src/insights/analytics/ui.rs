//! `/analytics/:community?from=&to=`: a community's figures for those who manage it — tiles,
//! charts, the busiest channels, the $cashtags and their mood, and moderators' response times.
//! The address holds the range, so a view can be reloaded, shared with a co-admin and gone
//! back to; the form works before the page is interactive too.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

use super::{api::csv_href, api::load_analytics, Analytics};
use crate::{
    auth::ui::pages::error_text,
    kit::{
        i18n::{t, t_string, use_i18n},
        time::Time,
    },
};

#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let slug = move || params.read().get("community").unwrap_or_default();
    let asked = move || {
        let q = query.read();
        (slug(), q.get("from"), q.get("to"))
    };
    let analytics = Resource::new(asked, |(slug, from, to)| load_analytics(slug, from, to));
    view! {
        <Title text=move || t_string!(i18n, analytics.title) />
        <section class="page analytics-page">
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
                {move || Suspend::new(async move {
                    match analytics.await {
                        Ok(figures) => view! { <Figures figures /> }.into_any(),
                        Err(err) => view! {
                            <h1 class="page-title">{t!(i18n, analytics.title)}</h1>
                            <p class="form-error" role="alert">{error_text(&err)}</p>
                            <A href=format!("/c/{}", slug())>{t!(i18n, community.back_to_chat)}</A>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Figures(figures: Analytics) -> impl IntoView {
    let i18n = use_i18n();
    let Analytics {
        community_name,
        slug,
        from,
        to,
        totals,
        days: _,
        weeks: _,
        channels,
        cashtags,
        moderators,
        charts,
        presets,
        as_of,
    } = figures;
    let page = format!("/analytics/{slug}");
    let minutes = move |value: Option<f64>| match value {
        Some(m) if m < 120.0 => t_string!(i18n, analytics.minutes).replace("{n}", &m.to_string()),
        Some(m) => t_string!(i18n, analytics.hours).replace("{n}", &format!("{:.1}", m / 60.0)),
        None => "—".to_string(),
    };
    let tile = |label: String, value: String, id: &'static str| {
        view! { <div><dt>{label}</dt><dd data-testid=id>{value}</dd></div> }
    };
    let chart = |title: String, option: String, id: &'static str| {
        view! {
            <section class="card analytics-chart" aria-labelledby=id>
                <h2 id=id class="section-title">{title.clone()}</h2>
                <div class="chart-box" role="img" aria-label=title data-chart=option></div>
            </section>
        }
    };
    let csv = csv_href(&slug, &from, &to);
    view! {
        <div class="section-head analytics-head">
            <div>
                <h1 class="page-title">{t!(i18n, analytics.title)}</h1>
                <p class="muted">
                    <A href=format!("/c/{slug}")>{community_name}</A>
                    " · "{t!(i18n, analytics.private_note)}
                </p>
            </div>
            <a class="button button-small" href=csv download>{t!(i18n, analytics.download_csv)}</a>
        </div>
        <form method="get" action=page.clone() class="analytics-range card">
            <label>
                <span>{t!(i18n, analytics.from)}</span>
                <input type="date" name="from" value=from.clone() required />
            </label>
            <label>
                <span>{t!(i18n, analytics.to)}</span>
                <input type="date" name="to" value=to.clone() required />
            </label>
            <button type="submit" class="button">{t!(i18n, analytics.show)}</button>
            <nav class="analytics-presets" aria-label=move || t_string!(i18n, analytics.presets)>
                {presets.into_iter().map(|p| {
                    let label = match p.days {
                        7 => t_string!(i18n, analytics.last_7),
                        30 => t_string!(i18n, analytics.last_30),
                        90 => t_string!(i18n, analytics.last_90),
                        _ => t_string!(i18n, analytics.last_365),
                    };
                    view! { <A href=format!("{page}?from={}&to={}", p.from, p.to)>{label}</A> }
                }).collect_view()}
            </nav>
        </form>
        <p class="muted analytics-as-of">
            {t!(i18n, analytics.utc_days)}" "
            {as_of.map(|iso| view! { {t!(i18n, analytics.as_of)}" "<Time iso /> })}
        </p>
        <dl class="stat-tiles analytics-tiles">
            {tile(t_string!(i18n, analytics.messages).to_string(), totals.messages.to_string(), "total-messages")}
            {tile(t_string!(i18n, analytics.active_members).to_string(), totals.active_members.to_string(), "total-active")}
            {tile(t_string!(i18n, analytics.joined).to_string(), totals.joined.to_string(), "total-joined")}
            {tile(t_string!(i18n, analytics.left).to_string(), (totals.left + totals.removed).to_string(), "total-left")}
            {tile(t_string!(i18n, analytics.flag_rate).to_string(), format!("{} %", totals.flag_rate), "total-flag-rate")}
            {tile(t_string!(i18n, analytics.report_rate).to_string(), totals.report_rate.to_string(), "total-report-rate")}
            {tile(t_string!(i18n, analytics.response).to_string(), minutes(totals.median_response_minutes), "total-response")}
        </dl>
        <div class="analytics-charts">
            {chart(t_string!(i18n, analytics.activity_chart).to_string(), charts.activity, "activity-chart")}
            {chart(t_string!(i18n, analytics.weekly_chart).to_string(), charts.weekly, "weekly-chart")}
            {chart(t_string!(i18n, analytics.membership_chart).to_string(), charts.membership, "membership-chart")}
            {chart(t_string!(i18n, analytics.safety_chart).to_string(), charts.safety, "safety-chart")}
        </div>
        <section class="card" aria-labelledby="cashtags-title">
            <h2 id="cashtags-title" class="section-title">{t!(i18n, analytics.cashtags)}</h2>
            {if cashtags.is_empty() {
                view! { <p class="muted">{t!(i18n, analytics.no_cashtags)}</p> }.into_any()
            } else {
                view! {
                    <div class="chart-box" role="img" aria-label=move || t_string!(i18n, analytics.mood_chart) data-chart=charts.mood></div>
                    <div class="table-scroll">
                        <table class="data-table">
                            <thead><tr>
                                <th scope="col">{t!(i18n, analytics.symbol)}</th>
                                <th scope="col" class="num">{t!(i18n, analytics.mentions)}</th>
                                <th scope="col" class="num">{t!(i18n, analytics.bullish)}</th>
                                <th scope="col" class="num">{t!(i18n, analytics.bearish)}</th>
                                <th scope="col" class="num">{t!(i18n, analytics.mood)}</th>
                            </tr></thead>
                            <tbody>
                                {cashtags.into_iter().map(|c| {
                                    let (up, down) = (c.mood > 0, c.mood < 0);
                                    view! {
                                    <tr>
                                        <th scope="row"><A href=format!("/markets/{}", c.symbol.to_lowercase())>{format!("${}", c.symbol)}</A></th>
                                        <td class="num">{c.mentions}</td>
                                        <td class="num">{c.bullish}</td>
                                        <td class="num">{c.bearish}</td>
                                        <td class="num" class:up=up class:down=down>{format!("{:+}", c.mood)}</td>
                                    </tr>
                                }}).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <p class="help">{t!(i18n, analytics.mood_help)}</p>
                }.into_any()
            }}
        </section>
        <div class="analytics-columns">
            <section class="card" aria-labelledby="channels-title">
                <h2 id="channels-title" class="section-title">{t!(i18n, analytics.channels)}</h2>
                {if channels.is_empty() {
                    view! { <p class="muted">{t!(i18n, analytics.quiet)}</p> }.into_any()
                } else {
                    let slug = slug.clone();
                    view! {
                        <table class="data-table">
                            <thead><tr>
                                <th scope="col">{t!(i18n, analytics.channel)}</th>
                                <th scope="col" class="num">{t!(i18n, analytics.messages)}</th>
                                <th scope="col" class="num">{t!(i18n, analytics.flagged)}</th>
                            </tr></thead>
                            <tbody>
                                {channels.into_iter().map(|c| view! {
                                    <tr>
                                        <th scope="row"><A href=format!("/c/{slug}/{}", c.name)>{format!("#{}", c.name)}</A></th>
                                        <td class="num">{c.messages}</td>
                                        <td class="num">{c.flagged}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </section>
            <section class="card" aria-labelledby="moderators-title">
                <h2 id="moderators-title" class="section-title">{t!(i18n, analytics.moderators)}</h2>
                <p class="help">
                    {if totals.reports_resolved == 0 {
                        t_string!(i18n, analytics.none_resolved).to_string()
                    } else {
                        t_string!(i18n, analytics.response_summary)
                            .replace("{n}", &totals.reports_resolved.to_string())
                            .replace("{median}", &minutes(totals.median_response_minutes))
                            .replace("{p90}", &minutes(totals.p90_response_minutes))
                    }}
                </p>
                {(!moderators.is_empty()).then(|| view! {
                    <table class="data-table">
                        <thead><tr>
                            <th scope="col">{t!(i18n, analytics.moderator)}</th>
                            <th scope="col" class="num">{t!(i18n, analytics.resolved)}</th>
                            <th scope="col" class="num">{t!(i18n, analytics.median)}</th>
                        </tr></thead>
                        <tbody>
                            {moderators.into_iter().map(|m| view! {
                                <tr>
                                    <th scope="row"><A href=format!("/u/{}", m.username)>{m.display_name}</A></th>
                                    <td class="num">{m.resolved}</td>
                                    <td class="num">{minutes(Some(m.median_minutes))}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                })}
            </section>
        </div>
    }
}
