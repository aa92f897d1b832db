//! The article's comparison table with numbers in it: the catalogue's words per model, then
//! the figures measured on this machine, and where each comes from. Every figure is
//! `analysis::models`'.

use crate::analysis::models::{Cell, ModelRow};
use crate::report::markup::{self, escape, Table};

/// The words of the comparison table: model, language, unit, communication, sharing,
/// scheduling, domains, safety.
pub fn words_table(rows: &[ModelRow]) -> Table {
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
            r.lang.name().to_string(),
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
pub fn figures_table(rows: &[ModelRow]) -> Table {
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

/// A [`Table`] in the terminal's table style, figures right-aligned.
fn terminal_table(mut t: Table) -> String {
    t.right_align_numbers();
    markup::text(&t)
}

/// `concbench models` for a terminal: the words, then the figures, then where they come from.
pub fn terminal(rows: &[ModelRow], source: &str) -> String {
    format!(
        "The comparison table, measured on this machine ({source})\n\n{}\n\n{}\n\n{MODELS_SOURCES}\n",
        terminal_table(words_table(rows)),
        terminal_table(figures_table(rows)),
    )
}

/// `concbench models --format md`, and the models section of the Markdown report: the
/// article's table with numbers in it.
pub fn markdown(rows: &[ModelRow], source: &str) -> String {
    format!(
        "### The comparison table, measured ({source})\n\n{}\n{}\n{MODELS_SOURCES}\n",
        markup::markdown(&words_table(rows)),
        markup::markdown(&figures_table(rows)),
    )
}

/// The comparison table on the HTML page, for the models the file measured (`rows`); empty
/// when there are none.
pub fn html(rows: &[ModelRow]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    format!(
        "<section id=\"models\"><h2>The comparison table, measured</h2>\n{}{}<p class=\"sub\">{}</p></section>\n",
        markup::html(&words_table(rows), "models"),
        markup::html(&figures_table(rows), "models"),
        escape(MODELS_SOURCES)
    )
}
