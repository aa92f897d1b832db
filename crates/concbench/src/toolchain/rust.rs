//! `concbench-launch`, through which every implementation starts: `cargo build --release`
//! in a target folder of its own under the build folder (as `suite/languages.toml` builds
//! the Rust models), so a nested build never waits on the lock of the cargo that runs us;
//! and the `rustc` of the compile-fail safety check.

use super::*;

/// Builds `concbench-launch`, through which every implementation is started (see its
/// source); `None`, said through `log`, when it cannot be built.
pub(super) fn build_launcher(
    opts: &ToolchainOptions,
    log: &mut dyn FnMut(&str),
) -> Option<PathBuf> {
    match cargo_build(opts, "concbench-launch", log) {
        Ok(program) => Some(program),
        Err(why) => {
            log(&format!(
                "warning: {}; implementations start directly, and peak memory is floored at \
                 the harness's size ({})",
                why.reason, why.hint
            ));
            None
        }
    }
}

const HINT: &str = "install Rust with rustup, or put cargo on PATH";

/// The cargo that runs us (`CARGO`), else `cargo` on PATH.
fn find_cargo() -> std::result::Result<PathBuf, Unavailable> {
    match std::env::var_os("CARGO") {
        Some(c) if is_executable(Path::new(&c)) => Ok(PathBuf::from(c)),
        _ => locate(None, "cargo", HINT),
    }
}

/// The rustc to compile one file with: `RUSTC`, else the one beside the cargo that
/// [`find_cargo`] finds (so both are the same toolchain), else `rustc` on PATH.
pub(super) fn find_rustc() -> std::result::Result<PathBuf, Unavailable> {
    if let Some(rustc) = std::env::var_os("RUSTC").filter(|r| is_executable(Path::new(r))) {
        return Ok(PathBuf::from(rustc));
    }
    let beside_cargo = find_cargo()
        .ok()
        .and_then(|cargo| Some(cargo.parent()?.join("rustc")))
        .filter(|rustc| is_executable(rustc));
    match beside_cargo {
        Some(rustc) => Ok(rustc),
        None => locate(None, "rustc", HINT),
    }
}

/// `cargo build --release -p <package>` into a target folder of its own; the binary's path.
fn cargo_build(
    opts: &ToolchainOptions,
    package: &str,
    log: &mut dyn FnMut(&str),
) -> std::result::Result<PathBuf, Unavailable> {
    let cargo = find_cargo()?;
    let target_dir = opts.build_dir.join("cargo");
    log(&format!("building {package} (cargo build --release)"));
    run_step(
        Command::new(&cargo)
            .args([
                "build",
                "--release",
                "--quiet",
                "-p",
                package,
                "--target-dir",
            ])
            .arg(&target_dir)
            .current_dir(&opts.root),
        &format!("cargo build -p {package}"),
        &format!("run `cargo build --release -p {package}` to see the whole error"),
    )?;
    Ok(target_dir.join("release").join(package))
}
