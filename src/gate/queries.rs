//! Sentry's search syntax for the gate's questions: new and regressed issues, errors, transactions.

use super::policy::Policy;
use crate::text::plain_number;
use crate::time::timestamp;
use chrono::{DateTime, Utc};

/// A search value, quoted when it holds characters the search grammar would split on.
pub fn search_value(value: &str) -> String {
    let plain = !value.is_empty()
        && !value.starts_with('[')
        && !value
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '(' | ')' | '"' | ','));
    if plain {
        value.to_owned()
    } else {
        format!("\"{}\"", value.replace('"', "\\\""))
    }
}

fn with_extra_terms(mut terms: Vec<String>, policy: &Policy) -> String {
    terms.push(policy.level.search_term());
    if policy.issues.unhandled_only {
        terms.push("error.unhandled:true".into());
    }
    terms.extend(policy.query.clone());
    terms.join(" ")
}

/// `firstRelease:V firstSeen:>=T level:[...] [error.unhandled:true] EXTRA`: issues first seen in
/// the release since the deploy.
pub fn new_issue_query(policy: &Policy, since: Option<DateTime<Utc>>) -> String {
    let mut terms = vec![format!("firstRelease:{}", search_value(&policy.version))];
    terms.extend(since.map(|t| format!("firstSeen:>={}", timestamp(t))));
    with_extra_terms(terms, policy)
}

/// `is:regressed release:V lastSeen:>=T level:[...] EXTRA`: regressed issues seen in the release since the deploy.
pub fn regressed_query(policy: &Policy, since: Option<DateTime<Utc>>) -> String {
    let mut terms = vec![
        "is:regressed".to_owned(),
        format!("release:{}", search_value(&policy.version)),
    ];
    terms.extend(since.map(|t| format!("lastSeen:>={}", timestamp(t))));
    with_extra_terms(terms, policy)
}

/// `!event.type:transaction release:V level:[...]`: the error events of a release.
///
/// `!event.type:transaction` rather than `event.type:error`: message events at error level count
/// too, and servers that ignore `dataset` would otherwise mix in transactions.
pub fn error_terms(policy: &Policy, version: &str) -> String {
    format!(
        "!event.type:transaction release:{} {}",
        search_value(version),
        policy.level.search_term()
    )
}

/// `is_transaction:true release:V`: the transactions of a release.
pub fn transaction_terms(version: &str) -> String {
    format!("is_transaction:true release:{}", search_value(version))
}

/// `is_transaction:true release:V span.duration:>Tms`: the transactions of a release slower than
/// `threshold_ms` milliseconds.
pub fn slower_terms(version: &str, threshold_ms: f64) -> String {
    format!(
        "{} span.duration:>{}ms",
        transaction_terms(version),
        plain_number(threshold_ms)
    )
}

/// `is_transaction:true release:V !span.status:[ok,cancelled,unknown]`: the failed transactions
/// of a release, as Sentry's `failure_rate()` counts them.
pub fn failed_terms(version: &str) -> String {
    format!(
        "{} !span.status:[ok,cancelled,unknown]",
        transaction_terms(version)
    )
}

/// `release:V`: a release's sessions.
pub fn release_terms(version: &str) -> String {
    format!("release:{}", search_value(version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_sentry_time;

    fn at(text: &str) -> DateTime<Utc> {
        parse_sentry_time(text).unwrap()
    }

    fn policy(query: Option<&str>) -> Policy {
        let mut policy = Policy::single_check("1.2.0", "production", vec![]).unwrap();
        policy.query = query.map(str::to_owned);
        policy
    }

    #[test]
    fn issue_searches_use_the_release_the_deploy_time_and_the_level() {
        let since = Some(at("2026-03-01T12:00:00Z"));
        assert_eq!(
            new_issue_query(&policy(Some("!transaction:/health")), since),
            "firstRelease:1.2.0 firstSeen:>=2026-03-01T12:00:00Z level:[error,fatal] !transaction:/health"
        );
        assert_eq!(
            regressed_query(&policy(None), since),
            "is:regressed release:1.2.0 lastSeen:>=2026-03-01T12:00:00Z level:[error,fatal]"
        );
        assert_eq!(
            new_issue_query(&policy(None), None),
            "firstRelease:1.2.0 level:[error,fatal]"
        );
        let mut crashes = policy(Some("!transaction:/health"));
        crashes.issues.unhandled_only = true;
        assert_eq!(
            regressed_query(&crashes, None),
            "is:regressed release:1.2.0 level:[error,fatal] error.unhandled:true !transaction:/health"
        );
    }

    #[test]
    fn transaction_searches_name_the_duration_and_the_failed_statuses() {
        assert_eq!(
            slower_terms("web@2.0", 412.537),
            "is_transaction:true release:web@2.0 span.duration:>412.54ms"
        );
        assert_eq!(
            failed_terms("2.0"),
            "is_transaction:true release:2.0 !span.status:[ok,cancelled,unknown]"
        );
    }

    #[test]
    fn values_with_spaces_or_quotes_are_quoted() {
        assert_eq!(search_value("web@1.2.0+build"), "web@1.2.0+build");
        assert_eq!(search_value("my app 1.0"), "\"my app 1.0\"");
        assert_eq!(search_value("a\"b"), "\"a\\\"b\"");
        assert_eq!(search_value("[x]"), "\"[x]\"");
    }
}
