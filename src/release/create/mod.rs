//! `release create`: commits and refs from git history, sent in one request.
//!
//! The range is exactly `previous..HEAD` (every commit reachable from HEAD and not from the previous
//! release's last commit), each commit carries its own changes against its first parent, and the
//! repository is named as Sentry knows it. One pipeline serves both modes: a dry run skips what
//! needs Sentry (the previous release, the repository match, the send) and prints the body instead.

mod body;
mod history;
mod refs;
mod replaced;
mod repository;
mod request;
mod start;
mod summary;

pub use request::{CommitSource, CreateRequest};

use super::error::ReleaseError;
use super::limits::check_version;
use super::link::check_link;
use super::version;
use crate::exit::Exit;
use crate::git::GitRepo;
use crate::sentry::api::releases::{NewRelease, ReleaseChanges};
use crate::sentry::models::Release;
use crate::sentry::{ApiError, Session, api};
use body::{release_changes, release_fields};
use history::{path_filter, read_history};
use refs::{auto_refs, manual_refs};
use replaced::replaced_commits;
use repository::repository_name;
use request::{Target, Warnings};
use start::{Start, previous_release, start_from_ref, start_from_sentry};
use summary::{Range, Summary};

/// Runs `release create`.
pub async fn run(session: &Session, request: CreateRequest) -> Result<Exit, ReleaseError> {
    let version = match &request.version {
        Some(version) => version.clone(),
        None => {
            let env = std::env::vars().collect();
            version::propose(&env, &request.repo_path)?.version
        }
    };
    check_version(&version)?;
    if request.max_commits == 0 {
        return Err(ReleaseError::Usage(
            "--max-commits must be at least 1".into(),
        ));
    }
    let mut warnings = Warnings::default();
    if let Some(warning) = check_link(
        request.release_url.as_deref(),
        session.client().base_url(),
        "release create",
    )? {
        warnings.add(warning);
    }
    let target = match request.dry_run {
        true => None,
        false => Some(Target::new(session)?),
    };
    let existing = match &target {
        Some(target) => api::releases::find(session.client(), &target.org, &version).await?,
        None => None,
    };
    let (changes, range) = match &request.commits {
        CommitSource::Skip => (release_fields(&request), Range::without_commits()),
        CommitSource::Manual(specs) => {
            manual_refs(specs, &request, target.as_ref(), &mut warnings).await?
        }
        CommitSource::Auto => {
            let mut repo = GitRepo::open(&request.repo_path)?;
            let start = range_start(
                &mut repo,
                &request,
                target.as_ref(),
                &version,
                &existing,
                &mut warnings,
            )
            .await?;
            auto_refs(&repo, &start, &request, target.as_ref(), &mut warnings).await?
        }
        CommitSource::Local => {
            let mut repo = GitRepo::open(&request.repo_path)?;
            let filter = path_filter(&repo, &request.paths)?;
            let start = range_start(
                &mut repo,
                &request,
                target.as_ref(),
                &version,
                &existing,
                &mut warnings,
            )
            .await?;
            let (repo, start, history) =
                read_history(repo, start, &filter, &request, &mut warnings)?;
            let repository =
                repository_name(&request, &repo, target.as_ref(), &mut warnings).await?;
            let changes = release_changes(
                &history,
                &start,
                repository.as_deref(),
                &request,
                &mut warnings,
            );
            let range = Range::of(&history, &changes, &start, repository);
            (changes, range)
        }
    };
    let Some(target) = target else {
        return print_dry_run(session, version, changes);
    };
    let replaced = match &existing {
        Some(existing) => replaced_commits(&target, existing, &changes, &mut warnings).await?,
        None => None,
    };
    let created = send(&target, &version, &changes, existing.as_ref()).await?;
    let summary = Summary {
        version: &version,
        range,
        url: session.web_url(&target.org, &["releases", &version]),
        created,
        replaced,
        warnings: &warnings.0,
    };
    summary.print(request.output);
    request.ci_report().success(&summary.done())?;
    Ok(Exit::Success)
}

/// `--from`, else the previous release in Sentry; a dry run does not ask Sentry and sends what a
/// first release would.
async fn range_start(
    repo: &mut GitRepo,
    request: &CreateRequest,
    target: Option<&Target<'_>>,
    version: &str,
    existing: &Option<Release>,
    warnings: &mut Warnings,
) -> Result<Start, ReleaseError> {
    if let Some(spec) = &request.from {
        return start_from_ref(repo, spec, request);
    }
    let Some(target) = target else {
        eprintln!(
            "dry run: the previous release is not looked up (no network): sending the newest {} commits as for a first release; pass --from REF to set the start",
            request.initial_depth
        );
        return Ok(Start::Initial);
    };
    let project = &target.projects[0];
    let previous = previous_release(
        target.session.client(),
        &target.org,
        project,
        version,
        existing.is_some(),
    )
    .await?;
    Ok(start_from_sentry(previous, project, request, warnings))
}

/// Prints the body a real run would send for a new release.
fn print_dry_run(
    session: &Session,
    version: String,
    changes: ReleaseChanges,
) -> Result<Exit, ReleaseError> {
    let body = NewRelease {
        version,
        projects: session.default_projects().to_vec(),
        changes,
    };
    crate::output::print_json(&body);
    eprintln!(
        "dry run: {} commits; nothing was sent",
        body.changes.commits.len()
    );
    Ok(Exit::Success)
}

/// Creates the release in one request, or updates the existing one (its commits are replaced).
/// Returns whether it was created.
async fn send(
    target: &Target<'_>,
    version: &str,
    changes: &ReleaseChanges,
    existing: Option<&Release>,
) -> Result<bool, ApiError> {
    let client = target.session.client();
    let Some(existing) = existing else {
        let body = NewRelease {
            version: version.to_owned(),
            projects: target.projects.clone(),
            changes: changes.clone(),
        };
        api::releases::create(client, &target.org, &body).await?;
        return Ok(true);
    };
    let has = |slug: &String| existing.projects.iter().any(|p| &p.slug == slug);
    if !target.projects.iter().all(has) {
        // Only the create endpoint adds projects to an existing release.
        let add_projects = NewRelease {
            version: version.to_owned(),
            projects: target.projects.clone(),
            changes: ReleaseChanges::default(),
        };
        api::releases::create(client, &target.org, &add_projects).await?;
    }
    api::releases::update(client, &target.org, version, changes).await?;
    Ok(false)
}
