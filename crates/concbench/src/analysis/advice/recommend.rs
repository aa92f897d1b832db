//! The rows in order, and the recommendation in words: the choice, the runner-up, and what
//! would change them.

use super::checks::{check, fails};
use super::{mib, Advice, AdvicePath, Check, Constraint, Inputs, MemorySource, Row};
use crate::analysis::profile::{num, Profile};
use crate::analysis::view::{self, ratio_words, Estimate};
use crate::stats;

/// Headrooms within this factor of each other are a tie, decided by efficiency: a few
/// percent of headroom is within the noise of the figures behind it.
const TIE: f64 = 1.05;

/// Feasible rows by headroom on their binding constraint, ties (within [`TIE`]) by CPU per
/// unit, then memory; then the infeasible ones, nearest to feasible first.
pub(super) fn rank(rows: &mut Vec<Row>) {
    let score = |r: &Row| r.score.unwrap_or(0.0);
    let (mut good, mut bad): (Vec<Row>, Vec<Row>) = rows.drain(..).partition(|r| r.feasible);
    good.sort_by(|a, b| score(b).total_cmp(&score(a)));
    // Tiers: the best remaining opens one; the next joins while within TIE of the opener.
    let mut ordered: Vec<Row> = Vec::new();
    let mut i = 0;
    while i < good.len() {
        let top = score(&good[i]);
        let mut j = i;
        while j < good.len() && score(&good[j]) * TIE >= top {
            j += 1;
        }
        let mut tier: Vec<Row> = good[i..j].to_vec();
        let eff = |r: &Row| {
            (
                r.figures.cpu_ms_per_unit.unwrap_or(f64::INFINITY),
                r.figures.memory_bytes.unwrap_or(f64::INFINITY),
            )
        };
        tier.sort_by(|a, b| {
            let (x, y) = (eff(a), eff(b));
            x.0.total_cmp(&y.0).then(x.1.total_cmp(&y.1))
        });
        ordered.extend(tier);
        i = j;
    }
    // Infeasible: those that meet every measured target (one is unmeasured) first, as they may
    // still qualify; then measured failures; safety last (no headroom helps).
    bad.sort_by(|a, b| {
        let key = |r: &Row| {
            (
                r.binding == Constraint::Safety,
                fails(r),
                -r.score.unwrap_or(0.0),
            )
        };
        let (x, y) = (key(a), key(b));
        x.0.cmp(&y.0).then(x.1.cmp(&y.1)).then(x.2.total_cmp(&y.2))
    });
    ordered.extend(bad);
    for (k, r) in ordered.iter_mut().enumerate() {
        r.rank = k + 1;
    }
    *rows = ordered;
}

/// Marks each feasible row whose throughput is tied with every row of the tier above it, and
/// gives it their rank: all rank on throughput (no target, or a rate), and the interval of
/// the ratio of each pair's throughputs holds 1 (or cannot decide), by the view's rule.
///
/// A throughput made of two runs' times (a job: handing it to the pool, plus computing it)
/// is tied when the weighted interval holds 1: the ratio of the two sums lies between the
/// parts' ratios weighted by the row above's parts, so its interval is the weighted sum of
/// the parts' intervals, at a level of at least the sum of theirs less one.
pub(super) fn mark_ties(rows: &mut [Row], inputs: &Inputs) {
    let on_throughput =
        |r: &Row| r.feasible && matches!(r.binding, Constraint::Throughput | Constraint::Capacity);
    let tied = |a: &Row, b: &Row| -> Option<Estimate> {
        let r = throughput_ratio(a, b, inputs)?;
        (!r.decides() || stats::difference(&r.interval()) == stats::Difference::Tie).then_some(r)
    };
    // As the view's tiers: a row joins the tier above only when tied with every member of
    // it, so that ties do not chain from a model to one clearly behind it.
    let mut tier_start = 0;
    for k in 1..rows.len() {
        let joins = on_throughput(&rows[k])
            && (tier_start..k)
                .all(|t| on_throughput(&rows[t]) && tied(&rows[t], &rows[k]).is_some());
        if joins {
            rows[k].tied_with_above = tied(&rows[k - 1], &rows[k]);
            rows[k].rank = rows[k - 1].rank;
        } else {
            tier_start = k;
        }
    }
}

/// The row above's time per unit over `row`'s, from the runs their throughputs are made of,
/// part by part in the same comparison group; `None` where the parts do not match.
fn throughput_ratio(above: &Row, row: &Row, inputs: &Inputs) -> Option<Estimate> {
    let (a, b) = (&above.throughput_runs, &row.throughput_runs);
    if a.is_empty() || a.len() != b.len() {
        return None;
    }
    let total: f64 = a.iter().map(|(_, w)| w).sum();
    if total <= 0.0 {
        return None;
    }
    let mut out = Estimate {
        value: 0.0,
        ci95_low: 0.0,
        ci95_high: 0.0,
        level: 1.0 - a.len() as f64,
    };
    for (&(i, w), &(j, _)) in a.iter().zip(b) {
        let (ri, rj) = (&inputs.file.runs[i], &inputs.file.runs[j]);
        let workload = inputs.catalogue.workload(&ri.workload)?;
        if ri.workload != rj.workload
            || view::group_key(workload, ri) != view::group_key(workload, rj)
        {
            return None;
        }
        // Above 1: `row`'s part is the worse; as a ratio of times (the inverse for a server's
        // requests per second, which the group orients the same way).
        let part = view::group_ratio(workload, inputs.file, i, j)?;
        let share = w / total;
        out.value += share * part.value;
        out.ci95_low += share * part.ci95_low;
        out.ci95_high += share * part.ci95_high;
        out.level += part.level;
    }
    out.level = out.level.max(0.0);
    Some(out)
}

/// A headroom as tables show it: `1.25×`, or `—`.
fn headroom_text(h: Option<f64>) -> String {
    h.map_or("—".into(), |h| format!("{:.2}×", h))
}

/// The targets on which the runner-up beats the winner, as the change of target that would
/// reverse them.
fn what_would_change(w: &Row, r: &Row, profile: &Profile) -> Option<String> {
    let f = (&w.figures, &r.figures);
    let mut options: Vec<(f64, String)> = Vec::new();
    if let (Some(a), Some(b)) = (f.0.p99_ms, f.1.p99_ms) {
        if b < a {
            options.push((
                a / b,
                format!(
                    "a p99 target below {} ms (the winner's) would leave {} ahead, with {} ms",
                    num(round3(a)),
                    r.model,
                    num(round3(b))
                ),
            ));
        }
    }
    if let (Some(a), Some(b)) = (f.0.memory_bytes, f.1.memory_bytes) {
        if b < a {
            options.push((
                a / b,
                format!(
                    "a memory budget below {} would leave {} ahead, needing {}",
                    mib(a),
                    r.model,
                    mib(b)
                ),
            ));
        }
    }
    if let (Some(a), Some(b)) = (f.0.throughput, f.1.throughput) {
        if b > a {
            let unit = if profile.io_bound() { "req" } else { "jobs" };
            options.push((
                b / a,
                format!(
                    "a rate above {} {unit}/s (the winner's most) would leave {} ahead, with {}",
                    num(a.round()),
                    r.model,
                    num(b.round())
                ),
            ));
        }
    }
    options
        .into_iter()
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, s)| s)
}

/// `x` to three decimals, as a latency reads.
fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// What relaxing the failed target to the measured figure would take.
fn relax(row: &Row, profile: &Profile) -> String {
    match row.binding {
        Constraint::Memory => row
            .figures
            .memory_bytes
            .map_or("a memory figure for it (measure it)".into(), |b| {
                format!("--memory-mb {} or more", (b / 1024.0 / 1024.0).ceil())
            }),
        Constraint::Capacity => row
            .figures
            .throughput
            .map_or("a throughput figure".into(), |t| {
                format!("--rate {} or less", num(t.floor()))
            }),
        Constraint::Latency => row.figures.p99_ms.map_or("a latency figure".into(), |p| {
            format!("--p99-ms {} or more", num(p.ceil()))
        }),
        Constraint::Caps => {
            let largest = row
                .headroom
                .map(|h| (h * profile.concurrency as f64).floor())
                .unwrap_or(0.0);
            format!(
                "--concurrency {} or less, or higher limits (concbench doctor)",
                num(largest)
            )
        }
        Constraint::Safety => "dropping --safety-critical".into(),
        Constraint::Throughput => String::new(),
    }
}

/// Two or three sentences: the choice, the runner-up, what would change it.
pub(super) fn recommend(profile: &Profile, advice: &Advice) -> Vec<String> {
    let rows = &advice.rows;
    let Some(first) = rows.first() else {
        return advice
            .missing
            .iter()
            .map(|m| format!("No advice: {m}."))
            .collect();
    };
    let mut out = if first.feasible {
        choice(profile, rows)
    } else if first.undecided() {
        undecided(rows)
    } else {
        nearest_miss(profile, first)
    };
    if advice.memory_from == Some(MemorySource::PerUnit) && advice.path == AdvicePath::IoServer {
        out.push(
            "Only memory, caps and safety were judged, with each server's connections counted \
             as its unit of concurrency held idle (spawn-idle): a server's own buffers per \
             connection come on top, and throughput and latency need an io-server run."
                .into(),
        );
    }
    if !advice.extrapolations.is_empty() {
        out.push(
            "The profile lies outside what was measured (below): these figures stand on the \
             nearest measured points; run the command shown, or add --measure, to measure it."
                .into(),
        );
    }
    out
}

/// The check's words for constraint `c` of row `r`, or nothing.
fn check_text(r: &Row, c: Constraint) -> String {
    check(r, c).map_or(String::new(), |k| k.text.clone())
}

/// The first row meets every target: it is the choice; then the runner-up, and what would
/// reverse them.
fn choice(profile: &Profile, rows: &[Row]) -> Vec<String> {
    let first = &rows[0];
    let unit = if profile.io_bound() { "req" } else { "jobs" };
    let margin = match first.binding {
        Constraint::Throughput => format!(
            "with no target set, it has the highest throughput, {} {unit}/s",
            first
                .figures
                .throughput
                .map_or("—".into(), |t| num(t.round()))
        ),
        c => format!(
            "it meets every target, with {} headroom on {} ({})",
            headroom_text(first.headroom),
            c.label(),
            check_text(first, c)
        ),
    };
    let mut out = vec![format!(
        "{} ({}) is the choice for this profile: {margin}.",
        first.model, first.lang
    )];
    match rows.get(1) {
        Some(second) if second.feasible && second.tied_with_above.is_some() => {
            let r = second.tied_with_above.as_ref().expect("checked");
            out[0] = format!(
                "{} ({}) and {} ({}) are tied for this profile: {margin} for {}, and the \
                 interval of their throughput ratio holds 1 ({}), so neither is ahead on these \
                 figures; {} is listed first for {}.",
                first.model,
                first.lang,
                second.model,
                second.lang,
                first.model,
                ratio_words(r),
                first.model,
                if second.score.unwrap_or(0.0) * TIE >= first.score.unwrap_or(0.0) {
                    "its efficiency (CPU per unit, memory)"
                } else {
                    "its higher median"
                }
            );
        }
        Some(second) if second.feasible => {
            let tied = second.score.unwrap_or(0.0) * TIE >= first.score.unwrap_or(0.0);
            let mut s = format!(
                "The runner-up, {}, has {} on {}{}",
                second.model,
                headroom_text(second.headroom),
                second.binding.label(),
                if tied {
                    ", within 5% of it, so efficiency (CPU per unit, memory) decided"
                } else {
                    ""
                }
            );
            match what_would_change(first, second, profile) {
                Some(change) => s += &format!("; {change}."),
                None => s += &format!(
                    "; it trails {} on every measured figure, so no target this profile sets would reverse them.",
                    first.model
                ),
            }
            out.push(s);
        }
        Some(second) => out.push(format!(
            "The runner-up, {}, fails {}: {}; {} would make it feasible.",
            second.model,
            second.binding.label(),
            check_text(second, second.binding),
            relax(second, profile)
        )),
        None => {}
    }
    out
}

/// The first row meets every measured target but one is not measured: nothing is shown to
/// fit yet.
fn undecided(rows: &[Row]) -> Vec<String> {
    let first = &rows[0];
    let known: Vec<&Check> = first
        .checks
        .iter()
        .filter(|c| c.headroom.is_some())
        .collect();
    let tightest = known.iter().min_by(|a, b| {
        a.headroom
            .unwrap_or(0.0)
            .total_cmp(&b.headroom.unwrap_or(0.0))
    });
    let mut out = vec![format!(
        "No model is shown to meet this profile yet. {} ({}) meets every target that was \
         measured{}, but not yet {}: {}.",
        first.model,
        first.lang,
        tightest.map_or(String::new(), |c| format!(
            ", with {} headroom on {} ({})",
            headroom_text(c.headroom),
            c.constraint.label(),
            c.text
        )),
        first.binding.label(),
        check_text(first, first.binding)
    )];
    let also: Vec<&str> = rows[1..]
        .iter()
        .filter(|r| r.undecided())
        .map(|r| r.model.as_str())
        .collect();
    if !also.is_empty() {
        out.push(format!(
            "The same holds for {}. Run the command shown, or add --measure, to decide.",
            also.join(", ")
        ));
    } else {
        out.push("Run the command shown, or add --measure, to decide.".into());
    }
    out
}

/// No row meets the profile: the nearest, and what relaxing its failed target would take.
fn nearest_miss(profile: &Profile, first: &Row) -> Vec<String> {
    vec![
        format!(
            "No model meets this profile. The nearest is {} ({}), which fails {}: {}.",
            first.model,
            first.lang,
            first.binding.label(),
            check_text(first, first.binding)
        ),
        format!(
            "With {}, {} would qualify on that constraint.",
            relax(first, profile),
            first.model
        ),
    ]
}

#[cfg(test)]
mod tests {
    use crate::analysis::advice::tests::{
        advise_on, at_100_connections, gateway_runs, open_loop, profile,
    };
    use crate::analysis::advice::{AdvicePath, Constraint};
    use crate::fixtures::server;

    /// `r` with its samples' requests per second set round by round.
    fn with_rps(mut r: crate::results::RunResult, rps: &[i64]) -> crate::results::RunResult {
        for (s, v) in r.samples.iter_mut().zip(rps) {
            s.metrics.insert("rps".into(), *v);
        }
        r
    }

    #[test]
    fn options_whose_throughput_interval_holds_one_are_tied_not_one_ahead() {
        let p = profile(|i| {
            i.concurrency = Some(100.0);
            i.io_ms = Some(1.0);
            i.rate = Some(4000.0);
        });
        // rust-threads ahead of rust-tokio in two rounds of three, behind in one: the
        // interval of their ratio holds 1.
        let mut runs = gateway_runs();
        runs[0] = with_rps(runs[0].clone(), &[12_000, 11_500, 12_200]);
        runs[1] = with_rps(runs[1].clone(), &[10_000, 12_500, 11_000]);
        let (_, a) = advise_on(runs, &p);
        assert_eq!(a.rows[0].model, "rust-threads");
        let tied = &a.rows[1];
        assert_eq!((tied.model.as_str(), tied.rank), ("rust-tokio", 1));
        assert!(tied.tied_with_above.unwrap().interval().contains(1.0));
        // go-net-http, 9,000 req/s in every round, is behind both.
        assert_eq!((a.rows[2].rank, a.rows[2].tied_with_above), (3, None));
        assert!(
            a.recommendation[0].starts_with("rust-threads (rust) and rust-tokio (rust) are tied"),
            "{:?}",
            a.recommendation
        );
        // Apart in every round: one is ahead.
        let (_, a) = advise_on(gateway_runs(), &p);
        assert_eq!((a.rows[1].rank, a.rows[1].tied_with_above), (2, None));
        assert!(a.recommendation[0].starts_with("rust-threads (rust) is the choice"));
    }

    #[test]
    fn advice_ranks_by_headroom_and_every_figure_is_the_files() {
        let p = profile(|i| {
            i.concurrency = Some(100.0);
            i.io_ms = Some(1.0);
            i.rate = Some(4000.0);
        });
        let (file, a) = advise_on(gateway_runs(), &p);
        assert_eq!(a.path, AdvicePath::IoServer);
        let order: Vec<&str> = a.rows.iter().map(|r| r.model.as_str()).collect();
        assert_eq!(
            order,
            ["rust-threads", "rust-tokio", "go-net-http", "py-asyncio"]
        );
        for r in &a.rows {
            assert!(r.feasible);
            assert_eq!(r.binding, Constraint::Capacity);
            let run = &file.runs[r.evidence[0].run];
            assert_eq!(run.model, r.model);
            let rps = run.summary.metrics["rps"] as f64;
            assert_eq!(r.figures.throughput, Some(rps));
            assert_eq!(r.headroom, Some(rps / 4000.0));
            assert_eq!(
                r.figures.p99_ms,
                Some(run.summary.metrics["p99_us"] as f64 / 1000.0)
            );
        }
        assert!(a.extrapolations.is_empty() && a.commands.is_empty());
        assert!(
            a.recommendation[0].starts_with("rust-threads (rust) is the choice"),
            "{:?}",
            a.recommendation
        );
        assert!(
            a.recommendation[1].contains("The runner-up, rust-tokio"),
            "{:?}",
            a.recommendation
        );
    }

    #[test]
    fn a_tail_latency_target_reverses_the_throughput_ranking() {
        let no_target = profile(|i| {
            i.concurrency = Some(100.0);
            i.io_ms = Some(1.0);
        });
        let (_, a) = advise_on(gateway_runs(), &no_target);
        assert_eq!(a.rows[0].model, "rust-threads");
        assert_eq!(a.rows[0].binding, Constraint::Throughput);
        let tail = at_100_connections(4000.0, 15.0);
        // rust-threads' 40 ms is measured at the profile's rate (open loop), so it fails.
        let mut runs = gateway_runs();
        runs.push(open_loop(
            server("rust-threads", 0, 100, 4_000, 40_000, 5_000, 64 * 1024, 1),
            4_000,
        ));
        let (_, a) = advise_on(runs, &tail);
        let order: Vec<&str> = a.rows.iter().map(|r| r.model.as_str()).collect();
        // rust-tokio's 9 ms p99 gives it 1.67× on latency; go's 12 ms 1.25×; rust-threads'
        // 40 ms fails the target however many requests it answers.
        assert_eq!(
            order,
            ["rust-tokio", "go-net-http", "py-asyncio", "rust-threads"]
        );
        assert_eq!(a.rows[0].binding, Constraint::Latency);
        assert!(!a.rows[3].feasible && a.rows[3].binding == Constraint::Latency);
        assert!(
            a.recommendation[1].contains("go-net-http"),
            "{:?}",
            a.recommendation
        );
    }
}
