//! Points in time as the command line, the tools and Sentry write them.

use chrono::{DateTime, SecondsFormat, Utc};

/// A date given by a user that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{what} {value:?} is not a time ({reason}): give unix seconds (e.g. 1714564800) or an RFC 3339 date (e.g. 2024-05-01T12:00:00Z)"
)]
pub struct InvalidTime {
    /// The flag or parameter it was given as.
    pub what: String,
    /// The value given.
    pub value: String,
    /// Why it does not parse.
    pub reason: String,
}

/// Reads a time given as unix seconds (`1714564800`, `1714564800.25`) or as an RFC 3339 date:
/// the one parser behind every time flag and parameter, as sentry-cli takes them.
pub fn parse_user_instant(value: &str, what: &str) -> Result<DateTime<Utc>, InvalidTime> {
    let text = value.trim();
    let invalid = |reason: String| InvalidTime {
        what: what.to_owned(),
        value: value.to_owned(),
        reason,
    };
    if text.starts_with(|c: char| c.is_ascii_digit())
        && text.chars().all(|c| c.is_ascii_digit() || c == '.')
    {
        return unix_seconds(text).ok_or_else(|| invalid("out of range for unix seconds".into()));
    }
    DateTime::parse_from_rfc3339(text)
        .map(|date| date.with_timezone(&Utc))
        .map_err(|e| invalid(e.to_string()))
}

/// `SECONDS[.FRACTION]` since 1970 (at most nanosecond precision is kept).
fn unix_seconds(text: &str) -> Option<DateTime<Utc>> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.contains('.') {
        return None;
    }
    let seconds: i64 = whole.parse().ok()?;
    let digits: String = fraction
        .chars()
        .chain(std::iter::repeat('0'))
        .take(9)
        .collect();
    let nanos: u32 = digits.parse().ok()?;
    DateTime::from_timestamp(seconds, nanos)
}

/// Checks a time given as `what` (unix seconds or RFC 3339) and returns it in UTC, in Sentry's form.
pub fn parse_user_time(value: &str, what: &str) -> Result<String, InvalidTime> {
    parse_user_instant(value, what).map(user_timestamp)
}

/// A time given by a user in Sentry's form, in UTC, keeping any fraction of a second.
pub fn user_timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
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
            err.contains("--started") && err.contains("RFC 3339") && err.contains("unix seconds"),
            "{err}"
        );
        assert_eq!(parse_optional_user_time(None, "x"), Ok(None));
    }

    #[test]
    fn user_times_take_unix_seconds_like_sentry_cli() {
        assert_eq!(
            parse_user_time("1714564800", "--started").unwrap(),
            "2024-05-01T12:00:00Z"
        );
        assert_eq!(
            parse_user_time(" 1714564800.5 ", "--started").unwrap(),
            "2024-05-01T12:00:00.500Z"
        );
        for bad in ["1.2.3", "99999999999999999999", "-5", "1e9", ""] {
            assert!(parse_user_time(bad, "--started").is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn unix_seconds_and_rfc3339_name_the_same_instant(seconds in 0i64..4_102_444_800) {
            let date = DateTime::from_timestamp(seconds, 0).unwrap();
            let from_unix = parse_user_instant(&seconds.to_string(), "t").unwrap();
            let from_rfc = parse_user_instant(&timestamp(date), "t").unwrap();
            proptest::prop_assert_eq!(from_unix, date);
            proptest::prop_assert_eq!(from_rfc, date);
        }

        #[test]
        fn any_text_parses_or_names_the_flag(text in "\\PC{0,40}") {
            match parse_user_instant(&text, "--finished") {
                Ok(_) => {}
                Err(e) => proptest::prop_assert!(e.to_string().contains("--finished")),
            }
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
