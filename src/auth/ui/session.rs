//! The signed-in person, shared by the whole app through context.

use leptos::prelude::*;

use crate::{
    auth::{api::current_session, User},
    platform::error::AppError,
};

#[derive(Clone, Copy)]
pub struct Session {
    user: Resource<Result<Option<User>, AppError>>,
    version: RwSignal<u32>,
}

impl Session {
    /// The person, once known (`None` while loading or for a guest). Tracks changes.
    pub fn user(&self) -> Option<User> {
        self.user.get().and_then(|r| r.ok()).flatten()
    }

    /// Reads the session again (after signing in or out, or editing the profile).
    pub fn reload(&self) {
        self.version.update(|v| *v += 1);
    }

    pub fn resource(&self) -> Resource<Result<Option<User>, AppError>> {
        self.user
    }
}

pub fn provide_session() {
    let version = RwSignal::new(0u32);
    let user = Resource::new(move || version.get(), |_| current_session());
    provide_context(Session { user, version });
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// Where to go after signing in: only a path of this site, never another origin. Browsers
/// read `\` as `/` and drop tabs and line breaks from addresses, so `/\evil.example` and
/// `/<tab>/evil.example` would become `//evil.example` — another site; any of them sends the
/// person home instead.
pub fn safe_next(next: Option<String>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(|c| c.is_control() || c.is_whitespace()) =>
        {
            path
        }
        _ => "/".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/settings".into())), "/settings");
        assert_eq!(
            safe_next(Some("/c/bullpen/general?x=1".into())),
            "/c/bullpen/general?x=1"
        );
        assert_eq!(safe_next(Some("//evil.example".into())), "/");
        assert_eq!(safe_next(Some("https://evil.example".into())), "/");
        assert_eq!(safe_next(Some("/\\evil.example".into())), "/");
        for sneaky in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/ /evil.example",
            "/\u{0}/evil.example",
        ] {
            assert_eq!(safe_next(Some(sneaky.into())), "/", "{sneaky:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
