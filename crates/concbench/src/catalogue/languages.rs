//! The languages (`suite/languages.toml`): each one a description of how to find its
//! toolchain and read its version, how to build its program (cached by a hash of its
//! sources), how to run it under the protocol of impls/README.md, what it does about an
//! unsynchronised write, and what to install when it is missing. The toolchain layer reads
//! these descriptions; a language needs no code of its own unless a step cannot be
//! described, and then it names a hook (`python-venv`).
//!
//! [`Lang`] is a small copyable handle on one of them: it is written as the language's name
//! (`"go"`), in results files too, and orders as the table lists the languages.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use super::source;

const LANGUAGES_TOML: &str = include_str!("../../../../suite/languages.toml");

/// What a model is in the comparison: one of the contenders, or a baseline to read them by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A model of a language the suite compares (the default).
    #[default]
    Contender,
    /// A reference point, not a contender: the C programs, which show how far each
    /// language's models are from plain C with pthreads.
    Baseline,
}

/// What a language does about an unsynchronised write to shared memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SafetyClass {
    /// The compiler refuses the program.
    Prevented,
    /// The program runs; a run-time checker (Go's `-race`) reports the race.
    Detected,
    /// Nothing reports it: updates are lost.
    Silent,
}

impl SafetyClass {
    /// The words tables use.
    pub fn label(self) -> &'static str {
        match self {
            SafetyClass::Prevented => "prevented at compile time",
            SafetyClass::Detected => "detected at run time (with -race)",
            SafetyClass::Silent => "silent",
        }
    }
}

/// One language's safety entry: the safety axis of `concbench models`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LangSafety {
    /// Its class.
    pub class: SafetyClass,
    /// How, in one sentence.
    pub how: String,
    /// The kind of evidence that shows it: `compile-fail`, `race-detector`, `lost-updates` or
    /// `none`.
    pub check: String,
}

/// One place to look for a toolchain program. Exactly one of `option`, `path`, `env` and
/// `dirs` is given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Candidate {
    /// A command-line option of concbench that names the program (`go` for `--go PATH`);
    /// when the user gives it, it is the only candidate.
    #[serde(default)]
    pub option: Option<String>,
    /// A program name looked up on PATH.
    #[serde(default)]
    pub path: Option<String>,
    /// An environment variable: with `program`, a directory holding it (`JAVA_HOME`);
    /// without, a command that may carry arguments (`CC="gcc -m64"`).
    #[serde(default)]
    pub env: Option<String>,
    /// Directories, the last part of which may be `*` (`/usr/lib/jvm/*`), each holding
    /// `program`; the newest version that qualifies is taken.
    #[serde(default)]
    pub dirs: Option<String>,
    /// The program inside `env`'s or `dirs`' directory (`bin/javac`).
    #[serde(default)]
    pub program: Option<String>,
}

/// How to read a toolchain's version, and the oldest one accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionSpec {
    /// The arguments that make the program print its version (stdout and stderr are read).
    pub args: Vec<String>,
    /// A regular expression whose first group is the version (`javac (\d+(?:\.\d+)*)`).
    pub regex: String,
    /// The oldest version accepted, compared number by number (`21`, `1.25`).
    #[serde(default)]
    pub minimum: Option<String>,
}

/// How to find the toolchain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolchainSpec {
    /// Where to look, in order; the first program whose version qualifies is taken.
    pub find: Vec<Candidate>,
    /// How to read its version.
    pub version: VersionSpec,
}

/// The files a build is made from: hashed for the cache, and `{sources}` in the steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sources {
    /// The folder, relative to the source tree, searched recursively.
    pub dir: String,
    /// File-name patterns to take (`*.go`, `go.mod`); `*` stands for any characters.
    pub include: Vec<String>,
    /// File-name patterns to leave out (`*_test.go`).
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// How to build the program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildSpec {
    /// A step that cannot be described, by name: `python-venv` (a virtual environment with
    /// the packages of `requirements` installed into it; `{out}` is its folder).
    #[serde(default)]
    pub hook: Option<String>,
    /// For `python-venv`: the requirements file, relative to the source tree.
    #[serde(default)]
    pub requirements: Option<String>,
    /// Commands run in order, each a program and its arguments, with placeholders.
    #[serde(default)]
    pub steps: Vec<Vec<String>>,
    /// The working directory of the steps, relative to the source tree (default: the tree).
    #[serde(default)]
    pub dir: Option<String>,
    /// Environment variables of the steps.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// The sources: the build is cached under a hash of them, the toolchain's version and
    /// the steps, and runs only when that output is missing.
    #[serde(default)]
    pub sources: Option<Sources>,
    /// The file whose presence means the build is done (placeholders allowed).
    #[serde(default)]
    pub artifact: Option<String>,
}

/// How to run the program under the protocol: `program args... WORKLOAD MODEL --k=v ...`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    /// The program (placeholders allowed).
    pub program: String,
    /// Arguments before the protocol's own.
    #[serde(default)]
    pub args: Vec<String>,
    /// Environment variables it needs.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

/// One language's description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Language {
    /// The name results files and the command line use: `go`.
    pub name: String,
    /// The name as a sentence writes it: `Go`.
    pub title: String,
    /// What the id of each of its models starts with: `go-`.
    pub prefix: String,
    /// Its colour in the report's charts and tables, `#rrggbb`.
    pub colour: String,
    /// A contender, or the baseline the contenders are read against (C).
    #[serde(default)]
    pub role: Role,
    /// What to install or do when its toolchain is missing or too old.
    pub hint: String,
    /// What it does about an unsynchronised write (`concbench models`).
    pub safety: LangSafety,
    /// How to find its toolchain.
    pub toolchain: ToolchainSpec,
    /// How to build its program (none: it runs from its sources).
    #[serde(default)]
    pub build: Option<BuildSpec>,
    /// How to run it.
    pub run: RunSpec,
}

impl Language {
    /// The colour as (red, green, blue).
    pub fn rgb(&self) -> (u8, u8, u8) {
        parse_colour(&self.colour).unwrap_or((0x77, 0x77, 0x77))
    }
}

fn parse_colour(s: &str) -> Option<(u8, u8, u8)> {
    let hex = s.strip_prefix('#').filter(|h| h.len() == 6)?;
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some((byte(0)?, byte(2)?, byte(4)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LanguagesFile {
    languages: Vec<Language>,
}

/// Parses and checks a languages file.
pub fn parse(text: &str) -> Result<Vec<Language>> {
    let file: LanguagesFile = toml::from_str(text).context("suite/languages.toml")?;
    let mut seen = std::collections::BTreeSet::new();
    for l in &file.languages {
        let ctx = || format!("suite/languages.toml: language {}", l.name);
        if !seen.insert(l.name.as_str()) {
            bail!("{}: listed twice", ctx());
        }
        if l.name.is_empty() || !l.name.chars().all(|c| c.is_ascii_lowercase()) {
            bail!("{}: a name is lowercase letters only", ctx());
        }
        if parse_colour(&l.colour).is_none() {
            bail!("{}: colour {:?} is not #rrggbb", ctx(), l.colour);
        }
        if l.toolchain.find.is_empty() {
            bail!("{}: toolchain.find is empty", ctx());
        }
        for c in &l.toolchain.find {
            let given = [&c.option, &c.path, &c.env, &c.dirs]
                .iter()
                .filter(|x| x.is_some())
                .count();
            if given != 1 {
                bail!(
                    "{}: each find entry has one of option, path, env, dirs",
                    ctx()
                );
            }
            if c.dirs.is_some() && c.program.is_none() {
                bail!("{}: a dirs entry needs program", ctx());
            }
        }
        regex::Regex::new(&l.toolchain.version.regex)
            .with_context(|| format!("{}: version.regex", ctx()))?;
        if let Some(b) = &l.build {
            match b.hook.as_deref() {
                None | Some("python-venv") => {}
                Some(other) => bail!("{}: unknown build hook {other:?} (python-venv)", ctx()),
            }
            if b.hook.is_none() && b.steps.is_empty() {
                bail!("{}: a build needs steps or a hook", ctx());
            }
        }
    }
    if file.languages.len() > u16::MAX as usize {
        bail!("suite/languages.toml: too many languages");
    }
    Ok(file.languages)
}

/// The languages of the suite in use (`CONCBENCH_SUITE`'s, else the compiled-in one), or
/// why they cannot be read.
pub fn table() -> Result<&'static [Language]> {
    static TABLE: OnceLock<std::result::Result<Vec<Language>, String>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            source::text("languages.toml", LANGUAGES_TOML)
                .and_then(|t| parse(&t))
                .map_err(|e| format!("{e:#}"))
        })
        .as_deref()
        .map_err(|e| anyhow::anyhow!("{e}"))
}

fn languages() -> &'static [Language] {
    table().expect("suite/languages.toml is valid (checked when concbench starts)")
}

/// The language an implementation is written in: a handle on its description.
///
/// `Lang::Go` and the others are constants for the languages that have hooks of their own;
/// any other is `Lang::named("java")`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Lang(&'static str);

#[allow(non_upper_case_globals)]
impl Lang {
    /// Go.
    pub const Go: Lang = Lang("go");
    /// Python.
    pub const Python: Lang = Lang("python");
    /// Rust.
    pub const Rust: Lang = Lang("rust");
    /// C, the baseline.
    pub const C: Lang = Lang("c");
}

impl Lang {
    /// Every language, in the order tables show them.
    pub fn all() -> &'static [Lang] {
        static ALL: OnceLock<Vec<Lang>> = OnceLock::new();
        ALL.get_or_init(|| languages().iter().map(|l| Lang(&l.name)).collect())
    }

    /// The languages the suite compares, and advice chooses between: every one but the
    /// baselines (C), whose programs the others are read against, not a choice.
    pub fn compared() -> &'static [Lang] {
        static COMPARED: OnceLock<Vec<Lang>> = OnceLock::new();
        COMPARED.get_or_init(|| {
            Lang::all()
                .iter()
                .copied()
                .filter(|l| l.info().role == Role::Contender)
                .collect()
        })
    }

    /// The language of that name, if the table has it.
    pub fn named(name: &str) -> Option<Lang> {
        Lang::all().iter().copied().find(|l| l.0 == name)
    }

    /// The language of that name (as [`Lang::name`] gives it), if there is one.
    pub fn from_name(name: &str) -> Option<Lang> {
        Lang::named(name)
    }

    /// Its description, if the suite in use describes it (a suite of one's own may leave
    /// out a language the harness has a constant for).
    pub fn described(self) -> Option<&'static Language> {
        languages().iter().find(|l| l.name == self.0)
    }

    /// Its description.
    pub fn info(self) -> &'static Language {
        languages()
            .iter()
            .find(|l| l.name == self.0)
            .unwrap_or_else(|| panic!("language {} is not in suite/languages.toml", self.0))
    }

    /// The name used in results files and messages.
    pub fn name(self) -> &'static str {
        self.0
    }

    /// The name as a sentence writes it: `Go`, `Python`, `Rust`, `C`.
    pub fn title(self) -> &'static str {
        &self.info().title
    }

    /// What the id of each of its models starts with: `go-`, `py-`, `rust-`, `c-`.
    pub fn model_prefix(self) -> &'static str {
        &self.info().prefix
    }

    /// The names of `langs`, for messages: `go, python, rust`.
    pub fn names(langs: &[Lang]) -> String {
        langs
            .iter()
            .map(|l| l.name())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn position(self) -> usize {
        Lang::all()
            .iter()
            .position(|l| *l == self)
            .unwrap_or(usize::MAX)
    }
}

impl PartialOrd for Lang {
    fn partial_cmp(&self, other: &Lang) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Lang {
    /// The table's order (names unique, so this agrees with `==`).
    fn cmp(&self, other: &Lang) -> std::cmp::Ordering {
        (self.position(), self.0).cmp(&(other.position(), other.0))
    }
}

impl fmt::Debug for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Lang({})", self.0)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for Lang {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Lang {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Lang, D::Error> {
        let name = String::deserialize(d)?;
        Lang::named(&name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown language {name:?} (suite/languages.toml has {})",
                Lang::names(Lang::all())
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_in_languages_are_valid_and_in_table_order() {
        let langs = parse(LANGUAGES_TOML).unwrap();
        let names: Vec<&str> = langs.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["go", "python", "rust", "c", "java", "node"]);
        assert!(Lang::Go < Lang::Python && Lang::Python < Lang::Rust && Lang::Rust < Lang::C);
        assert_eq!(Lang::named("java").unwrap().title(), "Java");
        assert_eq!(Lang::C.info().role, Role::Baseline);
        assert!(!Lang::compared().contains(&Lang::C));
    }

    #[test]
    fn a_bad_description_is_refused_with_its_reason() {
        let bad_colour = LANGUAGES_TOML.replacen("colour = \"#", "colour = \"#zz", 1);
        let err = parse(&bad_colour).unwrap_err();
        assert!(format!("{err:#}").contains("is not #rrggbb"), "{err:#}");
        let bad_hook = LANGUAGES_TOML.replace("hook = \"python-venv\"", "hook = \"conda\"");
        let err = parse(&bad_hook).unwrap_err();
        assert!(format!("{err:#}").contains("unknown build hook"), "{err:#}");
        let twice = format!(
            "{LANGUAGES_TOML}\n{}",
            &LANGUAGES_TOML[LANGUAGES_TOML.find("\n[[languages]]").unwrap()..]
        );
        assert!(format!("{:#}", parse(&twice).unwrap_err()).contains("listed twice"));
    }

    #[test]
    fn an_unknown_language_name_is_not_read() {
        let err = serde_json::from_str::<Lang>("\"cobol\"").unwrap_err();
        assert!(
            err.to_string().contains("unknown language \"cobol\""),
            "{err}"
        );
    }
}
