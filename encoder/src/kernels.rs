//! The one heavy operation of the encoder, `out += a · w`, with an AVX2 + FMA kernel chosen at
//! run time (the release binary targets plain x86-64, where the compiler alone would use 4-wide
//! SSE2 without fused multiply-adds) and a portable one.
//!
//! The weights are packed once, at load, into strips of 16 columns each stored whole (`k × 16`
//! floats in a row): the kernel then reads them front to back, which the prefetcher keeps
//! ahead of, instead of one cache line every `n` floats.

/// Columns in a strip: two AVX registers.
const STRIP: usize = 16;

/// A `k × n` row-major matrix, packed in strips of [`STRIP`] columns (`n` is padded up to a
/// whole strip with zeros).
pub struct Packed {
    k: usize,
    n: usize,
    strips: Vec<f32>,
}

impl Packed {
    pub fn new(w: &[f32], k: usize, n: usize) -> Packed {
        assert_eq!(w.len(), k * n, "a {k} × {n} matrix");
        let count = n.div_ceil(STRIP);
        let mut strips = vec![0.0; count * k * STRIP];
        for s in 0..count {
            for kk in 0..k {
                for c in 0..STRIP.min(n - s * STRIP) {
                    strips[(s * k + kk) * STRIP + c] = w[kk * n + s * STRIP + c];
                }
            }
        }
        Packed { k, n, strips }
    }
}

/// `out (m × n) += a (m × k) · w (k × n)`, `a` and `out` row-major.
pub fn gemm(a: &[f32], m: usize, w: &Packed, out: &mut [f32]) {
    assert!(a.len() >= m * w.k && out.len() >= m * w.n);
    #[cfg(target_arch = "x86_64")]
    if w.n.is_multiple_of(STRIP)
        && std::arch::is_x86_feature_detected!("avx2")
        && std::arch::is_x86_feature_detected!("fma")
    {
        // SAFETY: the CPU has AVX2 and FMA (checked just above); the bounds are asserted.
        unsafe { x86::gemm(a, m, w, out) };
        return;
    }
    portable(a, m, w, out);
}

/// The product a row of `a` and a strip of `w` at a time, which the compiler vectorises.
fn portable(a: &[f32], m: usize, w: &Packed, out: &mut [f32]) {
    let (k, n) = (w.k, w.n);
    for (s, strip) in w.strips.chunks_exact(k * STRIP).enumerate() {
        let columns = STRIP.min(n - s * STRIP);
        for i in 0..m {
            let mut sum = [0.0f32; STRIP];
            for (kk, &value) in a[i * k..(i + 1) * k].iter().enumerate() {
                for (acc, &x) in sum.iter_mut().zip(&strip[kk * STRIP..(kk + 1) * STRIP]) {
                    *acc += value * x;
                }
            }
            for (o, v) in out[i * n + s * STRIP..].iter_mut().zip(&sum[..columns]) {
                *o += v;
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{Packed, STRIP};
    use std::arch::x86_64::*;

    /// Each strip of `w` (small enough to stay in the caches) is passed over by every group of
    /// up to six rows of `a`, whose 6 × 16 sums stay in registers over the whole of `k` (twelve
    /// accumulators, two registers of `w`, one broadcast) before they are added to `out`.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn gemm(a: &[f32], m: usize, w: &Packed, out: &mut [f32]) {
        let (k, n) = (w.k, w.n);
        let (a, out) = (a.as_ptr(), out.as_mut_ptr());
        for (s, strip) in w.strips.chunks_exact(k * STRIP).enumerate() {
            let strip = strip.as_ptr();
            let col = s * STRIP;
            let mut row = 0;
            // SAFETY (each call): rows row..row + R ≤ m, columns col..col + 16 ≤ n, and the
            // strip holds k × 16 floats, as gemm's caller asserted.
            while m - row >= 6 {
                unsafe { block::<6>(a, row, k, strip, n, col, out) };
                row += 6;
            }
            match m - row {
                5 => unsafe { block::<5>(a, row, k, strip, n, col, out) },
                4 => unsafe { block::<4>(a, row, k, strip, n, col, out) },
                3 => unsafe { block::<3>(a, row, k, strip, n, col, out) },
                2 => unsafe { block::<2>(a, row, k, strip, n, col, out) },
                1 => unsafe { block::<1>(a, row, k, strip, n, col, out) },
                _ => {}
            }
        }
    }

    #[inline(always)]
    unsafe fn block<const R: usize>(
        a: *const f32,
        row: usize,
        k: usize,
        strip: *const f32,
        n: usize,
        col: usize,
        out: *mut f32,
    ) {
        // SAFETY (whole body): the caller guarantees the rows, columns and strip are in bounds.
        unsafe {
            let mut low = [_mm256_setzero_ps(); R];
            let mut high = [_mm256_setzero_ps(); R];
            for kk in 0..k {
                let wp = strip.add(kk * STRIP);
                let w0 = _mm256_loadu_ps(wp);
                let w1 = _mm256_loadu_ps(wp.add(8));
                for r in 0..R {
                    let x = _mm256_broadcast_ss(&*a.add((row + r) * k + kk));
                    low[r] = _mm256_fmadd_ps(x, w0, low[r]);
                    high[r] = _mm256_fmadd_ps(x, w1, high[r]);
                }
            }
            for r in 0..R {
                let op = out.add((row + r) * n + col);
                _mm256_storeu_ps(op, _mm256_add_ps(_mm256_loadu_ps(op), low[r]));
                let op = op.add(8);
                _mm256_storeu_ps(op, _mm256_add_ps(_mm256_loadu_ps(op), high[r]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_kernel_computes_what_the_portable_one_does_for_every_row_count() {
        let (k, n) = (37, 48);
        let w: Vec<f32> = (0..k * n)
            .map(|i| ((i * 5 % 31) as f32 - 15.0) / 13.0)
            .collect();
        let packed = Packed::new(&w, k, n);
        for m in 1..=13 {
            let a: Vec<f32> = (0..m * k)
                .map(|i| ((i * 7 % 23) as f32 - 11.0) / 9.0)
                .collect();
            let mut fast = vec![1.0; m * n];
            let mut plain = vec![1.0; m * n];
            gemm(&a, m, &packed, &mut fast);
            portable(&a, m, &packed, &mut plain);
            for (i, (x, y)) in fast.iter().zip(&plain).enumerate() {
                assert!((x - y).abs() < 1e-3, "{m} rows, {i}: {x} vs {y}");
            }
            // And the product itself, at one place: the last row, column 5.
            let r = m - 1;
            let expected: f32 = 1.0 + (0..k).map(|kk| a[r * k + kk] * w[kk * n + 5]).sum::<f32>();
            assert!((plain[r * n + 5] - expected).abs() < 1e-3);
        }
    }

    #[test]
    fn a_width_that_is_not_whole_strips_is_padded() {
        let (k, n) = (3, 5);
        let w: Vec<f32> = (0..k * n).map(|i| i as f32).collect();
        let packed = Packed::new(&w, k, n);
        let mut out = vec![0.0; n];
        gemm(&[1.0, 2.0, 3.0], 1, &packed, &mut out);
        let expected: Vec<f32> = (0..n)
            .map(|c| w[c] + 2.0 * w[n + c] + 3.0 * w[2 * n + c])
            .collect();
        assert_eq!(out, expected);
    }
}
