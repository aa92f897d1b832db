//! What machine a result was measured on (the `machine` of the results file, docs/results-format.md),
//! read from /proc and /sys; its limits, its steadiness, and `doctor`.

pub mod doctor;
pub mod limits;
pub mod steadiness;

use std::fs;

use serde::{Deserialize, Serialize};

/// How many of `allowed` CPUs a server run (io-server) keeps for its load generator: the
/// last quarter, at least one, so the generator never competes with the server it measures;
/// none below two CPUs, where both share the one.
pub fn load_generator_cpus(allowed: usize) -> usize {
    if allowed < 2 {
        0
    } else {
        (allowed / 4).max(1)
    }
}

/// How many of `allowed` CPUs a server run gives the server: the rest of them (all of one).
pub fn server_cpus(allowed: usize) -> usize {
    allowed - load_generator_cpus(allowed)
}

/// The fewest CPUs a machine needs for a server run to give the server `server` of them.
pub fn cpus_for_server(server: usize) -> usize {
    (server..)
        .find(|&n| server_cpus(n) >= server)
        .expect("the server's share grows with the machine")
}

/// The machine a results file was measured on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    /// The CPU's model name from /proc/cpuinfo, or "unknown".
    pub cpu_model: String,
    /// Logical CPUs (hardware threads) in /proc/cpuinfo, including any the harness may not use.
    pub logical_cpus: usize,
    /// The CPUs this harness was allowed to use (its affinity mask).
    #[serde(default)]
    pub allowed_cpus: Vec<usize>,
    /// Total memory (MemTotal of /proc/meminfo), kB.
    pub memory_kb: u64,
    /// The kernel release (`uname -r`), or "unknown".
    pub kernel: String,
    /// The CPU frequency governor, or "unknown" where the machine exposes none (VMs).
    pub governor: String,
    /// The host name; empty when it cannot be read.
    #[serde(default)]
    pub hostname: String,
    /// 1-minute load average when the run started and when it ended.
    #[serde(default)]
    pub load_avg_start: f64,
    /// 1-minute load average when the run ended (0 while it is in progress).
    #[serde(default)]
    pub load_avg_end: f64,
    /// How steadily the machine ran a fixed loop just before the first sample and just after
    /// the last: the floor under the runs' own spread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steadiness_start: Option<crate::machine::steadiness::Steadiness>,
    /// The same probe just after the last sample; `None` when nothing ran or the run was
    /// interrupted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steadiness_end: Option<crate::machine::steadiness::Steadiness>,
}

impl Machine {
    /// Reads this machine's description.
    pub fn current() -> Machine {
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = cpuinfo
            .lines()
            .find_map(|l| {
                let (key, value) = l.split_once(':')?;
                matches!(key.trim(), "model name" | "Model" | "cpu model")
                    .then(|| value.trim().to_string())
            })
            .unwrap_or_else(|| "unknown".into());
        let logical_cpus = cpuinfo
            .lines()
            .filter(|l| l.starts_with("processor"))
            .count();
        Machine {
            cpu_model,
            logical_cpus: logical_cpus.max(1),
            allowed_cpus: crate::exec::allowed_cpus(),
            memory_kb: meminfo_kb("MemTotal").unwrap_or(0),
            kernel: read_trimmed("/proc/sys/kernel/osrelease").unwrap_or_else(|| "unknown".into()),
            governor: read_trimmed("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")
                .unwrap_or_else(|| "unknown".into()),
            hostname: read_trimmed("/proc/sys/kernel/hostname").unwrap_or_default(),
            load_avg_start: load_average(),
            load_avg_end: 0.0,
            steadiness_start: None,
            steadiness_end: None,
        }
    }
}

fn read_trimmed(path: &str) -> Option<String> {
    fs::read_to_string(path).ok().map(|s| s.trim().to_string())
}

/// A field of /proc/meminfo, in kB.
pub fn meminfo_kb(field: &str) -> Option<u64> {
    let text = fs::read_to_string("/proc/meminfo").ok()?;
    text.lines().find_map(|l| {
        let rest = l.strip_prefix(field)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// (busy, total) CPU time since boot over every CPU, in jiffies, from the first line of
/// /proc/stat. Busy is everything but idle and iowait; steal counts as busy, since a CPU
/// the host gives to another guest is not free for ours.
pub fn cpu_jiffies() -> Option<(u64, u64)> {
    parse_cpu_jiffies(&fs::read_to_string("/proc/stat").ok()?)
}

fn parse_cpu_jiffies(stat: &str) -> Option<(u64, u64)> {
    let fields = cpu_fields(stat)?;
    let total: u64 = fields.iter().sum();
    let idle = fields.get(3)? + fields.get(4).copied().unwrap_or(0);
    Some((total - idle, total))
}

/// (busy, total) CPU time since boot over every CPU, in jiffies, as [`cpu_jiffies`] counts
/// it but with niced time (processes at a lower priority, nice > 0) counted as free: what is
/// busy at normal priority. Settling waits for the work a sample left behind, which runs at
/// the sample's own priority; a niced background job (a build at `nice -n 19`) yields to the
/// samples and never ends, so waiting for it would only spend the wait's bound every time.
pub fn foreground_cpu_jiffies() -> Option<(u64, u64)> {
    parse_foreground_cpu_jiffies(&fs::read_to_string("/proc/stat").ok()?)
}

fn parse_foreground_cpu_jiffies(stat: &str) -> Option<(u64, u64)> {
    let (busy, total) = parse_cpu_jiffies(stat)?;
    Some((busy - cpu_fields(stat)?.get(1)?, total))
}

/// (steal, busy) CPU time since boot over every CPU, in jiffies: the time the host ran
/// something else while one of our vCPUs had work, and all the time our vCPUs had work
/// (steal included), as [`cpu_jiffies`] counts it.
pub fn steal_jiffies() -> Option<(u64, u64)> {
    parse_steal_jiffies(&fs::read_to_string("/proc/stat").ok()?)
}

fn parse_steal_jiffies(stat: &str) -> Option<(u64, u64)> {
    let steal = *cpu_fields(stat)?.get(7)?;
    Some((steal, parse_cpu_jiffies(stat)?.0))
}

/// The first eight counters of /proc/stat's `cpu` line: user, nice, system, idle, iowait,
/// irq, softirq, steal.
fn cpu_fields(stat: &str) -> Option<Vec<u64>> {
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    line.split_whitespace()
        .skip(1)
        .take(8)
        .map(|f| f.parse().ok())
        .collect()
}

/// The share of the CPU time our vCPUs had work between two [`steal_jiffies`] readings that
/// the host gave to others instead (`None` when nothing ran, or a reading is missing).
pub fn steal_share(start: Option<(u64, u64)>, end: Option<(u64, u64)>) -> Option<f64> {
    let ((s0, b0), (s1, b1)) = (start?, end?);
    let busy = b1.checked_sub(b0).filter(|&b| b > 0)?;
    Some(s1.saturating_sub(s0) as f64 / busy as f64)
}

/// The 1-minute load average.
pub fn load_average() -> f64 {
    read_trimmed("/proc/loadavg")
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn cpu_time_counts_idle_and_iowait_as_free() {
        let stat = "cpu  100 10 20 500 30 0 5 7 0 0\ncpu0 50 5 10 250 15 0 2 3 0 0\n";
        // busy = user + nice + system + irq + softirq + steal; guest time is in user already.
        assert_eq!(super::parse_cpu_jiffies(stat), Some((142, 672)));
        assert_eq!(super::parse_cpu_jiffies("intr 1 2"), None);
        // In the foreground, niced time (10) counts as free.
        assert_eq!(super::parse_foreground_cpu_jiffies(stat), Some((132, 672)));
    }

    #[test]
    fn steal_is_the_eighth_counter_and_its_share_is_of_the_busy_time() {
        let before = "cpu  100 10 20 500 30 0 5 7 0 0\n";
        let after = "cpu  180 10 30 900 30 0 5 17 0 0\n";
        assert_eq!(super::parse_steal_jiffies(before), Some((7, 142)));
        assert_eq!(super::parse_steal_jiffies(after), Some((17, 242)));
        // A kernel too old to count steal has seven counters: no reading, no share.
        assert_eq!(super::parse_steal_jiffies("cpu  1 2 3 4 5 6 7\n"), None);
        let share = super::steal_share(
            super::parse_steal_jiffies(before),
            super::parse_steal_jiffies(after),
        );
        assert_eq!(share, Some(0.1));
        assert_eq!(super::steal_share(Some((7, 142)), Some((7, 142))), None);
        assert_eq!(super::steal_share(None, Some((7, 142))), None);
    }

    use super::*;

    #[test]
    fn this_machine_is_described() {
        let m = Machine::current();
        assert!(m.logical_cpus >= 1);
        assert!(m.memory_kb > 0);
        assert!(!m.kernel.is_empty());
        assert!(!m.allowed_cpus.is_empty());
    }
}
