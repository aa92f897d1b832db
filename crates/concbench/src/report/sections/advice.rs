//! Advice for a workload profile: the ranked table, the recommendation, what lies outside
//! the measurements, and the evidence, for a terminal, Markdown and the HTML page (`advise`,
//! and the reports given a profile). Every figure is the advice's (`analysis/advice.rs`);
//! this module only formats.

use crate::analysis::advice::{rate_text, Advice, AdvicePath, Row};
use crate::format::{format_bytes, format_ns};
use crate::report::markup::{self, escape, Table};
use crate::report::words::evidence_line;

/// The profile's heading: the preset and its words, then its numbers.
fn heading(a: &Advice) -> (String, String) {
    let p = &a.profile;
    let name = match (&p.preset, &p.about) {
        (Some(n), Some(about)) => format!("{n} — {about}"),
        (Some(n), None) => n.clone(),
        _ => "custom profile".into(),
    };
    (name, p.describe())
}

/// Where the memory figures come from, in words, once rows read any.
fn memory_from(a: &Advice) -> Option<&'static str> {
    a.memory_from
        .map(|m| m.describe(a.path == AdvicePath::IoServer))
}

fn headroom(r: &Row) -> String {
    r.headroom.map_or("—".into(), |h| format!("{h:.2}×"))
}

/// The ranked table's cells, shared by every format.
fn table(a: &Advice) -> Table {
    let unit = if a.path == AdvicePath::IoServer {
        "req/s"
    } else {
        "jobs/s"
    };
    let latency = if a.path == AdvicePath::IoServer {
        "p99"
    } else {
        "one job"
    };
    let mut t = Table {
        header: [
            "#", "model", "feasible", "binding", "headroom", unit, latency, "memory", "CPU/req",
        ]
        .map(String::from)
        .to_vec(),
        ..Table::default()
    };
    if a.path != AdvicePath::IoServer {
        t.header.pop();
    }
    for r in &a.rows {
        let f = &r.figures;
        let mut row = vec![
            r.rank.to_string(),
            r.model.clone(),
            if r.feasible {
                "yes"
            } else if r.undecided() {
                "not measured"
            } else {
                "no"
            }
            .into(),
            r.binding.label().into(),
            headroom(r),
            f.throughput.map_or("—".into(), rate_text),
            f.p99_ms
                .map_or("—".into(), |ms| format_ns((ms * 1e6).round() as u64)),
            f.memory_bytes.map_or("—".into(), format_bytes),
        ];
        if a.path == AdvicePath::IoServer {
            row.push(
                f.cpu_ms_per_unit
                    .map_or("—".into(), |ms| format_ns((ms * 1e6).round() as u64)),
            );
        }
        t.rows.push(row);
        t.status.push(
            if r.feasible {
                "valid"
            } else if r.undecided() {
                "skipped"
            } else {
                "failed"
            }
            .into(),
        );
    }
    t
}

/// The lines under the table: recommendation, extrapolation, commands, left out.
fn notes(a: &Advice, command: &dyn Fn(&str) -> String) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(m) = &a.missing {
        out.push(format!("{m}: measure it first."));
    }
    if !a.mixed_service.is_empty() {
        out.push(
            "The same designs with every CPU serving (mixed-service, open-loop arrivals):".into(),
        );
        for line in &a.mixed_service {
            out.push(format!("  • {line}"));
        }
    }
    if !a.extrapolations.is_empty() {
        out.push("Outside what was measured:".into());
        for e in &a.extrapolations {
            out.push(format!(
                "  • {}; the advice stands on {}",
                e.what, e.stands_on
            ));
        }
    }
    if !a.commands.is_empty() {
        out.push("To measure it (or add --measure to advise):".into());
        for c in &a.commands {
            out.push(format!("  {}", command(&c.to_string())));
        }
    }
    if !a.left_out.is_empty() {
        out.push(format!("Left out by --langs: {}.", a.left_out.join(", ")));
    }
    out
}

/// Each row's reasons and runs.
fn evidence_lines(a: &Advice) -> Vec<String> {
    let mut out = Vec::new();
    for r in &a.rows {
        out.push(format!(
            "{}. {} ({}): {}",
            r.rank,
            r.model,
            r.lang,
            r.reasons.join("; ")
        ));
        for e in &r.evidence {
            out.push(format!("   {}", evidence_line(e)));
        }
    }
    out
}

/// `concbench advise` on a terminal.
pub fn terminal(a: &Advice, source: &str) -> String {
    let (name, numbers) = heading(a);
    let mut out = format!("concbench advise · {name}\nprofile: {numbers}\nfrom: {source}\n");
    if !a.basis.is_empty() {
        out += &format!("read from: {}\n", a.basis);
    }
    if let Some(m) = memory_from(a) {
        out += &format!("memory from: {m}\n");
    }
    let mut t = table(a);
    if !t.rows.is_empty() {
        // The model, whether it fits and what binds it are words; the rest are figures.
        t.right_align_except(&[1, 2, 3]);
        out += &format!("{}\n", markup::text(&t));
        out += "headroom: what the model has over what the profile needs on the binding \
                constraint (≥ 1.00× fits); figures are medians of the runs below\n";
    }
    if !a.recommendation.is_empty() {
        out += &format!("\n{}\n", a.recommendation.join(" "));
    }
    let n = notes(a, &|c| c.to_string());
    if !n.is_empty() {
        out += &format!("\n{}\n", n.join("\n"));
    }
    if !a.rows.is_empty() {
        out += &format!("\nEvidence:\n{}\n", evidence_lines(a).join("\n"));
    }
    out
}

/// `concbench advise --format md`, and the section the Markdown report adds.
pub fn markdown(a: &Advice) -> String {
    let (name, numbers) = heading(a);
    let mut out = format!("\n### Advice: {name}\n\nProfile: {numbers}.");
    if !a.basis.is_empty() {
        out += &format!(" Read from {}.", a.basis);
    }
    if let Some(m) = memory_from(a) {
        out += &format!(" Memory from {m}.");
    }
    out += "\n\n";
    let t = table(a);
    if !t.rows.is_empty() {
        out += &markup::markdown(&t);
        out += "\n";
    }
    if !a.recommendation.is_empty() {
        out += &format!("**{}**\n\n", a.recommendation.join(" "));
    }
    for line in notes(a, &|c| format!("`{c}`")) {
        out += &format!("{line}\n");
    }
    if !a.rows.is_empty() {
        out += "\n<details><summary>Evidence</summary>\n\n";
        for line in evidence_lines(a) {
            out += &format!("- {}\n", line.trim_start());
        }
        out += "\n</details>\n";
    }
    out
}

/// The section the HTML report adds.
pub fn html(a: &Advice) -> String {
    let (name, numbers) = heading(a);
    let mut out = format!(
        "<section id=\"advice\"><h2>Advice: {}</h2>\n<p class=\"sub\">Profile: {}.{}</p>\n",
        escape(&name),
        escape(&numbers),
        if a.basis.is_empty() {
            String::new()
        } else {
            format!(" Read from {}.", escape(&a.basis))
        } + &memory_from(a).map_or(String::new(), |m| format!(" Memory from {}.", escape(m)))
    );
    let t = table(a);
    if !t.rows.is_empty() {
        out += &markup::html(&t, "advice");
    }
    if !a.recommendation.is_empty() {
        out += &format!(
            "<p class=\"headline\">{}</p>\n",
            escape(&a.recommendation.join(" "))
        );
    }
    let n = notes(a, &|c| c.to_string());
    if !n.is_empty() {
        out += "<ul class=\"findings\">";
        for line in n {
            // A list item needs no bullet of its own.
            let line = line.trim_start().trim_start_matches("• ");
            out += &format!("<li>{}</li>", escape(line));
        }
        out += "</ul>\n";
    }
    if !a.rows.is_empty() {
        out += "<details><summary>Evidence</summary><ul class=\"findings\">";
        for line in evidence_lines(a) {
            out += &format!("<li>{}</li>", escape(line.trim_start()));
        }
        out += "</ul></details>\n";
    }
    out += "</section>\n";
    out
}
