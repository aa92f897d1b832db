//! A claim's test against its rule: a strip coloured by what each value would mean, the
//! measured value on it with its interval. Drawn by hand, small enough to sit in a table.

use std::fmt::Write as _;

use crate::analysis::claims::{show_bound, TestResult, Verdict};
use crate::report::markup::escape;

/// The CSS class of a verdict, for a claim's box and a strip's band.
pub fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Holds => "holds",
        Verdict::Caveat => "caveat",
        Verdict::DoesNotHold => "fails",
        Verdict::Undecided => "undecided",
        Verdict::NotMeasured => "unmeasured",
    }
}

/// Where a test's figure lies against its rule: the axis coloured by what each value would
/// mean (holds, holds with a caveat, does not hold), the measured value as a dot and its
/// interval as a bar. Log-scaled when every value is positive. `None` for a test without a
/// number (safety checks, unmeasured tests) or a rule without bounds.
pub fn strip(t: &TestResult) -> Option<String> {
    const W: f64 = 320.0;
    const PAD: f64 = 8.0;
    let x = t.measured?;
    let bounds: Vec<f64> = [t.holds.min, t.holds.max]
        .into_iter()
        .chain(t.caveat.map_or([None, None], |c| [c.min, c.max]))
        .flatten()
        .collect();
    if bounds.is_empty() || !x.is_finite() {
        return None;
    }
    let (lo_ci, hi_ci) = t.ci95.unwrap_or((x, x));
    let all: Vec<f64> = bounds.iter().copied().chain([x, lo_ci, hi_ci]).collect();
    let log = all.iter().all(|v| *v > 0.0);
    let (min, max) = all
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    // Room on both sides of the outermost values, so every band shows.
    let (lo, hi) = if log {
        ((min / 2.0).ln(), (max * 2.0).ln())
    } else {
        let span = (max - min).max(max.abs().max(1.0) * 0.1);
        (min - span * 0.3, max + span * 0.3)
    };
    let at = |v: f64| {
        let v = if log { v.max(1e-300).ln() } else { v };
        PAD + (v - lo) / (hi - lo) * (W - 2.0 * PAD)
    };
    let back = |px: f64| {
        let v = lo + (px - PAD) / (W - 2.0 * PAD) * (hi - lo);
        if log {
            v.exp()
        } else {
            v
        }
    };
    let mut edges: Vec<f64> = bounds.iter().map(|b| at(*b)).collect();
    edges.extend([PAD, W - PAD]);
    edges.sort_by(f64::total_cmp);
    edges.dedup_by(|a, b| (*a - *b).abs() < 0.01);
    let mut svg = format!(
        "<svg viewBox=\"0 0 {W} 30\" width=\"{W}\" height=\"30\" role=\"img\" \
         aria-label=\"{}: {} against its rule\">",
        escape(&t.what),
        escape(&t.shown)
    );
    for pair in edges.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let _ = write!(
            svg,
            "<rect class=\"band {}\" x=\"{a:.1}\" y=\"6\" width=\"{:.1}\" height=\"10\"/>",
            verdict_class(t.verdict_at(back((a + b) / 2.0))),
            b - a
        );
    }
    for b in &bounds {
        let _ = write!(
            svg,
            "<text class=\"tick\" x=\"{:.1}\" y=\"28\">{}</text>",
            at(*b),
            escape(&show_bound(*b, &t.unit))
        );
    }
    let _ = write!(
        svg,
        "<line class=\"ci\" x1=\"{:.1}\" x2=\"{:.1}\" y1=\"11\" y2=\"11\"/>\
         <circle class=\"measured\" cx=\"{:.1}\" cy=\"11\" r=\"4\"/></svg>",
        at(lo_ci),
        at(hi_ci),
        at(x)
    );
    Some(format!(
        "<span class=\"strip\" data-chart=\"verdict\" data-series=\"1\">{svg}</span>"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::claims::{Metric, Range};

    fn decided(measured: Option<f64>, holds: Range, caveat: Option<Range>) -> TestResult {
        TestResult {
            what: "a lock over an atomic".into(),
            workload: "shared-counter".into(),
            metric: Metric::Time,
            models: vec!["rust-mutex".into(), "rust-atomic".into()],
            measured,
            unit: "×".into(),
            ci95: measured.map(|x| (x * 0.75, x * 1.25)),
            level: measured.map(|_| 0.95),
            shown: "2×".into(),
            rule: "holds if at most 1.2×; with a caveat up to 3×".into(),
            holds,
            caveat,
            verdict: Verdict::Caveat,
            reason: String::new(),
            counts: true,
            evidence: Vec::new(),
            safety: None,
            undecided: None,
            measure: None,
            runs_to_decide: None,
            source: None,
        }
    }

    /// The x of every `attr="..."` in `svg`, as numbers.
    fn numbers(svg: &str, attr: &str) -> Vec<f64> {
        svg.split(&format!(" {attr}=\""))
            .skip(1)
            .map(|p| p.split('"').next().unwrap().parse().unwrap())
            .collect()
    }

    #[test]
    fn a_verdict_strip_puts_the_figure_in_the_band_of_its_verdict() {
        let at_most = |x| Range {
            min: None,
            max: Some(x),
        };
        let drawn = strip(&decided(Some(2.0), at_most(1.2), Some(at_most(3.0)))).unwrap();
        // Holds up to 1.2×, a caveat up to 3×, then does not hold: three bands, in order.
        let bands: Vec<&str> = drawn
            .split("class=\"band ")
            .skip(1)
            .map(|p| p.split('"').next().unwrap())
            .collect();
        assert_eq!(bands, ["holds", "caveat", "fails"]);
        let (xs, widths) = (numbers(&drawn, "x"), numbers(&drawn, "width"));
        let dot = numbers(&drawn, "cx")[0];
        // The dot at 2× lies in the caveat band; its CI bar runs from 1.5× to 2.5× around it.
        assert!(xs[1] < dot && dot < xs[1] + widths[1], "{drawn}");
        let (x1, x2) = (numbers(&drawn, "x1")[0], numbers(&drawn, "x2")[0]);
        assert!(x1 < dot && dot < x2 && x2 < xs[2], "{drawn}");
        // Bounds are labelled in the test's unit.
        assert!(drawn.contains(">1.2×</text>") && drawn.contains(">3×</text>"));
        // No number or no bound: no strip.
        assert!(strip(&decided(None, at_most(1.2), None)).is_none());
        assert!(strip(&decided(Some(2.0), Range::default(), None)).is_none());
    }
}
