//! Account logic: every rule of registration, sign-in, sessions, profiles and blocking lives
//! here; the server functions in `api.rs` only authorise, call and shape the answer.

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use sea_orm::TransactionTrait;
use uuid::Uuid;

use super::{attempts, password, repo, tokens, validate, ProfileUpdate, PublicProfile, User};
use crate::auth::UserId;
use crate::{
    entities::users,
    kit::sentences::says,
    platform::{error::AppError, rate_limit::RateLimit, state::AppState},
};

/// What happens to a new account once it exists (new accounts land in the default community,
/// where the people are): given by the composition root, as auth knows no community.
pub struct Welcome(
    pub for<'a> fn(&'a AppState, &'a users::Model) -> BoxFuture<'a, Result<(), AppError>>,
);

/// Failed sign-ins allowed per account and per client address within a minute. Attempts still
/// being checked count too, so a burst in parallel gets no more checks than one in a row.
pub const LOGIN_ATTEMPTS: RateLimit = RateLimit {
    max: 5,
    window: chrono::Duration::seconds(60),
};
/// A rotated refresh token presented again within this many seconds — while its successor is
/// still unused — is a race between two of the person's own requests (two tabs loading at
/// once), not theft: that request is let through without new tokens, and the session lives on.
/// Later, or once the successor has been used, reuse revokes the whole session.
pub const REUSE_GRACE_SECS: i64 = 30;

/// A signed-in session: who, which session, and its two tokens.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: users::Model,
    pub session_id: Uuid,
    pub access_token: String,
    pub refresh_token: String,
}

pub struct Registration {
    pub email: String,
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub preferred_language: Option<String>,
}

fn invalid(err: validate::FieldError) -> AppError {
    AppError::Validation(err.sentence())
}

pub fn to_user(model: &users::Model) -> User {
    User {
        id: model.id.to_string(),
        email: model.email.clone(),
        username: model.username.clone(),
        display_name: model.display_name.clone(),
        bio: model.bio.clone(),
        preferred_language: model.preferred_language.clone(),
        auto_translate: model.auto_translate,
        time_zone: model.time_zone.clone(),
        created_at: model.created_at.to_rfc3339(),
        avatar_url: model
            .avatar
            .map(|id| crate::platform::pictures::url(id, false)),
    }
}

/// Creates an account and its first session. Sign-ups are counted per client address
/// (`SIGNUP_RATE_LIMIT` an hour), so one machine cannot mint accounts by the thousand.
pub async fn register(
    state: &AppState,
    input: Registration,
    client: &str,
) -> Result<Session, AppError> {
    let email = validate::email(&input.email).map_err(invalid)?;
    let username = validate::username(&input.username).map_err(invalid)?;
    let display_name = validate::display_name(&input.display_name).map_err(invalid)?;
    validate::new_password(&input.password).map_err(invalid)?;
    let language = match input.preferred_language.as_deref() {
        Some(code) => validate::language(code).map_err(invalid)?,
        None => "en".to_owned(),
    };

    // Friendly answers for the common clash; the unique indexes still decide under a race.
    if repo::user_by_login(&state.db, &email).await?.is_some() {
        return Err(AppError::Conflict(says!("server.auth.email_taken")));
    }
    if repo::user_by_username(&state.db, &username)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(says!("server.auth.username_taken")));
    }

    let _admitted = password::admit()?;
    let now = Utc::now();
    let signups = RateLimit {
        max: state.config.signup_rate_limit,
        window: chrono::Duration::hours(1),
    };
    let address_key = format!("signup:{client}");
    let reserved = attempts::reserve(state, &[(&address_key, signups)], now).await?;
    let password_hash = match password::hash(input.password).await {
        Ok(hash) => hash,
        Err(err) => {
            // Nothing was created (a busy server, say): the attempt does not count.
            reserved.release(state).await?;
            return Err(err);
        }
    };
    reserved.keep();
    let user = repo::insert_user(
        &state.db,
        users::Model {
            id: Uuid::now_v7(),
            email,
            username_key: validate::username_key(&username),
            username,
            display_name,
            password_hash,
            bio: String::new(),
            preferred_language: language,
            time_zone: "UTC".into(),
            auto_translate: true,
            avatar: None,
            created_at: now,
            updated_at: now,
        },
    )
    .await
    .map_err(|err| match AppError::from(err) {
        AppError::Conflict(_) => AppError::Conflict(says!("server.auth.email_or_username_taken")),
        other => other,
    })?;
    tracing::info!(user = %user.id, "account registered");
    start_session(state, user, now).await
}

/// Signs in with an email or username. Failures are counted per account and per client address;
/// the error never says which of the two was wrong.
pub async fn login(
    state: &AppState,
    login: &str,
    password: &str,
    client: &str,
) -> Result<super::two_factor::LoginOutcome, AppError> {
    let now = Utc::now();
    // Bounded: the key is stored, and no account has a longer name than an email may be.
    let login_key: String = login
        .trim()
        .to_lowercase()
        .chars()
        .take(validate::EMAIL_MAX)
        .collect();
    let _admitted = password::admit()?;
    let account_key = format!("account:{login_key}");
    let address_key = format!("address:{client}");
    // Reserved before the password is checked: a burst in parallel is counted like one in a row.
    let reserved = attempts::reserve(
        state,
        &[
            (&account_key, LOGIN_ATTEMPTS),
            (&address_key, LOGIN_ATTEMPTS),
        ],
        now,
    )
    .await?;

    // A password no account can have is not looked up (the dummy hash still runs).
    let plausible = password.chars().count() <= validate::PASSWORD_MAX;
    let user = if plausible {
        repo::user_by_login(&state.db, &login_key).await?
    } else {
        None
    };
    let matches = match password::verify(
        password.to_owned(),
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await
    {
        Ok(matches) => matches,
        Err(err) => {
            // Not checked (the server was too busy): no failure to count.
            reserved.release(state).await?;
            return Err(err);
        }
    };
    match user {
        Some(user) if matches => {
            reserved.release(state).await?;
            attempts::clear(state, &account_key).await?;
            tracing::info!(user = %user.id, "signed in");
            super::two_factor::after_password(state, user, now).await
        }
        _ => {
            reserved.keep();
            Err(AppError::BadCredentials)
        }
    }
}

pub(super) async fn start_session(
    state: &AppState,
    user: users::Model,
    now: DateTime<Utc>,
) -> Result<Session, AppError> {
    let session_id = Uuid::new_v4();
    let refresh_token = tokens::new_refresh_token();
    repo::insert_refresh_token(
        &state.db,
        user.id,
        session_id,
        tokens::hash_refresh_token(&refresh_token),
        now,
        now + chrono::Duration::seconds(state.config.refresh_token_ttl_secs as i64),
    )
    .await?;
    let access_token = tokens::issue_access(
        &state.jwt_secret,
        UserId(user.id),
        session_id,
        now,
        state.config.access_token_ttl_secs,
    );
    Ok(Session {
        user,
        session_id,
        access_token,
        refresh_token,
    })
}

/// The outcome of presenting a refresh token.
pub enum Refreshed {
    /// A new pair; the presented token is now spent.
    Rotated(Box<Session>),
    /// The token was rotated a moment ago by a parallel request of the same person: this request
    /// may proceed with a one-off access token, and no new refresh token is handed out.
    JustRotated { access_token: String },
}

/// Exchanges a refresh token for a new pair. A spent token presented again (outside the short
/// race window) is treated as stolen: the whole session is revoked.
pub async fn refresh(state: &AppState, refresh_token: &str) -> Result<Refreshed, AppError> {
    let now = Utc::now();
    let Some(row) =
        repo::refresh_token_by_hash(&state.db, &tokens::hash_refresh_token(refresh_token)).await?
    else {
        return Err(AppError::Unauthorized);
    };
    if row.revoked_at.is_some() || row.expires_at <= now {
        return Err(AppError::Unauthorized);
    }
    if let Some(rotated_at) = row.rotated_at {
        return reused(state, &row, rotated_at, now).await;
    }

    let txn = state.db.begin().await?;
    if !repo::mark_rotated(&txn, row.id, now).await? {
        txn.rollback().await?;
        // Another request rotated it between our read and our write.
        let row = repo::refresh_token_by_hash(&state.db, &row.token_hash)
            .await?
            .ok_or(AppError::Unauthorized)?;
        return reused(state, &row, row.rotated_at.unwrap_or(now), now).await;
    }
    let next = tokens::new_refresh_token();
    repo::insert_refresh_token(
        &txn,
        row.user_id,
        row.family_id,
        tokens::hash_refresh_token(&next),
        now,
        now + chrono::Duration::seconds(state.config.refresh_token_ttl_secs as i64),
    )
    .await?;
    txn.commit().await?;

    let user = repo::user_by_id(&state.db, row.user_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let access_token = tokens::issue_access(
        &state.jwt_secret,
        UserId(user.id),
        row.family_id,
        now,
        state.config.access_token_ttl_secs,
    );
    Ok(Refreshed::Rotated(Box::new(Session {
        user,
        session_id: row.family_id,
        access_token,
        refresh_token: next,
    })))
}

async fn reused(
    state: &AppState,
    row: &crate::entities::refresh_tokens::Model,
    rotated_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Refreshed, AppError> {
    // Within the grace window only while its successor is unused: once the successor has been
    // exchanged too, an old token coming back is a copy in someone else's hands.
    let successor_used =
        repo::family_rotated_since(&state.db, row.family_id, row.created_at).await?;
    if (now - rotated_at).num_seconds() < REUSE_GRACE_SECS && !successor_used {
        let access_token = tokens::issue_access(
            &state.jwt_secret,
            UserId(row.user_id),
            row.family_id,
            now,
            state.config.access_token_ttl_secs,
        );
        return Ok(Refreshed::JustRotated { access_token });
    }
    let revoked = repo::revoke_family(&state.db, row.family_id, now).await?;
    tracing::warn!(user = %row.user_id, session = %row.family_id, revoked, "a spent refresh token was reused; session revoked");
    crate::platform::realtime::sessions_ended(state, row.user_id, Some(row.family_id), None).await;
    Err(AppError::Unauthorized)
}

/// Ends a session: its refresh tokens stop working, and so do its access tokens.
pub async fn logout(state: &AppState, session_id: Uuid) -> Result<(), AppError> {
    if let Some(user) = repo::revoke_family_of(&state.db, session_id, Utc::now()).await? {
        // The session's open sockets close too, on every instance.
        crate::platform::realtime::sessions_ended(state, user, Some(session_id), None).await;
    }
    Ok(())
}

/// Ends the session a refresh token belongs to (the script API's logout).
pub async fn logout_by_refresh_token(
    state: &AppState,
    refresh_token: &str,
) -> Result<(), AppError> {
    match repo::refresh_token_by_hash(&state.db, &tokens::hash_refresh_token(refresh_token)).await?
    {
        Some(row) => logout(state, row.family_id).await,
        None => Err(AppError::Unauthorized),
    }
}

/// The person behind an access token, if the token is valid and its session alive.
pub async fn authenticate(
    state: &AppState,
    access_token: &str,
) -> Result<(users::Model, Uuid), AppError> {
    let claims = tokens::verify_access(&state.jwt_secret, access_token)?;
    if !repo::session_alive(&state.db, claims.sid).await? {
        return Err(AppError::Unauthorized);
    }
    let user = repo::user_by_id(&state.db, claims.sub)
        .await?
        .ok_or(AppError::Unauthorized)?;
    Ok((user, claims.sid))
}

pub async fn update_profile(
    state: &AppState,
    user_id: UserId,
    update: ProfileUpdate,
) -> Result<users::Model, AppError> {
    let display_name = validate::display_name(&update.display_name).map_err(invalid)?;
    let bio = validate::bio(&update.bio).map_err(invalid)?;
    let language = validate::language(&update.preferred_language).map_err(invalid)?;
    let time_zone = validate::time_zone(&update.time_zone).map_err(invalid)?;
    let user = repo::user_by_id(&state.db, user_id.0)
        .await?
        .ok_or(AppError::Unauthorized)?;
    Ok(repo::update_profile(
        &state.db,
        users::Model {
            display_name,
            bio,
            preferred_language: language,
            auto_translate: update.auto_translate,
            time_zone,
            updated_at: Utc::now(),
            ..user
        },
    )
    .await?)
}

/// Changes the password (the old one is required) and signs out every other session.
pub async fn change_password(
    state: &AppState,
    user_id: UserId,
    session_id: Uuid,
    old_password: &str,
    new_password: &str,
) -> Result<(), AppError> {
    let user = repo::user_by_id(&state.db, user_id.0)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if !password::verify(old_password.to_owned(), Some(user.password_hash.clone())).await? {
        return Err(AppError::Validation(says!(
            "server.auth.wrong_current_password"
        )));
    }
    validate::new_password(new_password).map_err(invalid)?;
    if old_password == new_password {
        return Err(AppError::Validation(says!("server.auth.same_password")));
    }
    let hash = password::hash(new_password.to_owned()).await?;
    let now = Utc::now();
    let txn = state.db.begin().await?;
    repo::set_password_hash(&txn, user.id, hash, now).await?;
    let ended = repo::revoke_other_families(&txn, user_id.0, session_id, now).await?;
    txn.commit().await?;
    tracing::info!(user = %user_id, other_sessions_ended = ended, "password changed");
    crate::platform::realtime::sessions_ended(state, user_id.0, None, Some(session_id)).await;
    Ok(())
}

pub async fn public_profile(
    state: &AppState,
    viewer: Option<UserId>,
    username: &str,
) -> Result<PublicProfile, AppError> {
    let user = repo::user_by_username(&state.db, username)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(says!("server.auth.user_not_found", user = username.trim()))
        })?;
    let blocked = match viewer {
        Some(viewer) => repo::is_blocked(&state.db, viewer.0, user.id).await?,
        None => false,
    };
    Ok(public(user, blocked))
}

pub async fn set_blocked(
    state: &AppState,
    me: UserId,
    username: &str,
    blocked: bool,
) -> Result<PublicProfile, AppError> {
    let other = repo::user_by_username(&state.db, username)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(says!("server.auth.user_not_found", user = username.trim()))
        })?;
    if other.id == me.0 {
        return Err(AppError::Validation(says!("server.auth.cannot_block_self")));
    }
    if blocked {
        repo::block(&state.db, me.0, other.id, Utc::now()).await?;
    } else {
        repo::unblock(&state.db, me.0, other.id).await?;
    }
    // Open tabs of both follow: the blocker's drop the other's events, and a one-to-one
    // conversation between them closes (or opens again) for writing.
    crate::platform::realtime::blocks_changed(state, me.0).await;
    crate::platform::realtime::blocks_changed(state, other.id).await;
    public_profile(state, Some(UserId(me.0)), username).await
}

pub async fn blocked_users(state: &AppState, me: UserId) -> Result<Vec<PublicProfile>, AppError> {
    Ok(repo::blocked_users(&state.db, me.0)
        .await?
        .into_iter()
        .map(|u| public(u, true))
        .collect())
}

/// A person as others see them.
fn public(user: users::Model, blocked: bool) -> PublicProfile {
    PublicProfile {
        id: user.id.to_string(),
        joined: user.created_at.date_naive().to_string(),
        username: user.username,
        display_name: user.display_name,
        bio: user.bio,
        blocked,
        avatar_url: user
            .avatar
            .map(|id| crate::platform::pictures::url(id, false)),
    }
}

/// A new avatar from an uploaded image (cropped to its centre square); the old one goes.
pub async fn set_avatar(
    state: &AppState,
    user: UserId,
    image: bytes::Bytes,
) -> Result<User, AppError> {
    if image.len() as u64 > state.config.files.max_upload_bytes {
        return Err(AppError::PayloadTooLarge {
            limit_bytes: state.config.files.max_upload_bytes,
        });
    }
    let picture = crate::platform::pictures::store_square(&state.files, image).await?;
    replace_avatar(state, user, Some(picture)).await
}

/// Back to initials.
pub async fn remove_avatar(state: &AppState, user: UserId) -> Result<User, AppError> {
    replace_avatar(state, user, None).await
}

async fn replace_avatar(
    state: &AppState,
    user: UserId,
    picture: Option<Uuid>,
) -> Result<User, AppError> {
    let before = match repo::set_avatar(&state.db, user.0, picture).await {
        Ok(before) => before,
        Err(error) => {
            if let Some(picture) = picture {
                crate::platform::pictures::remove(&state.files, picture).await;
            }
            return Err(error.into());
        }
    };
    if let Some(old) = before.filter(|old| Some(*old) != picture) {
        crate::platform::pictures::remove(&state.files, old).await;
    }
    let model = repo::user_by_id(&state.db, user.0)
        .await?
        .ok_or(AppError::Unauthorized)?;
    Ok(to_user(&model))
}
