//! The safety checks against the real toolchains: rustc must refuse each compile-fail
//! sample with its data-race error (E0277, E0499), and Go's race detector must report go-racy and nothing
//! else. The Go test needs cgo and a C compiler for `-race`, and skips with a message
//! without them (like `impls/go/race_test.go`); a missing rustc or Go fails.

use concbench::catalogue::{Catalogue, Lang};
use concbench::results::SafetyOutcome;
use concbench::run::safety;
use concbench::toolchain;

mod common;

#[test]
fn rustc_refuses_each_sample_with_the_data_race_error_it_is_there_for() {
    let opts = common::source_options();
    let rustc = toolchain::rustc().unwrap_or_else(|why| panic!("no rustc: {why}"));
    for sample in safety::COMPILE_FAIL_SAMPLES {
        let check = safety::compile_fail(Ok(&rustc), &opts.root, sample);
        assert_eq!(check.model, sample.model);
        assert_eq!(check.outcome, SafetyOutcome::Rejected, "{check:#?}");
        assert_eq!(check.expected, SafetyOutcome::Rejected);
        assert_eq!(check.reason, None, "{check:#?}");
        assert!(
            check
                .excerpt
                .starts_with(&format!("error[{}]", sample.code)),
            "{}",
            check.excerpt
        );
        assert!(
            check.excerpt.contains(sample.program),
            "the excerpt names the file as the command does: {}",
            check.excerpt
        );
        assert!(check.command.contains(sample.program));
    }
}

#[test]
fn the_race_detector_reports_go_racy_and_only_go_racy() {
    let opts = common::source_options();
    let binary = match toolchain::build_go_race(&opts, &mut |msg| eprintln!("{msg}")) {
        Ok(binary) => binary,
        Err(why) if why.reason.contains("-race needs") => {
            eprintln!("skipped: {why}");
            return;
        }
        Err(why) => panic!("cannot build the -race binary: {why}"),
    };
    let workload = Catalogue::embedded().workload(safety::WORKLOAD).unwrap();
    let go: Vec<_> = workload
        .models
        .iter()
        .filter(|m| m.lang == Lang::Go)
        .collect();
    assert!(go.iter().any(|m| m.racy) && go.iter().any(|m| !m.racy));
    for model in go {
        let check = safety::race_detector(Ok(&binary), &model.id, model.racy);
        if model.racy {
            assert_eq!(check.outcome, SafetyOutcome::Reported, "{check:#?}");
            assert!(
                check.excerpt.starts_with("WARNING: DATA RACE"),
                "{check:#?}"
            );
        } else {
            assert_eq!(check.outcome, SafetyOutcome::Clean, "{check:#?}");
            assert!(check.excerpt.is_empty(), "{check:#?}");
        }
        assert_eq!(check.outcome, check.expected);
        assert_eq!(check.reason, None, "{check:#?}");
        assert!(check
            .command
            .contains(&format!(" shared-counter {} ", model.id)));
    }
}
