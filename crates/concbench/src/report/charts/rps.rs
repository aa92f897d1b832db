//! io-server: requests per second against connections, one chart per scenario (CPUs,
//! placement and the other parameters) that was run at several connection counts.

use anyhow::Result;
use plotters::coord::combinators::LogCoord;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::WIDTH;
use super::{collect_lines, draw_svg, est, lines, log_range, short_count, sizes, Axes, Chart};
use crate::analysis::findings::group_label;
use crate::analysis::view::{Group, WorkloadView};
use crate::report::analysed::Report;

/// io-server: requests per second against connections, one chart per scenario (CPUs,
/// placement and the other parameters) that was run at several connection counts.
pub fn charts(report: &Report, w: &WorkloadView) -> Result<Vec<Chart>> {
    let mut scenarios: Vec<(String, Vec<&Group>)> = Vec::new();
    for g in &w.groups {
        let key = format!(
            "{} {} {}",
            g.cpus,
            g.pinned,
            sizes(&g.params, &["connections", "requests"])
        );
        match scenarios.iter_mut().find(|(k, _)| *k == key) {
            Some((_, gs)) => gs.push(g),
            None => scenarios.push((key, vec![g])),
        }
    }
    let mut out = Vec::new();
    for (_, groups) in scenarios {
        let mut conns: Vec<u64> = groups
            .iter()
            .filter_map(|g| g.params.get("connections").copied())
            .collect();
        conns.sort_unstable();
        conns.dedup();
        if conns.len() < 2 {
            continue;
        }
        let mut points = Vec::new();
        for g in &groups {
            let Some(c) = g.params.get("connections") else {
                continue;
            };
            for r in &g.ranking {
                if let Some(s) = report.analysis.runs[r.evidence.run].server {
                    points.push((
                        (r.model.clone(), String::new()),
                        r.lang.name().to_string(),
                        est(*c as f64, s.rps),
                    ));
                }
            }
        }
        let data = collect_lines(points);
        if data.is_empty() {
            continue;
        }
        let top = data
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.3.max(p.1)))
            .fold(0.0, f64::max)
            * 1.2;
        let (x_lo, x_hi) = log_range(conns[0] as f64, *conns.last().expect("two") as f64);
        let x_fmt = |v: &f64| short_count(*v);
        let y_fmt = |v: &f64| short_count(*v);
        let axes = Axes {
            x_desc: "keep-alive connections (log scale)",
            y_desc: "requests per second (req/s)",
            x_fmt: &x_fmt,
            y_fmt: &y_fmt,
            legend: SeriesLabelPosition::LowerRight,
            y_labels: 8,
        };
        let svg = draw_svg(WIDTH, 430, |root| {
            lines(
                root,
                LogCoord::from((x_lo..x_hi).log_scale()),
                RangedCoordf64::from(0.0..top.max(1.0)),
                &data,
                &axes,
                &|_| Ok(()),
            )
        })?;
        let label: Vec<String> = group_label(w, groups[0])
            .split(", ")
            .filter(|p| !p.starts_with("connections="))
            .map(String::from)
            .collect();
        out.push(Chart {
            kind: "rps",
            series: data.len(),
            title: format!(
                "{} · {}: requests per second against connections",
                w.workload,
                label.join(", ")
            ),
            svg,
            note: "Median req/s of the load phase, whiskers its interval (95% from 6 runs, less with fewer).".into(),
        });
    }
    Ok(out)
}
