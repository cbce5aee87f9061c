//! The transaction form: add any kind (a purchase with its name and sector is the quick "add
//! holding"), or edit one from the list. The fields follow the type; every field is checked in
//! the browser with the server's own rules and its message shows under it.

use std::collections::BTreeMap;

use leptos::prelude::*;

use super::{kind_text, PageState};
use crate::{
    auth::ui::pages::error_text,
    kit::i18n::{t, t_string, use_i18n},
    portfolio::{
        api::{add_transaction, edit_transaction},
        ledger::Kind,
        transaction::{Field, Transaction, TransactionInput, TxError},
    },
};

/// The transaction being edited, shared by the list (which starts it) and the form, and
/// whether the last one was saved (the page redraws after a save; the note must survive it).
#[derive(Clone, Copy)]
pub struct Editing(pub RwSignal<Option<Transaction>>, pub RwSignal<bool>);

impl Editing {
    pub fn start(&self, transaction: Transaction) {
        self.0.set(Some(transaction));
        #[cfg(feature = "hydrate")]
        if let Some(form) = document().get_element_by_id("transaction-form") {
            form.scroll_into_view();
        }
    }
}

/// The message for a refused field, in the reader's language.
pub fn tx_error_text(error: &TxError) -> String {
    error.sentence().render(use_i18n().get_locale())
}

/// Today in the browser's clock ("2026-11-23"): future dates are refused as the server would.
fn today() -> String {
    #[cfg(feature = "hydrate")]
    {
        let iso = js_sys::Date::new_0()
            .to_iso_string()
            .as_string()
            .unwrap_or_default();
        iso.get(..10).unwrap_or("9999-12-31").to_string()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        // The server renders the form; it never validates with this.
        "9999-12-31".to_string()
    }
}

#[component]
pub fn TransactionCard(portfolio: Option<String>, currency: String) -> impl IntoView {
    let i18n = use_i18n();
    let state = expect_context::<PageState>();
    let editing = expect_context::<Editing>();
    let input = RwSignal::new(TransactionInput {
        kind: "BUY".into(),
        ..Default::default()
    });
    let errors = RwSignal::new(BTreeMap::<Field, String>::new());
    let failure = RwSignal::new(None::<String>);
    let saved = editing.1;
    // Editing fills the form; finishing or cancelling empties it.
    Effect::new(move |_| {
        if let Some(t) = editing.0.get() {
            input.set(t.input());
            errors.set(BTreeMap::new());
            failure.set(None);
        }
    });
    let kind = Memo::new(move |_| Kind::parse(&input.read().kind).unwrap_or(Kind::Buy));
    let submit = {
        let currency = currency.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            saved.set(false);
            let typed = input.get_untracked();
            match typed.validate_all(&currency, &today()) {
                Err(found) => {
                    let mut by_field = BTreeMap::new();
                    for error in &found {
                        if let Some(field) = error.field() {
                            by_field
                                .entry(field)
                                .or_insert_with(|| tx_error_text(error));
                        }
                    }
                    errors.set(by_field);
                }
                Ok(_) => {
                    errors.set(BTreeMap::new());
                    let portfolio = portfolio.clone();
                    let edited = editing.0.get_untracked();
                    leptos::task::spawn_local(async move {
                        let result = match edited {
                            Some(t) => {
                                edit_transaction(portfolio.unwrap_or_default(), t.id, typed).await
                            }
                            None => add_transaction(portfolio, typed).await,
                        };
                        match result {
                            Ok(_) => {
                                failure.set(None);
                                saved.set(true);
                                editing.0.set(None);
                                input.set(TransactionInput {
                                    kind: "BUY".into(),
                                    ..Default::default()
                                });
                                state.changed();
                            }
                            Err(err) => failure.set(Some(error_text(&err))),
                        }
                    });
                }
            }
        }
    };
    let field = move |id: &'static str,
                      which: Field,
                      label: String,
                      get: fn(&TransactionInput) -> String,
                      set: fn(&mut TransactionInput, String)| {
        let figure = matches!(
            which,
            Field::Shares | Field::Price | Field::Fees | Field::Amount | Field::Ratio
        );
        let error_id = format!("{id}-error");
        let described = error_id.clone();
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type=if which == Field::Date { "date" } else { "text" } inputmode=if figure { "decimal" } else { "text" }
                    prop:value=move || get(&input.read())
                    on:input=move |ev| { let v = event_target_value(&ev); input.update(|i| set(i, v)); errors.update(|e| { e.remove(&which); }); }
                    aria-invalid=move || errors.read().contains_key(&which).to_string()
                    aria-describedby=described />
                <p class="field-error" id=error_id>{move || errors.read().get(&which).cloned()}</p>
            </div>
        }
    };
    view! {
        <section class="card" aria-labelledby="transaction-form-title">
            <h2 id="transaction-form-title">
                {move || if editing.0.read().is_some() { t_string!(i18n, portfolio.edit_transaction) } else { t_string!(i18n, portfolio.add_transaction) }}
            </h2>
            <form id="transaction-form" class="stack transaction-form" on:submit=submit novalidate>
                <div class="field-row">
                    <div class="field">
                        <label for="tx-kind">{t!(i18n, portfolio.type_)}</label>
                        <select id="tx-kind" prop:value=move || kind.get().code().to_string()
                            on:change=move |ev| { let v = event_target_value(&ev); input.update(|i| i.kind = v); errors.set(BTreeMap::new()); }>
                            {Kind::ALL.into_iter().map(|k| view! { <option value=k.code() selected=move || kind.get() == k>{kind_text(k)}</option> }).collect_view()}
                        </select>
                    </div>
                    {field("tx-date", Field::Date, t_string!(i18n, portfolio.date).to_string(), |i| i.date.clone(), |i, v| i.date = v)}
                    <Show when=move || kind.get().needs_symbol() || kind.get() == Kind::Fee>
                        {field("tx-symbol", Field::Symbol, t_string!(i18n, portfolio.symbol).to_string(), |i| i.symbol.clone(), |i, v| i.symbol = v)}
                    </Show>
                </div>
                <div class="field-row">
                    <Show when=move || matches!(kind.get(), Kind::Buy | Kind::Sell)>
                        {field("tx-shares", Field::Shares, t_string!(i18n, portfolio.shares).to_string(), |i| i.shares.clone(), |i, v| i.shares = v)}
                        {field("tx-price", Field::Price, t_string!(i18n, portfolio.price_per_share).to_string(), |i| i.price.clone(), |i, v| i.price = v)}
                        {field("tx-fees", Field::Fees, t_string!(i18n, portfolio.fees).to_string(), |i| i.fees.clone(), |i, v| i.fees = v)}
                    </Show>
                    <Show when=move || matches!(kind.get(), Kind::Dividend | Kind::Fee | Kind::Deposit | Kind::Withdraw)>
                        {field("tx-amount", Field::Amount, t_string!(i18n, portfolio.amount).to_string(), |i| i.amount.clone(), |i, v| i.amount = v)}
                    </Show>
                    <Show when=move || kind.get() == Kind::Split>
                        {field("tx-ratio", Field::Ratio, t_string!(i18n, portfolio.ratio).to_string(), |i| i.ratio.clone(), |i, v| i.ratio = v)}
                    </Show>
                </div>
                <Show when=move || kind.get() == Kind::Buy>
                    <div class="field-row">
                        {field("tx-name", Field::Name, t_string!(i18n, portfolio.company).to_string(), |i| i.name.clone(), |i, v| i.name = v)}
                        {field("tx-sector", Field::Sector, t_string!(i18n, portfolio.sector).to_string(), |i| i.sector.clone(), |i, v| i.sector = v)}
                    </div>
                </Show>
                {field("tx-note", Field::Note, t_string!(i18n, portfolio.note).to_string(), |i| i.note.clone(), |i, v| i.note = v)}
                <p class="help">{move || match kind.get() {
                    Kind::Split => t_string!(i18n, portfolio.help_split),
                    Kind::Dividend => t_string!(i18n, portfolio.help_dividend),
                    Kind::Sell => t_string!(i18n, portfolio.help_sell),
                    _ => t_string!(i18n, portfolio.help_buy),
                }}</p>
                <p class="form-error" role="alert">{move || failure.get()}</p>
                <p class="form-success" role="status">{move || saved.get().then(|| t_string!(i18n, portfolio.saved))}</p>
                <div class="form-actions">
                    <Show when=move || editing.0.read().is_some()>
                        <button type="button" class="button" on:click=move |_| {
                            editing.0.set(None);
                            input.set(TransactionInput { kind: "BUY".into(), ..Default::default() });
                        }>{t!(i18n, portfolio.cancel)}</button>
                    </Show>
                    <button type="submit" class="button button-primary">
                        {move || if editing.0.read().is_some() { t_string!(i18n, portfolio.save) } else { t_string!(i18n, portfolio.add) }}
                    </button>
                </div>
            </form>
        </section>
    }
}
