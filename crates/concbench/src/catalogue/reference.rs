//! The harness's own reference checksums and op counts (docs/DESIGN.md, "Workloads"),
//! computed independently of every implementation. A run is valid only when its checksum
//! equals this.
//!
//! The reference may use closed forms and plain loops: it answers "what is the right
//! result", not "how fast can a model get it".

use std::collections::BTreeMap;

use anyhow::{bail, Result};

/// One xorshift64 step: `x ^= x << 13; x ^= x >> 7; x ^= x << 17`.
pub fn xs(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

/// `xs` applied `k` times.
pub fn xs_k(mut x: u64, k: u64) -> u64 {
    for _ in 0..k {
        x = xs(x);
    }
    x
}

/// Σ_{i<m} i² mod 2^64, by the closed form (m−1)m(2m−1)/6 in 128-bit arithmetic.
fn sum_of_squares_below(m: u64) -> u64 {
    if m == 0 {
        return 0;
    }
    let m = m as u128;
    // (m-1)·m·(2m-1) overflows u128 only past m ≈ 5.5e12, far above the `n` range.
    let exact = (m - 1) * m * (2 * m - 1) / 6;
    exact as u64
}

/// The sum of the first `count` primes.
fn sum_of_first_primes(count: u64) -> u64 {
    let mut primes: Vec<u64> = Vec::with_capacity(count as usize);
    let mut candidate = 2u64;
    while (primes.len() as u64) < count {
        if primes
            .iter()
            .take_while(|p| *p * *p <= candidate)
            .all(|p| candidate % p != 0)
        {
            primes.push(candidate);
        }
        candidate += 1;
    }
    primes.iter().fold(0u64, |acc, p| acc.wrapping_add(*p))
}

/// safety-kernels' checksum (suite/workloads/safety-kernels.toml) over the xorshift stream
/// from 1, d[0] = xs(1), d[i] = xs(d[i − 1]). Every kernel's answer is linear in the
/// passes, or a closed form of them, so the reference walks the data once.
fn safety_kernel(kernel: u64, len: u64, passes: u64) -> u64 {
    let d: Vec<u64> = std::iter::successors(Some(xs(1)), |&x| Some(xs(x)))
        .take(len as usize)
        .collect();
    match kernel {
        // Each pass adds every key once: Σ_i (key_i + 1), times the passes.
        1 => d
            .iter()
            .fold(0u64, |acc, x| acc.wrapping_add((x >> 52) + 1))
            .wrapping_mul(passes),
        // The products change with the pass, so this one loops over the passes.
        2 => (0..passes).fold(0u64, |acc, r| {
            d.iter().fold(acc, |acc, &x| {
                let v = (x ^ r).wrapping_mul(xs(x));
                if v < 1 << 63 {
                    acc.wrapping_add(v)
                } else {
                    acc
                }
            })
        }),
        // Σ_r Σ_i (d_i ^ r), bit by bit: bit b of d_i ^ r is set when exactly one of the two
        // has it, so it adds 2^b × (ones_d × zeros_r + zeros_d × ones_r).
        _ => (0..64).fold(0u64, |acc, b| {
            let ones_d = d.iter().filter(|&&x| x >> b & 1 == 1).count() as u128;
            let ones_r = ones_below(passes, b) as u128;
            let (len, passes) = (len as u128, passes as u128);
            let pairs = ones_d * (passes - ones_r) + (len - ones_d) * ones_r;
            acc.wrapping_add((pairs as u64).wrapping_mul(1 << b))
        }),
    }
}

/// How many r in 0..m have bit b set: 2^b of every 2^(b+1) numbers, and the part of the
/// last, incomplete block above 2^b.
fn ones_below(m: u64, b: u32) -> u64 {
    let (m, block, half) = (m as u128, 1u128 << (b + 1), 1u128 << b);
    (m / block * half + (m % block).saturating_sub(half)) as u64
}

fn param(workload: &str, params: &BTreeMap<String, u64>, name: &str) -> Result<u64> {
    match params.get(name) {
        Some(v) => Ok(*v),
        None => bail!("{workload}: parameter {name} is missing"),
    }
}

/// The expected checksum of `workload` with `params`.
pub fn checksum(workload: &str, params: &BTreeMap<String, u64>) -> Result<u64> {
    let p = |name: &str| param(workload, params, name);
    Ok(match workload {
        "cpu-parallel" => {
            let (tasks, n) = (p("tasks")?, p("n")?);
            (0..tasks).fold(0u64, |acc, k| acc.wrapping_add(sum_of_squares_below(n + k)))
        }
        "worker-pool" => {
            let (jobs, spin) = (p("jobs")?, p("spin")?);
            (1..=jobs).fold(0u64, |acc, j| {
                acc.wrapping_add(xs_k(j, spin).wrapping_mul(2))
            })
        }
        "shared-counter" => p("units")?.wrapping_mul(p("increments")?),
        "spawn-idle" => p("units")?,
        "ping-pong" => p("rounds")?.wrapping_mul(2),
        "prime-sieve" => sum_of_first_primes(p("primes")?),
        // io-server bodies are checked by the load generator; its checksum is the request
        // count the generator received.
        "io-server" => p("requests")?,
        // Request i (1 ≤ i ≤ requests) answers xs^cpu(i); the checksum is their sum.
        "mixed-service" => {
            let (requests, cpu) = (p("requests")?, p("cpu")?);
            (1..=requests).fold(0u64, |acc, i| acc.wrapping_add(xs_k(i, cpu)))
        }
        "safety-kernels" => {
            let (kernel, len, passes) = (p("kernel")?, p("len")?, p("passes")?);
            safety_kernel(kernel, len, passes)
        }
        other => bail!("no reference checksum for workload {other}"),
    })
}

/// How many ops (docs/DESIGN.md, "Workloads") a run of `workload` with `params` does.
pub fn expected_ops(workload: &str, params: &BTreeMap<String, u64>) -> Result<u64> {
    let p = |name: &str| param(workload, params, name);
    Ok(match workload {
        "cpu-parallel" => p("tasks")?,
        "worker-pool" => p("jobs")?,
        "shared-counter" => p("units")?.saturating_mul(p("increments")?),
        "spawn-idle" => p("units")?,
        "ping-pong" => p("rounds")?.saturating_mul(2),
        "prime-sieve" => p("primes")?,
        "io-server" | "mixed-service" => p("requests")?,
        "safety-kernels" => p("len")?.saturating_mul(p("passes")?),
        other => bail!("no op count for workload {other}"),
    })
}

/// How much work a run of `workload` with `params` does, in the workload's unit of work:
/// loop iterations for cpu-parallel (Σ_k (n + k)), ops for the others. Runs of different
/// sizes are compared by time per unit of work.
pub fn work(workload: &str, params: &BTreeMap<String, u64>) -> Result<f64> {
    Ok(match workload {
        "cpu-parallel" => {
            let (tasks, n) = (
                param(workload, params, "tasks")? as f64,
                param(workload, params, "n")? as f64,
            );
            tasks * n + tasks * (tasks - 1.0) / 2.0
        }
        _ => expected_ops(workload, params)? as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Vectors {
        xorshift64: Vec<XsVector>,
        cases: Vec<Case>,
    }

    #[derive(Deserialize)]
    struct XsVector {
        x: String,
        k: u64,
        xs_k: String,
    }

    #[derive(Deserialize)]
    struct Case {
        workload: String,
        params: BTreeMap<String, u64>,
        checksum: String,
    }

    fn vectors() -> Vectors {
        serde_json::from_str(include_str!("../../../../suite/test-vectors.json")).unwrap()
    }

    #[test]
    fn xorshift_matches_the_test_vectors() {
        for v in vectors().xorshift64 {
            let x: u64 = v.x.parse().unwrap();
            assert_eq!(xs_k(x, v.k).to_string(), v.xs_k, "xs^{}({})", v.k, v.x);
        }
    }

    #[test]
    fn checksums_match_the_test_vectors() {
        for case in vectors().cases {
            let got = checksum(&case.workload, &case.params).unwrap();
            assert_eq!(
                got.to_string(),
                case.checksum,
                "{} {:?}",
                case.workload,
                case.params
            );
        }
    }

    #[test]
    fn closed_form_agrees_with_the_loop() {
        for m in [0u64, 1, 2, 3, 10, 1_000, 65_537] {
            let looped = (0..m).fold(0u64, |a, i| a.wrapping_add(i.wrapping_mul(i)));
            assert_eq!(sum_of_squares_below(m), looped, "m = {m}");
        }
    }

    #[test]
    fn shared_ownership_by_bits_agrees_with_the_loop() {
        for (len, passes) in [(1u64, 0u64), (1, 1), (7, 5), (100, 129), (33, 1_000)] {
            let d: Vec<u64> = std::iter::successors(Some(xs(1)), |&x| Some(xs(x)))
                .take(len as usize)
                .collect();
            let looped = (0..passes).fold(0u64, |acc, r| {
                d.iter().fold(acc, |acc, &x| acc.wrapping_add(x ^ r))
            });
            assert_eq!(safety_kernel(3, len, passes), looped, "{len} × {passes}");
        }
        // Of 0..10: 1, 3, 5, 7, 9 have bit 0; 4, 5, 6, 7 bit 2; 8, 9 bit 3.
        assert_eq!(ones_below(10, 0), 5);
        assert_eq!(ones_below(10, 2), 4);
        assert_eq!(ones_below(10, 3), 2);
        assert_eq!(ones_below(u64::MAX, 63), u64::MAX - (1 << 63));
    }

    #[test]
    fn a_missing_parameter_is_an_error() {
        let err = checksum("ping-pong", &BTreeMap::new()).unwrap_err();
        assert!(err.to_string().contains("rounds"));
    }
}
