//! Market pages: the markets home (search, watchlist with sparklines, recommendations) and a
//! stock's page (quote, chart, key stats, state of the stock, community, news).

mod cashtag;
mod crowd;
mod home;
mod stock;

pub use cashtag::provide_cashtag_prices;
pub use crowd::TrendingTickers;
pub use home::{stock_href, MarketsPage, WatchlistGlance};
pub use stock::StockPage;

// The numbers as a quote board prints them live in the kit, for every page.
pub use crate::kit::numbers::{compact, direction, grouped, money, signed_percent};

use leptos::prelude::*;

use super::{
    analysis::{Outlook, Period, Signal},
    Quote, QuoteEvent,
};
use crate::kit::{
    i18n::{t, t_string, use_i18n},
    live::use_live_events,
};

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

/// Keeps `symbol`'s price coming while the calling component lives: `changed` gets each new
/// quote the socket brings (in the browser).
pub fn on_quote(symbol: String, changed: impl Fn(Quote) + Send + Sync + 'static) {
    let live = use_live_events();
    live.show_price(symbol.clone());
    live.on(move |QuoteEvent::QuoteChanged { quote }| {
        if quote.symbol == symbol {
            changed(quote);
        }
    });
}

/// A quote that stays current while the calling component lives, and its flash.
pub fn live_quote(quote: Quote) -> (RwSignal<Quote>, Flash) {
    let symbol = quote.symbol.clone();
    let live = RwSignal::new(quote);
    on_quote(symbol, move |quote| live.set(quote));
    (live, Flash::following(move || Some(live.read().price)))
}

/// Which way a price just moved, for a moment: the flash of a quote board.
#[derive(Clone, Copy)]
pub struct Flash {
    class: RwSignal<&'static str>,
    moves: StoredValue<u64>,
}

impl Flash {
    fn new() -> Flash {
        Flash {
            class: RwSignal::new(""),
            moves: StoredValue::new(0),
        }
    }

    /// A flash that follows `price` (tracked): it flashes each time the price moves.
    pub fn following(price: impl Fn() -> Option<f64> + 'static) -> Flash {
        let flash = Flash::new();
        Effect::new(move |before: Option<Option<f64>>| {
            let now = price();
            if let Some(now) = now {
                flash.moved(before.flatten(), now);
            }
            now
        });
        flash
    }

    /// A price went from `before` to `after`: flash up or down (nothing when it stayed).
    fn moved(self, before: Option<f64>, after: f64) {
        let class = match before {
            Some(before) if after > before => "flash-up",
            Some(before) if after < before => "flash-down",
            _ => return,
        };
        self.moves.update_value(|n| *n += 1);
        let this = self.moves.get_value();
        self.class.set(class);
        set_timeout(
            move || {
                if self.moves.try_get_value() == Some(this) {
                    self.class.try_set("");
                }
            },
            std::time::Duration::from_millis(1_200),
        );
    }

    /// "flash-up", "flash-down" or "" (tracked).
    pub fn class(self) -> &'static str {
        self.class.get()
    }
}

/// A price and its day's move that stay current while on screen, flashing as they change.
#[component]
pub fn LivePrice(symbol: String, price: Option<f64>, change_percent: Option<f64>) -> impl IntoView {
    let i18n = use_i18n();
    let price = RwSignal::new(price);
    let change = RwSignal::new(change_percent);
    let flash = Flash::following(move || price.get());
    on_quote(symbol, move |quote| {
        price.set(Some(quote.price));
        change.set(quote.change().map(|(_, percent)| percent));
    });
    view! {
        {move || match price.get() {
            Some(p) => view! { <span class=move || format!("num price {}", flash.class())>{money(p)}</span> }.into_any(),
            None => view! { <span class="muted">{t!(i18n, markets.no_price)}</span> }.into_any(),
        }}
        {move || change.get().map(|c| view! { <span class=format!("num change {}", direction(c))>{signed_percent(c)}</span> })}
    }
}
