//! Extractive summaries: the sentences of a backlog a trader coming back would most want. How
//! central a sentence is to what was said (TextRank) is one signal; what a trader looks for
//! weighs more — figures, named releases and events (CPI, the Fed, earnings, a halt), what the
//! room answered and reacted to, pins, and what moderators and bots announced — while scraps
//! ("$NVDA 🚀", "lol") weigh little and a line that repeats a chosen one is skipped. Nothing is
//! rewritten, so a summary is in the language — and the words — of the people who wrote it.

use std::collections::HashSet;

/// A sentence to rank, and which message it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    /// Index of the message in the caller's list.
    pub message: usize,
    pub text: String,
}

/// Words too common to say what a message is about, in the app's languages.
const STOP_WORDS: &[&str] = &[
    // en
    "the", "a", "an", "and", "or", "but", "is", "are", "was", "were", "be", "to", "of", "in", "on",
    "at", "for", "with", "it", "this", "that", "i", "you", "he", "she", "we", "they", "my", "your",
    "so", "just", "im", "its", "do", "not", "have", "has", "will", "what", "if", "me", "as", "all",
    // es
    "el", "la", "los", "las", "un", "una", "y", "o", "pero", "es", "son", "de", "del", "en", "que",
    "por", "para", "con", "lo", "se", "mi", "tu", "yo", "no", "al", "muy", "ya", // fr
    "le", "les", "une", "et", "ou", "mais", "est", "sont", "des", "du", "au", "aux", "je", "tu",
    "il", "elle", "nous", "vous", "ils", "pour", "avec", "pas", "ce", "qui", "sur", "ne",
    // de
    "der", "die", "das", "ein", "eine", "und", "oder", "aber", "ist", "sind", "zu", "mit", "ich",
    "du", "er", "sie", "wir", "ihr", "nicht", "den", "dem", "auf", "für", "von", "auch",
    // tr
    "ve", "bir", "bu", "da", "de", "ile", "için", "ama", "çok", "ben", "sen", "o", "biz", "ne",
    "mi", "gibi", "daha",
];

/// Splits messages into sentences ("Big day. $NVDA beat!" → two), skipping scraps too short
/// to summarise anything ("lol", "+1").
pub fn sentences(messages: &[&str]) -> Vec<Sentence> {
    let mut out = Vec::new();
    for (index, text) in messages.iter().enumerate() {
        let mut start = 0;
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        for (n, (at, c)) in chars.iter().enumerate() {
            let next_is_space = chars
                .get(n + 1)
                .is_none_or(|(_, next)| next.is_whitespace());
            let ends = matches!(c, '.' | '!' | '?' | '\n') && next_is_space;
            if ends || n + 1 == chars.len() {
                let end = at + c.len_utf8();
                push_sentence(&mut out, index, &text[start..end]);
                start = end;
            }
        }
    }
    out
}

fn push_sentence(out: &mut Vec<Sentence>, message: usize, text: &str) {
    let text = text.trim();
    if words(text).len() >= 3 {
        out.push(Sentence {
            message,
            text: text.to_string(),
        });
    }
}

/// The words that carry meaning, lower-cased; cashtags keep their `$`.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '$' || c == '\''))
        .map(|w| w.trim_matches('\'').to_lowercase())
        .filter(|w| w.chars().count() > 1 && !STOP_WORDS.contains(&w.as_str()))
        .collect()
}

/// TextRank's similarity: shared words, normalised by length so long sentences do not win
/// by size alone.
fn similarity(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let shared = a.intersection(b).count() as f64;
    if shared == 0.0 || a.len() < 2 || b.len() < 2 {
        return 0.0;
    }
    shared / ((a.len() as f64).ln() + (b.len() as f64).ln())
}

/// The indices of the `k` most central sentences, in their original order.
pub fn rank(sentences: &[Sentence], k: usize) -> Vec<usize> {
    let n = sentences.len();
    if n <= k {
        return (0..n).collect();
    }
    let scores = centrality(sentences);
    let mut order: Vec<usize> = (0..n).collect();
    // Ties go to the earlier sentence, so the result does not depend on sort internals.
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let mut chosen: Vec<usize> = order.into_iter().take(k).collect();
    chosen.sort_unstable();
    chosen
}

/// TextRank: PageRank over the sentences' similarity graph.
fn centrality(sentences: &[Sentence]) -> Vec<f64> {
    let n = sentences.len();
    let bags: Vec<HashSet<String>> = sentences
        .iter()
        .map(|s| words(&s.text).into_iter().collect())
        .collect();
    let mut weights = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in (i + 1)..n {
            let w = similarity(&bags[i], &bags[j]);
            weights[i][j] = w;
            weights[j][i] = w;
        }
    }
    let out_sums: Vec<f64> = weights.iter().map(|row| row.iter().sum()).collect();
    // Damping 0.85, to convergence.
    let damping = 0.85;
    let mut scores = vec![1.0 / n as f64; n];
    for _ in 0..100 {
        let mut next = vec![(1.0 - damping) / n as f64; n];
        for (i, next_i) in next.iter_mut().enumerate() {
            for j in 0..n {
                if weights[j][i] > 0.0 {
                    *next_i += damping * weights[j][i] / out_sums[j] * scores[j];
                }
            }
        }
        let change: f64 = next.iter().zip(&scores).map(|(a, b)| (a - b).abs()).sum();
        scores = next;
        if change < 1e-9 {
            break;
        }
    }
    scores
}

/// What the room made of a message, beyond its words.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Signals {
    pub reactions: usize,
    /// Messages that reply to it.
    pub replies: usize,
    pub pinned: bool,
    /// Written by a moderator, an owner or a bot: announcements, alerts.
    pub staff: bool,
}

/// Releases, events and the words that name them, in the app's languages. `*` ends a stem.
const EVENTS: &[&str] = &[
    // macro
    "cpi",
    "ppi",
    "pce",
    "gdp",
    "pmi",
    "ism",
    "ifo",
    "zew",
    "nfp",
    "payroll*",
    "jobs",
    "jobless",
    "claims",
    "unemployment",
    "inflation",
    "inflación",
    "enflasyon",
    "tüfe",
    "ipc",
    "vpi",
    "fomc",
    "fed",
    "powell",
    "ecb",
    "bce",
    "ezb",
    "lagarde",
    "boe",
    "boj",
    "tcmb",
    "opec*",
    "rate",
    "rates",
    "hike*",
    "bps",
    "basis",
    "dot",
    "tipos",
    "taux",
    "zins*",
    "leitzins*",
    "faiz*",
    "yield*",
    "rendement*",
    "rendite*",
    "rendimiento*",
    "auction",
    "treasury",
    "bund",
    "oat",
    "spread",
    "inventories",
    "crude",
    "petróleo",
    "pétrole",
    "öl",
    // companies and prices
    "earnings",
    "eps",
    "revenue*",
    "guidance",
    "beat",
    "beats",
    "missed",
    "miss",
    "results",
    "resultados",
    "résultats",
    "zahlen",
    "umsatz",
    "prognose",
    "bilanço",
    "gelir*",
    "ingresos",
    "chiffre",
    "halt*",
    "luld",
    "split",
    "dividend*",
    "dividende*",
    "temettü*",
    "buyback*",
    "downgrade*",
    "upgrade*",
    "merger",
    "acquisition",
    "acquire*",
    "bankrupt*",
    "delist*",
    "record",
    "rekor*",
    "ath",
    "breaks",
    "broke",
    "broken",
    "support",
    "resistance",
    "soporte",
    "resistencia",
    "unterstützung",
    "widerstand",
    "direnç",
    "destek",
    "liquidat*",
    "outflow*",
    "inflow*",
    "etf",
    "sec",
    "recall",
    "lawsuit",
    "probe",
    "ceo",
    "resign*",
    // the room
    "announcement",
    "reminder",
    "rule",
    "rules",
    "pinned",
    "regla*",
    "règle*",
    "regel*",
    "kural*",
    "aviso",
    "rappel",
    "hinweis",
    "duyuru",
];

/// Whether a sentence names a release or an event.
fn names_event(words: &[String]) -> bool {
    words.iter().any(|word| {
        let word = word.trim_start_matches('$');
        EVENTS.iter().any(|event| match event.strip_suffix('*') {
            Some(stem) => word.starts_with(stem),
            None => word == *event,
        })
    })
}

/// Whether a sentence carries a figure: a price, a percentage, a count ("3.4%", "222k",
/// "25bps", "$530", "10,000").
fn has_figure(text: &str) -> bool {
    let mut digits = 0;
    for (i, c) in text.char_indices() {
        if c.is_ascii_digit() {
            digits += 1;
            let next = text[i + 1..].chars().next();
            if matches!(
                next,
                Some('%' | 'k' | 'K' | 'm' | 'M' | 'b' | 'B' | '.' | ',')
            ) || digits >= 2
            {
                return true;
            }
        } else {
            digits = 0;
        }
    }
    false
}

/// How alike two sentences' words are (Jaccard), for merging near-duplicates.
fn overlap(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// `$NVDA`, not `$530`.
fn is_ticker(word: &str) -> bool {
    word.strip_prefix('$')
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_alphabetic()))
}

/// Above this overlap with a chosen sentence, a sentence says the same thing again.
const SAME_AGAIN: f64 = 0.5;

/// The indices of the `k` sentences a trader coming back would most want, in their original
/// order. `signals[m]` is what the room made of message `m`.
pub fn highlights(sentences: &[Sentence], signals: &[Signals], k: usize) -> Vec<usize> {
    let n = sentences.len();
    if n == 0 || k == 0 {
        return Vec::new();
    }
    let centrality = centrality(sentences);
    let most_central = centrality.iter().copied().fold(f64::MIN_POSITIVE, f64::max);
    let bags: Vec<Vec<String>> = sentences.iter().map(|s| words(&s.text)).collect();
    // Tickers the room keeps coming back to.
    let mut mentions: std::collections::HashMap<&str, usize> = Default::default();
    for bag in &bags {
        for word in bag.iter().filter(|w| is_ticker(w)) {
            *mentions.entry(word.as_str()).or_default() += 1;
        }
    }
    let score: Vec<f64> = (0..n)
        .map(|i| {
            let sentence = &sentences[i];
            let signal = signals.get(sentence.message).copied().unwrap_or_default();
            let bag = &bags[i];
            let content = bag.iter().filter(|w| !is_ticker(w)).count();
            let figure = has_figure(&sentence.text);
            let mut score = centrality[i] / most_central;
            if figure {
                score += 1.0;
            }
            if names_event(bag) {
                score += 1.5;
            }
            if content >= 4
                && bag
                    .iter()
                    .any(|w| is_ticker(w) && mentions.get(w.as_str()) >= Some(&3))
            {
                score += 0.5;
            }
            score +=
                0.6 * (signal.replies as f64).ln_1p() + 0.4 * (signal.reactions as f64).ln_1p();
            if signal.pinned {
                score += 2.0;
            }
            if signal.staff {
                score += 1.5;
            }
            if sentence.text.trim_end().ends_with('?') && !figure {
                score -= 0.8;
            }
            // A line that says more, up to a point, says more that matters.
            score += 0.1 * content.min(10) as f64;
            if content < 3 {
                score *= 0.3;
            }
            score
        })
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| score[b].total_cmp(&score[a]).then(a.cmp(&b)));
    let sets: Vec<HashSet<String>> = bags.into_iter().map(|b| b.into_iter().collect()).collect();
    let mut chosen: Vec<usize> = Vec::with_capacity(k);
    for i in order {
        if chosen.len() == k {
            break;
        }
        // One line per message, and none that says a chosen one again.
        let fresh = chosen.iter().all(|&c| {
            sentences[c].message != sentences[i].message && overlap(&sets[c], &sets[i]) < SAME_AGAIN
        });
        if fresh {
            chosen.push(i);
        }
    }
    chosen.sort_unstable();
    chosen
}

/// How many sentences a summary of `n` keeps: all of three or fewer, else about one in five,
/// between 3 and 5.
pub fn length_for(n: usize) -> usize {
    n.div_ceil(5).clamp(3, 5).min(n)
}

/// A piece of a hosted model's recap: its words, or a citation of one of the lines it was
/// given (1-based, as numbered for it).
#[derive(Debug, Clone, PartialEq)]
pub enum Cited {
    Text(String),
    Line(usize),
}

/// Splits a recap into its words and its citations ("[3]", "[2, 5]", "[2][5]"). A citation of a
/// line the model was not given is dropped, so every link left leads to a real message.
pub fn cited(recap: &str, lines: usize) -> Vec<Cited> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = recap;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']').map(|at| open + at) else {
            break;
        };
        let inside = &rest[open + 1..close];
        let numbers: Option<Vec<usize>> = inside
            .split(',')
            .map(|n| n.trim().parse::<usize>().ok())
            .collect();
        text.push_str(&rest[..open]);
        match numbers {
            Some(numbers) => {
                let known: Vec<usize> = numbers
                    .into_iter()
                    .filter(|n| (1..=lines).contains(n))
                    .collect();
                if !known.is_empty() {
                    let trimmed = text.trim_end().len();
                    text.truncate(trimmed);
                    if !text.is_empty() {
                        pieces.push(Cited::Text(std::mem::take(&mut text)));
                    }
                    pieces.extend(known.into_iter().map(Cited::Line));
                } else {
                    let trimmed = text.trim_end().len();
                    text.truncate(trimmed);
                }
            }
            // Brackets that are not a citation are part of the text.
            None => text.push_str(&rest[open..=close]),
        }
        rest = &rest[close + 1..];
    }
    text.push_str(rest);
    if !text.trim().is_empty() {
        pieces.push(Cited::Text(text));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recap_is_split_into_words_and_the_lines_it_cites() {
        use Cited::{Line, Text};
        assert_eq!(
            cited(
                "The Fed held rates [2]. CPI came in at 3.1% [4, 5][1]. Ana sold [9].",
                5
            ),
            vec![
                Text("The Fed held rates".into()),
                Line(2),
                Text(". CPI came in at 3.1%".into()),
                Line(4),
                Line(5),
                Line(1),
                Text(". Ana sold.".into()),
            ]
        );
        assert_eq!(
            cited("Nothing cited [see above] [0]", 3),
            vec![Text("Nothing cited [see above]".into())]
        );
        assert_eq!(cited("[1]", 1), vec![Line(1)]);
        assert_eq!(cited("open [1", 1), vec![Text("open [1".into())]);
        assert!(cited("", 4).is_empty());
    }

    #[test]
    fn sentences_split_on_ends_and_skip_scraps() {
        let found = sentences(&[
            "Big day for chips. $NVDA beat on revenue!",
            "lol",
            "+1",
            "who else is holding $AMD into earnings?",
        ]);
        let texts: Vec<&str> = found.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Big day for chips.",
                "$NVDA beat on revenue!",
                "who else is holding $AMD into earnings?"
            ]
        );
        assert_eq!(
            found.iter().map(|s| s.message).collect::<Vec<_>>(),
            [0, 0, 3]
        );
        // A decimal point is not the end of a sentence.
        assert_eq!(
            sentences(&["Price target raised to 212.50 by the analysts today"]).len(),
            1
        );
    }

    #[test]
    fn the_central_sentences_win_and_stay_in_order() {
        let chat = [
            "Fed meeting today, everyone expects a rate cut",
            "good morning all",
            "if the Fed cuts rates, banks and small caps should rally",
            "anyone watching the game tonight?",
            "rate cut is priced in already, the Fed needs to surprise",
            "my cat knocked my coffee over lol",
            "Powell speaks at 2pm, rates decision before that",
            "bought more $KRE ahead of the Fed rate decision",
        ];
        let found = sentences(&chat);
        let chosen = rank(&found, 3);
        let picked: Vec<&str> = chosen.iter().map(|&i| found[i].text.as_str()).collect();
        println!("summary: {picked:#?}");
        assert_eq!(chosen.len(), 3);
        assert!(
            chosen.windows(2).all(|w| w[0] < w[1]),
            "in the order written"
        );
        for text in &picked {
            assert!(
                text.to_lowercase().contains("fed") || text.contains("rate"),
                "off-topic pick: {text}"
            );
        }
    }

    #[test]
    fn spanish_is_summarised_in_spanish() {
        let chat = [
            "el mercado abrió con fuertes caídas en bancos",
            "los bancos siguen cayendo por los resultados",
            "¿alguien vio el partido?",
            "vendí mis acciones de bancos esta mañana",
        ];
        let found = sentences(&chat);
        let chosen = rank(&found, 2);
        for &i in &chosen {
            assert!(found[i].text.contains("bancos"), "{}", found[i].text);
        }
    }

    #[test]
    fn summary_length_grows_with_the_backlog() {
        assert_eq!([0, 2, 4, 12, 20, 100].map(length_for), [0, 2, 3, 3, 4, 5]);
    }
}
