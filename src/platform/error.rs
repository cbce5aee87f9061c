//! `AppError`: the one error type of the app. It crosses the wire from server functions to the
//! browser (serde), maps to an HTTP status, and reads as a sentence a person understands.
//! Internal causes are logged on the server and never echoed to the client.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

use crate::kit::{
    i18n::Locale,
    sentences::{says, Sentence},
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "WireError", try_from = "WireError")]
pub enum AppError {
    /// The input was refused; the sentence says what to change.
    Validation(Sentence),
    /// The request needs a signed-in person.
    Unauthorized,
    /// Sign-in refused; deliberately silent on whether the name or the password was wrong.
    BadCredentials,
    /// A two-factor code (or recovery code) that is wrong, or was already used.
    WrongCode,
    /// A one-time link (a password reset) that is unknown, expired or already used.
    LinkExpired,
    /// Signed in, but not allowed.
    Forbidden,
    /// Signed in, but the community's rules refuse this; the sentence says why.
    Denied(Sentence),
    /// The thing asked for does not exist (or is hidden from this person); the sentence names it.
    NotFound(Sentence),
    /// The request clashes with what exists (a taken username, say).
    Conflict(Sentence),
    /// Too many requests; try again after the given number of seconds.
    RateLimited { retry_after_secs: u64 },
    /// A dependency (the database, a provider) is down for now.
    Unavailable,
    /// The server is at capacity for this kind of work (password hashing during a burst of
    /// sign-ins); nothing was done, and the same request may be sent again after the wait.
    Busy { retry_after_secs: u64 },
    /// A bug or an unexpected failure; the details are in the server log.
    Internal,
    /// The request's arguments could not be read (malformed JSON, a wrong type, a missing
    /// field…); the text is the decoder's reason, which stays in English.
    BadRequest(String),
    /// The body is larger than this address accepts.
    PayloadTooLarge { limit_bytes: u64 },
    /// The body is neither JSON nor a form (a cross-site `text/plain` post, say).
    UnsupportedMediaType,
    /// A state-changing request (or the websocket) from a page of another site.
    ForbiddenOrigin,
    /// The call itself failed (network, encoding): the server function machinery's error.
    Transport(ServerFnErrorErr),
}

/// In English, for logs and for programs that did not say which language they read.
impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Locale::en))
    }
}

impl std::error::Error for AppError {}

impl AppError {
    /// The error as a sentence in `locale`.
    pub fn text(&self, locale: Locale) -> String {
        let said = match self {
            AppError::Validation(s)
            | AppError::Denied(s)
            | AppError::NotFound(s)
            | AppError::Conflict(s) => return s.render(locale),
            AppError::Unauthorized => says!("errors.unauthorized"),
            AppError::BadCredentials => says!("errors.bad_credentials"),
            AppError::WrongCode => says!("errors.wrong_code"),
            AppError::LinkExpired => says!("errors.link_expired"),
            AppError::Forbidden => says!("errors.forbidden"),
            AppError::RateLimited { retry_after_secs } => {
                says!("errors.rate_limited", n = retry_after_secs)
            }
            AppError::Unavailable => says!("errors.unavailable"),
            AppError::Busy { retry_after_secs } => says!("errors.busy", n = retry_after_secs),
            AppError::Internal => says!("errors.generic"),
            AppError::BadRequest(detail) => says!("server.bad_request", detail = detail),
            AppError::PayloadTooLarge { limit_bytes } => {
                says!("server.payload_too_large", kib = limit_bytes / 1024)
            }
            AppError::UnsupportedMediaType => says!("server.unsupported_media_type"),
            AppError::ForbiddenOrigin => says!("errors.forbidden_origin"),
            AppError::Transport(ServerFnErrorErr::Request(_)) => says!("errors.network"),
            AppError::Transport(e) => says!("server.transport", detail = e),
        };
        said.render(locale)
    }

    /// The HTTP status this error answers with.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Validation(_) => 422,
            AppError::Unauthorized | AppError::BadCredentials => 401,
            AppError::Forbidden | AppError::Denied(_) | AppError::ForbiddenOrigin => 403,
            AppError::BadRequest(_) => 400,
            AppError::PayloadTooLarge { .. } => 413,
            AppError::UnsupportedMediaType => 415,
            AppError::WrongCode => 422,
            AppError::LinkExpired => 410,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::RateLimited { .. } => 429,
            AppError::Unavailable | AppError::Busy { .. } => 503,
            AppError::Internal => 500,
            AppError::Transport(ServerFnErrorErr::Request(_)) => 502,
            AppError::Transport(
                ServerFnErrorErr::Args(_)
                | ServerFnErrorErr::Deserialization(_)
                | ServerFnErrorErr::MissingArg(_),
            ) => 400,
            AppError::Transport(ServerFnErrorErr::UnsupportedRequestMethod(_)) => 405,
            AppError::Transport(_) => 500,
        }
    }

    /// The seconds to put in `Retry-After`, for the errors that say when to come back.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::RateLimited { retry_after_secs } | AppError::Busy { retry_after_secs } => {
                Some(*retry_after_secs)
            }
            _ => None,
        }
    }
}

/// How an `AppError` looks on the wire, for scripts as much as for the web app:
/// `{"error": "Too many requests. Try again in 42 s.", "code": "rate_limited", "retryAfterSecs": 42}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WireError {
    /// The sentence to show a person.
    pub error: String,
    /// A stable identifier for programs.
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
    /// The variant's own sentence (validation, refusal, conflict, not found) as its catalogue
    /// key and values, the decoder's reason, or transport details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
}

impl From<AppError> for WireError {
    fn from(err: AppError) -> Self {
        WireError::in_language(err, Locale::en)
    }
}

impl WireError {
    /// The error with its sentence in `locale` (the request's language, where it is known).
    pub fn in_language(err: AppError, locale: Locale) -> WireError {
        let error = err.text(locale);
        let said = |s: Sentence| serde_json::to_value(s).ok();
        let (code, retry_after_secs, detail) = match err {
            AppError::Validation(s) => ("validation", None, said(s)),
            AppError::Unauthorized => ("unauthorized", None, None),
            AppError::BadCredentials => ("bad_credentials", None, None),
            AppError::WrongCode => ("wrong_code", None, None),
            AppError::LinkExpired => ("link_expired", None, None),
            AppError::Forbidden => ("forbidden", None, None),
            AppError::Denied(s) => ("denied", None, said(s)),
            AppError::NotFound(s) => ("not_found", None, said(s)),
            AppError::Conflict(s) => ("conflict", None, said(s)),
            AppError::RateLimited { retry_after_secs } => {
                ("rate_limited", Some(retry_after_secs), None)
            }
            AppError::Unavailable => ("unavailable", None, None),
            AppError::Busy { retry_after_secs } => ("busy", Some(retry_after_secs), None),
            AppError::Internal => ("internal", None, None),
            AppError::BadRequest(s) => ("bad_request", None, Some(s.into())),
            AppError::PayloadTooLarge { limit_bytes } => {
                ("payload_too_large", None, Some(limit_bytes.into()))
            }
            AppError::UnsupportedMediaType => ("unsupported_media_type", None, None),
            AppError::ForbiddenOrigin => ("forbidden_origin", None, None),
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
        let said = || {
            wire.detail
                .clone()
                .and_then(|d| serde_json::from_value::<Sentence>(d).ok())
                .ok_or_else(|| format!("error code `{}` needs a sentence", wire.code))
        };
        Ok(match wire.code.as_str() {
            "validation" => AppError::Validation(said()?),
            "unauthorized" => AppError::Unauthorized,
            "bad_credentials" => AppError::BadCredentials,
            "wrong_code" => AppError::WrongCode,
            "link_expired" => AppError::LinkExpired,
            "forbidden" => AppError::Forbidden,
            "denied" => AppError::Denied(said()?),
            "not_found" => AppError::NotFound(said()?),
            "conflict" => AppError::Conflict(said()?),
            "rate_limited" => AppError::RateLimited {
                retry_after_secs: wire.retry_after_secs.unwrap_or(1),
            },
            "unavailable" => AppError::Unavailable,
            "busy" => AppError::Busy {
                retry_after_secs: wire.retry_after_secs.unwrap_or(1),
            },
            "internal" => AppError::Internal,
            "bad_request" => AppError::BadRequest(text()?),
            "payload_too_large" => AppError::PayloadTooLarge {
                limit_bytes: wire.detail.as_ref().and_then(|d| d.as_u64()).unwrap_or(0),
            },
            "unsupported_media_type" => AppError::UnsupportedMediaType,
            "forbidden_origin" => AppError::ForbiddenOrigin,
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
        // On the server these three mean "the request's arguments could not be decoded" — the
        // caller's mistake, answered 400 with the decoder's reason. (In the browser,
        // `Deserialization` means the *answer* was unreadable: a transport failure.)
        #[cfg(feature = "ssr")]
        match value {
            ServerFnErrorErr::Deserialization(reason) | ServerFnErrorErr::Args(reason) => {
                return AppError::BadRequest(reason.trim_end_matches('.').to_owned())
            }
            ServerFnErrorErr::MissingArg(name) => {
                return AppError::BadRequest(format!("missing argument `{name}`"))
            }
            _ => {}
        }
        AppError::Transport(value)
    }
}

#[cfg(feature = "ssr")]
pub use server::finish_error_answers;

#[cfg(feature = "ssr")]
mod server {
    use axum::{
        body::Body,
        extract::Request,
        http::{header, HeaderValue, StatusCode},
        middleware::Next,
        response::{IntoResponse, Response},
        Json,
    };
    use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;
    use sea_orm::{DbErr, SqlErr};

    use super::{AppError, WireError};
    use crate::{
        kit::{
            languages::{request_language, LANGUAGE_COOKIE},
            sentences::says,
        },
        platform::cookies::cookie,
    };

    impl From<DbErr> for AppError {
        fn from(err: DbErr) -> Self {
            // A constraint the person can fix is a 409; anything else is ours, and logged.
            match err.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(_)) => {
                    AppError::Conflict(says!("server.already_exists"))
                }
                Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                    AppError::Conflict(says!("server.refers_to_nothing"))
                }
                _ => match err {
                    DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => {
                        tracing::error!(error = %err, database = crate::platform::db::name(), "database unreachable");
                        AppError::Unavailable
                    }
                    _ => {
                        tracing::error!(error = %err, database = crate::platform::db::name(), "database error");
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
            let retry_after = self.retry_after();
            // The wire format: `{"error": "<a sentence>", "code": "…"}`.
            let mut response = (status, Json(self)).into_response();
            if let Some(secs) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            response
        }
    }

    /// Middleware: finishes every error answer the app writes (`{"error": …, "code": …}`):
    /// its sentence in the request's language (the chosen UI language, else the browser's),
    /// and — for a server function's — the status of the `AppError` in it.
    ///
    /// server_fn answers 500 for every error raised before the function's body runs — above all
    /// arguments it cannot decode, which are the caller's mistake (400). The body already holds
    /// the right `AppError`; this reads it back and sets its status.
    pub async fn finish_error_answers(request: Request, next: Next) -> Response {
        // Every request passes here; the language is worked out only for an error answer.
        let chosen = cookie(request.headers(), LANGUAGE_COOKIE);
        let accepted = request.headers().get(header::ACCEPT_LANGUAGE).cloned();
        let response = next.run(request).await;
        let from_server_fn = response.headers().contains_key(SERVER_FN_ERROR_HEADER);
        let json = response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
        let failed = response.status().is_client_error() || response.status().is_server_error();
        if !failed || !(from_server_fn || json) {
            return response;
        }
        let (mut parts, body) = response.into_parts();
        // An error answer is a sentence or two; anything bigger is not ours to read.
        let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
            return AppError::Internal.into_response();
        };
        let Ok(error) = serde_json::from_slice::<AppError>(&bytes) else {
            return Response::from_parts(parts, Body::from(bytes));
        };
        if from_server_fn && parts.status == StatusCode::INTERNAL_SERVER_ERROR {
            if let Ok(status) = StatusCode::from_u16(error.status_code()) {
                parts.status = status;
            }
        }
        let locale = request_language(
            chosen.as_deref(),
            accepted.as_ref().and_then(|v| v.to_str().ok()),
        );
        match serde_json::to_vec(&WireError::in_language(error, locale)) {
            Ok(localized) => {
                parts.headers.remove(header::CONTENT_LENGTH);
                Response::from_parts(parts, Body::from(localized))
            }
            Err(_) => Response::from_parts(parts, Body::from(bytes)),
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
                AppError::Validation(says!("field.username_too_short")),
                422,
                "Usernames are at least 3 characters.",
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
                AppError::NotFound(says!(
                    "server.community.channel_named_not_found",
                    name = "general"
                )),
                404,
                "The channel #general was not found.",
            ),
            (
                AppError::Conflict(says!("server.auth.username_taken")),
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
                AppError::Busy {
                    retry_after_secs: 1,
                },
                503,
                "Bullpen is busy right now. Try again in 1 s.",
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
            serde_json::to_value(AppError::Conflict(says!("server.auth.username_taken"))).unwrap();
        assert_eq!(json["code"], "conflict");
        assert_eq!(json["error"], "That username is taken.");
        assert_eq!(json["detail"]["key"], "server.auth.username_taken");
        let unknown: Result<AppError, _> =
            serde_json::from_value(serde_json::json!({"error": "x", "code": "nope"}));
        assert!(unknown.is_err());
    }

    #[test]
    fn a_refusal_crosses_the_wire_as_its_sentence_and_reads_in_any_language() {
        let err = AppError::Validation(says!("server.chat.too_long", max = 4000, length = 4012));
        assert_eq!(AppError::de(err.ser()), err);
        assert_eq!(
            err.to_string(),
            "Messages are at most 4000 characters; this one has 4012."
        );
        let german = WireError::in_language(err.clone(), Locale::de);
        assert_eq!(german.code, "validation");
        assert_eq!(german.error, err.text(Locale::de));
        assert!(german.error.contains("4000") && german.error.contains("4012"));
        assert_ne!(german.error, err.to_string());
        // Every fixed error has its own sentence in each language too.
        for fixed in [
            AppError::Unauthorized,
            AppError::Forbidden,
            AppError::RateLimited {
                retry_after_secs: 9,
            },
            AppError::Internal,
        ] {
            assert_ne!(fixed.text(Locale::tr), fixed.text(Locale::en), "{fixed:?}");
        }
    }

    #[test]
    fn survives_the_wire() {
        for err in [
            AppError::RateLimited {
                retry_after_secs: 7,
            },
            AppError::Busy {
                retry_after_secs: 2,
            },
        ] {
            assert_eq!(AppError::de(err.ser()), err);
        }
        // A body the client cannot decode still becomes a readable error, not a panic.
        let garbled = AppError::de(leptos::server_fn::Bytes::from_static(
            b"<html>proxy error</html>",
        ));
        #[cfg(not(feature = "ssr"))]
        assert!(matches!(
            garbled,
            AppError::Transport(ServerFnErrorErr::Deserialization(_))
        ));
        #[cfg(feature = "ssr")]
        assert!(matches!(garbled, AppError::BadRequest(_)));
        for err in [
            AppError::BadRequest("missing field `login` at line 1 column 2".into()),
            AppError::PayloadTooLarge {
                limit_bytes: 1 << 20,
            },
            AppError::UnsupportedMediaType,
            AppError::ForbiddenOrigin,
        ] {
            assert_eq!(AppError::de(err.ser()), err);
        }
    }

    #[test]
    fn boundary_refusals_have_their_statuses_codes_and_sentences() {
        let cases = [
            (
                AppError::BadRequest("missing field `login` at line 1 column 2".into()),
                400,
                "bad_request",
                "The request could not be read: missing field `login` at line 1 column 2.",
            ),
            (
                AppError::PayloadTooLarge { limit_bytes: 1 << 20 },
                413,
                "payload_too_large",
                "The request is larger than the 1024 KiB this address accepts.",
            ),
            (
                AppError::UnsupportedMediaType,
                415,
                "unsupported_media_type",
                "Send the request as application/json (or as a form, application/x-www-form-urlencoded).",
            ),
            (
                AppError::ForbiddenOrigin,
                403,
                "forbidden_origin",
                "This request came from another site and was refused. Open Bullpen at its own address and try again.",
            ),
        ];
        for (err, status, code, text) in cases {
            assert_eq!(err.status_code(), status, "{err:?}");
            let wire = serde_json::to_value(&err).unwrap();
            assert_eq!(wire["code"], code);
            assert_eq!(wire["error"], text);
        }
    }

    /// The server decodes arguments; failing that is the caller's mistake, with the reason.
    #[cfg(feature = "ssr")]
    #[test]
    fn undecodable_arguments_are_a_bad_request() {
        for (failure, text) in [
            (
                ServerFnErrorErr::Deserialization("expected value at line 1 column 1".into()),
                "The request could not be read: expected value at line 1 column 1.",
            ),
            (
                ServerFnErrorErr::Args("unknown variant `lifo`, expected `fifo` or `average`".into()),
                "The request could not be read: unknown variant `lifo`, expected `fifo` or `average`.",
            ),
            (
                ServerFnErrorErr::MissingArg("login".into()),
                "The request could not be read: missing argument `login`.",
            ),
        ] {
            let err = AppError::from_server_fn_error(failure);
            assert_eq!(err.status_code(), 400);
            assert_eq!(err.to_string(), text);
        }
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
        assert_eq!(
            AppError::Transport(ServerFnErrorErr::MissingArg("login".into())).status_code(),
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
