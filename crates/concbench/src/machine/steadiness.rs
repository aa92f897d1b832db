//! How steadily this machine runs a fixed loop: the floor under every figure concbench
//! measures here.
//!
//! A benchmark cannot be steadier than the CPU it runs on. On a virtual machine the host may
//! run other guests on the same physical cores, and the guest sees little of it: steal time
//! where the hypervisor reports it (often only in part), never the frequency. This probe
//! times the same integer loop in slices of about 10 ms, first on one CPU alone and then on
//! every usable CPU at once, so `doctor` can say how much of a run's spread is the machine's
//! own, and whether all CPUs busy at once run as fast as one.
//!
//! On one CPU the probe alternates that loop, which issues several instructions a cycle,
//! with a latency-bound one, which waits for each multiply. A clock that slows, or a host
//! that takes the vCPU away, slows both. A physical core whose other hardware thread runs
//! another guest's work takes issue slots from the first and barely touches the second: on
//! the 2-vCPU build VM the first loop ran at two speeds, 1.7–2× apart, while the second,
//! timed in the same process in the same second, stayed within 2% (docs/notes).

use std::hint::black_box;
use std::thread;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::exec::{allowed_cpus, pin_current_thread};
use crate::stats;

/// The CV of the probe's slices above which the machine is called unsteady: its own drift
/// then reaches the size of the differences a benchmark wants to see.
pub const UNSTEADY_CV: f64 = 0.02;

/// The share of a block's busy CPU time taken by the host (steal) above which the block's
/// spread is, in part, the host's, whatever the probes around it read.
pub const NOTABLE_STEAL: f64 = 0.02;

/// `steal` when it is above [`NOTABLE_STEAL`]: the one place that judges a block's steal.
pub fn notable_steal(steal: Option<f64>) -> Option<f64> {
    steal.filter(|&s| s > NOTABLE_STEAL)
}

/// True when a block's spread is, at least in part, the machine's: a probe around it read
/// above [`UNSTEADY_CV`], or the host took more than [`NOTABLE_STEAL`] during it.
pub fn machine_noisy(machine_cv: Option<f64>, host_steal: Option<f64>) -> bool {
    machine_cv.is_some_and(|cv| cv > UNSTEADY_CV) || notable_steal(host_steal).is_some()
}

/// The length of one timed slice.
const SLICE: Duration = Duration::from_millis(10);

/// What the probe measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Steadiness {
    /// Slices timed on one CPU alone.
    pub slices: usize,
    /// Coefficient of variation of the lone slices' times.
    pub cv: f64,
    /// The slowest lone slice's time over the fastest one's.
    pub slowest_over_fastest: f64,
    /// How many CPUs ran the loop at once in the second part.
    pub cpus: usize,
    /// Median slice speed with every CPU busy, relative to one CPU alone (1.0 = no loss).
    pub all_busy_speed: f64,
    /// Coefficient of variation of the slices with every CPU busy, all CPUs' slices
    /// together: a host that takes time from one vCPU shows here and not in `cv`, and a
    /// model that uses every CPU feels it (0 in files written before this field).
    #[serde(default)]
    pub all_busy_cv: f64,
    /// Coefficient of variation of a latency-bound loop timed on the same CPU in slices
    /// alternating with the lone ones. Steady while `cv` is not: the clock held and the
    /// core's other hardware thread took the difference ([`Steadiness::core_shared`]).
    /// None in files written before this field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_bound_cv: Option<f64>,
}

impl Steadiness {
    /// How unsteady the machine was for any model: the larger of the lone and the all-busy
    /// CVs.
    pub fn machine_cv(&self) -> f64 {
        self.cv.max(self.all_busy_cv)
    }

    /// True when the wide loop was unsteady and the latency-bound loop timed between its
    /// slices was not (a quarter of its CV at most, or under [`UNSTEADY_CV`]): the clock was
    /// steady, and another thread on the same physical core took issue slots. No quiet spell
    /// of this guest's own makes that go away.
    pub fn core_shared(&self) -> bool {
        self.cv > UNSTEADY_CV
            && self
                .latency_bound_cv
                .is_some_and(|l| l <= UNSTEADY_CV.max(self.cv / 4.0))
    }
}

/// A fixed integer loop: `iters` multiply-adds, which the optimiser may not shorten.
fn spin(iters: u64) -> u64 {
    let (mut sum, mut i) = (0u64, 0u64);
    while i < iters {
        sum = sum.wrapping_add(i.wrapping_mul(i));
        i = black_box(i + 1);
    }
    sum
}

/// A latency-bound loop: each step squares (nearly) the last step's result, so it runs at
/// the latency of an or, a multiply and an add (about 5 cycles a step, under one
/// instruction a cycle) and leaves the core's other issue slots free, where [`spin`] needs
/// most of them. The step is not linear: a linear one (`x * K + i`) the optimiser unrolls
/// into independent multiplies, and it ran 8× faster.
fn chain(iters: u64) -> u64 {
    let mut x = 1u64;
    for i in 0..iters {
        x = x.wrapping_mul(x | 1).wrapping_add(i);
    }
    x
}

/// A loop the probe times: iterations in, a value the optimiser must keep out.
type Kernel = fn(u64) -> u64;

/// Iterations of `kernel` that take about one [`SLICE`] here.
fn calibrate(kernel: Kernel) -> u64 {
    let mut iters = 10_000u64;
    loop {
        let t = Instant::now();
        black_box(kernel(black_box(iters)));
        let took = t.elapsed();
        if took >= SLICE / 4 || iters > 1 << 40 {
            let per_iter = took.as_secs_f64() / iters as f64;
            return ((SLICE.as_secs_f64() / per_iter) as u64).max(1);
        }
        iters *= 4;
    }
}

/// Times slices of `iters` iterations on `cpu` (when given) for `duration`; nanoseconds each.
fn time_slices(cpu: Option<usize>, iters: u64, duration: Duration) -> Vec<f64> {
    time_alternating(cpu, &[(spin, iters)], duration).remove(0)
}

/// Times slices of each `(kernel, iters)` in turn (A B A B ...) on `cpu` (when given) for
/// `duration`, so that every kernel's slices come from the same moments; nanoseconds each,
/// one list per kernel.
fn time_alternating(
    cpu: Option<usize>,
    kernels: &[(Kernel, u64)],
    duration: Duration,
) -> Vec<Vec<f64>> {
    if let Some(cpu) = cpu {
        // Unpinned, the scheduler may move the loop mid-slice; the probe then still works.
        let _ = pin_current_thread(&[cpu]);
    }
    let end = Instant::now() + duration;
    let mut out = vec![Vec::new(); kernels.len()];
    while Instant::now() < end {
        for ((kernel, iters), times) in kernels.iter().zip(&mut out) {
            let t = Instant::now();
            black_box(kernel(black_box(*iters)));
            times.push(t.elapsed().as_nanos() as f64);
        }
    }
    out
}

/// The short probe a suite runs before its first sample and after its last.
pub fn brief() -> Steadiness {
    probe(Duration::from_millis(500), Duration::from_millis(250))
}

/// Runs the probe: `lone` on the first usable CPU (the wide loop's slices alternating with
/// the latency-bound loop's), then `together` on all of them at once.
pub fn probe(lone: Duration, together: Duration) -> Steadiness {
    let cpus = allowed_cpus();
    let first = cpus.first().copied();
    let iters = calibrate(spin);
    let chained = calibrate(chain);
    let mut lone_parts =
        thread::spawn(move || time_alternating(first, &[(spin, iters), (chain, chained)], lone))
            .join()
            .unwrap_or_default()
            .into_iter();
    let alone = lone_parts.next().unwrap_or_default();
    let latency_bound = lone_parts.next().unwrap_or_default();
    let busy: Vec<f64> = thread::scope(|s| {
        let workers: Vec<_> = cpus
            .iter()
            .map(|&cpu| s.spawn(move || time_slices(Some(cpu), iters, together)))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    Steadiness {
        latency_bound_cv: (!latency_bound.is_empty()).then(|| stats::cv(&latency_bound)),
        ..summarise(&alone, &busy, cpus.len())
    }
}

/// The figures from the slice times of the two parts.
fn summarise(alone: &[f64], busy: &[f64], cpus: usize) -> Steadiness {
    let fastest = alone.iter().copied().fold(f64::INFINITY, f64::min);
    let slowest = alone.iter().copied().fold(0.0, f64::max);
    let lone_median = stats::median(alone).unwrap_or(f64::NAN);
    let busy_median = stats::median(busy).unwrap_or(f64::NAN);
    Steadiness {
        slices: alone.len(),
        cv: stats::cv(alone),
        slowest_over_fastest: slowest / fastest,
        cpus,
        all_busy_speed: lone_median / busy_median,
        all_busy_cv: stats::cv(busy),
        latency_bound_cv: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_come_from_the_slices() {
        let s = summarise(&[10.0, 10.0, 20.0, 10.0], &[20.0, 20.0, 20.0, 20.0], 2);
        assert_eq!(s.slices, 4);
        assert!((s.slowest_over_fastest - 2.0).abs() < 1e-12);
        assert!(s.cv > 0.3, "{s:?}");
        assert!((s.all_busy_speed - 0.5).abs() < 1e-12, "{s:?}");
        assert_eq!(s.all_busy_cv, 0.0, "every busy slice took the same time");
        let uneven = summarise(&[10.0; 4], &[10.0, 10.0, 20.0, 20.0], 2);
        assert!(uneven.cv == 0.0 && uneven.all_busy_cv > 0.3, "{uneven:?}");
        assert_eq!(uneven.machine_cv(), uneven.all_busy_cv);
    }

    #[test]
    fn a_cpu_shared_with_another_process_shows_as_slower_slices() {
        let first = allowed_cpus()[0];
        let iters = calibrate(spin);
        let alone = time_slices(Some(first), iters, Duration::from_millis(200));
        // Two spinners on the same CPU: the probe then gets a third of it, and still under
        // half with a build or two running beside the test (a lone spinner left that margin
        // to chance on a loaded machine).
        let mut spinners: Vec<_> = (0..2)
            .map(|_| {
                std::process::Command::new("taskset")
                    .args(["-c", &first.to_string(), "sh", "-c", "while :; do :; done"])
                    .spawn()
                    .unwrap()
            })
            .collect();
        let shared = time_slices(Some(first), iters, Duration::from_millis(400));
        for spinner in &mut spinners {
            spinner.kill().unwrap();
            spinner.wait().unwrap();
        }
        let (alone, shared) = (
            stats::median(&alone).unwrap(),
            stats::median(&shared).unwrap(),
        );
        assert!(shared > 1.4 * alone, "alone {alone} ns, shared {shared} ns");
    }

    #[test]
    fn a_shared_core_is_a_wide_loop_unsteady_beside_a_steady_latency_bound_one() {
        let mut s = summarise(&[10.0, 10.0, 20.0, 10.0], &[10.0; 4], 2);
        assert!(!s.core_shared(), "not measured: {s:?}");
        s.latency_bound_cv = Some(0.01);
        assert!(s.core_shared(), "{s:?}");
        s.latency_bound_cv = Some(s.cv / 2.0);
        assert!(
            !s.core_shared(),
            "both loops unsteady: the clock or the host: {s:?}"
        );
        let steady = Steadiness {
            latency_bound_cv: Some(0.0),
            ..summarise(&[10.0; 4], &[10.0; 4], 2)
        };
        assert!(!steady.core_shared(), "{steady:?}");
    }

    #[test]
    fn the_latency_bound_loop_waits_for_each_multiply() {
        // At one step per ~5 cycles it takes longer per step than `spin` (about 2 cycles a
        // step, 3 when the core is shared); the linear chain the optimiser had unrolled took
        // less. Slices of both in turn, compared by median, so that a test beside it that
        // takes the CPU for a while slows both alike.
        let iters = calibrate(spin);
        let times = time_alternating(None, &[(spin, iters), (chain, iters)], SLICE * 20);
        let (wide, chained) = (stats::median(&times[0]), stats::median(&times[1]));
        assert!(
            chained > wide,
            "chain {chained:?} ns, spin {wide:?} ns a slice"
        );
        assert_ne!(chain(3), chain(4));
    }

    #[test]
    fn the_probe_reports_both_parts() {
        // 300 ms alone: its slices alternate two loops, and tests beside it may hold a CPU.
        let s = probe(Duration::from_millis(300), Duration::from_millis(50));
        assert!(s.slices >= 3, "{s:?}");
        assert!(s.latency_bound_cv.is_some_and(|cv| cv >= 0.0), "{s:?}");
        assert_eq!(s.cpus, allowed_cpus().len());
        assert!(s.all_busy_speed > 0.0 && s.cv >= 0.0, "{s:?}");
    }
}
