//! The article's claims, checked against a results file (`concbench claims`).
//!
//! The claims and their rules are data (`suite/claims.toml`, read by
//! [`crate::catalogue::claims`]): each claim has one or more tests, and a test names a
//! workload, a figure, the model it is about, an optional model it is compared with, the
//! scenario, and the ranges in which it holds, holds with a caveat, or does not hold. This
//! module only reads figures the way the analysis view defines them (time per unit of work,
//! requests per second, speedup against the sequential model, memory per unit, ...), picks
//! the runs a test names and applies its rule (`decide.rs`), and says it (`words.rs`). No
//! verdict is written in code: move a figure across a rule's bound in the results file, or
//! the bound in `suite/claims.toml`, and the verdict moves with it.

mod decide;
mod reading;
#[cfg(test)]
mod rules;
mod scenario;
mod words;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize, Serializer};

use super::view::{Analysis, Evidence};
pub use crate::catalogue::claims::{ClaimSpec, ClaimsTable, Metric, Range, TestSpec};
use crate::catalogue::selection::Selection;
use crate::catalogue::Catalogue;
use crate::results::ResultsFile;
pub(crate) use decide::decide;
pub use words::show_bound;

/// A claim's or a test's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Verdict {
    /// The figure is where the rule says the claim holds.
    #[serde(rename = "holds")]
    Holds,
    /// Outside that, but within the caveat range.
    #[serde(rename = "holds with a caveat")]
    Caveat,
    /// Outside both.
    #[serde(rename = "does not hold on this machine")]
    DoesNotHold,
    /// Measured, but the figure's interval reaches across a bound of the rule (or the
    /// figure is one sample, a point that decides nothing): on this machine the runs made do
    /// not tell which verdict holds. More runs would.
    #[serde(rename = "undecided on this machine")]
    Undecided,
    /// The file has no run that measures it.
    #[serde(rename = "not measured")]
    NotMeasured,
}

impl Verdict {
    /// The words the output uses.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::Caveat => "holds with a caveat",
            Verdict::DoesNotHold => "does not hold on this machine",
            Verdict::Undecided => "undecided on this machine",
            Verdict::NotMeasured => "not measured",
        }
    }
}

/// One test, decided.
#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    /// The figure in words.
    pub what: String,
    /// The workload.
    pub workload: String,
    /// The figure.
    pub metric: Metric,
    /// The models whose runs were read (the model, then the one it is compared with).
    pub models: Vec<String>,
    /// The value, in `unit`.
    pub measured: Option<f64>,
    /// Its unit.
    pub unit: String,
    /// Its interval, where the samples give one (distribution-free, at `level`).
    pub ci95: Option<(f64, f64)>,
    /// The level the interval really reaches: at least 0.95 from 6 samples, 0.75 for 3, 0
    /// for a single sample.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<f64>,
    /// The value in words (`2.7 KB`, `1.9× [1.8–2.0]`, `1.9× [1.7–2.1] 75%`, `rejected`).
    pub shown: String,
    /// The rule, as written in `suite/claims.toml`.
    pub rule: String,
    /// Where the figure must lie for the claim to hold (in `unit`).
    pub holds: Range,
    /// Where it holds with a caveat, if the rule has such a range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caveat: Option<Range>,
    /// The verdict.
    pub verdict: Verdict,
    /// One line: why.
    pub reason: String,
    /// False for context only.
    pub counts: bool,
    /// The runs read, enough to rerun each.
    pub evidence: Vec<Evidence>,
    /// For a safety test: the check's command and the first lines it printed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safety: Option<SafetyEvidence>,
    /// When undecided: the verdicts its interval spans and the bounds it straddles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undecided: Option<Undecided>,
    /// When not measured: the `concbench run` that would measure it; when undecided, the
    /// run with more runs that would decide it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure: Option<Measure>,
    /// When undecided: the samples its interval is projected to need at 95% to clear the
    /// bounds it straddles ([`crate::stats::interval::samples_to_clear`]); `None` when no
    /// count up to the projection's cap is: its median sits on a bound, within the noise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs_to_decide: Option<usize>,
    /// The results file the figure was read from, when it is not the one the claims were
    /// checked on (a quick run made to measure what that file lacked); its `evidence` run
    /// numbers are that file's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Why a measured test is undecided.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Undecided {
    /// The verdicts the values of its interval would get, best first: the claim can be
    /// decided without this test only when its other tests already give a verdict at least
    /// as bad as the last of these.
    pub between: Vec<Verdict>,
    /// The rule's bounds the interval straddles, in the test's unit (empty for one sample).
    pub bounds: Vec<f64>,
    /// True when the figure is a single sample or a point with no interval.
    pub one_sample: bool,
}

/// What a safety check printed.
#[derive(Debug, Clone, Serialize)]
pub struct SafetyEvidence {
    /// The command that checked.
    pub command: String,
    /// The first lines of its report.
    pub excerpt: String,
}

/// What would measure a test the file lacks: the run to make, and the machine it needs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Measure {
    /// The `concbench run` that measures it; for a safety check, the run of the workload
    /// whose safety checks decide it.
    pub run: Selection,
    /// The CPUs the machine needs at least (for a server, its own and its load generator's).
    pub min_cpus: usize,
    /// True for a safety check rather than a measured run.
    pub safety: bool,
}

impl Measure {
    /// The command line.
    pub fn command(&self) -> String {
        if self.safety {
            format!("{} (its safety checks)", self.run)
        } else {
            self.run.to_string()
        }
    }

    /// Where the command can measure it, when not on any machine: "on a machine with 3
    /// CPUs or more".
    pub fn needs(&self) -> Option<String> {
        (self.min_cpus > 1).then(|| format!("on a machine with {} CPUs or more", self.min_cpus))
    }
}

impl Serialize for Measure {
    /// The shape the claims' JSON has always had: `workload`, `models` (empty: every model),
    /// `sets` as `[param, value]`, `min_cpus`, `safety`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shape<'a> {
            workload: &'a str,
            models: &'a [String],
            sets: Vec<(&'a str, u64)>,
            min_cpus: usize,
            safety: bool,
            #[serde(skip_serializing_if = "Option::is_none")]
            runs: Option<u32>,
        }
        let run = &self.run;
        Shape {
            workload: run
                .workloads
                .as_deref()
                .and_then(|w| w.first())
                .map_or("", String::as_str),
            models: run.models.as_deref().unwrap_or_default(),
            sets: run
                .sets
                .iter()
                .map(|o| (o.param.as_str(), o.value))
                .collect(),
            min_cpus: self.min_cpus,
            safety: self.safety,
            runs: run.runs,
        }
        .serialize(s)
    }
}

/// One claim, decided.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimResult {
    /// Its id.
    pub id: String,
    /// `go`, `python`, `rust` or `advice`.
    pub section: String,
    /// The article's words, quoted as a claim under test.
    pub claim: String,
    /// The first counted test's workload.
    pub workload: String,
    /// Every model its tests read.
    pub models: Vec<String>,
    /// The first counted test's value.
    pub measured: Option<f64>,
    /// Its unit.
    pub unit: String,
    /// Its interval.
    pub ci95: Option<(f64, f64)>,
    /// The level its interval really reaches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<f64>,
    /// The first counted test's rule.
    pub rule: String,
    /// The worst verdict of its counted tests; undecided when an undecided test could make
    /// it worse than the others' (see `combine`).
    pub verdict: Verdict,
    /// One line: why.
    pub reason: String,
    /// The runs of every test.
    pub evidence: Vec<Evidence>,
    /// Every test, decided.
    pub tests: Vec<TestResult>,
}

/// Decides every claim of `table` on `file` and its view.
pub fn check(
    catalogue: &Catalogue,
    table: &ClaimsTable,
    file: &ResultsFile,
    analysis: &Analysis,
) -> Vec<ClaimResult> {
    table
        .claims
        .iter()
        .map(|c| {
            let tests: Vec<TestResult> = c
                .tests
                .iter()
                .map(|t| decide(catalogue, t, file, analysis))
                .collect();
            combine(c, tests)
        })
        .collect()
}

/// A claim's verdict from its tests': the worst counted one, measured parts first; a claim
/// with a part not measured holds at best with a caveat.
///
/// An undecided test spans some verdicts (`Undecided::between`). The claim is still decided
/// when its decided tests already give a verdict at least as bad as the worst of those: then
/// whatever the undecided test turns out to be, the worst is the same. Otherwise the claim is
/// undecided, and says which test would decide it.
fn combine(c: &ClaimSpec, tests: Vec<TestResult>) -> ClaimResult {
    let counted: Vec<&TestResult> = tests.iter().filter(|t| t.counts).collect();
    let measured = |undecided: bool| -> Vec<&TestResult> {
        counted
            .iter()
            .copied()
            .filter(|t| t.verdict != Verdict::NotMeasured)
            .filter(|t| (t.verdict == Verdict::Undecided) == undecided)
            .collect()
    };
    let (decided, open) = (measured(false), measured(true));
    let missing: Vec<&&TestResult> = counted
        .iter()
        .filter(|t| t.verdict == Verdict::NotMeasured)
        .collect();
    let worst_decided = decided.iter().copied().max_by_key(|t| t.verdict);
    let worst_open = open.iter().copied().max_by_key(|t| open_worst(t));
    let worst = match (worst_decided, worst_open) {
        (Some(d), Some(o)) if d.verdict >= open_worst(o) => Some(d),
        (_, Some(o)) => Some(o),
        (d, None) => d,
    };
    let (verdict, reason) = match (worst, missing.first()) {
        (None, Some(m)) => (Verdict::NotMeasured, m.reason.clone()),
        (None, None) => (Verdict::NotMeasured, "no test counts".into()),
        (Some(w), None) => (w.verdict, w.reason.clone()),
        (Some(w), Some(m)) if w.verdict == Verdict::Undecided => (
            Verdict::Undecided,
            format!("{}; and {}: {}", w.reason, m.what, m.reason),
        ),
        (Some(w), Some(m)) => (
            w.verdict.max(Verdict::Caveat),
            format!("{}; and {}: {}", w.reason, m.what, m.reason),
        ),
    };
    let first = worst.unwrap_or(counted[0]);
    let mut models: Vec<String> = Vec::new();
    let mut evidence: Vec<Evidence> = Vec::new();
    for t in &tests {
        for m in &t.models {
            if !models.contains(m) {
                models.push(m.clone());
            }
        }
        for e in &t.evidence {
            if !evidence.iter().any(|x| x.run == e.run) {
                evidence.push(e.clone());
            }
        }
    }
    ClaimResult {
        id: c.id.clone(),
        section: c.section.clone(),
        claim: c.claim.clone(),
        workload: first.workload.clone(),
        models,
        measured: first.measured,
        unit: first.unit.clone(),
        ci95: first.ci95,
        level: first.level,
        rule: first.rule.clone(),
        verdict,
        reason,
        evidence,
        tests,
    }
}

/// The worst verdict an undecided test could turn out to have; a decided test's own.
fn open_worst(t: &TestResult) -> Verdict {
    t.undecided
        .as_ref()
        .and_then(|u| u.between.last().copied())
        .unwrap_or(t.verdict)
}

/// The verdict a value gets from a rule's ranges: holds, else the caveat, else does not hold.
pub(super) fn verdict_in(holds: Range, caveat: Option<Range>, v: f64) -> Verdict {
    if holds.contains(v) {
        Verdict::Holds
    } else if caveat.is_some_and(|c| c.contains(v)) {
        Verdict::Caveat
    } else {
        Verdict::DoesNotHold
    }
}

impl TestResult {
    /// The verdict this test's rule would give the value `v` (reports draw its ranges).
    pub fn verdict_at(&self, v: f64) -> Verdict {
        verdict_in(self.holds, self.caveat, v)
    }

    /// The samples its figure rests on: the fewest among the runs it reads (a ratio pairs
    /// them by round). `None` when it reads no run.
    pub fn samples_behind(&self, file: &ResultsFile) -> Option<usize> {
        self.evidence
            .iter()
            .map(|e| file.runs[e.run].samples.len())
            .min()
    }
}

/// Fills the tests `results` could not measure with those `extra` (decided on another file,
/// `source`) did measure, and decides each claim again.
pub fn merge(
    table: &ClaimsTable,
    results: Vec<ClaimResult>,
    extra: &[ClaimResult],
    source: &str,
) -> Vec<ClaimResult> {
    results
        .into_iter()
        .zip(&table.claims)
        .map(|(mut r, spec)| {
            let Some(other) = extra.iter().find(|e| e.id == r.id) else {
                return r;
            };
            for (mine, theirs) in r.tests.iter_mut().zip(&other.tests) {
                if mine.verdict == Verdict::NotMeasured && theirs.verdict != Verdict::NotMeasured {
                    *mine = theirs.clone();
                    mine.source = Some(source.to_string());
                    mine.reason = format!("{} (measured now, quick size: {source})", mine.reason);
                }
            }
            combine(spec, r.tests)
        })
        .collect()
}

/// Every run the not-measured tests of `results` ask for, once.
pub fn missing(results: &[ClaimResult]) -> Vec<Measure> {
    let mut out: Vec<Measure> = results
        .iter()
        .flat_map(|c| &c.tests)
        .filter(|t| t.verdict == Verdict::NotMeasured)
        .filter_map(|t| t.measure.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The tally of verdicts, for a summary line.
pub fn tally(results: &[ClaimResult]) -> BTreeMap<Verdict, usize> {
    let mut out = BTreeMap::new();
    for r in results {
        *out.entry(r.verdict).or_insert(0) += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::view::analyse;
    use crate::fixtures;

    pub(super) fn decide_all(file: &ResultsFile) -> Vec<ClaimResult> {
        let catalogue = Catalogue::embedded();
        check(
            catalogue,
            ClaimsTable::embedded(),
            file,
            &analyse(catalogue, file),
        )
    }

    pub(super) fn claim<'a>(results: &'a [ClaimResult], id: &str) -> &'a ClaimResult {
        results.iter().find(|c| c.id == id).expect(id)
    }

    /// ping-pong go-gosched at `ns` per switch (rounds 100,000: 200,000 switches), pinned to
    /// one CPU as the claim's test asks.
    fn handoff_file(ns: u64) -> ResultsFile {
        let total = ns * 200_000;
        handoff_totals(&[
            total,
            total + 1_000,
            total - 1_000,
            total + 2_000,
            total - 2_000,
        ])
    }

    fn handoff_totals(totals: &[u64]) -> ResultsFile {
        fixtures::file(vec![fixtures::run_on(
            "ping-pong",
            "go-gosched",
            &[("rounds", 100_000)],
            1,
            true,
            totals,
            &[],
        )])
    }

    #[test]
    fn moving_the_figure_across_a_bound_moves_the_verdict() {
        let verdict = |ns: u64| {
            let r = decide_all(&handoff_file(ns));
            let t = &claim(&r, "goroutine-switch-100ns").tests[0];
            (t.verdict, t.measured.unwrap())
        };
        // The rule: holds 50–200 ns, caveat 25–400 ns.
        for (ns, want) in [
            (150, Verdict::Holds),
            (199, Verdict::Holds),
            (202, Verdict::Caveat),
            (390, Verdict::Caveat),
            (410, Verdict::DoesNotHold),
            (20, Verdict::DoesNotHold),
        ] {
            let (got, measured) = verdict(ns);
            assert_eq!(got, want, "{ns} ns per hand-off");
            assert!((measured - ns as f64).abs() < 0.1, "{measured} for {ns}");
        }
        // The claim's second test (OS threads) is not in the file: the claim cannot hold
        // outright.
        let r = decide_all(&handoff_file(150));
        let c = claim(&r, "goroutine-switch-100ns");
        assert_eq!(c.verdict, Verdict::Caveat, "{}", c.reason);
        assert!(c.reason.contains("rust-threads"), "{}", c.reason);
    }

    /// ping-pong go-gosched with one sample per ns figure given.
    fn handoff_samples(ns: &[u64]) -> ResultsFile {
        let totals: Vec<u64> = ns.iter().map(|n| n * 200_000).collect();
        handoff_totals(&totals)
    }

    #[test]
    fn a_context_row_with_a_point_figure_is_not_undecided() {
        // The run-to-run CV of rust's steadiest ping-pong model is a point with no interval:
        // it decides nothing, and as context it asks for nothing either.
        let file = fixtures::file(vec![fixtures::run(
            "ping-pong",
            "rust-threads-unbounded",
            &[("rounds", 20_000)],
            &[40_000_000, 41_000_000, 43_000_000],
        )]);
        let r = decide_all(&file);
        let jitter = claim(&r, "trading-rust-deterministic")
            .tests
            .iter()
            .find(|t| t.what.starts_with("run-to-run jitter"))
            .unwrap();
        assert!(!jitter.counts);
        assert_eq!(jitter.verdict, Verdict::Holds, "{}", jitter.reason);
        assert!(jitter.measure.is_none() && jitter.undecided.is_none());
    }

    #[test]
    fn an_interval_across_a_bound_is_undecided_and_says_what_would_decide_it() {
        // Holds 50–200 ns, caveat up to 400: samples from 180 to 220 ns straddle 200.
        let r = decide_all(&handoff_samples(&[180, 195, 205, 210, 220]));
        let t = &claim(&r, "goroutine-switch-100ns").tests[0];
        assert_eq!(t.verdict, Verdict::Undecided, "{}", t.reason);
        let u = t.undecided.as_ref().unwrap();
        assert_eq!(u.between, [Verdict::Holds, Verdict::Caveat]);
        assert_eq!(u.bounds, [200.0]);
        assert!(
            t.reason
                .contains("93.7% interval straddles the bound 200.0 ns"),
            "{}",
            t.reason
        );
        assert!(t.shown.ends_with("93.7%"), "{}", t.shown);
        // 205 ns [180–220]: the bound is 2.4% from the median, and the interval reaches 25 ns
        // below it, so its 95% interval is projected to need about 200 samples to clear it.
        let projected = t.runs_to_decide.unwrap();
        assert!((150..300).contains(&projected), "{projected}");
        let m = t.measure.as_ref().unwrap();
        let asked = format!("--runs {projected}");
        assert!(m.command().ends_with(&asked), "{}", m.command());
        assert!(
            m.command().contains("--models go-gosched"),
            "{}",
            m.command()
        );
        // The claim's other test is not measured: the claim stays undecided.
        assert_eq!(
            claim(&r, "goroutine-switch-100ns").verdict,
            Verdict::Undecided
        );
        // The same spread wholly inside the caveat band decides.
        let r = decide_all(&handoff_samples(&[280, 295, 305, 310, 320]));
        assert_eq!(
            claim(&r, "goroutine-switch-100ns").tests[0].verdict,
            Verdict::Caveat
        );
    }

    #[test]
    fn one_sample_decides_nothing() {
        let r = decide_all(&handoff_samples(&[150]));
        let t = &claim(&r, "goroutine-switch-100ns").tests[0];
        assert_eq!(t.verdict, Verdict::Undecided, "{}", t.reason);
        assert!(t.undecided.as_ref().unwrap().one_sample);
        assert!(t.reason.contains("one sample"), "{}", t.reason);
        assert_eq!(t.shown, "150.0 ns");
    }

    #[test]
    fn an_undecided_test_leaves_a_claim_decided_only_when_it_cannot_change_it() {
        let test = |verdict: Verdict, between: Option<Vec<Verdict>>| TestResult {
            verdict,
            undecided: between.map(|between| Undecided {
                between,
                bounds: vec![1.0],
                one_sample: false,
            }),
            ..blank_result()
        };
        let spec = &ClaimsTable::embedded().claims[0];
        let open = || {
            test(
                Verdict::Undecided,
                Some(vec![Verdict::Holds, Verdict::Caveat]),
            )
        };
        let c = combine(spec, vec![test(Verdict::DoesNotHold, None), open()]);
        assert_eq!(c.verdict, Verdict::DoesNotHold);
        let c = combine(spec, vec![test(Verdict::Caveat, None), open()]);
        assert_eq!(c.verdict, Verdict::Caveat);
        let c = combine(spec, vec![test(Verdict::Holds, None), open()]);
        assert_eq!(c.verdict, Verdict::Undecided);
    }

    fn blank_result() -> TestResult {
        TestResult {
            what: String::new(),
            workload: String::new(),
            metric: Metric::Time,
            models: vec!["m".into()],
            measured: Some(1.0),
            unit: "ns".into(),
            ci95: None,
            level: None,
            shown: String::new(),
            rule: String::new(),
            holds: Range::default(),
            caveat: None,
            verdict: Verdict::Holds,
            reason: String::new(),
            counts: true,
            evidence: Vec::new(),
            safety: None,
            undecided: None,
            measure: None,
            runs_to_decide: None,
            source: None,
        }
    }

    #[test]
    fn a_file_without_the_runs_leaves_every_claim_not_measured_with_what_to_run() {
        let empty = fixtures::file(Vec::new());
        let results = decide_all(&empty);
        assert_eq!(results.len(), ClaimsTable::embedded().claims.len());
        for c in &results {
            assert_eq!(c.verdict, Verdict::NotMeasured, "{}: {}", c.id, c.reason);
            assert!(c.measured.is_none(), "{}", c.id);
            for t in c.tests.iter().filter(|t| t.counts) {
                let m = t
                    .measure
                    .as_ref()
                    .unwrap_or_else(|| panic!("{}: no run to measure it", c.id));
                assert!(
                    m.command().starts_with("concbench run --suite quick"),
                    "{}",
                    m.command()
                );
            }
        }
        let zero_cost = claim(&results, "zero-cost-mutex");
        let cmd = zero_cost.tests[0].measure.as_ref().unwrap().command();
        assert_eq!(
            cmd,
            "concbench run --suite quick --workloads shared-counter --models rust-mutex-local,rust-seq --set shared-counter.increments=100000000 --set shared-counter.units=1"
        );
        assert!(!missing(&results).is_empty());
    }
}
