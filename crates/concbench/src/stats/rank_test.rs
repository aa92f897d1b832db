//! The Mann–Whitney U rank test: do two sets of samples come from one distribution?

/// The significance level of every test concbench reports.
pub const ALPHA: f64 = 0.05;

/// The smallest two-sided p-value the Mann-Whitney U test can give samples of these sizes:
/// 2 / C(n1 + n2, n1). With 3 runs a side it is 0.1, so no difference can reach p < 0.05.
pub fn smallest_p(n1: usize, n2: usize) -> f64 {
    // C(n1 + n2, n1) in floating point; large sizes underflow harmlessly to a tiny p.
    let mut c = 1.0;
    for i in 0..n1 {
        c = c * (n2 + i + 1) as f64 / (i + 1) as f64;
    }
    (2.0 / c).min(1.0)
}

/// The two-sided p-value of the Mann–Whitney U test that `a` and `b` come from the same
/// distribution: exact (by counting rank arrangements) for small samples without ties, the
/// normal approximation with tie and continuity corrections otherwise.
pub fn mann_whitney_p(a: &[f64], b: &[f64]) -> Option<f64> {
    let (n1, n2) = (a.len(), b.len());
    if n1 == 0 || n2 == 0 {
        return None;
    }
    // U of `a`: pairs (x in a, y in b) with x > y, ties counting one half.
    let mut u = 0.0;
    for x in a {
        for y in b {
            u += if x > y {
                1.0
            } else if x == y {
                0.5
            } else {
                0.0
            };
        }
    }
    let mut all: Vec<f64> = a.iter().chain(b).copied().collect();
    all.sort_by(f64::total_cmp);
    let mut tie_sizes = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let j = all[i..].iter().take_while(|x| **x == all[i]).count();
        if j > 1 {
            tie_sizes.push(j as f64);
        }
        i += j;
    }
    if tie_sizes.is_empty() && n1 + n2 <= 50 {
        return Some(exact_mann_whitney_p(n1, n2, u as usize));
    }
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let n = n1f + n2f;
    let mean = n1f * n2f / 2.0;
    let tie_term: f64 = tie_sizes.iter().map(|t| t * t * t - t).sum::<f64>() / (n * (n - 1.0));
    let var = n1f * n2f / 12.0 * ((n + 1.0) - tie_term);
    if var <= 0.0 {
        return Some(1.0);
    }
    let z = ((u - mean).abs() - 0.5).max(0.0) / var.sqrt();
    Some((2.0 * (1.0 - normal_cdf(z))).min(1.0))
}

/// The exact two-sided p-value of U = `u` for samples of `n1` and `n2` without ties.
fn exact_mann_whitney_p(n1: usize, n2: usize, u: usize) -> f64 {
    // counts[m][n][k]: arrangements of m and n items with U = k, built up by the recurrence
    // f(m, n, k) = f(m − 1, n, k − n) + f(m, n − 1, k).
    let max_u = n1 * n2;
    let mut table = vec![vec![vec![0f64; max_u + 1]; n2 + 1]; n1 + 1];
    for (m, row) in table.iter_mut().enumerate() {
        for (n, cell) in row.iter_mut().enumerate() {
            if m == 0 || n == 0 {
                cell[0] = 1.0;
            }
        }
    }
    for m in 1..=n1 {
        for n in 1..=n2 {
            for k in 0..=m * n {
                let with_a_last = if k >= n { table[m - 1][n][k - n] } else { 0.0 };
                table[m][n][k] = with_a_last + table[m][n - 1][k];
            }
        }
    }
    let counts = &table[n1][n2];
    let total: f64 = counts.iter().sum();
    let lower: f64 = counts[..=u].iter().sum::<f64>() / total;
    let upper: f64 = counts[u..].iter().sum::<f64>() / total;
    (2.0 * lower.min(upper)).min(1.0)
}

/// The standard normal distribution function (Abramowitz & Stegun 7.1.26 for erf; error
/// below 1.5e-7).
fn normal_cdf(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-x * x).exp();
    if z >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mann_whitney_exact_values() {
        // Completely separated samples of 5 and 5: p = 2 / C(10, 5) = 2 / 252.
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        let b = [6.0, 7.0, 8.0, 9.0, 10.0];
        let p = mann_whitney_p(&a, &b).unwrap();
        assert!((p - 2.0 / 252.0).abs() < 1e-12, "{p}");
        assert_eq!(mann_whitney_p(&b, &a), Some(p));
        // Interleaved samples: nothing to see.
        let c = [1.0, 3.0, 5.0, 7.0, 9.0];
        let d = [2.0, 4.0, 6.0, 8.0, 10.0];
        assert!(mann_whitney_p(&c, &d).unwrap() > 0.5);
    }

    #[test]
    fn mann_whitney_with_ties_uses_the_normal_approximation() {
        let same = [5.0; 6];
        assert_eq!(mann_whitney_p(&same, &same), Some(1.0));
        let a = [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0];
        let b = [10.0, 10.0, 11.0, 11.0, 12.0, 12.0, 13.0, 13.0];
        assert!(mann_whitney_p(&a, &b).unwrap() < 0.01);
    }

    #[test]
    fn normal_cdf_known_points() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.959_964) - 0.975).abs() < 1e-6);
        assert!((normal_cdf(-1.0) - 0.158_655_25).abs() < 1e-6);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn samples() -> impl Strategy<Value = Vec<f64>> {
            prop::collection::vec(1.0f64..1e9, 1..40)
        }

        proptest! {
            #[test]
            fn mann_whitney_is_a_symmetric_probability(a in samples(), b in samples()) {
                let p = mann_whitney_p(&a, &b).unwrap();
                prop_assert!((0.0..=1.0).contains(&p));
                let q = mann_whitney_p(&b, &a).unwrap();
                prop_assert!((p - q).abs() < 1e-9);
            }

            #[test]
            fn a_sample_against_itself_is_never_significant(a in prop::collection::vec(1.0f64..1e9, 2..30)) {
                prop_assert!(mann_whitney_p(&a, &a).unwrap() > 0.5);
            }

            #[test]
            fn a_large_shift_is_always_significant(a in prop::collection::vec(1.0f64..2.0, 5..30)) {
                let b: Vec<f64> = a.iter().map(|x| x + 10.0).collect();
                prop_assert!(mann_whitney_p(&a, &b).unwrap() < 0.05);
            }
        }
    }
}
