//! The `python-venv` hook: a virtual environment under the build folder, one per
//! interpreter, with the packages of a requirements file installed into it.

use super::*;

/// The virtual environment of `python` (one per interpreter, so that a free-threaded
/// CPython gets its own), created if missing, with `requirements` (relative to the source
/// tree) installed into it when that file changed since the last install. A failed install
/// is a warning: only the models that need a package are then unavailable (`py-numpy`).
pub(super) fn venv(
    opts: &ToolchainOptions,
    python: &Tool,
    requirements: Option<&str>,
    log: &mut dyn FnMut(&str),
) -> std::result::Result<PathBuf, Unavailable> {
    const HINT: &str = "install Python's venv module (e.g. apt-get install python3-venv)";
    // The version command prints the version, the free-threading flag and the executable.
    let version = python.version_output.trim();
    let mut hasher = Sha256::new();
    hasher.update(version.as_bytes());
    let tag: String = hasher
        .finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect();
    let venv = opts.build_dir.join("python").join(format!(
        "venv-{}-{tag}",
        version.split_whitespace().next().unwrap_or("python")
    ));
    let venv_python = venv.join("bin").join("python");
    if !is_executable(&venv_python) {
        log(&format!(
            "creating the Python environment {}",
            venv.display()
        ));
        let _ = fs::create_dir_all(venv.parent().expect("has a parent"));
        run_step(
            Command::new(&python.program)
                .args(&python.args)
                .args(["-m", "venv", "--clear"])
                .arg(&venv),
            "python3 -m venv",
            HINT,
        )?;
    }
    let Some(requirements) = requirements else {
        return Ok(venv);
    };
    let file = opts.root.join(requirements);
    let wanted = fs::read(&file).map_err(|e| Unavailable {
        reason: format!("cannot read {}: {e}", file.display()),
        hint: "check the concbench source tree".into(),
    })?;
    // The install is redone only when the requirements change (a marker holds their hash).
    let marker = venv.join(format!(
        ".requirements-{}",
        Sha256::digest(&wanted)
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    ));
    if !marker.exists() {
        log(&format!(
            "installing {requirements} into the Python environment (pip install -r)"
        ));
        match run_step(
            Command::new(&venv_python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--retries",
                    "1",
                    "--timeout",
                    "20",
                    "-r",
                ])
                .arg(&file),
            "pip install -r requirements",
            "check that pip can reach the package index, then run again",
        ) {
            Ok(_) => {
                let _ = fs::write(&marker, &wanted);
            }
            // `describe` then sees numpy = null: py-numpy is unavailable, the rest runs.
            Err(why) => log(&format!(
                "warning: {why}: the models that need these packages will be unavailable"
            )),
        }
    }
    Ok(venv)
}
