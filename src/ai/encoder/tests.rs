//! The Rust encoder against the package's own numpy output (tests/fixtures/encoder, written by
//! scripts/make-encoder-reference.py): the same pieces, and embeddings at cosine ≥ 0.99.

use super::*;
use encoder::sentencepiece;

#[derive(serde::Deserialize)]
struct Reference {
    text: String,
    pieces: Vec<u32>,
    embedding: Vec<f32>,
}

fn references() -> Vec<Reference> {
    serde_json::from_str(include_str!(
        "../../../tests/fixtures/encoder/reference.json"
    ))
    .expect("the reference fixture is JSON")
}

#[test]
fn the_pieces_are_the_packages_own() {
    let encoder = shipped();
    for reference in references() {
        assert_eq!(
            encoder.pieces(&reference.text),
            reference.pieces,
            "{:?}",
            reference.text
        );
    }
}

#[test]
fn the_embeddings_are_the_packages_own_in_every_language() {
    let encoder = shipped();
    let mut lowest = f32::MAX;
    for reference in references() {
        let embedding = encoder.embed(&reference.text);
        assert_eq!(embedding.len(), DIM);
        let length: f32 = embedding.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!(
            (length - 1.0).abs() < 1e-3,
            "{:?}: length {length}",
            reference.text
        );
        let cosine = similarity(&embedding, &reference.embedding);
        assert!(cosine >= 0.99, "{:?}: cosine {cosine}", reference.text);
        lowest = lowest.min(cosine);
    }
    assert!(lowest >= 0.99);
}

#[test]
fn the_same_meaning_in_another_language_lands_close() {
    let encoder = shipped();
    let english = encoder.embed("the central bank will cut interest rates in December");
    let spanish = encoder.embed("el banco central bajará los tipos de interés en diciembre");
    let turkish = encoder.embed("merkez bankası aralıkta faiz oranlarını düşürecek");
    let unrelated = encoder.embed("my cat sleeps on the sofa all afternoon");
    let (es, tr, other) = (
        similarity(&english, &spanish),
        similarity(&english, &turkish),
        similarity(&english, &unrelated),
    );
    assert!(
        es > other + 0.2 && tr > other + 0.2,
        "es {es}, tr {tr}, unrelated {other}"
    );
}

#[test]
fn a_long_text_is_read_up_to_its_limit() {
    let encoder = shipped();
    let long = "buy the dip ".repeat(1_000);
    let pieces = encoder.pieces(&long);
    assert_eq!(pieces.len(), MAX_PIECES);
    assert_eq!(pieces.last(), Some(&sentencepiece::END));
    assert_eq!(encoder.embed(&long).len(), DIM);
}

#[test]
fn a_stored_meaning_reads_back_within_a_hundredth() {
    let meaning = embed("la Reserva Federal bajará los tipos en diciembre");
    let stored = quantise(&meaning);
    assert_eq!(stored.len(), 4 + DIM);
    let back = dequantise(&stored).expect("its own bytes");
    assert!(similarity(&meaning, &back) > 0.99);
    assert!(dequantise(&stored[1..]).is_none());
    // Remembered: the same text gives the same numbers without the network.
    assert_eq!(
        embed("la Reserva Federal bajará los tipos en diciembre"),
        meaning
    );
}
