//! The I/O-bound path: a profile read from io-server. Of the pure-I/O (`cpu = 0`) and mixed
//! scenarios, the one whose measured server CPU per request is nearest the profile's, on the
//! CPUs nearest the profile's; per model, the run nearest the profile's I/O wait and
//! connections (closed loop, for the capacity), and an open-loop run at the profile's rate
//! where one was made (for the p99).

use super::checks::{
    capacity_check, caps_check, latency_check, memory_check, safety_check, saturated_latency_check,
};
use super::{
    choose_cpus, empty, extrapolate, factor, groups_of, median, mib, models_in, nearest,
    params_text, points_of, Advice, AdvicePath, Check, Constraint, Inputs, KeyFigures, Point, Row,
    NEAR,
};
use crate::analysis::findings::cpus_label;
use crate::analysis::profile::{num, Profile};
use crate::analysis::view::{cpu_ms_per_request, evidence, Group, ServerFigures};
use crate::catalogue::selection::Selection;
use crate::catalogue::{Lang, Workload};

use super::memory::{self, MemorySource};
use super::scenario::{Scenario, Stood};

/// One model's figures at the profile's point.
struct Reading<'a> {
    /// The closed-loop run the row stands on.
    point: Point<'a>,
    /// The open-loop run at the profile's rate, if one was made.
    open: Option<Point<'a>>,
    /// `point`'s connections.
    conns: u64,
    /// Requests per second, from `point`.
    rps: f64,
    /// p99, ms: from `open` when there is one, else from `point`.
    p99_ms: f64,
    /// The memory the profile's connections need, bytes, when measured.
    need: Option<f64>,
    /// How `need` was reckoned, in words.
    how: String,
}

/// The advice for an I/O-bound profile.
pub(super) fn io_advice(profile: &Profile, inputs: &Inputs) -> Advice {
    let mut advice = empty(profile, AdvicePath::IoServer, &["io-server"]);
    let Some(workload) = inputs.catalogue.workload("io-server") else {
        return advice;
    };
    let all = groups_of(inputs.analysis, "io-server");
    let Some(scenario) = choose_scenario(profile, inputs, &all) else {
        advice.missing = Some("this results file has no valid io-server run".into());
        advice
            .commands
            .push(Selection::measure(vec!["io-server".into()]));
        memory::without_io_server(profile, inputs, workload, &mut advice);
        return advice;
    };
    advice.basis = format!(
        "io-server, {} scenario, {}: the scenario whose server CPU per request \
         ({} ms, median of its runs) is nearest the profile's {} ms",
        scenario.name(),
        cpus_label(
            scenario.cpus,
            scenario.pinned,
            scenario.groups.first().and_then(|g| g.server_cpus)
        ),
        num(scenario.cost),
        num(profile.cpu_ms)
    );
    advice.memory_from = Some(MemorySource::PerConnection);
    let (models, left_out) = models_in(&scenario.groups, profile);
    advice.left_out = left_out;
    let mut stood = Stood::default();
    for (model, lang) in &models {
        if let Some(row) = io_row(
            profile, inputs, workload, &scenario, model, *lang, &mut stood,
        ) {
            advice.rows.push(row);
        }
    }
    extrapolate::io(
        profile,
        inputs,
        workload,
        &scenario,
        &models,
        stood,
        &mut advice,
    );
    advice
}

/// The CPUs nearest the profile's, then of the pure-I/O and mixed scenarios there, the one
/// whose server CPU per request is nearest the profile's; `None` when no run is valid.
fn choose_scenario<'a>(
    profile: &Profile,
    inputs: &Inputs,
    all: &[&'a Group],
) -> Option<Scenario<'a>> {
    let (cpus, pinned) = choose_cpus(all, profile.cpus)?;
    let at_cpus: Vec<&Group> = all
        .iter()
        .copied()
        .filter(|g| g.cpus == cpus && g.pinned == pinned)
        .collect();
    let of =
        |g: &&Group, scenario: &str| g.scenario.get("cpu").map(String::as_str) == Some(scenario);
    let cost = |scenario: &str| -> Option<f64> {
        median(
            at_cpus
                .iter()
                .filter(|g| of(g, scenario))
                .flat_map(|g| g.ranking.iter())
                .filter_map(|r| cpu_ms_per_request(inputs.file, r.evidence.run))
                .collect(),
        )
    };
    let (cpu, cost) = ["0", ">0"]
        .into_iter()
        .filter_map(|s| Some((s, cost(s)?)))
        .min_by(|a, b| {
            (a.1 - profile.cpu_ms)
                .abs()
                .total_cmp(&(b.1 - profile.cpu_ms).abs())
        })
        .expect("a group at these CPUs has a scenario");
    let groups = at_cpus.iter().copied().filter(|g| of(g, cpu)).collect();
    Some(Scenario {
        cpus,
        pinned,
        at_cpus,
        groups,
        cpu,
        cost,
    })
}

/// One model's row, read at the profile's point; `None` when the model has no server run
/// there.
fn io_row(
    profile: &Profile,
    inputs: &Inputs,
    workload: &Workload,
    scenario: &Scenario,
    model: &str,
    lang: Lang,
    stood: &mut Stood,
) -> Option<Row> {
    let file = inputs.file;
    let reading = read(profile, inputs, scenario, model, stood)?;
    let checks = io_checks(profile, inputs, workload, model, lang, &reading);
    stood.unmeasured_latency |= checks
        .iter()
        .any(|c| c.constraint == Constraint::Latency && c.ok.is_none());
    let run = reading.point.run();
    let e = evidence(file, run);
    let mut source = format!("io-server run {run}: {}", params_text(&e));
    let mut evidences = vec![e];
    if let Some(l) = reading.open.map(|o| o.run()) {
        let e = evidence(file, l);
        source.push_str(&format!("; p99 from run {l}: {}", params_text(&e)));
        evidences.push(e);
    }
    let figures = KeyFigures {
        throughput: Some(reading.rps),
        p99_ms: Some(reading.p99_ms),
        memory_bytes: reading.need,
        cpu_ms_per_unit: cpu_ms_per_request(file, run),
    };
    Some(Row {
        source,
        evidence: evidences,
        throughput_runs: vec![(run, 1.0)],
        ..Row::judged(model, lang, checks, Some(reading.rps), figures)
    })
}

/// Reads `model`'s figures at the profile's point, noting in `stood` what it stood on.
fn read<'a>(
    profile: &Profile,
    inputs: &Inputs<'a>,
    scenario: &Scenario<'a>,
    model: &str,
    stood: &mut Stood,
) -> Option<Reading<'a>> {
    let n = profile.concurrency;
    let points = points_of(&scenario.groups, model);
    stood
        .measured
        .extend(points.iter().filter_map(|p| p.param("connections")));
    let (point, open) = points_at(profile, &points)?;
    let conns = point.param("connections").unwrap_or(0);
    stood.connections.push(conns);
    stood.delays.extend(point.param("delay_us"));
    stood.requests.extend(point.param("requests"));
    let server = inputs.analysis.runs[point.run()].server?;
    // No open-loop run at the profile's rate: one at a lower rate stands for it while the
    // profile's rate is at most half this model's closed-loop capacity (where the suite's own
    // open loop offers the slowest model), since below that the queue stays short.
    let open = open.or_else(|| {
        let light = profile
            .rate
            .is_none_or(|rate| rate <= LIGHT_LOAD * server.rps.value);
        light.then(|| any_open_point(&points, n)).flatten()
    });
    let p99_ms = open
        .and_then(|o| inputs.analysis.runs[o.run()].server)
        .map_or(server.p99_us / 1000.0, |s| s.p99_us / 1000.0);
    let (need, how) = server_memory(inputs, point.run(), &server, conns, n);
    Some(Reading {
        point,
        open,
        conns,
        rps: server.rps.value,
        p99_ms,
        need,
        how,
    })
}

/// The run a model stands on — nearest the profile's I/O wait, then nearest its
/// connections, closed loop first — and, with a rate, the open-loop run that gives its p99.
fn points_at<'a>(
    profile: &Profile,
    points: &[Point<'a>],
) -> Option<(Point<'a>, Option<Point<'a>>)> {
    let n = profile.concurrency;
    let want_delay = profile.io_ms * 1000.0;
    let delay_factor = |p: &Point| factor(p.param("delay_us").unwrap_or(0) as f64, want_delay);
    let best_delay = points
        .iter()
        .map(delay_factor)
        .fold(f64::INFINITY, f64::min);
    let candidates: Vec<Point> = points
        .iter()
        .copied()
        .filter(|p| delay_factor(p) == best_delay)
        .collect();
    let closed: Vec<Point> = candidates
        .iter()
        .copied()
        .filter(|p| p.param("rate") == Some(0))
        .collect();
    let pool = if closed.is_empty() {
        candidates.clone()
    } else {
        closed
    };
    let point = nearest(&pool, "connections", n as f64)?;
    let open = profile
        .rate
        .and_then(|rate| open_loop_point(&candidates, n, rate));
    Some((point, open))
}

/// The open-loop run that measures the p99 at the profile's `rate`: one offered at least that
/// rate (a higher one is the cautious side) and at most [`NEAR`]× above it, nearest the
/// profile's connections, then nearest its rate.
fn open_loop_point<'a>(points: &[Point<'a>], conns: u64, rate: f64) -> Option<Point<'a>> {
    let offered: Vec<Point> = points
        .iter()
        .copied()
        .filter(|p| {
            let r = p.param("rate").unwrap_or(0) as f64;
            r > 0.0 && r >= rate && r <= rate * NEAR
        })
        .collect();
    let near = nearest(&offered, "connections", conns as f64)?;
    let c = near.param("connections");
    let same: Vec<Point> = offered
        .into_iter()
        .filter(|p| p.param("connections") == c)
        .collect();
    nearest(&same, "rate", rate)
}

/// The share of a model's closed-loop capacity under which an open-loop p99 measured at a
/// lower rate stands for the profile's: the share the suite's `rate = "auto"` offers.
const LIGHT_LOAD: f64 = 0.5;

/// Any open-loop run of the model: nearest the profile's connections, then the highest rate.
fn any_open_point<'a>(points: &[Point<'a>], conns: u64) -> Option<Point<'a>> {
    let open: Vec<Point> = points
        .iter()
        .copied()
        .filter(|p| p.param("rate").unwrap_or(0) > 0)
        .collect();
    let near = nearest(&open, "connections", conns as f64)?;
    open.into_iter()
        .filter(|p| p.param("connections") == near.param("connections"))
        .max_by_key(|p| p.param("rate").unwrap_or(0))
}

/// The memory `n` connections need: the server's as measured under load at `conns`, plus
/// each connection beyond those it had; and how that was reckoned, in words.
fn server_memory(
    inputs: &Inputs,
    run: usize,
    server: &ServerFigures,
    conns: u64,
    n: u64,
) -> (Option<f64>, String) {
    let rss_kb = inputs.file.runs[run].summary.metrics.get("rss_kb").copied();
    let extra = n.saturating_sub(conns) as f64;
    let need = match (rss_kb, server.mem_per_conn_bytes) {
        (Some(rss), _) if extra == 0.0 => Some(rss as f64 * 1024.0),
        (Some(rss), Some(per)) => Some(rss as f64 * 1024.0 + per * extra),
        _ => None,
    };
    let how = match (rss_kb, server.mem_per_conn_bytes) {
        (Some(rss), Some(per)) if extra > 0.0 => format!(
            "server {} at {conns} connections + {} × {} more",
            mib(rss as f64 * 1024.0),
            mib(per),
            extra as u64
        ),
        (Some(rss), _) if extra == 0.0 => {
            format!("server {} at {conns} connections", mib(rss as f64 * 1024.0))
        }
        _ => "no memory per connection for this run".into(),
    };
    (need, how)
}

/// The model's checks against every target the profile sets.
fn io_checks(
    profile: &Profile,
    inputs: &Inputs,
    workload: &Workload,
    model: &str,
    lang: Lang,
    r: &Reading,
) -> Vec<Check> {
    let mut checks = Vec::new();
    if let Some(budget) = profile.memory_mb {
        checks.push(memory_check(r.need, budget, &r.how));
    }
    if let Some(rate) = profile.rate {
        let from = format!("at connections={}", r.conns);
        checks.push(capacity_check(r.rps, rate, "req", &from));
    }
    if let Some(target) = profile.p99_ms {
        checks.push(match r.open {
            Some(o) => {
                let offered = o.param("rate").unwrap_or(0);
                let below = match profile.rate {
                    Some(rate) if (offered as f64) < rate => format!(
                        " (your {}/s is at most half this model's closed-loop {} req/s: \
                         the queue stays short)",
                        num(rate),
                        r.rps.round()
                    ),
                    _ => String::new(),
                };
                latency_check(
                    r.p99_ms,
                    target,
                    &format!(
                        "p99 at {offered} req/s offered (open loop), {} connections{below}",
                        o.param("connections").unwrap_or(0)
                    ),
                )
            }
            None => saturated_latency_check(r.p99_ms, target, r.conns, r.rps, profile.rate),
        });
    }
    checks.extend(caps_check(
        workload,
        model,
        "connections",
        profile.concurrency,
        inputs.limits,
    ));
    if profile.safety_critical {
        checks.push(safety_check(inputs.models, lang));
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::super::checks::check;
    use crate::analysis::advice::tests::{advise_on, at_100_connections, gateway_runs, open_loop};
    use crate::analysis::advice::Constraint;
    use crate::fixtures::server;

    #[test]
    fn an_open_loop_run_at_the_profiles_rate_gives_the_p99() {
        let p = at_100_connections(4000.0, 15.0);
        let mut runs = gateway_runs();
        // At 5,000/s offered, rust-threads answers within 6 ms; at 20,000/s it would not, and
        // that run is too far from the profile's rate to be read.
        let open = runs.len();
        runs.push(open_loop(
            server("rust-threads", 0, 100, 5_000, 6_000, 5_000, 64 * 1024, 1),
            5_000,
        ));
        runs.push(open_loop(
            server("rust-threads", 0, 100, 9_000, 90_000, 5_000, 64 * 1024, 1),
            20_000,
        ));
        let (file, a) = advise_on(runs, &p);
        let threads = a.rows.iter().find(|r| r.model == "rust-threads").unwrap();
        assert!(threads.feasible, "{threads:?}");
        assert_eq!(threads.figures.p99_ms, Some(6.0));
        // Capacity still comes from the closed loop; the p99 from the open-loop run.
        assert_eq!(threads.figures.throughput, Some(12_000.0));
        assert_eq!(threads.evidence.len(), 2);
        assert_eq!(file.runs[threads.evidence[1].run].params["rate"], 5_000);
        assert_eq!(
            file.runs[threads.evidence[1].run].summary.metrics["p99_us"],
            6_000
        );
        assert_eq!(threads.evidence[1].run, open);
        let latency = check(threads, Constraint::Latency).unwrap();
        assert!(
            latency
                .text
                .starts_with("p99 at 5000 req/s offered (open loop)"),
            "{}",
            latency.text
        );
        // py-asyncio's 20 ms was closed loop: it alone is left to measure at the rate.
        let undecided: Vec<&str> = a
            .rows
            .iter()
            .filter(|r| r.undecided())
            .map(|r| r.model.as_str())
            .collect();
        assert_eq!(undecided, ["py-asyncio"]);
    }
}
