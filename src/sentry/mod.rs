//! The only code that speaks HTTP: the Sentry client, its paths, errors, retries and models, one
//! function per endpoint (`api/`), and the session commands run with.

pub mod api;
pub mod auth;
pub mod client;
pub mod error;
pub mod log;
pub mod models;
pub mod pagination;
pub mod path;
pub mod redact;
pub mod retry;
pub mod session;
pub mod transport;

pub use auth::{AuthToken, OrgTokenClaims};
pub use client::{ClientConfig, Listing, PageSize, Response, SentryClient};
pub use error::ApiError;
pub use path::ApiPath;
pub use retry::RetryPolicy;
pub use session::Session;
pub use transport::ProxyConfig;
