//! Polls in the browser: the card under a poll's question (answers to pick until one has voted,
//! then the result as bars, which move as others vote), and the composer's form to ask one.

use leptos::prelude::*;

use super::{
    api::{ask_poll, my_ballot, poll_price, vote},
    Ballot, NewPoll, Poll, PollKind, PricePoint, OPTIONS_MAX, OPTIONS_MIN, OPTION_MAX_CHARS,
};
use crate::{
    auth::ui::pages::error_text,
    kit::{
        i18n::{t, t_string, use_i18n},
        time::{now_ms, When},
    },
};

#[cfg(feature = "hydrate")]
thread_local! {
    /// What this reader chose in each poll seen, by message, shared by every card of the page:
    /// a card redrawn by others' votes (or the AI's note on the message) shows the ballot its
    /// predecessor's answer brought, whenever that answer arrives.
    static BALLOTS: ArcRwSignal<std::collections::HashMap<String, Ballot>> =
        ArcRwSignal::new(Default::default());
}

/// The page's ballots (on the server, an empty one per card: nothing is shared between
/// requests).
fn ballots() -> ArcRwSignal<std::collections::HashMap<String, Ballot>> {
    #[cfg(feature = "hydrate")]
    {
        BALLOTS.with(Clone::clone)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        ArcRwSignal::new(Default::default())
    }
}

/// A message's poll as its part of the message (`conversation::ui::PART_VIEWS`); `may_vote`:
/// the reader may react in the channel.
pub fn part_view(message: &crate::chat::ChatMessage, may_vote: bool) -> Option<AnyView> {
    let poll = Poll::of(message)?;
    let message_id = message.id.clone();
    Some(if poll.kind == PollKind::Target {
        view! { <TargetPollCard message_id poll may_vote /> }.into_any()
    } else {
        let asker = message.author.id.clone();
        view! { <PollCard message_id poll may_vote asker /> }.into_any()
    })
}

/// A poll under its question. `may_vote`: the reader may react here (signed in, a member, not
/// timed out, the conversation not closed). `asker`: who asked, by id — they see how it stands
/// from the start (with a button to vote), as everyone does once they have voted.
#[component]
pub fn PollCard(message_id: String, poll: Poll, may_vote: bool, asker: String) -> impl IntoView {
    let i18n = use_i18n();
    let asked = crate::auth::ui::session::use_session()
        .user()
        .is_some_and(|me| me.id == asker);
    let poll = RwSignal::new(poll);
    let store = ballots();
    let mine = {
        let (store, id) = (store.clone(), message_id.clone());
        Signal::derive(move || store.with(|all| all.get(&id).cloned()))
    };
    // Answers ticked before pressing "Vote" (a multiple-choice poll), or while changing a vote.
    let picked = RwSignal::new(Vec::<u32>::new());
    let changing = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // The page's clock, once it runs in the browser: a poll closes on time without a reload.
    let now = RwSignal::new(0.0f64);
    Effect::new(move |_| {
        now.set(now_ms());
        let handle = set_interval_with_handle(
            move || now.set(now_ms()),
            std::time::Duration::from_secs(15),
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    });
    if may_vote && mine.with_untracked(Option::is_none) {
        let (store, message_id) = (store.clone(), message_id.clone());
        Effect::new(move |_| {
            let (store, message_id) = (store.clone(), message_id.clone());
            leptos::task::spawn_local(async move {
                if let Ok(found) = my_ballot(message_id.clone()).await {
                    // A vote answered meanwhile knows better than this earlier read.
                    store.update(|all| {
                        all.entry(message_id).or_insert(found);
                    });
                }
            });
        });
    }
    let closed = move || poll.with(|p| p.closed_at(now.get()));
    let voted = move || mine.with(|m| m.as_ref().is_some_and(|b| !b.choices.is_empty()));
    let choosing = move || may_vote && !closed() && ((!voted() && !asked) || changing.get());
    let cast = {
        let (store, message_id) = (store.clone(), message_id.clone());
        move |choices: Vec<u32>| {
            busy.set(true);
            error.set(None);
            let (store, message_id) = (store.clone(), message_id.clone());
            leptos::task::spawn_local(async move {
                match vote(message_id.clone(), choices, None).await {
                    Ok(done) => {
                        store.update(|all| {
                            all.insert(message_id, done.ballot);
                        });
                        poll.set(done.poll);
                        changing.set(false);
                        picked.set(Vec::new());
                    }
                    Err(err) => error.set(Some(error_text(&err))),
                }
                busy.set(false);
            });
        }
    };
    let multiple = poll.with_untracked(|p| p.kind == PollKind::Multiple);
    let summary = move || {
        poll.with(|p| {
            let votes = match p.voters {
                1 => t_string!(i18n, poll.one_vote).to_string(),
                n => t_string!(i18n, poll.votes).replace("{n}", &n.to_string()),
            };
            let mut parts = vec![votes];
            if p.anonymous {
                parts.push(t_string!(i18n, poll.anonymous_note).to_string());
            }
            if p.kind == PollKind::Multiple {
                parts.push(t_string!(i18n, poll.several_note).to_string());
            }
            parts.join(" · ")
        })
    };
    view! {
        <div class="poll" role="group" aria-label=move || t_string!(i18n, poll.label)>
            {move || if choosing() {
                let cast = cast.clone();
                let options = poll.with(|p| p.options.iter().map(|o| o.label.clone()).collect::<Vec<_>>());
                let send_picked = {
                    let cast = cast.clone();
                    move |_| cast(picked.get_untracked())
                };
                view! {
                    <ul class="poll-options">
                        {options.into_iter().enumerate().map(|(n, text)| {
                            let n = n as u32;
                            let cast = cast.clone();
                            let chosen = move || picked.with(|p| p.contains(&n));
                            view! {
                                <li>
                                    {if multiple {
                                        view! {
                                            <label class="poll-pick">
                                                <input type="checkbox" prop:checked=chosen
                                                    on:change=move |_| picked.update(|p| if let Some(i) = p.iter().position(|x| *x == n) { p.remove(i); } else { p.push(n); }) />
                                                <span>{text}</span>
                                            </label>
                                        }.into_any()
                                    } else {
                                        view! {
                                            <button type="button" class="poll-choice" disabled=move || busy.get()
                                                on:click=move |_| cast(vec![n])>{text}</button>
                                        }.into_any()
                                    }}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <div class="poll-actions">
                        {multiple.then(|| view! {
                            <button type="button" class="button button-primary button-small"
                                disabled=move || busy.get() || picked.with(Vec::is_empty)
                                on:click=send_picked.clone()>{t!(i18n, poll.vote)}</button>
                        })}
                        {move || changing.get().then(|| view! {
                            <button type="button" class="button button-small" on:click=move |_| changing.set(false)>{t!(i18n, poll.cancel)}</button>
                        })}
                    </div>
                }.into_any()
            } else {
                let cast = cast.clone();
                let percents = poll.with(Poll::percents);
                let rows = poll.with(|p| p.options.clone());
                let my_choices = mine.with(|m| m.as_ref().map(|b| b.choices.clone()).unwrap_or_default());
                let top = rows.iter().map(|o| o.votes).max().unwrap_or(0);
                view! {
                    <ul class="poll-results">
                        {rows.into_iter().zip(percents).enumerate().map(|(n, (option, percent))| {
                            let mine = my_choices.contains(&(n as u32));
                            let leading = top > 0 && option.votes == top;
                            let names = option.voters.iter().map(|v| v.display_name.clone()).collect::<Vec<_>>().join(", ");
                            view! {
                                <li class="poll-result" class:mine=mine class:leading=leading>
                                    <div class="poll-bar" style=format!("--share: {percent}%")>
                                        <span class="poll-label">
                                            {mine.then(|| view! { <span class="poll-check" title=move || t_string!(i18n, poll.your_choice)>"✓ "</span> })}
                                            {option.label.clone()}
                                        </span>
                                        <span class="poll-percent">{format!("{percent}%")}</span>
                                    </div>
                                    {(!names.is_empty()).then(|| view! { <p class="poll-voters muted">{names}</p> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {move || (may_vote && !closed() && !voted() && asked).then(|| view! {
                        <div class="poll-actions">
                            <button type="button" class="link-button" on:click=move |_| changing.set(true)>{t!(i18n, poll.vote)}</button>
                        </div>
                    })}
                    {move || (may_vote && !closed() && voted()).then(|| {
                        let cast = cast.clone();
                        view! {
                            <div class="poll-actions">
                                <button type="button" class="link-button" on:click=move |_| {
                                    picked.set(mine.with_untracked(|m| m.as_ref().map(|b| b.choices.clone()).unwrap_or_default()));
                                    changing.set(true);
                                }>{t!(i18n, poll.change)}</button>
                                <button type="button" class="link-button" disabled=move || busy.get()
                                    on:click=move |_| cast(Vec::new())>{t!(i18n, poll.retract)}</button>
                            </div>
                        }
                    })}
                }.into_any()
            }}
            <p class="poll-summary muted">
                {summary}
                {move || {
                    let closes = poll.with(|p| p.closes_at.clone());
                    match (closed(), closes) {
                        (true, _) => view! { " · " <strong>{t!(i18n, poll.closed)}</strong> }.into_any(),
                        // With its day: "Closes 04:37" alone reads as today when it may be tomorrow.
                        (false, Some(at)) => view! { " · " {t!(i18n, poll.closes)} " " <When iso=at /> }.into_any(),
                        (false, None) => ().into_any(),
                    }
                }}
            </p>
            <p class="field-error" role="alert">{move || error.get()}</p>
        </div>
    }
}

/// The composer's "Ask a poll" form: a question, two to ten answers, one or several to pick,
/// anonymous or not, and when it closes.
#[component]
pub fn PollForm(channel_id: String, open: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let question = RwSignal::new(String::new());
    let answers = RwSignal::new(vec![String::new(), String::new()]);
    let several = RwSignal::new(false);
    let anonymous = RwSignal::new(false);
    let closes = RwSignal::new(String::from("never"));
    let target = RwSignal::new(false);
    let symbol = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let poll = NewPoll {
            question: question.get_untracked(),
            options: if target.get_untracked() {
                Vec::new()
            } else {
                answers.get_untracked()
            },
            kind: if target.get_untracked() {
                PollKind::Target
            } else if several.get_untracked() {
                PollKind::Multiple
            } else {
                PollKind::Single
            },
            symbol: target.get_untracked().then(|| symbol.get_untracked()),
            anonymous: anonymous.get_untracked(),
            closes_in_minutes: match closes.get_untracked().as_str() {
                "hour" => Some(60),
                "day" => Some(24 * 60),
                "three" => Some(3 * 24 * 60),
                "week" => Some(7 * 24 * 60),
                _ => None,
            },
        };
        busy.set(true);
        error.set(None);
        let channel_id = channel_id.clone();
        leptos::task::spawn_local(async move {
            match ask_poll(channel_id, poll).await {
                // The message arrives on the socket like any other.
                Ok(_) => open.set(false),
                Err(err) => error.set(Some(error_text(&err))),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="poll-form card" on:submit=submit aria-labelledby="poll-form-title">
            <h2 id="poll-form-title" class="poll-form-title">{t!(i18n, poll.ask_title)}</h2>
            <label class="field">
                <span>{t!(i18n, poll.question)}</span>
                <input type="text" required maxlength="300" prop:value=move || question.get()
                    placeholder=move || t_string!(i18n, poll.question_placeholder)
                    on:input=move |ev| question.set(event_target_value(&ev)) />
            </label>
            <label class="checkbox">
                <input type="checkbox" prop:checked=move || target.get() on:change=move |ev| target.set(event_target_checked(&ev)) />
                {t!(i18n, poll.target_kind)}
            </label>
            <Show when=move || target.get()>
                <label class="field">
                    <span>{t!(i18n, poll.target_symbol)}</span>
                    <input type="text" required maxlength="21" placeholder="$AAPL" prop:value=move || symbol.get()
                        on:input=move |ev| symbol.set(event_target_value(&ev)) />
                </label>
            </Show>
            <fieldset class="poll-answers" hidden=move || target.get()>
                <legend>{t!(i18n, poll.answers)}</legend>
                {move || (0..answers.with(Vec::len)).map(|n| {
                    let name = t_string!(i18n, poll.answer_n).replace("{n}", &(n + 1).to_string());
                    let remove = t_string!(i18n, poll.remove_answer).replace("{n}", &(n + 1).to_string());
                    view! {
                        <div class="poll-answer">
                            <input type="text" maxlength=OPTION_MAX_CHARS.to_string() aria-label=name.clone() placeholder=name
                                prop:value=move || answers.with(|a| a.get(n).cloned().unwrap_or_default())
                                on:input=move |ev| { let v = event_target_value(&ev); answers.update(|a| if let Some(x) = a.get_mut(n) { *x = v; }); } />
                            {(answers.with_untracked(Vec::len) > OPTIONS_MIN).then(|| view! {
                                <button type="button" class="icon-button" aria-label=remove.clone() title=remove
                                    on:click=move |_| answers.update(|a| { if n < a.len() { a.remove(n); } })>"×"</button>
                            })}
                        </div>
                    }
                }).collect_view()}
                <button type="button" class="link-button" disabled=move || { answers.with(Vec::len) >= OPTIONS_MAX }
                    on:click=move |_| answers.update(|a| a.push(String::new()))>{t!(i18n, poll.add_answer)}</button>
            </fieldset>
            <label class="checkbox" hidden=move || target.get()>
                <input type="checkbox" prop:checked=move || several.get() on:change=move |ev| several.set(event_target_checked(&ev)) />
                {t!(i18n, poll.several)}
            </label>
            <label class="checkbox">
                <input type="checkbox" prop:checked=move || anonymous.get() on:change=move |ev| anonymous.set(event_target_checked(&ev)) />
                {t!(i18n, poll.anonymous)}
            </label>
            <label class="field">
                <span>{t!(i18n, poll.closes_label)}</span>
                <select on:change=move |ev| closes.set(event_target_value(&ev))>
                    <option value="never" selected>{t!(i18n, poll.never)}</option>
                    <option value="hour">{t!(i18n, poll.in_hour)}</option>
                    <option value="day">{t!(i18n, poll.in_day)}</option>
                    <option value="three">{t!(i18n, poll.in_three_days)}</option>
                    <option value="week">{t!(i18n, poll.in_week)}</option>
                </select>
            </label>
            <p class="field-error" role="alert">{move || error.get()}</p>
            <div class="poll-form-actions">
                <button type="button" class="button" on:click=move |_| open.set(false)>{t!(i18n, poll.cancel)}</button>
                <button type="submit" class="button button-primary" disabled=move || busy.get()>{t!(i18n, poll.ask)}</button>
            </div>
        </form>
    }
}

/// `1234.5` as `1,234.50`-free plain money: two decimals, more under a dollar.
fn money(value: f64) -> String {
    if value.abs() < 1.0 {
        format!("{value:.4}")
    } else {
        format!("{value:.2}")
    }
}

/// A price-target poll under its question: a number to name until one has, then the answers'
/// distribution with the stock's price on it (refreshed each minute), the median, and who said
/// what unless it is anonymous.
#[component]
pub fn TargetPollCard(message_id: String, poll: Poll, may_vote: bool) -> impl IntoView {
    let i18n = use_i18n();
    let price = RwSignal::new(poll.targets.as_ref().and_then(|t| t.price.clone()));
    let poll = RwSignal::new(poll);
    let store = ballots();
    let mine = {
        let (store, id) = (store.clone(), message_id.clone());
        Signal::derive(move || store.with(|all| all.get(&id).and_then(|b| b.target)))
    };
    let typed = RwSignal::new(String::new());
    let changing = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let now = RwSignal::new(0.0f64);
    {
        let message_id = message_id.clone();
        Effect::new(move |_| {
            now.set(now_ms());
            let refresh = {
                let message_id = message_id.clone();
                move || {
                    now.set(now_ms());
                    let message_id = message_id.clone();
                    leptos::task::spawn_local(async move {
                        if let Ok(fresh) = poll_price(message_id).await {
                            price.set(fresh);
                        }
                    });
                }
            };
            refresh();
            // Quotes are cached for a minute: asking more often would show nothing new.
            let handle = set_interval_with_handle(refresh, std::time::Duration::from_secs(60));
            on_cleanup(move || {
                if let Ok(handle) = handle {
                    handle.clear();
                }
            });
        });
    }
    if may_vote {
        let (store, message_id) = (store.clone(), message_id.clone());
        Effect::new(move |_| {
            let (store, message_id) = (store.clone(), message_id.clone());
            leptos::task::spawn_local(async move {
                if let Ok(found) = my_ballot(message_id.clone()).await {
                    store.update(|all| {
                        all.entry(message_id).or_insert(found);
                    });
                }
            });
        });
    }
    let closed = move || poll.with(|p| p.closed_at(now.get()));
    let cast = {
        let (store, message_id) = (store.clone(), message_id.clone());
        move |target: Option<f64>| {
            busy.set(true);
            error.set(None);
            let (store, message_id) = (store.clone(), message_id.clone());
            leptos::task::spawn_local(async move {
                match vote(message_id.clone(), Vec::new(), target).await {
                    Ok(done) => {
                        store.update(|all| {
                            all.insert(message_id, done.ballot);
                        });
                        if let Some(fresh) =
                            done.poll.targets.as_ref().and_then(|t| t.price.clone())
                        {
                            price.set(Some(fresh));
                        }
                        poll.set(done.poll);
                        changing.set(false);
                        typed.set(String::new());
                    }
                    Err(err) => error.set(Some(error_text(&err))),
                }
                busy.set(false);
            });
        }
    };
    let submit = {
        let cast = cast.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            match typed
                .get_untracked()
                .trim()
                .trim_start_matches('$')
                .replace(',', ".")
                .parse::<f64>()
            {
                Ok(n) => cast(Some(n)),
                Err(_) => error.set(Some(t_string!(i18n, poll.target_number).to_string())),
            }
        }
    };
    let symbol = poll.with_untracked(|p| p.symbol.clone().unwrap_or_default());
    let field_label = t_string!(i18n, poll.target_yours).replace("{symbol}", &symbol);
    let naming = move || may_vote && !closed() && (mine.get().is_none() || changing.get());
    view! {
        <div class="poll target-poll" role="group" aria-label=move || t_string!(i18n, poll.target_label)>
            <Show when=naming>
                <form class="target-form" on:submit=submit.clone()>
                    <label class="field">
                        <span>{field_label.clone()}</span>
                        <input type="text" inputmode="decimal" required prop:value=move || typed.get()
                            on:input=move |ev| typed.set(event_target_value(&ev)) />
                    </label>
                    <button type="submit" class="button button-primary button-small" disabled=move || busy.get()>{t!(i18n, poll.vote)}</button>
                </form>
            </Show>
            {move || {
                let (spread, voters) = poll.with(|p| (p.targets.clone().unwrap_or_default(), p.voters));
                let live = price.get();
                let (lo, hi) = spread.bins.first().zip(spread.bins.last()).map(|(a, b)| (a.from, b.to)).unwrap_or((0.0, 0.0));
                let top = spread.bins.iter().map(|b| b.count).max().unwrap_or(0).max(1);
                let at = |value: f64| if hi > lo { ((value - lo) / (hi - lo) * 100.0).clamp(0.0, 100.0) } else { 50.0 };
                let chart = (voters > 0).then(|| {
                    let describe = t_string!(i18n, poll.target_chart).replace("{n}", &voters.to_string());
                    view! {
                        <div class="target-chart" role="img" aria-label=describe>
                            <ul class="target-bins">
                                {spread.bins.iter().map(|bin| {
                                    let share = bin.count as f64 * 100.0 / top as f64;
                                    view! {
                                        <li class="target-bin" style=format!("--share: {share:.0}%") title=format!("{}–{}: {}", money(bin.from), money(bin.to), bin.count)></li>
                                    }
                                }).collect_view()}
                            </ul>
                            {live.as_ref().map(|p| view! {
                                <span class="target-price" style=format!("--at: {:.1}%", at(p.price))></span>
                            })}
                            <div class="target-axis muted"><span>{money(lo)}</span><span>{money(hi)}</span></div>
                        </div>
                    }
                });
                let mut facts = vec![match voters {
                    1 => t_string!(i18n, poll.one_target).to_string(),
                    n => t_string!(i18n, poll.targets).replace("{n}", &n.to_string()),
                }];
                if let Some(median) = spread.median {
                    facts.push(t_string!(i18n, poll.median).replace("{value}", &money(median)));
                }
                let price_line = live.map(|p: PricePoint| {
                    let text = t_string!(i18n, poll.price_now).replace("{symbol}", &symbol).replace("{value}", &money(p.price));
                    view! {
                        <p class="target-live">
                            <span class="target-price-key" aria-hidden="true"></span>
                            {text}
                            {p.simulated.then(|| view! { " " <span class="badge">{t!(i18n, poll.simulated)}</span> })}
                        </p>
                    }
                });
                let names = spread.guesses.iter().map(|g| format!("{}: {}", g.person.display_name, money(g.target))).collect::<Vec<_>>().join(", ");
                view! {
                    {chart}
                    {price_line}
                    <p class="poll-summary muted">{facts.join(" · ")}</p>
                    {(!names.is_empty()).then(|| view! { <p class="poll-voters muted">{names}</p> })}
                }
            }}
            {move || mine.get().map(|target| {
                let cast = cast.clone();
                view! {
                    <p class="target-mine">
                        {t_string!(i18n, poll.target_mine).replace("{value}", &money(target))}
                        {(may_vote && !closed()).then(|| view! {
                            " "
                            <button type="button" class="link-button" on:click=move |_| changing.set(true)>{t!(i18n, poll.change)}</button>
                            " "
                            <button type="button" class="link-button" disabled=move || busy.get()
                                on:click=move |_| cast(None)>{t!(i18n, poll.retract)}</button>
                        })}
                    </p>
                }
            })}
            <Show when=closed>
                <p class="poll-summary"><strong>{t!(i18n, poll.closed)}</strong></p>
            </Show>
            <p class="field-error" role="alert">{move || error.get()}</p>
        </div>
    }
}
