//! The run's diagnostics on stderr: a level (`--log-level`, `SENTRY_LOG_LEVEL`) and scrubbed lines.
//!
//! Every line goes through the run's [`Secrets`], so a token or URL password that slips into a message is
//! masked before it is printed.

use super::redact::Secrets;
use crate::output::sanitize::terminal_safe;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Mutex, PoisonError};

/// How much is printed on stderr, sentry-cli's levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Level {
    /// Only errors.
    Error = 1,
    /// Errors and warnings (the default).
    #[default]
    Warn = 2,
    /// Also what the run is doing.
    Info = 3,
    /// Also every request (method, URL, status, duration, retries) and where each setting came from.
    Debug = 4,
    /// Also response sizes and content types.
    Trace = 5,
}

impl Level {
    /// The level's name, as `--log-level` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warn => "warn",
            Self::Info => "info",
            Self::Debug => "debug",
            Self::Trace => "trace",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warn => "warning",
            Self::Info => "info",
            Self::Debug => "debug",
            Self::Trace => "trace",
        }
    }
}

impl std::str::FromStr for Level {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "error" => Ok(Self::Error),
            "warn" | "warning" => Ok(Self::Warn),
            "info" => Ok(Self::Info),
            "debug" => Ok(Self::Debug),
            "trace" => Ok(Self::Trace),
            _ => Err(format!(
                "{text:?} is not a log level: use trace, debug, info, warn or error"
            )),
        }
    }
}

static LEVEL: AtomicU8 = AtomicU8::new(Level::Warn as u8);
static SECRETS: Mutex<Option<Secrets>> = Mutex::new(None);

/// Sets the run's level.
pub fn set_level(level: Level) {
    LEVEL.store(level as u8, Ordering::Relaxed);
}

/// Whether lines of `level` are printed.
pub fn enabled(level: Level) -> bool {
    level as u8 <= LEVEL.load(Ordering::Relaxed)
}

/// Adds secrets every printed line is scrubbed of.
pub fn add_secrets(secrets: &Secrets) {
    let mut kept = SECRETS.lock().unwrap_or_else(PoisonError::into_inner);
    let kept = kept.get_or_insert_with(Secrets::default);
    kept.merge(secrets);
}

/// `text` with URL credentials stripped and every registered secret masked.
pub fn scrub(text: &str) -> String {
    let kept = SECRETS.lock().unwrap_or_else(PoisonError::into_inner);
    match kept.as_ref() {
        Some(secrets) => secrets.scrub(text),
        None => super::redact::strip_url_credentials(text),
    }
}

/// Prints `message` at `level`, scrubbed, if the level is enabled.
pub fn emit(level: Level, message: &str) {
    if enabled(level) {
        eprintln!("{}: {}", level.prefix(), terminal_safe(&scrub(message)));
    }
}

/// A warning: something the user should know and probably fix.
pub fn warn(message: &str) {
    emit(Level::Warn, message);
}

/// A debug line, built only when debug lines are printed.
pub fn debug(message: impl FnOnce() -> String) {
    if enabled(Level::Debug) {
        emit(Level::Debug, &message());
    }
}

/// A trace line, built only when trace lines are printed.
pub fn trace(message: impl FnOnce() -> String) {
    if enabled(Level::Trace) {
        emit(Level::Trace, &message());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sentry_cli_level_names() {
        assert_eq!("debug".parse::<Level>().unwrap(), Level::Debug);
        assert_eq!(" WARN ".parse::<Level>().unwrap(), Level::Warn);
        assert_eq!("warning".parse::<Level>().unwrap(), Level::Warn);
        let err = "loud".parse::<Level>().unwrap_err();
        assert!(err.contains("trace, debug, info, warn or error"), "{err}");
    }

    #[test]
    fn levels_are_ordered_from_quiet_to_verbose() {
        assert!(Level::Error < Level::Warn && Level::Debug < Level::Trace);
        assert_eq!(Level::default(), Level::Warn);
    }

    #[test]
    fn scrubs_registered_secrets() {
        let mut secrets = Secrets::default();
        secrets.add("log-test-secret-value");
        add_secrets(&secrets);
        assert_eq!(
            scrub("sent log-test-secret-value to https://u:p@host/"),
            "sent *** to https://host/"
        );
    }
}
