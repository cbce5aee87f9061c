//! The composer's "Share a portfolio" form, and the live card a message shows.

use leptos::prelude::*;

use super::{
    api::{card_figures, share_portfolio, shareable_portfolios},
    CardStatus, PortfolioCard, ShareRequest, REFRESH_SECS,
};
use crate::{
    auth::ui::pages::error_text,
    kit::{
        i18n::{t, t_string, use_i18n},
        numbers::{direction, money, signed_percent},
        time::Time,
    },
};

/// Picks one of the person's portfolios (or one holding of it), whether amounts show, and words
/// to go with it; the message arrives on the socket like any other.
#[component]
pub fn ShareForm(channel_id: String, open: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let choices = Resource::new(|| (), |_| shareable_portfolios());
    let portfolio = RwSignal::new(String::new());
    let symbol = RwSignal::new(String::new());
    let percentages_only = RwSignal::new(true);
    let comment = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let share = ShareRequest {
            portfolio: portfolio.get_untracked(),
            symbol: Some(symbol.get_untracked()).filter(|s| !s.is_empty()),
            percentages_only: percentages_only.get_untracked(),
            comment: comment.get_untracked(),
        };
        busy.set(true);
        error.set(None);
        let channel_id = channel_id.clone();
        leptos::task::spawn_local(async move {
            match share_portfolio(channel_id, share).await {
                Ok(_) => open.set(false),
                Err(err) => error.set(Some(error_text(&err))),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="poll-form share-form card" on:submit=submit aria-labelledby="share-form-title">
            <h2 id="share-form-title" class="poll-form-title">{t!(i18n, cards.share_title)}</h2>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
                {move || Suspend::new(async move {
                    let found = choices.await.unwrap_or_default();
                    if found.is_empty() {
                        return view! {
                            <p class="muted">{t!(i18n, cards.no_portfolio)} " " <a href="/portfolio">{t!(i18n, cards.start_one)}</a></p>
                        }.into_any();
                    }
                    if portfolio.get_untracked().is_empty() {
                        portfolio.set(found[0].id.clone());
                    }
                    let listed = StoredValue::new(found.clone());
                    let held = move || {
                        let chosen = portfolio.get();
                        listed.with_value(|all| all.iter().find(|p| p.id == chosen).map(|p| p.symbols.clone()).unwrap_or_default())
                    };
                    view! {
                        <label class="field">
                            <span>{t!(i18n, cards.portfolio)}</span>
                            <select on:change=move |ev| { portfolio.set(event_target_value(&ev)); symbol.set(String::new()); }>
                                {found.into_iter().map(|p| {
                                    let selected = portfolio.get_untracked() == p.id;
                                    view! { <option value=p.id selected=selected>{p.name}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label class="field">
                            <span>{t!(i18n, cards.what)}</span>
                            <select prop:value=move || symbol.get() on:change=move |ev| symbol.set(event_target_value(&ev))>
                                <option value="">{t!(i18n, cards.whole)}</option>
                                {move || held().into_iter().map(|s| view! { <option value=s.clone()>{s.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                    }.into_any()
                })}
            </Transition>
            <label class="checkbox">
                <input type="checkbox" prop:checked=move || percentages_only.get()
                    on:change=move |ev| percentages_only.set(event_target_checked(&ev)) />
                {t!(i18n, cards.percentages_only)}
            </label>
            <label class="field">
                <span>{t!(i18n, cards.comment)}</span>
                <textarea rows="2" maxlength=super::COMMENT_MAX_CHARS.to_string() prop:value=move || comment.get()
                    on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
            </label>
            <p class="field-error" role="alert">{move || error.get()}</p>
            <div class="poll-form-actions">
                <button type="button" class="button" on:click=move |_| open.set(false)>{t!(i18n, poll.cancel)}</button>
                <button type="submit" class="button button-primary" disabled=move || busy.get() || portfolio.get().is_empty()>
                    {t!(i18n, cards.share)}
                </button>
            </div>
        </form>
    }
}

/// A message's shared portfolio as its part of the message (`conversation::ui::PART_VIEWS`);
/// its figures are read when it is shown.
pub fn part_view(message: &crate::chat::ChatMessage, _: bool) -> Option<AnyView> {
    let message_id = message.id.clone();
    message
        .parts
        .has(super::KIND)
        .then(|| view! { <CardView message_id /> }.into_any())
}

/// A shared portfolio as it stands now: read when shown, and every minute while on screen.
#[component]
pub fn CardView(message_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let figures = RwSignal::new(None::<PortfolioCard>);
    let failed = RwSignal::new(false);
    Effect::new(move |_| {
        let refresh = {
            let message_id = message_id.clone();
            move || {
                let message_id = message_id.clone();
                leptos::task::spawn_local(async move {
                    match card_figures(message_id).await {
                        Ok(fresh) => {
                            figures.set(Some(fresh));
                            failed.set(false);
                        }
                        Err(_) => failed.set(true),
                    }
                });
            }
        };
        refresh();
        let handle = set_interval_with_handle(
            refresh,
            std::time::Duration::from_secs(u64::from(REFRESH_SECS)),
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    });
    view! {
        <section class="portfolio-card" aria-label=move || t_string!(i18n, cards.card_label)>
            {move || match figures.get() {
                None if failed.get() => view! { <p class="muted">{t!(i18n, cards.unavailable)}</p> }.into_any(),
                None => view! { <p class="muted">{t!(i18n, settings.loading)}</p> }.into_any(),
                Some(card) => card_body(card).into_any(),
            }}
        </section>
    }
}

fn card_body(card: PortfolioCard) -> impl IntoView {
    let i18n = use_i18n();
    let title = card.title.clone();
    match card.status {
        CardStatus::Deleted => {
            return view! {
                <p class="portfolio-card-gone">{t!(i18n, cards.deleted)}</p>
            }
            .into_any()
        }
        CardStatus::NotHeld => {
            return view! {
                <p class="portfolio-card-gone"><strong>{title}</strong> " " {t!(i18n, cards.not_held)}</p>
            }
            .into_any()
        }
        CardStatus::Live => {}
    }
    let currency = card.currency.clone();
    let change_class = card.day_change_percent.map(direction).unwrap_or_default();
    view! {
        <header class="portfolio-card-head">
            <strong class="portfolio-card-title">{title}</strong>
            {card.subtitle.clone().map(|s| view! { <span class="muted">{s}</span> })}
            {card.percentages_only.then(|| view! { <span class="badge">{t!(i18n, cards.percentages_badge)}</span> })}
        </header>
        <div class="portfolio-card-figures">
            {card.value.map(|value| view! {
                <div><span class="muted">{t!(i18n, cards.value)}</span> <strong data-testid="card-value">{format!("{} {currency}", money(value))}</strong></div>
            })}
            <div>
                <span class="muted">{t!(i18n, cards.today)}</span> " "
                <strong class=change_class data-testid="card-day">
                    {card.day_change.map(|c| format!("{} · ", money(c)))}
                    {card.day_change_percent.map(signed_percent).unwrap_or_else(|| "—".into())}
                </strong>
            </div>
            {card.return_percent.map(|r| view! {
                <div><span class="muted">{t!(i18n, cards.return_label)}</span> " " <strong class=direction(r)>{signed_percent(r)}</strong></div>
            })}
            {card.weight.map(|w| view! {
                <div><span class="muted">{t!(i18n, cards.weight)}</span> " " <strong>{format!("{w:.1} %")}</strong></div>
            })}
        </div>
        {(!card.rows.is_empty()).then(|| view! {
            <table class="portfolio-card-rows">
                <thead><tr>
                    <th scope="col">{t!(i18n, cards.symbol)}</th>
                    <th scope="col">{t!(i18n, cards.weight)}</th>
                    <th scope="col">{t!(i18n, cards.today)}</th>
                </tr></thead>
                <tbody>
                    {card.rows.iter().map(|row| view! {
                        <tr>
                            <th scope="row">{format!("${}", row.symbol)}</th>
                            <td>{row.weight.map(|w| format!("{w:.1} %")).unwrap_or_else(|| "—".into())}</td>
                            <td class=row.day_change_percent.map(direction).unwrap_or_default()>
                                {row.day_change_percent.map(signed_percent).unwrap_or_else(|| "—".into())}
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
        <p class="portfolio-card-foot muted">
            {card.simulated.then(|| view! { <span class="badge">{t!(i18n, cards.simulated)}</span> " " })}
            {t!(i18n, cards.as_of)} " " <Time iso=card.as_of.clone() />
        </p>
    }
    .into_any()
}
