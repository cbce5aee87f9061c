//! "Catch me up": the few unread messages that say most of what was missed, as they were
//! written (and, on request, also in the reader's language), each a link back to its message.

use leptos::prelude::*;

use crate::chat::ui::state::ChannelState;
use crate::kit::languages::language_name;
use crate::{
    auth::ui::pages::error_text,
    kit::i18n::{t, t_string, use_i18n},
    moderation::{api::catch_up, CatchUp, Recap, RecapPart},
};

#[component]
pub fn CatchUpPanel(channel_id: String, since_seq: i64, close: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let translate = RwSignal::new(false);
    let summary = Resource::new(
        move || translate.get(),
        move |translate| catch_up(channel_id.clone(), translate, Some(since_seq)),
    );
    view! {
        <aside class="catch-up-panel card" aria-labelledby="catch-up-title">
            <div class="panel-head">
                <h2 id="catch-up-title">{t!(i18n, chat.catch_up_title)}</h2>
                <label class="checkbox">
                    <input type="checkbox" prop:checked=move || translate.get()
                        on:change=move |ev| translate.set(event_target_checked(&ev)) />
                    {t!(i18n, chat.catch_up_mine)}
                </label>
                <button type="button" class="link-button" on:click=move |_| close.set(false)>{t!(i18n, chat.dismiss)}</button>
            </div>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
                {move || Suspend::new(async move {
                    match summary.await {
                        Ok(found) => view! { <Summary found /> }.into_any(),
                        Err(err) => view! { <p class="form-error" role="alert">{error_text(&err)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </aside>
    }
}

#[component]
fn Summary(found: CatchUp) -> impl IntoView {
    let i18n = use_i18n();
    let jump = expect_context::<ChannelState>().jump;
    if found.highlights.is_empty() {
        return view! { <p class="muted">{t!(i18n, chat.catch_up_none)}</p> }.into_any();
    }
    let people = found
        .people
        .iter()
        .map(|p| p.display_name.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let headline = t_string!(i18n, chat.catch_up_summary)
        .replace("{n}", &found.unread.to_string())
        .replace("{people}", &people);
    view! {
        <p class="catch-up-headline">{headline}</p>
        {found.recap.map(|recap| view! { <RecapText recap /> })}
        <ul class="catch-up-list">
            {found.highlights.into_iter().map(|h| {
                let seq = h.seq;
                let language = h.language.clone();
                let name = language.as_deref().map(|code| language_name(i18n.get_locale(), code));
                view! {
                    <li>
                        <strong>{h.author.display_name.clone()}</strong>
                        {name.map(|n| view! { <span class="badge language-badge">{n}</span> })}
                        <q lang=language>{h.text.clone()}</q>
                        {h.translated.clone().map(|text| view! { <span class="catch-up-translated muted">{text}</span> })}
                        <button type="button" class="link-button" on:click=move |_| jump.run(seq)>{t!(i18n, chat.jump)}</button>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// A hosted model's account of the backlog; each citation is a numbered link to its message.
#[component]
fn RecapText(recap: Recap) -> impl IntoView {
    let i18n = use_i18n();
    let jump = expect_context::<ChannelState>().jump;
    let byline = t_string!(i18n, chat.catch_up_recap_by).replace("{engine}", &recap.engine);
    let mut cited = 0;
    let parts = recap
        .parts
        .into_iter()
        .map(|part| match part {
            RecapPart::Text { text } => text.into_any(),
            RecapPart::Source { seq, author, .. } => {
                cited += 1;
                let label =
                    t_string!(i18n, chat.catch_up_source).replace("{name}", &author.display_name);
                view! {
                    <sup>
                        <button type="button" class="link-button recap-source" title=label.clone()
                            aria-label=format!("{cited}: {label}") on:click=move |_| jump.run(seq)>
                            {cited}
                        </button>
                    </sup>
                }
                .into_any()
            }
        })
        .collect_view();
    view! {
        <section class="catch-up-recap">
            <p lang=recap.language>{parts}</p>
            <p class="muted recap-byline">{byline}</p>
        </section>
    }
}
