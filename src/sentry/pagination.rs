//! Sentry's `Link` header: the next cursor, only while the next page has results.

/// The cursor of the next page, if the `Link` header says it has results.
pub fn next_cursor(link_header: &str) -> Option<String> {
    link_header.split(',').find_map(|entry| {
        let mut rel = None;
        let mut results = None;
        let mut cursor = None;
        for attribute in entry.split(';').skip(1) {
            let Some((key, value)) = attribute.trim().split_once('=') else {
                continue;
            };
            let value = value.trim().trim_matches('"');
            match key.trim() {
                "rel" => rel = Some(value),
                "results" => results = Some(value),
                "cursor" => cursor = Some(value),
                _ => {}
            }
        }
        (rel == Some("next") && results == Some("true"))
            .then_some(cursor)
            .flatten()
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MORE: &str = r#"<https://sentry.io/api/0/organizations/acme/issues/?cursor=1735689600000:0:1>; rel="previous"; results="false"; cursor="1735689600000:0:1", <https://sentry.io/api/0/organizations/acme/issues/?cursor=1735689600000:25:0>; rel="next"; results="true"; cursor="1735689600000:25:0""#;
    const LAST: &str = r#"<https://x/?cursor=0:0:1>; rel="previous"; results="true"; cursor="0:0:1", <https://x/?cursor=0:100:0>; rel="next"; results="false"; cursor="0:100:0""#;

    #[test]
    fn follows_next_while_it_has_results() {
        assert_eq!(next_cursor(MORE).as_deref(), Some("1735689600000:25:0"));
    }

    #[test]
    fn stops_on_the_last_page() {
        assert_eq!(next_cursor(LAST), None);
    }

    #[test]
    fn ignores_malformed_headers() {
        assert_eq!(next_cursor(""), None);
        assert_eq!(next_cursor("garbage"), None);
        assert_eq!(
            next_cursor(r#"<x>; rel="next"; results="true"; cursor="""#),
            None
        );
    }

    #[test]
    fn keeps_string_cursors_with_colons_verbatim() {
        let header = r#"<x>; rel="next"; results="true"; cursor="a:b:c:100:0""#;
        assert_eq!(next_cursor(header).as_deref(), Some("a:b:c:100:0"));
    }

    fn entry(rel: &str, results: bool, cursor: &str) -> String {
        format!(
            r#"<https://sentry.io/api/0/x/?cursor={cursor}>; rel="{rel}"; results="{results}"; cursor="{cursor}""#
        )
    }

    proptest! {
        #[test]
        fn never_panics(header in "\\PC{0,300}") {
            let _ = next_cursor(&header);
        }

        #[test]
        fn finds_the_next_cursor_wherever_it_is(
            cursor in "[0-9a-z:]{1,30}",
            previous in "[0-9a-z:]{1,30}",
            previous_results: bool,
            next_first: bool,
        ) {
            let prev = entry("previous", previous_results, &previous);
            let next = entry("next", true, &cursor);
            let header = if next_first { format!("{next}, {prev}") } else { format!("{prev}, {next}") };
            prop_assert_eq!(next_cursor(&header), Some(cursor));
        }

        #[test]
        fn no_results_means_no_next_page(cursor in "[0-9a-z:]{1,30}", previous in "[0-9a-z:]{1,30}") {
            let header = format!("{}, {}", entry("previous", true, &previous), entry("next", false, &cursor));
            prop_assert_eq!(next_cursor(&header), None);
        }
    }
}
