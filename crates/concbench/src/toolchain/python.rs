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
    install_requirements(&opts.root.join(requirements), &venv, &venv_python, log);
    Ok(venv)
}

/// Where the environment records the hash of the requirements file it was last installed
/// from in full.
const STAMP: &str = "concbench-requirements.sha256";

/// Installs the requirements file (`impls/python/requirements.txt`) into the environment when the file's hash is
/// not the one recorded there. If pip cannot install them all, each is tried alone, so
/// that one package out of reach leaves only the models that import it unavailable
/// (`--list` names them); nothing is recorded then, so the next run tries again.
fn install_requirements(file: &Path, venv: &Path, venv_python: &Path, log: &mut dyn FnMut(&str)) {
    let Ok(text) = fs::read(file) else {
        log(&format!(
            "warning: cannot read {}: the models needing packages will be unavailable",
            file.display()
        ));
        return;
    };
    let hash: String = Sha256::digest(&text)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let stamp = venv.join(STAMP);
    if fs::read_to_string(&stamp).is_ok_and(|s| s.trim() == hash) {
        return;
    }
    log(&format!(
        "installing the pinned Python packages (pip install -r {})",
        file.display()
    ));
    let pip = |args: &[&OsStr]| {
        let mut cmd = Command::new(venv_python);
        cmd.args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(["--retries", "1", "--timeout", "20"])
        .args(args);
        run_step(
            &mut cmd,
            "pip install",
            "check that pip can reach the package index",
        )
    };
    if pip(&["-r".as_ref(), file.as_os_str()]).is_ok() {
        let _ = fs::write(&stamp, hash);
        return;
    }
    let text = String::from_utf8_lossy(&text);
    for requirement in requirements(&text) {
        if let Err(why) = pip(&[requirement.as_ref()]) {
            log(&format!(
                "warning: {requirement}: {why}: the models that import it will be unavailable"
            ));
        }
    }
}

/// The requirement lines of a requirements file: comments and blank lines left out.
fn requirements(text: &str) -> Vec<&str> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|line| !line.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_requirements_file_pins_every_package() {
        let file =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../impls/python/requirements.txt");
        let text = fs::read_to_string(file).expect("impls/python/requirements.txt");
        let lines = requirements(&text);
        for needed in ["numpy", "uvicorn", "uvloop", "httptools", "granian"] {
            assert!(
                lines.iter().any(|l| l.starts_with(&format!("{needed}=="))),
                "{needed} is not pinned"
            );
        }
        assert!(lines.iter().all(|l| l.contains("==")), "{lines:?}");
    }

    #[test]
    fn comments_and_blank_lines_are_not_requirements() {
        assert_eq!(
            requirements("# a\n\nnumpy==1.0  # why\n x==2\n"),
            ["numpy==1.0", "x==2"]
        );
    }
}
