//! The learned half of the built-in moderation: a linear model (multinomial logistic
//! regression) over the line's meaning (the sentence encoder's 512 numbers, `ai::encoder`),
//! its words, word pairs and letter n-grams, and what the lexicons found in it. The meaning
//! carries what no list of words can: a threat in an idiom, contempt for a group without a
//! slur, an address posted with a call to visit, in any of the five languages. It learns from
//! Bullpen's own labelled chat lines (`eval/moderation/{tuning,heldout,train,more}/`);
//! `eval/moderation/fresh/` and `eval/moderation/blind/` are never read here.
//!
//! Training is deterministic: `scripts/evaluate train` writes the weights to
//! `models/moderation/model.bin`, which the binary embeds, and a unit test trains again from
//! the lines and checks the bytes are the same, so weights never drift from their data.

use std::{
    collections::HashMap,
    hash::{BuildHasherDefault, Hasher},
    sync::LazyLock,
};

use super::lexicon::Folded;

/// What the model tells apart; the first is "nothing to flag".
pub const CLASSES: [&str; 9] = [
    "clean",
    "insult",
    "threat",
    "hate",
    "harassment",
    "sexual",
    "self_harm",
    "spam",
    "slur",
];
const N: usize = CLASSES.len();

/// One labelled line: its class (an index into [`CLASSES`]), its language and its features.
#[derive(Debug, Clone)]
pub struct Example {
    pub class: usize,
    pub language: &'static str,
    pub features: Features,
}

/// A message's features: hashed names and their values, and the line's meaning (empty when
/// the model is trained or asked without it, as `scripts/evaluate` does for its "before").
#[derive(Debug, Clone, Default)]
pub struct Features {
    pub sparse: Vec<(u64, f32)>,
    pub meaning: Vec<f32>,
}

/// The meaning's weight beside the other features (an embedding has unit length, so each of
/// its numbers is small). Chosen with [`Settings::SHIPPED`] by cross-validation on the corpus.
pub const MEANING_SCALE: f32 = 2.0;

/// What the lexicons said of a message, as the model reads it.
pub struct Signals<'a> {
    /// Category scores from the lexicons and the English filters.
    pub categories: &'a [(&'static str, f32)],
    /// The line speaks to or of someone ("you", "this guy", an @mention).
    pub aimed: bool,
    /// Its bad words are said of oneself or of a thing.
    pub unaimed: bool,
}

/// The features of a message: its folded words (leetspeak read, ids and tickers blanked by the
/// caller), each word and each pair of words, the letter n-grams of each word (three to five:
/// "idiot" shares "idio" with "idiota" and "Idioten"), its language and the lexicons' signals.
pub fn features(
    cleaned: &str,
    language: Option<&str>,
    signals: &Signals,
    meaning: Option<&[f32]>,
) -> Features {
    let folded = Folded::new(cleaned);
    let words = &folded.squeezed;
    let mut text: Vec<u64> = Vec::with_capacity(words.len() * 12);
    for (i, word) in words.iter().enumerate() {
        text.push(hash(&["w", word]));
        if let Some(next) = words.get(i + 1) {
            text.push(hash(&["b", word, next]));
        }
        let padded: Vec<char> = format!("<{word}>").chars().collect();
        for n in 3..=5 {
            for gram in padded.windows(n) {
                let gram: String = gram.iter().collect();
                text.push(hash(&["c", &gram]));
            }
        }
    }
    text.sort_unstable();
    let mut features: Vec<(u64, f32)> = Vec::with_capacity(text.len() + 24);
    // Each distinct text feature counts once; together they weigh as much as one strong signal.
    text.dedup();
    let each = 1.0 / (text.len().max(1) as f32).sqrt();
    features.extend(text.into_iter().map(|f| (f, each)));
    features.push((hash(&["lang", language.unwrap_or("?")]), 1.0));
    for (category, score) in signals.categories {
        features.push((hash(&["lex", category]), *score));
        if *score >= 0.7 {
            features.push((hash(&["lex-sure", category]), 1.0));
        }
    }
    if signals.aimed {
        features.push((hash(&["aimed"]), 1.0));
    }
    if signals.unaimed {
        features.push((hash(&["unaimed"]), 1.0));
    }
    Features {
        sparse: features,
        meaning: meaning
            .map(|m| m.iter().map(|v| v * MEANING_SCALE).collect())
            .unwrap_or_default(),
    }
}

/// FNV-1a over the parts, with a separator between them.
fn hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0xff]) {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// A feature's name is hashed already: the map need not hash it again.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The learned weights: one row per feature seen in training, one column per class, and one
/// row per number of the meaning (none for a model trained without it).
pub struct Model {
    weights: HashMap<u64, [f32; N], BuildHasherDefault<Prehashed>>,
    meaning: Vec<[f32; N]>,
    bias: [f32; N],
}

/// How the model is trained: passes over the lines, step size, weight decay, and how much an
/// abusive line counts against a clean one (there are about twice as many clean lines).
/// Chosen by cross-validation on the corpus (`scripts/evaluate moderation-grid`).
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub epochs: usize,
    pub step: f32,
    pub decay: f32,
    pub abusive_weight: f32,
}

impl Settings {
    /// Five-fold cross-validation on the corpus (3,744 lines), macro over the languages, with
    /// the meaning at [`MEANING_SCALE`] 2: P 0.958, R 0.897, the lowest language P 0.950 and
    /// R 0.872 (scale 1: P 0.961, R 0.879; scale 3: P 0.951, R 0.899; without the meaning:
    /// P 0.942, R 0.770; `scripts/evaluate moderation-grid`).
    pub const SHIPPED: Settings = Settings {
        epochs: 40,
        step: 0.5,
        decay: 1e-4,
        abusive_weight: 2.5,
    };
}

impl Model {
    /// Trains on `examples` with the shipped settings.
    pub fn train(examples: &[Example]) -> Model {
        Model::train_with(examples, Settings::SHIPPED)
    }

    /// Trains on `examples` in a fixed, shuffled order: the same lines give the same model.
    pub fn train_with(examples: &[Example], settings: Settings) -> Model {
        let dim = examples.first().map_or(0, |e| e.features.meaning.len());
        let mut model = Model {
            weights: HashMap::default(),
            meaning: vec![[0.0; N]; dim],
            bias: [0.0; N],
        };
        let mut order: Vec<usize> = (0..examples.len()).collect();
        let mut seed: u64 = 0x0b01_1ee7;
        for epoch in 0..settings.epochs {
            crate::ai::head::shuffle(&mut order, &mut seed);
            let step = settings.step / (1.0 + epoch as f32 * 0.2);
            for &i in &order {
                let example = &examples[i];
                let p = model.probabilities(&example.features);
                let weight = if example.class == 0 {
                    1.0
                } else {
                    settings.abusive_weight
                };
                let mut gradient = p;
                gradient[example.class] -= 1.0;
                for (bias, g) in model.bias.iter_mut().zip(&gradient) {
                    *bias -= step * weight * g;
                }
                for (feature, value) in &example.features.sparse {
                    let row = model.weights.entry(*feature).or_insert([0.0; N]);
                    for (w, g) in row.iter_mut().zip(&gradient) {
                        *w -= step * (weight * g * value + settings.decay * *w);
                    }
                }
                for (row, value) in model.meaning.iter_mut().zip(&example.features.meaning) {
                    for (w, g) in row.iter_mut().zip(&gradient) {
                        *w -= step * (weight * g * value + settings.decay * *w);
                    }
                }
            }
        }
        model
    }

    /// The probability of each class in [`CLASSES`].
    pub fn probabilities(&self, features: &Features) -> [f32; N] {
        let mut logits = self.bias;
        for (feature, value) in &features.sparse {
            if let Some(row) = self.weights.get(feature) {
                for (logit, w) in logits.iter_mut().zip(row) {
                    *logit += w * value;
                }
            }
        }
        for (row, value) in self.meaning.iter().zip(&features.meaning) {
            for (logit, w) in logits.iter_mut().zip(row) {
                *logit += w * value;
            }
        }
        let top = logits.iter().copied().fold(f32::MIN, f32::max);
        let mut total = 0.0;
        for logit in &mut logits {
            *logit = (*logit - top).exp();
            total += *logit;
        }
        logits.map(|e| e / total)
    }

    /// The model trained on the lines shipped with Bullpen (`models/moderation/model.bin`,
    /// written by `scripts/evaluate train`; a unit test retrains it and compares the bytes).
    pub fn shipped() -> &'static Model {
        static SHIPPED: LazyLock<Model> = LazyLock::new(|| {
            Model::from_bytes(include_bytes!("../../../models/moderation/model.bin"))
                .expect("models/moderation/model.bin is written by scripts/evaluate train")
        });
        &SHIPPED
    }

    /// Whether the model reads the line's meaning.
    pub fn reads_meaning(&self) -> bool {
        !self.meaning.is_empty()
    }

    /// The weights as stored: a magic, the class, feature and meaning counts, the biases, each
    /// feature's hash and weights in the order of the hashes, then the meaning's rows
    /// (little-endian).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut keys: Vec<u64> = self.weights.keys().copied().collect();
        keys.sort_unstable();
        let mut out = Vec::with_capacity(16 + 4 * N + keys.len() * (8 + 4 * N));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(N as u32).to_le_bytes());
        out.extend_from_slice(&(keys.len() as u32).to_le_bytes());
        out.extend_from_slice(&(self.meaning.len() as u32).to_le_bytes());
        for bias in self.bias {
            out.extend_from_slice(&bias.to_le_bytes());
        }
        for key in keys {
            out.extend_from_slice(&key.to_le_bytes());
            for weight in self.weights[&key] {
                out.extend_from_slice(&weight.to_le_bytes());
            }
        }
        for row in &self.meaning {
            for weight in row {
                out.extend_from_slice(&weight.to_le_bytes());
            }
        }
        out
    }

    /// Reads what [`Model::to_bytes`] wrote.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, String> {
        let mut rest = bytes
            .strip_prefix(MAGIC)
            .ok_or("not a Bullpen moderation model")?;
        let mut take = |n: usize| -> Result<&[u8], String> {
            if rest.len() < n {
                return Err("the model file is cut short".into());
            }
            let (head, tail) = rest.split_at(n);
            rest = tail;
            Ok(head)
        };
        let u32_of = |b: &[u8]| u32::from_le_bytes(b.try_into().expect("four bytes"));
        let f32_of = |b: &[u8]| f32::from_le_bytes(b.try_into().expect("four bytes"));
        if u32_of(take(4)?) as usize != N {
            return Err(format!("the model file is not for these {N} classes"));
        }
        let features = u32_of(take(4)?) as usize;
        let dim = u32_of(take(4)?) as usize;
        let mut bias = [0.0; N];
        for b in &mut bias {
            *b = f32_of(take(4)?);
        }
        let mut weights = HashMap::with_capacity_and_hasher(features, Default::default());
        for _ in 0..features {
            let key = u64::from_le_bytes(take(8)?.try_into().expect("eight bytes"));
            let mut row = [0.0; N];
            for w in &mut row {
                *w = f32_of(take(4)?);
            }
            weights.insert(key, row);
        }
        let mut meaning = vec![[0.0; N]; dim];
        for row in &mut meaning {
            for w in row {
                *w = f32_of(take(4)?);
            }
        }
        if !rest.is_empty() {
            return Err("the model file has bytes after its weights".into());
        }
        Ok(Model {
            weights,
            meaning,
            bias,
        })
    }
}

const MAGIC: &[u8; 8] = b"BPMODEL2";

/// The labelled lines the shipped model learns from: the sets the lexicons were written
/// against, the earlier held-out sets, and lines written for training (`train/`, and `more/`
/// with the encoder). Never `fresh/` or `blind/`.
pub const CORPUS: [(&str, &str); 20] = [
    ("en", include_str!("../../../eval/moderation/tuning/en.tsv")),
    ("es", include_str!("../../../eval/moderation/tuning/es.tsv")),
    ("fr", include_str!("../../../eval/moderation/tuning/fr.tsv")),
    ("de", include_str!("../../../eval/moderation/tuning/de.tsv")),
    ("tr", include_str!("../../../eval/moderation/tuning/tr.tsv")),
    (
        "en",
        include_str!("../../../eval/moderation/heldout/en.tsv"),
    ),
    (
        "es",
        include_str!("../../../eval/moderation/heldout/es.tsv"),
    ),
    (
        "fr",
        include_str!("../../../eval/moderation/heldout/fr.tsv"),
    ),
    (
        "de",
        include_str!("../../../eval/moderation/heldout/de.tsv"),
    ),
    (
        "tr",
        include_str!("../../../eval/moderation/heldout/tr.tsv"),
    ),
    ("en", include_str!("../../../eval/moderation/train/en.tsv")),
    ("es", include_str!("../../../eval/moderation/train/es.tsv")),
    ("fr", include_str!("../../../eval/moderation/train/fr.tsv")),
    ("de", include_str!("../../../eval/moderation/train/de.tsv")),
    ("tr", include_str!("../../../eval/moderation/train/tr.tsv")),
    ("en", include_str!("../../../eval/moderation/more/en.tsv")),
    ("es", include_str!("../../../eval/moderation/more/es.tsv")),
    ("fr", include_str!("../../../eval/moderation/more/fr.tsv")),
    ("de", include_str!("../../../eval/moderation/more/de.tsv")),
    ("tr", include_str!("../../../eval/moderation/more/tr.tsv")),
];

/// The labelled lines of a TSV file (`LABEL<TAB>TEXT`), as (label, text).
pub fn labelled(tsv: &str) -> impl Iterator<Item = (&str, &str)> {
    tsv.lines()
        .filter(|line| !line.trim().is_empty())
        .filter_map(|line| line.split_once('\t'))
        .map(|(label, text)| (label.trim(), text.trim()))
}

/// The class of a label (`None`: a label the model does not learn).
pub fn class_of(label: &str) -> Option<usize> {
    CLASSES.iter().position(|c| *c == label)
}

/// The shipped corpus as examples, in its files' order.
pub fn corpus() -> Vec<Example> {
    corpus_read(true)
}

/// The corpus, its lines read with their meaning or without (for `scripts/evaluate`'s "before").
pub fn corpus_read(with_meaning: bool) -> Vec<Example> {
    CORPUS
        .iter()
        .flat_map(|&(language, tsv)| {
            labelled(tsv).filter_map(move |(label, text)| {
                Some(Example {
                    class: class_of(label)?,
                    language,
                    features: super::features_of(text, Some(language), with_meaning),
                })
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The corpus's features, read once for the tests that train (seconds in a debug build).
    fn examples() -> &'static [Example] {
        static EXAMPLES: LazyLock<Vec<Example>> = LazyLock::new(corpus);
        &EXAMPLES
    }

    #[test]
    fn every_line_of_the_corpus_has_a_label_the_model_learns() {
        for (language, tsv) in CORPUS {
            for (label, text) in labelled(tsv) {
                assert!(class_of(label).is_some(), "{language}: {label}\t{text}");
            }
            assert_eq!(
                labelled(tsv).count(),
                tsv.lines().filter(|l| !l.trim().is_empty()).count(),
                "{language}: a line without a tab"
            );
        }
    }

    #[test]
    fn the_same_lines_train_the_same_model() {
        let examples: Vec<Example> = examples().iter().step_by(7).cloned().collect();
        let (a, b) = (Model::train(&examples), Model::train(&examples));
        let probe =
            super::super::features_of("you are a clown, nobody asked you", Some("en"), true);
        assert_eq!(a.probabilities(&probe), b.probabilities(&probe));
    }

    #[test]
    fn the_shipped_weights_are_what_the_corpus_trains() {
        let trained = Model::train(examples()).to_bytes();
        let shipped: &[u8] = include_bytes!("../../../models/moderation/model.bin");
        assert!(
            trained == shipped,
            "models/moderation/model.bin is not what eval/moderation trains: run scripts/evaluate train"
        );
        let read = Model::from_bytes(shipped).expect("it reads back");
        assert_eq!(read.to_bytes(), shipped);
        assert!(Model::from_bytes(&shipped[..shipped.len() - 3]).is_err());
        assert!(Model::from_bytes(b"not a model").is_err());
    }

    #[test]
    fn probabilities_sum_to_one() {
        let probe = super::super::features_of("great call on $AAPL", Some("en"), true);
        let p = Model::shipped().probabilities(&probe);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4, "{p:?}");
        assert!(p[0] > 0.5, "{p:?}");
    }
}
