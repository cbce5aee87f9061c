//! Messages, reactions, pins, replies, read positions, slash commands and the realtime channel.
//!
//! The realtime channel is one websocket per browser tab (`api::chat_socket`) carrying
//! `ClientEvent` up and `ServerEvent` down; `docs/PROTOCOL.md` documents the wire format.

use serde::{Deserialize, Serialize};

use crate::carried::{attachment, badge, call, inbox, Parts};
use crate::kit::sentences::{says, Sentence};

pub mod api;
pub mod commands;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod activity;
#[cfg(feature = "ssr")]
pub mod command_handlers;
#[cfg(feature = "ssr")]
pub mod gateway;
#[cfg(feature = "ssr")]
pub mod parts;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod riders;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod socket;
#[cfg(feature = "ssr")]
pub mod transport;
#[cfg(feature = "ssr")]
pub mod writer;

#[cfg(feature = "ssr")]
crate::platform::ids::typed_id!(
    /// A message in a channel.
    MessageId,
    "server.chat.message_not_found"
);

/// The longest message accepted, in characters.
pub const MESSAGE_MAX: usize = 4000;
/// What `messages.ai_status` says once the AI has read a message, or could not.
pub const AI_CHECKED: &str = "checked";
pub const AI_UNCHECKED: &str = "unchecked";
/// Messages per history page.
pub const PAGE_SIZE: u64 = 50;
/// The most messages one page holds when it reaches back to a message (a jump from search):
/// further back, the page is this long and the next one goes on from it.
pub const REACH_PAGE_MAX: u64 = 500;
/// Messages shown before the one jumped to, so it is read in context.
pub const REACH_CONTEXT: i64 = 10;
/// How long a typing indicator lasts without a refresh.
pub const TYPING_TIMEOUT_MS: u32 = 5000;
/// The reactions offered by the picker; any single emoji is accepted.
pub const QUICK_REACTIONS: [&str; 6] = ["👍", "❤️", "😂", "🚀", "📈", "📉"];

pub use crate::auth::Author;

/// The message a reply quotes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Quote {
    pub id: String,
    pub seq: i64,
    pub author: Author,
    /// The first words, or `None` if the quoted message was deleted.
    pub excerpt: Option<String>,
}

/// Everyone who reacted with one emoji.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Reaction {
    pub emoji: String,
    pub users: Vec<Author>,
}

/// A message as every reader sees it (nothing in it depends on who reads it, so one serialised
/// copy serves every subscriber).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ChatMessage {
    pub id: String,
    pub channel_id: String,
    /// 1, 2, 3… per channel, assigned in the transaction that stores the message.
    pub seq: i64,
    pub author: Author,
    /// `None` once deleted ("message deleted").
    pub body: Option<String>,
    pub reply_to: Option<Quote>,
    /// RFC 3339.
    pub created_at: String,
    pub edited: bool,
    pub pinned: bool,
    pub reactions: Vec<Reaction>,
    /// What moderation found, unless a moderator dismissed it. Flagged messages are still
    /// delivered: the flag only labels them.
    #[serde(default)]
    pub flag: Option<crate::ai::Flag>,
    /// The language the AI detected ("es"); `None` until it has read the message, or when the
    /// message is too short to tell.
    #[serde(default)]
    pub language: Option<String>,
    /// The translations made so far (into the languages its readers read).
    #[serde(default)]
    pub translations: Vec<crate::ai::Translation>,
    /// The AI could not look at this message ("not checked").
    #[serde(default)]
    pub unchecked: bool,
    /// The files sent with it (none once it is deleted).
    #[serde(default)]
    pub attachments: Vec<attachment::Attachment>,
    /// What features add to it (none once it is deleted), each kind a key of the message: the
    /// poll it asks (`poll`), the event it announces (`event`), the portfolio it shares
    /// (`card`). Each room reads its own (`polls::Poll::of(&message)`).
    #[serde(flatten)]
    #[cfg_attr(feature = "ssr", schema(ignore))]
    pub parts: Parts,
}

impl ServerEvent {
    /// Tells a channel that a message's part of kind `kind` is now `part`.
    pub fn part_changed<T: Serialize>(
        channel_id: String,
        message_id: String,
        kind: &str,
        part: &T,
    ) -> ServerEvent {
        ServerEvent::PartChanged {
            channel_id,
            message_id,
            kind: kind.to_string(),
            part: serde_json::to_value(part).unwrap_or_default(),
        }
    }
}

impl ChatMessage {
    pub fn deleted(&self) -> bool {
        self.body.is_none()
    }

    /// Whether the text mentions `@username` (case-insensitive).
    pub fn mentions(&self, username: &str) -> bool {
        self.body
            .as_deref()
            .map(|body| {
                crate::kit::markdown::mentions(body)
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(username))
            })
            .unwrap_or(false)
    }
}

/// A channel's newest message number, as channel activity carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelSeq {
    pub channel_id: String,
    pub last_seq: i64,
}

/// A page of history, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct HistoryPage {
    pub messages: Vec<ChatMessage>,
    /// Whether older messages exist before the first one.
    pub has_more: bool,
}

/// Everything a channel page needs in one round trip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenedChannel {
    pub community: crate::community::CommunityView,
    pub channel: crate::community::ChannelInfo,
    pub history: HistoryPage,
    /// The largest file this server takes (`MAX_UPLOAD_MB`), so the composer refuses a larger
    /// one before uploading it.
    pub max_upload_bytes: u64,
}

/// What a tab sends up the socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ClientEvent {
    /// Start receiving a channel's events. With `afterSeq`, first replay every message after it
    /// (how a reconnecting tab fills the gap).
    Subscribe {
        channel_id: String,
        after_seq: Option<i64>,
    },
    Unsubscribe {
        channel_id: String,
    },
    /// `nonce` is the tab's own id for the pending message; the confirmation echoes it.
    Send {
        channel_id: String,
        nonce: String,
        body: String,
        reply_to: Option<String>,
        /// Ids of the sender's uploads (`files`) this message carries; the body may then be
        /// empty.
        #[serde(default)]
        attachments: Vec<String>,
    },
    Edit {
        message_id: String,
        body: String,
    },
    Delete {
        message_id: String,
    },
    React {
        message_id: String,
        emoji: String,
        on: bool,
    },
    Pin {
        message_id: String,
        pinned: bool,
    },
    Typing {
        channel_id: String,
        typing: bool,
    },
    /// The reader has seen everything up to `seq`.
    Read {
        channel_id: String,
        seq: i64,
    },
    /// Join a voice channel's call with this tab (leaving any other call it is on).
    VoiceJoin {
        channel_id: String,
    },
    /// Leave the call this tab is on.
    VoiceLeave,
    /// Pass a step of the sound's set-up to another tab on the same call.
    VoiceSignal {
        to: String,
        signal: call::Signal,
    },
    /// This tab muted or deafened itself (or stopped).
    VoiceSelf {
        muted: bool,
        deafened: bool,
    },
    /// This tab's microphone started or stopped hearing a voice.
    VoiceSpeaking {
        speaking: bool,
    },
    /// A moderator mutes (or lets speak again) a person on a call, for everyone.
    VoiceSilence {
        channel_id: String,
        user_id: String,
        silenced: bool,
    },
    /// The prices this tab shows (at most 50 symbols; the whole set each time, `[]` for none):
    /// each change of one arrives as a `quoteChanged`. Guests may send this, and only this.
    WatchQuotes {
        symbols: Vec<String>,
    },
    /// The tickers whose crowd this tab shows (at most 5; the whole set each time): each new
    /// message naming one, anywhere, arrives as a `crowdSpoke` with the ticker alone. Guests
    /// may send this too.
    WatchCrowds {
        tickers: Vec<String>,
    },
}

/// What the server sends down.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ServerEvent {
    /// First event on every connection. `connectionId` is this tab's address on a call.
    Ready {
        user_id: String,
        #[serde(default)]
        connection_id: String,
    },
    /// A subscription is live; `lastSeq` is the channel's newest message at that moment.
    Subscribed {
        channel_id: String,
        last_seq: i64,
    },
    /// Messages a reconnecting tab missed, oldest first.
    Replay {
        channel_id: String,
        messages: Vec<ChatMessage>,
    },
    /// A new message; `nonce` is the sender's pending id.
    MessageCreated {
        message: ChatMessage,
        nonce: Option<String>,
    },
    MessageEdited {
        message: ChatMessage,
    },
    MessageDeleted {
        channel_id: String,
        message_id: String,
        seq: i64,
    },
    /// Moderation found something in a message (after it was delivered).
    MessageFlagged {
        channel_id: String,
        message_id: String,
        flag: crate::ai::Flag,
    },
    /// A message's flag is gone: a moderator dismissed it, or the message was edited.
    FlagCleared {
        channel_id: String,
        message_id: String,
    },
    /// The AI has read a message: the language it is in (when it could tell), or that it could
    /// not look at it (`unchecked`). Readers who get the message's translation learn its
    /// language from that instead, and readers of the language it is in are not told.
    MessageAnalyzed {
        channel_id: String,
        message_id: String,
        language: Option<String>,
        unchecked: bool,
    },
    /// A message (written in `language`) translated into its reader's language. Sent only to
    /// the readers of that language.
    MessageTranslated {
        channel_id: String,
        message_id: String,
        language: String,
        translation: crate::ai::Translation,
    },
    ReactionsChanged {
        channel_id: String,
        message_id: String,
        reactions: Vec<Reaction>,
    },
    /// A part of a message changed — a poll's result (someone voted), an event's answers: its
    /// kind (`poll`, `event`) and its new state, as the message carries it.
    PartChanged {
        channel_id: String,
        message_id: String,
        kind: String,
        part: serde_json::Value,
    },
    PinChanged {
        channel_id: String,
        message: ChatMessage,
    },
    Typing {
        channel_id: String,
        user: Author,
        typing: bool,
    },
    /// Channels of a watched community have new messages (drives unread counts): each busy
    /// channel's newest number, in one event per community at most every quarter second (per
    /// instance), whoever reads which channel — the same bytes go to every tab.
    ChannelActivity {
        community_id: String,
        channels: Vec<ChannelSeq>,
    },
    Presence {
        community_id: String,
        user_id: String,
        online: bool,
    },
    /// A person deleted their account: in this channel their messages now show `author`
    /// ("Deleted user"), or lost their words too (`messagesRemoved`), and their reactions are gone.
    AccountDeleted {
        channel_id: String,
        user_id: String,
        author: Author,
        messages_removed: bool,
    },
    /// Something this person hears of (sent to them alone): a mention, a reply, a direct
    /// message, `@everyone`, or any message of a place they hear everything of.
    Notified {
        item: inbox::InboxItem,
    },
    /// How many of this person's inbox entries are unread now (an entry came, or some were
    /// read).
    InboxUnread {
        unread: u64,
    },
    /// This person earned a badge (sent to them alone, once).
    AchievementEarned {
        achievement: badge::Earned,
    },
    /// A new message in one of this person's direct conversations (sent to each of its people
    /// but the author): their conversation list and unread badge move.
    DirectMessage {
        slug: String,
        message: ChatMessage,
    },
    /// Who is on a voice channel's call now (someone joined, left, muted, was silenced):
    /// to the community, after every change.
    VoiceRoster {
        community_id: String,
        roster: call::Roster,
    },
    /// Someone on a call started or stopped speaking (to the community; not stored).
    VoiceSpeaking {
        community_id: String,
        channel_id: String,
        connection_id: String,
        speaking: bool,
    },
    /// A step of the sound's set-up from another tab on this tab's call; for the tab `to`
    /// alone (the person's other tabs ignore it).
    VoiceSignal {
        to: String,
        from: String,
        signal: call::Signal,
    },
    /// This tab is no longer on the call (it lost the right to be, or the channel closed);
    /// `reason` says why.
    VoiceEnded {
        channel_id: String,
        reason: Sentence,
    },
    /// A slash command's private answer; `nonce` names the pending entry it settles.
    CommandReply {
        channel_id: String,
        lines: Vec<Sentence>,
        nonce: Option<String>,
    },
    /// A request from this tab failed; `nonce` names the pending message it concerns.
    Error {
        nonce: Option<String>,
        error: crate::platform::error::AppError,
    },
    /// The server dropped events for this tab (it fell too far behind): resubscribe from the
    /// last sequence number seen.
    Resync {
        channel_id: String,
    },
    /// This person may no longer read the channel (banned, removed, the channel closed): the
    /// subscription has ended and nothing more of the channel arrives; `reason` says why.
    AccessLost {
        channel_id: String,
        reason: Sentence,
    },
    /// The session behind this socket was signed out (sign-out, a password change, a revoked
    /// session); the server closes the socket after this event.
    SessionEnded,
    /// The server is stopping: stop sending on this socket and close it; everything already
    /// sent is still stored and confirmed. Reconnect (to another instance, or this one once it
    /// is back) and resend anything unconfirmed.
    Closing,
    /// A community's member list changed: a community's own event, on the same socket.
    #[serde(untagged)]
    Community(crate::community::CommunityEvent),
    /// An event of a domain chat does not know (a fired price alert, a piece of the
    /// assistant's answer), published on a topic this tab reads: the socket hands it to
    /// `kit::live`, where that domain's own view reads it.
    #[serde(untagged)]
    Other(serde_json::Value),
}

/// Checks a message body before it goes anywhere.
pub fn validate_body(body: &str) -> Result<String, crate::platform::error::AppError> {
    use crate::platform::error::AppError;
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::Validation(says!("server.chat.empty")));
    }
    let length = body.chars().count();
    if length > MESSAGE_MAX {
        return Err(AppError::Validation(says!(
            "server.chat.too_long",
            max = MESSAGE_MAX,
            length = length
        )));
    }
    Ok(body.to_string())
}

/// Checks that a reaction is one emoji-like symbol, not text.
pub fn validate_emoji(emoji: &str) -> Result<String, crate::platform::error::AppError> {
    let emoji = emoji.trim();
    let symbols = emoji
        .chars()
        .filter(|c| !matches!(c, '\u{fe0f}' | '\u{200d}'))
        .count();
    let ok = !emoji.is_empty()
        && emoji.chars().count() <= 16
        && symbols <= 4
        && emoji
            .chars()
            .all(|c| !c.is_alphanumeric() && !c.is_whitespace() && !c.is_ascii());
    if ok {
        Ok(emoji.to_string())
    } else {
        Err(crate::platform::error::AppError::Validation(says!(
            "server.chat.one_emoji"
        )))
    }
}

/// One of a person's recent public messages, as their profile lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecentPost {
    pub community_slug: String,
    pub community_name: String,
    pub channel_name: String,
    /// The message's text without markup, at most [`RECENT_POST_CHARS`] characters.
    pub excerpt: String,
    /// RFC 3339.
    pub created_at: String,
}

/// How much of a message a profile shows.
pub const RECENT_POST_CHARS: usize = 280;

/// The signed-in home's part of chat: the person's communities with what they have not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HomeChat {
    pub communities: Vec<HomeCommunity>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HomeCommunity {
    pub community: crate::community::CommunitySummary,
    /// Its open channels, in the community's order.
    pub channels: Vec<HomeChannel>,
}

impl HomeCommunity {
    pub fn unread(&self) -> i64 {
        self.channels.iter().map(|c| c.unread).sum()
    }

    pub fn mentions(&self) -> u32 {
        self.channels.iter().map(|c| c.mentions).sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HomeChannel {
    pub name: String,
    /// Messages after the person's read position.
    pub unread: i64,
    /// Of those, the ones that @mention the person (blocked authors left out).
    pub mentions: u32,
}

/// The ticker a cashtag is counted under: "$AAPL.US" is "$AAPL" (a US listing's suffix is how
/// the market data names it), in capitals.
pub fn crowd_ticker(cashtag: &str) -> String {
    let upper = cashtag.trim_start_matches('$').to_ascii_uppercase();
    match upper.strip_suffix(".US") {
        Some(bare) => bare.to_string(),
        None => upper,
    }
}

/// How many of `bodies` @mention `username` (without case, as mentions are matched).
pub fn count_mentions<'a>(bodies: impl IntoIterator<Item = &'a str>, username: &str) -> u32 {
    bodies
        .into_iter()
        .filter(|body| {
            crate::kit::markdown::mentions(body)
                .iter()
                .any(|name| name.eq_ignore_ascii_case(username))
        })
        .count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON API clients and tabs read: each part a key of the message, as before parts
    /// had a slot of their own.
    #[cfg(feature = "ssr")]
    #[test]
    fn a_message_s_parts_are_keys_of_the_message_on_the_wire() {
        let mut message = ChatMessage {
            id: "m1".into(),
            channel_id: "c".into(),
            seq: 1,
            author: crate::auth::Author::deleted(uuid::Uuid::nil()),
            body: Some("Lunch?".into()),
            reply_to: None,
            created_at: String::new(),
            edited: false,
            pinned: false,
            reactions: Vec::new(),
            flag: None,
            language: None,
            translations: Vec::new(),
            unchecked: false,
            attachments: Vec::new(),
            parts: Parts::default(),
        };
        message
            .parts
            .put("poll", &serde_json::json!({ "voters": 2 }));
        let wire = serde_json::to_value(&message).unwrap();
        assert_eq!(wire["poll"], serde_json::json!({ "voters": 2 }));
        assert_eq!(wire["body"], "Lunch?");
        assert!(wire.get("parts").is_none() && wire.get("event").is_none());
        let read: ChatMessage = serde_json::from_value(wire).unwrap();
        assert_eq!(read, message);
    }

    #[test]
    fn mentions_are_counted_by_exact_name_in_any_case() {
        let bodies = [
            "hi @Ana",
            "@ana_k is not ana",
            "email ana@example.com",
            "@ANA and @ana",
            "`@ana`",
        ];
        assert_eq!(count_mentions(bodies, "ana"), 2);
        assert_eq!(count_mentions(bodies, "ana_k"), 1);
        assert_eq!(count_mentions(bodies, "bob"), 0);
    }

    #[test]
    fn bodies_are_trimmed_and_bounded() {
        assert_eq!(validate_body("  hi  ").unwrap(), "hi");
        assert!(validate_body("   ").is_err());
        assert!(validate_body(&"é".repeat(MESSAGE_MAX)).is_ok());
        let refused = validate_body(&"x".repeat(MESSAGE_MAX + 1)).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "Messages are at most 4000 characters; this one has 4001."
        );
    }

    #[test]
    fn reactions_are_emoji() {
        for ok in ["👍", "❤️", "🚀", "👨‍👩‍👧"] {
            assert!(validate_emoji(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a", "lol", "<b>", "👍 👍"] {
            assert!(validate_emoji(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn events_have_a_readable_wire_form() {
        let event = ClientEvent::Subscribe {
            channel_id: "c1".into(),
            after_seq: Some(41),
        };
        assert_eq!(
            serde_json::to_string(&event).unwrap(),
            r#"{"type":"subscribe","channelId":"c1","afterSeq":41}"#
        );
        let back: ServerEvent =
            serde_json::from_str(r#"{"type":"resync","channelId":"c1"}"#).unwrap();
        assert_eq!(
            back,
            ServerEvent::Resync {
                channel_id: "c1".into()
            }
        );
    }
}
