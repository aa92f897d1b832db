//! A language added by description only: a suite of its own (`CONCBENCH_SUITE`) describes a
//! made-up language, `sh` (a bash script that implements shared-counter with one
//! sequential model), and concbench finds its toolchain, builds it (a cached copy), lists
//! it and runs it against the reference, with no Rust code of its own.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

/// The implementation: the protocol of impls/README.md, in bash.
const SCRIPT: &str = r#"#!/bin/bash
# concbench-sh: shared-counter, one model, sequential.
if [ "$1" = "--list" ]; then
  echo "{\"lang\": \"sh\", \"runtime\": \"bash$BASH_VERSION\", \"models\": {\"shared-counter\": [\"sh-seq\"]}}"
  exit 0
fi
[ "$1" = shared-counter ] || { echo "concbench-sh: unknown workload $1" >&2; exit 2; }
[ "$2" = sh-seq ] || { echo "concbench-sh: unknown model $2" >&2; exit 2; }
shift 2
for a in "$@"; do
  case "$a" in
    --units=*) units=${a#*=} ;;
    --increments=*) increments=${a#*=} ;;
    *) echo "concbench-sh: unknown argument $a" >&2; exit 2 ;;
  esac
done
start=$(date +%s%N)
counter=0
for ((u = 0; u < units; u++)); do
  for ((i = 0; i < increments; i++)); do counter=$((counter + 1)); done
done
end=$(date +%s%N)
echo "{\"checksum\": \"$counter\", \"elapsed_ns\": $((end - start)), \"ops\": $((units * increments)), \"metrics\": {}}"
"#;

const LANGUAGES: &str = r##"
[[languages]]
name = "sh"
title = "Shell"
prefix = "sh-"
colour = "#bbbbbb"
hint = "install bash"
safety = { class = "silent", how = "one process, nothing shared", check = "none" }
[languages.toolchain]
find = [{ path = "bash" }]
version = { args = ["--version"], regex = 'version (\d+\.\d+)', minimum = "4.0" }
[languages.build]
steps = [["cp", "{sources}", "{out}/concbench-sh"]]
sources = { dir = "impls/sh", include = ["*.sh"] }
artifact = "{out}/concbench-sh"
[languages.run]
program = "{tool}"
args = ["{out}/concbench-sh"]
"##;

const WORKLOAD: &str = r#"
name = "shared-counter"
title = "a counter"
from = "a test"
op = "increment"
timeout_s = 30

[[params]]
name = "units"
min = 1
max = 100
about = "units"

[[params]]
name = "increments"
min = 0
max = 1000
about = "increments per unit"

[[models]]
id = "sh-seq"
lang = "sh"
tool = "a bash loop"
unit = "none (sequential)"
communication = "none"
scheduling = "sequential"
memory = "n/a"
sequential = true

[suites.quick]
units = 2
increments = 10
"#;

const SUITES: &str = r#"
[quick]
about = "a tiny run"
runs = 1
warmup = 0
"#;

const MODELS: &str = r#"
[[models]]
id = "sh-seq"
unit = "none"
communication = "none"
sharing = "n/a"
scheduling = "sequential"
domains = "a test"
"#;

/// A source tree of its own in `dir`: the script under impls/sh, and a suite describing it.
fn tree(dir: &Path) {
    fs::create_dir_all(dir.join("impls/sh")).unwrap();
    fs::write(dir.join("impls/sh/concbench.sh"), SCRIPT).unwrap();
    fs::create_dir_all(dir.join("suite/workloads")).unwrap();
    fs::write(dir.join("suite/languages.toml"), LANGUAGES).unwrap();
    fs::write(dir.join("suite/workloads/shared-counter.toml"), WORKLOAD).unwrap();
    fs::write(dir.join("suite/models.toml"), MODELS).unwrap();
    fs::write(dir.join("suite/suites.toml"), SUITES).unwrap();
    // The compiled-in claims test workloads this suite does not have.
    fs::write(dir.join("suite/claims.toml"), "claims = []\n").unwrap();
}

fn concbench(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("concbench").unwrap();
    cmd.env("CONCBENCH_ROOT", dir)
        .env("CONCBENCH_SUITE", dir.join("suite"))
        .env_remove("CONCBENCH_WRAPPER");
    cmd
}

#[test]
fn a_language_described_in_a_suite_of_its_own_is_listed_built_and_run() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());

    let out = concbench(dir.path())
        .args(["list", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(listing.contains("\"sh-seq\""), "{listing}");
    assert!(
        listing.contains("bash"),
        "the runtime --list gave: {listing}"
    );
    // Built once, cached under a hash of the sources.
    let built: Vec<_> = fs::read_dir(dir.path().join("target/concbench/sh"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("concbench-sh").is_file())
        .collect();
    assert_eq!(built.len(), 1, "one cached build");

    let results = dir.path().join("results.json");
    let out = concbench(dir.path())
        .args([
            "run", "--suite", "quick", "--runs", "1", "--warmup", "0", "--out",
        ])
        .arg(&results)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let file: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&results).unwrap()).unwrap();
    let runs = file["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "{file}");
    assert_eq!(runs[0]["model"], "sh-seq");
    assert_eq!(runs[0]["lang"], "sh");
    assert_eq!(runs[0]["status"], "valid", "{}", runs[0]);
    assert_eq!(runs[0]["samples"][0]["checksum"], "20");

    // A change to the sources is a new build; an unknown hook is one clear line, exit 2.
    fs::write(
        dir.path().join("impls/sh/concbench.sh"),
        format!("{SCRIPT}\n# changed\n"),
    )
    .unwrap();
    concbench(dir.path())
        .args(["list", "--format", "json"])
        .assert()
        .success();
    assert_eq!(
        fs::read_dir(dir.path().join("target/concbench/sh"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().join("concbench-sh").is_file())
            .count(),
        2
    );
    fs::write(
        dir.path().join("suite/languages.toml"),
        LANGUAGES.replace("[languages.build]", "[languages.build]\nhook = \"conda\""),
    )
    .unwrap();
    let out = concbench(dir.path()).arg("list").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown build hook \"conda\""), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}
