//! A person's avatar: their picture when they chose one, else their initials — always beside
//! their name, so it is decoration to screen readers.

use leptos::prelude::*;

#[component]
pub fn Avatar(
    /// Shown when there is no picture (and while it loads).
    initials: String,
    url: Option<String>,
    /// More classes: `avatar-large`, `presence`.
    #[prop(optional, into)]
    class: String,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let class = if class.is_empty() {
        "avatar".to_string()
    } else {
        format!("avatar {class}")
    };
    let has_picture = url.is_some();
    view! {
        <span class=class class:has-picture=has_picture aria-hidden="true">
            {match url {
                Some(url) => view! { <img src=url alt="" loading="lazy" decoding="async" /> }.into_any(),
                None => initials.into_any(),
            }}
            {children.map(|c| c())}
        </span>
    }
}
