//! What kind of question was asked, read from its meaning: a head over the sentence encoder
//! (`ai::head`) trained on questions written for it in the five languages
//! (`eval/assistant/train/`; the held-out questions in `eval/assistant/heldout/` are never read
//! here). The rules (`intent.rs`) still find what a question names — its symbols, indicator,
//! term — and decide whenever the head is unsure; the head decides the kind when it is sure and
//! the question names what that kind needs, so "¿me conviene meterle plata a mercado libre?"
//! is an analysis even though no rule lists "meterle plata".

use std::sync::LazyLock;

use super::intent::{Intent, Slots, KINDS};
use crate::ai::{
    encoder,
    head::{Head, Settings},
};

/// The head's probability from which its kind overrules the rules'.
pub const SURE: f32 = 0.6;

/// How the head is trained, chosen on the training questions by five-fold cross-validation
/// (`scripts/evaluate assistant-grid`): the kind right 0.896, and 0.970 of the time when the
/// head is [`SURE`] (0.80 of the questions).
pub const SETTINGS: Settings = Settings {
    epochs: 40,
    step: 0.2,
    decay: 1e-3,
    scale: 4.0,
};

/// The training questions, per language.
pub const CORPUS: [(&str, &str); 5] = [
    ("en", include_str!("../../eval/assistant/train/en.tsv")),
    ("es", include_str!("../../eval/assistant/train/es.tsv")),
    ("fr", include_str!("../../eval/assistant/train/fr.tsv")),
    ("de", include_str!("../../eval/assistant/train/de.tsv")),
    ("tr", include_str!("../../eval/assistant/train/tr.tsv")),
];

/// The training questions' meanings and kinds (indexes into [`KINDS`]), in the files' order.
pub fn corpus() -> Vec<(Vec<f32>, usize)> {
    CORPUS
        .iter()
        .flat_map(|(_, tsv)| tsv.lines())
        .filter_map(|line| line.split_once('\t'))
        .filter_map(|(kind, question)| {
            let kind = KINDS.iter().position(|k| *k == kind.trim())?;
            Some((encoder::embed(question.trim()), kind))
        })
        .collect()
}

/// Trains the head on [`corpus`] with [`SETTINGS`] (`scripts/evaluate train` writes it).
pub fn train(corpus: &[(Vec<f32>, usize)]) -> Head {
    Head::train(corpus, KINDS.len(), SETTINGS)
}

/// The head shipped in `models/assistant/kinds.bin`.
pub fn shipped() -> &'static Head {
    static SHIPPED: LazyLock<Head> = LazyLock::new(|| {
        Head::from_bytes(include_bytes!("../../models/assistant/kinds.bin"))
            .expect("models/assistant/kinds.bin is written by scripts/evaluate train")
    });
    &SHIPPED
}

/// The likeliest kind of `question` and how sure the head is.
pub fn kind_of(head: &Head, question: &str) -> (&'static str, f32) {
    let (kind, p) = head.best(&encoder::embed(question));
    (KINDS[kind], p)
}

/// The rules' intent, or the head's kind where it is sure, disagrees, and the question names
/// what that kind needs. A name that fits several symbols is always asked about.
pub fn decide(question: &str, slots: Slots, head: &Head) -> Intent {
    let by_rules = super::intent::recognise_from(question, slots.clone());
    if matches!(by_rules, Intent::Clarify { .. }) {
        return by_rules;
    }
    let (kind, sure) = kind_of(head, question);
    if kind == by_rules.kind() || sure < SURE {
        return by_rules;
    }
    Intent::of_kind(kind, &slots).unwrap_or(by_rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_training_line_has_a_kind() {
        for (language, tsv) in CORPUS {
            for line in tsv.lines() {
                let (kind, question) = line
                    .split_once('\t')
                    .unwrap_or_else(|| panic!("{language}: {line}"));
                assert!(KINDS.contains(&kind.trim()), "{language}: {kind}");
                assert!(!question.trim().is_empty());
            }
        }
    }

    #[test]
    fn the_shipped_head_is_what_the_questions_train() {
        let trained = train(&corpus()).to_bytes();
        let shipped: &[u8] = include_bytes!("../../models/assistant/kinds.bin");
        assert!(
            trained == shipped,
            "models/assistant/kinds.bin is not what eval/assistant/train trains: run scripts/evaluate train"
        );
    }

    #[test]
    fn a_sure_head_decides_the_kind_and_the_rules_what_is_named() {
        let slots = Slots {
            symbols: vec!["MELI".into()],
            ..Slots::default()
        };
        // No rule knows this wording; the meaning does.
        let question = "vale la pena meterle plata a mercado libre a largo plazo?";
        let (kind, sure) = kind_of(shipped(), question);
        assert_eq!(kind, "analysis", "{sure}");
        assert_eq!(
            decide(question, slots, shipped()),
            Intent::Analysis {
                symbol: "MELI".into()
            }
        );
        // A kind whose slots are missing keeps the rules' answer.
        assert_eq!(Intent::of_kind("compare", &Slots::default()), None);
        assert_eq!(
            Intent::of_kind("quote", &Slots::default()),
            Some(Intent::NeedSymbol)
        );
    }
}
