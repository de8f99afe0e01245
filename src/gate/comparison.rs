//! What a rate comparison stands on: when each baseline release served, which of its windows
//! matches the candidate's, and one exposure kind (sessions or transactions) for every side.
//!
//! Pure functions over times and counts; `sentry_data` asks Sentry for the numbers.
//!
//! A baseline's window, in order of preference:
//! 1. **Concurrent**: the candidate's own window, when the baseline still served enough traffic in
//!    it (a rollout or a canary). Both releases then see the same hours, users and load.
//! 2. **Same hours of an earlier day**: the candidate's window moved back one day (up to a week)
//!    while the baseline served, so a rate that follows the time of day is compared with itself.
//! 3. **Before it was replaced**: the baseline's last stretch before the next deploy, as long as
//!    the candidate's window: the nearest hours it served, when it served less than a day.
//!
//! Errors are divided by sessions when every side has sessions, else by transactions when every
//! side has transactions. Error counts alone are never a rate: they cannot tell a worse release
//! from more traffic (a canary at a tenth of the traffic, a daily peak).

use super::observations::{
    BaselineRelease, ExposureKind, SessionData, SessionTotals, Window, WindowChoice,
};
use super::wording::{Setting, Wording};
use chrono::{DateTime, TimeDelta, Utc};

/// The furthest back a same-hours window is looked for.
const SAME_HOURS_DAYS: i64 = 7;

/// The baseline releases (newest first, as (version, deploy)) with the time each served until:
/// the next one's deploy, and for the newest the candidate's deploy start.
pub fn serving_periods(
    recent: Vec<(String, DateTime<Utc>)>,
    candidate_start: DateTime<Utc>,
) -> Vec<BaselineRelease> {
    let mut until = candidate_start;
    recent
        .into_iter()
        .map(|(version, deployed)| {
            let release = BaselineRelease {
                version,
                deployed,
                until,
            };
            until = deployed;
            release
        })
        .collect()
}

/// The deploy time of the `count`-th newest of `found`, once there are that many.
pub fn oldest_of_newest(found: &[(String, DateTime<Utc>)], count: usize) -> Option<DateTime<Utc>> {
    let mut times: Vec<DateTime<Utc>> = found.iter().map(|(_, at)| *at).collect();
    times.sort_unstable_by(|a, b| b.cmp(a));
    times.get(count.checked_sub(1)?).copied()
}

/// A baseline's window when it did not serve concurrently: the same hours of the most recent
/// earlier day it served through, else its last stretch before it was replaced.
pub fn matched_window(window: Window, baseline: &BaselineRelease) -> (Window, WindowChoice) {
    let served = |w: &Window| w.start >= baseline.deployed && w.end <= baseline.until;
    for days in 1..=SAME_HOURS_DAYS {
        let earlier = window.earlier(TimeDelta::days(days));
        if served(&earlier) {
            return (earlier, WindowChoice::SameHours { days });
        }
    }
    let end = baseline.until;
    let start = (end - (window.end - window.start))
        .max(baseline.deployed)
        .min(end);
    (Window { start, end }, WindowChoice::BeforeReplaced)
}

/// One release's exposure over a window, and the range Sentry counted it in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measured {
    /// Sessions or transactions.
    pub amount: u64,
    /// Crashed sessions (0 for transactions).
    pub crashed: u64,
    /// The range counted (the sessions API widens it to whole hours).
    pub range: Window,
}

impl Measured {
    fn sessions(&self) -> SessionTotals {
        SessionTotals {
            sessions: self.amount,
            crashed: self.crashed,
            range: self.range,
        }
    }
}

/// One exposure kind for the candidate and each baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Exposures {
    /// Sessions or transactions.
    pub kind: ExposureKind,
    /// The candidate's version and exposure over its window.
    pub candidate: (String, Measured),
    /// Each baseline's version, exposure and how its window was chosen.
    pub baselines: Vec<(String, Measured, WindowChoice)>,
}

impl Exposures {
    /// Whether the candidate and every baseline have some: the rate can be compared over it.
    pub fn all_have_some(&self) -> bool {
        self.candidate.1.amount > 0 && self.baselines.iter().all(|(_, m, _)| m.amount > 0)
    }

    /// Whether any side has some.
    pub fn any_has_some(&self) -> bool {
        self.candidate.1.amount > 0 || self.baselines.iter().any(|(_, m, _)| m.amount > 0)
    }

    /// Why this kind could not be used although the candidate has some: the sides without it.
    pub fn why_not_this_kind(&self) -> Option<String> {
        let lacking: Vec<&str> = self
            .baselines
            .iter()
            .filter(|(_, m, _)| m.amount == 0)
            .map(|(version, _, _)| version.as_str())
            .collect();
        (self.candidate.1.amount > 0 && !lacking.is_empty()).then(|| {
            format!(
                "not per {}: the baseline {} has none in its window",
                self.kind.unit(),
                lacking.join(", ")
            )
        })
    }

    /// The session counts the crash-free rule reads: the candidate's, and the baselines that have
    /// sessions pooled.
    pub fn session_data(&self) -> SessionData {
        let with_sessions: Vec<&Measured> = self
            .baselines
            .iter()
            .map(|(_, m, _)| m)
            .filter(|m| m.amount > 0)
            .collect();
        let baseline = with_sessions.first().map(|first| SessionTotals {
            sessions: with_sessions.iter().map(|m| m.amount).sum(),
            crashed: with_sessions.iter().map(|m| m.crashed).sum(),
            range: first.range,
        });
        SessionData {
            candidate: self.candidate.1.sessions(),
            baseline,
        }
    }

    fn amounts(&self) -> impl Iterator<Item = (&str, u64)> {
        std::iter::once((self.candidate.0.as_str(), self.candidate.1.amount)).chain(
            self.baselines
                .iter()
                .map(|(version, m, _)| (version.as_str(), m.amount)),
        )
    }
}

/// Why the error rate has no exposure every side shares: what each side has, and what to do
/// (naming the settings as `wording` does).
pub fn no_common_exposure(
    sessions: Option<&Exposures>,
    transactions: &Exposures,
    wording: Wording,
) -> String {
    let session_of = |version: &str| {
        sessions
            .and_then(|s| s.amounts().find(|(v, _)| *v == version))
            .map_or(0, |(_, amount)| amount)
    };
    let nobody = transactions
        .amounts()
        .all(|(v, amount)| amount == 0 && session_of(v) == 0);
    if nobody {
        return format!(
            "no sessions or transactions in any window, and error counts alone cannot tell a \
             worse release from more traffic: send sessions (release health) or transactions \
             (tracing) to judge the error rate, or let {} decide",
            wording.name(Setting::OnInconclusive)
        );
    }
    let sides: Vec<String> = transactions
        .amounts()
        .map(|(version, amount)| {
            format!(
                "{version} {} sessions and {amount} transactions",
                session_of(version)
            )
        })
        .collect();
    format!(
        "no exposure every release has in its window ({}): a release with neither has no traffic \
         yet or its SDK does not set that release, and sessions are never compared with transactions",
        sides.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_sentry_time;

    fn at(text: &str) -> DateTime<Utc> {
        parse_sentry_time(text).unwrap()
    }

    fn baseline(deployed: &str, until: &str) -> BaselineRelease {
        BaselineRelease {
            version: "1.0".into(),
            deployed: at(deployed),
            until: at(until),
        }
    }

    fn window(start: &str, end: &str) -> Window {
        Window {
            start: at(start),
            end: at(end),
        }
    }

    #[test]
    fn a_baseline_that_served_a_day_earlier_gets_the_same_hours() {
        let cand = window("2026-03-02T20:00:00Z", "2026-03-02T20:15:00Z");
        let served_two_days = baseline("2026-02-28T18:00:00Z", "2026-03-02T20:00:00Z");
        assert_eq!(
            matched_window(cand, &served_two_days),
            (
                window("2026-03-01T20:00:00Z", "2026-03-01T20:15:00Z"),
                WindowChoice::SameHours { days: 1 }
            )
        );
        // Deployed at 20:05 the day before: yesterday's 20:00 is not covered, two days back is not
        // served either, so its last stretch is used.
        let served_a_day = baseline("2026-03-01T20:05:00Z", "2026-03-02T20:00:00Z");
        assert_eq!(
            matched_window(cand, &served_a_day),
            (
                window("2026-03-02T19:45:00Z", "2026-03-02T20:00:00Z"),
                WindowChoice::BeforeReplaced
            )
        );
    }

    #[test]
    fn a_short_lived_baseline_gets_what_it_served() {
        let cand = window("2026-03-02T20:00:00Z", "2026-03-02T21:00:00Z");
        let brief = baseline("2026-03-02T19:40:00Z", "2026-03-02T20:00:00Z");
        assert_eq!(
            matched_window(cand, &brief).0,
            window("2026-03-02T19:40:00Z", "2026-03-02T20:00:00Z")
        );
    }

    #[test]
    fn each_pooled_release_served_until_the_next_deploy() {
        let periods = serving_periods(
            vec![
                ("3".into(), at("2026-03-02T10:00:00Z")),
                ("2".into(), at("2026-03-01T10:00:00Z")),
            ],
            at("2026-03-02T20:00:00Z"),
        );
        assert_eq!(periods[0].until, at("2026-03-02T20:00:00Z"));
        assert_eq!(periods[1].until, at("2026-03-02T10:00:00Z"));
        let found = vec![
            ("a".to_owned(), at("2026-03-01T10:00:00Z")),
            ("b".to_owned(), at("2026-03-02T10:00:00Z")),
        ];
        assert_eq!(
            oldest_of_newest(&found, 1),
            Some(at("2026-03-02T10:00:00Z"))
        );
        assert_eq!(
            oldest_of_newest(&found, 2),
            Some(at("2026-03-01T10:00:00Z"))
        );
        assert_eq!(oldest_of_newest(&found, 3), None);
    }

    fn exposures(kind: ExposureKind, candidate: u64, baseline: u64) -> Exposures {
        let measured = |amount| Measured {
            amount,
            crashed: 0,
            range: window("2026-03-02T20:00:00Z", "2026-03-02T20:15:00Z"),
        };
        Exposures {
            kind,
            candidate: ("2.0".into(), measured(candidate)),
            baselines: vec![("1.0".into(), measured(baseline), WindowChoice::Concurrent)],
        }
    }

    #[test]
    fn a_rate_needs_every_side_to_have_some_and_any_side_shows_traffic() {
        let has = |candidate, baseline| {
            let e = exposures(ExposureKind::Sessions, candidate, baseline);
            (e.all_have_some(), e.any_has_some())
        };
        assert_eq!(has(1, 1), (true, true));
        assert_eq!(has(1, 0), (false, true));
        assert_eq!(has(0, 1), (false, true));
        assert_eq!(has(0, 0), (false, false));
        let mut pooled = exposures(ExposureKind::Sessions, 5, 5);
        let mut silent = pooled.baselines[0].clone();
        silent.1.amount = 0;
        pooled.baselines.push(silent);
        assert!(
            !pooled.all_have_some(),
            "one silent pooled release is enough to refuse"
        );
        assert_eq!(
            pooled.why_not_this_kind().as_deref(),
            Some("not per sessions: the baseline 1.0 has none in its window")
        );
        // The crash-free rule pools only the releases that have sessions.
        pooled.baselines[0].1.crashed = 2;
        let sessions = pooled.session_data();
        assert_eq!(sessions.candidate.sessions, 5);
        let baseline = sessions.baseline.unwrap();
        assert_eq!((baseline.sessions, baseline.crashed), (5, 2));
        pooled.baselines[0].1.amount = 0;
        assert_eq!(pooled.session_data().baseline, None);
        // Nothing to say about a kind the candidate lacks too, or that every side has.
        let none = exposures(ExposureKind::Sessions, 0, 0);
        assert_eq!(none.why_not_this_kind(), None);
        assert_eq!(
            exposures(ExposureKind::Sessions, 5, 5).why_not_this_kind(),
            None
        );
    }

    #[test]
    fn sides_without_an_exposure_are_named() {
        let only_candidate = exposures(ExposureKind::Sessions, 900, 0);
        assert!(!only_candidate.all_have_some());
        assert_eq!(
            only_candidate.why_not_this_kind().as_deref(),
            Some("not per sessions: the baseline 1.0 has none in its window")
        );
        let none = exposures(ExposureKind::Transactions, 0, 0);
        let reason = no_common_exposure(Some(&only_candidate), &none, Wording::Flags);
        assert!(
            reason.contains("2.0 900 sessions and 0 transactions"),
            "{reason}"
        );
        assert!(
            reason.contains("1.0 0 sessions and 0 transactions"),
            "{reason}"
        );
        let structural = no_common_exposure(None, &none, Wording::Flags);
        assert!(
            structural.contains("let --on-inconclusive decide"),
            "{structural}"
        );
        let api = no_common_exposure(None, &none, Wording::Api);
        assert!(
            api.contains("let the gate's on_inconclusive setting decide"),
            "{api}"
        );
        assert!(
            structural.contains("send sessions (release health)"),
            "{structural}"
        );
    }
}
