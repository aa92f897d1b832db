//! Go: `go build`, cached under a hash of the Go sources and the Go version; and the same
//! program built with `-race` for the race-detector safety check, cached beside it.

use super::*;

const HINT: &str = "install Go 1.25 or newer (e.g. apt-get install golang-go), or pass --go PATH";

/// Builds `concbench-go`, cached under a hash of the Go sources and the Go version.
pub(super) fn build(
    opts: &ToolchainOptions,
    log: &mut dyn FnMut(&str),
) -> std::result::Result<Built, Unavailable> {
    let go = locate(opts.go.as_deref(), "go", HINT)?;
    Ok(Built {
        lang: Lang::Go,
        program: build_cached(opts, &go, Flavour::Plain, log)?,
        prefix_args: vec![],
        env: vec![],
    })
}

/// Builds `concbench-go` with `-race` (its own cache, `go-race/`), or says why it cannot:
/// the race detector needs cgo and a C compiler, as `impls/go/race_test.go` checks too.
pub(super) fn build_race(
    opts: &ToolchainOptions,
    log: &mut dyn FnMut(&str),
) -> std::result::Result<PathBuf, Unavailable> {
    let go = locate(opts.go.as_deref(), "go", HINT)?;
    let src = opts.root.join("impls").join("go");
    let env = run_step(
        Command::new(&go)
            .args(["env", "CGO_ENABLED", "CC"])
            .env("GOTOOLCHAIN", "local")
            .current_dir(&src),
        "go env",
        HINT,
    )?;
    let mut lines = env.lines().map(str::trim);
    let (cgo, cc) = (lines.next().unwrap_or(""), lines.next().unwrap_or(""));
    race_support(cgo, cc, |program| {
        if program.contains('/') {
            is_executable(Path::new(program))
        } else {
            find_on_path(program).is_some()
        }
    })?;
    build_cached(opts, &go, Flavour::Race, log)
}

/// Whether `go build -race` can work, from `go env CGO_ENABLED` and `go env CC`, and whether
/// a program exists (`exists`): the reason it cannot, and what to install.
pub(super) fn race_support(
    cgo_enabled: &str,
    cc: &str,
    exists: impl Fn(&str) -> bool,
) -> std::result::Result<(), Unavailable> {
    const GCC: &str = "install a C compiler such as gcc (apt-get install gcc); cgo then turns \
                       itself on (or set CGO_ENABLED=1)";
    if cgo_enabled != "1" {
        return Err(Unavailable {
            reason: format!(
                "go build -race needs cgo, and `go env CGO_ENABLED` is {cgo_enabled:?}, not \"1\""
            ),
            hint: GCC.into(),
        });
    }
    let Some(compiler) = cc.split_whitespace().next() else {
        return Err(Unavailable {
            reason: "go build -race needs a C compiler, and `go env CC` is empty".into(),
            hint: GCC.into(),
        });
    };
    if !exists(compiler) {
        return Err(Unavailable {
            reason: format!(
                "go build -race needs a C compiler, and `{compiler}` (go env CC) is not there"
            ),
            hint: GCC.into(),
        });
    }
    Ok(())
}

/// The plain program, or the one built with the race detector.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavour {
    Plain,
    Race,
}

/// `go build` into the build folder under a hash of the sources, the Go version and the
/// flavour, unless that binary is already there; its path.
fn build_cached(
    opts: &ToolchainOptions,
    go: &Path,
    flavour: Flavour,
    log: &mut dyn FnMut(&str),
) -> std::result::Result<PathBuf, Unavailable> {
    let src = opts.root.join("impls").join("go");
    let version = run_step(Command::new(go).arg("version"), "go version", HINT)?;
    let (folder, name, flags): (&str, &str, &[&str]) = match flavour {
        Flavour::Plain => ("go", "concbench-go", &[]),
        Flavour::Race => ("go-race", "concbench-go-race", &["-race"]),
    };
    let salt = format!("{} {}", version.trim(), flags.join(" "));
    let hash = hash_sources(&src, salt.trim()).map_err(|e| Unavailable {
        reason: format!("cannot read the Go sources: {e:#}"),
        hint: "check the concbench source tree".into(),
    })?;
    let dir = opts.build_dir.join(folder);
    let program = dir.join(format!("{name}-{}", &hash[..16]));
    if !is_executable(&program) {
        let what = format!(
            "go build{}",
            flags.iter().map(|f| format!(" {f}")).collect::<String>()
        );
        log(&format!("building {name} ({what})"));
        let _ = fs::create_dir_all(&dir);
        let tmp = dir.join(format!(".building-{}", std::process::id()));
        run_step(
            Command::new(go)
                .arg("build")
                .args(flags)
                .args(["-trimpath", "-o"])
                .arg(&tmp)
                .arg(".")
                .env("GOFLAGS", "-buildvcs=false")
                .env("GOTOOLCHAIN", "local")
                .current_dir(&src),
            &what,
            &format!("run `{what}` in impls/go to see the whole error"),
        )?;
        fs::rename(&tmp, &program).map_err(|e| Unavailable {
            reason: format!("cannot place the Go binary: {e}"),
            hint: format!("check that {} is writable", dir.display()),
        })?;
    }
    Ok(program)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn race_needs_cgo_and_a_c_compiler_that_exists() {
        let everywhere = |_: &str| true;
        assert!(race_support("1", "gcc", everywhere).is_ok());
        assert!(race_support("1", "gcc -m64", |p| p == "gcc").is_ok());
        let why = race_support("0", "gcc", everywhere).unwrap_err();
        assert!(why.reason.contains("CGO_ENABLED"), "{why}");
        assert!(why.hint.contains("gcc"), "{why}");
        let why = race_support("1", "", everywhere).unwrap_err();
        assert!(
            why.reason.contains("CC") && why.reason.contains("empty"),
            "{why}"
        );
        let why = race_support("1", "clang", |_| false).unwrap_err();
        assert!(why.reason.contains("`clang`"), "{why}");
    }
}
