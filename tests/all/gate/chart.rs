//! The picture of the watch: a Mermaid `xychart-beta` of the release's error rate against the
//! baseline's and the threshold, in the GitHub job summary under the verdict and in the Markdown
//! report file (GitLab), parsed to be sure it is well formed and says what the report says.

use super::*;
use crate::support::xychart::{mermaid_block, parse};

#[test]
fn the_parser_takes_the_subset_and_refuses_the_rest() {
    let good = "%%{init: {\"themeVariables\": {\"xyChart\": {\"plotColorPalette\": \"#cf222e, #0969da\"}}}}%%\n\
                xychart-beta\n    title \"Rates\"\n    x-axis \"time\" [\"0s\", \"1m\"]\n    \
                y-axis \"per 1k\" 0 --> 3\n    line [1, 2.5]\n    line [2, 2]";
    let chart = parse(good).unwrap();
    assert_eq!(chart.categories, ["0s", "1m"]);
    assert_eq!(chart.lines, [vec![1.0, 2.5], vec![2.0, 2.0]]);
    assert_eq!(chart.palette, ["#cf222e", "#0969da"]);
    for (bad, why) in [
        (
            good.replace("line [1, 2.5]", "line [1]"),
            "a line of 1 values",
        ),
        (
            good.replace("line [1, 2.5]", "line [1, 4]"),
            "off the y axis",
        ),
        (
            good.replace("title \"Rates\"", "title Two words"),
            "quoted text",
        ),
        (
            good.replace("xychart-beta", "xychart-alpha"),
            "expected xychart-beta",
        ),
        (
            good.replace("    line [2, 2]", "    pie [2, 2]"),
            "unknown or repeated",
        ),
        (good.replace("0 --> 3", "3 --> 0"), "an empty y range"),
        (good.replace("#0969da", "blue"), "not a #rrggbb"),
        (
            good.replace("line [1, 2.5]", "line [1, two]"),
            "not a number",
        ),
    ] {
        let error = parse(&bad).unwrap_err();
        assert!(error.contains(why), "{why}: {error}");
    }
}

/// Replays the default watch of a fake's release deployed two days ago, with GitHub's files.
fn replay_on_github(
    fake: &FakeSentry,
    dir: &std::path::Path,
    extra: &[&str],
) -> std::process::Output {
    let at = (Utc::now() - TimeDelta::days(2) + minutes(15)).timestamp();
    let mut cmd = binary(&fake.url);
    cmd.args([
        "--org",
        ORG,
        "--project",
        "web",
        "release",
        "gate",
        CANDIDATE,
    ])
    .args(["--env", "production", "--at", &at.to_string()])
    .args(extra)
    .env("GITHUB_ACTIONS", "true")
    .env("GITHUB_OUTPUT", dir.join("output"))
    .env("GITHUB_STEP_SUMMARY", dir.join("summary"))
    .current_dir(std::env::temp_dir());
    cmd.output().unwrap()
}

#[test]
fn the_job_summary_charts_the_rates_under_the_verdict() {
    let fake = FakeSentry::start(world(Utc::now() - TimeDelta::days(2)));
    fake.with(|w| w.release(CANDIDATE).traffic.errors_per_minute = 26.0);
    let dir = tempfile::tempdir().unwrap();
    let report_file = dir.path().join("gate.md");
    let output = replay_on_github(
        &fake,
        dir.path(),
        &[
            "--output",
            "json",
            "--markdown",
            report_file.to_str().unwrap(),
        ],
    );
    assert_no_token(&output);
    let report: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    let summary = std::fs::read_to_string(dir.path().join("summary")).unwrap();

    // Under the verdict and its reason, above the rule table.
    let heading = summary.find("## ").unwrap();
    let chart_at = summary.find("```mermaid").expect("a chart in the summary");
    let table_at = summary.find("| Rule |").unwrap();
    assert!(heading < chart_at && chart_at < table_at, "{summary}");
    assert!(
        summary.contains(
            "Red: 2.0.0. Blue: the baseline (1.0.0). Grey: the threshold, +25% over the baseline."
        ),
        "{summary}"
    );

    let chart = parse(&mermaid_block(&summary).unwrap()).unwrap();
    let trend = report["error_rate_trend"].as_array().unwrap();
    assert_eq!(trend.len(), report["looks"].as_u64().unwrap() as usize);
    assert_eq!(chart.categories.len(), trend.len(), "a point per look");
    assert_eq!(chart.categories[0], "0s");
    assert_eq!(chart.y_title, "errors per 1k transactions");
    assert_eq!(chart.lines.len(), 3, "release, baseline, threshold");
    assert_eq!(chart.palette.len(), 3);
    for (index, point) in trend.iter().enumerate() {
        for (line, field) in ["candidate", "baseline", "threshold"].iter().enumerate() {
            let expected = point[field].as_f64().unwrap();
            assert!(
                (chart.lines[line][index] - expected).abs() < 0.001,
                "{field} at look {index}: {} vs {expected}",
                chart.lines[line][index]
            );
        }
        let baseline = point["baseline"].as_f64().unwrap();
        assert!((point["threshold"].as_f64().unwrap() - baseline * 1.25).abs() < 1e-9);
    }
    assert!(
        (chart.lines[0].last().unwrap() - 2.6).abs() < 0.01,
        "the release's 26 errors per 10,000 transactions: {:?}",
        chart.lines[0]
    );

    // GitLab's Markdown report has the same chart.
    let markdown = std::fs::read_to_string(&report_file).unwrap();
    assert_eq!(markdown, summary, "the report file is the job summary");
}

#[test]
fn text_output_keeps_its_table_and_a_watch_without_rates_has_no_chart() {
    let fake = FakeSentry::start(world(Utc::now() - TimeDelta::days(2)));
    let dir = tempfile::tempdir().unwrap();
    let output = replay_on_github(&fake, dir.path(), &[]);
    let text = stdout(&output);
    assert!(text.contains("RULE              VALUE"), "{text}");
    assert!(!text.contains("xychart"), "{text}");

    fake.with(|w| w.releases.retain(|r| r.version == CANDIDATE));
    let dir = tempfile::tempdir().unwrap();
    replay_on_github(&fake, dir.path(), &[]);
    let summary = std::fs::read_to_string(dir.path().join("summary")).unwrap();
    assert!(summary.contains("## "), "{summary}");
    assert!(
        !summary.contains("```mermaid"),
        "no baseline, no rates to chart: {summary}"
    );
}
