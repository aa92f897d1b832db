//! The ranking of one comparison group: a bar per model with its CI as whiskers, best at
//! the top, each labelled with its figure and tier.

use anyhow::Result;
use plotters::coord::combinators::LogCoord;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{draw_svg, err, lang_colour, log_range, short_count, Chart, FONT, WIDTH};
use crate::analysis::findings::group_label;
use crate::analysis::view::{Group, WorkloadView};
use crate::format::format_ns_fine;

/// The ranking of one comparison group: a bar per model with its CI as whiskers, best at
/// the top, on a log axis when the models differ by more than 30×.
pub fn chart(w: &WorkloadView, g: &Group) -> Result<Chart> {
    let n = g.ranking.len();
    let lo = g
        .ranking
        .iter()
        .map(|r| r.value.ci95_low.min(r.value.value))
        .filter(|v| *v > 0.0)
        .fold(f64::INFINITY, f64::min);
    let hi = g
        .ranking
        .iter()
        .map(|r| r.value.ci95_high.max(r.value.value))
        .fold(0.0, f64::max);
    let log = lo.is_finite() && hi / lo > 30.0;
    let height = 120 + 38 * n as u32;
    let labels: Vec<String> = g.ranking.iter().map(|r| r.model.clone()).collect();
    let value_label = |v: f64| {
        if g.higher_is_better {
            format!("{v:.0} req/s")
        } else {
            format_ns_fine(v)
        }
    };
    let desc = format!(
        "{} (median; whiskers: its interval{})",
        if g.higher_is_better {
            "requests per second, req/s".to_string()
        } else {
            format!("time {}", g.metric.trim_start_matches("ns "))
        },
        if log { "; log scale" } else { "" }
    );
    let svg = draw_svg(WIDTH, height, |root| {
        if log {
            let (a, b) = log_range(lo, hi);
            bars(
                root,
                g,
                &labels,
                LogCoord::from((a..b * 30.0).log_scale()),
                a,
                &desc,
                &value_label,
            )
        } else {
            bars(
                root,
                g,
                &labels,
                RangedCoordf64::from(0.0..hi * 2.0),
                0.0,
                &desc,
                &value_label,
            )
        }
    })?;
    let mut note = String::new();
    if g.tiers.len() > 1 || g.ranking.len() > 1 {
        let tied: Vec<&str> = g.tiers[0].iter().map(String::as_str).collect();
        note = if g.too_few_samples {
            "A model with a single run is tied with every other: one run decides nothing.".into()
        } else if tied.len() > 1 {
            format!(
                "Tier 1 (tied for best: every pair's ratio interval holds 1): {}.",
                tied.join(", ")
            )
        } else {
            format!("Tier 1: {} alone.", tied[0])
        };
    }
    Ok(Chart {
        kind: "ranking",
        series: n,
        title: format!("{} · {}: {}", w.workload, group_label(w, g), g.metric),
        svg,
        note,
    })
}

#[allow(clippy::too_many_arguments)]
fn bars<X>(
    root: &DrawingArea<SVGBackend, Shift>,
    g: &Group,
    labels: &[String],
    x: X,
    x0: f64,
    desc: &str,
    value_label: &dyn Fn(f64) -> String,
) -> Result<()>
where
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let n = labels.len();
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(190)
        .build_cartesian_2d(x, (0..n).into_segmented())
        .map_err(err)?;
    // Best at the top: rank k is drawn at n - 1 - k.
    let y_of = |k: usize| n - 1 - k;
    let name_of = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(i) if *i < n => labels[n - 1 - i].clone(),
        _ => String::new(),
    };
    let fmt_x = |v: &f64| {
        if g.higher_is_better {
            short_count(*v)
        } else {
            format_ns_fine(*v)
        }
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(0xdd, 0xdd, 0xdd))
        .y_labels(n)
        .y_label_formatter(&name_of)
        .x_label_formatter(&fmt_x)
        .x_labels(6)
        .x_desc(desc)
        .y_desc("model")
        .label_style((FONT, 17))
        .axis_desc_style((FONT, 17))
        .draw()
        .map_err(err)?;
    let mut langs: Vec<&str> = g.ranking.iter().map(|r| r.lang.name()).collect();
    langs.sort_unstable();
    langs.dedup();
    for lang in langs {
        let colour = lang_colour(lang);
        chart
            .draw_series(
                g.ranking
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.lang.name() == lang)
                    .map(|(k, r)| {
                        let mut bar = Rectangle::new(
                            [
                                (x0, SegmentValue::Exact(y_of(k))),
                                (r.value.value, SegmentValue::Exact(y_of(k) + 1)),
                            ],
                            colour.filled(),
                        );
                        bar.set_margin(6, 6, 0, 0);
                        bar
                    }),
            )
            .map_err(err)?
            .label(lang)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], colour.filled()));
    }
    chart
        .draw_series(g.ranking.iter().enumerate().map(|(k, r)| {
            ErrorBar::new_horizontal(
                SegmentValue::CenterOf(y_of(k)),
                r.value.ci95_low,
                r.value.value,
                r.value.ci95_high,
                BLACK.stroke_width(1),
                10,
            )
        }))
        .map_err(err)?;
    let text = TextStyle::from((FONT, 16).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    chart
        .draw_series(g.ranking.iter().enumerate().map(|(k, r)| {
            let at = r.value.ci95_high.max(r.value.value);
            EmptyElement::at((at, SegmentValue::CenterOf(y_of(k))))
                + Text::new(
                    format!("{} · tier {}", value_label(r.value.value), r.tier + 1),
                    (10, 0),
                    text.clone(),
                )
        }))
        .map_err(err)?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(0xbb, 0xbb, 0xbb))
        .label_font((FONT, 16))
        .draw()
        .map_err(err)?;
    Ok(())
}
