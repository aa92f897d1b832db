//! C: the baseline, `cc -O2 -pthread -o <out> impls/c/*.c` with the machine's C compiler
//! (`$CC`, else `cc` or `gcc` on PATH), cached under a hash of the C sources, the
//! compiler's version and the command.

use super::*;

/// What to install when there is no C compiler.
const HINT: &str = "install gcc (Debian: apt-get install gcc)";

/// The flags of the one build command; impls/README.md gives the same command.
const FLAGS: [&str; 2] = ["-O2", "-pthread"];

/// Builds `concbench-c`, cached under a hash of the C sources, the compiler and the flags.
pub(super) fn build(
    opts: &ToolchainOptions,
    log: &mut dyn FnMut(&str),
) -> std::result::Result<Built, Unavailable> {
    let (cc, cc_args) = compiler()?;
    let src = opts.root.join("impls").join("c");
    let version = run_step(
        Command::new(&cc).args(&cc_args).arg("--version"),
        "cc --version",
        HINT,
    )?;
    let version = version.lines().next().unwrap_or("").trim().to_string();
    let unreadable = |e: anyhow::Error| Unavailable {
        reason: format!("cannot read the C sources: {e:#}"),
        hint: "check the concbench source tree".into(),
    };
    let mut sources = Vec::new();
    collect_files(&src, &mut sources).map_err(unreadable)?;
    sources.retain(|f| f.extension().is_some_and(|e| e == "c"));
    sources.sort();
    let salt = format!("{} {} {}", cc.display(), cc_args.join(" "), FLAGS.join(" "));
    let hash = hash_files(&src, &format!("{version}\n{salt}"), |name| {
        name.ends_with(".c") || name.ends_with(".h")
    })
    .map_err(unreadable)?;
    let dir = opts.build_dir.join("c");
    let program = dir.join(format!("concbench-c-{}", &hash[..16]));
    if !is_executable(&program) {
        let command: Vec<String> = std::iter::once(cc.display().to_string())
            .chain(cc_args.iter().cloned())
            .chain(FLAGS.iter().map(|f| f.to_string()))
            .collect();
        log(&format!("building concbench-c ({})", command.join(" ")));
        let _ = fs::create_dir_all(&dir);
        let tmp = dir.join(format!(".building-{}", std::process::id()));
        run_step(
            Command::new(&cc)
                .args(&cc_args)
                .args(FLAGS)
                .arg("-o")
                .arg(&tmp)
                .args(&sources)
                .current_dir(&opts.root),
            "cc -O2 -pthread",
            "run `cc -O2 -pthread -o concbench-c impls/c/*.c` to see the whole error",
        )?;
        fs::rename(&tmp, &program).map_err(|e| Unavailable {
            reason: format!("cannot place the C binary: {e}"),
            hint: format!("check that {} is writable", dir.display()),
        })?;
    }
    Ok(Built {
        lang: Lang::C,
        program,
        prefix_args: vec![],
        env: vec![],
    })
}

/// The C compiler and its own arguments: `$CC` (which may carry flags, `gcc -m64`) when set,
/// else `cc`, else `gcc` on PATH.
fn compiler() -> std::result::Result<(PathBuf, Vec<String>), Unavailable> {
    if let Some(cc) = std::env::var_os("CC").filter(|c| !c.is_empty()) {
        let cc = cc.to_string_lossy().into_owned();
        let mut words = cc.split_whitespace().map(str::to_string);
        let program = words.next().unwrap_or_default();
        let path = if program.contains('/') {
            locate(Some(Path::new(&program)), &program, HINT)?
        } else {
            find_on_path(&program).ok_or_else(|| Unavailable {
                reason: format!("$CC is `{cc}`, and `{program}` is not on PATH"),
                hint: HINT.into(),
            })?
        };
        return Ok((path, words.collect()));
    }
    match find_on_path("cc").or_else(|| find_on_path("gcc")) {
        Some(path) => Ok((path, vec![])),
        None => Err(Unavailable {
            reason: "no C compiler: neither $CC nor `cc` or `gcc` on PATH".into(),
            hint: HINT.into(),
        }),
    }
}
