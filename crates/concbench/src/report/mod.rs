//! Reports: the documents concbench prints (the report of a results file, and the answers of
//! `claims`, `models`, `advise` and `compare`) in each format a subcommand has. They compute
//! no figure of their own; `analysis` does.
//!
//! Layers, each using only those above it in this list, so no file imports one below it or
//! beside it:
//!
//! - [`format`](mod@format), [`markup`], [`words`], [`analysed`]: the formats and the [`Render`] trait;
//!   escaping and the one [`Table`](markup::Table) renderer (plain text, Markdown, HTML);
//!   phrasings several sections share; the results file analysed once ([`Report`])
//! - [`charts`]: the HTML page's charts, one kind to a file over what they share
//! - [`sections`]: one subject to a file (where the numbers come from, findings, runs,
//!   claims, models, advice, the comparison, the samples), each in its formats; no section
//!   uses another
//! - [`documents`]: the documents, assembled from sections, each implementing [`Render`]
//!
//! The test `the_report_files_use_only_the_layers_below_them` holds the files to it.

pub mod analysed;
pub mod charts;
pub mod documents;
pub mod format;
pub mod markup;
pub mod sections;
pub mod words;

pub use analysed::Report;
pub use documents::answers::{AdviceDocument, ClaimsDocument, ComparisonDocument, ModelsDocument};
pub use documents::page::CSP;
pub use documents::report::ANALYSIS_SCHEMA;
pub use format::{Format, Render};

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    /// The module path of each `.rs` file under `dir`, relative to `report`, with its text.
    fn files(dir: &Path, module: Vec<String>, out: &mut Vec<(Vec<String>, PathBuf)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            let mut m = module.clone();
            if path.is_dir() {
                m.push(name);
                files(&path, m, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                if name != "mod" {
                    m.push(name);
                }
                out.push((m, path));
            }
        }
    }

    /// Where a module sits: a file may use only modules of a lower layer, or its own
    /// ancestors (a chart its kit, a section's file its section).
    fn layer(m: &[String]) -> usize {
        let m: Vec<&str> = m.iter().map(String::as_str).collect();
        match m.as_slice() {
            ["format" | "markup" | "words" | "analysed", ..] => 0,
            ["charts"] => 1,
            ["charts", ..] => 2,
            ["sections", ..] => 3,
            ["documents", "page"] => 4,
            ["documents", _, ..] => 5,
            _ => 9,
        }
    }

    /// The report modules `text` (the file of module `me`) names through `crate::report::`
    /// or `super::`, outside its tests and comments.
    fn uses(
        me: &[String],
        is_mod_rs: bool,
        text: &str,
        known: &BTreeSet<Vec<String>>,
    ) -> Vec<Vec<String>> {
        let code: String = text
            .split("#[cfg(test)]")
            .next()
            .unwrap()
            .lines()
            .map(|l| l.split("//").next().unwrap())
            .collect::<Vec<_>>()
            .join("\n");
        let mut out = Vec::new();
        for start in ["crate::report", "super"] {
            for (i, _) in code.match_indices(start) {
                if i > 0
                    && code[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':')
                {
                    continue;
                }
                let rest = &code[i..];
                let path: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                let mut base: Vec<String> = if start == "super" {
                    // `super` of a mod.rs is its parent; of a file, the folder's module.
                    let mut b = me.to_vec();
                    b.pop();
                    if is_mod_rs {
                        b.pop();
                    }
                    b
                } else {
                    Vec::new()
                };
                let segments: Vec<&str> = path
                    .split("::")
                    .skip(if start == "super" { 1 } else { 2 })
                    .collect();
                for s in &segments {
                    let mut next = base.clone();
                    next.push(s.to_string());
                    if !known.contains(&next) {
                        break;
                    }
                    base = next;
                }
                // `use a::{b, c}`: each of b and c that is a module.
                let after = &rest[path.len()..];
                if path.ends_with("::") && after.starts_with('{') {
                    let list = &after[1..after.find('}').unwrap()];
                    let mut named = false;
                    for item in list.split(',') {
                        let item = item.trim().split("::").next().unwrap().trim();
                        let mut m = base.clone();
                        m.push(item.to_string());
                        if item != "self" && known.contains(&m) {
                            out.push(m);
                            named = true;
                        }
                    }
                    if named && !list.split(',').any(|i| i.trim() == "self") {
                        continue;
                    }
                }
                out.push(base);
            }
        }
        out
    }

    #[test]
    fn the_report_files_use_only_the_layers_below_them() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/report");
        let mut all = Vec::new();
        files(&dir, Vec::new(), &mut all);
        let known: BTreeSet<Vec<String>> = all.iter().map(|(m, _)| m.clone()).collect();
        assert!(known.contains(&vec!["sections".to_string(), "runs".to_string()]));
        let mut wrong = Vec::new();
        for (me, path) in &all {
            let text = std::fs::read_to_string(path).unwrap();
            let is_mod_rs = path.file_stem().is_some_and(|s| s == "mod");
            for used in uses(me, is_mod_rs, &text, &known) {
                let ancestor = !used.is_empty() && me.starts_with(&used);
                if !(ancestor || layer(&used) < layer(me)) {
                    wrong.push(format!(
                        "{} uses report::{}",
                        path.display(),
                        used.join("::")
                    ));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}
