//! Go's hook: the program described in `suite/languages.toml` built with `-race`, for
//! the race-detector safety check, cached beside the plain build.

use super::*;

/// `concbench-go` built with `-race` (the description's build with `{flags}` = `-race`,
/// cached apart, `go-race/`), or why it cannot be: the race detector needs cgo and a C
/// compiler, as `impls/go/race_test.go` checks too.
pub(super) fn build_race(
    opts: &ToolchainOptions,
    log: &mut dyn FnMut(&str),
) -> std::result::Result<PathBuf, Unavailable> {
    let Some(info) = Lang::Go.described() else {
        return Err(Unavailable {
            reason: "the suite in use describes no Go".into(),
            hint: "add go to its languages.toml".into(),
        });
    };
    let go = described::find_tool(opts, info)?;
    let src = opts.root.join("impls").join("go");
    let env = run_step(
        Command::new(&go.program)
            .args(["env", "CGO_ENABLED", "CC"])
            .env("GOTOOLCHAIN", "local")
            .current_dir(&src),
        "go env",
        &info.hint,
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
    Ok(described::prepare_variant(opts, Lang::Go, &["-race"], Some("race"), log)?.program)
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
