//! What a message and the realtime channel carry for the rooms above the messages core: the
//! parts features add to a message ([`Parts`], each kind as its room's JSON), and the few serde
//! types the core names itself — the files, a call's roster and signals, an inbox entry, a
//! badge.
//!
//! They sit here, one floor below the core, so that `ChatMessage` and `ServerEvent` carry them
//! without the core importing the rooms that own them. Each room re-exports its types
//! (`files::Attachment`) and keeps everything they do: their `impl` blocks, their queries,
//! their views. The floor imports `auth` (for `Author`) and the ground only.

use std::collections::BTreeMap;

use serde::{de::DeserializeOwned, Deserialize, Serialize};

pub mod attachment;
pub mod badge;
pub mod call;
pub mod inbox;

/// The parts a message carries, by kind (`"poll"`, `"event"`, `"card"`): each as the JSON of
/// its room's own serde type, so that the core carries a kind it has never heard of. On the
/// wire each kind is a key of the message itself (`"poll": {…}`): `ChatMessage` flattens them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Parts(BTreeMap<String, serde_json::Value>);

impl Parts {
    /// The part of kind `kind`, read as its room's type; none when absent or unreadable.
    pub fn get<T: DeserializeOwned>(&self, kind: &str) -> Option<T> {
        self.0
            .get(kind)
            .filter(|part| !part.is_null())
            .and_then(|part| T::deserialize(part).ok())
    }

    /// Whether the message carries a part of kind `kind`.
    pub fn has(&self, kind: &str) -> bool {
        self.0.get(kind).is_some_and(|part| !part.is_null())
    }

    /// Puts `part` on the message as its part of kind `kind`.
    pub fn put<T: Serialize>(&mut self, kind: &str, part: &T) {
        if let Ok(part) = serde_json::to_value(part) {
            self.put_json(kind, part);
        }
    }

    /// The parts as one string, for a list that redraws a message when any of its parts
    /// changed (a vote, an answer).
    pub fn key(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_default()
    }

    /// Puts a part that arrived as JSON (a live change).
    pub fn put_json(&mut self, kind: &str, part: serde_json::Value) {
        self.0.insert(kind.to_string(), part);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Tally {
        votes: u32,
    }

    #[test]
    fn a_part_is_read_back_as_its_room_s_type_and_nothing_else_is_found() {
        let mut parts = Parts::default();
        parts.put("tally", &Tally { votes: 3 });
        assert_eq!(parts.get::<Tally>("tally"), Some(Tally { votes: 3 }));
        assert!(parts.has("tally") && !parts.has("poll"));
        assert_eq!(parts.get::<Tally>("poll"), None);
        // A kind whose JSON is not its type reads as absent rather than failing the message.
        parts.put_json("poll", serde_json::json!({"votes": "many"}));
        assert_eq!(parts.get::<Tally>("poll"), None);
        parts.put_json("gone", serde_json::Value::Null);
        assert!(!parts.has("gone"));
    }
}
