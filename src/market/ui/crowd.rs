//! The crowd around a ticker: the live stream of messages naming it, the mood of the reader's
//! own communities over the last days, and the tickers trending across what the reader may see.

use leptos::prelude::*;
use leptos_router::components::A;

use super::{direction, home::stock_href, signed_percent};
use crate::{
    ai::Stance,
    auth::ui::session::use_session,
    kit::{
        i18n::{t, t_string, use_i18n},
        live::{use_live_events, CrowdEvent},
        time::Time,
    },
    market::{
        analysis::{CommunityMood, Trend, Voices},
        api::{community_moods, stock_crowd, trending_tickers},
        symbol,
    },
};

/// A stance as words and the class that colours it.
fn stance_label(stance: Stance) -> (String, &'static str) {
    let i18n = use_i18n();
    match stance {
        Stance::Bullish => (t_string!(i18n, markets.stance_bullish).to_string(), "up"),
        Stance::Bearish => (t_string!(i18n, markets.stance_bearish).to_string(), "down"),
        Stance::Neutral => (t_string!(i18n, markets.stance_neutral).to_string(), ""),
    }
}

/// The share of `part` in `whole`, in per cent.
fn share(part: u32, whole: u32) -> f64 {
    f64::from(part) / f64::from(whole.max(1)) * 100.0
}

/// A bar split into the bullish and bearish shares.
#[component]
fn MoodBar(label: String, mentions: u32, bullish: u32, bearish: u32) -> impl IntoView {
    view! {
        <div class="mood-bar" role="img" aria-label=label>
            <span class="up" style=format!("width:{:.0}%", share(bullish, mentions))></span>
            <span class="down" style=format!("width:{:.0}%", share(bearish, mentions))></span>
        </div>
    }
}

/// The messages naming the stock in every public community and the reader's own, newest first,
/// each with its stance and a link into its channel. It stays live: word that someone named
/// the ticker anywhere makes it ask again for what this reader may see.
#[component]
pub fn CrowdStream(symbol: String, voices: Voices) -> impl IntoView {
    let i18n = use_i18n();
    let voices = RwSignal::new(voices);
    let ticker = symbol::ticker(&symbol);
    let live = use_live_events();
    live.show_crowd(ticker.clone());
    {
        let symbol = symbol.clone();
        live.on(move |CrowdEvent::CrowdSpoke { ticker: named }| {
            if named != ticker {
                return;
            }
            let symbol = symbol.clone();
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = stock_crowd(symbol).await {
                    voices.try_set(fresh);
                }
            });
        });
    }
    let none = t_string!(i18n, markets.mentions_none).replace("{symbol}", &symbol);
    view! {
        <section class="card community-voices" aria-labelledby="voices-title">
            <h2 id="voices-title">{t!(i18n, markets.mentions)}</h2>
            <p class="help">{t!(i18n, markets.crowd_live)}</p>
            {move || {
                let v = voices.get();
                (v.messages > 0).then(|| view! {
                    <MoodBar label=super::signal_text(&crate::market::analysis::Signal::Community {
                        messages: v.messages, bullish: v.bullish, bearish: v.bearish, points: 0,
                    }) mentions=v.messages bullish=v.bullish bearish=v.bearish />
                })
            }}
            {move || {
                let mentions = voices.get().mentions;
                if mentions.is_empty() {
                    view! { <p class="muted">{none.clone()}</p> }.into_any()
                } else {
                    view! {
                        <ul class="mentions" aria-live="polite">
                            {mentions.into_iter().map(|m| {
                                let (label, class) = stance_label(m.stance);
                                view! {
                                    <li>
                                        <p class="mention-meta">
                                            <strong>{m.author.clone()}</strong>
                                            <A href=format!("/c/{}/{}", m.community_slug, m.channel)>{format!("{} · #{}", m.community, m.channel)}</A>
                                            <span class=format!("badge stance {class}")>{label}</span>
                                            <Time iso=m.at.clone() />
                                        </p>
                                        <p class="mention-text">{m.excerpt.clone()}</p>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </section>
    }
}

/// How each of the signed-in reader's communities has felt about the stock over 30 days: a
/// gauge of the whole and a bar per day. Asked for once the page runs (a guest has none).
#[component]
pub fn MoodCard(symbol: String) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let moods = RwSignal::new(None::<Vec<CommunityMood>>);
    {
        let symbol = symbol.clone();
        Effect::new(move |_| {
            if session.user().is_none() {
                moods.set(None);
                return;
            }
            let symbol = symbol.clone();
            leptos::task::spawn_local(async move {
                if let Ok(found) = community_moods(symbol).await {
                    moods.try_set(Some(found));
                }
            });
        });
    }
    let none = t_string!(i18n, markets.moods_none).replace("{symbol}", &symbol);
    move || {
        moods.get().map(|moods| {
            view! {
                <section class="card mood-card" aria-labelledby="moods-title">
                    <h2 id="moods-title">{t!(i18n, markets.moods_title)}</h2>
                    {if moods.is_empty() {
                        view! { <p class="muted">{none.clone()}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="moods">
                                {moods.into_iter().map(|mood| view! { <MoodLine mood /> }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
            }
        })
    }
}

#[component]
fn MoodLine(mood: CommunityMood) -> impl IntoView {
    let i18n = use_i18n();
    let summary = if mood.mentions == 1 {
        t_string!(i18n, markets.mood_summary_one).to_string()
    } else {
        t_string!(i18n, markets.mood_summary).replace("{mentions}", &mood.mentions.to_string())
    }
    .replace("{bullish}", &mood.bullish.to_string())
    .replace("{bearish}", &mood.bearish.to_string());
    let busiest = mood
        .days
        .iter()
        .map(|d| d.mentions)
        .max()
        .unwrap_or(1)
        .max(1);
    let slots = mood.days.iter().map(|d| {
        if d.mentions == 0 {
            return view! { <span class="mood-day quiet"></span> }.into_any();
        }
        let tone = match d.bullish.cmp(&d.bearish) {
            std::cmp::Ordering::Greater => "up",
            std::cmp::Ordering::Less => "down",
            std::cmp::Ordering::Equal => "flat",
        };
        let title = t_string!(i18n, markets.mood_day)
            .replace("{day}", &d.day)
            .replace("{mentions}", &d.mentions.to_string())
            .replace("{bullish}", &d.bullish.to_string())
            .replace("{bearish}", &d.bearish.to_string());
        let height = 20.0 + 80.0 * f64::from(d.mentions) / f64::from(busiest);
        view! { <span class=format!("mood-day {tone}") title=title style=format!("height:{height:.0}%")></span> }
            .into_any()
    }).collect_view();
    view! {
        <li class="mood-line">
            <p class="mood-head">
                <A href=format!("/c/{}", mood.community_slug)>{mood.community.clone()}</A>
                <span class="help">{summary.clone()}</span>
            </p>
            <MoodBar label=summary mentions=mood.mentions bullish=mood.bullish bearish=mood.bearish />
            <div class="mood-days" aria-hidden="true">{slots}</div>
        </li>
    }
}

/// How often the trending list asks again while on screen.
const TRENDING_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// The tickers named most above their usual rate in the last hour, each with its mood, how far
/// above usual it runs and the day's price move.
#[component]
pub fn TrendingTickers() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let trending = Resource::new(move || session.user().map(|u| u.id), |_| trending_tickers());
    if cfg!(feature = "hydrate") {
        if let Ok(handle) = set_interval_with_handle(move || trending.refetch(), TRENDING_EVERY) {
            on_cleanup(move || handle.clear());
        }
    }
    view! {
        <section class="card home-card trending-card" aria-labelledby="trending-title">
            <h2 id="trending-title">{t!(i18n, markets.trending_title)}</h2>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
                {move || Suspend::new(async move {
                    match trending.await {
                        Ok(trends) if trends.is_empty() => view! { <p class="muted">{t!(i18n, markets.trending_none)}</p> }.into_any(),
                        Ok(trends) => view! {
                            <ol class="trending">
                                {trends.into_iter().map(|trend| view! { <TrendLine trend /> }).collect_view()}
                            </ol>
                        }.into_any(),
                        Err(err) => view! { <p class="form-error" role="alert">{crate::auth::ui::pages::error_text(&err)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn TrendLine(trend: Trend) -> impl IntoView {
    let i18n = use_i18n();
    let mentions = if trend.mentions == 1 {
        t_string!(i18n, markets.trending_mention).to_string()
    } else {
        t_string!(i18n, markets.trending_mentions).replace("{n}", &trend.mentions.to_string())
    };
    let velocity = t_string!(i18n, markets.trending_velocity)
        .replace("{x}", &format!("{:.1}", trend.velocity));
    let mood = match trend.bullish.cmp(&trend.bearish) {
        std::cmp::Ordering::Greater => Some(Stance::Bullish),
        std::cmp::Ordering::Less => Some(Stance::Bearish),
        std::cmp::Ordering::Equal => None,
    };
    view! {
        <li class="trend">
            <A href=stock_href(&trend.ticker) attr:class="cashtag">{format!("${}", trend.ticker)}</A>
            <span class="trend-meta muted">{format!("{mentions} · {velocity}")}</span>
            {mood.map(|stance| {
                let (label, class) = stance_label(stance);
                view! { <span class=format!("badge stance {class}")>{label}</span> }
            })}
            {trend.change_pct.map(|c| view! { <span class=format!("num change {}", direction(c))>{signed_percent(c)}</span> })}
        </li>
    }
}
