//! The linear toxicity model of alt-profanity-check (MIT): TF-IDF over words, then five
//! calibrated linear SVMs whose probabilities are averaged. `models/toxicity-model.json` holds
//! the exported weights (scripts/make-toxicity-model.py); this reproduces the package's
//! `predict_prob` (checked against its own outputs in tests/fixtures/toxicity-reference.json).

use std::{collections::HashMap, sync::OnceLock};

use serde::Deserialize;
use unicode_general_category::{get_general_category, GeneralCategory as Cat};

#[derive(Deserialize)]
struct Exported {
    vocabulary: Vec<String>,
    idf: Vec<f64>,
    folds: Vec<Fold>,
}

#[derive(Deserialize)]
struct Fold {
    intercept: f64,
    sigmoid_a: f64,
    sigmoid_b: f64,
    coef: Vec<f64>,
}

pub struct ToxicityModel {
    index: HashMap<String, usize>,
    idf: Vec<f64>,
    folds: Vec<Fold>,
}

impl ToxicityModel {
    /// The model Bullpen ships, parsed once.
    pub fn shipped() -> &'static ToxicityModel {
        static MODEL: OnceLock<ToxicityModel> = OnceLock::new();
        MODEL.get_or_init(|| {
            let exported: Exported =
                serde_json::from_str(include_str!("../../models/toxicity-model.json"))
                    .expect("models/toxicity-model.json is readable");
            let index = exported
                .vocabulary
                .into_iter()
                .enumerate()
                .map(|(i, term)| (term, i))
                .collect();
            ToxicityModel {
                index,
                idf: exported.idf,
                folds: exported.folds,
            }
        })
    }

    /// The probability that `text` is offensive, 0–1.
    pub fn probability(&self, text: &str) -> f64 {
        let mut counts: Vec<(usize, f64)> = Vec::new();
        for token in tokens(&text.to_lowercase()) {
            if let Some(&column) = self.index.get(token) {
                match counts.iter_mut().find(|(c, _)| *c == column) {
                    Some((_, n)) => *n += 1.0,
                    None => counts.push((column, 1.0)),
                }
            }
        }
        // scikit-learn sums in column order; so do we, for the same last bits.
        counts.sort_unstable_by_key(|(column, _)| *column);
        let mut weights: Vec<(usize, f64)> = counts
            .into_iter()
            .map(|(column, n)| (column, n * self.idf[column]))
            .collect();
        let norm = weights.iter().map(|(_, x)| x * x).sum::<f64>().sqrt();
        if norm != 0.0 {
            weights.iter_mut().for_each(|(_, x)| *x /= norm);
        }
        let total: f64 = self
            .folds
            .iter()
            .map(|fold| {
                let decision = weights
                    .iter()
                    .map(|(column, x)| x * fold.coef[*column])
                    .sum::<f64>()
                    + fold.intercept;
                1.0 / (1.0 + (fold.sigmoid_a * decision + fold.sigmoid_b).exp())
            })
            .sum();
        total / self.folds.len() as f64
    }
}

/// scikit-learn's `(?u)\b\w\w+\b` on lowercased text: maximal runs of word characters (Python's
/// `\w`: letters, numbers and `_`, by general category), at least two long.
fn tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !is_word_char(c))
        .filter(|run| run.chars().nth(1).is_some())
}

fn is_word_char(c: char) -> bool {
    c == '_'
        || matches!(
            get_general_category(c),
            Cat::UppercaseLetter
                | Cat::LowercaseLetter
                | Cat::TitlecaseLetter
                | Cat::ModifierLetter
                | Cat::OtherLetter
                | Cat::DecimalNumber
                | Cat::LetterNumber
                | Cat::OtherNumber
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Reference {
        text: String,
        prob: f64,
    }

    #[test]
    fn matches_the_python_package_on_its_own_outputs() {
        let references: Vec<Reference> =
            serde_json::from_str(include_str!("../../tests/fixtures/toxicity-reference.json"))
                .unwrap();
        assert!(references.len() >= 50);
        let model = ToxicityModel::shipped();
        for r in references {
            let ours = model.probability(&r.text);
            assert!(
                (ours - r.prob).abs() < 1e-9,
                "{:?}: ours {ours}, package {}",
                r.text,
                r.prob
            );
        }
    }

    #[test]
    fn tokens_follow_python_word_rules() {
        let found: Vec<&str> = tokens("pokémon a_b x 42 beyonce\u{301} 今日").collect();
        // The combining accent is not a word character: it splits the word, as in Python.
        assert_eq!(found, ["pokémon", "a_b", "42", "beyonce", "今日"]);
    }
}
