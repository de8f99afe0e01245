//! What every command talks to Sentry with: the client, the configured defaults, and a per-run
//! cache of the projects already read (slug -> project), so a run asks for each project once.

use super::api;
use super::models::Project;
use super::{ApiError, SentryClient};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The client, the default organization and projects, and the projects read so far (clones share
/// them).
#[derive(Clone)]
pub struct Session {
    client: SentryClient,
    org: Option<String>,
    projects: Vec<String>,
    known_projects: Arc<Mutex<HashMap<(String, String), Project>>>,
}

impl Session {
    /// A session over `client` with the configured defaults.
    pub fn new(client: SentryClient, org: Option<String>, projects: Vec<String>) -> Self {
        Self {
            client,
            org,
            projects,
            known_projects: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// This session with every request ending by `deadline`, retries included (a tool call's or the
    /// gate's time budget; see [`SentryClient::with_deadline`]). Defaults and project cache are shared.
    pub fn with_deadline(&self, deadline: Instant) -> Self {
        Self {
            client: self.client.with_deadline(deadline),
            org: self.org.clone(),
            projects: self.projects.clone(),
            known_projects: Arc::clone(&self.known_projects),
        }
    }

    /// The Sentry client.
    pub fn client(&self) -> &SentryClient {
        &self.client
    }

    /// The configured organization, if any.
    pub fn default_org(&self) -> Option<&str> {
        self.org.as_deref()
    }

    /// The configured projects (possibly none).
    pub fn default_projects(&self) -> &[String] {
        &self.projects
    }

    /// The web link of an organization's resource, for answers where Sentry gave none.
    pub fn web_url(&self, org: &str, resource: &[&str]) -> String {
        super::path::web_url(self.client.base_url(), org, resource)
    }

    /// A project by slug, read once per session.
    pub async fn project(&self, org: &str, slug: &str) -> Result<Project, ApiError> {
        let key = (org.to_owned(), slug.to_owned());
        if let Some(known) = self.known().get(&key) {
            return Ok(known.clone());
        }
        let project = api::projects::get(&self.client, org, slug).await?;
        self.known().insert(key, project.clone());
        Ok(project)
    }

    /// The numeric id of a project given by slug or id (an id is taken as it is).
    pub async fn project_id(&self, org: &str, slug_or_id: &str) -> Result<String, ApiError> {
        if slug_or_id.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(slug_or_id.to_owned());
        }
        Ok(self.project(org, slug_or_id).await?.id)
    }

    fn known(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Project>> {
        // A panic elsewhere cannot leave the cache half-written: entries are inserted whole.
        self.known_projects
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
