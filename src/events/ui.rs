//! Events in the browser: the card under an event's announcement (when, in the reader's zone
//! and the organiser's; going / maybe / not going with counts and who; add to calendar), the
//! composer's form to plan one, and a community's calendar page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

use super::{
    api::{answer_event, edit_event, load_calendar, next_earnings_day, plan_event},
    community_ics_href, event_ics_href, Answer, CalendarEntry, Event, NewEvent,
    DESCRIPTION_MAX_CHARS, EARNINGS_TIME_ZONE, REMIND_CHOICES, REMIND_DEFAULT, TITLE_MAX_CHARS,
};
use crate::{
    auth::ui::{pages::error_text, session::use_session},
    kit::{
        i18n::{t, t_string, use_i18n},
        time::{device_zone, now_ms, When},
    },
};

/// Milliseconds since the epoch of an RFC 3339 time, in the browser (none on the server).
fn ms_of(iso: &str) -> Option<f64> {
    #[cfg(feature = "hydrate")]
    {
        let ms = js_sys::Date::parse(iso);
        (!ms.is_nan()).then_some(ms)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = iso;
        None
    }
}

/// A message's event as its part of the message (`conversation::ui::PART_VIEWS`);
/// `may_answer`: the reader may react in the channel.
pub fn part_view(message: &crate::chat::ChatMessage, may_answer: bool) -> Option<AnyView> {
    let event = Event::of(message)?;
    Some(view! { <EventCard event may_answer /> }.into_any())
}

/// An event under its announcement. `may_answer`: the reader may take part here.
#[component]
pub fn EventCard(event: Event, may_answer: bool) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let event = RwSignal::new(event);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // Over once it ended (or, without an end, an hour after it began) — known in the browser.
    let over = RwSignal::new(false);
    Effect::new(move |_| {
        let end = event.with_untracked(|e| {
            e.ends_at
                .as_deref()
                .and_then(ms_of)
                .or_else(|| ms_of(&e.starts_at).map(|s| s + 3_600_000.0))
        });
        over.set(end.is_some_and(|end| end <= now_ms()));
    });
    let zone_differs = RwSignal::new(false);
    Effect::new(move |_| {
        let theirs = event.with_untracked(|e| e.time_zone.clone());
        zone_differs.set(device_zone().is_some_and(|mine| mine != theirs));
    });
    let mine = move || {
        let me = session.user().map(|u| u.id)?;
        event.with(|e| e.answer_of(&me))
    };
    let say = move |answer: Answer| {
        // Pressing one's own answer again takes it back.
        let said = (mine() != Some(answer)).then_some(answer);
        let id = event.with_untracked(|e| e.id.clone());
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match answer_event(id, said).await {
                Ok(changed) => event.set(changed),
                Err(err) => error.set(Some(error_text(&err))),
            }
            busy.set(false);
        });
    };
    let label = move |answer: Answer| match answer {
        Answer::Going => t_string!(i18n, events.going).to_string(),
        Answer::Maybe => t_string!(i18n, events.maybe).to_string(),
        Answer::Declined => t_string!(i18n, events.declined).to_string(),
    };
    // Its organiser may change it until it is over.
    let organiser = move || {
        session
            .user()
            .is_some_and(|me| event.with(|e| e.organiser_id == me.id))
    };
    let editing = RwSignal::new(false);
    view! {
        <div class="event" role="group" aria-label=move || t_string!(i18n, events.label)>
            {move || {
                let snapshot = event.get();
                view! {
                    <p class="event-when">
                        <crate::kit::icons::Icon name=crate::kit::icons::IconName::Calendar />
                        <span>
                            <When iso=snapshot.starts_at.clone() />
                            {snapshot.ends_at.clone().map(|end| view! { " – " <When iso=end /> })}
                        </span>
                    </p>
                    <Show when=move || zone_differs.get()>
                        <p class="event-zone muted">
                            {t!(i18n, events.organiser_time)} " "
                            <When iso=snapshot.starts_at.clone() zone=snapshot.time_zone.clone() />
                            " (" {snapshot.time_zone.clone()} ")"
                        </p>
                    </Show>
                    {snapshot.symbol.clone().map(|symbol| view! {
                        <p class="event-symbol">
                            <A href=format!("/markets/{}", symbol.to_lowercase()) attr:class="cashtag">{format!("${symbol}")}</A>
                        </p>
                    })}
                }
            }}
            <p class="event-counts">
                {move || event.with(|e| Answer::ALL.iter().map(|a| {
                    t_string!(i18n, events.count).replace("{n}", &e.count(*a).to_string()).replace("{answer}", &label(*a).to_lowercase())
                }).collect::<Vec<_>>().join(" · "))}
            </p>
            <Show when=move || may_answer && !over.get()>
                <div class="event-answers" role="group" aria-label=move || t_string!(i18n, events.your_answer)>
                    {Answer::ALL.into_iter().map(|answer| view! {
                        <button type="button" class="button button-small event-answer"
                            aria-pressed=move || (mine() == Some(answer)).to_string()
                            disabled=move || busy.get()
                            on:click=move |_| say(answer)>{move || label(answer)}</button>
                    }).collect_view()}
                </div>
            </Show>
            <Show when=move || over.get()>
                <p class="event-over muted"><strong>{t!(i18n, events.over)}</strong></p>
            </Show>
            {move || {
                let people = event.with(|e| Answer::ALL.into_iter().filter_map(|a| {
                    let names: Vec<String> = e.attendees.iter().filter(|p| p.answer == a).map(|p| p.person.display_name.clone()).collect();
                    (!names.is_empty()).then(|| format!("{}: {}", label(a), names.join(", ")))
                }).collect::<Vec<_>>());
                (!people.is_empty()).then(|| view! {
                    <ul class="event-people muted">{people.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
                })
            }}
            <p class="event-links">
                <a href=event_ics_href(&event.with_untracked(|e| e.id.clone())) download>{t!(i18n, events.add_to_calendar)}</a>
                {move || {
                    let minutes = event.with(|e| e.remind_minutes);
                    (minutes > 0).then(|| view! { <span class="muted">{reminder_text(i18n, minutes)}</span> })
                }}
                <Show when=move || organiser() && !over.get() && !editing.get()>
                    <button type="button" class="link-button" on:click=move |_| editing.set(true)>
                        {t!(i18n, events.edit)}
                    </button>
                </Show>
            </p>
            <p class="field-error" role="alert">{move || error.get()}</p>
            <Show when=move || editing.get()>
                <EventForm channel_id=String::new() open=editing editing=event />
            </Show>
        </div>
    }
}

/// "Reminder 15 minutes before" in the reader's language.
fn reminder_text(i18n: leptos_i18n::I18nContext<crate::kit::i18n::Locale>, minutes: u32) -> String {
    match minutes {
        1440 => t_string!(i18n, events.reminder_day).to_string(),
        60 => t_string!(i18n, events.reminder_hour).to_string(),
        n => t_string!(i18n, events.reminder_minutes).replace("{n}", &n.to_string()),
    }
}

/// The composer's "Plan an event" form: title, description, start and end in the organiser's
/// zone (the device's unless changed), a $cashtag, and when to remind those going.
///
/// With `editing`, the form changes that event instead (its organiser's), filled with it as
/// planned, on the organiser's wall clock; the card shows the answer.
#[component]
pub fn EventForm(
    channel_id: String,
    open: RwSignal<bool>,
    #[prop(optional)] editing: Option<RwSignal<Event>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let was = editing.map(|e| e.get_untracked());
    let title = RwSignal::new(was.as_ref().map(|e| e.title.clone()).unwrap_or_default());
    let description = RwSignal::new(
        was.as_ref()
            .map(|e| e.description.clone())
            .unwrap_or_default(),
    );
    let starts = RwSignal::new(
        was.as_ref()
            .map(|e| e.starts_local.clone())
            .unwrap_or_default(),
    );
    let ends = RwSignal::new(
        was.as_ref()
            .and_then(|e| e.ends_local.clone())
            .unwrap_or_default(),
    );
    let zone = RwSignal::new(
        was.as_ref()
            .map(|e| e.time_zone.clone())
            .unwrap_or_default(),
    );
    let symbol = RwSignal::new(
        was.as_ref()
            .and_then(|e| e.symbol.clone())
            .unwrap_or_default(),
    );
    let remind = RwSignal::new(was.as_ref().map_or(REMIND_DEFAULT, |e| e.remind_minutes));
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    if editing.is_none() {
        Effect::new(move |_| {
            if let Some(device) = device_zone() {
                zone.set(device);
            }
        });
    }
    // Tying the event to a company's earnings: its next report day from the market's calendar
    // becomes the start, in New York time, where US companies report.
    let earnings_note = RwSignal::new(None::<String>);
    let use_earnings = move |_| {
        busy.set(true);
        error.set(None);
        earnings_note.set(None);
        leptos::task::spawn_local(async move {
            match next_earnings_day(symbol.get_untracked()).await {
                Ok(day) => {
                    starts.set(day.starts_local());
                    zone.set(EARNINGS_TIME_ZONE.to_string());
                    if title.with_untracked(|t| t.trim().is_empty()) {
                        title.set(
                            t_string!(i18n, events.earnings_title)
                                .replace("{symbol}", &format!("${}", day.symbol)),
                        );
                    }
                    earnings_note.set(Some(
                        t_string!(i18n, events.earnings_found)
                            .replace("{date}", &day.date)
                            .replace("{source}", &day.source),
                    ));
                }
                Err(err) => error.set(Some(error_text(&err))),
            }
            busy.set(false);
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let optional = |s: String| (!s.trim().is_empty()).then_some(s);
        let event = NewEvent {
            title: title.get_untracked(),
            description: description.get_untracked(),
            starts: starts.get_untracked(),
            ends: optional(ends.get_untracked()),
            time_zone: optional(zone.get_untracked()),
            symbol: optional(symbol.get_untracked()),
            remind_minutes: remind.get_untracked(),
        };
        busy.set(true);
        error.set(None);
        let channel_id = channel_id.clone();
        leptos::task::spawn_local(async move {
            let done = match editing {
                Some(card) => {
                    let id = card.with_untracked(|e| e.id.clone());
                    edit_event(id, event).await.map(|changed| card.set(changed))
                }
                // The announcement arrives on the socket like any message.
                None => plan_event(channel_id, event).await.map(drop),
            };
            match done {
                Ok(()) => open.set(false),
                Err(err) => error.set(Some(error_text(&err))),
            }
            busy.set(false);
        });
    };
    // Two forms may be on a page (the composer's and a card's): their headings' ids differ.
    let heading_id = if editing.is_some() {
        "event-edit-title"
    } else {
        "event-form-title"
    };
    view! {
        <form class="poll-form event-form card" on:submit=submit aria-labelledby=heading_id>
            <h2 id=heading_id class="poll-form-title">
                {if editing.is_some() { t!(i18n, events.edit_title).into_any() } else { t!(i18n, events.plan_title).into_any() }}
            </h2>
            <label class="field">
                <span>{t!(i18n, events.title)}</span>
                <input type="text" required maxlength=TITLE_MAX_CHARS.to_string() prop:value=move || title.get()
                    placeholder=move || t_string!(i18n, events.title_placeholder)
                    on:input=move |ev| title.set(event_target_value(&ev)) />
            </label>
            <label class="field">
                <span>{t!(i18n, events.description)}</span>
                <textarea rows="3" maxlength=DESCRIPTION_MAX_CHARS.to_string() prop:value=move || description.get()
                    on:input=move |ev| description.set(event_target_value(&ev))></textarea>
            </label>
            <div class="event-form-times">
                <label class="field">
                    <span>{t!(i18n, events.starts)}</span>
                    <input type="datetime-local" required prop:value=move || starts.get()
                        on:input=move |ev| starts.set(event_target_value(&ev)) />
                </label>
                <label class="field">
                    <span>{t!(i18n, events.ends)}</span>
                    <input type="datetime-local" prop:value=move || ends.get()
                        on:input=move |ev| ends.set(event_target_value(&ev)) />
                </label>
            </div>
            <label class="field">
                <span>{t!(i18n, events.time_zone)}</span>
                <input type="text" maxlength="64" prop:value=move || zone.get()
                    on:input=move |ev| zone.set(event_target_value(&ev)) />
            </label>
            <div class="event-form-times">
                <div class="field">
                    <label class="field">
                        <span>{t!(i18n, events.symbol)}</span>
                        <input type="text" maxlength="21" placeholder="$AAPL" prop:value=move || symbol.get()
                            on:input=move |ev| symbol.set(event_target_value(&ev)) />
                    </label>
                    <button type="button" class="button button-small event-earnings"
                        disabled=move || busy.get() || symbol.with(|s| s.trim().is_empty())
                        on:click=use_earnings>
                        {t!(i18n, events.use_earnings)}
                    </button>
                </div>
                <label class="field">
                    <span>{t!(i18n, events.reminder)}</span>
                    <select on:change=move |ev| remind.set(event_target_value(&ev).parse().unwrap_or(REMIND_DEFAULT))>
                        {REMIND_CHOICES.into_iter().map(|n| view! {
                            <option value=n.to_string() selected=move || n == remind.get_untracked()>
                                {move || if n == 0 { t_string!(i18n, events.no_reminder).to_string() } else { reminder_text(i18n, n) }}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <p class="muted event-earnings-note" role="status">{move || earnings_note.get()}</p>
            <p class="field-error" role="alert">{move || error.get()}</p>
            <div class="poll-form-actions">
                <button type="button" class="button" on:click=move |_| open.set(false)>{t!(i18n, events.cancel)}</button>
                <button type="submit" class="button button-primary" disabled=move || busy.get()>
                    {if editing.is_some() { t!(i18n, events.save).into_any() } else { t!(i18n, events.plan).into_any() }}
                </button>
            </div>
        </form>
    }
}

/// A community's calendar: upcoming events soonest first, then past ones; each answerable
/// where it stands, each leading to its announcement; the whole as an `.ics` file.
#[component]
pub fn CalendarPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let slug = move || params.read().get("community").unwrap_or_default();
    let calendar = Resource::new(slug, load_calendar);
    let session = use_session();
    let entry = move |slug: String, entry: CalendarEntry, signed_in: bool| {
        let href = format!("/c/{slug}/{}?at={}", entry.channel_name, entry.seq);
        let (title, description) = (entry.event.title.clone(), entry.event.description.clone());
        view! {
            <li class="calendar-entry card">
                <h3 class="calendar-entry-title"><A href=href>{title}</A></h3>
                <p class="muted calendar-entry-where">
                    {format!("#{}", entry.channel_name)} " · "
                    {t_string!(i18n, events.organised_by).replace("{name}", &entry.organiser.display_name)}
                </p>
                {(!description.is_empty()).then(|| view! {
                    <p class="calendar-entry-description">{description}</p>
                })}
                <EventCard event=entry.event may_answer=signed_in />
            </li>
        }
    };
    view! {
        <Title text=move || t_string!(i18n, events.calendar_title) />
        <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
            {move || Suspend::new(async move {
                // Who reads it, awaited with the page: read without waiting, the server could
                // render the cards before the session resolved and the browser after — two
                // different pages, and a hydration panic.
                let signed_in = session.resource().await.ok().flatten().is_some();
                calendar.await.map(|calendar| {
                    let slug = slug();
                    let (upcoming, past) = (calendar.upcoming.clone(), calendar.past.clone());
                    view! {
                        <div class="section-head calendar-head">
                            <div>
                                <h1 class="page-title">{t!(i18n, events.calendar_title)}</h1>
                                <p class="muted">
                                    <A href=format!("/c/{slug}")>{calendar.community_name.clone()}</A>
                                </p>
                            </div>
                            <a class="button button-small" href=community_ics_href(&slug) download>
                                {t!(i18n, events.download_calendar)}
                            </a>
                        </div>
                        <section aria-labelledby="upcoming-events">
                            <h2 id="upcoming-events" class="section-title">{t!(i18n, events.upcoming)}</h2>
                            {if upcoming.is_empty() {
                                view! { <p class="muted">{t!(i18n, events.none_upcoming)}</p> }.into_any()
                            } else {
                                let slug = slug.clone();
                                view! { <ul class="calendar-list">{upcoming.into_iter().map(|e| entry(slug.clone(), e, signed_in)).collect_view()}</ul> }.into_any()
                            }}
                        </section>
                        {(!past.is_empty()).then(|| {
                            let slug = slug.clone();
                            view! {
                                <section aria-labelledby="past-events">
                                    <h2 id="past-events" class="section-title">{t!(i18n, events.past)}</h2>
                                    <ul class="calendar-list">{past.into_iter().map(|e| entry(slug.clone(), e, signed_in)).collect_view()}</ul>
                                </section>
                            }
                        })}
                    }
                })
            })}
        </Transition>
    }
}
