//! The latency data of one look: each release's transactions and their duration at the policy's
//! percentile, and how many were slower than the baselines' or failed.

use super::SentryData;
use super::need::EVENTS;
use crate::gate::error::LookError;
use crate::gate::observations::{
    BaselineRelease, LatencyData, LatencySide, Observed, Setup, Window, WindowChoice,
};
use crate::gate::queries::{failed_terms, slower_terms, transaction_terms};
use crate::sentry::ApiError;
use crate::sentry::api;
use crate::sentry::api::discover::{DiscoverQuery, TimeRange};
use crate::time::timestamp;
use serde_json::Value;

impl SentryData<'_> {
    /// Transaction durations and failures of the candidate over its window and of each baseline
    /// over the window its transactions choose: counts, the percentile, and how many were slower
    /// than the baselines' percentile (the candidate's: `1 + margin` times it) or failed.
    pub(super) async fn latency(
        &self,
        setup: &Setup,
        window: Window,
        baselines: &[BaselineRelease],
    ) -> Result<Observed<LatencyData>, LookError> {
        let version = &self.policy.version;
        let candidate = match self.settle(self.durations(setup, version, window).await, EVENTS)? {
            Ok(durations) => durations,
            Err(unavailable) => return Ok(Err(unavailable)),
        };
        let mut sides = vec![candidate.side(version, window, None)];
        let enough = (EVENTS, self.policy.minimums.transactions.max(1));
        for baseline in baselines {
            let measure = |window| self.durations(setup, &baseline.version, window);
            let transactions = |d: &Durations| d.transactions;
            match self
                .baseline_window(baseline, window, enough, measure, transactions)
                .await?
            {
                Ok((durations, range, choice)) => {
                    sides.push(durations.side(&baseline.version, range, Some(choice)))
                }
                Err(unavailable) => return Ok(Err(unavailable)),
            }
        }
        let threshold_ms = weighted_percentile(&sides[1..]);
        if let Some(threshold) = threshold_ms {
            let scaled = threshold * (1.0 + self.policy.latency.max_increase);
            for (index, side) in sides.iter_mut().enumerate() {
                if side.transactions == 0 {
                    continue;
                }
                let slower_than = if index == 0 { scaled } else { threshold };
                let slower = self
                    .count(
                        setup,
                        "spans",
                        &slower_terms(&side.version, slower_than),
                        side.window,
                    )
                    .await;
                let failed = self
                    .count(setup, "spans", &failed_terms(&side.version), side.window)
                    .await;
                match (self.settle(slower, EVENTS)?, self.settle(failed, EVENTS)?) {
                    (Ok(slower), Ok(failed)) => (side.slower, side.failed) = (slower, failed),
                    (Err(unavailable), _) | (_, Err(unavailable)) => return Ok(Err(unavailable)),
                }
            }
        }
        let candidate = sides.remove(0);
        Ok(Ok(LatencyData {
            threshold_ms,
            candidate,
            baselines: sides,
        }))
    }

    /// A release's transactions and its duration at the policy's percentile over a window.
    async fn durations(
        &self,
        setup: &Setup,
        version: &str,
        window: Window,
    ) -> Result<Durations, ApiError> {
        let percentile = self.policy.latency.aggregate();
        let fields = ["count()".to_owned(), percentile.clone()];
        let range = TimeRange::Between(timestamp(window.start), timestamp(window.end));
        let query = DiscoverQuery {
            dataset: "spans",
            fields: &fields,
            query: &transaction_terms(version),
            sort: None,
            projects: &setup.scope.project_params,
            environment: Some(&self.policy.environment),
            range: &range,
            limit: 1,
            cursor: None,
        };
        let (table, _) = api::discover::table(self.client().await, &self.org, &query).await?;
        let row = table.data.first();
        let number = |field: &str| row.and_then(|r| r.get(field)).and_then(Value::as_f64);
        let unit = table.meta.units.get(&percentile).and_then(Value::as_str);
        let transactions = number("count()").map_or(0, |n| n.round().max(0.0) as u64);
        Ok(Durations {
            transactions,
            percentile_ms: number(&percentile)
                .filter(|_| transactions > 0)
                .map(|value| value * milliseconds_per(unit)),
        })
    }
}

/// A release's transactions over a window and their duration at the policy's percentile.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Durations {
    transactions: u64,
    percentile_ms: Option<f64>,
}

impl Durations {
    /// The latency rule's view of it, before anything is counted against a threshold.
    fn side(self, version: &str, window: Window, choice: Option<WindowChoice>) -> LatencySide {
        LatencySide {
            version: version.to_owned(),
            window,
            choice,
            transactions: self.transactions,
            percentile_ms: self.percentile_ms,
            slower: 0,
            failed: 0,
        }
    }
}

/// The releases' durations at the percentile, weighted by their transactions (`None` when none
/// has transactions).
fn weighted_percentile(sides: &[LatencySide]) -> Option<f64> {
    let (weighted, transactions) = sides
        .iter()
        .filter_map(|side| Some((side.percentile_ms?, side.transactions as f64)))
        .filter(|(_, transactions)| *transactions > 0.0)
        .fold((0.0, 0.0), |(sum, total), (ms, n)| {
            (sum + ms * n, total + n)
        });
    (transactions > 0.0).then(|| weighted / transactions)
}

/// Milliseconds in one of Sentry's duration units (a missing unit is milliseconds).
fn milliseconds_per(unit: Option<&str>) -> f64 {
    match unit {
        Some("nanosecond") => 1e-6,
        Some("microsecond") => 1e-3,
        Some("second") => 1e3,
        Some("minute") => 6e4,
        _ => 1.0,
    }
}
