//! The harness's architecture, checked: its top-level modules form layers, in the order
//! `src/lib.rs` lists them, and a module may use only those listed before it. So there is no
//! import cycle between layers, and the list in the crate's documentation is the truth.
//! Inside a layer, no two files import each other, directly or through others: a file can be
//! read knowing only what it imports.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The modules in the order of lib.rs's `//! - [`name`]: ...` list.
fn layers() -> Vec<String> {
    let lib = fs::read_to_string(src().join("lib.rs")).unwrap();
    lib.lines()
        .filter_map(|l| l.strip_prefix("//! - [`"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_string)
        .collect()
}

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in fs::read_dir(path).unwrap() {
            rust_files(&entry.unwrap().path(), out);
        }
    } else if path.is_file() && path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_path_buf());
    }
}

/// Every `crate::<module>` that the files of `module` name, with one place each is named.
fn uses_of(module: &str) -> BTreeMap<String, String> {
    let mut files = Vec::new();
    rust_files(&src().join(module), &mut files);
    rust_files(&src().join(format!("{module}.rs")), &mut files);
    let mut out = BTreeMap::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for (i, _) in line.match_indices("crate::") {
                let name: String = line[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                // The unit tests' shared fixtures are test-only and sit outside the layers.
                if !name.is_empty() && name != module && name != "fixtures" {
                    out.entry(name)
                        .or_insert_with(|| format!("{}:{}", file.display(), n + 1));
                }
            }
        }
    }
    out
}

#[test]
fn every_module_of_the_harness_is_a_layer_in_lib_rs() {
    let layers = layers();
    assert!(layers.len() >= 10, "lib.rs lists {layers:?}");
    for entry in fs::read_dir(src()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if ["lib", "main", "fixtures"].contains(&name.as_str()) || name == "snapshots" {
            continue;
        }
        assert!(
            layers.contains(&name),
            "src/{name} is not in lib.rs's list of modules: add it where its layer is"
        );
    }
}

#[test]
fn modules_use_only_the_layers_below_them() {
    let layers = layers();
    let mut wrong = Vec::new();
    for (i, module) in layers.iter().enumerate() {
        for (used, place) in uses_of(module) {
            match layers.iter().position(|l| *l == used) {
                Some(j) if j < i => {}
                Some(_) => wrong.push(format!(
                    "{module} uses {used} ({place}), which lib.rs lists after it"
                )),
                None => wrong.push(format!(
                    "{module} uses crate::{used} ({place}), not a layer"
                )),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A file of `src/` by its path there (`run/runner.rs`), and the module it is: its path
/// (`["run", "runner"]`; `mod.rs` is its folder's module, `lib.rs` the crate's).
fn module_of(file: &str) -> Vec<String> {
    let stem = file.trim_end_matches(".rs");
    let mut path: Vec<String> = stem.split('/').map(str::to_string).collect();
    if path.last().is_some_and(|l| l == "mod" || l == "lib") {
        path.pop();
    }
    path
}

/// The code of a file that the program is built from: no comments, no unit tests (the
/// `#[cfg(test)] mod tests` that ends a file).
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(at) => &l[..at],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The paths that `text` (from `at` on) names after a prefix: `a::b`, `a::{b, c::{d, e}}`.
/// Returns them with where the text ends.
fn paths_at(text: &str, mut at: usize) -> (Vec<Vec<String>>, usize) {
    let bytes = text.as_bytes();
    let mut path = Vec::new();
    loop {
        let start = at;
        while at < text.len() && is_ident(bytes[at] as char) {
            at += 1;
        }
        if at > start {
            path.push(text[start..at].to_string());
        }
        if text[at..].starts_with("::") {
            at += 2;
            continue;
        }
        if text[at..].starts_with('{') {
            // A group: each item is a path of its own, below this one.
            let mut out = Vec::new();
            at += 1;
            loop {
                while at < text.len() && (bytes[at] as char).is_whitespace() {
                    at += 1;
                }
                if at >= text.len() || text[at..].starts_with('}') {
                    return (out, at + 1);
                }
                let (items, end) = paths_at(text, at);
                for item in items {
                    let mut full = path.clone();
                    full.extend(item.into_iter().filter(|s| s != "self"));
                    out.push(full);
                }
                at = end;
                // Past `as x`, up to the next item.
                while at < text.len() && !matches!(bytes[at], b',' | b'}') {
                    at += 1;
                }
                if at < text.len() && bytes[at] == b',' {
                    at += 1;
                }
            }
        }
        return (vec![path], at);
    }
}

/// The files of `modules` that the file `file` imports or names: `use crate::a::b`,
/// `use super::x`, `self::y`, and `crate::a::b::f(...)` in code, each resolved to the file
/// of the longest module its path starts with. Maps each file to the line that first names
/// it.
fn imports_of(
    file: &str,
    text: &str,
    modules: &BTreeMap<Vec<String>, String>,
) -> BTreeMap<String, usize> {
    let code = code_of(text);
    let here = module_of(file);
    let mut out = BTreeMap::new();
    for prefix in ["crate::", "super::", "self::"] {
        for (at, _) in code.match_indices(prefix) {
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| is_ident(c) || c == ':' || c == '$') {
                continue; // `super::super::x` is read from its first `super`; `$crate` is a macro's.
            }
            let mut base = match prefix {
                "crate::" => Vec::new(),
                "self::" => here.clone(),
                _ => here[..here.len().saturating_sub(1)].to_vec(),
            };
            let mut rest = at + prefix.len();
            while code[rest..].starts_with("super::") {
                base.pop();
                rest += "super::".len();
            }
            let line = code[..at].matches('\n').count() + 1;
            for path in paths_at(&code, rest).0 {
                let mut full = base.clone();
                full.extend(path);
                let target = (0..=full.len()).rev().find_map(|n| modules.get(&full[..n]));
                if let Some(target) = target.filter(|t| *t != file) {
                    out.entry(target.clone()).or_insert(line);
                }
            }
        }
    }
    out
}

/// Every file of `src/` (but the unit tests' shared fixtures, test-only) and the files it
/// imports, each with the line that first names it.
fn import_graph() -> BTreeMap<String, BTreeMap<String, usize>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let texts: BTreeMap<String, String> = files
        .iter()
        .map(|f| {
            let name = f.strip_prefix(src()).unwrap().to_string_lossy().to_string();
            (name, fs::read_to_string(f).unwrap())
        })
        .filter(|(name, _)| name != "fixtures.rs" && name != "main.rs")
        .collect();
    let modules: BTreeMap<Vec<String>, String> =
        texts.keys().map(|f| (module_of(f), f.clone())).collect();
    texts
        .iter()
        .map(|(file, text)| (file.clone(), imports_of(file, text, &modules)))
        .collect()
}

/// The cycles of `graph`: each set of two or more nodes that all reach one another, sorted.
fn cycles<V>(graph: &BTreeMap<String, BTreeMap<String, V>>) -> Vec<Vec<String>> {
    let reach = |from: &String| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(node) = todo.pop() {
            for next in graph.get(&node).into_iter().flat_map(|e| e.keys()) {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|n| (n, reach(n))).collect();
    let mut out: Vec<Vec<String>> = Vec::new();
    for (node, from_node) in &reached {
        let cycle: Vec<String> = from_node
            .iter()
            .filter(|other| reached.get(other).is_some_and(|r| r.contains(*node)))
            .cloned()
            .collect();
        if cycle.len() >= 2 && !out.contains(&cycle) {
            out.push(cycle);
        }
    }
    out
}

#[test]
fn no_two_files_import_each_other_directly_or_through_others() {
    let graph = import_graph();
    assert!(
        graph["run/runner.rs"].contains_key("run/plan.rs"),
        "the imports were not read: {:?}",
        graph["run/runner.rs"]
    );
    let found = cycles(&graph);
    let described: Vec<String> = found
        .iter()
        .map(|cycle| {
            let edges: Vec<String> = cycle
                .iter()
                .flat_map(|from| {
                    graph[from]
                        .iter()
                        .filter(|(to, _)| cycle.contains(to))
                        .map(move |(to, line)| format!("    {from}:{line} imports {to}"))
                })
                .collect();
            format!(
                "import cycle between {}:\n{}",
                cycle.join(", "),
                edges.join("\n")
            )
        })
        .collect();
    assert!(described.is_empty(), "{}", described.join("\n"));
}

#[test]
fn the_cycle_finder_finds_each_cycle_once_and_nothing_else() {
    let graph: BTreeMap<String, BTreeMap<String, ()>> = [
        ("a", &["b"][..]),
        ("b", &["c"]),
        ("c", &["a", "d"]),
        ("d", &["e"]),
        ("e", &["d", "f"]),
        ("f", &[]),
        ("g", &["a"]),
    ]
    .iter()
    .map(|(from, to)| {
        let edges = to.iter().map(|t| (t.to_string(), ())).collect();
        (from.to_string(), edges)
    })
    .collect();
    assert_eq!(cycles(&graph), [vec!["a", "b", "c"], vec!["d", "e"]]);
    let mut acyclic = graph.clone();
    acyclic.get_mut("c").unwrap().remove("a");
    acyclic.get_mut("e").unwrap().remove("d");
    assert!(cycles(&acyclic).is_empty());
}

#[test]
fn imports_are_read_from_use_super_and_paths_in_code_but_not_comments_or_tests() {
    let modules: BTreeMap<Vec<String>, String> = [
        "lib.rs",
        "run/mod.rs",
        "run/runner.rs",
        "run/steady.rs",
        "machine/mod.rs",
        "machine/limits.rs",
        "machine/steadiness.rs",
        "exec/mod.rs",
        "report/mod.rs",
        "stats.rs",
    ]
    .iter()
    .map(|f| (module_of(f), f.to_string()))
    .collect();
    let text = "use super::runner::Reporter;\n\
                use crate::machine::{\n    limits::Limits,\n    steadiness::{self, Steadiness},\n};\n\
                use crate::UsageError;\n\
                // crate::report::Report is only mentioned\n\
                fn f() { crate::exec::kill_current_run(); super::super::stats::median(&[]); }\n\
                #[cfg(test)]\nmod tests {\n    use crate::report::Report;\n}\n";
    let found = imports_of("run/steady.rs", text, &modules);
    let files: Vec<&str> = found.keys().map(String::as_str).collect();
    assert_eq!(
        files,
        [
            "exec/mod.rs",
            "lib.rs",
            "machine/limits.rs",
            "machine/steadiness.rs",
            "run/runner.rs",
            "stats.rs"
        ]
    );
    assert_eq!(found["machine/steadiness.rs"], 2);
    assert_eq!(found["exec/mod.rs"], 8);
}
