//! A small in-process Sentry on 127.0.0.1 whose state the test controls: projects, releases with
//! deploys and traffic, issues, and injected failures. Counts follow the asked time window (the
//! traffic integrated over it: a release's share of the environment over time, and an error rate
//! that may follow the hour of the day), so a gate's looks at different times see consistent data
//! without any real waiting. Like Sentry, it answers 404 to a filter on an unknown environment.

use super::served::Served;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Response, StatusCode, Uri};
use chrono::{DateTime, DurationRound, TimeDelta, Timelike, Utc};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// The organization the fake serves.
pub const ORG: &str = "acme";

/// A project.
#[derive(Debug, Clone)]
pub struct FakeProject {
    /// Numeric id.
    pub id: u64,
    /// Slug.
    pub slug: String,
    /// Whether it sends sessions.
    pub has_sessions: bool,
}

/// Traffic of a release per minute while it serves the whole environment (see
/// [`FakeRelease::serving`] for a part of it).
#[derive(Debug, Clone, Copy)]
pub struct Traffic {
    /// Error events per minute.
    pub errors_per_minute: f64,
    /// Transactions per minute.
    pub transactions_per_minute: f64,
    /// Sessions per minute.
    pub sessions_per_minute: f64,
    /// Crash-free fraction of sessions.
    pub crash_free: f64,
    /// Mean transaction duration in milliseconds; durations are exponentially distributed, so
    /// the p95 is about three times the mean.
    pub mean_duration_ms: f64,
    /// Fraction of transactions that fail.
    pub failure_rate: f64,
}

impl Default for Traffic {
    /// No traffic; transactions, once a test sends some, last 100 ms on average and never fail.
    fn default() -> Self {
        Self {
            errors_per_minute: 0.0,
            transactions_per_minute: 0.0,
            sessions_per_minute: 0.0,
            crash_free: 0.0,
            mean_duration_ms: 100.0,
            failure_rate: 0.0,
        }
    }
}

/// A deploy of a release.
#[derive(Debug, Clone)]
pub struct FakeDeploy {
    /// Environment.
    pub environment: String,
    /// Start, when recorded.
    pub started: Option<DateTime<Utc>>,
    /// End.
    pub finished: DateTime<Utc>,
}

/// A release.
#[derive(Debug, Clone)]
pub struct FakeRelease {
    /// Version.
    pub version: String,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Deploys.
    pub deploys: Vec<FakeDeploy>,
    /// Its traffic.
    pub traffic: Traffic,
    /// Files its commits changed: (path, commit message, author).
    pub changed_files: Vec<(String, String, String)>,
    /// The projects it belongs to, by slug (empty: every project).
    pub projects: Vec<String>,
    /// Its share of the environment's traffic from each instant on (empty: all of it, always;
    /// otherwise none before the first step).
    pub serving: Vec<(DateTime<Utc>, f64)>,
}

impl FakeRelease {
    /// A release created at `created` with no deploys, traffic or files, in every project.
    pub fn new(version: &str, created: DateTime<Utc>) -> Self {
        Self {
            version: version.into(),
            created,
            deploys: Vec::new(),
            traffic: Traffic::default(),
            changed_files: Vec::new(),
            projects: Vec::new(),
            serving: Vec::new(),
        }
    }

    /// Its share of the environment's traffic at `at`.
    fn share(&self, at: DateTime<Utc>) -> f64 {
        if self.serving.is_empty() {
            return 1.0;
        }
        self.serving
            .iter()
            .filter(|(from, _)| *from <= at)
            .max_by_key(|(from, _)| *from)
            .map_or(0.0, |(_, share)| *share)
    }

    fn in_project(&self, slug: &str) -> bool {
        self.projects.is_empty() || self.projects.iter().any(|p| p == slug)
    }
}

/// An issue.
#[derive(Debug, Clone)]
pub struct FakeIssue {
    /// Numeric id.
    pub id: u64,
    /// Short id.
    pub short_id: String,
    /// Title.
    pub title: String,
    /// Level.
    pub level: String,
    /// Environment.
    pub environment: String,
    /// The release it was first seen in.
    pub first_release: String,
    /// Releases it has events in.
    pub releases: Vec<String>,
    /// First event.
    pub first_seen: DateTime<Utc>,
    /// Latest event.
    pub last_seen: DateTime<Utc>,
    /// Whether its substatus is regressed.
    pub regressed: bool,
    /// Whether its errors are unhandled (crashes).
    pub unhandled: bool,
    /// Events.
    pub count: u64,
    /// Users.
    pub users: u64,
    /// In-app frame file names of its latest event.
    pub frames: Vec<String>,
}

impl FakeIssue {
    /// An error issue first seen in `release` at `first_seen`.
    pub fn new(
        id: u64,
        short_id: &str,
        title: &str,
        release: &str,
        first_seen: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            short_id: short_id.into(),
            title: title.into(),
            level: "error".into(),
            environment: "production".into(),
            first_release: release.into(),
            releases: vec![release.into()],
            first_seen,
            last_seen: first_seen,
            regressed: false,
            unhandled: false,
            count: 12,
            users: 3,
            frames: Vec::new(),
        }
    }
}

/// Everything the fake knows; tests change it through [`FakeSentry::with`].
#[derive(Debug, Default)]
pub struct World {
    /// Projects.
    pub projects: Vec<FakeProject>,
    /// Releases.
    pub releases: Vec<FakeRelease>,
    /// Issues.
    pub issues: Vec<FakeIssue>,
    /// The organization's repositories, as Sentry lists them.
    pub repositories: Vec<Value>,
    /// Path fragments answered with 403 (a token without the scope).
    pub forbidden: Vec<String>,
    /// Path fragments answered with 404 (an older server without the endpoint).
    pub missing: Vec<String>,
    /// One-shot failures: the next request whose path contains the fragment gets the status.
    pub failures: VecDeque<(String, u16)>,
    /// Environments that exist besides those of deploys and issues.
    pub environments: Vec<String>,
    /// A factor on every release's error rate by the hour of the day (UTC), e.g. more errors per
    /// request in the evening; `None`: the same all day.
    pub error_rate_by_hour: Option<fn(u32) -> f64>,
    /// How long every answer takes (a slow Sentry).
    pub latency: std::time::Duration,
    /// Every request, as `path?decoded query`.
    pub requests: Vec<String>,
    /// The bearer token of every request, as (path, token).
    pub tokens: Vec<(String, String)>,
    /// The JSON bodies of the write requests, as (method path, body).
    pub writes: Vec<(String, Value)>,
}

impl World {
    /// The release with this version.
    pub fn release(&mut self, version: &str) -> &mut FakeRelease {
        self.releases
            .iter_mut()
            .find(|r| r.version == version)
            .expect("release exists in the fake")
    }

    fn knows_environment(&self, name: &str) -> bool {
        self.environments.iter().any(|e| e == name)
            || self.issues.iter().any(|i| i.environment == name)
            || self
                .releases
                .iter()
                .flat_map(|r| &r.deploys)
                .any(|d| d.environment == name)
    }

    fn known_environments(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .releases
            .iter()
            .flat_map(|r| r.deploys.iter().map(|d| d.environment.clone()))
            .chain(self.issues.iter().map(|i| i.environment.clone()))
            .chain(self.environments.iter().cloned())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Minutes of `release`'s full traffic in `[start, end)`: its share over time, and with
    /// `errors` the hour-of-day factor, integrated exactly (both are step functions).
    fn weighted_minutes(
        &self,
        release: &FakeRelease,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        errors: bool,
    ) -> f64 {
        if end <= start {
            return 0.0;
        }
        let hourly = self.error_rate_by_hour.filter(|_| errors);
        let mut cuts = vec![start, end];
        cuts.extend(
            release
                .serving
                .iter()
                .map(|(at, _)| *at)
                .filter(|at| *at > start && *at < end),
        );
        if hourly.is_some() {
            let hour = TimeDelta::hours(1);
            let mut next = start.duration_trunc(hour).expect("round") + hour;
            while next < end {
                cuts.push(next);
                next += hour;
            }
        }
        cuts.sort();
        cuts.dedup();
        cuts.windows(2)
            .map(|piece| {
                let middle = piece[0] + (piece[1] - piece[0]) / 2;
                let factor = hourly.map_or(1.0, |f| f(middle.hour()));
                (piece[1] - piece[0]).num_milliseconds() as f64 / 60_000.0
                    * release.share(middle)
                    * factor
            })
            .sum()
    }
}

type Shared = Arc<Mutex<World>>;

/// A running fake; it stops when dropped.
pub type FakeSentry = Served<World>;

impl FakeSentry {
    /// Starts serving `world` on a free port of 127.0.0.1, on its own thread and runtime.
    pub fn start(world: World) -> Self {
        Served::serve(world, |shared| {
            Router::new().fallback(handle).with_state(shared)
        })
    }

    /// The latest instant any request asked about (its `end`), if one did.
    pub fn latest_end(&self) -> Option<DateTime<Utc>> {
        self.with(|w| {
            w.requests
                .iter()
                .filter_map(|r| r.split_once('?'))
                .flat_map(|(_, query)| query.split('&'))
                .filter_map(|pair| pair.strip_prefix("end="))
                .filter_map(parse)
                .max()
        })
    }

    /// The requests seen whose path contains `fragment`.
    pub fn requests_to(&self, fragment: &str) -> Vec<String> {
        self.with(|w| {
            w.requests
                .iter()
                .filter(|r| r.split('?').next().unwrap_or("").contains(fragment))
                .cloned()
                .collect()
        })
    }
}

/// The decoded query string of a request.
struct Query(Vec<(String, String)>);

impl Query {
    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

async fn handle(
    State(world): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response<Body> {
    // Sentry matches decoded segments: a version such as `web@1.0` arrives as `web%401.0`.
    let path = percent_encoding::percent_decode_str(uri.path())
        .decode_utf8_lossy()
        .into_owned();
    let query = Query(
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect(),
    );
    let latency = world.lock().expect("world lock").latency;
    tokio::time::sleep(latency).await;
    let mut world = world.lock().expect("world lock");
    let described = query
        .0
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    world.requests.push(format!("{path}?{described}"));
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned();
    world.tokens.push((path.clone(), token));
    if method != Method::GET {
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        world
            .writes
            .push((format!("{method} {path}"), body.clone()));
        return write(&mut world, &method, &path, &body);
    }
    if let Some(position) = world
        .failures
        .iter()
        .position(|(f, _)| path.contains(f.as_str()))
    {
        let (_, status) = world.failures.remove(position).expect("position is valid");
        return failure(status);
    }
    if world.forbidden.iter().any(|f| path.contains(f.as_str())) {
        return answer(
            StatusCode::FORBIDDEN,
            json!({"detail": "You do not have permission to perform this action."}),
        );
    }
    if world.missing.iter().any(|f| path.contains(f.as_str())) {
        return not_found();
    }
    if let Some(environment) = query.get("environment")
        && !world.knows_environment(environment)
    {
        return not_found();
    }
    let segments: Vec<&str> = path
        .trim_start_matches("/api/0/")
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match segments.as_slice() {
        ["projects", ORG, slug] => project(&world, slug),
        ["projects", ORG, _, "releases"] => releases(&world, &query),
        ["organizations", ORG, rest @ ..] => match rest {
            ["repos"] => answer(StatusCode::OK, json!(world.repositories)),
            ["environments"] => answer(
                StatusCode::OK,
                world
                    .known_environments()
                    .iter()
                    .enumerate()
                    .map(|(i, name)| json!({"id": i.to_string(), "name": name}))
                    .collect(),
            ),
            ["releases"] => releases(&world, &query),
            ["releases", version] => match world.releases.iter().find(|r| r.version == *version) {
                Some(release) => answer(StatusCode::OK, release_json(&world, release)),
                None => not_found(),
            },
            ["releases", version, "deploys"] => deploys(&world, version),
            ["releases", version, "commitfiles"] => commit_files(&world, version),
            ["issues"] => issues(&world, &query),
            ["issues", id, "events", "latest"] => latest_event(&world, id),
            ["events"] => event_count(&world, &query),
            ["sessions"] => sessions(&world, &query),
            _ => not_found(),
        },
        _ => not_found(),
    }
}

/// Creating a release and recording a deploy change the world like Sentry would.
fn write(world: &mut World, method: &Method, path: &str, body: &Value) -> Response<Body> {
    let segments: Vec<&str> = path
        .trim_start_matches("/api/0/organizations/acme/")
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match (method.as_str(), segments.as_slice()) {
        ("POST", ["releases"]) => {
            let version = body["version"].as_str().unwrap_or_default().to_owned();
            let exists = world.releases.iter().any(|r| r.version == version);
            if !exists {
                world.releases.push(FakeRelease::new(&version, Utc::now()));
            }
            let status = if exists {
                StatusCode::ALREADY_REPORTED
            } else {
                StatusCode::CREATED
            };
            answer(status, json!({"version": version}))
        }
        ("PUT", ["releases", version]) => answer(StatusCode::OK, json!({"version": version})),
        ("POST", ["releases", version, "deploys"]) => {
            let Some(release) = world.releases.iter_mut().find(|r| r.version == *version) else {
                return not_found();
            };
            let finished = body["dateFinished"]
                .as_str()
                .and_then(parse)
                .unwrap_or_else(Utc::now);
            let deploy = FakeDeploy {
                environment: body["environment"].as_str().unwrap_or_default().to_owned(),
                started: body["dateStarted"].as_str().and_then(parse),
                finished,
            };
            release.deploys.push(deploy);
            let id = release.deploys.len() - 1;
            answer(StatusCode::CREATED, deploy_json(&release.deploys[id], id))
        }
        _ => answer(
            StatusCode::METHOD_NOT_ALLOWED,
            json!({"detail": "the fake does not take this write"}),
        ),
    }
}

fn not_found() -> Response<Body> {
    answer(
        StatusCode::NOT_FOUND,
        json!({"detail": "The requested resource does not exist"}),
    )
}

fn answer(status: StatusCode, body: Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("response")
}

fn failure(status: u16) -> Response<Body> {
    let builder = Response::builder().status(status);
    let builder = if status == 429 {
        builder
            .header("retry-after", "0")
            .header("content-type", "application/json")
    } else {
        builder.header("content-type", "text/html")
    };
    let body = if status == 429 {
        "\"You are attempting to use this endpoint too frequently. Limit is 40 requests in 1 seconds\"".to_owned()
    } else {
        format!("<html><body>{status} Bad Gateway</body></html>")
    };
    builder.body(Body::from(body)).expect("response")
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn parse(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn project(world: &World, slug: &str) -> Response<Body> {
    match world.projects.iter().find(|p| p.slug == slug) {
        Some(p) => answer(
            StatusCode::OK,
            json!({"id": p.id.to_string(), "slug": p.slug, "name": p.slug, "hasSessions": p.has_sessions}),
        ),
        None => not_found(),
    }
}

fn deploy_json(d: &FakeDeploy, id: usize) -> Value {
    json!({"id": id.to_string(), "environment": d.environment,
           "dateStarted": d.started.map(time), "dateFinished": time(d.finished)})
}

/// A release's details, with its projects as Sentry lists them.
fn release_json(world: &World, release: &FakeRelease) -> Value {
    let projects: Vec<Value> = world
        .projects
        .iter()
        .filter(|p| release.in_project(&p.slug))
        .map(|p| json!({"id": p.id, "slug": p.slug, "name": p.slug, "hasHealthData": p.has_sessions}))
        .collect();
    json!({"version": release.version, "dateCreated": time(release.created), "projects": projects})
}

/// The releases, newest first, filtered by project ids and by environment (a deploy to it).
fn releases(world: &World, query: &Query) -> Response<Body> {
    let wanted: Vec<&str> = query
        .0
        .iter()
        .filter(|(k, _)| k == "project")
        .map(|(_, v)| v.as_str())
        .collect();
    let in_wanted = |release: &FakeRelease| {
        wanted.is_empty()
            || world.projects.iter().any(|p| {
                release.in_project(&p.slug)
                    && wanted
                        .iter()
                        .any(|w| *w == p.id.to_string() || *w == p.slug)
            })
    };
    let environment = query.get("environment");
    let mut sorted: Vec<&FakeRelease> = world
        .releases
        .iter()
        .filter(|r| in_wanted(r))
        .filter(|r| environment.is_none_or(|e| r.deploys.iter().any(|d| d.environment == e)))
        .collect();
    sorted.sort_by_key(|r| std::cmp::Reverse(r.created));
    let list: Vec<Value> = sorted
        .iter()
        .map(|r| {
            let last = r.deploys.iter().enumerate().max_by_key(|(_, d)| d.finished);
            json!({"version": r.version, "dateCreated": time(r.created), "deployCount": r.deploys.len(),
                   "lastDeploy": last.map(|(i, d)| deploy_json(d, i))})
        })
        .collect();
    answer(StatusCode::OK, Value::Array(list))
}

fn deploys(world: &World, version: &str) -> Response<Body> {
    match world.releases.iter().find(|r| r.version == version) {
        Some(r) => answer(
            StatusCode::OK,
            r.deploys
                .iter()
                .enumerate()
                .map(|(i, d)| deploy_json(d, i))
                .collect(),
        ),
        None => not_found(),
    }
}

fn commit_files(world: &World, version: &str) -> Response<Body> {
    let files: Vec<Value> = world
        .releases
        .iter()
        .filter(|r| r.version == version)
        .flat_map(|r| &r.changed_files)
        .map(|(file, message, author)| {
            json!({"filename": file, "type": "M", "commitMessage": message, "author": {"name": author}})
        })
        .collect();
    answer(StatusCode::OK, Value::Array(files))
}

fn issue_json(issue: &FakeIssue) -> Value {
    json!({
        "id": issue.id.to_string(), "shortId": issue.short_id, "title": issue.title, "level": issue.level,
        "count": issue.count.to_string(), "userCount": issue.users, "firstSeen": time(issue.first_seen),
        "lastSeen": time(issue.last_seen), "permalink": format!("https://acme.sentry.example/issues/{}/", issue.id),
        "status": "unresolved", "substatus": if issue.regressed { "regressed" } else { "new" },
        "isUnhandled": issue.unhandled,
    })
}

/// Applies the search terms the gate sends; any other term is accepted and ignored.
fn matches(issue: &FakeIssue, terms: &[&str], end: Option<DateTime<Utc>>) -> bool {
    let visible = end.is_none_or(|end| issue.first_seen <= end);
    visible
        && terms.iter().all(|term| {
            let value = |prefix: &str| term.strip_prefix(prefix);
            if let Some(v) = value("firstRelease:") {
                issue.first_release == v
            } else if let Some(v) = value("release:") {
                issue.releases.iter().any(|r| r == v)
            } else if *term == "is:regressed" {
                issue.regressed
            } else if *term == "error.unhandled:true" {
                issue.unhandled
            } else if let Some(v) = value("firstSeen:>=") {
                parse(v).is_some_and(|t| issue.first_seen >= t)
            } else if let Some(v) = value("lastSeen:>=") {
                parse(v).is_some_and(|t| issue.last_seen >= t)
            } else if let Some(v) = value("level:") {
                v.trim_matches(['[', ']'])
                    .split(',')
                    .any(|l| l == issue.level)
            } else {
                true
            }
        })
}

fn issues(world: &World, query: &Query) -> Response<Body> {
    let terms: Vec<&str> = query
        .get("query")
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let end = query.get("end").and_then(parse);
    let environment = query.get("environment");
    let found: Vec<Value> = world
        .issues
        .iter()
        .filter(|i| environment.is_none_or(|e| e == i.environment))
        .filter(|i| matches(i, &terms, end))
        .map(issue_json)
        .collect();
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/json")
        .header("x-hits", found.len().to_string())
        .body(Body::from(Value::Array(found).to_string()))
        .expect("response")
}

fn latest_event(world: &World, id: &str) -> Response<Body> {
    let Some(issue) = world.issues.iter().find(|i| i.id.to_string() == id) else {
        return not_found();
    };
    let frames: Vec<Value> = issue
        .frames
        .iter()
        .map(|f| json!({"filename": f, "absPath": format!("app:///{f}"), "inApp": true}))
        .collect();
    answer(
        StatusCode::OK,
        json!({"eventID": "e1", "entries": [{"type": "exception", "data": {"values": [{"stacktrace": {"frames": frames}}]}}]}),
    )
}

/// The release named by a `release:` term of a query.
fn release_in<'w>(world: &'w World, query: &str) -> Option<&'w FakeRelease> {
    let version = query
        .split_whitespace()
        .find_map(|t| t.strip_prefix("release:"))?
        .trim_matches('"');
    world.releases.iter().find(|r| r.version == version)
}

/// Counts of errors or transactions (spans) over the asked range, and the transactions' duration
/// percentiles (`p95(span.duration)`). Transactions may be filtered by duration
/// (`span.duration:>Xms`) and by a failed status (`!span.status:[...]`).
fn event_count(world: &World, query: &Query) -> Response<Body> {
    let range = (
        query.get("start").and_then(parse),
        query.get("end").and_then(parse),
    );
    let terms = query.get("query").unwrap_or("");
    let spans = query.get("dataset") == Some("spans");
    let release = release_in(world, terms);
    let count = match (release, range) {
        (Some(release), (Some(start), Some(end))) => {
            let traffic = release.traffic;
            let rate = if spans {
                traffic.transactions_per_minute * transaction_share(&traffic, terms)
            } else {
                traffic.errors_per_minute
            };
            (rate * world.weighted_minutes(release, start, end, !spans)).round() as u64
        }
        _ => 0,
    };
    let mut row = serde_json::Map::new();
    let mut units = serde_json::Map::new();
    for (_, field) in query.0.iter().filter(|(key, _)| key == "field") {
        let percentile = field
            .strip_prefix('p')
            .and_then(|rest| rest.strip_suffix("(span.duration)"))
            .and_then(|p| p.parse::<f64>().ok());
        let value = match (percentile, release) {
            (Some(p), Some(release)) if count > 0 => {
                json!(-release.traffic.mean_duration_ms * (1.0 - p / 100.0).ln())
            }
            (Some(_), _) => Value::Null,
            (None, _) => json!(count),
        };
        if percentile.is_some() {
            units.insert(field.clone(), json!("millisecond"));
        }
        row.insert(field.clone(), value);
    }
    answer(
        StatusCode::OK,
        json!({"data": [row], "meta": {"fields": {"count()": "integer"}, "units": units}}),
    )
}

/// The share of a release's transactions a search keeps: those slower than a duration, or failed.
fn transaction_share(traffic: &Traffic, terms: &str) -> f64 {
    terms.split_whitespace().fold(1.0, |share, term| {
        if let Some(ms) = term
            .strip_prefix("span.duration:>")
            .and_then(|v| v.strip_suffix("ms"))
            .and_then(|v| v.parse::<f64>().ok())
        {
            let slower = if traffic.mean_duration_ms > 0.0 {
                (-ms / traffic.mean_duration_ms).exp()
            } else {
                0.0
            };
            share * slower
        } else if term.starts_with("!span.status:") {
            share * traffic.failure_rate
        } else {
            share
        }
    })
}

fn sessions(world: &World, query: &Query) -> Response<Body> {
    let release = release_in(world, query.get("query").unwrap_or(""));
    let traffic = release.map(|r| r.traffic).unwrap_or_default();
    let hour = TimeDelta::hours(1);
    let (Some(start), Some(end)) = (
        query.get("start").and_then(parse),
        query.get("end").and_then(parse),
    ) else {
        return answer(
            StatusCode::BAD_REQUEST,
            json!({"detail": "start and end are required"}),
        );
    };
    // Like Sentry, whole hours: the start rounded down, the end up.
    let start = start.duration_trunc(hour).expect("round");
    let end_floor = end.duration_trunc(hour).expect("round");
    let end = if end_floor == end {
        end
    } else {
        end_floor + hour
    };
    let minutes = release.map_or(0.0, |r| world.weighted_minutes(r, start, end, false));
    let total = (traffic.sessions_per_minute * minutes).round();
    let groups = if total > 0.0 {
        json!([{"by": {}, "totals": {"sum(session)": total, "crash_free_rate(session)": traffic.crash_free}}])
    } else {
        json!([])
    };
    answer(
        StatusCode::OK,
        json!({"start": time(start), "end": time(end), "intervals": [], "groups": groups}),
    )
}
