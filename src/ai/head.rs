//! A head over the encoder's embeddings: multinomial logistic regression from a line's meaning
//! (512 numbers) to one of a few classes. The assistant's intents use one; it trains in a
//! second on a thousand lines, deterministically (the same lines give the same bytes), so its
//! weights ship as a small file that a test checks against its lines.

/// What training may vary: passes, step size, weight decay, and the input's scale (an
/// embedding has unit length, so each of its numbers is small).
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub epochs: usize,
    pub step: f32,
    pub decay: f32,
    pub scale: f32,
}

pub struct Head {
    classes: usize,
    dim: usize,
    /// Row-major `dim × classes`.
    weights: Vec<f32>,
    bias: Vec<f32>,
    scale: f32,
}

const MAGIC: &[u8; 8] = b"BPHEAD01";

/// Fisher–Yates with xorshift: a different order each pass, the same each run (the models that
/// learn here are trained in a fixed order, so the same lines give the same bytes).
pub fn shuffle(order: &mut [usize], seed: &mut u64) {
    for i in (1..order.len()).rev() {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        order.swap(i, (*seed % (i as u64 + 1)) as usize);
    }
}

impl Head {
    /// Trains on (embedding, class) pairs, visiting them in a fixed, shuffled order each pass.
    pub fn train(examples: &[(Vec<f32>, usize)], classes: usize, settings: Settings) -> Head {
        let dim = examples.first().map_or(0, |(e, _)| e.len());
        let mut head = Head {
            classes,
            dim,
            weights: vec![0.0; dim * classes],
            bias: vec![0.0; classes],
            scale: settings.scale,
        };
        let mut order: Vec<usize> = (0..examples.len()).collect();
        let mut seed: u64 = 0x5eed_cafe;
        for epoch in 0..settings.epochs {
            shuffle(&mut order, &mut seed);
            let step = settings.step / (1.0 + epoch as f32 * 0.1);
            for &i in &order {
                let (embedding, class) = &examples[i];
                let mut gradient = head.probabilities(embedding);
                gradient[*class] -= 1.0;
                for (b, g) in head.bias.iter_mut().zip(&gradient) {
                    *b -= step * g;
                }
                for (row, x) in head.weights.chunks_exact_mut(classes).zip(embedding) {
                    let x = x * head.scale;
                    for (w, g) in row.iter_mut().zip(&gradient) {
                        *w -= step * (g * x + settings.decay * *w);
                    }
                }
            }
        }
        head
    }

    /// The probability of each class.
    pub fn probabilities(&self, embedding: &[f32]) -> Vec<f32> {
        let mut logits = self.bias.clone();
        for (row, x) in self.weights.chunks_exact(self.classes).zip(embedding) {
            let x = x * self.scale;
            for (logit, w) in logits.iter_mut().zip(row) {
                *logit += w * x;
            }
        }
        let top = logits.iter().copied().fold(f32::MIN, f32::max);
        let mut total = 0.0;
        for logit in &mut logits {
            *logit = (*logit - top).exp();
            total += *logit;
        }
        logits.iter_mut().for_each(|p| *p /= total);
        logits
    }

    /// The likeliest class and its probability.
    pub fn best(&self, embedding: &[f32]) -> (usize, f32) {
        self.probabilities(embedding)
            .into_iter()
            .enumerate()
            .fold(
                (0, f32::MIN),
                |best, (i, p)| if p > best.1 { (i, p) } else { best },
            )
    }

    /// A magic, the class count, the dimension, the scale, the biases, then the weights
    /// (little-endian).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(20 + 4 * (self.bias.len() + self.weights.len()));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(self.classes as u32).to_le_bytes());
        out.extend_from_slice(&(self.dim as u32).to_le_bytes());
        out.extend_from_slice(&self.scale.to_le_bytes());
        for v in self.bias.iter().chain(&self.weights) {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    /// Reads what [`Head::to_bytes`] wrote.
    pub fn from_bytes(bytes: &[u8]) -> Result<Head, String> {
        let rest = bytes.strip_prefix(MAGIC).ok_or("not a Bullpen head")?;
        if rest.len() < 12 {
            return Err("the head is cut short".into());
        }
        let word = |i: usize| <[u8; 4]>::try_from(&rest[4 * i..4 * i + 4]).expect("four bytes");
        let classes = u32::from_le_bytes(word(0)) as usize;
        let dim = u32::from_le_bytes(word(1)) as usize;
        let scale = f32::from_le_bytes(word(2));
        let floats: Vec<f32> = rest[12..]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().expect("four bytes")))
            .collect();
        if rest[12..].len() % 4 != 0 || floats.len() != classes * (dim + 1) || classes == 0 {
            return Err("the head's size does not match its counts".into());
        }
        Ok(Head {
            classes,
            dim,
            bias: floats[..classes].to_vec(),
            weights: floats[classes..].to_vec(),
            scale,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> Vec<(Vec<f32>, usize)> {
        // Two clusters on the first two axes.
        (0..40)
            .map(|i| {
                let class = i % 2;
                let mut v = vec![0.0; 8];
                v[class] = 1.0;
                v[2 + i % 6] += 0.3;
                (v, class)
            })
            .collect()
    }

    const SETTINGS: Settings = Settings {
        epochs: 10,
        step: 0.5,
        decay: 1e-4,
        scale: 1.0,
    };

    #[test]
    fn it_learns_and_reads_back_what_it_wrote() {
        let head = Head::train(&toy(), 2, SETTINGS);
        let mut probe = vec![0.0; 8];
        probe[1] = 1.0;
        assert_eq!(head.best(&probe).0, 1);
        let p = head.probabilities(&probe);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        let bytes = head.to_bytes();
        assert_eq!(Head::from_bytes(&bytes).unwrap().to_bytes(), bytes);
        assert_eq!(Head::train(&toy(), 2, SETTINGS).to_bytes(), bytes);
        assert!(Head::from_bytes(&bytes[..bytes.len() - 4]).is_err());
        assert!(Head::from_bytes(b"nonsense").is_err());
    }
}
