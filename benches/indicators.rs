//! All ten indicators over the last 2,520 bars (ten years of daily data) of the AAPL fixture.

use bullpen::market::indicators::*;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/indicators/aapl_daily_2000_2013.csv"
);
const BARS: usize = 2_520;

struct Bars {
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    volume: Vec<f64>,
}

/// Reads high, low, close and volume (columns 2 to 5) of the last `BARS` rows.
fn load_bars() -> Bars {
    let text = std::fs::read_to_string(FIXTURE).expect("fixture file is readable");
    let rows: Vec<&str> = text.lines().skip(1).filter(|l| !l.is_empty()).collect();
    let mut bars = Bars {
        high: vec![],
        low: vec![],
        close: vec![],
        volume: vec![],
    };
    for row in &rows[rows.len() - BARS..] {
        let cells: Vec<f64> = row
            .split(',')
            .skip(2)
            .take(4)
            .map(|c| c.parse().unwrap())
            .collect();
        bars.high.push(cells[0]);
        bars.low.push(cells[1]);
        bars.close.push(cells[2]);
        bars.volume.push(cells[3]);
    }
    bars
}

fn all_ten(c: &mut Criterion) {
    let bars = load_bars();
    let (high, low, close, volume) = (&bars.high, &bars.low, &bars.close, &bars.volume);
    c.bench_function("all ten indicators, 2520 bars", |b| {
        b.iter(|| {
            black_box(sma(black_box(close), 20));
            black_box(ema(close, 12));
            black_box(wma(close, 20));
            black_box(rsi(close, 14));
            black_box(macd(close, 12, 26, 9));
            black_box(bollinger(close, 20, 2.0));
            black_box(atr(high, low, close, 14));
            black_box(stochastic(high, low, close, 14, 3, 3));
            black_box(obv(close, volume));
            black_box(vwap(high, low, close, volume, 20));
        })
    });
}

criterion_group!(benches, all_ten);
criterion_main!(benches);
