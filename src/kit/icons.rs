//! Inline SVG icons (24×24, drawn with `currentColor` strokes) so they follow the theme and
//! cost no extra request.

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IconName {
    Home,
    Communities,
    Markets,
    Portfolio,
    Assistant,
    Settings,
    Sun,
    Moon,
    Auto,
    Offline,
    ArrowRight,
    SignIn,
    Shield,
    Pencil,
    Trash,
    Close,
    Search,
    Flag,
    Paperclip,
    Microphone,
    MicrophoneOff,
    Speaker,
    Headphones,
    Message,
    Bell,
    Poll,
    Calendar,
}

impl IconName {
    /// The SVG drawing: stroked paths only.
    fn paths(self) -> &'static [&'static str] {
        match self {
            IconName::Search => &["M11 4a7 7 0 1 0 0 14a7 7 0 1 0 0-14z", "M20 20l-4-4"],
            IconName::Bell => &[
                "M6 10a6 6 0 0 1 12 0c0 5 2 7 2 7H4s2-2 2-7z",
                "M10 20a2 2 0 0 0 4 0",
            ],
            IconName::Message => &[
                "M4 6h16a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1z",
                "M3.5 7l8.5 6 8.5-6",
            ],
            IconName::Home => &["M3 10.5 12 3l9 7.5", "M5 9.5V21h5v-6h4v6h5V9.5"],
            IconName::Communities => &[
                "M4 5h12a2 2 0 0 1 2 2v6a2 2 0 0 1-2 2H9l-4 3.5V15H4a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z",
                "M20 9h.5A1.5 1.5 0 0 1 22 10.5v6a1.5 1.5 0 0 1-1.5 1.5H20v3l-3.5-3H12",
            ],
            IconName::Markets => &["M3 3v18h18", "M7 15l4-4 3 3 6-7", "M16 7h4v4"],
            IconName::Portfolio => &[
                "M3 8a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z",
                "M8 6V5a2 2 0 0 1 2-2h4a2 2 0 0 1 2 2v1",
                "M3 12h18",
            ],
            IconName::Assistant => &[
                "M12 3l1.8 4.6L18.5 9l-4.7 1.6L12 15l-1.8-4.4L5.5 9l4.7-1.4z",
                "M18 15l.9 2.1L21 18l-2.1.9L18 21l-.9-2.1L15 18l2.1-.9z",
            ],
            IconName::Settings => &[
                "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
                "M19.4 13.5a7.6 7.6 0 0 0 0-3l2-1.6-2-3.4-2.4 1a7.5 7.5 0 0 0-2.6-1.5L14 2.5h-4l-.4 2.5A7.5 7.5 0 0 0 7 6.5l-2.4-1-2 3.4 2 1.6a7.6 7.6 0 0 0 0 3l-2 1.6 2 3.4 2.4-1a7.5 7.5 0 0 0 2.6 1.5l.4 2.5h4l.4-2.5a7.5 7.5 0 0 0 2.6-1.5l2.4 1 2-3.4z",
            ],
            IconName::Sun => &[
                "M12 16a4 4 0 1 0 0-8 4 4 0 0 0 0 8z",
                "M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4",
            ],
            IconName::Moon => &["M20 14.5A8 8 0 1 1 9.5 4a6.5 6.5 0 0 0 10.5 10.5z"],
            IconName::Auto => &["M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z", "M12 3v18", "M12 7h5M12 11h7M12 15h6"],
            IconName::Offline => &[
                "M2 2l20 20",
                "M8.5 16.5a5 5 0 0 1 7 0",
                "M5 12.9a10 10 0 0 1 5.2-2.8M19 12.9a10 10 0 0 0-2.1-1.6",
                "M1.5 9a15 15 0 0 1 4.2-2.7M22.5 9A15 15 0 0 0 10.7 5",
                "M12 20h.01",
            ],
            IconName::ArrowRight => &["M5 12h14", "M13 6l6 6-6 6"],
            IconName::SignIn => &["M15 3h4a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2h-4", "M10 17l5-5-5-5", "M15 12H3"],
            IconName::Shield => &["M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z", "M9 12l2 2 4-4"],
            IconName::Pencil => &["M4 20h4L19 9l-4-4L4 16z", "M13.5 6.5l4 4"],
            IconName::Trash => &["M4 7h16", "M10 11v6M14 11v6", "M6 7l1 13h10l1-13", "M9 7V4h6v3"],
            IconName::Close => &["M6 6l12 12", "M18 6L6 18"],
            IconName::Poll => &["M5 20V11", "M12 20V4", "M19 20v-7", "M3 20h18"],
            IconName::Calendar => &["M5 5h14a1 1 0 0 1 1 1v13a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1z", "M4 10h16", "M8 3v4M16 3v4"],
            IconName::Flag => &["M5 21V4", "M5 4h12l-2.5 4 2.5 4H5"],
            IconName::Microphone => &["M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3z", "M5 11a7 7 0 0 0 14 0", "M12 18v3"],
            IconName::MicrophoneOff => &["M9 9v3a3 3 0 0 0 5.1 2.1M15 9.3V6a3 3 0 0 0-5.9-.8", "M5 11a7 7 0 0 0 11.9 5M19 11a7 7 0 0 1-.6 2.8", "M12 18v3", "M3 3l18 18"],
            IconName::Speaker => &["M4 9h4l5-4v14l-5-4H4z", "M16 9a4 4 0 0 1 0 6", "M18.5 6.5a8 8 0 0 1 0 11"],
            IconName::Headphones => &["M4 15v-3a8 8 0 0 1 16 0v3", "M4 15h3v5H5a1 1 0 0 1-1-1z", "M20 15h-3v5h2a1 1 0 0 0 1-1z"],
            IconName::Paperclip => &["M20 11.5l-8.1 8.1a5 5 0 0 1-7.1-7.1l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4l7.8-7.8"],
        }
    }
}

/// A decorative icon: hidden from screen readers, the control around it carries the name.
#[component]
pub fn Icon(name: IconName) -> impl IntoView {
    view! {
        <svg
            class="icon"
            viewBox="0 0 24 24"
            width="24"
            height="24"
            fill="none"
            stroke="currentColor"
            stroke-width="1.8"
            stroke-linecap="round"
            stroke-linejoin="round"
            aria-hidden="true"
            focusable="false"
        >
            {name.paths().iter().map(|d| view! { <path d=*d /> }).collect_view()}
        </svg>
    }
}

/// The Bullpen mark: a rising bar chart in a rounded square.
#[component]
pub fn Logo() -> impl IntoView {
    view! {
        <svg class="logo" viewBox="0 0 32 32" width="32" height="32" aria-hidden="true" focusable="false">
            <rect width="32" height="32" rx="8" fill="var(--brand)" />
            <rect x="7" y="17" width="4" height="8" rx="1.5" fill="#fff" opacity="0.75" />
            <rect x="14" y="12" width="4" height="13" rx="1.5" fill="#fff" opacity="0.9" />
            <rect x="21" y="7" width="4" height="18" rx="1.5" fill="#fff" />
        </svg>
    }
}
