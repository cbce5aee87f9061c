//! Outgoing e-mail over SMTP (lettre with rustls). A connection per message: the app sends few
//! (password resets), so no pool is kept open.

use std::time::Duration;

use lettre::{
    message::{header::ContentType, Mailbox},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

use super::config::SmtpConfig;

/// A plain-text message to one person.
#[derive(Debug, Clone)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("`{0}` is not an e-mail address")]
    Address(String),
    #[error("the message could not be built: {0}")]
    Message(#[from] lettre::error::Error),
    #[error("the SMTP server refused or could not be reached: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
}

/// How long one delivery may take before it is given up (connect, talk, send).
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends `email` through the configured SMTP server.
pub async fn send(smtp: &SmtpConfig, email: Email) -> Result<(), MailError> {
    let mailbox = |text: &str| -> Result<Mailbox, MailError> {
        text.parse()
            .map_err(|_| MailError::Address(text.to_owned()))
    };
    let message = Message::builder()
        .from(mailbox(&smtp.from)?)
        .to(mailbox(&email.to)?)
        .subject(email.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(email.text)?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url)?
        .timeout(Some(SEND_TIMEOUT))
        .build();
    transport.send(message).await?;
    Ok(())
}
