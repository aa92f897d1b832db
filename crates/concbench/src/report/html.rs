//! `--format html`: one self-contained page (inline CSS and SVG, nothing fetched, no script)
//! with the findings first, a chart per comparison group and per sweep, every workload's
//! table, and the machine the numbers come from.
//!
//! Charts are drawn with plotters' SVG backend. Every figure is read from the report: the
//! view's rankings, estimates and per-run figures, the findings' sentences, and the results
//! file's own fields. Each chart is a `<figure data-chart="KIND" data-series="N">`, N being
//! its data series (reference lines such as the ideal speedup not counted), so tests and
//! scripts can find them.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use anyhow::{anyhow, Result};
use plotters::chart::SeriesAnno;
use plotters::coord::combinators::LogCoord;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::markup::{self, escape, lang_rgb, slug, Table};
use super::tables::{ranking_table, runs_table};
use super::{Exporter, Report};
use crate::analysis::findings::group_label;
use crate::analysis::view::{Estimate, Group, WorkloadView};
use crate::format::{format_bytes, format_kb, format_ns_fine};
use crate::machine::steadiness::Steadiness;
use crate::results::Status;

/// The HTML exporter.
pub struct Html;

/// What the page may load: nothing but its own inline styles (and data: images).
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE: &str = include_str!("templates/report.css");

/// Chart width in SVG pixels (the page scales it down on narrow screens).
const WIDTH: u32 = 860;
const FONT: &str = "sans-serif";

/// The colour of a language, the same in every chart and table.
pub fn lang_colour(lang: &str) -> RGBColor {
    let (r, g, b) = lang_rgb(lang);
    RGBColor(r, g, b)
}

/// One drawn chart.
struct Chart {
    kind: &'static str,
    series: usize,
    title: String,
    svg: String,
    note: String,
}

fn figure(c: &Chart) -> String {
    let note = if c.note.is_empty() {
        String::new()
    } else {
        format!("<p class=\"note\">{}</p>", escape(&c.note))
    };
    format!(
        "<figure data-chart=\"{}\" data-series=\"{}\"><figcaption>{}</figcaption>\n{}{note}</figure>\n",
        c.kind,
        c.series,
        escape(&c.title),
        c.svg
    )
}

/// Draws into an SVG of `width` × `height` and returns its text.
fn draw_svg(
    width: u32,
    height: u32,
    f: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<()>,
) -> Result<String> {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("chart: {e}"))?;
        f(&root)?;
        root.present().map_err(|e| anyhow!("chart: {e}"))?;
    }
    // The SVG's width and height stay as the intrinsic size; CSS scales it down.
    Ok(buf.replacen("<svg ", "<svg role=\"img\" ", 1))
}

fn err<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow!("chart: {e}")
}

/// Short numbers for axes: 10, 1k, 100k, 1M.
fn short_count(v: f64) -> String {
    if v >= 1e6 {
        format!("{}M", trim(v / 1e6))
    } else if v >= 1e3 {
        format!("{}k", trim(v / 1e3))
    } else {
        trim(v)
    }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The range of a log axis around `lo..hi`, with room for labels.
fn log_range(lo: f64, hi: f64) -> (f64, f64) {
    let (lo, hi) = if lo > 0.0 && hi > 0.0 {
        (lo, hi)
    } else {
        (1.0, 10.0)
    };
    (lo / 1.6, hi * 1.6)
}

/// A marker of one of four shapes, so the models of one language can be told apart.
fn draw_markers<X, Y>(
    chart: &mut ChartContext<SVGBackend, Cartesian2d<X, Y>>,
    points: &[(X::ValueType, Y::ValueType)],
    shape: usize,
    colour: RGBColor,
) -> Result<()>
where
    X: Ranged,
    Y: Ranged,
    X::ValueType: Clone + 'static,
    Y::ValueType: Clone + 'static,
{
    let style = colour.filled();
    let pts = points.iter().cloned();
    match shape % 4 {
        0 => chart
            .draw_series(pts.map(|p| Circle::new(p, 5, style)))
            .map(|_| ()),
        1 => chart
            .draw_series(pts.map(|p| TriangleMarker::new(p, 6, style)))
            .map(|_| ()),
        2 => chart
            .draw_series(pts.map(|p| Cross::new(p, 5, colour.stroke_width(2))))
            .map(|_| ()),
        _ => chart
            .draw_series(
                pts.map(|p| EmptyElement::at(p) + Rectangle::new([(-4, -4), (4, 4)], style)),
            )
            .map(|_| ()),
    }
    .map_err(err)
}

/// Gives a line series its legend swatch: the line with marker `shape`.
fn line_legend<'a, 'b: 'a>(
    anno: &mut SeriesAnno<'a, SVGBackend<'b>>,
    colour: RGBColor,
    shape: usize,
) {
    let line = move |(x, y): (i32, i32)| {
        EmptyElement::at((x, y)) + PathElement::new(vec![(0, 0), (20, 0)], colour.stroke_width(2))
    };
    let style = colour.filled();
    match shape % 4 {
        0 => anno.legend(move |p| line(p) + Circle::new((10, 0), 4, style)),
        1 => anno.legend(move |p| line(p) + TriangleMarker::new((10, 0), 5, style)),
        2 => anno.legend(move |p| line(p) + Cross::new((10, 0), 4, colour.stroke_width(2))),
        _ => anno.legend(move |p| line(p) + Rectangle::new([(7, -3), (13, 3)], style)),
    };
}

/// One line of a line chart: its label, language and points with their CIs.
struct Line {
    label: String,
    lang: String,
    /// (x, value, ci low, ci high)
    points: Vec<(f64, f64, f64, f64)>,
}

/// Gives each line of one language its own marker shape.
fn shapes(lines: &[Line]) -> Vec<usize> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    lines
        .iter()
        .map(|l| {
            let n = seen.entry(l.lang.as_str()).or_insert(0);
            *n += 1;
            *n - 1
        })
        .collect()
}

/// The ranking of one comparison group: a bar per model with its CI as whiskers, best at
/// the top, on a log axis when the models differ by more than 30×.
fn ranking_chart(w: &WorkloadView, g: &Group) -> Result<Chart> {
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
        "{} (median; whiskers: 95% CI{})",
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
            "Too few runs for any difference to reach p < 0.05: ranked by medians only.".into()
        } else if tied.len() > 1 {
            format!(
                "Tier 1 (tied for best, no pair differs at p < 0.05): {}.",
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
    let mut langs: Vec<&str> = g.ranking.iter().map(|r| r.lang.as_str()).collect();
    langs.sort_unstable();
    langs.dedup();
    for lang in langs {
        let colour = lang_colour(lang);
        chart
            .draw_series(
                g.ranking
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.lang == lang)
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

/// What a line chart's axes say.
struct Axes<'a> {
    x_desc: &'a str,
    y_desc: &'a str,
    x_fmt: &'a dyn Fn(&f64) -> String,
    y_fmt: &'a dyn Fn(&f64) -> String,
    legend: SeriesLabelPosition,
    /// How many labels the y axis may have (log axes add some between powers).
    y_labels: usize,
}

/// Lines with markers and vertical CI whiskers on any pair of f64 axes, then `extra`.
#[allow(clippy::type_complexity)]
fn lines<X, Y>(
    root: &DrawingArea<SVGBackend, Shift>,
    x: X,
    y: Y,
    data: &[Line],
    axes: &Axes,
    // What the chart draws before its lines (reference lines, marks).
    extra: &dyn Fn(&mut ChartContext<SVGBackend, Cartesian2d<X, Y>>) -> Result<()>,
) -> Result<()>
where
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(root)
        .margin(14)
        .x_label_area_size(48)
        .y_label_area_size(80)
        .build_cartesian_2d(x, y)
        .map_err(err)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(0xe4, 0xe4, 0xe4))
        .x_label_formatter(axes.x_fmt)
        .y_label_formatter(axes.y_fmt)
        .x_labels(8)
        .y_labels(axes.y_labels)
        .x_desc(axes.x_desc)
        .y_desc(axes.y_desc)
        .label_style((FONT, 17))
        .axis_desc_style((FONT, 17))
        .draw()
        .map_err(err)?;
    extra(&mut chart)?;
    for (line, shape) in data.iter().zip(shapes(data)) {
        let colour = lang_colour(&line.lang);
        let pts: Vec<(f64, f64)> = line.points.iter().map(|p| (p.0, p.1)).collect();
        let anno = chart
            .draw_series(LineSeries::new(pts.clone(), colour.stroke_width(2)))
            .map_err(err)?
            .label(line.label.as_str());
        line_legend(anno, colour, shape);
        chart
            .draw_series(
                line.points
                    .iter()
                    .filter(|p| p.2 < p.3)
                    .map(|p| ErrorBar::new_vertical(p.0, p.2, p.1, p.3, colour.stroke_width(1), 8)),
            )
            .map_err(err)?;
        draw_markers(&mut chart, &pts, shape, colour)?;
    }
    chart
        .configure_series_labels()
        .position(axes.legend.clone())
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(0xbb, 0xbb, 0xbb))
        .label_font((FONT, 16))
        .draw()
        .map_err(err)?;
    Ok(())
}

/// Everything but `workers`, which follows the CPUs in a sweep, as `k=v` text.
fn sizes(params: &BTreeMap<String, u64>, skip: &[&str]) -> String {
    params
        .iter()
        .filter(|(k, _)| !skip.contains(&k.as_str()))
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Labels lines by model, adding the sizes only where one model has several lines.
fn label_lines(keyed: Vec<((String, String), Line)>) -> Vec<Line> {
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for ((model, _), _) in &keyed {
        *count.entry(model.clone()).or_default() += 1;
    }
    keyed
        .into_iter()
        .map(|((model, extra), mut line)| {
            line.label = if count[&model] > 1 && !extra.is_empty() {
                format!("{model} {extra}")
            } else {
                model
            };
            line
        })
        .collect()
}

/// A point of a line: the line's key (model, what else tells it apart), its language, and
/// the point (x, value, ci low, ci high).
type Keyed = ((String, String), String, (f64, f64, f64, f64));

/// Puts points into lines by key, keeping the order keys first appear in.
fn collect_lines(points: Vec<Keyed>) -> Vec<Line> {
    let mut keyed: Vec<((String, String), Line)> = Vec::new();
    for (key, lang, p) in points {
        match keyed.iter_mut().find(|(k, _)| *k == key) {
            Some((_, line)) => line.points.push(p),
            None => keyed.push((
                key,
                Line {
                    label: String::new(),
                    lang,
                    points: vec![p],
                },
            )),
        }
    }
    for (_, line) in &mut keyed {
        line.points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    label_lines(keyed)
}

fn est(x: f64, e: Estimate) -> (f64, f64, f64, f64) {
    (x, e.value, e.ci95_low, e.ci95_high)
}

/// Speedup against one CPU, per model, where runs were pinned to several CPU counts.
fn scaling_chart(report: &Report, w: &WorkloadView) -> Result<Option<Chart>> {
    let file = report.file;
    let mut points = Vec::new();
    for &i in &w.runs {
        let r = &file.runs[i];
        if let Some(sc) = report.analysis.runs[i].scaling {
            let key = (r.model.clone(), sizes(&r.params, &["workers"]));
            points.push((key, r.lang.clone(), est(r.cpus as f64, sc.speedup)));
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
               the ratio's bootstrap 95% CI; the dashed line is perfect scaling."
            .into(),
    }))
}

/// spawn-idle: memory per unit against units, log–log, with the runs a cap refused.
fn memory_chart(report: &Report, w: &WorkloadView) -> Result<Option<Chart>> {
    let file = report.file;
    let mut points = Vec::new();
    let mut not_drawn = Vec::new();
    for &i in &w.runs {
        let r = &file.runs[i];
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
            r.lang.clone(),
            (units, bytes, bytes, bytes),
        ));
    }
    let refused: Vec<(String, String, f64)> = w
        .doubtful
        .iter()
        .filter(|d| d.status == Status::Refused)
        .map(|d| {
            let lang = file.runs[d.evidence.run].lang.clone();
            let units = d.evidence.params.get("units").copied().unwrap_or(0) as f64;
            (d.model.clone(), lang, units)
        })
        .collect();
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

/// io-server: each model's latency percentiles in one comparison group.
fn latency_chart(report: &Report, w: &WorkloadView, g: &Group) -> Result<Option<Chart>> {
    let mut data: Vec<Line> = Vec::new();
    for r in &g.ranking {
        if let Some(s) = report.analysis.runs[r.evidence.run].server {
            let qs = [s.p50_us, s.p99_us, s.p999_us, s.max_us];
            data.push(Line {
                label: r.model.clone(),
                lang: r.lang.clone(),
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

/// io-server: requests per second against connections, one chart per scenario (CPUs,
/// placement and the other parameters) that was run at several connection counts.
fn rps_charts(report: &Report, w: &WorkloadView) -> Result<Vec<Chart>> {
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
                        r.lang.clone(),
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
            note: "Median req/s of the load phase, whiskers its bootstrap 95% CI.".into(),
        });
    }
    Ok(out)
}

fn steadiness_text(s: &Option<Steadiness>) -> String {
    match s {
        None => "—".into(),
        Some(s) => {
            let mut t = format!("CV {:.1}%", s.cv * 100.0);
            if s.cpus > 1 {
                let _ = write!(
                    t,
                    ", {:.0}% speed and CV {:.1}% with all {} CPUs busy",
                    s.all_busy_speed * 100.0,
                    s.all_busy_cv * 100.0,
                    s.cpus
                );
            }
            t
        }
    }
}

const HOW_TO_READ: &str = "<p>Each workload was run by several <em>models</em> (ways of doing \
the same work in Go, Python or Rust), each in its own process, several times; every answer \
was checked against the harness's own. A figure is the <strong>median</strong> of those runs. \
The <strong>95% CI</strong> (confidence interval, the whiskers on the bars) is where the \
median would likely fall if the runs were repeated: two models whose intervals overlap may \
not really differ. “× the best” is a model's time over the fastest's (or the best's \
throughput over its), with its own CI, and <em>p</em> is the Mann-Whitney test of its runs \
against the best's: below 0.05, the difference is unlikely to be chance. A <strong>tier</strong> \
groups models that no such test separates; tier 1 is tied for best. Few runs (3 or fewer a \
model) cannot reach p &lt; 0.05, so the ranking then goes by medians only, and says so. The \
machine's own steadiness (below) is the floor: no run can be steadier than the machine.</p>";

fn page(report: &Report) -> Result<String> {
    let f = report.file;
    let mut out = String::with_capacity(256 * 1024);
    let title = format!("concbench · suite {} · {}", f.suite, f.started_at);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(&title)
    );
    let _ = write!(
        out,
        "<header><h1>concbench report</h1><p class=\"sub\">suite <strong>{}</strong> · started \
         {}{} · concbench {} · {} · {} runs</p>",
        escape(&f.suite),
        escape(&f.started_at),
        f.finished_at
            .as_ref()
            .map(|t| format!(", finished {}", escape(t)))
            .unwrap_or_default(),
        escape(&f.concbench_version),
        escape(&f.machine.cpu_model),
        f.runs.len()
    );
    let mut langs: Vec<&str> = f.runs.iter().map(|r| r.lang.as_str()).collect();
    langs.sort_unstable();
    langs.dedup();
    out.push_str(&markup::lang_key(&langs));
    if f.interrupted {
        out.push_str(
            "<p class=\"warn\">The suite was interrupted: runs it had not measured are \
             missing or marked not run.</p>",
        );
    }
    out.push_str("</header>\n");

    // The findings first: what a reader came for.
    out.push_str("<section id=\"findings\"><h2>Findings</h2>\n");
    if report.findings.is_empty() {
        out.push_str("<p>The file holds no run of a known workload.</p>");
    }
    for wf in &report.findings {
        let view = report.analysis.workload(&wf.workload);
        let _ = write!(
            out,
            "<h3><a href=\"#w-{}\">{}</a>{}</h3>\n<p class=\"headline\">{}</p>\n<ul class=\"findings\">\n",
            slug(&wf.workload),
            escape(&wf.workload),
            view.map(|v| format!(" — {}", escape(&v.title)))
                .unwrap_or_default(),
            escape(&wf.headline)
        );
        for finding in &wf.findings {
            let _ = writeln!(out, "<li>{}</li>", escape(&finding.text));
        }
        out.push_str("</ul>\n");
        if let Some((v, cv)) = view.and_then(|v| Some((v, v.machine_cv?))) {
            let _ = writeln!(
                out,
                "<p class=\"sub\">The machine's own CV around this workload's block: {:.1}%{}.</p>",
                cv * 100.0,
                v.host_steal
                    .map(|s| format!("; the host took {:.1}% of its CPU time (steal)", s * 100.0))
                    .unwrap_or_default()
            );
        }
    }
    out.push_str("</section>\n");
    // Advice for a profile, when one was given (report/advice.rs).
    if let Some(advice) = &report.advice {
        out.push_str(&super::advice::html_section(advice));
    }
    out.push_str("<section id=\"how-to-read\"><h2>How to read this</h2>\n");
    out.push_str(HOW_TO_READ);
    out.push_str("\n</section>\n");

    for view in &report.analysis.workloads {
        let _ = writeln!(
            out,
            "<section id=\"w-{}\"><h2>{} — {}</h2>",
            slug(&view.workload),
            escape(&view.workload),
            escape(&view.title)
        );
        if let Some(wf) = report.findings_of(&view.workload) {
            let _ = writeln!(out, "<p class=\"headline\">{}</p>", escape(&wf.headline));
        }
        if view.groups.is_empty() {
            out.push_str("<p>No valid run to rank.</p>\n");
        }
        for g in &view.groups {
            out.push_str(&figure(&ranking_chart(view, g)?));
            out.push_str(&markup::html(&ranking_table(g), "ranking"));
            if let Some(c) = latency_chart(report, view, g)? {
                out.push_str(&figure(&c));
            }
        }
        for c in rps_charts(report, view)? {
            out.push_str(&figure(&c));
        }
        if let Some(c) = scaling_chart(report, view)? {
            out.push_str(&figure(&c));
        }
        if let Some(c) = memory_chart(report, view)? {
            out.push_str(&figure(&c));
        }
        let _ = writeln!(out, "<h3>Every run of {}</h3>", escape(&view.workload));
        let (caption, runs) = runs_table(report, view);
        if !caption.is_empty() {
            let _ = write!(
                out,
                "<p class=\"sub\">every run: <code>{}</code></p>",
                escape(&caption)
            );
        }
        out.push_str(&markup::html(&runs, "runs"));
        out.push_str("</section>\n");
    }

    out.push_str(&claims_section(report));
    out.push_str(&models_section(report));

    // Where the numbers come from.
    let m = &f.machine;
    out.push_str(
        "<section id=\"machine\"><h2>The machine and the run</h2>\n<dl class=\"machine\">",
    );
    let mut item = |k: &str, v: String| {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(k), v);
    };
    item("CPU", escape(&m.cpu_model));
    item(
        "CPUs",
        format!(
            "{} logical, {} usable ({})",
            m.logical_cpus,
            m.allowed_cpus.len(),
            escape(
                &m.allowed_cpus
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        ),
    );
    item("memory", escape(&format_kb(m.memory_kb)));
    item("kernel", escape(&m.kernel));
    item("governor", escape(&m.governor));
    item("hostname", escape(&m.hostname));
    item(
        "load average",
        format!(
            "{:.2} at the start, {:.2} at the end",
            m.load_avg_start, m.load_avg_end
        ),
    );
    item(
        "steadiness (fixed loop)",
        format!(
            "before the runs: {}; after: {}",
            escape(&steadiness_text(&m.steadiness_start)),
            escape(&steadiness_text(&m.steadiness_end))
        ),
    );
    let tools: Vec<String> = f
        .toolchains
        .iter()
        .map(|(k, v)| format!("{} {}", escape(k), escape(v)))
        .collect();
    item(
        "toolchains",
        if tools.is_empty() {
            "—".into()
        } else {
            tools.join(", ")
        },
    );
    item(
        "command",
        if f.command.is_empty() {
            "—".into()
        } else {
            format!("<code>{}</code>", escape(&f.command.join(" ")))
        },
    );
    item(
        "results file",
        format!(
            "schema {}, concbench {}, suite {}",
            escape(&f.schema),
            escape(&f.concbench_version),
            escape(&f.suite)
        ),
    );
    out.push_str("</dl>\n");
    if !f.blocks.is_empty() {
        // Only a run with --wait-steady waited: the column is there when any block did.
        let waited = f.blocks.iter().any(|b| b.steady_wait_ns > 0);
        let mut header = ["block (workload)", "samples (seq)"]
            .map(String::from)
            .to_vec();
        if waited {
            header.push("waited for a steady machine".into());
        }
        header.extend(["machine before", "machine after"].map(String::from));
        // Only a kernel that counts steal gives the column.
        let steal = f.blocks.iter().any(|b| b.host_steal.is_some());
        if steal {
            header.push("host took (steal)".into());
        }
        let mut t = Table {
            header,
            ..Table::default()
        };
        for b in &f.blocks {
            let mut row = vec![
                b.workload.clone(),
                format!("{}–{}", b.first_seq, b.last_seq),
            ];
            if waited {
                row.push(match b.steady_wait_ns {
                    0 => "none".into(),
                    ns => crate::format::format_eta(Duration::from_nanos(ns)),
                });
            }
            row.extend([
                steadiness_text(&b.steadiness_before),
                steadiness_text(&b.steadiness_after),
            ]);
            if steal {
                row.push(
                    b.host_steal
                        .map_or_else(|| "–".into(), |s| format!("{:.1}%", s * 100.0)),
                );
            }
            t.rows.push(row);
            t.status
                .push(if b.machine_noisy() { "racy" } else { "" }.into());
        }
        out.push_str(
            "<h3>Steadiness per block</h3><p class=\"sub\">Each workload ran as one block; \
             the machine's own CV was probed just before and just after it, and where the \
             kernel counts steal, the share of the block's busy CPU time the host gave to \
             other guests was read (highlighted: a probe or the steal above 2%, where runs \
             cannot be steadier than the machine).</p>",
        );
        out.push_str(&markup::html(&t, "blocks"));
    }
    out.push_str("</section>\n</main>\n</body>\n</html>\n");
    Ok(out)
}

/// The article's claims: per claim its verdict and words, per test its figure, rule, reason
/// and runs.
fn claims_section(report: &Report) -> String {
    use super::claims_out::{evidence_line, tag, tally_line};
    use crate::analysis::claims::Verdict;
    if report.claims.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<section id=\"claims\"><h2>The article's claims, checked</h2>\n<p>{}. Each rule is \
         data in <code>suite/claims.toml</code>; the runs are this file's.</p>\n",
        escape(&tally_line(&report.claims))
    );
    if let Some(w) = super::claims_out::steadiness_warning(&[report.file]) {
        let _ = writeln!(out, "<p class=\"warn\">{}</p>", escape(&w));
    }
    for c in report
        .claims
        .iter()
        .filter(|c| c.verdict != Verdict::NotMeasured)
    {
        let class = verdict_class(c.verdict);
        let _ = write!(
            out,
            "<div class=\"claim {class}\" id=\"claim-{}\"><p><span class=\"verdict\">{}</span> \
             <q>{}</q> <code>{}</code></p><ul>",
            slug(&c.id),
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
            if let Some(strip) = verdict_strip(t) {
                out.push_str("<br>");
                out.push_str(&strip);
            }
            if !t.evidence.is_empty() || t.safety.is_some() || t.measure.is_some() {
                out.push_str("<details><summary>evidence</summary><ul class=\"evidence\">");
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
                        "<li>to measure: <code>{}</code>{}</li>",
                        escape(&m.command()),
                        escape(&super::claims_out::needs(m))
                    );
                }
                out.push_str("</ul></details>");
            }
            out.push_str("</li>");
        }
        out.push_str("</ul></div>\n");
    }
    let unmeasured = super::claims_out::unmeasured_lines(&report.claims);
    if !unmeasured.is_empty() {
        out.push_str("<p>Not measured in this file, and the run that would measure each:</p><ul class=\"evidence\">");
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
        out.push_str("</ul>");
    }
    out.push_str("</section>\n");
    out
}

/// The CSS class of a verdict, for a claim's box and a strip's band.
fn verdict_class(v: crate::analysis::claims::Verdict) -> &'static str {
    use crate::analysis::claims::Verdict;
    match v {
        Verdict::Holds => "holds",
        Verdict::Caveat => "caveat",
        Verdict::DoesNotHold => "fails",
        Verdict::NotMeasured => "unmeasured",
    }
}

/// Where a test's figure lies against its rule: the axis coloured by what each value would
/// mean (holds, holds with a caveat, does not hold), the measured value as a dot and its 95%
/// CI as a bar. Log-scaled when every value is positive. `None` for a test without a
/// number (safety checks, unmeasured tests) or a rule without bounds.
fn verdict_strip(t: &crate::analysis::claims::TestResult) -> Option<String> {
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
            escape(&crate::analysis::claims::show_bound(*b, &t.unit))
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

/// The comparison table: the catalogue's words per model, then the measured figures.
fn models_section(report: &Report) -> String {
    use super::claims_out::{models_figures_table, models_words_table, MODELS_SOURCES};
    // Only models the file measured: a row of dashes says nothing.
    let rows: Vec<_> = report
        .models
        .iter()
        .filter(|r| report.file.runs.iter().any(|run| run.model == r.model))
        .cloned()
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    format!(
        "<section id=\"models\"><h2>The comparison table, measured</h2>\n{}{}<p class=\"sub\">{}</p></section>\n",
        markup::html(&models_words_table(&rows), "models"),
        markup::html(&models_figures_table(&rows), "models"),
        escape(MODELS_SOURCES)
    )
}

impl Exporter for Html {
    fn render(&self, report: &Report) -> Result<Vec<u8>> {
        Ok(page(report)?.into_bytes())
    }

    fn extension(&self) -> &'static str {
        "html"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::claims::{Metric, Range, TestResult, Verdict};
    use crate::catalogue::Catalogue;
    use crate::fixtures;

    fn render(file: &crate::results::ResultsFile) -> String {
        let report = Report::new(Catalogue::embedded(), file);
        String::from_utf8(Html.render(&report).unwrap()).unwrap()
    }

    fn decided(measured: Option<f64>, holds: Range, caveat: Option<Range>) -> TestResult {
        TestResult {
            what: "a lock over an atomic".into(),
            workload: "shared-counter".into(),
            metric: Metric::Time,
            models: vec!["rust-mutex".into(), "rust-atomic".into()],
            measured,
            unit: "×".into(),
            ci95: measured.map(|x| (x * 0.75, x * 1.25)),
            shown: "2×".into(),
            rule: "holds if at most 1.2×; with a caveat up to 3×".into(),
            holds,
            caveat,
            verdict: Verdict::Caveat,
            reason: String::new(),
            counts: true,
            evidence: Vec::new(),
            safety: None,
            measure: None,
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
        let strip = verdict_strip(&decided(Some(2.0), at_most(1.2), Some(at_most(3.0)))).unwrap();
        // Holds up to 1.2×, a caveat up to 3×, then does not hold: three bands, in order.
        let bands: Vec<&str> = strip
            .split("class=\"band ")
            .skip(1)
            .map(|p| p.split('"').next().unwrap())
            .collect();
        assert_eq!(bands, ["holds", "caveat", "fails"]);
        let (xs, widths) = (numbers(&strip, "x"), numbers(&strip, "width"));
        let dot = numbers(&strip, "cx")[0];
        // The dot at 2× lies in the caveat band; its CI bar runs from 1.5× to 2.5× around it.
        assert!(xs[1] < dot && dot < xs[1] + widths[1], "{strip}");
        let (x1, x2) = (numbers(&strip, "x1")[0], numbers(&strip, "x2")[0]);
        assert!(x1 < dot && dot < x2 && x2 < xs[2], "{strip}");
        // Bounds are labelled in the test's unit.
        assert!(strip.contains(">1.2×</text>") && strip.contains(">3×</text>"));
        // No number or no bound: no strip.
        assert!(verdict_strip(&decided(None, at_most(1.2), None)).is_none());
        assert!(verdict_strip(&decided(Some(2.0), Range::default(), None)).is_none());
    }

    #[test]
    fn the_page_is_self_contained_and_has_its_charts() {
        let html = render(&fixtures::mixed_file());
        assert!(html.contains(CSP));
        assert!(!html.contains("<script"));
        for attr in ["src=\"http", "href=\"http"] {
            assert!(!html.contains(attr), "{attr}");
        }
        // cpu-parallel: two groups (1 and 2 CPUs, pinned) and the scaling sweep; spawn-idle:
        // one group and its memory chart; shared-counter has only a racy run.
        assert_eq!(html.matches("data-chart=\"ranking\"").count(), 3, "{html}");
        assert!(html.contains("data-chart=\"scaling\" data-series=\"2\""));
        assert!(html.contains("data-chart=\"memory\" data-series=\"1\""));
        let findings = html.find("id=\"findings\"").unwrap();
        assert!(
            findings < html.find("data-chart").unwrap(),
            "findings first"
        );
        assert!(html.contains("racy: lost"));
        // The claims and the comparison table follow the workloads: the goroutine claim is
        // decided from the spawn-idle runs, and only measured models get a row.
        let claims = html.find("id=\"claims\"").expect("a claims section");
        assert!(claims > html.find("id=\"w-spawn-idle\"").unwrap());
        assert!(html.contains("<div class=\"claim holds\" id=\"claim-goroutine-2kb\">"));
        let models = &html[html.find("id=\"models\"").expect("a models section")..];
        assert!(models.contains("<td>go-goroutines</td>"));
        assert!(!models.contains("<td>py-asyncio</td>"));
    }

    #[test]
    fn the_blocks_table_shows_a_wait_for_a_steady_machine_only_when_there_was_one() {
        let mut file = fixtures::mixed_file();
        file.blocks = vec![
            fixtures::probed_block("cpu-parallel", 0.01),
            fixtures::probed_block("spawn-idle", 0.04),
        ];
        assert!(!render(&file).contains("waited for a steady machine"));
        file.blocks[0].steady_wait_ns = 140_000_000_000;
        let html = render(&file);
        let blocks = &html[html.find("Steadiness per block").unwrap()..];
        assert!(
            blocks.contains("<th scope=\"col\">waited for a steady machine</th>"),
            "{blocks}"
        );
        assert!(blocks.contains(">2 min 20 s</td>"), "{blocks}");
        assert!(blocks.contains("<td>none</td>"), "{blocks}");
    }

    #[test]
    fn the_blocks_table_shows_the_hosts_steal_and_marks_a_block_it_took_from() {
        let mut file = fixtures::mixed_file();
        file.blocks = vec![
            fixtures::probed_block("cpu-parallel", 0.01),
            fixtures::probed_block("spawn-idle", 0.01),
        ];
        assert!(!render(&file).contains("host took (steal)"));
        file.blocks[0].host_steal = Some(0.004);
        file.blocks[1].host_steal = Some(0.07);
        let html = render(&file);
        let blocks = &html[html.find("Steadiness per block").unwrap()..];
        assert!(
            blocks.contains("<th scope=\"col\">host took (steal)</th>"),
            "{blocks}"
        );
        // Steady probes both; only the block the host took 7% from is marked.
        let row = |w: &str| {
            let at = blocks.find(&format!("<td>{w}</td>")).unwrap();
            &blocks[blocks[..at].rfind("<tr").unwrap()..at + blocks[at..].find("</tr>").unwrap()]
        };
        assert!(
            row("cpu-parallel").starts_with("<tr class=\"\">"),
            "{blocks}"
        );
        assert!(row("cpu-parallel").contains(">0.4%</td>"), "{blocks}");
        assert!(
            row("spawn-idle").starts_with("<tr class=\"racy\">"),
            "{blocks}"
        );
        assert!(row("spawn-idle").contains(">7.0%</td>"), "{blocks}");
    }
}
