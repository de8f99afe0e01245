//! A picture of the watch for the job summary and the Markdown report: a Mermaid `xychart-beta`
//! of the release's error rate against the baseline's at each look, with the threshold line
//! (GitHub and GitLab render Mermaid blocks in Markdown).
//!
//! Only numbers the gate computed and words of its own go inside the block, never text from
//! Sentry, so nothing a release or an issue is called can change the chart.

use super::observations::{ErrorRates, Observations};
use super::policy::human_duration;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The most looks a chart shows; a longer watch is thinned evenly, first and last look kept.
const MAX_POINTS: usize = 30;
/// The colours of the lines, in order: the release, the baseline, the threshold.
const PALETTE: &str = "#cf222e, #0969da, #8c959f";

/// The error rates at one look.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatePoint {
    /// Seconds from the deploy to the look.
    pub elapsed_seconds: i64,
    /// What the rates are per (`sessions`, `transactions`).
    pub exposure: &'static str,
    /// The release's errors per 1,000 of the exposure.
    pub candidate: f64,
    /// The baseline's (pooled) errors per 1,000 of the exposure.
    pub baseline: f64,
    /// The baseline's rate raised by the largest tolerated increase.
    pub threshold: f64,
}

impl RatePoint {
    /// The point of a look whose error rates were measured against a baseline.
    pub fn of(
        observations: &Observations,
        deployed: DateTime<Utc>,
        max_increase: f64,
    ) -> Option<Self> {
        let Ok(ErrorRates::Measured(data)) = &observations.errors else {
            return None;
        };
        let (base_errors, base_exposure) = data.pooled_baseline()?;
        let per_thousand = |errors: u64, exposure: f64| {
            (exposure > 0.0).then(|| errors as f64 / exposure * 1000.0)
        };
        let candidate = per_thousand(data.candidate.errors, data.candidate.exposure)?;
        let baseline = per_thousand(base_errors, base_exposure)?;
        Some(Self {
            elapsed_seconds: (observations.at - deployed).num_seconds(),
            exposure: data.kind.unit(),
            candidate,
            baseline,
            threshold: baseline * (1.0 + max_increase),
        })
    }
}

/// The chart of `points` (the looks of the last exposure kind only) as a fenced Mermaid block,
/// with a line of Markdown saying which line is which; `None` without points.
pub fn mermaid(
    points: &[RatePoint],
    release: &str,
    baseline: &str,
    margin: &str,
) -> Option<String> {
    let unit = points.last()?.exposure;
    let same_unit: Vec<&RatePoint> = points.iter().filter(|p| p.exposure == unit).collect();
    let shown = thinned(&same_unit, MAX_POINTS);
    let labels: Vec<String> = shown
        .iter()
        .map(|p| {
            let elapsed = std::time::Duration::from_secs(p.elapsed_seconds.max(0) as u64);
            format!("\"{}\"", human_duration(elapsed))
        })
        .collect();
    let series = |value: fn(&RatePoint) -> f64| {
        let values: Vec<String> = shown.iter().map(|p| number(value(p))).collect();
        format!("    line [{}]", values.join(", "))
    };
    let highest = shown
        .iter()
        .flat_map(|p| [p.candidate, p.baseline, p.threshold])
        .fold(0.0, f64::max);
    let axis = format!("errors per 1k {unit}");
    let block = [
        "```mermaid".to_owned(),
        format!(
            "%%{{init: {{\"themeVariables\": {{\"xyChart\": {{\"plotColorPalette\": \"{PALETTE}\"}}}}}}}}%%"
        ),
        "xychart-beta".to_owned(),
        format!("    title \"Error rate at each look ({axis})\""),
        format!(
            "    x-axis \"time after the deploy\" [{}]",
            labels.join(", ")
        ),
        format!("    y-axis \"{axis}\" 0 --> {}", number(ceiling(highest))),
        series(|p| p.candidate),
        series(|p| p.baseline),
        series(|p| p.threshold),
        "```".to_owned(),
        format!(
            "Red: {release}. Blue: the baseline ({baseline}). Grey: the threshold, {margin} over the baseline."
        ),
    ];
    Some(block.join("\n"))
}

/// At most `most` of `points`, evenly spread, the first and the last kept.
fn thinned<'a>(points: &[&'a RatePoint], most: usize) -> Vec<&'a RatePoint> {
    if points.len() <= most {
        return points.to_vec();
    }
    let last = points.len() - 1;
    (0..most)
        .map(|i| points[(i * last + (most - 1) / 2) / (most - 1)])
        .collect()
}

/// A round top for the y axis a little above `highest` (1 when everything is zero).
fn ceiling(highest: f64) -> f64 {
    if highest <= 0.0 || !highest.is_finite() {
        return 1.0;
    }
    let padded = highest * 1.15;
    let step = 10f64.powf(padded.log10().floor() - 1.0);
    (padded / step).ceil() * step
}

/// A value with at most three decimals and no trailing zeros.
fn number(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(minute: i64, candidate: f64) -> RatePoint {
        RatePoint {
            elapsed_seconds: minute * 60,
            exposure: "transactions",
            candidate,
            baseline: 2.0,
            threshold: 2.5,
        }
    }

    #[test]
    fn the_chart_has_three_lines_over_the_looks() {
        let chart = mermaid(&[point(0, 1.0), point(1, 2.25)], "2.0", "1.0", "+25%").unwrap();
        let lines: Vec<&str> = chart.lines().collect();
        assert_eq!(lines[0], "```mermaid");
        assert_eq!(lines[2], "xychart-beta");
        assert_eq!(
            lines[4],
            "    x-axis \"time after the deploy\" [\"0s\", \"1m\"]"
        );
        assert_eq!(
            lines[5],
            "    y-axis \"errors per 1k transactions\" 0 --> 2.9"
        );
        assert_eq!(
            &lines[6..9],
            [
                "    line [1, 2.25]",
                "    line [2, 2]",
                "    line [2.5, 2.5]"
            ]
        );
        assert!(mermaid(&[], "2.0", "1.0", "+25%").is_none());
    }

    #[test]
    fn long_watches_are_thinned_evenly_keeping_both_ends() {
        let points: Vec<RatePoint> = (0..121).map(|m| point(m, 1.0)).collect();
        let all: Vec<&RatePoint> = points.iter().collect();
        let shown = thinned(&all, MAX_POINTS);
        assert_eq!(shown.len(), MAX_POINTS);
        assert_eq!(shown[0].elapsed_seconds, 0);
        assert_eq!(shown[MAX_POINTS - 1].elapsed_seconds, 120 * 60);
        assert!(
            shown
                .windows(2)
                .all(|w| w[0].elapsed_seconds < w[1].elapsed_seconds)
        );
    }

    #[test]
    fn the_axis_ends_a_little_above_the_highest_value() {
        assert_eq!(number(ceiling(0.0)), "1");
        assert_eq!(number(ceiling(2.5)), "2.9");
        assert_eq!(number(ceiling(100.0)), "120");
        assert_eq!(number(1.23456), "1.235");
        assert_eq!(number(2.0), "2");
    }
}
