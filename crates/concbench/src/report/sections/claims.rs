//! The article's claims, checked: per claim its verdict and words, per test its figure,
//! rule, reason and the runs it stands on, and the runs that would measure what the file
//! cannot decide. For a terminal, Markdown and the HTML page; every figure is
//! `analysis::claims`'.

use std::fmt::Write as _;

use crate::analysis::claims::{ClaimResult, Measure, TestResult, Verdict};
use crate::report::charts::verdict;
use crate::report::markup::{escape, md_cell, slug};
use crate::report::words::evidence_line;

/// The sections of the claims, in order, with their headings.
const SECTIONS: [(&str, &str); 4] = [
    ("go", "Go"),
    ("python", "Python"),
    ("rust", "Rust"),
    ("advice", "The article's selection advice"),
];

/// " (on a machine with 3 CPUs or more)" after a command that needs one, else nothing.
pub fn needs(m: &Measure) -> String {
    m.needs().map(|n| format!(" ({n})")).unwrap_or_default()
}

/// A verdict as a short tag.
pub fn tag(v: Verdict) -> &'static str {
    match v {
        Verdict::Holds => "HOLDS",
        Verdict::Caveat => "CAVEAT",
        Verdict::DoesNotHold => "DOES NOT HOLD",
        Verdict::Undecided => "UNDECIDED",
        Verdict::NotMeasured => "NOT MEASURED",
    }
}

/// What the run under a test is for: measuring what the file lacks, or deciding what its
/// runs left undecided (the same run with more counted runs). An interval no projected
/// count of runs clears (its median on a bound, within this machine's noise) is for a
/// steadier machine to decide.
fn run_for(t: &TestResult) -> &'static str {
    let on_its_bound =
        t.runs_to_decide.is_none() && t.undecided.as_ref().is_some_and(|u| !u.one_sample);
    match t.verdict {
        Verdict::Undecided if on_its_bound => "to decide, on a steadier machine",
        Verdict::Undecided => "to decide",
        _ => "to measure",
    }
}

/// One line per verdict kind: "12 hold, 4 with a caveat, 3 do not hold, 1 undecided, 2 not
/// measured".
pub fn tally_line(claims: &[ClaimResult]) -> String {
    let n = |v: Verdict| claims.iter().filter(|c| c.verdict == v).count();
    format!(
        "{} claims: {} hold, {} hold with a caveat, {} do not hold on this machine, {} undecided \
         on this machine, {} not measured",
        claims.len(),
        n(Verdict::Holds),
        n(Verdict::Caveat),
        n(Verdict::DoesNotHold),
        n(Verdict::Undecided),
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
            "{indent}  {}: {}{}\n",
            run_for(t),
            m.command(),
            needs(m)
        ));
    }
}

/// `concbench claims` for a terminal: per section, each claim's verdict, its words, and every
/// test with its value, rule, reason and runs; `warning` (the source's steadiness warning)
/// under the title.
pub fn terminal(claims: &[ClaimResult], source: &str, warning: Option<&str>) -> String {
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
pub fn markdown(
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
                    let what = if t.verdict == Verdict::Undecided {
                        "To decide"
                    } else {
                        "To measure"
                    };
                    out.push_str(&format!("    {what}: `{}`{}\n", m.command(), needs(m)));
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

/// The claims on the HTML page: the tally, a scoreboard with each decided claim's verdict
/// and each test's figure on its verdict strip, then, folded away, every test's rule, reason
/// and runs, and the runs that would measure the claims the file cannot decide. `warning`
/// (the source's steadiness warning) stands above them.
pub fn html(claims: &[ClaimResult], warning: Option<&str>) -> String {
    if claims.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<section id=\"claims\"><h2>The article's claims, checked</h2>\n<p>{}. Each rule is \
         data in <code>suite/claims.toml</code>; the runs are this file's.</p>\n",
        escape(&tally_line(claims))
    );
    if let Some(w) = warning {
        let _ = writeln!(out, "<p class=\"warn\">{}</p>", escape(w));
    }
    let decided: Vec<&ClaimResult> = claims
        .iter()
        .filter(|c| c.verdict != Verdict::NotMeasured)
        .collect();
    if !decided.is_empty() {
        out.push_str(&scoreboard(&decided));
        out.push_str(
            "<details class=\"claims\"><summary>Each claim's rules, reasons and runs</summary>\n",
        );
        for c in &decided {
            out.push_str(&html_claim(c));
        }
        out.push_str("</details>\n");
    }
    out.push_str(&html_unmeasured(claims));
    out.push_str("</section>\n");
    out
}

/// One row per decided claim: its verdict, its words, and each test's figure with the
/// strip that places it against its rule.
fn scoreboard(decided: &[&ClaimResult]) -> String {
    let mut out = String::from(
        "<div class=\"scroll\"><table class=\"scoreboard\"><thead><tr><th scope=\"col\">verdict</th>\
         <th scope=\"col\">claim</th><th scope=\"col\">measured, against its rule</th></tr></thead><tbody>\n",
    );
    for c in decided {
        let class = verdict::verdict_class(c.verdict);
        let _ = write!(
            out,
            "<tr class=\"{class}\" id=\"claim-{}\"><td><span class=\"verdict\">{}</span></td>\
             <td><q>{}</q> <code>{}</code></td><td>",
            slug(&c.id),
            tag(c.verdict),
            escape(&c.claim),
            escape(&c.id)
        );
        for t in &c.tests {
            let _ = write!(
                out,
                "<div class=\"test\">{}{}: <b>{}</b>{}</div>",
                escape(&t.what),
                if t.counts { "" } else { " (context)" },
                escape(&t.shown),
                verdict::strip(t).unwrap_or_default()
            );
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
    out
}

/// A decided claim in full: per test its figure, verdict, rule and reason, and its runs.
fn html_claim(c: &ClaimResult) -> String {
    let mut out = format!(
        "<div class=\"claim {}\"><p><span class=\"verdict\">{}</span> <q>{}</q> <code>{}</code></p><ul>",
        verdict::verdict_class(c.verdict),
        tag(c.verdict),
        escape(&c.claim),
        escape(&c.id)
    );
    for t in &c.tests {
        let _ = write!(
            out,
            "<li>{}{}: <b>{}</b> — {}.<br><span class=\"sub\">Rule: {}</span><br>\
             <span class=\"sub\">Why: {}</span>",
            escape(&t.what),
            if t.counts { "" } else { " (context)" },
            escape(&t.shown),
            escape(t.verdict.label()),
            escape(&t.rule),
            escape(&t.reason)
        );
        out.push_str(&html_evidence(t));
        out.push_str("</li>");
    }
    out.push_str("</ul></div>\n");
    out
}

/// A test's runs, the safety check it read and the run that would measure it, folded.
fn html_evidence(t: &TestResult) -> String {
    if t.evidence.is_empty() && t.safety.is_none() && t.measure.is_none() {
        return String::new();
    }
    let mut out = String::from("<details><summary>evidence</summary><ul class=\"evidence\">");
    for e in &t.evidence {
        let _ = write!(out, "<li><code>{}</code></li>", escape(&evidence_line(e)));
    }
    if let Some(s) = &t.safety {
        let _ = write!(
            out,
            "<li>checked by <code>{}</code><pre>{}</pre></li>",
            escape(&s.command),
            escape(&s.excerpt)
        );
    }
    if let Some(m) = &t.measure {
        let _ = write!(
            out,
            "<li>{}: <code>{}</code>{}</li>",
            run_for(t),
            escape(&m.command()),
            escape(&needs(m))
        );
    }
    out.push_str("</ul></details>");
    out
}

/// The claims the file cannot decide, each with the run that would, folded.
fn html_unmeasured(claims: &[ClaimResult]) -> String {
    let unmeasured = unmeasured_lines(claims);
    if unmeasured.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<details class=\"claims\"><summary>Not measured in this file ({} claim{}), and the run \
         that would measure each</summary><ul class=\"evidence\">",
        unmeasured.len(),
        if unmeasured.len() == 1 { "" } else { "s" }
    );
    for (id, runs) in unmeasured {
        let runs: Vec<String> = runs
            .iter()
            .map(|(cmd, needs)| format!("<code>{}</code>{}", escape(cmd), escape(needs)))
            .collect();
        let _ = write!(
            out,
            "<li><code>{}</code>: {}</li>",
            escape(&id),
            runs.join("; ")
        );
    }
    out.push_str("</ul></details>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_undecided_test_no_projection_reaches_is_for_a_steadier_machine() {
        use crate::analysis::claims::{check, ClaimsTable, Undecided};
        use crate::catalogue::Catalogue;
        // go-gosched at 180–220 ns per switch straddles the bound 200 ns.
        let totals: Vec<u64> = [180, 195, 205, 210, 220]
            .iter()
            .map(|n| n * 200_000)
            .collect();
        let file = crate::fixtures::file(vec![crate::fixtures::run_on(
            "ping-pong",
            "go-gosched",
            &[("rounds", 100_000)],
            1,
            true,
            &totals,
            &[],
        )]);
        let catalogue = Catalogue::embedded();
        let analysis = crate::analysis::view::analyse(catalogue, &file);
        let claims = check(catalogue, ClaimsTable::embedded(), &file, &analysis);
        let claim = claims.iter().find(|c| c.id == "goroutine-switch-100ns");
        let mut t = claim.unwrap().tests[0].clone();
        assert_eq!(t.verdict, Verdict::Undecided, "{}", t.reason);
        t.runs_to_decide = Some(40);
        assert_eq!(run_for(&t), "to decide");
        t.runs_to_decide = None;
        assert_eq!(run_for(&t), "to decide, on a steadier machine");
        // One sample projects nothing either, but more runs are what it lacks.
        t.undecided = Some(Undecided {
            one_sample: true,
            ..t.undecided.clone().unwrap()
        });
        assert_eq!(run_for(&t), "to decide");
        t.verdict = Verdict::NotMeasured;
        assert_eq!(run_for(&t), "to measure");
    }

    #[test]
    fn the_steadiness_warning_stands_under_the_title() {
        let w = "warning: the machine itself was unsteady";
        let text = terminal(&[], "f.json", Some(w));
        assert_eq!(text.lines().nth(1), Some(w), "{text}");
        assert!(markdown(&[], "f.json", false, Some(w)).contains(&format!("\n> {w}\n")));
    }
}
