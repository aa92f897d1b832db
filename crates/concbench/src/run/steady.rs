//! Waiting for a steady machine before a block (`run --wait-steady 30m`).
//!
//! On a virtual machine, other guests on the same host cores come and go in spells that
//! last minutes: the steadiness probe then reads 10–20% where it reads 1% in a quiet spell,
//! and no model measured meanwhile can be steadier than that. The warnings say so after
//! the fact; this waits before the fact. Before each block the runner probes the machine,
//! and while the probe reads above [`UNSTEADY_CV`] it probes again every
//! [`PROBE_EVERY`], up to the user's bound. The block then runs either way: a machine that
//! never quietens still gets measured, and its block records how long the harness waited
//! and what the last probe read, so the warnings can say that waiting did not help.

use std::time::Duration;

use crate::machine::steadiness::{Steadiness, UNSTEADY_CV};
use crate::run::interrupt::Interrupt;

/// How often the machine is probed while the harness waits: each probe keeps every CPU
/// busy for 0.75 s, so probing more often would be a load of its own.
pub const PROBE_EVERY: Duration = Duration::from_secs(20);

/// The machine as the wait sees it: a probe, and a clock to wait on.
pub trait Prober {
    /// Probes the machine's steadiness once.
    fn probe(&mut self) -> Steadiness;
    /// Waits `d`; false when the wait was cut short (Ctrl-C), and the harness should stop
    /// waiting.
    fn sleep(&mut self, d: Duration) -> bool;
}

/// The real machine: [`crate::machine::steadiness::brief`], and a sleep that Ctrl-C cuts.
pub struct Machine {
    /// The run's Ctrl-C: a press ends the wait.
    pub interrupt: Interrupt,
}

impl Prober for Machine {
    fn probe(&mut self) -> Steadiness {
        crate::machine::steadiness::brief()
    }

    fn sleep(&mut self, d: Duration) -> bool {
        let step = Duration::from_millis(250);
        let mut left = d;
        while !left.is_zero() {
            if self.interrupt.is_interrupted() {
                return false;
            }
            let now = left.min(step);
            std::thread::sleep(now);
            left -= now;
        }
        !self.interrupt.is_interrupted()
    }
}

/// What a wait came to.
#[derive(Debug, Clone, PartialEq)]
pub struct Waited {
    /// The last probe: the block's `steadiness_before`.
    pub probe: Steadiness,
    /// Time spent waiting between probes.
    pub waited: Duration,
    /// How many probes were taken, the last one included.
    pub probes: u32,
}

impl Waited {
    /// True when the last probe read steady.
    pub fn steady(&self) -> bool {
        self.probe.machine_cv() <= UNSTEADY_CV
    }
}

/// The progress line for an unsteady probe before `workload`'s block, `so_far` into a wait
/// of at most `bound`: the first says how often and how long the harness will probe.
pub fn waiting_line(
    workload: &str,
    probe: &Steadiness,
    so_far: Duration,
    bound: Duration,
) -> String {
    use crate::format::format_eta;
    let waited = if so_far.is_zero() {
        format!(
            "probing again every {} for up to {}",
            format_eta(PROBE_EVERY),
            format_eta(bound)
        )
    } else {
        format!("waited {} of {}", format_eta(so_far), format_eta(bound))
    };
    format!(
        "waiting for a steady machine before {workload}: probe CV {:.1}% (steady is ≤ {:.0}%), \
         {waited}",
        probe.machine_cv() * 100.0,
        UNSTEADY_CV * 100.0,
    )
}

/// The warning for a wait that used its whole bound and found no quiet spell.
pub fn gave_up_line(workload: &str, w: &Waited) -> String {
    format!(
        "the machine stayed unsteady for the {} waited before {workload} (probe CV {:.1}%); \
         measuring it anyway, and its tables will say so",
        crate::format::format_eta(w.waited),
        w.probe.machine_cv() * 100.0
    )
}

/// Probes until the machine reads steady, waiting at most `bound` in all between probes;
/// `on_wait` hears each unsteady probe and the time waited so far, before the next wait.
pub fn wait(
    prober: &mut dyn Prober,
    bound: Duration,
    on_wait: &mut dyn FnMut(&Steadiness, Duration),
) -> Waited {
    let mut waited = Duration::ZERO;
    let mut probes = 1;
    let mut probe = prober.probe();
    while probe.machine_cv() > UNSTEADY_CV && waited < bound {
        on_wait(&probe, waited);
        let step = PROBE_EVERY.min(bound - waited);
        let went_on = prober.sleep(step);
        waited += step;
        if !went_on {
            break;
        }
        probe = prober.probe();
        probes += 1;
    }
    Waited {
        probe,
        waited,
        probes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A machine whose probes read the given CVs in turn (the last one from then on).
    struct Scripted {
        cvs: Vec<f64>,
        probed: usize,
        slept: Duration,
        /// Ctrl-C arrives during the sleep after this many probes.
        interrupt_after: Option<usize>,
    }

    impl Scripted {
        fn new(cvs: &[f64]) -> Scripted {
            Scripted {
                cvs: cvs.to_vec(),
                probed: 0,
                slept: Duration::ZERO,
                interrupt_after: None,
            }
        }
    }

    impl Prober for Scripted {
        fn probe(&mut self) -> Steadiness {
            let cv = self.cvs[self.probed.min(self.cvs.len() - 1)];
            self.probed += 1;
            Steadiness {
                slices: 50,
                cv: 0.005,
                slowest_over_fastest: 1.1,
                cpus: 2,
                all_busy_speed: 1.0,
                // The host shows when every CPU is busy: the wait must look there too.
                all_busy_cv: cv,
                latency_bound_cv: None,
            }
        }

        fn sleep(&mut self, d: Duration) -> bool {
            self.slept += d;
            self.interrupt_after != Some(self.probed)
        }
    }

    #[test]
    fn a_steady_machine_is_probed_once_and_never_waited_for() {
        let mut m = Scripted::new(&[0.01]);
        let mut heard = 0;
        let w = wait(&mut m, Duration::from_secs(600), &mut |_, _| heard += 1);
        assert_eq!((w.probes, w.waited, heard), (1, Duration::ZERO, 0));
        assert!(w.steady());
    }

    #[test]
    fn the_wait_ends_at_the_first_steady_probe_and_keeps_it() {
        let mut m = Scripted::new(&[0.15, 0.09, 0.018, 0.30]);
        let mut seen = Vec::new();
        let w = wait(&mut m, Duration::from_secs(600), &mut |p, t| {
            seen.push((p.all_busy_cv, t))
        });
        assert_eq!(w.probes, 3);
        assert_eq!(w.waited, PROBE_EVERY * 2);
        assert_eq!(m.slept, PROBE_EVERY * 2);
        assert_eq!(w.probe.all_busy_cv, 0.018);
        assert!(w.steady());
        assert_eq!(seen, vec![(0.15, Duration::ZERO), (0.09, PROBE_EVERY)]);
    }

    #[test]
    fn a_machine_that_stays_unsteady_is_waited_for_no_longer_than_the_bound() {
        let mut m = Scripted::new(&[0.12]);
        // 50 s is two full waits and a 10 s one, then the block runs anyway.
        let w = wait(&mut m, Duration::from_secs(50), &mut |_, _| {});
        assert_eq!(w.waited, Duration::from_secs(50));
        assert_eq!(m.slept, Duration::from_secs(50));
        assert_eq!(w.probes, 4);
        assert!(!w.steady());
    }

    #[test]
    fn no_bound_means_one_probe_and_no_wait() {
        let mut m = Scripted::new(&[0.12]);
        let w = wait(&mut m, Duration::ZERO, &mut |_, _| {});
        assert_eq!((w.probes, m.slept), (1, Duration::ZERO));
    }

    #[test]
    fn ctrl_c_ends_the_wait_without_another_probe() {
        let mut m = Scripted::new(&[0.12]);
        m.interrupt_after = Some(2);
        let w = wait(&mut m, Duration::from_secs(600), &mut |_, _| {});
        assert_eq!(w.probes, 2);
        assert_eq!(w.waited, PROBE_EVERY * 2);
        assert!(!w.steady());
    }

    #[test]
    fn ctrl_c_cuts_the_real_machines_sleep_short() {
        let interrupt = Interrupt::new();
        let mut machine = Machine {
            interrupt: interrupt.clone(),
        };
        let started = std::time::Instant::now();
        assert!(machine.sleep(Duration::from_millis(10)));
        interrupt.interrupt();
        assert!(!machine.sleep(Duration::from_secs(30)));
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn the_lines_say_how_long_the_wait_is_and_what_the_probe_read() {
        let mut m = Scripted::new(&[0.123]);
        let p = m.probe();
        let bound = Duration::from_secs(1800);
        assert_eq!(
            waiting_line("cpu-parallel", &p, Duration::ZERO, bound),
            "waiting for a steady machine before cpu-parallel: probe CV 12.3% (steady is ≤ 2%), \
             probing again every 20 s for up to 30 min 00 s"
        );
        assert!(waiting_line("cpu-parallel", &p, PROBE_EVERY, bound)
            .ends_with("waited 20 s of 30 min 00 s"));
        let w = wait(&mut m, Duration::from_secs(40), &mut |_, _| {});
        assert_eq!(
            gave_up_line("worker-pool", &w),
            "the machine stayed unsteady for the 40 s waited before worker-pool (probe CV \
             12.3%); measuring it anyway, and its tables will say so"
        );
    }
}
