//! Market pages: the markets home (search, watchlist with sparklines, recommendations) and a
//! stock's page (quote, chart, key stats, state of the stock, community, news).

mod home;
mod stock;

pub use home::{stock_href, MarketsPage, WatchlistGlance};
pub use stock::StockPage;

// The numbers as a quote board prints them live in the kit, for every page.
pub use crate::kit::numbers::{compact, direction, grouped, money, signed_percent};

use leptos::prelude::*;

use super::analysis::{Outlook, Period, Signal};
use crate::kit::i18n::{t_string, use_i18n};

pub fn outlook_text(outlook: Outlook) -> String {
    let i18n = use_i18n();
    match outlook {
        Outlook::Bearish => t_string!(i18n, markets.outlook_bearish),
        Outlook::LeaningBearish => t_string!(i18n, markets.outlook_leaning_bearish),
        Outlook::Neutral => t_string!(i18n, markets.outlook_neutral),
        Outlook::LeaningBullish => t_string!(i18n, markets.outlook_leaning_bullish),
        Outlook::Bullish => t_string!(i18n, markets.outlook_bullish),
    }
    .to_string()
}

/// The CSS class for an outlook.
pub fn outlook_class(outlook: Outlook) -> &'static str {
    match outlook {
        Outlook::Bearish | Outlook::LeaningBearish => "down",
        Outlook::Neutral => "",
        Outlook::LeaningBullish | Outlook::Bullish => "up",
    }
}

pub fn period_text(period: Period) -> &'static str {
    period.label()
}

/// A signal in the reader's language ("Price +4.10 % above its 50-day average").
pub fn signal_text(signal: &Signal) -> String {
    let i18n = use_i18n();
    let percent = |p: f64| format!("{:.1} %", p.abs());
    match signal {
        Signal::VersusAverage {
            days, percent: p, ..
        } => {
            let text = if *p >= 0.0 {
                t_string!(i18n, markets.sig_above_avg)
            } else {
                t_string!(i18n, markets.sig_below_avg)
            };
            text.replace("{percent}", &percent(*p))
                .replace("{days}", &days.to_string())
        }
        Signal::Cross { golden, recent, .. } => match (golden, recent) {
            (true, false) => t_string!(i18n, markets.sig_golden).to_string(),
            (true, true) => t_string!(i18n, markets.sig_golden_recent).to_string(),
            (false, false) => t_string!(i18n, markets.sig_death).to_string(),
            (false, true) => t_string!(i18n, markets.sig_death_recent).to_string(),
        },
        Signal::RangePosition { percent: p, .. } => {
            t_string!(i18n, markets.sig_range).replace("{percent}", &format!("{p:.0} %"))
        }
        Signal::Return {
            period, percent: p, ..
        } => t_string!(i18n, markets.sig_return)
            .replace("{percent}", &signed_percent(*p))
            .replace("{period}", period_text(*period)),
        Signal::Rsi { value, .. } => {
            let text = if *value > 70.0 {
                t_string!(i18n, markets.sig_rsi_over)
            } else if *value < 30.0 {
                t_string!(i18n, markets.sig_rsi_under)
            } else {
                t_string!(i18n, markets.sig_rsi)
            };
            text.replace("{value}", &format!("{value:.0}"))
        }
        Signal::Macd {
            above_signal,
            rising,
            ..
        } => match (above_signal, rising) {
            (true, true) => t_string!(i18n, markets.sig_macd_above_rising),
            (true, false) => t_string!(i18n, markets.sig_macd_above_falling),
            (false, true) => t_string!(i18n, markets.sig_macd_below_rising),
            (false, false) => t_string!(i18n, markets.sig_macd_below_falling),
        }
        .to_string(),
        Signal::Bollinger { position, .. } => if *position > 1.0 {
            t_string!(i18n, markets.sig_boll_above)
        } else if *position < 0.0 {
            t_string!(i18n, markets.sig_boll_below)
        } else {
            t_string!(i18n, markets.sig_boll_inside)
        }
        .to_string(),
        Signal::News {
            articles, average, ..
        } => t_string!(i18n, markets.sig_news)
            .replace("{n}", &articles.to_string())
            .replace("{value}", &format!("{average:+.2}")),
        Signal::Community {
            messages,
            bullish,
            bearish,
            ..
        } => t_string!(i18n, markets.sig_community)
            .replace("{bullish}", &bullish.to_string())
            .replace("{bearish}", &bearish.to_string())
            .replace("{n}", &messages.to_string()),
    }
}

/// A signal with its points, as a list item.
#[component]
pub fn SignalItem(signal: Signal) -> impl IntoView {
    let i18n = use_i18n();
    let points = signal.points();
    let shown = if points > 0 {
        format!("+{points}")
    } else {
        points.to_string()
    };
    view! {
        <li class="signal">
            <span>{signal_text(&signal)}</span>
            <span class=format!("points {}", direction(points as f64))>
                {t_string!(i18n, markets.points).replace("{points}", &shown)}
            </span>
        </li>
    }
}

/// Closing prices as a small line, coloured by the change from its first to its last close.
/// With `period` ("3M"), that change is printed beside it, so the colour always follows a
/// number the reader can see.
#[component]
pub fn Sparkline(
    closes: Vec<f64>,
    #[prop(optional)] period: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    const WIDTH: f64 = 120.0;
    const HEIGHT: f64 = 36.0;
    let low = closes.iter().copied().fold(f64::INFINITY, f64::min);
    let high = closes.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = (high - low).max(f64::EPSILON);
    let step = WIDTH / (closes.len().max(2) - 1) as f64;
    let points: Vec<String> = closes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                "{:.1},{:.1}",
                i as f64 * step,
                HEIGHT - 2.0 - (c - low) / span * (HEIGHT - 4.0)
            )
        })
        .collect();
    let change = match (closes.first(), closes.last()) {
        (Some(first), Some(last)) => super::analysis::change_percent(*first, *last),
        _ => None,
    };
    let tone = change.map_or("", direction);
    view! {
        <svg class=format!("sparkline {tone}") viewBox=format!("0 0 {WIDTH} {HEIGHT}") width=WIDTH height=HEIGHT role="img"
            aria-label=move || t_string!(i18n, markets.sparkline)>
            <polyline points=points.join(" ") fill="none" stroke="currentColor" stroke-width="1.6"
                stroke-linejoin="round" stroke-linecap="round" />
        </svg>
        {period.zip(change).map(|(period, change)| view! {
            <span class=format!("spark-change {tone}")>{format!("{period} {}", signed_percent(change))}</span>
        })}
    }
}
