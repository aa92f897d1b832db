//! A language found, built and run from its description in `suite/languages.toml`: the
//! first toolchain program whose version qualifies, a build cached under a hash of the
//! sources, the version and the steps, and the command that runs it.

use super::*;
use crate::catalogue::languages::{Candidate, Language, Sources, VersionSpec};

/// Finds `lang`'s toolchain, builds its program if it has a build, and says how to run it.
pub(super) fn prepare(
    opts: &ToolchainOptions,
    lang: Lang,
    log: &mut dyn FnMut(&str),
) -> std::result::Result<Built, Unavailable> {
    prepare_variant(opts, lang, &[], None, log)
}

/// As [`prepare`], with `flags` in the build's `{flags}` and the output cached apart under
/// `variant` (Go's `-race` build: `go-race/`).
pub(super) fn prepare_variant(
    opts: &ToolchainOptions,
    lang: Lang,
    flags: &[&str],
    variant: Option<&str>,
    log: &mut dyn FnMut(&str),
) -> std::result::Result<Built, Unavailable> {
    let info = lang.info();
    let tool = find_tool(opts, info)?;
    let tooldir = fs::canonicalize(&tool.program)
        .unwrap_or_else(|_| tool.program.clone())
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut vars = Vars {
        root: opts.root.clone(),
        build: opts.build_dir.clone(),
        out: opts.build_dir.join(lang.name()),
        tool: std::iter::once(tool.program.display().to_string())
            .chain(tool.args.iter().cloned())
            .collect(),
        tooldir,
        sources: vec![],
        flags: flags.iter().map(|f| f.to_string()).collect(),
    };
    if let Some(build) = &info.build {
        let folder = match variant {
            Some(v) => format!("{}-{v}", lang.name()),
            None => lang.name().to_string(),
        };
        vars.out = opts.build_dir.join(&folder);
        match build.hook.as_deref() {
            Some("python-venv") => {
                vars.out = python::venv(opts, &tool, build.requirements.as_deref(), log)?;
            }
            Some(other) => {
                return Err(Unavailable {
                    reason: format!("{lang}: unknown build hook {other:?}"),
                    hint: "check suite/languages.toml".into(),
                })
            }
            None => run_build(opts, info, build, &tool, &mut vars, &folder, log)?,
        }
    }
    let unexpand = |what: &str| Unavailable {
        reason: format!("{lang}: run.{what} expands to nothing"),
        hint: "check suite/languages.toml".into(),
    };
    let program = vars.expand(&info.run.program);
    let program = program.first().ok_or_else(|| unexpand("program"))?;
    Ok(Built {
        lang,
        program: PathBuf::from(program),
        prefix_args: info.run.args.iter().flat_map(|a| vars.expand(a)).collect(),
        env: info
            .run
            .env
            .iter()
            .map(|(k, v)| (k.clone(), vars.expand(v).join(" ")))
            .collect(),
    })
}

/// The build's steps, cached when it names its sources: in `{build}/<folder>/<hash>`, built
/// in a folder of its own and renamed into place when every step has succeeded.
fn run_build(
    opts: &ToolchainOptions,
    info: &Language,
    build: &crate::catalogue::languages::BuildSpec,
    tool: &Tool,
    vars: &mut Vars,
    folder: &str,
    log: &mut dyn FnMut(&str),
) -> std::result::Result<(), Unavailable> {
    let unreadable = |e: anyhow::Error| Unavailable {
        reason: format!("cannot read the {} sources: {e:#}", info.title),
        hint: "check the concbench source tree".into(),
    };
    let mut done = None;
    if let Some(sources) = &build.sources {
        let src = opts.root.join(&sources.dir);
        vars.sources = source_files(&src, sources).map_err(unreadable)?;
        let salt = format!(
            "{}\n{:?}\n{:?}",
            tool.version_output.trim(),
            build.steps,
            vars.flags
        );
        let hash = hash_files(&src, &salt, |name| keeps(sources, name)).map_err(unreadable)?;
        let dir = opts.build_dir.join(folder);
        let out = dir.join(&hash[..16]);
        vars.out = out.clone();
        let artifact = build.artifact.as_deref().map(|a| vars.expand(a).join(" "));
        let built = match &artifact {
            Some(a) => Path::new(a).exists(),
            None => out.join(".built").exists(),
        };
        if built {
            return Ok(());
        }
        let _ = fs::create_dir_all(&dir);
        let tmp = dir.join(format!(".building-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        let _ = fs::remove_dir_all(&out);
        let _ = fs::create_dir_all(&tmp);
        vars.out = tmp.clone();
        done = Some((tmp, out));
    }
    let cwd = opts.root.join(build.dir.as_deref().unwrap_or("."));
    for step in &build.steps {
        let words: Vec<String> = step.iter().flat_map(|a| vars.expand(a)).collect();
        let Some((program, args)) = words.split_first() else {
            continue;
        };
        // The command as run, but the sources counted rather than listed.
        let shown = step
            .iter()
            .map(|a| match a.starts_with("{sources") {
                true => format!("<{} source files>", vars.expand(a).len()),
                false => vars.expand(a).join(" "),
            })
            .collect::<Vec<_>>()
            .join(" ");
        log(&format!("building {} ({shown})", info.title));
        run_step(
            Command::new(program)
                .args(args)
                .envs(&build.env)
                .current_dir(&cwd),
            &shown,
            &format!(
                "run `{}` in {} to see the whole error",
                words.join(" "),
                cwd.display()
            ),
        )?;
    }
    if let Some((tmp, out)) = done {
        let _ = fs::write(tmp.join(".built"), "");
        fs::rename(&tmp, &out).map_err(|e| Unavailable {
            reason: format!("cannot place the {} build: {e}", info.title),
            hint: format!("check that {} is writable", opts.build_dir.display()),
        })?;
        vars.out = out;
    }
    Ok(())
}

/// The values of the placeholders of `suite/languages.toml`.
struct Vars {
    root: PathBuf,
    build: PathBuf,
    out: PathBuf,
    tool: Vec<String>,
    tooldir: PathBuf,
    sources: Vec<PathBuf>,
    flags: Vec<String>,
}

impl Vars {
    /// One argument of a description, expanded: `{tool}`, `{sources}` and `{flags}` alone
    /// stand for zero or more arguments; the others are replaced inside the text.
    fn expand(&self, arg: &str) -> Vec<String> {
        let paths = |ps: Vec<&PathBuf>| ps.iter().map(|p| p.display().to_string()).collect();
        match arg {
            "{tool}" => return self.tool.clone(),
            "{flags}" => return self.flags.clone(),
            "{sources}" => return paths(self.sources.iter().collect()),
            _ => {}
        }
        if let Some(pattern) = arg
            .strip_prefix("{sources:")
            .and_then(|r| r.strip_suffix('}'))
        {
            return paths(
                self.sources
                    .iter()
                    .filter(|p| {
                        let name = p.file_name().and_then(OsStr::to_str).unwrap_or("");
                        wildcard(pattern, name)
                    })
                    .collect(),
            );
        }
        let text = arg
            .replace("{root}", &self.root.display().to_string())
            .replace("{build}", &self.build.display().to_string())
            .replace("{out}", &self.out.display().to_string())
            .replace("{tooldir}", &self.tooldir.display().to_string())
            .replace("{tool}", self.tool.first().map_or("", String::as_str));
        vec![text]
    }
}

/// Whether a file name is one of the sources.
fn keeps(sources: &Sources, name: &str) -> bool {
    sources.include.iter().any(|p| wildcard(p, name))
        && !sources.exclude.iter().any(|p| wildcard(p, name))
}

/// The source files under `src`, sorted.
fn source_files(src: &Path, sources: &Sources) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    collect_files(src, &mut files)?;
    files.retain(|f| keeps(sources, f.file_name().and_then(OsStr::to_str).unwrap_or("")));
    files.sort();
    Ok(files)
}

/// A file-name pattern where `*` stands for any characters.
pub(super) fn wildcard(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            let Some(rest) = name.strip_prefix(head) else {
                return false;
            };
            (0..=rest.len())
                .filter(|&i| rest.is_char_boundary(i))
                .any(|i| wildcard(tail, &rest[i..]))
        }
    }
}

/// The first program of the description's `find` list whose version qualifies (of a
/// `dirs` entry, the newest), or why none does.
pub(super) fn find_tool(
    opts: &ToolchainOptions,
    info: &Language,
) -> std::result::Result<Tool, Unavailable> {
    let mut notes: Vec<String> = Vec::new();
    let unavailable = |reason: String| Unavailable {
        reason,
        hint: info.hint.clone(),
    };
    for candidate in &info.toolchain.find {
        if let Some(option) = &candidate.option {
            // A path the user gave is the only one tried: it must be there and qualify.
            if let Some(path) = opts.explicit(option) {
                if !is_executable(path) {
                    return Err(unavailable(format!(
                        "{} is not an executable file",
                        path.display()
                    )));
                }
                let tool = Tool {
                    program: path.to_path_buf(),
                    args: vec![],
                    version_output: String::new(),
                };
                return check_version(tool, &info.toolchain.version).map_err(unavailable);
            }
            continue;
        }
        let mut found = Vec::new();
        for tool in programs(candidate, &mut notes) {
            match check_version(tool, &info.toolchain.version) {
                Ok(tool) => found.push(tool),
                Err(note) => notes.push(note),
            }
        }
        // Of several directories, the newest version.
        found.sort_by_key(|t| {
            std::cmp::Reverse(version_numbers(
                &read_version(&t.version_output, &info.toolchain.version.regex).unwrap_or_default(),
            ))
        });
        if let Some(tool) = found.into_iter().next() {
            return Ok(tool);
        }
    }
    Err(unavailable(format!(
        "no {} toolchain: {}",
        info.title,
        notes.join("; ")
    )))
}

/// The programs a candidate names (none, one, or one per directory), noting why not.
fn programs(candidate: &Candidate, notes: &mut Vec<String>) -> Vec<Tool> {
    let tool = |program: PathBuf, args: Vec<String>| Tool {
        program,
        args,
        version_output: String::new(),
    };
    let inside = |dir: &Path| dir.join(candidate.program.as_deref().unwrap_or(""));
    if let Some(name) = &candidate.path {
        return match find_on_path(name) {
            Some(p) => vec![tool(p, vec![])],
            None => {
                notes.push(format!("`{name}` is not on PATH"));
                vec![]
            }
        };
    }
    if let Some(var) = &candidate.env {
        let Some(value) = std::env::var_os(var).filter(|v| !v.is_empty()) else {
            notes.push(format!("${var} is not set"));
            return vec![];
        };
        let value = value.to_string_lossy().into_owned();
        if candidate.program.is_some() {
            let p = inside(Path::new(&value));
            if is_executable(&p) {
                return vec![tool(p, vec![])];
            }
            notes.push(format!("${var}: {} is not there", p.display()));
            return vec![];
        }
        let mut words = value.split_whitespace().map(str::to_string);
        let program = words.next().unwrap_or_default();
        let path = if program.contains('/') {
            Some(PathBuf::from(&program)).filter(|p| is_executable(p))
        } else {
            find_on_path(&program)
        };
        return match path {
            Some(p) => vec![tool(p, words.collect())],
            None => {
                notes.push(format!("${var} is `{value}`, and `{program}` is not there"));
                vec![]
            }
        };
    }
    if let Some(pattern) = &candidate.dirs {
        let dirs: Vec<PathBuf> = match pattern.strip_suffix("/*") {
            Some(parent) => fs::read_dir(parent)
                .map(|entries| {
                    entries
                        .filter_map(|e| e.ok())
                        .map(|e| e.path())
                        .filter(|p| p.is_dir())
                        .collect()
                })
                .unwrap_or_default(),
            None => vec![PathBuf::from(pattern)],
        };
        let found: Vec<Tool> = dirs
            .iter()
            .map(|d| inside(d))
            .filter(|p| is_executable(p))
            .map(|p| tool(p, vec![]))
            .collect();
        if found.is_empty() {
            notes.push(format!("nothing in {pattern}"));
        }
        return found;
    }
    vec![]
}

/// The tool with its version output, if its version can be read and is not too old; else
/// a note saying why not.
fn check_version(mut tool: Tool, spec: &VersionSpec) -> std::result::Result<Tool, String> {
    let shown = tool.program.display().to_string();
    let out = Command::new(&tool.program)
        .args(&tool.args)
        .args(&spec.args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{shown}: cannot start: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if !out.status.success() {
        return Err(format!(
            "{shown} {} failed ({})",
            spec.args.join(" "),
            out.status
        ));
    }
    let version = read_version(&text, &spec.regex)
        .ok_or_else(|| format!("{shown}: no version in {:?}", text.trim()))?;
    if let Some(min) = &spec.minimum {
        if version_numbers(&version) < version_numbers(min) {
            return Err(format!("{shown} is version {version}, older than {min}"));
        }
    }
    tool.version_output = text.trim().to_string();
    Ok(tool)
}

/// The first group of `regex` in `text`.
fn read_version(text: &str, regex: &str) -> Option<String> {
    let re = regex::Regex::new(regex).ok()?;
    re.captures(text)?.get(1).map(|m| m.as_str().to_string())
}

/// `1.25.3` as [1, 25, 3, 0, ...]: versions compare number by number.
fn version_numbers(v: &str) -> Vec<u64> {
    let mut n: Vec<u64> = v
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap_or(0))
        .collect();
    n.resize(n.len().max(4), 0);
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_name_patterns() {
        assert!(wildcard("*.go", "main.go"));
        assert!(wildcard("*_test.go", "main_test.go"));
        assert!(!wildcard("*.go", "main.go.orig"));
        assert!(wildcard("go.mod", "go.mod"));
        assert!(wildcard("a*b*c", "axxbyyc"));
        assert!(!wildcard("a*b*c", "axxbyy"));
    }

    #[test]
    fn versions_compare_number_by_number() {
        assert!(version_numbers("17.0.9") < version_numbers("21"));
        assert!(version_numbers("25.0.1") >= version_numbers("21"));
        assert!(version_numbers("1.9") < version_numbers("1.25"));
        assert_eq!(
            read_version("javac 25.0.1\n", r"javac (\d+(?:\.\d+)*)").as_deref(),
            Some("25.0.1")
        );
        assert_eq!(read_version("openjdk", r"javac (\d+)"), None);
    }

    #[test]
    fn the_source_hash_ignores_tests_and_tracks_sources_and_version() {
        let dir = tempfile::tempdir().unwrap();
        let go = Sources {
            dir: ".".into(),
            include: vec!["*.go".into(), "go.mod".into()],
            exclude: vec!["*_test.go".into()],
        };
        let hash = |salt: &str| hash_files(dir.path(), salt, |n| keeps(&go, n)).unwrap();
        fs::write(dir.path().join("main.go"), "package main").unwrap();
        let a = hash("go1");
        fs::write(dir.path().join("main_test.go"), "package main // test").unwrap();
        assert_eq!(a, hash("go1"));
        fs::write(dir.path().join("main.go"), "package main // changed").unwrap();
        assert_ne!(a, hash("go1"));
        assert_ne!(hash("go1"), hash("go2"));
    }

    #[test]
    fn a_toolchain_older_than_the_minimum_is_passed_over_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old");
        fs::write(&old, "#!/bin/sh\necho 'tool 1.2'\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&old, fs::Permissions::from_mode(0o755)).unwrap();
        let spec = VersionSpec {
            args: vec![],
            regex: r"tool (\d+(?:\.\d+)*)".into(),
            minimum: Some("1.10".into()),
        };
        let tool = Tool {
            program: old.clone(),
            args: vec![],
            version_output: String::new(),
        };
        let why = check_version(tool.clone(), &spec).unwrap_err();
        assert!(why.contains("version 1.2, older than 1.10"), "{why}");
        let spec = VersionSpec {
            minimum: Some("1.1".into()),
            ..spec
        };
        assert_eq!(
            check_version(tool, &spec).unwrap().version_output,
            "tool 1.2"
        );
    }
}
