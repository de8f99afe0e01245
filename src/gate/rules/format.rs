//! How the rules' numbers read: rates per exposure, counts, ratios with their interval.

use crate::gate::observations::{ExposureKind, Side};
use crate::gate::stats::RateComparison;

/// The exposure's unit name.
pub(super) fn unit(kind: ExposureKind) -> &'static str {
    match kind {
        ExposureKind::Sessions => "sessions",
        ExposureKind::Transactions => "transactions",
        ExposureKind::Minutes => "minutes",
    }
}

/// A rate the way people read it: per 1k sessions or transactions, or per minute.
pub(super) fn rate_text(kind: ExposureKind, side: &Side) -> String {
    let per = |scale: f64| {
        if side.exposure > 0.0 {
            side.errors as f64 / side.exposure * scale
        } else {
            0.0
        }
    };
    match kind {
        ExposureKind::Sessions => format!("{:.2} errors/1k sessions", per(1000.0)),
        ExposureKind::Transactions => format!("{:.2} errors/1k transactions", per(1000.0)),
        ExposureKind::Minutes => format!("{:.2} errors/min", per(1.0)),
    }
}

/// Counts as integers, minutes with one decimal.
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
