//! A test's figure read from runs, the way the analysis view defines it: per-sample series,
//! a run's figure with its interval, and the ratio of two runs paired by round.

use super::scenario::ideal_speedup;
use super::Metric;
use crate::analysis::view::{self, Analysis, Estimate};
use crate::results::{ResultsFile, RunResult, Status};
use crate::stats::{self, Interval, CONFIDENCE};

/// A value read from runs: its point estimate, its interval, and the runs it came from.
pub(super) struct Reading {
    pub(super) value: f64,
    /// Its interval with the level it reaches; `None` for a point figure with no interval.
    pub(super) interval: Option<Interval>,
    pub(super) runs: Vec<usize>,
    /// The per-sample values a ratio's interval is read from, when the figure has them.
    pub(super) samples: Vec<f64>,
}

/// An estimate of the view as an interval.
fn interval_of(e: &Estimate, scale: f64) -> Interval {
    Interval {
        lo: e.ci95_low / scale,
        hi: e.ci95_high / scale,
        level: e.level,
    }
}

/// The interval of (median(run) − median(base)) × `scale` for one metric of two runs: each
/// median's order-statistic interval at (1 + level) / 2, and the differences of their ends,
/// at least at the sum of their levels less 1. It holds the difference of the medians.
fn difference_interval(
    run: &RunResult,
    base: &RunResult,
    name: &str,
    scale: f64,
) -> Option<Interval> {
    let each = (1.0 + CONFIDENCE) / 2.0;
    let a = stats::median_interval(&view::metric(run, name), each)?;
    let b = stats::median_interval(&view::metric(base, name), each)?;
    Some(Interval {
        lo: (a.lo - b.hi) * scale,
        hi: (a.hi - b.lo) * scale,
        level: (a.level + b.level - 1.0).max(0.0),
    })
}

/// True for a run a figure can be read from: valid, counted, not a baseline.
pub(super) fn usable(r: &RunResult) -> bool {
    r.status == Status::Valid && !r.samples.is_empty() && !r.baseline
}

/// The per-sample values of a metric for one run.
pub(super) fn series(metric: Metric, run: &RunResult) -> Vec<f64> {
    let m = |name: &str| view::metric(run, name);
    match metric {
        Metric::Time => view::per_work(run),
        Metric::Rps => m("rps"),
        Metric::Overlap => {
            // The ideal: every connection answered once per upstream wait.
            let p = |name: &str| run.params.get(name).copied().unwrap_or(0) as f64;
            let ideal = p("connections") * 1e6 / p("delay_us");
            if !ideal.is_finite() || ideal <= 0.0 {
                return Vec::new();
            }
            m("rps").into_iter().map(|r| r / ideal).collect()
        }
        Metric::P99Us => m("p99_us"),
        Metric::P999Us => m("p999_us"),
        Metric::MaxUs => m("max_us"),
        Metric::TailRatio => m("p999_us")
            .into_iter()
            .zip(m("p50_us"))
            .filter(|&(_, p50)| p50 > 0.0)
            .map(|(p999, p50)| p999 / p50)
            .collect(),
        Metric::MemPerConn => m("conn_bytes"),
        _ => Vec::new(),
    }
}

/// The metric's value for one run, from its samples or from the view's run figures.
pub(super) fn read(
    metric: Metric,
    of_ideal: bool,
    i: usize,
    file: &ResultsFile,
    a: &Analysis,
) -> Option<Reading> {
    let run = &file.runs[i];
    let fig = &a.runs[i];
    let one = |value: f64, interval: Option<Interval>, runs: Vec<usize>| Reading {
        value,
        interval,
        runs,
        samples: Vec::new(),
    };
    let units = run.params.get("units").copied().unwrap_or(0).max(1) as f64;
    match metric {
        Metric::MemPerUnit => {
            let base = fig.per_unit_base?;
            let ci = difference_interval(run, &file.runs[base], "rss_kb", 1024.0 / units);
            Some(one(fig.mem_per_unit_bytes?, ci, vec![i, base]))
        }
        Metric::SpawnPerUnit => {
            let ci = stats::median_interval(&view::metric(run, "spawn_ns"), CONFIDENCE);
            let ci = ci.map(|c| Interval {
                lo: c.lo / units,
                hi: c.hi / units,
                level: c.level,
            });
            Some(one(fig.spawn_per_unit_ns?, ci, vec![i, fig.per_unit_base?]))
        }
        Metric::Speedup => {
            let s: Estimate = fig.speedup?;
            let k = if of_ideal { ideal_speedup(run) } else { 1.0 };
            Some(one(
                s.value / k,
                Some(interval_of(&s, k)),
                vec![i, fig.speedup_base?],
            ))
        }
        // A coefficient of variation is a point figure: no interval, so it decides nothing
        // by itself.
        Metric::Cv => Some(one(
            stats::cv(&series(Metric::Time, run)) * 100.0,
            None,
            vec![i],
        )),
        Metric::MaxValid | Metric::Safety => None,
        _ => {
            let xs = series(metric, run);
            let value = stats::median(&xs)?;
            Some(Reading {
                value,
                interval: stats::median_interval(&xs, CONFIDENCE),
                runs: vec![i],
                samples: xs,
            })
        }
    }
}

/// True when [`read`] would find the metric for run `i`, without computing its CI.
pub(super) fn has_figure(metric: Metric, i: usize, file: &ResultsFile, a: &Analysis) -> bool {
    let fig = &a.runs[i];
    match metric {
        Metric::MemPerUnit => fig.mem_per_unit_bytes.is_some() && fig.per_unit_base.is_some(),
        Metric::SpawnPerUnit => fig.spawn_per_unit_ns.is_some() && fig.per_unit_base.is_some(),
        Metric::Speedup => fig.speedup.is_some() && fig.speedup_base.is_some(),
        Metric::Cv => !file.runs[i].samples.is_empty(),
        Metric::MaxValid | Metric::Safety => false,
        _ => !series(metric, &file.runs[i]).is_empty(),
    }
}

/// `mine` over `theirs` (read from those two runs), with the interval of the ratio where both
/// have samples: paired by round where the runs pair.
pub(super) fn ratio(
    mine: Reading,
    theirs: Reading,
    (mine_run, their_run): (&RunResult, &RunResult),
) -> Reading {
    let estimate = if mine.samples.is_empty() || theirs.samples.is_empty() {
        None
    } else {
        view::ratio_of_runs((their_run, &theirs.samples), (mine_run, &mine.samples))
    };
    Reading {
        value: estimate.map_or(mine.value / theirs.value, |e| e.value),
        interval: estimate.map(|e| interval_of(&e, 1.0)),
        runs: mine.runs.iter().chain(&theirs.runs).copied().collect(),
        samples: Vec::new(),
    }
}
