//! Speedup against one CPU, per model, where runs were pinned to several CPU counts, with
//! the ideal (speedup = CPUs) dashed.

use anyhow::Result;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::{collect_lines, draw_svg, err, est, lines, sizes, trim, Axes, Chart, WIDTH};
use crate::analysis::view::WorkloadView;
use crate::report::analysed::Report;

/// Speedup against one CPU, per model, where runs were pinned to several CPU counts.
pub fn chart(report: &Report, w: &WorkloadView) -> Result<Option<Chart>> {
    let file = report.file;
    let mut points = Vec::new();
    for &i in &w.runs {
        let r = &file.runs[i];
        if let Some(sc) = report.analysis.runs[i].scaling {
            let key = (r.model.clone(), sizes(&r.params, &["workers"]));
            points.push((
                key,
                r.lang.name().to_string(),
                est(r.cpus as f64, sc.speedup),
            ));
        }
    }
    let mut cpus: Vec<usize> = w
        .runs
        .iter()
        .filter(|&&i| report.analysis.runs[i].scaling.is_some())
        .map(|&i| file.runs[i].cpus)
        .collect();
    cpus.sort_unstable();
    cpus.dedup();
    if cpus.len() < 2 {
        return Ok(None);
    }
    let data = collect_lines(points);
    let max_cpus = *cpus.last().expect("two") as f64;
    let top = data
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.3.max(p.1)))
        .fold(max_cpus, f64::max)
        * 1.15;
    let x_fmt = |v: &f64| {
        if (v - v.round()).abs() < 1e-9 && *v >= 1.0 {
            format!("{v:.0}")
        } else {
            String::new()
        }
    };
    let y_fmt = |v: &f64| format!("{}×", trim(*v));
    let axes = Axes {
        x_desc: "CPUs the run was pinned to",
        y_desc: "speedup vs the same model on 1 CPU (×)",
        x_fmt: &x_fmt,
        y_fmt: &y_fmt,
        legend: SeriesLabelPosition::UpperLeft,
        y_labels: 8,
    };
    let svg = draw_svg(WIDTH, 430, |root| {
        lines(
            root,
            RangedCoordf64::from(0.6..max_cpus + 0.4),
            RangedCoordf64::from(0.0..top),
            &data,
            &axes,
            &|chart| {
                chart
                    .draw_series(DashedLineSeries::new(
                        vec![(1.0, 1.0), (max_cpus, max_cpus)],
                        6,
                        4,
                        RGBColor(0x88, 0x88, 0x88).stroke_width(1),
                    ))
                    .map_err(err)?
                    .label("ideal: speedup = CPUs")
                    .legend(|(x, y)| {
                        PathElement::new(
                            vec![(x, y), (x + 20, y)],
                            RGBColor(0x88, 0x88, 0x88).stroke_width(1),
                        )
                    });
                Ok(())
            },
        )
    })?;
    Ok(Some(Chart {
        kind: "scaling",
        series: data.len(),
        title: format!("{} · speedup against CPUs", w.workload),
        svg,
        note: "Each point: the model's median time on 1 CPU over its median on N CPUs, with \
               the ratio's interval; the dashed line is perfect scaling."
            .into(),
    }))
}
