//! SVG plots of a sweep, drawn with plotters' SVG backend only (no font files or system
//! libraries: text is emitted as `<text>` elements and laid out with plotters' built-in size
//! estimate). Every plot is a pure function of the points' results in point order, so equal
//! inputs give byte-identical files.
//!
//! - `latency_cdf.svg`: latency CDF per message type and technology. Reports keep percentiles,
//!   not samples, so each curve goes through the p50, p95, p99 and max latencies, averaged
//!   over the points that delivered that message.
//! - `pdr_vs_distance.svg`: delivery ratio per 50 m of sender-receiver distance, pooled over
//!   all points.
//! - `travel_time_vs_penetration.svg`, `collisions_vs_penetration.svg`: one dot per point and
//!   the mean per penetration value (the `penetration` override, or the share of automated
//!   vehicles measured in the report when the sweep does not vary it).
use std::collections::BTreeMap;

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::sweep::Point;
use super::sweep_result::{PointResult, automated_share, channels};
use crate::output::OutputError;

/// Series colours, in series order.
const COLOURS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// One named series; `line` joins its points, otherwise they are dots only.
struct Series {
    name: String,
    points: Vec<(f64, f64)>,
    line: bool,
}

struct Axes<'a> {
    title: &'a str,
    x: &'a str,
    y: &'a str,
}

fn range(values: impl Iterator<Item = f64>, floor_one: bool) -> std::ops::Range<f64> {
    let max = values.filter(|v| v.is_finite()).fold(0.0f64, f64::max);
    let top = if max > 0.0 { max * 1.08 } else { 1.0 };
    0.0..if floor_one { top.max(1.0) } else { top }
}

fn draw(
    axes: &Axes,
    series: &[Series],
    y_max: Option<f64>,
    legend: SeriesLabelPosition,
) -> Result<String, OutputError> {
    let err = |e: DrawingAreaErrorKind<_>| OutputError::Encode {
        what: format!("the plot `{}`", axes.title),
        problem: e.to_string(),
    };
    let xr = range(
        series.iter().flat_map(|s| s.points.iter().map(|p| p.0)),
        true,
    );
    let yr = match y_max {
        Some(m) => 0.0..m,
        None => range(
            series.iter().flat_map(|s| s.points.iter().map(|p| p.1)),
            true,
        ),
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 460)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let caption = if series.is_empty() {
            format!("{} (no data)", axes.title)
        } else {
            axes.title.to_string()
        };
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(55)
            .build_cartesian_2d(xr, yr)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(axes.x)
            .y_desc(axes.y)
            .draw()
            .map_err(err)?;
        plot_series(&mut chart, series).map_err(err)?;
        if !series.is_empty() {
            chart
                .configure_series_labels()
                .position(legend)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .draw()
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// The chart of [`draw`]: f64 on both axes, drawn into an SVG string.
type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
type DrawError<'b> = DrawingAreaErrorKind<<SVGBackend<'b> as DrawingBackend>::ErrorType>;

/// Each series in its colour: a line (labelled) with dots on it, or dots only (labelled).
fn plot_series<'b>(chart: &mut Chart<'_, 'b>, series: &[Series]) -> Result<(), DrawError<'b>> {
    for (i, s) in series.iter().enumerate() {
        let c = COLOURS[i % COLOURS.len()];
        if s.line {
            chart
                .draw_series(LineSeries::new(s.points.iter().copied(), c.stroke_width(2)))?
                .label(s.name.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2))
                });
        }
        let dots = chart.draw_series(s.points.iter().map(|p| Circle::new(*p, 3, c.filled())))?;
        if !s.line {
            dots.label(s.name.clone())
                .legend(move |(x, y)| Circle::new((x + 9, y), 3, c.filled()));
        }
    }
    Ok(())
}

fn reports(
    results: &[(Point, PointResult)],
) -> impl Iterator<Item = (&Point, &crate::metrics::report::Report)> {
    results.iter().filter_map(|(p, r)| match r {
        PointResult::Report(r) => Some((p, r.as_ref())),
        PointResult::Error(_) => None,
    })
}

fn latency_cdf(results: &[(Point, PointResult)]) -> Vec<Series> {
    let mut out = Vec::new();
    for (m, t) in channels(results) {
        let mut sum = [0.0; 4];
        let mut n = 0u32;
        for (_, r) in reports(results) {
            if let Some(l) = r
                .v2x
                .by_type
                .iter()
                .find(|x| x.msg == m && x.tech == t)
                .and_then(|x| x.latency_ms.as_ref())
            {
                for (s, v) in sum.iter_mut().zip([l.p50, l.p95, l.p99, l.max]) {
                    *s += v;
                }
                n += 1;
            }
        }
        if n > 0 {
            let k = f64::from(n);
            let points = sum
                .iter()
                .zip([0.5, 0.95, 0.99, 1.0])
                .map(|(s, q)| (s / k, q))
                .collect();
            out.push(Series {
                name: format!("{m} {t}"),
                points,
                line: true,
            });
        }
    }
    out
}

fn pdr_vs_distance(results: &[(Point, PointResult)]) -> Vec<Series> {
    let mut out = Vec::new();
    for (m, t) in channels(results) {
        let mut bins: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
        for (_, r) in reports(results) {
            for x in r.v2x.by_type.iter().filter(|x| x.msg == m && x.tech == t) {
                for (start, a, d) in &x.pdr_by_distance {
                    let e = bins.entry(start.to_bits()).or_default();
                    e.0 += a;
                    e.1 += d;
                }
            }
        }
        let points: Vec<(f64, f64)> = bins
            .iter()
            .filter(|(_, (a, _))| *a > 0)
            .map(|(b, (a, d))| (f64::from_bits(*b) + 25.0, *d as f64 / *a as f64))
            .collect();
        if !points.is_empty() {
            out.push(Series {
                name: format!("{m} {t}"),
                points,
                line: true,
            });
        }
    }
    out
}

/// Dots per point and the mean per penetration value of `y`.
fn vs_penetration(
    results: &[(Point, PointResult)],
    y: impl Fn(&crate::metrics::report::Report) -> Option<f64>,
) -> Vec<Series> {
    let mut dots = Vec::new();
    // Penetration values are in 0-1, where the bit order of f64 is the numeric order.
    let mut groups: BTreeMap<u64, (f64, u32)> = BTreeMap::new();
    for (p, r) in reports(results) {
        let (Some(x), Some(y)) = (p.penetration.or_else(|| automated_share(r)), y(r)) else {
            continue;
        };
        dots.push((x, y));
        let g = groups.entry(x.to_bits()).or_default();
        g.0 += y;
        g.1 += 1;
    }
    if dots.is_empty() {
        return Vec::new();
    }
    let means = groups
        .iter()
        .map(|(x, (s, n))| (f64::from_bits(*x), s / f64::from(*n)))
        .collect();
    vec![
        Series {
            name: "mean".into(),
            points: means,
            line: true,
        },
        Series {
            name: "point".into(),
            points: dots,
            line: false,
        },
    ]
}

/// Every plot: (file name, SVG text).
pub fn all(results: &[(Point, PointResult)]) -> Result<Vec<(&'static str, String)>, OutputError> {
    Ok(vec![
        (
            "latency_cdf.svg",
            draw(
                &Axes {
                    title: "V2X latency CDF (p50/p95/p99/max)",
                    x: "latency (ms)",
                    y: "P(latency <= x)",
                },
                &latency_cdf(results),
                Some(1.05),
                SeriesLabelPosition::LowerRight,
            )?,
        ),
        (
            "pdr_vs_distance.svg",
            draw(
                &Axes {
                    title: "Delivery ratio vs distance",
                    x: "sender-receiver distance (m)",
                    y: "delivery ratio",
                },
                &pdr_vs_distance(results),
                Some(1.05),
                SeriesLabelPosition::UpperRight,
            )?,
        ),
        (
            "travel_time_vs_penetration.svg",
            draw(
                &Axes {
                    title: "Mean travel time vs penetration",
                    x: "automated share",
                    y: "mean travel time (s)",
                },
                &vs_penetration(results, |r| r.summary.mean_travel_time_s),
                None,
                SeriesLabelPosition::LowerRight,
            )?,
        ),
        (
            "collisions_vs_penetration.svg",
            draw(
                &Axes {
                    title: "Collisions vs penetration",
                    x: "automated share",
                    y: "collisions",
                },
                &vs_penetration(results, |r| Some(f64::from(r.summary.collisions))),
                None,
                SeriesLabelPosition::LowerRight,
            )?,
        ),
    ])
}
