//! The harness's architecture, checked: its top-level modules form layers, in the order
//! `src/lib.rs` lists them, and a module may use only those listed before it. So there is no
//! import cycle, and the list in the crate's documentation is the truth.

use std::collections::BTreeMap;
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
