//! Light and dark themes. "System" (the default) follows `prefers-color-scheme` in CSS; a
//! person's choice is kept in a cookie so the server renders the right theme on first paint.

use std::{fmt, str::FromStr};

use codee::string::FromToStringCodec;
use leptos::prelude::*;
use leptos_meta::Html;
use leptos_use::{use_cookie_with_options, SameSite, UseCookieOptions};

use crate::kit::{
    i18n::{t_string, use_i18n},
    icons::{Icon, IconName},
};

const COOKIE: &str = "bullpen_theme";
/// How long a theme or language choice is kept.
pub(crate) const ONE_YEAR_MS: i64 = 365 * 24 * 60 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeChoice {
    #[default]
    System,
    Light,
    Dark,
}

impl ThemeChoice {
    pub const ALL: [ThemeChoice; 3] = [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark];

    /// The next choice for the one-button switch in the top bar.
    pub fn next(self) -> Self {
        match self {
            ThemeChoice::System => ThemeChoice::Light,
            ThemeChoice::Light => ThemeChoice::Dark,
            ThemeChoice::Dark => ThemeChoice::System,
        }
    }

    /// The choice's name in the reader's language.
    pub fn label(self) -> &'static str {
        let i18n = use_i18n();
        match self {
            ThemeChoice::System => t_string!(i18n, theme.system),
            ThemeChoice::Light => t_string!(i18n, theme.light),
            ThemeChoice::Dark => t_string!(i18n, theme.dark),
        }
    }

    /// The `data-theme` value on `<html>`; none lets the CSS media query decide.
    fn html_attr(self) -> Option<&'static str> {
        match self {
            ThemeChoice::System => None,
            ThemeChoice::Light => Some("light"),
            ThemeChoice::Dark => Some("dark"),
        }
    }
}

impl fmt::Display for ThemeChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ThemeChoice::System => "system",
            ThemeChoice::Light => "light",
            ThemeChoice::Dark => "dark",
        })
    }
}

impl FromStr for ThemeChoice {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ThemeChoice::ALL
            .into_iter()
            .find(|c| c.to_string() == s)
            .ok_or(())
    }
}

/// The theme, shared through context.
#[derive(Clone, Copy)]
pub struct Theme {
    cookie: Signal<Option<ThemeChoice>>,
    set_cookie: WriteSignal<Option<ThemeChoice>>,
}

impl Theme {
    pub fn choice(&self) -> ThemeChoice {
        self.cookie.get().unwrap_or_default()
    }

    pub fn set(&self, choice: ThemeChoice) {
        self.set_cookie.set(Some(choice));
    }
}

pub fn use_theme() -> Theme {
    expect_context::<Theme>()
}

/// Provides the theme to the whole app; call once, at the root.
pub fn provide_theme() {
    let (cookie, set_cookie) = use_cookie_with_options::<ThemeChoice, FromToStringCodec>(
        COOKIE,
        UseCookieOptions::default()
            .max_age(ONE_YEAR_MS)
            .path("/")
            .same_site(SameSite::Lax),
    );
    provide_context(Theme { cookie, set_cookie });
}

/// Reflects the theme on `<html data-theme>`.
#[component]
pub fn ThemeAttribute() -> impl IntoView {
    let theme = use_theme();
    view! { <Html {..} data-theme=move || theme.choice().html_attr() /> }
}

/// The top-bar button: cycles System → Light → Dark, its label naming the current theme.
#[component]
pub fn ThemeSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let theme = use_theme();
    let current = move || theme.choice().label();
    view! {
        <button
            type="button"
            class="icon-button theme-switch"
            data-theme-choice=move || theme.choice().to_string()
            aria-label=move || format!("{}: {}", t_string!(i18n, theme.switch), current())
            title=move || format!("{}: {}", t_string!(i18n, theme.label), current())
            on:click=move |_| theme.set(theme.choice().next())
        >
            {move || match theme.choice() {
                ThemeChoice::System => view! { <Icon name=IconName::Auto /> },
                ThemeChoice::Light => view! { <Icon name=IconName::Sun /> },
                ThemeChoice::Dark => view! { <Icon name=IconName::Moon /> },
            }}
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_values_round_trip_and_unknown_ones_are_ignored() {
        for choice in ThemeChoice::ALL {
            assert_eq!(choice.to_string().parse::<ThemeChoice>(), Ok(choice));
        }
        assert_eq!("purple".parse::<ThemeChoice>(), Err(()));
    }

    #[test]
    fn the_switch_cycles_through_all_three() {
        let mut seen = vec![ThemeChoice::System];
        for _ in 0..2 {
            seen.push(seen.last().unwrap().next());
        }
        assert_eq!(seen, ThemeChoice::ALL);
        assert_eq!(ThemeChoice::Dark.next(), ThemeChoice::System);
    }
}
