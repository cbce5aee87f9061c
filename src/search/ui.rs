//! The search page (`/search?q=…`): one box, then messages, people and channels that match.
//! The address holds the query, so a search can be shared, reloaded and gone back to.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use super::{
    api::{search, search_people},
    MessageHit, Results, Snip,
};
use crate::{
    auth::ui::pages::error_text,
    kit::{
        i18n::{t, t_string, use_i18n},
        time::When,
    },
};

#[component]
pub fn SearchPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    // What is in the box as it is typed (the address holds what was searched).
    let typed = RwSignal::new(String::new());
    let field = NodeRef::<leptos::html::Input>::new();
    let found = Resource::new(q, |q| async move {
        if q.trim().is_empty() {
            Ok(None)
        } else {
            search(q, None, None).await.map(Some)
        }
    });
    view! {
        <Title text=move || t_string!(i18n, search.title) />
        <section class="page search-page">
            <h1>{t!(i18n, search.title)}</h1>
            <form method="get" action="/search" class="search-form" role="search">
                <label for="search-q" class="visually-hidden">{t!(i18n, search.label)}</label>
                <input id="search-q" type="search" name="q" prop:value=q maxlength=super::QUERY_MAX node_ref=field
                    placeholder=move || t_string!(i18n, search.placeholder) autocomplete="off"
                    aria-describedby="search-people"
                    on:input=move |ev| typed.set(event_target_value(&ev)) />
                <button type="submit" class="button">{t!(i18n, search.submit)}</button>
            </form>
            <FromSuggestions typed field />
            <p class="muted search-hint">{t!(i18n, search.hint)}</p>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, settings.loading)}</p> }>
                {move || Suspend::new(async move {
                    match found.await {
                        Ok(Some(results)) => view! { <Found results /> }.into_any(),
                        Ok(None) => ().into_any(),
                        Err(err) => view! { <p class="form-error" role="alert">{error_text(&err)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The name after a `from:` being typed at the end of the box (`from:an` → "an"), if any.
fn from_typed(text: &str) -> Option<&str> {
    let last = text.rsplit(char::is_whitespace).next()?;
    let name = last.strip_prefix("from:")?.trim_start_matches('@');
    (!name.is_empty()).then_some(name)
}

/// While `from:` is typed: the people it may mean, by name and username, as Slack's search
/// suggests them. Picking one writes their username into the box.
#[component]
fn FromSuggestions(typed: RwSignal<String>, field: NodeRef<leptos::html::Input>) -> impl IntoView {
    let i18n = use_i18n();
    let name = Memo::new(move |_| typed.with(|t| from_typed(t).map(str::to_string)));
    let people = Resource::new(
        move || name.get(),
        |name| async move {
            match name {
                Some(name) => search_people(name).await.unwrap_or_default(),
                None => Vec::new(),
            }
        },
    );
    let pick = move |username: String| {
        let text = typed.get_untracked();
        let start = text
            .rfind(|c: char| c.is_whitespace())
            .map_or(0, |at| at + 1);
        let next = format!("{}from:{username} ", &text[..start]);
        if let Some(input) = field.get_untracked() {
            input.set_value(&next);
            let _ = input.focus();
        }
        typed.set(next);
    };
    view! {
        <div id="search-people" aria-live="polite">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let found = people.await;
                    (!found.is_empty() && name.get_untracked().is_some()).then(|| view! {
                        <ul class="search-suggestions" aria-label=move || t_string!(i18n, search.from_suggestions)>
                            {found.into_iter().map(|person| {
                                let username = person.username.clone();
                                view! {
                                    <li>
                                        <button type="button" class="pill" on:click=move |_| pick(username.clone())>
                                            {person.display_name.clone()} " " <span class="muted">"@" {person.username.clone()}</span>
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })
                })}
            </Transition>
        </div>
    }
}

#[component]
fn Found(results: Results) -> impl IntoView {
    let i18n = use_i18n();
    if results.messages.is_empty()
        && results.people.is_empty()
        && results.channels.is_empty()
        && results.similar.is_empty()
    {
        return view! { <p class="muted">{t!(i18n, search.none)}</p> }.into_any();
    }
    let people = (!results.people.is_empty()).then(|| {
        view! {
            <h2>{t!(i18n, search.people)}</h2>
            <ul class="search-names">
                {results.people.into_iter().map(|p| view! {
                    <li><A href=format!("/u/{}", p.username)>{p.display_name}" "<span class="muted">"@"{p.username}</span></A></li>
                }).collect_view()}
            </ul>
        }
    });
    let channels = (!results.channels.is_empty()).then(|| {
        view! {
            <h2>{t!(i18n, search.channels)}</h2>
            <ul class="search-names">
                {results.channels.into_iter().map(|c| view! {
                    <li><A href=format!("/c/{}/{}", c.community_slug, c.name)>"#"{c.name}" "<span class="muted">{c.community_name}</span></A></li>
                }).collect_view()}
            </ul>
        }
    });
    let messages = (!results.messages.is_empty()).then(|| {
        view! {
            <h2>{t!(i18n, search.messages)}</h2>
            <ol class="search-hits">
                {results.messages.into_iter().map(|hit| view! { <Hit hit /> }).collect_view()}
            </ol>
        }
    });
    // Found by meaning, apart from what the words found: the reader knows why each is here.
    let similar = (!results.similar.is_empty()).then(|| {
        view! {
            <h2>{t!(i18n, search.similar)}</h2>
            <p class="muted search-hint">{t!(i18n, search.similar_hint)}</p>
            <ol class="search-hits search-similar">
                {results.similar.into_iter().map(|hit| view! { <Hit hit /> }).collect_view()}
            </ol>
        }
    });
    view! { {people} {channels} {messages} {similar} }.into_any()
}

#[component]
fn Hit(hit: MessageHit) -> impl IntoView {
    let i18n = use_i18n();
    let (place, href) = if hit.direct {
        (
            t_string!(i18n, direct.title).to_string(),
            format!("/messages/{}?at={}", hit.community_slug, hit.seq),
        )
    } else {
        (
            t_string!(i18n, search.place)
                .replace("{channel}", &hit.channel_name)
                .replace("{community}", &hit.community_name),
            format!(
                "/c/{}/{}?at={}",
                hit.community_slug, hit.channel_name, hit.seq
            ),
        )
    };

    view! {
        <li class="search-hit card">
            <div class="search-hit-head">
                <strong>{hit.author.display_name.clone()}</strong>
                <span class="muted">{place}" · "<When iso=hit.created_at.clone() /></span>
            </div>
            <p class="search-snippet">{snippet(hit.snippet)}</p>
            <A href=href attr:class="link-button">{t!(i18n, search.open)}</A>
        </li>
    }
}

fn snippet(pieces: Vec<Snip>) -> impl IntoView {
    pieces
        .into_iter()
        .map(|piece| {
            if piece.hit {
                view! { <mark>{piece.text}</mark> }.into_any()
            } else {
                piece.text.into_any()
            }
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::from_typed;

    #[test]
    fn the_name_after_a_from_being_typed_is_read_at_the_end_of_the_box() {
        assert_eq!(from_typed("fed from:an"), Some("an"));
        assert_eq!(from_typed("from:@Ana"), Some("Ana"));
        assert_eq!(from_typed("from:"), None);
        assert_eq!(
            from_typed("from:ana fed"),
            None,
            "the last word is what is typed"
        );
        assert_eq!(from_typed("in:general"), None);
    }
}
