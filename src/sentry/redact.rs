//! Keeping secrets out of what is printed: URL credentials stripped, known secrets masked.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// What a masked secret is replaced with.
pub const MASK: &str = "***";

/// How a secret looks once percent-encoded in a URL (the unreserved characters stay as they are).
const ENCODED_IN_URL: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Secrets shorter than this are not masked: they would mask ordinary words and say nothing useful.
const MIN_SECRET_LEN: usize = 6;

/// The secrets of one run (token, proxy password, custom header values); masks them in any text.
#[derive(Clone, Default)]
pub struct Secrets {
    values: Vec<String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} kept)", self.values.len())
    }
}

impl Secrets {
    /// Adds a secret, also in its percent-encoded form (how it appears when echoed inside a URL).
    pub fn add(&mut self, secret: &str) {
        let secret = secret.trim();
        if secret.len() < MIN_SECRET_LEN {
            return;
        }
        let encoded = utf8_percent_encode(secret, ENCODED_IN_URL).to_string();
        self.keep([secret.to_owned(), encoded]);
    }

    /// Adds every secret `other` keeps.
    pub fn merge(&mut self, other: &Secrets) {
        self.keep(other.values.iter().cloned());
    }

    fn keep(&mut self, forms: impl IntoIterator<Item = String>) {
        for form in forms {
            if !self.values.contains(&form) {
                self.values.push(form);
            }
        }
        // Longest first, so a secret that contains another is masked whole.
        self.values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }

    /// `text` with URL credentials stripped and every known secret masked.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = strip_url_credentials(text);
        for secret in &self.values {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
        out
    }
}

/// Removes `user:password@` from every `scheme://` URL in `text`, parsable or not.
pub fn strip_url_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(found) = rest.find("://") {
        let authority_start = found + 3;
        out.push_str(&rest[..authority_start]);
        let after = &rest[authority_start..];
        let authority_len = after
            .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace() || is_quote(c))
            .unwrap_or(after.len());
        let authority = &after[..authority_len];
        match authority.rfind('@') {
            Some(at) => out.push_str(&authority[at + 1..]),
            None => out.push_str(authority),
        }
        rest = &after[authority_len..];
    }
    out.push_str(rest);
    out
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\'' | '<' | '>' | '`')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn strips_credentials_from_urls_in_text() {
        assert_eq!(
            strip_url_credentials("could not reach https://ann:s3cret@sentry.example.com/api/0/"),
            "could not reach https://sentry.example.com/api/0/"
        );
        assert_eq!(
            strip_url_credentials("a \"http://tok@host:9000\" and https://plain.example"),
            "a \"http://host:9000\" and https://plain.example"
        );
        assert_eq!(
            strip_url_credentials("bad port https://u:p@host:99999x"),
            "bad port https://host:99999x"
        );
        assert_eq!(strip_url_credentials("no urls here"), "no urls here");
    }

    #[test]
    fn masks_secrets_and_their_encoded_form() {
        let mut secrets = Secrets::default();
        secrets.add("sntrys_abc+def/ghi=");
        let echoed = r#"{"headers":{"Authorization":"Bearer sntrys_abc+def/ghi="},"url":"/x?t=sntrys_abc%2Bdef%2Fghi%3D"}"#;
        let scrubbed = secrets.scrub(echoed);
        assert!(!scrubbed.contains("sntrys_abc"), "{scrubbed}");
        assert!(scrubbed.contains("Bearer ***"), "{scrubbed}");
    }

    #[test]
    fn short_secrets_are_not_masked() {
        let mut secrets = Secrets::default();
        secrets.add("abc");
        assert_eq!(secrets.scrub("abc def"), "abc def");
        assert_eq!(format!("{secrets:?}"), "Secrets(0 kept)");
    }

    proptest! {
        #[test]
        fn no_password_survives_stripping(
            prefix in "[ -~]{0,20}",
            user in "[a-zA-Z0-9._~-]{1,12}",
            password in "[a-zA-Z0-9._~!$&()*+,;=-]{1,16}",
            host in "[a-z0-9.-]{1,20}",
            path in "(/[a-z0-9]{0,8}){0,3}",
        ) {
            let marker = format!("PW{password}PW");
            let text = format!("{prefix} https://{user}:{marker}@{host}{path} tail");
            let stripped = strip_url_credentials(&text);
            prop_assert!(!stripped.contains(&marker), "{}", stripped);
            let expected_tail = format!("{host}{path} tail");
            prop_assert!(stripped.ends_with(&expected_tail));
        }

        #[test]
        fn text_without_urls_is_unchanged(text in "[^:]{0,80}") {
            prop_assert_eq!(strip_url_credentials(&text), text);
        }

        #[test]
        fn a_registered_secret_never_survives(
            before in "[ -~]{0,40}",
            secret in "[A-Za-z0-9_+/=-]{6,40}",
            after in "[ -~]{0,40}",
        ) {
            let mut secrets = Secrets::default();
            secrets.add(&secret);
            let text = format!("{before}{secret}{after}{before}{secret}");
            prop_assert!(!secrets.scrub(&text).contains(&secret));
        }
    }
}
