//! Rule `latency` against the fake Sentry: transaction durations (exponential, so the p95 is
//! about three times the mean) and failures of the release against the baseline's.

use super::*;

/// The candidate's mean duration and failure rate; the baseline keeps the steady 100 ms and 1%.
async fn watch_with(mean_duration_ms: f64, failure_rate: f64, extra: &[&str]) -> Report {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| {
        let candidate = &mut w.release(CANDIDATE).traffic;
        candidate.mean_duration_ms = mean_duration_ms;
        candidate.failure_rate = failure_rate;
    });
    let report = run_gate(&fake, &policy(extra), &Acks::default())
        .await
        .unwrap();
    let requests = fake.requests_to("/events/");
    assert!(
        requests.iter().any(|r| r.contains("dataset=spans")
            && r.contains("field=count()&field=p95(span.duration)")
            && r.contains("query=is_transaction:true release:2.0.0")),
        "{requests:?}"
    );
    report
}

#[tokio::test]
async fn unchanged_durations_pass_with_the_numbers_shown() {
    let report = watch_with(100.0, 0.01, &[]).await;
    assert_eq!(report.verdict, Verdict::Pass, "{}", report.text());
    let latency = rule(&report, Rule::Latency);
    assert_eq!(latency.status, Status::Pass, "{}", latency.detail);
    assert_eq!(latency.value, "p95 300 ms");
    assert_eq!(latency.baseline.as_deref(), Some("p95 300 ms"));
    assert!(
        latency
            .detail
            .contains("slower than 359 ms (+20% on the baseline's p95)"),
        "{}",
        latency.detail
    );
    assert!(
        report.text().contains("latency           p95 300 ms"),
        "{}",
        report.text()
    );
}

#[tokio::test]
async fn a_slower_release_fails() {
    let report = watch_with(150.0, 0.01, &[]).await;
    assert_eq!(report.verdict, Verdict::Fail, "{}", report.text());
    let latency = rule(&report, Rule::Latency);
    assert_eq!(latency.status, Status::Fail);
    assert_eq!(latency.value, "p95 449 ms");
    assert_eq!(report.failed_rules(), ["latency"]);
}

#[tokio::test]
async fn more_failed_transactions_fail() {
    let report = watch_with(100.0, 0.03, &[]).await;
    assert_eq!(report.verdict, Verdict::Fail, "{}", report.text());
    let latency = rule(&report, Rule::Latency);
    assert!(
        latency.detail.contains("failed transactions") && latency.detail.contains("×3.00"),
        "{}",
        latency.detail
    );
}

#[tokio::test]
async fn a_release_at_the_margin_is_inconclusive() {
    // Exactly 20% slower: as many transactions beyond 1.2 × the baseline's p95 as the baseline
    // has beyond its p95, so nothing can be shown either way.
    let report = watch_with(120.0, 0.01, &[]).await;
    assert_eq!(report.verdict, Verdict::Inconclusive, "{}", report.text());
    assert_eq!(rule(&report, Rule::Latency).status, Status::Inconclusive);
    assert!(report.reason.contains("latency"), "{}", report.reason);
}

#[tokio::test]
async fn too_few_transactions_are_inconclusive() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| {
        for version in [BASELINE, CANDIDATE] {
            w.release(version).traffic.transactions_per_minute = 40.0;
        }
    });
    let report = run_gate(
        &fake,
        &policy(&["--min-transactions", "1000"]),
        &Acks::default(),
    )
    .await
    .unwrap();
    let latency = rule(&report, Rule::Latency);
    assert_eq!(latency.status, Status::Inconclusive, "{}", latency.detail);
    assert!(
        latency
            .hint
            .as_deref()
            .unwrap()
            .contains("of the 1000 transactions needed (--min-transactions)"),
        "{:?}",
        latency.hint
    );
}

#[tokio::test]
async fn projects_without_transactions_skip_it_with_the_reason() {
    let fake = FakeSentry::start(world(deploy_time()));
    fake.with(|w| {
        w.projects[0].has_sessions = true;
        for version in [BASELINE, CANDIDATE] {
            let traffic = &mut w.release(version).traffic;
            traffic.transactions_per_minute = 0.0;
            traffic.sessions_per_minute = 1000.0;
            traffic.crash_free = 0.999;
        }
    });
    let report = run_gate(&fake, &policy(&[]), &Acks::default())
        .await
        .unwrap();
    let latency = rule(&report, Rule::Latency);
    assert_eq!(latency.status, Status::Skipped);
    assert!(
        latency
            .detail
            .contains("the projects send no transactions (tracing is off)"),
        "{}",
        latency.detail
    );
    assert_eq!(
        fake.requests_to("/events/")
            .iter()
            .filter(|r| r.contains("span.duration:>"))
            .count(),
        0,
        "nothing is counted against a threshold no one has"
    );
}
