//! The release workflow: versions, creation from git history, finalize and deploy.
//!
//! Each command takes a plain request (built by the command line) and the session; finalize and
//! deploy call the same typed endpoints the release tools use, and print the same answers.

pub mod create;
pub mod describe;
pub mod error;
pub mod limits;
pub mod progress;
pub mod version;

pub use create::CreateRequest;
pub use error::ReleaseError;
pub use version::ProposeRequest;

use crate::exit::Exit;
use crate::output::OutputFormat;
use crate::sentry::api::deploys::NewDeploy;
use crate::sentry::api::releases::ReleaseChanges;
use crate::sentry::{Session, api};
use crate::time::{now_timestamp, parse_optional_user_time};
use describe::{deploy_answer, release_answer};

/// `release finalize`: set a release's date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalizeRequest {
    /// The version.
    pub version: String,
    /// When it was released (RFC 3339); default now.
    pub released: Option<String>,
    /// How the answer is printed.
    pub output: OutputFormat,
}

/// `release deploy`: record a deploy of a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployRequest {
    /// The version.
    pub version: String,
    /// The environment deployed to.
    pub environment: String,
    /// A name for the deploy.
    pub name: Option<String>,
    /// A link for the deploy.
    pub url: Option<String>,
    /// When it started (RFC 3339).
    pub started: Option<String>,
    /// When it finished (RFC 3339); default now.
    pub finished: Option<String>,
    /// How the answer is printed.
    pub output: OutputFormat,
}

/// Runs `release finalize`.
pub async fn finalize(session: &Session, request: FinalizeRequest) -> Result<Exit, ReleaseError> {
    let org = organization(session, "release finalize")?;
    let released = parse_optional_user_time(request.released.as_deref(), "--released")?
        .unwrap_or_else(now_timestamp);
    let changes = ReleaseChanges {
        date_released: Some(released),
        ..ReleaseChanges::default()
    };
    let release = api::releases::update(session.client(), org, &request.version, &changes).await?;
    let url = session.web_url(org, &["releases", &release.version]);
    release_answer("Release finalized", &release, &url).print(request.output);
    Ok(Exit::Success)
}

/// Runs `release deploy`.
pub async fn deploy(session: &Session, request: DeployRequest) -> Result<Exit, ReleaseError> {
    let org = organization(session, "release deploy")?;
    if request.environment.trim().is_empty() {
        return Err(ReleaseError::Usage("--env must not be empty".into()));
    }
    let projects = session.default_projects();
    let body = NewDeploy {
        environment: request.environment,
        name: request.name,
        url: request.url,
        date_started: parse_optional_user_time(request.started.as_deref(), "--started")?,
        date_finished: parse_optional_user_time(request.finished.as_deref(), "--finished")?,
        projects: (!projects.is_empty()).then(|| projects.to_vec()),
    };
    let deploy = api::deploys::create(session.client(), org, &request.version, &body).await?;
    deploy_answer(&request.version, &deploy).print(request.output);
    crate::ci::publish_step_outputs(&[("deploy_id", deploy.id.clone())])?;
    Ok(Exit::Success)
}

/// The configured organization, or an error naming the command that needs it.
fn organization<'s>(session: &'s Session, command: &str) -> Result<&'s str, ReleaseError> {
    session.default_org().ok_or_else(|| {
        ReleaseError::Usage(format!(
            "{command} needs an organization: pass --org or set SENTRY_ORG"
        ))
    })
}
