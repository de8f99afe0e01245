//! The release workflow: versions, creation from git history, finalize and deploy.
//!
//! Each command takes a plain request (built by the command line) and the session; finalize and
//! deploy call the same typed endpoints the release tools use, and print the same answers. What
//! they leave for CI (outputs, job summary, annotations, dotenv report) goes through `report`.

pub mod create;
pub mod deploy;
pub mod describe;
pub mod error;
pub mod finalize;
pub mod limits;
pub mod link;
pub mod organization;
pub mod progress;
pub mod report;
pub mod version;

pub use create::CreateRequest;
pub use deploy::{DeployRequest, run as deploy};
pub use error::ReleaseError;
pub use finalize::{FinalizeRequest, run as finalize};
pub use report::CiReport;
pub use version::ProposeRequest;
