//! Technical indicators over daily bars.
//!
//! Every function takes `f64` slices (one value per bar, oldest first) and returns one
//! `Option<f64>` per input bar: `None` during warm-up, `Some` once the indicator is defined.
//! Output length always equals the length of the first price slice (`close`, or `high` for
//! the multi-input functions, which all require equal lengths).
//!
//! Bad input never panics: a period of 0 or slices of different lengths give all-`None`
//! output, and a period longer than the series simply never leaves warm-up.
//!
//! Matches TA-Lib 0.8.2 for SMA, EMA, WMA, RSI, MACD, Bollinger Bands, ATR, slow Stochastic
//! and OBV on every bar, including TA-Lib's warm-up lengths and seeding (checked against a
//! 10-decimal TA-Lib fixture in `tests/talib_reference.rs`: all values agree to the fixture's
//! rounding, except Bollinger bands at up to 3e-10 absolute, where TA-Lib's sum-of-squares
//! variance loses precision and this module's rolling update is closer to the exact value):
//! - EMAs are seeded with the SMA of their first `n` inputs.
//! - MACD seeds *both* EMAs on the bar where the slow EMA first exists: the fast EMA's seed
//!   is the SMA of the `fast` closes ending at bar `slow - 1`, not of the first `fast`
//!   closes. So the fast leg of MACD differs from a standalone `ema(close, fast)`; the gap
//!   shrinks by (fast-1)/(fast+1) per bar and is negligible after ~150 bars for fast = 12.
//! - MACD and Stochastic report all their outputs only from the bar where the last one
//!   (signal line / %D) is defined, as TA-Lib does.
//!
//! Known departure from TA-Lib: when both average gain and loss are 0 (a perfectly flat
//! window) TA-Lib's RSI reports 0; here RSI is 100 whenever the average loss is 0.
//!
//! VWAP is not a TA-Lib function; it is the plain rolling formula.
//!
//! No dependencies, threads or I/O: only `Vec` and `f64` arithmetic, so it builds for
//! `wasm32-unknown-unknown` as well as the server.

/// Upper, middle and lower Bollinger Bands.
#[derive(Debug, Clone, PartialEq)]
pub struct BollingerBands {
    pub upper: Vec<Option<f64>>,
    pub middle: Vec<Option<f64>>,
    pub lower: Vec<Option<f64>>,
}

/// MACD line, its signal line and their difference.
#[derive(Debug, Clone, PartialEq)]
pub struct Macd {
    pub line: Vec<Option<f64>>,
    pub signal: Vec<Option<f64>>,
    pub histogram: Vec<Option<f64>>,
}

/// Slow stochastic %K and %D.
#[derive(Debug, Clone, PartialEq)]
pub struct Stochastic {
    pub k: Vec<Option<f64>>,
    pub d: Vec<Option<f64>>,
}

fn all_none(len: usize) -> Vec<Option<f64>> {
    vec![None; len]
}

fn same_lengths(len: usize, others: &[&[f64]]) -> bool {
    others.iter().all(|s| s.len() == len)
}

/// Streaming EMA seeded with the simple mean of its first `period` inputs.
struct SeededEma {
    period: usize,
    alpha: f64,
    seen: usize,
    seed_sum: f64,
    value: f64,
}

impl SeededEma {
    fn new(period: usize) -> Self {
        Self {
            period,
            alpha: 2.0 / (period as f64 + 1.0),
            seen: 0,
            seed_sum: 0.0,
            value: 0.0,
        }
    }

    fn push(&mut self, x: f64) -> Option<f64> {
        if self.seen < self.period {
            self.seen += 1;
            self.seed_sum += x;
            if self.seen < self.period {
                return None;
            }
            self.value = self.seed_sum / self.period as f64;
        } else {
            self.value += (x - self.value) * self.alpha;
        }
        Some(self.value)
    }
}

/// Simple moving average over `n` bars; first value at bar `n - 1`.
pub fn sma(close: &[f64], n: usize) -> Vec<Option<f64>> {
    let mut out = all_none(close.len());
    if n == 0 || close.len() < n {
        return out;
    }
    let mut window_sum: f64 = close[..n - 1].iter().sum();
    for i in n - 1..close.len() {
        window_sum += close[i];
        out[i] = Some(window_sum / n as f64);
        window_sum -= close[i + 1 - n];
    }
    out
}

/// EMA with alpha 2/(n+1), seeded with the SMA of the first `n` closes (TA-Lib).
pub fn ema(close: &[f64], n: usize) -> Vec<Option<f64>> {
    let mut out = all_none(close.len());
    if n == 0 {
        return out;
    }
    let mut ema = SeededEma::new(n);
    for (slot, &x) in out.iter_mut().zip(close) {
        *slot = ema.push(x);
    }
    out
}

/// Linearly weighted moving average, weights 1..=n with the newest bar weighted n.
pub fn wma(close: &[f64], n: usize) -> Vec<Option<f64>> {
    let mut out = all_none(close.len());
    if n == 0 || close.len() < n {
        return out;
    }
    let divisor = (n * (n + 1)) as f64 / 2.0;
    // Sliding the window one bar lowers every old weight by 1, i.e. subtracts the plain sum.
    let mut weighted_sum = 0.0;
    let mut plain_sum = 0.0;
    for (i, &x) in close[..n - 1].iter().enumerate() {
        weighted_sum += x * (i + 1) as f64;
        plain_sum += x;
    }
    for i in n - 1..close.len() {
        weighted_sum += close[i] * n as f64;
        plain_sum += close[i];
        out[i] = Some(weighted_sum / divisor);
        weighted_sum -= plain_sum;
        plain_sum -= close[i + 1 - n];
    }
    out
}

/// Wilder's RSI from bar `n`, seeded with the mean of the first `n` gains/losses; 100 when avg loss is 0.
pub fn rsi(close: &[f64], n: usize) -> Vec<Option<f64>> {
    let mut out = all_none(close.len());
    if n == 0 || close.len() <= n {
        return out;
    }
    let period = n as f64;
    let rsi_of = |gain: f64, loss: f64| {
        if loss == 0.0 {
            100.0
        } else {
            100.0 * gain / (gain + loss)
        }
    };
    let (mut avg_gain, mut avg_loss) = (0.0, 0.0);
    for w in close[..=n].windows(2) {
        let change = w[1] - w[0];
        if change > 0.0 {
            avg_gain += change;
        } else {
            avg_loss -= change;
        }
    }
    avg_gain /= period;
    avg_loss /= period;
    out[n] = Some(rsi_of(avg_gain, avg_loss));
    for i in n + 1..close.len() {
        let change = close[i] - close[i - 1];
        let (gain, loss) = if change > 0.0 {
            (change, 0.0)
        } else {
            (0.0, -change)
        };
        avg_gain = (avg_gain * (period - 1.0) + gain) / period;
        avg_loss = (avg_loss * (period - 1.0) + loss) / period;
        out[i] = Some(rsi_of(avg_gain, avg_loss));
    }
    out
}

/// TA-Lib MACD: both EMAs seeded at bar `slow - 1`; all three outputs start at bar `slow + signal - 2`.
///
/// Periods are swapped if `fast > slow`, as TA-Lib does.
pub fn macd(close: &[f64], fast: usize, slow: usize, signal: usize) -> Macd {
    let len = close.len();
    let mut result = Macd {
        line: all_none(len),
        signal: all_none(len),
        histogram: all_none(len),
    };
    if fast == 0 || slow == 0 || signal == 0 {
        return result;
    }
    let (fast, slow) = if fast > slow {
        (slow, fast)
    } else {
        (fast, slow)
    };
    let first_line_bar = slow - 1;
    if len <= first_line_bar {
        return result;
    }
    // TA-Lib starts the fast EMA late so its seed window ends on the slow EMA's first bar.
    let fast_start = slow - fast;
    let mut fast_ema = SeededEma::new(fast);
    let mut slow_ema = SeededEma::new(slow);
    let mut signal_ema = SeededEma::new(signal);
    for (i, &x) in close.iter().enumerate() {
        let slow_value = slow_ema.push(x);
        if i < fast_start {
            continue;
        }
        let (Some(fast_value), Some(slow_value)) = (fast_ema.push(x), slow_value) else {
            continue;
        };
        let line = fast_value - slow_value;
        if let Some(signal_value) = signal_ema.push(line) {
            result.line[i] = Some(line);
            result.signal[i] = Some(signal_value);
            result.histogram[i] = Some(line - signal_value);
        }
    }
    result
}

/// Bollinger Bands: SMA(n) ± k population standard deviations; first value at bar `n - 1`.
pub fn bollinger(close: &[f64], n: usize, k: f64) -> BollingerBands {
    let len = close.len();
    let mut bands = BollingerBands {
        upper: all_none(len),
        middle: all_none(len),
        lower: all_none(len),
    };
    if n == 0 || len < n {
        return bands;
    }
    let count = n as f64;
    // Rolling mean and sum of squared deviations (Welford-style), which avoids the
    // cancellation of the sum-of-squares formula on high-priced series.
    let mut mean = 0.0;
    let mut squared_deviations = 0.0;
    for (i, &x) in close[..n].iter().enumerate() {
        let delta = x - mean;
        mean += delta / (i + 1) as f64;
        squared_deviations += delta * (x - mean);
    }
    for i in n - 1..len {
        if i >= n {
            let (incoming, outgoing) = (close[i], close[i - n]);
            let old_mean = mean;
            mean += (incoming - outgoing) / count;
            squared_deviations += (incoming - outgoing) * (incoming - mean + outgoing - old_mean);
        }
        let spread = k * (squared_deviations.max(0.0) / count).sqrt();
        bands.middle[i] = Some(mean);
        bands.upper[i] = Some(mean + spread);
        bands.lower[i] = Some(mean - spread);
    }
    bands
}

/// Wilder's ATR: seeded with the mean true range of bars 1..=n, first value at bar `n`.
pub fn atr(high: &[f64], low: &[f64], close: &[f64], n: usize) -> Vec<Option<f64>> {
    let len = high.len();
    let mut out = all_none(len);
    if n == 0 || !same_lengths(len, &[low, close]) || len <= n {
        return out;
    }
    let true_range = |i: usize| {
        let previous_close = close[i - 1];
        (high[i] - low[i])
            .max((high[i] - previous_close).abs())
            .max((low[i] - previous_close).abs())
    };
    let period = n as f64;
    let mut average = (1..=n).map(true_range).sum::<f64>() / period;
    out[n] = Some(average);
    for (i, slot) in out.iter_mut().enumerate().skip(n + 1) {
        average = (average * (period - 1.0) + true_range(i)) / period;
        *slot = Some(average);
    }
    out
}

/// Slow stochastic: fast %K smoothed by SMA(`k_smooth`), %D = SMA(`d_period`) of it; both start with %D.
///
/// A bar whose `k_period` high-low range is zero has a fast %K of 0, as in TA-Lib.
pub fn stochastic(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    k_period: usize,
    k_smooth: usize,
    d_period: usize,
) -> Stochastic {
    let len = high.len();
    let mut result = Stochastic {
        k: all_none(len),
        d: all_none(len),
    };
    if k_period == 0 || k_smooth == 0 || d_period == 0 || !same_lengths(len, &[low, close]) {
        return result;
    }
    let first_fast_k = k_period - 1;
    let first_slow_k = first_fast_k + k_smooth - 1;
    let first_output = first_slow_k + d_period - 1;
    if len <= first_output {
        return result;
    }

    // Fast %K goes into the %D vector as scratch space, so no extra allocation is needed.
    let fast_k = &mut result.d;
    let (mut highest_at, mut lowest_at) = (0, 0);
    for i in 0..len {
        let window_start = i.saturating_sub(first_fast_k);
        // Track the extremes' positions; rescan only when one slides out of the window.
        if highest_at < window_start {
            highest_at = extreme_position(high, window_start, i, |a, b| a >= b);
        } else if high[i] >= high[highest_at] {
            highest_at = i;
        }
        if lowest_at < window_start {
            lowest_at = extreme_position(low, window_start, i, |a, b| a <= b);
        } else if low[i] <= low[lowest_at] {
            lowest_at = i;
        }
        if i >= first_fast_k {
            let range = high[highest_at] - low[lowest_at];
            fast_k[i] = Some(if range != 0.0 {
                (close[i] - low[lowest_at]) / (range / 100.0)
            } else {
                0.0
            });
        }
    }
    rolling_mean(&result.d, first_fast_k, k_smooth, &mut result.k);
    rolling_mean(&result.k, first_slow_k, d_period, &mut result.d);
    result.k[..first_output].fill(None);
    result
}

/// Index of the extreme of `values[start..=end]`; `prefer(a, b)` says whether `a` beats `b`
/// (ties go to the later bar).
fn extreme_position(
    values: &[f64],
    start: usize,
    end: usize,
    prefer: fn(f64, f64) -> bool,
) -> usize {
    (start + 1..=end).fold(start, |best, i| {
        if prefer(values[i], values[best]) {
            i
        } else {
            best
        }
    })
}

/// Writes the `n`-bar mean of `source` (defined from `first_defined` on) into `target`;
/// every other slot of `target` is set to `None`.
fn rolling_mean(
    source: &[Option<f64>],
    first_defined: usize,
    n: usize,
    target: &mut [Option<f64>],
) {
    target.fill(None);
    let mut window_sum = 0.0;
    for i in first_defined..source.len() {
        window_sum += source[i].unwrap_or(0.0);
        if i + 1 >= first_defined + n {
            target[i] = Some(window_sum / n as f64);
            window_sum -= source[i + 1 - n].unwrap_or(0.0);
        }
    }
}

/// On-balance volume, starting at the first bar's volume.
pub fn obv(close: &[f64], volume: &[f64]) -> Vec<Option<f64>> {
    let mut out = all_none(close.len());
    if close.is_empty() || !same_lengths(close.len(), &[volume]) {
        return out;
    }
    let mut running = volume[0];
    out[0] = Some(running);
    for i in 1..close.len() {
        if close[i] > close[i - 1] {
            running += volume[i];
        } else if close[i] < close[i - 1] {
            running -= volume[i];
        }
        out[i] = Some(running);
    }
    out
}

/// Rolling `n`-bar VWAP of the typical price (H+L+C)/3; `None` where the window's volume is 0.
pub fn vwap(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    volume: &[f64],
    n: usize,
) -> Vec<Option<f64>> {
    let len = high.len();
    let mut out = all_none(len);
    if n == 0 || !same_lengths(len, &[low, close, volume]) || len < n {
        return out;
    }
    let price_volume = |i: usize| (high[i] + low[i] + close[i]) / 3.0 * volume[i];
    let (mut sum_price_volume, mut sum_volume) = (0.0, 0.0);
    for i in 0..len {
        sum_price_volume += price_volume(i);
        sum_volume += volume[i];
        if i + 1 < n {
            continue;
        }
        if sum_volume != 0.0 {
            out[i] = Some(sum_price_volume / sum_volume);
        }
        sum_price_volume -= price_volume(i + 1 - n);
        sum_volume -= volume[i + 1 - n];
    }
    out
}
