//! `organizations/{org}/replays/{id}/`: one session replay.

use crate::api_path;
use crate::sentry::models::monitoring::{Replay, ReplayEnvelope};
use crate::sentry::{ApiError, SentryClient};

/// Reads one replay (searched over the last 90 days, Sentry's retention).
pub async fn get(client: &SentryClient, org: &str, replay_id: &str) -> Result<Replay, ApiError> {
    let envelope: ReplayEnvelope = client
        .get(api_path!["organizations", org, "replays", replay_id]?)
        .query("statsPeriod", "90d")
        .json()
        .await?;
    Ok(envelope.data)
}
