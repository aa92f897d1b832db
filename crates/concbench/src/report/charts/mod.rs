//! The page's charts, one kind to a file, drawn with plotters' SVG backend. Each is a
//! `<figure data-chart="KIND" data-series="N">`, N being its data series (reference lines
//! such as the ideal speedup not counted), so tests and scripts can find them. This file
//! holds what the kinds share: the figure, the SVG, axes, lines, markers and colours.

use std::collections::BTreeMap;

use anyhow::{anyhow, Result};
use plotters::chart::SeriesAnno;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::analysis::view::Estimate;
use crate::report::markup::{escape, lang_rgb};

pub mod latency;
pub mod memory;
pub mod ranking;
pub mod rps;
pub mod scaling;
pub mod verdict;

/// Chart width in SVG pixels (the page scales it down on narrow screens).
const WIDTH: u32 = 860;
const FONT: &str = "sans-serif";

/// The colour of a language, the same in every chart and table.
pub fn lang_colour(lang: &str) -> RGBColor {
    let (r, g, b) = lang_rgb(lang);
    RGBColor(r, g, b)
}

/// One drawn chart.
pub struct Chart {
    kind: &'static str,
    series: usize,
    title: String,
    svg: String,
    note: String,
}

impl Chart {
    /// The chart as an HTML figure with its caption and note.
    pub fn figure(&self) -> String {
        let note = if self.note.is_empty() {
            String::new()
        } else {
            format!("<p class=\"note\">{}</p>", escape(&self.note))
        };
        format!(
            "<figure data-chart=\"{}\" data-series=\"{}\"><figcaption>{}</figcaption>\n{}{note}</figure>\n",
            self.kind,
            self.series,
            escape(&self.title),
            self.svg
        )
    }
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
