//! Where the `suite/` files come from: the copy compiled into the harness, or the folder
//! that `CONCBENCH_SUITE` names (a suite of one's own, with languages, workloads or models
//! the compiled-in copy lacks). A file that folder does not hold is the compiled-in one.

use std::borrow::Cow;
use std::path::PathBuf;

use anyhow::{Context, Result};

/// The folder `CONCBENCH_SUITE` names, if it is set and not empty.
pub fn suite_dir() -> Option<PathBuf> {
    std::env::var_os("CONCBENCH_SUITE")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
}

/// The text of the suite file `name` (`languages.toml`, `models.toml`, ...): the one in
/// `CONCBENCH_SUITE` when it holds it, else `embedded`.
pub fn text(name: &str, embedded: &'static str) -> Result<Cow<'static, str>> {
    match suite_dir().map(|d| d.join(name)).filter(|p| p.is_file()) {
        Some(path) => std::fs::read_to_string(&path)
            .map(Cow::Owned)
            .with_context(|| path.display().to_string()),
        None => Ok(Cow::Borrowed(embedded)),
    }
}

/// The workload files as (file name, text): those of `CONCBENCH_SUITE/workloads/` when that
/// folder exists (the compiled-in names first, in their order, then the others by name),
/// else `embedded`.
pub fn workloads(
    embedded: &'static [(&'static str, &'static str)],
) -> Result<Vec<(String, String)>> {
    let Some(dir) = suite_dir()
        .map(|d| d.join("workloads"))
        .filter(|d| d.is_dir())
    else {
        return Ok(embedded
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect());
    };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .with_context(|| dir.display().to_string())?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    let order = |n: &String| {
        embedded
            .iter()
            .position(|(e, _)| e == n)
            .unwrap_or(usize::MAX)
    };
    names.sort_by(|a, b| order(a).cmp(&order(b)).then(a.cmp(b)));
    names
        .into_iter()
        .map(|n| {
            let path = dir.join(&n);
            let text =
                std::fs::read_to_string(&path).with_context(|| path.display().to_string())?;
            Ok((n, text))
        })
        .collect()
}
