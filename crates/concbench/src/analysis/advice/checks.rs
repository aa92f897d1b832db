//! Each model against each target the profile sets: memory, capacity, latency, this
//! machine's caps and safety, as [`Check`]s; and a row's verdict from its checks.

use super::{mib, rate_text, Check, Constraint, Row};
use crate::analysis::profile::num;
use crate::catalogue::models::{ModelTable, SafetyClass};
use crate::catalogue::{Lang, Workload};
use crate::machine::limits::Limits;

/// A model's safety check, when the profile is safety-critical.
pub(super) fn safety_check(models: &ModelTable, lang: Lang) -> Check {
    let class = models.safety_class(lang);
    let ok = matches!(class, SafetyClass::Prevented | SafetyClass::Detected);
    Check {
        constraint: Constraint::Safety,
        ok: Some(ok),
        headroom: None,
        text: format!("{lang}: unsynchronised writes are {}", class.label()),
    }
}

/// The cap check of a model that creates one thread or process per unit of `param`.
pub(super) fn caps_check(
    workload: &Workload,
    model: &str,
    param: &str,
    n: u64,
    limits: &Limits,
) -> Option<Check> {
    let cap = workload
        .model(model)?
        .caps
        .iter()
        .find(|c| c.param == param)?;
    let safe = limits.largest_safe(cap.per);
    let kind = match cap.per {
        crate::catalogue::UnitKind::Thread => "threads",
        crate::catalogue::UnitKind::Process => "processes",
    };
    Some(Check {
        constraint: Constraint::Caps,
        ok: Some(n <= safe.largest),
        headroom: Some(safe.largest as f64 / n.max(1) as f64),
        text: format!(
            "{n} units are {n} {kind}; this machine allows {} (bound by {})",
            safe.largest, safe.limit
        ),
    })
}

/// A capacity check: `have` per second measured (`from` says where) against the rate needed.
pub(super) fn capacity_check(have: f64, rate: f64, unit: &str, from: &str) -> Check {
    Check {
        constraint: Constraint::Capacity,
        ok: Some(have >= rate),
        headroom: Some(have / rate),
        text: format!(
            "{} {unit}/s measured {from} against {}/s needed",
            rate_text(have),
            num(rate)
        ),
    }
}

/// A latency check: `have_ms` (`what` says which figure) against the target.
pub(super) fn latency_check(have_ms: f64, target_ms: f64, what: &str) -> Check {
    Check {
        constraint: Constraint::Latency,
        ok: Some(have_ms <= target_ms),
        headroom: Some(target_ms / have_ms.max(1e-9)),
        text: format!(
            "{what} {} ms against a target of {} ms",
            num(have_ms),
            num(target_ms)
        ),
    }
}

/// The latency check from a closed-loop run, whose load saturates the server: each of its
/// `conns` connections sends again as soon as it has an answer, so its p99 is mostly the queue
/// that load builds (about connections ÷ req/s), not the latency at the profile's rate. A p99
/// that meets the target even so meets it at any lower rate; one that misses it decides
/// nothing, and an open-loop run at the profile's rate must measure it.
pub(super) fn saturated_latency_check(
    have_ms: f64,
    target_ms: f64,
    conns: u64,
    rps: f64,
    rate: Option<f64>,
) -> Check {
    let what = format!("p99 at {conns} connections, closed loop (the server saturated)");
    let Some(rate) = rate.filter(|_| have_ms > target_ms) else {
        return latency_check(have_ms, target_ms, &what);
    };
    Check {
        constraint: Constraint::Latency,
        ok: None,
        headroom: None,
        text: format!(
            "not measured at {}/s: the {what} was {} ms, about the queue its own load builds \
             ({conns} connections ÷ {} req/s = {} ms), not the latency at your rate; an \
             open-loop run at that rate measures it",
            num(rate),
            num(have_ms),
            rate_text(rps),
            num(conns as f64 / rps.max(1e-9) * 1000.0)
        ),
    }
}

/// A memory check: the need (`None`: not measured), against the budget; `how` says how the
/// need was reckoned.
pub(super) fn memory_check(need: Option<f64>, budget_mb: f64, how: &str) -> Check {
    let budget = budget_mb * 1024.0 * 1024.0;
    match need {
        Some(need) => Check {
            constraint: Constraint::Memory,
            ok: Some(need <= budget),
            headroom: Some(budget / need.max(1.0)),
            text: format!("needs {} ({how}) of a {} budget", mib(need), mib(budget)),
        },
        None => Check {
            constraint: Constraint::Memory,
            ok: None,
            headroom: None,
            text: format!("not measured: {how}"),
        },
    }
}

/// A row's standing, from its checks.
pub(super) struct Judgement {
    /// True when it meets every target.
    pub feasible: bool,
    /// The tightest constraint (feasible), the one it fails, or the first not measured.
    pub binding: Constraint,
    /// Its headroom on the binding constraint.
    pub headroom: Option<f64>,
    /// What it is ranked by.
    pub score: Option<f64>,
    /// Why it stands where it does.
    pub reasons: Vec<String>,
}

/// Decides a row from its checks: feasible or not, the binding constraint, its headroom.
pub(super) fn judge(checks: &[Check], throughput: Option<f64>) -> Judgement {
    let failed: Vec<&Check> = checks.iter().filter(|c| c.ok == Some(false)).collect();
    let unknown: Vec<&Check> = checks.iter().filter(|c| c.ok.is_none()).collect();
    let tightest = |cs: &[&Check]| -> Option<Check> {
        cs.iter()
            .min_by(|a, b| {
                let h = |c: &Check| c.headroom.unwrap_or(0.0);
                h(a).total_cmp(&h(b))
            })
            .map(|c| (*c).clone())
    };
    let reason = |c: &Check| format!("{}: {}", c.constraint.label(), c.text);
    if !failed.is_empty() {
        // Safety cannot be bought with headroom: it binds first.
        let binding = failed
            .iter()
            .find(|c| c.constraint == Constraint::Safety)
            .map(|c| (*c).clone())
            .or_else(|| tightest(&failed))
            .expect("a failed check");
        return Judgement {
            feasible: false,
            binding: binding.constraint,
            headroom: binding.headroom,
            score: binding.headroom,
            reasons: failed
                .iter()
                .chain(unknown.iter())
                .map(|c| reason(c))
                .collect(),
        };
    }
    if let Some(u) = unknown.first() {
        // Ranked among the undecided by the tightest target it does meet.
        let known: Vec<&Check> = checks.iter().filter(|c| c.headroom.is_some()).collect();
        return Judgement {
            feasible: false,
            binding: u.constraint,
            headroom: None,
            score: tightest(&known).and_then(|c| c.headroom),
            reasons: unknown.iter().map(|c| reason(c)).collect(),
        };
    }
    let with_headroom: Vec<&Check> = checks.iter().filter(|c| c.headroom.is_some()).collect();
    // The caps gate a model but are no target of the user's: alone, they rank nothing.
    let targets = with_headroom
        .iter()
        .any(|c| c.constraint != Constraint::Caps);
    match tightest(&with_headroom).filter(|_| targets) {
        Some(b) => Judgement {
            feasible: true,
            binding: b.constraint,
            headroom: b.headroom,
            score: b.headroom,
            reasons: vec![reason(&b)],
        },
        None => Judgement {
            feasible: true,
            binding: Constraint::Throughput,
            headroom: None,
            score: throughput,
            reasons: vec!["no target set: ranked by throughput".into()],
        },
    }
}

/// Whether the row fails a measured target (not merely lacks a measurement).
pub(super) fn fails(r: &Row) -> bool {
    r.checks.iter().any(|c| c.ok == Some(false))
}

/// The row's check of constraint `c`, if it was checked.
pub(super) fn check(r: &Row, c: Constraint) -> Option<&Check> {
    r.checks.iter().find(|k| k.constraint == c)
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::analysis::advice::tests::{advise_on, at_100_connections, gateway_runs, profile};
    use crate::analysis::advice::Constraint;
    use crate::catalogue::Lang;
    use crate::fixtures::server;

    #[test]
    fn a_memory_budget_makes_the_fastest_model_infeasible() {
        let p = profile(|i| {
            i.concurrency = Some(1000.0);
            i.io_ms = Some(1.0);
            i.rate = Some(4000.0);
            i.memory_mb = Some(40.0);
        });
        let (_, a) = advise_on(gateway_runs(), &p);
        let threads = a.rows.iter().find(|r| r.model == "rust-threads").unwrap();
        // 5,000 KiB + 64 KiB × 900 more connections ≈ 61 MiB > 40 MiB.
        assert!(!threads.feasible);
        assert_eq!(threads.binding, Constraint::Memory);
        let need = 5_000.0 * 1024.0 + 64.0 * 1024.0 * 900.0;
        assert_eq!(threads.figures.memory_bytes, Some(need));
        assert!((threads.headroom.unwrap() - 40.0 * 1024.0 * 1024.0 / need).abs() < 1e-12);
        assert!(
            threads.reasons[0].starts_with("memory: needs"),
            "{:?}",
            threads.reasons
        );
        assert_eq!(a.rows[0].model, "rust-tokio");
        assert!(
            a.rows
                .iter()
                .position(|r| r.model == "rust-threads")
                .unwrap()
                > a.rows.iter().rposition(|r| r.feasible).unwrap()
        );
        // 1000 connections against 100 measured: said, with the run that measures it.
        assert_eq!(a.extrapolations.len(), 1);
        assert_eq!(a.extrapolations[0].stands_on, "connections=100");
        assert_eq!(
            a.commands[0].to_string(),
            "concbench run --suite quick --workloads io-server --set io-server.connections=1000"
        );
    }

    #[test]
    fn a_saturated_closed_loop_p99_decides_no_latency_target() {
        // Closed loop at 100 connections: rust-threads' 40 ms p99 is the queue its own load
        // builds. It meets the rate with room, so its p99 at 4,000/s is simply not measured.
        let p = profile(|i| {
            i.concurrency = Some(100.0);
            i.io_ms = Some(1.0);
            i.rate = Some(4000.0);
            i.p99_ms = Some(15.0);
            i.memory_mb = Some(1.0);
        });
        let (_, a) = advise_on(gateway_runs(), &p);
        // A measured failure (the 1 MiB budget) is a failure, whatever latency would say.
        assert!(a.rows.iter().all(|r| !r.feasible && !r.undecided()));
        let p = at_100_connections(4000.0, 15.0);
        let mut runs = gateway_runs();
        // py-asyncio misses the rate: a measured failure ranks below the undecided.
        runs[3] = server("py-asyncio", 0, 100, 3_000, 20_000, 25_000, 2 * 1024, 1);
        let (_, a) = advise_on(runs, &p);
        let threads = a.rows.iter().find(|r| r.model == "rust-threads").unwrap();
        let latency = check(threads, Constraint::Latency).unwrap();
        assert_eq!(latency.ok, None, "{latency:?}");
        assert!(
            latency
                .text
                .contains("100 connections ÷ 12000 req/s = 8.333 ms"),
            "{}",
            latency.text
        );
        assert!(threads.undecided());
        let order: Vec<&str> = a.rows.iter().map(|r| r.model.as_str()).collect();
        assert_eq!(
            order,
            ["rust-tokio", "go-net-http", "rust-threads", "py-asyncio"]
        );
        // Measured again open loop at the profile's rate, on the same connections.
        let open = a
            .commands
            .iter()
            .find(|c| c.sets.iter().any(|s| s.param == "rate"))
            .expect("an open-loop command");
        assert_eq!(
            open.to_string(),
            "concbench run --suite quick --workloads io-server --set io-server.connections=100 \
             --set io-server.rate=4000"
        );
        // The closed-loop runs are measured too, at the same point, so the new file answers
        // on its own.
        assert_eq!(
            a.commands[0].to_string(),
            "concbench run --suite quick --workloads io-server --set io-server.connections=100"
        );
        // Nothing is shown to fit when the best has an unmeasured target.
        let p = at_100_connections(4000.0, 5.0);
        let (_, a) = advise_on(gateway_runs(), &p);
        assert!(a.rows.iter().all(|r| r.undecided()), "{:?}", a.rows);
        assert!(
            a.recommendation[0].starts_with("No model is shown to meet this profile yet."),
            "{:?}",
            a.recommendation
        );
        // Every saturated p99 within the target: decided, and nothing left to measure.
        let (_, a) = advise_on(gateway_runs(), &at_100_connections(4000.0, 50.0));
        assert!(a.rows.iter().all(|r| r.feasible), "{:?}", a.rows);
        assert!(a.commands.is_empty(), "{:?}", a.commands);
    }

    #[test]
    fn safety_critical_keeps_only_prevented_or_detected_languages() {
        let p = profile(|i| {
            i.concurrency = Some(100.0);
            i.io_ms = Some(1.0);
            i.safety_critical = Some(true);
        });
        let (_, a) = advise_on(gateway_runs(), &p);
        let py = a.rows.iter().find(|r| r.model == "py-asyncio").unwrap();
        assert!(!py.feasible && py.binding == Constraint::Safety, "{py:?}");
        assert!(a
            .rows
            .iter()
            .filter(|r| r.lang != Lang::Python)
            .all(|r| r.feasible));
    }

    #[test]
    fn a_thread_per_connection_model_above_the_cap_is_infeasible() {
        let p = profile(|i| {
            i.concurrency = Some(100_000.0);
            i.io_ms = Some(1.0);
        });
        let (_, a) = advise_on(gateway_runs(), &p);
        let t = a.rows.iter().find(|r| r.model == "rust-threads").unwrap();
        assert!(!t.feasible && t.binding == Constraint::Caps, "{t:?}");
        assert!(a
            .rows
            .iter()
            .filter(|r| r.model != "rust-threads")
            .all(|r| r.feasible));
    }
}
