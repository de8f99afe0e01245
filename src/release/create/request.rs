//! What `release create` is asked to do, where it writes, and the warnings it gathers on the way.

use crate::output::{OutputFormat, print_warning};
use crate::release::error::ReleaseError;
use crate::release::report::CiReport;
use crate::sentry::{ApiError, Session};
use std::path::PathBuf;

/// `release create`: what to send and where to read it from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateRequest {
    /// The version (default: what `propose-version` prints).
    pub version: Option<String>,
    /// Start of the range (exclusive); default: the previous release's last commit, from Sentry.
    pub from: Option<String>,
    /// Keep only commits touching these paths, and only those files.
    pub paths: Vec<String>,
    /// Most commits to send.
    pub max_commits: usize,
    /// Commits to send for a first release.
    pub initial_depth: usize,
    /// The git remote whose URL names the repository.
    pub remote: String,
    /// The repository name as Sentry knows it (overrides the remote lookup).
    pub repository: Option<String>,
    /// Finalize the release in the same request.
    pub finalize: bool,
    /// Where the release's commits come from.
    pub commits: CommitSource,
    /// A previous release's commit missing from the history is not an error: the release starts
    /// as a first release would (`--initial-depth`), with a warning.
    pub ignore_missing: bool,
    /// An empty commit list is not worth a warning.
    pub ignore_empty: bool,
    /// A link for the release.
    pub release_url: Option<String>,
    /// Print the body instead of sending it: no token, no network.
    pub dry_run: bool,
    /// In a shallow clone, fetch more history until the start commit is found.
    pub deepen: bool,
    /// A path inside the git repository.
    pub repo_path: PathBuf,
    /// The GitLab dotenv report to merge the results into.
    pub dotenv: Option<PathBuf>,
    /// How the result is printed.
    pub output: OutputFormat,
}

/// Where a release's commits come from (sentry-cli's `set-commits` modes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitSource {
    /// Read from the local git history, with their file changes (the default).
    Local,
    /// Only the head commit and the previous release's commit (`refs`): Sentry fetches the commits
    /// through the repository's integration, as `set-commits --auto` does.
    Auto,
    /// Refs given by hand, sentry-cli's `--commit REPO@SHA` or `REPO@PREV..SHA`.
    Manual(Vec<String>),
    /// No commits or refs.
    Skip,
}

impl CreateRequest {
    /// Where this command reports to in CI.
    pub fn ci_report(&self) -> CiReport {
        CiReport {
            command: "release create",
            dotenv: self.dotenv.clone(),
            output: self.output,
        }
    }
}

/// The organization and projects a real (not dry) run writes to.
pub(super) struct Target<'s> {
    /// The session.
    pub session: &'s Session,
    /// The organization.
    pub org: String,
    /// The projects of the release.
    pub projects: Vec<String>,
}

impl<'s> Target<'s> {
    /// The target of a real run; fails without a token, an organization or a project.
    pub(super) fn new(session: &'s Session) -> Result<Self, ReleaseError> {
        if !session.client().has_token() {
            return Err(ReleaseError::Usage(format!(
                "{} (or run with --dry-run to only print the request)",
                ApiError::MissingToken
            )));
        }
        let Some(org) = session.default_org() else {
            return Err(ReleaseError::Usage(
                "release create needs an organization: pass --org or set SENTRY_ORG".into(),
            ));
        };
        if session.default_projects().is_empty() {
            return Err(ReleaseError::Usage(
                "release create needs at least one project: pass --project or set SENTRY_PROJECT"
                    .into(),
            ));
        }
        Ok(Self {
            session,
            org: org.to_owned(),
            projects: session.default_projects().to_vec(),
        })
    }
}

/// Warnings, printed on stderr as they come and kept for the JSON summary.
#[derive(Default)]
pub(super) struct Warnings(pub Vec<String>);

impl Warnings {
    /// Prints a warning and keeps it.
    pub(super) fn add(&mut self, message: String) {
        print_warning(&message);
        self.0.push(message);
    }
}
