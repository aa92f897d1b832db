//! `claims`' runs: the article's claims decided on a results file, and what the file cannot
//! decide measured now, at quick size, into a file of its own that completes them.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::SystemTime;

use anyhow::Result;

use crate::analysis::claims::{self as verdicts, ClaimResult, ClaimsTable, Measure};
use crate::analysis::view;
use crate::catalogue::Catalogue;
use crate::machine::Machine;
use crate::results::ResultsFile;
use crate::run::plan::{self, RunSpec};
use crate::run::session::{default_out, Session};

/// The claims as decided, and on what.
#[derive(Debug)]
pub struct Decided {
    /// Every claim of `suite/claims.toml`, with its verdict.
    pub claims: Vec<ClaimResult>,
    /// The files they were decided on: the one given, then the one measured for them.
    pub sources: Vec<String>,
    /// The results file measured for them, if any.
    pub measured: Option<ResultsFile>,
}

/// The claims decided on `file` (read from `source`); given a session, completed first by
/// measuring what `file` cannot decide (without one, `--no-run`, they stay "not measured").
pub fn decide(
    catalogue: &Catalogue,
    file: &ResultsFile,
    source: String,
    session: Option<&Session>,
) -> Result<Decided> {
    let table = ClaimsTable::embedded();
    let mut claims = verdicts::check(catalogue, table, file, &view::analyse(catalogue, file));
    let mut sources = vec![source];
    let mut measured = None;
    let missing = verdicts::missing(&claims);
    if let Some(session) = session.filter(|_| !missing.is_empty()) {
        if let Some((path, quick)) = measure_missing(session, &missing)? {
            let extra =
                verdicts::check(catalogue, table, &quick, &view::analyse(catalogue, &quick));
            let label = path.display().to_string();
            claims = verdicts::merge(table, claims, &extra, &label);
            sources.push(label);
            measured = Some(quick);
        }
    }
    Ok(Decided {
        claims,
        sources,
        measured,
    })
}

/// The runs that measure `missing` on a machine with `cpus` CPUs, each once: safety checks
/// are not runs, and a test that needs more CPUs than the machine has is left out.
pub fn plan_missing(
    catalogue: &Catalogue,
    missing: &[Measure],
    cpus: usize,
) -> Result<Vec<RunSpec>> {
    let mut out = Vec::new();
    for m in missing.iter().filter(|m| !m.safety && m.min_cpus <= cpus) {
        for spec in plan::build(catalogue, &m.run, cpus)? {
            if !out.contains(&spec) {
                out.push(spec);
            }
        }
    }
    Ok(out)
}

/// Runs, at quick size, what the claims' tests found missing, into
/// `concbench-results/claims-quick-<time>.json`; `None` when nothing can run here (e.g. a
/// test needs more CPUs than the machine has).
pub fn measure_missing(
    session: &Session,
    missing: &[Measure],
) -> Result<Option<(PathBuf, ResultsFile)>> {
    let machine = Machine::current();
    let plan = plan_missing(session.catalogue, missing, machine.allowed_cpus.len())?;
    let safety = missing.iter().any(|m| m.safety);
    if plan.is_empty() && !safety {
        return Ok(None);
    }
    (session.log)(&format!(
        "the results file cannot decide every claim; measuring {} runs at quick size{} (--no-run only reads)",
        plan.len(),
        if safety { " and making the safety checks" } else { "" }
    ));
    let out = default_out("claims-quick", SystemTime::now());
    let (mut file, out) = if plan.is_empty() {
        let file = ResultsFile::new("quick", session.command.clone(), machine, BTreeMap::new());
        file.write_atomic(&out)?;
        (file, out)
    } else {
        session.execute(&plan, "quick", Some(out), machine)?
    };
    // A plan with shared-counter made the checks already.
    if safety && file.safety.is_empty() && !file.interrupted {
        file.safety = session.safety_checks()?;
        file.write_atomic(&out)?;
    }
    Ok(Some((out, file)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::selection::Selection;

    fn spec(workload: &str, models: &[&str], min_cpus: usize, safety: bool) -> Measure {
        Measure {
            run: Selection {
                models: (!models.is_empty())
                    .then(|| models.iter().map(|m| m.to_string()).collect()),
                ..Selection::measure(vec![workload.into()])
            },
            min_cpus,
            safety,
        }
    }

    #[test]
    fn the_missing_runs_are_planned_once_without_the_safety_checks_or_what_needs_more_cpus() {
        let catalogue = Catalogue::embedded();
        let missing = [
            spec("cpu-parallel", &["py-seq", "py-threads"], 1, false),
            // The same runs, asked for by another test.
            spec("cpu-parallel", &["py-threads"], 1, false),
            spec("shared-counter", &[], 1, true),
            spec("ping-pong", &["go-channels"], 64, false),
        ];
        let plan = plan_missing(catalogue, &missing, 2).unwrap();
        let runs: Vec<(&str, &str)> = plan
            .iter()
            .map(|s| (s.workload.as_str(), s.model.as_str()))
            .collect();
        assert_eq!(
            runs,
            [("cpu-parallel", "py-seq"), ("cpu-parallel", "py-threads")]
        );
        assert!(plan_missing(catalogue, &missing[2..], 2)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn without_a_session_the_claims_are_only_read() {
        let catalogue = Catalogue::embedded();
        let file = ResultsFile::new("quick", vec![], Machine::default(), BTreeMap::new());
        let decided = decide(catalogue, &file, "empty.json".into(), None).unwrap();
        assert_eq!(decided.sources, ["empty.json"]);
        assert!(decided.measured.is_none());
        assert!(!decided.claims.is_empty());
        assert!(decided
            .claims
            .iter()
            .all(|c| c.verdict == verdicts::Verdict::NotMeasured));
    }
}
