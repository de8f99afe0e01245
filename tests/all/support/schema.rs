//! Checks answers against the output schemas tools declare, with an independent JSON Schema
//! validator (the `jsonschema` crate), so a schema and the code that fills it cannot drift apart.

use serde_json::Value;

/// Fails the test unless `instance` conforms to `schema`, listing every violation.
pub fn assert_conforms(what: &str, schema: &Value, instance: &Value) {
    let validator = jsonschema::validator_for(schema)
        .unwrap_or_else(|e| panic!("{what}: the declared schema is not valid JSON Schema: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: the answer does not conform to its schema:\n{}\nanswer: {instance}",
        errors.join("\n")
    );
}
