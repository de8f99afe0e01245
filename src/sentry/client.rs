//! The one HTTP path to Sentry: auth, user agent, deadlines, retries, redirects, capped answers, pagination.
//!
//! # Deadlines
//!
//! [`SentryClient::with_deadline`] (or [`SentryClient::with_time_limit`]) returns a client whose requests
//! all share one deadline, e.g. the gate's `--timeout` or a tool call's `--call-timeout`. Each attempt's
//! timeout is cut to the time left, no retry starts when its wait would pass the deadline, and a spent
//! budget ends in [`ApiError::TimeBudget`] (or [`ApiError::MaybeApplied`] for a write already sent).
//! Clones share the connection pool, so a deadline per call costs nothing:
//!
//! ```no_run
//! # async fn run(client: sentry_companion::sentry::SentryClient) {
//! let call = client.with_time_limit(std::time::Duration::from_secs(60));
//! // every request made through `call` ends within the 60 s, retries included
//! # }
//! ```
//!
//! # Where the token goes
//!
//! Only to the configured origin: every URL is built from the base URL, pagination follows cursors (never
//! the `Link` URLs), a redirect to another origin is refused, and a write is never redirected at all.

use super::auth::AuthToken;
use super::error::{ApiError, is_query_timeout, parse_retry_after};
use super::log;
use super::pagination::next_cursor;
use super::path::ApiPath;
use super::redact::Secrets;
use super::retry::{Failure, Repeatable, RetryPolicy};
use super::transport::{HttpRecipe, ProxyConfig, SendFailure, TransportSettings, read_capped};
use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap, LOCATION, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use url::Url;

/// Largest page Sentry serves; bigger requests are refused with a 400.
pub const MAX_PAGE_SIZE: usize = 100;

/// The largest successful answer read by default (a bigger one is refused, not buffered).
pub const DEFAULT_MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;

/// How much of an error answer is read: enough for any message, never a flood.
const ERROR_BODY_BYTES: u64 = 64 * 1024;

/// Redirects followed in a row (same origin, reads only) before giving up.
const MAX_REDIRECTS: usize = 5;

/// How to reach Sentry.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The server's base URL, e.g. `https://sentry.io` (the API root is `{base}/api/0/`).
    pub base_url: Url,
    /// The token sent as `Authorization: Bearer`, to the base URL's origin only.
    pub token: Option<AuthToken>,
    /// Limit for one attempt, answer included (a deadline can make it shorter).
    pub timeout: Duration,
    /// Retry bounds.
    pub retry: RetryPolicy,
    /// Appended to the User-Agent (`SENTRY_PIPELINE`).
    pub user_agent_suffix: Option<String>,
    /// Extra headers on every request (`--header`, `CUSTOM_HEADER`).
    pub headers: Vec<(String, String)>,
    /// The proxy to reach Sentry through; `None` connects directly.
    pub proxy: Option<ProxyConfig>,
    /// Whether the server's TLS certificate is checked (`[http] verify_ssl`).
    pub verify_tls: bool,
    /// The largest successful answer read, in bytes.
    pub max_body_bytes: u64,
}

impl ClientConfig {
    /// A direct, verifying configuration with the default timeout (30 s), retries and answer cap.
    pub fn new(base_url: Url, token: Option<AuthToken>) -> Self {
        Self {
            base_url,
            token,
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            user_agent_suffix: None,
            headers: Vec::new(),
            proxy: None,
            verify_tls: true,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// The values that must never be printed: the token, the proxy password, secret-looking headers.
    fn secrets(&self) -> Secrets {
        let mut secrets = Secrets::default();
        if let Some(token) = &self.token {
            secrets.add(token.expose());
        }
        if let Some(password) = self.proxy.as_ref().and_then(|p| p.password.as_deref()) {
            secrets.add(password);
        }
        if let Some(password) = self.proxy.as_ref().and_then(|p| p.url.password()) {
            secrets.add(password);
        }
        for (name, value) in &self.headers {
            if is_secret_header(name) {
                secrets.add(value);
            }
        }
        secrets
    }
}

/// Header names whose values are credentials (e.g. `CF-Access-Client-Secret`, `X-Api-Key`).
fn is_secret_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["auth", "token", "secret", "key", "cookie", "password"]
        .iter()
        .any(|word| name.contains(word))
}

/// A Sentry API client; cheap to clone. Clones made with a deadline share the connection pool.
#[derive(Clone)]
pub struct SentryClient {
    inner: Arc<Inner>,
    deadline: Option<Instant>,
}

struct Inner {
    /// Built on the first request (see [`HttpRecipe`]).
    http: OnceLock<reqwest::Client>,
    recipe: HttpRecipe,
    base_url: Url,
    api_root: String,
    token: Option<AuthToken>,
    retry: RetryPolicy,
    timeout: Duration,
    max_body_bytes: u64,
    secrets: Secrets,
}

/// A successful answer.
#[derive(Debug, Clone)]
pub struct Response {
    /// The HTTP status (e.g. 201 created, 208 already existed).
    pub status: u16,
    /// The JSON body (`null` when empty).
    pub body: Value,
    /// The cursor of the next page, when there is one with results.
    pub next_cursor: Option<String>,
    /// `X-Hits`: how many results match in total, where Sentry says.
    pub hits: Option<u64>,
}

/// Items gathered over one or more pages.
#[derive(Debug, Clone)]
pub struct Listing<T> {
    /// The items, at most the requested limit.
    pub items: Vec<T>,
    /// Where the next call should continue, if more exist.
    pub next_cursor: Option<String>,
    /// The total number of matches, where Sentry says.
    pub hits: Option<u64>,
}

/// The query parameter an endpoint reads its page size from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageSize {
    /// `per_page` (most endpoints).
    PerPage,
    /// `limit` (the issue lists).
    Limit,
}

impl SentryClient {
    /// Builds a client; fails only if a header, the proxy or the TLS stack cannot be set up.
    pub fn new(config: ClientConfig) -> Result<Self, ApiError> {
        let secrets = config.secrets();
        log::add_secrets(&secrets);
        let recipe = HttpRecipe::prepare(&TransportSettings {
            user_agent_suffix: config.user_agent_suffix.as_deref(),
            headers: &config.headers,
            proxy: config.proxy.as_ref(),
            verify_tls: config.verify_tls,
        })?;
        let mut base_url = config.base_url;
        // Sentry authenticates with the token alone; credentials in the URL would only leak.
        let _ = base_url.set_username("");
        let _ = base_url.set_password(None);
        let api_root = format!("{}/api/0/", base_url.as_str().trim_end_matches('/'));
        Ok(Self {
            inner: Arc::new(Inner {
                http: OnceLock::new(),
                recipe,
                base_url,
                api_root,
                token: config.token,
                retry: config.retry,
                timeout: config.timeout,
                max_body_bytes: config.max_body_bytes,
                secrets,
            }),
            deadline: None,
        })
    }

    /// This client with every request bounded by `deadline` (the earlier one wins if it already has one).
    pub fn with_deadline(&self, deadline: Instant) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            deadline: Some(self.deadline.map_or(deadline, |d| d.min(deadline))),
        }
    }

    /// This client with every request ending within `limit` from now, retries included.
    pub fn with_time_limit(&self, limit: Duration) -> Self {
        match Instant::now().checked_add(limit) {
            Some(deadline) => self.with_deadline(deadline),
            None => self.clone(),
        }
    }

    /// The HTTP client, built on first use.
    fn http(&self) -> Result<&reqwest::Client, ApiError> {
        if let Some(http) = self.inner.http.get() {
            return Ok(http);
        }
        let built = self.inner.recipe.build()?;
        Ok(self.inner.http.get_or_init(|| built))
    }

    /// The deadline requests are bounded by, if any.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// The configured base URL (without credentials).
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// Whether a token is configured.
    pub fn has_token(&self) -> bool {
        self.inner.token.is_some()
    }

    /// Whether the token is an org auth token (`sntrys_`), which Sentry limits to `org:ci`.
    pub fn has_org_token(&self) -> bool {
        self.inner
            .token
            .as_ref()
            .is_some_and(|token| token.expose().starts_with("sntrys_"))
    }

    /// A GET request (idempotent: retried on gateway errors).
    pub fn get(&self, path: ApiPath) -> Request<'_> {
        self.request(Method::GET, path, None, true)
    }

    /// A PUT request with a JSON body (idempotent).
    pub fn put(&self, path: ApiPath, body: Value) -> Request<'_> {
        self.request(Method::PUT, path, Some(Body::Json(body)), true)
    }

    /// A POST request with a JSON body (not repeated once it may have arrived, unless marked idempotent).
    pub fn post(&self, path: ApiPath, body: Value) -> Request<'_> {
        self.request(Method::POST, path, Some(Body::Json(body)), false)
    }

    /// A POST request with a raw body of the given content type (e.g. a multipart upload).
    pub fn post_bytes(&self, path: ApiPath, content_type: String, bytes: Bytes) -> Request<'_> {
        let body = Body::Raw {
            content_type,
            bytes,
        };
        self.request(Method::POST, path, Some(body), false)
    }

    fn request(
        &self,
        method: Method,
        path: ApiPath,
        body: Option<Body>,
        idempotent: bool,
    ) -> Request<'_> {
        Request {
            client: self,
            method,
            path,
            query: Vec::new(),
            body,
            repeat: Repeatable {
                idempotent,
                conflict_is_transient: false,
            },
        }
    }
}

/// What a request carries.
enum Body {
    /// Serialised as JSON.
    Json(Value),
    /// Sent as it is; `Bytes` clones cheaply, so a retry re-sends without copying.
    Raw { content_type: String, bytes: Bytes },
}

/// One request being put together; finish it with [`Request::send`], [`Request::json`] or [`Request::list`].
#[must_use]
pub struct Request<'c> {
    client: &'c SentryClient,
    method: Method,
    path: ApiPath,
    query: Vec<(String, String)>,
    body: Option<Body>,
    repeat: Repeatable,
}

/// A failed attempt: how retrying treats it, the server's wait hint, and the error to report.
struct Failed {
    failure: Failure,
    hint: Option<Duration>,
    error: Box<ApiError>,
}

impl Failed {
    fn final_(error: ApiError) -> Self {
        Self {
            failure: Failure::Final,
            hint: None,
            error: Box::new(error),
        }
    }
}

impl Request<'_> {
    /// Adds a query parameter (repeat the call for repeated keys).
    pub fn query(mut self, key: &str, value: impl ToString) -> Self {
        self.query.push((key.to_owned(), value.to_string()));
        self
    }

    /// Adds a query parameter when there is a value.
    pub fn query_opt(self, key: &str, value: Option<impl ToString>) -> Self {
        match value {
            Some(value) => self.query(key, value),
            None => self,
        }
    }

    /// Adds one `key=value` pair per value.
    pub fn query_each<V: ToString>(self, key: &str, values: impl IntoIterator<Item = V>) -> Self {
        values
            .into_iter()
            .fold(self, |request, value| request.query(key, value))
    }

    /// Marks the request safe to repeat (e.g. release creation, which Sentry de-duplicates).
    pub fn idempotent(mut self) -> Self {
        self.repeat.idempotent = true;
        self
    }

    /// Treats 409 as "busy, retry" (Sentry answers it while a release's commits are processed).
    pub fn retry_on_conflict(mut self) -> Self {
        self.repeat.conflict_is_transient = true;
        self
    }

    /// Sends the request, retrying as the policy and the deadline allow, and returns the answer.
    pub async fn send(self) -> Result<Response, ApiError> {
        self.attempt_all(&[]).await
    }

    /// Sends and decodes the body into `T`.
    pub async fn json<T: DeserializeOwned>(self) -> Result<T, ApiError> {
        let resource = self.path.describe();
        let response = self.send().await?;
        decode(response.body, &resource)
    }

    /// Gathers up to `limit` items over as many pages as needed, starting at `cursor`.
    pub async fn list<T: DeserializeOwned>(
        self,
        limit: usize,
        page_size: PageSize,
        cursor: Option<String>,
    ) -> Result<Listing<T>, ApiError> {
        let resource = self.path.describe();
        let mut items: Vec<Value> = Vec::new();
        let mut seen: HashSet<String> = cursor.iter().cloned().collect();
        let mut cursor = cursor;
        let mut hits = None;
        loop {
            let wanted = (limit - items.len()).min(MAX_PAGE_SIZE);
            let mut extra = Vec::new();
            let size_param = match page_size {
                PageSize::PerPage => "per_page",
                PageSize::Limit => "limit",
            };
            extra.push((size_param.to_owned(), wanted.to_string()));
            if let Some(c) = &cursor {
                extra.push(("cursor".to_owned(), c.clone()));
            }
            let page = self.attempt_all(&extra).await?;
            hits = hits.or(page.hits);
            let page_items = match page.body {
                Value::Array(values) => values,
                Value::Null => Vec::new(),
                other => {
                    return Err(ApiError::Decode {
                        resource,
                        reason: format!("expected a list, got {}", kind_of(&other)),
                    });
                }
            };
            let empty = page_items.is_empty();
            items.extend(page_items);
            cursor = page.next_cursor;
            if let Some(repeated) = cursor.as_ref().filter(|c| !seen.insert((*c).clone())) {
                // A server that hands out a cursor twice would have us loop, or pass a partial list off as whole.
                return Err(ApiError::RepeatedCursor {
                    resource,
                    cursor: repeated.clone(),
                });
            }
            if items.len() >= limit || cursor.is_none() || empty {
                break;
            }
        }
        if items.len() > limit {
            // The server sent more than asked: the cursor points past what is dropped, so hand none out.
            items.truncate(limit);
            cursor = None;
        }
        let items = items
            .into_iter()
            .map(|item| decode(item, &resource))
            .collect::<Result<Vec<T>, _>>()?;
        Ok(Listing {
            items,
            next_cursor: cursor,
            hits,
        })
    }

    async fn attempt_all(&self, extra: &[(String, String)]) -> Result<Response, ApiError> {
        let policy = &self.client.inner.retry;
        let mut waited = Duration::ZERO;
        let mut attempt = 1;
        loop {
            let Failed {
                failure,
                hint,
                error,
            } = match self.attempt(extra).await {
                Ok(response) => return Ok(response),
                Err(failed) => failed,
            };
            if attempt >= policy.max_attempts || !policy.should_retry(&failure, self.repeat) {
                return Err(*error);
            }
            let wait = policy.delay(attempt, hint, fastrand::f64());
            if waited + wait > policy.max_total {
                return Err(*error);
            }
            if self.would_pass_deadline(wait) {
                return Err(self.out_of_time(Some(&error)));
            }
            log::debug(|| {
                format!(
                    "retrying {} {} in {:.1} s (attempt {} of {}) after: {error}",
                    self.method,
                    self.path.describe(),
                    wait.as_secs_f64(),
                    attempt + 1,
                    policy.max_attempts
                )
            });
            tokio::time::sleep(wait).await;
            waited += wait;
            attempt += 1;
        }
    }

    async fn attempt(&self, extra: &[(String, String)]) -> Result<Response, Failed> {
        let mut url = self.url(extra).map_err(Failed::final_)?;
        let token = self
            .client
            .inner
            .token
            .as_ref()
            .ok_or_else(|| Failed::final_(ApiError::MissingToken))?;
        let mut redirects = 0;
        loop {
            let response = self.send_once(&url, token).await?;
            let Some(target) = redirect_target(&response, &url) else {
                return self.read_answer(response).await;
            };
            redirects += 1;
            if redirects > MAX_REDIRECTS {
                return Err(Failed::final_(ApiError::Redirected {
                    method: self.method.to_string(),
                    resource: self.path.describe(),
                    status: response.status().as_u16(),
                    target: shown_target(&target),
                    why: format!(
                        "more than {MAX_REDIRECTS} redirects in a row; check --url / SENTRY_URL"
                    ),
                }));
            }
            url = self.follow(response.status(), target)?;
        }
    }

    async fn send_once(&self, url: &Url, token: &AuthToken) -> Result<reqwest::Response, Failed> {
        let inner = &self.client.inner;
        if url.origin() != inner.base_url.origin() {
            // Unreachable by construction; kept so no future change can send the token elsewhere.
            return Err(Failed::final_(ApiError::Local {
                reason: format!(
                    "refusing to send the token to {}, which is not the configured Sentry",
                    shown_url(url)
                ),
            }));
        }
        let timeout = self.time_for_attempt()?;
        let mut request = self
            .client
            .http()
            .map_err(Failed::final_)?
            .request(self.method.clone(), url.clone())
            .timeout(timeout)
            .bearer_auth(token.expose());
        match &self.body {
            Some(Body::Json(body)) => request = request.json(body),
            Some(Body::Raw {
                content_type,
                bytes,
            }) => {
                request = request
                    .header(CONTENT_TYPE, content_type)
                    .body(bytes.clone());
            }
            None => {}
        }
        let started = Instant::now();
        let result = request.send().await;
        let elapsed = started.elapsed().as_millis();
        match result {
            Ok(response) => {
                log::debug(|| {
                    format!(
                        "{} {} -> {} ({elapsed} ms)",
                        self.method,
                        shown_url(url),
                        response.status().as_u16()
                    )
                });
                Ok(response)
            }
            Err(error) => {
                let failure = SendFailure::of(&error);
                log::debug(|| {
                    format!(
                        "{} {} failed after {elapsed} ms: {failure}",
                        self.method,
                        shown_url(url)
                    )
                });
                Err(self.send_failed(failure))
            }
        }
    }

    /// This attempt's timeout: the configured one, cut to what is left before the deadline.
    fn time_for_attempt(&self) -> Result<Duration, Failed> {
        let configured = self.client.inner.timeout;
        let Some(deadline) = self.client.deadline else {
            return Ok(configured);
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Failed::final_(self.out_of_time(None)));
        }
        Ok(configured.min(left))
    }

    /// True when the deadline has come (a timeout that fires now is the deadline's, not the attempt's own).
    fn deadline_reached(&self) -> bool {
        // An attempt's timeout is cut to end exactly at the deadline; the margin absorbs timer slack.
        const SLACK: Duration = Duration::from_millis(50);
        self.client
            .deadline
            .is_some_and(|deadline| Instant::now() + SLACK >= deadline)
    }

    fn would_pass_deadline(&self, wait: Duration) -> bool {
        self.client
            .deadline
            .is_some_and(|deadline| Instant::now() + wait >= deadline)
    }

    fn out_of_time(&self, last: Option<&ApiError>) -> ApiError {
        ApiError::TimeBudget {
            resource: self.path.describe(),
            last: last
                .map(|error| format!("; the last attempt: {error}"))
                .unwrap_or_default(),
        }
    }

    /// The error for a send (or answer read) that failed without an HTTP status.
    fn send_failed(&self, failure: SendFailure) -> Failed {
        let inner = &self.client.inner;
        let url = inner.base_url.to_string();
        let out_of_time = failure == SendFailure::TimedOut && self.deadline_reached();
        let mut retry = failure.failure();
        let error = match failure {
            SendFailure::Local(reason) => ApiError::Local { reason },
            SendFailure::Certificate(problem) => ApiError::Certificate { url, problem },
            SendFailure::NotConnected(reason) => ApiError::Network {
                url,
                reason: format!("connection failed ({reason})"),
            },
            SendFailure::TimedOut | SendFailure::Broken(_) => {
                let reason = match failure {
                    SendFailure::Broken(cause) => format!("the connection broke ({cause})"),
                    _ if out_of_time => "the time limit for this operation ran out".to_owned(),
                    _ => format!("no answer within {} s", inner.timeout.as_secs()),
                };
                if out_of_time {
                    retry = Failure::Final;
                }
                if !self.repeat.idempotent {
                    ApiError::MaybeApplied {
                        method: self.method.to_string(),
                        resource: self.path.describe(),
                        reason,
                    }
                } else if out_of_time {
                    self.out_of_time(None)
                } else {
                    ApiError::Network { url, reason }
                }
            }
        };
        Failed {
            failure: retry,
            hint: None,
            error: Box::new(error),
        }
    }

    /// Follows a same-origin redirect of a read; refuses every other one.
    fn follow(&self, status: StatusCode, target: Url) -> Result<Url, Failed> {
        let base = &self.client.inner.base_url;
        let why = if self.method != Method::GET {
            Some(format!(
                "a write is never redirected (it could arrive as a GET, or not at all), so it was not resent. If Sentry moved, set --url / SENTRY_URL to {}",
                target.origin().ascii_serialization()
            ))
        } else if target.origin() != base.origin() {
            Some(format!(
                "that is not the configured Sentry ({}), and the token is only sent there. If Sentry moved, set --url / SENTRY_URL to {}",
                base.origin().ascii_serialization(),
                target.origin().ascii_serialization()
            ))
        } else {
            None
        };
        match why {
            Some(why) => Err(Failed::final_(ApiError::Redirected {
                method: self.method.to_string(),
                resource: self.path.describe(),
                status: status.as_u16(),
                target: shown_target(&target),
                why,
            })),
            None => {
                log::debug(|| format!("following the redirect to {}", shown_target(&target)));
                Ok(target)
            }
        }
    }

    async fn read_answer(&self, response: reqwest::Response) -> Result<Response, Failed> {
        let inner = &self.client.inner;
        let status = response.status();
        let headers = response.headers().clone();
        let cap = if status.is_success() {
            inner.max_body_bytes
        } else {
            ERROR_BODY_BYTES
        };
        let body = read_capped(response, cap)
            .await
            .map_err(|e| self.send_failed(SendFailure::of(&e)))?;
        log::trace(|| {
            format!(
                "{} bytes{} of {}",
                body.bytes.len(),
                header(&headers, "content-type")
                    .map(|t| format!(" ({t})"))
                    .unwrap_or_default(),
                self.path.describe()
            )
        });
        if status.is_success() {
            if body.truncated {
                return Err(Failed::final_(ApiError::TooLarge {
                    resource: self.path.describe(),
                    limit_mib: inner.max_body_bytes.div_ceil(1024 * 1024),
                }));
            }
            let value = if body.bytes.trim_ascii().is_empty() {
                Value::Null
            } else {
                serde_json::from_slice(&body.bytes).map_err(|e| {
                    Failed::final_(ApiError::Decode {
                        resource: self.path.describe(),
                        reason: e.to_string(),
                    })
                })?
            };
            return Ok(Response {
                status: status.as_u16(),
                body: value,
                next_cursor: header(&headers, "link").and_then(|h| next_cursor(&h)),
                hits: header(&headers, "x-hits").and_then(|h| h.trim().parse().ok()),
            });
        }
        // An error body may echo the request, Authorization header included.
        let text = inner.secrets.scrub(&String::from_utf8_lossy(&body.bytes));
        Err(Failed {
            failure: Failure::Status {
                status: status.as_u16(),
                query_timeout: status == StatusCode::BAD_REQUEST && is_query_timeout(&text),
            },
            hint: wait_hint(&headers, status),
            error: Box::new(ApiError::from_status(
                self.method.as_str(),
                &self.path,
                status.as_u16(),
                &text,
            )),
        })
    }

    fn url(&self, extra: &[(String, String)]) -> Result<Url, ApiError> {
        let inner = &self.client.inner;
        let mut url =
            Url::parse(&format!("{}{}", inner.api_root, self.path.encoded())).map_err(|e| {
                ApiError::Local {
                    reason: format!("invalid request URL for {}: {e}", self.path.describe()),
                }
            })?;
        if !self.query.is_empty() || !extra.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (key, value) in self.query.iter().chain(extra) {
                pairs.append_pair(key, value);
            }
        }
        Ok(url)
    }
}

/// Where a 3xx answer points, resolved against the request's URL.
fn redirect_target(response: &reqwest::Response, url: &Url) -> Option<Url> {
    let status = response.status();
    if !status.is_redirection() || status == StatusCode::NOT_MODIFIED {
        return None;
    }
    let location = response.headers().get(LOCATION)?.to_str().ok()?;
    url.join(location.trim()).ok()
}

/// A URL as it may be printed: no credentials, no fragment.
fn shown_url(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_fragment(None);
    shown.to_string()
}

/// Where a refused redirect pointed, as it may be printed: also without its query, which is not ours.
fn shown_target(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown_url(&shown)
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name)?.to_str().ok().map(str::to_owned)
}

/// How long the server asked us to wait: `X-Sentry-Rate-Limit-Reset` on a 429, else `Retry-After`.
fn wait_hint(headers: &HeaderMap, status: StatusCode) -> Option<Duration> {
    let now = chrono::Utc::now();
    let reset =
        header(headers, "x-sentry-rate-limit-reset").and_then(|v| v.trim().parse::<f64>().ok());
    if let (StatusCode::TOO_MANY_REQUESTS, Some(reset)) = (status, reset) {
        let wait = reset - now.timestamp_millis() as f64 / 1000.0;
        return Some(Duration::from_secs_f64(wait.max(0.0)));
    }
    header(headers, RETRY_AFTER.as_str()).and_then(|v| parse_retry_after(&v, now))
}

fn decode<T: DeserializeOwned>(value: Value, resource: &str) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|e| ApiError::Decode {
        resource: resource.to_owned(),
        reason: e.to_string(),
    })
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
