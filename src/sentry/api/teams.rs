//! `organizations/{org}/teams/`: list and create.

use super::Page;
use crate::api_path;
use crate::sentry::models::Team;
use crate::sentry::{ApiError, Listing, PageSize, SentryClient};

/// Lists an organization's teams.
pub async fn list(client: &SentryClient, org: &str, page: Page) -> Result<Listing<Team>, ApiError> {
    client
        .get(api_path!["organizations", org, "teams"]?)
        .list(page.limit, PageSize::PerPage, page.cursor)
        .await
}

/// Creates a team; Sentry derives the slug from the name.
pub async fn create(client: &SentryClient, org: &str, name: &str) -> Result<Team, ApiError> {
    client
        .post(
            api_path!["organizations", org, "teams"]?,
            serde_json::json!({ "name": name, "slug": slug_of(name) }),
        )
        .json()
        .await
}

/// The slug Sentry's UI proposes for a name: lower case, runs of other characters as one dash.
fn slug_of(name: &str) -> String {
    let mut slug = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_case_words_joined_by_dashes() {
        assert_eq!(slug_of(" Mobile Team (iOS) "), "mobile-team-ios");
        assert_eq!(slug_of("back_end"), "back_end");
    }
}
