//! `AppError`: the one error type of the app. It crosses the wire from server functions to the
//! browser (serde), maps to an HTTP status, and reads as a sentence a person understands.
//! Internal causes are logged on the server and never echoed to the client.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(into = "WireError", try_from = "WireError")]
pub enum AppError {
    /// The input was refused; the text says what to change.
    #[error("{0}")]
    Validation(String),
    /// The request needs a signed-in person.
    #[error("Please sign in to continue.")]
    Unauthorized,
    /// Sign-in refused; deliberately silent on whether the name or the password was wrong.
    #[error("The email, username or password is incorrect.")]
    BadCredentials,
    /// A two-factor code (or recovery code) that is wrong, or was already used.
    #[error("That code is not correct. Check your authenticator app and try again.")]
    WrongCode,
    /// A one-time link (a password reset) that is unknown, expired or already used.
    #[error("This link has expired or was already used. Ask for a new one.")]
    LinkExpired,
    /// Signed in, but not allowed.
    #[error("You don't have permission to do that.")]
    Forbidden,
    /// Signed in, but the community's rules refuse this; the text says why.
    #[error("{0}")]
    Denied(String),
    /// The thing asked for does not exist (or is hidden from this person).
    #[error("{0} was not found.")]
    NotFound(String),
    /// The request clashes with what exists (a taken username, say).
    #[error("{0}")]
    Conflict(String),
    /// Too many requests; try again after the given number of seconds.
    #[error("Too many requests. Try again in {retry_after_secs} s.")]
    RateLimited { retry_after_secs: u64 },
    /// A dependency (the database, a provider) is down for now.
    #[error("The service is temporarily unavailable. Please try again shortly.")]
    Unavailable,
    /// A bug or an unexpected failure; the details are in the server log.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The call itself failed (network, encoding): the server function machinery's error.
    #[error("Could not reach the server: {0}")]
    Transport(ServerFnErrorErr),
}

impl AppError {
    /// The HTTP status this error answers with.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Validation(_) => 422,
            AppError::Unauthorized | AppError::BadCredentials => 401,
            AppError::WrongCode => 422,
            AppError::LinkExpired => 410,
            AppError::Forbidden | AppError::Denied(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::RateLimited { .. } => 429,
            AppError::Unavailable => 503,
            AppError::Internal => 500,
            AppError::Transport(ServerFnErrorErr::Request(_)) => 502,
            AppError::Transport(
                ServerFnErrorErr::Args(_) | ServerFnErrorErr::Deserialization(_),
            ) => 400,
            AppError::Transport(ServerFnErrorErr::UnsupportedRequestMethod(_)) => 405,
            AppError::Transport(_) => 500,
        }
    }
}

/// How an `AppError` looks on the wire, for scripts as much as for the web app:
/// `{"error": "Too many requests. Try again in 42 s.", "code": "rate_limited", "retryAfterSecs": 42}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireError {
    /// The sentence to show a person.
    pub error: String,
    /// A stable identifier for programs.
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
    /// The variant's own text (validation, conflict, not found) or transport details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
}

impl From<AppError> for WireError {
    fn from(err: AppError) -> Self {
        let error = err.to_string();
        let text = |s: String| Some(serde_json::Value::String(s));
        let (code, retry_after_secs, detail) = match err {
            AppError::Validation(s) => ("validation", None, text(s)),
            AppError::Unauthorized => ("unauthorized", None, None),
            AppError::BadCredentials => ("bad_credentials", None, None),
            AppError::WrongCode => ("wrong_code", None, None),
            AppError::LinkExpired => ("link_expired", None, None),
            AppError::Forbidden => ("forbidden", None, None),
            AppError::Denied(s) => ("denied", None, text(s)),
            AppError::NotFound(s) => ("not_found", None, text(s)),
            AppError::Conflict(s) => ("conflict", None, text(s)),
            AppError::RateLimited { retry_after_secs } => {
                ("rate_limited", Some(retry_after_secs), None)
            }
            AppError::Unavailable => ("unavailable", None, None),
            AppError::Internal => ("internal", None, None),
            AppError::Transport(e) => ("transport", None, serde_json::to_value(e).ok()),
        };
        WireError {
            error,
            code: code.to_owned(),
            retry_after_secs,
            detail,
        }
    }
}

impl TryFrom<WireError> for AppError {
    type Error = String;

    fn try_from(wire: WireError) -> Result<Self, Self::Error> {
        let text = || match &wire.detail {
            Some(serde_json::Value::String(s)) => Ok(s.clone()),
            _ => Err(format!("error code `{}` needs a text detail", wire.code)),
        };
        Ok(match wire.code.as_str() {
            "validation" => AppError::Validation(text()?),
            "unauthorized" => AppError::Unauthorized,
            "bad_credentials" => AppError::BadCredentials,
            "wrong_code" => AppError::WrongCode,
            "link_expired" => AppError::LinkExpired,
            "forbidden" => AppError::Forbidden,
            "denied" => AppError::Denied(text()?),
            "not_found" => AppError::NotFound(text()?),
            "conflict" => AppError::Conflict(text()?),
            "rate_limited" => AppError::RateLimited {
                retry_after_secs: wire.retry_after_secs.unwrap_or(1),
            },
            "unavailable" => AppError::Unavailable,
            "internal" => AppError::Internal,
            "transport" => AppError::Transport(
                wire.detail
                    .and_then(|d| serde_json::from_value(d).ok())
                    .unwrap_or_else(|| {
                        ServerFnErrorErr::Deserialization("unreadable transport error".into())
                    }),
            ),
            other => return Err(format!("unknown error code `{other}`")),
        })
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value)
    }
}

#[cfg(feature = "ssr")]
mod server {
    use axum::{
        http::{header, HeaderValue, StatusCode},
        response::{IntoResponse, Response},
        Json,
    };
    use sea_orm::{DbErr, SqlErr};

    use super::AppError;

    impl From<DbErr> for AppError {
        fn from(err: DbErr) -> Self {
            // A constraint the person can fix is a 409; anything else is ours, and logged.
            match err.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(_)) => {
                    AppError::Conflict("That already exists.".into())
                }
                Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                    AppError::Conflict("That refers to something that no longer exists.".into())
                }
                _ => match err {
                    DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => {
                        tracing::error!(error = %err, "database unreachable");
                        AppError::Unavailable
                    }
                    _ => {
                        tracing::error!(error = %err, "database error");
                        AppError::Internal
                    }
                },
            }
        }
    }

    impl From<std::io::Error> for AppError {
        fn from(err: std::io::Error) -> Self {
            tracing::error!(error = %err, "i/o error");
            AppError::Internal
        }
    }

    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            let status = StatusCode::from_u16(self.status_code())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let body =
                Json(serde_json::json!({ "error": self.to_string(), "status": status.as_u16() }));
            let mut response = (status, body).into_response();
            if let AppError::RateLimited { retry_after_secs } = self {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_reads_as_a_sentence_and_has_a_status() {
        let cases = [
            (
                AppError::Validation("Username must be 3–32 characters.".into()),
                422,
                "Username must be 3–32 characters.",
            ),
            (AppError::Unauthorized, 401, "Please sign in to continue."),
            (
                AppError::BadCredentials,
                401,
                "The email, username or password is incorrect.",
            ),
            (
                AppError::WrongCode,
                422,
                "That code is not correct. Check your authenticator app and try again.",
            ),
            (
                AppError::LinkExpired,
                410,
                "This link has expired or was already used. Ask for a new one.",
            ),
            (
                AppError::Forbidden,
                403,
                "You don't have permission to do that.",
            ),
            (
                AppError::NotFound("Channel #general".into()),
                404,
                "Channel #general was not found.",
            ),
            (
                AppError::Conflict("That username is taken.".into()),
                409,
                "That username is taken.",
            ),
            (
                AppError::RateLimited {
                    retry_after_secs: 42,
                },
                429,
                "Too many requests. Try again in 42 s.",
            ),
            (
                AppError::Unavailable,
                503,
                "The service is temporarily unavailable. Please try again shortly.",
            ),
            (
                AppError::Internal,
                500,
                "Something went wrong on our side. Please try again.",
            ),
        ];
        for (err, status, text) in cases {
            assert_eq!(err.status_code(), status, "{err:?}");
            assert_eq!(err.to_string(), text);
        }
    }

    #[test]
    fn the_wire_format_is_readable_by_scripts() {
        let json = serde_json::to_value(AppError::RateLimited {
            retry_after_secs: 42,
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error": "Too many requests. Try again in 42 s.", "code": "rate_limited", "retryAfterSecs": 42})
        );
        let json =
            serde_json::to_value(AppError::Conflict("That username is taken.".into())).unwrap();
        assert_eq!(json["code"], "conflict");
        assert_eq!(json["error"], "That username is taken.");
        let unknown: Result<AppError, _> =
            serde_json::from_value(serde_json::json!({"error": "x", "code": "nope"}));
        assert!(unknown.is_err());
    }

    #[test]
    fn survives_the_wire() {
        let err = AppError::RateLimited {
            retry_after_secs: 7,
        };
        let bytes = err.ser();
        assert_eq!(AppError::de(bytes), err);
        // A body the client cannot decode still becomes a readable error, not a panic.
        let garbled = AppError::de(leptos::server_fn::Bytes::from_static(
            b"<html>proxy error</html>",
        ));
        assert!(matches!(
            garbled,
            AppError::Transport(ServerFnErrorErr::Deserialization(_))
        ));
    }

    #[test]
    fn transport_failures_map_to_gateway_and_client_statuses() {
        assert_eq!(
            AppError::from_server_fn_error(ServerFnErrorErr::Request("offline".into()))
                .status_code(),
            502
        );
        assert_eq!(
            AppError::from_server_fn_error(ServerFnErrorErr::Args("bad".into())).status_code(),
            400
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn internal_details_are_not_echoed() {
        let err: AppError =
            sea_orm::DbErr::Custom("relation \"users\" does not exist".into()).into();
        assert_eq!(err, AppError::Internal);
        assert!(!err.to_string().contains("users"));
    }
}
