//! The resident memory of a run's whole process tree, sampled from /proc while it runs.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

/// How often the process tree's memory is sampled.
const TREE_SAMPLE_INTERVAL: Duration = Duration::from_millis(5);

/// Samples the summed RSS of the run's processes until `stop`; returns the peak.
pub(super) fn sample_group_rss(group: Group, stop: &AtomicBool) -> u64 {
    let page_kb = page_size_kb();
    let mut group = GroupScan::new(group.pgid, group.launched);
    let mut peak = 0;
    while !stop.load(Ordering::SeqCst) {
        peak = peak.max(group.rss_pages() * page_kb);
        thread::sleep(TREE_SAMPLE_INTERVAL);
    }
    peak
}

/// Repeated scans of one process group's resident memory, cheap enough to run every 5 ms
/// beside the run it measures. Reading every /proc/PID/stat took ~0.4 ms a scan here (~8%
/// of a CPU taken from the run itself); this reads each stat file once to learn whether the
/// process is in the group, then only the members' (~30 µs a scan, mostly the readdir). A process that moves
/// into the group after it was first seen outside it is not counted: our runs' children
/// are born in the group.
struct GroupScan {
    pgid: i64,
    /// Leave the group's leader out: it is the launcher, not part of the run.
    skip_leader: bool,
    /// Processes seen outside the group, and whether each was still there last scan.
    outsiders: std::collections::HashMap<u32, bool>,
}

impl GroupScan {
    fn new(pgid: libc::pid_t, skip_leader: bool) -> Self {
        GroupScan {
            pgid: pgid as i64,
            skip_leader,
            outsiders: std::collections::HashMap::new(),
        }
    }

    /// The summed resident pages of the group's processes now.
    fn rss_pages(&mut self) -> u64 {
        self.scan().rss_pages
    }

    /// The group's processes' summed resident pages and CPU time now.
    fn scan(&mut self) -> Usage {
        let mut total = Usage::default();
        let Ok(dir) = std::fs::read_dir("/proc") else {
            return total;
        };
        self.outsiders.values_mut().for_each(|seen| *seen = false);
        for entry in dir.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            if self.skip_leader && i64::from(pid) == self.pgid {
                continue;
            }
            if let Some(seen) = self.outsiders.get_mut(&pid) {
                *seen = true;
                continue;
            }
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            match parse_stat(&stat) {
                Some((group, usage)) if group == self.pgid => {
                    total.rss_pages += usage.rss_pages;
                    total.cpu_ticks += usage.cpu_ticks;
                }
                Some(_) => {
                    self.outsiders.insert(pid, true);
                }
                None => {}
            }
        }
        // A pid gone from /proc may come back as a new process of the group.
        self.outsiders.retain(|_, seen| *seen);
        total
    }
}

fn page_size_kb() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let bytes = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    (bytes.max(4096) / 1024) as u64
}

/// What a scan of the group's processes adds up.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Usage {
    /// Resident pages.
    rss_pages: u64,
    /// User and system CPU time, in clock ticks (`_SC_CLK_TCK`, 100 a second on Linux).
    cpu_ticks: u64,
}

/// A run's process group, to read its memory while it runs (cheap to copy into threads).
#[derive(Debug, Clone, Copy)]
pub struct Group {
    pub(super) pgid: libc::pid_t,
    /// Whether the group's leader is the launcher (left out of the sums).
    pub(super) launched: bool,
}

impl Group {
    /// The summed resident memory of the run's processes now (kB), the launcher left out.
    pub fn rss_kb(&self) -> u64 {
        GroupScan::new(self.pgid, self.launched).rss_pages() * page_size_kb()
    }

    /// The CPU time (user + system) the run's live processes have used so far (ns, in
    /// steps of a clock tick: 10 ms on Linux), the launcher left out.
    pub fn cpu_ns(&self) -> u64 {
        // SAFETY: sysconf has no preconditions.
        let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
        GroupScan::new(self.pgid, self.launched).scan().cpu_ticks * 1_000_000_000 / per_second
    }
}

/// From a /proc/PID/stat line: (process group, resident pages and CPU ticks). The command
/// name in parentheses may hold spaces, so fields are counted after the last ')'.
fn parse_stat(stat: &str) -> Option<(i64, Usage)> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the name: state(3) ppid(4) pgrp(5) ... utime(14) stime(15) ... rss(24);
    // fields[0] is field 3.
    let field = |n: usize| -> Option<u64> { fields.get(n - 3)?.parse().ok() };
    let pgrp = fields.get(2)?.parse().ok()?;
    let usage = Usage {
        rss_pages: field(24)?,
        cpu_ticks: field(14)? + field(15)?,
    };
    Some((pgrp, usage))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_with_spaces_in_the_name_parse() {
        let line = "42 (a b) c) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 \
                    100 1000 77 18446744073709551615";
        assert_eq!(
            parse_stat(line),
            Some((
                42,
                Usage {
                    rss_pages: 77,
                    cpu_ticks: 3
                }
            ))
        );
    }
}
