//! The phrasings more than one section uses: a run as a reader reruns it, and a ratio with
//! its confidence interval. Sections take them from here rather than from each other.

use crate::analysis::view::{level_words, Estimate, Evidence};
use crate::format::{format_count, format_ns, format_ratio};

/// A run as a reader reruns it: `run 12: spawn-idle go-goroutines units=100000, 2 CPUs:
/// median 41.2 ms (40.9 ms–41.5 ms) 75%, 3 samples`; one sample shows no interval. A
/// server's run shows its requests per second: `median 34,758 req/s (31,210 req/s–…)`.
pub fn evidence_line(e: &Evidence) -> String {
    let params: Vec<String> = e.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let shown = |median: String, lo: String, hi: String, level: f64| {
        if level > 0.0 {
            format!("{median} ({lo}–{hi}){}", level_note(level))
        } else {
            median
        }
    };
    // A server's elapsed time is its load's fixed duration: its figure is requests/s.
    let median = match &e.rps {
        Some(r) => {
            let rps = |x: f64| format!("{} req/s", format_count(x.round() as u64));
            shown(rps(r.value), rps(r.ci95_low), rps(r.ci95_high), r.level)
        }
        None => shown(
            format_ns(e.median_ns),
            format_ns(e.ci95_ns.0),
            format_ns(e.ci95_ns.1),
            e.level,
        ),
    };
    format!(
        "run {}: {} {} {}, {} CPU{}{}: median {median}, {} sample{}",
        e.run,
        e.workload,
        e.model,
        params.join(" "),
        e.cpus,
        if e.cpus == 1 { "" } else { "s" },
        if e.pinned { " pinned" } else { "" },
        e.samples,
        if e.samples == 1 { "" } else { "s" }
    )
}

/// " 75%" after an interval whose level falls short of 95%, nothing at 95% or more.
pub fn level_note(level: f64) -> String {
    if level >= crate::stats::CONFIDENCE - 1e-12 {
        String::new()
    } else {
        format!(" {}", level_words(level))
    }
}

/// "1.86× (1.60–1.98×)", "1.12× (1.02–1.19×) 75%", or for one sample "1.09×": a ratio
/// with its interval and, below 95%, the level it reaches.
pub fn estimate_with_ci(e: &Estimate) -> String {
    if !e.decides() {
        return format_ratio(e.value);
    }
    ratio_with_ci(e.value, e.ci95_low, e.ci95_high) + &level_note(e.level)
}

/// "1.86× (1.60–1.98×)": a ratio with its interval, the unit said once.
pub fn ratio_with_ci(value: f64, low: f64, high: f64) -> String {
    format!(
        "{} ({}–{})",
        format_ratio(value),
        format_ratio(low).trim_end_matches('×'),
        format_ratio(high)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_run_shows_its_requests_per_second_not_its_fixed_duration() {
        let file = crate::fixtures::file(vec![
            crate::fixtures::server("rust-tokio", 0, 100, 34_758, 900, 4_000, 3_000, 10_000),
            crate::fixtures::cpu_parallel("rust-rayon", 1_000_000, &[10_000, 10_100, 9_900]),
        ]);
        let server = evidence_line(&crate::analysis::view::evidence(&file, 0));
        assert!(server.contains("median 34,758 req/s"), "{server}");
        assert!(!server.contains("100.000 ms"), "{server}");
        let cpu = evidence_line(&crate::analysis::view::evidence(&file, 1));
        assert!(cpu.contains("median 10.000 µs"), "{cpu}");
    }

    #[test]
    fn a_ratio_says_its_unit_once() {
        assert_eq!(ratio_with_ci(1.864, 1.6, 1.98), "1.86× (1.60–1.98×)");
    }
}
