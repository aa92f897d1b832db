//! Where more samples would decide something: the runs a verdict or a first tier depends on
//! whose interval does not decide it yet. The runner gives them extra samples after a block's
//! planned ones (`run --budget`); the rules of what is decided are the view's and the claims',
//! read here, not restated.
//!
//! Two kinds of question are open:
//!
//! - **a claim**: a claim whose verdict is undecided, through a test that is undecided
//!   because its figure's interval straddles a bound of its rule (or is one sample), and
//!   that more runs would narrow (the test names a `measure`); or any claim with a counting
//!   test whose interval, decided or not, is below [`stats::SETTLING_LEVEL`] (3 samples:
//!   75%). Its runs are the test's evidence: the model and the one it is compared with
//!   (`best:<langs>` resolved to the current best), or the model and its sequential base for
//!   a speedup. The weakly settled come first: two rounds settle them, where an undecided
//!   figure on its bound can take every round the budget has.
//! - **a first tier**: in each comparison group of concurrency models, the first tier and the
//!   best model after it. Every pair of those whose ratio interval holds 1 (tied, or one
//!   sample) is open, unless the interval already lies within 1 ± [`stats::NEGLIGIBLE`]: such a
//!   tie is settled, more samples would only split hairs.

use std::collections::BTreeMap;

use super::claims::{self, ClaimsTable, Verdict};
use super::view::{self, Analysis};
use crate::catalogue::Catalogue;
use crate::results::ResultsFile;
use crate::stats;

/// One open question: the runs (indexes of `file.runs`, of one workload) whose figures it
/// rests on, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// The workload the runs belong to.
    pub workload: String,
    /// The runs to sample more, ascending.
    pub runs: Vec<usize>,
    /// What asked for them: `claim <id>` or `first tier of <workload>`.
    pub reason: String,
    /// Which kind of question it is: the kinds are sampled in [`Stage`] order.
    pub stage: Stage,
    /// For an undecided claim: the extra rounds its intervals are projected to need to clear
    /// their bounds (the most of its tests'); `None` when no projection reaches that, or for
    /// another kind of question.
    pub rounds: Option<usize>,
}

/// The kinds of open question, in the order their runs are sampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// A claim's verdict or a first-tier place read from an interval below
    /// [`stats::SETTLING_LEVEL`]: two rounds settle it.
    Weak,
    /// An undecided claim whose figure straddles a bound.
    Claim,
    /// A first tier whose tie straddles 1 by more than a negligible difference.
    Tier,
}

/// Every open question of `file`, in [`Stage`] order, each with the runs that would answer
/// it.
pub fn needs(catalogue: &Catalogue, table: &ClaimsTable, file: &ResultsFile) -> Vec<Need> {
    let analysis = view::analyse(catalogue, file);
    let mut out = claim_needs(catalogue, table, file, &analysis);
    out.extend(tier_needs(catalogue, file, &analysis));
    out.sort_by_key(|n| n.stage);
    out
}

/// The runs of the tests whose interval is below [`stats::SETTLING_LEVEL`], then those of
/// the undecided tests of undecided claims that more runs would decide.
fn claim_needs(
    catalogue: &Catalogue,
    table: &ClaimsTable,
    file: &ResultsFile,
    analysis: &Analysis,
) -> Vec<Need> {
    let checked = claims::check(catalogue, table, file, analysis);
    let weak = |t: &&claims::TestResult| {
        t.counts
            && t.source.is_none()
            && t.verdict != Verdict::NotMeasured
            && t.level.is_some_and(|l| l < stats::SETTLING_LEVEL)
    };
    let undecided = |t: &&claims::TestResult| {
        t.counts && t.verdict == Verdict::Undecided && t.measure.is_some() && t.source.is_none()
    };
    let mut out = Vec::new();
    for claim in &checked {
        let tests = claim.tests.iter().filter(weak);
        out.extend(claim_need(file, &claim.id, Stage::Weak, tests));
    }
    for claim in checked.iter().filter(|c| c.verdict == Verdict::Undecided) {
        let open: Vec<&claims::TestResult> = claim
            .tests
            .iter()
            .filter(undecided)
            .filter(|t| !weak(t))
            .collect();
        let rounds = rounds_to_decide(file, &open);
        let needs = claim_need(file, &claim.id, Stage::Claim, open.into_iter());
        out.extend(needs.into_iter().map(|n| Need { rounds, ..n }));
    }
    out
}

/// The extra rounds the most demanding of `tests` is projected to need (its
/// `runs_to_decide` less the samples its runs have); `None` when one has no projection.
fn rounds_to_decide(file: &ResultsFile, tests: &[&claims::TestResult]) -> Option<usize> {
    let more = |t: &claims::TestResult| -> Option<usize> {
        Some(t.runs_to_decide?.saturating_sub(t.samples_behind(file)?))
    };
    tests
        .iter()
        .map(|t| more(t))
        .try_fold(0, |most, m| Some(most.max(m?)))
}

/// One need per workload for the runs of `tests` of claim `id`.
fn claim_need<'a>(
    file: &ResultsFile,
    id: &str,
    stage: Stage,
    tests: impl Iterator<Item = &'a claims::TestResult>,
) -> Vec<Need> {
    let mut by_workload: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for e in tests.flat_map(|t| &t.evidence) {
        by_workload
            .entry(file.runs[e.run].workload.clone())
            .or_default()
            .push(e.run);
    }
    by_workload
        .into_iter()
        .map(|(workload, mut runs)| {
            runs.sort_unstable();
            runs.dedup();
            Need {
                workload,
                runs,
                reason: format!("claim {id}"),
                stage,
                rounds: None,
            }
        })
        .collect()
}

/// Which stage a pair of the first tier is open at, if any: [`Stage::Weak`] while its ratio's
/// interval is below [`stats::SETTLING_LEVEL`]; [`Stage::Tier`] while it holds 1 and is wider
/// than 1 ± [`stats::NEGLIGIBLE`] (a tie finer than that is settled: more samples would only
/// split hairs); `None` once it decides their order or settles them as the same.
fn open_at(r: &view::Estimate) -> Option<Stage> {
    if r.level < stats::SETTLING_LEVEL {
        Some(Stage::Weak)
    } else if !stats::apart(&r.interval()) && !stats::negligible(&r.interval()) {
        Some(Stage::Tier)
    } else {
        None
    }
}

/// The runs in or next to each group's first tier whose order is open, one need per workload
/// and stage.
fn tier_needs(catalogue: &Catalogue, file: &ResultsFile, analysis: &Analysis) -> Vec<Need> {
    let mut open: BTreeMap<(Stage, String), Vec<usize>> = BTreeMap::new();
    for w in &analysis.workloads {
        let Some(workload) = catalogue.workload(&w.workload) else {
            continue;
        };
        for g in w.groups.iter().filter(|g| !g.for_scale_only) {
            let run_of = |model: &str| {
                g.ranking
                    .iter()
                    .find(|r| r.model == model)
                    .map(|r| r.evidence.run)
            };
            let mut candidates: Vec<usize> = g
                .tiers
                .first()
                .into_iter()
                .flatten()
                .filter_map(|m| run_of(m))
                .collect();
            candidates.extend(
                g.tiers
                    .get(1)
                    .and_then(|t| t.first())
                    .and_then(|m| run_of(m)),
            );
            for (k, &a) in candidates.iter().enumerate() {
                for &b in &candidates[k + 1..] {
                    let stage = view::group_ratio(workload, file, a, b).and_then(|r| open_at(&r));
                    if let Some(stage) = stage {
                        open.entry((stage, w.workload.clone()))
                            .or_default()
                            .extend([a, b]);
                    }
                }
            }
        }
    }
    open.into_iter()
        .map(|((stage, workload), mut runs)| {
            runs.sort_unstable();
            runs.dedup();
            Need {
                reason: format!("first tier of {workload}"),
                workload,
                runs,
                stage,
                rounds: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    fn cpu(model: &str, elapsed: &[u64]) -> crate::results::RunResult {
        fixtures::cpu_parallel(model, 1_000_000, elapsed)
    }

    fn tier_runs(file: &ResultsFile) -> Vec<Vec<usize>> {
        needs(Catalogue::embedded(), ClaimsTable::embedded(), file)
            .into_iter()
            .filter(|n| n.reason.starts_with("first tier"))
            .map(|n| n.runs)
            .collect()
    }

    #[test]
    fn a_clear_first_tier_needs_nothing_and_a_straddling_tie_needs_its_pair() {
        // rayon is 2× faster in every round: decided.
        let clear = fixtures::file(vec![
            cpu("rust-threads", &[20_000, 20_300, 19_800, 20_100, 19_900]),
            cpu("rust-rayon", &[10_000, 10_150, 9_900, 10_050, 9_950]),
        ]);
        assert!(tier_runs(&clear).is_empty());
        // threads and rayon swap places from round to round by up to 20%: the interval of
        // their ratio straddles 1 and is wider than ±3%; tokio, far behind, is not asked.
        let open = fixtures::file(vec![
            cpu("rust-threads", &[10_000, 12_000, 9_000, 11_000, 10_500]),
            cpu("rust-rayon", &[11_000, 10_000, 10_800, 9_500, 10_400]),
            cpu("rust-tokio", &[30_000, 30_300, 29_800, 30_100, 29_900]),
        ]);
        assert_eq!(tier_runs(&open), vec![vec![0, 1]]);
    }

    #[test]
    fn a_tie_within_three_percent_is_settled() {
        let same = fixtures::file(vec![
            cpu("rust-threads", &[10_000, 10_100, 9_950, 10_050, 10_020]),
            cpu("rust-rayon", &[10_010, 10_090, 9_960, 10_040, 10_030]),
        ]);
        assert!(tier_runs(&same).is_empty());
    }

    #[test]
    fn the_model_next_to_the_first_tier_is_asked_when_its_tie_straddles_one() {
        // rayon is clearly ahead of tokio, but threads (between them) is tied with both.
        let file = fixtures::file(vec![
            cpu("rust-rayon", &[10_000, 10_100, 9_950, 10_050, 10_020]),
            cpu("rust-threads", &[10_500, 13_500, 9_700, 12_800, 11_000]),
            cpu("rust-tokio", &[13_000, 13_100, 12_950, 13_050, 13_020]),
        ]);
        let a = view::analyse(Catalogue::embedded(), &file);
        let tiers = &a.workloads[0].groups[0].tiers;
        assert_eq!(tiers[0], ["rust-rayon", "rust-threads"], "{tiers:?}");
        assert_eq!(tier_runs(&file), vec![vec![0, 1, 2]]);
    }

    #[test]
    fn one_sample_each_is_open() {
        let file = fixtures::file(vec![
            cpu("rust-threads", &[10_900]),
            cpu("rust-rayon", &[10_000]),
        ]);
        assert_eq!(tier_runs(&file), vec![vec![0, 1]]);
    }

    /// A claim of its own, so that the test follows this module's rule, not the suite's
    /// bounds: one hand-off of go-channels in 50–200 ns holds, up to 400 ns is a caveat.
    fn handoff_claim() -> ClaimsTable {
        let text = r#"
[[claims]]
id = "handoff"
section = "go"
claim = "a hand-off is cheap"

[[claims.tests]]
what = "goroutine hand-off"
workload = "ping-pong"
metric = "time"
model = "go-channels"
unit = "ns"
holds = { min = 50, max = 200 }
caveat = { min = 25, max = 400 }
rule = "holds if one hand-off takes 50-200 ns; with a caveat up to 400 ns"
"#;
        ClaimsTable::parse(text, Catalogue::embedded()).unwrap()
    }

    /// ping-pong go-channels at these ns per hand-off (100,000 rounds: 200,000 hand-offs).
    fn handoffs(ns: &[u64]) -> ResultsFile {
        let totals: Vec<u64> = ns.iter().map(|n| n * 200_000).collect();
        fixtures::file(vec![fixtures::run(
            "ping-pong",
            "go-channels",
            &[("rounds", 100_000)],
            &totals,
        )])
    }

    #[test]
    fn an_undecided_claim_names_its_runs_and_a_decided_one_none() {
        let table = handoff_claim();
        let straddling = handoffs(&[150, 260, 190, 230, 210]);
        let found = needs(Catalogue::embedded(), &table, &straddling);
        assert_eq!(
            found,
            vec![Need {
                workload: "ping-pong".into(),
                runs: vec![0],
                reason: "claim handoff".into(),
                stage: Stage::Claim,
                rounds: found[0].rounds,
            }]
        );
        // 210 ns [150–260] against 200 ns: its median is 5% from the bound, so many rounds.
        assert!(found[0].rounds.is_some_and(|r| r > 20), "{found:?}");
        let inside = handoffs(&[150, 151, 149, 152, 148]);
        assert!(needs(Catalogue::embedded(), &table, &inside).is_empty());
    }

    #[test]
    fn a_verdict_or_a_first_tier_on_three_samples_asks_for_more() {
        // Inside the holds band, far from its bounds, but [min, max] of 3 samples is a 75%
        // interval: asked again all the same. Three samples can all come from one of the
        // machine's two speeds, so how tight they are says little about the next run
        // (2026-12-03: skipping the weak intervals whose 3 samples, widened to what 6 would
        // give, still cleared their bounds moved 8 verdicts between two runs, against 1).
        let table = handoff_claim();
        let three = handoffs(&[150, 151, 149]);
        let found = needs(Catalogue::embedded(), &table, &three);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].runs.as_slice(), found[0].stage),
            (&[0][..], Stage::Weak)
        );
        // rayon 2× ahead in each of 3 rounds: decided at 75%, not yet settled.
        let clear = fixtures::file(vec![
            cpu("rust-threads", &[20_000, 20_300, 19_800]),
            cpu("rust-rayon", &[10_000, 10_150, 9_900]),
        ]);
        assert_eq!(tier_runs(&clear), vec![vec![0, 1]]);
        let found = needs(Catalogue::embedded(), ClaimsTable::embedded(), &clear);
        assert!(found.iter().all(|n| n.stage == Stage::Weak), "{found:?}");
    }
}
