//! The accounts API: server functions at stable paths.
//!
//! Two front doors to the same service:
//! - **scripts** (`/api/auth/*`) send and receive tokens in JSON and use `Authorization: Bearer`;
//! - **the web app** (`/api/session/*`) never sees a token: the server sets HttpOnly cookies.

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

use super::{AuthResponse, ProfileUpdate, PublicProfile, User};
use crate::platform::error::AppError;

#[cfg(feature = "ssr")]
mod server {
    use axum::http::{header, request::Parts, HeaderValue};
    use leptos::prelude::*;

    use crate::{
        auth::service::{self, Session},
        platform::{auth, error::AppError, server::AppState},
    };

    pub fn state() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or(AppError::Internal)
    }

    pub fn parts() -> Result<Parts, AppError> {
        use_context::<Parts>().ok_or(AppError::Internal)
    }

    pub fn with_tokens(session: &Session) -> crate::auth::AuthResponse {
        crate::auth::AuthResponse {
            user: service::to_user(&session.user),
            token: session.access_token.clone(),
            refresh_token: session.refresh_token.clone(),
        }
    }

    fn set_cookies(values: [HeaderValue; 2]) {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            for value in values {
                response.append_header(header::SET_COOKIE, value);
            }
        }
    }

    pub fn sign_browser_in(state: &AppState, session: &Session) -> Result<(), AppError> {
        let secure = auth::is_https(&parts()?.headers);
        set_cookies(auth::session_cookies(
            &session.access_token,
            &session.refresh_token,
            state,
            secure,
        ));
        Ok(())
    }

    pub fn sign_browser_out() -> Result<(), AppError> {
        set_cookies(auth::cleared_cookies(auth::is_https(&parts()?.headers)));
        Ok(())
    }

    /// Registers and starts a session (both front doors).
    pub async fn register(
        email: String,
        username: String,
        display_name: String,
        password: String,
        preferred_language: Option<String>,
    ) -> Result<(AppState, Session), AppError> {
        let state = state()?;
        let registration = service::Registration {
            email,
            username,
            display_name,
            password,
            preferred_language,
        };
        let session = service::register(&state, registration).await?;
        // New accounts land in the default community, where the people are.
        crate::community::service::join_default(&state, &session.user).await?;
        Ok((state, session))
    }

    /// Signs in, throttled by account and by this request's client address (both front doors).
    pub async fn login(login: &str, password: &str) -> Result<(AppState, Session), AppError> {
        let state = state()?;
        let client = auth::client_address(&parts()?, state.config.trust_proxy);
        let session = service::login(&state, login, password, &client).await?;
        Ok((state, session))
    }

    pub use crate::platform::server::respond;
}

// ---------- scripts ----------

/// `POST /api/auth/register {email, username, displayName, password, preferredLanguage?}`.
#[server(prefix = "/api/auth", endpoint = "register", input = Json)]
pub async fn register(
    email: String,
    username: String,
    #[server(rename = "displayName")] display_name: String,
    password: String,
    #[server(rename = "preferredLanguage")]
    #[server(default)]
    preferred_language: Option<String>,
) -> Result<AuthResponse, AppError> {
    server::respond(
        server::register(email, username, display_name, password, preferred_language)
            .await
            .map(|(_, session)| server::with_tokens(&session)),
    )
}

/// `POST /api/auth/login {login, password}` — `login` is the email or the username.
#[server(prefix = "/api/auth", endpoint = "login", input = Json)]
pub async fn login(login: String, password: String) -> Result<AuthResponse, AppError> {
    server::respond(
        server::login(&login, &password)
            .await
            .map(|(_, session)| server::with_tokens(&session)),
    )
}

/// `POST /api/auth/refresh {refreshToken}` — a new pair; the old refresh token is spent.
#[server(prefix = "/api/auth", endpoint = "refresh", input = Json)]
pub async fn refresh(
    #[server(rename = "refreshToken")] refresh_token: String,
) -> Result<AuthResponse, AppError> {
    use crate::auth::service::{self, Refreshed};
    server::respond(
        async {
            match service::refresh(&server::state()?, &refresh_token).await? {
                Refreshed::Rotated(session) => Ok(server::with_tokens(&session)),
                // A script presents each refresh token once; a second use is never a race of its own.
                Refreshed::JustRotated { .. } => Err(AppError::Unauthorized),
            }
        }
        .await,
    )
}

/// `POST /api/auth/logout {refreshToken}` — ends the session (its access tokens stop too).
#[server(prefix = "/api/auth", endpoint = "logout", input = Json)]
pub async fn logout(
    #[server(rename = "refreshToken")] refresh_token: String,
) -> Result<(), AppError> {
    use crate::auth::service;
    server::respond(service::logout_by_refresh_token(&server::state()?, &refresh_token).await)
}

/// `GET /api/auth/me` with `Authorization: Bearer <token>` (or the browser's cookie).
#[server(prefix = "/api/auth", endpoint = "me", input = GetUrl)]
pub async fn me() -> Result<User, AppError> {
    use crate::{auth::service, platform::auth};
    server::respond(
        auth::current_user()
            .await
            .map(|current| service::to_user(&current.user)),
    )
}

// ---------- the web app ----------

/// Signs the browser up and in (cookies); returns the new account.
#[server(prefix = "/api/session", endpoint = "sign_up")]
pub async fn sign_up(
    email: String,
    username: String,
    display_name: String,
    password: String,
    preferred_language: Option<String>,
) -> Result<User, AppError> {
    use crate::auth::service;
    server::respond(
        async {
            let (state, session) =
                server::register(email, username, display_name, password, preferred_language)
                    .await?;
            server::sign_browser_in(&state, &session)?;
            Ok(service::to_user(&session.user))
        }
        .await,
    )
}

/// Signs the browser in (cookies).
#[server(prefix = "/api/session", endpoint = "sign_in")]
pub async fn sign_in(login: String, password: String) -> Result<User, AppError> {
    use crate::auth::service;
    server::respond(
        async {
            let (state, session) = server::login(&login, &password).await?;
            server::sign_browser_in(&state, &session)?;
            Ok(service::to_user(&session.user))
        }
        .await,
    )
}

/// Ends the browser's session and clears its cookies.
#[server(prefix = "/api/session", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::{auth::service, platform::auth};
    server::respond(
        async {
            if let Some(current) = auth::optional_user().await? {
                service::logout(&server::state()?, current.session_id).await?;
            }
            server::sign_browser_out()
        }
        .await,
    )
}

/// The signed-in person, or `None` for a guest.
#[server(prefix = "/api/session", endpoint = "current", input = GetUrl)]
pub async fn current_session() -> Result<Option<User>, AppError> {
    use crate::{auth::service, platform::auth};
    server::respond(
        auth::optional_user()
            .await
            .map(|u| u.map(|c| service::to_user(&c.user))),
    )
}

// ---------- profile and blocking (web app and scripts alike) ----------

#[server(prefix = "/api/profile", endpoint = "update", input = Json)]
pub async fn update_profile(update: ProfileUpdate) -> Result<User, AppError> {
    use crate::{auth::service, platform::auth};
    server::respond(
        async {
            let current = auth::current_user().await?;
            let user = service::update_profile(&server::state()?, current.user.id, update).await?;
            Ok(service::to_user(&user))
        }
        .await,
    )
}

/// Changes the password; every other session is signed out.
#[server(prefix = "/api/profile", endpoint = "password", input = Json)]
pub async fn change_password(
    #[server(rename = "currentPassword")] current_password: String,
    #[server(rename = "newPassword")] new_password: String,
) -> Result<(), AppError> {
    use crate::{auth::service, platform::auth};
    server::respond(
        async {
            let current = auth::current_user().await?;
            service::change_password(
                &server::state()?,
                current.user.id,
                current.session_id,
                &current_password,
                &new_password,
            )
            .await
        }
        .await,
    )
}

/// `GET /api/users/profile?username=ana`.
#[server(prefix = "/api/users", endpoint = "profile", input = GetUrl)]
pub async fn user_profile(username: String) -> Result<PublicProfile, AppError> {
    use crate::{auth::service, platform::auth};
    server::respond(
        async {
            let viewer = auth::optional_user().await?.map(|c| c.user.id);
            service::public_profile(&server::state()?, viewer, &username).await
        }
        .await,
    )
}

/// Blocks (`blocked: true`) or unblocks someone; their messages are hidden from you.
#[server(prefix = "/api/users", endpoint = "block", input = Json)]
pub async fn set_blocked(username: String, blocked: bool) -> Result<PublicProfile, AppError> {
    use crate::{auth::service, platform::auth};
    server::respond(
        async {
            let current = auth::current_user().await?;
            service::set_blocked(&server::state()?, current.user.id, &username, blocked).await
        }
        .await,
    )
}

#[server(prefix = "/api/users", endpoint = "blocked", input = GetUrl)]
pub async fn blocked_users() -> Result<Vec<PublicProfile>, AppError> {
    use crate::{auth::service, platform::auth};
    server::respond(
        async {
            let current = auth::current_user().await?;
            service::blocked_users(&server::state()?, current.user.id).await
        }
        .await,
    )
}
