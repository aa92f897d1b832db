//! Python: a virtual environment under the build folder, with NumPy installed into it.

use super::*;

/// The Python environment under the build folder, NumPy installed into it.
pub(super) fn prepare(
    opts: &ToolchainOptions,
    log: &mut dyn FnMut(&str),
) -> std::result::Result<Built, Unavailable> {
    const HINT: &str = "install Python 3.10 or newer with its venv module \
                        (e.g. apt-get install python3 python3-venv), or pass --python PATH";
    let python = locate(opts.python.as_deref(), "python3", HINT)?;
    let version = run_step(
        Command::new(&python).args(["-c", "import sys, sysconfig; print(sys.version.split()[0], sysconfig.get_config_var('Py_GIL_DISABLED') or 0, sys.executable)"]),
        "python3 --version",
        HINT,
    )?;
    // One environment per interpreter, so that a free-threaded CPython gets its own.
    let mut hasher = Sha256::new();
    hasher.update(version.trim().as_bytes());
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
            Command::new(&python)
                .args(["-m", "venv", "--clear"])
                .arg(&venv),
            "python3 -m venv",
            HINT,
        )?;
    }
    let env = vec![(
        "PYTHONPATH".to_string(),
        opts.root.join("impls").join("python").display().to_string(),
    )];
    let has_numpy = Command::new(&venv_python)
        .args(["-c", "import numpy"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_numpy {
        log("installing NumPy into the Python environment (pip install numpy)");
        // Failure leaves only py-numpy unavailable; `describe` sees numpy = null.
        if let Err(why) = run_step(
            Command::new(&venv_python).args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--retries",
                "1",
                "--timeout",
                "20",
                "numpy",
            ]),
            "pip install numpy",
            HINT,
        ) {
            log(&format!("warning: {why}: py-numpy will be unavailable"));
        }
    }
    Ok(Built {
        lang: Lang::Python,
        program: venv_python,
        prefix_args: vec!["-m".into(), "concbench_py".into()],
        env,
    })
}
