//! What an operator's Prometheus reads at `GET /metrics`: counters, gauges and one histogram in
//! the text exposition format (version 0.0.4). One set per process — a scrape target is a
//! process — kept in atomics, so recording costs one relaxed add and no lock on the hot paths
//! (every delivery to a socket passes here). Queue depths are not recorded at all: the server
//! reads them from their queues when it is scraped (`server::metrics`).

use std::{
    collections::BTreeMap,
    fmt::Write,
    sync::{
        atomic::{AtomicI64, AtomicU64, Ordering::Relaxed},
        Mutex,
    },
    time::Duration,
};

/// The process's metrics.
pub static METRICS: Metrics = Metrics::new();

/// Upper bounds of the store-latency buckets, in microseconds (1 ms … 2.5 s).
const STORE_BUCKETS_US: [u64; 11] = [
    1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000,
];

pub struct Metrics {
    connections: AtomicI64,
    deliveries: AtomicU64,
    stored: AtomicU64,
    store_buckets: [AtomicU64; STORE_BUCKETS_US.len()],
    store_sum_us: AtomicU64,
    /// Messages the AI judged, and those it left unchecked (its queue was full).
    judged: AtomicU64,
    unchecked: AtomicU64,
    /// Answers by status class: 1xx … 5xx.
    answers: [AtomicU64; 5],
    /// Failures of outside services (market sources, a hosted AI), by name.
    provider_failures: Mutex<BTreeMap<&'static str, u64>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub const fn new() -> Metrics {
        Metrics {
            connections: AtomicI64::new(0),
            deliveries: AtomicU64::new(0),
            stored: AtomicU64::new(0),
            store_buckets: [const { AtomicU64::new(0) }; STORE_BUCKETS_US.len()],
            store_sum_us: AtomicU64::new(0),
            judged: AtomicU64::new(0),
            unchecked: AtomicU64::new(0),
            answers: [const { AtomicU64::new(0) }; 5],
            provider_failures: Mutex::new(BTreeMap::new()),
        }
    }

    /// A realtime connection opened (`true`) or closed.
    pub fn connection(&self, opened: bool) {
        self.connections
            .fetch_add(if opened { 1 } else { -1 }, Relaxed);
    }

    /// A bundle of realtime events went to one socket.
    pub fn delivered(&self) {
        self.deliveries.fetch_add(1, Relaxed);
    }

    /// A message was stored, `waited` after it was handed to the writer.
    pub fn stored(&self, waited: Duration) {
        let micros = waited.as_micros().min(u64::MAX as u128) as u64;
        self.stored.fetch_add(1, Relaxed);
        self.store_sum_us.fetch_add(micros, Relaxed);
        if let Some(bucket) = STORE_BUCKETS_US.iter().position(|le| micros <= *le) {
            self.store_buckets[bucket].fetch_add(1, Relaxed);
        }
    }

    /// The AI judged `count` messages (`checked`), or left them unchecked.
    pub fn judged(&self, count: usize, checked: bool) {
        let counter = if checked {
            &self.judged
        } else {
            &self.unchecked
        };
        counter.fetch_add(count as u64, Relaxed);
    }

    /// An HTTP answer with this status went out.
    pub fn answered(&self, status: u16) {
        if let Some(class) = (status / 100).checked_sub(1).filter(|c| *c < 5) {
            self.answers[class as usize].fetch_add(1, Relaxed);
        }
    }

    /// An outside service failed (a timeout, a 5xx, an unreadable answer).
    pub fn provider_failed(&self, provider: &'static str) {
        let mut failures = self
            .provider_failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *failures.entry(provider).or_default() += 1;
    }

    /// Everything, in Prometheus' text format, with the gauges read at scrape time.
    pub fn render(&self, gauges: &[Gauge]) -> String {
        let mut out = String::with_capacity(4096);
        header(
            &mut out,
            "bullpen_realtime_connections",
            "gauge",
            "Realtime sockets open on this instance.",
        );
        let _ = writeln!(
            out,
            "bullpen_realtime_connections {}",
            self.connections.load(Relaxed)
        );
        header(
            &mut out,
            "bullpen_realtime_deliveries_total",
            "counter",
            "Bundles of realtime events written to sockets.",
        );
        let _ = writeln!(
            out,
            "bullpen_realtime_deliveries_total {}",
            self.deliveries.load(Relaxed)
        );

        header(
            &mut out,
            "bullpen_message_store_seconds",
            "histogram",
            "From a message's hand-over to the writer to its commit.",
        );
        let mut cumulative = 0;
        for (le, count) in STORE_BUCKETS_US.iter().zip(&self.store_buckets) {
            cumulative += count.load(Relaxed);
            let _ = writeln!(
                out,
                "bullpen_message_store_seconds_bucket{{le=\"{}\"}} {cumulative}",
                *le as f64 / 1e6
            );
        }
        let stored = self.stored.load(Relaxed);
        let _ = writeln!(
            out,
            "bullpen_message_store_seconds_bucket{{le=\"+Inf\"}} {stored}\n\
             bullpen_message_store_seconds_sum {}\n\
             bullpen_message_store_seconds_count {stored}",
            self.store_sum_us.load(Relaxed) as f64 / 1e6
        );

        header(
            &mut out,
            "bullpen_ai_messages_total",
            "counter",
            "Messages the AI judged, and those it left unchecked because it was behind.",
        );
        let _ = writeln!(
            out,
            "bullpen_ai_messages_total{{outcome=\"judged\"}} {}\n\
             bullpen_ai_messages_total{{outcome=\"unchecked\"}} {}",
            self.judged.load(Relaxed),
            self.unchecked.load(Relaxed)
        );

        header(
            &mut out,
            "bullpen_http_answers_total",
            "counter",
            "HTTP answers by status class.",
        );
        for (class, count) in self.answers.iter().enumerate() {
            let _ = writeln!(
                out,
                "bullpen_http_answers_total{{class=\"{}xx\"}} {}",
                class + 1,
                count.load(Relaxed)
            );
        }

        header(
            &mut out,
            "bullpen_provider_failures_total",
            "counter",
            "Failed calls to outside services (market sources, a hosted AI), by service.",
        );
        let failures = self
            .provider_failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        for (provider, count) in failures {
            let _ = writeln!(
                out,
                "bullpen_provider_failures_total{{provider=\"{}\"}} {count}",
                escape(provider)
            );
        }

        let mut named: Vec<&str> = Vec::new();
        for gauge in gauges {
            if !named.contains(&gauge.name) {
                named.push(gauge.name);
                header(&mut out, gauge.name, "gauge", gauge.help);
            }
            match gauge.label {
                Some((key, value)) => {
                    let _ = writeln!(
                        out,
                        "{}{{{key}=\"{}\"}} {}",
                        gauge.name,
                        escape(value),
                        gauge.value
                    );
                }
                None => {
                    let _ = writeln!(out, "{} {}", gauge.name, gauge.value);
                }
            }
        }
        out
    }
}

/// A value read when scraped (a queue's depth), with its family's name and help; gauges of one
/// family come one after the other, each with its label.
pub struct Gauge {
    pub name: &'static str,
    pub help: &'static str,
    pub label: Option<(&'static str, &'static str)>,
    pub value: i64,
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value as the format wants it: backslash, quote and newline escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_recorded_is_read_in_the_exposition_format() {
        let metrics = Metrics::new();
        metrics.connection(true);
        metrics.connection(true);
        metrics.connection(false);
        metrics.delivered();
        metrics.stored(Duration::from_micros(1_500));
        metrics.stored(Duration::from_secs(9));
        metrics.answered(200);
        metrics.answered(503);
        metrics.answered(99);
        metrics.provider_failed("alpha_vantage");
        metrics.provider_failed("alpha_vantage");
        metrics.judged(64, true);
        metrics.judged(3, false);
        metrics.judged(1, true);
        let text = metrics.render(&[
            Gauge {
                name: "bullpen_ai_backlog",
                help: "Jobs waiting for the AI.",
                label: Some(("queue", "judge")),
                value: 3,
            },
            Gauge {
                name: "bullpen_ai_backlog",
                help: "Jobs waiting for the AI.",
                label: Some(("queue", "translate")),
                value: 0,
            },
        ]);
        for line in [
            "bullpen_realtime_connections 1",
            "bullpen_realtime_deliveries_total 1",
            // 1.5 ms is over the 1-ms bucket, in every one from 2.5 ms; 9 s only in +Inf.
            "bullpen_message_store_seconds_bucket{le=\"0.001\"} 0",
            "bullpen_message_store_seconds_bucket{le=\"0.0025\"} 1",
            "bullpen_message_store_seconds_bucket{le=\"2.5\"} 1",
            "bullpen_message_store_seconds_bucket{le=\"+Inf\"} 2",
            "bullpen_message_store_seconds_sum 9.0015",
            "bullpen_message_store_seconds_count 2",
            "bullpen_http_answers_total{class=\"2xx\"} 1",
            "bullpen_http_answers_total{class=\"5xx\"} 1",
            "bullpen_http_answers_total{class=\"1xx\"} 0",
            "bullpen_provider_failures_total{provider=\"alpha_vantage\"} 2",
            "bullpen_ai_backlog{queue=\"judge\"} 3",
            "bullpen_ai_backlog{queue=\"translate\"} 0",
            "bullpen_ai_messages_total{outcome=\"judged\"} 65",
            "bullpen_ai_messages_total{outcome=\"unchecked\"} 3",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "{line} missing from\n{text}"
            );
        }
        // Each family is declared once, before its samples.
        assert_eq!(text.matches("# TYPE bullpen_ai_backlog gauge").count(), 1);
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let name = line.split(['{', ' ']).next().unwrap();
            let family = name
                .trim_end_matches("_bucket")
                .trim_end_matches("_sum")
                .trim_end_matches("_count");
            assert!(
                text.contains(&format!("# TYPE {family} ")),
                "{line} has no TYPE"
            );
        }
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
