//! Waiting for the machine to settle after a run that leaves it work to do.
//!
//! A sample that hands back hundreds of megabytes, tears down thousands of threads or
//! closes a thousand sockets can leave the kernel (and, on a virtual machine, the host)
//! busy for a while after the process is reaped. A 40 ms sample that starts then measures
//! that work too. So after such a sample the runner watches the whole machine's CPU time in
//! /proc/stat and starts the next sample once the machine has been quiet for two windows
//! in a row, or once the wait reaches its bound. Niced work (a background build at low
//! priority) does not count as busy: it is not what the sample left, and it does not end. The time waited, and whether the machine
//! did settle, is recorded on the next sample.

use std::time::Duration;

use crate::results::Sample;

/// One look at the machine's CPU time: jiffies spent busy and in all, over every CPU.
pub trait CpuTimes {
    /// (busy, total) jiffies since boot, over every CPU.
    fn read(&mut self) -> Option<(u64, u64)>;
    /// Waits one window before the next read.
    fn sleep(&mut self, d: Duration);
}

/// The real machine: /proc/stat.
pub struct ProcStat;

impl CpuTimes for ProcStat {
    fn read(&mut self) -> Option<(u64, u64)> {
        crate::machine::foreground_cpu_jiffies()
    }
    fn sleep(&mut self, d: Duration) {
        std::thread::sleep(d);
    }
}

/// How long one window is: 50 ms is 5 jiffies per CPU at the usual USER_HZ of 100, enough
/// to tell quiet from busy.
pub const WINDOW: Duration = Duration::from_millis(50);
/// The machine counts as quiet in a window when at most this share of its CPU time was busy.
pub const QUIET_SHARE: f64 = 0.10;
/// Quiet windows in a row that count as settled.
pub const QUIET_WINDOWS: u32 = 2;
/// The longest wait: a machine that other programs keep busy never settles, and the suite
/// goes on (the sample records that it did not).
pub const MAX_WAIT: Duration = Duration::from_secs(2);

/// What a sample leaves behind that calls for settling: at least this much peak memory...
pub const HEAVY_RSS_KB: u64 = 64 * 1024;
/// ... or at least this much system CPU time (thread, process and socket teardown; an
/// interpreter's own start-up takes 10–30 ms of it, and is not heavy).
pub const HEAVY_SYS_NS: u64 = 100_000_000;

/// True when the sample just taken may have left the machine work to do: it used much
/// memory, spent long in the kernel, or started processes of its own.
pub fn leaves_work(sample: &Sample, started_processes: bool) -> bool {
    started_processes || sample.peak_rss_kb() >= HEAVY_RSS_KB || sample.sys_ns >= HEAVY_SYS_NS
}

/// What a wait came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settled {
    /// How long the harness waited, ns.
    pub waited_ns: u64,
    /// False when the wait reached [`MAX_WAIT`] with the machine still busy.
    pub settled: bool,
}

/// Waits until `cpu` shows [`QUIET_WINDOWS`] quiet windows in a row, at most `max_wait`.
pub fn wait(cpu: &mut dyn CpuTimes, max_wait: Duration) -> Settled {
    let windows = (max_wait.as_nanos() / WINDOW.as_nanos()).max(1) as u32;
    let Some(mut last) = cpu.read() else {
        // No /proc/stat: nothing to watch, so no wait.
        return Settled {
            waited_ns: 0,
            settled: true,
        };
    };
    let mut quiet = 0;
    for waited in 1..=windows {
        cpu.sleep(WINDOW);
        let Some(now) = cpu.read() else { break };
        let (busy, total) = (now.0.saturating_sub(last.0), now.1.saturating_sub(last.1));
        last = now;
        quiet = if total > 0 && busy as f64 <= QUIET_SHARE * total as f64 {
            quiet + 1
        } else {
            0
        };
        if quiet >= QUIET_WINDOWS {
            return Settled {
                waited_ns: WINDOW.as_nanos() as u64 * u64::from(waited),
                settled: true,
            };
        }
    }
    Settled {
        waited_ns: WINDOW.as_nanos() as u64 * u64::from(windows),
        settled: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A machine that is busy (all of its 2 CPUs) for `busy_windows`, then idle.
    struct Fake {
        busy_windows: u32,
        window: u32,
        jiffies: (u64, u64),
        slept: Duration,
    }

    impl Fake {
        fn new(busy_windows: u32) -> Fake {
            Fake {
                busy_windows,
                window: 0,
                jiffies: (1000, 5000),
                slept: Duration::ZERO,
            }
        }
    }

    impl CpuTimes for Fake {
        fn read(&mut self) -> Option<(u64, u64)> {
            Some(self.jiffies)
        }
        fn sleep(&mut self, d: Duration) {
            self.slept += d;
            self.window += 1;
            let busy = if self.window <= self.busy_windows {
                10
            } else {
                0
            };
            self.jiffies.0 += busy;
            self.jiffies.1 += 10;
        }
    }

    #[test]
    fn an_idle_machine_settles_after_two_quiet_windows() {
        let mut fake = Fake::new(0);
        let s = wait(&mut fake, MAX_WAIT);
        assert!(s.settled);
        assert_eq!(s.waited_ns, 2 * WINDOW.as_nanos() as u64);
        assert_eq!(fake.slept, 2 * WINDOW);
    }

    #[test]
    fn a_busy_spell_is_waited_out() {
        let mut fake = Fake::new(5);
        let s = wait(&mut fake, MAX_WAIT);
        assert!(s.settled);
        assert_eq!(s.waited_ns, 7 * WINDOW.as_nanos() as u64);
    }

    #[test]
    fn a_machine_that_stays_busy_is_waited_for_at_most_the_bound() {
        let mut fake = Fake::new(u32::MAX);
        let s = wait(&mut fake, Duration::from_millis(500));
        assert!(!s.settled);
        assert_eq!(s.waited_ns, 500_000_000);
        assert_eq!(fake.slept, Duration::from_millis(500));
    }

    #[test]
    fn one_quiet_window_between_busy_ones_is_not_settled() {
        struct Flicker(u32, (u64, u64));
        impl CpuTimes for Flicker {
            fn read(&mut self) -> Option<(u64, u64)> {
                Some(self.1)
            }
            fn sleep(&mut self, _: Duration) {
                self.0 += 1;
                self.1 .0 += if self.0 % 2 == 0 { 0 } else { 8 };
                self.1 .1 += 10;
            }
        }
        let s = wait(&mut Flicker(0, (0, 0)), Duration::from_millis(400));
        assert!(!s.settled, "{s:?}");
    }

    #[test]
    fn heavy_samples_are_told_from_light_ones() {
        let mut s = crate::fixtures::sample(1_000_000, 1, 1);
        s.max_rss_kb = 4_000;
        s.sys_ns = 1_000_000;
        assert!(!leaves_work(&s, false));
        assert!(leaves_work(&s, true));
        s.max_rss_kb = 300 * 1024;
        assert!(leaves_work(&s, false));
        s.max_rss_kb = 4_000;
        s.sys_ns = 150_000_000;
        assert!(leaves_work(&s, false));
    }
}
