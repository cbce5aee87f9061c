//! Compares every indicator with TA-Lib 0.8.2 reference values for AAPL daily bars
//! (`tests/fixtures/indicators/aapl_daily_2000_2013.csv`, described in the README beside it).
//!
//! Each indicator must be defined on exactly the bars where the reference is defined, and
//! every defined value must satisfy `|ours - reference| <= 1e-9 * max(|reference|, floor)`.
//! The floor is 1e-12 (pure relative error) except for the three MACD series, which cross
//! zero: the fixture is rounded to 10 decimals (steps of 1e-10), so a value such as
//! 0.0000211571 carries only ~6 significant digits and cannot be checked to 1e-9 relative.
//! Their floor is 0.1, i.e. an absolute tolerance of 1e-10 near zero, twice the fixture's
//! rounding error. Bollinger bands differ from TA-Lib by up to 3e-10 absolute (2e-11
//! relative): TA-Lib's sum-of-squares variance loses digits, and an exact rational
//! computation of bar 650 agrees with this crate, not TA-Lib. No indicator needed the "from bar 200 on" allowance: all match from
//! their first defined bar.

use bullpen::market::indicators::*;
use std::collections::HashMap;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/indicators/aapl_daily_2000_2013.csv"
);
const MAX_RELATIVE_ERROR: f64 = 1e-9;
const RELATIVE_FLOOR: f64 = 1e-12;
const MACD_FLOOR: f64 = 0.1;

/// The fixture's columns by header name; empty cells are `None`.
struct Fixture {
    columns: HashMap<String, Vec<Option<f64>>>,
}

impl Fixture {
    fn load() -> Self {
        let text = std::fs::read_to_string(FIXTURE).expect("fixture file is readable");
        let mut lines = text.lines();
        let names: Vec<&str> = lines.next().expect("header row").split(',').collect();
        let mut columns: Vec<Vec<Option<f64>>> = vec![Vec::new(); names.len()];
        for line in lines.filter(|l| !l.is_empty()) {
            let cells: Vec<&str> = line.split(',').collect();
            assert_eq!(cells.len(), names.len(), "ragged row: {line}");
            // The date column does not parse and is never used.
            for (column, cell) in columns.iter_mut().zip(cells) {
                column.push(cell.parse().ok());
            }
        }
        let columns = names.iter().map(|n| n.to_string()).zip(columns).collect();
        Self { columns }
    }

    fn reference(&self, name: &str) -> &[Option<f64>] {
        self.columns
            .get(name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }

    /// A price column, which is defined on every bar.
    fn prices(&self, name: &str) -> Vec<f64> {
        self.reference(name)
            .iter()
            .map(|v| v.expect("price defined on every bar"))
            .collect()
    }
}

/// Asserts same warm-up and tolerance, and prints the worst scaled and absolute errors.
/// (The fixture's rounding alone accounts for absolute errors up to 5e-11.)
fn assert_matches(name: &str, ours: &[Option<f64>], reference: &[Option<f64>], floor: f64) {
    assert_eq!(ours.len(), reference.len(), "{name}: length");
    let mut worst = (0.0_f64, 0);
    let mut worst_absolute = 0.0_f64;
    for (bar, (a, b)) in ours.iter().zip(reference).enumerate() {
        match (a, b) {
            (None, None) => {}
            (Some(a), Some(b)) => {
                let error = (a - b).abs() / b.abs().max(floor);
                assert!(
                    error <= MAX_RELATIVE_ERROR,
                    "{name} bar {bar}: ours {a} vs reference {b} (scaled error {error:e})"
                );
                worst_absolute = worst_absolute.max((a - b).abs());
                if error > worst.0 {
                    worst = (error, bar);
                }
            }
            _ => panic!("{name} bar {bar}: ours {a:?} but reference {b:?} (warm-up differs)"),
        }
    }
    println!(
        "{name:>16}: worst relative error {:.2e} at bar {:>4}, worst absolute error {worst_absolute:.2e}",
        worst.0, worst.1
    );
}

#[test]
fn matches_talib_reference_values() {
    let fixture = Fixture::load();
    let high = fixture.prices("high");
    let low = fixture.prices("low");
    let close = fixture.prices("close");
    let volume = fixture.prices("volume");
    let check = |name: &str, ours: &[Option<f64>]| {
        assert_matches(name, ours, fixture.reference(name), RELATIVE_FLOOR);
    };

    check("sma_20", &sma(&close, 20));
    check("sma_50", &sma(&close, 50));
    check("ema_12", &ema(&close, 12));
    check("ema_26", &ema(&close, 26));
    check("wma_20", &wma(&close, 20));
    check("rsi_14", &rsi(&close, 14));

    let macd = macd(&close, 12, 26, 9);
    for (name, series) in [
        ("macd_12_26_9", &macd.line),
        ("macd_signal", &macd.signal),
        ("macd_hist", &macd.histogram),
    ] {
        assert_matches(name, series, fixture.reference(name), MACD_FLOOR);
    }

    let bands = bollinger(&close, 20, 2.0);
    check("bb_upper_20_2", &bands.upper);
    check("bb_middle_20_2", &bands.middle);
    check("bb_lower_20_2", &bands.lower);

    check("atr_14", &atr(&high, &low, &close, 14));

    let stochastic = stochastic(&high, &low, &close, 14, 3, 3);
    check("stoch_k_14_3", &stochastic.k);
    check("stoch_d_3", &stochastic.d);

    check("obv", &obv(&close, &volume));
    check("vwap_20", &vwap(&high, &low, &close, &volume, 20));
}

/// Documents why MACD needs its own EMAs: seeding the fast EMA from the first 12 closes
/// (the standalone `ema`) does not reproduce TA-Lib's MACD line.
#[test]
fn macd_fast_ema_is_seeded_on_the_slow_emas_first_bar() {
    let fixture = Fixture::load();
    let close = fixture.prices("close");
    let reference = fixture.reference("macd_12_26_9");
    let (fast, slow) = (ema(&close, 12), ema(&close, 26));
    let naive_line_at = |bar: usize| fast[bar].unwrap() - slow[bar].unwrap();
    let first = reference.iter().position(Option::is_some).unwrap();
    assert_eq!(first, 33, "TA-Lib's MACD starts where the signal line does");
    assert!((naive_line_at(first) - reference[first].unwrap()).abs() > 1e-3);
    // The seed difference decays by (11/13) per bar, so by bar 200 it is gone.
    assert!((naive_line_at(200) - reference[200].unwrap()).abs() <= 1e-9);
}

#[test]
fn sma_by_hand() {
    assert_eq!(
        sma(&[1.0, 2.0, 3.0, 4.0, 5.0], 3),
        [None, None, Some(2.0), Some(3.0), Some(4.0)]
    );
}

#[test]
fn ema_by_hand() {
    // Seed = mean(1, 2, 3) = 2, alpha = 0.5: 2 + 0.5 * (4 - 2) = 3, then 3 + 0.5 * (8 - 3) = 5.5.
    assert_eq!(
        ema(&[1.0, 2.0, 3.0, 4.0, 8.0], 3),
        [None, None, Some(2.0), Some(3.0), Some(5.5)]
    );
}

#[test]
fn wma_by_hand() {
    // (1*1 + 2*2 + 3*3) / 6 = 14/6, then (1*2 + 2*3 + 3*4) / 6 = 20/6.
    assert_eq!(
        wma(&[1.0, 2.0, 3.0, 4.0], 3),
        [None, None, Some(14.0 / 6.0), Some(20.0 / 6.0)]
    );
}

#[test]
fn rsi_of_a_rising_series_is_100() {
    let rising: Vec<f64> = (0..30).map(f64::from).collect();
    let rsi = rsi(&rising, 14);
    assert!(rsi[..14].iter().all(Option::is_none));
    assert!(rsi[14..].iter().all(|v| *v == Some(100.0)));
}

#[test]
fn rsi_by_hand() {
    // Changes +2, -1: seed gain 1, loss 0.5 -> 66.67; next change +3:
    // gain (1 + 3) / 2 = 2, loss 0.5 / 2 = 0.25 -> 100 * 2 / 2.25.
    let rsi = rsi(&[10.0, 12.0, 11.0, 14.0], 2);
    assert_eq!(rsi[..2], [None, None]);
    assert!((rsi[2].unwrap() - 200.0 / 3.0).abs() < 1e-12);
    assert!((rsi[3].unwrap() - 200.0 / 2.25).abs() < 1e-12);
}

#[test]
fn bollinger_uses_population_deviation() {
    // Mean 5, population standard deviation 2.
    let bands = bollinger(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0], 8, 2.0);
    assert_eq!(bands.middle[7], Some(5.0));
    assert_eq!(bands.upper[7], Some(9.0));
    assert_eq!(bands.lower[7], Some(1.0));
}

#[test]
fn atr_by_hand() {
    // True ranges of bars 1 and 2: max(1, |12-10|, |11-10|) = 2 and max(3, |14-12|, |11-12|) = 3.
    let (high, low, close) = ([10.0, 12.0, 14.0], [9.0, 11.0, 11.0], [10.0, 12.0, 13.0]);
    assert_eq!(atr(&high, &low, &close, 2), [None, None, Some(2.5)]);
}

#[test]
fn obv_by_hand() {
    let obv = obv(&[1.0, 2.0, 2.0, 1.0], &[10.0, 20.0, 30.0, 40.0]);
    assert_eq!(obv, [Some(10.0), Some(30.0), Some(30.0), Some(-10.0)]);
}

#[test]
fn vwap_by_hand() {
    // Typical prices 2 and 4 with volumes 1 and 3: (2 + 12) / 4 = 3.5.
    let v = vwap(&[3.0, 5.0], &[1.0, 3.0], &[2.0, 4.0], &[1.0, 3.0], 2);
    assert_eq!(v, [None, Some(3.5)]);
}

#[test]
fn stochastic_of_a_close_at_the_high_is_100() {
    let high: Vec<f64> = (1..=10).map(f64::from).collect();
    let low: Vec<f64> = high.iter().map(|h| h - 1.0).collect();
    let s = stochastic(&high, &low, &high, 3, 2, 2);
    // Warm-up: 2 bars for %K, 1 for its smoothing, 1 for %D.
    assert!(s.k[..4].iter().all(Option::is_none) && s.d[..4].iter().all(Option::is_none));
    assert!(s.k[4..].iter().chain(&s.d[4..]).all(|v| *v == Some(100.0)));
}

#[test]
fn zero_period_gives_all_none() {
    let close = [1.0, 2.0, 3.0];
    for series in [
        sma(&close, 0),
        ema(&close, 0),
        wma(&close, 0),
        rsi(&close, 0),
    ] {
        assert_eq!(series, [None; 3]);
    }
    assert!(macd(&close, 0, 26, 9).line.iter().all(Option::is_none));
    assert!(bollinger(&close, 0, 2.0).middle.iter().all(Option::is_none));
    assert_eq!(atr(&close, &close, &close, 0), [None; 3]);
    assert!(stochastic(&close, &close, &close, 3, 0, 1)
        .d
        .iter()
        .all(Option::is_none));
    assert_eq!(vwap(&close, &close, &close, &close, 0), [None; 3]);
}

#[test]
fn mismatched_lengths_give_all_none() {
    let (three, two) = ([1.0, 2.0, 3.0], [1.0, 2.0]);
    assert_eq!(atr(&three, &two, &three, 1), [None; 3]);
    assert_eq!(obv(&three, &two), [None; 3]);
    assert_eq!(vwap(&three, &three, &three, &two, 1), [None; 3]);
    let s = stochastic(&three, &three, &two, 1, 1, 1);
    assert_eq!((s.k, s.d), (vec![None; 3], vec![None; 3]));
}

#[test]
fn short_and_empty_inputs_stay_in_warm_up() {
    assert_eq!(sma(&[1.0, 2.0], 3), [None, None]);
    assert_eq!(rsi(&[1.0, 2.0], 2), [None, None]);
    assert!(macd(&[1.0; 30], 12, 26, 9).line.iter().all(Option::is_none));
    assert!(ema(&[], 3).is_empty());
    assert!(obv(&[], &[]).is_empty());
}
