//! `concbench compare BASE NEW`: which runs changed, by how much, and how sure we are —
//! in the manner of benchstat. Works across machines, toolchain versions and builds: it pairs
//! runs by workload, model, CPUs and parameters, and tests the samples themselves. Then what
//! a reader of either file would conclude differently: the claims whose verdict differs and
//! the workloads whose first tier differs, each with both figures.

use std::collections::BTreeMap;

use serde::Serialize;

use super::claims::{self, ClaimsTable, Verdict};
use super::findings::{findings, headline_group};
use super::view::{analyse, Analysis};
use crate::catalogue::Catalogue;
use crate::results::{ResultsFile, RunResult};
use crate::stats;

/// The p-value below which a change is called significant.
pub use crate::stats::ALPHA;

/// One workload × model × parameters × CPUs present in both files.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareRow {
    /// The workload's name, e.g. `cpu-parallel`.
    pub workload: String,
    /// The model's id, e.g. `py-threads`.
    pub model: String,
    /// CPUs the runs had: the pinned count, or every CPU the harness could use.
    pub cpus: usize,
    /// Whether both runs were pinned to `cpus` CPUs (`--cpus`).
    pub pinned: bool,
    /// The base run's parameters, name → value.
    pub params: BTreeMap<String, u64>,
    /// The new file's parameters, when they differ from the base's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_params: Option<BTreeMap<String, u64>>,
    /// Median `elapsed_ns` of the base run's samples, ns.
    pub base_median_ns: u64,
    /// Median `elapsed_ns` of the new run's samples, ns.
    pub new_median_ns: u64,
    /// new / base: below 1 is faster.
    pub ratio: f64,
    /// Lower end of the interval of `ratio`: the two medians' order-statistic intervals,
    /// unpaired (two files share no rounds), at `level`.
    pub ci95_low: f64,
    /// Upper end of that interval.
    pub ci95_high: f64,
    /// The level the interval really reaches: 95% or more with 7 samples a side, less with
    /// fewer (0 when a side has one sample).
    pub level: f64,
    /// Two-sided Mann-Whitney U p-value that both sets of samples come from the same
    /// distribution (exact for small samples without ties).
    pub p_value: f64,
    /// Whether `p_value` is below [`ALPHA`].
    pub significant: bool,
    /// Samples in the base run.
    pub base_samples: usize,
    /// Samples in the new run.
    pub new_samples: usize,
}

/// Everything `compare` found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// One row per pair of runs valid in both files.
    pub rows: Vec<CompareRow>,
    /// The geometric mean of every row's ratio.
    pub geomean_ratio: Option<f64>,
    /// Runs that could not be compared, and why.
    pub unmatched: Vec<String>,
    /// Whether any pair had too few samples for the test ever to reach significance.
    pub too_few_samples: bool,
    /// The claims both files measured whose verdict differs between them.
    pub claims: Vec<VerdictChange>,
    /// The workloads whose first tier differs between the files.
    pub first_tiers: Vec<TierChange>,
}

/// A claim decided differently by the two files.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerdictChange {
    /// The claim's id.
    pub id: String,
    /// The verdict on the base file.
    pub base: Verdict,
    /// The verdict on the new file.
    pub new: Verdict,
    /// The figure it rests on in the base file, as shown (`1.9× [1.8–2.0]`).
    pub base_figure: String,
    /// The figure in the new file.
    pub new_figure: String,
}

/// A workload whose first tier (the models tied for first) differs between the files.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierChange {
    /// The workload.
    pub workload: String,
    /// The base file's first tier.
    pub base: Vec<String>,
    /// The new file's.
    pub new: Vec<String>,
    /// The base file's headline for the workload: the tier and its margin.
    pub base_figure: String,
    /// The new file's.
    pub new_figure: String,
}

/// The identity of a run across files.
fn key(r: &RunResult) -> (String, String, usize, bool, bool) {
    (
        r.workload.clone(),
        r.model.clone(),
        r.cpus,
        r.pinned,
        r.baseline,
    )
}

fn label(r: &RunResult) -> String {
    let params: Vec<String> = r.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!(
        "{} {} cpus={} {}",
        r.workload,
        r.model,
        r.cpus,
        params.join(" ")
    )
}

/// A run's scenario as two runs of the same suite share it on any day: a calibrated
/// parameter only as 0 or not (io-server's `cpu` is sized per machine and per run), and an
/// offered rate set at run time (`rate = "auto"`) as "offered" whatever its value.
fn scenario(catalogue: &Catalogue, file: &ResultsFile, r: &RunResult) -> BTreeMap<String, u64> {
    let workload = catalogue.workload(&r.workload);
    let offered = |rate: u64| {
        rate > 0
            && file
                .offered
                .iter()
                .any(|o| o.workload == r.workload && o.rate == rate)
    };
    r.params
        .iter()
        .map(|(name, &v)| {
            let calibrated = workload
                .and_then(|w| w.param(name))
                .is_some_and(|p| p.calibrated);
            let v = if calibrated {
                u64::from(v > 0)
            } else if name == "rate" && offered(v) {
                u64::MAX
            } else {
                v
            };
            (name.clone(), v)
        })
        .collect()
}

/// Pairs the runs of `base` and `new` and tests each pair.
pub fn compare(base: &ResultsFile, new: &ResultsFile) -> Comparison {
    compare_with(Catalogue::embedded(), base, new)
}

/// [`compare`], reading which parameters are calibrated from `catalogue`.
pub fn compare_with(catalogue: &Catalogue, base: &ResultsFile, new: &ResultsFile) -> Comparison {
    let mut pairs: Vec<(&RunResult, &RunResult)> = Vec::new();
    let mut unmatched = Vec::new();
    // Each new run with its identity and scenario, worked out once.
    let mut new_left: Vec<_> = new
        .runs
        .iter()
        .map(|n| (n, key(n), scenario(catalogue, new, n)))
        .collect();
    let mut base_left: Vec<&RunResult> = Vec::new();
    // First matches of the same scenario (same parameters, a calibrated one or an offered
    // rate set at run time alike), then — where a workload × model × CPUs has one run left
    // on each side — pairs whose parameters differ (e.g. `n` doubled).
    for b in &base.runs {
        let (k, theirs) = (key(b), scenario(catalogue, base, b));
        match new_left
            .iter()
            .position(|(_, nk, ns)| *nk == k && *ns == theirs)
        {
            Some(i) => pairs.push((b, new_left.remove(i).0)),
            None => base_left.push(b),
        }
    }
    for b in base_left {
        let k = key(b);
        let same_key: Vec<usize> = (0..new_left.len())
            .filter(|&i| new_left[i].1 == k)
            .collect();
        match same_key.as_slice() {
            [i] => pairs.push((b, new_left.remove(*i).0)),
            _ => unmatched.push(format!("only in BASE: {}", label(b))),
        }
    }
    unmatched.extend(
        new_left
            .iter()
            .map(|(n, _, _)| format!("only in NEW: {}", label(n))),
    );

    let mut rows = Vec::new();
    let mut too_few_samples = false;
    for (b, n) in pairs {
        if !b.valid || !n.valid {
            let which = if !b.valid { "BASE" } else { "NEW" };
            unmatched.push(format!("not valid in {which}: {}", label(b)));
            continue;
        }
        let xs: Vec<f64> = b.samples.iter().map(|s| s.elapsed_ns as f64).collect();
        let ys: Vec<f64> = n.samples.iter().map(|s| s.elapsed_ns as f64).collect();
        let (Some(mb), Some(mn)) = (stats::median(&xs), stats::median(&ys)) else {
            continue;
        };
        if mb <= 0.0 {
            continue;
        }
        let ci = stats::unpaired_ratio_interval(&xs, &ys, stats::CONFIDENCE);
        let ci = ci.unwrap_or(stats::Interval {
            lo: mn / mb,
            hi: mn / mb,
            level: 0.0,
        });
        let p = stats::mann_whitney_p(&xs, &ys).unwrap_or(1.0);
        // The smallest p-value samples of these sizes can reach: 2 / C(n1 + n2, n1).
        if stats::smallest_p(xs.len(), ys.len()) >= ALPHA {
            too_few_samples = true;
        }
        rows.push(CompareRow {
            workload: b.workload.clone(),
            model: b.model.clone(),
            cpus: b.cpus,
            pinned: b.pinned,
            params: b.params.clone(),
            new_params: (n.params != b.params).then(|| n.params.clone()),
            base_median_ns: mb.round() as u64,
            new_median_ns: mn.round() as u64,
            ratio: mn / mb,
            ci95_low: ci.lo,
            ci95_high: ci.hi,
            level: ci.level,
            p_value: p,
            significant: p < ALPHA,
            base_samples: xs.len(),
            new_samples: ys.len(),
        });
    }
    let ratios: Vec<f64> = rows.iter().map(|r| r.ratio).collect();
    Comparison {
        geomean_ratio: stats::geometric_mean(&ratios),
        rows,
        unmatched,
        too_few_samples,
        claims: Vec::new(),
        first_tiers: Vec::new(),
    }
}

/// [`compare`], with the claims whose verdict differs and the workloads whose first tier
/// differs, each file decided on its own.
pub fn compare_conclusions(
    catalogue: &Catalogue,
    table: &ClaimsTable,
    base: &ResultsFile,
    new: &ResultsFile,
) -> Comparison {
    let mut out = compare_with(catalogue, base, new);
    let (a, b) = (analyse(catalogue, base), analyse(catalogue, new));
    let (ca, cb) = (
        claims::check(catalogue, table, base, &a),
        claims::check(catalogue, table, new, &b),
    );
    // The figure the verdict rests on: the counted test with the claim's verdict, else the
    // first counted test measured.
    let figure = |c: &claims::ClaimResult| {
        let counted = || c.tests.iter().filter(|t| t.counts);
        let t = counted().find(|t| t.verdict == c.verdict);
        let t = t.or_else(|| counted().find(|t| t.verdict != Verdict::NotMeasured));
        t.or(c.tests.first())
            .map_or_else(String::new, |t| format!("{} {}", t.what, t.shown))
    };
    // A claim one file did not measure is not decided differently, only not by both.
    let measured = |v: Verdict| v != Verdict::NotMeasured;
    out.claims = ca
        .iter()
        .zip(&cb)
        .filter(|(x, y)| x.verdict != y.verdict && measured(x.verdict) && measured(y.verdict))
        .map(|(x, y)| VerdictChange {
            id: x.id.clone(),
            base: x.verdict,
            new: y.verdict,
            base_figure: figure(x),
            new_figure: figure(y),
        })
        .collect();
    out.first_tiers = tier_changes(&a, &b);
    out
}

/// The first tier of each workload's headline group ([`headline_group`]), with the
/// headline.
fn first_tiers(a: &Analysis) -> Vec<(String, Vec<String>, String)> {
    let headlines = findings(a);
    a.workloads
        .iter()
        .zip(headlines)
        .filter_map(|(w, f)| {
            let g = headline_group(w).filter(|g| !g.for_scale_only)?;
            let mut tier = g.tiers.first()?.clone();
            tier.sort();
            Some((w.workload.clone(), tier, f.headline))
        })
        .collect()
}

/// The workloads ranked in both views whose first tier differs.
fn tier_changes(a: &Analysis, b: &Analysis) -> Vec<TierChange> {
    let new = first_tiers(b);
    first_tiers(a)
        .into_iter()
        .filter_map(|(workload, tier, headline)| {
            let (_, other, other_headline) = new.iter().find(|n| n.0 == workload)?;
            (tier != *other).then(|| TierChange {
                workload,
                base: tier,
                new: other.clone(),
                base_figure: headline,
                new_figure: other_headline.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::file;

    fn run(model: &str, n: u64, elapsed: &[u64]) -> RunResult {
        crate::fixtures::cpu_parallel(model, n, elapsed)
    }

    /// A file with ping-pong go-gosched at `ns` per switch (on one CPU) and rust-threads and
    /// rust-rayon on cpu-parallel, five rounds each.
    fn conclusions_file(ns: u64, threads: u64, rayon: u64) -> ResultsFile {
        let spread = |x: u64| [x, x + x / 100, x - x / 100, x + x / 50, x - x / 50];
        file(vec![
            crate::fixtures::run_on(
                "ping-pong",
                "go-gosched",
                &[("rounds", 100_000)],
                1,
                true,
                &spread(ns * 200_000),
                &[],
            ),
            run("rust-threads", 1_000_000, &spread(threads)),
            run("rust-rayon", 1_000_000, &spread(rayon)),
        ])
    }

    #[test]
    fn the_claims_and_first_tiers_that_differ_are_listed_with_both_figures() {
        // Base: 150 ns a hand-off (holds), rust-rayon first. New: 600 ns (does not hold),
        // rust-threads first.
        let base = conclusions_file(150, 20_000_000, 10_000_000);
        let new = conclusions_file(600, 10_000_000, 20_000_000);
        let c = compare_conclusions(Catalogue::embedded(), ClaimsTable::embedded(), &base, &new);
        let switch = c
            .claims
            .iter()
            .find(|v| v.id == "goroutine-switch-100ns")
            .expect("the hand-off claim changed");
        assert_eq!(
            switch.base,
            Verdict::Caveat,
            "the OS-thread test is not measured"
        );
        assert_eq!(switch.new, Verdict::DoesNotHold);
        assert!(switch.base_figure.contains("150.0 ns"), "{switch:?}");
        assert!(switch.new_figure.contains("600.0 ns"), "{switch:?}");
        assert_eq!(c.first_tiers.len(), 1, "{:?}", c.first_tiers);
        let t = &c.first_tiers[0];
        assert_eq!(
            (t.base.as_slice(), t.new.as_slice()),
            (
                &["rust-rayon".to_string()][..],
                &["rust-threads".to_string()][..]
            )
        );
        assert!(
            t.base_figure
                .contains("rust-rayon first, 2.00× ahead of rust-threads"),
            "{t:?}"
        );
        assert!(t.new_figure.contains("rust-threads first"), "{t:?}");
        // A file compared with itself concludes nothing differently.
        let same =
            compare_conclusions(Catalogue::embedded(), ClaimsTable::embedded(), &base, &base);
        assert!(same.claims.is_empty() && same.first_tiers.is_empty());
    }

    #[test]
    fn a_file_compared_with_itself_shows_nothing_significant() {
        let f = file(vec![
            run("rust-seq", 10, &[100, 103, 98, 101, 99]),
            run("rust-rayon", 10, &[52, 50, 51, 55, 49]),
        ]);
        let c = compare(&f, &f);
        assert_eq!(c.rows.len(), 2);
        assert!(
            c.rows.iter().all(|r| !r.significant && r.ratio == 1.0),
            "{:?}",
            c.rows
        );
        assert_eq!(c.geomean_ratio, Some(1.0));
        assert!(c.unmatched.is_empty());
    }

    #[test]
    fn runs_pair_across_calibrated_work_and_offered_rates() {
        // Each file sized io-server's `cpu` on its own machine and offered its own rate, to
        // two open-loop runs of each model (100 and 1,000 connections).
        let files = |cpu: u64, rate: u64| {
            let server = |m: &str, cpu: u64, conns: u64, rate: u64| {
                let mut r = crate::fixtures::server(m, cpu, conns, 5_000, 900, 1_000, 1, 1);
                r.params.insert("rate".into(), rate);
                r
            };
            let mut f = file(
                ["go-net-http", "rust-tokio"]
                    .iter()
                    .flat_map(|m| {
                        [
                            server(m, cpu, 100, 0),
                            server(m, 0, 100, rate),
                            server(m, 0, 1000, rate),
                        ]
                    })
                    .collect(),
            );
            f.offered.push(crate::results::OfferedRate {
                workload: "io-server".into(),
                params: BTreeMap::new(),
                rate,
                share: 0.5,
                slowest_model: "go-net-http".into(),
                slowest_rps: rate * 2,
            });
            f
        };
        let c = compare(&files(500_000, 540), &files(612_000, 519));
        assert!(c.unmatched.is_empty(), "{:?}", c.unmatched);
        assert_eq!(c.rows.len(), 6);
        // Rates given as fixed values are parameters like any other: 540 is not 519.
        let (mut fixed, mut other) = (files(500_000, 540), files(500_000, 519));
        fixed.offered.clear();
        other.offered.clear();
        let c = compare(&fixed, &other);
        assert_eq!(c.rows.len(), 2, "only the closed loops pair");
        assert_eq!(c.unmatched.len(), 8, "{:?}", c.unmatched);
    }

    #[test]
    fn doubled_work_is_flagged_even_though_parameters_differ() {
        let base = file(vec![run("rust-seq", 10, &[100, 103, 98, 101, 99])]);
        let new = file(vec![run("rust-seq", 20, &[201, 199, 204, 198, 200])]);
        let c = compare(&base, &new);
        let r = &c.rows[0];
        assert!(r.significant && r.ratio > 1.9 && r.ratio < 2.1, "{r:?}");
        assert_eq!(r.new_params.as_ref().unwrap()["n"], 20);
    }

    #[test]
    fn runs_on_one_side_only_are_reported() {
        let base = file(vec![run("rust-seq", 10, &[1, 2, 3])]);
        let new = file(vec![run("rust-rayon", 10, &[1, 2, 3])]);
        let c = compare(&base, &new);
        assert!(c.rows.is_empty());
        assert_eq!(c.unmatched.len(), 2);
    }

    #[test]
    fn three_runs_each_can_never_be_significant() {
        let base = file(vec![run("rust-seq", 10, &[1, 2, 3])]);
        let new = file(vec![run("rust-seq", 10, &[10, 20, 30])]);
        let c = compare(&base, &new);
        assert!(c.too_few_samples);
        assert!(!c.rows[0].significant);
    }
}
