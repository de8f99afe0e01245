//! The names the gate's messages give its settings and inputs: command-line flags in the
//! command's report, parameter and setting names in the MCP tool's answer, whose caller has no
//! flags to pass.

/// Who reads the gate's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Wording {
    /// Someone at a command line: `--min-sessions`.
    #[default]
    Flags,
    /// An API's caller (the MCP tool): `min_sessions`.
    Api,
}

/// A setting, input or next step a message points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// The release's version.
    Version,
    /// The environment.
    Environment,
    /// The projects.
    Project,
    /// Sessions each window needs.
    MinSessions,
    /// Transactions each window needs.
    MinTransactions,
    /// More data: a longer soak and timeout.
    LongerWatch,
    /// What an inconclusive verdict means.
    OnInconclusive,
    /// Creating the release.
    CreateRelease,
}

impl Wording {
    /// How `setting` is named to this reader.
    pub fn name(self, setting: Setting) -> &'static str {
        match (self, setting) {
            (Self::Flags, Setting::Version) => "VERSION",
            (Self::Flags, Setting::Environment) => "--env",
            (Self::Flags, Setting::Project) => "--project (or SENTRY_PROJECT)",
            (Self::Flags, Setting::MinSessions) => "--min-sessions",
            (Self::Flags, Setting::MinTransactions) => "--min-transactions",
            (Self::Flags, Setting::LongerWatch) => "a longer --soak and --timeout",
            (Self::Flags, Setting::OnInconclusive) => "--on-inconclusive",
            (Self::Flags, Setting::CreateRelease) => "`sentry-companion release create`",
            (Self::Api, Setting::Version) => "version",
            (Self::Api, Setting::Environment) => "environment",
            (Self::Api, Setting::Project) => "project_slug",
            (Self::Api, Setting::MinSessions) => "the gate's min_sessions setting",
            (Self::Api, Setting::MinTransactions) => "the gate's min_transactions setting",
            (Self::Api, Setting::LongerWatch) => "a longer watch: the gate's soak and timeout",
            (Self::Api, Setting::OnInconclusive) => "the gate's on_inconclusive setting",
            (Self::Api, Setting::CreateRelease) => "create_release",
        }
    }

    /// How to record the deploy of `version` to `environment`.
    pub fn record_deploy(self, version: &str, environment: &str) -> String {
        match self {
            Self::Flags => {
                format!("`sentry-companion release deploy {version} --env {environment}`")
            }
            Self::Api => "create_deploy".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_caller_never_reads_a_flag() {
        let settings = [
            Setting::Version,
            Setting::Environment,
            Setting::Project,
            Setting::MinSessions,
            Setting::MinTransactions,
            Setting::LongerWatch,
            Setting::OnInconclusive,
            Setting::CreateRelease,
        ];
        for setting in settings {
            assert!(!Wording::Api.name(setting).contains("--"), "{setting:?}");
        }
        assert_eq!(Wording::Flags.name(Setting::MinSessions), "--min-sessions");
        assert_eq!(Wording::Api.record_deploy("1.0", "prod"), "create_deploy");
    }
}
