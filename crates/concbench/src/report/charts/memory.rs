//! spawn-idle: memory per unit against units, log–log, with the runs a cap refused marked.

use std::fmt::Write as _;

use anyhow::Result;
use plotters::coord::combinators::LogCoord;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{collect_lines, draw_svg, err, lang_colour, lines, log_range, short_count};
use super::{Axes, Chart, Keyed, FONT, WIDTH};
use crate::analysis::view::WorkloadView;
use crate::format::format_bytes;
use crate::report::analysed::Report;
use crate::results::Status;

/// The points of the chart (per unit against units, one line per model and placement),
/// and the runs not drawn, as text, because a log axis has no room for zero or less.
fn points(report: &Report, w: &WorkloadView) -> (Vec<Keyed>, Vec<String>) {
    let mut points = Vec::new();
    let mut not_drawn = Vec::new();
    for &i in &w.runs {
        let r = &report.file.runs[i];
        let Some(bytes) = report.analysis.runs[i].mem_per_unit_bytes else {
            continue;
        };
        let units = r.params.get("units").copied().unwrap_or(0) as f64;
        if bytes <= 0.0 || units <= 0.0 {
            not_drawn.push(format!(
                "{} units={} ({})",
                r.model,
                units,
                format_bytes(bytes)
            ));
            continue;
        }
        let place = if r.pinned {
            format!("cpus={}", r.cpus)
        } else {
            String::new()
        };
        points.push((
            (r.model.clone(), place),
            r.lang.name().to_string(),
            (units, bytes, bytes, bytes),
        ));
    }
    (points, not_drawn)
}

/// The runs a cap refused: (model, language, units).
fn refused(report: &Report, w: &WorkloadView) -> Vec<(String, String, f64)> {
    w.doubtful
        .iter()
        .filter(|d| d.status == Status::Refused)
        .map(|d| {
            let lang = report.file.runs[d.evidence.run].lang.name().to_string();
            let units = d.evidence.params.get("units").copied().unwrap_or(0) as f64;
            (d.model.clone(), lang, units)
        })
        .collect()
}

/// spawn-idle: memory per unit against units, log–log, with the runs a cap refused.
pub fn chart(report: &Report, w: &WorkloadView) -> Result<Option<Chart>> {
    let (points, not_drawn) = points(report, w);
    let refused = refused(report, w);
    if points.is_empty() && refused.is_empty() {
        return Ok(None);
    }
    let data = collect_lines(points);
    let xs = data
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.0))
        .chain(refused.iter().map(|r| r.2))
        .filter(|v| *v > 0.0);
    let (x_lo, x_hi) = xs.fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let ys = data.iter().flat_map(|l| l.points.iter().map(|p| p.1));
    let (y_lo, y_hi) = ys.fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let (x_lo, x_hi) = log_range(x_lo, x_hi);
    let (y_lo, y_hi) = if y_hi > 0.0 {
        (y_lo / 2.0, y_hi * 4.0)
    } else {
        (256.0, 1024.0 * 1024.0)
    };
    let x_fmt = |v: &f64| short_count(*v);
    let y_fmt = |v: &f64| format_bytes(*v);
    let axes = Axes {
        x_desc: "units alive at once (log scale)",
        y_desc: "memory per unit (log scale)",
        x_fmt: &x_fmt,
        y_fmt: &y_fmt,
        legend: SeriesLabelPosition::LowerLeft,
        y_labels: 12,
    };
    let refused_y = y_hi / 2.0;
    let svg = draw_svg(WIDTH, 440, |root| {
        lines(
            root,
            LogCoord::from((x_lo..x_hi).log_scale()),
            LogCoord::from((y_lo..y_hi).log_scale().base(2.0)),
            &data,
            &axes,
            &|chart| {
                if refused.is_empty() {
                    return Ok(());
                }
                let grey = RGBColor(0x44, 0x44, 0x44);
                chart
                    .draw_series(refused.iter().map(|(_, lang, units)| {
                        Cross::new((*units, refused_y), 7, lang_colour(lang).stroke_width(3))
                    }))
                    .map_err(err)?
                    .label("refused by a cap (not run)")
                    .legend(move |(x, y)| Cross::new((x + 10, y), 5, grey.stroke_width(3)));
                let text =
                    TextStyle::from((FONT, 15).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
                chart
                    .draw_series(refused.iter().map(|(model, _, units)| {
                        Text::new(
                            format!("{model}: refused"),
                            (*units, refused_y / 1.35),
                            text.clone(),
                        )
                    }))
                    .map_err(err)?;
                Ok(())
            },
        )
    })?;
    let mut note = "Memory per unit = (rss(units) − rss(0)) / units, from /proc with every unit \
                    alive, against the model's baseline run at units = 0."
        .to_string();
    if !refused.is_empty() {
        let list: Vec<String> = refused
            .iter()
            .map(|(m, _, u)| format!("{m} at units={u}"))
            .collect();
        let _ = write!(
            note,
            " Refused before starting by a cap from the machine's limits (×): {}.",
            list.join(", ")
        );
    }
    if !not_drawn.is_empty() {
        let _ = write!(
            note,
            " Not drawn (zero or negative on a log axis): {}.",
            not_drawn.join(", ")
        );
    }
    Ok(Some(Chart {
        kind: "memory",
        series: data.len(),
        title: format!("{} · memory per unit against units", w.workload),
        svg,
        note,
    }))
}
