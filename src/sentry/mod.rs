//! The only code that speaks HTTP: the Sentry client, its paths, errors, retries and models.

pub mod api;
pub mod auth;
pub mod client;
pub mod error;
pub mod models;
pub mod pagination;
pub mod path;
pub mod retry;

pub use auth::{AuthToken, OrgTokenClaims};
pub use client::{ClientConfig, Listing, PageSize, Response, SentryClient};
pub use error::ApiError;
pub use path::ApiPath;
pub use retry::RetryPolicy;
