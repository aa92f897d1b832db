//! io-server: each model's latency percentiles in one comparison group.

use anyhow::Result;
use plotters::coord::combinators::LogCoord;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::{draw_svg, lines, Axes, Chart, Line, WIDTH};
use crate::analysis::findings::group_label;
use crate::analysis::view::{Group, WorkloadView};
use crate::format::format_ns_fine;
use crate::report::analysed::Report;

/// io-server: each model's latency percentiles in one comparison group.
pub fn chart(report: &Report, w: &WorkloadView, g: &Group) -> Result<Option<Chart>> {
    let mut data: Vec<Line> = Vec::new();
    for r in &g.ranking {
        if let Some(s) = report.analysis.runs[r.evidence.run].server {
            let qs = [s.p50_us, s.p99_us, s.p999_us, s.max_us];
            data.push(Line {
                label: r.model.clone(),
                lang: r.lang.name().to_string(),
                points: qs
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| **v > 0.0)
                    .map(|(k, v)| (k as f64, *v, *v, *v))
                    .collect(),
            });
        }
    }
    data.retain(|l| !l.points.is_empty());
    if data.is_empty() {
        return Ok(None);
    }
    let (lo, hi) = data
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let log = hi / lo > 30.0;
    let names = ["p50", "p99", "p99.9", "max"];
    let x_fmt = |v: &f64| {
        let k = v.round();
        if (v - k).abs() < 1e-9 && (0.0..4.0).contains(&k) {
            names[k as usize].to_string()
        } else {
            String::new()
        }
    };
    let y_fmt = |v: &f64| format_ns_fine(v * 1000.0);
    let y_desc = if log {
        "latency (log scale)"
    } else {
        "latency"
    };
    let axes = Axes {
        x_desc: "latency percentile (from each request's intended send time)",
        y_desc,
        x_fmt: &x_fmt,
        y_fmt: &y_fmt,
        legend: SeriesLabelPosition::UpperLeft,
        y_labels: if log { 20 } else { 8 },
    };
    let x = || RangedCoordf64::from(-0.3..3.3);
    let svg = draw_svg(WIDTH, 420, |root| {
        if log {
            let y = LogCoord::from((lo / 1.6..hi * 1.6).log_scale());
            lines(root, x(), y, &data, &axes, &|_| Ok(()))
        } else {
            let y = RangedCoordf64::from(0.0..hi * 1.15);
            lines(root, x(), y, &data, &axes, &|_| Ok(()))
        }
    })?;
    Ok(Some(Chart {
        kind: "latency",
        series: data.len(),
        title: format!(
            "{} · {}: latency percentiles",
            w.workload,
            group_label(w, g)
        ),
        svg,
        note: "Medians over the counted runs of each percentile the load generator measured."
            .into(),
    }))
}
