//! Who is making a request: one pair for every server function (`current_user`,
//! `optional_user`), the same pair as axum extractors for the REST routes (`CurrentUser`,
//! `Option<CurrentUser>`), and a middleware that keeps browser sessions alive by rotating the
//! refresh cookie when the short access cookie has expired.

use axum::{
    extract::{FromRequestParts, OptionalFromRequestParts, Request, State},
    http::{header, request::Parts},
    middleware::Next,
    response::Response,
};
use uuid::Uuid;

use super::{access_tokens, service, Scope};
use crate::{
    entities::users,
    kit::sentences::says,
    platform::{
        cookies::{
            access_token, bearer_token, cleared_cookies, cookie, is_https, replace_access_cookie,
            session_cookies, ACCESS_COOKIE, REFRESH_COOKIE,
        },
        error::AppError,
        state::AppState,
    },
};

/// The signed-in person and the session they use.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: users::Model,
    pub session_id: Uuid,
}

/// The person making this server-function call, or a 401.
pub async fn current_user() -> Result<CurrentUser, AppError> {
    optional_user().await?.ok_or(AppError::Unauthorized)
}

/// The person making this call, if signed in; `None` for a guest. An access cookie that is no
/// longer good also counts as a guest (pages render signed out instead of failing); a Bearer
/// token that is not good is a 401, so a program learns its token is wrong.
pub async fn optional_user() -> Result<Option<CurrentUser>, AppError> {
    let state = leptos::prelude::use_context::<AppState>().ok_or(AppError::Internal)?;
    let parts =
        leptos::prelude::use_context::<axum::http::request::Parts>().ok_or(AppError::Internal)?;
    caller(&state, &parts).await
}

/// Whether the request carries an access token or key at all, good or not.
pub fn presents_credentials() -> bool {
    leptos::prelude::use_context::<axum::http::request::Parts>()
        .is_some_and(|parts| access_token(&parts.headers).is_some())
}

/// The address this server-function call came from (the proxy's word for it when
/// `BULLPEN_TRUST_PROXY` says to believe it): what limits on people without an account count by.
pub fn client_address() -> Result<String, AppError> {
    let state = leptos::prelude::use_context::<AppState>().ok_or(AppError::Internal)?;
    let parts =
        leptos::prelude::use_context::<axum::http::request::Parts>().ok_or(AppError::Internal)?;
    Ok(crate::platform::cookies::client_address(
        &parts,
        state.config.trust_proxy,
    ))
}

/// The person the request's token names; `None` without a token or with a cookie that is no
/// longer good; a 401 for a Bearer token that is not good.
async fn caller(state: &AppState, parts: &Parts) -> Result<Option<CurrentUser>, AppError> {
    let Some(token) = access_token(&parts.headers) else {
        return Ok(None);
    };
    match service::authenticate(state, &token).await {
        Ok((user, session_id)) => Ok(Some(CurrentUser { user, session_id })),
        Err(AppError::Unauthorized) if bearer_token(&parts.headers).is_none() => Ok(None),
        Err(other) => Err(other),
    }
}

/// A REST route for people signed in: a 401 (with its sentence) for anyone else.
impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        caller(state, parts).await?.ok_or(AppError::Unauthorized)
    }
}

/// A REST route open to guests too.
impl OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, AppError> {
        caller(state, parts).await
    }
}

/// A caller of the public API (`/api/v1`): a person signed in with a session, who may do
/// everything they may in the app, or a script with a personal access token (`bp_…`), which
/// may do only what its scopes name. A credential that is present but no longer good is a 401
/// here (a script should learn its token was revoked, not be served as a guest).
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub user: users::Model,
    /// `None`: a session, every scope.
    scopes: Option<Vec<Scope>>,
    /// The token's id, or the session's: what ends when it is revoked or signed out.
    credential: Uuid,
}

impl ApiCaller {
    /// The person, if this caller may act in `scope`; else a 403 that names the scope.
    pub fn may(&self, scope: Scope) -> Result<&users::Model, AppError> {
        match &self.scopes {
            Some(scopes) if !scopes.contains(&scope) => Err(AppError::Denied(says!(
                "server.tokens.scope_missing",
                scope = scope.as_str()
            ))),
            _ => Ok(&self.user),
        }
    }

    /// What this caller may do: its token's scopes, or every scope for a session.
    pub fn scopes(&self) -> Vec<Scope> {
        self.scopes.clone().unwrap_or_else(|| Scope::ALL.to_vec())
    }

    /// The token's or the session's id.
    pub fn credential(&self) -> Uuid {
        self.credential
    }
}

async fn api_caller(state: &AppState, parts: &Parts) -> Result<Option<ApiCaller>, AppError> {
    let Some(credential) = access_token(&parts.headers) else {
        return Ok(None);
    };
    if access_tokens::is_access_token(&credential) {
        let (user, scopes, id) = access_tokens::authenticate(state, &credential).await?;
        return Ok(Some(ApiCaller {
            user,
            scopes: Some(scopes),
            credential: id,
        }));
    }
    let (user, session) = service::authenticate(state, &credential).await?;
    Ok(Some(ApiCaller {
        user,
        scopes: None,
        credential: session,
    }))
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        api_caller(state, parts)
            .await?
            .ok_or(AppError::Unauthorized)
    }
}

/// Middleware: a browser whose access cookie is missing or expired but whose refresh cookie is
/// good gets a new pair in this response, and this request already runs signed in.
pub async fn keep_session_alive(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let Some(refresh) = cookie(headers, REFRESH_COOKIE) else {
        return next.run(request).await;
    };
    let access_ok = cookie(headers, ACCESS_COOKIE)
        .is_some_and(|t| super::tokens::verify_access(&state.jwt_secret, &t).is_ok());
    if access_ok || headers.contains_key(header::AUTHORIZATION) {
        return next.run(request).await;
    }
    let secure = is_https(headers);
    match service::refresh(&state, &refresh).await {
        Ok(service::Refreshed::Rotated(session)) => {
            replace_access_cookie(request.headers_mut(), &session.access_token);
            let mut response = next.run(request).await;
            for value in session_cookies(
                &session.access_token,
                &session.refresh_token,
                &state,
                secure,
            ) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            response
        }
        Ok(service::Refreshed::JustRotated { access_token }) => {
            replace_access_cookie(request.headers_mut(), &access_token);
            next.run(request).await
        }
        Err(AppError::Unauthorized) => {
            // A dead session: forget its cookies so the browser stops presenting them.
            let mut response = next.run(request).await;
            for value in cleared_cookies(secure) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            response
        }
        Err(other) => {
            tracing::warn!(error = %other, "could not refresh a session");
            next.run(request).await
        }
    }
}
