//! Records the compiler's version for `--list`, which reports the runtime a model ran on.

use std::process::Command;

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let output = Command::new(&rustc)
        .arg("--version")
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{rustc} --version`: {e}"));
    let version = String::from_utf8_lossy(&output.stdout);
    // "rustc 1.95.0 (59807616e 2026-04-14)" -> "rustc 1.95.0": the commit and date are noise
    // next to the other languages' runtime strings.
    let runtime = version
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    println!("cargo:rustc-env=CONCBENCH_RUSTC_VERSION={runtime}");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=RUSTC");
}
