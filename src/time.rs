//! Points in time as the command line, the tools and Sentry write them.

use chrono::{DateTime, SecondsFormat, Utc};

/// A date given by a user that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {value:?} is not an RFC 3339 date ({reason}): use e.g. 2024-05-01T12:00:00Z")]
pub struct InvalidTime {
    /// The flag or parameter it was given as.
    pub what: String,
    /// The value given.
    pub value: String,
    /// Why it does not parse.
    pub reason: String,
}

/// Checks an RFC 3339 date given as `what` and returns it in UTC, in Sentry's form.
pub fn parse_user_time(value: &str, what: &str) -> Result<String, InvalidTime> {
    DateTime::parse_from_rfc3339(value.trim())
        .map(|date| {
            date.with_timezone(&Utc)
                .to_rfc3339_opts(SecondsFormat::AutoSi, true)
        })
        .map_err(|e| InvalidTime {
            what: what.to_owned(),
            value: value.to_owned(),
            reason: e.to_string(),
        })
}

/// Reads an instant given as unix seconds (`1714564800`, fractions allowed) or as an RFC 3339
/// date, e.g. `--at`.
pub fn parse_user_instant(value: &str, what: &str) -> Result<DateTime<Utc>, InvalidTime> {
    let text = value.trim();
    let invalid = |reason: &str| InvalidTime {
        what: what.to_owned(),
        value: value.to_owned(),
        reason: reason.to_owned(),
    };
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let seconds: f64 = text
            .parse()
            .map_err(|_| invalid("nor a number of unix seconds"))?;
        let whole = seconds.trunc();
        let nanos = ((seconds - whole) * 1e9).round().min(999_999_999.0) as u32;
        return (whole < i64::MAX as f64)
            .then(|| DateTime::from_timestamp(whole as i64, nanos))
            .flatten()
            .ok_or_else(|| invalid("unix seconds out of range"));
    }
    DateTime::parse_from_rfc3339(text)
        .map(|date| date.with_timezone(&Utc))
        .map_err(|e| invalid(&format!("{e}, nor unix seconds")))
}

/// [`parse_user_time`] for an optional value.
pub fn parse_optional_user_time(
    value: Option<&str>,
    what: &str,
) -> Result<Option<String>, InvalidTime> {
    value.map(|v| parse_user_time(v, what)).transpose()
}

/// Sentry's timestamp form with whole seconds, e.g. `2026-03-01T12:00:00Z`.
pub fn timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The current time in Sentry's form.
pub fn now_timestamp() -> String {
    timestamp(Utc::now())
}

/// Reads one of Sentry's ISO-8601 timestamps.
pub fn parse_sentry_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// An ISO-8601 time shortened to whole seconds in UTC; other text is kept as it is.
pub fn short_time(value: &str) -> String {
    DateTime::parse_from_rfc3339(value)
        .map(|t| {
            t.with_timezone(&Utc)
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string()
        })
        .unwrap_or_else(|_| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_times_are_checked_and_normalised_to_utc() {
        assert_eq!(
            parse_user_time("2024-05-01T14:00:00+02:00", "--started").unwrap(),
            "2024-05-01T12:00:00Z"
        );
        let err = parse_user_time("yesterday", "--started")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--started") && err.contains("RFC 3339"),
            "{err}"
        );
        assert_eq!(parse_optional_user_time(None, "x"), Ok(None));
    }

    #[test]
    fn instants_are_unix_seconds_or_rfc_3339() {
        let noon = parse_sentry_time("2026-03-01T12:00:00Z").unwrap();
        assert_eq!(parse_user_instant("1772366400", "--at"), Ok(noon));
        assert_eq!(
            parse_user_instant("2026-03-01T13:00:00+01:00", "--at"),
            Ok(noon)
        );
        assert_eq!(
            parse_user_instant("1772366400.5", "--at").unwrap(),
            noon + chrono::TimeDelta::milliseconds(500)
        );
        for bad in ["", "yesterday", "1.2.3", "99999999999999999999999"] {
            let error = parse_user_instant(bad, "--at").unwrap_err().to_string();
            assert!(error.contains("--at"), "{bad}: {error}");
        }
    }

    #[test]
    fn sentry_times_round_trip() {
        let time = parse_sentry_time("2026-03-01T12:00:00Z").unwrap();
        assert_eq!(timestamp(time), "2026-03-01T12:00:00Z");
        assert_eq!(parse_sentry_time("soon"), None);
    }

    #[test]
    fn times_are_shortened_to_seconds_in_utc() {
        assert_eq!(
            short_time("2025-04-03T22:51:19.403000Z"),
            "2025-04-03T22:51:19Z"
        );
        assert_eq!(
            short_time("2025-04-03T23:51:19+01:00"),
            "2025-04-03T22:51:19Z"
        );
        assert_eq!(short_time("yesterday"), "yesterday");
    }
}
