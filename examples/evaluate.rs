//! Measures the built-in engines on the labelled sets in `eval/`, per language:
//!
//! ```text
//! cargo run --release --features ssr --example evaluate -- moderation [--mistakes]
//! cargo run --release --features ssr --example evaluate -- catchup [--mistakes]
//! cargo run --release --features ssr --example evaluate -- assistant [--mistakes]
//! APERTIUM_URL=http://127.0.0.1:2737 cargo run --release --features ssr --example evaluate -- translation
//! ```
//!
//! `scripts/evaluate` runs them all (and starts Apertium for the translation).
//!
//! Each engine has a tuning set (its rules were written against it) and a held-out set written
//! separately and never tuned on; the held-out figures are the result, the tuning ones a floor.

use std::{collections::BTreeMap, path::PathBuf};

const LANGUAGES: [&str; 5] = ["en", "es", "fr", "de", "tr"];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let show_mistakes = args.iter().any(|a| a == "--mistakes");
    match args.first().map(String::as_str) {
        Some("moderation") => moderation(show_mistakes),
        Some("moderation-grid") => moderation_grid(),
        Some("train") => {
            let write = |file: &str, bytes: Vec<u8>| {
                let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(file);
                std::fs::write(&path, bytes)
                    .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
                println!("wrote {}", path.display());
            };
            write(
                "models/moderation/model.bin",
                Model::train(&model::corpus()).to_bytes(),
            );
            write(
                "models/assistant/kinds.bin",
                bullpen::assistant::kinds::train(&bullpen::assistant::kinds::corpus()).to_bytes(),
            );
        }
        Some("assistant-grid") => assistant_grid(),
        Some("catchup") => catchup(show_mistakes),
        Some("search") => search(show_mistakes),
        Some("assistant") => assistant(show_mistakes),
        Some("translation") => translation(show_mistakes),
        Some("explain") => {
            for text in args.iter().skip(1).filter(|a| !a.starts_with("--")) {
                let language = bullpen::ai::language::detect(text);
                let (judged, evidence) = bullpen::ai::moderation::explain(text, language);
                println!("{text}\n  language {language:?}: {judged:?}");
                for line in evidence {
                    println!("  - {line}");
                }
            }
        }
        _ => {
            eprintln!(
                "usage: evaluate moderation|moderation-grid|train|catchup|assistant|assistant-grid|search|translation [--mistakes] | explain TEXT…"
            );
            std::process::exit(2);
        }
    }
}

fn eval_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("eval")
}

/// `LABEL<TAB>TEXT` lines.
fn labelled(path: &PathBuf) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("{}: {err}", path.display()))
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let (label, text) = line
                .split_once('\t')
                .unwrap_or_else(|| panic!("{}: no tab in {line:?}", path.display()));
            (label.trim().to_string(), text.to_string())
        })
        .collect()
}

#[derive(Default)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
    tn: usize,
}

impl Counts {
    fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn percentile(scores: &mut [f32], p: f64) -> f32 {
    if scores.is_empty() {
        return f32::NAN;
    }
    scores.sort_by(f32::total_cmp);
    let at = ((scores.len() - 1) as f64 * p).round() as usize;
    scores[at]
}

/// An engine under evaluation: the lexicons alone, the lexicons and a model trained without the
/// line's meaning (before the encoder), or the shipped engine.
type Judge<'a> = &'a dyn Fn(&str, Option<&str>) -> bullpen::ai::moderation::Assessment;

fn moderation(show_mistakes: bool) {
    use bullpen::ai::moderation;
    let threshold = bullpen::platform::config::DEFAULT_TOXICITY_THRESHOLD;
    let before = Model::train(&model::corpus_read(false));
    let with_before =
        |text: &str, language: Option<&str>| moderation::assess_with(&before, text, language);
    let engines: [(&str, Judge); 3] = [
        ("lexicons alone", &moderation::assess_by_lexicon),
        ("before: lexicons and the n-gram model", &with_before),
        (
            "after: with the encoder's meaning (shipped)",
            &moderation::assess_in,
        ),
    ];
    println!(
        "\nThe models learn from tuning/, heldout/, train/ and more/ (the same lines before and"
    );
    println!("after); blind/ and fresh/ were written before any result was seen and are never");
    println!("trained on: their figures are the result.");
    for set in ["blind", "fresh"] {
        for (engine, judge) in engines {
            moderation_table(set, engine, judge, threshold, show_mistakes);
        }
    }
    println!("\n## Moderation, the model's corpus, 5-fold cross-validation\n");
    println!("| language | lines | precision | recall |");
    println!("|---|---|---|---|");
    let folds = cross_validation(&model::corpus(), Settings::SHIPPED, threshold);
    for language in LANGUAGES {
        let row = folds.get(language).expect("every language has lines");
        println!(
            "| {language} | {} | {:.3} | {:.3} |",
            row.tp + row.fp + row.fn_ + row.tn,
            row.precision(),
            row.recall()
        );
    }
    cpu_per_message(&engines);
}

use bullpen::ai::moderation::model::{self, Model, Settings};

/// Training settings side by side, each by five-fold cross-validation on the corpus (never
/// on `fresh/`): the macro average over the five languages.
fn moderation_grid() {
    let threshold = bullpen::platform::config::DEFAULT_TOXICITY_THRESHOLD;
    let lines = model::corpus();
    println!(
        "| meaning scale | epochs | decay | abusive weight | precision | recall | lowest P | lowest R |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for scale in [0.0, 1.0, 2.0, 3.0] {
        let rescaled: Vec<model::Example> = lines
            .iter()
            .map(|example| {
                let mut example = example.clone();
                for v in &mut example.features.meaning {
                    *v *= scale / model::MEANING_SCALE;
                }
                example
            })
            .collect();
        for abusive_weight in [2.5, 4.0, 6.0] {
            let settings = Settings {
                epochs: 40,
                decay: 1e-4,
                abusive_weight,
                ..Settings::SHIPPED
            };
            let folds = cross_validation(&rescaled, settings, threshold);
            let p: Vec<f64> = folds.values().map(Counts::precision).collect();
            let r: Vec<f64> = folds.values().map(Counts::recall).collect();
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            let least = |v: &[f64]| v.iter().copied().fold(1.0, f64::min);
            println!(
                "| {scale} | {} | {:e} | {abusive_weight} | {:.3} | {:.3} | {:.3} | {:.3} |",
                settings.epochs,
                settings.decay,
                mean(&p),
                mean(&r),
                least(&p),
                least(&r)
            );
        }
    }
}

fn moderation_table(set: &str, engine: &str, judge: Judge, threshold: f32, show_mistakes: bool) {
    println!("\n## Moderation, {set} set, {engine} (threshold {threshold})\n");
    println!("| language | lines | abusive | precision | recall | F1 | clean p95 | abuse p10 |");
    println!("|---|---|---|---|---|---|---|---|");
    // category → (lines, caught, named right, flagged with this reason)
    let mut by_category: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    let mut mistakes = Vec::new();
    for language in LANGUAGES {
        let path = eval_dir().join(format!("moderation/{set}/{language}.tsv"));
        let lines = labelled(&path);
        let mut counts = Counts::default();
        let (mut clean_scores, mut abuse_scores) = (Vec::new(), Vec::new());
        for (label, text) in &lines {
            let judged = judge(text, bullpen::ai::language::detect(text));
            let flagged = judged.score >= threshold;
            let abusive = label != "clean";
            if abusive {
                abuse_scores.push(judged.score);
                let row = by_category.entry(label.clone()).or_default();
                row[0] += 1;
                row[1] += usize::from(flagged);
                row[2] += usize::from(flagged && judged.reason == *label);
            } else {
                clean_scores.push(judged.score);
            }
            if flagged {
                by_category.entry(judged.reason.clone()).or_default()[3] += 1;
            }
            match (flagged, abusive) {
                (true, true) => counts.tp += 1,
                (true, false) => {
                    counts.fp += 1;
                    mistakes.push(format!(
                        "{language} false flag ({} {:.2}): {text}",
                        judged.reason, judged.score
                    ));
                }
                (false, true) => {
                    counts.fn_ += 1;
                    mistakes.push(format!(
                        "{language} missed {label} ({} {:.2}): {text}",
                        judged.reason, judged.score
                    ));
                }
                (false, false) => counts.tn += 1,
            }
        }
        println!(
            "| {language} | {} | {} | {:.3} | {:.3} | {:.3} | {:.2} | {:.2} |",
            lines.len(),
            abuse_scores.len(),
            counts.precision(),
            counts.recall(),
            counts.f1(),
            percentile(&mut clean_scores, 0.95),
            percentile(&mut abuse_scores, 0.10),
        );
    }
    println!("\n| category | lines | caught | named so | precision of the name |");
    println!("|---|---|---|---|---|");
    for (category, [lines, caught, named, flagged_as]) in &by_category {
        if *lines == 0 {
            continue;
        }
        println!(
            "| {category} | {lines} | {caught} ({:.2}) | {named} | {:.2} |",
            *caught as f64 / *lines as f64,
            *named as f64 / (*flagged_as).max(1) as f64,
        );
    }
    if show_mistakes {
        println!();
        for mistake in &mistakes {
            println!("- {mistake}");
        }
    }
}

/// Five-fold cross-validation of the model on its own corpus (each fold trained on the other
/// four): what the training settings were chosen by, without looking at `fresh/`.
fn cross_validation(
    lines: &[model::Example],
    settings: Settings,
    threshold: f32,
) -> BTreeMap<&'static str, Counts> {
    const FOLDS: usize = 5;
    let mut counts: BTreeMap<&str, Counts> = BTreeMap::new();
    for fold in 0..FOLDS {
        let training: Vec<model::Example> = lines
            .iter()
            .enumerate()
            .filter(|(i, _)| i % FOLDS != fold)
            .map(|(_, example)| example.clone())
            .collect();
        let trained = Model::train_with(&training, settings);
        for (_, example) in lines.iter().enumerate().filter(|(i, _)| i % FOLDS == fold) {
            let flagged = 1.0 - trained.probabilities(&example.features)[0] >= threshold;
            let row = counts.entry(example.language).or_default();
            match (flagged, example.class != 0) {
                (true, true) => row.tp += 1,
                (true, false) => row.fp += 1,
                (false, true) => row.fn_ += 1,
                (false, false) => row.tn += 1,
            }
        }
    }
    counts
}

/// CPU time per message, each engine over every labelled line (the model trained first).
fn cpu_per_message(engines: &[(&str, Judge)]) {
    let mut texts = Vec::new();
    for set in ["blind", "fresh", "tuning", "heldout"] {
        for language in LANGUAGES {
            let path = eval_dir().join(format!("moderation/{set}/{language}.tsv"));
            texts.extend(
                labelled(&path)
                    .into_iter()
                    .map(|(_, text)| (language, text)),
            );
        }
    }
    // Trains the model and reads the lexicons before the clock starts.
    bullpen::ai::moderation::assess("warm up");
    println!(
        "\n## Moderation, CPU per message ({} lines, 5 rounds)\n",
        texts.len()
    );
    println!("| engine | language known | with language detection |");
    println!("|---|---|---|");
    for (engine, judge) in engines {
        let known = cpu_micros(&texts, |language, text| {
            judge(text, Some(language));
        });
        let detected = cpu_micros(&texts, |_, text| {
            judge(text, bullpen::ai::language::detect(text));
        });
        println!("| {engine} | {known:.0} µs | {detected:.0} µs |");
    }
}

/// Average CPU microseconds of this process per call of `each` over `texts`, five rounds.
fn cpu_micros(texts: &[(&str, String)], each: impl Fn(&str, &str)) -> f64 {
    let cpu = || {
        let mut now = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `now` is a valid timespec for the call to write.
        unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
        now.tv_sec as f64 * 1e6 + now.tv_nsec as f64 / 1e3
    };
    let start = cpu();
    for _ in 0..5 {
        for (language, text) in texts {
            each(language, text);
        }
    }
    (cpu() - start) / (5 * texts.len()) as f64
}

#[derive(serde::Deserialize)]
struct Scenario {
    name: String,
    language: String,
    messages: Vec<ScenarioMessage>,
    key_points: Vec<KeyPoint>,
}

#[derive(serde::Deserialize)]
struct ScenarioMessage {
    body: String,
    reply_to: Option<usize>,
    reactions: usize,
    pinned: bool,
    role: String,
}

#[derive(serde::Deserialize)]
struct KeyPoint {
    point: String,
    messages: Vec<usize>,
}

/// "Catch me up": the share of each scenario's key points that the five chosen lines convey,
/// beside TextRank alone (what the summary was before it knew what traders look for).
fn catchup(show_mistakes: bool) {
    use bullpen::ai::summary;
    const LINES: usize = 5;
    for set in ["tuning", "heldout"] {
        let path = eval_dir().join(format!("catchup/{set}.json"));
        let scenarios: Vec<Scenario> = serde_json::from_str(
            &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        println!("\n## Catch me up, {set} set: key points in {LINES} lines\n");
        println!("| scenario | language | messages | key points | found | TextRank alone |");
        println!("|---|---|---|---|---|---|");
        let mut per_language: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
        for scenario in &scenarios {
            let bodies: Vec<&str> = scenario.messages.iter().map(|m| m.body.as_str()).collect();
            let sentences = summary::sentences(&bodies);
            let signals: Vec<summary::Signals> = scenario
                .messages
                .iter()
                .enumerate()
                .map(|(i, m)| summary::Signals {
                    reactions: m.reactions,
                    replies: scenario
                        .messages
                        .iter()
                        .filter(|r| r.reply_to == Some(i))
                        .count(),
                    pinned: m.pinned,
                    staff: m.role != "member",
                })
                .collect();
            let covered = |chosen: &[usize]| -> Vec<bool> {
                let messages: Vec<usize> = chosen.iter().map(|&i| sentences[i].message).collect();
                scenario
                    .key_points
                    .iter()
                    .map(|point| point.messages.iter().any(|m| messages.contains(m)))
                    .collect()
            };
            let ours = covered(&summary::highlights(&sentences, &signals, LINES));
            let plain = covered(&summary::rank(&sentences, LINES));
            let found = ours.iter().filter(|c| **c).count();
            let found_plain = plain.iter().filter(|c| **c).count();
            let total = scenario.key_points.len();
            println!(
                "| {} | {} | {} | {total} | {found} ({:.0} %) | {found_plain} ({:.0} %) |",
                scenario.name,
                scenario.language,
                scenario.messages.len(),
                100.0 * found as f64 / total as f64,
                100.0 * found_plain as f64 / total as f64,
            );
            let row = per_language.entry(scenario.language.clone()).or_default();
            row.0 += total;
            row.1 += found;
            row.2 += found_plain;
            if show_mistakes {
                for (point, hit) in scenario.key_points.iter().zip(&ours) {
                    if !hit {
                        println!("|  | missed: {} |  |  |  |  |", point.point);
                    }
                }
            }
        }
        let (total, found, plain) = per_language
            .values()
            .fold((0, 0, 0), |acc, r| (acc.0 + r.0, acc.1 + r.1, acc.2 + r.2));
        println!(
            "\nAll: {found}/{total} key points ({:.0} %); TextRank alone {plain}/{total} ({:.0} %). Per language: {}",
            100.0 * found as f64 / total as f64,
            100.0 * plain as f64 / total as f64,
            per_language
                .iter()
                .map(|(l, (t, f, _))| format!("{l} {:.0} %", 100.0 * *f as f64 / *t as f64))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}

/// The assistant's recogniser on questions written apart from its word lists: what each asks,
/// and whether the answer would come in the question's language.
/// A way of reading what a question asks.
type Recogniser = fn(&str) -> bullpen::assistant::intent::Intent;

fn assistant(show_mistakes: bool) {
    use bullpen::assistant::engine;
    let engines: [(&str, Recogniser); 2] = [
        ("before: the rules alone", engine::recognise_by_rules),
        (
            "after: the rules and the encoder's head (shipped)",
            engine::recognise,
        ),
    ];
    for (name, recognise) in engines {
        assistant_table(name, recognise, show_mistakes);
    }
}

fn intent_label(intent: &bullpen::assistant::intent::Intent) -> String {
    use bullpen::assistant::intent::Intent;
    let lower = |i: &dyn std::fmt::Debug| format!("{i:?}").to_lowercase();
    match intent {
        Intent::Quote { symbol } => format!("quote {symbol}"),
        Intent::Indicator { symbol, indicator } => {
            format!("indicator {symbol} {}", lower(indicator))
        }
        Intent::Analysis { symbol } => format!("analysis {symbol}"),
        Intent::Compare { first, second } => format!("compare {first} {second}"),
        Intent::Holding { symbol } => format!("holding {symbol}"),
        Intent::Explain { term } => format!("explain {term}"),
        Intent::Clarify { name, candidates } => format!("clarify {name} {candidates:?}"),
        other => other.kind().into(),
    }
}

fn assistant_table(name: &str, recognise: Recogniser, show_mistakes: bool) {
    use bullpen::assistant::engine;
    println!("\n## Assistant, held-out questions, {name}\n");
    println!("| language | questions | intent right | kind right | answered in its language |");
    println!("|---|---|---|---|---|");
    let mut mistakes = Vec::new();
    let (mut all, mut all_right) = (0, 0);
    for language in LANGUAGES {
        let lines = labelled(&eval_dir().join(format!("assistant/heldout/{language}.tsv")));
        let (mut right, mut kind_right, mut in_language, mut worded) = (0, 0, 0, 0);
        for (expected, question) in &lines {
            let got = intent_label(&recognise(question));
            if got == *expected {
                right += 1;
            } else {
                mistakes.push(format!(
                    "{language}: {question:?} → {got}, expected {expected}"
                ));
            }
            if got.split_whitespace().next() == expected.split_whitespace().next() {
                kind_right += 1;
            }
            // Greetings and one-word questions say little about a language; the rest must be
            // answered in their own, whatever the person's setting.
            if question.split_whitespace().count() >= 3 {
                worded += 1;
                let other = if language == "en" { "de" } else { "en" };
                let answered = engine::language_of(question, other);
                if answered == language {
                    in_language += 1;
                } else {
                    mistakes.push(format!("{language}: {question:?} answered in {answered}"));
                }
            }
        }
        all += lines.len();
        all_right += right;
        println!(
            "| {language} | {} | {right} ({:.2}) | {kind_right} ({:.2}) | {in_language}/{worded} ({:.2}) |",
            lines.len(),
            right as f64 / lines.len() as f64,
            kind_right as f64 / lines.len() as f64,
            in_language as f64 / worded.max(1) as f64,
        );
    }
    println!(
        "\nAll: {all_right}/{all} ({:.2})",
        all_right as f64 / all as f64
    );
    if show_mistakes {
        for m in &mistakes {
            println!("- {m}");
        }
    }
}

/// The head's training settings side by side, by five-fold cross-validation on the training
/// questions (never the held-out ones): how often the likeliest kind is right, and how often
/// it is right when the head is sure.
fn assistant_grid() {
    use bullpen::ai::head::{Head, Settings};
    use bullpen::assistant::{intent::KINDS, kinds};
    let lines = kinds::corpus();
    println!("| epochs | step | decay | scale | kind right | sure | right when sure |");
    println!("|---|---|---|---|---|---|---|");
    for scale in [4.0, 8.0, 16.0] {
        for (epochs, step, decay) in [(40, 0.2, 1e-4), (80, 0.1, 1e-4), (40, 0.2, 1e-3)] {
            let settings = Settings {
                epochs,
                step,
                decay,
                scale,
            };
            let (mut right, mut sure, mut sure_right) = (0, 0, 0);
            for fold in 0..5 {
                let training: Vec<_> = lines
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % 5 != fold)
                    .map(|(_, l)| l.clone())
                    .collect();
                let head = Head::train(&training, KINDS.len(), settings);
                for (embedding, kind) in lines.iter().skip(fold).step_by(5) {
                    let (got, p) = head.best(embedding);
                    right += usize::from(got == *kind);
                    if p >= kinds::SURE {
                        sure += 1;
                        sure_right += usize::from(got == *kind);
                    }
                }
            }
            let n = lines.len() as f64;
            println!(
                "| {epochs} | {step} | {decay:e} | {scale} | {:.3} | {:.3} | {:.3} |",
                right as f64 / n,
                sure as f64 / n,
                sure_right as f64 / sure.max(1) as f64
            );
        }
    }
}

/// Search by meaning: for each labelled query (`eval/search/queries.tsv`, most in another
/// language than the message meant), where the intended message ranks among the 200 of
/// `eval/search/messages.tsv` by meaning, read as the app reads both.
fn search(show_mistakes: bool) {
    use bullpen::ai::{encoder, moderation};
    let read = |file: &str| -> Vec<Vec<String>> {
        std::fs::read_to_string(eval_dir().join(file))
            .unwrap_or_else(|err| panic!("{file}: {err}"))
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split('\t').map(str::to_string).collect())
            .collect()
    };
    let messages = read("search/messages.tsv");
    let queries = read("search/queries.tsv");
    let meanings: Vec<(String, String, Vec<f32>)> = messages
        .iter()
        .map(|m| (m[0].clone(), m[1].clone(), moderation::meaning_of(&m[2])))
        .collect();
    println!(
        "\n## Search by meaning, {} queries over {} messages\n",
        queries.len(),
        messages.len()
    );
    println!("| query language | queries | in another language | intended first | in the top 5 |");
    println!("|---|---|---|---|---|");
    let mut rows: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    let mut mistakes = Vec::new();
    for q in &queries {
        let (language, text, wanted) = (&q[0], &q[1], &q[2]);
        let meaning = moderation::meaning_of(text);
        let mut ranked: Vec<(f32, &String, &String)> = meanings
            .iter()
            .map(|(id, lang, m)| (encoder::similarity(&meaning, m), id, lang))
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        let rank = ranked.iter().position(|(_, id, _)| *id == wanted);
        let target_language = meanings
            .iter()
            .find(|(id, _, _)| id == wanted)
            .map(|(_, l, _)| l);
        let row = rows.entry(language.clone()).or_default();
        row[0] += 1;
        row[1] += usize::from(target_language != Some(language));
        row[2] += usize::from(rank == Some(0));
        row[3] += usize::from(rank.is_some_and(|r| r < 5));
        if rank.is_none_or(|r| r >= 5) {
            mistakes.push(format!(
                "{language} {text:?} → {wanted} ranked {}, first {} ({:.2})",
                rank.map_or("nowhere".into(), |r| (r + 1).to_string()),
                ranked[0].1,
                ranked[0].0
            ));
        }
    }
    let mut all = [0; 4];
    for (language, row) in &rows {
        println!(
            "| {language} | {} | {} | {} | {} |",
            row[0], row[1], row[2], row[3]
        );
        for (a, r) in all.iter_mut().zip(row) {
            *a += r;
        }
    }
    println!(
        "| all | {} | {} | {} ({:.2}) | {} ({:.2}) |",
        all[0],
        all[1],
        all[2],
        all[2] as f64 / all[0] as f64,
        all[3],
        all[3] as f64 / all[0] as f64
    );
    if show_mistakes {
        for m in &mistakes {
            println!("- {m}");
        }
    }
}

/// chrF (character 6-grams, β = 2, as in sacrebleu's default) of each pair's translations
/// against the human references, with and without the finance glossary.
fn translation(show_mistakes: bool) {
    let Ok(url) = std::env::var("APERTIUM_URL") else {
        eprintln!("APERTIUM_URL is not set: start apertium-apy (scripts/evaluate does)");
        std::process::exit(2);
    };
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let apertium = bullpen::ai::translate::Apertium::new(&url);
    println!("\n## Translation (Apertium), chrF against human references\n");
    println!("| pair | lines | without the glossary | with it |");
    println!("|---|---|---|---|");
    for pair in ["es-en", "en-es", "fr-es", "en-fr"] {
        let (from, to) = pair.split_once('-').expect("a pair");
        let lines = labelled(&eval_dir().join(format!("translation/{pair}.tsv")));
        let (mut before, mut after) = (Vec::new(), Vec::new());
        let mut references = Vec::new();
        for (source, reference) in &lines {
            let plain = runtime
                .block_on(apertium.translate_with(source, from, to, false))
                .map(|(t, _)| t)
                .unwrap_or_default();
            let glossed = runtime
                .block_on(apertium.translate_with(source, from, to, true))
                .map(|(t, _)| t)
                .unwrap_or_default();
            if show_mistakes && plain != glossed {
                println!("|  | {source} | {plain} | {glossed} |");
            }
            before.push(plain);
            after.push(glossed);
            references.push(reference.clone());
        }
        println!(
            "| {pair} | {} | {:.1} | {:.1} |",
            lines.len(),
            chrf(&before, &references),
            chrf(&after, &references)
        );
    }
}

/// Corpus-level chrF: character n-gram precision and recall (n = 1…6, whitespace removed),
/// averaged over n, combined with β = 2.
fn chrf(hypotheses: &[String], references: &[String]) -> f64 {
    const N: usize = 6;
    const BETA: f64 = 2.0;
    let grams = |text: &str, n: usize| -> std::collections::HashMap<Vec<char>, usize> {
        let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
        let mut counts = std::collections::HashMap::new();
        for window in chars.windows(n) {
            *counts.entry(window.to_vec()).or_default() += 1;
        }
        counts
    };
    let (mut precision, mut recall) = (0.0, 0.0);
    for n in 1..=N {
        let (mut matched, mut hyp_total, mut ref_total) = (0usize, 0usize, 0usize);
        for (hypothesis, reference) in hypotheses.iter().zip(references) {
            let (h, r) = (grams(hypothesis, n), grams(reference, n));
            hyp_total += h.values().sum::<usize>();
            ref_total += r.values().sum::<usize>();
            matched += h
                .iter()
                .map(|(gram, count)| (*count).min(r.get(gram).copied().unwrap_or(0)))
                .sum::<usize>();
        }
        precision += matched as f64 / hyp_total.max(1) as f64;
        recall += matched as f64 / ref_total.max(1) as f64;
    }
    let (p, r) = (precision / N as f64, recall / N as f64);
    if p + r == 0.0 {
        return 0.0;
    }
    100.0 * (1.0 + BETA * BETA) * p * r / (BETA * BETA * p + r)
}
