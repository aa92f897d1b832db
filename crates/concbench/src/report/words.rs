//! The phrasings more than one section uses: a run as a reader reruns it, and a ratio with
//! its confidence interval. Sections take them from here rather than from each other.

use crate::analysis::view::{level_words, Estimate, Evidence};
use crate::format::{format_ns, format_ratio};

/// A run as a reader reruns it: `run 12: spawn-idle go-goroutines units=100000, 2 CPUs:
/// median 41.2 ms (40.9 ms–41.5 ms) 75%, 3 samples`; one sample shows no interval.
pub fn evidence_line(e: &Evidence) -> String {
    let params: Vec<String> = e.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let interval = if e.level > 0.0 {
        format!(
            " ({}–{}){}",
            format_ns(e.ci95_ns.0),
            format_ns(e.ci95_ns.1),
            level_note(e.level)
        )
    } else {
        String::new()
    };
    format!(
        "run {}: {} {} {}, {} CPU{}{}: median {}{interval}, {} sample{}",
        e.run,
        e.workload,
        e.model,
        params.join(" "),
        e.cpus,
        if e.cpus == 1 { "" } else { "s" },
        if e.pinned { " pinned" } else { "" },
        format_ns(e.median_ns),
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
    fn a_ratio_says_its_unit_once() {
        assert_eq!(ratio_with_ci(1.864, 1.6, 1.98), "1.86× (1.60–1.98×)");
    }
}
