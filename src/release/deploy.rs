//! `release deploy`: record a deploy, with sentry-cli's flags and times; a deploy whose answer was
//! lost is looked up before it is sent again.

use super::describe::{deploy_answer, deploy_line};
use super::error::ReleaseError;
use super::link::check_link;
use super::organization::organization;
use super::report::{CiReport, Done, StepOutput};
use crate::exit::Exit;
use crate::output::{OutputFormat, print_warning};
use crate::sentry::api::deploys::NewDeploy;
use crate::sentry::models::Deploy;
use crate::sentry::{SentryClient, Session, api};
use crate::time::{parse_sentry_time, parse_user_instant, user_timestamp};
use chrono::{DateTime, Utc};
use std::path::PathBuf;

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
    /// When it started (unix seconds or RFC 3339).
    pub started: Option<String>,
    /// When it finished (unix seconds or RFC 3339); default now.
    pub finished: Option<String>,
    /// How long it took, in seconds (sentry-cli's `--time`): it started this long before it finished.
    pub duration: Option<u64>,
    /// The GitLab dotenv report to merge the results into.
    pub dotenv: Option<PathBuf>,
    /// How the answer is printed.
    pub output: OutputFormat,
}

impl DeployRequest {
    /// Where this command reports to in CI.
    pub fn ci_report(&self) -> CiReport {
        CiReport {
            command: "release deploy",
            dotenv: self.dotenv.clone(),
            output: self.output,
        }
    }
}

/// Runs `release deploy`.
pub async fn run(session: &Session, request: DeployRequest) -> Result<Exit, ReleaseError> {
    let org = organization(session, "release deploy")?;
    if request.environment.trim().is_empty() {
        return Err(ReleaseError::Usage("--env must not be empty".into()));
    }
    let mut warnings = Vec::new();
    warnings.extend(check_link(
        request.url.as_deref(),
        session.client().base_url(),
        "release deploy",
    )?);
    warnings.iter().for_each(|w| print_warning(w));
    let (started, finished) = deploy_times(&request, Utc::now())?;
    let projects = session.default_projects();
    let body = NewDeploy {
        environment: request.environment.clone(),
        name: request.name.clone(),
        url: request.url.clone(),
        date_started: started.map(user_timestamp),
        date_finished: Some(user_timestamp(finished)),
        projects: (!projects.is_empty()).then(|| projects.to_vec()),
    };
    let deploy = record_deploy(
        session.client(),
        org,
        &request.version,
        &body,
        &mut warnings,
    )
    .await?;
    deploy_answer(&request.version, &deploy).print(request.output);
    request.ci_report().success(&Done {
        headline: format!(
            "deploy of {} to {} recorded",
            request.version, deploy.environment
        ),
        link: Some(session.web_url(org, &["releases", &request.version])),
        facts: vec![
            ("Version", request.version.clone()),
            ("Deploy", deploy_line(&deploy)),
        ],
        outputs: vec![
            StepOutput::new("deploy_id", "SENTRY_DEPLOY_ID", &deploy.id),
            StepOutput::new("version", "SENTRY_RELEASE", &request.version),
        ],
        warnings: &warnings,
    })?;
    Ok(Exit::Success)
}

/// When the deploy started and finished: `--finished` or now; `--started`, or `--time` seconds
/// before the finish; a start after the finish is refused.
fn deploy_times(
    request: &DeployRequest,
    now: DateTime<Utc>,
) -> Result<(Option<DateTime<Utc>>, DateTime<Utc>), ReleaseError> {
    let parse = |value: &Option<String>, what| {
        value
            .as_deref()
            .map(|v| parse_user_instant(v, what))
            .transpose()
    };
    let finished = parse(&request.finished, "--finished")?.unwrap_or(now);
    let started = match (parse(&request.started, "--started")?, request.duration) {
        (Some(_), Some(_)) => {
            return Err(ReleaseError::Usage(
                "--started and --time both say when the deploy started: give one of them".into(),
            ));
        }
        (None, Some(seconds)) => {
            let seconds = i64::try_from(seconds).unwrap_or(i64::MAX);
            Some(
                chrono::TimeDelta::try_seconds(seconds)
                    .and_then(|d| finished.checked_sub_signed(d))
                    .ok_or_else(|| {
                        ReleaseError::Usage(format!("--time {seconds}: too long a deploy"))
                    })?,
            )
        }
        (started, None) => started,
    };
    if let Some(started) = started
        && started > finished
    {
        return Err(ReleaseError::Usage(format!(
            "the deploy would start ({}) after it finished ({}): check --started, --finished and --time",
            user_timestamp(started),
            user_timestamp(finished)
        )));
    }
    Ok((started, finished))
}

/// Records the deploy. A POST that may have been applied although no answer came is not simply
/// repeated (that could record the deploy twice): the release's deploys are read first, and the
/// deploy is sent again only when none matches it.
async fn record_deploy(
    client: &SentryClient,
    org: &str,
    version: &str,
    body: &NewDeploy,
    warnings: &mut Vec<String>,
) -> Result<Deploy, ReleaseError> {
    let error = match api::deploys::create(client, org, version, body).await {
        Ok(deploy) => return Ok(deploy),
        Err(error) if error.may_have_been_applied() => error,
        Err(error) => return Err(error.into()),
    };
    print_warning(&format!("{error}. Reading the release's deploys to check"));
    let recorded = api::deploys::list(client, org, version).await.map_err(|e| {
        ReleaseError::Usage(format!(
            "{error}; reading the release's deploys to check also failed ({e}): look at release {version} in Sentry before running the deploy again"
        ))
    })?;
    if let Some(found) = recorded.items.into_iter().find(|d| same_deploy(d, body)) {
        let note = format!(
            "the deploy was recorded although its answer was lost: Sentry has deploy {} ({}), so it was not sent again",
            found.id,
            deploy_line(&found)
        );
        print_warning(&note);
        warnings.push(note);
        return Ok(found);
    }
    let note = format!(
        "Sentry has no deploy of {version} to {} finished at {}: the deploy was not recorded, so it is sent again",
        body.environment,
        body.date_finished.as_deref().unwrap_or("now")
    );
    print_warning(&note);
    warnings.push(note);
    Ok(api::deploys::create(client, org, version, body).await?)
}

/// The deploy Sentry recorded for this body: same environment, name, link and times.
fn same_deploy(deploy: &Deploy, body: &NewDeploy) -> bool {
    let same_time = |recorded: &Option<String>, sent: &Option<String>| match (recorded, sent) {
        (_, None) => true,
        (Some(recorded), Some(sent)) => {
            parse_sentry_time(recorded).is_some()
                && parse_sentry_time(recorded) == parse_sentry_time(sent)
        }
        (None, Some(_)) => false,
    };
    deploy.environment == body.environment
        && deploy.name == body.name
        && (body.url.is_none() || deploy.url == body.url)
        && same_time(&deploy.date_started, &body.date_started)
        && same_time(&deploy.date_finished, &body.date_finished)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deploy_request() -> DeployRequest {
        DeployRequest {
            version: "1.0".into(),
            environment: "production".into(),
            name: None,
            url: None,
            started: None,
            finished: None,
            duration: None,
            dotenv: None,
            output: OutputFormat::Text,
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        parse_sentry_time(text).unwrap()
    }

    #[test]
    fn time_flag_means_the_deploy_started_that_long_before_it_finished() {
        let now = at("2026-01-01T12:00:00Z");
        let request = DeployRequest {
            duration: Some(90),
            ..deploy_request()
        };
        assert_eq!(
            deploy_times(&request, now).unwrap(),
            (Some(at("2026-01-01T11:58:30Z")), now)
        );
        let request = DeployRequest {
            duration: Some(60),
            finished: Some("1767268800".into()),
            ..deploy_request()
        };
        assert_eq!(
            deploy_times(&request, now).unwrap().0,
            Some(at("2026-01-01T11:59:00Z"))
        );
    }

    #[test]
    fn contradictory_deploy_times_are_refused() {
        let now = at("2026-01-01T12:00:00Z");
        let both = DeployRequest {
            duration: Some(60),
            started: Some("2026-01-01T11:00:00Z".into()),
            ..deploy_request()
        };
        assert!(
            deploy_times(&both, now)
                .unwrap_err()
                .to_string()
                .contains("--time")
        );
        let backwards = DeployRequest {
            started: Some("2026-01-01T13:00:00Z".into()),
            ..deploy_request()
        };
        assert!(
            deploy_times(&backwards, now)
                .unwrap_err()
                .to_string()
                .contains("after it finished")
        );
    }

    #[test]
    fn a_recorded_deploy_matches_on_environment_name_and_times() {
        let body = NewDeploy {
            environment: "production".into(),
            name: Some("run 7".into()),
            date_finished: Some("2026-01-01T12:00:00Z".into()),
            ..NewDeploy::default()
        };
        let recorded = |environment: &str, finished: &str| Deploy {
            id: "1".into(),
            environment: environment.into(),
            name: Some("run 7".into()),
            url: None,
            date_started: None,
            date_finished: Some(finished.into()),
        };
        assert!(same_deploy(
            &recorded("production", "2026-01-01T12:00:00.000000Z"),
            &body
        ));
        assert!(!same_deploy(
            &recorded("staging", "2026-01-01T12:00:00Z"),
            &body
        ));
        assert!(!same_deploy(
            &recorded("production", "2026-01-01T11:00:00Z"),
            &body
        ));
    }
}
