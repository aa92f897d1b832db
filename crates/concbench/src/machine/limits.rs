//! Caps for thread- and process-per-unit models, derived from the machine's limits, so that a
//! large unit count is refused with a clear message instead of freezing the machine.

use std::fs;

use crate::catalogue::UnitKind;
use crate::machine::meminfo_kb;

/// Memory set aside per OS thread: its kernel stack, the touched part of its user stack and
/// the runtime's bookkeeping, rounded up generously (a thread's 8 MiB stack is mostly
/// untouched virtual memory and is not counted).
const THREAD_MEMORY_KB: u64 = 64;
/// Memory set aside per worker process (an interpreter is 10–30 MiB resident).
const PROCESS_MEMORY_KB: u64 = 48 * 1024;
/// Memory maps one OS thread may take in its process.
const MAPS_PER_THREAD: u64 = 4;
/// The share of each limit's headroom a run may take; the rest stays for the system.
const HEADROOM_SHARE: f64 = 0.8;

/// The machine's limits on threads, processes and memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// kernel.threads-max
    pub threads_max: u64,
    /// `ulimit -u` (RLIMIT_NPROC, soft); u64::MAX when unlimited.
    pub max_user_processes: u64,
    /// kernel.pid_max
    pub pid_max: u64,
    /// vm.max_map_count (per process)
    pub max_map_count: u64,
    /// MemAvailable
    pub mem_available_kb: u64,
    /// Threads alive on the whole system now.
    pub threads_in_use: u64,
}

impl Limits {
    /// Reads the limits of this machine now.
    pub fn current() -> Limits {
        let read =
            |path: &str| -> Option<u64> { fs::read_to_string(path).ok()?.trim().parse().ok() };
        // SAFETY: getrlimit fills a plain struct.
        let nproc = unsafe {
            let mut lim: libc::rlimit = std::mem::zeroed();
            if libc::getrlimit(libc::RLIMIT_NPROC, &mut lim) == 0
                && lim.rlim_cur != libc::RLIM_INFINITY
            {
                lim.rlim_cur
            } else {
                u64::MAX
            }
        };
        // /proc/loadavg's fourth field is "running/total" scheduling entities (threads).
        let threads_in_use = fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|s| s.split_whitespace().nth(3)?.split('/').nth(1)?.parse().ok())
            .unwrap_or(0);
        Limits {
            threads_max: read("/proc/sys/kernel/threads-max").unwrap_or(u64::MAX),
            max_user_processes: nproc,
            pid_max: read("/proc/sys/kernel/pid_max").unwrap_or(u64::MAX),
            max_map_count: read("/proc/sys/vm/max_map_count").unwrap_or(u64::MAX),
            mem_available_kb: meminfo_kb("MemAvailable").unwrap_or(u64::MAX),
            threads_in_use,
        }
    }

    /// The largest number of units of `kind` one run may create, and the limit that binds.
    pub fn largest_safe(&self, kind: UnitKind) -> Cap {
        let free = |limit: u64| limit.saturating_sub(self.threads_in_use);
        let share = |n: u64| (n as f64 * HEADROOM_SHARE) as u64;
        let mut bounds = vec![
            (
                share(free(self.threads_max)),
                format!("kernel.threads-max = {}", self.threads_max),
            ),
            (
                share(free(self.pid_max)),
                format!("kernel.pid_max = {}", self.pid_max),
            ),
        ];
        if self.max_user_processes != u64::MAX {
            bounds.push((
                share(free(self.max_user_processes)),
                format!("ulimit -u = {}", self.max_user_processes),
            ));
        }
        match kind {
            UnitKind::Thread => {
                // A thread maps its stack and a guard page, and Rust's std threads also a
                // signal stack with its own guard: 4 maps, measured to fail at ~16,000
                // threads with the default vm.max_map_count of 65,530.
                bounds.push((
                    share(self.max_map_count / MAPS_PER_THREAD),
                    format!(
                        "vm.max_map_count = {} ({MAPS_PER_THREAD} maps per thread)",
                        self.max_map_count
                    ),
                ));
                bounds.push((
                    share(self.mem_available_kb / THREAD_MEMORY_KB),
                    format!(
                        "available memory = {} MiB at {THREAD_MEMORY_KB} KiB per thread",
                        self.mem_available_kb / 1024
                    ),
                ));
            }
            UnitKind::Process => bounds.push((
                share(self.mem_available_kb / PROCESS_MEMORY_KB),
                format!(
                    "available memory = {} MiB at {} MiB per process",
                    self.mem_available_kb / 1024,
                    PROCESS_MEMORY_KB / 1024
                ),
            )),
        }
        let (largest, limit) = bounds
            .into_iter()
            .min_by_key(|(n, _)| *n)
            .expect("at least one bound");
        Cap {
            kind,
            largest,
            limit,
        }
    }
}

/// The largest safe unit count of one kind, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cap {
    /// Whether the units counted are OS threads or processes.
    pub kind: UnitKind,
    /// The most units of this kind one run may create here: 80% of the headroom under the
    /// tightest limit.
    pub largest: u64,
    /// The binding limit, in words.
    pub limit: String,
}

impl Cap {
    /// `None` when `requested` units fit; otherwise the refusal message.
    pub fn check(&self, param: &str, requested: u64) -> Option<String> {
        (requested > self.largest).then(|| {
            let kind = match self.kind {
                UnitKind::Thread => "threads",
                UnitKind::Process => "processes",
            };
            format!(
                "refused before starting: {param}={requested} would create {requested} {kind}, \
                 above the largest safe count on this machine, {} (bound by {}); \
                 lower {param} or raise that limit",
                self.largest, self.limit
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            threads_max: 192_731,
            max_user_processes: 96_365,
            pid_max: 32_768,
            max_map_count: 65_530,
            mem_available_kb: 24 * 1024 * 1024,
            threads_in_use: 768,
        }
    }

    #[test]
    fn threads_are_bound_by_the_tightest_limit() {
        let cap = limits().largest_safe(UnitKind::Thread);
        // max_map_count / 4 = 16,382 → 13,105 at 80%; pid_max − in use → 25,600.
        assert_eq!(cap.largest, 13_105);
        assert!(cap.limit.contains("max_map_count"), "{}", cap.limit);
        let mut l = limits();
        l.max_map_count = 1 << 20;
        let cap = l.largest_safe(UnitKind::Thread);
        assert_eq!(cap.largest, 25_600);
        assert!(cap.limit.contains("pid_max"), "{}", cap.limit);
    }

    #[test]
    fn processes_are_bound_by_memory() {
        let mut l = limits();
        l.mem_available_kb = 1024 * 1024; // 1 GiB → 21 processes → 16 at 80%
        let cap = l.largest_safe(UnitKind::Process);
        assert_eq!(cap.largest, 16);
        assert!(cap.limit.contains("available memory"));
    }

    #[test]
    fn a_count_above_the_cap_is_refused_with_the_limit_named() {
        let cap = limits().largest_safe(UnitKind::Thread);
        assert_eq!(cap.check("units", 1000), None);
        let msg = cap.check("units", 1_000_000).unwrap();
        assert!(
            msg.contains("units=1000000") && msg.contains("13105") && msg.contains("max_map_count"),
            "{msg}"
        );
    }

    #[test]
    fn this_machine_allows_some_threads() {
        let cap = Limits::current().largest_safe(UnitKind::Thread);
        assert!(cap.largest >= 100, "{cap:?}");
    }
}
