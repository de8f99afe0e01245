//! How the rules' numbers read: rates per exposure, counts, ratios with their interval.

use crate::gate::observations::{ExposureKind, Window};
use crate::gate::policy::human_duration;
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

/// A ratio with its 95% interval; without baseline events there is only the interval.
pub(super) fn ratio_text(ratio: Option<f64>, (low, high): (f64, f64)) -> String {
    let bound = |b: f64| {
        if b.is_finite() {
            format!("{b:.2}")
        } else {
            "∞".into()
        }
    };
    let interval = format!("95% CI {}–{}", bound(low), bound(high));
    match ratio {
        Some(ratio) => format!("×{} ({interval})", bound(ratio)),
        None => format!("no ratio yet ({interval})"),
    }
}

/// What a release lacks before a rule may pass, naming the setting that asks for it; with the
/// minute-precise window it was counted over, also how long its pace so far takes to get there.
pub(super) fn exposure_shortfall(
    who: &str,
    have: f64,
    needed: u64,
    (unit, setting): (&str, &str),
    paced_over: Option<&Window>,
) -> String {
    let mut text = format!(
        "{who} has {} of the {needed} {unit} needed ({setting})",
        amount(have)
    );
    let minutes = paced_over.map_or(0.0, Window::minutes);
    if have > 0.0 && minutes > 0.0 {
        let per_minute = have / minutes;
        let minutes = (needed as f64 / per_minute).ceil().min(1e7) as u64;
        text.push_str(&format!(
            " (at its pace so far, about {} a minute, a window of {})",
            amount(per_minute.round().max(1.0)),
            human_duration(Duration::from_secs(60 * minutes))
        ));
    }
    text
}
