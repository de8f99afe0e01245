//! The auth token as a secret type, and what an org auth token carries.

use base64::Engine;
use serde::Deserialize;
use std::fmt;

/// A Sentry auth token. It prints as `AuthToken(***)` and is only read through [`AuthToken::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct AuthToken(String);

impl AuthToken {
    /// Wraps a token string (surrounding whitespace removed).
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into().trim().to_owned())
    }

    /// The raw token, for the Authorization header and output masking only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What an org auth token (`sntrys_<base64 json>_<secret>`) says about its org and server.
    pub fn org_token_claims(&self) -> Option<OrgTokenClaims> {
        let rest = self.0.strip_prefix("sntrys_")?;
        let (payload, _secret) = rest.rsplit_once('_')?;
        let engines = [
            base64::engine::general_purpose::STANDARD,
            base64::engine::general_purpose::URL_SAFE,
        ];
        let trimmed = payload.trim_end_matches('=');
        let bytes = engines.iter().find_map(|engine| {
            let padded = format!("{trimmed}{}", "=".repeat((4 - trimmed.len() % 4) % 4));
            engine.decode(padded).ok()
        })?;
        serde_json::from_slice(&bytes).ok()
    }
}

impl fmt::Debug for AuthToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthToken(***)")
    }
}

/// The claims inside an org auth token.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OrgTokenClaims {
    /// The organization slug the token belongs to.
    #[serde(default)]
    pub org: Option<String>,
    /// The Sentry base URL (e.g. `https://sentry.io`).
    #[serde(default)]
    pub url: Option<String>,
    /// The region URL (e.g. `https://us.sentry.io`).
    #[serde(default)]
    pub region_url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn org_token(json: &str) -> AuthToken {
        let payload = base64::engine::general_purpose::STANDARD.encode(json);
        AuthToken::new(format!("sntrys_{payload}_c2VjcmV0c2VjcmV0"))
    }

    #[test]
    fn debug_never_shows_the_token() {
        let token = AuthToken::new("sntryu_0123456789abcdef");
        assert_eq!(format!("{token:?}"), "AuthToken(***)");
        assert_eq!(format!("{:?}", Some(token)), "Some(AuthToken(***))");
    }

    #[test]
    fn decodes_org_token_claims() {
        let token = org_token(
            r#"{"iat":1700000000,"url":"https://sentry.io","region_url":"https://us.sentry.io","org":"acme"}"#,
        );
        let claims = token.org_token_claims().unwrap();
        assert_eq!(claims.org.as_deref(), Some("acme"));
        assert_eq!(claims.url.as_deref(), Some("https://sentry.io"));
        assert_eq!(claims.region_url.as_deref(), Some("https://us.sentry.io"));
    }

    #[test]
    fn decodes_unpadded_payloads() {
        let payload = base64::engine::general_purpose::STANDARD_NO_PAD.encode(r#"{"org":"a"}"#);
        let token = AuthToken::new(format!("sntrys_{payload}_secret"));
        assert_eq!(token.org_token_claims().unwrap().org.as_deref(), Some("a"));
    }

    #[test]
    fn other_tokens_carry_no_claims() {
        assert!(AuthToken::new("sntryu_abc").org_token_claims().is_none());
        assert!(
            AuthToken::new("0123456789abcdef")
                .org_token_claims()
                .is_none()
        );
        assert!(
            AuthToken::new("sntrys_notbase64!!_x")
                .org_token_claims()
                .is_none()
        );
    }

    proptest! {
        #[test]
        fn any_token_text_is_safe_to_inspect(text in "\\PC{0,120}") {
            let token = AuthToken::new(text.clone());
            let _ = token.org_token_claims();
            let _ = AuthToken::new(format!("sntrys_{text}")).org_token_claims();
            prop_assert_eq!(format!("{token:?}"), "AuthToken(***)");
        }

        #[test]
        fn claims_survive_every_base64_flavour(
            org in "[a-z0-9-]{1,30}",
            secret in "[A-Za-z0-9]{8,40}",
            url_safe: bool,
            padded: bool,
        ) {
            let json = format!(r#"{{"iat":1,"url":"https://sentry.io","region_url":"https://us.sentry.io","org":"{org}"}}"#);
            let engine = match (url_safe, padded) {
                (false, true) => base64::engine::general_purpose::STANDARD,
                (false, false) => base64::engine::general_purpose::STANDARD_NO_PAD,
                (true, true) => base64::engine::general_purpose::URL_SAFE,
                (true, false) => base64::engine::general_purpose::URL_SAFE_NO_PAD,
            };
            let token = AuthToken::new(format!("sntrys_{}_{secret}", engine.encode(json)));
            let claims = token.org_token_claims().unwrap();
            prop_assert_eq!(claims.org, Some(org));
            prop_assert_eq!(claims.url.as_deref(), Some("https://sentry.io"));
        }
    }
}
