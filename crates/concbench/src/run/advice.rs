//! `advise`'s runs: advice for a workload profile with this machine's caps, and, with
//! `--measure`, what the profile needs and the results lack, measured first into a new file.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::analysis::advice::{self, Advice, Inputs};
use crate::analysis::profile::Profile;
use crate::analysis::view::{self, Analysis};
use crate::catalogue::models::ModelTable;
use crate::catalogue::selection::{Selection, MEASURE_SUITE};
use crate::catalogue::Catalogue;
use crate::machine::limits::Limits;
use crate::machine::Machine;
use crate::results::ResultsFile;
use crate::run::plan;
use crate::run::session::Session;

/// The advice for `profile` from `file`, with this machine's caps.
pub fn for_machine(profile: &Profile, file: &ResultsFile, analysis: &Analysis) -> Advice {
    advice::advise(
        profile,
        &Inputs {
            catalogue: Catalogue::embedded(),
            file,
            analysis,
            models: ModelTable::embedded(),
            limits: &Limits::current(),
        },
    )
}

/// The results file at `path`, and the advice for `profile` from it.
pub fn from_file(profile: &Profile, path: &Path) -> Result<(ResultsFile, Advice)> {
    let file = ResultsFile::load(path)?;
    let analysis = view::analyse(Catalogue::embedded(), &file);
    let advice = for_machine(profile, &file, &analysis);
    Ok((file, advice))
}

/// The selections that measure what `advice` lacks: its commands, and the other workloads it
/// reads at quick sizes, so the new file answers on its own.
pub fn selections(advice: &Advice) -> Vec<Selection> {
    let mut out = advice.commands.clone();
    let covered: Vec<&String> = out
        .iter()
        .flat_map(|c| c.workloads.iter().flatten())
        .collect();
    let rest: Vec<String> = advice
        .workloads
        .iter()
        .filter(|w| !covered.contains(w))
        .cloned()
        .collect();
    if !rest.is_empty() {
        out.push(Selection {
            cpus: advice.commands.first().and_then(|c| c.cpus.clone()),
            ..Selection::measure(rest)
        });
    }
    out
}

/// `advise --measure`: runs what `profile` needs and `advised` (the advice from the results
/// file, if there is one) lacks, into one new results file, and returns its path; `None`
/// when nothing is missing. Without a file, everything the profile reads is measured.
pub fn measure(
    session: &Session,
    profile: &Profile,
    advised: Option<&Advice>,
) -> Result<Option<PathBuf>> {
    let todo = match advised {
        None => {
            let probe = ResultsFile::new(
                MEASURE_SUITE,
                vec![],
                Default::default(),
                Default::default(),
            );
            let analysis = view::analyse(session.catalogue, &probe);
            selections(&for_machine(profile, &probe, &analysis))
        }
        Some(a) if !a.commands.is_empty() => selections(a),
        Some(_) => Vec::new(),
    };
    if todo.is_empty() {
        (session.log)("nothing is missing for this profile; advising from the file");
        return Ok(None);
    }
    let machine = Machine::current();
    let mut runs = Vec::new();
    for s in &todo {
        runs.extend(plan::build(
            session.catalogue,
            s,
            machine.allowed_cpus.len(),
        )?);
    }
    let (file, out) = session.execute(&runs, "advise", None, machine)?;
    if file.interrupted {
        anyhow::bail!(
            "interrupted; the runs measured so far are in {}",
            out.display()
        );
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::selection::SetOverride;

    #[test]
    fn the_selections_run_the_commands_then_the_other_workloads_on_the_same_cpus() {
        use crate::analysis::profile::{self, Layer};
        let gateway = profile::preset("gateway").unwrap().clone();
        let gateway = profile::build(Some("gateway"), &[(gateway, Layer::Keys("gateway"))]);
        let probe = ResultsFile::new(
            MEASURE_SUITE,
            vec![],
            Machine::default(),
            Default::default(),
        );
        let mut advice = for_machine(
            &gateway.unwrap(),
            &probe,
            &view::analyse(Catalogue::embedded(), &probe),
        );
        advice.commands = vec![Selection {
            models: Some(vec!["rust-tokio".into()]),
            sets: vec![SetOverride {
                workload: "io-server".into(),
                param: "connections".into(),
                value: 1000,
            }],
            cpus: Some(vec![2]),
            ..Selection::measure(vec!["io-server".into()])
        }];
        advice.workloads = vec!["io-server".into(), "worker-pool".into()];
        let s = selections(&advice);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].workloads, Some(vec!["io-server".to_string()]));
        assert_eq!(s[0].models, Some(vec!["rust-tokio".to_string()]));
        let set = SetOverride {
            workload: "io-server".into(),
            param: "connections".into(),
            value: 1000,
        };
        assert_eq!(s[0].sets, [set]);
        // The rest of what the advice reads, every model, on the commands' CPUs.
        assert_eq!(s[1].workloads, Some(vec!["worker-pool".to_string()]));
        assert_eq!(
            (s[1].models.clone(), s[1].cpus.clone()),
            (None, Some(vec![2]))
        );
        assert!(s.iter().all(|s| s.suite == MEASURE_SUITE));
    }
}
