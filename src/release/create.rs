//! `release create`: commits and refs from git history, sent in one request.
//!
//! The range is exactly `previous..HEAD` (every commit reachable from HEAD and not from the previous
//! release's last commit), each commit carries its own changes against its first parent, and the
//! repository is named as Sentry knows it.

use super::api::{self, PreviousRelease};
use super::payload::{
    CommitPayload, NewRelease, PatchPayload, RefPayload, ReleaseChanges, check_version, short,
};
use super::progress::Spinner;
use super::version;
use crate::app::Exit;
use crate::cli::CreateArgs;
use crate::config::{Config, OutputFormat};
use crate::git::GitRepo;
use crate::git::history::CommitRecord;
use crate::git::patchset::PathFilter;
use crate::git::remote::RemoteRepo;
use crate::sentry::models::Release;
use crate::sentry::{ApiError, SentryClient};
use crate::tools::ToolContext;
use anyhow::bail;
use serde_json::{Value, json};

/// With `--path`, commits are read in batches at least this big until enough are kept.
const FILTERED_BATCH: usize = 1024;
/// `--deepen` first fetches this many commits, doubling every round.
const FIRST_DEEPEN: usize = 100;
/// `--deepen` gives up after this many rounds (about 100,000 commits in all).
const MAX_DEEPEN_ROUNDS: u32 = 10;

/// Runs `release create`.
pub async fn run(config: &Config, args: &CreateArgs) -> anyhow::Result<Exit> {
    let repo = GitRepo::open(&args.repo.repo_path)?;
    let version = match &args.version {
        Some(version) => version.clone(),
        None => {
            let env = std::env::vars().collect();
            version::propose(&env, &args.repo.repo_path)?.version
        }
    };
    check_version(&version).map_err(anyhow::Error::msg)?;
    if args.max_commits == 0 {
        bail!("--max-commits must be at least 1");
    }
    let filter = path_filter(&repo, &args.paths)?;
    let mut warnings = Warnings::default();
    if args.dry_run {
        return dry_run(config, args, repo, &version, &filter, &mut warnings);
    }
    let target = Target::from_config(config)?;
    let client = target.context.client();
    let existing = api::find_release(client, &target.org, &version).await?;
    let (changes, range) = if args.no_commits {
        (release_fields(args), Range::default())
    } else {
        let start = match &args.from {
            Some(spec) => start_from_ref(&repo, spec)?,
            None => {
                let project = &target.projects[0];
                let previous = api::previous_release(
                    client,
                    &target.org,
                    project,
                    &version,
                    existing.is_some(),
                )
                .await?;
                start_from_sentry(previous, project, args, &mut warnings)
            }
        };
        let (repo, history) = read_history(repo, &start, &filter, args, &mut warnings)?;
        let repository =
            repository_name(args, &repo, Some((client, &target.org)), &mut warnings).await?;
        let changes = release_changes(&history, &start, repository.as_deref(), args, &mut warnings);
        (changes, Range::of(&history, &start, repository))
    };
    let created = send(&target, &version, &changes, existing.as_ref()).await?;
    let summary = Summary {
        version: &version,
        range,
        url: target.context.web_url(&target.org, &["releases", &version]),
        created,
        warnings: &warnings.0,
    };
    summary.print(config.output);
    summary.publish_to_ci()?;
    Ok(Exit::Success)
}

/// The commits a release was given, for the summary.
#[derive(Default)]
struct Range {
    commit_count: usize,
    previous_commit: Option<String>,
    head_commit: Option<String>,
    repository: Option<String>,
}

impl Range {
    fn of(history: &History, start: &Start, repository: Option<String>) -> Self {
        Self {
            commit_count: history.commits.len(),
            previous_commit: start.commit().map(str::to_owned),
            head_commit: Some(history.head.clone()),
            repository,
        }
    }
}

/// Where the range starts.
enum Start {
    /// After this commit (excluded); `origin` says where it came from, for messages.
    After { commit: String, origin: String },
    /// A first release: the newest `--initial-depth` commits.
    Initial,
}

impl Start {
    fn commit(&self) -> Option<&str> {
        match self {
            Self::After { commit, .. } => Some(commit),
            Self::Initial => None,
        }
    }
}

/// The organization and projects a real (not dry) run writes to.
struct Target {
    context: ToolContext,
    org: String,
    projects: Vec<String>,
}

impl Target {
    fn from_config(config: &Config) -> anyhow::Result<Self> {
        if config.token.is_none() {
            bail!(
                "{} (or run with --dry-run to only print the request)",
                ApiError::MissingToken
            );
        }
        let Some(org) = config.org.clone() else {
            bail!("release create needs an organization: pass --org or set SENTRY_ORG");
        };
        if config.projects.is_empty() {
            bail!(
                "release create needs at least one project: pass --project or set SENTRY_PROJECT"
            );
        }
        Ok(Self {
            context: ToolContext::from_config(config)?,
            org,
            projects: config.projects.clone(),
        })
    }
}

/// Warnings, printed on stderr as they come and kept for the JSON summary.
#[derive(Default)]
struct Warnings(Vec<String>);

impl Warnings {
    fn add(&mut self, message: String) {
        eprintln!("warning: {message}");
        self.0.push(message);
    }
}

/// Prints the body a real run would send for a new release, without token or network.
fn dry_run(
    config: &Config,
    args: &CreateArgs,
    repo: GitRepo,
    version: &str,
    filter: &PathFilter,
    warnings: &mut Warnings,
) -> anyhow::Result<Exit> {
    let start = match &args.from {
        Some(spec) => start_from_ref(&repo, spec)?,
        None => {
            eprintln!(
                "dry run: the previous release is not looked up (no network): sending the newest {} commits as for a first release; pass --from REF to set the start",
                args.initial_depth
            );
            Start::Initial
        }
    };
    let changes = if args.no_commits {
        release_fields(args)
    } else {
        let (repo, history) = read_history(repo, &start, filter, args, warnings)?;
        let repository = remote_repository_name(args, &repo, warnings)?;
        if let (Some(name), None) = (&repository, &args.repository) {
            eprintln!(
                "dry run: the repository name {name:?} comes from the remote URL; a real run matches it against Sentry's repositories"
            );
        }
        release_changes(&history, &start, repository.as_deref(), args, warnings)
    };
    let body = NewRelease {
        version: version.to_owned(),
        projects: config.projects.clone(),
        changes,
    };
    println!("{}", serde_json::to_string_pretty(&body)?);
    eprintln!(
        "dry run: {} commits; nothing was sent",
        body.changes.commits.len()
    );
    Ok(Exit::Success)
}

/// `--path` values are relative to where the command runs inside the work tree, like git's.
fn path_filter(repo: &GitRepo, paths: &[String]) -> anyhow::Result<PathFilter> {
    let base = repo.subdirectory();
    let mut resolved = Vec::new();
    for path in paths {
        if path.starts_with('/') {
            bail!("--path {path:?}: give a path relative to the repository, not an absolute one");
        }
        let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
        for part in path.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    if parts.pop().is_none() {
                        bail!("--path {path:?} leads outside the repository");
                    }
                }
                name => parts.push(name),
            }
        }
        resolved.push(parts.join("/"));
    }
    Ok(PathFilter::new(&resolved))
}

/// `--from REF`: a revision, or a full sha that a shallow clone may not have yet.
fn start_from_ref(repo: &GitRepo, spec: &str) -> anyhow::Result<Start> {
    let commit = match repo.resolve(spec) {
        Ok(commit) => commit,
        Err(_) if is_full_sha(spec) => spec.to_ascii_lowercase(),
        Err(e) if repo.is_shallow() => bail!(
            "{e}. This is a shallow clone, where older commits and tags are missing: fetch the full history (`fetch-depth: 0` for actions/checkout, `GIT_DEPTH: 0` in GitLab CI)"
        ),
        Err(e) => return Err(e.into()),
    };
    Ok(Start::After {
        commit,
        origin: format!("--from {spec}"),
    })
}

fn is_full_sha(text: &str) -> bool {
    matches!(text.len(), 40 | 64) && text.chars().all(|c| c.is_ascii_hexdigit())
}

fn start_from_sentry(
    previous: Option<PreviousRelease>,
    project: &str,
    args: &CreateArgs,
    warnings: &mut Warnings,
) -> Start {
    match previous {
        Some(previous) => Start::After {
            origin: format!("the last commit of release {}", previous.version),
            commit: previous.commit,
        },
        None => {
            warnings.add(format!(
                "Sentry knows no earlier release with commits in project {project}: this is a first release with the newest {} commits (--initial-depth); pass --from REF to choose the start",
                args.initial_depth
            ));
            Start::Initial
        }
    }
}

/// The commits selected for the release, and how many of the range were left out.
struct History {
    head: String,
    commits: Vec<CommitRecord>,
}

/// Finds the start commit (fetching more history if allowed), then reads the range.
fn read_history(
    repo: GitRepo,
    start: &Start,
    filter: &PathFilter,
    args: &CreateArgs,
    warnings: &mut Warnings,
) -> anyhow::Result<(GitRepo, History)> {
    let repo = locate_start(repo, start, args)?;
    let head = repo.head()?;
    if start.commit() == Some(head.as_str()) {
        warnings.add(format!(
            "HEAD is {} itself: there are no new commits",
            short(&head)
        ));
    }
    let spinner = Spinner::new("reading git history");
    let selected = select_commits(&repo, &head, start, filter, args, &spinner);
    spinner.finish();
    let Selection {
        commits,
        left_out,
        reaches_start,
    } = selected?;
    if let Some(previous) = start.commit()
        && previous != head
        && !reaches_start
        && (left_out == 0 || !repo.is_ancestor(previous, &head)?)
    {
        warnings.add(format!(
            "{} is not an ancestor of HEAD (rewritten history?): the release gets every commit reachable from HEAD and not from it",
            short(previous)
        ));
    }
    if left_out > 0 {
        let kept = commits.len();
        warnings.add(if filter.is_empty() {
            format!("the range has {} commits: only the newest {kept} are sent ({left_out} left out); raise --max-commits to send more", kept + left_out)
        } else {
            format!("only the newest {kept} commits touching --path are sent; {left_out} older commits of the range were left out or not examined; raise --max-commits to send more")
        });
    }
    Ok((repo, History { head, commits }))
}

/// Makes sure the start commit is in the local history, deepening a shallow clone if allowed.
fn locate_start(mut repo: GitRepo, start: &Start, args: &CreateArgs) -> anyhow::Result<GitRepo> {
    let Start::After { commit, origin } = start else {
        return Ok(repo);
    };
    let mut step = FIRST_DEEPEN;
    let mut rounds = 0;
    while !repo.has_commit(commit) {
        let shallow = repo.is_shallow();
        if !args.deepen || !shallow || rounds == MAX_DEEPEN_ROUNDS {
            bail!(missing_start_message(
                commit,
                origin,
                shallow,
                args.deepen && rounds > 0
            ));
        }
        eprintln!(
            "{} ({origin}) is not in this shallow clone: fetching {step} more commits (git fetch --deepen={step} {})",
            short(commit),
            args.remote
        );
        repo.deepen(&args.remote, step)?;
        repo = repo.reopen()?;
        rounds += 1;
        step *= 2;
    }
    Ok(repo)
}

fn missing_start_message(commit: &str, origin: &str, shallow: bool, deepened: bool) -> String {
    let what = format!("commit {commit} ({origin}) is not in the local git history");
    if deepened && !shallow {
        return format!(
            "{what}, even with the full history fetched: it was rebased or squashed away, or belongs to another repository. Pass --from REF to set where this release starts"
        );
    }
    if shallow {
        let tried = if deepened {
            " --deepen fetched about 100,000 more commits without finding it."
        } else {
            ""
        };
        return format!(
            "{what}: this is a shallow clone.{tried} Fetch the full history: `fetch-depth: 0` for actions/checkout (GitHub), `GIT_DEPTH: 0` in GitLab CI, or `git fetch --unshallow`; or pass --deepen to fetch history in steps until the commit is found"
        );
    }
    format!(
        "{what}: it was rebased or squashed away, or belongs to another repository. Pass --from REF to set where this release starts"
    )
}

/// The commits kept for the release.
struct Selection {
    /// Newest first.
    commits: Vec<CommitRecord>,
    /// Commits of the range not sent (over `--max-commits`).
    left_out: usize,
    /// A commit read is a child of the start commit, so the start is an ancestor of HEAD.
    reaches_start: bool,
}

/// Reads commits in walk order until enough are kept.
fn select_commits(
    repo: &GitRepo,
    head: &str,
    start: &Start,
    filter: &PathFilter,
    args: &CreateArgs,
    spinner: &Spinner,
) -> anyhow::Result<Selection> {
    let wanted = match start {
        Start::After { .. } => args.max_commits,
        Start::Initial => args.initial_depth.min(args.max_commits),
    };
    let mut walk = repo.walk(head, start.commit())?;
    let mut kept: Vec<CommitRecord> = Vec::new();
    let mut reaches_start = false;
    let mut read = 0;
    while kept.len() < wanted {
        let missing = wanted - kept.len();
        let batch = if filter.is_empty() {
            missing
        } else {
            missing.max(FILTERED_BATCH)
        };
        let ids = walk.by_ref().take(batch).collect::<Result<Vec<_>, _>>()?;
        if ids.is_empty() {
            break;
        }
        let offset = read;
        let batch = repo.read_commits(&ids, filter, start.commit(), &|done| {
            spinner.update(offset + done)
        })?;
        kept.extend(batch.records);
        reaches_start |= batch.reaches_start;
        read += ids.len();
    }
    let mut left_out = kept.len().saturating_sub(wanted);
    kept.truncate(wanted);
    if let Start::After { .. } = start {
        for id in walk {
            id?;
            left_out += 1;
            read += 1;
            spinner.update(read);
        }
    }
    Ok(Selection {
        commits: kept,
        left_out,
        reaches_start,
    })
}

/// `--repository`, else the remote's repository as Sentry knows it (by URL, then by name).
async fn repository_name(
    args: &CreateArgs,
    repo: &GitRepo,
    sentry: Option<(&SentryClient, &str)>,
    warnings: &mut Warnings,
) -> anyhow::Result<Option<String>> {
    let Some(remote) = remote_repository(args, repo, warnings)? else {
        return Ok(args.repository.clone());
    };
    let Some((client, org)) = sentry else {
        return Ok(Some(remote.name()));
    };
    let known = match api::list_repositories(client, org).await {
        Ok(known) => known,
        Err(e) => {
            warnings.add(format!(
                "could not read the organization's repositories ({e}); sending {:?} unchecked",
                remote.name()
            ));
            return Ok(Some(remote.name()));
        }
    };
    if let Some(found) = super::repository::matching(&remote, &known) {
        return Ok(Some(found.name.clone()));
    }
    warnings.add(format!(
        "no repository connected to Sentry matches {}: Sentry will create one without an integration, so commits are not linked to the code host. Connect it: Settings > Integrations > your code host (GitHub, GitLab, Bitbucket, Azure DevOps) > add the repository, or pass --repository with the name Sentry shows",
        remote.display_url()
    ));
    Ok(Some(remote.name()))
}

/// The dry-run form: `--repository`, else the name in the remote URL.
fn remote_repository_name(
    args: &CreateArgs,
    repo: &GitRepo,
    warnings: &mut Warnings,
) -> anyhow::Result<Option<String>> {
    Ok(match remote_repository(args, repo, warnings)? {
        Some(remote) => Some(remote.name()),
        None => args.repository.clone(),
    })
}

/// The repository the remote URL names; `None` (with a warning) when there is none to name,
/// and `None` silently when `--repository` makes the lookup unnecessary.
fn remote_repository(
    args: &CreateArgs,
    repo: &GitRepo,
    warnings: &mut Warnings,
) -> anyhow::Result<Option<RemoteRepo>> {
    if args.repository.is_some() {
        return Ok(None);
    }
    let remote = &args.remote;
    let Some(url) = repo.remote_url(remote)? else {
        warnings.add(format!(
            "the repository has no remote {remote:?}: commits are sent without a repository; pass --remote NAME or --repository NAME"
        ));
        return Ok(None);
    };
    let parsed = RemoteRepo::parse(&url);
    if parsed.is_none() {
        warnings.add(format!(
            "the URL of remote {remote:?} does not name a hosted repository (a local path?): commits are sent without a repository; pass --repository NAME"
        ));
    }
    Ok(parsed)
}

/// The refs and commits of the request, within Sentry's limits.
fn release_changes(
    history: &History,
    start: &Start,
    repository: Option<&str>,
    args: &CreateArgs,
    warnings: &mut Warnings,
) -> ReleaseChanges {
    let refs = repository
        .map(|repository| RefPayload {
            repository: repository.to_owned(),
            commit: history.head.clone(),
            previous_commit: start.commit().map(str::to_owned),
        })
        .into_iter()
        .collect();
    let commits = history
        .commits
        .iter()
        .map(|record| commit_payload(record, repository))
        .collect();
    let mut changes = ReleaseChanges {
        refs,
        commits,
        ..release_fields(args)
    };
    for warning in changes.enforce_limits() {
        warnings.add(warning);
    }
    changes
}

fn commit_payload(record: &CommitRecord, repository: Option<&str>) -> CommitPayload {
    let non_empty = |text: &str| (!text.is_empty()).then(|| text.to_owned());
    CommitPayload {
        id: record.id.clone(),
        repository: repository.map(str::to_owned),
        message: non_empty(&record.message),
        author_name: non_empty(&record.author_name),
        author_email: non_empty(&record.author_email),
        timestamp: Some(record.timestamp.clone()),
        patch_set: record.changes.as_ref().map(|changes| {
            changes
                .iter()
                .map(|change| PatchPayload {
                    path: change.path.clone(),
                    kind: change.kind.letter().to_owned(),
                })
                .collect()
        }),
    }
}

/// Creates the release in one request, or updates the existing one (its commits are replaced).
/// Returns whether it was created.
async fn send(
    target: &Target,
    version: &str,
    changes: &ReleaseChanges,
    existing: Option<&Release>,
) -> Result<bool, ApiError> {
    let client = target.context.client();
    let Some(existing) = existing else {
        let body = NewRelease {
            version: version.to_owned(),
            projects: target.projects.clone(),
            changes: changes.clone(),
        };
        api::post_release(client, &target.org, &body).await?;
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
        api::post_release(client, &target.org, &add_projects).await?;
    }
    api::put_release(client, &target.org, version, changes).await?;
    Ok(false)
}

/// The fields every release request carries: its URL, and the release date with `--finalize`.
fn release_fields(args: &CreateArgs) -> ReleaseChanges {
    ReleaseChanges {
        url: args.release_url.clone(),
        date_released: args
            .finalize
            .then(|| chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        ..ReleaseChanges::default()
    }
}

/// What `release create` reports.
struct Summary<'a> {
    version: &'a str,
    range: Range,
    url: String,
    created: bool,
    warnings: &'a [String],
}

impl Summary<'_> {
    fn to_json(&self) -> Value {
        json!({
            "version": self.version,
            "commit_count": self.range.commit_count,
            "previous_commit": self.range.previous_commit,
            "head_commit": self.range.head_commit,
            "repository": self.range.repository,
            "url": self.url,
            "created": self.created,
            "warnings": self.warnings,
        })
    }

    fn print(&self, format: OutputFormat) {
        match format {
            OutputFormat::Json => println!("{}", self.to_json()),
            OutputFormat::Text => {
                let verb = if self.created { "Created" } else { "Updated" };
                let range = match (&self.range.previous_commit, &self.range.head_commit) {
                    (Some(previous), Some(head)) => {
                        format!(" ({}..{})", short(previous), short(head))
                    }
                    (None, Some(head)) => format!(" (first release, up to {})", short(head)),
                    _ => String::new(),
                };
                println!(
                    "{verb} release {} with {} commits{range} in {}",
                    self.version,
                    self.range.commit_count,
                    self.range.repository.as_deref().unwrap_or("no repository")
                );
                println!("{}", self.url);
            }
        }
    }
}

impl Summary<'_> {
    /// In GitHub Actions: the `version`, `commit_count` and `release_url` step outputs.
    fn publish_to_ci(&self) -> anyhow::Result<()> {
        let outputs = [
            ("version", self.version.to_owned()),
            ("commit_count", self.range.commit_count.to_string()),
            ("release_url", self.url.clone()),
        ];
        crate::ci::publish_step_outputs(&outputs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_start_messages_name_the_commit_and_the_fix() {
        let shallow = missing_start_message("abc", "the last commit of release 1.0", true, false);
        assert!(shallow.contains("abc"), "{shallow}");
        assert!(shallow.contains("release 1.0"), "{shallow}");
        assert!(shallow.contains("fetch-depth: 0"), "{shallow}");
        assert!(shallow.contains("GIT_DEPTH: 0"), "{shallow}");
        assert!(shallow.contains("--deepen"), "{shallow}");
        let rewritten = missing_start_message("abc", "--from abc", false, false);
        assert!(rewritten.contains("--from REF"), "{rewritten}");
        assert!(!rewritten.contains("shallow"), "{rewritten}");
    }
}
