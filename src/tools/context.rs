//! What every tool call runs with: the session, and the argument rules the tools share.

use super::error::ToolError;
use super::ids::{IssueArg, IssueLocator, parse_issue_ref};
use crate::sentry::{SentryClient, Session};
use crate::text::non_empty;

/// The default and largest `limit` of list tools.
pub const DEFAULT_LIMIT: u32 = 25;
/// The largest `limit` a list tool accepts.
pub const MAX_LIMIT: u32 = 100;

/// The session and the defaults from `--org` / `--project`, with the argument rules every tool shares.
pub struct ToolContext {
    session: Session,
}

impl ToolContext {
    /// Builds the context tools run in.
    pub fn new(session: Session) -> Self {
        Self { session }
    }

    /// The session: client, defaults and the per-run project cache.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The Sentry client.
    pub fn client(&self) -> &SentryClient {
        self.session.client()
    }

    /// The configured organization, if any.
    pub fn default_org(&self) -> Option<&str> {
        self.session.default_org()
    }

    /// The configured project (the first, when several are configured).
    pub fn default_project(&self) -> Option<&str> {
        self.session.default_projects().first().map(String::as_str)
    }

    /// The configured projects.
    pub fn default_projects(&self) -> &[String] {
        self.session.default_projects()
    }

    /// The organization to use: the argument, else the configured default.
    pub fn org(&self, given: Option<String>) -> Result<String, ToolError> {
        owned_non_empty(given)
            .or_else(|| self.default_org().map(str::to_owned))
            .ok_or_else(|| {
                ToolError::InvalidInput(
                    "organization_slug is required: pass it, or start with --org / SENTRY_ORG"
                        .into(),
                )
            })
    }

    /// The project to use: the argument, else the configured default.
    pub fn project(&self, given: Option<String>) -> Result<String, ToolError> {
        owned_non_empty(given)
            .or_else(|| self.default_project().map(str::to_owned))
            .ok_or_else(|| {
                ToolError::InvalidInput(
                    "project_slug is required: pass it, or start with --project / SENTRY_PROJECT"
                        .into(),
                )
            })
    }

    /// Resolves an issue reference and its organization: the argument, else the URL's, else the default.
    pub fn issue(
        &self,
        given_org: Option<String>,
        issue: &IssueArg,
    ) -> Result<(String, IssueLocator), ToolError> {
        let locator = parse_issue_ref(&issue.0)?;
        let org = self.org(owned_non_empty(given_org).or_else(|| locator.org.clone()))?;
        Ok((org, locator))
    }

    /// The web link of an organization's resource, for answers where Sentry gave none.
    pub fn web_url(&self, org: &str, resource: &[&str]) -> String {
        self.session.web_url(org, resource)
    }
}

/// A list tool's `limit` argument; its schema states the bounds [`list_limit`] enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct Limit(pub u32);

impl schemars::JsonSchema for Limit {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Limit".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "integer", "minimum": 1, "maximum": MAX_LIMIT})
    }
}

/// Checks a list limit: default 25, between 1 and 100.
pub fn list_limit(limit: Option<Limit>) -> Result<usize, ToolError> {
    match limit.map_or(DEFAULT_LIMIT, |Limit(n)| n) {
        n @ 1..=MAX_LIMIT => Ok(n as usize),
        n => Err(ToolError::InvalidInput(format!(
            "limit {n} is out of range: use 1 to {MAX_LIMIT}"
        ))),
    }
}

/// A trimmed, non-empty argument, owned.
fn owned_non_empty(value: Option<String>) -> Option<String> {
    non_empty(value.as_deref()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentry::ClientConfig;

    fn context(url: &str, org: Option<&str>) -> ToolContext {
        let client = SentryClient::new(ClientConfig::new(url.parse().unwrap(), None)).unwrap();
        ToolContext::new(Session::new(client, org.map(str::to_owned), vec![]))
    }

    #[test]
    fn explicit_org_beats_url_org_beats_default() {
        let ctx = context("https://sentry.io", Some("default-org"));
        let url = IssueArg("https://url-org.sentry.io/issues/1/".into());
        assert_eq!(
            ctx.issue(Some("explicit".into()), &url).unwrap().0,
            "explicit"
        );
        assert_eq!(ctx.issue(None, &url).unwrap().0, "url-org");
        assert_eq!(
            ctx.issue(None, &IssueArg("1".into())).unwrap().0,
            "default-org"
        );
    }

    #[test]
    fn missing_org_says_how_to_give_one() {
        let ctx = context("https://sentry.io", None);
        let err = ctx.org(Some("  ".into())).unwrap_err().to_string();
        assert!(err.contains("SENTRY_ORG"), "{err}");
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(list_limit(None).unwrap(), 25);
        assert_eq!(list_limit(Some(Limit(100))).unwrap(), 100);
        assert!(list_limit(Some(Limit(0))).is_err());
        assert!(
            list_limit(Some(Limit(101)))
                .unwrap_err()
                .to_string()
                .contains("1 to 100")
        );
    }
}
