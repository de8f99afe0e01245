//! Source maps with debug IDs: `sourcemaps inject` rewrites a build so every generated file and
//! its map share an id; `sourcemaps upload` sends them to Sentry as one artifact bundle.

pub mod bundle;
pub mod chunks;
pub mod debug_id;
pub mod discover;
pub mod inject;
pub mod mappings;
pub mod maps;
pub mod report;
pub mod snippet;
pub mod sourcemap;
pub mod upload;
pub mod work;

pub use discover::Selection;
pub use inject::{InjectReport, InjectRequest, inject};
pub use upload::{UploadReport, UploadRequest, upload};

use crate::ci::github::{GitHub, OutputError};
use crate::output::OutputFormat;
use crate::sentry::SentryClient;
use inject::InjectError;
use serde_json::Value;
use std::io::Write;
use upload::UploadError;

/// Why a `sourcemaps` command did not finish (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum SourcemapsError {
    /// Injecting debug ids failed.
    #[error(transparent)]
    Inject(#[from] InjectError),
    /// The upload failed.
    #[error(transparent)]
    Upload(#[from] UploadError),
    /// The job summary could not be written.
    #[error(transparent)]
    Summary(#[from] OutputError),
    /// The report could not be printed.
    #[error("cannot print the report: {0}")]
    Print(#[from] std::io::Error),
}

/// Runs `sourcemaps inject` and prints what it did.
pub fn run_inject(request: &InjectRequest, format: OutputFormat) -> Result<(), SourcemapsError> {
    let report = inject(request)?;
    print(format, &report.text(), &report.json())
}

/// Runs `sourcemaps upload`, prints what went up, and lists it in the CI job summary.
pub async fn run_upload(
    client: &SentryClient,
    request: &UploadRequest,
    format: OutputFormat,
) -> Result<(), SourcemapsError> {
    let report = upload(client, request).await?;
    print(format, &report.text(), &report.json())?;
    let env = std::env::vars().collect();
    if let Some(github) = GitHub::detect(&env) {
        github.append_summary(&report.markdown())?;
    }
    Ok(())
}

fn print(format: OutputFormat, text: &str, json: &Value) -> Result<(), SourcemapsError> {
    let mut stdout = std::io::stdout().lock();
    match format {
        OutputFormat::Text => write!(stdout, "{text}")?,
        OutputFormat::Json => writeln!(
            stdout,
            "{}",
            serde_json::to_string_pretty(json).map_err(std::io::Error::other)?
        )?,
    }
    Ok(())
}
