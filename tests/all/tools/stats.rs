//! Tests: project stats by hour, day and week.

use super::*;

/// 2025-03-03 00:00 UTC, a Monday.
const MONDAY: i64 = 1_740_960_000;
const DAY: i64 = 86_400;

#[tokio::test]
async fn weekly_stats_ask_for_days_and_sum_them_into_weeks() {
    let mut server = mockito::Server::new_async().await;
    let days: Vec<Value> = (0..10).map(|d| json!([MONDAY + d * DAY, d + 1])).collect();
    let mock = server
        .mock("GET", "/api/0/projects/acme/web/stats/")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("stat".into(), "received".into()),
            Matcher::UrlEncoded("resolution".into(), "1d".into()),
        ]))
        .match_request(|r| {
            let query = query_of(r);
            let since: i64 = query["since"].parse().unwrap();
            let until: i64 = query["until"].parse().unwrap();
            let weeks = (until - since) as f64 / (7 * DAY) as f64;
            (since - MONDAY) % (7 * DAY) == 0 && (11.0..=12.0).contains(&weeks)
        })
        .with_body(Value::Array(days).to_string())
        .expect(1)
        .create_async()
        .await;
    let ctx = context(&server, Some("acme"), &["web"]);

    let out = ok(&ctx, "get_project_stats", json!({"resolution": "1w"})).await;

    mock.assert_async().await;
    assert_eq!(out.structured["total"], json!(55));
    assert_eq!(out.structured["resolution"], json!("1w"));
    assert_eq!(
        out.structured["points"],
        json!([
            {"start": "2025-03-03T00:00:00+00:00", "count": 28},
            {"start": "2025-03-10T00:00:00+00:00", "count": 27}
        ])
    );
    assert_eq!(
        out.text,
        "Received events of acme/web, weekly (from Monday) over the last 12 weeks: 55 in total, peak 28 (week of 2025-03-03), latest 27.\n\
         week of 2025-03-03  28\n\
         week of 2025-03-10  27"
    );
}

#[tokio::test]
async fn hourly_stats_cover_the_last_24_hours() {
    let mut server = mockito::Server::new_async().await;
    let mock = server
        .mock("GET", "/api/0/projects/acme/api/stats/")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("stat".into(), "rejected".into()),
            Matcher::UrlEncoded("resolution".into(), "1h".into()),
        ]))
        .match_request(|r| {
            let query = query_of(r);
            let span =
                query["until"].parse::<i64>().unwrap() - query["since"].parse::<i64>().unwrap();
            span == DAY
        })
        .with_body(json!([[MONDAY, 0], [MONDAY + 3_600, 7]]).to_string())
        .expect(1)
        .create_async()
        .await;
    let ctx = context(&server, None, &[]);

    let out = ok(
        &ctx,
        "get_project_stats",
        json!({"organization_slug": "acme", "project_slug": "api", "stat": "rejected", "resolution": "1h"}),
    )
    .await;

    mock.assert_async().await;
    assert_eq!(out.structured["total"], json!(7));
    assert_eq!(
        out.text.lines().collect::<Vec<_>>(),
        [
            "Rejected events of acme/api, hourly over the last 24 hours: 7 in total, peak 7 (2025-03-03 01:00), latest 7.",
            "2025-03-03 00:00  0",
            "2025-03-03 01:00  7",
        ]
    );
}
