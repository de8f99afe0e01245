//! Acknowledged issues: known problems a team accepts for a while, kept in the repository for review.
//!
//! ```toml
//! [[ack]]
//! issue = "WEB-4F2"                  # a short id, or instead:
//! # title = "ResizeObserver loop*"   # a title pattern (`*` matches anything, case-insensitive)
//! reason = "third-party noise, fix tracked in #1234"
//! until = 2026-10-01                 # last day the acknowledgement holds (UTC)
//! owner = "@team-web"                # optional
//! ```

use crate::sentry::models::Issue;
use chrono::NaiveDate;
use serde::Deserialize;
use std::path::Path;

/// The default file name, looked up in the working directory.
pub const DEFAULT_FILE: &str = ".sentry-gate.toml";

/// What an acknowledgement applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AckTarget {
    /// One issue, by short id (compared case-insensitively).
    ShortId(String),
    /// Issues whose title matches a `*` pattern (case-insensitive).
    Title(String),
}

/// One acknowledged issue or family of issues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    /// What it applies to.
    pub target: AckTarget,
    /// Why it is accepted.
    pub reason: String,
    /// The last day it holds.
    pub until: NaiveDate,
    /// Who answers for it.
    pub owner: Option<String>,
}

/// How an issue relates to the acknowledgements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckState<'a> {
    /// Accepted: the issue does not count.
    Active(&'a Ack),
    /// It was accepted until a day that has passed: the issue counts again.
    Expired(&'a Ack),
}

/// The acknowledgements in force for a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Acks {
    acks: Vec<Ack>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AckFile {
    #[serde(default)]
    ack: Vec<RawAck>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAck {
    issue: Option<String>,
    title: Option<String>,
    reason: Option<String>,
    until: Option<toml::Value>,
    owner: Option<String>,
}

/// An acknowledgements file that cannot be used; the message says where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidAcks(String);

impl Acks {
    /// Reads the file; a missing file is no acknowledgements only when it is the default one.
    pub fn load(path: &Path) -> Result<Self, InvalidAcks> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                Self::parse(&text).map_err(|e| InvalidAcks(format!("{}: {e}", path.display())))
            }
            Err(e)
                if e.kind() == std::io::ErrorKind::NotFound && path == Path::new(DEFAULT_FILE) =>
            {
                Ok(Self::default())
            }
            Err(e) => Err(InvalidAcks(format!(
                "cannot read the acknowledgements file {}: {e}",
                path.display()
            ))),
        }
    }

    /// Parses the TOML text; every entry needs a target, a reason and an expiry date.
    pub fn parse(text: &str) -> Result<Self, InvalidAcks> {
        let file: AckFile = toml::from_str(text).map_err(|e| InvalidAcks(e.to_string()))?;
        let acks = file
            .ack
            .into_iter()
            .enumerate()
            .map(|(index, raw)| {
                Ack::from_raw(raw)
                    .map_err(|e| InvalidAcks(format!("[[ack]] number {}: {e}", index + 1)))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { acks })
    }

    /// Whether any acknowledgement exists.
    pub fn is_empty(&self) -> bool {
        self.acks.is_empty()
    }

    /// The acknowledgement that covers an issue on `today`: an active one wins over an expired one.
    pub fn state_of(&self, issue: &Issue, today: NaiveDate) -> Option<AckState<'_>> {
        let mut matching = self.acks.iter().filter(|ack| ack.covers(issue));
        let first = matching.clone().next()?;
        match matching.find(|ack| today <= ack.until) {
            Some(active) => Some(AckState::Active(active)),
            None => Some(AckState::Expired(first)),
        }
    }
}

impl Ack {
    fn from_raw(raw: RawAck) -> Result<Self, String> {
        let non_empty =
            |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let target = match (non_empty(raw.issue), non_empty(raw.title)) {
            (Some(short_id), None) => AckTarget::ShortId(short_id),
            (None, Some(pattern)) => AckTarget::Title(pattern),
            _ => {
                return Err(
                    "give exactly one of `issue` (a short id) or `title` (a pattern)".into(),
                );
            }
        };
        let reason =
            non_empty(raw.reason).ok_or("`reason` is required: say why the issue is accepted")?;
        let until = match raw.until {
            Some(toml::Value::Datetime(date)) => date
                .date
                .and_then(|d| NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())),
            Some(toml::Value::String(text)) => {
                NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
            }
            _ => None,
        }
        .ok_or("`until` is required and must be a date such as 2026-10-01")?;
        Ok(Self {
            target,
            reason,
            until,
            owner: non_empty(raw.owner),
        })
    }

    fn covers(&self, issue: &Issue) -> bool {
        match &self.target {
            AckTarget::ShortId(short_id) => short_id.eq_ignore_ascii_case(&issue.short_id),
            AckTarget::Title(pattern) => wildcard_match(pattern, &issue.title),
        }
    }

    /// How the acknowledgement reads in a report: what, why, until when, by whom.
    pub fn describe(&self) -> String {
        let owner = self
            .owner
            .as_deref()
            .map(|o| format!(", owner {o}"))
            .unwrap_or_default();
        format!("{} (until {}{owner})", self.reason, self.until)
    }
}

/// Case-insensitive match of a whole text against a pattern where `*` stands for any run of characters.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.to_lowercase().chars().collect();
    let text: Vec<char> = text.to_lowercase().chars().collect();
    let (mut p, mut t) = (0, 0);
    // Where the last `*` was, and the text position it currently absorbs up to.
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == '*' {
            backtrack = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star, absorbed)) = backtrack {
            p = star + 1;
            t = absorbed + 1;
            backtrack = Some((star, absorbed + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(short_id: &str, title: &str) -> Issue {
        serde_json::from_value(serde_json::json!({"id": "1", "shortId": short_id, "title": title}))
            .unwrap()
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    const FILE: &str = r#"
[[ack]]
issue = "web-4f2"
reason = "third-party SDK noise"
until = 2026-10-01
owner = "@team-web"

[[ack]]
title = "ResizeObserver loop*"
reason = "browser noise"
until = "2026-01-31"
"#;

    #[test]
    fn parses_both_targets_and_both_date_forms() {
        let acks = Acks::parse(FILE).unwrap();
        assert_eq!(acks.acks.len(), 2);
        assert_eq!(acks.acks[0].target, AckTarget::ShortId("web-4f2".into()));
        assert_eq!(acks.acks[0].until, day("2026-10-01"));
        assert_eq!(acks.acks[0].owner.as_deref(), Some("@team-web"));
        assert_eq!(acks.acks[1].until, day("2026-01-31"));
    }

    #[test]
    fn an_acknowledgement_holds_through_its_last_day_then_expires() {
        let acks = Acks::parse(FILE).unwrap();
        let known = issue("WEB-4F2", "TypeError: x");
        assert!(matches!(
            acks.state_of(&known, day("2026-10-01")),
            Some(AckState::Active(_))
        ));
        assert!(matches!(
            acks.state_of(&known, day("2026-10-02")),
            Some(AckState::Expired(_))
        ));
        assert_eq!(
            acks.state_of(&issue("WEB-1", "other"), day("2026-01-01")),
            None
        );
    }

    #[test]
    fn title_patterns_match_whole_titles_case_insensitively() {
        let acks = Acks::parse(FILE).unwrap();
        let noisy = issue("WEB-9", "resizeobserver LOOP limit exceeded");
        assert!(matches!(
            acks.state_of(&noisy, day("2026-01-15")),
            Some(AckState::Active(_))
        ));
        assert!(wildcard_match("*timeout*", "Gateway Timeout on /api"));
        assert!(wildcard_match("a*b*c", "aXXbYYc"));
        assert!(!wildcard_match("a*b", "aXXbYYc"));
        assert!(!wildcard_match("Timeout", "Gateway Timeout"));
        assert!(wildcard_match("*", ""));
    }

    #[test]
    fn incomplete_entries_are_refused_with_the_reason() {
        let cases = [
            (
                "[[ack]]\nissue = \"A-1\"\nuntil = 2026-01-01\n",
                "`reason` is required",
            ),
            (
                "[[ack]]\nissue = \"A-1\"\nreason = \"r\"\n",
                "`until` is required",
            ),
            (
                "[[ack]]\nissue = \"A-1\"\ntitle = \"x\"\nreason = \"r\"\nuntil = 2026-01-01\n",
                "exactly one",
            ),
            (
                "[[ack]]\nissue = \"A-1\"\nreason = \"r\"\nuntill = 2026-01-01\n",
                "unknown field",
            ),
            (
                "[[ack]]\nissue = \"A-1\"\nreason = \"r\"\nuntil = \"soon\"\n",
                "a date",
            ),
        ];
        for (text, message) in cases {
            let err = Acks::parse(text).unwrap_err().to_string();
            assert!(err.contains(message), "{text}: {err}");
        }
    }

    #[test]
    fn only_the_default_file_may_be_missing() {
        assert_eq!(
            Acks::load(Path::new(DEFAULT_FILE)).unwrap(),
            Acks::default()
        );
        let err = Acks::load(Path::new("/nonexistent/acks.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot read"), "{err}");
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_read_or_refused_with_a_reason(text in "\\PC{0,200}") {
            if let Err(error) = Acks::parse(&text) {
                proptest::prop_assert!(!error.to_string().is_empty());
            }
        }

        #[test]
        fn written_entries_read_back_and_hold_until_their_day(
            entries in proptest::collection::vec(
                ("[A-Z]{2,6}-[0-9A-Z]{1,4}", "[a-z ]{1,30}", 0u32..3650),
                0..6,
            ),
        ) {
            let base = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
            let mut text = String::new();
            for (issue, reason, days) in &entries {
                let until = base + chrono::Days::new(u64::from(*days));
                text.push_str(&format!(
                    "[[ack]]\nissue = \"{issue}\"\nreason = \"x{reason}\"\nuntil = {until}\n"
                ));
            }
            let acks = Acks::parse(&text).unwrap();
            proptest::prop_assert_eq!(acks.is_empty(), entries.is_empty());
            for (issue, _, days) in &entries {
                let until = base + chrono::Days::new(u64::from(*days));
                let seen: Issue = serde_json::from_value(serde_json::json!(
                    {"id": "1", "shortId": issue.to_lowercase(), "title": "t"}
                ))
                .unwrap();
                let covering: Vec<&Ack> = acks.acks.iter().filter(|a| a.covers(&seen)).collect();
                let active_then = covering.iter().any(|a| until <= a.until);
                proptest::prop_assert!(active_then);
                proptest::prop_assert!(matches!(acks.state_of(&seen, until), Some(AckState::Active(_))));
                let latest = covering.iter().map(|a| a.until).max().unwrap();
                let after = latest + chrono::Days::new(1);
                proptest::prop_assert!(matches!(acks.state_of(&seen, after), Some(AckState::Expired(_))));
            }
        }
    }
}
