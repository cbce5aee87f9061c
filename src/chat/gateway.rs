//! The gateway for bots (`GET /api/v1/gateway`): the app's own realtime socket, opened with a
//! personal access token. A bot receives the same typed events a tab does, for the channels it
//! subscribes to (resumable by sequence number, `afterSeq`), and may do over it only what its
//! token's scopes allow. Intents (`?intents=messages,reactions`) narrow what it receives to the
//! kinds of events it needs; the events that answer its own requests (`ready`, `subscribed`,
//! `replay`, errors, `resync`, `accessLost`, `sessionEnded`, `closing`) always come. Revoking
//! the token closes its sockets at once, like signing out closes a tab's.

use axum::{
    body::Body,
    extract::State,
    http::Request,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use uuid::Uuid;

use super::ClientEvent;
use crate::{
    auth::{caller::ApiCaller, Scope},
    entities::users,
    kit::sentences::says,
    platform::{
        error::{AppError, WireError},
        rest::QueryArgs,
        state::AppState,
    },
};

/// The kinds of events a bot may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// Messages created, edited, deleted and pinned, their polls and events changing, commands'
    /// answers.
    Messages,
    Reactions,
    Typing,
    Presence,
    /// The AI's judgement of messages (flags, analyses) and moderators clearing them.
    Moderation,
    Translations,
    /// The person's inbox, direct messages and achievements.
    Notifications,
    /// Channels and members of the communities watched, and activity elsewhere in them.
    Community,
    Voice,
}

impl Intent {
    pub const ALL: [Intent; 9] = [
        Intent::Messages,
        Intent::Reactions,
        Intent::Typing,
        Intent::Presence,
        Intent::Moderation,
        Intent::Translations,
        Intent::Notifications,
        Intent::Community,
        Intent::Voice,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Intent::Messages => "messages",
            Intent::Reactions => "reactions",
            Intent::Typing => "typing",
            Intent::Presence => "presence",
            Intent::Moderation => "moderation",
            Intent::Translations => "translations",
            Intent::Notifications => "notifications",
            Intent::Community => "community",
            Intent::Voice => "voice",
        }
    }

    const fn bit(self) -> u16 {
        1 << self as u16
    }

    /// The intent an event (by its `type`) belongs to; None for the events every connection
    /// gets.
    fn of(event_type: &str) -> Option<Intent> {
        Some(match event_type {
            "ready" | "subscribed" | "replay" | "error" | "resync" | "accessLost"
            | "sessionEnded" | "closing" | "accountDeleted" => return None,
            "messageCreated" | "messageEdited" | "messageDeleted" | "pinChanged"
            | "partChanged" | "commandReply" => Intent::Messages,
            "reactionsChanged" => Intent::Reactions,
            "typing" => Intent::Typing,
            "presence" => Intent::Presence,
            "messageFlagged" | "flagCleared" | "messageAnalyzed" => Intent::Moderation,
            "messageTranslated" => Intent::Translations,
            "notified" | "inboxUnread" | "directMessage" | "achievementEarned" => {
                Intent::Notifications
            }
            t if t.starts_with("voice") => Intent::Voice,
            // Channel activity and the community's own events (channels, members, roles).
            _ => Intent::Community,
        })
    }
}

/// The set of intents a connection asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intents(u16);

impl Intents {
    pub const EVERY: Intents = Intents(u16::MAX);

    /// `messages,reactions`: a comma-separated list; empty or absent, every intent.
    pub fn parse(text: Option<&str>) -> Result<Intents, AppError> {
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(Intents::EVERY);
        };
        let mut bits = 0;
        for name in text.split(',').map(str::trim) {
            let intent = Intent::ALL
                .into_iter()
                .find(|i| i.as_str() == name)
                .ok_or_else(|| {
                    AppError::Validation(says!(
                        "server.gateway.unknown_intent",
                        intent = name.chars().take(40).collect::<String>(),
                        intents = Intent::ALL.map(Intent::as_str).join(", ")
                    ))
                })?;
            bits |= intent.bit();
        }
        Ok(Intents(bits))
    }

    pub fn includes(self, intent: Intent) -> bool {
        self.0 & intent.bit() != 0
    }

    /// Whether an event, as the JSON it is sent as, goes to this connection.
    pub fn wants(self, json: &[u8]) -> bool {
        self == Intents::EVERY
            || event_type(json)
                .and_then(Intent::of)
                .is_none_or(|i| self.includes(i))
    }
}

/// An event's `type`, read from the start of its JSON (`{"type":"messageCreated",…}`: serde
/// writes the tag first) without parsing the rest.
fn event_type(json: &[u8]) -> Option<&str> {
    let rest = json.strip_prefix(br#"{"type":""#)?;
    let end = rest.iter().position(|b| *b == b'"')?;
    std::str::from_utf8(&rest[..end]).ok()
}

/// What a bot's connection may do and wants to hear.
#[derive(Debug, Clone)]
pub struct Grants {
    pub scopes: Vec<Scope>,
    pub intents: Intents,
}

impl Grants {
    /// Whether the token may send this event; a refusal that names the scope it needs.
    pub fn allows(&self, event: &ClientEvent) -> Result<(), AppError> {
        let needed = match event {
            ClientEvent::Subscribe { .. }
            | ClientEvent::Unsubscribe { .. }
            | ClientEvent::WatchQuotes { .. }
            | ClientEvent::WatchCrowds { .. } => Scope::ChatRead,
            ClientEvent::Pin { .. } | ClientEvent::VoiceSilence { .. } => Scope::CommunityModerate,
            _ => Scope::ChatWrite,
        };
        if self.scopes.contains(&needed) {
            Ok(())
        } else {
            Err(AppError::Denied(says!(
                "server.tokens.scope_missing",
                scope = needed.as_str()
            )))
        }
    }
}

/// Who opened the gateway, put in the upgrade request for the socket to find.
#[derive(Debug, Clone)]
pub struct GatewayCaller {
    pub user: users::Model,
    /// The token's id (a session's, for a session's access token): its end closes the socket.
    pub credential: Uuid,
    pub grants: Grants,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GatewayArgs {
    /// The kinds of events wanted, comma-separated: `messages`, `reactions`, `typing`,
    /// `presence`, `moderation`, `translations`, `notifications`, `community`, `voice`. Every
    /// kind without.
    #[serde(default)]
    pub intents: Option<String>,
}

/// Opens the gateway: a websocket (send `Upgrade: websocket`) that speaks the app's realtime
/// protocol (docs/PROTOCOL.md). Subscribe to a channel with
/// `{"type": "subscribe", "channelId": "…", "afterSeq": null}`; events arrive one JSON a line.
#[utoipa::path(
    get,
    path = "/api/v1/gateway",
    tag = "gateway",
    params(GatewayArgs),
    security(("bearer" = ["chat:read"])),
    responses(
        (status = 101, description = "Switched to the websocket; the first event is `ready`"),
        (status = 400, description = "Not a websocket upgrade", body = WireError),
        (status = 401, body = WireError),
        (status = 403, description = "The token lacks `chat:read`", body = WireError),
        (status = 422, description = "An intent that does not exist", body = WireError),
        (status = 429, description = "Too many sockets open for this person", body = WireError),
    )
)]
pub async fn open(
    State(state): State<AppState>,
    caller: ApiCaller,
    QueryArgs(args): QueryArgs<GatewayArgs>,
    mut request: Request<Body>,
) -> Response {
    let checked = caller.may(Scope::ChatRead).and_then(|user| {
        Ok(GatewayCaller {
            user: user.clone(),
            credential: caller.credential(),
            grants: Grants {
                scopes: caller.scopes(),
                intents: Intents::parse(args.intents.as_deref())?,
            },
        })
    });
    match checked {
        Ok(gateway) => {
            request.extensions_mut().insert(gateway);
            super::transport::handle(State(state), request).await
        }
        Err(error) => error.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intents_read_a_list_and_refuse_what_they_do_not_know() {
        assert_eq!(Intents::parse(None).unwrap(), Intents::EVERY);
        assert_eq!(Intents::parse(Some(" ")).unwrap(), Intents::EVERY);
        let some = Intents::parse(Some("messages, reactions")).unwrap();
        assert!(some.includes(Intent::Messages) && some.includes(Intent::Reactions));
        assert!(!some.includes(Intent::Typing));
        assert!(Intents::parse(Some("messages,everything")).is_err());
    }

    #[test]
    fn an_event_is_kept_by_its_kind_and_answers_always_come() {
        let messages = Intents::parse(Some("messages")).unwrap();
        assert!(messages.wants(br#"{"type":"messageCreated","message":{}}"#));
        assert!(!messages.wants(br#"{"type":"typing","channelId":"c"}"#));
        assert!(!messages.wants(br#"{"type":"presence","userId":"u"}"#));
        assert!(messages.wants(br#"{"type":"subscribed","channelId":"c"}"#));
        assert!(messages.wants(br#"{"type":"error","error":{}}"#));
        assert!(!messages.wants(br#"{"type":"voiceRoster"}"#));
        assert!(Intents::EVERY.wants(br#"{"type":"typing"}"#));
        assert_eq!(event_type(br#"{"type":"typing","x":1}"#), Some("typing"));
        assert_eq!(event_type(b"[1,2]"), None);
    }

    #[test]
    fn writing_needs_write_and_pinning_needs_moderate() {
        let reader = Grants {
            scopes: vec![Scope::ChatRead],
            intents: Intents::EVERY,
        };
        let subscribe = ClientEvent::Subscribe {
            channel_id: "c".into(),
            after_seq: None,
        };
        let send = ClientEvent::Send {
            channel_id: "c".into(),
            nonce: "n".into(),
            body: "hi".into(),
            reply_to: None,
            attachments: Vec::new(),
        };
        let pin = ClientEvent::Pin {
            message_id: "m".into(),
            pinned: true,
        };
        assert!(reader.allows(&subscribe).is_ok());
        assert!(reader.allows(&send).is_err());
        let writer = Grants {
            scopes: vec![Scope::ChatRead, Scope::ChatWrite],
            intents: Intents::EVERY,
        };
        assert!(writer.allows(&send).is_ok());
        assert!(writer.allows(&pin).is_err());
    }
}
