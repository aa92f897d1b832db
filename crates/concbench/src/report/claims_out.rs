//! How `claims` and `models` read: the claims with their verdicts, rules and evidence, and
//! the comparison table, for the terminal, JSON and Markdown (the HTML report uses the same
//! tables). Every figure comes from `analysis::claims` and `analysis::models`.

use serde::Serialize;

use super::markup::{self, md_cell, Table};
use crate::analysis::claims::{ClaimResult, TestResult, Verdict};
use crate::analysis::models::{Cell, ModelRow};
use crate::analysis::view::Evidence;
use crate::format::format_ns;

/// The schema of `concbench claims --format json`.
pub const CLAIMS_SCHEMA: &str = "concbench.claims/1";
/// The schema of `concbench models --format json`.
pub const MODELS_SCHEMA: &str = "concbench.models/1";

/// The sections of the claims, in order, with their headings.
const SECTIONS: [(&str, &str); 4] = [
    ("go", "Go"),
    ("python", "Python"),
    ("rust", "Rust"),
    ("advice", "The article's selection advice"),
];

/// " (on a machine with 3 CPUs or more)" after a command that needs one, else nothing.
pub fn needs(m: &crate::analysis::claims::MeasureSpec) -> String {
    m.needs().map(|n| format!(" ({n})")).unwrap_or_default()
}

/// A verdict as a short tag.
pub fn tag(v: Verdict) -> &'static str {
    match v {
        Verdict::Holds => "HOLDS",
        Verdict::Caveat => "CAVEAT",
        Verdict::DoesNotHold => "DOES NOT HOLD",
        Verdict::NotMeasured => "NOT MEASURED",
    }
}

/// A run as a reader reruns it: `run 12: spawn-idle go-goroutines units=100000, 2 CPUs:
/// median 41.2 ms (40.9–41.5 ms), 3 samples`.
pub fn evidence_line(e: &Evidence) -> String {
    let params: Vec<String> = e.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!(
        "run {}: {} {} {}, {} CPU{}{}: median {} ({}–{}), {} sample{}",
        e.run,
        e.workload,
        e.model,
        params.join(" "),
        e.cpus,
        if e.cpus == 1 { "" } else { "s" },
        if e.pinned { " pinned" } else { "" },
        format_ns(e.median_ns),
        format_ns(e.ci95_ns.0),
        format_ns(e.ci95_ns.1),
        e.samples,
        if e.samples == 1 { "" } else { "s" }
    )
}

/// One line per verdict kind: "12 hold, 4 with a caveat, 3 do not hold, 2 not measured".
pub fn tally_line(claims: &[ClaimResult]) -> String {
    let n = |v: Verdict| claims.iter().filter(|c| c.verdict == v).count();
    format!(
        "{} claims: {} hold, {} hold with a caveat, {} do not hold on this machine, {} not measured",
        claims.len(),
        n(Verdict::Holds),
        n(Verdict::Caveat),
        n(Verdict::DoesNotHold),
        n(Verdict::NotMeasured)
    )
}

fn test_lines(t: &TestResult, indent: &str, out: &mut String) {
    let context = if t.counts { "" } else { " (context)" };
    out.push_str(&format!(
        "{indent}{}{context}: {} — {}\n",
        t.what,
        t.shown,
        t.verdict.label()
    ));
    out.push_str(&format!("{indent}  rule: {}\n", t.rule));
    if !t.reason.is_empty() {
        out.push_str(&format!("{indent}  why: {}\n", t.reason));
    }
    for e in &t.evidence {
        out.push_str(&format!("{indent}  {}\n", evidence_line(e)));
    }
    if let Some(s) = &t.safety {
        out.push_str(&format!("{indent}  checked by: {}\n", s.command));
        for line in s.excerpt.lines().take(4) {
            out.push_str(&format!("{indent}  | {line}\n"));
        }
    }
    if let Some(m) = &t.measure {
        out.push_str(&format!(
            "{indent}  to measure: {}{}\n",
            m.command(),
            needs(m)
        ));
    }
}

/// Once, above the claims: the blocks of `files` that ran while the machine itself was
/// unsteady, or that the host took CPU time from (steal), since a verdict near a bound may
/// not survive a quieter run.
pub fn steadiness_warning(files: &[&crate::results::ResultsFile]) -> Option<String> {
    let unsteady: Vec<String> = files
        .iter()
        .flat_map(|f| f.unsteady_blocks())
        .map(|(w, cv)| format!("{w} ({:.1}%)", cv * 100.0))
        .collect();
    // Blocks whose probes read steady but whose steal did not.
    let stolen: Vec<String> = files
        .iter()
        .flat_map(|f| &f.blocks)
        .filter(|b| b.host_stole() && !b.machine_unsteady())
        .filter_map(|b| Some(format!("{} ({:.1}%)", b.workload, b.host_steal? * 100.0)))
        .collect();
    let steal_words = format!(
        "the host took more than {:.0}% of the CPU time during these blocks (steal): {}",
        crate::machine::steadiness::NOTABLE_STEAL * 100.0,
        stolen.join(", ")
    );
    let what = match (unsteady.is_empty(), stolen.is_empty()) {
        (true, true) => return None,
        (false, true) => format!(
            "the machine itself was unsteady around these blocks (probe CV): {}",
            unsteady.join(", ")
        ),
        (true, false) => steal_words,
        (false, false) => format!(
            "the machine itself was unsteady around these blocks (probe CV): {}; and {steal_words}",
            unsteady.join(", ")
        ),
    };
    Some(format!(
        "warning: {what}. A verdict whose CI crosses a bound may change on a quieter run: rerun \
         when `concbench doctor` reads under {:.0}%, or with `concbench run --wait-steady 30m`, \
         which waits for that before each block.",
        crate::machine::steadiness::UNSTEADY_CV * 100.0
    ))
}

/// `concbench claims` for a terminal: per section, each claim's verdict, its words, and every
/// test with its value, rule, reason and runs; `warning` (see [`steadiness_warning`]) under
/// the title.
pub fn render_terminal(claims: &[ClaimResult], source: &str, warning: Option<&str>) -> String {
    let mut out = format!("The article's claims, checked on this machine ({source})\n");
    if let Some(w) = warning {
        out.push_str(&format!("{w}\n"));
    }
    for (section, heading) in SECTIONS {
        let these: Vec<&ClaimResult> = claims.iter().filter(|c| c.section == section).collect();
        if these.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{heading}\n"));
        for c in these {
            out.push_str(&format!(
                "\n[{}] {} — \"{}\"\n",
                tag(c.verdict),
                c.id,
                c.claim
            ));
            for t in &c.tests {
                test_lines(t, "    ", &mut out);
            }
        }
    }
    out.push_str(&format!("\n{}\n", tally_line(claims)));
    out
}

/// The words of the comparison table: model, language, unit, communication, sharing,
/// scheduling, domains, safety.
pub fn models_words_table(rows: &[ModelRow]) -> Table {
    let mut t = Table {
        header: [
            "model",
            "lang",
            "unit",
            "communication",
            "memory sharing",
            "scheduling",
            "typical domains",
            "safety",
        ]
        .map(String::from)
        .to_vec(),
        ..Table::default()
    };
    for r in rows {
        t.rows.push(vec![
            r.model.clone(),
            r.lang.clone(),
            r.unit.clone(),
            r.communication.clone(),
            r.sharing.clone(),
            r.scheduling.clone(),
            r.domains.clone(),
            r.safety.label.clone(),
        ]);
        t.status.push(String::new());
    }
    t
}

fn shown(c: &Option<Cell>) -> String {
    c.as_ref().map_or("—".to_string(), |c| c.shown.clone())
}

/// The measured columns of the comparison table, one row per model.
pub fn models_figures_table(rows: &[ModelRow]) -> Table {
    let mut t = Table {
        header: [
            "model",
            "memory per idle unit",
            "hand-off",
            "CPU speedup, all CPUs",
            "counter, per increment",
            "worker pool, per job",
            "req/s (I/O)",
            "p99 (I/O)",
            "safety evidence",
        ]
        .map(String::from)
        .to_vec(),
        ..Table::default()
    };
    for r in rows {
        t.rows.push(vec![
            r.model.clone(),
            shown(&r.mem_per_unit_bytes),
            shown(&r.handoff_ns),
            shown(&r.cpu_speedup),
            shown(&r.counter_ns_per_op),
            shown(&r.pool_ns_per_job),
            shown(&r.rps),
            shown(&r.p99_us),
            r.safety.evidence.clone(),
        ]);
        t.status.push(String::new());
    }
    t
}

/// Where the measured columns come from, in one paragraph.
pub const MODELS_SOURCES: &str = "Each figure comes from one workload's run: memory per idle \
unit from spawn-idle at the most units, hand-off from ping-pong, CPU speedup from cpu-parallel \
against the language's sequential model on every CPU, counter from shared-counter at the most \
units, worker pool from worker-pool, req/s and p99 from io-server with no CPU work at the most \
connections. — means the model is not in that workload, or the file has no valid run of it.";

/// The claims as JSON objects, with the file they were decided on.
#[derive(Serialize)]
pub struct ClaimsJson<'a> {
    /// [`CLAIMS_SCHEMA`].
    pub schema: &'static str,
    /// The results file(s) read.
    pub sources: Vec<String>,
    /// The claims.
    pub claims: &'a [ClaimResult],
}

/// The comparison table as JSON.
#[derive(Serialize)]
pub struct ModelsJson<'a> {
    /// [`MODELS_SCHEMA`].
    pub schema: &'static str,
    /// The results file read.
    pub source: String,
    /// The rows.
    pub models: &'a [ModelRow],
}

/// A [`Table`] in the terminal's table style, figures right-aligned.
fn terminal_table(mut t: Table) -> String {
    t.right_align_numbers();
    markup::text(&t)
}

/// `concbench models` for a terminal: the words, then the figures, then where they come from.
pub fn render_models_terminal(rows: &[ModelRow], source: &str) -> String {
    format!(
        "The comparison table, measured on this machine ({source})\n\n{}\n\n{}\n\n{MODELS_SOURCES}\n",
        terminal_table(models_words_table(rows)),
        terminal_table(models_figures_table(rows)),
    )
}

/// The claims a report leaves out of its detail (not measured), each with the runs that
/// would measure them: (claim id, [(command, where it must run, or "")]).
pub fn unmeasured_lines(claims: &[ClaimResult]) -> Vec<(String, Vec<(String, String)>)> {
    claims
        .iter()
        .filter(|c| c.verdict == Verdict::NotMeasured)
        .map(|c| {
            let runs: Vec<(String, String)> = c
                .tests
                .iter()
                .filter_map(|t| t.measure.as_ref().map(|m| (m.command(), needs(m))))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            (c.id.clone(), runs)
        })
        .collect()
}

/// `concbench claims --format md`, and (`compact`: the claims not measured in one line each)
/// the claims section of the Markdown report.
pub fn render_claims_md(
    claims: &[ClaimResult],
    source: &str,
    compact: bool,
    warning: Option<&str>,
) -> String {
    let mut out = format!(
        "### The article's claims, checked\n\n{} ({source})\n",
        tally_line(claims)
    );
    if let Some(w) = warning {
        out.push_str(&format!("\n> {w}\n"));
    }
    for (section, heading) in SECTIONS {
        let these: Vec<&ClaimResult> = claims
            .iter()
            .filter(|c| c.section == section && !(compact && c.verdict == Verdict::NotMeasured))
            .collect();
        if these.is_empty() {
            continue;
        }
        out.push_str(&format!("\n#### {heading}\n\n"));
        for c in these {
            out.push_str(&format!(
                "- **{}** · `{}` — “{}”\n",
                c.verdict.label(),
                c.id,
                md_cell(&c.claim)
            ));
            for t in &c.tests {
                out.push_str(&format!(
                    "  - {}{}: **{}** — {}. Rule: {}\n",
                    t.what,
                    if t.counts { "" } else { " (context)" },
                    t.shown,
                    t.verdict.label(),
                    t.rule
                ));
                if !t.reason.is_empty() {
                    out.push_str(&format!("    Why: {}\n", t.reason));
                }
                for e in &t.evidence {
                    out.push_str(&format!("    `{}`\n", evidence_line(e)));
                }
                if let Some(m) = &t.measure {
                    out.push_str(&format!("    To measure: `{}`{}\n", m.command(), needs(m)));
                }
            }
        }
    }
    let unmeasured = unmeasured_lines(claims);
    if compact && !unmeasured.is_empty() {
        out.push_str("\nNot measured in this file, and the run that would measure each:\n\n");
        for (id, runs) in unmeasured {
            let runs: Vec<String> = runs
                .iter()
                .map(|(cmd, needs)| format!("`{cmd}`{needs}"))
                .collect();
            out.push_str(&format!("- `{id}`: {}\n", runs.join("; ")));
        }
    }
    out
}

/// `concbench models --format md`, and the models section of the Markdown report: the
/// article's table with numbers in it.
pub fn render_models_md(rows: &[ModelRow], source: &str) -> String {
    format!(
        "### The comparison table, measured ({source})\n\n{}\n{}\n{MODELS_SOURCES}\n",
        markup::markdown(&models_words_table(rows)),
        markup::markdown(&models_figures_table(rows)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use crate::fixtures::probed_block as block;

    #[test]
    fn the_claims_say_once_which_blocks_ran_on_an_unsteady_machine() {
        let mut file = fixtures::mixed_file();
        assert_eq!(steadiness_warning(&[&file]), None, "no blocks probed");
        file.blocks = vec![block("cpu-parallel", 0.01), block("io-server", 0.129)];
        let w = steadiness_warning(&[&file]).expect("io-server was unsteady");
        assert!(
            w.contains("these blocks (probe CV): io-server (12.9%). A verdict"),
            "{w}"
        );
        assert!(!w.contains("cpu-parallel"), "{w}");
        let text = render_terminal(&[], "f.json", Some(&w));
        assert_eq!(text.lines().nth(1), Some(w.as_str()), "{text}");
        file.blocks = vec![block("io-server", 0.01)];
        assert_eq!(steadiness_warning(&[&file]), None);
        // Steady probes, but the host took 4.5% of the block's CPU time.
        file.blocks[0].host_steal = Some(0.045);
        let w = steadiness_warning(&[&file]).expect("the host took time from io-server");
        assert!(
            w.starts_with(
                "warning: the host took more than 2% of the CPU time during these blocks \
                 (steal): io-server (4.5%). A verdict"
            ),
            "{w}"
        );
        file.blocks[0].host_steal = Some(0.015);
        assert_eq!(steadiness_warning(&[&file]), None, "1.5% is not notable");
        file.blocks = vec![block("cpu-parallel", 0.129), block("io-server", 0.01)];
        file.blocks[1].host_steal = Some(0.045);
        let w = steadiness_warning(&[&file]).unwrap();
        assert!(
            w.contains("(probe CV): cpu-parallel (12.9%); and the host took more than 2%"),
            "{w}"
        );
    }
}
