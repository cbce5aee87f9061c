//! Renders a parsed message (`chat::markdown`) as views. Text is always a text node, so nothing
//! a person types can become markup.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::kit::{
    markdown::{self, Block, Inline},
    people::use_known_people,
};

/// A message body; mentions of `me` are highlighted.
pub fn rich_text(body: &str, me: Option<String>) -> AnyView {
    markdown::parse(body)
        .into_iter()
        .map(|block| match block {
            Block::Paragraph(inlines) => view! { <p>{inline_views(inlines, &me)}</p> }.into_any(),
            Block::Quote(inlines) => {
                view! { <blockquote>{inline_views(inlines, &me)}</blockquote> }.into_any()
            }
            Block::List { ordered, items } => {
                let items = items
                    .into_iter()
                    .map(|item| view! { <li>{inline_views(item, &me)}</li> })
                    .collect_view();
                if ordered {
                    view! { <ol>{items}</ol> }.into_any()
                } else {
                    view! { <ul>{items}</ul> }.into_any()
                }
            }
            Block::Code(code) => view! { <pre><code>{code}</code></pre> }.into_any(),
        })
        .collect_view()
        .into_any()
}

fn inline_views(inlines: Vec<Inline>, me: &Option<String>) -> AnyView {
    inlines
        .into_iter()
        .map(|inline| match inline {
            Inline::Text(text) => text.into_any(),
            Inline::Bold(inner) => view! { <strong>{inline_views(inner, me)}</strong> }.into_any(),
            Inline::Italic(inner) => view! { <em>{inline_views(inner, me)}</em> }.into_any(),
            Inline::Code(code) => view! { <code>{code}</code> }.into_any(),
            Inline::Link { href, text } => view! {
                <a href=href target="_blank" rel="noopener noreferrer nofollow">{text}</a>
            }
            .into_any(),
            Inline::Mention(name) => {
                let mine = me.as_ref().is_some_and(|me| me.eq_ignore_ascii_case(&name));
                // The person's name once the page knows it, as chat apps show a mention; the
                // username stays in the link and its title.
                let known = use_known_people();
                let written = format!("@{name}");
                let shown = {
                    let (name, written) = (name.clone(), written.clone());
                    move || {
                        known
                            .and_then(|known| known.name_of(&name))
                            .map_or_else(|| written.clone(), |display| format!("@{display}"))
                    }
                };
                view! {
                    <A href=format!("/u/{name}") attr:class=if mine { "mention mention-me" } else { "mention" }
                        attr:title=written>
                        {shown}
                    </A>
                }
                .into_any()
            }
            Inline::Cashtag(symbol) => view! {
                <A href=format!("/markets/{symbol}") attr:class="cashtag">{format!("${symbol}")}</A>
            }
            .into_any(),
            Inline::LineBreak => view! { <br /> }.into_any(),
        })
        .collect_view()
        .into_any()
}
