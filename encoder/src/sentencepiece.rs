//! SentencePiece's unigram tokenizer for the encoder's shipped model: the `nmt_nfkc`
//! normaliser (a darts-clone double-array trie over the bytes, with a table of replacements,
//! walked as sentencepiece's `Normalizer::NormalizePrefix` walks it), its whitespace rules
//! (a leading "▁", spaces as "▁", runs of spaces squeezed) and the Viterbi segmentation over
//! the pieces' scores. It gives the same piece ids as the package's own tokenizer, which is
//! byte-identical to sentencepiece for this model (the encoder's reference test checks).
//!
//! The model is the legacy layout: field 1 holds the pieces (each a piece and its score), and
//! the normaliser's character map sits in field 2 of field 3.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

pub const UNKNOWN: u32 = 0;
pub const BEGIN: u32 = 1;
pub const END: u32 = 2;

/// "▁", which stands for a space inside pieces.
const SPACE: &str = "\u{2581}";

pub struct SentencePiece {
    scores: Vec<f32>,
    /// A trie over the pieces' characters: (node, character) → child node. Node 0 is the root.
    children: HashMap<(u32, char), u32, BuildHasherDefault<Fx>>,
    /// Per node: the piece id + 1 of the piece ending there, 0 for a prefix only.
    piece_at: Vec<u32>,
    max_chars: usize,
    unknown_score: f64,
    normaliser: Normaliser,
}

impl SentencePiece {
    pub fn from_model(model: &[u8]) -> Result<SentencePiece, String> {
        let top = fields(model)?;
        let mut scores = Vec::new();
        let mut children = HashMap::default();
        let mut piece_at = vec![0u32];
        let mut max_chars = 0;
        for &(start, len) in top.get(&1).map(Vec::as_slice).unwrap_or_default() {
            let entry = &model[start..start + len];
            let parts = fields(entry)?;
            let Some(&(ps, pl)) = parts.get(&1).and_then(|v| v.first()) else {
                continue;
            };
            let piece = std::str::from_utf8(&entry[ps..ps + pl])
                .map_err(|_| "a piece is not UTF-8".to_string())?;
            let score = match parts.get(&2).and_then(|v| v.first()) {
                Some(&(ss, _)) => f32::from_le_bytes(entry[ss..ss + 4].try_into().unwrap()),
                None => 0.0,
            };
            let id = scores.len() as u32;
            scores.push(score);
            let mut node = 0u32;
            let mut chars = 0;
            for c in piece.chars() {
                chars += 1;
                node = *children.entry((node, c)).or_insert_with(|| {
                    piece_at.push(0);
                    (piece_at.len() - 1) as u32
                });
            }
            // A later piece of the same spelling wins, as a dictionary keeps the last.
            piece_at[node as usize] = id + 1;
            max_chars = max_chars.max(chars);
        }
        if scores.len() <= END as usize {
            return Err("the model has no pieces".into());
        }
        let charsmap = top
            .get(&3)
            .and_then(|v| v.first())
            .map(|&(start, len)| {
                let spec = &model[start..start + len];
                fields(spec).map(|f| {
                    f.get(&2)
                        .and_then(|v| v.first())
                        .map(|&(s, l)| &spec[s..s + l])
                })
            })
            .transpose()?
            .flatten();
        let lowest = scores.iter().copied().fold(f32::INFINITY, f32::min);
        Ok(SentencePiece {
            scores,
            children,
            piece_at,
            max_chars,
            unknown_score: f64::from(lowest) - 10.0,
            normaliser: Normaliser::new(charsmap.unwrap_or_default())?,
        })
    }

    pub fn vocabulary_size(&self) -> usize {
        self.scores.len()
    }

    /// The piece ids of `text`, between the begin and end markers.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let normalised = self.normaliser.normalise(text);
        let mut ids = vec![BEGIN];
        if normalised.is_empty() {
            ids.push(UNKNOWN);
        } else {
            self.viterbi(&normalised, &mut ids);
        }
        ids.push(END);
        ids
    }

    /// The best segmentation by the pieces' scores. Every node starting at one position shares
    /// that position's best predecessor, so a left-to-right pass over positions is the lattice's
    /// Viterbi; ties keep the earlier-found node (sentencepiece's strict comparison). A
    /// position no one-character piece covers gets the unknown piece.
    fn viterbi(&self, normalised: &str, ids: &mut Vec<u32>) {
        let chars: Vec<char> = normalised.chars().collect();
        let len = chars.len();
        let mut best = vec![-1e38f64; len + 1];
        best[0] = 0.0;
        let mut start_of = vec![0usize; len + 1];
        let mut piece_of = vec![UNKNOWN; len + 1];
        for i in 0..len {
            let base = best[i];
            let stop = (i + self.max_chars).min(len);
            let mut node = 0u32;
            let mut single = false;
            for (j, c) in chars.iter().enumerate().take(stop).skip(i) {
                let Some(&next) = self.children.get(&(node, *c)) else {
                    break;
                };
                node = next;
                let id = self.piece_at[node as usize];
                if id > 0 {
                    let score = base + f64::from(self.scores[id as usize - 1]);
                    if score > best[j + 1] {
                        best[j + 1] = score;
                        start_of[j + 1] = i;
                        piece_of[j + 1] = id - 1;
                    }
                    if j == i {
                        single = true;
                    }
                }
            }
            if !single {
                let score = base + self.unknown_score;
                if score > best[i + 1] {
                    best[i + 1] = score;
                    start_of[i + 1] = i;
                    piece_of[i + 1] = UNKNOWN;
                }
            }
        }
        let first = ids.len();
        let mut at = len;
        while at > 0 {
            ids.push(piece_of[at]);
            at = start_of[at];
        }
        ids[first..].reverse();
    }
}

/// The `nmt_nfkc` normaliser over the model's precompiled character map.
struct Normaliser {
    units: Vec<u32>,
    replacements: Vec<u8>,
}

impl Normaliser {
    fn new(charsmap: &[u8]) -> Result<Normaliser, String> {
        if charsmap.is_empty() {
            return Ok(Normaliser {
                units: Vec::new(),
                replacements: Vec::new(),
            });
        }
        let size = u32::from_le_bytes(
            charsmap
                .get(..4)
                .ok_or("the character map is cut short")?
                .try_into()
                .unwrap(),
        ) as usize;
        let trie = charsmap
            .get(4..4 + size)
            .ok_or("the character map is cut short")?;
        Ok(Normaliser {
            units: trie
                .chunks_exact(4)
                .map(|b| u32::from_le_bytes(b.try_into().unwrap()))
                .collect(),
            replacements: charsmap[4 + size..].to_vec(),
        })
    }

    fn offset(unit: u32) -> usize {
        ((unit >> 10) << ((unit & 0x200) >> 6)) as usize
    }

    /// What the bytes at `data[pos..]` normalise to, and how many bytes that consumed: the
    /// longest key of the map that starts there, or else the one character as it is.
    fn prefix<'a>(&'a self, data: &'a [u8], pos: usize) -> (&'a [u8], usize) {
        let mut best_len = 0;
        let mut best_value = 0usize;
        if !self.units.is_empty() {
            let mut node = Self::offset(self.units[0]);
            for (i, &c) in data.iter().enumerate().skip(pos) {
                node ^= c as usize;
                let Some(&unit) = self.units.get(node) else {
                    break;
                };
                if unit & 0x8000_00FF != u32::from(c) {
                    break;
                }
                node ^= Self::offset(unit);
                if unit & 0x100 != 0 {
                    best_len = i + 1 - pos;
                    best_value =
                        (self.units.get(node).copied().unwrap_or(0) & 0x7FFF_FFFF) as usize;
                }
            }
        }
        if best_len == 0 || best_value >= self.replacements.len() {
            let first = data[pos];
            let mut length = match first {
                0..0x80 => 1,
                _ if first >> 5 == 0x6 => 2,
                _ if first >> 4 == 0xE => 3,
                _ if first >> 3 == 0x1E => 4,
                _ => 1,
            };
            if (1..length).any(|k| data.get(pos + k).is_none_or(|b| b & 0xC0 != 0x80)) {
                length = 1;
            }
            return (&data[pos..pos + length], length);
        }
        let tail = &self.replacements[best_value..];
        let end = tail.iter().position(|&b| b == 0).unwrap_or(tail.len());
        (&tail[..end], best_len)
    }

    fn normalise(&self, text: &str) -> String {
        let raw = text.as_bytes();
        let mut pos = 0;
        while pos < raw.len() {
            let (piece, consumed) = self.prefix(raw, pos);
            if piece != b" " {
                break;
            }
            pos += consumed;
        }
        if pos >= raw.len() {
            return String::new();
        }
        let mut out: Vec<u8> = Vec::with_capacity(raw.len() + 8);
        out.extend_from_slice(SPACE.as_bytes());
        let mut after_space = true;
        while pos < raw.len() {
            let (mut piece, consumed) = self.prefix(raw, pos);
            pos += consumed;
            if after_space {
                while let [b' ', rest @ ..] = piece {
                    piece = rest;
                }
            }
            if let Some(&last) = piece.last() {
                for &byte in piece {
                    if byte == b' ' {
                        out.extend_from_slice(SPACE.as_bytes());
                    } else {
                        out.push(byte);
                    }
                }
                after_space = last == b' ';
            }
        }
        while out.ends_with(SPACE.as_bytes()) {
            out.truncate(out.len() - SPACE.len());
        }
        // The replacements are UTF-8 and whole characters are copied, so this never loses any.
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

/// The length-delimited and 32-bit fields of a protocol buffer message: field number → (start,
/// length) of each occurrence.
fn fields(data: &[u8]) -> Result<HashMap<u64, Vec<(usize, usize)>>, String> {
    let mut found: HashMap<u64, Vec<(usize, usize)>> = HashMap::new();
    let mut pos = 0;
    while pos < data.len() {
        let (key, next) = varint(data, pos)?;
        pos = next;
        let field = key >> 3;
        match key & 7 {
            0 => pos = varint(data, pos)?.1,
            1 => pos += 8,
            2 => {
                let (len, next) = varint(data, pos)?;
                let len = len as usize;
                if next + len > data.len() {
                    return Err("the model is cut short".into());
                }
                found.entry(field).or_default().push((next, len));
                pos = next + len;
            }
            5 => {
                found.entry(field).or_default().push((pos, 4));
                pos += 4;
            }
            _ => return Err("the model is not a SentencePiece model".into()),
        }
    }
    Ok(found)
}

fn varint(data: &[u8], mut pos: usize) -> Result<(u64, usize), String> {
    let mut value = 0u64;
    let mut shift = 0;
    loop {
        let byte = *data.get(pos).ok_or("the model is cut short")?;
        pos += 1;
        value |= u64::from(byte & 0x7F) << shift;
        if byte & 0x80 == 0 {
            return Ok((value, pos));
        }
        shift += 7;
        if shift > 63 {
            return Err("the model is not a SentencePiece model".into());
        }
    }
}

/// The Fx hash (rustc's): the trie's keys are two small integers, hashed once per character.
#[derive(Default)]
struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.write_u64(u64::from(*byte));
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}
