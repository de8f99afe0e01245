//! The GitHub Action: its declared interface, and the binary run the way the action runs it.

use std::collections::BTreeSet;

/// Inputs and outputs the contract names for `action.yml`.
const CONTRACT_INPUTS: &[&str] = &[
    "auth_token",
    "url",
    "org",
    "projects",
    "version",
    "environment",
    "set_commits",
    "from",
    "paths",
    "finalize",
    "deploy",
    "gate",
    "gate_soak",
    "gate_max_new_issues",
    "gate_on_inconclusive",
    "working_directory",
];
const CONTRACT_OUTPUTS: &[&str] = &[
    "version",
    "commit_count",
    "release_url",
    "deploy_id",
    "gate_result",
    "new_issues",
];

/// The keys declared directly under a top-level section (`inputs:` / `outputs:`) of action.yml.
fn declared(section: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml")).unwrap();
    let mut inside = false;
    let mut keys = BTreeSet::new();
    for line in text.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            inside = line.trim_end() == format!("{section}:");
            continue;
        }
        let is_key =
            line.starts_with("  ") && !line.starts_with("   ") && line.trim_end().ends_with(':');
        if inside && is_key {
            keys.insert(line.trim().trim_end_matches(':').to_owned());
        }
    }
    keys
}

#[test]
fn declares_every_contract_input_and_output() {
    let inputs = declared("inputs");
    for input in CONTRACT_INPUTS {
        assert!(
            inputs.contains(*input),
            "input {input} is not declared in action.yml"
        );
    }
    let outputs = declared("outputs");
    for output in CONTRACT_OUTPUTS {
        assert!(
            outputs.contains(*output),
            "output {output} is not declared in action.yml"
        );
    }
}

#[test]
fn never_interpolates_expressions_into_shell_scripts() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml")).unwrap();
    for line in text.lines().filter(|l| l.trim_start().starts_with("run:")) {
        assert!(!line.contains("${{"), "expression inside run: {line}");
    }
}
