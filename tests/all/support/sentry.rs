//! Helpers for tests that talk to a mock Sentry (mockito) or run the binary against it.

use assert_cmd::Command;

/// A token-shaped secret the tests check never leaks into output.
pub const TOKEN: &str = "sntryu_FAKE-test-token-0123456789-never-real";

/// The binary with a clean environment pointed at `url` (a mock server) with [`TOKEN`].
pub fn binary(url: &str) -> Command {
    let mut cmd = Command::cargo_bin("sentry-companion").expect("binary is built");
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("SENTRY_URL", url)
        .env("SENTRY_AUTH_TOKEN", TOKEN);
    cmd
}

/// Asserts the token appears in neither stdout nor stderr.
pub fn assert_no_token(output: &std::process::Output) {
    for stream in [&output.stdout, &output.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(!text.contains(TOKEN), "token leaked into output: {text}");
    }
}
