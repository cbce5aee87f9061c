//! The realtime bus: how a change reaches every open tab on every instance. A domain publishes
//! its own events (each a serde enum tagged by `type`, as chat's `ServerEvent` is) on a topic —
//! a channel, a community or one person — and the connections subscribed to that topic forward
//! them. Events travel the broker as an envelope: the acting person's id (16 bytes, zero for
//! none), the readers it is for (one byte, [`Readers`]), then the event's JSON, serialised once
//! by the publisher. Each connection drops events from people its reader blocked and events
//! for readers of other languages, and forwards the JSON slice as is.
//!
//! [`Control`]s travel the same way and tell the connections themselves about changes of access.

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::state::AppState;
use crate::kit::languages::CODES;

pub mod topic {
    use uuid::Uuid;

    pub fn channel(id: Uuid) -> String {
        format!("channel:{id}")
    }

    pub fn community(id: Uuid) -> String {
        format!("community:{id}")
    }

    /// A community's channel activity (each channel's newest number, for sidebars).
    pub fn activity(community: Uuid) -> String {
        format!("activity:{community}")
    }

    pub fn user(id: Uuid) -> String {
        format!("user:{id}")
    }
}

/// Which readers an event is for, by the language they read: one bit per language of
/// [`CODES`] (the high bit: any other). A translation concerns only the readers of its
/// language; sending every translation to every tab was most of a translated room's traffic.
/// The filter runs where the event meets a tab, in the same topic as the message itself, so
/// a translation never overtakes the message it translates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Readers(u8);

impl Readers {
    pub const ALL: Readers = Readers(u8::MAX);
    /// No tab: the envelope carries a [`Control`] for the connections themselves.
    pub const CONNECTIONS: Readers = Readers(0);

    fn bit(language: &str) -> u8 {
        CODES
            .iter()
            .position(|l| *l == language)
            .map_or(0x80, |i| 1 << i)
    }

    /// The readers of one language.
    pub fn of(language: &str) -> Readers {
        Readers(Self::bit(language))
    }

    /// These readers, except those of `language`.
    pub fn without(self, language: &str) -> Readers {
        Readers(self.0 & !Self::bit(language))
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn include(self, language: &str) -> bool {
        self.0 & Self::bit(language) != 0
    }
}

/// The broker payload for an event: actor id, readers, then JSON.
pub fn envelope<E: Serialize>(actor: Option<Uuid>, readers: Readers, event: &E) -> Bytes {
    let mut payload = Vec::with_capacity(256);
    payload.extend_from_slice(actor.unwrap_or(Uuid::nil()).as_bytes());
    payload.push(readers.0);
    serde_json::to_writer(&mut payload, event).expect("events serialise");
    Bytes::from(payload)
}

/// Splits an envelope without copying: (actor, readers, JSON).
pub fn open(envelope: &Bytes) -> Option<(Uuid, Readers, Bytes)> {
    let actor = Uuid::from_slice(envelope.get(..16)?).ok()?;
    let readers = Readers(*envelope.get(16)?);
    Some((actor, readers, envelope.slice(17..)))
}

/// Publishes an event once for every subscriber on every instance. A broker failure is logged:
/// the change is already stored, and tabs catch up when they resubscribe.
pub async fn publish<E: Serialize>(state: &AppState, topic: &str, actor: Option<Uuid>, event: &E) {
    publish_to(state, topic, actor, Readers::ALL, event).await
}

/// Publishes an event for the readers of some languages only.
pub async fn publish_to<E: Serialize>(
    state: &AppState,
    topic: &str,
    actor: Option<Uuid>,
    readers: Readers,
    event: &E,
) {
    let published = state
        .broker
        .publish(topic, envelope(actor, readers, event))
        .await;
    if let Err(err) = published {
        tracing::warn!(error = %err, topic, "could not publish an event");
    }
}

/// Publishes the `seq`th event of a sequence (a channel's new messages): every instance
/// delivers them in that order, whichever instance stored and published each.
pub async fn publish_in_order<E: Serialize>(
    state: &AppState,
    topic: &str,
    seq: i64,
    actor: Option<Uuid>,
    event: &E,
) {
    let payload = envelope(actor, Readers::ALL, event);
    if let Err(err) = state.broker.publish_in_order(topic, seq, payload).await {
        tracing::warn!(error = %err, topic, "could not publish an event");
    }
}

/// What connections tell each other about access. It travels the broker like an event (after
/// the change is stored) but is read by the connections and never sent to a tab. A change of
/// someone's standing goes on their own topic, which every connection of theirs reads before
/// anything else; a change of a channel goes on the channel's topic, in order with its messages.
/// Either way a connection applies it before it forwards anything published after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Control {
    /// The person's standing in a community changed (banned, kicked, left, rank or roles):
    /// recheck the channels watched there.
    Standing { community: Uuid },
    /// A channel changed in a way that may change who reads or posts in it (archived, kind).
    Channel { channel: Uuid },
    /// Sessions of the person ended: `only` that one, or every one but `except`, or all.
    SessionsEnded {
        only: Option<Uuid>,
        except: Option<Uuid>,
    },
}

impl Control {
    pub fn ends(&self, session: Uuid) -> bool {
        match self {
            Control::SessionsEnded {
                only: Some(only), ..
            } => *only == session,
            Control::SessionsEnded { only: None, except } => *except != Some(session),
            _ => false,
        }
    }
}

/// Tells the connections about a change of access (see [`Control`]). Like an event, a broker
/// failure is logged: the change is stored, and a connection rechecks when it resubscribes.
pub async fn control(state: &AppState, topic: &str, control: &Control) {
    let mut payload = Vec::with_capacity(64);
    payload.extend_from_slice(Uuid::nil().as_bytes());
    payload.push(Readers::CONNECTIONS.0);
    serde_json::to_writer(&mut payload, control).expect("controls serialise");
    if let Err(err) = state.broker.publish(topic, Bytes::from(payload)).await {
        tracing::warn!(error = %err, topic, "could not publish an access change");
    }
}

/// A person's standing in a community changed: their open sockets recheck at once.
pub async fn standing_changed(state: &AppState, user: Uuid, community: Uuid) {
    control(state, &topic::user(user), &Control::Standing { community }).await
}

/// A channel changed who may read or post in it: every socket watching it rechecks.
pub async fn channel_changed(state: &AppState, channel: Uuid) {
    control(
        state,
        &topic::channel(channel),
        &Control::Channel { channel },
    )
    .await
}

/// Sessions ended (see [`Control::SessionsEnded`]): their sockets are told and closed.
pub async fn sessions_ended(
    state: &AppState,
    user: Uuid,
    only: Option<Uuid>,
    except: Option<Uuid>,
) {
    control(
        state,
        &topic::user(user),
        &Control::SessionsEnded { only, except },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_carries_its_actor_and_readers_and_the_json_untouched() {
        let actor = Uuid::now_v7();
        let event = serde_json::json!({ "type": "resync", "channelId": "c" });
        let readers = Readers::ALL.without("es").without("fr");
        let (opened_actor, opened_readers, json) =
            open(&envelope(Some(actor), readers, &event)).unwrap();
        assert_eq!(opened_actor, actor);
        assert_eq!(&json[..], &serde_json::to_vec(&event).unwrap()[..]);
        for (language, included) in [
            ("en", true),
            ("tr", true),
            ("de", true),
            ("es", false),
            ("fr", false),
        ] {
            assert_eq!(opened_readers.include(language), included, "{language}");
        }
        // A reader of a language outside the app's five gets what everyone gets, and no more.
        assert!(opened_readers.include("pt"));
        assert!(!Readers::of("en").include("pt"));
        assert!(Readers::of("en").without("en").is_empty());
    }
}
