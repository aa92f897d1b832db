//! `concbench doctor`: a read-only look at what on this machine could distort a benchmark,
//! each finding with what to do about it. It never changes the system.

use std::fs;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde::Serialize;

use crate::catalogue::UnitKind;
use crate::machine;
use crate::machine::limits::Limits;

/// How much a finding matters for benchmarking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Nothing here distorts measurements.
    Ok,
    /// Worth knowing (more noise to expect, a limit that caps a model), but no change is needed.
    Note,
    /// Likely to distort measurements: follow the advice before trusting the numbers.
    Warn,
}

/// One thing doctor looked at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// What was examined, e.g. `CPU governor` or `timing steadiness`.
    pub check: String,
    /// How much the finding matters.
    pub level: Level,
    /// What was found, with the values read or measured.
    pub finding: String,
    /// What to do about it, when anything.
    pub advice: Option<String>,
}

fn finding(check: &str, level: Level, text: String, advice: Option<&str>) -> Finding {
    Finding {
        check: check.into(),
        level,
        finding: text,
        advice: advice.map(str::to_string),
    }
}

fn read(path: &str) -> Option<String> {
    fs::read_to_string(path).ok().map(|s| s.trim().to_string())
}

/// Every check, in order.
pub fn examine() -> Vec<Finding> {
    let mut out = vec![
        governor(),
        turbo(),
        smt(),
        load(),
        busy_processes(Duration::from_millis(300)),
    ];
    let steal_start = crate::machine::steal_jiffies();
    out.extend(steadiness(crate::machine::steadiness::probe(
        Duration::from_secs(2),
        Duration::from_secs(1),
    )));
    out.push(host_steal(crate::machine::steal_share(
        steal_start,
        crate::machine::steal_jiffies(),
    )));
    out.extend(cgroup());
    out.extend(limits());
    out.extend(toolchains());
    out
}

fn governor() -> Finding {
    let cpus = crate::exec::allowed_cpus();
    let governors: Vec<String> = cpus
        .iter()
        .filter_map(|c| {
            read(&format!(
                "/sys/devices/system/cpu/cpu{c}/cpufreq/scaling_governor"
            ))
        })
        .collect();
    if governors.is_empty() {
        return finding(
            "CPU governor",
            Level::Note,
            "no cpufreq interface (usual in a virtual machine): the host decides the frequency".into(),
            Some("expect more run-to-run noise than on bare metal; use --runs 10 and compare with `concbench compare`"),
        );
    }
    if governors.iter().all(|g| g == "performance") {
        return finding(
            "CPU governor",
            Level::Ok,
            "performance on every CPU".into(),
            None,
        );
    }
    let mut kinds = governors.clone();
    kinds.sort();
    kinds.dedup();
    finding(
        "CPU governor",
        Level::Warn,
        format!("{} (frequency scales with load, so early runs are slower)", kinds.join(", ")),
        Some("sudo cpupower frequency-set -g performance for the benchmark, and set it back afterwards"),
    )
}

fn turbo() -> Finding {
    if let Some(no_turbo) = read("/sys/devices/system/cpu/intel_pstate/no_turbo") {
        return if no_turbo == "1" {
            finding("turbo boost", Level::Ok, "off (intel_pstate)".into(), None)
        } else {
            finding(
                "turbo boost",
                Level::Warn,
                "on (intel_pstate): the clock depends on temperature and on how many cores are busy".into(),
                Some("echo 1 | sudo tee /sys/devices/system/cpu/intel_pstate/no_turbo, and back to 0 afterwards"),
            )
        };
    }
    if let Some(boost) = read("/sys/devices/system/cpu/cpufreq/boost") {
        return if boost == "0" {
            finding("turbo boost", Level::Ok, "off (cpufreq boost)".into(), None)
        } else {
            finding(
                "turbo boost",
                Level::Warn,
                "on (cpufreq boost): the clock depends on temperature and on how many cores are busy".into(),
                Some("echo 0 | sudo tee /sys/devices/system/cpu/cpufreq/boost, and back to 1 afterwards"),
            )
        };
    }
    finding(
        "turbo boost",
        Level::Note,
        "not visible from this machine (virtual machine?)".into(),
        None,
    )
}

fn smt() -> Finding {
    match read("/sys/devices/system/cpu/smt/active").as_deref() {
        Some("1") => finding(
            "SMT (hyper-threading)",
            Level::Note,
            "on: two logical CPUs may share one core, so 2 workers may not mean 2× the compute"
                .into(),
            Some("read speedups with that in mind, or compare --cpus 1,2 against the core count"),
        ),
        Some("0") => finding("SMT (hyper-threading)", Level::Ok, "off".into(), None),
        _ => finding(
            "SMT (hyper-threading)",
            Level::Note,
            "not visible from this machine".into(),
            None,
        ),
    }
}

fn load() -> Finding {
    let load = machine::load_average();
    let cpus = crate::exec::allowed_cpus().len() as f64;
    if load > 0.1 * cpus {
        finding(
            "load average",
            Level::Warn,
            format!("{load:.2} over the last minute on {cpus} CPUs"),
            Some("close other programs, or wait until the machine is idle, then run"),
        )
    } else {
        finding(
            "load average",
            Level::Ok,
            format!("{load:.2} over the last minute"),
            None,
        )
    }
}

/// What the steadiness probe says about the floor under every figure measured here.
fn steadiness(s: crate::machine::steadiness::Steadiness) -> Vec<Finding> {
    let mut text = format!(
        "a fixed loop timed in {} slices of ~10 ms on one CPU: CV {:.1}%, slowest {:.2}× the fastest",
        s.slices,
        s.cv * 100.0,
        s.slowest_over_fastest
    );
    if let Some(latency) = s.latency_bound_cv {
        text += &format!(
            "; a latency-bound loop timed between its slices: CV {:.1}%",
            latency * 100.0
        );
    }
    let mut out = vec![if s.cv <= crate::machine::steadiness::UNSTEADY_CV
        && s.slowest_over_fastest <= 1.25
    {
        finding("timing steadiness", Level::Ok, text, None)
    } else if s.core_shared() {
        finding(
            "timing steadiness",
            Level::Warn,
            text,
            Some(
                "the clock is steady, but this CPU shares its physical core with work you do not \
                 see (on a VM: another guest on the core's other hardware thread): code that \
                 issues several instructions a cycle, like tight compiled loops, runs at two \
                 speeds as that work comes and goes, and code that waits on each result does \
                 not; nothing on this machine stops it, and --wait-steady can only wait for \
                 that work to pause: CPU-bound figures near a claim's bound stay undecided \
                 here; let `concbench run --budget 20m` add samples, or use a machine with \
                 dedicated cores (SMT off on the host, or bare metal)",
            ),
        )
    } else {
        finding(
            "timing steadiness",
            Level::Warn,
            text,
            Some(
                "the machine itself runs at a varying speed (on a VM: the host's other guests); \
                 no run here can be steadier: `concbench run --wait-steady 30m` waits for a quiet \
                 spell before each block; read medians with their CIs; for CVs under 3%, use \
                 an idle bare-metal machine",
            ),
        )
    }];
    if s.cpus > 1 {
        let text = format!(
            "with all {} CPUs busy, each ran the loop at {:.0}% of its speed alone, CV {:.1}%",
            s.cpus,
            s.all_busy_speed * 100.0,
            s.all_busy_cv * 100.0
        );
        let unsteady = s.all_busy_cv > crate::machine::steadiness::UNSTEADY_CV;
        out.push(if s.all_busy_speed >= 0.9 && !unsteady {
            finding("all CPUs at once", Level::Ok, text, None)
        } else if s.all_busy_speed >= 0.9 {
            finding(
                "all CPUs at once",
                Level::Warn,
                text,
                Some(
                    "the CPUs vary when all are busy (on a VM: the host takes time from some \
                     vCPUs): models that use every CPU will vary at least this much; run \
                     with --wait-steady 30m to wait for a quiet spell, and read medians with \
                     their CIs",
                ),
            )
        } else {
            let ceiling = format!(
                "the CPUs share hardware (SMT siblings, or host cores shared with other guests): \
                 a speedup on {} CPUs tops out near {:.2}× here; read speedups against that",
                s.cpus,
                s.cpus as f64 * s.all_busy_speed
            );
            Finding {
                advice: Some(ceiling),
                ..finding("all CPUs at once", Level::Warn, text, None)
            }
        });
    }
    out
}

/// What the host took from the steadiness probe: steal in /proc/stat over the probe's busy
/// time, a second witness beside the probe's own timing.
fn host_steal(share: Option<f64>) -> Finding {
    let check = "host steal";
    match share {
        None => finding(
            check,
            Level::Ok,
            "the kernel counts no steal here (bare metal, or a hypervisor that does not report it)"
                .into(),
            None,
        ),
        Some(s) => {
            let text = format!(
                "while the probe ran, the host gave {:.1}% of the CPU time it asked for to other \
                 guests (steal in /proc/stat)",
                s * 100.0
            );
            if crate::machine::steadiness::notable_steal(Some(s)).is_none() {
                finding(check, Level::Ok, text, None)
            } else {
                finding(
                    check,
                    Level::Warn,
                    text,
                    Some(
                        "the host is busy with other guests: every run here is slowed unevenly; \
                         `concbench run --wait-steady 30m` waits for a quiet spell before each \
                         block, or run on a dedicated or bare-metal machine",
                    ),
                )
            }
        }
    }
}

/// CPU time of every process now: (pid, name, user + sys ticks).
fn cpu_ticks() -> Vec<(u32, String, u64)> {
    let Ok(dir) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let stat = fs::read_to_string(e.path().join("stat")).ok()?;
            let open = stat.find('(')?;
            let close = stat.rfind(')')?;
            let name = stat[open + 1..close].to_string();
            let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
            // Fields 14 and 15 (utime, stime) are at 11 and 12 after the name.
            let ticks =
                fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
            Some((pid, name, ticks))
        })
        .collect()
}

fn busy_processes(window: Duration) -> Finding {
    let before = cpu_ticks();
    std::thread::sleep(window);
    let after = cpu_ticks();
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    let me = std::process::id();
    let mut busy: Vec<(f64, u32, String)> = after
        .iter()
        .filter(|(pid, _, _)| *pid != me)
        .filter_map(|(pid, name, ticks)| {
            let (_, _, old) = before.iter().find(|(p, _, _)| p == pid)?;
            let share = (ticks - old.min(ticks)) as f64 / hz / window.as_secs_f64();
            (share > 0.05).then(|| (share, *pid, name.clone()))
        })
        .collect();
    busy.sort_by(|a, b| b.0.total_cmp(&a.0));
    if busy.is_empty() {
        return finding(
            "busy processes",
            Level::Ok,
            "none above 5% of a CPU".into(),
            None,
        );
    }
    let list: Vec<String> = busy
        .iter()
        .take(5)
        .map(|(share, pid, name)| format!("{name} (pid {pid}) {:.0}%", share * 100.0))
        .collect();
    finding(
        "busy processes",
        Level::Warn,
        list.join(", "),
        Some("stop them before measuring; they take CPU time from the runs"),
    )
}

fn cgroup() -> Vec<Finding> {
    let mut out = Vec::new();
    // cgroup v2 exposes the limits of our own group at the root of the mount.
    match read("/sys/fs/cgroup/cpu.max") {
        Some(max) if !max.starts_with("max") => {
            let mut parts = max.split_whitespace();
            let quota: f64 = parts.next().and_then(|q| q.parse().ok()).unwrap_or(0.0);
            let period: f64 = parts
                .next()
                .and_then(|p| p.parse().ok())
                .unwrap_or(100_000.0);
            out.push(finding(
                "cgroup CPU limit",
                Level::Warn,
                format!(
                    "a quota of {:.2} CPUs ({max}): runs that use more are throttled",
                    quota / period
                ),
                Some("run outside the limited container, or use --cpus no higher than the quota"),
            ));
        }
        Some(_) => out.push(finding("cgroup CPU limit", Level::Ok, "none".into(), None)),
        None => out.push(finding(
            "cgroup CPU limit",
            Level::Note,
            "no cgroup v2 cpu.max visible".into(),
            None,
        )),
    }
    match read("/sys/fs/cgroup/memory.max") {
        Some(max) if max != "max" => {
            let mib = max.parse::<u64>().unwrap_or(0) / 1024 / 1024;
            out.push(finding(
                "cgroup memory limit",
                Level::Note,
                format!("{mib} MiB: large spawn-idle and process counts may be killed by the OOM killer"),
                Some("keep --set sizes within it; the caps use available memory but not this limit"),
            ));
        }
        Some(_) => out.push(finding(
            "cgroup memory limit",
            Level::Ok,
            "none".into(),
            None,
        )),
        None => {}
    }
    out
}

fn limits() -> Vec<Finding> {
    let l = Limits::current();
    let threads = l.largest_safe(UnitKind::Thread);
    let processes = l.largest_safe(UnitKind::Process);
    let nproc = if l.max_user_processes == u64::MAX {
        "unlimited".to_string()
    } else {
        l.max_user_processes.to_string()
    };
    vec![
        finding(
            "thread and process limits",
            Level::Note,
            format!(
                "threads-max {}, ulimit -u {nproc}, pid_max {}, max_map_count {}, {} MiB available",
                l.threads_max,
                l.pid_max,
                l.max_map_count,
                l.mem_available_kb / 1024
            ),
            None,
        ),
        finding(
            "caps",
            Level::Note,
            format!(
                "at most {} threads per run (bound by {}) and {} processes (bound by {})",
                threads.largest, threads.limit, processes.largest, processes.limit
            ),
            Some("thread- and process-per-unit runs above these are refused; raise the binding limit to allow more"),
        ),
    ]
}

fn version_of(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string()
    })
}

fn toolchains() -> Vec<Finding> {
    [
        (
            "Go",
            "go",
            &["version"][..],
            "install Go 1.25 or newer, or pass --go PATH",
        ),
        (
            "Python",
            "python3",
            &["--version"][..],
            "install Python 3.10 or newer with venv, or pass --python PATH",
        ),
        (
            "Rust",
            "cargo",
            &["--version"][..],
            "install Rust with rustup",
        ),
    ]
    .iter()
    .map(
        |(name, program, args, hint)| match version_of(program, args) {
            Some(v) => finding(&format!("{name} toolchain"), Level::Ok, v, None),
            None => finding(
                &format!("{name} toolchain"),
                Level::Warn,
                format!("`{program}` not found on PATH: its models will be unavailable"),
                Some(hint),
            ),
        },
    )
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_process_is_found() {
        let mut spinner = Command::new("sh")
            .args(["-c", "while :; do :; done"])
            .spawn()
            .unwrap();
        let f = busy_processes(Duration::from_millis(400));
        spinner.kill().unwrap();
        spinner.wait().unwrap();
        assert_eq!(f.level, Level::Warn, "{f:?}");
        assert!(
            f.finding.contains(&format!("pid {}", spinner.id())),
            "{f:?}"
        );
    }

    fn probe_result(cv: f64, spread: f64, busy: f64) -> crate::machine::steadiness::Steadiness {
        crate::machine::steadiness::Steadiness {
            slices: 200,
            cv,
            slowest_over_fastest: spread,
            cpus: 2,
            all_busy_speed: busy,
            all_busy_cv: 0.0,
            latency_bound_cv: None,
        }
    }

    #[test]
    fn a_shared_core_is_told_apart_from_a_varying_clock() {
        let shared = crate::machine::steadiness::Steadiness {
            latency_bound_cv: Some(0.01),
            ..probe_result(0.25, 1.9, 1.0)
        };
        let f = &steadiness(shared)[0];
        assert_eq!(f.level, Level::Warn);
        assert!(
            f.finding.contains("latency-bound loop") && f.finding.contains("CV 1.0%"),
            "{f:?}"
        );
        assert!(
            f.advice
                .as_deref()
                .unwrap()
                .contains("shares its physical core"),
            "{f:?}"
        );
        let clock = crate::machine::steadiness::Steadiness {
            latency_bound_cv: Some(0.2),
            ..probe_result(0.25, 1.9, 1.0)
        };
        let f = &steadiness(clock)[0];
        assert!(
            f.advice.as_deref().unwrap().contains("varying speed"),
            "{f:?}"
        );
    }

    #[test]
    fn an_unsteady_machine_is_a_warning_with_advice() {
        let f = steadiness(probe_result(0.08, 1.9, 0.7));
        assert_eq!(f[0].level, Level::Warn, "{f:?}");
        assert!(f[0].finding.contains("CV 8.0%"), "{f:?}");
        assert_eq!(f[1].level, Level::Warn, "{f:?}");
        assert!(f[1].advice.as_deref().unwrap().contains("1.40×"), "{f:?}");
        let f = steadiness(probe_result(0.005, 1.05, 0.98));
        assert!(f.iter().all(|f| f.level == Level::Ok), "{f:?}");
    }

    #[test]
    fn a_host_that_steals_is_a_warning_with_advice() {
        let f = host_steal(Some(0.31));
        assert_eq!(f.level, Level::Warn, "{f:?}");
        assert!(f.finding.contains("31.0% of the CPU time"), "{f:?}");
        assert!(f.advice.unwrap().contains("--wait-steady"));
        assert_eq!(host_steal(Some(0.01)).level, Level::Ok);
        let none = host_steal(None);
        assert_eq!(none.level, Level::Ok);
        assert!(none.finding.contains("counts no steal"), "{none:?}");
    }

    #[test]
    fn every_check_reports() {
        let all = examine();
        for check in [
            "CPU governor",
            "turbo boost",
            "SMT (hyper-threading)",
            "load average",
            "busy processes",
            "timing steadiness",
            "host steal",
            "caps",
            "Rust toolchain",
        ] {
            assert!(all.iter().any(|f| f.check == check), "{check}");
        }
        assert!(
            all.iter()
                .all(|f| f.level != Level::Warn || f.advice.is_some()),
            "every warning says what to do"
        );
    }
}
