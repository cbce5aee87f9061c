//! Password reset by e-mail: a link with a single-use token that lives 30 minutes and is stored
//! only as its SHA-256. Asking gives the same answer whether or not the address has an account,
//! and the e-mail is sent off the request path, so neither the answer nor its timing tells.
//! A reset ends every session of the account; two-factor sign-in, if on, stays on.

use chrono::{Duration, Utc};
use sea_orm::TransactionTrait;

use super::{attempts, password, repo, tokens, validate};
use crate::{
    entities::users,
    kit::i18n::{td_string, Locale},
    platform::{error::AppError, mail, rate_limit::RateLimit, state::AppState},
};

/// How long a reset link works.
pub const TOKEN_TTL_MINUTES: i64 = 30;
/// Requests per address: a mailbox cannot be flooded, and guessing addresses gets slow.
pub const PER_ADDRESS: RateLimit = RateLimit {
    max: 3,
    window: Duration::hours(1),
};
/// Requests per client address.
pub const PER_CLIENT: RateLimit = RateLimit {
    max: 10,
    window: Duration::hours(1),
};

/// Asks for a reset link for `email`. `Ok` whether or not an account uses the address; the link
/// goes by e-mail, or to the server log when no SMTP server is configured. `link_base` is the
/// site's public address ("https://bullpen.example").
pub async fn request(
    state: &AppState,
    email: &str,
    client: &str,
    link_base: &str,
) -> Result<(), AppError> {
    let email = validate::email(email).map_err(|e| AppError::Validation(e.sentence()))?;
    let now = Utc::now();
    // The counts live with the sign-in failures, so every instance shares them.
    let address_key = format!("reset:address:{email}");
    let client_key = format!("reset:client:{client}");
    attempts::reserve(
        state,
        &[(&address_key, PER_ADDRESS), (&client_key, PER_CLIENT)],
        now,
    )
    .await?
    .keep();

    let Some(user) = repo::user_by_login(&state.db, &email).await? else {
        tracing::info!("a password reset was asked for an address with no account");
        return Ok(());
    };
    let token = tokens::new_refresh_token();
    repo::insert_password_reset(
        &state.db,
        user.id,
        tokens::hash_refresh_token(&token),
        now,
        now + Duration::minutes(TOKEN_TTL_MINUTES),
    )
    .await?;
    let link = format!("{link_base}/reset-password?token={token}");
    let Some(smtp) = state.config.smtp.clone() else {
        tracing::warn!(
            user = %user.id,
            to = %user.email,
            link = %link,
            "SMTP_URL is not set: give this password-reset link to the person who asked"
        );
        return Ok(());
    };
    let message = reset_email(&user, &link);
    let user_id = user.id;
    // Off the request path: the answer comes as fast for a known address as for an unknown one.
    tokio::spawn(async move {
        match mail::send(&smtp, message).await {
            Ok(()) => tracing::info!(user = %user_id, "password-reset e-mail sent"),
            Err(err) => {
                tracing::error!(user = %user_id, error = %err, "the password-reset e-mail was not sent")
            }
        }
    });
    Ok(())
}

/// The e-mail, in the person's language.
fn reset_email(user: &users::Model, link: &str) -> mail::Email {
    let locale: Locale = user.preferred_language.parse().unwrap_or_default();
    let text = td_string!(locale, mail.reset_body)
        .replace("{name}", &user.display_name)
        .replace("{link}", link)
        .replace("{minutes}", &TOKEN_TTL_MINUTES.to_string());
    mail::Email {
        to: user.email.clone(),
        subject: td_string!(locale, mail.reset_subject).to_owned(),
        text,
    }
}

/// Sets a new password with a reset link's token. The token works once; every session of the
/// account ends, and so do pending two-factor sign-ins and other reset links.
pub async fn complete(state: &AppState, token: &str, new_password: &str) -> Result<(), AppError> {
    // Checked first, so a refused password does not spend the link.
    validate::new_password(new_password).map_err(|e| AppError::Validation(e.sentence()))?;
    let now = Utc::now();
    let row = repo::password_reset_by_hash(&state.db, &tokens::hash_refresh_token(token.trim()))
        .await?
        .filter(|r| r.used_at.is_none() && r.expires_at > now)
        .ok_or(AppError::LinkExpired)?;
    let user = repo::user_by_id(&state.db, row.user_id)
        .await?
        .ok_or(AppError::LinkExpired)?;
    let hash = password::hash(new_password.to_owned()).await?;

    let txn = state.db.begin().await?;
    if !repo::spend_password_reset(&txn, row.id, now).await? {
        txn.rollback().await?;
        return Err(AppError::LinkExpired);
    }
    let user_id = user.id;
    repo::set_password_hash(&txn, user_id, hash, now).await?;
    let ended = repo::revoke_all_families(&txn, user_id, now).await?;
    repo::spend_password_resets_of(&txn, user_id, now).await?;
    repo::delete_login_challenges(&txn, user_id).await?;
    txn.commit().await?;
    tracing::info!(user = %user_id, sessions_ended = ended, "password reset by e-mail link");
    Ok(())
}
