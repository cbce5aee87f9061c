//! The realtime bus: how a change reaches every open tab on every instance. A domain publishes
//! its own events (each a serde enum tagged by `type`, as chat's `ServerEvent` is) on a topic —
//! a channel, a community or one person — and the connections subscribed to that topic forward
//! them. Events travel the broker as an envelope: a kind byte, the acting person's id (16 bytes,
//! zero for none), the readers it is for (one byte, [`Readers`]), then the event's JSON,
//! serialised once by the publisher. Each connection drops events from people its reader
//! blocked and events for readers of other languages, and forwards the JSON slice as is.
//!
//! A busy channel's new messages travel as a [`Bundle`]: many events in one envelope, their JSON
//! already joined one per line as a tab receives them, so that a tab wakes once per bundle and
//! forwards it without copying when it keeps every event (the usual case).
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

    pub fn user(id: Uuid) -> String {
        format!("user:{id}")
    }

    /// Where word of a new message naming `$TICKER` goes ("AAPL", as a cashtag names it
    /// without a `.US`).
    pub fn crowd(ticker: &str) -> String {
        format!("crowd:{}", ticker.to_ascii_uppercase())
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

    /// Whether these readers include `reader` (the readers of one language, [`Readers::of`]):
    /// what a connection asks of every event, with its reader's bit found once.
    pub fn includes(self, reader: Readers) -> bool {
        self.0 & reader.0 != 0
    }
}

/// The first byte of an envelope: one event, or a [`Bundle`].
const ONE: u8 = 0;
const BUNDLE: u8 = 1;

/// The broker payload for an event: kind, actor id, readers, then JSON.
pub fn envelope<E: Serialize>(actor: Option<Uuid>, readers: Readers, event: &E) -> Bytes {
    let mut payload = Vec::with_capacity(256);
    payload.push(ONE);
    payload.extend_from_slice(actor.unwrap_or_default().as_bytes());
    payload.push(readers.0);
    serde_json::to_writer(&mut payload, event).expect("events serialise");
    Bytes::from(payload)
}

/// An envelope, opened without copying.
pub enum Opened {
    One {
        actor: Uuid,
        readers: Readers,
        json: Bytes,
    },
    Many(Bundle),
}

/// Opens an envelope; `None` for one this version cannot read.
pub fn open(envelope: &Bytes) -> Option<Opened> {
    match *envelope.first()? {
        ONE => {
            let actor = Uuid::from_slice(envelope.get(1..17)?).ok()?;
            let readers = Readers(*envelope.get(17)?);
            Some(Opened::One {
                actor,
                readers,
                json: envelope.slice(18..),
            })
        }
        BUNDLE => Bundle::read(envelope).map(Opened::Many),
        _ => None,
    }
}

/// Many events in one envelope: kind, the count (u16), then per event its actor (16 bytes), its
/// readers (1) and where its JSON ends in the body (u32); then the body — every event's JSON,
/// one per line.
pub struct Bundle {
    entries: Bytes,
    body: Bytes,
}

/// Bytes of one bundle entry.
const ENTRY: usize = 16 + 1 + 4;

impl Bundle {
    fn read(envelope: &Bytes) -> Option<Bundle> {
        let count = u16::from_be_bytes(envelope.get(1..3)?.try_into().ok()?) as usize;
        let body_at = 3 + count * ENTRY;
        if envelope.len() < body_at {
            return None;
        }
        Some(Bundle {
            entries: envelope.slice(3..body_at),
            body: envelope.slice(body_at..),
        })
    }

    /// The lines of the events `keep` accepts (by actor, readers and the line itself), joined as a tab receives
    /// them; the body itself, uncopied, when it accepts all. `None` when it accepts none.
    pub fn lines_for(&self, keep: impl Fn(Uuid, Readers, &[u8]) -> bool) -> Option<Bytes> {
        let mut kept: Vec<(usize, usize)> = Vec::new();
        let mut all = true;
        let mut start = 0;
        for entry in self.entries.chunks_exact(ENTRY) {
            let actor = Uuid::from_slice(&entry[..16]).ok()?;
            let readers = Readers(entry[16]);
            let end = u32::from_be_bytes(entry[17..21].try_into().ok()?) as usize;
            if end > self.body.len() || end < start {
                return None;
            }
            if keep(actor, readers, &self.body[start..end]) {
                kept.push((start, end));
            } else {
                all = false;
            }
            // The next event starts after the newline.
            start = end + 1;
        }
        if all {
            return (!kept.is_empty()).then(|| self.body.clone());
        }
        let mut lines = bytes::BytesMut::with_capacity(self.body.len());
        for (i, (start, end)) in kept.iter().enumerate() {
            if i > 0 {
                lines.extend_from_slice(b"\n");
            }
            lines.extend_from_slice(&self.body[*start..*end]);
        }
        (!kept.is_empty()).then(|| lines.freeze())
    }
}

/// Builds a [`Bundle`]'s envelope, event by event.
#[derive(Default)]
pub struct BundleBuilder {
    entries: Vec<u8>,
    body: Vec<u8>,
    count: u16,
}

impl BundleBuilder {
    pub fn push<E: Serialize>(&mut self, actor: Option<Uuid>, readers: Readers, event: &E) {
        if self.count > 0 {
            self.body.push(b'\n');
        }
        serde_json::to_writer(&mut self.body, event).expect("events serialise");
        self.entries
            .extend_from_slice(actor.unwrap_or_default().as_bytes());
        self.entries.push(readers.0);
        self.entries
            .extend_from_slice(&(self.body.len() as u32).to_be_bytes());
        self.count += 1;
    }

    pub fn len(&self) -> usize {
        self.count as usize
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The body's size so far.
    pub fn bytes(&self) -> usize {
        self.body.len()
    }

    pub fn finish(self) -> Bytes {
        let mut envelope = Vec::with_capacity(3 + self.entries.len() + self.body.len());
        envelope.push(BUNDLE);
        envelope.extend_from_slice(&self.count.to_be_bytes());
        envelope.extend_from_slice(&self.entries);
        envelope.extend_from_slice(&self.body);
        Bytes::from(envelope)
    }
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

/// Publishes a bundle of a sequence's consecutive events, numbered `first..=last`, in order with
/// the sequence's other events; whether it went out.
pub async fn publish_bundle_in_order(
    state: &AppState,
    topic: &str,
    first: i64,
    last: i64,
    bundle: BundleBuilder,
) -> bool {
    let run = super::broker::Run { first, last };
    match state
        .broker
        .publish_run_in_order(topic, run, bundle.finish())
        .await
    {
        Ok(()) => true,
        Err(err) => {
            tracing::warn!(error = %err, topic, "could not publish events");
            false
        }
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
    /// The person blocked someone, or was blocked, or a block was lifted: whose events are
    /// dropped changes, and so may writing in a one-to-one conversation.
    Blocks,
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
    payload.push(ONE);
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

/// A block between `user` and someone was made or lifted: their sockets recheck.
pub async fn blocks_changed(state: &AppState, user: Uuid) {
    control(state, &topic::user(user), &Control::Blocks).await
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
    fn a_bundle_goes_out_whole_when_every_event_is_kept_and_filtered_otherwise() {
        let (ana, bo) = (Uuid::now_v7(), Uuid::now_v7());
        let mut bundle = BundleBuilder::default();
        bundle.push(Some(ana), Readers::ALL, &serde_json::json!({"n": 1}));
        bundle.push(Some(bo), Readers::ALL, &serde_json::json!({"n": 2}));
        bundle.push(Some(ana), Readers::of("es"), &serde_json::json!({"n": 3}));
        assert_eq!(bundle.len(), 3);
        let Some(Opened::Many(bundle)) = open(&bundle.finish()) else {
            panic!("a bundle");
        };
        let everything = bundle.lines_for(|_, _, _| true).unwrap();
        assert_eq!(&everything[..], b"{\"n\":1}\n{\"n\":2}\n{\"n\":3}");
        // A reader who blocked Bo, reading English: the first line only.
        let kept = bundle
            .lines_for(|actor, readers, _| actor != bo && readers.include("en"))
            .unwrap();
        assert_eq!(&kept[..], b"{\"n\":1}");
        // Blocking Ana, reading Spanish: the second and nothing else.
        let kept = bundle
            .lines_for(|actor, readers, _| actor != ana && readers.include("es"))
            .unwrap();
        assert_eq!(&kept[..], b"{\"n\":2}");
        assert!(bundle.lines_for(|_, _, _| false).is_none());
        // A damaged bundle is not read.
        assert!(open(&Bytes::from_static(&[BUNDLE, 0, 9, 1, 2])).is_none());
    }

    #[test]
    fn an_envelope_carries_its_actor_and_readers_and_the_json_untouched() {
        let actor = Uuid::now_v7();
        let event = serde_json::json!({ "type": "resync", "channelId": "c" });
        let readers = Readers::ALL.without("es").without("fr");
        let Some(Opened::One {
            actor: opened_actor,
            readers: opened_readers,
            json,
        }) = open(&envelope(Some(actor), readers, &event))
        else {
            panic!("one event");
        };
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
