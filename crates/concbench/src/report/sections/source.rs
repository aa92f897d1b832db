//! Where the numbers come from: the machine, the toolchains, the command, and how steady the
//! machine was, around the whole run and per block. The first lines of every report, and
//! the warning above the claims when a block ran on an unsteady machine.

use std::fmt::Write as _;
use std::time::Duration;

use crate::format::format_kb;
use crate::machine::steadiness::{Steadiness, UNSTEADY_CV};
use crate::output::terminal::toolchain_list;
use crate::report::markup::{self, escape, Table};
use crate::results::ResultsFile;

/// The steadiness line of the terminal's header, with its warning when the machine itself
/// was unsteady; empty when it was not measured.
fn terminal_steadiness(file: &ResultsFile) -> String {
    let m = &file.machine;
    let (Some(before), after) = (&m.steadiness_start, &m.steadiness_end) else {
        return String::new();
    };
    let pair = |f: fn(&Steadiness) -> f64, decimals: usize| match after {
        Some(after) => format!("{:.*}% → {:.*}%", decimals, f(before), decimals, f(after)),
        None => format!("{:.*}%", decimals, f(before)),
    };
    let mut line = format!(
        "steadiness of a fixed loop ({}): CV {} on one CPU",
        if after.is_some() {
            "before → after the runs"
        } else {
            "before the runs"
        },
        pair(|s| s.cv * 100.0, 1)
    );
    if before.latency_bound_cv.is_some() {
        line += &format!(
            " (a latency-bound loop between its slices: CV {})",
            pair(|s| s.latency_bound_cv.unwrap_or(f64::NAN) * 100.0, 1)
        );
    }
    if before.cpus > 1 {
        line += &format!(
            "; {} speed and CV {} with all {} CPUs busy",
            pair(|s| s.all_busy_speed * 100.0, 0),
            pair(|s| s.all_busy_cv * 100.0, 1),
            before.cpus
        );
    }
    let worst = after.as_ref().map_or(before.machine_cv(), |a| {
        a.machine_cv().max(before.machine_cv())
    });
    let core_shared = before.core_shared() || after.as_ref().is_some_and(|a| a.core_shared());
    if worst > UNSTEADY_CV && core_shared {
        line += &format!(
            "\nwarning: the machine was unsteady (CV up to {:.1}%) while its clock held: the \
             CPU's physical core was shared with work this machine does not see (on a VM, \
             another guest), so tight compiled loops ran at two speeds; figures near a \
             claim's bound stay undecided here: add samples with --budget, or use a machine \
             with dedicated cores (see `concbench doctor`)",
            worst * 100.0
        );
    } else if worst > UNSTEADY_CV {
        line += &format!(
            "\nwarning: the machine itself was unsteady (CV up to {:.1}%): runs here \
             cannot be steadier than that; run again with --wait-steady 30m to wait \
             for a quiet spell before each block, or on a quieter machine (see \
             `concbench doctor`)",
            worst * 100.0
        );
    }
    line + "\n"
}

/// Where and with what the results were measured: the first lines of the terminal report.
pub fn terminal(file: &ResultsFile) -> String {
    let m = &file.machine;
    format!(
        "concbench {} · suite {} · {}\nmachine: {} · {} CPUs ({} usable) · {} · kernel {} · governor {} · load {:.2} → {:.2}\n{}toolchains: {}\n",
        file.concbench_version,
        file.suite,
        file.started_at,
        m.cpu_model,
        m.logical_cpus,
        m.allowed_cpus.len(),
        format_kb(m.memory_kb),
        m.kernel,
        m.governor,
        m.load_avg_start,
        m.load_avg_end,
        terminal_steadiness(file),
        toolchain_list(file)
    )
}

/// The Markdown report's title and the line of what it ran on.
pub fn markdown(file: &ResultsFile) -> String {
    let f = file;
    let mut out = format!(
        "## concbench results · suite `{}` · {}\n\n",
        f.suite, f.started_at
    );
    let mut about: Vec<String> = Vec::new();
    if !f.machine.cpu_model.is_empty() {
        about.push(f.machine.cpu_model.clone());
    }
    if f.machine.logical_cpus > 0 {
        about.push(format!(
            "{} CPUs ({} usable)",
            f.machine.logical_cpus,
            f.machine.allowed_cpus.len()
        ));
    }
    if !f.machine.kernel.is_empty() {
        about.push(format!("kernel {}", f.machine.kernel));
    }
    if !f.toolchains.is_empty() {
        about.push(toolchain_list(f));
    }
    if !f.command.is_empty() {
        about.push(format!("`{}`", f.command.join(" ").replace('`', "'")));
    }
    if !about.is_empty() {
        out += &about.join(" · ");
        out += "\n";
    }
    if f.interrupted {
        out += "\n**The suite was interrupted: some runs were not measured.**\n";
    }
    out
}

/// The HTML page's header: its title, what ran where, and the languages' colours.
pub fn html_header(file: &ResultsFile) -> String {
    let f = file;
    let mut out = format!(
        "<header><h1>concbench report</h1><p class=\"sub\">suite <strong>{}</strong> · started \
         {}{} · concbench {} · {} · {} runs</p>",
        escape(&f.suite),
        escape(&f.started_at),
        f.finished_at
            .as_ref()
            .map(|t| format!(", finished {}", escape(t)))
            .unwrap_or_default(),
        escape(&f.concbench_version),
        escape(&f.machine.cpu_model),
        f.runs.len()
    );
    let mut langs: Vec<&str> = f.runs.iter().map(|r| r.lang.name()).collect();
    langs.sort_unstable();
    langs.dedup();
    out.push_str(&markup::lang_key(&langs));
    if f.interrupted {
        out.push_str(
            "<p class=\"warn\">The suite was interrupted: runs it had not measured are \
             missing or marked not run.</p>",
        );
    }
    out.push_str("</header>\n");
    out
}

fn steadiness_text(s: &Option<Steadiness>) -> String {
    match s {
        None => "—".into(),
        Some(s) => {
            let mut t = format!("CV {:.1}%", s.cv * 100.0);
            if let Some(latency) = s.latency_bound_cv {
                let _ = write!(t, " (latency-bound loop: CV {:.1}%)", latency * 100.0);
            }
            if s.cpus > 1 {
                let _ = write!(
                    t,
                    ", {:.0}% speed and CV {:.1}% with all {} CPUs busy",
                    s.all_busy_speed * 100.0,
                    s.all_busy_cv * 100.0,
                    s.cpus
                );
            }
            t
        }
    }
}

/// The machine and the run as HTML terms and descriptions (already escaped).
fn machine_items(f: &ResultsFile) -> Vec<(&'static str, String)> {
    let m = &f.machine;
    let cpus: Vec<String> = m.allowed_cpus.iter().map(|c| c.to_string()).collect();
    let tools: Vec<String> = f
        .toolchains
        .iter()
        .map(|(k, v)| format!("{} {}", escape(k), escape(v)))
        .collect();
    let or_dash = |s: String| if s.is_empty() { "—".into() } else { s };
    vec![
        ("CPU", escape(&m.cpu_model)),
        (
            "CPUs",
            format!(
                "{} logical, {} usable ({})",
                m.logical_cpus,
                m.allowed_cpus.len(),
                escape(&cpus.join(", "))
            ),
        ),
        ("memory", escape(&format_kb(m.memory_kb))),
        ("kernel", escape(&m.kernel)),
        ("governor", escape(&m.governor)),
        ("hostname", escape(&m.hostname)),
        (
            "load average",
            format!(
                "{:.2} at the start, {:.2} at the end",
                m.load_avg_start, m.load_avg_end
            ),
        ),
        (
            "steadiness (fixed loop)",
            format!(
                "before the runs: {}; after: {}",
                escape(&steadiness_text(&m.steadiness_start)),
                escape(&steadiness_text(&m.steadiness_end))
            ),
        ),
        ("toolchains", or_dash(tools.join(", "))),
        (
            "command",
            if f.command.is_empty() {
                "—".into()
            } else {
                format!("<code>{}</code>", escape(&f.command.join(" ")))
            },
        ),
        (
            "results file",
            format!(
                "schema {}, concbench {}, suite {}",
                escape(&f.schema),
                escape(&f.concbench_version),
                escape(&f.suite)
            ),
        ),
    ]
}

/// One row per block: its samples, any wait for a steady machine, the machine's CV before
/// and after it, and the host's steal; `None` for a file without blocks.
fn blocks_table(f: &ResultsFile) -> Option<Table> {
    if f.blocks.is_empty() {
        return None;
    }
    // Only a run with --wait-steady waited: the column is there when any block did.
    let waited = f.blocks.iter().any(|b| b.steady_wait_ns > 0);
    // Only a kernel that counts steal gives the column.
    let steal = f.blocks.iter().any(|b| b.host_steal.is_some());
    let mut t = Table::new(["block (workload)", "samples (seq)"]);
    if waited {
        t.header.push("waited for a steady machine".into());
    }
    t.header
        .extend(["machine before", "machine after"].map(String::from));
    if steal {
        t.header.push("host took (steal)".into());
    }
    for b in &f.blocks {
        let mut row = vec![
            b.workload.clone(),
            format!("{}–{}", b.first_seq, b.last_seq),
        ];
        if waited {
            row.push(match b.steady_wait_ns {
                0 => "none".into(),
                ns => crate::format::format_eta(Duration::from_nanos(ns)),
            });
        }
        row.extend([
            steadiness_text(&b.steadiness_before),
            steadiness_text(&b.steadiness_after),
        ]);
        if steal {
            row.push(
                b.host_steal
                    .map_or_else(|| "–".into(), |s| format!("{:.1}%", s * 100.0)),
            );
        }
        t.rows.push(row);
        t.status
            .push(if b.machine_noisy() { "racy" } else { "" }.into());
    }
    Some(t)
}

/// The HTML page's last section: the machine, the run, and the steadiness of each block.
pub fn html_machine(file: &ResultsFile) -> String {
    let mut out = String::from(
        "<section id=\"machine\"><h2>The machine and the run</h2>\n<dl class=\"machine\">",
    );
    for (k, v) in machine_items(file) {
        let _ = write!(out, "<dt>{}</dt><dd>{v}</dd>", escape(k));
    }
    out.push_str("</dl>\n");
    if let Some(t) = blocks_table(file) {
        out.push_str(
            "<h3>Steadiness per block</h3><p class=\"sub\">Each workload ran as one block; \
             the machine's own CV was probed just before and just after it, and where the \
             kernel counts steal, the share of the block's busy CPU time the host gave to \
             other guests was read (highlighted: a probe or the steal above 2%, where runs \
             cannot be steadier than the machine).</p>",
        );
        out.push_str(&markup::html(&t, "blocks"));
    }
    out.push_str("</section>\n");
    out
}

/// Once, above the claims: the blocks of `files` that ran while the machine itself was
/// unsteady, or that the host took CPU time from (steal), since a verdict near a bound may
/// not survive a quieter run.
pub fn steadiness_warning(files: &[&ResultsFile]) -> Option<String> {
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
    let shared: Vec<&str> = files
        .iter()
        .flat_map(|f| &f.blocks)
        .filter(|b| b.core_shared())
        .map(|b| b.workload.as_str())
        .collect();
    let core = if shared.is_empty() {
        String::new()
    } else {
        format!(
            " Around {}, a latency-bound loop stayed steady while the wide one did not: the \
             clock held and the CPU's core was shared with work this machine does not see, \
             which waiting may not outlast; a machine with dedicated cores would.",
            shared.join(", ")
        )
    };
    Some(format!(
        "warning: {what}. A verdict whose CI crosses a bound may change on a quieter run: rerun \
         when `concbench doctor` reads under {:.0}%, or with `concbench run --wait-steady 30m`, \
         which waits for that before each block.{core}",
        UNSTEADY_CV * 100.0
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use crate::fixtures::probed_block as block;

    #[test]
    fn the_warning_names_the_blocks_that_ran_on_a_shared_core() {
        let mut file = fixtures::mixed_file();
        file.blocks = vec![block("cpu-parallel", 0.2), block("io-server", 0.2)];
        let w = steadiness_warning(&[&file]).unwrap();
        assert!(!w.contains("core was shared"), "{w}");
        file.blocks[0]
            .steadiness_after
            .as_mut()
            .unwrap()
            .latency_bound_cv = Some(0.01);
        let w = steadiness_warning(&[&file]).unwrap();
        assert!(
            w.contains("Around cpu-parallel, a latency-bound loop stayed steady"),
            "{w}"
        );
    }

    #[test]
    fn the_warning_names_the_blocks_that_ran_on_an_unsteady_machine() {
        let mut file = fixtures::mixed_file();
        assert_eq!(steadiness_warning(&[&file]), None, "no blocks probed");
        file.blocks = vec![block("cpu-parallel", 0.01), block("io-server", 0.129)];
        let w = steadiness_warning(&[&file]).expect("io-server was unsteady");
        assert!(
            w.contains("these blocks (probe CV): io-server (12.9%). A verdict"),
            "{w}"
        );
        assert!(!w.contains("cpu-parallel"), "{w}");
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

    #[test]
    fn the_header_shows_the_machines_steadiness_before_and_after() {
        let mut file = fixtures::mixed_file();
        assert!(!terminal(&file).contains("steadiness"), "none measured");
        let probe = |cv, busy| Steadiness {
            slices: 50,
            cv,
            slowest_over_fastest: 1.1,
            cpus: 2,
            all_busy_speed: busy,
            all_busy_cv: 0.01,
            latency_bound_cv: None,
        };
        file.machine.steadiness_start = Some(probe(0.012, 0.98));
        file.machine.steadiness_end = Some(probe(0.094, 0.71));
        let header = terminal(&file);
        assert!(
            header.contains(
                "steadiness of a fixed loop (before → after the runs): CV 1.2% → 9.4% on one \
                 CPU; 98% → 71% speed and CV 1.0% → 1.0% with all 2 CPUs busy"
            ),
            "{header}"
        );
        assert!(
            header.contains("warning: the machine itself was unsteady (CV up to 9.4%)"),
            "{header}"
        );
        file.machine.steadiness_end = Some(probe(0.01, 0.99));
        assert!(!terminal(&file).contains("unsteady"));
        // Steady on one CPU, unsteady with every CPU busy: still unsteady.
        let mut both_busy = probe(0.01, 0.99);
        both_busy.all_busy_cv = 0.15;
        file.machine.steadiness_end = Some(both_busy);
        assert!(
            terminal(&file).contains("unsteady (CV up to 15.0%)"),
            "{}",
            terminal(&file)
        );
        // A wide loop at two speeds beside a steady latency-bound one: a shared core.
        let mut shared = probe(0.25, 0.99);
        shared.latency_bound_cv = Some(0.012);
        file.machine.steadiness_start = Some(shared.clone());
        file.machine.steadiness_end = Some(shared);
        let header = terminal(&file);
        assert!(
            header.contains("(a latency-bound loop between its slices: CV 1.2% → 1.2%)")
                && header.contains("the CPU's physical core was shared"),
            "{header}"
        );
    }

    #[test]
    fn the_blocks_table_shows_a_wait_for_a_steady_machine_only_when_there_was_one() {
        let mut file = fixtures::mixed_file();
        file.blocks = vec![
            fixtures::probed_block("cpu-parallel", 0.01),
            fixtures::probed_block("spawn-idle", 0.04),
        ];
        assert!(!html_machine(&file).contains("waited for a steady machine"));
        file.blocks[0].steady_wait_ns = 140_000_000_000;
        let html = html_machine(&file);
        let blocks = &html[html.find("Steadiness per block").unwrap()..];
        assert!(
            blocks.contains("<th scope=\"col\">waited for a steady machine</th>"),
            "{blocks}"
        );
        assert!(blocks.contains(">2 min 20 s</td>"), "{blocks}");
        assert!(blocks.contains("<td>none</td>"), "{blocks}");
    }

    #[test]
    fn the_blocks_table_shows_the_hosts_steal_and_marks_a_block_it_took_from() {
        let mut file = fixtures::mixed_file();
        file.blocks = vec![
            fixtures::probed_block("cpu-parallel", 0.01),
            fixtures::probed_block("spawn-idle", 0.01),
        ];
        assert!(!html_machine(&file).contains("host took (steal)"));
        file.blocks[0].host_steal = Some(0.004);
        file.blocks[1].host_steal = Some(0.07);
        let html = html_machine(&file);
        let blocks = &html[html.find("Steadiness per block").unwrap()..];
        assert!(
            blocks.contains("<th scope=\"col\">host took (steal)</th>"),
            "{blocks}"
        );
        // Steady probes both; only the block the host took 7% from is marked.
        let row = |w: &str| {
            let at = blocks.find(&format!("<td>{w}</td>")).unwrap();
            &blocks[blocks[..at].rfind("<tr").unwrap()..at + blocks[at..].find("</tr>").unwrap()]
        };
        assert!(
            row("cpu-parallel").starts_with("<tr class=\"\">"),
            "{blocks}"
        );
        assert!(row("cpu-parallel").contains(">0.4%</td>"), "{blocks}");
        assert!(
            row("spawn-idle").starts_with("<tr class=\"racy\">"),
            "{blocks}"
        );
        assert!(row("spawn-idle").contains(">7.0%</td>"), "{blocks}");
    }
}
