//! The accounts API: server functions at stable paths.
//!
//! Two front doors to the same service:
//! - **scripts** (`/api/auth/*`) send and receive tokens in JSON and use `Authorization: Bearer`;
//! - **the web app** (`/api/session/*`) never sees a token: the server sets HttpOnly cookies.

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

use super::{
    AuthResponse, LoginReply, ProfileUpdate, PublicProfile, SignInReply, TwoFactorSetup,
    TwoFactorStatus, User,
};
use crate::platform::error::AppError;

#[cfg(feature = "ssr")]
mod server {
    use axum::http::{header, request::Parts, HeaderValue};
    use leptos::prelude::*;

    use crate::{
        auth::service::{self, Session},
        platform::{cookies, error::AppError, state::AppState},
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
        let secure = cookies::is_https(&parts()?.headers);
        set_cookies(cookies::session_cookies(
            &session.access_token,
            &session.refresh_token,
            state,
            secure,
        ));
        Ok(())
    }

    pub fn sign_browser_out() -> Result<(), AppError> {
        set_cookies(cookies::cleared_cookies(cookies::is_https(
            &parts()?.headers,
        )));
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
        let client = cookies::client_address(&parts()?, state.config.trust_proxy);
        let registration = service::Registration {
            email,
            username,
            display_name,
            password,
            preferred_language,
        };
        let session = service::register(&state, registration, &client).await?;
        if let Some(welcome) = state.services.get::<service::Welcome>() {
            (welcome.0)(&state, &session.user).await?;
        }
        Ok((state, session))
    }

    /// Signs in, throttled by account and by this request's client address (both front doors);
    /// with two-factor sign-in on, the outcome is a challenge instead of a session.
    pub async fn login(
        login: &str,
        password: &str,
    ) -> Result<(AppState, crate::auth::two_factor::LoginOutcome), AppError> {
        let state = state()?;
        let client = cookies::client_address(&parts()?, state.config.trust_proxy);
        let outcome = service::login(&state, login, password, &client).await?;
        Ok((state, outcome))
    }

    /// The second step of a sign-in (both front doors).
    pub async fn login_code(challenge: &str, code: &str) -> Result<(AppState, Session), AppError> {
        let state = state()?;
        let session = crate::auth::two_factor::complete_sign_in(&state, challenge, code).await?;
        Ok((state, session))
    }

    /// Where links in e-mail point: `BULLPEN_PUBLIC_URL`, else this request's own host (only
    /// ever written to the log then: without the setting no e-mail is sent).
    pub fn link_base(state: &AppState) -> Result<String, AppError> {
        if let Some(url) = &state.config.public_origin {
            return Ok(url.clone());
        }
        let parts = parts()?;
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        let scheme = if cookies::is_https(&parts.headers) {
            "https"
        } else {
            "http"
        };
        Ok(format!("{scheme}://{host}"))
    }

    pub use crate::platform::state::respond;
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

/// `POST /api/auth/login {login, password}` — `login` is the email or the username. With
/// two-factor sign-in on, the answer is `{twoFactorRequired: true, challenge, expiresInSecs}`
/// instead of tokens: send the challenge and a code to `/api/auth/login_code`.
#[server(prefix = "/api/auth", endpoint = "login", input = Json)]
pub async fn login(login: String, password: String) -> Result<LoginReply, AppError> {
    use crate::auth::two_factor::LoginOutcome;
    server::respond(
        server::login(&login, &password)
            .await
            .map(|(_, outcome)| match outcome {
                LoginOutcome::SignedIn(session) => {
                    LoginReply::Tokens(server::with_tokens(&session))
                }
                LoginOutcome::CodeNeeded(challenge) => LoginReply::CodeNeeded(challenge),
            }),
    )
}

/// `POST /api/auth/login_code {challenge, code}` — completes a two-factor sign-in with the
/// authenticator app's code or a recovery code.
#[server(prefix = "/api/auth", endpoint = "login_code", input = Json)]
pub async fn login_code(challenge: String, code: String) -> Result<AuthResponse, AppError> {
    server::respond(
        server::login_code(&challenge, &code)
            .await
            .map(|(_, session)| server::with_tokens(&session)),
    )
}

/// `POST /api/auth/forgot_password {email}` — e-mails a reset link if an account uses the
/// address. The answer is the same either way.
#[server(prefix = "/api/auth", endpoint = "forgot_password", input = Json)]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    use crate::{auth::reset, platform::cookies};
    server::respond(
        async {
            let state = server::state()?;
            let client = cookies::client_address(&server::parts()?, state.config.trust_proxy);
            let base = server::link_base(&state)?;
            reset::request(&state, &email, &client, &base).await
        }
        .await,
    )
}

/// `POST /api/auth/reset_password {token, newPassword}` — sets the password with the e-mailed
/// token (once); every session of the account ends.
#[server(prefix = "/api/auth", endpoint = "reset_password", input = Json)]
pub async fn reset_password(
    token: String,
    #[server(rename = "newPassword")] new_password: String,
) -> Result<(), AppError> {
    use crate::auth::reset;
    server::respond(reset::complete(&server::state()?, &token, &new_password).await)
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
    use crate::auth::{caller, service};
    server::respond(
        caller::current_user()
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

/// Signs the browser in (cookies), or asks for the second step when two-factor sign-in is on.
#[server(prefix = "/api/session", endpoint = "sign_in")]
pub async fn sign_in(login: String, password: String) -> Result<SignInReply, AppError> {
    use crate::auth::{service, two_factor::LoginOutcome};
    server::respond(
        async {
            match server::login(&login, &password).await? {
                (state, LoginOutcome::SignedIn(session)) => {
                    server::sign_browser_in(&state, &session)?;
                    Ok(SignInReply::SignedIn(service::to_user(&session.user)))
                }
                (_, LoginOutcome::CodeNeeded(challenge)) => Ok(SignInReply::CodeNeeded(challenge)),
            }
        }
        .await,
    )
}

/// Completes the browser's two-factor sign-in (cookies).
#[server(prefix = "/api/session", endpoint = "sign_in_code")]
pub async fn sign_in_code(challenge: String, code: String) -> Result<User, AppError> {
    use crate::auth::service;
    server::respond(
        async {
            let (state, session) = server::login_code(&challenge, &code).await?;
            server::sign_browser_in(&state, &session)?;
            Ok(service::to_user(&session.user))
        }
        .await,
    )
}

/// Ends the browser's session and clears its cookies.
#[server(prefix = "/api/session", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::auth::{caller, service};
    server::respond(
        async {
            if let Some(current) = caller::optional_user().await? {
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
    use crate::auth::{caller, service};
    server::respond(
        caller::optional_user()
            .await
            .map(|u| u.map(|c| service::to_user(&c.user))),
    )
}

// ---------- profile and blocking (web app and scripts alike) ----------

#[server(prefix = "/api/profile", endpoint = "update", input = Json)]
pub async fn update_profile(update: ProfileUpdate) -> Result<User, AppError> {
    use crate::auth::{caller, service};
    server::respond(
        async {
            let current = caller::current_user().await?;
            let user = service::update_profile(
                &server::state()?,
                crate::auth::UserId(current.user.id),
                update,
            )
            .await?;
            Ok(service::to_user(&user))
        }
        .await,
    )
}

/// Where a new avatar is sent: the image as the body (`application/octet-stream`).
pub const AVATAR_PATH: &str = "/api/profile/avatar";

/// `POST /api/profile/avatar`: the image as the body; the person, with the new avatar, back.
#[cfg(feature = "ssr")]
pub async fn upload_avatar(
    axum::extract::State(state): axum::extract::State<crate::platform::state::AppState>,
    caller: crate::auth::caller::CurrentUser,
    body: bytes::Bytes,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match crate::auth::service::set_avatar(&state, crate::auth::UserId(caller.user.id), body).await
    {
        Ok(user) => axum::Json(user).into_response(),
        Err(error) => error.into_response(),
    }
}

/// Back to initials.
#[server(prefix = "/api/profile", endpoint = "avatar_remove", input = Json)]
pub async fn remove_avatar() -> Result<User, AppError> {
    use crate::auth::{caller, service};
    server::respond(
        async {
            let current = caller::current_user().await?;
            service::remove_avatar(&server::state()?, crate::auth::UserId(current.user.id)).await
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
    use crate::auth::{caller, service};
    server::respond(
        async {
            let current = caller::current_user().await?;
            service::change_password(
                &server::state()?,
                crate::auth::UserId(current.user.id),
                current.session_id,
                &current_password,
                &new_password,
            )
            .await
        }
        .await,
    )
}

/// `GET /api/profile/two_factor` — whether two-factor sign-in is on.
#[server(prefix = "/api/profile", endpoint = "two_factor", input = GetUrl)]
pub async fn two_factor_settings() -> Result<TwoFactorStatus, AppError> {
    use crate::auth::{caller, two_factor};
    server::respond(
        async {
            let current = caller::current_user().await?;
            two_factor::status(&server::state()?, crate::auth::UserId(current.user.id)).await
        }
        .await,
    )
}

/// `POST /api/profile/two_factor_setup {}` — a new secret for the authenticator app; two-factor
/// sign-in turns on only once a code from it is confirmed.
#[server(prefix = "/api/profile", endpoint = "two_factor_setup", input = Json)]
pub async fn start_two_factor_setup() -> Result<TwoFactorSetup, AppError> {
    use crate::auth::{caller, two_factor};
    server::respond(
        async {
            let current = caller::current_user().await?;
            two_factor::begin_setup(&server::state()?, &current.user).await
        }
        .await,
    )
}

/// `POST /api/profile/two_factor_enable {code}` — turns two-factor sign-in on; answers the ten
/// recovery codes, shown this once.
#[server(prefix = "/api/profile", endpoint = "two_factor_enable", input = Json)]
pub async fn two_factor_enable(code: String) -> Result<Vec<String>, AppError> {
    use crate::auth::{caller, two_factor};
    server::respond(
        async {
            let current = caller::current_user().await?;
            two_factor::enable(
                &server::state()?,
                crate::auth::UserId(current.user.id),
                &code,
            )
            .await
        }
        .await,
    )
}

/// `POST /api/profile/two_factor_disable {password, code}` — turns it off; needs the password
/// and a code (or a recovery code).
#[server(prefix = "/api/profile", endpoint = "two_factor_disable", input = Json)]
pub async fn two_factor_disable(password: String, code: String) -> Result<(), AppError> {
    use crate::auth::{caller, two_factor};
    server::respond(
        async {
            let current = caller::current_user().await?;
            two_factor::disable(&server::state()?, &current.user, &password, &code).await
        }
        .await,
    )
}

/// `GET /api/users/profile?username=ana`.
#[server(prefix = "/api/users", endpoint = "profile", input = GetUrl)]
pub async fn user_profile(username: String) -> Result<PublicProfile, AppError> {
    use crate::auth::{caller, service};
    server::respond(
        async {
            let viewer = caller::optional_user().await?.map(|c| c.user.id);
            service::public_profile(
                &server::state()?,
                viewer.map(crate::auth::UserId),
                &username,
            )
            .await
        }
        .await,
    )
}

/// Blocks (`blocked: true`) or unblocks someone; their messages are hidden from you.
#[server(prefix = "/api/users", endpoint = "block", input = Json)]
pub async fn set_blocked(username: String, blocked: bool) -> Result<PublicProfile, AppError> {
    use crate::auth::{caller, service};
    server::respond(
        async {
            let current = caller::current_user().await?;
            service::set_blocked(
                &server::state()?,
                crate::auth::UserId(current.user.id),
                &username,
                blocked,
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api/users", endpoint = "blocked", input = GetUrl)]
pub async fn blocked_users() -> Result<Vec<PublicProfile>, AppError> {
    use crate::auth::{caller, service};
    server::respond(
        async {
            let current = caller::current_user().await?;
            service::blocked_users(&server::state()?, crate::auth::UserId(current.user.id)).await
        }
        .await,
    )
}

/// The person's personal access tokens (never their text).
#[server(prefix = "/api/tokens", endpoint = "list", input = GetUrl)]
pub async fn access_tokens() -> Result<Vec<super::AccessToken>, AppError> {
    use crate::auth::{access_tokens, caller};
    server::respond(
        async {
            let current = caller::current_user().await?;
            access_tokens::list(&server::state()?, crate::auth::UserId(current.user.id)).await
        }
        .await,
    )
}

/// Makes a personal access token; the answer is the only time its text is shown. Only a
/// signed-in person makes one: a token cannot make another.
#[server(prefix = "/api/tokens", endpoint = "create", input = Json)]
pub async fn create_access_token(
    name: String,
    scopes: Vec<super::Scope>,
    #[server(default)] days: Option<u32>,
) -> Result<super::NewAccessToken, AppError> {
    use crate::auth::{access_tokens, caller};
    server::respond(
        async {
            let current = caller::current_user().await?;
            access_tokens::create(
                &server::state()?,
                crate::auth::UserId(current.user.id),
                &name,
                &scopes,
                days,
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api/tokens", endpoint = "revoke", input = Json)]
pub async fn revoke_access_token(id: String) -> Result<(), AppError> {
    use crate::auth::{access_tokens, caller};
    server::respond(
        async {
            let current = caller::current_user().await?;
            access_tokens::revoke(&server::state()?, crate::auth::UserId(current.user.id), &id)
                .await
        }
        .await,
    )
}
