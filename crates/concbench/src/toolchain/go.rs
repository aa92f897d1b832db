//! Go: `go build`, cached under a hash of the Go sources and the Go version.

use super::*;

/// Builds `concbench-go`, cached under a hash of the Go sources and the Go version.
pub(super) fn build(
    opts: &ToolchainOptions,
    log: &mut dyn FnMut(&str),
) -> std::result::Result<Built, Unavailable> {
    const HINT: &str =
        "install Go 1.25 or newer (e.g. apt-get install golang-go), or pass --go PATH";
    let go = locate(opts.go.as_deref(), "go", HINT)?;
    let src = opts.root.join("impls").join("go");
    let version = run_step(Command::new(&go).arg("version"), "go version", HINT)?;
    let hash = hash_sources(&src, version.trim()).map_err(|e| Unavailable {
        reason: format!("cannot read the Go sources: {e:#}"),
        hint: "check the concbench source tree".into(),
    })?;
    let dir = opts.build_dir.join("go");
    let program = dir.join(format!("concbench-go-{}", &hash[..16]));
    if !is_executable(&program) {
        log("building concbench-go (go build)");
        let _ = fs::create_dir_all(&dir);
        let tmp = dir.join(format!(".building-{}", std::process::id()));
        run_step(
            Command::new(&go)
                .args(["build", "-trimpath", "-o"])
                .arg(&tmp)
                .arg(".")
                .env("GOFLAGS", "-buildvcs=false")
                .env("GOTOOLCHAIN", "local")
                .current_dir(&src),
            "go build",
            "run `go build` in impls/go to see the whole error",
        )?;
        fs::rename(&tmp, &program).map_err(|e| Unavailable {
            reason: format!("cannot place the Go binary: {e}"),
            hint: format!("check that {} is writable", dir.display()),
        })?;
    }
    Ok(Built {
        lang: Lang::Go,
        program,
        prefix_args: vec![],
        env: vec![],
    })
}
