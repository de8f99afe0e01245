//! The one HTTP path to Sentry: auth, user agent, timeout, retries, pagination.

use super::auth::AuthToken;
use super::error::{ApiError, is_query_timeout, parse_retry_after};
use super::pagination::next_cursor;
use super::path::ApiPath;
use super::retry::{Failure, Repeatable, RetryPolicy};
use reqwest::header::{AUTHORIZATION, HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Largest page Sentry serves; bigger requests are refused with a 400.
pub const MAX_PAGE_SIZE: usize = 100;

/// How to reach Sentry.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The server's base URL, e.g. `https://sentry.io` (the API root is `{base}/api/0/`).
    pub base_url: Url,
    /// The token sent as `Authorization: Bearer`.
    pub token: Option<AuthToken>,
    /// Limit for one request, answer included.
    pub timeout: Duration,
    /// Retry bounds.
    pub retry: RetryPolicy,
}

impl ClientConfig {
    /// A configuration with the default timeout (30 s) and retry policy.
    pub fn new(base_url: Url, token: Option<AuthToken>) -> Self {
        Self {
            base_url,
            token,
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
        }
    }
}

/// A Sentry API client; cheap to clone.
#[derive(Clone)]
pub struct SentryClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: Url,
    api_root: String,
    token: Option<AuthToken>,
    retry: RetryPolicy,
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
    /// Builds a client; fails only if the TLS stack cannot start.
    pub fn new(config: ClientConfig) -> Result<Self, ApiError> {
        // reqwest is built without a default crypto provider; ring is ours. A second install is a no-op.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .user_agent(concat!("sentry-companion/", env!("CARGO_PKG_VERSION")))
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| ApiError::Network {
                url: config.base_url.to_string(),
                reason: format!("cannot start the HTTP client: {e}"),
            })?;
        let api_root = format!("{}/api/0/", config.base_url.as_str().trim_end_matches('/'));
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base_url: config.base_url,
                api_root,
                token: config.token,
                retry: config.retry,
            }),
        })
    }

    /// The configured base URL.
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
        self.request(Method::PUT, path, Some(body), true)
    }

    /// A POST request with a JSON body (not repeated on gateway errors unless marked idempotent).
    pub fn post(&self, path: ApiPath, body: Value) -> Request<'_> {
        self.request(Method::POST, path, Some(body), false)
    }

    fn request(
        &self,
        method: Method,
        path: ApiPath,
        body: Option<Value>,
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

/// One request being put together; finish it with [`Request::send`], [`Request::json`] or [`Request::list`].
#[must_use]
pub struct Request<'c> {
    client: &'c SentryClient,
    method: Method,
    path: ApiPath,
    query: Vec<(String, String)>,
    body: Option<Value>,
    repeat: Repeatable,
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

    /// Sends the request, retrying as the policy allows, and returns the answer.
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
            let (failure, hint, error) = match self.attempt(extra).await {
                Ok(response) => return Ok(response),
                Err(failed) => failed,
            };
            if attempt >= policy.max_attempts || !policy.should_retry(&failure, self.repeat) {
                return Err(error);
            }
            let wait = policy.delay(attempt, hint, fastrand::f64());
            if waited + wait > policy.max_total {
                return Err(error);
            }
            tokio::time::sleep(wait).await;
            waited += wait;
            attempt += 1;
        }
    }

    async fn attempt(
        &self,
        extra: &[(String, String)],
    ) -> Result<Response, (Failure, Option<Duration>, ApiError)> {
        let inner = &self.client.inner;
        let url = self.url(extra).map_err(|e| (Failure::Transport, None, e))?;
        let Some(token) = &inner.token else {
            let not_sent = Failure::Status {
                status: 401,
                query_timeout: false,
            };
            return Err((not_sent, None, ApiError::MissingToken));
        };
        let mut request = inner
            .http
            .request(self.method.clone(), url)
            .header(AUTHORIZATION, format!("Bearer {}", token.expose()));
        if let Some(body) = &self.body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| self.transport_error(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let text = response
            .text()
            .await
            .map_err(|e| self.transport_error(&e))?;
        if status.is_success() {
            return Ok(Response {
                status: status.as_u16(),
                body: if text.trim().is_empty() {
                    Value::Null
                } else {
                    serde_json::from_str(&text).map_err(|e| {
                        (
                            Failure::Transport,
                            None,
                            ApiError::Decode {
                                resource: self.path.describe(),
                                reason: e.to_string(),
                            },
                        )
                    })?
                },
                next_cursor: header(&headers, "link").and_then(|h| next_cursor(&h)),
                hits: header(&headers, "x-hits").and_then(|h| h.trim().parse().ok()),
            });
        }
        let failure = Failure::Status {
            status: status.as_u16(),
            query_timeout: status == StatusCode::BAD_REQUEST && is_query_timeout(&text),
        };
        let hint = wait_hint(&headers, status);
        let error = ApiError::from_status(self.method.as_str(), &self.path, status.as_u16(), &text);
        Err((failure, hint, error))
    }

    fn url(&self, extra: &[(String, String)]) -> Result<Url, ApiError> {
        let inner = &self.client.inner;
        let mut url =
            Url::parse(&format!("{}{}", inner.api_root, self.path.encoded())).map_err(|e| {
                ApiError::Network {
                    url: inner.base_url.to_string(),
                    reason: format!("invalid URL: {e}"),
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

    fn transport_error(&self, error: &reqwest::Error) -> (Failure, Option<Duration>, ApiError) {
        let reason = if error.is_timeout() {
            "the request timed out".to_owned()
        } else if error.is_connect() {
            "connection failed".to_owned()
        } else {
            error.without_url_string()
        };
        (
            Failure::Transport,
            None,
            ApiError::Network {
                url: self.client.inner.base_url.to_string(),
                reason,
            },
        )
    }
}

trait WithoutUrl {
    fn without_url_string(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_string(&self) -> String {
        let mut text = self.to_string();
        if let Some(url) = self.url() {
            text = text.replace(url.as_str(), "");
        }
        text
    }
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
