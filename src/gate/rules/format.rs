//! How the rules' numbers read: rates per exposure, counts, ratios with their interval.

use crate::gate::observations::{ExposureKind, Window};
use crate::gate::policy::human_duration;
use crate::gate::stats::RateComparison;
use std::time::Duration;

/// A rate the way people read it: errors per 1k sessions or transactions.
pub(super) fn rate_text(kind: ExposureKind, errors: u64, exposure: f64) -> String {
    let per_thousand = if exposure > 0.0 {
        errors as f64 / exposure * 1000.0
    } else {
        0.0
    };
    format!("{per_thousand:.2} errors/1k {}", kind.unit())
}

/// Counts as integers, anything else with one decimal.
pub(super) fn amount(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// A ratio with its 95% interval, or why there is none.
pub(super) fn ratio_text(comparison: &RateComparison) -> String {
    let bound = |b: f64| {
        if b.is_finite() {
            format!("{b:.2}")
        } else {
            "∞".into()
        }
    };
    match comparison.ratio {
        None => "no errors in either window".into(),
        Some(ratio) => format!(
            "×{} (95% CI {}–{})",
            bound(ratio),
            bound(comparison.interval.0),
            bound(comparison.interval.1)
        ),
    }
}

/// What a release lacks before a rule may pass; with the minute-precise window it was counted
/// over, also how long its pace so far takes to get there.
pub(super) fn exposure_shortfall(
    who: &str,
    have: f64,
    needed: u64,
    (unit, flag): (&str, &str),
    paced_over: Option<&Window>,
) -> String {
    let mut text = format!(
        "{who} has {} of the {needed} {unit} needed ({flag})",
        amount(have)
    );
    let minutes = paced_over.map_or(0.0, Window::minutes);
    if have > 0.0 && minutes > 0.0 {
        let per_minute = have / minutes;
        let seconds = (needed as f64 / per_minute * 60.0).ceil().min(1e9) as u64;
        text.push_str(&format!(
            " (at its pace so far, about {} a minute, a window of {})",
            amount(per_minute.round().max(1.0)),
            human_duration(Duration::from_secs(seconds))
        ));
    }
    text
}
