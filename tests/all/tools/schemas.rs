//! Tests: every tool that declares an output schema answers what it declares, and no other tool
//! sends structured content.

use super::*;
use crate::support::schema::assert_conforms;

/// The tools that declare an output schema (check_release_health's answer is checked in gate.rs,
/// where a whole fake Sentry runs the gate).
const WITH_SCHEMA: &[&str] = &["check_release_health", "analyze_issue_with_seer"];

fn declared(name: &str) -> Value {
    let registry = Registry::new();
    let tool = registry.get(name).unwrap();
    Value::Object(tool.output_schema().cloned().expect("a declared schema"))
}

#[test]
fn only_the_tools_whose_answers_programs_branch_on_declare_a_schema() {
    let registry = Registry::new();
    let declaring: Vec<&str> = registry
        .visible(false)
        .filter(|t| t.output_schema().is_some())
        .map(|t| t.name)
        .collect();
    assert_eq!(declaring, WITH_SCHEMA);
    for name in WITH_SCHEMA {
        let schema = declared(name);
        assert_eq!(schema["type"], json!("object"), "{name}");
        assert!(
            !schema.to_string().contains("\"description\""),
            "{name}: output schemas carry no descriptions"
        );
    }
}

#[tokio::test]
async fn seer_answers_conform_running_and_finished() {
    for state in [
        json!({"autofix": {"run_id": 5, "status": "PROCESSING", "blocks": []}}),
        json!({"autofix": {"run_id": "run-5", "status": "COMPLETED", "updated_at": "2025-04-09T22:39:50Z",
                           "steps": [{"causes": [{"description": "x"}]}]}}),
        json!({"autofix": {"status": "ERROR"}}),
    ] {
        let mut server = mockito::Server::new_async().await;
        get(
            &mut server,
            "/api/0/organizations/acme/issues/WEB-1/autofix/",
            Matcher::Any,
            &state,
        )
        .await;
        let ctx = context(&server, Some("acme"), &[]);
        let out = ok(
            &ctx,
            "analyze_issue_with_seer",
            json!({"issue_id": "WEB-1", "wait_seconds": 0}),
        )
        .await;
        assert_conforms(
            "analyze_issue_with_seer",
            &declared("analyze_issue_with_seer"),
            &out.structured,
        );
    }
}
