//! The comparison of two results files: which machine and toolchains each side ran on, then
//! one row per pair of runs with the ratio, its CI and the p-value, benchstat-style, for a
//! terminal and Markdown. Every figure is `analysis::compare`'s.

use std::collections::BTreeMap;

use crate::analysis::compare::Comparison;
use crate::analysis::view::level_words;
use crate::format::{format_ns, format_p, format_ratio};
use crate::output::terminal::toolchain_list;
use crate::report::markup::{self, md_cell, Table};
use crate::report::words::ratio_with_ci;
use crate::results::ResultsFile;

/// Which machine, toolchains and steadiness each side of a comparison was measured with,
/// one line each, so a cross-machine or cross-version comparison says so.
pub fn sources(base: &ResultsFile, new: &ResultsFile) -> String {
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

/// The model's cell: the model, and the parameters the new file changed.
fn model_cell(
    model: &str,
    params: &BTreeMap<String, u64>,
    new: Option<&BTreeMap<String, u64>>,
) -> String {
    let Some(new) = new else {
        return model.to_string();
    };
    let changed: Vec<String> = new
        .iter()
        .filter(|(k, v)| params.get(*k) != Some(v))
        .map(|(k, v)| {
            format!(
                "{k} {}→{v}",
                params.get(k).map_or("-".into(), |b| b.to_string())
            )
        })
        .collect();
    format!("{model} [{}]", changed.join(", "))
}

/// The comparison for a terminal, benchstat-style: "~" where the change is not significant.
pub fn terminal(c: &Comparison) -> String {
    let mut t = Table::new([
        "workload",
        "model",
        "cpus",
        "base",
        "new",
        "new/base (interval)",
        "p",
        "change",
    ]);
    for r in &c.rows {
        let change = if r.significant {
            format!("{:+.1}%", (r.ratio - 1.0) * 100.0)
        } else {
            "~".to_string()
        };
        t.rows.push(vec![
            r.workload.clone(),
            model_cell(&r.model, &r.params, r.new_params.as_ref()),
            format!("{}{}", r.cpus, if r.pinned { "" } else { " (all)" }),
            format_ns(r.base_median_ns),
            format_ns(r.new_median_ns),
            match level_note(r.level) {
                None => format!("{:.3}", r.ratio),
                Some(l) => format!("{:.3} [{:.3}, {:.3}]{l}", r.ratio, r.ci95_low, r.ci95_high),
            },
            format!("{:.3}", r.p_value),
            change,
        ]);
    }
    if let Some(g) = c.geomean_ratio {
        let mut row = vec![String::new(); 8];
        row[0] = "geomean".into();
        row[5] = format!("{g:.3}");
        row[7] = format!("{:+.1}%", (g - 1.0) * 100.0);
        t.rows.push(row);
    }
    // The workload and the model are words; the rest are figures.
    t.right_align_except(&[0, 1]);
    let mut out = markup::text(&t);
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
    for line in conclusions(c) {
        out.push_str(&format!("{line}\n"));
    }
    out
}

/// The interval's level after it, where it falls short of 95% (" 75%"); `None` for one
/// sample, whose interval is a point and not shown.
fn level_note(level: f64) -> Option<String> {
    if level <= 0.0 {
        None
    } else if level >= crate::stats::CONFIDENCE - 1e-12 {
        Some(String::new())
    } else {
        Some(format!(" {}", level_words(level)))
    }
}

/// What a reader of either file would conclude differently: a heading, then one line per
/// claim whose verdict differs and per workload whose first tier differs, with both figures.
fn conclusions(c: &Comparison) -> Vec<String> {
    let mut out = Vec::new();
    if !c.claims.is_empty() {
        out.push(format!(
            "\nClaims decided differently ({}):",
            c.claims.len()
        ));
        for v in &c.claims {
            out.push(format!(
                "  {}: {} → {} (base: {}; new: {})",
                v.id,
                v.base.label(),
                v.new.label(),
                v.base_figure,
                v.new_figure
            ));
        }
    }
    if !c.first_tiers.is_empty() {
        out.push(format!(
            "\nFirst tier changed ({} workload{}):",
            c.first_tiers.len(),
            if c.first_tiers.len() == 1 { "" } else { "s" }
        ));
        for t in &c.first_tiers {
            out.push(format!(
                "  {}: {} → {} (base: {}; new: {})",
                t.workload,
                t.base.join(", "),
                t.new.join(", "),
                t.base_figure,
                t.new_figure
            ));
        }
    }
    out
}

/// `concbench compare --format md`: one row per pair of runs, the geometric mean, and what
/// could not be paired.
pub fn markdown(c: &Comparison) -> String {
    let mut t = Table::new([
        "workload",
        "model",
        "cpus",
        "params",
        "base",
        "new",
        "new/base (interval)",
        "p",
        "change",
    ]);
    for r in &c.rows {
        let params = |p: &BTreeMap<String, u64>| {
            p.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut shown = params(&r.params);
        if let Some(new) = &r.new_params {
            shown += &format!(" → {}", params(new));
        }
        t.rows.push(vec![
            r.workload.clone(),
            r.model.clone(),
            format!("{}{}", r.cpus, if r.pinned { " (pinned)" } else { "" }),
            shown,
            format!("{} ({} runs)", format_ns(r.base_median_ns), r.base_samples),
            format!("{} ({} runs)", format_ns(r.new_median_ns), r.new_samples),
            match level_note(r.level) {
                None => format_ratio(r.ratio),
                Some(l) => ratio_with_ci(r.ratio, r.ci95_low, r.ci95_high) + &l,
            },
            format_p(r.p_value),
            if !r.significant {
                "~".into()
            } else if r.ratio < 1.0 {
                "faster".into()
            } else {
                "slower".into()
            },
        ]);
    }
    let mut out = markup::markdown(&t);
    if let Some(g) = c.geomean_ratio {
        out += &format!(
            "\nGeometric mean of new/base over {} rows: {}.\n",
            c.rows.len(),
            format_ratio(g)
        );
    }
    out += "\n`~`: not significant at p < 0.05 (two-sided Mann-Whitney U).\n";
    if c.too_few_samples {
        out += "\nSome pairs have too few runs for any change to reach p < 0.05: use --runs 5 \
                or more on both sides.\n";
    }
    if !c.unmatched.is_empty() {
        out += "\nNot compared:\n\n";
        for u in &c.unmatched {
            out += &format!("- {}\n", md_cell(u));
        }
    }
    if !c.claims.is_empty() {
        out += "\nClaims decided differently:\n\n| claim | base | new |\n|---|---|---|\n";
        for v in &c.claims {
            out += &format!(
                "| `{}` | {}: {} | {}: {} |\n",
                v.id,
                v.base.label(),
                md_cell(&v.base_figure),
                v.new.label(),
                md_cell(&v.new_figure)
            );
        }
    }
    if !c.first_tiers.is_empty() {
        out += "\nFirst tier changed:\n\n| workload | base | new |\n|---|---|---|\n";
        for t in &c.first_tiers {
            out += &format!(
                "| {} | {} | {} |\n",
                t.workload,
                md_cell(&t.base_figure),
                md_cell(&t.new_figure)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn a_comparison_names_both_sources_and_says_when_they_differ() {
        let base = fixtures::mixed_file();
        let mut new = fixtures::mixed_file();
        let same = sources(&base, &new);
        assert!(
            same.starts_with("base: ") && same.contains("\nnew : "),
            "{same}"
        );
        assert!(!same.contains("note:"), "{same}");
        new.machine.cpu_model = "another CPU".into();
        new.toolchains.insert("go".into(), "go1.27.0".into());
        let differ = sources(&base, &new);
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
        insta::assert_snapshot!(terminal(&crate::analysis::compare::compare(&base, &new)));
    }

    #[test]
    fn the_markdown_of_a_comparison() {
        let cpu = [("n", 10), ("tasks", 8), ("workers", 2)];
        let base = fixtures::file(vec![
            fixtures::run("cpu-parallel", "rust-seq", &cpu, &[100, 103, 98, 101, 99]),
            fixtures::run("cpu-parallel", "rust-rayon", &cpu, &[52, 50, 51, 55, 49]),
        ]);
        let new = fixtures::file(vec![
            fixtures::run("cpu-parallel", "rust-seq", &cpu, &[200, 206, 196, 202, 198]),
            fixtures::run("cpu-parallel", "rust-rayon", &cpu, &[52, 50, 51, 55, 49]),
            fixtures::run("cpu-parallel", "go-seq", &cpu, &[1, 2, 3]),
        ]);
        let c = crate::analysis::compare::compare(&base, &new);
        insta::assert_snapshot!(markdown(&c));
    }
}
