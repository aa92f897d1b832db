//! The protocol from outside: `--list` matches the suite's catalogue, and bad input of any
//! kind exits 2 with one stderr line and nothing on stdout.

mod common;

use common::{run, suite_workloads};
use serde_json::Value;

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// Asserts the bad-input shape and returns the message after `concbench-rust: `.
fn refused(args: &[String]) -> String {
    let output = run(args);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(output.stdout.is_empty(), "{args:?} wrote to stdout");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr:?}");
    assert!(stderr.ends_with('\n'), "{args:?}: {stderr:?}");
    stderr
        .trim_end()
        .strip_prefix("concbench-rust: ")
        .unwrap_or_else(|| panic!("{args:?}: {stderr:?} lacks the program name"))
        .to_owned()
}

#[test]
fn list_names_exactly_the_suites_rust_models() {
    let output = run(&args(&["--list"]));
    assert!(output.status.success());
    assert!(output.stderr.is_empty());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let list: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(list["lang"], "rust");
    let runtime = list["runtime"].as_str().unwrap();
    let version = runtime
        .strip_prefix("rustc ")
        .expect("runtime is `rustc X.Y.Z`");
    assert_eq!(version.split('.').count(), 3, "{runtime}");
    assert!(
        version.split('.').all(|part| part.parse::<u32>().is_ok()),
        "{runtime}"
    );

    let listed = list["models"].as_object().unwrap();
    let suite = suite_workloads();
    assert_eq!(listed.len(), suite.len(), "{listed:?}");
    for workload in suite {
        assert_eq!(
            listed[&workload.name],
            Value::from(workload.rust_models),
            "{}",
            workload.name
        );
    }
}

#[test]
fn parameter_ranges_are_the_suites() {
    for workload in suite_workloads() {
        let implemented = concbench_rust::WORKLOADS
            .iter()
            .find(|w| w.name == workload.name)
            .unwrap_or_else(|| panic!("{} is not implemented", workload.name));
        let ranges: Vec<_> = implemented
            .params
            .iter()
            .map(|p| (p.name.to_owned(), p.min, p.max))
            .collect();
        assert_eq!(ranges, workload.params, "{}", workload.name);
    }
}

#[test]
fn bad_input_of_every_kind_is_refused() {
    assert!(refused(&[]).starts_with("usage: "));
    assert!(refused(&args(&["nope"])).contains("unknown workload \"nope\""));
    assert!(refused(&args(&["--list", "extra"])).contains("--list takes no arguments"));
    assert!(refused(&args(&["--help"])).contains("unknown workload"));
    assert!(refused(&args(&["cpu-parallel"])).contains("missing the model"));
    let message = refused(&args(&[
        "cpu-parallel",
        "go-seq",
        "--tasks=1",
        "--n=1",
        "--workers=1",
    ]));
    assert!(message.contains("unknown model \"go-seq\""), "{message}");
}

#[test]
fn bad_parameters_of_every_model_are_refused() {
    for workload in suite_workloads() {
        // The smallest valid values: every bad variant below changes exactly one thing.
        let valid: Vec<String> = workload
            .params
            .iter()
            .map(|(name, min, _)| format!("--{name}={min}"))
            .collect();
        let mut cases: Vec<(Vec<String>, String)> = vec![
            (
                with(&valid, "--bogus=1"),
                "unknown parameter --bogus".into(),
            ),
            (
                with(&valid, "stray"),
                "unexpected argument \"stray\"".into(),
            ),
        ];
        // A load parameter is the harness's: to a server it is as unknown as any other.
        for name in &workload.load_params {
            cases.push((
                with(&valid, &format!("--{name}=1")),
                format!("unknown parameter --{name}"),
            ));
        }
        for (i, (name, min, max)) in workload.params.iter().enumerate() {
            let replaced = |value: String| {
                let mut args = valid.clone();
                args[i] = format!("--{name}={value}");
                args
            };
            let mut missing = valid.clone();
            missing.remove(i);
            cases.push((missing, format!("missing --{name}")));
            cases.push((
                with(&valid, &valid[i]),
                format!("--{name} is given more than once"),
            ));
            for text in ["abc", "1.5", "", "+1", "-1", "0x10"] {
                cases.push((replaced(text.into()), format!("--{name}={text} is not")));
            }
            let range = format!("is out of range ({min}..={max})");
            if *min > 0 {
                cases.push((replaced((min - 1).to_string()), range.clone()));
            }
            cases.push((replaced((max + 1).to_string()), range.clone()));
            cases.push((replaced("99999999999999999999999".into()), range));
        }
        for model in &workload.rust_models {
            for (params, why) in &cases {
                let mut argv = vec![workload.name.clone(), model.clone()];
                argv.extend(params.iter().cloned());
                let message = refused(&argv);
                assert!(
                    message.starts_with(&format!("{}: ", workload.name)),
                    "{message}"
                );
                assert!(message.contains(why.as_str()), "{argv:?}: {message}");
            }
        }
    }
}

fn with(args: &[String], extra: &str) -> Vec<String> {
    let mut args = args.to_vec();
    args.push(extra.to_owned());
    args
}
