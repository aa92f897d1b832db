//! Terminal tables: the catalogue for `concbench list`, `compare` and `doctor`, and the
//! table style every table shares (the results tables are the terminal report's).

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table};

use crate::catalogue::{Catalogue, Role};
use crate::format::format_ns;
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

/// Which machine, toolchains and steadiness each side of a comparison was measured with,
/// one line each, so a cross-machine or cross-version comparison says so.
pub fn render_compare_sources(base: &ResultsFile, new: &ResultsFile) -> String {
    let line = |side: &str, f: &ResultsFile| {
        let m = &f.machine;
        let steadiness = m
            .steadiness_start
            .as_ref()
            .map(|s| format!(" · machine's own CV {:.1}%", s.machine_cv() * 100.0))
            .unwrap_or_default();
        format!(
            "{side}: {} · {} · {} CPUs · {}{steadiness}\n",
            f.started_at,
            m.cpu_model,
            m.allowed_cpus.len(),
            toolchain_list(f)
        )
    };
    let mut out = line("base", base) + &line("new ", new);
    if base.machine.cpu_model != new.machine.cpu_model
        || base.machine.allowed_cpus.len() != new.machine.allowed_cpus.len()
    {
        out += "note: the two files come from different machines; a ratio compares them too\n";
    }
    if base.toolchains != new.toolchains {
        out += "note: the toolchain versions differ; a ratio compares them too\n";
    }
    out
}

/// The comparison of two results files, benchstat-style: "~" where the change is not
/// significant.
pub fn render_compare(c: &crate::analysis::compare::Comparison) -> String {
    let mut t = new_table(vec![
        "workload",
        "model",
        "cpus",
        "base",
        "new",
        "new/base (95% CI)",
        "p",
        "change",
    ]);
    for r in &c.rows {
        let change = if r.significant {
            format!("{:+.1}%", (r.ratio - 1.0) * 100.0)
        } else {
            "~".to_string()
        };
        let cpus = format!("{}{}", r.cpus, if r.pinned { "" } else { " (all)" });
        let model = match &r.new_params {
            None => r.model.clone(),
            Some(new) => {
                let changed: Vec<String> = new
                    .iter()
                    .filter(|(k, v)| r.params.get(*k) != Some(v))
                    .map(|(k, v)| {
                        format!(
                            "{k} {}→{v}",
                            r.params.get(k).map_or("-".into(), |b| b.to_string())
                        )
                    })
                    .collect();
                format!("{} [{}]", r.model, changed.join(", "))
            }
        };
        t.add_row(vec![
            Cell::new(&r.workload),
            Cell::new(model),
            right(cpus),
            right(format_ns(r.base_median_ns)),
            right(format_ns(r.new_median_ns)),
            right(format!(
                "{:.3} [{:.3}, {:.3}]",
                r.ratio, r.ci95_low, r.ci95_high
            )),
            right(format!("{:.3}", r.p_value)),
            right(change),
        ]);
    }
    if let Some(g) = c.geomean_ratio {
        t.add_row(vec![
            Cell::new("geomean"),
            Cell::new(""),
            Cell::new(""),
            Cell::new(""),
            Cell::new(""),
            right(format!("{g:.3}")),
            Cell::new(""),
            right(format!("{:+.1}%", (g - 1.0) * 100.0)),
        ]);
    }
    let mut out = t.to_string();
    out.push('\n');
    out.push_str(&format!(
        "medians of elapsed time · new/base below 1 is faster · p: Mann-Whitney U, two-sided · \
         ~: not significant at p < {}\n",
        crate::analysis::compare::ALPHA
    ));
    if c.too_few_samples {
        out.push_str("warning: some pairs have too few runs for any change to be significant; use --runs 5 or more\n");
    }
    for u in &c.unmatched {
        out.push_str(&format!("{u}\n"));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn a_comparison_names_both_sources_and_says_when_they_differ() {
        let base = fixtures::mixed_file();
        let mut new = fixtures::mixed_file();
        let same = render_compare_sources(&base, &new);
        assert!(
            same.starts_with("base: ") && same.contains("\nnew : "),
            "{same}"
        );
        assert!(!same.contains("note:"), "{same}");
        new.machine.cpu_model = "another CPU".into();
        new.toolchains.insert("go".into(), "go1.27.0".into());
        let differ = render_compare_sources(&base, &new);
        assert!(differ.contains("different machines"), "{differ}");
        assert!(differ.contains("toolchain versions differ"), "{differ}");
    }

    #[test]
    fn the_compare_table() {
        let base = fixtures::file(vec![
            fixtures::cpu_parallel("rust-seq", 10, &[100_000, 103_000, 98_000, 101_000, 99_000]),
            fixtures::cpu_parallel("rust-rayon", 10, &[52_000, 50_000, 51_000, 55_000, 49_000]),
        ]);
        let new = fixtures::file(vec![
            fixtures::cpu_parallel(
                "rust-seq",
                20,
                &[201_000, 199_000, 204_000, 198_000, 200_000],
            ),
            fixtures::cpu_parallel("rust-rayon", 10, &[51_000, 52_000, 50_000, 54_000, 50_500]),
        ]);
        insta::assert_snapshot!(render_compare(&crate::analysis::compare::compare(
            &base, &new
        )));
    }
}
