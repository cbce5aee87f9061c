//! What a message shows of the tickers it names: their live prices, in a row under its words.
//! Chat draws the message and knows no market; the routes that show messages give it the
//! market's drawing of the prices through this slot.

use leptos::prelude::*;

/// Draws the prices of the symbols a message names ("AAPL", as the message wrote them).
#[derive(Clone, Copy)]
pub struct CashtagQuotes(pub fn(Vec<String>) -> AnyView);

/// Set by a page that shows messages, above them.
pub fn provide_cashtag_quotes(draw: fn(Vec<String>) -> AnyView) {
    provide_context(CashtagQuotes(draw));
}

/// The prices of `symbols` (a message's $cashtags); nothing for none, or where no one gave a
/// drawing (a test's tree).
pub fn quotes_of(symbols: Vec<String>) -> Option<AnyView> {
    if symbols.is_empty() {
        return None;
    }
    use_context::<CashtagQuotes>().map(|CashtagQuotes(draw)| draw(symbols))
}
