//! The live prices of the tickers a chat message names, in a row under its words. Chat draws
//! the message and asks `kit::cashtag` for the row; the pages that show messages give it
//! [`provide_cashtag_prices`] (the app's routes: not the shell, which every page loads).
//!
//! A channel shows many messages naming the same few tickers, so the tab keeps one book of
//! quotes: each symbol is asked for once, the messages of one render in one request, and one
//! listener keeps the book current from the socket. The server render draws no price (the
//! book is the browser's); a row appears once the page has hydrated and the book knows one of
//! its prices.

use std::collections::{HashMap, HashSet};

use leptos::prelude::*;

use super::{direction, money, signed_percent, Flash};
use crate::{
    kit::{
        cashtag::provide_cashtag_quotes,
        i18n::{t_string, use_i18n},
        live::{use_live_events, PRICES_WATCHED},
    },
    market::{api::market_quotes, symbol, Quote, QuoteEvent},
};

/// Prices under one message, at most: a message that names a dozen tickers shows the first.
const QUOTES_SHOWN: usize = 5;

/// The tab's quotes of the cashtags on screen.
#[derive(Clone, Copy)]
struct QuoteBook {
    /// The symbols a source answered for, with their latest quote.
    quotes: RwSignal<HashMap<String, Quote>>,
    /// Every symbol asked for (answered or not): each is asked once.
    asked: StoredValue<HashSet<String>>,
    /// Asked for since the last request went out.
    waiting: StoredValue<Vec<String>>,
}

/// Gives chat's messages the prices of their cashtags, for as long as the calling page lives
/// (called by the routes that show messages, below the live-event hub).
pub fn provide_cashtag_prices() {
    let book = QuoteBook {
        quotes: RwSignal::new(HashMap::new()),
        asked: StoredValue::new(HashSet::new()),
        waiting: StoredValue::new(Vec::new()),
    };
    provide_context(book);
    use_live_events().on(move |QuoteEvent::QuoteChanged { quote }| {
        // Another page's price (a stock page's) wakes no cashtag.
        book.quotes
            .maybe_update(|quotes| match quotes.get_mut(&quote.symbol) {
                Some(known) => {
                    *known = quote;
                    true
                }
                None => false,
            });
    });
    provide_cashtag_quotes(|symbols| view! { <CashtagQuotes symbols /> }.into_any());
}

impl QuoteBook {
    /// Asks for `symbol`'s quote unless it was asked for already. The cashtags drawn in one go
    /// ask together: the request leaves a moment after the first of them.
    fn ask(self, symbol: String) {
        if !self
            .asked
            .try_update_value(|asked| asked.insert(symbol.clone()))
            .unwrap_or(false)
        {
            return;
        }
        self.waiting.update_value(|waiting| waiting.push(symbol));
        if self.waiting.with_value(Vec::len) > 1 {
            return;
        }
        set_timeout(
            move || {
                let Some(waiting) = self.waiting.try_update_value(std::mem::take) else {
                    return;
                };
                for symbols in waiting.chunks(PRICES_WATCHED) {
                    let symbols = symbols.to_vec();
                    leptos::task::spawn_local(async move {
                        match market_quotes(symbols.join(",")).await {
                            Ok(found) => {
                                self.quotes.try_update(|quotes| {
                                    quotes.extend(found.into_iter().map(|q| (q.symbol.clone(), q)));
                                });
                            }
                            // Offline or refused: a later cashtag may ask again.
                            Err(_) => {
                                self.asked.try_update_value(|asked| {
                                    for symbol in &symbols {
                                        asked.remove(symbol);
                                    }
                                });
                            }
                        }
                    });
                }
            },
            std::time::Duration::from_millis(30),
        );
    }
}

/// The prices of the tickers a message names, once the book knows them; none for a ticker no
/// source knows, and no row when it knows none.
#[component]
fn CashtagQuotes(symbols: Vec<String>) -> impl IntoView {
    let i18n = use_i18n();
    let Some(book) = use_context::<QuoteBook>() else {
        return ().into_any();
    };
    let mut wanted: Vec<String> = Vec::new();
    for symbol in symbols.iter().filter_map(|s| symbol::normalize(s)) {
        if !wanted.contains(&symbol) && wanted.len() < QUOTES_SHOWN {
            wanted.push(symbol);
        }
    }
    // Effects run only in the browser, after this part of the page has hydrated.
    Effect::new({
        let wanted = wanted.clone();
        move |_| {
            for symbol in &wanted {
                book.ask(symbol.clone());
            }
        }
    });
    let known = Memo::new(move |_| {
        book.quotes.with(|quotes| {
            wanted
                .iter()
                .filter(|s| quotes.contains_key(*s))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    (move || {
        let known = known.get();
        (!known.is_empty()).then(|| {
            view! {
                <ul class="cashtag-quotes" aria-label=move || t_string!(i18n, markets.cashtag_quotes)>
                    {known.into_iter().map(|symbol| view! { <KnownPrice symbol book /> }).collect_view()}
                </ul>
            }
        })
    })
    .into_any()
}

/// A known price: watched on the socket while it is on screen, flashing as it moves.
#[component]
fn KnownPrice(symbol: String, book: QuoteBook) -> impl IntoView {
    let i18n = use_i18n();
    use_live_events().show_price(symbol.clone());
    let quote = Memo::new(move |_| book.quotes.with(|quotes| quotes.get(&symbol).cloned()));
    let flash = Flash::following(move || quote.with(|q| q.as_ref().map(|q| q.price)));
    move || {
        quote.get().map(|quote| {
            let change = quote.change().map(|(_, percent)| percent);
            let tone = change.map_or("", direction);
            // Said in the pill as the stock page says it: a simulated price is never taken for
            // a real one.
            let (kind, about) = if quote.simulated {
                (Some(t_string!(i18n, markets.simulated)), t_string!(i18n, markets.simulated_help).to_string())
            } else if quote.delayed {
                (
                    Some(t_string!(i18n, markets.delayed)),
                    t_string!(i18n, markets.delayed_help).replace("{source}", &quote.source),
                )
            } else {
                (None, String::new())
            };
            view! {
                <li class=move || format!("cashtag-quote {}", flash.class()) title=about>
                    <span class="ticker">{format!("${}", quote.symbol)}</span>
                    " " <span class="price">{money(quote.price)}</span>
                    {change.map(|c| view! { " " <span class=format!("change {tone}")>{signed_percent(c)}</span> })}
                    {kind.map(|kind| view! { " " <span class="quote-kind">{kind}</span> })}
                </li>
            }
        })
    }
}
