//! `release finalize`: set a release's date (and, as in sentry-cli, its link).

use super::describe::release_answer;
use super::error::ReleaseError;
use super::link::check_link;
use super::organization::organization;
use super::report::{CiReport, Done, StepOutput};
use crate::exit::Exit;
use crate::output::{OutputFormat, print_warning};
use crate::sentry::api::releases::ReleaseChanges;
use crate::sentry::{Session, api};
use crate::time::{parse_user_time, user_timestamp};
use chrono::Utc;
use std::path::PathBuf;

/// `release finalize`: set a release's date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalizeRequest {
    /// The version.
    pub version: String,
    /// When it was released (unix seconds or RFC 3339); default now.
    pub released: Option<String>,
    /// A link for the release (`--url` after the subcommand, as in sentry-cli).
    pub url: Option<String>,
    /// The GitLab dotenv report to merge the results into.
    pub dotenv: Option<PathBuf>,
    /// How the answer is printed.
    pub output: OutputFormat,
}

impl FinalizeRequest {
    /// Where this command reports to in CI.
    pub fn ci_report(&self) -> CiReport {
        CiReport {
            command: "release finalize",
            dotenv: self.dotenv.clone(),
            output: self.output,
        }
    }
}

/// Runs `release finalize`.
pub async fn run(session: &Session, request: FinalizeRequest) -> Result<Exit, ReleaseError> {
    let org = organization(session, "release finalize")?;
    let released = match &request.released {
        Some(value) => parse_user_time(value, "--released")?,
        None => user_timestamp(Utc::now()),
    };
    let mut warnings = Vec::new();
    warnings.extend(check_link(
        request.url.as_deref(),
        session.client().base_url(),
        "release finalize",
    )?);
    warnings.iter().for_each(|w| print_warning(w));
    let changes = ReleaseChanges {
        date_released: Some(released),
        url: request.url.clone(),
        ..ReleaseChanges::default()
    };
    let release = api::releases::update(session.client(), org, &request.version, &changes).await?;
    let url = session.web_url(org, &["releases", &release.version]);
    release_answer("Release finalized", &release, &url).print(request.output);
    request.ci_report().success(&Done {
        headline: format!("finalized release {}", release.version),
        link: Some(url.clone()),
        facts: vec![
            ("Version", release.version.clone()),
            (
                "Released",
                release.date_released.clone().unwrap_or_default(),
            ),
        ],
        outputs: vec![
            StepOutput::new("version", "SENTRY_RELEASE", &release.version),
            StepOutput::new("release_url", "SENTRY_RELEASE_URL", url),
        ],
        warnings: &warnings,
    })?;
    Ok(Exit::Success)
}
