//! Finding the toolchains and building the implementation programs, as each language's
//! description in `suite/languages.toml` says (`described.rs`): the first toolchain whose
//! version qualifies, a build cached under a hash of its sources, its version and its steps
//! (Go, C, Java) or left to the toolchain's own cache (cargo), and the command that runs it.
//! What a description cannot say is a small hook here: the Python virtual environment with
//! its requirements installed (`python.rs`), Go's `-race` build for the safety check
//! (`go.rs`), and `concbench-launch` with the `rustc` of the compile-fail check (`rust.rs`).
//!
//! A missing toolchain or package makes only its models unavailable, with the reason and
//! what to install; everything else still runs.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::catalogue::Lang;
use crate::exec::{self, Exit, Invocation};
use crate::UsageError;

/// The Python models that compute in NumPy: unavailable where it cannot be imported.
const NUMPY_MODELS: [&str; 3] = ["py-numpy", "py-numpy-one-thread", "py-processes-numpy"];

mod described;
mod go;
mod python;
mod rust;

/// Where the sources are and where builds go, and which programs to use.
#[derive(Debug, Clone)]
pub struct ToolchainOptions {
    /// The concbench source tree (holds `impls/` and `suite/`).
    pub root: PathBuf,
    /// Where built programs and the Python environment live.
    pub build_dir: PathBuf,
    /// `--go PATH`, else `go` on PATH.
    pub go: Option<PathBuf>,
    /// `--python PATH`, else `python3` on PATH.
    pub python: Option<PathBuf>,
}

impl ToolchainOptions {
    /// The program the user named with a command-line option (`--go`, `--python`), which a
    /// description's `find = [{ option = "go" }]` refers to.
    pub fn explicit(&self, option: &str) -> Option<&Path> {
        match option {
            "go" => self.go.as_deref(),
            "python" => self.python.as_deref(),
            _ => None,
        }
    }

    /// The defaults: the source tree this harness was built from (or `CONCBENCH_ROOT`),
    /// and `target/concbench` inside it.
    pub fn new(go: Option<PathBuf>, python: Option<PathBuf>) -> Result<ToolchainOptions> {
        let root = match std::env::var_os("CONCBENCH_ROOT") {
            Some(dir) => PathBuf::from(dir),
            None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."),
        };
        let root = root.canonicalize().unwrap_or(root);
        if !root.join("impls").is_dir() || !root.join("suite").is_dir() {
            return Err(UsageError(format!(
                "cannot find the concbench source tree at {} (it holds impls/ and suite/); \
                 set CONCBENCH_ROOT to it",
                root.display()
            ))
            .into());
        }
        let build_dir = root.join("target").join("concbench");
        Ok(ToolchainOptions {
            root,
            build_dir,
            go,
            python,
        })
    }
}

/// A built implementation program, ready to run.
#[derive(Debug, Clone)]
pub struct Implementation {
    /// The language its models are written in.
    pub lang: Lang,
    /// The program to run: the built binary, or the virtual environment's Python.
    pub program: PathBuf,
    /// Arguments before the protocol's own (`-m concbench_py` for Python).
    pub prefix_args: Vec<String>,
    /// Environment variables it needs (`PYTHONPATH` for Python).
    pub env: Vec<(String, String)>,
    /// The runtime the program reports (`go1.26.8`, `rustc 1.95.0`, `cpython3.11.7`,
    /// `gcc 12.2.0`).
    pub runtime: String,
    /// Models per workload that the program implements (its `--list`).
    pub models: BTreeMap<String, Vec<String>>,
    /// NumPy's version, for Python; `None` when NumPy cannot be imported.
    pub numpy: Option<String>,
    /// Models whose required modules cannot be found, with those modules (Python's
    /// `--list` says so when a pinned package is not installed).
    pub missing: BTreeMap<String, Vec<String>>,
    /// `concbench-launch`, which starts the program and reports its own peak memory; `None`
    /// when it could not be built (peaks are then floored at the harness's size).
    pub launcher: Option<PathBuf>,
}

impl Implementation {
    /// The invocation that runs `workload`/`model` with `params`.
    pub fn invocation(
        &self,
        workload: &str,
        model: &str,
        params: &BTreeMap<String, u64>,
        timeout: Duration,
    ) -> Invocation {
        let mut args = self.prefix_args.clone();
        args.push(workload.to_string());
        args.push(model.to_string());
        args.extend(params.iter().map(|(k, v)| format!("--{k}={v}")));
        let mut program = self.program.clone();
        // CONCBENCH_WRAPPER runs every implementation under another program (`perf stat`,
        // `strace -f`, or a fault injector in the tests); its cost is then measured too.
        if let Some(wrapper) = std::env::var_os("CONCBENCH_WRAPPER").filter(|w| !w.is_empty()) {
            args.insert(0, program.display().to_string());
            program = PathBuf::from(wrapper);
        }
        Invocation {
            program,
            args,
            env: self.env.clone(),
            pin_cpus: None,
            timeout,
            sample_tree: false,
            launcher: self.launcher.clone(),
        }
    }

    /// Whether the program implements `model` of `workload`.
    pub fn implements(&self, workload: &str, model: &str) -> bool {
        self.models
            .get(workload)
            .is_some_and(|ms| ms.iter().any(|m| m == model))
    }
}

/// Why a language's models cannot run, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    /// What is missing or broken.
    pub reason: String,
    /// What to install or do about it.
    pub hint: String,
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.reason, self.hint)
    }
}

/// The implementations, each ready or unavailable.
#[derive(Debug, Clone, Default)]
pub struct Toolchains {
    /// Per language: the ready implementation, or why its models cannot run.
    pub langs: BTreeMap<Lang, std::result::Result<Implementation, Unavailable>>,
}

impl Toolchains {
    /// Finds the toolchains and builds the programs of `langs`, reporting each step through
    /// `log`. Builds are serialised by a lock file, so parallel harnesses (tests) share them.
    pub fn prepare(
        opts: &ToolchainOptions,
        langs: &[Lang],
        log: &mut dyn FnMut(&str),
    ) -> Toolchains {
        let mut toolchains = Toolchains::default();
        let lock = BuildLock::acquire(&opts.build_dir);
        let launcher = match lock {
            Ok(_) if !langs.is_empty() => rust::build_launcher(opts, log),
            _ => None,
        };
        for &lang in langs {
            let prepared = match lock {
                Ok(_) => prepare_lang(opts, lang, log).map(|imp| Implementation {
                    launcher: launcher.clone(),
                    ..imp
                }),
                Err(ref e) => Err(Unavailable {
                    reason: format!("cannot use the build folder: {e:#}"),
                    hint: format!("check that {} is writable", opts.build_dir.display()),
                }),
            };
            toolchains.langs.insert(lang, prepared);
        }
        toolchains
    }

    /// The implementation that can run `model` of `workload`, or why none can.
    pub fn implementation_for(
        &self,
        lang: Lang,
        workload: &str,
        model: &str,
    ) -> std::result::Result<&Implementation, Unavailable> {
        let imp = match self.langs.get(&lang) {
            Some(Ok(imp)) => imp,
            Some(Err(why)) => return Err(why.clone()),
            None => {
                return Err(Unavailable {
                    reason: format!("{lang} was not prepared"),
                    hint: "this is a bug in concbench".into(),
                })
            }
        };
        if !imp.implements(workload, model) {
            return Err(Unavailable {
                reason: format!(
                    "{} does not implement {workload}/{model}",
                    imp.program.display()
                ),
                hint: "rebuild it, or update concbench".into(),
            });
        }
        if let Some(modules) = imp.missing.get(model) {
            return Err(Unavailable {
                reason: format!(
                    "{} not installed in the Python environment",
                    modules.join(", ")
                ),
                hint: "check that pip can reach the package index, then run again \
                       (impls/python/requirements.txt pins them)"
                    .into(),
            });
        }
        if NUMPY_MODELS.contains(&model) && imp.numpy.is_none() {
            return Err(Unavailable {
                reason: "NumPy is not installed in the Python environment".into(),
                hint: "check that pip can reach the package index, then run again".into(),
            });
        }
        Ok(imp)
    }

    /// Toolchain versions for the results file: `rust`, `go`, `python`, `numpy`, and `c`
    /// (the compiler with its version: `gcc 12.2.0`).
    pub fn versions(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (lang, imp) in &self.langs {
            let Ok(imp) = imp else { continue };
            let version = imp
                .runtime
                .trim_start_matches("rustc ")
                .trim_start_matches("cpython")
                .to_string();
            out.insert(lang.name().to_string(), version);
            if let Some(numpy) = &imp.numpy {
                out.insert("numpy".to_string(), numpy.clone());
            }
        }
        out
    }
}

fn prepare_lang(
    opts: &ToolchainOptions,
    lang: Lang,
    log: &mut dyn FnMut(&str),
) -> std::result::Result<Implementation, Unavailable> {
    describe(described::prepare(opts, lang, log)?)
}

/// The toolchain program found for a language.
#[derive(Debug, Clone)]
struct Tool {
    /// The program.
    pub program: PathBuf,
    /// Arguments that come with it (`$CC="gcc -m64"`).
    pub args: Vec<String>,
    /// What its version command printed: part of the build cache's key.
    pub version_output: String,
}

/// A program built but not yet asked what it implements.
struct Built {
    lang: Lang,
    program: PathBuf,
    prefix_args: Vec<String>,
    env: Vec<(String, String)>,
}

/// Runs the program's `--list` and keeps what it says.
fn describe(built: Built) -> std::result::Result<Implementation, Unavailable> {
    #[derive(Deserialize)]
    struct Listing {
        runtime: String,
        models: BTreeMap<String, Vec<String>>,
        #[serde(default)]
        numpy: Option<String>,
        #[serde(default)]
        missing: BTreeMap<String, Vec<String>>,
    }
    let mut args = built.prefix_args.clone();
    args.push("--list".into());
    let inv = Invocation {
        program: built.program.clone(),
        args,
        env: built.env.clone(),
        pin_cpus: None,
        timeout: Duration::from_secs(60),
        sample_tree: false,
        launcher: None,
    };
    let broken = |reason: String| Unavailable {
        reason,
        hint: "run the language's own tests to see what is wrong".into(),
    };
    let m = exec::run(&inv).map_err(|e| broken(format!("{e:#}")))?;
    if m.exit != Exit::Code(0) {
        return Err(broken(format!(
            "{} --list failed ({}): {}",
            built.lang,
            m.exit,
            m.last_stderr_line()
        )));
    }
    let last = m
        .stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let listing: Listing = serde_json::from_str(last)
        .map_err(|e| broken(format!("{} --list printed no valid JSON: {e}", built.lang)))?;
    Ok(Implementation {
        lang: built.lang,
        program: built.program,
        prefix_args: built.prefix_args,
        env: built.env,
        runtime: listing.runtime,
        models: listing.models,
        numpy: listing.numpy,
        missing: listing.missing,
        launcher: None,
    })
}

/// `concbench-go` built with the race detector (`go build -race`), for the safety checks;
/// cached like the plain build, under `go-race/`. Unavailable, with what to install, when
/// there is no Go, or no cgo or C compiler for `-race`.
pub fn build_go_race(
    opts: &ToolchainOptions,
    log: &mut dyn FnMut(&str),
) -> std::result::Result<PathBuf, Unavailable> {
    let _lock = BuildLock::acquire(&opts.build_dir).map_err(|e| Unavailable {
        reason: format!("cannot use the build folder: {e:#}"),
        hint: format!("check that {} is writable", opts.build_dir.display()),
    })?;
    go::build_race(opts, log)
}

/// The `rustc` that compiles single files for the compile-fail safety check: `RUSTC`, else
/// the one beside the cargo concbench builds with, else `rustc` on PATH.
pub fn rustc() -> std::result::Result<PathBuf, Unavailable> {
    rust::find_rustc()
}

/// Looks `name` up on PATH.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Resolves a toolchain program: the user's explicit path (which must exist) or PATH.
fn locate(
    explicit: Option<&Path>,
    name: &str,
    hint: &str,
) -> std::result::Result<PathBuf, Unavailable> {
    match explicit {
        Some(path) if is_executable(path) => Ok(path.to_path_buf()),
        Some(path) => Err(Unavailable {
            reason: format!("{} is not an executable file", path.display()),
            hint: hint.into(),
        }),
        None => find_on_path(name).ok_or_else(|| Unavailable {
            reason: format!("`{name}` is not on PATH"),
            hint: hint.into(),
        }),
    }
}

/// Runs a build step, turning failure into the reason a language is unavailable.
fn run_step(cmd: &mut Command, what: &str, hint: &str) -> std::result::Result<String, Unavailable> {
    let out = cmd.stdin(Stdio::null()).output().map_err(|e| Unavailable {
        reason: format!("{what}: cannot start: {e}"),
        hint: hint.into(),
    })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        let tail = tail[tail.len().saturating_sub(3)..]
            .iter()
            .map(|l| l.trim())
            .collect::<Vec<_>>()
            .join(" | ");
        return Err(Unavailable {
            reason: format!("{what} failed ({}): {tail}", out.status),
            hint: hint.into(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A hash of `salt` and of the files under `src` whose names `keep` accepts: their paths
/// and contents.
fn hash_files(src: &Path, salt: &str, keep: impl Fn(&str) -> bool) -> Result<String> {
    let mut files: Vec<PathBuf> = Vec::new();
    collect_files(src, &mut files)?;
    files.retain(|f| keep(f.file_name().and_then(OsStr::to_str).unwrap_or("")));
    files.sort();
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    for f in files {
        hasher.update(
            f.strip_prefix(src)
                .unwrap_or(&f)
                .to_string_lossy()
                .as_bytes(),
        );
        hasher.update(fs::read(&f).with_context(|| f.display().to_string())?);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| dir.display().to_string())? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// An exclusive lock on the build folder for the life of the value (flock).
struct BuildLock {
    _file: fs::File,
}

impl BuildLock {
    fn acquire(dir: &Path) -> Result<BuildLock> {
        fs::create_dir_all(dir).with_context(|| dir.display().to_string())?;
        let path = dir.join(".lock");
        let mut file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| path.display().to_string())?;
        use std::os::fd::AsRawFd;
        // SAFETY: flock on a file descriptor we own; released when the file is closed.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
            bail!(
                "flock {}: {}",
                path.display(),
                std::io::Error::last_os_error()
            );
        }
        let _ = writeln!(file, "{}", std::process::id());
        Ok(BuildLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explicit_toolchain_that_does_not_exist_is_unavailable() {
        let why = locate(Some(Path::new("/nonexistent/go")), "go", "hint").unwrap_err();
        assert!(why.reason.contains("/nonexistent/go"));
        assert_eq!(why.hint, "hint");
    }
}
