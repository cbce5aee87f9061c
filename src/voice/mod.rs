//! Voice channels: a channel of kind `voice` is a call. Joining puts this tab on the call's
//! roster, which everyone in the community sees live (who is in it, speaking, muted, deafened,
//! silenced by a moderator); the sound goes straight between the browsers, each pair by its own
//! WebRTC connection (a mesh, so a call holds at most [`MESH_LIMIT`] tabs). The server carries
//! only the signalling — offers, answers and ICE candidates, as typed events on the realtime
//! socket, passed between two tabs in the same call and nowhere else — and the roster.
//!
//! A tab, not a person, is on the call: each socket connection has one place at most, and its
//! row goes when the socket does (closed tab, crashed instance).

use serde::{Deserialize, Serialize};

pub use crate::carried::call::{Participant, Roster, Signal};

pub mod api;
pub mod ui;

#[cfg(feature = "hydrate")]
mod call;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod rider;
#[cfg(feature = "ssr")]
pub mod service;

/// Tabs on one call at most: each sends its sound to every other, so the upload grows with
/// the call (seven streams of Opus at 8 is still a phone's).
pub const MESH_LIMIT: usize = 8;
/// The longest session description accepted (an offer with every codec is a few kilobytes).
pub const SDP_MAX_BYTES: usize = 16 * 1024;
/// The longest ICE candidate line accepted.
pub const CANDIDATE_MAX_BYTES: usize = 1024;

impl Participant {
    /// Whether the others should hear this tab's sound.
    pub fn audible(&self) -> bool {
        heard(self.may_speak, self.muted, self.deafened, self.silenced)
    }
}

/// Whether a tab's sound reaches the others: it may speak, and neither it (by muting or
/// deafening) nor a moderator silenced it.
pub fn heard(may_speak: bool, muted: bool, deafened: bool, silenced: bool) -> bool {
    may_speak && !muted && !deafened && !silenced
}

impl Signal {
    /// Whether it is within the sizes a browser sends (a relay never carries more).
    pub fn within_limits(&self) -> bool {
        match self {
            Signal::Offer { sdp } | Signal::Answer { sdp } => {
                !sdp.is_empty() && sdp.len() <= SDP_MAX_BYTES
            }
            Signal::Ice {
                candidate, sdp_mid, ..
            } => {
                candidate.len() <= CANDIDATE_MAX_BYTES
                    && sdp_mid.as_ref().is_none_or(|m| m.len() <= 64)
            }
        }
    }
}

/// A STUN or TURN server the browsers use to find a way to each other (none is needed on one
/// network).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IceServer {
    pub urls: Vec<String>,
    pub username: Option<String>,
    pub credential: Option<String>,
}

/// What a community's page needs of its calls: every voice channel's roster, and the servers
/// to reach the others through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Calls {
    pub rosters: Vec<Roster>,
    pub ice_servers: Vec<IceServer>,
}

/// Of two tabs on a call, the one that makes the offer: the one with the smaller connection id.
/// Both sides decide alike with nothing exchanged, so two offers never cross.
pub fn offers_to(me: &str, peer: &str) -> bool {
    me < peer
}

/// How loud a stretch of sound is: the RMS of a wave of bytes centred on 128 (as an
/// `AnalyserNode` gives it), from 0 (silence) to 1.
pub fn loudness(wave: &[u8]) -> f64 {
    if wave.is_empty() {
        return 0.0;
    }
    let sum: f64 = wave
        .iter()
        .map(|&b| {
            let x = (f64::from(b) - 128.0) / 128.0;
            x * x
        })
        .sum();
    (sum / wave.len() as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_is_quiet_and_a_full_square_wave_is_loudest() {
        assert_eq!(loudness(&[]), 0.0);
        assert_eq!(loudness(&[128; 64]), 0.0);
        let square: Vec<u8> = (0..64).map(|i| if i % 2 == 0 { 0 } else { 255 }).collect();
        assert!(loudness(&square) > 0.99);
        let whisper: Vec<u8> = (0..64)
            .map(|i| if i % 2 == 0 { 127 } else { 129 })
            .collect();
        assert!(loudness(&whisper) < 0.02);
    }

    #[test]
    fn exactly_one_of_two_tabs_makes_the_offer() {
        let (a, b) = (
            "019a0000-0000-7000-8000-000000000001",
            "019a0000-0000-7000-8000-000000000002",
        );
        assert!(offers_to(a, b));
        assert!(!offers_to(b, a));
        assert!(!offers_to(a, a));
    }

    #[test]
    fn signals_are_read_as_the_browser_writes_them_and_oversized_ones_refused() {
        let ice: Signal = serde_json::from_str(
            r#"{"kind":"ice","candidate":"candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host","sdpMid":"0","sdpMLineIndex":0}"#,
        )
        .unwrap();
        assert!(matches!(
            ice,
            Signal::Ice {
                sdp_m_line_index: Some(0),
                ..
            }
        ));
        assert!(ice.within_limits());
        let huge = Signal::Offer {
            sdp: "v=0\r\n".repeat(SDP_MAX_BYTES),
        };
        assert!(!huge.within_limits());
        assert!(!Signal::Answer { sdp: String::new() }.within_limits());
    }

    #[test]
    fn only_a_speaker_who_is_not_muted_deafened_or_silenced_is_heard() {
        let person = Participant {
            connection_id: "c".into(),
            user: crate::auth::Author {
                id: "u".into(),
                username: "ana".into(),
                display_name: "Ana".into(),
                deleted: false,
                avatar_url: None,
            },
            muted: false,
            deafened: false,
            silenced: false,
            may_speak: true,
        };
        assert!(person.audible());
        for quiet in [
            Participant {
                muted: true,
                ..person.clone()
            },
            Participant {
                deafened: true,
                ..person.clone()
            },
            Participant {
                silenced: true,
                ..person.clone()
            },
            Participant {
                may_speak: false,
                ..person.clone()
            },
        ] {
            assert!(!quiet.audible(), "{quiet:?}");
        }
    }
}
