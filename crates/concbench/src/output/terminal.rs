//! Terminal tables: the catalogue for `concbench list` and `doctor`, and the table style
//! every table shares (the report's tables are drawn in it by `report::markup`).

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table};

use crate::catalogue::{Catalogue, Role};
use crate::results::ResultsFile;
use crate::toolchain::Toolchains;

/// A table in the style of every concbench table.
pub fn new_table(header: Vec<&str>) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header);
    t
}

/// A right-aligned cell (numbers).
pub fn right(text: String) -> Cell {
    Cell::new(text).set_alignment(CellAlignment::Right)
}

/// "go go1.26.8, python 3.11.7, rust 1.95.0".
pub fn toolchain_list(file: &ResultsFile) -> String {
    let names: Vec<String> = file
        .toolchains
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    names.join(", ")
}

/// The catalogue with each model's availability, for `concbench list`.
pub fn render_catalogue(catalogue: &Catalogue, toolchains: &Toolchains) -> String {
    let mut out = String::new();
    out.push_str("Toolchains\n");
    let mut t = new_table(vec!["language", "runtime", "program"]);
    for (lang, imp) in &toolchains.langs {
        match imp {
            Ok(imp) => {
                let runtime = match &imp.numpy {
                    Some(v) => format!("{} (NumPy {v})", imp.runtime),
                    None if *lang == crate::catalogue::Lang::Python => {
                        format!("{} (no NumPy)", imp.runtime)
                    }
                    None => imp.runtime.clone(),
                };
                t.add_row(vec![
                    lang.name().to_string(),
                    runtime,
                    imp.program.display().to_string(),
                ]);
            }
            Err(why) => {
                t.add_row(vec![
                    lang.name().to_string(),
                    "unavailable".into(),
                    why.to_string(),
                ]);
            }
        }
    }
    out.push_str(&t.to_string());
    out.push('\n');
    for w in &catalogue.workloads {
        let params: Vec<String> = w
            .params
            .iter()
            .map(|p| format!("{} ({}..={})", p.name, p.min, p.max))
            .collect();
        out.push_str(&format!(
            "\n{} — {}\nfrom {} · one op = one {} · parameters: {} · suites: {}\n",
            w.name,
            w.title,
            w.from,
            w.op,
            params.join(", "),
            w.suites.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
        let mut t = new_table(vec![
            "model",
            "tool",
            "unit",
            "communication",
            "scheduling",
            "memory",
            "available",
        ]);
        for m in &w.models {
            let available = match toolchains.implementation_for(m.lang, &w.name, &m.id) {
                Ok(_) if m.racy => "yes (racy by design)".to_string(),
                Ok(_) if m.role == Role::Baseline => "yes (baseline)".to_string(),
                Ok(_) => "yes".to_string(),
                // The language's own reason stands once, in the toolchains table.
                Err(_) if !matches!(toolchains.langs.get(&m.lang), Some(Ok(_))) => {
                    format!("no: {} unavailable", m.lang)
                }
                Err(why) => format!("no: {why}"),
            };
            t.add_row(vec![
                m.id.clone(),
                m.tool.clone(),
                m.unit.clone(),
                m.communication.clone(),
                m.scheduling.clone(),
                m.memory.clone(),
                available,
            ]);
        }
        out.push_str(&t.to_string());
        out.push('\n');
    }
    out
}

/// `concbench doctor`'s findings.
pub fn render_doctor(findings: &[crate::machine::doctor::Finding]) -> String {
    use crate::machine::doctor::Level;
    let mut t = new_table(vec!["check", "", "finding", "what to do"]);
    for f in findings {
        let mark = match f.level {
            Level::Ok => "ok",
            Level::Note => "note",
            Level::Warn => "WARN",
        };
        t.add_row(vec![
            f.check.clone(),
            mark.to_string(),
            f.finding.clone(),
            f.advice.clone().unwrap_or_default(),
        ]);
    }
    let warnings = findings.iter().filter(|f| f.level == Level::Warn).count();
    format!("{t}\n{warnings} warning(s). concbench doctor only reads; it changed nothing.\n")
}
