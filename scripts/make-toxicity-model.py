#!/usr/bin/env python3
"""Export alt-profanity-check's TF-IDF + calibrated LinearSVC model to one JSON file.

Bullpen ships the result as models/toxicity-model.json (src/ai/toxicity.rs reads it). To
regenerate it:
    python3 -m venv /tmp/apc && /tmp/apc/bin/pip install alt-profanity-check==1.9.1
    /tmp/apc/bin/python scripts/make-toxicity-model.py models/toxicity-model.json

All floats are written with Python's shortest round-trip repr, so parsing them with a
correctly-rounding f64 parser (Rust str::parse::<f64>, or serde_json with the
`float_roundtrip` feature) reproduces the original float64 values bit-for-bit.
"""
import hashlib
import json
import sys
from importlib import metadata, resources

import joblib
import numpy as np
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

OUT = sys.argv[1] if len(sys.argv) > 1 else "models/toxicity-model.json"

data_dir = resources.files("profanity_check") / "data"
vec_path, model_path = data_dir / "vectorizer.joblib", data_dir / "model.joblib"
vec = joblib.load(vec_path)
model = joblib.load(model_path)


def sha256(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


# ---- sanity checks: fail loudly if a future package version changes structure ----
assert type(vec) is TfidfVectorizer, type(vec)
p = vec.get_params()
expected = dict(analyzer="word", binary=False, lowercase=True, max_features=None,
                ngram_range=(1, 1), norm="l2", preprocessor=None, smooth_idf=True,
                strip_accents=None, sublinear_tf=False, token_pattern=r"(?u)\b\w\w+\b",
                tokenizer=None, use_idf=True, vocabulary=None, stop_words="english")
for k, val in expected.items():
    assert p[k] == val, (k, p[k], val)
assert vec.dtype == np.float64
stop_words = sorted(vec.get_stop_words() or [])
assert not any(t in vec.vocabulary_ for t in stop_words), "stop words in vocab: filtering would matter"

assert type(model) is CalibratedClassifierCV, type(model)
assert model.method == "sigmoid"
assert list(model.classes_) == [0, 1]
n_terms = len(vec.vocabulary_)
assert vec.idf_.shape == (n_terms,)

# vocabulary as a list where position == column index (a bijection, checked here)
vocab = [None] * n_terms
for term, idx in vec.vocabulary_.items():
    assert vocab[idx] is None
    vocab[idx] = term
assert all(t is not None for t in vocab)

folds = []
for cc in model.calibrated_classifiers_:
    est = cc.estimator
    assert type(est) is LinearSVC and cc.method == "sigmoid"
    assert list(est.classes_) == [0, 1] and list(cc.classes) == [0, 1]
    assert est.coef_.shape == (1, n_terms) and est.intercept_.shape == (1,)
    assert len(cc.calibrators) == 1
    cal = cc.calibrators[0]
    assert type(cal).__name__ == "_SigmoidCalibration"
    folds.append({
        "intercept": float(est.intercept_[0]),
        "sigmoid_a": float(cal.a_),
        "sigmoid_b": float(cal.b_),
        "coef": [float(x) for x in est.coef_[0]],
    })

dist = metadata.distribution("alt-profanity-check")
license_text = (resources.files("profanity_check").parent
                / f"alt_profanity_check-{dist.version}.dist-info" / "licenses" / "LICENSE").read_text()

out = {
    "format": "bullpen-toxicity-model/1",
    "source": {
        "package": "alt-profanity-check",
        "version": dist.version,
        "homepage": "https://github.com/dimitrismistriotis/alt-profanity-check",
        "license": "MIT",
        "license_text": license_text,
        "trained_with_scikit_learn": dist.version,
        "exported_with_scikit_learn": sklearn.__version__,
        "vectorizer_joblib_sha256": sha256(vec_path),
        "model_joblib_sha256": sha256(model_path),
    },
    "tokenizer": {
        "analyzer": "word",
        "lowercase": True,
        "lowercase_semantics": "Python str.lower(): full Unicode lowercase mapping incl. special casing "
                               "(U+0130 -> 'i'+U+0307, final sigma); same as Rust str::to_lowercase",
        "strip_accents": None,
        "unicode_normalization": None,
        "token_pattern": r"(?u)\b\w\w+\b",
        "token_rule": "tokens = maximal runs of word chars with length >= 2 code points; word char = '_' "
                      "or Unicode general category in {Lu,Ll,Lt,Lm,Lo,Nd,Nl,No} (Python str.isalnum, "
                      "Unicode 14.0 in CPython 3.11). Do NOT use regex-crate \\w (it includes marks/Pc).",
        "ngram_range": [1, 1],
        "stop_words": "english",
        "stop_words_effect": "none: no stop word is in the vocabulary and ngram_range is (1,1)",
        "out_of_vocabulary": "ignored",
    },
    "tfidf": {
        "tf": "raw count of the term in the text",
        "binary": False,
        "sublinear_tf": False,
        "use_idf": True,
        "smooth_idf": True,
        "idf_formula": "idf[t] = ln((1 + n_docs) / (1 + df[t])) + 1 (precomputed below)",
        "norm": "l2",
        "norm_rule": "x[t] = count[t]*idf[t]; s = sqrt(sum x^2); if s != 0: x[t] /= s (else vector stays 0)",
    },
    "prediction": {
        "decision": "d_k = sum_t x[t]*coef_k[t] + intercept_k   (per fold k)",
        "calibration": "p_k = 1 / (1 + exp(sigmoid_a_k * d_k + sigmoid_b_k))   (= expit(-(a*d+b)))",
        "output": "prob = (p_0 + p_1 + ... + p_{K-1}) / K   (probability of class 1 = offensive)",
        "predict_threshold": "predict() = 1 iff prob > 0.5 (argmax of [1-prob, prob]; ties -> 0)",
    },
    "n_terms": n_terms,
    "vocabulary": vocab,
    "idf": [float(x) for x in vec.idf_],
    "folds": folds,
}

with open(OUT, "w", encoding="utf-8") as f:
    json.dump(out, f, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
print(f"wrote {OUT}: {n_terms} terms, {len(folds)} folds")
